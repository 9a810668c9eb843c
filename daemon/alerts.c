/* alerts.c - the outbox: which notices a run calls for (warnings, reds, recoveries, data problems), written in the run's transaction. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/log.h"

/* Org names in titles: the region-wide series reads as such. */
#define ORG_NAME(alias, org) "CASE WHEN " org " = '*' THEN 'region-wide' " \
	"ELSE coalesce(" alias ".name, " org ") END"

static int
light_rank(const char *light)
{
	if (light == NULL)
		return -1;
	if (strcmp(light, "green") == 0)
		return 0;
	if (strcmp(light, "yellow") == 0)
		return 1;
	if (strcmp(light, "red") == 0)
		return 2;
	return -1;
}

enum alerts_notice
alerts_rule(const struct alerts_seen *last, const char *light_now,
    double periods_to_red_now, double repeat_seconds)
{
	int then = light_rank(last->light), now = light_rank(light_now);

	if (last->notices <= 0)
		return ALERTS_RAISE;
	/* The owner has not been told yet: the notice waiting says it. */
	if (last->waiting)
		return ALERTS_NONE;
	if (then >= 0 && now > then)
		return ALERTS_WORSE;
	/* Whole periods, so that a projection wobbling below one period
	 * does not halve again at every run. */
	if (!isnan(periods_to_red_now) && !isnan(last->periods_to_red) &&
	    ceil(periods_to_red_now) <= ceil(last->periods_to_red) / 2)
		return ALERTS_WORSE;
	if (last->age >= repeat_seconds)
		return ALERTS_REPEAT;
	return ALERTS_NONE;
}

