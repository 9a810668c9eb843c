/* test_csvsrc.c - unit tests of csvsrc.c: records, line numbers, splits, caps, errors, format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "extractors/csvsrc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Generous caps for the tests that are not about caps. */
static const struct csvsrc_limits big = { 1 << 20, 1000 };

/*
 * Every record seen, rendered as "LINE:[field][field]\n" with CR, LF and
 * tab written as \r, \n, \t so that expected values stay readable.
 */
struct collect {
	char text[4096];
	size_t len;
	uint64_t nrecords;
	uint64_t stop_at;   /* record index whose callback fails, or 0 */
	int stop_rc;
};

static void
put(struct collect *c, const char *s, size_t n)
{
	assert_true(c->len + n < sizeof(c->text));
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len] = '\0';
}

static int
on_record(void *ctx, const struct csvsrc_record *rec)
{
	struct collect *c = ctx;
	char num[32];

	/* Records are numbered from 0 without gaps. */
	assert_int_equal(rec->index, c->nrecords);
	if (c->stop_rc != 0 && rec->index == c->stop_at) {
		c->nrecords++;
		return c->stop_rc;
	}
	snprintf(num, sizeof(num), "%llu:", (unsigned long long)rec->line);
	put(c, num, strlen(num));
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *f = rec->fields[i];

		assert_int_equal(rec->lens[i], strlen(f));
		put(c, "[", 1);
		for (size_t j = 0; j < rec->lens[i]; j++) {
			if (f[j] == '\n')
				put(c, "\\n", 2);
			else if (f[j] == '\r')
				put(c, "\\r", 2);
			else if (f[j] == '\t')
				put(c, "\\t", 2);
			else
				put(c, f + j, 1);
		}
		put(c, "]", 1);
	}
	put(c, "\n", 1);
	c->nrecords++;
	return 0;
}

/*
 * Parses input in pieces cut at the offsets in cuts (ascending, each
 * <= len), then finishes. Returns the first error; err gets its message.
 */
static int
parse_cut(const char *input, size_t len, char delim,
    const struct csvsrc_limits *lim, const size_t *cuts, size_t ncuts,
    struct collect *c, char *err, size_t errlen)
{
	struct csvsrc *p = csvsrc_new(delim, '"', lim, on_record, c);
	size_t at = 0;
	int rc = 0;

	assert_non_null(p);
	err[0] = '\0';
	for (size_t i = 0; i <= ncuts && rc == 0; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		rc = csvsrc_feed(p, input + at, end - at, err, errlen);
		at = end;
	}
	if (rc == 0)
		rc = csvsrc_finish(p, err, errlen);
	assert_int_equal(csvsrc_records(p), c->nrecords);
	csvsrc_free(p);
	return rc;
}

static int
parse_whole(const char *input, char delim, const struct csvsrc_limits *lim,
    struct collect *c, char *err, size_t errlen)
{
	return parse_cut(input, strlen(input), delim, lim, NULL, 0, c, err,
	    errlen);
}

/* ---- records and line numbers ------------------------------------------ */

struct rec_case {
	const char *name;
	const char *input;
	char delim;
	const char *want;
};

