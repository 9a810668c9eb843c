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
	assert_false(v->adjusted);
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
	/* Off unless the caller sets them by grain. */
	assert_int_equal(p.season, 0);
	assert_true(p.material == 0);
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

/*
 * Materiality: the level shift of test_level_shift (E1 and E2 fire; the
 * baseline mean is 0.5, red 1.0 is 0.5 away). The EWMA (reference) has
 * moved z - 0.5 of it, about 0.049, i.e. a share of about 0.098 of the
 * way to red: E1 and E2 count with material just below that share, not
 * with material just above it. Mirrored for lower is worse (red 0.2 is
 * 0.3 below the mean). E3 is not subject to it.
 */
static void
test_material(void **state)
{
	struct warning_params p;
	struct warning_verdict v;
	double x[27], mmr = 0.45 / 19, z, limit, share;

	(void)state;
	defaults(&p);
	fill(x, 24, 0.5, 0, 0.02);
	x[24] = x[25] = x[26] = 0.6;
	z = ref_ewma(x + 4, 23, 0.5, mmr, &limit);
	share = (z - 0.5) / 0.5;
	assert_true(share > 0.09 && share < 0.11);
	p.material = share * 0.99;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);
	assert_true(v.signal);
	p.material = share * 1.01;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);  /* still reported */
	assert_false(v.signal);

	x[24] = x[25] = x[26] = 0.4;
	z = ref_ewma(x + 4, 23, 0.5, mmr, &limit);
	share = (0.5 - z) / 0.3;
	p.material = share * 0.99;
	assert_int_equal(warning_evaluate(x, NELEM(x), &down_far, &p, &v), 0);
	assert_true(v.signal);
	p.material = share * 1.01;
	assert_int_equal(warning_evaluate(x, NELEM(x), &down_far, &p, &v), 0);
	assert_int_equal(v.fired, E1 | E2);
	assert_false(v.signal);

	/* The worsening of test_worsening signals through E3 whatever the
	 * materiality. */
	p.material = 1;
	fill(x, 20, 0.5, 0.02, 0.004);
	assert_int_equal(warning_evaluate(x, 20, &up, &p, &v), 0);
	assert_true(v.fired & E3);
	assert_true(v.signal);
}

/*
 * Seasonal adjustment, written out again from warning.h: level(j) = mean
 * of the s points from max(0, j - s/2), moved back to end at n - 1 if
 * needed; est(i, k) = mean of x[j] - level(j) over the known j within
 * half of i - k s (half = 1 for s >= 26, else 0); the component is the
 * mean of est(i, 1) and est(i, 2).
 */
static double
ref_level(const double *x, size_t n, size_t s, size_t j)
{
	size_t a = j >= s / 2 ? j - s / 2 : 0;
	double sum = 0;

	if (a + s > n)
		a = n - s;
	for (size_t k = a; k < a + s; k++)
		sum += x[k];
	return sum / (double)s;
}

static double
ref_est(const double *x, size_t n, size_t s, size_t i, size_t k)
{
	size_t half = s >= 26 ? 1 : 0;
	long c = (long)i - (long)(k * s);
	double sum = 0;
	int cnt = 0;

	for (long j = c - (long)half; j <= c + (long)half; j++)
		if (j >= 0 && j < (long)n) {
			sum += x[j] - ref_level(x, n, s, (size_t)j);
			cnt++;
		}
	return cnt ? sum / cnt : 0;
}

static double
ref_component(const double *x, size_t n, size_t s, size_t i)
{
	return (ref_est(x, n, s, i, 1) + ref_est(x, n, s, i, 2)) / 2;
}

/* Monthly (s = 12): 0.5 with a "summer" of +0.1 in months 6 and 7 of
 * every year, and the zero-sum noise of 5 (never in step with 12). */
static void
fill_summer(double *x, size_t n, int bump_at)
{
	fill(x, n, 0.5, 0, 0.005);
	for (size_t i = 0; i < n; i++)
		if ((int)(i % 12) == bump_at || (int)(i % 12) == bump_at + 1)
			x[i] += 0.1;
}

