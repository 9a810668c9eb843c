/* test_decode.c - unit tests of decode.c: UTF-8 checks, BOMs, chunk splits, single-byte charsets. */
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

#include "extractors/decode.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Everything the sink received, and how to make it fail. */
struct sink {
	char buf[65536];
	size_t len;
	size_t calls;
	size_t fail_after; /* calls that succeed before it returns fail_rc */
	int fail_rc;
};

static int
to_sink(void *ctx, const char *buf, size_t len)
{
	struct sink *s = ctx;

	if (s->fail_rc != 0 && s->calls == s->fail_after) {
		s->calls++;
		return s->fail_rc;
	}
	s->calls++;
	assert_true(s->len + len <= sizeof(s->buf));
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	return 0;
}

/*
 * Decodes in (len bytes) from encoding, in pieces cut at cuts (ascending),
 * then finishes. Returns the first error with its message in err.
 */
static int
decode_cut(const char *encoding, const char *in, size_t len,
    const size_t *cuts, size_t ncuts, struct sink *s, char *err,
    size_t errlen)
{
	struct decode *d = decode_new(encoding);
	size_t at = 0;
	int rc = 0;

	assert_non_null(d);
	err[0] = '\0';
	for (size_t i = 0; i <= ncuts && rc == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		rc = decode_feed(d, in + at, end - at, to_sink, s, err, errlen);
		at = end;
	}
	if (rc == 0)
		rc = decode_finish(d, err, errlen);
	decode_free(d);
	return rc;
}

static bool
sink_is(const struct sink *s, const char *want, size_t wlen)
{
	return s->len == wlen && memcmp(s->buf, want, wlen) == 0;
}

/* ---- UTF-8 input -------------------------------------------------------- */

struct utf8_case {
	const char *name;
	const char *in;
	const char *out;  /* NULL: -EILSEQ expected */
	size_t bad_at;    /* 0-based offset of the offending byte */
};

static const struct utf8_case utf8_cases[] = {
	{ "ASCII", "a,b\r\nc,d\n", "a,b\r\nc,d\n", 0 },
	{ "Swedish", "S\xc3\xb6" "dra \xc3\x84lvsborg", "S\xc3\xb6" "dra "
	  "\xc3\x84lvsborg", 0 },
	{ "BOM dropped", "\xef\xbb\xbf" "a,\xc3\xa4\n", "a,\xc3\xa4\n", 0 },
	{ "BOM only", "\xef\xbb\xbf", "", 0 },
	/* Boundaries of each sequence length. */
	{ "U+0080", "a\xc2\x80" "b", "a\xc2\x80" "b", 0 },
	{ "U+07FF", "a\xdf\xbf" "b", "a\xdf\xbf" "b", 0 },
	{ "U+0800", "a\xe0\xa0\x80" "b", "a\xe0\xa0\x80" "b", 0 },
	{ "U+D7FF", "a\xed\x9f\xbf" "b", "a\xed\x9f\xbf" "b", 0 },
	{ "U+E000", "a\xee\x80\x80" "b", "a\xee\x80\x80" "b", 0 },
	{ "U+FFFF", "a\xef\xbf\xbf" "b", "a\xef\xbf\xbf" "b", 0 },
	{ "U+10000", "a\xf0\x90\x80\x80" "b", "a\xf0\x90\x80\x80" "b", 0 },
	{ "U+10FFFF", "a\xf4\x8f\xbf\xbf" "b", "a\xf4\x8f\xbf\xbf" "b", 0 },
	{ "euro and emoji", "\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac"
	  "\xf0\x9f\x98\x80", 0 },
	/* Latin-1 sent as UTF-8: 'ä' is a lone 0xE4 before ASCII. */
	{ "Latin-1 'V\xe4xj\xf6'", "abc,V\xe4xj\xf6\n", NULL, 5 },
	{ "lone continuation", "a\x80" "b", NULL, 1 },
	{ "continuation BF", "a\xbf" "b", NULL, 1 },
	{ "missing continuation", "a\xc3(b", NULL, 1 },
	{ "3-byte missing second continuation", "a\xe2\x82(b", NULL, 1 },
	{ "3-byte missing first continuation", "a\xe2(\xa1" "b", NULL, 1 },
	{ "overlong NUL C0 80", "a\xc0\x80" "b", NULL, 1 },
	{ "overlong C1 BF", "a\xc1\xbf" "b", NULL, 1 },
	{ "overlong U+07FF in 3 bytes", "a\xe0\x9f\xbf" "b", NULL, 1 },
	{ "overlong '/' in 3 bytes", "a\xe0\x80\xaf" "b", NULL, 1 },
	{ "overlong U+FFFF in 4 bytes", "a\xf0\x8f\xbf\xbf" "b", NULL, 1 },
	{ "surrogate U+D800", "a\xed\xa0\x80" "b", NULL, 1 },
	{ "surrogate U+DFFF", "a\xed\xbf\xbf" "b", NULL, 1 },
	{ "above U+10FFFF", "a\xf4\x90\x80\x80" "b", NULL, 1 },
	{ "F5 lead", "a\xf5\x80\x80\x80" "b", NULL, 1 },
	{ "FE", "a\xfe" "b", NULL, 1 },
	{ "FF", "a\xff" "b", NULL, 1 },
};