void
alerts_redact(const char *channel, const char *recipient, char *buf,
    size_t size)
{
	const char *host, *end;

	if (strcmp(channel, "webhook") != 0 ||
	    (host = strstr(recipient, "://")) == NULL) {
		snprintf(buf, size, "%s", recipient);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	snprintf(buf, size, "%.*s/...", (int)(end - recipient), recipient);
}

/* The batch tables of one transaction: the routes from the config, the
 * notices found, and those actually inserted. */
static int
batch_begin(struct db *db, const struct conf *c, char *err, size_t errlen)
{
	const struct conf_alerts *a = &c->alerts;
	int rc;

	if ((rc = db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS alert_new ("
	    "episode text, ekind text, notice text, kind text, reason text, "
	    "ops boolean, area text, org text, indicator text, source text, "
	    "title text, details jsonb, light text, ptr double precision, "
	    "run_id bigint) ON COMMIT DROP; CREATE TEMP TABLE IF NOT EXISTS "
	    "alert_ins (id bigint, episode text, notice text, ops boolean, "
	    "area text, org text) ON COMMIT DROP; CREATE TEMP TABLE IF NOT "
	    "EXISTS alert_route (area text, org text, channel text, recipient "
	    "text, ops boolean) ON COMMIT DROP; DELETE FROM alert_new; DELETE "
	    "FROM alert_ins; DELETE FROM alert_route", err, errlen)) < 0)
		return rc;
	for (size_t i = 0; i <= a->nowners && rc == 0; i++) {
		const struct conf_owner *o = i < a->nowners ? &a->owners[i] :
		    &a->ops;
		const char *ops = i < a->nowners ? "f" : "t";

		for (size_t j = 0; j < o->nemail + o->nwebhooks && rc == 0; j++) {
			const char *p[5] = { o->area, o->org, j < o->nemail ?
			    "email" : "webhook", j < o->nemail ? o->email[j] :
			    o->webhooks[j - o->nemail], ops };

			rc = db_query(db, "INSERT INTO alert_route VALUES ($1, "
			    "$2, $3, $4, $5)", 5, p, NULL, err, errlen);
		}
	}
	return rc;
}

/*
 * Writes the batch's notices: their episodes, the alerts (a key already
 * there is skipped), one delivery per resolved recipient, and the
 * episodes' notice counts. Recipient tiers: 1 the owners of area x org,
 * 2 the area's owners, 3 (region-wide alerts) any owner in the area,
 * 4 ops; the lowest tier that has someone wins.
 */
static int
batch_flush(struct db *db, char *err, size_t errlen)
{
	return db_exec(db, "INSERT INTO fragwatch.alert_episodes (episode, "
	    "kind, area, org, indicator, source) SELECT DISTINCT ON (episode) "
	    "episode, ekind, area, org, indicator, source FROM alert_new ON "
	    "CONFLICT (episode) DO NOTHING; "
	    "WITH ins AS (INSERT INTO fragwatch.alerts (dedup_key, episode, "
	    "notice, kind, reason, ops, area, org, indicator, title, details, "
	    "run_id) SELECT encode(sha256(convert_to(episode || '|' || notice, "
	    "'UTF8')), 'hex'), episode, notice, kind, reason, ops, area, org, "
	    "indicator, title, details, run_id FROM alert_new ON CONFLICT "
	    "(dedup_key) DO NOTHING RETURNING id, episode, notice, ops, area, "
	    "org) INSERT INTO alert_ins SELECT * FROM ins; "
	    "WITH cand AS (SELECT i.id, r.channel, r.recipient, CASE WHEN "
	    "r.ops THEN 4 WHEN r.org = i.org THEN 1 WHEN r.org IS NULL THEN 2 "
	    "ELSE 3 END AS tier FROM alert_ins i JOIN alert_route r ON r.ops "
	    "OR (NOT i.ops AND r.area = i.area AND (r.org IS NULL OR r.org = "
	    "i.org OR i.org = '*'))) INSERT INTO fragwatch.alert_deliveries "
	    "(alert_id, channel, recipient) SELECT DISTINCT id, channel, "
	    "recipient FROM cand c WHERE tier = (SELECT min(tier) FROM cand d "
	    "WHERE d.id = c.id) ON CONFLICT DO NOTHING; "
	    "UPDATE fragwatch.alert_episodes e SET notices = e.notices + CASE "
	    "WHEN i.notice = 'end' THEN 0 ELSE 1 END, last_notice_at = now(), "
	    "last_light = coalesce(n.light, e.last_light), last_periods_to_red "
	    "= n.ptr, closed_at = CASE WHEN i.notice = 'end' OR e.kind = "
	    "'dead' THEN now() ELSE e.closed_at END, closed_why = CASE WHEN "
	    "i.notice = 'end' THEN n.reason ELSE e.closed_why END FROM "
	    "alert_ins i JOIN alert_new n ON n.episode = i.episode AND "
	    "n.notice = i.notice WHERE e.episode = i.episode; "
	    "DELETE FROM alert_new; DELETE FROM alert_ins", err, errlen);
}

static double
number_or_nan(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NAN :
	    strtod(PQgetvalue(r, row, col), NULL);
}

static void
seen_from(const PGresult *r, int row, int col, struct alerts_seen *s)
{
	s->notices = PQgetisnull(r, row, col) ? 0 :
	    (int)strtol(PQgetvalue(r, row, col), NULL, 10);
	s->light = PQgetisnull(r, row, col + 1) ? NULL :
	    PQgetvalue(r, row, col + 1);
	s->periods_to_red = number_or_nan(r, row, col + 2);
	s->age = PQgetisnull(r, row, col + 3) ? 0 :
	    strtod(PQgetvalue(r, row, col + 3), NULL);
	s->waiting = strcmp(PQgetvalue(r, row, col + 4), "t") == 0;
}

/* The notice number and wording of a rule's decision. */
static void
notice_of(enum alerts_notice n, int notices, char *num, size_t size,
    const char **reason)
{
	snprintf(num, size, "%d", notices + 1);
	*reason = n == ALERTS_RAISE ? "raised" : n == ALERTS_WORSE ? "worse" :
	    "repeat";
}

static double
repeat_seconds(const struct conf *c)
{
	return 86400.0 * c->alerts.repeat_interval_days;
}

/* The columns of the episode's last notice, for seen_from(). */
#define SEEN_COLS "e.notices, e.last_light, e.last_periods_to_red, " \
	"extract(epoch FROM now() - e.last_notice_at), EXISTS (SELECT 1 FROM " \
	"fragwatch.alerts n JOIN fragwatch.alert_deliveries d ON d.alert_id = " \
	"n.id WHERE n.episode = e.episode AND d.state = 'pending' AND " \
	"d.attempts = 0) AND NOT EXISTS (SELECT 1 FROM fragwatch.alerts n " \
	"JOIN fragwatch.alert_deliveries d ON d.alert_id = n.id WHERE " \
	"n.episode = e.episode AND d.attempts > 0)"

/* One notice about warning id: heading and subject by reason. */
static int
warning_notice(struct db *db, const char *id, const char *notice,
    const char *kind, const char *reason, const char *run, char *err,
    size_t errlen)
{
	const char *p[5] = { id, notice, kind, reason, run };

	return db_query(db, "INSERT INTO alert_new SELECT 'warning|' || w.id, "
	    "'warning', $2, $3, $4, false, w.area, w.org, w.indicator, NULL, "
	    "format('%s: %s (%s), %s: %s', CASE $4 WHEN 'raised' THEN "
	    "'Early warning' WHEN 'worse' THEN 'Worsening' WHEN 'repeat' THEN "
	    "'Still trending' WHEN 'turned red' THEN 'Red' ELSE 'Resolved' END, "
	    "a.name, w.area, " ORG_NAME("o", "w.org") ", CASE WHEN $4 IN "
	    "('raised', 'worse', 'repeat') THEN w.explanation WHEN $4 = "
	    "'turned red' THEN lower(n.name) || ' turned red' ELSE lower(n.name) "
	    "|| ' no longer trending toward red' END), jsonb_build_object("
	    "'area', w.area, 'area_name', a.name, 'org', w.org, 'org_name', "
	    ORG_NAME("o", "w.org") ", 'indicator', w.indicator, "
	    "'indicator_name', n.name, 'light', w.light, 'value', w.value, "
	    "'slope', w.slope, 'periods_to_red', w.periods_to_red, 'red_date', "
	    "w.red_date, 'grain', w.grain, 'detectors', w.detectors, "
	    "'spc_rule', w.spc_rule, 'explanation', w.explanation, "
	    "'data_from', w.data_from, 'data_end', w.data_end, 'first_seen', "
	    "w.first_seen, 'cleared_why', w.cleared_why, 'green', t.green, "
	    "'red', t.red, 'indicators', fragwatch.alert_indicators(w.area, "
	    "w.org), 'view', format('SELECT * FROM fragwatch.trending_fragile "
	    "WHERE area = %L AND org = %L', w.area, w.org)), w.light, "
	    "w.periods_to_red, $5::bigint FROM fragwatch.warnings w JOIN "
	    "fragwatch.areas a ON a.code = w.area LEFT JOIN "
	    "fragwatch.organisations o ON o.code = w.org CROSS JOIN LATERAL "
	    "(SELECT CASE WHEN w.indicator = 'composite' THEN 'Composite "
	    "fragility score' ELSE (SELECT i.name FROM fragwatch.indicators i "
	    "WHERE i.code = w.indicator) END AS name) n LEFT JOIN "
	    "fragwatch.indicator_thresholds t ON t.area = w.area AND t.code = "
	    "w.indicator WHERE w.id = $1::bigint", 5, p, NULL, err, errlen);
}

/* Open warnings: raise, worse, repeat (unless inhibited); cleared ones
 * with an open episode: their closing notice. */
static int
collect_warnings(struct db *db, const struct conf *c, const char *run,
    char *err, size_t errlen)
{
	PGresult *r = NULL;
	int rc;

	rc = db_query(db, "SELECT w.id, w.light, w.periods_to_red, " SEEN_COLS
	    " FROM fragwatch.warnings w LEFT JOIN fragwatch.alert_episodes e "
	    "ON e.episode = 'warning|' || w.id AND e.closed_at IS NULL WHERE "
	    "w.cleared_at IS NULL AND NOT EXISTS (SELECT 1 FROM alert_board b "
	    "WHERE b.area = w.area AND b.org IN (w.org, '*') AND b.status = "
	    "'red') AND NOT EXISTS (SELECT 1 FROM alert_bad k WHERE "
	    "w.indicator = 'composite' OR k.kind = (SELECT i.kind FROM "
	    "fragwatch.indicators i WHERE i.code = w.indicator)) ORDER BY w.id",
	    0, NULL, &r, err, errlen);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct alerts_seen seen;
		enum alerts_notice n;
		const char *reason;
		char num[16];

		seen_from(r, i, 3, &seen);
		n = alerts_rule(&seen, PQgetvalue(r, i, 1), number_or_nan(r, i,
		    2), repeat_seconds(c));
		if (n == ALERTS_NONE)
			continue;
		notice_of(n, seen.notices, num, sizeof(num), &reason);
		rc = warning_notice(db, PQgetvalue(r, i, 0), num, "warning",
		    reason, run, err, errlen);
	}
	PQclear(r);
	r = NULL;
	if (rc < 0)
		return rc;
	/* A warning that turned red while its area is red is told by the
	 * area's red notice: its episode just ends. */
	rc = db_query(db, "SELECT w.id, w.cleared_why, EXISTS (SELECT 1 FROM "
	    "alert_board b WHERE b.area = w.area AND b.org IN (w.org, '*') AND "
	    "b.status = 'red') FROM fragwatch.alert_episodes e JOIN "
	    "fragwatch.warnings w ON e.area = w.area AND e.episode = "
	    "'warning|' || w.id WHERE e.kind = 'warning' AND e.closed_at IS "
	    "NULL AND w.cleared_at IS NOT NULL ORDER BY w.id", 0, NULL, &r, err,
	    errlen);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		bool red = strcmp(PQgetvalue(r, i, 1), "turned red") == 0;
		const char *id = PQgetvalue(r, i, 0);

		if (red && strcmp(PQgetvalue(r, i, 2), "t") == 0) {
			const char *p[1] = { id };

			rc = db_query(db, "UPDATE fragwatch.alert_episodes SET "
			    "closed_at = now(), closed_why = 'turned red; told "
			    "by the area''s red notice' WHERE episode = "
			    "'warning|' || $1", 1, p, NULL, err, errlen);
		} else
			rc = warning_notice(db, id, "end", red ? "red" :
			    "resolved", red ? "turned red" : "no longer trending",
			    run, err, errlen);
	}
	PQclear(r);
	return rc;
}

