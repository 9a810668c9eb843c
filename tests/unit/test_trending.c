/* test_trending.c - unit tests of trending.c's pure parts: the horizon per grain, the composite's threshold, the words an owner reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "daemon/trending.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define Q1 "share waiting within the guarantee limit"
#define R1 "load (referrals received / completed)"

/* A conf with only what these functions read: the early_warning horizons
 * (DESIGN.md §6 defaults: 12 weeks, 3 months) and the composite bands. */
static struct conf
conf_with(int weeks, int months)
{
	struct conf c;

	memset(&c, 0, sizeof(c));
	c.early_warning.horizon_weeks = weeks;
	c.early_warning.horizon_months = months;
	c.bands.yellow_from = 0.25;
	c.bands.red_from = 0.50;
	return c;
}

/* A verdict with nothing computed: the caller sets what fired. */
static struct warning_verdict
verdict(unsigned fired, double slope, double periods_to_red)
{
	struct warning_verdict v;

	memset(&v, 0, sizeof(v));
	v.enough_data = true;
	v.fired = fired;
	v.signal = (fired & WARNING_E3) || ((fired & WARNING_E1) &&
	    (fired & WARNING_E2));
	v.mean = v.lcl = v.ucl = v.ewma = v.ewma_limit = NAN;
	v.mk_p = NAN;
	v.slope = slope;
	v.periods_to_red = periods_to_red;
	return v;
}

/* ---- horizon ------------------------------------------------------------ */

static void
test_horizon_defaults(void **state)
{
	struct conf c = conf_with(12, 3);

	assert_int_equal(trending_horizon(&c, "week"), 12);
	assert_int_equal(trending_horizon(&c, "day"), 84);    /* 12 x 7 */
	assert_int_equal(trending_horizon(&c, "month"), 3);
	assert_int_equal(trending_horizon(&c, "quarter"), 1); /* 3 months */
	assert_int_equal(trending_horizon(&c, "year"), 1);
}

static void
test_horizon_overrides(void **state)
{
	/* { weeks, months, day, week, month, quarter, year } */
	static const int cases[][7] = {
		{ 8, 6, 56, 8, 6, 2, 1 },
		{ 26, 12, 182, 26, 12, 4, 1 },
		{ 1, 1, 7, 1, 1, 1, 1 },      /* under a quarter: still 1 */
		{ 4, 2, 28, 4, 2, 1, 1 },
		{ 104, 24, 728, 104, 24, 8, 1 },
		{ 12, 7, 84, 12, 7, 2, 1 },   /* 7 months: 2 whole quarters */
	};
	static const char *const grains[] = { "day", "week", "month",
		"quarter", "year" };

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct conf c = conf_with(cases[i][0], cases[i][1]);

		for (size_t g = 0; g < NELEM(grains); g++)
			if (trending_horizon(&c, grains[g]) != cases[i][2 + g])
				fail_msg("weeks %d months %d: %s horizon %d, "
				    "want %d", cases[i][0], cases[i][1],
				    grains[g], trending_horizon(&c, grains[g]),
				    cases[i][2 + g]);
	}
}

/* ---- composite threshold ------------------------------------------------ */

/* Green below yellow_from, red at or above red_from, as the composite's
 * own bands (status.h) are drawn. */
static void
test_composite_threshold(void **state)
{
	static const struct {
		double yellow, red, score;
		enum status_light want;
	} cases[] = {
		{ 0.25, 0.50, 0.0, STATUS_GREEN },
		{ 0.25, 0.50, 0.2499, STATUS_GREEN },
		{ 0.25, 0.50, 0.25, STATUS_YELLOW },
		{ 0.25, 0.50, 0.4999, STATUS_YELLOW },
		{ 0.25, 0.50, 0.50, STATUS_RED },
		{ 0.25, 0.50, 1.0, STATUS_RED },
		{ 0.30, 0.60, 0.29, STATUS_GREEN },
		{ 0.30, 0.60, 0.30, STATUS_YELLOW },
		{ 0.30, 0.60, 0.59, STATUS_YELLOW },
		{ 0.30, 0.60, 0.60, STATUS_RED },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct conf c = conf_with(12, 3);
		struct status_threshold t;
		const char *why = NULL;

		memset(&t, 0xa5, sizeof(t));
		c.bands.yellow_from = cases[i].yellow;
		c.bands.red_from = cases[i].red;
		trending_composite_threshold(&c, &t);
		assert_true(t.higher_is_worse);
		assert_int_equal(t.green.op, STATUS_OP_LT);
		assert_true(t.green.value == cases[i].yellow);
		assert_int_equal(t.red.op, STATUS_OP_GE);
		assert_true(t.red.value == cases[i].red);
		/* The detectors refuse a threshold status refuses. */
		if (status_threshold_check(&t, &why) != 0)
			fail_msg("threshold refused: %s", why ? why : "?");
		assert_int_equal(status_light(&t, true, cases[i].score, 0, 0,
		    false, NULL), cases[i].want);
	}
}

