/* test_value.c - unit tests for extractors/value.c, libc as date reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "extractors/value.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Kept as macros so that the escapes cannot swallow the digits after them. */
#define NBSP	"\xc2\xa0"
#define NNBSP	"\xe2\x80\xaf"

/* What a failed call must leave in its out-parameter. */
#define SENTINEL_D	-12345.5
#define SENTINEL_I	-12345

/*
 * Days since 1970-01-01 by libc's timegm, the independent reference for
 * every expected date.  A date timegm has to normalise is a typo in a
 * table, so it fails the test rather than silently moving.
 */
static int32_t
ref_days(int y, int m, int d)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		fail_msg("reference date %04d-%02d-%02d does not exist", y, m,
		    d);
	assert_int_equal(t % 86400, 0);
	return (int32_t)(t / 86400);
}

/* Civil date of a day by libc's gmtime_r. */
static void
ref_tm(int32_t days, struct tm *tm)
{
	time_t t = (time_t)days * 86400;

	assert_non_null(gmtime_r(&t, tm));
}

/* ---- numbers ---------------------------------------------------------- */

struct num_case {
	const char	*s;
	char		 decimal;
	char		 thousands;
	bool		 percent;
	int		 rc;
	double		 want;
};

static const struct num_case num_cases[] = {
	/* Plain decimals, blanks, signs. */
	{ "42", '.', 0, false, 0, 42 },
	{ "0", '.', 0, false, 0, 0 },
	{ "-3.25", '.', 0, false, 0, -3.25 },
	{ "+7", '.', 0, false, 0, 7 },
	{ "  42  ", '.', 0, false, 0, 42 },
	{ "\t-3.25\r\n", '.', 0, false, 0, -3.25 },
	{ "007.50", '.', 0, false, 0, 7.5 },
	{ ".5", '.', 0, false, 0, 0.5 },
	{ "-.5", '.', 0, false, 0, -0.5 },
	{ "1.5", 0, 0, false, 0, 1.5 },		/* decimal 0 means '.' */
	{ "12,5", ',', 0, false, 0, 12.5 },
	{ "-0,001", ',', 0, false, 0, -0.001 },
	{ "12.5", ',', 0, false, -EINVAL, 0 },
	{ "12,5", '.', 0, false, -EINVAL, 0 },
	{ "5.", '.', 0, false, -EINVAL, 0 },
	{ ".", '.', 0, false, -EINVAL, 0 },
	/* Empty, blank, junk. */
	{ "", '.', 0, false, -EINVAL, 0 },
	{ "   ", '.', 0, false, -EINVAL, 0 },
	{ "-", '.', 0, false, -EINVAL, 0 },
	{ "+", '.', 0, false, -EINVAL, 0 },
	{ "abc", '.', 0, false, -EINVAL, 0 },
	{ "12abc", '.', 0, false, -EINVAL, 0 },
	{ "1 2", '.', 0, false, -EINVAL, 0 },
	{ "1.2.3", '.', 0, false, -EINVAL, 0 },
	{ "--1", '.', 0, false, -EINVAL, 0 },
	{ "+-1", '.', 0, false, -EINVAL, 0 },
	{ "- 1", '.', 0, false, -EINVAL, 0 },
	{ "1-", '.', 0, false, -EINVAL, 0 },
	{ "0x10", '.', 0, false, -EINVAL, 0 },
	{ "1e5", '.', 0, false, -EINVAL, 0 },
	{ "1E-5", '.', 0, false, -EINVAL, 0 },
	{ "n/a", '.', 0, false, -EINVAL, 0 },
	{ "infinite", '.', 0, false, -EINVAL, 0 },
	/* Infinities and NaN are out of range, not junk. */
	{ "inf", '.', 0, false, -ERANGE, 0 },
	{ "-inf", '.', 0, false, -ERANGE, 0 },
	{ "+INF", '.', 0, false, -ERANGE, 0 },
	{ "Infinity", '.', 0, false, -ERANGE, 0 },
	{ "nan", '.', 0, false, -ERANGE, 0 },
	{ " NaN ", '.', 0, false, -ERANGE, 0 },
	/* Thousands separators in their places. */
	{ "1,000", '.', ',', false, 0, 1000 },
	{ "1,000,000.5", '.', ',', false, 0, 1000000.5 },
	{ "-12,345", '.', ',', false, 0, -12345 },
	{ "999", '.', ',', false, 0, 999 },
	{ "1000", '.', ',', false, 0, 1000 },	/* separators are optional */
	{ "1.234,5", ',', '.', false, 0, 1234.5 },
	{ "1.234.567", ',', '.', false, 0, 1234567 },
	{ "1'234.5", '.', '\'', false, 0, 1234.5 },
	{ "1 000", '.', ' ', false, 0, 1000 },
	{ "1 234 567,89", ',', ' ', false, 0, 1234567.89 },
	{ "1" NBSP "000", '.', ' ', false, 0, 1000 },
	{ "1" NNBSP "000", '.', ' ', false, 0, 1000 },
	{ "12" NNBSP "345" NBSP "678,9", ',', ' ', false, 0, 12345678.9 },
	/* Thousands separators out of place or not allowed. */
	{ "1,00,0", '.', ',', false, -EINVAL, 0 },
	{ "1,00,000", '.', ',', false, -EINVAL, 0 },
	{ "1.00.000,5", ',', '.', false, -EINVAL, 0 },
	{ "1,0000", '.', ',', false, -EINVAL, 0 },
	{ "1000,000", '.', ',', false, -EINVAL, 0 },
	{ "1,00", '.', ',', false, -EINVAL, 0 },
	{ ",100", '.', ',', false, -EINVAL, 0 },
	{ "100,", '.', ',', false, -EINVAL, 0 },
	{ "1,,000", '.', ',', false, -EINVAL, 0 },
	{ "1,000.5,5", '.', ',', false, -EINVAL, 0 },
	{ "1.5", ',', '.', false, -EINVAL, 0 },
	{ ".5", ',', '.', false, -EINVAL, 0 },
	{ "1,000", '.', 0, false, -EINVAL, 0 },
	{ "1 000", '.', 0, false, -EINVAL, 0 },
	{ "1" NBSP "000", '.', 0, false, -EINVAL, 0 },
	{ "1" NBSP "000", ',', '.', false, -EINVAL, 0 },
	{ "1" NBSP "00", '.', ' ', false, -EINVAL, 0 },
	{ "1\xc2" "000", '.', ' ', false, -EINVAL, 0 },	/* cut UTF-8 */
	{ "1\t000", '.', ' ', false, -EINVAL, 0 },
	/* Percent. */
	{ "50%", '.', 0, true, 0, 0.5 },
	{ "12.5%", '.', 0, true, 0, 0.125 },
	{ "12,5 %", ',', 0, true, 0, 0.125 },
	{ "12,5" NBSP "%", ',', ' ', true, 0, 0.125 },
	{ "12,5" NNBSP "%", ',', ' ', true, 0, 0.125 },
	{ "1 000 %", '.', ' ', true, 0, 10 },
	{ "-5% ", '.', 0, true, 0, -0.05 },
	{ "50", '.', 0, true, 0, 50 },
	{ "50%", '.', 0, false, -EINVAL, 0 },
	{ "%", '.', 0, true, -EINVAL, 0 },
	{ "50%%", '.', 0, true, -EINVAL, 0 },
	{ "%50", '.', 0, true, -EINVAL, 0 },
	{ "50 %", '.', 0, false, -EINVAL, 0 },
	/* Formats that make no sense. */
	{ "1", 'x', 0, false, -EINVAL, 0 },
	{ "1", ',', ',', false, -EINVAL, 0 },
	{ "1", '.', '_', false, -EINVAL, 0 },
};