/* One notice about the status of area x org. */
static int
status_notice(struct db *db, const char *area, const char *org,
    const char *episode, const char *notice, const char *kind,
    const char *reason, const char *run, char *err, size_t errlen)
{
	const char *p[7] = { area, org, episode, notice, kind, reason, run };

	return db_query(db, "INSERT INTO alert_new SELECT $3, 'status', $4, $5, "
	    "$6, false, b.area, b.org, NULL, NULL, format('%s: %s (%s), %s%s', "
	    "CASE $6 WHEN 'turned red' THEN 'Red' WHEN 'repeat' THEN 'Still red' "
	    "ELSE 'Back to green' END, a.name, b.area, " ORG_NAME("o", "b.org")
	    ", CASE WHEN b.status = 'red' AND b.drivers IS NOT NULL THEN ' (' "
	    "|| b.drivers || ')' ELSE '' END), jsonb_build_object('area', "
	    "b.area, 'area_name', a.name, 'org', b.org, 'org_name', "
	    ORG_NAME("o", "b.org") ", 'status', b.status, 'score', b.score, "
	    "'drivers', b.drivers, 'as_of', b.as_of, 'grey_reason', "
	    "b.grey_reason, 'indicators', fragwatch.alert_indicators(b.area, "
	    "b.org), 'view', format('SELECT * FROM fragwatch.indicator_series "
	    "WHERE area = %L AND org = %L ORDER BY code, period DESC', b.area, "
	    "b.org)), b.status, NULL, $7::bigint FROM fragwatch.status_board b "
	    "JOIN fragwatch.areas a ON a.code = b.area LEFT JOIN "
	    "fragwatch.organisations o ON o.code = b.org WHERE b.area = $1 AND "
	    "b.org = $2", 7, p, NULL, err, errlen);
}

