/* test_warning.c - unit tests of warning.c: E1, E2, E3 and the signal on synthetic series. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "transforms/warning.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))
#define E1 WARNING_E1
#define E2 WARNING_E2
#define E3 WARNING_E3

/* Reports a failed table row before cmocka stops the test. */
#define CHECK(cond, ...) do {						\
	bool check_ok_ = (cond);					\
									\
	if (!check_ok_)							\
		print_error(__VA_ARGS__);				\
	assert_true(check_ok_);						\
} while (0)

/* Q3-like, higher is worse: green < 0.8, red >= 1.0. */
static const struct status_threshold up = {
	true, { STATUS_OP_LT, 0.8 }, { STATUS_OP_GE, 1.0 },
};
/* Q1-like, lower is worse: green >= 0.80, red < 0.70. */
static const struct status_threshold down = {
	false, { STATUS_OP_GE, 0.80 }, { STATUS_OP_LT, 0.70 },
};
/* Lower is worse, with red far below the series that hover around 0.5. */
static const struct status_threshold down_far = {
	false, { STATUS_OP_GE, 0.6 }, { STATUS_OP_LT, 0.2 },
};
/* Lower is worse, red below anything the constant series use. */
static const struct status_threshold down_low = {
	false, { STATUS_OP_GE, 10 }, { STATUS_OP_LT, -10 },
};

/*
 * Noise with no trend and no runs: a zero-sum cycle of 5. Its moving
 * ranges cycle 0.02 0.03 0.02 0.03 0.02; it has 2 points above its mean,
 * 2 below and 1 on it, and never rises or falls twice in a row.
 */
static const double cycle[5] = { 0, 0.02, -0.01, 0.01, -0.02 };

static void
fill(double *x, size_t n, double start, double slope, double noise)
{
	for (size_t i = 0; i < n; i++)
		x[i] = start + slope * (double)i + noise * cycle[i % 5] / 0.02;
}

static void
defaults(struct warning_params *p)
{
	warning_params_default(p);
}

static void
assert_no_verdict(const struct warning_verdict *v)
{
	assert_false(v->enough_data);
	assert_int_equal(v->fired, 0);
	assert_false(v->signal);
	assert_null(v->spc_rule);
	assert_true(isnan(v->mean) && isnan(v->lcl) && isnan(v->ucl));
	assert_true(isnan(v->ewma) && isnan(v->ewma_limit));
	assert_true(isnan(v->slope) && isnan(v->mk_p));
	assert_true(isnan(v->periods_to_red));
}

static void
test_defaults(void **state)
{
	struct warning_params p;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	warning_params_default(&p);
	/* DESIGN.md §6. */
	assert_int_equal(p.horizon, 12);
	assert_int_equal(p.persistence, 2);
	assert_int_equal(p.run_length, 7);
	assert_int_equal(p.baseline_min, 12);
	assert_int_equal(p.baseline_max, 20);
	assert_true(p.ewma_lambda == 0.2);
	assert_true(p.ewma_L == 2.962);
	assert_int_equal(p.trend_min, 12);
	assert_int_equal(p.trend_max, 26);
	assert_true(p.mk_alpha == 0.05);
}

/* Flat noise around 0.5, 40 points: the baseline is 4 whole cycles (mean
 * 0.5, mMR about 0.024, limits about 0.5 -+ 0.064); every point is within
 * 0.02; the cycle allows no run; the EWMA stays within 0.01 of the mean
 * against a limit of about 2.962 x 0.0213 / 3 = 0.021; Mann-Kendall sees
 * no trend. Nothing fires. */
static void
test_flat_noise(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[40];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.5, 0, 0.02);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(v.enough_data);
	assert_int_equal(v.fired, 0);
	assert_false(v.signal);
	assert_null(v.spc_rule);
	assert_true(NEAR(v.mean, 0.5, 1e-12));
	assert_true(v.mk_p > 0.05);
	assert_true(isnan(v.periods_to_red));
	/* Mirrored direction: still nothing. */
	assert_int_equal(warning_evaluate(x, NELEM(x), &down_far, &p, &v), 0);
	assert_int_equal(v.fired, 0);
}