static void
test_parse_number(void **state)
{
	const struct num_case *c;
	struct value_numfmt f;
	double got;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < nitems(num_cases); i++) {
		c = &num_cases[i];
		f.decimal = c->decimal;
		f.thousands = c->thousands;
		f.percent = c->percent;
		got = SENTINEL_D;
		rc = value_parse_number(c->s, &f, &got);
		if (rc != c->rc)
			fail_msg("number case %zu \"%s\": rc %d, want %d", i,
			    c->s, rc, c->rc);
		if (rc == 0 && fabs(got - c->want) > 1e-12 * fmax(1,
		    fabs(c->want)))
			fail_msg("number case %zu \"%s\": %.17g, want %.17g",
			    i, c->s, got, c->want);
		if (rc != 0 && got != SENTINEL_D)
			fail_msg("number case %zu \"%s\": out written on "
			    "failure", i, c->s);
	}
}

/* Builds prefix followed by n copies of c and suffix into buf. */
static const char *
build(char *buf, size_t size, const char *prefix, char c, size_t n,
    const char *suffix)
{
	size_t len;

	len = strlen(prefix);
	assert_true(len + n + strlen(suffix) < size);
	memcpy(buf, prefix, len);
	memset(buf + len, c, n);
	memcpy(buf + len + n, suffix, strlen(suffix) + 1);
	return buf;
}

