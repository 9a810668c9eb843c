/* test_backfill.c - unit tests of backfill.c: dated URLs per period of each grain, drop-directory files by the date in their names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/backfill.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The drop directory of the dir:// tests. */
static char dir[64];

/* Days since 1970-01-01 from libc's timegm, not from the code under test. */
static int32_t
day(int y, int m, int d)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int32_t)(timegm(&tm) / 86400);
}

/* Writable copies for the source's char * fields. */
static char name_buf[] = "koer", url_buf[256], pattern_buf[8192];

/* s's backfill_url becomes pattern (NULL: none). */
static void
set_pattern(struct conf_source *s, const char *pattern)
{
	s->backfill_url = NULL;
	if (pattern != NULL) {
		snprintf(pattern_buf, sizeof(pattern_buf), "%s", pattern);
		s->backfill_url = pattern_buf;
	}
}

/* Only the fields backfill reads. */
static struct conf_source
source(const char *url, enum value_grain period, const char *pattern)
{
	struct conf_source s;

	memset(&s, 0, sizeof(s));
	snprintf(url_buf, sizeof(url_buf), "%s", url);
	s.name = name_buf;
	s.url = url_buf;
	s.drop_dir = strncmp(url, "dir://", 6) == 0;
	s.period = period;
	set_pattern(&s, pattern);
	return s;
}

/* Calls backfill_urls and checks the URLs are exactly want (n of them). */
static void
check_urls(const struct conf_source *s, int32_t from, int32_t to,
    const char *const *want, size_t nwant)
{
	char **urls = (char **)&urls, err[256] = "";
	size_t n = 99;
	int rc;

	rc = backfill_urls(s, from, to, &urls, &n, err, sizeof(err));
	if (rc != 0)
		fail_msg("backfill_urls: %d (%s)", rc, err);
	for (size_t i = 0; i < n; i++)
		if (n != nwant || strcmp(urls[i], want[i]) != 0)
			print_message("#   got [%zu] %s\n", i, urls[i]);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(urls[i], want[i]);
	backfill_free(urls, n);
}

/* ---- dated URLs --------------------------------------------------------- */

/* Three months, each formatted with its first day. */
static void
test_monthly(void **state)
{
	static const char *const want[] = {
		"http://x/q-2024-01-01.csv",
		"http://x/q-2024-02-01.csv",
		"http://x/q-2024-03-01.csv",
	};
	struct conf_source s = source("http://x/q.csv", VALUE_GRAIN_MONTH,
	    "http://x/q-%Y-%m-%d.csv");

	check_urls(&s, day(2024, 1, 1), day(2024, 3, 31), want, NELEM(want));
	/* A --to on the first day of March still takes March's period. */
	check_urls(&s, day(2024, 1, 1), day(2024, 3, 1), want, NELEM(want));
	/* A --to on the last day of February stops there. */
	check_urls(&s, day(2024, 1, 1), day(2024, 2, 29), want, 2);
}

/* A --from inside a period starts at that period's first day. */
static void
test_from_inside_a_period(void **state)
{
	static const char *const months[] = {
		"q-2024-01-01", "q-2024-02-01",
	};
	static const char *const weeks[] = {
		/* Wednesday 2024-12-25 is in the week of Monday the 23rd. */
		"q-2024-12-23", "q-2024-12-30",
	};
	struct conf_source s = source("http://x/q.csv", VALUE_GRAIN_MONTH,
	    "q-%Y-%m-%d");

	check_urls(&s, day(2024, 1, 15), day(2024, 2, 10), months,
	    NELEM(months));
	s.period = VALUE_GRAIN_WEEK;
	check_urls(&s, day(2024, 12, 25), day(2024, 12, 30), weeks,
	    NELEM(weeks));
	/* --from == --to in the middle of a week: that one week. */
	check_urls(&s, day(2024, 12, 29), day(2024, 12, 29), weeks, 1);
}

/*
 * ISO weeks across a year boundary.  2025-01-01 is a Wednesday, so the
 * week holding Thursday 2025-01-02 (ISO week 1 of 2025) starts Monday
 * 2024-12-30, whose calendar year %Y is still 2024; 2024-12-23 is the
 * Monday of 2024-W52 (2024 has 52 ISO weeks).
 */
static void
test_weekly_year_boundary(void **state)
{
	static const char *const want[] = {
		"http://x/queue-2024-W52.csv",
		"http://x/queue-2025-W01.csv",
		"http://x/queue-2025-W02.csv",
	};
	static const char *const mixed[] = {
		"2024-W52 2024-12-23 1",  /* %u: Monday is 1 */
		"2025-W01 2024-12-30 1",
		"2025-W02 2025-01-06 1",
	};
	struct conf_source s = source("http://x/queue.csv", VALUE_GRAIN_WEEK,
	    "http://x/queue-%G-W%V.csv");

	check_urls(&s, day(2024, 12, 23), day(2025, 1, 12), want, NELEM(want));
	set_pattern(&s, "%G-W%V %Y-%m-%d %u");
	check_urls(&s, day(2024, 12, 23), day(2025, 1, 12), mixed,
	    NELEM(mixed));
}

