/* assess.h - after a load: indicator values and lights, composite area statuses, status history. */
#ifndef FRAGWATCH_ASSESS_H
#define FRAGWATCH_ASSESS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/* Recomputes, inside the caller's transaction, every indicator value from
 * period 'from' (days since 1970-01-01) on, their lights, the composite
 * status of every area x organisation (and region-wide) as of each period
 * from 'from' on and as of 'today', and records status changes in the
 * history. Returns 0 or -errno with err. */
int assess_run(struct db *db, const struct conf *c, int64_t run_id,
    int32_t from, int32_t today, char *err, size_t errlen);

/* Today's date in the region's time zone, or $FRAGWATCH_TODAY
 * (YYYY-MM-DD) when set, which tests use to fix "now". */
int32_t assess_today(const struct conf *c);

#endif