static const struct rec_case rec_cases[] = {
	{ "plain LF", "a,b,c\nd,e,f\n", ',',
	  "1:[a][b][c]\n2:[d][e][f]\n" },
	{ "quoted newlines move the next record's line",
	  "id,text\n1,\"two\nlines\"\n2,\"three\n\nlines\"\n3,x\n", ',',
	  "1:[id][text]\n2:[1][two\\nlines]\n4:[2][three\\n\\nlines]\n"
	  "7:[3][x]\n" },
	{ "blank lines between records", "\n\na,b\n\n\nc,d\n\ne,f\n\n", ',',
	  "3:[a][b]\n6:[c][d]\n8:[e][f]\n" },
	{ "CRLF", "a,b\r\nc,d\r\n", ',',
	  "1:[a][b]\n2:[c][d]\n" },
	{ "CRLF with blank lines and a quoted CRLF",
	  "h\r\n\r\n\"x\r\ny\",z\r\n\r\nw,v\r\n", ',',
	  "1:[h]\n3:[x\\r\\ny][z]\n6:[w][v]\n" },
	{ "last record without a newline", "a,b\nc,d", ',',
	  "1:[a][b]\n2:[c][d]\n" },
	{ "last record quoted without a newline", "a\n\"b,c\"", ',',
	  "1:[a]\n2:[b,c]\n" },
	{ "last record CRLF-less after CRLF", "a\r\nb", ',',
	  "1:[a]\n2:[b]\n" },
	{ "doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\",x\n", ',',
	  "1:[say \"hi\"][\"][x]\n" },
	{ "empty fields", "a,,c\n,,\n\"\",x\n", ',',
	  "1:[a][][c]\n2:[][][]\n3:[][x]\n" },
	{ "semicolon", "a;b,c;\"d;e\"\n1,5;2\n", ';',
	  "1:[a][b,c][d;e]\n2:[1,5][2]\n" },
	/* Unquoted fields lose surrounding blanks (libcsv), but a tab
	 * delimiter is never taken for a blank: empty fields stay. */
	{ "tab with leading spaces", "a\t  b\t\tc\n\tx\t\n", '\t',
	  "1:[a][b][][c]\n2:[][x][]\n" },
	{ "tab with quoted tab", "\"a\tb\"\tc\n", '\t',
	  "1:[a\\tb][c]\n" },
	{ "UTF-8 passes through", "S\xc3\xb6" "dra,\xc3\x84lvsborg\n", ',',
	  "1:[S\xc3\xb6" "dra][\xc3\x84lvsborg]\n" },
	{ "nothing", "", ',', "" },
	{ "only blank lines", "\n\r\n\n", ',', "" },
};

static void
check_case(const struct rec_case *tc, const size_t *cuts, size_t ncuts)
{
	struct collect c = { 0 };
	char err[256];
	int rc;

	rc = parse_cut(tc->input, strlen(tc->input), tc->delim, &big, cuts,
	    ncuts, &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s (cuts %zu at %zu,%zu): rc %d: %s", tc->name, ncuts,
		    ncuts > 0 ? cuts[0] : 0, ncuts > 1 ? cuts[1] : 0, rc, err);
	if (strcmp(c.text, tc->want) != 0)
		fail_msg("%s (cuts %zu at %zu,%zu):\n got:\n%s want:\n%s",
		    tc->name, ncuts, ncuts > 0 ? cuts[0] : 0,
		    ncuts > 1 ? cuts[1] : 0, c.text, tc->want);
}

/* The case whole, cut once and twice at every offset, and byte by byte. */
static void
check_all_cuts(const struct rec_case *tc)
{
	size_t len = strlen(tc->input), cuts[256];

	check_case(tc, NULL, 0);
	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		check_case(tc, cuts, 1);
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++)
			check_case(tc, cuts, 2);
	}
	assert_true(len <= NELEM(cuts));
	for (size_t k = 0; k < len; k++)
		cuts[k] = k + 1;
	check_case(tc, cuts, len);
}

static void
test_records(void **state)
{
	for (size_t i = 0; i < NELEM(rec_cases); i++)
		check_all_cuts(&rec_cases[i]);
}

/* A line holding only blanks is skipped like an empty one; the record
 * after it must still carry its own line number. */
