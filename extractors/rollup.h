/* rollup.h - record-grain rows summed per period, area and organisation while they stream: the facts of a record extract. */
#ifndef FRAGWATCH_ROLLUP_H
#define FRAGWATCH_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extractors/kind.h"
#include "extractors/mapping.h"
#include "extractors/value.h"

/*
 * The aggregation is the one PostgreSQL did with GROUP BY before, kept
 * exact: counts, a mean as sum / count, and medians and 90th percentiles
 * as percentile_cont() (interpolated between the two middle values) from
 * a histogram of whole days. Memory grows with the keys (periods x areas x
 * organisations) and the distinct day counts within each key, never with
 * the rows.
 *
 * Referrals: received, accepted and rejected by the period of 'received'
 * (accepted and rejected are NULL when no row of the key has a status),
 * completed by the period of 'closed', triage_median_days the median of
 * assessed - received. Queue snapshots: of each key's rows only those of
 * its latest snapshot day count; waiting_total, waiting_over_target (wait
 * longer than the area's guarantee), mean, median and 90th percentile of
 * snapshot - waiting_since; removed is NULL.
 */

/* One fact row: fields indexed like the aggregate kind's field table. */
struct rollup_fact {
	int32_t period;     /* first day of the period */
	int area, org;      /* indices into the config's areas, organisations */
	double values[MAPPING_MAX_FIELDS];
	bool present[MAPPING_MAX_FIELDS]; /* false: NULL */
	uint64_t line;      /* the first line behind the fact */
};

struct rollup;

/* A rollup of rows of record kind 'records' into facts of 'facts' (the
 * aggregate kind of the same name) by periods of 'grain'. guarantee_days
 * holds each area's waiting time guarantee (queue only; may be NULL for
 * referrals). Returns NULL when out of memory or the kind has no rollup. */
struct rollup *rollup_new(const struct kind *records, const struct kind *facts,
    enum value_grain grain, const int *guarantee_days, size_t nareas);
void rollup_free(struct rollup *r);

/* Adds one mapped record (MAPPING_OK) read from 'line'. Returns 0, or
 * -ENOMEM, or -E2BIG for an area or organisation index above 65534. */
int rollup_add(struct rollup *r, const struct mapping_row *row,
    uint64_t line);

/* Facts in the rollup. */
size_t rollup_count(const struct rollup *r);

/* The facts in (period, area, org) order: call with *pos = 0 first; false
 * when there are no more. Sorts on the first call (no rollup_add after). */
bool rollup_next(struct rollup *r, size_t *pos, struct rollup_fact *out);

/* The distinct periods of the records' own day ('received', 'snapshot'),
 * in order: the periods an extract replaces. Sets *out to a malloc'd
 * array (the caller frees it) and *n to its length. Returns 0 or -ENOMEM. */
int rollup_periods(const struct rollup *r, int32_t **out, size_t *n);

#endif
