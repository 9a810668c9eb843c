/* csvsrc.c - feeds libcsv one physical line at a time so records carry their line number. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "extractors/csvsrc.h"

struct csvsrc {
	struct csv_parser csv;
	struct csvsrc_limits limits;
	csvsrc_record_fn fn;
	void *ctx;
	char delimiter;
	char quote;
	bool fast;              /* quote-free lines may bypass libcsv */
	/* The record being built: field texts back to back, NUL-terminated. */
	char *buf;
	size_t buflen, bufcap;
	size_t *offs, *lens;
	char **ptrs;
	size_t nfields, fieldcap;
	/* Where we are. */
	uint64_t line;          /* line of the bytes being fed */
	uint64_t record_line;   /* line the current record started on */
	uint64_t records;
	size_t record_bytes;
	bool expect_start;      /* the next non-blank line starts a record */
	bool pending_cr;        /* the last piece ended in a CR */
	int error;              /* set by a callback: stops parsing */
	char *err;
	size_t errlen;
};

static int
is_space_only(unsigned char c)
{
	return c == ' ';
}

static int
is_space_tab(unsigned char c)
{
	return c == ' ' || c == '\t';
}

struct csvsrc *
csvsrc_new(char delimiter, char quote, const struct csvsrc_limits *limits,
    csvsrc_record_fn fn, void *ctx)
{
	struct csvsrc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if (csv_init(&p->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		free(p);
		return NULL;
	}
	csv_set_delim(&p->csv, (unsigned char)delimiter);
	csv_set_quote(&p->csv, (unsigned char)quote);
	/* A tab delimiter must not be trimmed away as blank space. */
	csv_set_space_func(&p->csv, delimiter == '\t' ? is_space_only :
	    is_space_tab);
	p->limits = *limits;
	p->fn = fn;
	p->ctx = ctx;
	p->delimiter = delimiter;
	p->quote = quote;
	p->fast = delimiter != ' ';
	p->line = 1;
	p->expect_start = true;
	return p;
}

void
csvsrc_free(struct csvsrc *p)
{
	if (p == NULL)
		return;
	csv_free(&p->csv);
	free(p->buf);
	free(p->offs);
	free(p->lens);
	free(p->ptrs);
	free(p);
}

static void
fail(struct csvsrc *p, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct csvsrc *p, int error, const char *fmt, ...)
{
	va_list ap;

	if (p->error != 0)
		return;
	p->error = error;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void
on_field(void *data, size_t len, void *pv)
{
	struct csvsrc *p = pv;

	if (p->error != 0)
		return;
	if (p->nfields >= p->limits.max_columns) {
		fail(p, -E2BIG, "record on line %llu has more than %zu columns",
		    (unsigned long long)p->record_line, p->limits.max_columns);
		return;
	}
	if (p->nfields == p->fieldcap) {
		size_t cap = p->fieldcap ? p->fieldcap * 2 : 32;
		size_t *o = realloc(p->offs, cap * sizeof(*o));
		size_t *l = o ? realloc(p->lens, cap * sizeof(*l)) : NULL;
		char **q = l ? realloc(p->ptrs, cap * sizeof(*q)) : NULL;

		if (o) p->offs = o;
		if (l) p->lens = l;
		if (q == NULL) {
			fail(p, -ENOMEM, "out of memory");
			return;
		}
		p->ptrs = q;
		p->fieldcap = cap;
	}
	if (p->buflen + len + 1 > p->bufcap) {
		size_t cap = p->bufcap ? p->bufcap : 4096;
		char *b;

		while (cap < p->buflen + len + 1)
			cap *= 2;
		if ((b = realloc(p->buf, cap)) == NULL) {
			fail(p, -ENOMEM, "out of memory");
			return;
		}
		p->buf = b;
		p->bufcap = cap;
	}
	if (len > 0)
		memcpy(p->buf + p->buflen, data, len);
	p->offs[p->nfields] = p->buflen;
	p->lens[p->nfields] = len;
	p->buflen += len;
	p->buf[p->buflen++] = '\0';
	p->nfields++;
}

static void
on_record(int c, void *pv)
{
	struct csvsrc *p = pv;
	struct csvsrc_record rec;
	int rc;

	(void)c;
	p->expect_start = true;
	if (p->error != 0)
		return;
	for (size_t i = 0; i < p->nfields; i++)
		p->ptrs[i] = p->buf + p->offs[i];
	rec.fields = p->ptrs;
	rec.lens = p->lens;
	rec.nfields = p->nfields;
	rec.line = p->record_line;
	rec.index = p->records++;
	if ((rc = p->fn(p->ctx, &rec)) < 0)
		p->error = rc;
	p->nfields = 0;
	p->buflen = 0;
}

/* A line libcsv skips: only line ends and blanks (a tab is data when it
 * is the delimiter). */
static bool
blank_line(const struct csvsrc *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ' &&
		    (s[i] != '\t' || p->delimiter == '\t'))
			return false;
	return true;
}

static int
parse_piece(struct csvsrc *p, const char *s, size_t n)
{
	if (p->expect_start && !blank_line(p, s, n)) {
		p->expect_start = false;
		p->record_line = p->line;
		p->record_bytes = 0;
	}
	if (!p->expect_start) {
		p->record_bytes += n;
		if (p->record_bytes > p->limits.max_record_bytes) {
			fail(p, -E2BIG, "record on line %llu is longer than "
			    "%zu bytes", (unsigned long long)p->record_line,
			    p->limits.max_record_bytes);
			return p->error;
		}
	}
	if (csv_parse(&p->csv, s, n, on_field, on_record, p) != n)
		fail(p, -EPROTO, "malformed CSV on line %llu: %s",
		    (unsigned long long)p->line,
		    csv_strerror(csv_error(&p->csv)));
	return p->error;
}

/*
 * A whole line without a quote character, read the way libcsv reads it:
 * fields split at each delimiter, blanks (spaces, and tabs unless the tab
 * is the delimiter) trimmed from both ends. libcsv calls back for every
 * byte; with no quote there is nothing for its state machine to decide,
 * and this path made parsing about four times faster (ARCHITECTURE.md,
 * "Performance"). Only called between records, when libcsv holds no
 * partial one.
 */
static int
fast_line(struct csvsrc *p, const char *s, size_t n, size_t piece)
{
	const char *end = s + n, *f = s;

	p->expect_start = false;
	p->record_line = p->line;
	p->record_bytes = piece;
	if (piece > p->limits.max_record_bytes) {
		fail(p, -E2BIG, "record on line %llu is longer than %zu bytes",
		    (unsigned long long)p->record_line,
		    p->limits.max_record_bytes);
		return p->error;
	}
	for (;;) {
		const char *d = memchr(f, p->delimiter, (size_t)(end - f));
		const char *a = f, *b = d != NULL ? d : end;

		while (a < b && (*a == ' ' || (*a == '\t' && p->delimiter != '\t')))
			a++;
		while (b > a && (b[-1] == ' ' || (b[-1] == '\t' &&
		    p->delimiter != '\t')))
			b--;
		on_field((void *)(uintptr_t)a, (size_t)(b - a), p);
		if (p->error != 0 || d == NULL)
			break;
		f = d + 1;
	}
	if (p->error == 0)
		on_record('\n', p);
	return p->error;
}

int
csvsrc_feed(struct csvsrc *p, const char *buf, size_t len, char *err,
    size_t errlen)
{
	int rc = 0;

	p->err = err;
	p->errlen = errlen;
	/* Pieces end at LF, CRLF or a bare CR (old Mac files), so that each
	 * record knows its line. */
	while (len > 0 && rc == 0) {
		const char *nl = memchr(buf, '\n', len);
		const char *cr = memchr(buf, '\r', nl ? (size_t)(nl - buf) : len);
		const char *end = cr != NULL ? cr : nl;
		size_t n = end != NULL ? (size_t)(end - buf) + 1 : len, m;
		bool eol = end != NULL;

		if (cr != NULL && n < len && buf[n] == '\n')
			n++; /* CRLF */
		/* An LF right after a CR that ended the last piece is its CRLF. */
		if (p->pending_cr && buf[0] == '\n' && n == 1)
			eol = false;
		p->pending_cr = eol && buf[n - 1] == '\r';
		/* A whole LF or CRLF line between records, without quotes. */
		if (p->fast && p->expect_start && eol && buf[n - 1] == '\n' &&
		    (m = n - 1 - (n >= 2 && buf[n - 2] == '\r')) > 0 &&
		    memchr(buf, p->quote, m) == NULL && !blank_line(p, buf, n))
			rc = fast_line(p, buf, m, n);
		else
			rc = parse_piece(p, buf, n);
		if (eol)
			p->line++;
		buf += n;
		len -= n;
	}
	return rc;
}

int
csvsrc_finish(struct csvsrc *p, char *err, size_t errlen)
{
	p->err = err;
	p->errlen = errlen;
	if (p->error != 0)
		return p->error;
	if (csv_fini(&p->csv, on_field, on_record, p) != 0)
		fail(p, -EPROTO, "the file ends inside a quoted field on line "
		    "%llu (truncated?)", (unsigned long long)p->record_line);
	return p->error;
}

uint64_t
csvsrc_records(const struct csvsrc *p)
{
	return p->records;
}

/* Length of buf[0..n) without a UTF-8 character cut at its end. */
static size_t
utf8_whole(const char *buf, size_t n)
{
	size_t k = n, need;
	unsigned char lead;

	while (k > 0 && n - k < 4 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
		k--;
	if (k == 0)
		return n;
	lead = (unsigned char)buf[k - 1];
	if (lead < 0x80)
		return n;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return n - (k - 1) < need ? k - 1 : n;
}

size_t
csvsrc_format(const struct csvsrc_record *rec, char delimiter, char quote,
    char *buf, size_t size)
{
	size_t n = 0;
	bool cut = false;

	if (size > 0)
		buf[0] = '\0';
	if (size < 4)
		return 0;
	/* Write while it fits; only a record that does not fit is cut, and
	 * then "..." replaces its end (never half a UTF-8 character). */
	for (size_t i = 0; i < rec->nfields && !cut; i++) {
		const char *f = rec->fields[i];
		bool quoted = strpbrk(f, "\r\n") != NULL ||
		    strchr(f, delimiter) != NULL || strchr(f, quote) != NULL;

#define PUT(c) do { if (n + 1 < size) buf[n++] = (c); else cut = true; } while (0)
		if (i > 0)
			PUT(delimiter);
		if (quoted)
			PUT(quote);
		for (size_t j = 0; j < rec->lens[i] && !cut; j++) {
			if (f[j] == quote && quoted)
				PUT(quote);
			PUT(f[j]);
		}
		if (quoted)
			PUT(quote);
#undef PUT
	}
	if (cut) {
		n = utf8_whole(buf, size - 4);
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return n;
}
