/* trending.c - after a load: the early-warning detectors on every candidate series, kept in the warnings table. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/assess.h"
#include "daemon/copy.h"
#include "daemon/trending.h"
#include "extractors/value.h"
#include "transforms/backtest.h"
#include "transforms/catalog.h"

/* The projected first red period, from the newest one. */
#define RED_DATE "CASE WHEN n.periods_to_red IS NULL THEN NULL ELSE " \
	"(n.data_end + ceil(n.periods_to_red)::int * " \
	"fragwatch.grain_step(n.grain))::date END"

/* Points kept per series: the most any detector looks back (two years
 * and a window of weekly points with the seasonal adjustment), plus the
 * periods that persistence looks at before the newest. */
#define SERIES_MAX 256

struct series {
	char area[256], org[256], code[32], grain[16];
	double x[SERIES_MAX];
	enum status_light light[SERIES_MAX];
	int32_t period[SERIES_MAX];
	size_t n;
	bool newest_grey;   /* unknown now (stale, missing): not judged */
};

/* A series found trending, kept until the cursor is closed (a COPY
 * cannot run while the cursor's query does). */
struct found {
	char area[256], org[256], code[32], grain[16];
	int domain;         /* backtest_domain() of code */
	enum status_light light;
	struct warning_verdict v;
	double value;
	int32_t from, end;
	size_t points;
	char text[512];
};

struct pass {
	const struct conf *c;
	struct series s;
	bool open;          /* s holds a series being read */
	struct found *found;
	size_t nfound, cap;
	/* The area x org being read (its series arrive one after another):
	 * its warnings are found[group..nfound-1], and known the domains
	 * with a series known now. */
	size_t group;
	unsigned known;
};

int
trending_horizon(const struct conf *c, const char *grain)
{
	const struct conf_early_warning *e = &c->early_warning;

	if (strcmp(grain, "week") == 0)
		return e->horizon_weeks;
	if (strcmp(grain, "day") == 0)
		return 7 * e->horizon_weeks;
	if (strcmp(grain, "quarter") == 0)
		return e->horizon_months >= 3 ? e->horizon_months / 3 : 1;
	if (strcmp(grain, "year") == 0)
		return 1;
	return e->horizon_months;
}

void
trending_params(const struct conf *c, const char *grain,
    struct warning_params *p)
{
	const struct conf_early_warning *e = &c->early_warning;
	bool fine = strcmp(grain, "week") == 0 || strcmp(grain, "day") == 0;

	*p = e->params;
	p->horizon = trending_horizon(c, grain);
	p->season = 0;
	if (e->seasonal && strcmp(grain, "week") == 0)
		p->season = 52;
	else if (e->seasonal && strcmp(grain, "month") == 0)
		p->season = 12;
	else if (e->seasonal && strcmp(grain, "quarter") == 0)
		p->season = 4;
	p->material = fine ? e->material_weeks : e->material_months;
}

void
trending_composite_threshold(const struct conf *c, struct status_threshold *t)
{
	t->higher_is_worse = true;
	t->green.op = STATUS_OP_LT;
	t->green.value = c->bands.yellow_from;
	t->red.op = STATUS_OP_GE;
	t->red.value = c->bands.red_from;
}

static const char *
unit(const char *grain, bool plural)
{
	if (strcmp(grain, "week") == 0)
		return plural ? "weeks" : "week";
	if (strcmp(grain, "day") == 0)
		return plural ? "days" : "day";
	if (strcmp(grain, "quarter") == 0)
		return plural ? "quarters" : "quarter";
	if (strcmp(grain, "year") == 0)
		return plural ? "years" : "year";
	return plural ? "months" : "month";
}

void
trending_explain(const char *name, bool is_share, bool higher_is_worse,
    const char *grain, const struct warning_verdict *v, char *buf,
    size_t size)
{
	size_t len = 0;

	if (!isnan(v->slope) && v->slope != 0) {
		double per = is_share ? 100 * fabs(v->slope) : fabs(v->slope);

		char num[32];

		snprintf(num, sizeof(num), "%.2g", per);
		len = (size_t)snprintf(buf, size, "%s %s %s%s a %s", name,
		    v->slope < 0 ? "falling" : "rising", num, !is_share ? "" :
		    strcmp(num, "1") == 0 ? " point" : " points",
		    unit(grain, false));
	} else
		len = (size_t)snprintf(buf, size, "%s worsening", name);
	if (len < size && (v->fired & WARNING_E1) && (v->fired & WARNING_E2))
		len += (size_t)snprintf(buf + len, size - len, "; %s than its "
		    "usual range (%s)", higher_is_worse ? "higher" : "lower",
		    v->spc_rule != NULL ? v->spc_rule : "SPC");
	if (len < size && !isnan(v->periods_to_red)) {
		double p = ceil(v->periods_to_red);

		if (p <= 1)
			snprintf(buf + len, size - len, "; red within a %s",
			    unit(grain, false));
		else
			snprintf(buf + len, size - len, "; red in about %.0f %s",
			    p, unit(grain, true));
	}
}

