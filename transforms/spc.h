/* spc.h - XmR control limits, the four SPC rules and the EWMA chart (pure). */
#ifndef FRAGWATCH_SPC_H
#define FRAGWATCH_SPC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Statistical process control as NHS "Making Data Count" does it
 * (DESIGN.md §6, detectors E1 and E2).
 *
 * XmR limits: mean +- 2.66 x mean moving range (mMR) over a baseline;
 * "2 sigma" is +- 1.7733 x mMR (2.66 = 3 / 1.128, 1.7733 = 2 / 1.128).
 *
 * "Beyond" is strict everywhere: a point exactly on a limit is not beyond
 * it. So a constant baseline (mMR = 0, zero-width limits) makes nothing
 * fire while the series stays constant, and any later point that differs
 * from it is beyond the limits (rule LIMIT) and beyond 2 sigma.
 *
 * Baseline choice (spc_baseline()): with n points and J = SPC_JUDGED (3)
 * points being judged, if at least baseline_min points exist before the
 * last J, the baseline is the min(n - J, baseline_max) points immediately
 * before them: a rolling baseline that excludes the judged points, so the
 * limits follow a long drifting series instead of going stale (DESIGN.md
 * "What real data teaches"). Otherwise it is the first min(n,
 * baseline_max) points, which then include the judged ones (the classic
 * Making Data Count baseline). spc_evaluate() applies the rules to the
 * baseline and every point after it only; older points are not looked at.
 */

#define SPC_MAX 64      /* most baseline points (baseline_max, run_length) */
#define SPC_JUDGED 3    /* E1 looks for a special cause in the last 3 points */
#define SPC_E2 2.66     /* 3 / d2: limits at mean +- SPC_E2 x mMR */
#define SPC_E2_2S 1.7733 /* 2 / d2: "2 sigma" at mean +- SPC_E2_2S x mMR */
#define SPC_D2 1.128    /* d2 for n = 2: sigma = mMR / SPC_D2 */

/* Limits of an XmR chart. */
struct spc_limits {
	double mean; /* centre line */
	double mmr;  /* mean moving range |x[i] - x[i-1]| over the baseline */
	double lcl, ucl;     /* mean -+ SPC_E2 x mmr (3 sigma) */
	double lower2, upper2; /* mean -+ SPC_E2_2S x mmr (2 sigma) */
};

/* The four rules of DESIGN.md §6, in the order they are reported. */
enum spc_rule {
	SPC_RULE_LIMIT,   /* a point beyond the limits */
	SPC_RULE_TREND,   /* run_length points rising or falling in a row */
	SPC_RULE_SHIFT,   /* run_length points on one side of the mean */
	SPC_RULE_TWO_OF_THREE, /* 2 of 3 beyond 2 sigma on one side */
	SPC_RULE_COUNT,
};

/* Direction bits of a flagged point: above the mean / rising, or below /
 * falling. A peak can end a rising run and start a falling one. */
enum {
	SPC_UP = 1 << 0,
	SPC_DOWN = 1 << 1,
};

/* Limits over b[0..n-1] (n >= 2). Returns 0, or -EINVAL if n < 2 or a
 * value is not finite; *out is written only on success. */
int spc_limits(const double *b, size_t n, struct spc_limits *out);

/* Flags the points of x[0..n-1] that one rule marks, as SPC_UP/SPC_DOWN
 * bits in flags[0..n-1] (0 = not flagged):
 * - LIMIT: x > ucl (UP) or x < lcl (DOWN);
 * - TREND: every point of a run of at least run_length points each
 *   strictly above (UP) or below (DOWN) the one before; a tie ends the run;
 * - SHIFT: every point of a run of at least run_length points strictly
 *   above (UP) or below (DOWN) the mean; a point on the mean ends the run;
 * - TWO_OF_THREE: in any 3 consecutive points in which at least 2 are
 *   beyond 2 sigma on the same side (x > upper2, or x < lower2; beyond
 *   3 sigma counts), those 2 or 3 points; nothing when n < 3.
 * run_length matters for TREND and SHIFT only. Returns 0, or -EINVAL for
 * an unknown rule or run_length outside 2..SPC_MAX. */
int spc_rule_flags(enum spc_rule rule, const double *x, size_t n,
    const struct spc_limits *l, int run_length, unsigned char *flags);

/* Static text naming a rule, e.g. "a point beyond the control limits";
 * "unknown rule" for a bad value. */
const char *spc_rule_name(enum spc_rule rule);

/* The baseline of a series of n points (above): *from and *len. Needs
 * 2 <= baseline_min <= baseline_max; n < baseline_min gives *len = 0. */
void spc_baseline(size_t n, int baseline_min, int baseline_max,
    size_t *from, size_t *len);

/* E1 on a whole series. */
struct spc_verdict {
	bool enough_data;     /* false: n < baseline_min, nothing else set */
	size_t base_from, base_len; /* the baseline x[base_from..+base_len-1] */
	struct spc_limits lim;
	unsigned concern;     /* bit (1 << rule): that rule flags one of the
	                         last SPC_JUDGED points in the bad direction */
	unsigned other;       /* same, in the good direction (not a concern) */
	int first;            /* lowest rule in concern, or -1 */
};

/* Limits over the baseline of x[0..n-1] and the four rules over
 * x[base_from..n-1]; a special cause of concern is a flag in the bad
 * direction (SPC_UP if higher_is_worse, else SPC_DOWN) on one of the
 * last SPC_JUDGED points. Returns 0 (*out written; enough_data false when
 * n < baseline_min), or -EINVAL for bad parameters (run_length outside
 * 2..SPC_MAX, not 2 <= baseline_min <= baseline_max <= SPC_MAX) or a value
 * of x that is not finite. */
int spc_evaluate(const double *x, size_t n, bool higher_is_worse,
    int run_length, int baseline_min, int baseline_max,
    struct spc_verdict *out);

/* An EWMA chart at its newest point. */
struct spc_ewma {
	double z;        /* the EWMA after the last point */
	double lcl, ucl; /* its limits at that point */
};

/* EWMA z[i] = lambda x[i] + (1 - lambda) z[i-1], from z[0] = mean, over
 * x[0..n-1] (n >= 1), with the exact time-varying limits of its i-th
 * point (i = n): mean +- L sigma sqrt(lambda / (2 - lambda)
 * (1 - (1 - lambda)^(2 i))), which approach the asymptotic ones as i
 * grows. Returns 0, or -EINVAL (lambda outside (0, 1], L or sigma
 * negative, or a value not finite); *out is written only on success. */
int spc_ewma(const double *x, size_t n, double mean, double sigma,
    double lambda, double L, struct spc_ewma *out);

#endif