static void
check_utf8(const struct utf8_case *tc, const size_t *cuts, size_t ncuts)
{
	struct sink s = { .len = 0 };
	char err[256], at[64];
	int rc;

	rc = decode_cut("UTF-8", tc->in, strlen(tc->in), cuts, ncuts, &s, err,
	    sizeof(err));
	if (tc->out != NULL) {
		if (rc != 0)
			fail_msg("%s (%zu cuts): rc %d: %s", tc->name, ncuts, rc,
			    err);
		if (!sink_is(&s, tc->out, strlen(tc->out)))
			fail_msg("%s (%zu cuts): output differs (%zu bytes, "
			    "want %zu)", tc->name, ncuts, s.len,
			    strlen(tc->out));
		return;
	}
	if (rc != -EILSEQ)
		fail_msg("%s (%zu cuts): rc %d, want -EILSEQ", tc->name, ncuts,
		    rc);
	snprintf(at, sizeof(at), "byte %zu:", tc->bad_at);
	if (strstr(err, at) == NULL)
		fail_msg("%s (%zu cuts): message '%s' lacks '%s'", tc->name,
		    ncuts, err, at);
	/* Nothing at or after the bad byte reached the sink. */
	if (s.len > tc->bad_at || memcmp(s.buf, tc->in, s.len) != 0)
		fail_msg("%s (%zu cuts): %zu bytes passed on", tc->name, ncuts,
		    s.len);
}

static void
test_utf8(void **state)
{
	for (size_t i = 0; i < NELEM(utf8_cases); i++)
		check_utf8(&utf8_cases[i], NULL, 0);
}

/*
 * A character cut across two or three feed calls arrives intact, and an
 * invalid one is reported at the same offset however it is cut. The BOM
 * cases are left out: a BOM is recognised in the first chunk only.
 */
static void
test_utf8_any_split(void **state)
{
	for (size_t i = 0; i < NELEM(utf8_cases); i++) {
		const struct utf8_case *tc = &utf8_cases[i];
		size_t len = strlen(tc->in), cuts[2];

		if ((unsigned char)tc->in[0] == 0xef)
			continue;
		for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
			check_utf8(tc, cuts, 1);
			for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++)
				check_utf8(tc, cuts, 2);
		}
	}
}

/* A four-byte character fed one byte per call. */
static void
test_utf8_byte_by_byte(void **state)
{
	static const char in[] = "x\xf0\x9f\x98\x80y\xe2\x82\xac";
	size_t cuts[sizeof(in)];
	struct sink s = { .len = 0 };
	char err[256];

	for (size_t k = 0; k + 1 < sizeof(in); k++)
		cuts[k] = k + 1;
	assert_int_equal(decode_cut("UTF-8", in, sizeof(in) - 1, cuts,
	    sizeof(in) - 2, &s, err, sizeof(err)), 0);
	assert_true(sink_is(&s, in, sizeof(in) - 1));
}