static const char *
detectors_text(unsigned fired, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", fired & WARNING_E1 ? "E1" : "",
	    (fired & WARNING_E1) && (fired & (WARNING_E2 | WARNING_E3)) ? "+" :
	    "", fired & WARNING_E2 ? "E2" : "", (fired & WARNING_E2) &&
	    (fired & WARNING_E3) ? "+" : "", fired & WARNING_E3 ? "E3" : "");
	return buf;
}

/* The threshold a series is judged against, or NULL (not watched). */
static const struct status_threshold *
threshold_of(const struct conf *c, const struct series *s,
    struct status_threshold *composite, int *ci)
{
	*ci = catalog_find(s->code);
	if (strcmp(s->code, "composite") == 0) {
		trending_composite_threshold(c, composite);
		return composite;
	}
	if (*ci < 0)
		return NULL;
	for (size_t i = 0; i < c->nareas; i++)
		if (strcmp(c->areas[i].code, s->area) == 0)
			return &c->areas[i].thresholds[*ci];
	return NULL;
}

/* A double, or NULL for NaN (not computed). */
static void
copy_number(struct copy *cp, double v)
{
	if (isnan(v))
		copy_null(cp);
	else
		copy_double(cp, v);
}

/* Judges the finished series; one trending is kept in ps->found.
 * Returns 0 or -ENOMEM. */
