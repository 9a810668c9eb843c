/* records.h - record-grain extracts: COPY the records straight into their table, replace older ones, upsert the rollup's facts. */
#ifndef FRAGWATCH_RECORDS_H
#define FRAGWATCH_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/copy.h"
#include "daemon/db.h"
#include "extractors/mapping.h"
#include "extractors/rollup.h"

/* Starts a binary COPY into the kind's records table (run_id, source,
 * line, then the kind's fields). Returns 0 or -errno with cp->err. */
int records_copy_begin(struct copy *cp, struct db *db,
    const struct conf_source *src);

/* Writes one mapped record (MAPPING_OK) as a row of that COPY. */
void records_row(struct copy *cp, const struct conf *c,
    const struct conf_source *src, int64_t run_id, uint64_t line,
    const struct mapping_row *row);

/* Whether the source has records kept by earlier runs; asked before the
 * COPY, so that a first load skips the replacement. */
int records_exist(struct db *db, const struct conf_source *src, bool *exist,
    char *err, size_t errlen);

/* Deletes the records that runs before run_id kept for the source in the
 * given periods (the periods of the records' own day, as rollup_periods()
 * gives them): an extract replaces the periods it covers. */
int records_replace(struct db *db, const struct conf_source *src,
    int64_t run_id, const int32_t *periods, size_t nperiods, char *err,
    size_t errlen);

/* Upserts the rollup's facts into the kind's fact table, with the source
 * and run. *facts counts the fact rows written. Returns 0 or -errno with
 * err. */
int records_facts(struct db *db, const struct conf *c,
    const struct conf_source *src, int64_t run_id, struct rollup *r,
    uint64_t *facts, char *err, size_t errlen);

#endif