static void
test_records_line_of_blanks(void **state)
{
	static const struct rec_case cases[] = {
		{ "a line of spaces", "a\n   \nb\n", ',', "1:[a]\n3:[b]\n" },
		{ "spaces and CRLF", "a\r\n  \r\n\r\nb\r\n", ',',
		  "1:[a]\n4:[b]\n" },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		check_all_cuts(&cases[i]);
}

/* ---- errors ------------------------------------------------------------- */

struct err_case {
	const char *name;
	const char *input;
	struct csvsrc_limits limits;
	int rc;
	const char *msg[2];   /* substrings of the message */
	const char *before;   /* records delivered before the error */
};

static const struct err_case err_cases[] = {
	{ "too many columns", "a,b,c\nd,e,f\n\ng,h,i,j\nk\n", { 1024, 3 },
	  -E2BIG, { "line 4", "3 columns" }, "1:[a][b][c]\n2:[d][e][f]\n" },
	{ "too many columns on the first record", "a,b,c,d\n", { 1024, 3 },
	  -E2BIG, { "line 1", "3" }, "" },
	{ "record too long", "abc\n0123456789abcdef\n", { 10, 100 },
	  -E2BIG, { "line 2", "10 bytes" }, "1:[abc]\n" },
	/* Each line is short; the record across them is not. */
	{ "quoted record too long across lines",
	  "x\n\"aaaa\naaaa\naaaa\naaaa\"\n", { 12, 100 },
	  -E2BIG, { "line 2", "12 bytes" }, "1:[x]\n" },
	/* The cap is per record, not per file. */
	{ "many short records under the cap",
	  "1234567\n1234567\n1234567\n1234567\n1234567\n", { 12, 100 },
	  0, { NULL, NULL },
	  "1:[1234567]\n2:[1234567]\n3:[1234567]\n4:[1234567]\n5:[1234567]\n" },
	{ "quote inside an unquoted field", "ok\na\"b,c\n", { 1024, 100 },
	  -EPROTO, { "line 2", NULL }, "1:[ok]\n" },
	{ "text after a closing quote", "ok\nok\n\"a\"b,c\n", { 1024, 100 },
	  -EPROTO, { "line 3", NULL }, "1:[ok]\n2:[ok]\n" },
	{ "unterminated quoted field", "a,b\n\"open,c\nmore\n", { 1024, 100 },
	  -EPROTO, { "truncated", "line 2" }, "1:[a][b]\n" },
};

static void
check_err_case(const struct err_case *tc, const size_t *cuts, size_t ncuts)
{
	struct collect c = { 0 };
	char err[256];
	int rc;

	rc = parse_cut(tc->input, strlen(tc->input), ',', &tc->limits, cuts,
	    ncuts, &c, err, sizeof(err));
	if (rc != tc->rc)
		fail_msg("%s (%zu cuts): rc %d, want %d (%s)", tc->name, ncuts,
		    rc, tc->rc, err);
	for (size_t k = 0; k < NELEM(tc->msg); k++)
		if (tc->msg[k] != NULL && strstr(err, tc->msg[k]) == NULL)
			fail_msg("%s (%zu cuts): message '%s' lacks '%s'",
			    tc->name, ncuts, err, tc->msg[k]);
	if (strcmp(c.text, tc->before) != 0)
		fail_msg("%s (%zu cuts): records\n%s want\n%s", tc->name, ncuts,
		    c.text, tc->before);
}

static void
test_errors(void **state)
{
	for (size_t i = 0; i < NELEM(err_cases); i++) {
		const struct err_case *tc = &err_cases[i];
		size_t len = strlen(tc->input), cuts[256];

		check_err_case(tc, NULL, 0);
		/* The same error and message however the bytes arrive. */
		for (cuts[0] = 0; cuts[0] <= len; cuts[0]++)
			check_err_case(tc, cuts, 1);
		assert_true(len <= NELEM(cuts));
		for (size_t k = 0; k < len; k++)
			cuts[k] = k + 1;
		check_err_case(tc, cuts, len);
	}
}

/* An open quote is only an error once the input is known to end. */
static void
test_unterminated_needs_finish(void **state)
{
	const char *in = "a\n\"open\n";
	struct collect c = { 0 };
	struct csvsrc *p = csvsrc_new(',', '"', &big, on_record, &c);
	char err[256];

	assert_non_null(p);
	assert_int_equal(csvsrc_feed(p, in, strlen(in), err, sizeof(err)), 0);
	assert_int_equal(csvsrc_finish(p, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "truncated"));
	assert_string_equal(c.text, "1:[a]\n");
	csvsrc_free(p);
	csvsrc_free(NULL);
}

/* A failing callback stops the parse with its own error, in any chunking. */
static void
test_callback_stops(void **state)
{
	const char *in = "a\nb\nc\nd\n";
	size_t len = strlen(in), cuts[16];
	char err[256];

	for (size_t k = 0; k < len; k++)
		cuts[k] = k + 1;
	for (size_t ncuts = 0; ncuts <= len; ncuts += len) {
		struct collect c = { .stop_at = 1, .stop_rc = -ECANCELED };

		assert_int_equal(parse_cut(in, len, ',', &big, cuts, ncuts, &c,
		    err, sizeof(err)), -ECANCELED);
		/* Record 1 was refused: nothing after it is delivered. */
		assert_int_equal(c.nrecords, 2);
		assert_string_equal(c.text, "1:[a]\n");
	}
}

/* The error of a failed feed is returned again by finish. */
static void
test_error_sticks(void **state)
{
	struct collect c = { .stop_at = 0, .stop_rc = -EIO };
	struct csvsrc *p = csvsrc_new(',', '"', &big, on_record, &c);
	char err[256];

	assert_non_null(p);
	assert_int_equal(csvsrc_feed(p, "x\ny", 3, err, sizeof(err)), -EIO);
	assert_int_equal(csvsrc_finish(p, err, sizeof(err)), -EIO);
	assert_int_equal(c.nrecords, 1);
	csvsrc_free(p);
}

/* ---- csvsrc_format ------------------------------------------------------ */

/* A record over fields (static strings). */
struct rec_buf {
	char store[512];
	char *fields[16];
	size_t lens[16];
	struct csvsrc_record rec;
};

static const struct csvsrc_record *
make_rec(struct rec_buf *b, const char *const *fields)
{
	size_t at = 0, n = 0;

	for (; fields[n] != NULL; n++) {
		size_t len = strlen(fields[n]);

		assert_true(n < NELEM(b->fields) && at + len < sizeof(b->store));
		memcpy(b->store + at, fields[n], len + 1);
		b->fields[n] = b->store + at;
		b->lens[n] = len;
		at += len + 1;
	}
	b->rec.fields = b->fields;
	b->rec.lens = b->lens;
	b->rec.nfields = n;
	b->rec.line = 1;
	b->rec.index = 0;
	return &b->rec;
}

struct fmt_case {
	char delim;
	const char *fields[8];
	const char *want;
};

static const struct fmt_case fmt_cases[] = {
	{ ',', { "plain", "with,comma", "with \"quote\"", "two\nlines", "",
	    "cr\rhere", NULL },
	  "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\",,"
	  "\"cr\rhere\"" },
	{ ',', { "\"", NULL }, "\"\"\"\"" },
	{ ',', { "", "", NULL }, "," },
	{ ';', { "a;b", "c,d", "1,5", NULL }, "\"a;b\";c,d;1,5" },
	{ '\t', { "a\tb", "c d", NULL }, "\"a\tb\"\tc d" },
	{ ',', { "S\xc3\xb6" "dra", "\xc3\x84lvsborg", NULL },
	  "S\xc3\xb6" "dra,\xc3\x84lvsborg" },
};

/* Writes the record, then parses the text back to the same fields. */
static void
test_format_round_trip(void **state)
{
	for (size_t i = 0; i < NELEM(fmt_cases); i++) {
		const struct fmt_case *tc = &fmt_cases[i];
		struct rec_buf b, b2;
		const struct csvsrc_record *rec = make_rec(&b, tc->fields);
		struct collect got = { 0 }, want = { 0 };
		char buf[256], err[256];
		size_t n;

		n = csvsrc_format(rec, tc->delim, '"', buf, sizeof(buf));
		if (strcmp(buf, tc->want) != 0)
			fail_msg("format case %zu: '%s', want '%s'", i, buf,
			    tc->want);
		assert_int_equal(n, strlen(tc->want));

		assert_int_equal(parse_whole(buf, tc->delim, &big, &got, err,
		    sizeof(err)), 0);
		assert_int_equal(on_record(&want, make_rec(&b2, tc->fields)), 0);
		if (strcmp(got.text, want.text) != 0)
			fail_msg("format case %zu: read back\n%s want\n%s", i,
			    got.text, want.text);
	}
}

/* True if s[0..n) is well-formed UTF-8 (structure only). */
static bool
valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t need = u[i] < 0x80 ? 1 : u[i] >= 0xf0 ? 4 :
		    u[i] >= 0xe0 ? 3 : u[i] >= 0xc2 ? 2 : 0;

		if (need == 0 || i + need > n)
			return false;
		for (size_t k = 1; k < need; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
		i += need;
	}
	return true;
}

