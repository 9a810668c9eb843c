/* report.h - `fragwatch report`: one self-contained static HTML page of the region's fragility. */
#ifndef FRAGWATCH_REPORT_H
#define FRAGWATCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/*
 * The page has no script and no external asset (inline CSS and SVG, UTF-8),
 * so it works offline and as an e-mail attachment. Sections, one query
 * each: the status board (areas down, organisations and the region
 * across; a letter in every cell besides its colour; a marker where a
 * warning is active), the trending-fragile list (fragwatch.trending_fragile
 * when that view exists), a sparkline per area of each weighted-2
 * indicator region-wide over the last two years (threshold bands, SPC
 * centre line and limits, the projection to red of an active warning),
 * the sources' freshness and the latest refusals. Every value from the
 * database is escaped.
 */

/* Writes the page to f. Returns 0, -EREMOTEIO (with the database's
 * message in err) when a query fails, or the write error (-errno). */
int report_html(struct db *db, const struct conf *c, FILE *f, char *err,
    size_t errlen);

/* Writes the page to path atomically (a temporary file in the same
 * directory, then rename), mode 0644, so a reader never sees half a page.
 * Returns 0, -EREMOTEIO when a query fails, or the file's -errno; the message
 * is in err. */
int report_write(struct db *db, const struct conf *c, const char *path,
    char *err, size_t errlen);

/* `fragwatch report -o FILE` ("-o -": standard output); argv holds the
 * command's arguments (argv[0] is the first one). Returns the exit code:
 * 0 written, 1 the file could not be written, 2 usage, 4 database. */
int report_command(struct db *db, const struct conf *c, int argc,
    char **argv);

#endif
