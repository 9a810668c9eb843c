/* alerts.h - the outbox: which notices a run calls for (warnings, reds, recoveries, data problems), written in the run's transaction. */
#ifndef FRAGWATCH_ALERTS_H
#define FRAGWATCH_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/db.h"
#include "daemon/run.h"

/*
 * An alert is a notice about an episode: an early warning (one warnings
 * row, from first seen to cleared), a red area x organisation (from the
 * change to red until it is green again), a source with a data problem
 * (from its first refused, failed or stale run until it loads again), or a
 * dead delivery. Each notice is one row of fragwatch.alerts with the
 * deduplication key SHA-256("EPISODE|NOTICE"): "1" for the first notice,
 * "2", "3", ... for repeats and worsenings, "end" for the closing one. A
 * replayed transaction therefore writes the same keys again and
 * INSERT ... ON CONFLICT (dedup_key) DO NOTHING keeps one of each.
 *
 * Recipients are resolved when the alert is written, one delivery row per
 * channel and address (or webhook URL): the owners of area x org; else
 * the owners of the whole area (org unset); for a region-wide alert
 * (org '*'), the area's owners, else every owner of any of its
 * organisations; else ops. Data problems and dead letters go to ops.
 */

/* What the no-floods rule decided for one open episode. */
enum alerts_notice {
	ALERTS_NONE,    /* nothing to say now */
	ALERTS_RAISE,   /* the first notice */
	ALERTS_WORSE,   /* worse than at the last notice: say so at once */
	ALERTS_REPEAT,  /* still firing, and the repeat interval has passed */
};

/* Where an episode stood at its last notice. */
struct alerts_seen {
	int notices;            /* 0: never notified */
	const char *light;      /* the light then: green, yellow, red (or NULL) */
	double periods_to_red;  /* NaN if none */
	double age;             /* seconds since that notice */
	bool waiting;           /* no notice of it has been tried yet */
};

/*
 * The no-floods rule (pure): the first notice at once; later ones only
 * when the episode is worse than at its last notice (its light is worse,
 * e.g. green to yellow or yellow to red, or the projected time to red
 * has halved) or when repeat_seconds have passed since that notice;
 * nothing more while the episode's notices wait untried (one run's
 * worsening after another's raise, in one cycle, is not a second
 * message: the waiting notice goes, and the rule compares with it).
 * light_now and periods_to_red_now describe the episode now (NULL, NaN
 * when unknown).
 */
enum alerts_notice alerts_rule(const struct alerts_seen *last,
    const char *light_now, double periods_to_red_now, double repeat_seconds);

/*
 * After a load (status RUN_OK, RUN_OK_WITH_REJECTS or RUN_STALE), inside
 * the run's transaction and after trending_run(): writes the notices the
 * new statuses and warnings call for, and this source's data notice
 * (stale: a problem; loaded: the end of an earlier problem). Warnings are
 * inhibited (no notice, the episode waits) while their area x org or
 * the area region-wide is red, and while a source of their indicator's
 * kind is refused or stale (the composite: any source). Returns 0 or
 * -errno with err.
 */
int alerts_collect(struct db *db, const struct conf *c,
    const struct conf_source *src, const struct run_outcome *o, char *err,
    size_t errlen);

/*
 * After any run, outside its transaction: a refused or failed run opens
 * (or repeats) its source's data-problem episode, in a transaction of its
 * own, and notifies ops. Other outcomes do nothing. Errors are logged.
 */
void alerts_after_run(struct db *db, const struct conf *c,
    const struct conf_source *src, const struct run_outcome *o);

/*
 * Inside the caller's transaction: a dead delivery of alert_id to
 * (channel, recipient) becomes an ops alert, unless the alert was itself
 * a dead letter (no loops). Returns 0 or -errno with err.
 */
int alerts_dead_letter(struct db *db, const struct conf *c, int64_t alert_id,
    const char *channel, const char *recipient, char *err, size_t errlen);

/* Webhook URLs often hold a token: "scheme://host/..." for logs and
 * listings; e-mail addresses as they are. */
void alerts_redact(const char *channel, const char *recipient, char *buf,
    size_t size);

/*
 * `fragwatch alerts [--limit N] [--resend ID]`: lists the newest alerts
 * with their deliveries (state, attempts, last error), or puts alert ID's
 * deliveries back to pending (attempts reset) so that the next drain
 * sends it again. Returns 0, -EINVAL (usage; message printed), -ENOENT
 * (no such alert), or -errno for a database error (logged).
 */
int alerts_command(struct db *db, const struct conf *c, int argc, char **argv,
    int64_t *resent);

#endif