/*
 * Worsening by 0.02 a period from 0.5, 20 points, noise within 0.004 (so
 * every step rises): the last point is about 0.88 and the Theil-Sen line
 * (slope 0.02) reaches red (>= 1.0) after (1.0 - 0.88) / 0.02 = 6
 * periods; allow 5..7 for the noise. Damped Holt needs phi (1 - phi^h) /
 * (1 - phi) x 0.02 >= 0.12, h >= 11, so the line gives the answer. The
 * run is strictly rising (S = 190, p ~ 1e-7), and the last points are
 * far above a baseline of the first 17: E1 and E2 fire too.
 */
static void
test_worsening(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[20];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.5, 0.02, 0.004);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2 | E3);
	assert_true(v.signal);
	assert_true(v.periods_to_red >= 5 && v.periods_to_red <= 7);
	assert_true(NEAR(v.slope, 0.02, 0.002));
	assert_true(v.mk_p < 1e-6);
	assert_string_equal(v.spc_rule, "a point beyond the control limits");
	assert_true(v.ewma > v.ewma_limit);

	/* Not significant at a tiny alpha: the line is not used, and only
	 * damped Holt is left. Its level is at most about 0.89 and its
	 * trend about 0.02, so it is below 0.89 + 0.02 x 0.9 (1 - 0.9^7) /
	 * 0.1 = 0.974 for 7 periods: later than the line, or never. */
	p.mk_alpha = 1e-12;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(isnan(v.periods_to_red) || v.periods_to_red >= 8);
	p.mk_alpha = 0.05;

	/* A horizon shorter than that: no E3 (E1 and E2 still signal). */
	p.horizon = 3;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);
	assert_true(isnan(v.periods_to_red));

	/* Lower is worse: 1.02 falling 0.015 a period, last about 0.735;
	 * below 0.70 when 0.735 - 0.015 h < 0.70, h = 3; allow 2..4. */
	p.horizon = 12;
	fill(x, NELEM(x), 1.02, -0.015, 0.003);
	assert_int_equal(warning_evaluate(x, NELEM(x), &down, &p, &v), 0);
	assert_true(v.fired & E3);
	assert_true(v.signal);
	assert_true(v.periods_to_red >= 2 && v.periods_to_red <= 4);
	assert_true(NEAR(v.slope, -0.015, 0.0015));
}

/* The same slopes the other way are improvements: nothing fires. */
static void
test_improving(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[20];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.9, -0.02, 0.004);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, 0);
	assert_false(v.signal);
	assert_true(NEAR(v.slope, -0.02, 0.002));
	assert_true(v.mk_p < 1e-6);
	assert_true(isnan(v.periods_to_red));

	fill(x, NELEM(x), 0.75, 0.01, 0.004);
	assert_int_equal(warning_evaluate(x, NELEM(x), &down, &p, &v), 0);
	assert_int_equal(v.fired, 0);
}

/* Reference EWMA for the shift test: from the baseline mean, sigma =
 * mMR / 1.128, limit from the weights of the points (see test_spc.c). */
static double
ref_ewma(const double *x, size_t n, double mean, double mmr, double *limit)
{
	double z = mean, w = 0, q = 1;

	for (size_t i = 0; i < n; i++) {
		z = 0.2 * x[i] + 0.8 * z;
		w += q;
		q *= 0.64;
	}
	*limit = mean + 2.962 * mmr / 1.128 * 0.2 * sqrt(w);
	return z;
}

