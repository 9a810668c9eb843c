/* csvsrc.h - streaming CSV records (libcsv, strict) with line numbers and size caps. */
#ifndef FRAGWATCH_CSVSRC_H
#define FRAGWATCH_CSVSRC_H

#include <stddef.h>
#include <stdint.h>

struct csvsrc;

/* One record; valid only during the callback. */
struct csvsrc_record {
	char *const *fields;   /* NUL-terminated, quotes removed */
	const size_t *lens;
	size_t nfields;
	uint64_t line;         /* physical line (1-based) the record starts on */
	uint64_t index;        /* 0-based record number */
};

/* Called per record; a negative return stops parsing with that error. */
typedef int (*csvsrc_record_fn)(void *ctx, const struct csvsrc_record *rec);

struct csvsrc_limits {
	size_t max_record_bytes; /* one record, quoted newlines included */
	size_t max_columns;
};

/* A parser with the given delimiter and quote character, or NULL. */
struct csvsrc *csvsrc_new(char delimiter, char quote,
    const struct csvsrc_limits *limits, csvsrc_record_fn fn, void *ctx);
void csvsrc_free(struct csvsrc *p);

/* Parses the next bytes. Returns 0, the callback's negative return, or
 * -EPROTO (malformed CSV) / -E2BIG (a cap exceeded) with a message. */
int csvsrc_feed(struct csvsrc *p, const char *buf, size_t len, char *err,
    size_t errlen);

/* Ends the input: a last record without a newline is still a record; a
 * quoted field left open (a truncated file) is -EPROTO. */
int csvsrc_finish(struct csvsrc *p, char *err, size_t errlen);

/* Writes rec back as one CSV line (quoting where needed) into buf, cut at
 * size - 1 bytes with "..." when longer; returns the length written. For
 * keeping a rejected row's text. */
size_t csvsrc_format(const struct csvsrc_record *rec, char delimiter,
    char quote, char *buf, size_t size);

/* Records seen so far. */
uint64_t csvsrc_records(const struct csvsrc *p);

#endif
