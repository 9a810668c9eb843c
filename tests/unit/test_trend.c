/* test_trend.c - unit tests of trend.c: Theil-Sen, Mann-Kendall, damped Holt, time to red. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "transforms/trend.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* Reports a failed table row before cmocka stops the test. */
#define CHECK(cond, ...) do {						\
	bool check_ok_ = (cond);					\
									\
	if (!check_ok_)							\
		print_error(__VA_ARGS__);				\
	assert_true(check_ok_);						\
} while (0)

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Reference median: sort everything and take the middle. */
static double
ref_median(double *a, size_t n)
{
	qsort(a, n, sizeof(*a), cmp_double);
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static void
ref_theil_sen(const double *x, size_t n, double *slope, double *intercept)
{
	static double pairs[TREND_MAX * TREND_MAX];
	size_t np = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			pairs[np++] = (x[j] - x[i]) / (double)(j - i);
	*slope = ref_median(pairs, np);
	for (size_t i = 0; i < n; i++)
		pairs[i] = x[i] - *slope * (double)i;
	*intercept = ref_median(pairs, n);
}

/* Reference Mann-Kendall, O(n^2) throughout. The tie term sums
 * t(t-1)(2t+5) over groups; a group of t members contributes
 * (t-1)(2t+5) once per member, so each point adds (t_i-1)(2t_i+5) with
 * t_i the count of values equal to it - no sorting needed. */
static void
ref_mann_kendall(const double *x, size_t n, double *s, double *var,
    double *p)
{
	double ties = 0, z = 0, dn = (double)n;

	*s = 0;
	for (size_t i = 0; i < n; i++) {
		double t = 0;

		for (size_t j = 0; j < n; j++) {
			if (j > i && x[j] > x[i])
				*s += 1;
			if (j > i && x[j] < x[i])
				*s -= 1;
			if (x[j] == x[i])
				t++;
		}
		ties += (t - 1) * (2 * t + 5);
	}
	*var = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18;
	if (*s > 0 && *var > 0)
		z = (*s - 1) / sqrt(*var);
	if (*s < 0 && *var > 0)
		z = (*s + 1) / sqrt(*var);
	/* Two-sided tail of the standard normal: 2 (1 - Phi(|z|)). */
	*p = 2 * (1 - 0.5 * (1 + erf(fabs(z) / sqrt(2.0))));
}

static uint32_t seed = 2024;

static double
noise(void)
{
	seed = seed * 1103515245u + 12345u;
	return (double)(seed >> 16) / 65536.0 - 0.5;
}

/*
 * By hand, x = 10, 12, 11, 12, 14:
 * pairwise slopes (i,j): (0,1) 2, (0,2) 1/2, (0,3) 2/3, (0,4) 1, (1,2) -1,
 * (1,3) 0, (1,4) 2/3, (2,3) 1, (2,4) 3/2, (3,4) 2; sorted -1 0 1/2 2/3 2/3
 * 1 1 3/2 2 2, median (2/3 + 1) / 2 = 5/6. Residuals x - 5/6 i: 10,
 * 11.1667, 9.3333, 9.5, 10.6667; median 10 = intercept.
 * S: from 10: +4; from 12: -1 0 +1 = 0; from 11: +2; from 12: +1; S = 7.
 * Var: n = 5, 5 x 4 x 15 = 300; one tie group of 2 (the 12s): 2 x 1 x 9
 * = 18; var = 282 / 18 = 15.6667. z = (7 - 1) / 3.95811 = 1.51587;
 * p = 2 (1 - Phi(1.51587)) = 0.12955 (normal table: Phi(1.52) = 0.9357).
 */
static void
test_hand_example(void **state)
{
	const double x[] = { 10, 12, 11, 12, 14 };
	const double y[] = { -10, -12, -11, -12, -14 };
	double slope, icpt;
	struct trend_mk mk;

	(void)state;
	assert_int_equal(trend_theil_sen(x, 5, &slope, &icpt), 0);
	assert_true(NEAR(slope, 5.0 / 6, 1e-12));
	assert_true(NEAR(icpt, 10, 1e-12));
	assert_int_equal(trend_mann_kendall(x, 5, &mk), 0);
	assert_true(mk.s == 7);
	assert_true(NEAR(mk.var, 282.0 / 18, 1e-12));
	assert_true(NEAR(mk.z, 1.51587, 1e-5));
	assert_true(NEAR(mk.p, 0.12955, 1e-5));

	/* Falling mirror: S = -7, z = -(7 - 1)/sd, same p. */
	assert_int_equal(trend_mann_kendall(y, 5, &mk), 0);
	assert_true(mk.s == -7);
	assert_true(NEAR(mk.z, -1.51587, 1e-5));
	assert_true(NEAR(mk.p, 0.12955, 1e-5));
	assert_int_equal(trend_theil_sen(y, 5, &slope, &icpt), 0);
	assert_true(NEAR(slope, -5.0 / 6, 1e-12));

	/* Two points: one slope; S = 1, var = 2 x 1 x 9 / 18 = 1, z = 0. */
	assert_int_equal(trend_theil_sen(x, 2, &slope, &icpt), 0);
	assert_true(slope == 2 && icpt == 10);
	assert_int_equal(trend_mann_kendall(x, 2, &mk), 0);
	assert_true(mk.s == 1 && mk.var == 1 && mk.z == 0 && mk.p == 1);
}

/* All equal: every pair ties, var = 0 (300 - 5 x 4 x 15), no trend. */
static void
test_constant(void **state)
{
	const double x[] = { 3, 3, 3, 3, 3 };
	double slope, icpt;
	struct trend_mk mk;

	(void)state;
	assert_int_equal(trend_mann_kendall(x, 5, &mk), 0);
	assert_true(mk.s == 0 && mk.var == 0 && mk.z == 0 && mk.p == 1);
	assert_int_equal(trend_theil_sen(x, 5, &slope, &icpt), 0);
	assert_true(slope == 0 && icpt == 3);
}

/* Against the O(n^2) references on every length up to the cap, on noise
 * with a trend and on small integers (many ties). */
static void
test_against_reference(void **state)
{
	double x[TREND_MAX], slope, icpt, rs, ri, s, var, p;
	struct trend_mk mk;

	(void)state;
	for (int kind = 0; kind < 3; kind++) {
		for (size_t n = 2; n <= TREND_MAX; n++) {
			for (size_t i = 0; i < n; i++) {
				if (kind == 0)
					x[i] = 0.01 * (double)i + 0.05 * noise();
				else if (kind == 1)
					x[i] = floor(5 * (noise() + 0.5));
				else
					x[i] = 0.7 - 0.002 * (double)i +
					    0.01 * noise();
			}
			ref_theil_sen(x, n, &rs, &ri);
			ref_mann_kendall(x, n, &s, &var, &p);
			assert_int_equal(trend_theil_sen(x, n, &slope, &icpt),
			    0);
			assert_int_equal(trend_mann_kendall(x, n, &mk), 0);
			CHECK(NEAR(slope, rs, 1e-12) && NEAR(icpt, ri, 1e-12),
			    "kind %d n %zu: slope %.17g want %.17g, icpt "
			    "%.17g want %.17g\n", kind, n, slope, rs, icpt, ri);
			CHECK(mk.s == s && NEAR(mk.var, var, 1e-9) &&
			    NEAR(mk.p, p, 1e-9), "kind %d n %zu: S %g/%g var "
			    "%g/%g p %g/%g\n", kind, n, mk.s, s, mk.var, var,
			    mk.p, p);
		}
	}
}

/* A clean trend is significant, pure noise mostly not. */
static void
test_significance(void **state)
{
	double x[26];
	struct trend_mk mk;

	(void)state;
	/* Strictly rising, n = 26: S = 325, var = 26 x 25 x 57 / 18 =
	 * 2058.33, z = 324 / 45.369 = 7.14; p ~ 1e-12. */
	for (int i = 0; i < 26; i++)
		x[i] = i;
	assert_int_equal(trend_mann_kendall(x, 26, &mk), 0);
	assert_true(mk.s == 325);
	assert_true(NEAR(mk.var, 26.0 * 25 * 57 / 18, 1e-9));
	assert_true(NEAR(mk.z, 324 / sqrt(26.0 * 25 * 57 / 18), 1e-12));
	assert_true(mk.p < 1e-11);
}

static void
test_bad_input(void **state)
{
	double x[TREND_MAX + 1] = { 0 }, slope = 42, icpt = 42;
	struct trend_mk mk, sentinel;

	(void)state;
	memset(&sentinel, 0x5a, sizeof(sentinel));
	mk = sentinel;
	assert_int_equal(trend_theil_sen(x, 1, &slope, &icpt), -EINVAL);
	assert_int_equal(trend_theil_sen(x, TREND_MAX + 1, &slope, &icpt),
	    -EINVAL);
	assert_int_equal(trend_mann_kendall(x, 1, &mk), -EINVAL);
	assert_int_equal(trend_mann_kendall(x, TREND_MAX + 1, &mk), -EINVAL);
	x[3] = NAN;
	assert_int_equal(trend_theil_sen(x, 5, &slope, &icpt), -EINVAL);
	assert_int_equal(trend_mann_kendall(x, 5, &mk), -EINVAL);
	x[3] = -INFINITY;
	assert_int_equal(trend_theil_sen(x, 5, &slope, &icpt), -EINVAL);
	assert_true(slope == 42 && icpt == 42);
	assert_memory_equal(&mk, &sentinel, sizeof(mk));
	x[3] = 0;
	assert_int_equal(trend_theil_sen(x, TREND_MAX, &slope, &icpt), 0);
}

/* Reference damped Holt, written from the textbook equations with the
 * whole state kept in arrays (level[t], trend[t]). */
static void
ref_holt(const double *x, size_t n, double a, double b, double phi,
    double *level, double *trend)
{
	double l[200], t[200];
	size_t k = n - 1 < 3 ? n - 1 : 3;

	l[0] = x[0];
	t[0] = 0;
	for (size_t i = 1; i <= k; i++)
		t[0] += (x[i] - x[i - 1]) / (double)k;
	for (size_t i = 1; i < n; i++) {
		double forecast = l[i - 1] + phi * t[i - 1];

		l[i] = a * x[i] + (1 - a) * forecast;
		t[i] = b * (l[i] - l[i - 1]) + (1 - b) * phi * t[i - 1];
	}
	*level = l[n - 1];
	*trend = t[n - 1];
}

static void
test_holt(void **state)
{
	const double line[] = { 0, 1, 2, 3 };
	double x[200], l, b;
	struct trend_holt h, sentinel;

	(void)state;
	/* A straight line with phi = 1: l0 = 0, b0 = (3 - 0)/3 = 1; each
	 * step l = 0.5 x t + 0.5 (t - 1 + 1) = t, b = 0.3 x 1 + 0.7 x 1 = 1.
	 * Forecast 2 ahead: 3 + 2 = 5. */
	assert_int_equal(trend_holt(line, 4, 0.5, 0.3, 1, &h), 0);
	assert_true(h.level == 3 && h.trend == 1 && h.phi == 1);
	assert_true(trend_holt_forecast(&h, 2) == 5);

	/* By hand, phi 0.5: 1 + (0.5) 1, + 0.25, + 0.125. */
	h.level = 1;
	h.trend = 1;
	h.phi = 0.5;
	assert_true(trend_holt_forecast(&h, 0) == 1);
	assert_true(trend_holt_forecast(&h, 1) == 1.5);
	assert_true(trend_holt_forecast(&h, 2) == 1.75);
	assert_true(trend_holt_forecast(&h, 3) == 1.875);

	for (size_t i = 0; i < NELEM(x); i++)
		x[i] = 0.6 + 0.003 * (double)i + 0.02 * noise();
	for (size_t n = 2; n <= NELEM(x); n++) {
		ref_holt(x, n, 0.5, 0.3, 0.9, &l, &b);
		assert_int_equal(trend_holt(x, n, 0.5, 0.3, 0.9, &h), 0);
		CHECK(NEAR(h.level, l, 1e-12) && NEAR(h.trend, b, 1e-12),
		    "n %zu: %.17g %.17g want %.17g %.17g\n", n, h.level,
		    h.trend, l, b);
		ref_holt(x, n, 0.2, 0.1, 0.8, &l, &b);
		assert_int_equal(trend_holt(x, n, 0.2, 0.1, 0.8, &h), 0);
		CHECK(NEAR(h.level, l, 1e-12) && NEAR(h.trend, b, 1e-12),
		    "n %zu (0.2/0.1/0.8)\n", n);
	}

	memset(&sentinel, 0x5a, sizeof(sentinel));
	h = sentinel;
	assert_int_equal(trend_holt(x, 1, 0.5, 0.3, 0.9, &h), -EINVAL);
	assert_int_equal(trend_holt(x, 5, 0, 0.3, 0.9, &h), -EINVAL);
	assert_int_equal(trend_holt(x, 5, 0.5, 1.1, 0.9, &h), -EINVAL);
	assert_int_equal(trend_holt(x, 5, 0.5, 0.3, 0, &h), -EINVAL);
	assert_int_equal(trend_holt(x, 5, 0.5, 0.3, NAN, &h), -EINVAL);
	x[2] = NAN;
	assert_int_equal(trend_holt(x, 5, 0.5, 0.3, 0.9, &h), -EINVAL);
	assert_memory_equal(&h, &sentinel, sizeof(h));
}

static void
test_periods_to_red(void **state)
{
	/* Higher is worse (Q3): red >= 1.0, or > 1.0. */
	const struct status_threshold ge = { true, { STATUS_OP_LT, 0.8 },
	    { STATUS_OP_GE, 1.0 } };
	const struct status_threshold gt = { true, { STATUS_OP_LT, 0.8 },
	    { STATUS_OP_GT, 1.0 } };
	/* Lower is worse (Q1): red < 0.70. */
	const struct status_threshold lt = { false, { STATUS_OP_GE, 0.8 },
	    { STATUS_OP_LT, 0.70 } };

	(void)state;
	/* 0.5 + 0.125 h reaches 1.0 exactly at h = 4 (binary fractions, so
	 * exact): red at 4 under ">= 1.0", at 5 under "> 1.0". */
	assert_true(trend_periods_to_red(0.5, 0.125, 1, 12, &ge) == 4);
	assert_true(trend_periods_to_red(0.5, 0.125, 1, 12, &gt) == 5);
	assert_true(trend_periods_to_red(0.5, 0.125, 1, 4, &ge) == 4);
	assert_true(isnan(trend_periods_to_red(0.5, 0.125, 1, 3, &ge)));
	/* Not worsening: flat or improving, never red. */
	assert_true(isnan(trend_periods_to_red(0.5, 0, 1, 12, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, -0.125, 1, 12, &ge)));
	/* Already red and worsening: 0. */
	assert_true(trend_periods_to_red(1.0, 0.125, 1, 12, &ge) == 0);
	assert_true(trend_periods_to_red(1.0, 0.125, 1, 0, &ge) == 0);
	/* Lower is worse: 0.9 - 0.0625 h < 0.70 first at h = 4 (0.65;
	 * h = 3 gives 0.7125). */
	assert_true(trend_periods_to_red(0.9, -0.0625, 1, 12, &lt) == 4);
	assert_true(isnan(trend_periods_to_red(0.9, 0.0625, 1, 12, &lt)));
	/* Damped, phi 0.5: 0 + slope (0.5, 0.75, 0.875, ...) approaches
	 * the slope but never passes it: slope 0.99 never reaches 1.0
	 * (slope 1 would, once the sum rounds to 1 in doubles); with slope
	 * 1, 0.8 is passed at h = 3. */
	assert_true(isnan(trend_periods_to_red(0, 0.99, 0.5,
	    TREND_HORIZON_MAX, &ge)));
	{
		const struct status_threshold ge8 = { true,
		    { STATUS_OP_LT, 0.5 }, { STATUS_OP_GE, 0.8 } };

		assert_true(trend_periods_to_red(0, 1, 0.5, 12, &ge8) == 3);
	}
	/* Bad arguments. */
	assert_true(isnan(trend_periods_to_red(NAN, 0.1, 1, 12, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, INFINITY, 1, 12, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, 0.1, 0, 12, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, 0.1, 1.5, 12, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, 0.1, 1, -1, &ge)));
	assert_true(isnan(trend_periods_to_red(0.5, 0.1, 1,
	    TREND_HORIZON_MAX + 1, &ge)));
}

/*
 * The projection with a seasonal component. 0.5 + 0.125 h alone reaches
 * 1.0 at h = 4. With season[h] = 0.25 from h = 2 on (binary fractions,
 * so exact): 0.5 + 0.25 + 0.25 = 1.0 at h = 2; h = 1 gives 0.625.
 */
static void
test_periods_to_red_seasonal(void **state)
{
	const struct status_threshold ge = { true, { STATUS_OP_LT, 0.8 },
	    { STATUS_OP_GE, 1.0 } };
	const struct status_threshold lt = { false, { STATUS_OP_GE, 0.8 },
	    { STATUS_OP_LT, 0.70 } };
	double season[13], down[13];

	(void)state;
	for (int h = 0; h <= 12; h++) {
		season[h] = h >= 2 ? 0.25 : 0;
		down[h] = h >= 2 ? -0.25 : 0;
	}
	assert_true(trend_periods_to_red_seasonal(0.5, 0.125, 1, 12, season,
	    &ge) == 2);
	/* NULL is no season: the plain projection. */
	assert_true(trend_periods_to_red_seasonal(0.5, 0.125, 1, 12, NULL,
	    &ge) == 4);
	/* A season in the good direction delays red: 0.5 + 0.125 h - 0.25
	 * reaches 1.0 at h = 6. */
	assert_true(trend_periods_to_red_seasonal(0.5, 0.125, 1, 12, down,
	    &ge) == 6);
	/* Lower is worse: 0.9 - 0.0625 h - 0.25 < 0.70 first at h = 2
	 * (0.525; h = 1 gives 0.8375). */
	assert_true(trend_periods_to_red_seasonal(0.9, -0.0625, 1, 12, down,
	    &lt) == 2);
	/* The season moves the path; it does not make a trend: a flat or
	 * improving slope is never red, even if the season would cross. */
	season[5] = 1;
	assert_true(isnan(trend_periods_to_red_seasonal(0.5, 0, 1, 12, season,
	    &ge)));
	assert_true(isnan(trend_periods_to_red_seasonal(0.5, -0.01, 1, 12,
	    season, &ge)));
	/* A season value that is not finite, before red: NaN; after the
	 * crossing it is not looked at. */
	season[5] = 0.25;
	season[1] = NAN;
	assert_true(isnan(trend_periods_to_red_seasonal(0.5, 0.125, 1, 12,
	    season, &ge)));
	season[1] = 0;
	season[3] = INFINITY;
	assert_true(trend_periods_to_red_seasonal(0.5, 0.125, 1, 12, season,
	    &ge) == 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_example),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_significance),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_holt),
		cmocka_unit_test(test_periods_to_red),
		cmocka_unit_test(test_periods_to_red_seasonal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
