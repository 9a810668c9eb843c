/* service.c - the daemon's single-threaded loop: schedules, catch-up, retries, reconnects, systemd notify/watchdog, reload and stop. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/run.h"
#include "daemon/runner.h"
#include "daemon/sched.h"
#include "daemon/sender.h"
#include "daemon/service.h"

enum { EXIT_OK = 0, EXIT_CONFIG = 3, EXIT_DATABASE = 4 };

/* Longest sleep, so that a wall-clock jump is noticed within a minute. */
#define MAX_SLEEP_SEC 60
/* The first wait before reconnecting to a lost database; doubles. */
#define RECONNECT_BASE_SEC 1.0
#define RECONNECT_CAP_SEC 60.0

/* Where one scheduled source stands. */
struct slot {
	const struct conf_source *src;
	struct sched_cron cron;
	time_t scheduled_for; /* the fire the next run is for */
	time_t due;           /* when to run: the fire, a catch-up or a retry */
	int attempt;          /* failed attempts for scheduled_for */
	bool late_reported;
};

struct service {
	struct conf *c;
	struct db *db;
	struct slot *slots;
	size_t nslots;
	uint64_t watchdog_usec;  /* 0: no watchdog */
	uint64_t last_ping;      /* CLOCK_MONOTONIC usec */
	uint64_t last_status;
	time_t reconnect_at;     /* database lost: when to try again */
	time_t alerts_due;       /* when to drain the outbox next */
	int reconnects;
	sigset_t blocked;        /* our signals, blocked outside waits and runs */
	sigset_t open;           /* the mask while waiting or running */
};

/* Set by the signal handlers; everything else happens in the loop. */
static volatile sig_atomic_t terminate, reload, run_stop, run_timed_out;
/* The running query's cancel handle: PQcancel() is safe in a handler. */
static PGcancel *volatile cancel;

static void
on_signal(int sig)
{
	int saved = errno;
	char ignored[256];

	if (sig == SIGHUP) {
		reload = 1;
	} else {
		if (sig == SIGALRM)
			run_timed_out = 1;
		else
			terminate = 1;
		run_stop = 1;
		if (cancel != NULL)
			(void)PQcancel(cancel, ignored, sizeof(ignored));
	}
	errno = saved;
}

static uint64_t
mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Pings at a quarter of the interval: a missed wake-up or two is fine,
 * a run that stops making progress is not. */
static void
watchdog_ping(struct service *s)
{
	uint64_t now = mono_usec();

	if (s->watchdog_usec == 0 || now - s->last_ping < s->watchdog_usec / 4)
		return;
	sd_notify(0, "WATCHDOG=1");
	s->last_ping = now;
}

