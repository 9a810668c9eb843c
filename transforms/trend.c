/* trend.c - Theil-Sen slope, Mann-Kendall test, damped Holt and time to red (DESIGN §6, E3). */
#include <errno.h>
#include <math.h>

#include "transforms/trend.h"

#define TREND_PAIRS (TREND_MAX * (TREND_MAX - 1) / 2)

static bool
all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

static void
swap(double *a, long i, long j)
{
	double t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/*
 * The k-th smallest of a[0..n-1] (Hoare's selection), leaving every
 * element before index k no larger than it. Expected O(n), against
 * O(n log n) for a sort: Theil-Sen selects from n(n-1)/2 slopes on every
 * call of the backtest.
 */
static double
kth(double *a, long n, long k)
{
	long lo = 0, hi = n - 1;

	while (lo < hi) {
		double p = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				swap(a, i, j);
				i++;
				j--;
			}
		}
		/* Now a[lo..j] <= p <= a[i..hi], and a[j+1..i-1] == p. */
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

/* The median of a[0..n-1] (n >= 1); reorders a. */
static double
median(double *a, long n)
{
	double hi = kth(a, n, n / 2), lo;

	if (n % 2 == 1)
		return hi;
	/* Everything before n/2 is no larger than hi: the lower middle is
	 * the largest of them. */
	lo = a[0];
	for (long i = 1; i < n / 2; i++)
		if (a[i] > lo)
			lo = a[i];
	return lo + (hi - lo) / 2;
}

int
trend_theil_sen(const double *x, size_t n, double *slope, double *intercept)
{
	double pairs[TREND_PAIRS], b;
	long np = 0;

	if (n < 2 || n > TREND_MAX || !all_finite(x, n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			pairs[np++] = (x[j] - x[i]) / (double)(j - i);
	b = median(pairs, np);
	for (size_t i = 0; i < n; i++)
		pairs[i] = x[i] - b * (double)i;
	*slope = b;
	*intercept = median(pairs, (long)n);
	return 0;
}

int
trend_mann_kendall(const double *x, size_t n, struct trend_mk *out)
{
	double sorted[TREND_MAX], s = 0, var, ties = 0, z = 0;
	double dn = (double)n;

	if (n < 2 || n > TREND_MAX || !all_finite(x, n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += (x[j] > x[i]) - (x[j] < x[i]);

	/* Groups of equal values, from a sorted copy (insertion sort: n is
	 * small). */
	for (size_t i = 0; i < n; i++) {
		size_t k = i;

		while (k > 0 && sorted[k - 1] > x[i]) {
			sorted[k] = sorted[k - 1];
			k--;
		}
		sorted[k] = x[i];
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double t;

		while (j < n && sorted[j] == sorted[i])
			j++;
		t = (double)(j - i);
		ties += t * (t - 1) * (2 * t + 5);
		i = j;
	}
	var = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18;

	/* The continuity correction moves S one step towards 0. */
	if (var > 0 && s > 0)
		z = (s - 1) / sqrt(var);
	else if (var > 0 && s < 0)
		z = (s + 1) / sqrt(var);
	out->s = s;
	out->var = var;
	out->z = z;
	out->p = erfc(fabs(z) / sqrt(2.0));
	return 0;
}

int
trend_holt(const double *x, size_t n, double alpha, double beta, double phi,
    struct trend_holt *out)
{
	double l, b, prev;
	size_t k;

	if (n < 2 || !(alpha > 0 && alpha <= 1) || !(beta > 0 && beta <= 1) ||
	    !(phi > 0 && phi <= 1) || !all_finite(x, n))
		return -EINVAL;
	k = n - 1 < 3 ? n - 1 : 3;
	l = x[0];
	b = (x[k] - x[0]) / (double)k;
	for (size_t t = 1; t < n; t++) {
		prev = l;
		l = alpha * x[t] + (1 - alpha) * (prev + phi * b);
		b = beta * (l - prev) + (1 - beta) * phi * b;
	}
	out->level = l;
	out->trend = b;
	out->phi = phi;
	return 0;
}

double
trend_holt_forecast(const struct trend_holt *h, int steps)
{
	double sum = 0, pk = 1;

	for (int i = 1; i <= steps; i++) {
		pk *= h->phi;
		sum += pk;
	}
	return h->level + sum * h->trend;
}

double
trend_periods_to_red(double level, double slope, double phi, int horizon,
    const struct status_threshold *t)
{
	return trend_periods_to_red_seasonal(level, slope, phi, horizon, NULL,
	    t);
}

double
trend_periods_to_red_seasonal(double level, double slope, double phi,
    int horizon, const double *season, const struct status_threshold *t)
{
	double sum = 0, pk = 1;
	bool worsening;

	if (!isfinite(level) || !isfinite(slope) || !(phi > 0 && phi <= 1) ||
	    horizon < 0 || horizon > TREND_HORIZON_MAX)
		return NAN;
	worsening = t->higher_is_worse ? slope > 0 : slope < 0;
	if (!worsening)
		return NAN;
	for (int h = 0; h <= horizon; h++) {
		double v;

		if (h > 0) {
			pk *= phi;
			sum += pk;
		}
		v = level + slope * sum;
		if (season != NULL) {
			if (!isfinite(season[h]))
				return NAN;
			v += season[h];
		}
		if (status_bound_holds(&t->red, v))
			return h;
	}
	return NAN;
}