/*
 * A level shift: 24 points of flat noise at 0.5, then 3 at 0.6. By hand:
 * n = 27, baseline x[4..23] = 4 whole cycles, mean 0.5; its 19 moving
 * ranges start at index 4 (-0.02 -> 0): 0.02 0.02 0.03 0.02 0.03 three
 * times (0.36) and 0.02 0.02 0.03 0.02 (0.09): mMR = 0.45 / 19; UCL 0.5 +
 * 2.66 x 0.45 / 19 = 0.563. 0.6 is beyond: E1. The EWMA over x[4..26]
 * ends near 0.5 + 0.1 (1 - 0.8^3) = 0.549 against a limit near 0.5 +
 * 0.021: E2. Mann-Kendall on 26 points with only 3 high ones: S about
 * 69, sd about 45, p about 0.13, not significant; Holt's trend after the
 * jump (about 0.017) damps to at most 9 x 0.017 above 0.6: never 1.0. So
 * E1 and E2 and not E3; that is a signal.
 */
static void
test_level_shift(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[27], mmr = 0.45 / 19, z, limit;

	(void)state;
	defaults(&p);
	fill(x, 24, 0.5, 0, 0.02);
	x[24] = x[25] = x[26] = 0.6;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);
	assert_true(v.signal);
	assert_string_equal(v.spc_rule, "a point beyond the control limits");
	assert_true(NEAR(v.mean, 0.5, 1e-12));
	assert_true(NEAR(v.ucl, 0.5 + 2.66 * mmr, 1e-12));
	assert_true(NEAR(v.lcl, 0.5 - 2.66 * mmr, 1e-12));
	z = ref_ewma(x + 4, 23, 0.5, mmr, &limit);
	assert_true(NEAR(v.ewma, z, 1e-12));
	assert_true(NEAR(v.ewma_limit, limit, 1e-12));
	assert_true(v.mk_p > 0.05);
	assert_true(isnan(v.periods_to_red));

	/* The same shift down is good news for a higher-is-worse series. */
	x[24] = x[25] = x[26] = 0.4;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, 0);
	assert_false(v.signal);
	/* ...and a signal for a lower-is-worse one; ewma_limit is then the
	 * lower limit, mirrored. Holt's trend after the drop (about -0.017)
	 * takes it at most 9 x 0.017 below 0.4: never under red 0.2. */
	assert_int_equal(warning_evaluate(x, NELEM(x), &down_far, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);
	assert_true(v.signal);
	z = ref_ewma(x + 4, 23, 0.5, mmr, &limit);
	assert_true(NEAR(v.ewma, z, 1e-12));
	assert_true(NEAR(v.ewma_limit, 0.5 - (limit - 0.5), 1e-12));
}

/*
 * E1 alone is not a signal: one point at 0.58 after 23 of flat noise.
 * Baseline x[1..20], mean 0.5, mMR 0.46 / 19 (ranges from index 1: 0.03
 * 0.02 0.03 0.02 0.02, three cycles and 0.03 0.02 0.03 0.02), UCL 0.5644:
 * 0.58 is beyond. The EWMA moves only 0.2 x 0.08 = 0.016 towards it,
 * under its limit of about 0.021 (checked with the reference).
 */
static void
test_e1_alone(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[24], mmr = 0.46 / 19, z, limit;

	(void)state;
	defaults(&p);
	fill(x, 23, 0.5, 0, 0.02);
	x[23] = 0.58;
	z = ref_ewma(x + 1, 23, 0.5, mmr, &limit);
	assert_true(z < limit);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(NEAR(v.ucl, 0.5 + 2.66 * mmr, 1e-12));
	assert_int_equal(v.fired, E1);
	assert_false(v.signal);
}

