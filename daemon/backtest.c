/* backtest.c - `fragwatch backtest`: reads one series at a time from the database, replays and scores it, prints and stores the results. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon/backtest.h"
#include "daemon/trending.h"
#include "daemon/log.h"
#include "extractors/value.h"
#include "transforms/backtest.h"
#include "transforms/catalog.h"
#include "transforms/status.h"
#include "transforms/warning.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_DATABASE = 4 };

#define MAX_HORIZON 520      /* ten years of weeks */
#define MAX_PERIODS 1000000  /* a unit longer than this is not a history */

/* Results are keyed and ordered as in the JSON and the table. */
#define NMETHODS 3
static const char *const method_key[NMETHODS] = {
	"fragwatch", "warn_at_yellow", "e1_alone",
};
static const char *const method_label[NMETHODS] = {
	"fragwatch", "warn at yellow", "E1 alone",
};
static const unsigned method_bit[NMETHODS] = {
	BACKTEST_FRAGWATCH, BACKTEST_AT_YELLOW, BACKTEST_E1_ALONE,
};

struct opts {
	bool have_from, have_to;
	int32_t from, to;
	char from_text[16], to_text[16];
	int horizon;         /* 0: by grain */
	bool json, trace;
};

/* The summed results of one area (or of all, area NULL). */
struct result {
	char *area;
	int series;
	struct backtest_summary s[NMETHODS];
};

struct bt {
	struct db *db;
	const struct conf *c;
	struct opts o;
	int persistence;
	char codes[64];                       /* weighted-2 codes, a text[] */
	struct backtest_tally area_t[NMETHODS], all_t[NMETHODS];
	int area_series, all_series;
	char area[256];
	struct result *res;                   /* per area, in order */
	size_t nres;
	bool have_range;
	int32_t first, last;                  /* periods scored, for the header */
	char err[512];
};

/* One unit's data, owned for the time of its replay. */
struct unit {
	size_t n, cap;
	int32_t *period;
	enum status_light *status;
	double *score;
	unsigned *flags;
	bool *warn;
};

static void
usage(void)
{
	fprintf(stderr, "usage: fragwatch backtest [--from DATE] [--to DATE] "
	    "[--horizon N] [--json | --trace]\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "horizon", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "trace", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int ch, rc = 0;

	if (args == NULL)
		return -ENOMEM;
	/* getopt wants the command name first. */
	args[0] = (char *)"backtest";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while (rc == 0 && (ch = getopt_long(argc + 1, args, "", longopts,
	    NULL)) != -1) {
		char *end;
		long h;

		switch (ch) {
		case 'f':
		case 't':
			if (value_parse_date(optarg, "%Y-%m-%d", ch == 'f' ? &o->from :
			    &o->to) < 0) {
				log_msg(LOG_ERR, "backtest: bad date '%s' (want "
				    "YYYY-MM-DD)", optarg);
				rc = -EINVAL;
			} else if (ch == 'f') {
				o->have_from = true;
				value_format_date(o->from, o->from_text,
				    sizeof(o->from_text));
			} else {
				o->have_to = true;
				value_format_date(o->to, o->to_text,
				    sizeof(o->to_text));
			}
			break;
		case 'H':
			errno = 0;
			h = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || h < 1 ||
			    h > MAX_HORIZON) {
				log_msg(LOG_ERR, "backtest: bad horizon '%s' (want "
				    "1..%d periods)", optarg, MAX_HORIZON);
				rc = -EINVAL;
			} else
				o->horizon = (int)h;
			break;
		case 'j':
			o->json = true;
			break;
		case 'T':
			o->trace = true;
			break;
		default:
			log_msg(LOG_ERR, "backtest: unknown option or missing "
			    "value: '%s'", args[optind - 1]);
			rc = -EINVAL;
		}
	}
	if (rc == 0 && optind < argc + 1) {
		log_msg(LOG_ERR, "backtest: unexpected argument '%s'", args[optind]);
		rc = -EINVAL;
	}
	if (rc == 0 && o->json && o->trace) {
		log_msg(LOG_ERR, "backtest: --json and --trace do not mix");
		rc = -EINVAL;
	}
	if (rc == 0 && o->have_from && o->have_to && o->from > o->to) {
		log_msg(LOG_ERR, "backtest: --from is after --to");
		rc = -EINVAL;
	}
	free(args);
	return rc;
}