/*
 * For every buffer too small for the whole record: the output is a
 * whole-character prefix of the full text, cut no more than one character
 * short of size - 4 bytes, then "...", and at most size - 1 bytes.
 */
static void
check_cuts(const char *const *fields, const char *full)
{
	size_t flen = strlen(full);

	for (size_t size = 4; size <= flen; size++) {
		struct rec_buf b;
		char buf[512];
		size_t n, keep;

		assert_true(size <= sizeof(buf));
		memset(buf, 'Z', sizeof(buf));
		n = csvsrc_format(make_rec(&b, fields), ',', '"', buf, size);
		if (n != strlen(buf) || n > size - 1)
			fail_msg("size %zu: length %zu, strlen %zu", size, n,
			    strlen(buf));
		if (!valid_utf8(buf, n))
			fail_msg("size %zu: '%s' is not valid UTF-8", size, buf);
		if (n < 3 || strcmp(buf + n - 3, "...") != 0)
			fail_msg("size %zu: '%s' does not end in ...", size, buf);
		keep = n - 3;
		if (strncmp(buf, full, keep) != 0 || keep + 3 + 3 < size - 1)
			fail_msg("size %zu: '%s' is not a fair cut of '%s'",
			    size, buf, full);
	}
}

/* For every buffer that holds the record (length <= size - 1): whole. */
static void
check_fits(const char *const *fields, const char *full)
{
	size_t flen = strlen(full);

	for (size_t size = flen + 1; size <= flen + 8; size++) {
		struct rec_buf b;
		char buf[512];
		size_t n;

		n = csvsrc_format(make_rec(&b, fields), ',', '"', buf, size);
		if (n != flen || strcmp(buf, full) != 0)
			fail_msg("size %zu: '%s', want the whole '%s'", size,
			    buf, full);
	}
}

