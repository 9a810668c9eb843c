/* copy.h - COPY FROM STDIN writer: text-format escaping, batching, abort. */
#ifndef FRAGWATCH_COPY_H
#define FRAGWATCH_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/db.h"

struct copy {
	struct db *db;
	char *buf;
	size_t len, cap;
	int fields;     /* fields written in the current row */
	int error;      /* first failure; later calls do nothing */
	char err[256];
};

/* Starts "COPY ... FROM STDIN" (sql). Returns 0 or -errno with err. */
int copy_begin(struct copy *c, struct db *db, const char *sql);

/* Appends one field to the current row. */
void copy_text(struct copy *c, const char *s);
void copy_null(struct copy *c);
void copy_int(struct copy *c, int64_t v);
void copy_double(struct copy *c, double v);
void copy_date(struct copy *c, int32_t days);

/* Ends the row; sends the batch when it is large. Returns c->error. */
int copy_row(struct copy *c);

/* Ends the COPY: with abort_reason non-NULL the server discards it all.
 * Returns 0 or -errno with the server's message in c->err. Frees the
 * buffer either way. */
int copy_end(struct copy *c, const char *abort_reason);

#endif
