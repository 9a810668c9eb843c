/* backtest.h - `fragwatch backtest`: replays the stored history, prints and stores how early warnings would have done. */
#ifndef FRAGWATCH_DAEMON_BACKTEST_H
#define FRAGWATCH_DAEMON_BACKTEST_H

#include "daemon/conf.h"
#include "daemon/db.h"

/*
 * Runs `fragwatch backtest`; argv holds the arguments after "backtest":
 *
 *   --from DATE   score periods from DATE (YYYY-MM-DD) on; earlier history
 *                 still feeds the detectors
 *   --to DATE     ignore everything after DATE, as if it were today
 *   --horizon N   hit window H in periods (default by the series' grain:
 *                 12 weeks, 3 months, 1 quarter)
 *   --json        print one JSON object instead of the table
 *   --trace       print every period of every series (tab-separated:
 *                 area, org, period, light, then 1/0 for fragwatch, E1
 *                 alone, warn at yellow) instead of the table
 *
 * Every area x organisation series of fragwatch.area_status (org '*' =
 * region-wide) is replayed one at a time (transforms/backtest.h gives the
 * definitions), scored for fragwatch and the two baselines, summed per
 * area and overall, printed to stdout and stored in
 * fragwatch.backtest_results in the same snapshot it read. Returns an
 * exit code: 0, 2 (usage) or 4 (database).
 */
int backtest_command(struct db *db, const struct conf *c, int argc,
    char **argv);

#endif
