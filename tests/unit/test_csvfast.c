/* test_csvfast.c - csvsrc.c's quote-free fast path reads every input exactly as libcsv does (differential test). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/csvsrc.h"

/*
 * The fast path only takes whole lines handed over in one piece, so the
 * same input fed one byte at a time goes through libcsv alone: that run
 * is the reference. Both must give the same records (fields, line
 * numbers), the same error and the same message.
 */

struct dump {
	char *text;
	size_t len, cap;
	size_t fail_at;       /* callback fails on this record (0: never) */
	size_t n;
};

static void
put(struct dump *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		d->cap = 2 * (d->len + n + 1);
		d->text = realloc(d->text, d->cap);
		assert_non_null(d->text);
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
}

static int
on_record(void *ctx, const struct csvsrc_record *rec)
{
	struct dump *d = ctx;
	char num[48];

	if (d->fail_at != 0 && ++d->n == d->fail_at)
		return -ECANCELED;
	snprintf(num, sizeof(num), "%llu#%llu:", (unsigned long long)rec->line,
	    (unsigned long long)rec->index);
	put(d, num, strlen(num));
	for (size_t i = 0; i < rec->nfields; i++) {
		assert_int_equal(rec->lens[i], strlen(rec->fields[i]));
		put(d, "<", 1);
		put(d, rec->fields[i], rec->lens[i]);
		put(d, ">", 1);
	}
	put(d, "\n", 1);
	return 0;
}

/* Parses in pieces of 'chunk' bytes (0: all at once); the records, then
 * the return code and message, into d. */
static void
parse(const char *in, size_t len, size_t chunk, char delim,
    const struct csvsrc_limits *lim, size_t fail_at, struct dump *d)
{
	struct csvsrc *p;
	char err[256] = "", tail[320];
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->fail_at = fail_at;
	p = csvsrc_new(delim, '"', lim, on_record, d);
	assert_non_null(p);
	put(d, "", 0);
	for (size_t off = 0; off < len && rc == 0; ) {
		size_t n = chunk == 0 || len - off < chunk ? len - off : chunk;

		rc = csvsrc_feed(p, in + off, n, err, sizeof(err));
		off += n;
	}
	if (rc == 0)
		rc = csvsrc_finish(p, err, sizeof(err));
	snprintf(tail, sizeof(tail), "rc=%d %s\n", rc, rc ? err : "");
	put(d, tail, strlen(tail));
	csvsrc_free(p);
}

static uint64_t seed;

static unsigned
rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* Mostly plain lines, some quoted fields, blanks, CRLF, bare CR, blank
 * lines, stray quotes: what real exports and broken ones look like. */
static size_t
gen(char *buf, size_t size, char delim)
{
	static const char *const atoms[] = { "a", "bc", "12", " ", "\t", "é",
		"  x  ", "", "\"q\"", "\"a;b\"", "\"l1\nl2\"", "\"\"\"\"",
		"x\"y", "\"open" };
	size_t n = 0, lines = 1 + rnd(12);

	for (size_t l = 0; l < lines && n + 200 < size; l++) {
		size_t fields = rnd(6);

		if (rnd(10) == 0)
			fields = 0; /* a blank line, or blanks only */
		for (size_t f = 0; f < fields; f++) {
			const char *a = atoms[rnd(rnd(4) == 0 ? 14 : 8)];

			if (f > 0)
				buf[n++] = delim;
			memcpy(buf + n, a, strlen(a));
			n += strlen(a);
		}
		if (fields == 0 && rnd(2))
			buf[n++] = ' ';
		switch (rnd(8)) {
		case 0: buf[n++] = '\r'; buf[n++] = '\n'; break;
		case 1: buf[n++] = '\r'; break;
		case 2: if (l + 1 == lines) break; /* fall through */
		default: buf[n++] = '\n'; break;
		}
	}
	return n;
}

static void
compare(const char *in, size_t len, char delim,
    const struct csvsrc_limits *lim, size_t fail_at)
{
	struct dump whole, bytes;

	parse(in, len, 0, delim, lim, fail_at, &whole);
	parse(in, len, 1, delim, lim, fail_at, &bytes);
	if (strcmp(whole.text, bytes.text) != 0) {
		fprintf(stderr, "input (%zu bytes): '%.*s'\nfast: %s\nlibcsv: %s\n",
		    len, (int)len, in, whole.text, bytes.text);
		fail();
	}
	free(whole.text);
	free(bytes.text);
}

static void
test_random_inputs(void **state)
{
	static const struct csvsrc_limits big = { 1 << 20, 1000 };
	char buf[4096];

	(void)state;
	seed = 0x2545F4914F6CDD1DULL;
	for (int i = 0; i < 20000; i++) {
		char delim = i % 3 == 0 ? '\t' : i % 3 == 1 ? ';' : ',';
		size_t n = gen(buf, sizeof(buf), delim);

		compare(buf, n, delim, &big, 0);
	}
}

/* Caps and a failing callback stop both paths at the same record. */
static void
test_caps_and_stops(void **state)
{
	static const struct csvsrc_limits narrow = { 1 << 20, 3 };
	static const struct csvsrc_limits shortrec = { 12, 100 };
	static const char in[] = "a;b;c\nd;e;f;g\nh\n";
	static const char in2[] = "a;b\n0123456789;x\ny\n";

	(void)state;
	compare(in, strlen(in), ';', &narrow, 0);
	compare(in2, strlen(in2), ';', &shortrec, 0);
	compare(in, strlen(in), ';', &(struct csvsrc_limits){ 1 << 20, 100 },
	    2);
}

/* Hand-checked: what the fast path gives for a plain line. */
static void
test_plain_line(void **state)
{
	static const struct csvsrc_limits big = { 1 << 20, 1000 };
	static const char in[] = "id; name ;\tx\t;;end\r\n2;b;c;d;e\n";
	struct dump d;

	(void)state;
	parse(in, strlen(in), 0, ';', &big, 0, &d);
	assert_string_equal(d.text, "1#0:<id><name><x><><end>\n"
	    "2#1:<2><b><c><d><e>\nrc=0 \n");
	free(d.text);
	/* With a tab delimiter, tabs are not blanks to trim. */
	parse("a\t b \t\tc\n", 9, 0, '\t', &big, 0, &d);
	assert_string_equal(d.text, "1#0:<a><b><><c>\nrc=0 \n");
	free(d.text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_caps_and_stops),
		cmocka_unit_test(test_random_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
