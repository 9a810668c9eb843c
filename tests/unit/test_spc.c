/* test_spc.c - unit tests of spc.c: XmR limits, the four rules, baselines, EWMA. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "transforms/spc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define UP SPC_UP
#define DN SPC_DOWN
#define UD (SPC_UP | SPC_DOWN)
#define BIT(r) (1u << (r))

/* Reports a failed table row before cmocka stops the test. */
#define CHECK(cond, ...) do {						\
	bool check_ok_ = (cond);					\
									\
	if (!check_ok_)							\
		print_error(__VA_ARGS__);				\
	assert_true(check_ok_);						\
} while (0)

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* Golden limits for the rule tables: mean 10, 2 sigma at 8 and 12, 3 sigma
 * at 7 and 13 (as if mMR were 1.128; the rules only read these fields). */
static const struct spc_limits golden = {
	.mean = 10, .mmr = 1.128, .lcl = 7, .ucl = 13, .lower2 = 8,
	.upper2 = 12,
};

struct rule_case {
	const char *what;
	enum spc_rule rule;
	int run_length;
	size_t n;
	double x[16];
	unsigned char want[16];
};

/* Expected flags worked out by hand from DESIGN.md §6 for each series. */
static const struct rule_case rule_cases[] = {
	/* LIMIT: strictly beyond 7 or 13; on a limit is inside. */
	{ "limit", SPC_RULE_LIMIT, 7, 6, { 10, 13, 13.5, 6.9, 7, 12 },
	    { 0, 0, UP, DN, 0, 0 } },
	{ "limit none", SPC_RULE_LIMIT, 7, 3, { 7, 13, 10 }, { 0 } },

	/* TREND: 7 points rising = 6 strict rises; all 7 flagged. */
	{ "7 rising", SPC_RULE_TREND, 7, 9, { 1, 2, 3, 4, 5, 6, 7, 7, 6 },
	    { UP, UP, UP, UP, UP, UP, UP, 0, 0 } },
	{ "6 rising", SPC_RULE_TREND, 7, 7, { 1, 2, 3, 4, 5, 6, 6 },
	    { 0 } },
	/* 8 points rising, but 3 = 3 at indexes 2-3 ties: runs of 3 and 5. */
	{ "tie breaks", SPC_RULE_TREND, 7, 8, { 1, 2, 3, 3, 4, 5, 6, 7 },
	    { 0 } },
	/* The same without the tie: one run of 8. */
	{ "no tie", SPC_RULE_TREND, 7, 8, { 1, 2, 3, 3.5, 4, 5, 6, 7 },
	    { UP, UP, UP, UP, UP, UP, UP, UP } },
	/* 7 falling; the rise before it is a run of 2. */
	{ "7 falling", SPC_RULE_TREND, 7, 8, { 5, 9, 8, 7, 6, 5, 4, 3 },
	    { 0, DN, DN, DN, DN, DN, DN, DN } },
	/* A peak ends a rising run and starts a falling one. */
	{ "peak", SPC_RULE_TREND, 7, 13,
	    { 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1 },
	    { UP, UP, UP, UP, UP, UP, UD, DN, DN, DN, DN, DN, DN } },
	/* run_length 3: 1 2 3 is a run; 3 2 1 too; a tie breaks. */
	{ "run 3", SPC_RULE_TREND, 3, 7, { 1, 2, 3, 2, 1, 1, 2 },
	    { UP, UP, UD, DN, DN, 0, 0 } },

	/* SHIFT: 7 strictly above/below the mean (10). */
	{ "7 above", SPC_RULE_SHIFT, 7, 8,
	    { 11, 11, 11, 11, 11, 11, 11, 9 },
	    { UP, UP, UP, UP, UP, UP, UP, 0 } },
	{ "6 above", SPC_RULE_SHIFT, 7, 7, { 11, 11, 11, 11, 11, 11, 9 },
	    { 0 } },
	/* A point on the mean at index 3 leaves runs of 3 and 4. */
	{ "on mean breaks", SPC_RULE_SHIFT, 7, 8,
	    { 11, 11, 11, 10, 11, 11, 11, 11 }, { 0 } },
	{ "8 below", SPC_RULE_SHIFT, 7, 8, { 9, 9.9, 9, 5, 9, 9, 9, 9 },
	    { DN, DN, DN, DN, DN, DN, DN, DN } },
	/* Trend values do not matter to a shift: 7 below, rising. */
	{ "below rising", SPC_RULE_SHIFT, 7, 9,
	    { 12, 3, 4, 5, 6, 7, 8, 9, 10 },
	    { 0, DN, DN, DN, DN, DN, DN, DN, 0 } },

	/* TWO_OF_THREE: beyond 12 (or 8) strictly. */
	{ "2 of 3", SPC_RULE_TWO_OF_THREE, 7, 5, { 10, 12.5, 10, 12.5, 10 },
	    { 0, UP, 0, UP, 0 } },
	/* 13.5 is beyond 3 sigma and still counts as beyond 2 sigma. */
	{ "3 sigma counts", SPC_RULE_TWO_OF_THREE, 7, 4,
	    { 10, 13.5, 12.5, 10 }, { 0, UP, UP, 0 } },
	{ "3 of 3", SPC_RULE_TWO_OF_THREE, 7, 3, { 12.1, 12.2, 14 },
	    { UP, UP, UP } },
	{ "opposite sides", SPC_RULE_TWO_OF_THREE, 7, 3, { 12.5, 7.5, 10 },
	    { 0 } },
	{ "on 2 sigma", SPC_RULE_TWO_OF_THREE, 7, 3, { 12, 12.5, 12 },
	    { 0 } },
	/* Two beyond, but 4 apart in position: never 2 in one window. */
	{ "2 of 4", SPC_RULE_TWO_OF_THREE, 7, 4, { 12.5, 10, 10, 12.5 },
	    { 0 } },
	{ "below", SPC_RULE_TWO_OF_THREE, 7, 3, { 7.5, 10, 7.9 },
	    { DN, 0, DN } },
	{ "too short", SPC_RULE_TWO_OF_THREE, 7, 2, { 12.5, 12.5 }, { 0 } },
};

