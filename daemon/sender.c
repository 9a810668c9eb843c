/* sender.c - drains the outbox: one digest per recipient, e-mail or webhook, every attempt recorded, retries with backoff, dead letters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "daemon/alerts.h"
#include "daemon/digest.h"
#include "daemon/log.h"
#include "daemon/mail.h"
#include "daemon/sender.h"
#include "daemon/webhook.h"

/* Alerts in one message at most; the rest go in the next. */
#define DIGEST_MAX 100

/* A pending delivery is held while an active silence covers its alert
 * (owners' alerts only), or in quiet hours ($1) unless it is red. */
#define HELD "((NOT a.ops AND EXISTS (SELECT 1 FROM fragwatch.silences s " \
	"WHERE s.area = a.area AND (s.org IS NULL OR s.org = a.org) AND " \
	"s.expired_at IS NULL AND now() >= s.starts_at AND now() < " \
	"s.ends_at)) OR ($1::boolean AND a.kind <> 'red'))"

bool
sender_quiet(int minute, int from, int to)
{
	if (from < 0 || to < 0 || from == to)
		return false;
	if (from < to)
		return minute >= from && minute < to;
	return minute >= from || minute < to;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Silences: mark what they hold. Then drop notices no one needs: a notice
 * never tried (or held by a silence) whose episode's closing notice is
 * also waiting, untried or held, for the same recipient, goes with it,
 * unless the recipient heard of the episode before: then only the closing
 * notice is sent. Of several untried notices of one episode only the
 * newest goes (a warning that worsened between two sources' runs). (A warning raised by one source's run and cleared by
 * the next one's, in one cycle, makes no message at all; a notice that
 * failed to go out, though, is never dropped: it goes, then its end.)
 */
static int
housekeeping(struct db *db, char *err, size_t errlen)
{
	return db_exec(db, "UPDATE fragwatch.alert_deliveries d SET silenced_by "
	    "= s.id FROM fragwatch.alerts a, fragwatch.silences s WHERE "
	    "d.alert_id = a.id AND d.state = 'pending' AND d.silenced_by IS "
	    "NULL AND NOT a.ops AND s.area = a.area AND (s.org IS NULL OR "
	    "s.org = a.org) AND s.expired_at IS NULL AND now() >= s.starts_at "
	    "AND now() < s.ends_at; "
	    "UPDATE fragwatch.alert_deliveries d SET state = 'superseded', "
	    "done_at = now(), last_error = 'a later notice of its episode "
	    "was due first' FROM fragwatch.alerts a WHERE d.alert_id = a.id "
	    "AND d.state = 'pending' AND (d.attempts = 0 OR d.silenced_by IS "
	    "NOT NULL) AND a.notice <> 'end' AND EXISTS (SELECT 1 FROM "
	    "fragwatch.alerts a2 JOIN fragwatch.alert_deliveries d2 ON "
	    "d2.alert_id = a2.id WHERE a2.episode = a.episode AND a2.id > a.id "
	    "AND a2.notice <> 'end' AND d2.channel = d.channel AND "
	    "d2.recipient = d.recipient AND d2.state = 'pending' AND "
	    "(d2.attempts = 0 OR d2.silenced_by IS NOT NULL)); "
	    "UPDATE fragwatch.alert_deliveries d SET state = 'superseded', "
	    "done_at = now(), last_error = 'not sent yet when its episode "
	    "ended' FROM fragwatch.alerts a WHERE d.alert_id = a.id AND "
	    "d.state = 'pending' AND (d.attempts = 0 OR d.silenced_by IS NOT "
	    "NULL) AND a.notice <> 'end' AND EXISTS (SELECT 1 FROM "
	    "fragwatch.alerts a2 JOIN fragwatch.alert_deliveries d2 ON "
	    "d2.alert_id = a2.id WHERE a2.episode = a.episode AND a2.notice = "
	    "'end' AND d2.channel = d.channel AND d2.recipient = d.recipient AND "
	    "d2.state = 'pending' AND (d2.attempts = 0 OR d2.silenced_by IS NOT "
	    "NULL)); "
	    "UPDATE fragwatch.alert_deliveries d SET state = 'superseded', "
	    "done_at = now(), last_error = 'the recipient never heard of its "
	    "episode' FROM fragwatch.alerts a WHERE d.alert_id = a.id AND "
	    "d.state = 'pending' AND (d.attempts = 0 OR d.silenced_by IS NOT "
	    "NULL) AND a.notice = 'end' AND NOT EXISTS (SELECT 1 FROM "
	    "fragwatch.alerts a2 JOIN fragwatch.alert_deliveries d2 ON "
	    "d2.alert_id = a2.id WHERE a2.episode = a.episode AND a2.id <> a.id "
	    "AND d2.channel = d.channel AND d2.recipient = d.recipient AND "
	    "d2.state IN ('sent', 'pending'))",
	    err, errlen);
}

/* Quiet now? The region's local time, from the database's clock. */
static bool
quiet_now(struct db *db, const struct conf *c)
{
	const char *p[1] = { c->timezone };
	PGresult *r = NULL;
	bool quiet = false;

	if (c->alerts.quiet_from < 0)
		return false;
	if (db_query(db, "SELECT (extract(hour FROM now() AT TIME ZONE $1) * "
	    "60 + extract(minute FROM now() AT TIME ZONE $1))::int", 1, p, &r,
	    NULL, 0) == 0)
		quiet = sender_quiet((int)strtol(PQgetvalue(r, 0, 0), NULL, 10),
		    c->alerts.quiet_from, c->alerts.quiet_to);
	PQclear(r);
	return quiet;
}

/* The outcome of one message. */
struct attempt {
	int rc;
	bool permanent;
	long code;
	char response[256];
	char error[512];
};

static void
send_mail(const struct conf *c, const char *password, const char *to,
    const struct digest *dg, const char *key, volatile sig_atomic_t *stop,
    struct attempt *at)
{
	const struct conf_smtp *m = &c->alerts.smtp;
	struct mail_message msg = { m->from, to, dg->subject, dg->text,
		dg->html, key, 0 };
	struct mail_server srv = { 0 };
	struct mail_result res;
	char *out = NULL;
	size_t len = 0;

	if (m->url == NULL) {
		at->rc = -EINVAL;
		snprintf(at->error, sizeof(at->error), "no alerts.smtp.url in "
		    "the configuration");
		return;
	}
	if (m->username != NULL && password == NULL) {
		at->rc = -EACCES;
		snprintf(at->error, sizeof(at->error), "cannot read the SMTP "
		    "password (%s)", m->password_file ? m->password_file :
		    "credential smtp-password");
		return;
	}
	if ((at->rc = mail_format(&msg, &out, &len, at->error,
	    sizeof(at->error))) < 0) {
		/* The message itself is wrong (an address, a control
		 * character): the same text cannot go through later. */
		at->permanent = true;
		return;
	}
	srv.url = m->url;
	srv.username = m->username;
	srv.password = password;
	srv.ca_file = m->ca_file;
	srv.starttls = m->starttls;
	srv.timeout = m->timeout;
	srv.stop = stop;
	at->rc = mail_send(&srv, m->from, to, out, len, &res);
	at->permanent = at->rc < 0 && res.permanent;
	at->code = res.smtp_code;
	snprintf(at->response, sizeof(at->response), "%s", res.response);
	snprintf(at->error, sizeof(at->error), "%s", res.error);
	free(out);
}

static void
send_webhook(const struct conf *c, const char *url, const struct digest *dg,
    const char *key, volatile sig_atomic_t *stop, struct attempt *at)
{
	struct webhook_request rq = { 0 };
	struct webhook_result res;
	char *body = NULL;

	if ((at->rc = webhook_body(dg->chat, dg->extra, &body, at->error,
	    sizeof(at->error))) < 0) {
		at->permanent = true;
		return;
	}
	rq.url = url;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.dedup_key = key;
	rq.timeout = c->alerts.smtp.timeout;
	rq.stop = stop;
	at->rc = webhook_post(&rq, &res);
	at->permanent = at->rc < 0 && res.permanent;
	at->code = res.http_status;
	snprintf(at->response, sizeof(at->response), "%s", res.response);
	snprintf(at->error, sizeof(at->error), "%s", res.error);
	free(body);
}

/* The digest's items from the query's rows; details parsed. */
static int
items_of(PGresult *r, struct digest_item *items, json_t **docs)
{
	for (int i = 0; i < PQntuples(r); i++) {
		json_error_t je;

		if ((docs[i] = json_loads(PQgetvalue(r, i, 3), 0, &je)) == NULL)
			return -EINVAL;
		items[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		items[i].kind = PQgetvalue(r, i, 1);
		items[i].title = PQgetvalue(r, i, 2);
		items[i].details = docs[i];
	}
	return 0;
}

/* The stable key of this digest: the same alerts (and resends) to the
 * same recipient give the same Message-ID and Idempotency-Key. */
static void
digest_key(const char *channel, const char *recipient, PGresult *r,
    char *buf, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char part[64];

	/* Hashed: the recipient (a webhook URL may hold a token) must not
	 * travel in a header. */
	buf[0] = '\0';
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(ctx, channel, strlen(channel) + 1);
	EVP_DigestUpdate(ctx, recipient, strlen(recipient) + 1);
	for (int i = 0; i < PQntuples(r); i++) {
		snprintf(part, sizeof(part), "%s.%s,", PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 4));
		EVP_DigestUpdate(ctx, part, strlen(part));
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		goto out;
	for (unsigned int i = 0; i < mdlen && 2 * i + 2 < size; i++)
		snprintf(buf + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
}

static void
log_attempt(const char *channel, const char *recipient, PGresult *items,
    const struct attempt *at)
{
	struct log_fields f = { 0 };
	char shown[512];

	alerts_redact(channel, recipient, shown, sizeof(shown));
	f.alert = strtoll(PQgetvalue(items, 0, 0), NULL, 10);
	f.channel = channel;
	if (at->rc == 0)
		log_event(LOG_INFO, LOG_ID_ALERT_SENT, &f, "sent %d alert%s by %s "
		    "to %s (%ld)", PQntuples(items), PQntuples(items) == 1 ? "" :
		    "s", channel, shown, at->code);
	else
		log_event(LOG_WARNING, LOG_ID_ALERT_FAILED, &f, "cannot send %d "
		    "alert%s by %s to %s: %s%s%s", PQntuples(items),
		    PQntuples(items) == 1 ? "" : "s", channel, shown,
		    at->error[0] ? at->error : "refused", at->response[0] ?
		    ": " : "", at->response);
}

/*
 * Records one message's outcome in a transaction of its own: the attempt,
 * and each delivery sent, or retried later, or dead (with its ops alert).
 */
static int
record(struct db *db, const struct conf *c, const char *channel,
    const char *recipient, PGresult *items, const struct attempt *at,
    struct sender_stats *st, char *err, size_t errlen)
{
	char ids[8192], code[32], base[32], cap[32], maxn[32], maxage[32];
	const char *p[11];
	PGresult *r = NULL;
	size_t len = 0;
	int rc;

	len = (size_t)snprintf(ids, sizeof(ids), "{");
	for (int i = 0; i < PQntuples(items) && len < sizeof(ids); i++)
		len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%s",
		    i ? "," : "", PQgetvalue(items, i, 0));
	if (len < sizeof(ids))
		snprintf(ids + len, sizeof(ids) - len, "}");
	snprintf(code, sizeof(code), "%ld", at->code);
	snprintf(base, sizeof(base), "%g", c->alerts.retry_base);
	snprintf(cap, sizeof(cap), "%g", c->alerts.retry_cap);
	snprintf(maxn, sizeof(maxn), "%d", c->alerts.max_attempts);
	snprintf(maxage, sizeof(maxage), "%d", c->alerts.max_age_hours);
	p[0] = channel;
	p[1] = recipient;
	p[2] = ids;
	p[3] = at->rc == 0 ? "t" : "f";
	p[4] = at->permanent ? "t" : "f";
	p[5] = at->code > 0 ? code : NULL;
	p[6] = at->response[0] ? at->response : NULL;
	p[7] = at->rc == 0 ? NULL : at->error[0] ? at->error : at->response;
	p[8] = base;
	p[9] = cap;
	p[10] = maxn;
	if ((rc = db_exec(db, "BEGIN", err, errlen)) < 0)
		return rc;
	rc = db_query(db, "WITH t AS (INSERT INTO fragwatch.alert_attempts "
	    "(channel, recipient, alert_ids, ok, permanent, code, response, "
	    "error) VALUES ($1, $2, $3::bigint[], $4::boolean, $5::boolean, "
	    "$6::int, $7, $8)) UPDATE fragwatch.alert_deliveries d SET attempts "
	    "= d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, "
	    "now()), last_error = CASE WHEN $4::boolean THEN NULL ELSE $8 END, "
	    "next_at = now() + make_interval(secs => least($10::float8, "
	    "$9::float8 * power(2, least(d.attempts, 40)))), state = CASE WHEN "
	    "$4::boolean THEN 'sent' WHEN $5::boolean OR d.attempts + 1 >= "
	    "$11::int OR now() - coalesce(d.first_attempt_at, now()) >= "
	    "make_interval(hours => " "$12::int) THEN 'dead' ELSE 'pending' END, "
	    "done_at = CASE WHEN $4::boolean OR $5::boolean OR d.attempts + 1 >= "
	    "$11::int OR now() - coalesce(d.first_attempt_at, now()) >= "
	    "make_interval(hours => $12::int) THEN now() END WHERE d.channel = "
	    "$1 AND d.recipient = $2 AND d.alert_id = ANY ($3::bigint[]) AND "
	    "d.state = 'pending' RETURNING d.alert_id, d.state, d.attempts", 12,
	    (const char *const[]){ p[0], p[1], p[2], p[3], p[4], p[5], p[6],
	    p[7], p[8], p[9], p[10], maxage }, &r, err, errlen);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 1), "dead") == 0)
			rc = alerts_dead_letter(db, c, strtoll(PQgetvalue(r, i, 0),
			    NULL, 10), channel, recipient, err, errlen);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err, errlen);
	if (rc < 0) {
		(void)db_exec(db, "ROLLBACK", NULL, 0);
		PQclear(r);
		return rc;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct log_fields f = { 0 };
		char shown[512];

		if (strcmp(PQgetvalue(r, i, 1), "dead") != 0)
			continue;
		st->dead++;
		alerts_redact(channel, recipient, shown, sizeof(shown));
		f.alert = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		f.channel = channel;
		log_event(LOG_ERR, LOG_ID_ALERT_DEAD, &f, "alert %s to %s by %s "
		    "is dead after %s attempt%s: %s", PQgetvalue(r, i, 0), shown,
		    channel, PQgetvalue(r, i, 2), strcmp(PQgetvalue(r, i, 2),
		    "1") == 0 ? "" : "s", p[7] ? p[7] : "?");
	}
	PQclear(r);
	return 0;
}

