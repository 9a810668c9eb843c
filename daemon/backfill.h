/* backfill.h - the extracts that make up a range of a source's history: dated URLs or drop-directory files. */
#ifndef FRAGWATCH_BACKFILL_H
#define FRAGWATCH_BACKFILL_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/conf.h"

/* The URLs to load, oldest first, for periods from..to (days since
 * 1970-01-01, inclusive) of src:
 * - with backfill_url, that pattern formatted (strftime: %Y %m %d %G %V
 *   %j ...) with the first day of each period of the source's grain;
 * - for a drop directory (dir://DIR) without it, the files in DIR/done/
 *   whose name holds a date (YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY-Www)
 *   within the range, in name order, as file:// URLs.
 * *urls is malloc'd (free with backfill_free). Returns 0 or -errno with
 * a message in err (-EINVAL: the source cannot be backfilled). */
int backfill_urls(const struct conf_source *src, int32_t from, int32_t to,
    char ***urls, size_t *n, char *err, size_t errlen);

void backfill_free(char **urls, size_t n);

#endif