static void
test_rules_golden(void **state)
{
	unsigned char flags[16];

	(void)state;
	for (size_t c = 0; c < NELEM(rule_cases); c++) {
		const struct rule_case *rc = &rule_cases[c];

		memset(flags, 0xee, sizeof(flags));
		assert_int_equal(spc_rule_flags(rc->rule, rc->x, rc->n,
		    &golden, rc->run_length, flags), 0);
		for (size_t i = 0; i < rc->n; i++)
			CHECK(flags[i] == rc->want[i],
			    "%s: point %zu flag %u, want %u\n", rc->what, i,
			    flags[i], rc->want[i]);
		/* Nothing written past n. */
		assert_int_equal(flags[rc->n], 0xee);
	}
}

static void
test_rules_bad(void **state)
{
	const double x[3] = { 1, 2, 3 };
	unsigned char flags[3];

	(void)state;
	assert_int_equal(spc_rule_flags(SPC_RULE_COUNT, x, 3, &golden, 7,
	    flags), -EINVAL);
	assert_int_equal(spc_rule_flags((enum spc_rule)-1, x, 3, &golden, 7,
	    flags), -EINVAL);
	assert_int_equal(spc_rule_flags(SPC_RULE_TREND, x, 3, &golden, 1,
	    flags), -EINVAL);
	assert_int_equal(spc_rule_flags(SPC_RULE_TREND, x, 3, &golden,
	    SPC_MAX + 1, flags), -EINVAL);
	/* No points is no flags, not an error. */
	assert_int_equal(spc_rule_flags(SPC_RULE_SHIFT, x, 0, &golden, 7,
	    flags), 0);
	assert_string_equal(spc_rule_name(SPC_RULE_LIMIT),
	    "a point beyond the control limits");
	assert_string_equal(spc_rule_name(SPC_RULE_COUNT), "unknown rule");
}