/* The stream may not end inside a character. */
static void
test_utf8_truncated(void **state)
{
	static const char *const ins[] = { "ab\xe2\x82", "ab\xc3",
	    "ab\xf0\x9f\x98" };

	for (size_t i = 0; i < NELEM(ins); i++) {
		struct decode *d = decode_new("UTF-8");
		struct sink s = { .len = 0 };
		char err[256] = "";

		assert_non_null(d);
		assert_int_equal(decode_feed(d, ins[i], strlen(ins[i]), to_sink,
		    &s, err, sizeof(err)), 0);
		assert_true(sink_is(&s, "ab", 2));
		assert_int_equal(decode_finish(d, err, sizeof(err)), -EILSEQ);
		assert_non_null(strstr(err, "truncated"));
		decode_free(d);
	}
}

static void
test_utf16_refused(void **state)
{
	static const char *const ins[] = { "\xff\xfe" "a\0,\0", "\xfe\xff\0a" };

	for (size_t i = 0; i < NELEM(ins); i++) {
		struct decode *d = decode_new("UTF-8");
		struct sink s = { .len = 0 };
		char err[256] = "";

		assert_non_null(d);
		assert_int_equal(decode_feed(d, ins[i], 4, to_sink, &s, err,
		    sizeof(err)), -EILSEQ);
		assert_non_null(strstr(err, "UTF-16"));
		assert_int_equal(s.len, 0);
		decode_free(d);
	}
}

/* Only the start of the stream can hold a BOM: later the same bytes are
 * text (U+FEFF in UTF-8, "ÿþ" in Windows-1252). */
static void
test_bom_only_at_start(void **state)
{
	static const size_t cuts[] = { 1 };
	struct sink s = { .len = 0 };
	char err[256];

	assert_int_equal(decode_cut("UTF-8", "a\xef\xbb\xbf" "b", 5, cuts, 1,
	    &s, err, sizeof(err)), 0);
	assert_true(sink_is(&s, "a\xef\xbb\xbf" "b", 5));
	memset(&s, 0, sizeof(s));
	assert_int_equal(decode_cut("WINDOWS-1252", "x\xff\xfe", 3, cuts, 1,
	    &s, err, sizeof(err)), 0);
	assert_true(sink_is(&s, "x\xc3\xbf\xc3\xbe", 5));
}

