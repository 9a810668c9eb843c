/* warning.c - detectors E1 (SPC), E2 (EWMA) and E3 (time to red) on one series (DESIGN §6). */
#include <errno.h>
#include <math.h>

#include "transforms/spc.h"
#include "transforms/trend.h"
#include "transforms/warning.h"

/*
 * How the detectors read a series (the statistics are in spc.c and
 * trend.c, whose headers say exactly what they compute):
 *
 * E1: spc_evaluate() with the rolling or classic baseline of spc.h; fires
 * when a rule flags one of the last 3 points in the bad direction.
 *
 * E2: the EWMA runs from the baseline's first point to the newest one,
 * starting at the baseline mean, with sigma = mMR / 1.128 and the exact
 * time-varying limits; fires when the newest EWMA is strictly beyond the
 * bad-side limit. On a constant baseline (mMR = 0) the limits have zero
 * width: nothing fires while the series stays on the mean.
 *
 * E3 (needs trend_min points; uses the last trend_max): the Theil-Sen line
 * if Mann-Kendall p < mk_alpha and the slope is worsening, projected from
 * the line's value at the newest point (the line passes through the
 * median of the window, so one noisy last point does not move it); or the
 * damped Holt forecast (alpha 0.5, beta 0.3, phi 0.9, fixed). Fires when
 * either reaches red within the horizon; periods_to_red is the smaller,
 * slope the slope of that projection (Theil-Sen on a tie, and Theil-Sen
 * when neither fires). A newest point that is already red fires E3 with
 * periods_to_red = 0, whatever the trend: the caller only asks about
 * series that are not red, so this only makes the answer safe.
 *
 * Values that are not finite are refused (-EINVAL): a series has no gaps
 * by contract, and skipping a point would shift time for the trend.
 */

void
warning_params_default(struct warning_params *p)
{
	/* The horizon is in periods: 12 is the brief's 12 weeks; callers
	 * with monthly series set 3. */
	p->horizon = 12;
	p->persistence = 2;
	p->run_length = 7;
	p->baseline_min = 12;
	p->baseline_max = 20;
	p->ewma_lambda = 0.2;
	p->ewma_L = 2.962;
	p->trend_min = 12;
	p->trend_max = 26;
	p->mk_alpha = 0.05;
}

static bool
params_valid(const struct warning_params *p)
{
	return p->horizon >= 1 && p->horizon <= TREND_HORIZON_MAX &&
	    p->persistence >= 1 &&
	    p->run_length >= 2 && p->run_length <= SPC_MAX &&
	    p->baseline_min >= 2 && p->baseline_min <= p->baseline_max &&
	    p->baseline_max <= SPC_MAX &&
	    p->ewma_lambda > 0 && p->ewma_lambda <= 1 &&
	    p->ewma_L > 0 && isfinite(p->ewma_L) &&
	    p->trend_min >= 3 && p->trend_min <= p->trend_max &&
	    p->trend_max <= TREND_MAX &&
	    p->mk_alpha > 0 && p->mk_alpha < 1;
}

static void
no_verdict(struct warning_verdict *out)
{
	out->enough_data = false;
	out->fired = 0;
	out->signal = false;
	out->spc_rule = NULL;
	out->mean = out->lcl = out->ucl = NAN;
	out->ewma = out->ewma_limit = NAN;
	out->slope = NAN;
	out->mk_p = NAN;
	out->periods_to_red = NAN;
}

/* E3 on the last trend_max points; writes slope, mk_p, periods_to_red. */
static int
time_to_red(const double *x, size_t n, const struct status_threshold *t,
    const struct warning_params *p, struct warning_verdict *out)
{
	size_t m = n < (size_t)p->trend_max ? n : (size_t)p->trend_max;
	const double *w = x + (n - m);
	double slope, intercept, ts = NAN, holt = NAN;
	struct trend_mk mk;
	struct trend_holt h;
	bool worsening;
	int rc;

	if (n < (size_t)p->trend_min)
		return 0;
	if ((rc = trend_theil_sen(w, m, &slope, &intercept)) < 0 ||
	    (rc = trend_mann_kendall(w, m, &mk)) < 0 ||
	    (rc = trend_holt(w, m, TREND_HOLT_ALPHA, TREND_HOLT_BETA,
	    TREND_HOLT_PHI, &h)) < 0)
		return rc;
	out->slope = slope;
	out->mk_p = mk.p;

	worsening = t->higher_is_worse ? slope > 0 : slope < 0;
	if (mk.p < p->mk_alpha && worsening)
		ts = trend_periods_to_red(intercept + slope * (double)(m - 1),
		    slope, 1, p->horizon, t);
	holt = trend_periods_to_red(h.level, h.trend, h.phi, p->horizon, t);

	if (!isnan(ts) && (isnan(holt) || ts <= holt)) {
		out->periods_to_red = ts;
	} else if (!isnan(holt)) {
		out->periods_to_red = holt;
		out->slope = h.trend;
	}
	if (!isnan(out->periods_to_red))
		out->fired |= WARNING_E3;
	return 0;
}

int
warning_evaluate(const double *x, size_t n, const struct status_threshold *t,
    const struct warning_params *p, struct warning_verdict *out)
{
	const bool hw = t != NULL && t->higher_is_worse;
	struct spc_verdict spc;
	struct spc_ewma ewma;
	int rc;

	no_verdict(out);
	if (x == NULL && n > 0)
		return -EINVAL;
	if (t == NULL || p == NULL || !params_valid(p) ||
	    status_threshold_check(t, NULL) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;

	rc = spc_evaluate(x, n, hw, p->run_length, p->baseline_min,
	    p->baseline_max, &spc);
	if (rc < 0 || !spc.enough_data)
		return rc;
	out->enough_data = true;
	out->mean = spc.lim.mean;
	out->lcl = spc.lim.lcl;
	out->ucl = spc.lim.ucl;
	if (spc.concern != 0) {
		out->fired |= WARNING_E1;
		out->spc_rule = spc_rule_name((enum spc_rule)spc.first);
	}

	rc = spc_ewma(x + spc.base_from, n - spc.base_from, spc.lim.mean,
	    spc.lim.mmr / SPC_D2, p->ewma_lambda, p->ewma_L, &ewma);
	if (rc < 0)
		goto fail;
	out->ewma = ewma.z;
	out->ewma_limit = hw ? ewma.ucl : ewma.lcl;
	if (hw ? ewma.z > ewma.ucl : ewma.z < ewma.lcl)
		out->fired |= WARNING_E2;

	if ((rc = time_to_red(x, n, t, p, out)) < 0)
		goto fail;
	if (status_bound_holds(&t->red, x[n - 1])) {
		out->periods_to_red = 0;
		out->fired |= WARNING_E3;
	}

	out->signal = (out->fired & WARNING_E3) ||
	    ((out->fired & WARNING_E1) && (out->fired & WARNING_E2));
	return 0;
fail:
	no_verdict(out);
	return rc;
}