static void
test_limits(void **state)
{
	/* By hand: mean 13/5 = 2.6; moving ranges 2, 1, 2, 1, mMR 1.5;
	 * 3 sigma 2.66 x 1.5 = 3.99; 2 sigma 1.7733 x 1.5 = 2.65995. */
	const double b[] = { 1, 3, 2, 4, 3 };
	const double bad[] = { 1, NAN, 2 };
	struct spc_limits l, sentinel;

	(void)state;
	assert_int_equal(spc_limits(b, NELEM(b), &l), 0);
	assert_true(NEAR(l.mean, 2.6, 1e-12));
	assert_true(NEAR(l.mmr, 1.5, 1e-12));
	assert_true(NEAR(l.ucl, 6.59, 1e-12));
	assert_true(NEAR(l.lcl, -1.39, 1e-12));
	assert_true(NEAR(l.upper2, 5.25995, 1e-12));
	assert_true(NEAR(l.lower2, -0.05995, 1e-12));

	memset(&sentinel, 0x5a, sizeof(sentinel));
	l = sentinel;
	assert_int_equal(spc_limits(b, 1, &l), -EINVAL);
	assert_int_equal(spc_limits(bad, NELEM(bad), &l), -EINVAL);
	assert_memory_equal(&l, &sentinel, sizeof(l));
}

static void
test_baseline(void **state)
{
	/* By hand from spc.h, baseline_min 12, baseline_max 20, 3 judged. */
	static const struct {
		size_t n, from, len;
	} cases[] = {
		{ 0, 0, 0 }, { 11, 0, 0 },
		{ 12, 0, 12 }, { 13, 0, 13 }, { 14, 0, 14 }, /* classic */
		{ 15, 0, 12 }, { 21, 0, 18 }, { 23, 0, 20 }, /* rolling */
		{ 24, 1, 20 }, { 30, 7, 20 }, { 100, 77, 20 },
	};
	size_t from, len;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		spc_baseline(cases[i].n, 12, 20, &from, &len);
		CHECK(from == cases[i].from && len == cases[i].len,
		    "n %zu: from %zu len %zu\n", cases[i].n, from, len);
	}
	/* A classic baseline is capped at baseline_max. */
	spc_baseline(13, 12, 12, &from, &len);
	assert_true(from == 0 && len == 12);
}

/* 11 points: no verdict; 12: a verdict on the classic baseline. The 12
 * points are 10, 11 alternating (six 10s, five 11s), then 20. By hand:
 * mean = (60 + 55 + 20) / 12 = 11.25; moving ranges ten 1s and one 10,
 * mMR = 20/11; UCL = 11.25 + 2.66 x 20/11 = 16.0864; 2 sigma up 14.4742,
 * down 8.0258. 20 is beyond the UCL (LIMIT, up). Every 10 and 11 is
 * below the mean 11.25: points 0..10 are a run of 11 below (SHIFT, down),
 * reaching the judged points 9 and 10. */
static void
test_evaluate_twelve(void **state)
{
	double x[12];
	struct spc_verdict v;

	(void)state;
	for (int i = 0; i < 11; i++)
		x[i] = i % 2 == 0 ? 10 : 11;
	x[11] = 20;

	/* The last 11 points only: one short of a verdict. */
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(spc_evaluate(x + 1, 11, true, 7, 12, 20, &v), 0);
	assert_false(v.enough_data);
	assert_int_equal(v.concern, 0);
	assert_int_equal(v.first, -1);
	assert_true(isnan(v.lim.mean));

	assert_int_equal(spc_evaluate(x, 12, true, 7, 12, 20, &v), 0);
	assert_true(v.enough_data);
	assert_true(v.base_from == 0 && v.base_len == 12);
	assert_true(NEAR(v.lim.mean, 11.25, 1e-12));
	assert_true(NEAR(v.lim.mmr, 20.0 / 11, 1e-12));
	assert_true(NEAR(v.lim.ucl, 11.25 + 2.66 * 20.0 / 11, 1e-12));
	/* Higher is worse: the jump up is the concern, the run below is
	 * good news. */
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT));
	assert_int_equal(v.other, BIT(SPC_RULE_SHIFT));
	assert_int_equal(v.first, SPC_RULE_LIMIT);

	/* Lower is worse: the other way round. */
	assert_int_equal(spc_evaluate(x, 12, false, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, BIT(SPC_RULE_SHIFT));
	assert_int_equal(v.other, BIT(SPC_RULE_LIMIT));
	assert_int_equal(v.first, SPC_RULE_SHIFT);
}

/* Only the last 3 points are judged: the same jump 4 points back (with
 * the series flat around it) is no concern. */