/* Red area x org: a new episode or a repeat; green with an open red
 * episode: back to green. */
static int
collect_statuses(struct db *db, const struct conf *c, const char *run,
    char *err, size_t errlen)
{
	PGresult *r = NULL;
	int rc;

	rc = db_query(db, "SELECT b.area, b.org, b.status, e.episode, "
	    SEEN_COLS ", coalesce((SELECT max(h.as_of) FROM "
	    "fragwatch.area_status_history h WHERE h.area = b.area AND h.org = "
	    "b.org AND h.to_status = 'red'), b.as_of) FROM alert_board b LEFT "
	    "JOIN fragwatch.alert_episodes e ON e.kind = 'status' AND e.area = "
	    "b.area AND e.org = b.org AND e.closed_at IS NULL WHERE b.status = "
	    "'red' OR (b.status = 'green' AND e.episode IS NOT NULL) ORDER BY "
	    "b.area, b.org", 0, NULL, &r, err, errlen);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *area = PQgetvalue(r, i, 0), *org = PQgetvalue(r, i, 1);
		char episode[1024], num[16];
		struct alerts_seen seen;
		enum alerts_notice n;
		const char *reason;

		seen_from(r, i, 4, &seen);
		if (strcmp(PQgetvalue(r, i, 2), "green") == 0) {
			rc = status_notice(db, area, org, PQgetvalue(r, i, 3),
			    "end", "resolved", "back to green", run, err, errlen);
			continue;
		}
		if (PQgetisnull(r, i, 3))
			snprintf(episode, sizeof(episode), "status|%s|%s|%s", area,
			    org, PQgetvalue(r, i, 9));
		else
			snprintf(episode, sizeof(episode), "%s",
			    PQgetvalue(r, i, 3));
		if ((n = alerts_rule(&seen, "red", NAN, repeat_seconds(c))) ==
		    ALERTS_NONE)
			continue;
		notice_of(n, seen.notices, num, sizeof(num), &reason);
		rc = status_notice(db, area, org, episode, num, "red",
		    n == ALERTS_RAISE ? "turned red" : "repeat", run, err, errlen);
	}
	PQclear(r);
	return rc;
}