/* Large and long numbers, built at run time; libc prints the references. */
static void
test_parse_number_range(void **state)
{
	char buf[1024];
	double got;

	(void)state;
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "1", '0',
	    308, ""), NULL, &got), 0);
	assert_true(got == 1e308);
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "1", '0',
	    309, ""), NULL, &got), -ERANGE);
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "-1", '0',
	    309, ".5"), NULL, &got), -ERANGE);

	/* DBL_MAX written out in full is in range; ten times it is not. */
	snprintf(buf, sizeof(buf), "%.0f", DBL_MAX);
	assert_int_equal(value_parse_number(buf, NULL, &got), 0);
	assert_true(got == DBL_MAX);
	snprintf(buf, sizeof(buf), "%.0f0", DBL_MAX);
	got = SENTINEL_D;
	assert_int_equal(value_parse_number(buf, NULL, &got), -ERANGE);
	assert_true(got == SENTINEL_D);

	/* Below the smallest double is zero, not an error. */
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "0.", '0',
	    400, "1"), NULL, &got), 0);
	assert_true(got == 0);

	/* Longer than any sensible number: refused as out of range. */
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "0.", '1',
	    600, ""), NULL, &got), -ERANGE);
	/* ... but junk after it is still junk. */
	assert_int_equal(value_parse_number(build(buf, sizeof(buf), "0.", '1',
	    600, "x"), NULL, &got), -EINVAL);

	assert_int_equal(value_parse_number(NULL, NULL, &got), -EINVAL);
}

/* ---- counts ----------------------------------------------------------- */

struct count_case {
	const char	*s;
	char		 decimal;
	char		 thousands;
	bool		 percent;
	int		 rc;
	int64_t		 want;
};

static const struct count_case count_cases[] = {
	{ "0", '.', 0, false, 0, 0 },
	{ "12", '.', 0, false, 0, 12 },
	{ " 007 ", '.', 0, false, 0, 7 },
	{ "+5", '.', 0, false, 0, 5 },
	{ "-0", '.', 0, false, 0, 0 },
	{ "12,0", ',', 0, false, 0, 12 },
	{ "12,000", ',', 0, false, 0, 12 },
	{ "12.0", '.', 0, false, 0, 12 },
	{ "1 234", ',', ' ', false, 0, 1234 },
	{ "1" NBSP "234" NNBSP "567", ',', ' ', false, 0, 1234567 },
	{ "1.234", ',', '.', false, 0, 1234 },
	{ "1,234", '.', ',', false, 0, 1234 },
	{ "9223372036854775807", '.', 0, false, 0, INT64_MAX },
	{ "9,223,372,036,854,775,807", '.', ',', false, 0, INT64_MAX },
	{ "9223372036854775807.000", '.', 0, false, 0, INT64_MAX },
	{ "12,5", ',', 0, false, -EINVAL, 0 },
	{ "12,05", ',', 0, false, -EINVAL, 0 },
	{ "0.1", '.', 0, false, -EINVAL, 0 },
	{ "-12,5", ',', 0, false, -EINVAL, 0 },
	{ "12,", ',', 0, false, -EINVAL, 0 },
	{ "1,00,0", '.', ',', false, -EINVAL, 0 },
	{ "", '.', 0, false, -EINVAL, 0 },
	{ " ", '.', 0, false, -EINVAL, 0 },
	{ "12 apples", '.', 0, false, -EINVAL, 0 },
	{ "1e3", '.', 0, false, -EINVAL, 0 },
	{ "0x1f", '.', 0, false, -EINVAL, 0 },
	{ "50%", '.', 0, true, -EINVAL, 0 },	/* a ratio is not a count */
	{ "-1", '.', 0, false, -ERANGE, 0 },
	{ "-12,0", ',', 0, false, -ERANGE, 0 },
	{ "-9223372036854775808", '.', 0, false, -ERANGE, 0 },
	{ "9223372036854775808", '.', 0, false, -ERANGE, 0 },
	{ "18446744073709551616", '.', 0, false, -ERANGE, 0 },
	{ "100000000000000000000000", '.', 0, false, -ERANGE, 0 },
	{ "nan", '.', 0, false, -ERANGE, 0 },
	{ "inf", '.', 0, false, -ERANGE, 0 },
};

static void
test_parse_count(void **state)
{
	const struct count_case *c;
	struct value_numfmt f;
	int64_t got;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < nitems(count_cases); i++) {
		c = &count_cases[i];
		f.decimal = c->decimal;
		f.thousands = c->thousands;
		f.percent = c->percent;
		got = SENTINEL_I;
		rc = value_parse_count(c->s, &f, &got);
		if (rc != c->rc)
			fail_msg("count case %zu \"%s\": rc %d, want %d", i,
			    c->s, rc, c->rc);
		if (rc == 0 && got != c->want)
			fail_msg("count case %zu \"%s\": %" PRId64 ", want %"
			    PRId64, i, c->s, got, c->want);
		if (rc != 0 && got != SENTINEL_I)
			fail_msg("count case %zu \"%s\": out written on "
			    "failure", i, c->s);
	}
}