/*
 * The summer, judged raw and adjusted. n = 44 ends in the second summer
 * month of the fourth year. Raw (season 0): the rolling baseline x[21..40]
 * holds one summer (2 jumps up, 2 down among 19 ranges), so the limits
 * are about 0.5 -+ 0.07 and a summer at 0.6 is beyond them, and the EWMA
 * goes up with it: E1 and E2, a signal. Adjusted (s = 12, 44 >= 2 x 12 +
 * 12): the last m = min(44 - 24, 26) = 20 points less their component;
 * the two previous years have the same summer, so they agree; the
 * adjusted points are the year's mean level (0.5 + 2 x 0.1 / 12) give or
 * take the noise of this year and the years before, and nothing fires.
 * The centre line is the mean of the first 17 adjusted points (the
 * rolling baseline of 20 points), by the reference.
 */
static void
test_seasonal(void **state)
{
	struct warning_params p;
	struct warning_verdict v, raw;
	double x[44], adj[20], mean = 0;

	(void)state;
	defaults(&p);
	fill_summer(x, NELEM(x), 6);
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &raw), 0);
	assert_false(raw.adjusted);
	assert_true((raw.fired & (E1 | E2)) == (E1 | E2));
	assert_true(raw.signal);

	p.season = 12;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_true(v.adjusted);
	for (size_t k = 0; k < 20; k++)
		adj[k] = x[24 + k] - ref_component(x, NELEM(x), 12, 24 + k);
	for (size_t k = 0; k < 17; k++)
		mean += adj[k] / 17;
	assert_true(NEAR(v.mean, mean, 1e-12));
	assert_true(NEAR(mean, 0.5 + 0.2 / 12, 0.01));
	assert_int_equal(v.fired, 0);
	assert_false(v.signal);

	/* One year less than two plus a baseline (35 < 36): judged raw,
	 * exactly as without the season. */
	assert_int_equal(warning_evaluate(x + 9, 35, &up, &p, &v), 0);
	assert_false(v.adjusted);
	p.season = 0;
	assert_int_equal(warning_evaluate(x + 9, 35, &up, &p, &raw), 0);
	assert_true(v.fired == raw.fired && v.mean == raw.mean &&
	    v.ewma == raw.ewma);
}

/*
 * Two years that disagree are not a season: the summer of the third year
 * (months 24..35) moves to months 1 and 2, so over the last 20 points the
 * estimates from the third year (k = 1) and the second (k = 2) peak at
 * different months (their correlation is negative): judged raw.
 */
static void
test_season_disagrees(void **state)
{
	struct warning_params p;
	struct warning_verdict v, raw;
	double x[44];

	(void)state;
	defaults(&p);
	fill_summer(x, NELEM(x), 6);
	x[30] -= 0.1;
	x[31] -= 0.1;
	x[25] += 0.1;
	x[26] += 0.1;
	p.season = 12;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	assert_false(v.adjusted);
	p.season = 0;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &raw), 0);
	assert_true(v.fired == raw.fired && v.mean == raw.mean &&
	    v.ewma == raw.ewma && v.signal == raw.signal);
	assert_true(raw.signal);
}

/*
 * E3 with the season: the summer series plus a worsening of 0.004 a
 * month, judged at n = 42 (the month before the summer). The adjusted
 * window (m = min(42 - 24, 26) = 18 points) has the trend alone
 * (Mann-Kendall significant); its Theil-Sen line, projected, plus the
 * component of each month ahead, crosses red 0.76 within the horizon 12:
 * at the first h where line(n-1) + 0.004-ish h + component(n-1+h) >=
 * 0.76, computed here by the reference (an O(n^2) Theil-Sen over the 18
 * adjusted points). Without the season in
 * the projection the line alone would be red later (also computed).
 */