/* One data notice about source name; status "ok" ends the episode. */
static int
source_notice(struct db *db, const char *name, const char *episode,
    const char *notice, const char *status, const char *error,
    const char *run, char *err, size_t errlen)
{
	const char *p[6] = { name, episode, notice, status, error, run };

	return db_query(db, "INSERT INTO alert_new SELECT $2, 'source', $3, "
	    "CASE WHEN $3 = 'end' THEN 'resolved' ELSE 'data' END, CASE WHEN $3 "
	    "= 'end' THEN 'loads again' WHEN $3 = '1' THEN $4 ELSE 'repeat' "
	    "END, true, NULL, NULL, NULL, s.name, CASE WHEN $3 = 'end' THEN "
	    "format('Resolved: source %s loads again', s.name) ELSE "
	    "format('Data problem: source %s %s%s', s.name, CASE $4 WHEN "
	    "'stale' THEN 'has stale data' ELSE $4 END, CASE WHEN $3 <> '1' "
	    "THEN ' (still)' ELSE '' END) END, jsonb_build_object('source', "
	    "s.name, 'kind', s.kind, 'status', $4::text, 'error', $5::text, 'run_id', "
	    "$6::bigint, 'max_age_days', s.max_age_days, 'inhibits', CASE WHEN "
	    "$4 IN ('refused', 'stale') AND $3 <> 'end' THEN format('alerts on "
	    "the %s indicators (and the composite score) wait until it loads "
	    "again', s.kind) END, 'view', format('SELECT * FROM "
	    "fragwatch.run_log WHERE source = %L ORDER BY run_id DESC', "
	    "s.name)), NULL, NULL, $6::bigint FROM fragwatch.sources s WHERE "
	    "s.name = $1", 6, p, NULL, err, errlen);
}