static void
local_time(const struct conf *c, time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (sched_localtime(c->timezone, t, &tm) < 0 ||
	    strftime(buf, size, "%Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}

/* STATUS= when idle: what runs next. */
static void
status_idle(struct service *s)
{
	const struct slot *first = NULL;
	char when[64];

	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].due != 0 &&
		    (first == NULL || s->slots[i].due < first->due))
			first = &s->slots[i];
	if (s->db == NULL)
		sd_notifyf(0, "STATUS=database unreachable; retrying");
	else if (first == NULL)
		sd_notify(0, "STATUS=idle; no source has a schedule");
	else {
		local_time(s->c, first->due, when, sizeof(when));
		sd_notifyf(0, "STATUS=idle; next run: %s at %s%s",
		    first->src->name, when, first->attempt > 0 ?
		    " (retry)" : "");
	}
}

/* Progress of a run: STATUS= at most once a second, and the watchdog. */
static void
on_progress(void *arg, const struct run_progress *p)
{
	struct service *s = arg;
	uint64_t now = mono_usec();

	watchdog_ping(s);
	if (now - s->last_status < 1000000)
		return;
	s->last_status = now;
	sd_notifyf(0, "STATUS=running %s: %s, %.1f MB, %llu rows, %.0f s",
	    p->source, p->phase, (double)p->bytes / 1e6,
	    (unsigned long long)p->rows_read, p->seconds);
}

/* The newest start of a finished run of this source, or 0. A run still
 * 'running' (on the other daemon of a pair) has not done the work yet. */
static time_t
last_started(struct db *db, const char *source)
{
	const char *params[1] = { source };
	PGresult *r = NULL;
	time_t t = 0;

	if (db_query(db, "SELECT extract(epoch FROM max(started_at))::bigint "
	    "FROM fragwatch.runs WHERE source = $1 AND status <> 'running'", 1,
	    params, &r, NULL,
	    0) == 0 && !PQgetisnull(r, 0, 0))
		t = (time_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return t;
}

static time_t
next_fire(const struct service *s, const struct slot *sl, time_t after)
{
	time_t t;

	if (sched_next(&sl->cron, s->c->timezone, after, &t) < 0)
		return 0;
	return t;
}

/* A new slot's first run: the latest fire missed while we were down runs
 * now, once; else the next fire. */
static void
plan_first(struct service *s, struct slot *sl, time_t now)
{
	time_t prev, last;

	sl->scheduled_for = next_fire(s, sl, now);
	sl->due = sl->scheduled_for;
	if (s->db != NULL && sched_prev(&sl->cron, s->c->timezone, now,
	    &prev) == 0 && (last = last_started(s->db, sl->src->name)) > 0 &&
	    last < prev) {
		char when[64];

		local_time(s->c, prev, when, sizeof(when));
		log_msg(LOG_INFO, "source %s missed its run of %s; catching up "
		    "now", sl->src->name, when);
		sl->scheduled_for = prev;
		sl->due = now;
	}
}

/* Builds the slots of the sources with a schedule, keeping the state of
 * those that were there before with the same schedule (a reload). */
static int
build_slots(struct service *s, const struct slot *old, size_t nold)
{
	time_t now = time(NULL);
	struct slot *v = calloc(s->c->nsources + 1, sizeof(*v));
	size_t n = 0;

	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->c->nsources; i++) {
		const struct conf_source *src = &s->c->sources[i];
		struct slot *sl = &v[n];
		char why[256];
		bool kept = false;

		if (src->schedule == NULL || sched_parse(src->schedule,
		    &sl->cron, why, sizeof(why)) < 0)
			continue;
		sl->src = src;
		for (size_t j = 0; j < nold && !kept; j++)
			if (strcmp(old[j].src->name, src->name) == 0 &&
			    strcmp(old[j].src->schedule, src->schedule) == 0) {
				sl->scheduled_for = old[j].scheduled_for;
				sl->due = old[j].due;
				sl->attempt = old[j].attempt;
				sl->late_reported = old[j].late_reported;
				kept = true;
			}
		if (!kept)
			plan_first(s, sl, now);
		n++;
	}
	s->slots = v;
	s->nslots = n;
	return 0;
}

static int
connect_db(struct service *s)
{
	char err[512];
	int applied = 0;

	if (db_open(s->c, false, &s->db, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot connect to the database: %s", err);
		return -ECONNREFUSED;
	}
	/* Applies what is missing; refuses a schema newer than us or a
	 * changed migration (exit 4 at start: a person must look). */
	if (db_migrate(s->db, &applied, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "database schema: %s", err);
		db_close(s->db);
		s->db = NULL;
		return -EPROTO;
	}
	if (applied > 0)
		log_msg(LOG_INFO, "applied %d migration%s", applied,
		    applied == 1 ? "" : "s");
	if (run_sync_config(s->db, s->c, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot store areas and organisations: %s", err);
		db_close(s->db);
		s->db = NULL;
		return -EIO;
	}
	s->reconnects = 0;
	return 0;
}

/* Lost the database: close, and try again after a growing pause. */
static void
lost_db(struct service *s)
{
	double wait = sched_backoff(RECONNECT_BASE_SEC, RECONNECT_CAP_SEC,
	    ++s->reconnects);

	log_msg(LOG_ERR, "lost the database connection; reconnecting in "
	    "%.0f s", wait);
	db_close(s->db);
	s->db = NULL;
	s->reconnect_at = time(NULL) + (time_t)wait;
}

static void
on_done(void *arg, const struct conf_source *src, const struct run_outcome *o)
{
	(void)arg;
	runner_log(src, o);
}

static void
report_late(struct service *s, struct slot *sl, time_t now, bool finished)
{
	char when[64];

	if (sl->late_reported || s->c->daemon.late_after <= 0 ||
	    now <= sl->scheduled_for + s->c->daemon.late_after)
		return;
	sl->late_reported = true;
	local_time(s->c, sl->scheduled_for, when, sizeof(when));
	log_event(LOG_WARNING, LOG_ID_RUN_LATE, &(struct log_fields){
	    .source = sl->src->name }, "source %s is late: its run of %s %s "
	    "more than %d s after it was due", sl->src->name, when, finished ?
	    "finished" : "has not finished", s->c->daemon.late_after);
}

/* Runs one due slot under the run time limit, then plans its next run. */
static void
run_slot(struct service *s, struct slot *sl)
{
	struct run_control ctl = { &run_stop, &run_timed_out, on_progress, s };
	struct itimerval limit = { { 0, 0 }, { s->c->daemon.run_timeout, 0 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	enum run_status st;
	time_t now;

	log_event(LOG_INFO, LOG_ID_RUN_STARTED, &(struct log_fields){
	    .source = sl->src->name }, "source %s: run started", sl->src->name);
	sd_notifyf(0, "STATUS=running %s", sl->src->name);
	run_stop = run_timed_out = 0;
	cancel = PQgetCancel(s->db->conn);
	setitimer(ITIMER_REAL, &limit, NULL);
	/* Signals arrive during the run: they set flags and cancel the
	 * running query, and the run rolls back. */
	sigprocmask(SIG_SETMASK, &s->open, NULL);
	st = runner_run(s->db, s->c, sl->src, NULL, &ctl, on_done, s);
	sigprocmask(SIG_BLOCK, &s->blocked, NULL);
	setitimer(ITIMER_REAL, &off, NULL);
	PQfreeCancel(cancel);
	cancel = NULL;
	now = time(NULL);
	if (db_lost(s->db))
		lost_db(s);
	else if (s->c->report_path != NULL && !terminate) {
		char err[512];

		if (report_write(s->db, s->c, s->c->report_path, err,
		    sizeof(err)) < 0)
			log_msg(LOG_ERR, "cannot write the report: %s", err);
	}
	if (terminate)
		return;
	if (st == RUN_FAILED || st == RUN_INTERRUPTED) {
		/* Retry with backoff until it works or the next fire is due. */
		time_t retry = now + (time_t)sched_backoff(
		    s->c->daemon.retry_base, s->c->daemon.retry_cap,
		    ++sl->attempt);
		time_t next = next_fire(s, sl, now);

		report_late(s, sl, now, false);
		if (next == 0 || retry < next) {
			sl->due = retry;
			return;
		}
		log_msg(LOG_WARNING, "source %s: not retrying; its next "
		    "scheduled run is due first", sl->src->name);
	} else
		report_late(s, sl, now, true);
	sl->attempt = 0;
	sl->late_reported = false;
	sl->scheduled_for = next_fire(s, sl, now > sl->scheduled_for ? now :
	    sl->scheduled_for);
	sl->due = sl->scheduled_for;
}

/* Seconds one drain of the outbox may start messages for: the loop
 * (and the next scheduled run) must not wait long. */
#define SEND_BUDGET_SEC 20

static void
on_send_tick(void *arg)
{
	watchdog_ping(arg);
}

/* Delivers due alerts, bounded in time; SIGTERM aborts a transfer. */
static void
drain_alerts(struct service *s)
{
	struct sender_limits lim = { SEND_BUDGET_SEC, 0, &run_stop,
		on_send_tick, s };
	struct sender_stats st;
	char err[512];
	double next;
	int rc;

	sd_notify(0, "STATUS=delivering alerts");
	run_stop = 0;
	cancel = PQgetCancel(s->db->conn);
	sigprocmask(SIG_SETMASK, &s->open, NULL);
	rc = sender_drain(s->db, s->c, &lim, &st, err, sizeof(err));
	sigprocmask(SIG_BLOCK, &s->blocked, NULL);
	PQfreeCancel(cancel);
	cancel = NULL;
	if (rc < 0 && !terminate)
		log_msg(LOG_ERR, "cannot deliver alerts: %s", err);
	if (db_lost(s->db)) {
		lost_db(s);
		return;
	}
	next = sender_next_due(s->db, s->c);
	s->alerts_due = time(NULL) + (next < 0 || next > MAX_SLEEP_SEC ?
	    MAX_SLEEP_SEC : next < 1 ? 1 : (time_t)next);
}

static bool
same_database(const struct conf *a, const struct conf *b)
{
	if ((a->conninfo == NULL) != (b->conninfo == NULL))
		return false;
	if (a->conninfo != NULL && strcmp(a->conninfo, b->conninfo) != 0)
		return false;
	return strcmp(a->state_dir, b->state_dir) == 0;
}

/* SIGHUP: an invalid new config is logged and the running one kept. */
static void
do_reload(struct service *s)
{
	struct conf_errors errs = { 0 };
	struct conf *fresh, *stale = s->c;
	struct slot *old = s->slots;
	size_t nold = s->nslots;

	reload = 0;
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	    (unsigned long long)mono_usec(), stale->path);
	fresh = conf_load(stale->path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_msg(LOG_ERR, "%s", errs.msgs[i]);
	conf_errors_clear(&errs);
	if (fresh == NULL) {
		log_msg(LOG_ERR, "reload: '%s' is not valid; keeping the running "
		    "configuration", stale->path);
		sd_notify(0, "READY=1");
		return;
	}
	if (s->db != NULL && !same_database(stale, fresh)) {
		db_close(s->db);
		s->db = NULL;
	}
	s->c = fresh;
	if (s->db == NULL) {
		if (connect_db(s) < 0)
			s->reconnect_at = time(NULL);
	} else {
		char err[512];

		if (run_sync_config(s->db, s->c, err, sizeof(err)) < 0)
			log_msg(LOG_ERR, "cannot store areas and organisations: "
			    "%s", err);
	}
	/* The old slots still point into the old config here. */
	if (build_slots(s, old, nold) < 0) {
		s->slots = NULL;
		s->nslots = 0;
	}
	free(old);
	conf_free(stale);
	log_msg(LOG_INFO, "reloaded '%s': %zu sources, %zu scheduled",
	    s->c->path, s->c->nsources, s->nslots);
	sd_notify(0, "READY=1");
}

/* Waits until the earliest due run, a reconnect, a watchdog ping or a
 * signal; signals are let in only inside ppoll, so none is missed. */
static void
wait_for_work(struct service *s)
{
	time_t now = time(NULL), until = now + MAX_SLEEP_SEC;
	struct timespec ts;
	uint64_t usec;

	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].due != 0 && s->slots[i].due < until)
			until = s->slots[i].due;
	if (s->db == NULL && s->reconnect_at < until)
		until = s->reconnect_at;
	if (s->db != NULL && s->alerts_due < until)
		until = s->alerts_due;
	usec = until > now ? (uint64_t)(until - now) * 1000000 : 0;
	if (s->watchdog_usec != 0 && usec > s->watchdog_usec / 4)
		usec = s->watchdog_usec / 4;
	ts.tv_sec = (time_t)(usec / 1000000);
	ts.tv_nsec = (long)(usec % 1000000) * 1000;
	if (usec > 0 && !terminate && !reload)
		(void)ppoll(NULL, 0, &ts, &s->open);
}

static void
loop(struct service *s)
{
	while (!terminate) {
		time_t now;

		watchdog_ping(s);
		if (reload)
			do_reload(s);
		now = time(NULL);
		if (s->db == NULL && now >= s->reconnect_at) {
			sd_notify(0, "STATUS=reconnecting to the database");
			if (connect_db(s) == 0)
				log_msg(LOG_INFO, "database connection restored");
			else
				s->reconnect_at = now + (time_t)sched_backoff(
				    RECONNECT_BASE_SEC, RECONNECT_CAP_SEC,
				    ++s->reconnects);
		}
		for (size_t i = 0; i < s->nslots && s->db != NULL && !terminate &&
		    !reload; i++) {
			struct slot *sl = &s->slots[i];

			if (sl->due != 0 && sl->due <= time(NULL)) {
				run_slot(s, sl);
				s->alerts_due = 0; /* a run may have written alerts */
			} else if (sl->attempt > 0)
				report_late(s, sl, time(NULL), false);
		}
		if (s->db != NULL && !terminate && !reload &&
		    time(NULL) >= s->alerts_due)
			drain_alerts(s);
		if (terminate || reload)
			continue;
		status_idle(s);
		wait_for_work(s);
	}
}

static void
install_signals(struct service *s)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&s->blocked);
	sigaddset(&s->blocked, SIGTERM);
	sigaddset(&s->blocked, SIGINT);
	sigaddset(&s->blocked, SIGHUP);
	sigaddset(&s->blocked, SIGALRM);
	/* Handlers run with all of ours blocked: one at a time. */
	sa.sa_mask = s->blocked;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigprocmask(SIG_BLOCK, &s->blocked, &s->open);
	sigdelset(&s->open, SIGTERM);
	sigdelset(&s->open, SIGINT);
	sigdelset(&s->open, SIGHUP);
	sigdelset(&s->open, SIGALRM);
}

int
service_run(struct conf **cp)
{
	struct service s = { 0 };
	int rc;

	s.c = *cp;
	*cp = NULL;
	if (geteuid() == 0 && !s.c->daemon.allow_root) {
		log_msg(LOG_ERR, "refusing to run the daemon as root: run it as "
		    "its own user (see fragwatch.service), or set "
		    "daemon.allow_root = true");
		conf_free(s.c);
		return EXIT_CONFIG;
	}
	install_signals(&s);
	if (sd_watchdog_enabled(0, &s.watchdog_usec) <= 0)
		s.watchdog_usec = 0;
	sd_notify(0, "STATUS=connecting to the database");
	if ((rc = connect_db(&s)) < 0) {
		sd_notifyf(0, "STATUS=cannot start: %s", rc == -EPROTO ?
		    "database schema does not match" : "database unreachable");
		conf_free(s.c);
		return EXIT_DATABASE;
	}
	if (build_slots(&s, NULL, 0) < 0) {
		db_close(s.db);
		conf_free(s.c);
		return EXIT_DATABASE;
	}
	if (s.nslots == 0)
		log_msg(LOG_WARNING, "no source has a schedule: the daemon will "
		    "idle (add schedule = \"...\" to a source)");
	log_msg(LOG_INFO, "daemon started: %zu sources, %zu scheduled, zone %s",
	    s.c->nsources, s.nslots, s.c->timezone);
	sd_notify(0, "READY=1");
	loop(&s);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	log_msg(LOG_INFO, "daemon stopping");
	db_close(s.db);
	free(s.slots);
	conf_free(s.c);
	return EXIT_OK;
}