/* ---- the words ---------------------------------------------------------- */

static void
check_text(const char *name, bool is_share, bool higher_is_worse,
    const char *grain, const struct warning_verdict *v, const char *want)
{
	char buf[512];

	memset(buf, 'x', sizeof(buf));
	trending_explain(name, is_share, higher_is_worse, grain, v, buf,
	    sizeof(buf));
	assert_non_null(memchr(buf, '\0', sizeof(buf)));
	assert_string_equal(buf, want);
}

/* The brief's example: -0.012 a week is 1.2 points; 6.3 periods to red
 * rounds up to 7 (red is not reached in 6). */
static void
test_share_falling_e3(void **state)
{
	struct warning_verdict v = verdict(WARNING_E3, -0.012, 6.3);

	check_text(Q1, true, false, "week", &v, Q1 " falling 1.2 points a "
	    "week; red in about 7 weeks");
	/* Exactly 6 periods stays 6. */
	v.periods_to_red = 6.0;
	check_text(Q1, true, false, "week", &v, Q1 " falling 1.2 points a "
	    "week; red in about 6 weeks");
	/* Monthly: 2.5 points a month, red in about 3 months. */
	v = verdict(WARNING_E3, -0.025, 2.01);
	check_text(Q1, true, false, "month", &v, Q1 " falling 2.5 points a "
	    "month; red in about 3 months");
	/* Two significant digits: 0.00456 is 0.456 points, shown 0.46. */
	v = verdict(WARNING_E3, -0.00456, 10.5);
	check_text(Q1, true, false, "week", &v, Q1 " falling 0.46 points a "
	    "week; red in about 11 weeks");
}

/* At most one period away: "within a week", never "about 1 weeks". */
static void
test_red_within_one_period(void **state)
{
	static const double near[] = { 0.0, 0.3, 0.99, 1.0 };
	struct warning_verdict v;

	for (size_t i = 0; i < NELEM(near); i++) {
		v = verdict(WARNING_E3, -0.03, near[i]);
		check_text(Q1, true, false, "week", &v, Q1 " falling 3 points "
		    "a week; red within a week");
		check_text(Q1, true, false, "quarter", &v, Q1 " falling 3 "
		    "points a quarter; red within a quarter");
	}
	/* Just over one period is two. */
	v = verdict(WARNING_E3, -0.03, 1.001);
	check_text(Q1, true, false, "week", &v, Q1 " falling 3 points a week; "
	    "red in about 2 weeks");
}

/* E1 and E2 together without a slope: which side, and the SPC rule. */
static void
test_e1_e2_without_slope(void **state)
{
	struct warning_verdict v = verdict(WARNING_E1 | WARNING_E2, NAN, NAN);

	v.spc_rule = "shift: 7 points on one side of the mean";
	check_text(R1, false, true, "month", &v, R1 " worsening; higher than "
	    "its usual range (shift: 7 points on one side of the mean)");
	check_text(Q1, true, false, "week", &v, Q1 " worsening; lower than "
	    "its usual range (shift: 7 points on one side of the mean)");
	/* No rule text: "SPC". */
	v.spc_rule = NULL;
	check_text(R1, false, true, "month", &v, R1 " worsening; higher than "
	    "its usual range (SPC)");
	/* E1 alone (or E2 alone) says nothing about the usual range. */
	v = verdict(WARNING_E1 | WARNING_E3, NAN, 4.0);
	v.spc_rule = "shift: 7 points on one side of the mean";
	check_text(R1, false, true, "month", &v, R1 " worsening; red in "
	    "about 4 months");
	/* All three: slope, range and time to red, in that order. */
	v = verdict(WARNING_E1 | WARNING_E2 | WARNING_E3, -0.015, 2.5);
	v.spc_rule = "trend: 7 points falling";
	check_text(Q1, true, false, "week", &v, Q1 " falling 1.5 points a week; "
	    "lower than its usual range (trend: 7 points falling); red in "
	    "about 3 weeks");
}

