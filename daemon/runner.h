/* runner.h - runs one configured source: its URL once, or each waiting file of its drop directory. */
#ifndef FRAGWATCH_RUNNER_H
#define FRAGWATCH_RUNNER_H

#include "daemon/conf.h"
#include "daemon/db.h"
#include "daemon/run.h"

/* Called after each run with its outcome. */
typedef void runner_done_fn(void *arg, const struct conf_source *src,
    const struct run_outcome *o);

/* Runs src from url (NULL: its own URL). A drop directory (dir://) runs
 * each waiting file in name order and moves it to done/ (loaded, even
 * stale, or already loaded) or failed/; an interrupted run leaves its
 * file. Calls done after each run. Returns the worst outcome
 * (runner_worse), RUN_UNCHANGED when there was nothing to do. */
enum run_status runner_run(struct db *db, const struct conf *c,
    const struct conf_source *src, const char *url,
    const struct run_control *ctl, runner_done_fn *done, void *arg);

/* The outcome that needs more attention: failed > interrupted > refused >
 * stale > busy > the loaded and unchanged ones. */
enum run_status runner_worse(enum run_status a, enum run_status b);

/* Logs a run's outcome with its MESSAGE_ID (finished, unchanged, refused,
 * failed, interrupted) and fields (source, run, rows, rejects, duration). */
void runner_log(const struct conf_source *src, const struct run_outcome *o);

#endif
