/* copy.h - COPY FROM STDIN writer: text or binary format, batching, abort, or a spool file sent later. */
#ifndef FRAGWATCH_COPY_H
#define FRAGWATCH_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/db.h"

struct copy {
	struct db *db;
	FILE *spool;    /* copy_spool(): batches go to this file instead */
	bool binary;    /* PostgreSQL's binary COPY format */
	char *buf;
	size_t len, cap;
	size_t row;     /* binary: where the current row's field count goes */
	int fields;     /* fields written in the current row */
	int error;      /* first failure; later calls do nothing */
	char err[256];
};

/* Starts "COPY ... FROM STDIN" (sql) in text format. Returns 0 or -errno
 * with err. */
int copy_begin(struct copy *c, struct db *db, const char *sql);

/* Starts "COPY ... FROM STDIN (FORMAT binary)" (sql must say so). Values
 * must then match the columns' types exactly: copy_int for bigint,
 * copy_date for date, copy_double for double precision, copy_text for
 * text. Returns 0 or -errno with err. */
int copy_begin_binary(struct copy *c, struct db *db, const char *sql);

/* Text-format rows written to f (a temporary file) instead of a server:
 * copy_send() later COPYs the file's rows in one go. */
void copy_spool(struct copy *c, FILE *f);

/* Appends one field to the current row. */
void copy_text(struct copy *c, const char *s);
void copy_textn(struct copy *c, const char *s, size_t n);
void copy_null(struct copy *c);
void copy_int(struct copy *c, int64_t v);
void copy_double(struct copy *c, double v);
void copy_date(struct copy *c, int32_t days);

/* Ends the row; sends the batch when it is large. Returns c->error. */
int copy_row(struct copy *c);

/* Ends the COPY: with abort_reason non-NULL the server discards it all.
 * Returns 0 or -errno with the server's message in c->err. Frees the
 * buffer either way. A spool is flushed, not closed. */
int copy_end(struct copy *c, const char *abort_reason);

/* Runs "COPY ... FROM STDIN" (sql, text format) with the rows spooled in
 * f, from its start. Returns 0 or -errno with err. */
int copy_send(struct db *db, const char *sql, FILE *f, char *err,
    size_t errlen);

#endif