/* A ratio rising: its own units, no "points". */
static void
test_non_share_rising(void **state)
{
	struct warning_verdict v = verdict(WARNING_E3, 0.05, 2.5);

	check_text(R1, false, true, "month", &v, R1 " rising 0.05 a month; "
	    "red in about 3 months");
	v = verdict(WARNING_E3, 0.013, 11.2);
	check_text("composite fragility score", false, true, "week", &v,
	    "composite fragility score rising 0.013 a week; red in about 12 "
	    "weeks");
	/* Days and years have their words too. */
	v = verdict(WARNING_E3, 1.5, 30.0);
	check_text(R1, false, true, "day", &v, R1 " rising 1.5 a day; red in "
	    "about 30 days");
	v = verdict(WARNING_E3, 1.5, 0.5);
	check_text(R1, false, true, "year", &v, R1 " rising 1.5 a year; red "
	    "within a year");
	/* A share can rise too (a higher-is-worse share). */
	v = verdict(WARNING_E1 | WARNING_E2, 0.004, NAN);
	v.spc_rule = "one point beyond the limits";
	check_text("sick leave (3 months)", true, true, "month", &v,
	    "sick leave (3 months) rising 0.4 points a month; higher than its "
	    "usual range (one point beyond the limits)");
}

/* No slope (NaN or zero): "worsening", never "nan" or "rising 0". */
static void
test_no_slope(void **state)
{
	struct warning_verdict v = verdict(WARNING_E3, NAN, 5.0);

	check_text(R1, false, true, "month", &v, R1 " worsening; red in about "
	    "5 months");
	v.slope = 0.0;
	check_text(R1, false, true, "month", &v, R1 " worsening; red in about "
	    "5 months");
	/* Nothing known at all: the name and "worsening" only. */
	v = verdict(0, NAN, NAN);
	check_text(R1, false, true, "month", &v, R1 " worsening");
}

/* Any buffer size: truncated, NUL-terminated, nothing written past it. */
static void
test_small_buffer(void **state)
{
	static const char full[] = Q1 " falling 1.2 points a week; lower than "
	    "its usual range (trend: 7 points falling); red in about 7 weeks";
	struct warning_verdict v = verdict(WARNING_E1 | WARNING_E2 |
	    WARNING_E3, -0.012, 6.3);
	char buf[sizeof(full) + 16];

	v.spc_rule = "trend: 7 points falling";
	/* Every size from 0 to the full length + 1 (each stage cut). */
	for (size_t size = 0; size <= sizeof(full); size++) {
		memset(buf, '#', sizeof(buf));
		trending_explain(Q1, true, false, "week", &v, buf, size);
		for (size_t i = size; i < sizeof(buf); i++)
			if (buf[i] != '#')
				fail_msg("size %zu: byte %zu written", size, i);
		if (size == 0)
			continue;
		if (buf[size - 1] != '\0' && memchr(buf, '\0', size) == NULL)
			fail_msg("size %zu: not NUL-terminated", size);
		/* What fits is the start of the full text. */
		if (strlen(buf) != size - 1 ||
		    strncmp(buf, full, size - 1) != 0)
			fail_msg("size %zu: '%s'", size, buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_horizon_defaults),
		cmocka_unit_test(test_horizon_overrides),
		cmocka_unit_test(test_composite_threshold),
		cmocka_unit_test(test_share_falling_e3),
		cmocka_unit_test(test_red_within_one_period),
		cmocka_unit_test(test_e1_e2_without_slope),
		cmocka_unit_test(test_non_share_rising),
		cmocka_unit_test(test_no_slope),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