static void
test_evaluate_last_three(void **state)
{
	double x[24];
	struct spc_verdict v;

	(void)state;
	for (size_t i = 0; i < NELEM(x); i++)
		x[i] = i % 2 == 0 ? 10 : 11;
	/* n = 24: baseline x[1..20], judged 21..23. By hand the baseline
	 * mean is 10.5, mMR 1: limits 7.84 and 13.16. */
	x[23] = 14;
	assert_int_equal(spc_evaluate(x, 24, true, 7, 12, 20, &v), 0);
	assert_true(v.base_from == 1 && v.base_len == 20);
	assert_true(NEAR(v.lim.mean, 10.5, 1e-12));
	assert_true(NEAR(v.lim.ucl, 13.16, 1e-12));
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT));

	x[23] = 11;
	x[20] = 14; /* now inside the baseline, 4th from the end */
	assert_int_equal(spc_evaluate(x, 24, true, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, 0);

	/* A drop in a higher-is-worse series is not a concern. */
	x[20] = 10;
	x[22] = 5;
	assert_int_equal(spc_evaluate(x, 24, true, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, 0);
	assert_int_equal(v.other, BIT(SPC_RULE_LIMIT));
	assert_int_equal(spc_evaluate(x, 24, false, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT));
}

/*
 * A long drifting series: x[i] = 10 + 0.05 i + (i odd ? 1 : -1), 100
 * points. Worked by hand:
 * - fixed first-20 baseline: mean 10 + 0.05 x 9.5 = 10.475; moving ranges
 *   alternate 2.05 (even to odd) and 1.95, ten and nine of them: mMR =
 *   38.05 / 19; UCL = 10.475 + 2.66 x 2.0026 = 15.802. The low points
 *   9 + 0.05 i exceed the mean from i = 30 on, so every point from 30 to
 *   99 is in a run above the mean (SHIFT), and 97 (15.85) and 99 (15.95)
 *   are beyond the UCL: a stale baseline flags everything.
 * - rolling baseline x[77..96]: mean 10 + 0.05 x 86.5 = 14.325; ranges
 *   start at 1.95 (77 odd to 78 even): mMR = (10 x 1.95 + 9 x 2.05) / 19
 *   = 37.95 / 19; UCL 19.638, 2 sigma up 17.867. The judged points 15.85,
 *   13.9, 15.95 are inside, 13.9 is below the mean (no shift run), and
 *   the zigzag allows no trend run: nothing fires.
 */
static void
test_evaluate_drift(void **state)
{
	double x[100];
	unsigned char flags[100];
	struct spc_limits fixed;
	struct spc_verdict v;
	double mmr = 37.95 / 19;

	(void)state;
	for (int i = 0; i < 100; i++)
		x[i] = 10 + 0.05 * i + (i % 2 ? 1 : -1);

	assert_int_equal(spc_limits(x, 20, &fixed), 0);
	assert_true(NEAR(fixed.mean, 10.475, 1e-9));
	assert_true(NEAR(fixed.ucl, 10.475 + 2.66 * 38.05 / 19, 1e-9));
	assert_int_equal(spc_rule_flags(SPC_RULE_SHIFT, x, 100, &fixed, 7,
	    flags), 0);
	for (int i = 30; i < 100; i++)
		CHECK(flags[i] == UP, "fixed shift: point %d not flagged\n", i);
	assert_int_equal(spc_rule_flags(SPC_RULE_LIMIT, x, 100, &fixed, 7,
	    flags), 0);
	assert_int_equal(flags[97], UP);
	assert_int_equal(flags[98], 0);
	assert_int_equal(flags[99], UP);

	assert_int_equal(spc_evaluate(x, 100, true, 7, 12, 20, &v), 0);
	assert_true(v.base_from == 77 && v.base_len == 20);
	assert_true(NEAR(v.lim.mean, 14.325, 1e-9));
	assert_true(NEAR(v.lim.mmr, mmr, 1e-9));
	assert_true(NEAR(v.lim.ucl, 14.325 + 2.66 * mmr, 1e-9));
	assert_true(NEAR(v.lim.upper2, 14.325 + 1.7733 * mmr, 1e-9));
	assert_int_equal(v.concern, 0);
	assert_int_equal(v.other, 0);
	assert_int_equal(v.first, -1);
}

/* A sustained step: 20 points around 10, then 30 around 15. The rolling
 * baseline of the last 20 before the judged 3 lies wholly after the step
 * (n = 50: baseline 27..46), so the new level is the new normal: by hand
 * mean 15.5, nothing fires. While the step is fresh (n = 23, baseline
 * 0..19: mean 10.5, mMR 1, UCL 13.16, 2 sigma 12.27), the judged 15, 16,
 * 15 are beyond the limits and 2 of 3 beyond 2 sigma. */
static void
test_evaluate_rebase(void **state)
{
	double x[50];
	struct spc_verdict v;

	(void)state;
	for (int i = 0; i < 50; i++)
		x[i] = (i < 20 ? 10 : 15) + (i % 2 ? 1 : 0);
	assert_int_equal(spc_evaluate(x, 23, true, 7, 12, 20, &v), 0);
	assert_true(v.base_from == 0 && v.base_len == 20);
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT) |
	    BIT(SPC_RULE_TWO_OF_THREE));
	assert_int_equal(spc_evaluate(x, 50, true, 7, 12, 20, &v), 0);
	assert_true(v.base_from == 27 && v.base_len == 20);
	assert_true(NEAR(v.lim.mean, 15.5, 1e-12));
	assert_int_equal(v.concern, 0);
}