/*
 * The source's data notice after a run with this status: a problem
 * (refused, failed, stale) opens or repeats the episode named after the
 * first run of its streak; a clean load ends the open ones.
 */
static int
collect_source(struct db *db, const struct conf *c,
    const struct conf_source *src, const struct run_outcome *o,
    const char *run, char *err, size_t errlen)
{
	const char *status = run_status_name(o->status);
	const char *p[2] = { src->name, run };
	PGresult *r = NULL;
	int rc;

	if (o->status == RUN_OK || o->status == RUN_OK_WITH_REJECTS) {
		rc = db_query(db, "SELECT episode FROM fragwatch.alert_episodes "
		    "WHERE kind = 'source' AND source = $1 AND closed_at IS NULL "
		    "ORDER BY opened_at", 1, p, &r, err, errlen);
		for (int i = 0; rc == 0 && i < PQntuples(r); i++)
			rc = source_notice(db, src->name, PQgetvalue(r, i, 0),
			    "end", "ok", "", run, err, errlen);
		PQclear(r);
		return rc;
	}
	rc = db_query(db, "SELECT 'source|' || $1 || '|' || s.first, "
	    SEEN_COLS " FROM (SELECT coalesce(min(id), $2::bigint) AS first "
	    "FROM fragwatch.runs WHERE source = $1 AND status IN ('refused', "
	    "'failed', 'stale') AND id <= $2::bigint AND id > coalesce((SELECT "
	    "max(id) FROM fragwatch.runs WHERE source = $1 AND status IN ('ok', "
	    "'ok_with_rejects') AND id < $2::bigint), 0)) s LEFT JOIN "
	    "fragwatch.alert_episodes e ON e.episode = 'source|' || $1 || '|' "
	    "|| s.first AND e.closed_at IS NULL", 2, p, &r, err, errlen);
	if (rc == 0 && PQntuples(r) == 1) {
		struct alerts_seen seen;
		enum alerts_notice n;
		const char *reason;
		char num[16];

		seen_from(r, 0, 1, &seen);
		if ((n = alerts_rule(&seen, NULL, NAN, repeat_seconds(c))) !=
		    ALERTS_NONE) {
			notice_of(n, seen.notices, num, sizeof(num), &reason);
			rc = source_notice(db, src->name, PQgetvalue(r, 0, 0), num,
			    status, o->error, run, err, errlen);
		}
	}
	PQclear(r);
	return rc;
}

int
alerts_collect(struct db *db, const struct conf *c,
    const struct conf_source *src, const struct run_outcome *o, char *err,
    size_t errlen)
{
	const char *p[2] = { src->name, run_status_name(o->status) };
	char run[32];
	int rc;

	snprintf(run, sizeof(run), "%" PRId64, o->run_id);
	/* The board and the sources that inhibit, once: the rules below
	 * consult them for every series. This run is not in the runs
	 * table's outcome yet: its status is passed. */
	if ((rc = batch_begin(db, c, err, errlen)) < 0 ||
	    (rc = db_exec(db, "CREATE TEMP TABLE alert_board ON COMMIT DROP AS "
	    "SELECT area, org, status, as_of FROM fragwatch.status_board",
	    err, errlen)) < 0 ||
	    (rc = db_query(db, "CREATE TEMP TABLE alert_bad ON COMMIT DROP AS "
	    "SELECT s.name, s.kind FROM fragwatch.sources s WHERE CASE WHEN "
	    "s.name = $1 THEN $2 ELSE (SELECT r.status FROM fragwatch.runs r "
	    "WHERE r.source = s.name AND r.status IN ('ok', 'ok_with_rejects', "
	    "'stale', 'refused') ORDER BY r.id DESC LIMIT 1) END IN "
	    "('refused', 'stale')", 2, p, NULL, err, errlen)) < 0)
		return rc;
	if ((rc = collect_statuses(db, c, run, err, errlen)) < 0 ||
	    (rc = collect_warnings(db, c, run, err, errlen)) < 0 ||
	    (rc = collect_source(db, c, src, o, run, err, errlen)) < 0 ||
	    (rc = batch_flush(db, err, errlen)) < 0)
		return rc;
	return db_exec(db, "DROP TABLE alert_board, alert_bad", err, errlen);
}

