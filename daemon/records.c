/* records.c - set-based SQL over the staged records: keep them, then count, average and take percentiles. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/records.h"

/* A queue snapshot: patients waiting on the latest snapshot day of each
 * period; over the limit when waiting more than the area's guarantee. */
static const char queue_sql[] =
    "INSERT INTO fragwatch.queue_facts (period, area, org, grain, "
    "waiting_total, waiting_over_target, mean_wait_days, median_wait_days, "
    "p90_wait_days, source, run_id, line) "
    "SELECT period, area, org, $1, count(*), count(*) FILTER (WHERE wait > t), "
    "avg(wait), percentile_cont(0.5) WITHIN GROUP (ORDER BY wait), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY wait), $2, $3, min(line) "
    "FROM (SELECT date_trunc($1, s.snapshot)::date AS period, s.area, s.org, "
    "s.snapshot, s.snapshot - s.waiting_since AS wait, a.guarantee_days AS t, "
    "s.line, max(s.snapshot) OVER (PARTITION BY date_trunc($1, s.snapshot), "
    "s.area, s.org) AS last FROM stage s JOIN fragwatch.areas a ON a.code = "
    "s.area WHERE s.reject_reason IS NULL) x WHERE snapshot = last "
    "GROUP BY period, area, org "
    "ON CONFLICT (period, area, org) DO UPDATE SET grain = EXCLUDED.grain, "
    "waiting_total = EXCLUDED.waiting_total, waiting_over_target = "
    "EXCLUDED.waiting_over_target, mean_wait_days = EXCLUDED.mean_wait_days, "
    "median_wait_days = EXCLUDED.median_wait_days, p90_wait_days = "
    "EXCLUDED.p90_wait_days, removed = NULL, source = EXCLUDED.source, "
    "run_id = EXCLUDED.run_id, line = EXCLUDED.line";

/* Referrals: received, accepted and rejected by the period they were
 * received in, completed by the period they were closed in; the triage
 * time is the median days from received to assessed. */
static const char referral_sql[] =
    "WITH r AS (SELECT * FROM stage WHERE reject_reason IS NULL), "
    "recv AS (SELECT date_trunc($1, received)::date AS period, area, org, "
    "count(*) AS received, CASE WHEN count(status) > 0 THEN count(*) FILTER "
    "(WHERE status = 'accepted') END AS accepted, CASE WHEN count(status) > 0 "
    "THEN count(*) FILTER (WHERE status = 'rejected') END AS rejected, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY assessed - received) FILTER "
    "(WHERE assessed IS NOT NULL) AS triage, min(line) AS line FROM r GROUP BY "
    "1, 2, 3), "
    "done AS (SELECT date_trunc($1, closed)::date AS period, area, org, "
    "count(*) AS completed, min(line) AS line FROM r WHERE closed IS NOT NULL "
    "GROUP BY 1, 2, 3) "
    "INSERT INTO fragwatch.referral_facts (period, area, org, grain, received, "
    "accepted, rejected, completed, triage_median_days, source, run_id, line) "
    "SELECT period, area, org, $1, coalesce(recv.received, 0), recv.accepted, "
    "recv.rejected, coalesce(done.completed, 0), recv.triage, $2, $3, "
    "coalesce(recv.line, done.line) FROM recv FULL JOIN done USING (period, "
    "area, org) "
    "ON CONFLICT (period, area, org) DO UPDATE SET grain = EXCLUDED.grain, "
    "received = EXCLUDED.received, accepted = EXCLUDED.accepted, rejected = "
    "EXCLUDED.rejected, completed = EXCLUDED.completed, triage_median_days = "
    "EXCLUDED.triage_median_days, source = EXCLUDED.source, run_id = "
    "EXCLUDED.run_id, line = EXCLUDED.line";

/* Replaces the source's kept records of the periods in the extract. */
static int
keep(struct db *db, const struct conf_source *src, const char *run_id,
    char *err, size_t errlen)
{
	const char *del[2] = { value_grain_name(src->period), src->name };
	const char *ins[2] = { src->name, run_id };
	const struct kind *k = src->kind;
	const char *day = k->fields[KIND_FIELD_PERIOD].name;
	char cols[512], sql[2048];
	size_t n = 0;
	int rc;

	for (size_t f = 0; f < k->nfields; f++)
		n += (size_t)snprintf(cols + n, sizeof(cols) - n, ", %s",
		    k->fields[f].name);
	snprintf(sql, sizeof(sql), "DELETE FROM fragwatch.%s r USING (SELECT "
	    "DISTINCT date_trunc($1, %s)::date AS p FROM stage WHERE "
	    "reject_reason IS NULL) s WHERE r.source = $2 AND date_trunc($1, "
	    "r.%s)::date = s.p", k->table, day, day);
	if ((rc = db_query(db, sql, 2, del, NULL, err, errlen)) < 0)
		return rc;
	snprintf(sql, sizeof(sql), "INSERT INTO fragwatch.%s (source, run_id, "
	    "line%s) SELECT $1, $2, line%s FROM stage WHERE reject_reason IS "
	    "NULL", k->table, cols, cols);
	return db_query(db, sql, 2, ins, NULL, err, errlen);
}

int
records_load(struct db *db, const struct conf_source *src, int64_t run_id,
    uint64_t *facts, char *err, size_t errlen)
{
	char id[32];
	const char *params[3] = { value_grain_name(src->period), src->name, id };
	PGresult *r = NULL;
	int rc;

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	if (src->keep_records && (rc = keep(db, src, id, err, errlen)) < 0)
		return rc;
	rc = db_query(db, strcmp(src->kind->name, "queue") == 0 ? queue_sql :
	    referral_sql, 3, params, &r, err, errlen);
	if (rc == 0)
		*facts = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}