/* One digest to one recipient: build, send, record. Returns 0, 1 when
 * a full digest went out and more may wait for the recipient, or -errno
 * for a database error. */
static int
deliver(struct db *db, const struct conf *c, const char *channel,
    const char *recipient, bool quiet, const char *password,
    volatile sig_atomic_t *stop, struct sender_stats *st, char *err,
    size_t errlen)
{
	const char *p[3] = { quiet ? "t" : "f", channel, recipient };
	struct digest_item items[DIGEST_MAX];
	json_t *docs[DIGEST_MAX] = { 0 };
	struct digest dg = { 0 };
	struct attempt at = { 0 };
	char key[2 * EVP_MAX_MD_SIZE + 1];
	PGresult *r = NULL;
	int rc, n = 0;

	rc = db_query(db, "SELECT a.id, a.kind, a.title, a.details, a.resends "
	    "FROM fragwatch.alert_deliveries d JOIN fragwatch.alerts a ON a.id "
	    "= d.alert_id WHERE d.channel = $2 AND d.recipient = $3 AND "
	    "d.state = 'pending' AND NOT " HELD " ORDER BY CASE a.kind WHEN "
	    "'red' THEN 0 WHEN 'data' THEN 1 WHEN 'dead' THEN 2 WHEN 'warning' "
	    "THEN 3 ELSE 4 END, a.id LIMIT 100", 3, p, &r, err, errlen);
	if (rc < 0 || (n = PQntuples(r)) == 0)
		goto out;
	if (items_of(r, items, docs) < 0 ||
	    digest_render(items, (size_t)n, &dg, at.error,
	    sizeof(at.error)) < 0) {
		at.rc = -EINVAL;
		at.permanent = true;
		if (at.error[0] == '\0')
			snprintf(at.error, sizeof(at.error), "an alert's details "
			    "are not JSON");
	} else {
		digest_key(channel, recipient, r, key, sizeof(key));
		if (strcmp(channel, "email") == 0)
			send_mail(c, password, recipient, &dg, key, stop, &at);
		else
			send_webhook(c, recipient, &dg, key, stop, &at);
	}
	/* A transfer aborted by our own stop is not the recipient's fault:
	 * it is not recorded, and goes out next time. */
	if (at.rc == -EINTR)
		goto out;
	log_attempt(channel, recipient, r, &at);
	if (at.rc == 0)
		st->sent++;
	else
		st->failed++;
	rc = record(db, c, channel, recipient, r, &at, st, err, errlen);
	/* More waiting for this recipient: another message. */
	if (rc == 0 && at.rc == 0 && n == DIGEST_MAX)
		rc = 1;
out:
	for (int i = 0; i < n && i < DIGEST_MAX; i++)
		json_decref(docs[i]);
	digest_clear(&dg);
	PQclear(r);
	return rc;
}