void
alerts_after_run(struct db *db, const struct conf *c,
    const struct conf_source *src, const struct run_outcome *o)
{
	char run[32], err[512];
	int rc;

	if ((o->status != RUN_REFUSED && o->status != RUN_FAILED) ||
	    o->run_id <= 0 || db_lost(db))
		return;
	snprintf(run, sizeof(run), "%" PRId64, o->run_id);
	if ((rc = db_exec(db, "BEGIN", err, sizeof(err))) < 0)
		goto fail;
	if ((rc = batch_begin(db, c, err, sizeof(err))) < 0 ||
	    (rc = collect_source(db, c, src, o, run, err, sizeof(err))) < 0 ||
	    (rc = batch_flush(db, err, sizeof(err))) < 0 ||
	    (rc = db_exec(db, "COMMIT", err, sizeof(err))) < 0) {
		(void)db_exec(db, "ROLLBACK", NULL, 0);
		goto fail;
	}
	return;
fail:
	log_msg(LOG_ERR, "cannot write the data alert of source '%s' run %s: "
	    "%s", src->name, run, err);
}

int
alerts_dead_letter(struct db *db, const struct conf *c, int64_t alert_id,
    const char *channel, const char *recipient, char *err, size_t errlen)
{
	char id[32], shown[512];
	const char *p[4] = { id, channel, recipient, shown };
	int rc;

	snprintf(id, sizeof(id), "%" PRId64, alert_id);
	alerts_redact(channel, recipient, shown, sizeof(shown));
	if ((rc = batch_begin(db, c, err, errlen)) < 0)
		return rc;
	/* The recipient is in the episode (it names one delivery) but only
	 * redacted in what the message shows. */
	rc = db_query(db, "INSERT INTO alert_new SELECT 'dead|' || a.id || '|' "
	    "|| $2::text || '|' || $3::text, 'dead', '1', 'dead', 'undeliverable', true, "
	    "a.area, a.org, a.indicator, NULL, 'Undeliverable: ' || a.title, "
	    "jsonb_build_object('alert_id', a.id, 'alert_title', a.title, "
	    "'channel', $2::text, 'recipient', $4::text, 'attempts', d.attempts, 'error', "
	    "d.last_error, 'created_at', a.created_at, 'view', "
	    "format('SELECT * FROM fragwatch.alert_delivery_log WHERE %s = "
	    "ANY (alert_ids) ORDER BY at', a.id)), NULL, NULL, a.run_id FROM "
	    "fragwatch.alerts a JOIN fragwatch.alert_deliveries d ON "
	    "d.alert_id = a.id AND d.channel = $2 AND d.recipient = $3 WHERE "
	    "a.id = $1::bigint AND a.kind <> 'dead'", 4, p, NULL, err, errlen);
	if (rc == 0)
		rc = batch_flush(db, err, errlen);
	return rc;
}