/* A constant baseline has zero-width limits: nothing fires while the
 * series stays constant; a later point that differs is beyond them. */
static void
test_evaluate_constant(void **state)
{
	double x[21];
	struct spc_verdict v;

	(void)state;
	for (size_t i = 0; i < NELEM(x); i++)
		x[i] = 0.75;
	assert_int_equal(spc_evaluate(x, 21, true, 7, 12, 20, &v), 0);
	assert_true(v.enough_data);
	assert_true(v.lim.mmr == 0 && v.lim.ucl == 0.75 && v.lim.lcl == 0.75);
	assert_int_equal(v.concern | v.other, 0);

	x[20] = 0.76; /* baseline 0..17 stays constant */
	assert_int_equal(spc_evaluate(x, 21, true, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT));
	x[19] = 0.77; /* two of the last three beyond 2 sigma */
	assert_int_equal(spc_evaluate(x, 21, true, 7, 12, 20, &v), 0);
	assert_int_equal(v.concern, BIT(SPC_RULE_LIMIT) |
	    BIT(SPC_RULE_TWO_OF_THREE));
}

static void
test_evaluate_bad(void **state)
{
	double x[12] = { 0 };
	struct spc_verdict v;

	(void)state;
	assert_int_equal(spc_evaluate(x, 12, true, 1, 12, 20, &v), -EINVAL);
	assert_int_equal(spc_evaluate(x, 12, true, SPC_MAX + 1, 12, 20, &v),
	    -EINVAL);
	assert_int_equal(spc_evaluate(x, 12, true, 7, 1, 20, &v), -EINVAL);
	assert_int_equal(spc_evaluate(x, 12, true, 7, 21, 20, &v), -EINVAL);
	assert_int_equal(spc_evaluate(x, 12, true, 7, 12, SPC_MAX + 1, &v),
	    -EINVAL);
	assert_int_equal(spc_evaluate(x, 12, true, 7, 12, SPC_MAX, &v), 0);
	x[5] = NAN;
	assert_int_equal(spc_evaluate(x, 12, true, 7, 12, 20, &v), -EINVAL);
	x[5] = INFINITY;
	assert_int_equal(spc_evaluate(x, 12, true, 7, 12, 20, &v), -EINVAL);
}

/* Reference EWMA: z by the recursion, and its standard deviation from
 * the weights it gives each point: z_n - mean = sum over k of
 * lambda (1 - lambda)^(n-k) (x_k - mean), so var = sigma^2 lambda^2
 * sum_{j<n} (1 - lambda)^(2j). Independent of the closed form in spc.c. */
static void
ref_ewma(const double *x, size_t n, double mean, double sigma,
    double lambda, double L, double *z, double *lcl, double *ucl)
{
	double w = 0, q = 1;

	*z = mean;
	for (size_t i = 0; i < n; i++) {
		*z = lambda * x[i] + (1 - lambda) * *z;
		w += q;
		q *= (1 - lambda) * (1 - lambda);
	}
	*lcl = mean - L * sigma * lambda * sqrt(w);
	*ucl = mean + L * sigma * lambda * sqrt(w);
}

