/* trend.h - Theil-Sen slope, Mann-Kendall test, damped Holt, time to red (pure). */
#ifndef FRAGWATCH_TREND_H
#define FRAGWATCH_TREND_H

#include <stdbool.h>
#include <stddef.h>

#include "transforms/status.h"

/*
 * Robust trend and projection for detector E3 (DESIGN.md §6). Points are
 * x[0..n-1], one per period, so time is the index: slopes are changes per
 * period. Everything works on fixed-size stack arrays, so the series
 * passed is capped at TREND_MAX points (-EINVAL beyond); callers pass the
 * most recent window.
 */

#define TREND_MAX 64            /* most points a trend is computed over */
#define TREND_HORIZON_MAX 1000  /* most periods a projection looks ahead */

/* Theil-Sen line: slope = median of the n(n-1)/2 pairwise slopes
 * (x[j] - x[i]) / (j - i), intercept = median of x[i] - slope i (so the
 * line passes through the middle of the points; its value at the last
 * point is intercept + slope (n - 1)). Returns 0, or -EINVAL for n < 2,
 * n > TREND_MAX or a value not finite; written only on success. */
int trend_theil_sen(const double *x, size_t n, double *slope,
    double *intercept);

/* The Mann-Kendall test for a monotonic trend. */
struct trend_mk {
	double s;   /* S = sum over i < j of sign(x[j] - x[i]) */
	double var; /* Var(S) = (n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18 over
	               the groups of t equal values */
	double z;   /* (S - 1)/sqrt(var) if S > 0, (S + 1)/sqrt(var) if S < 0,
	               else 0 (also 0 when var = 0: all values equal) */
	double p;   /* two-sided p = erfc(|z| / sqrt(2)), normal approximation */
};

/* Returns 0, or -EINVAL for n < 2, n > TREND_MAX or a value not finite;
 * *out is written only on success. */
int trend_mann_kendall(const double *x, size_t n, struct trend_mk *out);

/* Damped Holt (additive damped trend, Gardner-McKenzie) after the last
 * point. */
struct trend_holt {
	double level, trend; /* l and b after x[n-1] */
	double phi;          /* damping, as given */
};

/* Default smoothing: fixed, not fitted, so that a verdict does not depend
 * on an optimiser and a call costs O(n). */
#define TREND_HOLT_ALPHA 0.5
#define TREND_HOLT_BETA 0.3
#define TREND_HOLT_PHI 0.9

/* Runs, from l = x[0] and b = (x[k] - x[0]) / k with k = min(3, n - 1)
 * (the mean of the first k differences), for t = 1..n-1:
 *   l[t] = alpha x[t] + (1 - alpha) (l[t-1] + phi b[t-1])
 *   b[t] = beta (l[t] - l[t-1]) + (1 - beta) phi b[t-1]
 * Parameters in (0, 1] (phi too). Returns 0, or -EINVAL for n < 2, a bad
 * parameter or a value not finite; written only on success. Any n is
 * accepted (no array is kept). */
int trend_holt(const double *x, size_t n, double alpha, double beta,
    double phi, struct trend_holt *out);

/* The h-step forecast l + (phi + phi^2 + ... + phi^h) b; h >= 0. */
double trend_holt_forecast(const struct trend_holt *h, int steps);

/* Periods until a projection v(h) = level + slope (phi + ... + phi^h)
 * (phi = 1: a straight line, level + slope h) satisfies the red bound of
 * t: the smallest h in 0..horizon with status_bound_holds(&t->red, v(h)),
 * where h = 0 is level itself. NaN if the slope is not worsening (zero,
 * or in the good direction of t->higher_is_worse), if red is not reached
 * within the horizon, or if an argument is bad (level, slope not finite,
 * phi outside (0, 1], horizon outside 0..TREND_HORIZON_MAX). */
double trend_periods_to_red(double level, double slope, double phi,
    int horizon, const struct status_threshold *t);

/* The same with a seasonal component added to the projection:
 * v(h) = level + slope (phi + ... + phi^h) + season[h] for h in
 * 0..horizon (season[] has horizon + 1 values; NULL means none, as
 * trend_periods_to_red()). The slope must still be worsening: the season
 * moves the projected path, it does not make a trend. NaN as above, or if
 * a value of season[] that is looked at is not finite. */
double trend_periods_to_red_seasonal(double level, double slope, double phi,
    int horizon, const double *season, const struct status_threshold *t);

#endif
