/* warning.h - early-warning detectors E1 (SPC), E2 (EWMA), E3 (time to red) on one series (pure). */
#ifndef FRAGWATCH_WARNING_H
#define FRAGWATCH_WARNING_H

#include <stdbool.h>
#include <stddef.h>

#include "transforms/status.h"

/*
 * The detectors of DESIGN.md §6 on one series, with two additions that
 * the backtest asked for (see "What real data teaches"):
 *
 * Seasonal adjustment (season = s periods per year, 0 = off). With at
 * least 2 s + baseline_min points, the last m = min(n - 2 s, window)
 * points (window = max(trend_max, baseline_max + 3), all the detectors
 * read) are replaced by x[i] - c(i), the seasonal component c(i) being
 * the mean over the two previous years k = 1, 2 of x[j] - level(j) for
 * j = i - k s (and the weeks either side when s >= 26), level(j) the
 * mean of the s points centred on j (kept inside the data: no
 * look-ahead). This happens only if the two years agree: the
 * correlation of their estimates over those m points is at least 0.5;
 * a pattern seen in one year only (an incident, the start of a drift) is
 * not removed. E1 and E2 then judge the adjusted points; E3 fits its
 * trend to them and projects the level = adjusted trend + c(newest + h),
 * so the red threshold keeps its meaning (summer included). Whether the
 * newest point is already red is read from x itself.
 *
 * Materiality of E1 and E2 (material, 0 = off): E1 and E2 together are a
 * signal only when the EWMA has moved at least that share of the way
 * from the baseline mean towards the red threshold. A weekly series is
 * judged 13 times as often as a quarterly one, and a week-to-week wiggle
 * of a stable, autocorrelated series is a special cause to the XmR
 * limits although it is nowhere near red.
 *
 * E3's definition is unchanged (a projection crossing red), and so is a
 * series without season and material: the verdicts of before.
 */

/* Tunables of DESIGN.md §6; warning_params_default() gives the brief's. */
struct warning_params {
	int horizon;         /* periods ahead that E3 looks (12 weeks, 3 months) */
	int persistence;     /* consecutive runs a signal must last (2) */
	int run_length;      /* SPC trend and shift rules (7) */
	int baseline_min;    /* fewest points for any verdict (12) */
	int baseline_max;    /* points in the SPC/EWMA baseline (20) */
	double ewma_lambda;  /* 0.2 */
	double ewma_L;       /* 2.962 */
	int trend_min;       /* fewest points for E3 (12) */
	int trend_max;       /* most recent points E3 uses (26) */
	double mk_alpha;     /* Mann-Kendall significance (0.05) */
	int season;          /* periods per year for the seasonal adjustment
	                        (52 weekly, 12 monthly, 4 quarterly); 0 = off
	                        (the default: callers set it by grain) */
	double material;     /* E1 and E2 together count only when the EWMA
	                        has moved this share of the way from the
	                        baseline mean to red; 0 = always (the default:
	                        callers set it by grain) */
};

#define WARNING_SEASON_MAX 53  /* largest season */
#define WARNING_SEASON_YEARS 2 /* previous years a seasonal index averages */

/* Detector bits in warning_verdict.fired. */
enum {
	WARNING_E1 = 1 << 0, /* SPC special cause of concern in the last 3 points */
	WARNING_E2 = 1 << 1, /* EWMA beyond its limit on the bad side */
	WARNING_E3 = 1 << 2, /* projected to cross red within the horizon */
};

/* What the detectors say about the newest point of a series. */
struct warning_verdict {
	bool enough_data;      /* false: fewer than baseline_min points; no verdict */
	bool adjusted;         /* judged on the seasonally adjusted series */
	unsigned fired;        /* WARNING_E* bits */
	bool signal;           /* E3, or E1 and E2 together (and material) */
	const char *spc_rule;  /* static text of the E1 rule that fired, or NULL */
	double mean, lcl, ucl; /* SPC centre line and limits (NaN if none);
	                          when adjusted, of the adjusted series */
	double ewma, ewma_limit; /* the EWMA now and its bad-side limit (idem) */
	double slope;          /* change per period (Theil-Sen or Holt), NaN if
	                          none; of the adjusted series when adjusted */
	double mk_p;           /* Mann-Kendall two-sided p, NaN if not computed */
	double periods_to_red; /* projected periods until red; NaN if not within
	                          the horizon or not worsening */
};

void warning_params_default(struct warning_params *p);

/* The most recent points of a series that warning_evaluate() looks at
 * with these parameters: older points do not change its verdict, so a
 * caller may pass only these (plus what its persistence re-evaluates). */
size_t warning_history(const struct warning_params *p);

/* Evaluates E1, E2 and E3 on x[0..n-1] (oldest first, one value per
 * period, no gaps) against t: the bad direction is t->higher_is_worse and
 * red is where t->red holds. Returns 0 (verdict in *out, which is always
 * fully written) or -EINVAL for bad parameters, a threshold that
 * status_threshold_check() refuses, or a value of x that is not finite.
 * Persistence over runs is the caller's: signal is for this point alone. */
int warning_evaluate(const double *x, size_t n, const struct status_threshold *t,
    const struct warning_params *p, struct warning_verdict *out);

#endif