static void
test_ewma(void **state)
{
	const double two[] = { 12, 12 };
	double x[200], z, lcl, ucl;
	struct spc_ewma e, sentinel;
	uint32_t seed = 12345;

	(void)state;
	/* By hand, mean 10, sigma 1, lambda 0.2, L 3: one point of 12 gives
	 * z = 0.2 x 12 + 0.8 x 10 = 10.4 and factor sqrt(0.2/1.8 x (1 -
	 * 0.64)) = 0.2, limits 10 -+ 0.6. Two: z = 0.2 x 12 + 0.8 x 10.4 =
	 * 10.72, factor sqrt(0.04 x 1.64) = sqrt(0.0656). */
	assert_int_equal(spc_ewma(two, 1, 10, 1, 0.2, 3, &e), 0);
	assert_true(NEAR(e.z, 10.4, 1e-12));
	assert_true(NEAR(e.lcl, 9.4, 1e-12) && NEAR(e.ucl, 10.6, 1e-12));
	assert_int_equal(spc_ewma(two, 2, 10, 1, 0.2, 3, &e), 0);
	assert_true(NEAR(e.z, 10.72, 1e-12));
	assert_true(NEAR(e.ucl, 10 + 3 * sqrt(0.0656), 1e-12));

	/* Against the reference on noise, for every length. */
	for (size_t i = 0; i < NELEM(x); i++) {
		seed = seed * 1103515245u + 12345u;
		x[i] = 5 + (double)(seed >> 16) / 65536.0;
	}
	for (size_t n = 1; n <= NELEM(x); n++) {
		ref_ewma(x, n, 5.4, 0.3, 0.2, 2.962, &z, &lcl, &ucl);
		assert_int_equal(spc_ewma(x, n, 5.4, 0.3, 0.2, 2.962, &e), 0);
		CHECK(NEAR(e.z, z, 1e-12) && NEAR(e.lcl, lcl, 1e-12) &&
		    NEAR(e.ucl, ucl, 1e-12), "n %zu: %.15g %.15g %.15g\n",
		    n, e.z, e.lcl, e.ucl);
	}
	/* The exact limits widen towards the asymptotic ones,
	 * L sigma sqrt(lambda / (2 - lambda)) = 2.962 x 0.3 / 3. */
	assert_int_equal(spc_ewma(x, 1, 5.4, 0.3, 0.2, 2.962, &e), 0);
	assert_true(e.ucl - 5.4 < 0.2962 * 0.7);
	assert_int_equal(spc_ewma(x, 200, 5.4, 0.3, 0.2, 2.962, &e), 0);
	assert_true(NEAR(e.ucl - 5.4, 0.2962, 1e-12));

	/* Zero sigma: zero-width limits at the mean. */
	assert_int_equal(spc_ewma(x, 3, 5.4, 0, 0.2, 2.962, &e), 0);
	assert_true(e.lcl == 5.4 && e.ucl == 5.4);

	memset(&sentinel, 0x5a, sizeof(sentinel));
	e = sentinel;
	assert_int_equal(spc_ewma(x, 0, 5, 1, 0.2, 3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, 5, 1, 0, 3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, 5, 1, 1.5, 3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, 5, -1, 0.2, 3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, 5, 1, 0.2, -3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, NAN, 1, 0.2, 3, &e), -EINVAL);
	assert_int_equal(spc_ewma(x, 3, 5, NAN, 0.2, 3, &e), -EINVAL);
	x[1] = NAN;
	assert_int_equal(spc_ewma(x, 3, 5, 1, 0.2, 3, &e), -EINVAL);
	assert_memory_equal(&e, &sentinel, sizeof(e));
	/* lambda 1 is a Shewhart chart: z is the last point. */
	x[1] = 7;
	assert_int_equal(spc_ewma(x, 2, 5, 1, 1, 3, &e), 0);
	assert_true(e.z == 7 && NEAR(e.ucl, 8, 1e-12));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_golden),
		cmocka_unit_test(test_rules_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_evaluate_twelve),
		cmocka_unit_test(test_evaluate_last_three),
		cmocka_unit_test(test_evaluate_drift),
		cmocka_unit_test(test_evaluate_rebase),
		cmocka_unit_test(test_evaluate_constant),
		cmocka_unit_test(test_evaluate_bad),
		cmocka_unit_test(test_ewma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