/*
 * Quarters: 2023-11-15 is in Q4 2023 (from October 1st); 2024-07-01 starts
 * Q3 2024.  %j, the day of the year: 2023-10-01 is 273 + 1 (Jan..Sep of a
 * common year: 31+28+31+30+31+30+31+31+30 = 273), 2024-01-01 is 1,
 * 2024-04-01 is 31+29+31 + 1 = 92 (leap year), 2024-07-01 is 92 + 30 + 31
 * + 30 = 183.
 */
static void
test_quarterly(void **state)
{
	static const char *const want[] = {
		"/q/2023-10 274",
		"/q/2024-01 001",
		"/q/2024-04 092",
		"/q/2024-07 183",
	};
	struct conf_source s = source("https://x/q.csv", VALUE_GRAIN_QUARTER,
	    "/q/%Y-%m %j");

	check_urls(&s, day(2023, 11, 15), day(2024, 7, 1), want, NELEM(want));
}

/* Days (through a leap day) and years, the other grains. */
static void
test_day_and_year(void **state)
{
	static const char *const days[] = {
		"d20240228", "d20240229", "d20240301",
	};
	static const char *const years[] = {
		"y2022", "y2023", "y2024",
	};
	struct conf_source s = source("file:///x", VALUE_GRAIN_DAY, "d%Y%m%d");

	check_urls(&s, day(2024, 2, 28), day(2024, 3, 1), days, NELEM(days));
	s.period = VALUE_GRAIN_YEAR;
	set_pattern(&s, "y%Y");
	check_urls(&s, day(2022, 6, 1), day(2024, 1, 1), years, NELEM(years));
}

/* A literal %% stays one '%'. */
static void
test_percent_literal(void **state)
{
	static const char *const want[] = { "http://x/a%20b-2024-02.csv" };
	struct conf_source s = source("http://x/a.csv", VALUE_GRAIN_MONTH,
	    "http://x/a%%20b-%Y-%m.csv");

	check_urls(&s, day(2024, 2, 10), day(2024, 2, 20), want, NELEM(want));
}

/* With both, backfill_url wins over the drop directory. */
static void
test_pattern_before_dir(void **state)
{
	static const char *const want[] = { "http://x/2024-02" };
	struct conf_source s = source("dir:///nonexistent/drop",
	    VALUE_GRAIN_MONTH, "http://x/%Y-%m");

	check_urls(&s, day(2024, 2, 1), day(2024, 2, 1), want, NELEM(want));
}

/* ---- refusals ----------------------------------------------------------- */

static void
test_from_after_to(void **state)
{
	struct conf_source s = source("http://x/q.csv", VALUE_GRAIN_MONTH,
	    "q-%Y-%m");
	char **urls = (char **)&urls, err[256] = "";
	size_t n = 99;

	assert_int_equal(backfill_urls(&s, day(2024, 3, 2), day(2024, 3, 1),
	    &urls, &n, err, sizeof(err)), -EINVAL);
	assert_null(urls);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "--from is after --to"));
}

/* Neither backfill_url nor dir://: the message names the source. */
static void
test_nothing_to_backfill_from(void **state)
{
	static const char *const urls_of[] = {
		"http://x/q.csv", "file:///srv/q.csv",
	};

	for (size_t i = 0; i < NELEM(urls_of); i++) {
		struct conf_source s = source(urls_of[i], VALUE_GRAIN_WEEK, NULL);
		char **urls = (char **)&urls, err[256] = "";
		size_t n = 99;

		assert_int_equal(backfill_urls(&s, day(2024, 1, 1),
		    day(2024, 2, 1), &urls, &n, err, sizeof(err)), -EINVAL);
		assert_null(urls);
		assert_int_equal(n, 0);
		assert_non_null(strstr(err, "'koer'"));
		assert_non_null(strstr(err, "backfill_url"));
		assert_non_null(strstr(err, "dir://"));
	}
}

/* A URL too long for the buffer fails the whole list, leaking nothing. */
static void
test_url_too_long(void **state)
{
	char *pattern = malloc(5001);
	char **urls = (char **)&urls, err[256] = "";
	struct conf_source s;
	size_t n = 99;

	assert_non_null(pattern);
	memset(pattern, 'a', 5000);
	memcpy(pattern + 4990, "%Y", 2);
	pattern[5000] = '\0';
	s = source("http://x/q.csv", VALUE_GRAIN_MONTH, pattern);
	assert_int_equal(backfill_urls(&s, day(2024, 1, 1), day(2024, 3, 1),
	    &urls, &n, err, sizeof(err)), -ENAMETOOLONG);
	assert_null(urls);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "'koer'"));
	free(pattern);
}

/* ---- drop directories --------------------------------------------------- */

static void
touch(const char *sub, const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	assert_non_null(f = fopen(path, "w"));
	fputs("x\n", f);
	assert_int_equal(fclose(f), 0);
}