/* decode_offset counts every byte consumed, the BOM included. */
static void
test_offset(void **state)
{
	struct decode *d = decode_new("utf-8");
	struct sink s = { .len = 0 };
	char err[256];

	assert_non_null(d);
	assert_int_equal(decode_offset(d), 0);
	assert_int_equal(decode_feed(d, "\xef\xbb\xbf" "ab\xc3", 6, to_sink,
	    &s, err, sizeof(err)), 0);
	assert_int_equal(decode_offset(d), 6);
	assert_int_equal(decode_feed(d, "\xa4\n", 2, to_sink, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(decode_offset(d), 8);
	assert_int_equal(decode_finish(d, err, sizeof(err)), 0);
	assert_true(sink_is(&s, "ab\xc3\xa4\n", 5));
	decode_free(d);
	decode_free(NULL);
}

/* ---- single-byte charsets ----------------------------------------------- */

struct charset_case {
	const char *encoding;
	const char *in;
	const char *out;
};

static const struct charset_case charset_cases[] = {
	{ "WINDOWS-1252", "S\xf6" "dra \xc4lvsborg",
	  "S\xc3\xb6" "dra \xc3\x84lvsborg" },
	{ "WINDOWS-1252", "\x80", "\xe2\x82\xac" },               /* euro */
	{ "WINDOWS-1252", "\x96\x9a\x8a\x9f", "\xe2\x80\x93\xc5\xa1\xc5\xa0"
	  "\xc5\xb8" },                               /* en dash, š, Š, Ÿ */
	{ "WINDOWS-1252", "V\xe4xj\xf6;\xe5;\xc5;\xe9;\xff",
	  "V\xc3\xa4xj\xc3\xb6;\xc3\xa5;\xc3\x85;\xc3\xa9;\xc3\xbf" },
	{ "windows-1252", "a,b\r\n", "a,b\r\n" },
	{ "ISO-8859-1", "S\xf6" "dra \xc4lvsborg",
	  "S\xc3\xb6" "dra \xc3\x84lvsborg" },
	{ "ISO-8859-1", "\x80\xa0\xff", "\xc2\x80\xc2\xa0\xc3\xbf" },
	{ "ISO-8859-15", "\xa4", "\xe2\x82\xac" },                /* euro */
};

static void
test_charsets(void **state)
{
	for (size_t i = 0; i < NELEM(charset_cases); i++) {
		const struct charset_case *tc = &charset_cases[i];
		size_t len = strlen(tc->in), cuts[32];
		struct sink s = { .len = 0 };
		char err[256];
		int rc;

		rc = decode_cut(tc->encoding, tc->in, len, NULL, 0, &s, err,
		    sizeof(err));
		if (rc != 0 || !sink_is(&s, tc->out, strlen(tc->out)))
			fail_msg("charset case %zu (%s): rc %d, %zu bytes", i,
			    tc->encoding, rc, s.len);
		/* Byte by byte gives the same. */
		assert_true(len <= NELEM(cuts));
		for (size_t k = 0; k < len; k++)
			cuts[k] = k + 1;
		memset(&s, 0, sizeof(s));
		rc = decode_cut(tc->encoding, tc->in, len, cuts, len, &s, err,
		    sizeof(err));
		if (rc != 0 || !sink_is(&s, tc->out, strlen(tc->out)))
			fail_msg("charset case %zu (%s) byte by byte: rc %d",
			    i, tc->encoding, rc);
	}
}

/* More output than one conversion buffer holds: 'ä' doubles in size. */
static void
test_charset_long(void **state)
{
	enum { N = 20000 };
	struct sink *s = calloc(1, sizeof(*s));
	char *in = malloc(N), err[256];

	assert_non_null(s);
	assert_non_null(in);
	memset(in, 0xe4, N);
	assert_int_equal(decode_cut("ISO-8859-1", in, N, NULL, 0, s, err,
	    sizeof(err)), 0);
	assert_int_equal(s->len, 2 * N);
	for (size_t i = 0; i < 2 * N; i += 2)
		assert_true(memcmp(s->buf + i, "\xc3\xa4", 2) == 0);
	free(in);
	free(s);
}

/* A byte the charset does not define is reported with its offset. */
static void
test_charset_undefined(void **state)
{
	struct sink s = { .len = 0 };
	char err[256];

	/* 0x81 is unassigned in Windows-1252. */
	assert_int_equal(decode_cut("WINDOWS-1252", "abc\x81", 4, NULL, 0, &s,
	    err, sizeof(err)), -EILSEQ);
	assert_non_null(strstr(err, "byte 3"));
	assert_non_null(strstr(err, "0x81"));
}

static void
test_unknown_encoding(void **state)
{
	errno = 0;
	assert_null(decode_new("NO-SUCH-CHARSET"));
	assert_int_equal(errno, EINVAL);
}

/* A failing sink stops decoding with its own error, for both paths. */
static void
test_sink_stops(void **state)
{
	static const char *const encodings[] = { "UTF-8", "WINDOWS-1252" };
	struct decode *d;
	struct sink s;
	char err[256];

	for (size_t i = 0; i < NELEM(encodings); i++) {
		d = decode_new(encodings[i]);
		memset(&s, 0, sizeof(s));
		s.fail_rc = -ECANCELED;
		assert_non_null(d);
		assert_int_equal(decode_feed(d, "abc", 3, to_sink, &s, err,
		    sizeof(err)), -ECANCELED);
		assert_int_equal(s.len, 0);
		decode_free(d);
	}

	/* Also when the sink gets a character completed from a carry. */
	d = decode_new("UTF-8");
	memset(&s, 0, sizeof(s));
	s.fail_rc = -EPIPE;
	assert_non_null(d);
	assert_int_equal(decode_feed(d, "\xc3", 1, to_sink, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(decode_feed(d, "\xa4" "b", 2, to_sink, &s, err,
	    sizeof(err)), -EPIPE);
	assert_int_equal(s.len, 0);
	decode_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_any_split),
		cmocka_unit_test(test_utf8_byte_by_byte),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_utf16_refused),
		cmocka_unit_test(test_bom_only_at_start),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_charset_long),
		cmocka_unit_test(test_charset_undefined),
		cmocka_unit_test(test_unknown_encoding),
		cmocka_unit_test(test_sink_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