static int
judge(struct pass *ps)
{
	const struct conf *c = ps->c;
	struct series *s = &ps->s;
	struct status_threshold composite;
	const struct status_threshold *t;
	struct warning_params p;
	struct warning_verdict v, now;
	struct found *f;
	int ci;

	if (s->n == 0 || s->newest_grey ||
	    (t = threshold_of(c, s, &composite, &ci)) == NULL)
		return 0;
	if (backtest_domain(s->code) >= 0)
		ps->known |= 1u << backtest_domain(s->code);
	trending_params(c, s->grain, &p);
	/* The newest period and the persistence - 1 before it must all be
	 * non-red and signal: one noisy point is not a warning. */
	for (int k = 0; k < p.persistence; k++) {
		size_t n = s->n - (size_t)k;

		if ((size_t)k >= s->n || s->light[n - 1] == STATUS_RED ||
		    warning_evaluate(s->x, n, t, &p, &v) < 0 || !v.signal)
			return 0;
		if (k == 0)
			now = v;
	}
	if (ps->nfound == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct found *grown = realloc(ps->found, cap * sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		ps->found = grown;
		ps->cap = cap;
	}
	f = &ps->found[ps->nfound++];
	memcpy(f->area, s->area, sizeof(f->area));
	memcpy(f->org, s->org, sizeof(f->org));
	memcpy(f->code, s->code, sizeof(f->code));
	memcpy(f->grain, s->grain, sizeof(f->grain));
	f->domain = backtest_domain(s->code);
	f->light = s->light[s->n - 1];
	f->v = now;
	f->value = s->x[s->n - 1];
	f->from = s->period[0];
	f->end = s->period[s->n - 1];
	f->points = s->n;
	trending_explain(ci >= 0 ? catalog[ci].name : "composite fragility "
	    "score", ci >= 0 && catalog[ci].is_share, t->higher_is_worse,
	    s->grain, &now, f->text, sizeof(f->text));
	return 0;
}

/* Closes the area x org just read: its warnings stand only if together
 * they pass the combination rule (early_warning.combine), as in the
 * backtest's replay. */
static void
close_group(struct pass *ps)
{
	unsigned warning = 0;

	for (size_t i = ps->group; i < ps->nfound; i++)
		if (ps->found[i].domain >= 0)
			warning |= 1u << ps->found[i].domain;
	if (!backtest_combine_keep(ps->c->early_warning.combine, ps->known,
	    warning, ps->nfound > ps->group))
		ps->nfound = ps->group;
	ps->group = ps->nfound;
	ps->known = 0;
}

static void
copy_found(struct copy *cp, const struct found *f)
{
	char det[16];

	copy_text(cp, f->area);
	copy_text(cp, f->org);
	copy_text(cp, f->code);
	copy_text(cp, f->grain);
	copy_text(cp, status_light_name(f->light));
	copy_text(cp, detectors_text(f->v.fired, det, sizeof(det)));
	if (f->v.spc_rule != NULL)
		copy_text(cp, f->v.spc_rule);
	else
		copy_null(cp);
	copy_number(cp, f->value);
	copy_number(cp, f->v.slope);
	copy_number(cp, f->v.mk_p);
	copy_number(cp, f->v.periods_to_red);
	copy_date(cp, f->from);
	copy_date(cp, f->end);
	copy_int(cp, (int64_t)f->points);
	copy_text(cp, f->text);
	copy_row(cp);
}

static int
series_batch(void *pv, PGresult *r, char *err, size_t errlen)
{
	struct pass *ps = pv;
	struct series *s = &ps->s;

	for (int i = 0; i < PQntuples(r); i++) {
		const char *area = PQgetvalue(r, i, 0), *org = PQgetvalue(r, i, 1);
		const char *code = PQgetvalue(r, i, 2);

		if (!ps->open || strcmp(area, s->area) != 0 ||
		    strcmp(org, s->org) != 0 || strcmp(code, s->code) != 0) {
			if (ps->open && judge(ps) < 0)
				return -ENOMEM;
			if (ps->open && (strcmp(area, s->area) != 0 ||
			    strcmp(org, s->org) != 0))
				close_group(ps);
			snprintf(s->area, sizeof(s->area), "%s", area);
			snprintf(s->org, sizeof(s->org), "%s", org);
			snprintf(s->code, sizeof(s->code), "%s", code);
			snprintf(s->grain, sizeof(s->grain), "%s",
			    PQgetvalue(r, i, 4));
			s->n = 0;
			ps->open = true;
		}
		/* Rows come oldest first: the last one seen is the newest. */
		s->newest_grey = PQgetisnull(r, i, 5) ||
		    strcmp(PQgetvalue(r, i, 6), "grey") == 0;
		if (s->newest_grey || s->n == SERIES_MAX)
			continue;
		value_parse_date(PQgetvalue(r, i, 3), "%Y-%m-%d",
		    &s->period[s->n]);
		s->x[s->n] = strtod(PQgetvalue(r, i, 5), NULL);
		if (status_light_from_name(PQgetvalue(r, i, 6),
		    &s->light[s->n]) < 0)
			s->light[s->n] = STATUS_GREY;
		s->n++;
	}
	return 0;
}

/* The date 2 * keep periods of days_per_period before now, into buf. */
static const char *
cut(int32_t now, int keep, int days_per_period, char *buf)
{
	value_format_date(now - 2 * keep * days_per_period, buf, 16);
	return buf;
}

/* The grain of the composite: the finest of the configured sources. */
static const char *
composite_grain(const struct conf *c)
{
	enum value_grain g = VALUE_GRAIN_YEAR;

	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].period < g)
			g = c->sources[i].period;
	return value_grain_name(g);
}

