/* test_rollup.c - unit tests of rollup.c: referral and queue facts computed by hand, key order, periods, percentiles, limits. */
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

#include "extractors/kind.h"
#include "extractors/rollup.h"
#include "extractors/value.h"

static int32_t
day(const char *s)
{
	int32_t d;

	assert_int_equal(value_parse_date(s, "%Y-%m-%d", &d), 0);
	return d;
}

/* A referral record: dates as text, NULL for absent. */
static void
referral(struct rollup *r, uint64_t line, const char *received, int area,
    int org, const char *status, const char *assessed, const char *closed)
{
	const struct kind *k = kind_find_record("referral");
	struct mapping_row row;

	memset(&row, 0, sizeof(row));
	row.area = area;
	row.org = org;
	row.values[0] = day(received);
	row.present[0] = true;
	if (status != NULL) {
		row.texts[kind_field_index(k, "status")] = status;
		row.present[kind_field_index(k, "status")] = true;
	}
	if (assessed != NULL) {
		row.values[kind_field_index(k, "assessed")] = day(assessed);
		row.present[kind_field_index(k, "assessed")] = true;
	}
	if (closed != NULL) {
		row.values[kind_field_index(k, "closed")] = day(closed);
		row.present[kind_field_index(k, "closed")] = true;
	}
	assert_int_equal(rollup_add(r, &row, line), 0);
}

/* A fact rendered as "period area org f1 f2 ... line", '-' for NULL. */
static void
render(const struct rollup_fact *f, const struct kind *k, char *buf,
    size_t size)
{
	char d[16];
	size_t n;

	value_format_date(f->period, d, sizeof(d));
	n = (size_t)snprintf(buf, size, "%s %d %d", d, f->area, f->org);
	for (size_t i = KIND_FIELD_ORG + 1; i < k->nfields; i++)
		n += (size_t)(f->present[i] ? snprintf(buf + n, size - n, " %g",
		    f->values[i]) : snprintf(buf + n, size - n, " -"));
	snprintf(buf + n, size - n, " @%llu", (unsigned long long)f->line);
}

static void
expect_facts(struct rollup *r, const struct kind *k, const char *const *want,
    size_t nwant)
{
	struct rollup_fact f;
	size_t pos = 0, i = 0;
	char got[256];

	assert_int_equal(rollup_count(r), nwant);
	while (rollup_next(r, &pos, &f)) {
		assert_true(i < nwant);
		render(&f, k, got, sizeof(got));
		assert_string_equal(got, want[i]);
		i++;
	}
	assert_int_equal(i, nwant);
}