/* Counts near the int64_t limit, printed by libc. */
static void
test_parse_count_range(void **state)
{
	char buf[64];
	int64_t got;

	(void)state;
	snprintf(buf, sizeof(buf), "%" PRId64, INT64_MAX - 1);
	assert_int_equal(value_parse_count(buf, NULL, &got), 0);
	assert_true(got == INT64_MAX - 1);
	snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)INT64_MAX + 1);
	assert_int_equal(value_parse_count(buf, NULL, &got), -ERANGE);
	/* Exact beyond 2^53, where a double would round. */
	assert_int_equal(value_parse_count("9007199254740993", NULL, &got), 0);
	assert_true(got == INT64_C(9007199254740993));
	assert_int_equal(value_parse_count(NULL, NULL, &got), -EINVAL);
}

/* ---- dates ------------------------------------------------------------ */

struct date_case {
	const char	*s;
	const char	*fmt;
	int		 rc;
	int		 y, m, d;	/* expected, checked through timegm */
};

static const struct date_case date_cases[] = {
	/* %Y-%m-%d */
	{ "2023-05-17", "%Y-%m-%d", 0, 2023, 5, 17 },
	{ "2023-5-7", "%Y-%m-%d", 0, 2023, 5, 7 },
	{ "  2023-05-17 ", "%Y-%m-%d", 0, 2023, 5, 17 },
	{ "2023-12-31", "%Y-%m-%d", 0, 2023, 12, 31 },
	{ "1969-12-31", "%Y-%m-%d", 0, 1969, 12, 31 },
	{ "1900-03-01", "%Y-%m-%d", 0, 1900, 3, 1 },
	{ "9999-12-31", "%Y-%m-%d", 0, 9999, 12, 31 },
	{ "2023-005-07", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-05-017", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "23-05-17", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "02023-05-17", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023/05/17", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-05-17x", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "x2023-05-17", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-05", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-+5-01", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023- 5-01", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	/* Impossible dates and leap years. */
	{ "2023-02-29", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-02-28", "%Y-%m-%d", 0, 2023, 2, 28 },
	{ "2024-02-29", "%Y-%m-%d", 0, 2024, 2, 29 },
	{ "2024-02-30", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "1900-02-29", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2000-02-29", "%Y-%m-%d", 0, 2000, 2, 29 },
	{ "2100-02-29", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-13-01", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-00-10", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-01-00", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-01-32", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-04-31", "%Y-%m-%d", -EINVAL, 0, 0, 0 },
	/* %d/%m/%Y */
	{ "17/05/2023", "%d/%m/%Y", 0, 2023, 5, 17 },
	{ "7/5/2023", "%d/%m/%Y", 0, 2023, 5, 7 },
	{ "29/02/2024", "%d/%m/%Y", 0, 2024, 2, 29 },
	{ "29/02/2023", "%d/%m/%Y", -EINVAL, 0, 0, 0 },
	{ "17/5/23", "%d/%m/%Y", -EINVAL, 0, 0, 0 },
	/* %Y%m%d: packed numbers take exactly two digits each. */
	{ "20230517", "%Y%m%d", 0, 2023, 5, 17 },
	{ "20240229", "%Y%m%d", 0, 2024, 2, 29 },
	{ "2023517", "%Y%m%d", -EINVAL, 0, 0, 0 },
	{ "2023051", "%Y%m%d", -EINVAL, 0, 0, 0 },
	{ "202305170", "%Y%m%d", -EINVAL, 0, 0, 0 },
	{ "20231301", "%Y%m%d", -EINVAL, 0, 0, 0 },
	{ "20230229", "%Y%m%d", -EINVAL, 0, 0, 0 },
	{ "202305", "%Y%m", 0, 2023, 5, 1 },
	{ "20235", "%Y%m", -EINVAL, 0, 0, 0 },
	{ "05172023", "%m%d%Y", 0, 2023, 5, 17 },
	/* ... but a number beside a literal keeps 1-2 digits. */
	{ "2023-5", "%Y-%m", 0, 2023, 5, 1 },
	{ "5.2023", "%m.%Y", 0, 2023, 5, 1 },
	/* No day, no month. */
	{ "2023-05", "%Y-%m", 0, 2023, 5, 1 },
	{ "2023", "%Y", 0, 2023, 1, 1 },
	/* %b: see also test_month_names. */
	{ "2023 Apr", "%Y %b", 0, 2023, 4, 1 },
	{ "17 maj 2023", "%d %b %Y", 0, 2023, 5, 17 },
	{ "Okt-2023", "%b-%Y", 0, 2023, 10, 1 },
	{ "29 feb 2023", "%d %b %Y", -EINVAL, 0, 0, 0 },
	{ "2023 Sept", "%Y %b", -EINVAL, 0, 0, 0 },
	{ "2023 mayo", "%Y %b", -EINVAL, 0, 0, 0 },
	{ "2023 okto", "%Y %b", -EINVAL, 0, 0, 0 },
	{ "2023 ma", "%Y %b", -EINVAL, 0, 0, 0 },
	{ "2023 ", "%Y %b", -EINVAL, 0, 0, 0 },
	{ "2023 5", "%Y %b", -EINVAL, 0, 0, 0 },
	/* %G-W%V: the Monday of the ISO week. */
	{ "2020-W53", "%G-W%V", 0, 2020, 12, 28 },
	{ "2021-W53", "%G-W%V", -EINVAL, 0, 0, 0 },
	{ "2021-W01", "%G-W%V", 0, 2021, 1, 4 },
	{ "2021-W1", "%G-W%V", 0, 2021, 1, 4 },
	{ "2020-W01", "%G-W%V", 0, 2019, 12, 30 },
	{ "1970-W01", "%G-W%V", 0, 1969, 12, 29 },
	{ "2015-W53", "%G-W%V", 0, 2015, 12, 28 },
	{ "2009-W53", "%G-W%V", 0, 2009, 12, 28 },
	{ "2026-W53", "%G-W%V", 0, 2026, 12, 28 },
	{ "2025-W01", "%G-W%V", 0, 2024, 12, 30 },
	{ "2021-W00", "%G-W%V", -EINVAL, 0, 0, 0 },
	{ "2021-W54", "%G-W%V", -EINVAL, 0, 0, 0 },
	{ "2021-W", "%G-W%V", -EINVAL, 0, 0, 0 },
	{ "202101", "%G%V", 0, 2021, 1, 4 },
	{ "20211", "%G%V", -EINVAL, 0, 0, 0 },
	/* %Y-Q%q: the first day of the quarter. */
	{ "2023-Q1", "%Y-Q%q", 0, 2023, 1, 1 },
	{ "2023-Q2", "%Y-Q%q", 0, 2023, 4, 1 },
	{ "2023-Q3", "%Y-Q%q", 0, 2023, 7, 1 },
	{ "2023-Q4", "%Y-Q%q", 0, 2023, 10, 1 },
	{ "2023Q4", "%Y%q", -EINVAL, 0, 0, 0 },
	{ "20234", "%Y%q", 0, 2023, 10, 1 },
	{ "2023-Q0", "%Y-Q%q", -EINVAL, 0, 0, 0 },
	{ "2023-Q5", "%Y-Q%q", -EINVAL, 0, 0, 0 },
	{ "2023-Q", "%Y-Q%q", -EINVAL, 0, 0, 0 },
	{ "2023-Q12", "%Y-Q%q", -EINVAL, 0, 0, 0 },
	/* %% */
	{ "2023%", "%Y%%", 0, 2023, 1, 1 },
	{ "%05-2023", "%%%m-%Y", 0, 2023, 5, 1 },
	{ "2023", "%Y%%", -EINVAL, 0, 0, 0 },
	/* Formats that cannot make a date. */
	{ "2023-123", "%Y-%j", -EINVAL, 0, 0, 0 },
	{ "2023-", "%Y-%", -EINVAL, 0, 0, 0 },
	{ "2023 2023", "%Y %Y", -EINVAL, 0, 0, 0 },
	{ "2023-05 maj", "%Y-%m %b", -EINVAL, 0, 0, 0 },
	{ "17", "%d", -EINVAL, 0, 0, 0 },
	{ "05-17", "%m-%d", -EINVAL, 0, 0, 0 },
	{ "2023-17", "%Y-%d", -EINVAL, 0, 0, 0 },
	{ "2021", "%G", -EINVAL, 0, 0, 0 },
	{ "2021-W05", "%Y-W%V", -EINVAL, 0, 0, 0 },
	{ "2021-W05-01", "%G-W%V-%d", -EINVAL, 0, 0, 0 },
	{ "2023-Q2-05", "%Y-Q%q-%m", -EINVAL, 0, 0, 0 },
	{ "Q2", "Q%q", -EINVAL, 0, 0, 0 },
};

static void
test_parse_date(void **state)
{
	const struct date_case *c;
	int32_t got, want;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < nitems(date_cases); i++) {
		c = &date_cases[i];
		got = SENTINEL_I;
		rc = value_parse_date(c->s, c->fmt, &got);
		if (rc != c->rc)
			fail_msg("date case %zu \"%s\" \"%s\": rc %d, want %d",
			    i, c->s, c->fmt, rc, c->rc);
		if (rc != 0) {
			if (got != SENTINEL_I)
				fail_msg("date case %zu \"%s\": out written on "
				    "failure", i, c->s);
			continue;
		}
		want = ref_days(c->y, c->m, c->d);
		if (got != want)
			fail_msg("date case %zu \"%s\" \"%s\": day %" PRId32
			    ", want %" PRId32, i, c->s, c->fmt, got, want);
	}
	assert_int_equal(value_parse_date(NULL, "%Y", &got), -EINVAL);
	assert_int_equal(value_parse_date("2023", NULL, &got), -EINVAL);
}

/* Every accepted month name, in the case it arrives in. */
static const struct {
	const char	*name;
	int		 month;
} month_cases[] = {
	{ "jan", 1 }, { "Jan", 1 }, { "january", 1 }, { "JANUARY", 1 },
	{ "januari", 1 },
	{ "feb", 2 }, { "february", 2 }, { "Februari", 2 },
	{ "mar", 3 }, { "March", 3 }, { "mars", 3 },
	{ "apr", 4 }, { "April", 4 }, { "april", 4 },
	{ "may", 5 }, { "May", 5 }, { "maj", 5 }, { "MAJ", 5 },
	{ "jun", 6 }, { "June", 6 }, { "juni", 6 },
	{ "jul", 7 }, { "July", 7 }, { "juli", 7 },
	{ "aug", 8 }, { "August", 8 }, { "augusti", 8 },
	{ "sep", 9 }, { "September", 9 }, { "september", 9 },
	{ "oct", 10 }, { "Okt", 10 }, { "October", 10 }, { "oktober", 10 },
	{ "nov", 11 }, { "November", 11 }, { "november", 11 },
	{ "dec", 12 }, { "December", 12 }, { "december", 12 },
};

static void
test_month_names(void **state)
{
	char buf[64];
	int32_t got, want;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(month_cases); i++) {
		snprintf(buf, sizeof(buf), "2023 %s", month_cases[i].name);
		want = ref_days(2023, month_cases[i].month, 1);
		if (value_parse_date(buf, "%Y %b", &got) != 0 || got != want)
			fail_msg("month \"%s\" not read as %d", buf,
			    month_cases[i].month);
	}
}

/*
 * Every ISO week of 1990-2040 as strftime names its Monday parses back to
 * that Monday, and week 53 exists exactly in the years where strftime puts
 * 28 December (always in the last week) in week 53.
 */
static void
test_iso_weeks(void **state)
{
	char buf[32], weeks[8];
	struct tm tm;
	int32_t day, got, last;
	int y, want;

	(void)state;
	last = ref_days(2040, 12, 31);
	for (day = ref_days(1990, 1, 1); day <= last; day++) {
		ref_tm(day, &tm);
		if (tm.tm_wday != 1)
			continue;
		assert_true(strftime(buf, sizeof(buf), "%G-W%V", &tm) > 0);
		if (value_parse_date(buf, "%G-W%V", &got) != 0 || got != day)
			fail_msg("week \"%s\" not read as day %" PRId32, buf,
			    day);
	}
	for (y = 1990; y <= 2040; y++) {
		ref_tm(ref_days(y, 12, 28), &tm);
		assert_true(strftime(weeks, sizeof(weeks), "%V", &tm) > 0);
		want = strcmp(weeks, "53") == 0 ? 0 : -EINVAL;
		snprintf(buf, sizeof(buf), "%04d-W53", y);
		if (value_parse_date(buf, "%G-W%V", &got) != want)
			fail_msg("\"%s\": strftime says %s weeks", buf, weeks);
	}
}

/* ---- periods ---------------------------------------------------------- */

struct period_case {
	int		 y, m, d;
	enum value_grain grain;
	int		 sy, sm, sd;	/* expected start */
};

static const struct period_case period_cases[] = {
	{ 2023, 5, 17, VALUE_GRAIN_DAY, 2023, 5, 17 },
	{ 2023, 5, 17, VALUE_GRAIN_WEEK, 2023, 5, 15 },
	{ 2023, 5, 17, VALUE_GRAIN_MONTH, 2023, 5, 1 },
	{ 2023, 5, 17, VALUE_GRAIN_QUARTER, 2023, 4, 1 },
	{ 2023, 5, 17, VALUE_GRAIN_YEAR, 2023, 1, 1 },
	/* ISO weeks across the turn of the year. */
	{ 2021, 1, 1, VALUE_GRAIN_WEEK, 2020, 12, 28 },
	{ 2021, 1, 3, VALUE_GRAIN_WEEK, 2020, 12, 28 },
	{ 2021, 1, 4, VALUE_GRAIN_WEEK, 2021, 1, 4 },
	{ 2024, 12, 31, VALUE_GRAIN_WEEK, 2024, 12, 30 },
	{ 1970, 1, 1, VALUE_GRAIN_WEEK, 1969, 12, 29 },
	{ 1969, 12, 31, VALUE_GRAIN_WEEK, 1969, 12, 29 },
	{ 1969, 12, 28, VALUE_GRAIN_WEEK, 1969, 12, 22 },
	/* Quarters, months and years at their edges. */
	{ 2023, 3, 31, VALUE_GRAIN_QUARTER, 2023, 1, 1 },
	{ 2023, 4, 1, VALUE_GRAIN_QUARTER, 2023, 4, 1 },
	{ 2023, 9, 30, VALUE_GRAIN_QUARTER, 2023, 7, 1 },
	{ 2023, 12, 31, VALUE_GRAIN_QUARTER, 2023, 10, 1 },
	{ 1969, 11, 15, VALUE_GRAIN_QUARTER, 1969, 10, 1 },
	{ 2024, 2, 29, VALUE_GRAIN_MONTH, 2024, 2, 1 },
	{ 2023, 12, 31, VALUE_GRAIN_MONTH, 2023, 12, 1 },
	{ 1969, 12, 31, VALUE_GRAIN_YEAR, 1969, 1, 1 },
	{ 2024, 12, 31, VALUE_GRAIN_YEAR, 2024, 1, 1 },
	{ 2024, 1, 1, VALUE_GRAIN_YEAR, 2024, 1, 1 },
};

static void
test_period_start(void **state)
{
	const struct period_case *c;
	int32_t got, want;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(period_cases); i++) {
		c = &period_cases[i];
		got = value_period_start(ref_days(c->y, c->m, c->d), c->grain);
		want = ref_days(c->sy, c->sm, c->sd);
		if (got != want)
			fail_msg("period case %zu: %" PRId32 ", want %" PRId32,
			    i, got, want);
	}
}

/* Every day of 1900-2100 against starts derived from gmtime's fields. */
static void
test_period_start_sweep(void **state)
{
	struct tm tm;
	int32_t day, last, want[5];
	int g;

	(void)state;
	last = ref_days(2100, 12, 31);
	for (day = ref_days(1900, 1, 1); day <= last; day++) {
		ref_tm(day, &tm);
		want[VALUE_GRAIN_DAY] = day;
		want[VALUE_GRAIN_WEEK] = day - (tm.tm_wday + 6) % 7;
		want[VALUE_GRAIN_MONTH] = day - (tm.tm_mday - 1);
		want[VALUE_GRAIN_QUARTER] = ref_days(tm.tm_year + 1900,
		    tm.tm_mon / 3 * 3 + 1, 1);
		want[VALUE_GRAIN_YEAR] = day - tm.tm_yday;
		for (g = VALUE_GRAIN_DAY; g <= VALUE_GRAIN_YEAR; g++) {
			if (value_period_start(day, (enum value_grain)g) !=
			    want[g])
				fail_msg("period start of day %" PRId32
				    " grain %d", day, g);
		}
	}
}

/* ---- civil dates ------------------------------------------------------ */

/* Worked out with date(1), independently of the module and of timegm. */
static const struct {
	int		 y, m, d;
	int32_t		 days;
} civil_cases[] = {
	{ 1970, 1, 1, 0 },
	{ 1969, 12, 31, -1 },
	{ 2000, 1, 1, 10957 },
	{ 2000, 3, 1, 11017 },
	{ 1900, 1, 1, -25567 },
	{ 2038, 1, 19, 24855 },
	{ 1600, 3, 1, -135080 },
	{ 2024, 2, 29, 19782 },
	{ 2023, 5, 17, 19494 },
	{ 2100, 1, 1, 47482 },
};

static void
test_civil(void **state)
{
	size_t i;
	int y, m, d;

	(void)state;
	for (i = 0; i < nitems(civil_cases); i++) {
		assert_int_equal(value_days_from_civil(civil_cases[i].y,
		    civil_cases[i].m, civil_cases[i].d), civil_cases[i].days);
		value_civil_from_days(civil_cases[i].days, &y, &m, &d);
		assert_int_equal(y, civil_cases[i].y);
		assert_int_equal(m, civil_cases[i].m);
		assert_int_equal(d, civil_cases[i].d);
	}
}

/*
 * Both directions and the formatted form against gmtime and strftime for
 * every day of 1600-2400: two 400-year cycles, with the century years
 * that are and are not leap.
 */
static void
test_civil_sweep(void **state)
{
	char got[16], want[16];
	struct tm tm;
	int32_t day, last;
	int y, m, d;

	(void)state;
	last = ref_days(2400, 12, 31);
	for (day = ref_days(1600, 1, 1); day <= last; day++) {
		ref_tm(day, &tm);
		value_civil_from_days(day, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 ||
		    d != tm.tm_mday)
			fail_msg("day %" PRId32 ": %04d-%02d-%02d", day, y, m,
			    d);
		if (value_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday) != day)
			fail_msg("days_from_civil of day %" PRId32, day);
		value_format_date(day, got, sizeof(got));
		assert_true(strftime(want, sizeof(want), "%Y-%m-%d", &tm) > 0);
		assert_string_equal(got, want);
	}
}