int
trending_run(struct db *db, const struct conf *c, int64_t run_id,
    char *err, size_t errlen)
{
	struct warning_params wp;
	struct pass *ps = calloc(1, sizeof(*ps));
	struct copy cp;
	char sql[2048], id[32], today[16];
	char cday[16], cweek[16], cmonth[16], cquarter[16], cyear[16], ccomp[16];
	const char *idp[1] = { id };
	int32_t now;
	int keep, rc;

	if (ps == NULL)
		return -ENOMEM;
	ps->c = c;
	/* The weekly grain looks back furthest (a seasonal year has the
	 * most periods); the verdicts on the newest persistence periods
	 * each need that history. */
	trending_params(c, "week", &wp);
	keep = (int)warning_history(&wp) + wp.persistence - 1;
	if (keep > SERIES_MAX)
		keep = SERIES_MAX;
	snprintf(id, sizeof(id), "%" PRId64, run_id);
	now = assess_today(c);
	value_format_date(now, today, sizeof(today));
	/* Grey points have no value: the detectors see the known ones, and
	 * a series grey now is not judged. The composite's row as of today
	 * repeats the newest period: left out. Only the newest 'keep' rows of
	 * a series are wanted; a date cut of twice that many periods spares
	 * the window function most of the history (a gap just means fewer
	 * points). The dates are ours, never input text. */
	snprintf(sql, sizeof(sql), "SELECT area, org, code, period, grain, "
	    "value, status FROM (SELECT area, org, code, period, grain, value, "
	    "status, row_number() OVER (PARTITION BY area, org, code ORDER BY "
	    "period DESC) AS k FROM (SELECT area, org, code, period, grain, "
	    "value, status FROM fragwatch.indicator_values WHERE code IN ("
	    TRENDING_CODES ") AND period >= CASE grain WHEN 'day' THEN "
	    "'%s'::date WHEN 'week' THEN '%s' WHEN 'month' THEN '%s' WHEN "
	    "'quarter' THEN '%s' ELSE '%s' END UNION ALL SELECT area, org, "
	    "'composite', as_of, '%s', score, status FROM fragwatch.area_status "
	    "WHERE as_of < '%s' AND as_of >= '%s') v) x WHERE k <= %d ORDER BY "
	    "area, org, code, period", cut(now, keep, 1, cday),
	    cut(now, keep, 7, cweek), cut(now, keep, 31, cmonth),
	    cut(now, keep, 92, cquarter), cut(now, keep, 366, cyear),
	    composite_grain(c), today, cut(now, keep, 31, ccomp), keep);
	if ((rc = db_exec(db, "CREATE TEMP TABLE warn_new (area text, org text, "
	    "indicator text, grain text, light text, detectors text, spc_rule "
	    "text, value double precision, slope double precision, mk_p double "
	    "precision, periods_to_red double precision, data_from date, "
	    "data_end date, points integer, explanation text) ON COMMIT DROP",
	    err, errlen)) < 0)
		goto out;
	if ((rc = db_each_batch(db, sql, series_batch, ps, err, errlen)) < 0)
		goto out;
	if (ps->open && (rc = judge(ps)) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (ps->open)
		close_group(ps);
	if ((rc = copy_begin(&cp, db, "COPY warn_new FROM STDIN")) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		goto out;
	}
	for (size_t i = 0; i < ps->nfound; i++)
		copy_found(&cp, &ps->found[i]);
	if ((rc = copy_end(&cp, NULL)) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		goto out;
	}
	rc = db_query(db, "UPDATE fragwatch.warnings w SET "
	    "cleared_at = now(), cleared_why = CASE WHEN EXISTS (SELECT 1 FROM "
	    "fragwatch.status_board b WHERE b.area = w.area AND b.org = w.org "
	    "AND b.status = 'red') OR EXISTS (SELECT 1 FROM "
	    "fragwatch.indicator_values v WHERE v.area = w.area AND v.org = "
	    "w.org AND v.code = w.indicator AND v.period = (SELECT max(period) "
	    "FROM fragwatch.indicator_values m WHERE m.area = w.area AND m.org "
	    "= w.org AND m.code = w.indicator) AND v.status = 'red') THEN "
	    "'turned red' ELSE 'no longer trending' END WHERE cleared_at IS "
	    "NULL AND NOT EXISTS (SELECT 1 FROM warn_new n WHERE n.area = "
	    "w.area AND n.org = w.org AND n.indicator = w.indicator)", 0, NULL,
	    NULL, err, errlen);
	if (rc == 0)
		rc = db_query(db, "UPDATE fragwatch.warnings w SET last_seen = "
		    "now(), last_run = $1, light = n.light, detectors = "
		    "n.detectors, spc_rule = n.spc_rule, value = n.value, slope = "
		    "n.slope, mk_p = n.mk_p, periods_to_red = n.periods_to_red, "
		    "red_date = " RED_DATE ", data_from = n.data_from, data_end = "
		    "n.data_end, points = n.points, explanation = n.explanation "
		    "FROM warn_new n WHERE w.cleared_at IS NULL AND n.area = "
		    "w.area AND n.org = w.org AND n.indicator = w.indicator", 1,
		    idp, NULL, err, errlen);
	if (rc == 0)
		rc = db_query(db, "INSERT INTO fragwatch.warnings (area, org, "
		    "indicator, grain, light, detectors, spc_rule, value, slope, "
		    "mk_p, periods_to_red, red_date, data_from, data_end, points, "
		    "explanation, first_run, last_run) SELECT n.area, n.org, "
		    "n.indicator, n.grain, n.light, n.detectors, n.spc_rule, "
		    "n.value, n.slope, n.mk_p, n.periods_to_red, " RED_DATE ", "
		    "n.data_from, n.data_end, n.points, n.explanation, $1, $1 FROM "
		    "warn_new n WHERE NOT EXISTS (SELECT 1 FROM fragwatch.warnings "
		    "w WHERE w.cleared_at IS NULL AND w.area = n.area AND w.org = "
		    "n.org AND w.indicator = n.indicator)", 1, idp, NULL, err,
		    errlen);
	if (rc == 0)
		rc = db_exec(db, "DROP TABLE warn_new", err, errlen);
out:
	free(ps->found);
	free(ps);
	return rc;
}