#define AE "\xc3\xa4"		/* 'ä', two bytes */
#define EURO "\xe2\x82\xac"	/* three bytes */
#define GRIN "\xf0\x9f\x98\x80"	/* four bytes */

static const char *const cut_ascii[] = { "abcdefghij", NULL };
static const char *const cut_quoted[] = { "id", "a,b", "xyz", NULL };
static const char *const cut_ae[] = { AE AE AE AE AE AE AE AE AE AE, NULL };
static const char *const cut_mixed[] = { EURO EURO EURO EURO, GRIN GRIN,
    "a" AE, NULL };

static const struct {
	const char *const *fields;
	const char *full;
} cut_cases[] = {
	{ cut_ascii, "abcdefghij" },
	{ cut_quoted, "id,\"a,b\",xyz" },
	{ cut_ae, AE AE AE AE AE AE AE AE AE AE },
	{ cut_mixed, EURO EURO EURO EURO "," GRIN GRIN ",a" AE },
};

static void
test_format_cut(void **state)
{
	struct rec_buf b;
	char buf[16];

	/* Worked by hand: 4 bytes of text, "...", NUL. */
	assert_int_equal(csvsrc_format(make_rec(&b, cut_ascii), ',', '"', buf,
	    8), 7);
	assert_string_equal(buf, "abcd...");
	/* 'ä' is two bytes: 10 - 4 = 6 bytes of room, three of them fit. */
	assert_int_equal(csvsrc_format(make_rec(&b, cut_ae), ',', '"', buf,
	    10), 9);
	assert_string_equal(buf, AE AE AE "...");
	/* 7 bytes of room: half of the fourth 'ä' would fit; it is dropped. */
	assert_int_equal(csvsrc_format(make_rec(&b, cut_ae), ',', '"', buf,
	    11), 9);
	assert_string_equal(buf, AE AE AE "...");
	for (size_t i = 0; i < NELEM(cut_cases); i++)
		check_cuts(cut_cases[i].fields, cut_cases[i].full);
}

/* A buffer too small even for "..." still holds a string. */
static void
test_format_tiny(void **state)
{
	struct rec_buf b;
	char buf[4];

	for (size_t size = 1; size < 4; size++) {
		memset(buf, 'Z', sizeof(buf));
		assert_int_equal(csvsrc_format(make_rec(&b, cut_ascii), ',', '"',
		    buf, size), 0);
		assert_string_equal(buf, "");
	}
	assert_int_equal(csvsrc_format(make_rec(&b, cut_ascii), ',', '"', NULL,
	    0), 0);
}

/* A record no longer than size - 1 bytes is not cut. */
static void
test_format_fits(void **state)
{
	for (size_t i = 0; i < NELEM(cut_cases); i++)
		check_fits(cut_cases[i].fields, cut_cases[i].full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_records_line_of_blanks),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unterminated_needs_finish),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_error_sticks),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_cut),
		cmocka_unit_test(test_format_fits),
		cmocka_unit_test(test_format_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