static void
test_format_date(void **state)
{
	char buf[16];

	(void)state;
	value_format_date(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01");
	value_format_date(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31");
	value_format_date(19782, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29");

	/* Exactly 11 bytes is enough. */
	memset(buf, 'X', sizeof(buf));
	value_format_date(19494, buf, 11);
	assert_string_equal(buf, "2023-05-17");
	assert_int_equal(buf[11], 'X');

	/* A short buffer is cut, terminated and not overrun. */
	memset(buf, 'X', sizeof(buf));
	value_format_date(19494, buf, 5);
	assert_string_equal(buf, "2023");
	assert_int_equal(buf[5], 'X');
}

/* ---- grains ----------------------------------------------------------- */

static void
test_grains(void **state)
{
	static const struct {
		const char	*name;
		enum value_grain grain;
	} good[] = {
		{ "day", VALUE_GRAIN_DAY },
		{ "week", VALUE_GRAIN_WEEK },
		{ "month", VALUE_GRAIN_MONTH },
		{ "quarter", VALUE_GRAIN_QUARTER },
		{ "year", VALUE_GRAIN_YEAR },
	};
	static const char *const bad[] = {
		"", "Day", "days", "weekly", " week", "week ", "q", "annual",
	};
	enum value_grain g;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++) {
		g = VALUE_GRAIN_YEAR;
		assert_int_equal(value_grain_from_name(good[i].name, &g), 0);
		assert_int_equal(g, good[i].grain);
		assert_string_equal(value_grain_name(good[i].grain),
		    good[i].name);
	}
	for (i = 0; i < nitems(bad); i++) {
		g = VALUE_GRAIN_QUARTER;
		if (value_grain_from_name(bad[i], &g) != -EINVAL)
			fail_msg("grain \"%s\" accepted", bad[i]);
		assert_int_equal(g, VALUE_GRAIN_QUARTER);
	}
	assert_int_equal(value_grain_from_name(NULL, &g), -EINVAL);
	assert_string_equal(value_grain_name((enum value_grain)99), "unknown");
}

/* ---- nulls ------------------------------------------------------------ */

static const char *const null_markers[] = {
	"", "-", "..", "*", ":", "c", "x", "z",
};

static const struct {
	const char	*s;
	bool		 null;
} null_cases[] = {
	{ "", true },
	{ "   ", true },
	{ "\t\r\n", true },
	{ "-", true },
	{ " - ", true },
	{ "..", true },
	{ "\t..\t", true },
	{ "*", true },
	{ ":", true },
	{ " : ", true },
	{ "c", true },
	{ "x", true },
	{ "z", true },
	{ "...", false },
	{ ".", false },
	{ "C", false },
	{ "cc", false },
	{ ": c", false },
	{ "0", false },
	{ "-1", false },
	{ "n/a", false },
	{ "12.5", false },
	{ NBSP, false },	/* only ASCII blanks are trimmed */
};

static void
test_is_null(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(null_cases); i++) {
		if (value_is_null(null_cases[i].s, null_markers,
		    nitems(null_markers)) != null_cases[i].null)
			fail_msg("null case %zu \"%s\"", i, null_cases[i].s);
	}
	/* Without markers only blank fields are null. */
	assert_true(value_is_null("", NULL, 0));
	assert_true(value_is_null("  ", NULL, 0));
	assert_false(value_is_null("-", NULL, 0));
	assert_true(value_is_null(NULL, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_parse_number_range),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_count_range),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_month_names),
		cmocka_unit_test(test_iso_weeks),
		cmocka_unit_test(test_period_start),
		cmocka_unit_test(test_period_start_sweep),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_civil_sweep),
		cmocka_unit_test(test_format_date),
		cmocka_unit_test(test_grains),
		cmocka_unit_test(test_is_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
