/* run.h - one run of one source: fetch, parse, map, COPY, upsert, all-or-nothing. */
#ifndef FRAGWATCH_RUN_H
#define FRAGWATCH_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/db.h"

enum run_status {
	RUN_OK,          /* the extract's rows are in the fact table */
	RUN_OK_WITH_REJECTS, /* loaded; some rows are in rejects */
	RUN_STALE,       /* loaded, but its newest period is older than max_age */
	RUN_UNCHANGED,   /* same SHA-256 as the last load, or HTTP 304 */
	RUN_REFUSED,     /* bad extract refused whole; previous data stand */
	RUN_FAILED,      /* fetch or database failure */
	RUN_INTERRUPTED, /* stopped by a signal; rolled back */
	RUN_BUSY,        /* another fragwatch holds this source's lock */
};

struct run_outcome {
	int64_t run_id;         /* 0 when no audit row could be written */
	enum run_status status;
	uint64_t rows_read;     /* data rows in the extract */
	uint64_t rows_loaded;
	uint64_t rows_rejected;
	uint64_t rows_skipped;  /* left out on purpose (filters, "-" codes) */
	uint64_t bytes;
	double seconds;
	char error[512];        /* why, for refused, failed, interrupted */
	char warnings[512];     /* checks that warned, "; "-separated */
};

/* Where a run is, for a progress line and the watchdog. */
struct run_progress {
	const char *source;
	const char *phase;     /* "fetching", "loading", "indicators" */
	uint64_t bytes;        /* fetched so far */
	uint64_t rows_read;    /* parsed so far */
	uint64_t rows_loaded;  /* known once loading is done */
	double seconds;        /* since the run started */
};

/* What the caller can do to a run in flight. Any member may be NULL. */
struct run_control {
	/* Set (by a signal handler) to stop the run: it rolls back and is
	 * recorded as interrupted, or as failed when *timed_out is set too. */
	volatile sig_atomic_t *stop;
	volatile sig_atomic_t *timed_out;
	/* Called as the run advances: at least per chunk fetched and per
	 * phase. A run that hangs stops calling it (the daemon's watchdog). */
	void (*progress)(void *arg, const struct run_progress *p);
	void *arg;
};

/* Writes the configured areas, organisations, sources, indicator
 * catalogue and thresholds into their tables, so that facts can reference
 * them and views can show them. Returns 0 or -errno with err. */
int run_sync_config(struct db *db, const struct conf *c, char *err,
    size_t errlen);

/* Runs src once, from url (NULL: the source's own; a drop directory
 * passes each file's file:// URL). A transient fetch failure is retried
 * src->retries times with exponential backoff. The outcome, including
 * every failure, is in *out and in the runs table (unless the database
 * itself is gone). Returns 0 when the run loaded or found nothing new,
 * else a negative errno. ctl (may be NULL) can stop the run and watch
 * its progress. */
int run_source(struct db *db, const struct conf *c,
    const struct conf_source *src, const char *url,
    const struct run_control *ctl, struct run_outcome *out);

/* True for the outcomes whose data were committed. */
bool run_status_loaded(enum run_status s);

/* "ok", "ok_with_rejects", "stale", "unchanged", "refused", "failed",
 * "interrupted", "busy". */
const char *run_status_name(enum run_status s);

#endif
