/* trending.h - after a load: the early-warning detectors on every candidate series, kept in the warnings table. */
#ifndef FRAGWATCH_TRENDING_H
#define FRAGWATCH_TRENDING_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/db.h"
#include "transforms/warning.h"

/* The series an early warning watches: the weighted-2 indicators. */
#define TRENDING_CODES "'Q1', 'Q3', 'R1', 'S1', 'S2'"

/* Evaluates, inside the caller's transaction and after assess_run(), the
 * detectors on the newest periods of each area x organisation series
 * (org '*' region-wide) of the weighted-2 indicators and of the composite
 * score. A series that is not red and signals at its newest period and
 * the persistence - 1 periods before is trending fragile: its open
 * warning is updated, or a new one opened; open warnings that no longer
 * hold are cleared (cleared_why: "turned red" or "no longer trending").
 * Returns 0 or -errno with err. */
int trending_run(struct db *db, const struct conf *c, int64_t run_id,
    char *err, size_t errlen);

/* The horizon in periods of a series of the given grain ("week", ...). */
int trending_horizon(const struct conf *c, const char *grain);

/* The detectors' parameters for a series of the given grain: the
 * config's, with the horizon, the season (52 weeks, 12 months, 4
 * quarters when early_warning.seasonal; else 0) and the materiality of
 * E1 and E2 (material_weeks for weeks and days, else material_months). */
void trending_params(const struct conf *c, const char *grain,
    struct warning_params *p);

/* The threshold the composite score is judged against: red at or above
 * the red band, green below the yellow one. */
void trending_composite_threshold(const struct conf *c,
    struct status_threshold *t);

/* Words an area owner reads, e.g. "share waiting within the guarantee
 * limit falling 1.2 points a week; red in about 7 weeks". is_share:
 * values are fractions, shown in percentage points. */
void trending_explain(const char *name, bool is_share, bool higher_is_worse,
    const char *grain, const struct warning_verdict *v, char *buf,
    size_t size);

#endif
