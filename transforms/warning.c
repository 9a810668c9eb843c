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
 * Seasonal adjustment (p->season = s > 0; see warning.h): when the series
 * has two years plus a baseline of history and the two most recent years
 * agree on the seasonal pattern over the points judged, the detectors
 * below read the last points of the adjusted series instead of x, and
 * E3 adds the season back to its projection.
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
 * Signal: E3, or E1 and E2 together when the EWMA has moved at least
 * p->material of the way from the baseline mean to red.
 *
 * Values that are not finite are refused (-EINVAL): a series has no gaps
 * by contract, and skipping a point would shift time for the trend.
 */

/* Correlation the two years' seasonal estimates must reach to count as
 * one recurring pattern rather than two years that happened to differ. */
#define SEASON_AGREE 0.5

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
	p->season = 0;
	p->material = 0;
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
	    p->mk_alpha > 0 && p->mk_alpha < 1 &&
	    (p->season == 0 || (p->season >= 2 &&
	    p->season <= WARNING_SEASON_MAX)) &&
	    p->material >= 0 && p->material <= 1;
}

static void
no_verdict(struct warning_verdict *out)
{
	out->enough_data = false;
	out->adjusted = false;
	out->fired = 0;
	out->signal = false;
	out->spc_rule = NULL;
	out->mean = out->lcl = out->ucl = NAN;
	out->ewma = out->ewma_limit = NAN;
	out->slope = NAN;
	out->mk_p = NAN;
	out->periods_to_red = NAN;
}

/* The most recent points the detectors judge: the SPC baseline and the
 * judged points, or E3's window. */
static size_t
window(const struct warning_params *p)
{
	size_t w = (size_t)p->baseline_max + SPC_JUDGED;

	return (size_t)p->trend_max > w ? (size_t)p->trend_max : w;
}

#define WINDOW_MAX (TREND_MAX > SPC_MAX + SPC_JUDGED ? TREND_MAX : \
	SPC_MAX + SPC_JUDGED)
/* Points before the judged ones that the seasonal estimates read: the
 * years back, a neighbour, and half a year for the level. */
#define SEASON_BACK(s) (WARNING_SEASON_YEARS * (size_t)(s) + 1 + \
	(size_t)(s) / 2)
#define PREFIX_MAX (WINDOW_MAX + SEASON_BACK(WARNING_SEASON_MAX))

/* The series and the prefix sums of x[lo..n-1] that the level needs. */
struct season {
	const double *x;
	size_t n, s, half, lo;
	double pre[PREFIX_MAX + 1]; /* pre[k] = x[lo] + ... + x[lo+k-1] */
};

/* The level at j: the mean of the s points centred on j, or of the
 * nearest s points inside x[0..n-1]. A full year holds every season
 * once, so its mean has no seasonal component. */
static double
level(const struct season *z, size_t j)
{
	size_t a = j >= z->s / 2 ? j - z->s / 2 : 0;

	if (a + z->s > z->n)
		a = z->n - z->s;
	return (z->pre[a - z->lo + z->s] - z->pre[a - z->lo]) / (double)z->s;
}

/* Year k's estimate of the seasonal component at period i (i may lie up
 * to a year after n - 1): the mean of x[j] - level(j) over the points j
 * within half of i - k s that are known. A weekly index (s >= 26) takes
 * the weeks either side too, so one noisy week does not make a season. */
static double
estimate(const struct season *z, size_t i, size_t k)
{
	size_t c = i - k * z->s;
	double sum = 0;
	int cnt = 0;

	for (size_t j = c >= z->half ? c - z->half : 0; j <= c + z->half;
	    j++) {
		if (j >= z->n)
			continue;
		sum += z->x[j] - level(z, j);
		cnt++;
	}
	return cnt > 0 ? sum / cnt : 0;
}

/* The seasonal component at i: the mean of the estimates of the
 * WARNING_SEASON_YEARS years before it. */
static double
component(const struct season *z, size_t i)
{
	double sum = 0;

	for (size_t k = 1; k <= WARNING_SEASON_YEARS; k++)
		sum += estimate(z, i, k);
	return sum / WARNING_SEASON_YEARS;
}

/* Whether the two most recent years agree on the season over the last m
 * points: the correlation of their estimates is at least SEASON_AGREE. A
 * pattern seen in one year only (a past incident, the start of a drift)
 * is not taken for a season. */
static bool
recurs(const struct season *z, size_t m)
{
	double a[WINDOW_MAX], b[WINDOW_MAX], ma = 0, mb = 0;
	double sab = 0, saa = 0, sbb = 0;

	for (size_t k = 0; k < m; k++) {
		a[k] = estimate(z, z->n - m + k, 1);
		b[k] = estimate(z, z->n - m + k, 2);
		ma += a[k];
		mb += b[k];
	}
	ma /= (double)m;
	mb /= (double)m;
	for (size_t k = 0; k < m; k++) {
		sab += (a[k] - ma) * (b[k] - mb);
		saa += (a[k] - ma) * (a[k] - ma);
		sbb += (b[k] - mb) * (b[k] - mb);
	}
	return saa > 0 && sbb > 0 && sab >= SEASON_AGREE * sqrt(saa * sbb);
}