static int
resend(struct db *db, const char *id, int64_t *resent)
{
	const char *p[1] = { id };
	PGresult *r = NULL;
	char err[512];
	int rc;

	rc = db_query(db, "WITH a AS (UPDATE fragwatch.alerts SET resends = "
	    "resends + 1 WHERE id = $1::bigint RETURNING id) UPDATE "
	    "fragwatch.alert_deliveries d SET state = 'pending', attempts = 0, "
	    "next_at = now(), first_attempt_at = NULL, silenced_by = NULL, "
	    "done_at = NULL FROM a WHERE d.alert_id = a.id RETURNING 1", 1, p,
	    &r, err, sizeof(err));
	if (rc < 0)
		log_msg(LOG_ERR, "cannot resend alert %s: %s", id, err);
	else if (PQntuples(r) == 0) {
		fprintf(stderr, "fragwatch: no alert %s with recipients\n", id);
		rc = -ENOENT;
	} else {
		*resent = strtoll(id, NULL, 10);
		printf("alert %s: %d deliveries pending again\n", id,
		    PQntuples(r));
	}
	PQclear(r);
	return rc;
}

static int
list(struct db *db, const char *limit)
{
	const char *p[1] = { limit };
	PGresult *r = NULL;
	char err[512], shown[512];
	int rc;

	rc = db_query(db, "SELECT l.alert_id, to_char(l.created_at, "
	    "'YYYY-MM-DD HH24:MI'), l.kind, l.state, l.title, d.channel, "
	    "d.recipient, d.state, d.attempts, coalesce(d.last_error, ''), "
	    "coalesce(to_char(d.done_at, 'YYYY-MM-DD HH24:MI'), ''), "
	    "coalesce(to_char(d.next_at, 'YYYY-MM-DD HH24:MI'), '') FROM "
	    "(SELECT * FROM fragwatch.alert_log ORDER BY alert_id DESC LIMIT "
	    "$1::int) l LEFT JOIN fragwatch.alert_deliveries d ON d.alert_id = "
	    "l.alert_id ORDER BY l.alert_id DESC, d.channel, d.recipient", 1, p,
	    &r, err, sizeof(err));
	if (rc < 0) {
		log_msg(LOG_ERR, "cannot list alerts: %s", err);
		return rc;
	}
	if (PQntuples(r) == 0)
		printf("no alerts\n");
	for (int i = 0; i < PQntuples(r); i++) {
		if (i == 0 || strcmp(PQgetvalue(r, i, 0), PQgetvalue(r, i - 1,
		    0)) != 0)
			printf("%6s  %s  %-8s %-10s %s\n", PQgetvalue(r, i, 0),
			    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
			    PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
		if (PQgetisnull(r, i, 5))
			continue;
		alerts_redact(PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), shown,
		    sizeof(shown));
		printf("        %-7s %-40s %-10s %s attempt%s", PQgetvalue(r, i,
		    5), shown, PQgetvalue(r, i, 7), PQgetvalue(r, i, 8),
		    strcmp(PQgetvalue(r, i, 8), "1") == 0 ? "" : "s");
		if (strcmp(PQgetvalue(r, i, 7), "pending") == 0 &&
		    strcmp(PQgetvalue(r, i, 8), "0") != 0)
			printf(", next %s", PQgetvalue(r, i, 11));
		else if (PQgetvalue(r, i, 10)[0] != '\0')
			printf(", %s", PQgetvalue(r, i, 10));
		if (PQgetvalue(r, i, 9)[0] != '\0')
			printf(": %s", PQgetvalue(r, i, 9));
		printf("\n");
	}
	PQclear(r);
	return 0;
}

static bool
is_number(const char *s)
{
	if (*s == '\0' || strlen(s) > 18)
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
alerts_command(struct db *db, const struct conf *c, int argc, char **argv,
    int64_t *resent)
{
	const char *id = NULL, *limit = "50";

	(void)c;
	*resent = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--resend") == 0 && i + 1 < argc &&
		    is_number(argv[i + 1]) && id == NULL)
			id = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
		    is_number(argv[i + 1]))
			limit = argv[++i];
		else {
			fprintf(stderr, "usage: fragwatch alerts [--limit N] "
			    "[--resend ID]\n");
			return -EINVAL;
		}
	}
	return id != NULL ? resend(db, id, resent) : list(db, limit);
}
