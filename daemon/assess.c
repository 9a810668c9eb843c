/* assess.c - streams indicator values out of SQL, applies the status rules of status.c, COPYs the results back. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/assess.h"
#include "daemon/copy.h"
#include "daemon/sched.h"
#include "extractors/codemap.h"
#include "extractors/value.h"
#include "transforms/catalog.h"
#include "transforms/status.h"

/* The latest value of one indicator in the series being walked. */
struct latest {
	bool have;
	int32_t end;            /* first day after its period */
	enum status_light light;
};

/* Walks one area x organisation series in period order (pass 2). */
struct walk {
	const struct conf *c;
	int max_age[CATALOG_COUNT]; /* days, by indicator; INT_MAX: no limit */
	char area[256], org[256];
	int32_t period;             /* the period whose rows are being read */
	bool in_series;
	struct latest latest[CATALOG_COUNT];
	int32_t from, today;
	struct copy *copy;
};

int32_t
assess_today(const struct conf *c)
{
	const char *fixed = getenv("FRAGWATCH_TODAY");
	struct tm tm;
	time_t now = time(NULL);
	int32_t day;

	if (fixed != NULL && value_parse_date(fixed, "%Y-%m-%d", &day) == 0)
		return day;
	/* The region's date, not the server's (UTC if the zone is unknown). */
	if (sched_localtime(c->timezone, now, &tm) < 0)
		gmtime_r(&now, &tm);
	return value_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

static const char *
why_text(enum status_why why, int min_cases, char *buf, size_t size)
{
	switch (why) {
	case STATUS_WHY_MISSING:
		return "missing";
	case STATUS_WHY_STALE:
		return "stale";
	case STATUS_WHY_FEW:
		snprintf(buf, size, "fewer than %d cases", min_cases);
		return buf;
	default:
		return NULL;
	}
}

/* Pass 1: each value's light, COPYed into indicator_values. */
static int
copy_values(struct db *db, const struct conf *c, const struct codemap *areas,
    PGresult *r, int64_t run_id, char *err, size_t errlen)
{
	struct copy cp;
	char buf[64];
	int rc;

	if ((rc = copy_begin(&cp, db, "COPY fragwatch.indicator_values (area, "
	    "org, code, period, grain, value, numerator, denominator, n, "
	    "status, grey_reason, run_id) FROM STDIN")) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		return rc;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int ai = codemap_find(areas, PQgetvalue(r, i, 0));
		int ci = catalog_find(PQgetvalue(r, i, 2));
		bool have = !PQgetisnull(r, i, 5);
		double value = have ? strtod(PQgetvalue(r, i, 5), NULL) : 0;
		int64_t n = PQgetisnull(r, i, 8) ? 0 :
		    (int64_t)strtod(PQgetvalue(r, i, 8), NULL);
		enum status_why why;
		enum status_light light;
		const char *reason;

		if (ai < 0 || ci < 0)
			continue; /* an area or code no longer configured */
		light = status_light(&c->areas[ai].thresholds[ci], have, value,
		    n, catalog[ci].counts_cases ? c->min_cases : 0, false, &why);
		for (int f = 0; f < 9; f++) {
			if (PQgetisnull(r, i, f))
				copy_null(&cp);
			else
				copy_text(&cp, PQgetvalue(r, i, f));
		}
		copy_text(&cp, status_light_name(light));
		reason = why_text(why, c->min_cases, buf, sizeof(buf));
		if (reason != NULL)
			copy_text(&cp, reason);
		else
			copy_null(&cp);
		copy_int(&cp, run_id);
		copy_row(&cp);
	}
	if ((rc = copy_end(&cp, NULL)) < 0)
		snprintf(err, errlen, "%s", cp.err);
	return rc;
}

/* Emits the composite status of the walked series as of day 'as_of'. */
static void
emit_status(struct walk *w, int32_t as_of)
{
	struct status_input in[CATALOG_COUNT];
	char drivers[256] = "", stale[64] = "", date[16];
	size_t nin = 0, nd = 0, ns = 0;
	enum status_light light;
	double score;

	for (int i = 0; i < CATALOG_COUNT; i++) {
		const struct latest *l = &w->latest[i];
		enum status_light li;

		if (!l->have)
			continue;
		li = l->light;
		if (w->max_age[i] != INT_MAX && as_of - l->end > w->max_age[i]) {
			li = STATUS_GREY;
			ns += (size_t)snprintf(stale + ns, sizeof(stale) - ns,
			    "%s%s", ns ? ", " : "", catalog[i].code);
		}
		in[nin].light = li;
		in[nin].weight = catalog[i].weight;
		in[nin].family = catalog[i].family;
		in[nin].critical = catalog[i].critical;
		nin++;
	}
	/* Reds first, then yellows, in catalogue order. */
	for (int pass = STATUS_RED; pass >= STATUS_YELLOW; pass--)
		for (int i = 0; i < CATALOG_COUNT; i++) {
			const struct latest *l = &w->latest[i];

			if (l->have && (int)l->light == pass && !(w->max_age[i] !=
			    INT_MAX && as_of - l->end > w->max_age[i]))
				nd += (size_t)snprintf(drivers + nd,
				    sizeof(drivers) - nd, "%s%s %s", nd ? ", " : "",
				    catalog[i].code, status_light_name(l->light));
		}
	light = status_composite(in, nin, &w->c->bands, &score);
	/* A stale green is a lie: with any input stale the area is unknown. */
	if (ns > 0)
		light = STATUS_GREY;
	copy_text(w->copy, w->area);
	copy_text(w->copy, w->org);
	value_format_date(as_of, date, sizeof(date));
	copy_text(w->copy, date);
	copy_text(w->copy, status_light_name(light));
	if (light != STATUS_GREY && score == score)
		copy_double(w->copy, score);
	else
		copy_null(w->copy);
	if (nd > 0)
		copy_text(w->copy, drivers);
	else
		copy_null(w->copy);
	if (ns > 0) {
		char reason[96];

		snprintf(reason, sizeof(reason), "stale: %s", stale);
		copy_text(w->copy, reason);
	} else if (light == STATUS_GREY)
		copy_text(w->copy, "no indicator known (missing data or too few "
		    "cases)");
	else
		copy_null(w->copy);
	copy_row(w->copy);
}

/* Called for each row of pass 2 (or with row == -1 at the end): emits the
 * status as of each completed period, and as of today at a series' end. */
static void
walk_row(struct walk *w, PGresult *r, int row)
{
	const char *area = row >= 0 ? PQgetvalue(r, row, 0) : "";
	const char *org = row >= 0 ? PQgetvalue(r, row, 1) : "";
	bool same_series = row >= 0 && w->in_series &&
	    strcmp(area, w->area) == 0 && strcmp(org, w->org) == 0;
	int32_t period = 0, end;
	enum value_grain grain;
	int ci;

	if (row >= 0)
		value_parse_date(PQgetvalue(r, row, 3), "%Y-%m-%d", &period);
	if (w->in_series && (!same_series || period != w->period) &&
	    w->period >= w->from)
		emit_status(w, w->period);
	if (w->in_series && !same_series && w->today > w->period)
		emit_status(w, w->today);
	if (row < 0)
		return;
	if (!same_series) {
		memset(w->latest, 0, sizeof(w->latest));
		snprintf(w->area, sizeof(w->area), "%s", area);
		snprintf(w->org, sizeof(w->org), "%s", org);
		w->in_series = true;
	}
	w->period = period;
	if ((ci = catalog_find(PQgetvalue(r, row, 2))) < 0 ||
	    value_grain_from_name(PQgetvalue(r, row, 4), &grain) < 0)
		return;
	/* Age counts from the end of the value's period. */
	end = value_period_next(period, grain);
	w->latest[ci].have = true;
	w->latest[ci].end = end;
	status_light_from_name(PQgetvalue(r, row, 5), &w->latest[ci].light);
}

struct values_ctx {
	struct db *db;
	const struct conf *c;
	const struct codemap *areas;
	int64_t run_id;
};

static int
values_batch(void *pv, PGresult *r, char *err, size_t errlen)
{
	struct values_ctx *v = pv;

	return copy_values(v->db, v->c, v->areas, r, v->run_id, err, errlen);
}

struct status_ctx {
	struct db *db;
	struct walk *w;
};

static int
status_batch(void *pv, PGresult *r, char *err, size_t errlen)
{
	struct status_ctx *s = pv;
	struct copy cp;
	int rc;

	/* The cursor stays open while each batch's statuses are COPYed; a
	 * NULL batch ends the walk (the last series' statuses). */
	if ((rc = copy_begin(&cp, s->db, "COPY status_new FROM STDIN")) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		return rc;
	}
	s->w->copy = &cp;
	if (r == NULL)
		walk_row(s->w, NULL, -1);
	for (int i = 0; r != NULL && i < PQntuples(r); i++)
		walk_row(s->w, r, i);
	if ((rc = copy_end(&cp, NULL)) < 0)
		snprintf(err, errlen, "%s", cp.err);
	return rc;
}

int
assess_run(struct db *db, const struct conf *c, int64_t run_id, int32_t from,
    int32_t today, char *err, size_t errlen)
{
	struct codemap *areas = codemap_new();
	struct walk w = { 0 };
	struct values_ctx vc = { db, c, areas, run_id };
	struct status_ctx sc = { db, &w };
	char date[16], id[32], sql[1024];
	const char *params[2] = { date, id }, *idp[1] = { id };
	int rc = -ENOMEM;

	if (areas == NULL)
		goto out;
	for (size_t i = 0; i < c->nareas; i++)
		codemap_add(areas, c->areas[i].code, (int)i);
	value_format_date(from, date, sizeof(date));
	snprintf(id, sizeof(id), "%" PRId64, run_id);

	/* Pass 1: values and lights. The date is ours, never input text.
	 * Each row's light is its own: no ORDER BY (sorting 147,435 rows of
	 * the sample region was a third of the query). */
	snprintf(sql, sizeof(sql), "SELECT area, org, code, period, grain, "
	    "value, numerator, denominator, n FROM fragwatch.indicator_inputs("
	    "'%s')", date);
	if ((rc = db_query(db, "DELETE FROM fragwatch.indicator_values WHERE "
	    "period >= $1", 1, params, NULL, err, errlen)) < 0 ||
	    (rc = db_each_batch(db, sql, values_batch, &vc, err, errlen)) < 0)
		goto out;

	/* Pass 2: composite statuses as of each period and today. */
	w.c = c;
	w.from = from;
	w.today = today;
	for (int i = 0; i < CATALOG_COUNT; i++) {
		w.max_age[i] = INT_MAX;
		for (size_t s = 0; s < c->nsources; s++)
			if (strcmp(c->sources[s].kind->name, catalog[i].kind) == 0 &&
			    (w.max_age[i] == INT_MAX ||
			    c->sources[s].max_age_days > w.max_age[i]))
				w.max_age[i] = c->sources[s].max_age_days;
	}
	if ((rc = db_exec(db, "CREATE TEMP TABLE status_new (area text, org "
	    "text, as_of date, status text, score double precision, drivers "
	    "text, grey_reason text) ON COMMIT DROP", err, errlen)) < 0 ||
	    (rc = db_each_batch(db, "SELECT area, org, code, period, grain, status "
	    "FROM fragwatch.indicator_values ORDER BY area, org, period, code",
	    status_batch, &sc, err, errlen)) < 0 ||
	    (rc = status_batch(&sc, NULL, err, errlen)) < 0)
		goto out;

	/* Replace the statuses from 'from' on; record the changes. A change
	 * already in the history keeps the run that first recorded it. */
	rc = db_query(db, "DELETE FROM fragwatch.area_status WHERE as_of >= $1",
	    1, params, NULL, err, errlen);
	if (rc == 0)
		rc = db_query(db, "INSERT INTO fragwatch.area_status (area, org, "
		    "as_of, status, score, drivers, grey_reason, run_id) SELECT "
		    "area, org, as_of, status, score, drivers, grey_reason, $1 "
		    "FROM status_new", 1, idp, NULL, err, errlen);
	if (rc == 0)
		rc = db_query(db, "CREATE TEMP TABLE status_changes ON COMMIT DROP "
		    "AS SELECT * FROM (SELECT area, org, as_of, status, score, "
		    "drivers, lag(status) OVER (PARTITION BY area, org ORDER BY "
		    "as_of) AS prev FROM fragwatch.area_status) s WHERE as_of >= $1 "
		    "AND status IS DISTINCT FROM prev", 1, params, NULL, err,
		    errlen);
	if (rc == 0)
		rc = db_query(db, "DELETE FROM fragwatch.area_status_history h "
		    "WHERE as_of >= $1 AND NOT EXISTS (SELECT 1 FROM status_changes "
		    "s WHERE s.area = h.area AND s.org = h.org AND s.as_of = h.as_of "
		    "AND s.status = h.to_status AND s.prev IS NOT DISTINCT FROM "
		    "h.from_status)", 1, params, NULL, err, errlen);
	if (rc == 0)
		rc = db_query(db, "INSERT INTO fragwatch.area_status_history (area, "
		    "org, as_of, from_status, to_status, score, drivers, run_id) "
		    "SELECT area, org, as_of, prev, status, score, drivers, $2 FROM "
		    "status_changes WHERE as_of >= $1 ON CONFLICT DO NOTHING", 2,
		    params, NULL, err, errlen);
	if (rc == 0)
		rc = db_exec(db, "DROP TABLE status_new; DROP TABLE "
		    "status_changes", err, errlen);
out:
	codemap_free(areas);
	return rc;
}