/* Fewer than baseline_min points: no verdict, and says so. */
static void
test_minimum_data(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[12];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.5, 0, 0.02);
	x[11] = 0.9;
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(warning_evaluate(x + 1, 11, &up, &p, &v), 0);
	assert_no_verdict(&v);
	assert_int_equal(warning_evaluate(x, 0, &up, &p, &v), 0);
	assert_no_verdict(&v);
	assert_int_equal(warning_evaluate(NULL, 0, &up, &p, &v), 0);
	assert_no_verdict(&v);

	/* 12 points: a verdict (0.9 is far beyond the 12-point limits). */
	assert_int_equal(warning_evaluate(x, 12, &up, &p, &v), 0);
	assert_true(v.enough_data);
	assert_true(v.fired & E1);

	/* E3 wants trend_min points: with trend_min 13, 12 points give no
	 * slope. */
	p.trend_min = 13;
	assert_int_equal(warning_evaluate(x, 12, &up, &p, &v), 0);
	assert_true(isnan(v.slope) && isnan(v.mk_p));
}

/* A newest point already red fires E3 with 0 periods to red. */
static void
test_already_red(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[30];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.5, 0, 0.02);
	x[29] = 1.0;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(v.fired & E3);
	assert_true(v.periods_to_red == 0);
	assert_true(v.signal);
	/* 0.7 is not red. Holt before it is about level 0.5, trend 0; after
	 * it level 0.6, trend 0.3 x 0.1 = 0.03, so its forecast stays under
	 * 0.6 + 9 x 0.03 = 0.87; the line is flat: no E3. */
	x[29] = 0.7;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_false(v.fired & E3);
	assert_true(isnan(v.periods_to_red));
	/* 0.99 is not red either, but a jump of 0.49 gives Holt a trend of
	 * about 0.3 x 0.245 = 0.07 from a level of about 0.745: 1.0 within
	 * 0.255 / (0.9 x 0.07) ~ 4-5 periods. Holt reads a jump towards red
	 * as a trend; the slope reported is Holt's. */
	x[29] = 0.99;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(v.fired & E3);
	assert_true(v.periods_to_red >= 3 && v.periods_to_red <= 6);
	assert_true(NEAR(v.slope, 0.0735, 0.01));
}

/* A constant series: zero-width limits, nothing fires, whatever the
 * constant (0.1, 0.6, 0.83, 0.9 do not survive a plain sum-and-divide
 * mean or EWMA exactly); a later step fires E1 and E2 (the EWMA moves
 * 0.2 x 0.01 above a zero-width limit). */
static void
test_constant(void **state)
{
	static const double values[] = { 0.6, 0.1, 0.83, 0.9, 0.5, -3.7 };
	struct warning_params p;
	struct warning_verdict v;
	double x[30];

	(void)state;
	defaults(&p);
	for (size_t k = 0; k < NELEM(values); k++) {
		double c = values[k];

		for (size_t i = 0; i < NELEM(x); i++)
			x[i] = c;
		assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v),
		    0);
		CHECK(v.fired == 0, "%g: fired %u\n", c, v.fired);
		CHECK(v.mean == c && v.lcl == c && v.ucl == c, "%g: mean "
		    "%.17g\n", c, v.mean);
		CHECK(v.ewma == c && v.ewma_limit == c, "%g: ewma %.17g\n", c,
		    v.ewma);
		assert_true(v.slope == 0 && v.mk_p == 1);
		assert_int_equal(warning_evaluate(x, NELEM(x), &down_low, &p,
		    &v), 0);
		CHECK(v.fired == 0, "%g: fired %u (lower worse)\n", c,
		    v.fired);
		x[29] = c + 0.01;
		assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v),
		    0);
		CHECK(v.fired == (E1 | E2), "%g: step fired %u\n", c, v.fired);
	}
}

/* Only the recent windows matter: 300 points give the verdict of their
 * last 26 (baseline = the 20 before the last 3 in both; trend window =
 * the last 26). */