static int
unit_grow(struct unit *u)
{
	size_t cap = u->cap ? 2 * u->cap : 256;
	void *p;

	if (cap > MAX_PERIODS)
		return -E2BIG;
#define GROW(f) \
	if ((p = realloc(u->f, cap * sizeof(*u->f))) == NULL) \
		return -ENOMEM; \
	u->f = p;
	GROW(period)
	GROW(status)
	GROW(score)
	GROW(flags)
	GROW(warn)
#undef GROW
	u->cap = cap;
	return 0;
}

static int
unit_push(struct unit *u, int32_t period, enum status_light st, double score)
{
	int rc;

	if (u->n == u->cap && (rc = unit_grow(u)) < 0)
		return rc;
	u->period[u->n] = period;
	u->status[u->n] = st;
	u->score[u->n] = score;
	u->n++;
	return 0;
}

static void
unit_free(struct unit *u)
{
	free(u->period);
	free(u->status);
	free(u->score);
	free(u->flags);
	free(u->warn);
}

/* A value, or NaN (missing) for NULL and for what is not a finite number
 * (PostgreSQL's NaN and Infinity), which no detector can use. */
static double
num_or_nan(PGresult *r, int row, int col)
{
	double v;

	if (PQgetisnull(r, row, col))
		return NAN;
	v = strtod(PQgetvalue(r, row, col), NULL);
	return isfinite(v) ? v : NAN;
}

/* The unit's composite, one entry per period of its grain; a period
 * without a row is grey (unknown). */
static int
read_composite(struct bt *b, const char *area, const char *org,
    const char *grain_name, enum value_grain grain, struct unit *u)
{
	const char *params[4] = { area, org, b->o.have_to ? b->o.to_text : NULL,
		grain_name };
	PGresult *r = NULL;
	int rc;

	u->n = 0;
	rc = db_query(b->db, "SELECT to_char(s.as_of, 'YYYY-MM-DD'), s.status, "
	    "s.score FROM fragwatch.area_status s WHERE s.area = $1 AND s.org = $2 "
	    "AND ($3::date IS NULL OR s.as_of <= $3::date) AND EXISTS (SELECT 1 "
	    "FROM fragwatch.indicator_values v WHERE v.area = s.area AND v.org = "
	    "s.org AND v.period = s.as_of AND v.grain = $4) ORDER BY s.as_of", 4,
	    params, &r, b->err, sizeof(b->err));
	if (rc < 0)
		return rc;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		int32_t day;
		enum status_light st;

		if (value_parse_date(PQgetvalue(r, i, 0), "%Y-%m-%d", &day) < 0 ||
		    status_light_from_name(PQgetvalue(r, i, 1), &st) < 0)
			continue;
		/* Fill a gap with unknown periods so that H counts periods. */
		while (rc == 0 && u->n > 0 && value_period_next(u->period[u->n - 1],
		    grain) < day)
			rc = unit_push(u, value_period_next(u->period[u->n - 1],
			    grain), STATUS_GREY, NAN);
		if (rc == 0)
			rc = unit_push(u, day, st, st == STATUS_GREY ? NAN :
			    num_or_nan(r, i, 2));
	}
	PQclear(r);
	if (rc == -E2BIG || rc == -ENOMEM)
		snprintf(b->err, sizeof(b->err), "series %s/%s: %s", area, org,
		    strerror(-rc));
	return rc;
}

/* The arrays of the unit's indicator inputs, all codes in one block. */
struct inputs {
	int32_t *period;
	double *value;
	enum status_light *light;
	struct backtest_input in[CATALOG_COUNT + 1];
	struct warning_params wp[CATALOG_COUNT + 1];
	size_t n;
};

static void
inputs_free(struct inputs *x)
{
	free(x->period);
	free(x->value);
	free(x->light);
}

static const struct status_threshold *
area_threshold(const struct conf *c, const char *area, int ci)
{
	for (size_t i = 0; i < c->nareas; i++)
		if (strcmp(c->areas[i].code, area) == 0)
			return &c->areas[i].thresholds[ci];
	return &c->thresholds[ci];
}

/* The detectors' tunables at an input's grain, as the live path sets
 * them (horizon, season, materiality). The E3 horizon follows the live
 * default (12 weeks, 3 months), not --horizon, which is only the scoring
 * window. */
static void
params_for(const struct conf *c, struct warning_params *wp,
    enum value_grain grain)
{
	trending_params(c, value_grain_name(grain), wp);
}

