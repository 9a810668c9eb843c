/* test_sched.c - unit tests of sched.c: cron, fire times, DST, backoff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/sched.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Reports a failed table row before cmocka stops the test. */
#define CHECK(cond, ...) do {						\
	bool check_ok_ = (cond);					\
									\
	if (!check_ok_)							\
		print_error(__VA_ARGS__);				\
	assert_true(check_ok_);						\
} while (0)

#define STO "Europe/Stockholm"
#define TOK "Asia/Tokyo"

/*
 * Europe/Stockholm in 2026: CET (+01) until 2026-03-29 01:00 UTC, when local
 * 02:00 jumps to 03:00 CEST (+02); back at 2026-10-25 01:00 UTC, when local
 * 03:00 CEST becomes 02:00 CET again, so local 02:00-02:59 occurs twice:
 * first 00:00-00:59 UTC (CEST), then 01:00-01:59 UTC (CET).
 * Asia/Tokyo is +09 all year.  2026-01-01 is a Thursday.
 */

/* "YYYY-MM-DDTHH:MM[:SS]Z" to epoch seconds, with timegm, not the module. */
static time_t
iso(const char *s)
{
	struct tm tm;
	int n, sec = 0;

	memset(&tm, 0, sizeof(tm));
	n = sscanf(s, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec);
	if (n < 5) {
		print_error("bad test time '%s'\n", s);
		fail();
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	return timegm(&tm);
}

/* Epoch seconds to ISO text, for messages. */
static const char *
fmt(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
	return buf;
}

/* Values lo..hi by step as a bit set, to state expected fields plainly. */
static uint64_t
bits(int lo, int hi, int step)
{
	uint64_t set = 0;

	for (int v = lo; v <= hi; v += step)
		set |= (uint64_t)1 << v;
	return set;
}

#define ALL_MIN bits(0, 59, 1)
#define ALL_HOUR bits(0, 23, 1)
#define ALL_DOM bits(1, 31, 1)
#define ALL_MON bits(1, 12, 1)
#define ALL_DOW bits(0, 6, 1)

static struct sched_cron
parse_ok(const char *expr)
{
	struct sched_cron c;
	char err[128] = "";
	int rc;

	rc = sched_parse(expr, &c, err, sizeof(err));
	CHECK(rc == 0, "'%s': rc %d (%s)\n", expr, rc, err);
	return c;
}

static void
test_parse_forms(void **state)
{
	static const struct {
		const char *expr;
		uint64_t minute, hour, dom, month, dow;
		bool dom_star, dow_star;
	} cases[] = {
		{ "5 * * * *", 1u << 5, 0, 0, 0, 0, true, true },
		{ "10-12 * * * *", 7u << 10, 0, 0, 0, 0, true, true },
		{ "1,2,30-31 * * * *", (3u << 1) | (3u << 30), 0, 0, 0, 0,
		    true, true },
		{ "0 0 1,15 * *", 1, 1, (1u << 1) | (1u << 15), 0, 0, false,
		    true },
		{ "0 0 * jan,JUL,Dec *", 1, 1, 0, (1u << 1) | (1u << 7) |
		    (1u << 12), 0, true, true },
		{ "0 0 * * mon-fri", 1, 1, 0, 0, 0x3e, true, false },
		{ "0 0 * * 7", 1, 1, 0, 0, 1, true, false },
		{ "0 0 * * 5-7", 1, 1, 0, 0, 0x61, true, false },
		{ "0 0 * * 0-7", 1, 1, 0, 0, 0x7f, true, false },
		{ "0 0 * * SUN,sat", 1, 1, 0, 0, 0x41, true, false },
		{ "0 0 * * 0,7", 1, 1, 0, 0, 1, true, false },
		/* Vixie: a day field starting with '*' leaves the day free. */
		{ "0 0 */2 * 1", 1, 1, 0xaaaaaaaa, 0, 1u << 1, true, false },
		{ "  0\t 0   *\t* *  \n", 1, 1, 0, 0, 0, true, true },
		{ "59 23 31 12 6", 1ull << 59, 1u << 23, 1u << 31, 1u << 12,
		    1u << 6, false, false },
	};
	struct sched_cron c;

	for (size_t i = 0; i < NELEM(cases); i++) {
		c = parse_ok(cases[i].expr);
		CHECK(c.minute == (cases[i].minute ? cases[i].minute :
		    ALL_MIN), "'%s': minute %#llx\n", cases[i].expr,
		    (unsigned long long)c.minute);
		CHECK(c.hour == (cases[i].hour ? cases[i].hour : ALL_HOUR),
		    "'%s': hour %#x\n", cases[i].expr, c.hour);
		CHECK(c.dom == (cases[i].dom ? cases[i].dom : ALL_DOM),
		    "'%s': dom %#x\n", cases[i].expr, c.dom);
		CHECK(c.month == (cases[i].month ? cases[i].month : ALL_MON),
		    "'%s': month %#x\n", cases[i].expr, c.month);
		CHECK(c.dow == (cases[i].dow ? cases[i].dow : ALL_DOW),
		    "'%s': dow %#x\n", cases[i].expr, c.dow);
		CHECK(c.dom_star == cases[i].dom_star &&
		    c.dow_star == cases[i].dow_star, "'%s': stars %d %d\n",
		    cases[i].expr, c.dom_star, c.dow_star);
	}
}

static void
test_parse_steps(void **state)
{
	struct sched_cron c;

	c = parse_ok("*/20 */6 */10 */5 */2");
	assert_true(c.minute == bits(0, 59, 20));  /* 0,20,40 */
	assert_true(c.hour == bits(0, 23, 6));     /* 0,6,12,18 */
	assert_true(c.dom == bits(1, 31, 10));     /* 1,11,21,31 */
	assert_true(c.month == bits(1, 12, 5));    /* 1,6,11 */
	assert_true(c.dow == bits(0, 6, 2));       /* sun,tue,thu,sat */
	assert_true(c.dom_star && c.dow_star);

	c = parse_ok("10-50/20 1-23/11 2-9/3 jan-mar/2 mon-fri/2");
	assert_true(c.minute == ((1ull << 10) | (1ull << 30) | (1ull << 50)));
	assert_true(c.hour == ((1u << 1) | (1u << 12) | (1u << 23)));
	assert_true(c.dom == ((1u << 2) | (1u << 5) | (1u << 8)));
	assert_true(c.month == ((1u << 1) | (1u << 3)));
	assert_true(c.dow == ((1u << 1) | (1u << 3) | (1u << 5)));
	assert_false(c.dom_star || c.dow_star);

	/* The largest steps: one value each. */
	c = parse_ok("*/60 */24 */31 */12 */7");
	assert_true(c.minute == 1 && c.hour == 1 && c.dom == 2 &&
	    c.month == 2 && c.dow == 1);
	/* 5-7/2 is fri and sun (7). */
	c = parse_ok("0 0 * * 5-7/2");
	assert_true(c.dow == ((1u << 5) | 1u));
}

static void
test_parse_macros(void **state)
{
	static const struct {
		const char *macro;
		const char *same;
	} cases[] = {
		{ "@hourly", "0 * * * *" },
		{ "@daily", "0 0 * * *" },
		{ "@midnight", "0 0 * * *" },
		{ "@weekly", "0 0 * * 0" },
		{ "@monthly", "0 0 1 * *" },
		{ "@yearly", "0 0 1 1 *" },
		{ "@annually", "0 0 1 1 *" },
		{ "  @DAILY  ", "0 0 * * *" },
	};
	struct sched_cron a, b;

	for (size_t i = 0; i < NELEM(cases); i++) {
		a = parse_ok(cases[i].macro);
		b = parse_ok(cases[i].same);
		CHECK(a.minute == b.minute && a.hour == b.hour &&
		    a.dom == b.dom && a.month == b.month && a.dow == b.dow &&
		    a.dom_star == b.dom_star && a.dow_star == b.dow_star,
		    "'%s' differs from '%s'\n", cases[i].macro, cases[i].same);
	}
	/* And the expansion is what the macro says, not just consistent. */
	a = parse_ok("@weekly");
	assert_true(a.minute == 1 && a.hour == 1 && a.dom == ALL_DOM &&
	    a.month == ALL_MON && a.dow == 1 && a.dom_star && !a.dow_star);
	a = parse_ok("@yearly");
	assert_true(a.minute == 1 && a.hour == 1 && a.dom == 2 &&
	    a.month == 2 && a.dow == ALL_DOW);
}

static void
test_parse_invalid(void **state)
{
	static const struct {
		const char *expr;
		const char *why;
	} cases[] = {
		{ "", "too few fields: 0, want 5 (minute hour day-of-month "
		    "month day-of-week)" },
		{ "   ", "too few fields: 0, want 5 (minute hour day-of-month "
		    "month day-of-week)" },
		{ "* * * *", "too few fields: 4, want 5 (minute hour "
		    "day-of-month month day-of-week)" },
		{ "* * * * * *", "too many fields: want 5 (minute hour "
		    "day-of-month month day-of-week)" },
		{ "0 0 * * * /bin/true", "too many fields: want 5 (minute "
		    "hour day-of-month month day-of-week)" },
		{ "61 * * * *", "minute 61 out of range 0-59" },
		{ "60 * * * *", "minute 60 out of range 0-59" },
		{ "* 24 * * *", "hour 24 out of range 0-23" },
		{ "* * 0 * *", "day of month 0 out of range 1-31" },
		{ "* * 32 * *", "day of month 32 out of range 1-31" },
		{ "* * * 0 *", "month 0 out of range 1-12" },
		{ "* * * 13 *", "month 13 out of range 1-12" },
		{ "* * * * 8", "day of week 8 out of range 0-7" },
		{ "0-60 * * * *", "minute 60 out of range 0-59" },
		{ "99999999999999999999 * * * *",
		    "minute 99999999999999999999 out of range 0-59" },
		{ "*/0 * * * *", "minute step 0 out of range 1-60" },
		{ "*/61 * * * *", "minute step 61 out of range 1-60" },
		{ "* */25 * * *", "hour step 25 out of range 1-24" },
		{ "* * * * */8", "day of week step 8 out of range 1-7" },
		{ "1-5/0 * * * *", "minute step 0 out of range 1-60" },
		{ "*/ * * * *", "minute step missing in '*/'" },
		{ "*/x * * * *", "minute step missing in '*/x'" },
		{ "5/15 * * * *", "minute step needs * or a range: '5/15'" },
		{ "30-10 * * * *", "minute range 30-10 is reversed" },
		{ "* * * dec-jan *", "month range dec-jan is reversed" },
		{ "* * * * fri-mon", "day of week range fri-mon is reversed" },
		{ "abc * * * *", "minute: 'abc' is not a number" },
		{ "* mon * * *", "hour: 'mon' is not a number" },
		{ "* * * foo *", "month: 'foo' is not a number or name" },
		{ "* * * * monday",
		    "day of week: 'monday' is not a number or name" },
		{ "* * * * jan", "day of week: 'jan' is not a number or name" },
		{ "-1 * * * *", "minute: '-' is not a number" },
		{ "1,,2 * * * *", "minute: empty list item" },
		{ "1, * * * *", "minute: empty list item" },
		{ ",1 * * * *", "minute: empty list item" },
		{ "1-2-3 * * * *", "minute: unexpected '-' in '1-2-3'" },
		{ "1x * * * *", "minute: unexpected 'x' in '1x'" },
		{ "** * * * *", "minute: unexpected '*' in '**'" },
		{ "*-5 * * * *", "minute: unexpected '-' in '*-5'" },
		{ "@reboot", "unknown macro '@reboot'" },
		{ "@", "unknown macro '@'" },
		{ "@daily 0", "'@daily' takes no fields" },
		{ "@hourly *", "'@hourly' takes no fields" },
	};
	struct sched_cron c, sentinel;
	char err[128];

	memset(&sentinel, 0xab, sizeof(sentinel));
	for (size_t i = 0; i < NELEM(cases); i++) {
		memcpy(&c, &sentinel, sizeof(c));
		snprintf(err, sizeof(err), "(none)");
		CHECK(sched_parse(cases[i].expr, &c, err, sizeof(err)) ==
		    -EINVAL, "'%s' accepted\n", cases[i].expr);
		CHECK(strcmp(err, cases[i].why) == 0, "'%s': reason '%s', "
		    "want '%s'\n", cases[i].expr, err, cases[i].why);
		CHECK(memcmp(&c, &sentinel, sizeof(c)) == 0,
		    "'%s': out written on failure\n", cases[i].expr);
	}
	assert_int_equal(sched_parse(NULL, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no cron expression");
	/* A short buffer truncates the reason, still terminated. */
	assert_int_equal(sched_parse("61 * * * *", &c, err, 8), -EINVAL);
	assert_string_equal(err, "minute ");
}

/* One row of expected fire times: from `from`, the answer is `want`. */
struct fire_case {
	const char *expr;
	const char *tz;
	const char *from;
	const char *want; /* NULL: -ERANGE, nothing within 5 years */
};

static void
check_fire_cases(const struct fire_case *cases, size_t n, bool forward)
{
	struct sched_cron c;
	char b1[32], b2[32];
	time_t got, want;
	int rc;

	for (size_t i = 0; i < n; i++) {
		c = parse_ok(cases[i].expr);
		got = (time_t)-12345;
		if (forward)
			rc = sched_next(&c, cases[i].tz, iso(cases[i].from),
			    &got);
		else
			rc = sched_prev(&c, cases[i].tz, iso(cases[i].from),
			    &got);
		if (cases[i].want == NULL) {
			CHECK(rc == -ERANGE && got == (time_t)-12345,
			    "%s '%s' in %s from %s: rc %d, want -ERANGE\n",
			    forward ? "next" : "prev", cases[i].expr,
			    cases[i].tz ? cases[i].tz : "(null)",
			    cases[i].from, rc);
			continue;
		}
		want = iso(cases[i].want);
		CHECK(rc == 0 && got == want, "%s '%s' in %s from %s: rc %d, "
		    "got %s, want %s\n", forward ? "next" : "prev",
		    cases[i].expr, cases[i].tz ? cases[i].tz : "(null)",
		    cases[i].from, rc, fmt(got, b1, sizeof(b1)),
		    fmt(want, b2, sizeof(b2)));
	}
}

static void
test_next_fields(void **state)
{
	static const struct fire_case cases[] = {
		{ "5 * * * *", "", "2026-01-01T00:00Z", "2026-01-01T00:05Z" },
		/* Strictly after: a fire time is not its own successor. */
		{ "5 * * * *", "", "2026-01-01T00:05Z", "2026-01-01T01:05Z" },
		{ "* * * * *", "", "2026-01-01T00:00Z", "2026-01-01T00:01Z" },
		{ "* * * * *", "", "2026-01-01T00:00:30Z",
		    "2026-01-01T00:01Z" },
		{ "* * * * *", "", "2026-01-01T00:00:59Z",
		    "2026-01-01T00:01Z" },
		{ "10-12 * * * *", "", "2026-01-01T00:11Z",
		    "2026-01-01T00:12Z" },
		{ "10-12 * * * *", "", "2026-01-01T00:12Z",
		    "2026-01-01T01:10Z" },
		{ "*/20 * * * *", "", "2026-01-01T00:40Z",
		    "2026-01-01T01:00Z" },
		{ "10-50/20 * * * *", "", "2026-01-01T00:30Z",
		    "2026-01-01T00:50Z" },
		{ "10-50/20 * * * *", "", "2026-01-01T00:50Z",
		    "2026-01-01T01:10Z" },
		{ "15,45 8-9 * * *", "", "2026-01-01T08:45Z",
		    "2026-01-01T09:15Z" },
		{ "15,45 8-9 * * *", "", "2026-01-01T09:45Z",
		    "2026-01-02T08:15Z" },
		{ "0 */6 * * *", "", "2026-01-01T06:00Z", "2026-01-01T12:00Z" },
		{ "0 */6 * * *", "", "2026-01-01T18:00Z", "2026-01-02T00:00Z" },
		/* Friday 9:00 -> Monday 9:00. */
		{ "0 9 * * mon-fri", "", "2026-01-02T09:00Z",
		    "2026-01-05T09:00Z" },
		/* Thursday -> Sunday the 4th, whichever way Sunday is named. */
		{ "0 0 * * 7", "", "2026-01-01T00:00Z", "2026-01-04T00:00Z" },
		{ "0 0 * * 0", "", "2026-01-01T00:00Z", "2026-01-04T00:00Z" },
		{ "0 0 * * sun", "", "2026-01-01T00:00Z", "2026-01-04T00:00Z" },
		/* fri, sat, sun: from Sunday the 4th to Friday the 9th. */
		{ "0 12 * * 5-7", "", "2026-01-01T12:00Z",
		    "2026-01-02T12:00Z" },
		{ "0 12 * * 5-7", "", "2026-01-03T12:00Z",
		    "2026-01-04T12:00Z" },
		{ "0 12 * * 5-7", "", "2026-01-04T12:00Z",
		    "2026-01-09T12:00Z" },
		{ "0 0 1 jul *", "", "2026-01-01T00:00Z", "2026-07-01T00:00Z" },
		{ "0 0 1 JAN-MAR/2 *", "", "2026-01-01T00:00Z",
		    "2026-03-01T00:00Z" },
		{ "0 0 1 */5 *", "", "2026-01-01T00:00Z", "2026-06-01T00:00Z" },
		{ "0 0 1 */5 *", "", "2026-11-01T00:00Z", "2027-01-01T00:00Z" },
		{ "@hourly", "", "2026-01-01T00:30Z", "2026-01-01T01:00Z" },
		{ "@daily", "", "2026-01-01T00:00Z", "2026-01-02T00:00Z" },
		{ "@midnight", "", "2026-01-01T23:59:59Z",
		    "2026-01-02T00:00Z" },
		{ "@weekly", "", "2026-01-01T00:00Z", "2026-01-04T00:00Z" },
		{ "@monthly", "", "2026-01-01T00:00Z", "2026-02-01T00:00Z" },
		{ "@yearly", "", "2026-01-01T00:00Z", "2027-01-01T00:00Z" },
		{ "@annually", "", "2026-12-31T23:59Z", "2027-01-01T00:00Z" },
		/* Year end rolls over. */
		{ "30 23 31 12 *", "", "2026-12-31T23:30Z",
		    "2027-12-31T23:30Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_next_month_ends(void **state)
{
	static const struct fire_case cases[] = {
		/* The 31st skips February, April, June, September, November. */
		{ "0 0 31 * *", "", "2026-01-31T00:00Z", "2026-03-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-03-31T00:00Z", "2026-05-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-05-31T00:00Z", "2026-07-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-07-31T00:00Z", "2026-08-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-08-31T00:00Z", "2026-10-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-10-31T00:00Z", "2026-12-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-12-31T00:00Z", "2027-01-31T00:00Z" },
		{ "0 0 30 * *", "", "2026-01-30T00:00Z", "2026-03-30T00:00Z" },
		/* 2026 is not a leap year, 2028 is. */
		{ "0 0 29 * *", "", "2026-01-29T00:00Z", "2026-03-29T00:00Z" },
		{ "0 0 29 * *", "", "2028-01-29T00:00Z", "2028-02-29T00:00Z" },
		/* Leap day: 2028, then 2032. */
		{ "0 0 29 2 *", "", "2025-01-01T00:00Z", "2028-02-29T00:00Z" },
		{ "0 0 29 2 *", "", "2028-02-29T00:00Z", "2032-02-29T00:00Z" },
		/* 2100 is not a leap year: 2096 to 2104 is beyond 5 years. */
		{ "0 0 29 2 *", "", "2096-03-01T00:00Z", NULL },
		{ "0 0 29 2 *", "", "2095-03-01T00:00Z", "2096-02-29T00:00Z" },
		/* 2000 is one (divisible by 400). */
		{ "0 0 29 2 *", "", "1999-01-01T00:00Z", "2000-02-29T00:00Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_next_day_rule(void **state)
{
	static const struct fire_case cases[] = {
		/* The 13th OR a Friday: Fri 2, Fri 9, Tue 13, Fri 16. */
		{ "0 0 13 * 5", "", "2026-01-01T00:00Z", "2026-01-02T00:00Z" },
		{ "0 0 13 * 5", "", "2026-01-02T00:00Z", "2026-01-09T00:00Z" },
		{ "0 0 13 * 5", "", "2026-01-09T00:00Z", "2026-01-13T00:00Z" },
		{ "0 0 13 * 5", "", "2026-01-13T00:00Z", "2026-01-16T00:00Z" },
		/* Only one restricted: both must match. */
		{ "0 0 13 * *", "", "2026-01-01T00:00Z", "2026-01-13T00:00Z" },
		{ "0 0 * * 5", "", "2026-01-01T00:00Z", "2026-01-02T00:00Z" },
		/* Friday the 13th needs AND: Feb 13 2026 is a Friday. */
		{ "0 0 13 * *", "", "2026-01-13T00:00Z", "2026-02-13T00:00Z" },
		/* "*" + "/2" leaves the day of month free (Vixie): odd days
		 * AND Friday; Fri 2 is even, Fri 9 is odd. */
		{ "0 0 */2 * 5", "", "2026-01-01T00:00Z", "2026-01-09T00:00Z" },
		/* An impossible date with a weekday still fires on Mondays
		 * (of February: Feb 2 2026 is one). */
		{ "0 0 30 2 mon", "", "2026-01-01T00:00Z",
		    "2026-02-02T00:00Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_next_dst_spring(void **state)
{
	static const struct fire_case cases[] = {
		/* 02:30 does not exist on the 29th: 03:00 CEST = 01:00Z. */
		{ "30 2 * * *", STO, "2026-03-28T12:00Z", "2026-03-29T01:00Z" },
		{ "30 2 * * *", STO, "2026-03-29T01:00Z", "2026-03-30T00:30Z" },
		/* The day before: 02:30 CET = 01:30Z. */
		{ "30 2 * * *", STO, "2026-03-27T12:00Z", "2026-03-28T01:30Z" },
		{ "0 2 * * *", STO, "2026-03-28T12:00Z", "2026-03-29T01:00Z" },
		{ "59 1 * * *", STO, "2026-03-28T12:00Z", "2026-03-29T00:59Z" },
		/* Four nonexistent matches fire once, then 02:00 CEST. */
		{ "*/15 2 * * *", STO, "2026-03-29T00:00Z",
		    "2026-03-29T01:00Z" },
		{ "*/15 2 * * *", STO, "2026-03-29T01:00Z",
		    "2026-03-30T00:00Z" },
		/* 03:00 itself exists. */
		{ "0 3 * * *", STO, "2026-03-29T00:00Z", "2026-03-29T01:00Z" },
		{ "0 3 * * *", STO, "2026-03-29T01:00Z", "2026-03-30T01:00Z" },
		/* 02:00, 02:30 (gap) and 03:00 (real) fire once at 01:00Z. */
		{ "0,30 2,3 * * *", STO, "2026-03-29T00:30Z",
		    "2026-03-29T01:00Z" },
		{ "0,30 2,3 * * *", STO, "2026-03-29T01:00Z",
		    "2026-03-29T01:30Z" },
		/* 01:45 CET, then the gap's 02:00-02:45 = 03:00, then 03:15. */
		{ "*/15 * * * *", STO, "2026-03-29T00:30Z",
		    "2026-03-29T00:45Z" },
		{ "*/15 * * * *", STO, "2026-03-29T00:45Z",
		    "2026-03-29T01:00Z" },
		{ "*/15 * * * *", STO, "2026-03-29T00:50Z",
		    "2026-03-29T01:00Z" },
		{ "*/15 * * * *", STO, "2026-03-29T01:00Z",
		    "2026-03-29T01:15Z" },
		/* Jobs outside the gap hour are not moved. */
		{ "30 4 * * *", STO, "2026-03-28T12:00Z", "2026-03-29T02:30Z" },
		{ "30 1 * * *", STO, "2026-03-28T12:00Z", "2026-03-29T00:30Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_next_dst_fall(void **state)
{
	static const struct fire_case cases[] = {
		/* 02:30 happens twice: the first (CEST, 00:30Z) fires. */
		{ "30 2 * * *", STO, "2026-10-24T12:00Z", "2026-10-25T00:30Z" },
		{ "30 2 * * *", STO, "2026-10-25T00:30Z", "2026-10-26T01:30Z" },
		/* From inside the second pass (02:15 CET), the next day. */
		{ "30 2 * * *", STO, "2026-10-25T01:15Z", "2026-10-26T01:30Z" },
		{ "0 2 * * *", STO, "2026-10-24T12:00Z", "2026-10-25T00:00Z" },
		{ "0 2 * * *", STO, "2026-10-25T00:00Z", "2026-10-26T01:00Z" },
		/* 03:00 CET = 02:00Z. */
		{ "0 3 * * *", STO, "2026-10-25T00:00Z", "2026-10-25T02:00Z" },
		/* Every 15 min: first pass only, 02:45 CEST -> 03:00 CET. */
		{ "*/15 * * * *", STO, "2026-10-24T23:50Z",
		    "2026-10-25T00:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T00:30Z",
		    "2026-10-25T00:45Z" },
		{ "*/15 * * * *", STO, "2026-10-25T00:45Z",
		    "2026-10-25T02:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T00:50Z",
		    "2026-10-25T02:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T01:00Z",
		    "2026-10-25T02:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T01:20Z",
		    "2026-10-25T02:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T02:00Z",
		    "2026-10-25T02:15Z" },
		/* 01:30 CEST = 23:30Z the day before, unaffected. */
		{ "30 1 * * *", STO, "2026-10-24T12:00Z", "2026-10-24T23:30Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_next_no_dst(void **state)
{
	static const struct fire_case cases[] = {
		/* 02:30 JST on the 29th = 17:30Z on the 28th. */
		{ "30 2 * * *", TOK, "2026-03-28T12:00Z", "2026-03-28T17:30Z" },
		{ "30 2 * * *", TOK, "2026-10-24T12:00Z", "2026-10-24T17:30Z" },
		{ "*/15 * * * *", TOK, "2026-03-29T00:50Z",
		    "2026-03-29T01:00Z" },
		{ "*/15 * * * *", TOK, "2026-10-25T00:50Z",
		    "2026-10-25T01:00Z" },
		/* Feb 1 00:00 JST = Jan 31 15:00Z. */
		{ "0 0 1 * *", TOK, "2026-01-15T00:00Z", "2026-01-31T15:00Z" },
		/* Monday 00:00 JST = Sunday 15:00Z. */
		{ "0 0 * * mon", TOK, "2026-01-01T00:00Z",
		    "2026-01-04T15:00Z" },
		{ "30 2 * * *", "UTC", "2026-03-28T12:00Z",
		    "2026-03-29T02:30Z" },
		{ "30 2 * * *", NULL, "2026-03-28T12:00Z",
		    "2026-03-29T02:30Z" },
		{ "30 2 * * *", "", "2026-03-28T12:00Z", "2026-03-29T02:30Z" },
		{ "30 2 * * *", "Etc/UTC", "2026-10-25T01:00Z",
		    "2026-10-25T02:30Z" },
		{ "*/15 * * * *", "UTC", "2026-10-25T00:50Z",
		    "2026-10-25T01:00Z" },
	};

	check_fire_cases(cases, NELEM(cases), true);
}

static void
test_prev(void **state)
{
	static const struct fire_case cases[] = {
		/* At or before: a fire time is its own answer. */
		{ "5 * * * *", "", "2026-01-01T00:05Z", "2026-01-01T00:05Z" },
		{ "5 * * * *", "", "2026-01-01T00:04:59Z",
		    "2025-12-31T23:05Z" },
		{ "10-50/20 * * * *", "", "2026-01-01T00:49Z",
		    "2026-01-01T00:30Z" },
		{ "15,45 8-9 * * *", "", "2026-01-02T08:14Z",
		    "2026-01-01T09:45Z" },
		{ "0 9 * * mon-fri", "", "2026-01-05T08:59Z",
		    "2026-01-02T09:00Z" },
		{ "0 0 * * 7", "", "2026-01-10T00:00Z", "2026-01-04T00:00Z" },
		{ "0 0 1 JAN-MAR/2 *", "", "2026-02-15T00:00Z",
		    "2026-01-01T00:00Z" },
		{ "@hourly", "", "2026-01-01T00:59Z", "2026-01-01T00:00Z" },
		{ "@daily", "", "2026-01-01T23:59Z", "2026-01-01T00:00Z" },
		{ "@weekly", "", "2026-01-10T12:00Z", "2026-01-04T00:00Z" },
		{ "@monthly", "", "2026-03-15T00:00Z", "2026-03-01T00:00Z" },
		{ "@yearly", "", "2026-06-01T00:00Z", "2026-01-01T00:00Z" },
		{ "30 23 31 12 *", "", "2026-12-31T23:29Z",
		    "2025-12-31T23:30Z" },
		/* Month ends and leap days backwards. */
		{ "0 0 31 * *", "", "2026-03-30T00:00Z", "2026-01-31T00:00Z" },
		{ "0 0 31 * *", "", "2026-12-30T00:00Z", "2026-10-31T00:00Z" },
		{ "0 0 29 2 *", "", "2031-01-01T00:00Z", "2028-02-29T00:00Z" },
		{ "0 0 29 2 *", "", "2028-02-29T00:00Z", "2028-02-29T00:00Z" },
		{ "0 0 29 2 *", "", "2103-01-01T00:00Z", NULL },
		/* Day rule. */
		{ "0 0 13 * 5", "", "2026-01-15T00:00Z", "2026-01-13T00:00Z" },
		{ "0 0 13 * 5", "", "2026-01-12T00:00Z", "2026-01-09T00:00Z" },
		{ "0 0 */2 * 5", "", "2026-01-31T00:00Z",
		    "2026-01-23T00:00Z" },
		/* Spring: the gap's fire is at 01:00Z. */
		{ "30 2 * * *", STO, "2026-03-29T01:00Z", "2026-03-29T01:00Z" },
		{ "30 2 * * *", STO, "2026-03-29T00:59:59Z",
		    "2026-03-28T01:30Z" },
		{ "30 2 * * *", STO, "2026-03-29T12:00Z", "2026-03-29T01:00Z" },
		{ "*/15 2 * * *", STO, "2026-03-29T12:00Z",
		    "2026-03-29T01:00Z" },
		{ "0 3 * * *", STO, "2026-03-29T12:00Z", "2026-03-29T01:00Z" },
		{ "*/15 * * * *", STO, "2026-03-29T01:10Z",
		    "2026-03-29T01:00Z" },
		{ "*/15 * * * *", STO, "2026-03-29T00:59Z",
		    "2026-03-29T00:45Z" },
		/* Fall: the second pass never fired, so from inside it the
		 * answer is the first pass. */
		{ "30 2 * * *", STO, "2026-10-25T01:45Z", "2026-10-25T00:30Z" },
		{ "30 2 * * *", STO, "2026-10-25T01:30Z", "2026-10-25T00:30Z" },
		{ "30 2 * * *", STO, "2026-10-25T00:29Z", "2026-10-24T00:30Z" },
		{ "30 2 * * *", STO, "2026-10-25T12:00Z", "2026-10-25T00:30Z" },
		{ "*/15 * * * *", STO, "2026-10-25T01:50Z",
		    "2026-10-25T00:45Z" },
		{ "*/15 * * * *", STO, "2026-10-25T01:00Z",
		    "2026-10-25T00:45Z" },
		{ "*/15 * * * *", STO, "2026-10-25T00:50Z",
		    "2026-10-25T00:45Z" },
		{ "*/15 * * * *", STO, "2026-10-25T02:00Z",
		    "2026-10-25T02:00Z" },
		{ "*/15 * * * *", STO, "2026-10-25T02:10Z",
		    "2026-10-25T02:00Z" },
		{ "0 3 * * *", STO, "2026-10-25T01:59Z", "2026-10-24T01:00Z" },
		/* No DST. */
		{ "30 2 * * *", TOK, "2026-03-29T00:00Z", "2026-03-28T17:30Z" },
		{ "30 2 * * *", TOK, "2026-03-28T17:29Z", "2026-03-27T17:30Z" },
		{ "30 2 * * *", "UTC", "2026-03-29T02:29Z",
		    "2026-03-28T02:30Z" },
		{ "30 2 * * *", NULL, "2026-10-25T02:30Z",
		    "2026-10-25T02:30Z" },
	};

	check_fire_cases(cases, NELEM(cases), false);
}

static void
test_never_fires(void **state)
{
	static const struct fire_case cases[] = {
		{ "0 0 30 2 *", "", "2026-01-01T00:00Z", NULL },
		{ "0 0 31 4,6,9,11 *", "", "2026-01-01T00:00Z", NULL },
		{ "0 0 30 2 *", STO, "2026-01-01T00:00Z", NULL },
		{ "0 0 31 2 *", TOK, "2026-01-01T00:00Z", NULL },
	};

	check_fire_cases(cases, NELEM(cases), true);
	check_fire_cases(cases, NELEM(cases), false);
}

static void
test_unknown_zone(void **state)
{
	static const char *const bad[] = {
		"Europe/Stockhlom", "Mars/Olympus_Mons", "europe/stockholm",
		"Europe", "Europe/", "/etc/passwd", "../../etc/passwd",
		"Europe/../Europe/Stockholm", "./Europe/Stockholm",
		"zone.tab", "Europe//Stockholm", "Europe/Stock holm",
		"CET-1CEST,M3.5.0,M10.5.0/3",
	};
	struct sched_cron c = parse_ok("0 * * * *");
	time_t t = 42;

	for (size_t i = 0; i < NELEM(bad); i++) {
		CHECK(sched_next(&c, bad[i], iso("2026-01-01T00:00Z"), &t) ==
		    -EINVAL, "'%s' accepted by next\n", bad[i]);
		CHECK(sched_prev(&c, bad[i], iso("2026-01-01T00:00Z"), &t) ==
		    -EINVAL, "'%s' accepted by prev\n", bad[i]);
	}
	assert_int_equal(t, 42);
}

/* The caller's TZ is back afterwards, set or unset. */
static void
test_tz_restored(void **state)
{
	struct sched_cron c = parse_ok("0 * * * *");
	time_t t, noon = iso("2026-01-01T12:00Z");
	struct tm tm;

	assert_int_equal(setenv("TZ", TOK, 1), 0);
	tzset();
	assert_int_equal(sched_next(&c, STO, noon, &t), 0);
	assert_non_null(getenv("TZ"));
	assert_string_equal(getenv("TZ"), TOK);
	assert_non_null(localtime_r(&noon, &tm));
	assert_int_equal(tm.tm_gmtoff, 9 * 3600);
	assert_int_equal(tm.tm_hour, 21);
	/* Also after a failure. */
	assert_int_equal(sched_prev(&c, "Nowhere/Land", noon, &t), -EINVAL);
	assert_string_equal(getenv("TZ"), TOK);

	assert_int_equal(unsetenv("TZ"), 0);
	tzset();
	assert_int_equal(sched_prev(&c, STO, noon, &t), 0);
	assert_null(getenv("TZ"));
}

/*
 * A reference for the DST rule, written from the contract rather than from
 * the module: walk UTC minute by minute; a minute fires when its local time
 * matches and is that local time's first occurrence, or when it is the first
 * minute after a gap and a skipped local minute matches.  Local times come
 * from localtime_r with TZ set here, and gmtime_r on local seconds gives the
 * fields of a skipped local minute.
 */
static bool
ref_matches(const struct sched_cron *c, const struct tm *tm)
{
	bool dom = c->dom & (1u << tm->tm_mday);
	bool dow = c->dow & (1u << tm->tm_wday);

	if (!(c->minute & ((uint64_t)1 << tm->tm_min)) ||
	    !(c->hour & (1u << tm->tm_hour)) ||
	    !(c->month & (1u << (tm->tm_mon + 1))))
		return false;
	return c->dom_star || c->dow_star ? dom && dow : dom || dow;
}

static long
ref_local(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	return (long)(t + tm.tm_gmtoff);
}

static bool
ref_fires(const struct sched_cron *c, time_t t)
{
	struct tm tm;
	time_t l = ref_local(t), prev = ref_local(t - 60), s;

	gmtime_r(&l, &tm);
	/* A repeated local time: the same wall clock an hour earlier. */
	if (ref_matches(c, &tm) && ref_local(t - 3600) != l)
		return true;
	for (s = prev + 60; s < l; s += 60) {
		gmtime_r(&s, &tm);
		if (ref_matches(c, &tm))
			return true;
	}
	return false;
}

#define REF_MAX 12000

static void
check_reference(const char *expr, const char *tz, const char *around)
{
	struct sched_cron c = parse_ok(expr);
	time_t mid = iso(around), from = mid - 4 * 86400,
	    to = mid + 4 * 86400, fires[REF_MAX], t, got, want;
	size_t n = 0, k;
	char b1[32], b2[32], b3[32];
	int rc;

	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
	for (t = from; t <= to; t += 60)
		if (ref_fires(&c, t)) {
			assert_true(n < REF_MAX);
			fires[n++] = t;
		}
	CHECK(n >= 2, "'%s' %s around %s: %zu fires\n", expr, tz, around, n);
	/* Probe at odd seconds across the window, both directions. */
	for (t = fires[0]; t < fires[n - 1]; t += 7 * 60 + 13) {
		for (k = 0; fires[k] <= t; k++)
			continue;
		want = fires[k];
		rc = sched_next(&c, tz, t, &got);
		CHECK(rc == 0 && got == want, "'%s' %s next(%s): rc %d, %s, "
		    "want %s\n", expr, tz, fmt(t, b3, sizeof(b3)), rc,
		    fmt(got, b1, sizeof(b1)), fmt(want, b2, sizeof(b2)));
		want = fires[k - 1];
		rc = sched_prev(&c, tz, t, &got);
		CHECK(rc == 0 && got == want, "'%s' %s prev(%s): rc %d, %s, "
		    "want %s\n", expr, tz, fmt(t, b3, sizeof(b3)), rc,
		    fmt(got, b1, sizeof(b1)), fmt(want, b2, sizeof(b2)));
	}
	/*
	 * Fire to fire, from each fire and a second before the next: all
	 * within 3 hours of the transition, a sample elsewhere.
	 */
	for (k = 0; k + 1 < n; k++) {
		if (labs((long)(fires[k] - mid)) > 3 * 3600 &&
		    k % (n / 100 + 1) != 0)
			continue;
		rc = sched_next(&c, tz, fires[k], &got);
		CHECK(rc == 0 && got == fires[k + 1], "'%s' %s next(%s): %s, "
		    "want %s\n", expr, tz, fmt(fires[k], b3, sizeof(b3)),
		    fmt(got, b1, sizeof(b1)), fmt(fires[k + 1], b2,
		    sizeof(b2)));
		rc = sched_prev(&c, tz, fires[k + 1] - 1, &got);
		CHECK(rc == 0 && got == fires[k], "'%s' %s prev(%s): %s, "
		    "want %s\n", expr, tz, fmt(fires[k + 1] - 1, b3,
		    sizeof(b3)), fmt(got, b1, sizeof(b1)), fmt(fires[k], b2,
		    sizeof(b2)));
		rc = sched_prev(&c, tz, fires[k + 1], &got);
		CHECK(rc == 0 && got == fires[k + 1], "'%s' %s prev(%s) is "
		    "not itself\n", expr, tz, fmt(fires[k + 1], b3,
		    sizeof(b3)));
	}
	unsetenv("TZ");
	tzset();
}

static void
test_reference(void **state)
{
	static const char *const exprs[] = {
		"* * * * *", "*/15 * * * *", "30 2 * * *", "*/15 2 * * *",
		"0 3 * * *", "0,30 2,3 * * *", "59 1 * * *", "0 0 * * *",
		"*/7 1-3 * * *", "0 2 26 * 0", "45 2 * * sun,mon",
		"0 */2 * * *", "10 2 * * 6,0,1",
	};
	static const char *const around[] = {
		"2026-03-29T01:00Z", "2026-10-25T01:00Z",
	};

	for (size_t i = 0; i < NELEM(exprs); i++)
		for (size_t j = 0; j < NELEM(around); j++) {
			check_reference(exprs[i], STO, around[j]);
			check_reference(exprs[i], TOK, around[j]);
		}
	check_reference("0 2 28-30 3 *", STO, "2026-03-29T01:00Z");
	check_reference("*/15 2 * * *", "UTC", "2026-03-29T01:00Z");
	/* Another zone and year: New York springs forward at 07:00Z. */
	check_reference("30 2 * * *", "America/New_York", "2027-03-14T07:00Z");
	check_reference("*/15 1 * * *", "America/New_York",
	    "2027-11-07T06:00Z");
}

/* The 5-year search is quick: skipping, not minute by minute. */
static void
test_speed(void **state)
{
	struct sched_cron never = parse_ok("0 0 30 2 *");
	struct sched_cron often = parse_ok("*/15 2 * * *");
	time_t t = iso("2026-01-01T00:00Z"), got;
	clock_t start = clock();
	double ms;
	int i;

	for (i = 0; i < 200; i++) {
		assert_int_equal(sched_next(&never, STO, t + i, &got), -ERANGE);
		assert_int_equal(sched_prev(&never, STO, t + i, &got), -ERANGE);
		assert_int_equal(sched_next(&often, STO, t + i, &got), 0);
	}
	ms = (double)(clock() - start) * 1000 / CLOCKS_PER_SEC / 600;
	/* Typically tens of microseconds; generous for sanitizers. */
	CHECK(ms < 5, "%.3f ms a call\n", ms);
}

static void
test_backoff(void **state)
{
	/* 60 * 2^(n-1): 60, 120, 240, 480, 960, 1920, then the cap 3600. */
	assert_true(sched_backoff(60, 3600, 1) == 60);
	assert_true(sched_backoff(60, 3600, 2) == 120);
	assert_true(sched_backoff(60, 3600, 3) == 240);
	assert_true(sched_backoff(60, 3600, 6) == 1920);
	assert_true(sched_backoff(60, 3600, 7) == 3600);
	assert_true(sched_backoff(60, 3600, 100) == 3600);
	assert_true(sched_backoff(60, 3600, 2147483647) == 3600);
	/* The cap exactly reached: 30 * 2^2 = 120. */
	assert_true(sched_backoff(30, 120, 3) == 120);
	assert_true(sched_backoff(30, 120, 4) == 120);
	assert_true(sched_backoff(0.5, 1e9, 10) == 256);
	/* No cap worth the name: 2^99 is still finite, not inf or UB. */
	assert_true(sched_backoff(1, INFINITY, 100) == ldexp(1, 99));
	assert_true(isfinite(sched_backoff(1, 1e308, 5000)));
	assert_true(sched_backoff(1, 1e308, 5000) == 1e308);
	/* attempt < 1 counts as the first. */
	assert_true(sched_backoff(60, 3600, 0) == 60);
	assert_true(sched_backoff(60, 3600, -5) == 60);
	/* Odd input. */
	assert_true(sched_backoff(0, 3600, 5) == 0);
	assert_true(sched_backoff(-1, 3600, 5) == 0);
	assert_true(sched_backoff(NAN, 3600, 5) == 0);
	assert_true(sched_backoff(600, 60, 1) == 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_steps),
		cmocka_unit_test(test_parse_macros),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_next_fields),
		cmocka_unit_test(test_next_month_ends),
		cmocka_unit_test(test_next_day_rule),
		cmocka_unit_test(test_next_dst_spring),
		cmocka_unit_test(test_next_dst_fall),
		cmocka_unit_test(test_next_no_dst),
		cmocka_unit_test(test_prev),
		cmocka_unit_test(test_never_fires),
		cmocka_unit_test(test_unknown_zone),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_speed),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
