/* copy.c - buffers COPY rows (text or binary format) and sends them in 256 KiB batches. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/copy.h"
#include "extractors/value.h"

/* Below the kernel's socket buffer (~208 KiB), so that a send returns
 * while the server still has rows queued: 256 KiB batches made the
 * client wait for the server to drain most of each (ARCHITECTURE.md). */
#define COPY_BATCH (64 * 1024)

/* PostgreSQL's dates count days from 2000-01-01, ours from 1970-01-01. */
#define PG_EPOCH_DAYS 10957

static int
start(struct copy *c, struct db *db, const char *sql)
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

int
copy_begin(struct copy *c, struct db *db, const char *sql)
{
	return start(c, db, sql);
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
put16(char *p, uint16_t v)
{
	p[0] = (char)(v >> 8);
	p[1] = (char)v;
}

static void
put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

static void
put64(char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

int
copy_begin_binary(struct copy *c, struct db *db, const char *sql)
{
	/* Signature, flags (no OIDs) and an empty header extension. */
	static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

	if (start(c, db, sql) < 0)
		return c->error;
	c->binary = true;
	reserve(c, sizeof(header));
	if (c->error == 0) {
		memcpy(c->buf, header, sizeof(header));
		c->len = sizeof(header);
	}
	return c->error;
}

void
copy_spool(struct copy *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->spool = f;
}

/* Starts a field: a tab in text format; in binary format the row's field
 * count (first field) and the field's length (-1: NULL). n is the most
 * the field's text can take. */
static void
field(struct copy *c, int32_t len, size_t n)
{
	reserve(c, 6 + n);
	if (c->error != 0)
		return;
	if (c->binary) {
		if (c->fields++ == 0) {
			c->row = c->len;
			c->len += 2;
		}
		put32(c->buf + c->len, (uint32_t)len);
		c->len += 4;
	} else if (c->fields++ > 0)
		c->buf[c->len++] = '\t';
}

void
copy_textn(struct copy *c, const char *s, size_t n)
{
	char *w;

	field(c, (int32_t)n, c->binary ? n : 2 * n);
	if (c->error != 0)
		return;
	if (c->binary) {
		memcpy(c->buf + c->len, s, n);
		c->len += n;
		return;
	}
	w = c->buf + c->len;
	for (size_t i = 0; i < n; i++) {
		char e = 0;

		switch (s[i]) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		}
		if (e != 0) {
			*w++ = '\\';
			*w++ = e;
		} else
			*w++ = s[i];
	}
	c->len = (size_t)(w - c->buf);
}

void
copy_text(struct copy *c, const char *s)
{
	copy_textn(c, s, strlen(s));
}

void
copy_null(struct copy *c)
{
	field(c, -1, 2);
	if (c->error == 0 && !c->binary) {
		memcpy(c->buf + c->len, "\\N", 2);
		c->len += 2;
	}
}

void
copy_int(struct copy *c, int64_t v)
{
	char b[24], *p = b + sizeof(b);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (c->binary) {
		field(c, 8, 8);
		if (c->error == 0)
			put64(c->buf + c->len, (uint64_t)v);
		c->len += c->error == 0 ? 8 : 0;
		return;
	}
	/* By hand: snprintf was a tenth of the stream's time in a profile. */
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	field(c, 0, (size_t)(b + sizeof(b) - p));
	if (c->error != 0)
		return;
	memcpy(c->buf + c->len, p, (size_t)(b + sizeof(b) - p));
	c->len += (size_t)(b + sizeof(b) - p);
}

void
copy_double(struct copy *c, double v)
{
	char b[40];
	uint64_t u;
	int n;

	if (c->binary) {
		memcpy(&u, &v, sizeof(u));
		field(c, 8, 8);
		if (c->error == 0)
			put64(c->buf + c->len, u);
		c->len += c->error == 0 ? 8 : 0;
		return;
	}
	/* 15 significant digits print what the file said, not 0.1 + 1e-17. */
	n = snprintf(b, sizeof(b), "%.15g", v);
	field(c, 0, (size_t)n);
	if (c->error != 0)
		return;
	memcpy(c->buf + c->len, b, (size_t)n);
	c->len += (size_t)n;
}

void
copy_date(struct copy *c, int32_t days)
{
	int y, m, d;
	char *w;

	if (c->binary) {
		field(c, 4, 4);
		if (c->error == 0)
			put32(c->buf + c->len, (uint32_t)(days - PG_EPOCH_DAYS));
		c->len += c->error == 0 ? 4 : 0;
		return;
	}
	value_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		char b[24];

		value_format_date(days, b, sizeof(b));
		copy_textn(c, b, strlen(b));
		return;
	}
	field(c, 0, 10);
	if (c->error != 0)
		return;
	w = c->buf + c->len;
	w[0] = (char)('0' + y / 1000);
	w[1] = (char)('0' + y / 100 % 10);
	w[2] = (char)('0' + y / 10 % 10);
	w[3] = (char)('0' + y % 10);
	w[4] = '-';
	w[5] = (char)('0' + m / 10);
	w[6] = (char)('0' + m % 10);
	w[7] = '-';
	w[8] = (char)('0' + d / 10);
	w[9] = (char)('0' + d % 10);
	c->len += 10;
}

static int
flush(struct copy *c)
{
	if (c->error == 0 && c->len > 0) {
		if (c->spool != NULL) {
			if (fwrite(c->buf, 1, c->len, c->spool) != c->len) {
				snprintf(c->err, sizeof(c->err), "cannot write "
				    "the spool file: %s", strerror(errno));
				c->error = -EIO;
			}
		} else if (PQputCopyData(c->db->conn, c->buf, (int)c->len) != 1) {
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
	if (c->binary)
		put16(c->buf + c->row, (uint16_t)c->fields);
	else
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

	if (c->binary && abort_reason == NULL) {
		reserve(c, 2);
		if (c->error == 0) {
			put16(c->buf + c->len, 0xffff); /* the trailer */
			c->len += 2;
		}
	}
	if (abort_reason == NULL || c->spool != NULL)
		flush(c);
	rc = c->error;
	if (c->spool != NULL) {
		if (rc == 0 && fflush(c->spool) != 0) {
			snprintf(c->err, sizeof(c->err), "cannot write the spool "
			    "file: %s", strerror(errno));
			rc = -EIO;
		}
		goto out;
	}
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
out:
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	return rc;
}

int
copy_send(struct db *db, const char *sql, FILE *f, char *err, size_t errlen)
{
	struct copy c;
	size_t n;
	int rc;

	if ((rc = copy_begin(&c, db, sql)) < 0) {
		snprintf(err, errlen, "%s", c.err);
		return rc;
	}
	rewind(f);
	reserve(&c, COPY_BATCH);
	while (c.error == 0 && (n = fread(c.buf, 1, COPY_BATCH, f)) > 0) {
		c.len = n;
		flush(&c);
	}
	if (c.error == 0 && ferror(f)) {
		snprintf(c.err, sizeof(c.err), "cannot read the spool file");
		c.error = -EIO;
	}
	if ((rc = copy_end(&c, NULL)) < 0)
		snprintf(err, errlen, "%s", c.err);
	return rc;
}