static int
read_inputs(struct bt *b, const char *area, const char *org,
    struct inputs *x)
{
	const char *params[4] = { area, org, b->codes,
		b->o.have_to ? b->o.to_text : NULL };
	PGresult *r = NULL;
	int rc, n;

	memset(x, 0, sizeof(*x));
	rc = db_query(b->db, "SELECT code, to_char(period, 'YYYY-MM-DD'), "
	    "grain, value, status FROM fragwatch.indicator_values WHERE area = $1 "
	    "AND org = $2 AND code = ANY ($3::text[]) AND ($4::date IS NULL OR "
	    "period <= $4::date) ORDER BY code, period", 4, params, &r, b->err,
	    sizeof(b->err));
	if (rc < 0)
		return rc;
	n = PQntuples(r);
	x->period = malloc(((size_t)n + 1) * sizeof(*x->period));
	x->value = malloc(((size_t)n + 1) * sizeof(*x->value));
	x->light = malloc(((size_t)n + 1) * sizeof(*x->light));
	if (x->period == NULL || x->value == NULL || x->light == NULL) {
		PQclear(r);
		snprintf(b->err, sizeof(b->err), "out of memory");
		return -ENOMEM;
	}
	for (int i = 0, k = 0, cur = -1; i < n; i++) {
		int ci = catalog_find(PQgetvalue(r, i, 0));
		struct backtest_input *in;
		enum value_grain grain;

		if (ci < 0 || value_grain_from_name(PQgetvalue(r, i, 2), &grain) < 0)
			continue;
		if (ci != cur) { /* rows come by code: a new code, a new input */
			if (x->n == CATALOG_COUNT)
				break;
			cur = ci;
			in = &x->in[x->n];
			params_for(b->c, &x->wp[x->n], grain);
			in->period = x->period + k;
			in->value = x->value + k;
			in->light = x->light + k;
			in->n = 0;
			in->grain = grain;
			in->threshold = area_threshold(b->c, area, ci);
			in->params = &x->wp[x->n];
			in->domain = backtest_domain(catalog[ci].code);
			x->n++;
		}
		in = &x->in[x->n - 1];
		/* One grain per input: rows of another are not its series. */
		if (grain != in->grain ||
		    value_parse_date(PQgetvalue(r, i, 1), "%Y-%m-%d",
		    &x->period[k]) < 0 ||
		    status_light_from_name(PQgetvalue(r, i, 4), &x->light[k]) < 0)
			continue;
		x->value[k] = num_or_nan(r, i, 3);
		in->n++;
		k++;
	}
	PQclear(r);
	return 0;
}

/* Closes the area being summed: its summaries join the results and its
 * tallies the overall ones. */
static int
close_area(struct bt *b)
{
	struct result *p, *res;

	if (b->area[0] == '\0')
		return 0;
	if ((p = realloc(b->res, (b->nres + 1) * sizeof(*p))) == NULL)
		return -ENOMEM;
	b->res = p;
	res = &b->res[b->nres];
	if ((res->area = strdup(b->area)) == NULL)
		return -ENOMEM;
	b->nres++;
	res->series = b->area_series;
	b->all_series += b->area_series;
	for (int m = 0; m < NMETHODS; m++) {
		backtest_summarise(&b->area_t[m], &res->s[m]);
		if (backtest_tally_merge(&b->all_t[m], &b->area_t[m]) < 0)
			return -ENOMEM;
		backtest_tally_reset(&b->area_t[m]);
	}
	b->area_series = 0;
	b->area[0] = '\0';
	return 0;
}