static int
setup_dir(void **state)
{
	char done[128];

	snprintf(dir, sizeof(dir), "/tmp/fragwatch-backfill.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(done, sizeof(done), "%s/done", dir);
	return mkdir(done, 0755);
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown_dir(void **state)
{
	(void)state;
	/* Our own mkdtemp directory, children first, links not followed. */
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* name as one URL path segment: all but RFC 3986's unreserved escaped. */
static void
escape(const char *name, char *out, size_t size)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0' &&
	    o + 4 < size; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", *p);
	out[o] = '\0';
}

/* done/ holds files dated each way, undated ones and ones out of range. */
static void
test_dir_files(void **state)
{
	static const char *const files[] = {
		"queue-2024-01-08.csv",   /* YYYY-MM-DD */
		"queue-20240115.csv",     /* YYYYMMDD */
		"queue-2024-W04.csv",     /* Monday 2024-01-22 */
		"staff-2024-02.csv",      /* 2024-02-01 */
		"queue-2024-01-01.csv",   /* before --from, in its week */
		"q 2024-02-29 final.csv", /* --to itself; blanks escaped */
		"a#2024-01-09%.csv",      /* '#' and '%' escaped */
		"queue-2023-12-31.csv",   /* the week before: out */
		"queue-2024-03-01.csv",   /* after --to: out */
		"queue-2024-W10.csv",     /* Monday 2024-03-04: out */
		"readme.txt",             /* no date */
		"queue-latest.csv",       /* no date */
		"queue-2024-13-01.csv",   /* no such month */
		"export-123456789012.csv", /* a long number is no date */
		"notes-7",                /* short digits at the very end */
		"v2",
	};
	char base[128], done[160];
	/* strcmp order of the names in range: ' ' < '-' < '0' < 'W'. */
	const char *const in_order[] = {
		"a#2024-01-09%.csv",
		"q 2024-02-29 final.csv",
		"queue-2024-01-01.csv",
		"queue-2024-01-08.csv",
		"queue-2024-W04.csv",
		"queue-20240115.csv",
		"staff-2024-02.csv",
	};
	char want[NELEM(in_order)][256];
	const char *wantp[NELEM(in_order)];
	struct conf_source s;

	for (size_t i = 0; i < NELEM(files); i++)
		touch("done", files[i]);
	/* Neither a dot file nor a directory is an extract. */
	touch("done", ".queue-2024-01-09.csv");
	snprintf(done, sizeof(done), "%s/done/2024-01-10", dir);
	assert_int_equal(mkdir(done, 0755), 0);
	/* Files waiting in the drop directory itself are not history. */
	touch(".", "queue-2024-01-11.csv");

	for (size_t i = 0; i < NELEM(in_order); i++) {
		char esc[128];

		escape(in_order[i], esc, sizeof(esc));
		snprintf(want[i], sizeof(want[i]), "file://%s/done/%s", dir,
		    esc);
		wantp[i] = want[i];
	}
	snprintf(base, sizeof(base), "dir://%s", dir);
	s = source(base, VALUE_GRAIN_WEEK, NULL);
	/* Wednesday 2024-01-03: the week from Monday 2024-01-01. */
	check_urls(&s, day(2024, 1, 3), day(2024, 2, 29), wantp, NELEM(wantp));

	/* A narrower range: 2024-01-08..2024-01-15 (weeks 2 and 3). */
	snprintf(want[0], sizeof(want[0]), "file://%s/done/a%%232024-01-09%%25"
	    ".csv", dir);
	snprintf(want[1], sizeof(want[1]), "file://%s/done/queue-2024-01-08.csv",
	    dir);
	snprintf(want[2], sizeof(want[2]), "file://%s/done/queue-20240115.csv",
	    dir);
	for (size_t i = 0; i < 3; i++)
		wantp[i] = want[i];
	check_urls(&s, day(2024, 1, 8), day(2024, 1, 15), wantp, 3);

	/* A range with no file: nothing, and no error. */
	check_urls(&s, day(2022, 1, 1), day(2022, 12, 31), NULL, 0);
}

/* No done/ directory (nothing loaded yet): no URLs, not an error. */
static void
test_dir_without_done(void **state)
{
	char base[160];
	struct conf_source s;

	snprintf(base, sizeof(base), "dir://%s/never-made", dir);
	s = source(base, VALUE_GRAIN_MONTH, NULL);
	check_urls(&s, day(2024, 1, 1), day(2024, 12, 31), NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_from_inside_a_period),
		cmocka_unit_test(test_weekly_year_boundary),
		cmocka_unit_test(test_quarterly),
		cmocka_unit_test(test_day_and_year),
		cmocka_unit_test(test_percent_literal),
		cmocka_unit_test(test_pattern_before_dir),
		cmocka_unit_test(test_from_after_to),
		cmocka_unit_test(test_nothing_to_backfill_from),
		cmocka_unit_test(test_url_too_long),
		cmocka_unit_test(test_dir_files),
		cmocka_unit_test(test_dir_without_done),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
