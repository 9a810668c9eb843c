/* export.h - `fragwatch export`: an analyst view as CSV for spreadsheets. */
#ifndef FRAGWATCH_EXPORT_H
#define FRAGWATCH_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/*
 * An analyst view is a view in schema fragwatch that the read-only role
 * fragwatch_reader may select from (status_board, indicator_series,
 * status_history, run_log, reject_log, data_freshness, and any later one
 * granted to it); nothing else can be exported. The view is streamed row
 * by row (flat memory), in the view's own order, with a header row of its
 * column names. Values are PostgreSQL's text: dates ISO, booleans t/f,
 * decimals with a point, timestamps in the region's time zone; NULL is an
 * empty cell. See csvout.h for quoting and the formula guard.
 */

struct export_opts {
	const char *view;
	bool bom;        /* UTF-8 byte-order mark, for Excel */
	bool semicolon;  /* ';' between fields, for Swedish Excel */
};

/* Writes the view to f. Returns 0, -ENOENT (message in err) when view is
 * not an analyst view, -EREMOTEIO when a query fails, or the write error
 * (-errno). */
int export_csv(struct db *db, const struct conf *c,
    const struct export_opts *o, FILE *f, char *err, size_t errlen);

/* `fragwatch export --view NAME [--format csv] [--bom] [--semicolon]
 * [-o FILE]` (standard output by default); argv holds the command's
 * arguments. Returns the exit code: 0 written, 1 the file could not be
 * written, 2 usage or no such view, 4 database. */
int export_command(struct db *db, const struct conf *c, int argc,
    char **argv);

#endif