/* Replays and scores one area x org series. */
static int
one_unit(struct bt *b, const char *area, const char *org,
    const char *grain_name, struct unit *u)
{
	enum value_grain grain;
	struct inputs x;
	struct status_threshold cth;
	size_t i0 = 0, nin;
	int rc, h;

	if (value_grain_from_name(grain_name, &grain) < 0)
		return 0; /* no indicator values: nothing to replay */
	if ((rc = read_composite(b, area, org, grain_name, grain, u)) < 0)
		return rc;
	if (u->n == 0)
		return 0;
	if ((rc = read_inputs(b, area, org, &x)) < 0)
		goto out;
	/* The composite score is an input too: red where the bands say. */
	trending_composite_threshold(b->c, &cth);
	nin = x.n;
	params_for(b->c, &x.wp[nin], grain);
	x.in[nin] = (struct backtest_input){ u->period, u->score, u->status,
		u->n, grain, &cth, &x.wp[nin], -1 };
	nin++;
	if ((rc = backtest_replay(u->period, u->status, u->n, x.in, nin,
	    b->c->early_warning.combine, u->flags)) < 0) {
		snprintf(b->err, sizeof(b->err), "series %s/%s: %s", area, org,
		    strerror(-rc));
		goto out;
	}
	while (b->o.have_from && i0 < u->n && u->period[i0] < b->o.from)
		i0++;
	if (i0 == u->n)
		goto out;
	if (strcmp(b->area, area) != 0) {
		if ((rc = close_area(b)) < 0)
			goto out;
		snprintf(b->area, sizeof(b->area), "%s", area);
	}
	b->area_series++;
	if (!b->have_range || u->period[i0] < b->first)
		b->first = u->period[i0];
	if (!b->have_range || u->period[u->n - 1] > b->last)
		b->last = u->period[u->n - 1];
	b->have_range = true;
	h = b->o.horizon > 0 ? b->o.horizon : backtest_default_horizon(grain);
	for (int m = 0; m < NMETHODS && rc == 0; m++) {
		for (size_t t = i0; t < u->n; t++)
			u->warn[t] = (u->flags[t] & method_bit[m]) != 0;
		rc = backtest_score(u->status + i0, u->warn + i0, u->n - i0, h,
		    backtest_periods_per_year(grain), &b->area_t[m]);
	}
	if (b->o.trace)
		for (size_t t = i0; t < u->n; t++) {
			char date[16];

			value_format_date(u->period[t], date, sizeof(date));
			printf("%s\t%s\t%s\t%s\t%d\t%d\t%d\n", area, org, date,
			    status_light_name(u->status[t]),
			    (u->flags[t] & BACKTEST_FRAGWATCH) != 0,
			    (u->flags[t] & BACKTEST_E1_ALONE) != 0,
			    (u->flags[t] & BACKTEST_AT_YELLOW) != 0);
		}
	if (rc < 0)
		snprintf(b->err, sizeof(b->err), "%s", strerror(-rc));
out:
	inputs_free(&x);
	return rc;
}

static void
put_ratio(double v, bool percent)
{
	if (isnan(v))
		printf(" %9s", "-");
	else if (percent)
		printf(" %8.0f%%", 100 * v);
	else
		printf(" %9.2f", v);
}

static void
print_rows(const char *area, const struct result *r)
{
	for (int m = 0; m < NMETHODS; m++) {
		const struct backtest_summary *s = &r->s[m];

		printf("%-10s %-15s %6ld %6ld %6ld %6ld %6ld %6ld", m == 0 ? area :
		    "", method_label[m], s->onsets, s->warnings, s->hits,
		    s->misses, s->false_alarms, s->pending);
		put_ratio(s->false_alarms_per_area_year, false);
		put_ratio(s->recall, true);
		put_ratio(s->precision, true);
		put_ratio(s->median_lead_periods, false);
		put_ratio(s->warned_while_green_share, true);
		putchar('\n');
	}
}

static void
print_table(const struct bt *b, const struct result *all)
{
	char first[16], last[16];

	if (all->series == 0) {
		printf("backtest: no history to replay%s\n", b->o.have_from ||
		    b->o.have_to ? " in the periods asked for" : "");
		return;
	}
	value_format_date(b->first, first, sizeof(first));
	value_format_date(b->last, last, sizeof(last));
	printf("backtest of %d series (area x organisation, region-wide "
	    "included) in %zu areas, %s .. %s, %.1f area-years\n", all->series,
	    b->nres, first, last, all->s[0].area_years);
	if (b->o.horizon > 0)
		printf("hit window H = %d periods", b->o.horizon);
	else
		printf("hit window H = 12 weeks, 3 months or 1 quarter by grain");
	printf("; persistence %d; lead times in periods\n\n", b->persistence);
	printf("%-10s %-15s %6s %6s %6s %6s %6s %6s %9s %9s %9s %9s %9s\n",
	    "area", "method", "onsets", "warns", "hits", "misses", "false",
	    "open", "false/yr", "recall", "precision", "lead", "green");
	print_rows("overall", all);
	for (size_t i = 0; i < b->nres; i++) {
		putchar('\n');
		print_rows(b->res[i].area, &b->res[i]);
	}
	printf("\nwarns: warning episodes; open: episodes whose outcome lies "
	    "beyond the data;\ngreen: share of onsets first warned while the "
	    "area was green; - : undefined (no onsets, hits or episodes)\n");
}

