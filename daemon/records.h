/* records.h - record-grain extracts: keep the staged records and aggregate them into facts. */
#ifndef FRAGWATCH_RECORDS_H
#define FRAGWATCH_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/* From the run's staging table: replaces the source's kept records of
 * the periods the extract covers (unless keep_records is false), and
 * upserts their aggregation per period, area and organisation into the
 * kind's fact table. *facts counts the fact rows written. Returns 0 or
 * -errno with err. */
int records_load(struct db *db, const struct conf_source *src,
    int64_t run_id, uint64_t *facts, char *err, size_t errlen);

#endif