static double
ref_median(double *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && a[j - 1] > a[j]; j--) {
			double t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static void
test_season_projection(void **state)
{
	const struct status_threshold red76 = { true, { STATUS_OP_LT, 0.7 },
	    { STATUS_OP_GE, 0.76 } };
	struct warning_params p;
	struct warning_verdict v;
	double x[42], adj[18], pairs[153], r[18], b, a, now;
	size_t np = 0;
	int with = -1, without = -1;

	(void)state;
	defaults(&p);
	p.season = 12;
	fill_summer(x, NELEM(x), 6);
	for (size_t i = 0; i < NELEM(x); i++)
		x[i] += 0.004 * (double)i;
	for (size_t k = 0; k < 18; k++)
		adj[k] = x[24 + k] - ref_component(x, NELEM(x), 12, 24 + k);
	for (size_t i = 0; i < 18; i++)
		for (size_t j = i + 1; j < 18; j++)
			pairs[np++] = (adj[j] - adj[i]) / (double)(j - i);
	b = ref_median(pairs, np);
	for (size_t i = 0; i < 18; i++)
		r[i] = adj[i] - b * (double)i;
	a = ref_median(r, 18);
	now = a + b * 17;
	for (int h = 0; h <= 12 && with < 0; h++)
		if (now + b * h + ref_component(x, NELEM(x), 12, 41 + h) >= 0.76)
			with = h;
	for (int h = 0; h <= 12 && without < 0; h++)
		if (now + b * h >= 0.76)
			without = h;
	assert_true(with >= 1 && (without < 0 || with < without));

	assert_int_equal(warning_evaluate(x, NELEM(x), &red76, &p, &v), 0);
	assert_true(v.adjusted);
	assert_true(v.mk_p < 0.05);
	assert_true(v.fired & E3);
	assert_true(v.signal);
	/* Damped Holt is never earlier than the undamped line here; the
	 * verdict is the line's. */
	assert_true(v.periods_to_red == with);
	assert_true(NEAR(v.slope, b, 1e-12));
}

/*
 * warning_history(): the detectors' window (max(trend_max 26, baseline_max
 * 20 + 3) = 26), and with a season two years, a neighbour and half a
 * year more: 26 + 104 + 1 + 26 = 157 weekly, 26 + 8 + 1 + 2 = 37
 * quarterly. A verdict on the last warning_history() points is the
 * verdict on the whole series, at every length of a long weekly series
 * with a season, a drift and noise.
 */
static void
test_history(void **state)
{
	struct warning_params p;
	struct warning_verdict full, part;
	double x[300];
	size_t h;

	(void)state;
	defaults(&p);
	assert_int_equal(warning_history(&p), 26);
	p.season = 4;
	assert_int_equal(warning_history(&p), 37);
	p.season = 52;
	assert_int_equal(warning_history(&p), 157);
	p.trend_max = 40;
	assert_int_equal(warning_history(&p), 171);
	p.trend_max = 26;

	fill(x, NELEM(x), 0.5, 0, 0.01);
	for (size_t i = 0; i < NELEM(x); i++) {
		size_t w = i % 52;

		if (w >= 27 && w <= 33)
			x[i] += 0.05;
		if (i > 200)
			x[i] += 0.003 * (double)(i - 200);
	}
	h = warning_history(&p);
	for (size_t n = h; n <= NELEM(x); n++) {
		assert_int_equal(warning_evaluate(x, n, &up, &p, &full), 0);
		assert_int_equal(warning_evaluate(x + n - h, h, &up, &p, &part),
		    0);
		if (full.adjusted != part.adjusted || full.fired != part.fired ||
		    full.mean != part.mean || full.ewma != part.ewma ||
		    !(full.slope == part.slope || (isnan(full.slope) &&
		    isnan(part.slope))) || !(full.periods_to_red ==
		    part.periods_to_red || (isnan(full.periods_to_red) &&
		    isnan(part.periods_to_red))))
			fail_msg("n = %zu: the last %zu points judge otherwise",
			    n, h);
	}
	/* The check means something: some of these verdicts are adjusted.
	 * At n = 290 the last m = min(290 - 104, 26) = 26 points are; the
	 * rolling baseline is adjusted points 3..22 (20 before the last 3);
	 * its mean by the reference (weeks either side included). */
	assert_int_equal(warning_evaluate(x, 290, &up, &p, &full), 0);
	assert_true(full.adjusted);
	{
		double mean = 0;

		for (size_t k = 3; k < 23; k++)
			mean += (x[264 + k] - ref_component(x, 290, 52,
			    264 + k)) / 20;
		assert_true(NEAR(full.mean, mean, 1e-12));
	}
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
		P(season, 0, 1), P(season, 0, -1), P(season, 0, 54),
		P(material, 1, -0.01), P(material, 1, 1.01),
		P(material, 1, NAN),
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
	p.season = 53;
	p.material = 1;
	assert_int_equal(warning_evaluate(x, NELEM(x), &up, &p, &v), 0);
	p.season = 2;
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
		cmocka_unit_test(test_material),
		cmocka_unit_test(test_seasonal),
		cmocka_unit_test(test_season_disagrees),
		cmocka_unit_test(test_season_projection),
		cmocka_unit_test(test_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