static json_t *
jnum(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *
summary_json(const struct backtest_summary *s, int series)
{
	return json_pack("{s:i, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
	    "s:o, s:o, s:o}", "series", series, "area_years", s->area_years,
	    "onsets", (json_int_t)s->onsets, "warnings", (json_int_t)s->warnings,
	    "hits", (json_int_t)s->hits, "misses", (json_int_t)s->misses,
	    "false_alarms", (json_int_t)s->false_alarms,
	    "pending", (json_int_t)s->pending,
	    "false_alarms_per_area_year", jnum(s->false_alarms_per_area_year),
	    "recall", jnum(s->recall), "precision", jnum(s->precision),
	    "median_lead_periods", jnum(s->median_lead_periods),
	    "warned_while_green_share", jnum(s->warned_while_green_share));
}

static int
print_json(const struct bt *b, const struct result *all)
{
	json_t *root = json_object();
	int rc = -ENOMEM;

	if (root == NULL)
		return rc;
	json_object_set_new(root, "from", b->o.have_from ?
	    json_string(b->o.from_text) : json_null());
	json_object_set_new(root, "to", b->o.have_to ?
	    json_string(b->o.to_text) : json_null());
	json_object_set_new(root, "horizon", b->o.horizon > 0 ?
	    json_integer(b->o.horizon) : json_null());
	json_object_set_new(root, "persistence", json_integer(b->persistence));
	json_object_set_new(root, "series", json_integer(all->series));
	for (int m = 0; m < NMETHODS; m++) {
		json_t *areas = json_object(), *meth;

		for (size_t i = 0; areas != NULL && i < b->nres; i++)
			json_object_set_new(areas, b->res[i].area,
			    summary_json(&b->res[i].s[m], b->res[i].series));
		meth = json_pack("{s:o, s:o*}", "overall",
		    summary_json(&all->s[m], all->series), "areas", areas);
		if (meth == NULL || json_object_set_new(root, method_key[m],
		    meth) < 0)
			goto out;
	}
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) ==
	    0) {
		putchar('\n');
		rc = 0;
	}
out:
	json_decref(root);
	return rc;
}

/* Formats a ratio for the database: NULL when undefined. */
static const char *
db_num(double v, char *buf, size_t size)
{
	if (isnan(v))
		return NULL;
	snprintf(buf, size, "%.17g", v);
	return buf;
}

static int
store_one(struct bt *b, const char *id, const char *area,
    const struct result *r)
{
	char persist[16], hor[16], series[16], cnt[6][24], num[6][32];
	int rc = 0;

	snprintf(persist, sizeof(persist), "%d", b->persistence);
	snprintf(hor, sizeof(hor), "%d", b->o.horizon);
	snprintf(series, sizeof(series), "%d", r->series);
	for (int m = 0; m < NMETHODS && rc == 0; m++) {
		const struct backtest_summary *s = &r->s[m];
		long counts[6] = { s->onsets, s->warnings, s->hits, s->misses,
			s->false_alarms, s->pending };
		const char *params[20];

		for (int i = 0; i < 6; i++)
			snprintf(cnt[i], sizeof(cnt[i]), "%ld", counts[i]);
		params[0] = id;
		params[1] = b->o.have_from ? b->o.from_text : NULL;
		params[2] = b->o.have_to ? b->o.to_text : NULL;
		params[3] = b->o.horizon > 0 ? hor : NULL;
		params[4] = persist;
		params[5] = method_key[m];
		params[6] = area;
		params[7] = series;
		snprintf(num[0], sizeof(num[0]), "%.17g", s->area_years);
		params[8] = num[0];
		for (int i = 0; i < 6; i++)
			params[9 + i] = cnt[i];
		params[15] = db_num(s->false_alarms_per_area_year, num[1],
		    sizeof(num[1]));
		params[16] = db_num(s->recall, num[2], sizeof(num[2]));
		params[17] = db_num(s->precision, num[3], sizeof(num[3]));
		params[18] = db_num(s->median_lead_periods, num[4], sizeof(num[4]));
		params[19] = db_num(s->warned_while_green_share, num[5],
		    sizeof(num[5]));
		rc = db_query(b->db, "INSERT INTO fragwatch.backtest_results "
		    "(backtest_id, period_from, period_to, horizon, persistence, "
		    "method, area, series, area_years, onsets, warnings, hits, "
		    "misses, false_alarms, pending, false_alarms_per_area_year, "
		    "recall, precision, median_lead_periods, "
		    "warned_while_green_share) VALUES ($1, $2, $3, $4, $5, $6, $7, "
		    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
		    20, params, NULL, b->err, sizeof(b->err));
	}
	return rc;
}

