/* runner.c - runs one configured source: its URL once, or each waiting file of its drop directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "daemon/alerts.h"
#include "daemon/dropdir.h"
#include "daemon/log.h"
#include "daemon/runner.h"

static int
severity(enum run_status s)
{
	switch (s) {
	case RUN_FAILED:
		return 6;
	case RUN_INTERRUPTED:
		return 5;
	case RUN_REFUSED:
		return 4;
	case RUN_STALE:
		return 3;
	case RUN_BUSY:
		return 2;
	case RUN_OK_WITH_REJECTS:
		return 1;
	case RUN_OK:
	case RUN_UNCHANGED:
		break;
	}
	return 0;
}

enum run_status
runner_worse(enum run_status a, enum run_status b)
{
	return severity(b) > severity(a) ? b : a;
}

static bool
stopping(const struct run_control *ctl)
{
	return ctl != NULL && ctl->stop != NULL && *ctl->stop;
}

static enum run_status
run_drop_dir(struct db *db, const struct conf *c, const struct conf_source *src,
    const struct run_control *ctl, runner_done_fn *done, void *arg)
{
	const char *dir = src->url + strlen("dir://");
	enum run_status worst = RUN_UNCHANGED;
	char **names = NULL, url[8192];
	size_t n = 0;
	int rc;

	if ((rc = dropdir_list(dir, &names, &n)) < 0) {
		log_msg(LOG_ERR, "cannot read drop directory '%s' of source "
		    "'%s': %s", dir, src->name, strerror(-rc));
		return RUN_FAILED;
	}
	for (size_t i = 0; i < n && !stopping(ctl) && !db_lost(db); i++) {
		struct run_outcome o;
		/* A name may hold spaces, '#' or '%': not URL syntax. */
		char *esc = curl_easy_escape(NULL, names[i], 0);

		snprintf(url, sizeof(url), "file://%s/%s", dir, esc ? esc :
		    names[i]);
		curl_free(esc);
		run_source(db, c, src, url, ctl, &o);
		alerts_after_run(db, c, src, &o);
		if (done != NULL)
			done(arg, src, &o);
		worst = runner_worse(worst, o.status);
		/* Loaded (even stale) or already loaded: done; else failed. */
		if (o.status != RUN_INTERRUPTED && o.status != RUN_BUSY &&
		    !db_lost(db) && (rc = dropdir_finish(dir, names[i],
		    run_status_loaded(o.status) || o.status == RUN_UNCHANGED)) < 0)
			log_msg(LOG_ERR, "cannot move '%s' out of '%s': %s",
			    names[i], dir, strerror(-rc));
	}
	dropdir_free(names, n);
	return worst;
}

enum run_status
runner_run(struct db *db, const struct conf *c, const struct conf_source *src,
    const char *url, const struct run_control *ctl, runner_done_fn *done,
    void *arg)
{
	struct run_outcome o;

	if (src->drop_dir && url == NULL)
		return run_drop_dir(db, c, src, ctl, done, arg);
	run_source(db, c, src, url, ctl, &o);
	alerts_after_run(db, c, src, &o);
	if (done != NULL)
		done(arg, src, &o);
	return o.status;
}

void
runner_log(const struct conf_source *src, const struct run_outcome *o)
{
	struct log_fields f = { .source = src->name, .run = o->run_id,
		.counts = true, .rows = (int64_t)o->rows_loaded,
		.rejects = (int64_t)o->rows_rejected,
		.duration_usec = (int64_t)(o->seconds * 1e6) };
	const char *id = LOG_ID_RUN_FINISHED;
	int prio = LOG_INFO;

	switch (o->status) {
	case RUN_OK:
	case RUN_OK_WITH_REJECTS:
		break;
	case RUN_STALE:
		prio = LOG_WARNING;
		break;
	case RUN_UNCHANGED:
		id = LOG_ID_RUN_UNCHANGED;
		break;
	case RUN_REFUSED:
		id = LOG_ID_RUN_REFUSED;
		prio = LOG_ERR;
		break;
	case RUN_FAILED:
		id = LOG_ID_RUN_FAILED;
		prio = LOG_ERR;
		break;
	case RUN_INTERRUPTED:
		id = LOG_ID_RUN_INTERRUPTED;
		prio = LOG_WARNING;
		break;
	case RUN_BUSY:
		id = NULL;
		break;
	}
	log_event(prio, id, &f, "source %s run %lld %s: %llu loaded, %llu "
	    "rejected, %llu skipped in %.2f s%s%s%s%s", src->name,
	    (long long)o->run_id, run_status_name(o->status),
	    (unsigned long long)o->rows_loaded,
	    (unsigned long long)o->rows_rejected,
	    (unsigned long long)o->rows_skipped, o->seconds,
	    o->error[0] ? ": " : "", o->error, o->warnings[0] ?
	    "; warning: " : "", o->warnings);
}