static void
test_referrals(void **state)
{
	const struct kind *rk = kind_find_record("referral");
	const struct kind *fk = kind_find("referral");
	struct rollup *r = rollup_new(rk, fk, VALUE_GRAIN_WEEK, NULL, 0);
	int32_t *periods;
	size_t n;
	/* Fields: received accepted rejected completed triage_median_days.
	 * Week of Mon 2024-01-01 at (0, 0): lines 2, 3, 4 received; 2
	 * accepted, 3 rejected, 4 pending; closed that week: line 3 only
	 * (line 2 closes 01-10, the next week); triage days {2, 0}: median 1.
	 * Week of 2024-01-08 at (0, 0): nothing received, line 2's closing:
	 * completed 1, accepted/rejected/triage NULL, line 2.
	 * Week of 2024-01-01 at (1, 0): lines 5 and 9 without status or
	 * assessed date: received 2, accepted/rejected NULL, triage NULL.
	 * Week of 2024-01-08 at (0, 1): triage {1, 2, 10, 20}: median
	 * 2 + (10 - 2) * 0.5 = 6; all accepted.
	 * Week of 2023-12-25 at (0, 0): line 11, received (and accepted) on
	 * Sunday 12-31. */
	static const char *const want[] = {
		"2023-12-25 0 0 1 1 0 0 - @11",
		"2024-01-01 0 0 3 1 1 1 1 @2",
		"2024-01-01 1 0 2 - - 0 - @5",
		"2024-01-08 0 0 0 - - 1 - @2",
		"2024-01-08 0 1 4 4 0 0 6 @6",
	};

	(void)state;
	assert_non_null(r);
	referral(r, 2, "2024-01-01", 0, 0, "accepted", "2024-01-03", "2024-01-10");
	referral(r, 3, "2024-01-03", 0, 0, "rejected", "2024-01-03", "2024-01-05");
	referral(r, 4, "2024-01-07", 0, 0, "pending", NULL, NULL);
	referral(r, 9, "2024-01-02", 1, 0, NULL, NULL, NULL);
	referral(r, 5, "2024-01-04", 1, 0, NULL, NULL, NULL);
	referral(r, 6, "2024-01-08", 0, 1, "accepted", "2024-01-18", NULL);
	referral(r, 7, "2024-01-09", 0, 1, "accepted", "2024-01-10", NULL);
	referral(r, 8, "2024-01-10", 0, 1, "accepted", "2024-01-30", NULL);
	referral(r, 10, "2024-01-14", 0, 1, "accepted", "2024-01-16", NULL);
	referral(r, 11, "2023-12-31", 0, 0, "accepted", NULL, NULL);
	/* The periods the extract replaces: its received weeks only. */
	assert_int_equal(rollup_periods(r, &periods, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(periods[0], day("2023-12-25"));
	assert_int_equal(periods[1], day("2024-01-01"));
	assert_int_equal(periods[2], day("2024-01-08"));
	free(periods);
	expect_facts(r, fk, want, sizeof(want) / sizeof(want[0]));
	/* Nothing may be added once the facts were read. */
	assert_int_equal(rollup_add(r, &(struct mapping_row){ .area = 0 }, 1),
	    -EINVAL);
	rollup_free(r);
}

static void
queue_row(struct rollup *r, uint64_t line, const char *snapshot, int area,
    const char *since)
{
	const struct kind *k = kind_find_record("queue");
	struct mapping_row row;

	memset(&row, 0, sizeof(row));
	row.area = area;
	row.values[0] = day(snapshot);
	row.present[0] = true;
	row.values[kind_field_index(k, "waiting_since")] = day(since);
	row.present[kind_field_index(k, "waiting_since")] = true;
	assert_int_equal(rollup_add(r, &row, line), 0);
}

static void
test_queue(void **state)
{
	static const int guarantee[2] = { 90, 30 };
	const struct kind *rk = kind_find_record("queue");
	const struct kind *fk = kind_find("queue");
	struct rollup *r = rollup_new(rk, fk, VALUE_GRAIN_WEEK, guarantee, 2);
	/* Fields: waiting_total over mean median p90 removed.
	 * Area 0, week of 2024-01-01: the 01-02 snapshot is replaced by the
	 * 01-07 one, and a 01-03 row arriving later is ignored. Waits on
	 * 01-07: 37, 128, 90, 220 (from 12-01, 09-01, 10-09, 2023-06-01);
	 * over 90 days: 128 and 220; mean 475 / 4 = 118.75; median
	 * (90 + 128) / 2 = 109; p90: row 2.7 of 0..3, 128 + 0.7 * 92 = 192.4;
	 * first line 5.
	 * Area 1 (guarantee 30), same week: one wait of 31 days, over. */
	static const char *const want[] = {
		"2024-01-01 0 0 4 2 118.75 109 192.4 - @5",
		"2024-01-01 1 0 1 1 31 31 31 - @9",
	};

	(void)state;
	assert_non_null(r);
	queue_row(r, 2, "2024-01-02", 0, "2023-12-01");
	queue_row(r, 3, "2024-01-02", 0, "2023-12-20");
	queue_row(r, 6, "2024-01-07", 0, "2023-12-01");
	queue_row(r, 5, "2024-01-07", 0, "2023-09-01");
	queue_row(r, 7, "2024-01-07", 0, "2023-10-09");
	queue_row(r, 8, "2024-01-07", 0, "2023-06-01");
	queue_row(r, 4, "2024-01-03", 0, "2023-01-01");
	queue_row(r, 9, "2024-01-02", 1, "2023-12-02");
	expect_facts(r, fk, want, sizeof(want) / sizeof(want[0]));
	rollup_free(r);
}

/* Keys beyond what the packed key holds are refused, not mixed up. */
static void
test_limits(void **state)
{
	struct rollup *r = rollup_new(kind_find_record("referral"),
	    kind_find("referral"), VALUE_GRAIN_MONTH, NULL, 0);
	struct mapping_row row;
	struct rollup_fact f;
	size_t pos = 0;

	(void)state;
	memset(&row, 0, sizeof(row));
	row.values[0] = day("2024-02-29");
	row.present[0] = true;
	row.area = 65535;
	assert_int_equal(rollup_add(r, &row, 1), -E2BIG);
	row.area = 65534;
	row.org = -1;
	assert_int_equal(rollup_add(r, &row, 1), -E2BIG);
	row.org = 65534;
	assert_int_equal(rollup_add(r, &row, 1), 0);
	/* Many keys: the table grows and keeps every one, in order. */
	for (int a = 0; a < 300; a++)
		for (int o = 0; o < 10; o++) {
			row.area = a;
			row.org = o;
			row.values[0] = day("1969-12-15") + 40 * o;
			assert_int_equal(rollup_add(r, &row, 2), 0);
		}
	assert_int_equal(rollup_count(r), 3001);
	assert_true(rollup_next(r, &pos, &f));
	assert_int_equal(f.period, day("1969-12-01")); /* before 1970 sorts first */
	assert_int_equal(f.area, 0);
	assert_int_equal(f.org, 0);
	rollup_free(r);
	/* A kind without a rollup. */
	assert_null(rollup_new(kind_find("staffing"), kind_find("staffing"),
	    VALUE_GRAIN_MONTH, NULL, 0));
	rollup_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referrals),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