static int
store(struct bt *b, const struct result *all)
{
	PGresult *r = NULL;
	char id[32];
	int rc;

	if ((rc = db_query(b->db, "SELECT nextval('fragwatch.backtest_id_seq')",
	    0, NULL, &r, b->err, sizeof(b->err))) < 0)
		return rc;
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	rc = store_one(b, id, NULL, all);
	for (size_t i = 0; i < b->nres && rc == 0; i++)
		rc = store_one(b, id, b->res[i].area, &b->res[i]);
	return rc;
}

/* Replays every unit, one at a time, in one snapshot. */
static int
replay_all(struct bt *b)
{
	PGresult *units = NULL;
	struct unit u = { 0 };
	int rc;

	/* The grain of a unit is the grain of most of its values (queue and
	 * referrals weekly, staffing monthly: weekly). */
	rc = db_query(b->db, "SELECT s.area, s.org, (SELECT v.grain FROM "
	    "fragwatch.indicator_values v WHERE v.area = s.area AND v.org = "
	    "s.org GROUP BY v.grain ORDER BY count(*) DESC, v.grain LIMIT 1) "
	    "FROM (SELECT DISTINCT area, org FROM fragwatch.area_status) s "
	    "ORDER BY s.area, s.org", 0, NULL, &units, b->err, sizeof(b->err));
	if (rc < 0)
		return rc;
	for (int i = 0; i < PQntuples(units) && rc == 0; i++) {
		if (PQgetisnull(units, i, 2))
			continue;
		if (u.cap == 0 && (rc = unit_grow(&u)) < 0)
			break;
		rc = one_unit(b, PQgetvalue(units, i, 0), PQgetvalue(units, i, 1),
		    PQgetvalue(units, i, 2), &u);
	}
	if (rc == 0)
		rc = close_area(b);
	if (rc == -ENOMEM)
		snprintf(b->err, sizeof(b->err), "out of memory");
	PQclear(units);
	unit_free(&u);
	return rc;
}

int
backtest_command(struct db *db, const struct conf *c, int argc, char **argv)
{
	struct bt b = { 0 };
	struct result all = { 0 };
	char err[512];
	int rc, status = EXIT_DATABASE;
	size_t nc = 0;

	if ((rc = parse_opts(argc, argv, &b.o)) < 0) {
		usage();
		return EXIT_USAGE;
	}
	b.db = db;
	b.c = c;
	b.persistence = c->early_warning.params.persistence;
	nc += (size_t)snprintf(b.codes, sizeof(b.codes), "{");
	for (int i = 0; i < CATALOG_COUNT; i++)
		if (catalog[i].weight == 2)
			nc += (size_t)snprintf(b.codes + nc, sizeof(b.codes) - nc,
			    "%s%s", nc > 1 ? "," : "", catalog[i].code);
	snprintf(b.codes + nc, sizeof(b.codes) - nc, "}");

	/* One snapshot: a run committing meanwhile cannot mix two histories. */
	if ((rc = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ", b.err,
	    sizeof(b.err))) < 0)
		goto out;
	if ((rc = replay_all(&b)) < 0)
		goto rollback;
	all.series = b.all_series;
	for (int m = 0; m < NMETHODS; m++)
		backtest_summarise(&b.all_t[m], &all.s[m]);
	if ((rc = store(&b, &all)) < 0 ||
	    (rc = db_exec(db, "COMMIT", b.err, sizeof(b.err))) < 0)
		goto rollback;
	if (b.o.json)
		rc = print_json(&b, &all);
	else if (!b.o.trace)
		print_table(&b, &all);
	fflush(stdout);
	if (rc < 0) {
		snprintf(b.err, sizeof(b.err), "cannot write the JSON: %s",
		    strerror(-rc));
		goto out;
	}
	status = EXIT_OK;
	goto out;
rollback:
	db_exec(db, "ROLLBACK", err, sizeof(err));
out:
	if (status != EXIT_OK)
		log_msg(LOG_ERR, "backtest failed: %s", b.err);
	for (int m = 0; m < NMETHODS; m++) {
		backtest_tally_reset(&b.area_t[m]);
		backtest_tally_reset(&b.all_t[m]);
	}
	for (size_t i = 0; i < b.nres; i++)
		free(b.res[i].area);
	free(b.res);
	return status;
}