/* What one drain carries from pass to pass. */
struct drain {
	const struct sender_limits *lim;
	double t0;
	int messages;
	bool quiet;
	char *password;   /* read when the first e-mail is due */
};

static bool
out_of_budget(const struct drain *dr)
{
	const struct sender_limits *lim = dr->lim;

	return lim != NULL && ((lim->stop != NULL && *lim->stop) ||
	    (lim->max_messages > 0 && dr->messages >= lim->max_messages) ||
	    (lim->max_seconds > 0 && now_seconds() - dr->t0 >=
	    lim->max_seconds));
}

/* One pass over the recipients with a delivery due. */
static int
drain_pass(struct db *db, const struct conf *c, struct drain *dr,
    struct sender_stats *st, char *err, size_t errlen)
{
	const char *p[1] = { dr->quiet ? "t" : "f" };
	PGresult *due = NULL;
	int rc;

	rc = db_query(db, "SELECT d.channel, d.recipient FROM "
	    "fragwatch.alert_deliveries d JOIN fragwatch.alerts a ON a.id = "
	    "d.alert_id WHERE d.state = 'pending' AND NOT " HELD " GROUP BY "
	    "d.channel, d.recipient HAVING min(d.next_at) <= now() ORDER BY "
	    "min(d.next_at), d.channel, d.recipient", 1, p, &due, err, errlen);
	for (int i = 0; rc >= 0 && i < PQntuples(due) && !out_of_budget(dr);
	    i++) {
		const char *channel = PQgetvalue(due, i, 0);

		/* Read now, so that a rotated password is picked up; never
		 * kept beyond the drain. */
		if (strcmp(channel, "email") == 0 && dr->password == NULL &&
		    c->alerts.smtp.username != NULL)
			dr->password = db_read_secret(c->alerts.smtp.password_file,
			    "smtp-password");
		if (dr->lim != NULL && dr->lim->tick != NULL)
			dr->lim->tick(dr->lim->arg);
		rc = deliver(db, c, channel, PQgetvalue(due, i, 1), dr->quiet,
		    dr->password, dr->lim != NULL ? dr->lim->stop : NULL, st,
		    err, errlen);
		dr->messages++;
		if (rc == 1)  /* more for this recipient */
			i--;
	}
	PQclear(due);
	return rc < 0 ? rc : 0;
}