/*
 * Seasonal adjustment of the last m points (m <= n - 2 s, as
 * warning_evaluate() ensures): false if the two years do not agree; else y[k] = x[n-m+k] - component(n-m+k) and ahead[h] =
 * component(n-1+h) for h = 0..horizon (a year ahead at most, repeated
 * after that: the index is periodic).
 */
static bool
season_adjust(const double *x, size_t n, const struct warning_params *p,
    size_t m, double *y, double *ahead)
{
	struct season z;
	size_t s = (size_t)p->season;

	z.x = x;
	z.n = n;
	z.s = s;
	z.half = s >= 26 ? 1 : 0;
	z.lo = n - m > SEASON_BACK(s) ? n - m - SEASON_BACK(s) : 0;
	z.pre[0] = 0;
	for (size_t k = z.lo; k < n; k++)
		z.pre[k - z.lo + 1] = z.pre[k - z.lo] + x[k];
	if (!recurs(&z, m))
		return false;
	for (size_t k = 0; k < m; k++)
		y[k] = x[n - m + k] - component(&z, n - m + k);
	for (size_t h = 0; h <= (size_t)p->horizon; h++)
		ahead[h] = h <= s ? component(&z, n - 1 + h) :
		    ahead[(h - 1) % s + 1];
	return true;
}

size_t
warning_history(const struct warning_params *p)
{
	size_t w = window(p);

	if (p->season > 0)
		w += SEASON_BACK(p->season);
	return w;
}

/* E3 on the last trend_max points of x (adjusted when ahead is not
 * NULL: ahead[h] is the seasonal component h periods after the newest);
 * writes slope, mk_p, periods_to_red. */
static int
time_to_red(const double *x, size_t n, const double *ahead,
    const struct status_threshold *t, const struct warning_params *p,
    struct warning_verdict *out)
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
		ts = trend_periods_to_red_seasonal(intercept + slope *
		    (double)(m - 1), slope, 1, p->horizon, ahead, t);
	holt = trend_periods_to_red_seasonal(h.level, h.trend, h.phi,
	    p->horizon, ahead, t);

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

/* Whether the EWMA has moved material of the way from the baseline mean
 * towards red (always, if the mean is not on the good side of red). */
static bool
material(const struct warning_verdict *v, const struct status_threshold *t,
    double material)
{
	double dist, shift;

	if (t->higher_is_worse) {
		dist = t->red.value - v->mean;
		shift = v->ewma - v->mean;
	} else {
		dist = v->mean - t->red.value;
		shift = v->mean - v->ewma;
	}
	return dist <= 0 || shift >= material * dist;
}

int
warning_evaluate(const double *x, size_t n, const struct status_threshold *t,
    const struct warning_params *p, struct warning_verdict *out)
{
	const bool hw = t != NULL && t->higher_is_worse;
	double adj[WINDOW_MAX], ahead[TREND_HORIZON_MAX + 1];
	const double *y = x, *yahead = NULL;
	struct spc_verdict spc;
	struct spc_ewma ewma;
	size_t ny = n;
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

	/* Two years and a baseline: the detectors may read the adjusted
	 * series (its last points only: older ones are not looked at). */
	if (p->season > 0 && n >= 2 * (size_t)p->season +
	    (size_t)p->baseline_min) {
		size_t m = n - 2 * (size_t)p->season;

		if (m > window(p))
			m = window(p);
		if (season_adjust(x, n, p, m, adj, ahead)) {
			y = adj;
			ny = m;
			yahead = ahead;
		}
	}

	rc = spc_evaluate(y, ny, hw, p->run_length, p->baseline_min,
	    p->baseline_max, &spc);
	if (rc < 0 || !spc.enough_data)
		return rc;
	out->enough_data = true;
	out->adjusted = yahead != NULL;
	out->mean = spc.lim.mean;
	out->lcl = spc.lim.lcl;
	out->ucl = spc.lim.ucl;
	if (spc.concern != 0) {
		out->fired |= WARNING_E1;
		out->spc_rule = spc_rule_name((enum spc_rule)spc.first);
	}

	rc = spc_ewma(y + spc.base_from, ny - spc.base_from, spc.lim.mean,
	    spc.lim.mmr / SPC_D2, p->ewma_lambda, p->ewma_L, &ewma);
	if (rc < 0)
		goto fail;
	out->ewma = ewma.z;
	out->ewma_limit = hw ? ewma.ucl : ewma.lcl;
	if (hw ? ewma.z > ewma.ucl : ewma.z < ewma.lcl)
		out->fired |= WARNING_E2;

	if ((rc = time_to_red(y, ny, yahead, t, p, out)) < 0)
		goto fail;
	if (status_bound_holds(&t->red, x[n - 1])) {
		out->periods_to_red = 0;
		out->fired |= WARNING_E3;
	}

	out->signal = (out->fired & WARNING_E3) ||
	    ((out->fired & WARNING_E1) && (out->fired & WARNING_E2) &&
	    material(out, t, p->material));
	return 0;
fail:
	no_verdict(out);
	return rc;
}
