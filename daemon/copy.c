/* copy.c - buffers COPY text rows and sends them in 256 KiB batches. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/copy.h"
#include "extractors/value.h"

#define COPY_BATCH (256 * 1024)

int
copy_begin(struct copy *c, struct db *db, const char *sql)
{
	PGresult *r;

	memset(c, 0, sizeof(*c));
	c->db = db;
	r = PQexec(db->conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		snprintf(c->err, sizeof(c->err), "cannot start COPY: %s",
		    PQresultErrorMessage(r));
		c->error = -EIO;
	}
	PQclear(r);
	return c->error;
}

static void
reserve(struct copy *c, size_t n)
{
	char *b;
	size_t cap;

	if (c->error != 0 || c->len + n <= c->cap)
		return;
	cap = c->cap ? c->cap : COPY_BATCH + 4096;
	while (cap < c->len + n)
		cap *= 2;
	if ((b = realloc(c->buf, cap)) == NULL) {
		c->error = -ENOMEM;
		snprintf(c->err, sizeof(c->err), "out of memory");
		return;
	}
	c->buf = b;
	c->cap = cap;
}

static void
separator(struct copy *c)
{
	reserve(c, 1);
	if (c->error == 0 && c->fields++ > 0)
		c->buf[c->len++] = '\t';
}

void
copy_text(struct copy *c, const char *s)
{
	size_t n = strlen(s);

	separator(c);
	reserve(c, 2 * n);
	if (c->error != 0)
		return;
	for (; *s != '\0'; s++) {
		char e = 0;

		switch (*s) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		}
		if (e != 0) {
			c->buf[c->len++] = '\\';
			c->buf[c->len++] = e;
		} else
			c->buf[c->len++] = *s;
	}
}

static void
append(struct copy *c, const char *s, size_t n)
{
	separator(c);
	reserve(c, n);
	if (c->error != 0)
		return;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

void
copy_null(struct copy *c)
{
	append(c, "\\N", 2);
}

void
copy_int(struct copy *c, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	append(c, b, (size_t)n);
}

void
copy_double(struct copy *c, double v)
{
	char b[40];
	/* 15 significant digits print what the file said, not 0.1 + 1e-17. */
	int n = snprintf(b, sizeof(b), "%.15g", v);

	append(c, b, (size_t)n);
}

void
copy_date(struct copy *c, int32_t days)
{
	char b[16];

	value_format_date(days, b, sizeof(b));
	append(c, b, strlen(b));
}

static int
flush(struct copy *c)
{
	if (c->error == 0 && c->len > 0) {
		if (PQputCopyData(c->db->conn, c->buf, (int)c->len) != 1) {
			snprintf(c->err, sizeof(c->err), "COPY failed: %s",
			    PQerrorMessage(c->db->conn));
			c->error = -ECONNRESET;
		}
		c->len = 0;
	}
	return c->error;
}

int
copy_row(struct copy *c)
{
	reserve(c, 1);
	if (c->error != 0)
		return c->error;
	c->buf[c->len++] = '\n';
	c->fields = 0;
	if (c->len >= COPY_BATCH)
		flush(c);
	return c->error;
}

int
copy_end(struct copy *c, const char *abort_reason)
{
	PGresult *r;
	int rc;

	if (abort_reason == NULL)
		flush(c);
	rc = c->error;
	if (PQputCopyEnd(c->db->conn, rc == 0 ? abort_reason :
	    (abort_reason ? abort_reason : c->err)) != 1 && rc == 0) {
		snprintf(c->err, sizeof(c->err), "COPY failed: %s",
		    PQerrorMessage(c->db->conn));
		rc = -ECONNRESET;
	}
	/* Drain every result so the connection is usable afterwards. */
	while ((r = PQgetResult(c->db->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0 &&
		    abort_reason == NULL) {
			snprintf(c->err, sizeof(c->err), "COPY failed: %s",
			    PQresultErrorMessage(r));
			rc = db_lost(c->db) ? -ECONNRESET : -EIO;
		}
		PQclear(r);
	}
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	return rc;
}