static void
test_long_series(void **state)
{
	struct warning_params p;
	struct warning_verdict a, b;
	double x[300];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.2, 0.002, 0.01);
	assert_int_equal(warning_evaluate(x, 300, &up, &p, &a), 0);
	assert_int_equal(warning_evaluate(x + 274, 26, &up, &p, &b), 0);
	assert_true(a.enough_data && b.enough_data);
	assert_int_equal(a.fired, b.fired);
	assert_true(a.mean == b.mean && a.ucl == b.ucl);
	assert_true(a.ewma == b.ewma && a.ewma_limit == b.ewma_limit);
	assert_true(a.slope == b.slope && a.mk_p == b.mk_p);
}

/* Not-finite values are refused; *out still says "no verdict". */
static void
test_bad_values(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[20];

	(void)state;
	defaults(&p);
	fill(x, NELEM(x), 0.5, 0, 0.02);
	x[7] = NAN;
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), -EINVAL);
	assert_no_verdict(&v);
	x[7] = INFINITY;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), -EINVAL);
	/* Even a short series is checked. */
	x[0] = -INFINITY;
	assert_int_equal(warning_evaluate(x, 3, &up, &p, &v), -EINVAL);
	assert_int_equal(warning_evaluate(NULL, 3, &up, &p, &v), -EINVAL);
}

static void
test_bad_params(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		int is_double;
		double value;
	} cases[] = {
#define P(f, d, v) { #f " " #v, offsetof(struct warning_params, f), d, v }
		P(horizon, 0, 0), P(horizon, 0, 1001),
		P(persistence, 0, 0),
		P(run_length, 0, 1), P(run_length, 0, 65),
		P(baseline_min, 0, 1), P(baseline_min, 0, 21),
		P(baseline_max, 0, 11), P(baseline_max, 0, 65),
		P(ewma_lambda, 1, 0), P(ewma_lambda, 1, 1.01),
		P(ewma_lambda, 1, NAN),
		P(ewma_L, 1, 0), P(ewma_L, 1, -1), P(ewma_L, 1, INFINITY),
		P(trend_min, 0, 2), P(trend_min, 0, 27),
		P(trend_max, 0, 11), P(trend_max, 0, 65),
		P(mk_alpha, 1, 0), P(mk_alpha, 1, 1), P(mk_alpha, 1, NAN),
#undef P
	};
	const struct status_threshold bad_t = { true, { STATUS_OP_GE, 0.8 },
	    { STATUS_OP_GE, 1.0 } };
	struct warning_params p;
	struct warning_verdict v;
	double x[20];

	(void)state;
	fill(x, NELEM(x), 0.5, 0, 0.02);
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *f;

		defaults(&p);
		f = (char *)&p + cases[i].off;
		if (cases[i].is_double)
			memcpy(f, &cases[i].value, sizeof(double));
		else {
			int iv = (int)cases[i].value;

			memcpy(f, &iv, sizeof(int));
		}
		memset(&v, 0x5a, sizeof(v));
		if (warning_evaluate(x, NELEM(x), &up, &p, &v) != -EINVAL)
			fail_msg("%s accepted", cases[i].what);
		assert_no_verdict(&v);
	}
	/* The limits themselves are accepted. */
	defaults(&p);
	p.horizon = 1000;
	p.run_length = 64;
	p.baseline_max = 64;
	p.trend_max = 64;
	p.trend_min = 3;
	p.baseline_min = 2;
	p.ewma_lambda = 1;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);

	defaults(&p);
	assert_int_equal(warning_evaluate(x, NELEM(x), &bad_t, &p, &v),
	    -EINVAL);
	assert_int_equal(warning_evaluate(x, NELEM(x), NULL, &p, &v), -EINVAL);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, NULL, &v),
	    -EINVAL);
	assert_no_verdict(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flat_noise),
		cmocka_unit_test(test_worsening),
		cmocka_unit_test(test_improving),
		cmocka_unit_test(test_level_shift),
		cmocka_unit_test(test_e1_alone),
		cmocka_unit_test(test_minimum_data),
		cmocka_unit_test(test_already_red),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_long_series),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