int
sender_drain(struct db *db, const struct conf *c,
    const struct sender_limits *lim, struct sender_stats *st, char *err,
    size_t errlen)
{
	struct drain dr = { lim, now_seconds(), 0, false, NULL };
	PGresult *r = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = db_query(db, "SELECT pg_try_advisory_lock(hashtext("
	    "'fragwatch:sender'))", 0, NULL, &r, err, errlen)) < 0)
		return rc;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	if ((rc = housekeeping(db, err, errlen)) == 0) {
		dr.quiet = quiet_now(db, c);
		rc = drain_pass(db, c, &dr, st, err, errlen);
	}
	/* Dead letters made by this pass are ops alerts: a second pass
	 * sends them now rather than at the next drain. */
	if (rc == 0 && st->dead > 0)
		rc = drain_pass(db, c, &dr, st, err, errlen);
	if (dr.password != NULL) {
		explicit_bzero(dr.password, strlen(dr.password));
		free(dr.password);
	}
	(void)db_exec(db, "SELECT pg_advisory_unlock(hashtext("
	    "'fragwatch:sender'))", NULL, 0);
	return rc;
}

double
sender_next_due(struct db *db, const struct conf *c)
{
	const char *p[1] = { quiet_now(db, c) ? "t" : "f" };
	PGresult *r = NULL;
	double s = -1;

	if (db_query(db, "SELECT greatest(0, extract(epoch FROM min(d.next_at) "
	    "- now())) FROM fragwatch.alert_deliveries d JOIN fragwatch.alerts "
	    "a ON a.id = d.alert_id WHERE d.state = 'pending' AND NOT " HELD, 1,
	    p, &r, NULL, 0) == 0 && !PQgetisnull(r, 0, 0))
		s = strtod(PQgetvalue(r, 0, 0), NULL);
	PQclear(r);
	return s;
}
