/* spc.c - XmR limits, the four SPC rules and the EWMA chart (DESIGN §6, E1/E2). */
#include <errno.h>
#include <math.h>

#include "transforms/spc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const rule_names[] = {
	[SPC_RULE_LIMIT] = "a point beyond the control limits",
	[SPC_RULE_TREND] = "a run of points rising or falling",
	[SPC_RULE_SHIFT] = "a run of points on one side of the mean",
	[SPC_RULE_TWO_OF_THREE] = "2 of 3 points beyond 2 sigma",
};

static bool
all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

int
spc_limits(const double *b, size_t n, struct spc_limits *out)
{
	double sum = 0, sum_mr = 0, mean, mmr;

	if (n < 2 || !all_finite(b, n))
		return -EINVAL;
	/* Summing differences from the first point keeps the mean of a
	 * constant baseline exactly that constant (a plain sum of 0.6
	 * twenty times, divided by 20, is not 0.6), so that zero-width
	 * limits do not flag the baseline's own value. */
	for (size_t i = 0; i < n; i++) {
		sum += b[i] - b[0];
		if (i > 0)
			sum_mr += fabs(b[i] - b[i - 1]);
	}
	mean = b[0] + sum / (double)n;
	mmr = sum_mr / (double)(n - 1);
	out->mean = mean;
	out->mmr = mmr;
	out->lcl = mean - SPC_E2 * mmr;
	out->ucl = mean + SPC_E2 * mmr;
	out->lower2 = mean - SPC_E2_2S * mmr;
	out->upper2 = mean + SPC_E2_2S * mmr;
	return 0;
}

/*
 * Flags every point of each maximal run x[s..e] in which in_run(k) holds
 * for k = s+1..e (cont, a relation with the point before) or k = s..e
 * (not cont, a property of the point itself), when the run has at least
 * len points.
 */
static void
flag_runs(const double *x, size_t n, double mean, int kind, bool up,
    size_t len, unsigned char *flags)
{
	unsigned char bit = up ? SPC_UP : SPC_DOWN;
	size_t start = 0, run = 0;

	for (size_t i = 0; i <= n; i++) {
		bool in;

		if (i == n)
			in = false;
		else if (kind == SPC_RULE_TREND)
			in = i > 0 && (up ? x[i] > x[i - 1] : x[i] < x[i - 1]);
		else
			in = up ? x[i] > mean : x[i] < mean;

		if (in) {
			/* A trend run includes the point it rose from. */
			if (run == 0) {
				start = kind == SPC_RULE_TREND ? i - 1 : i;
				run = kind == SPC_RULE_TREND ? 1 : 0;
			}
			run++;
			continue;
		}
		if (run >= len)
			for (size_t k = start; k < start + run; k++)
				flags[k] |= bit;
		run = 0;
	}
}

static void
flag_two_of_three(const double *x, size_t n, const struct spc_limits *l,
    unsigned char *flags)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		int above = 0, below = 0;

		for (size_t k = i; k < i + 3; k++) {
			above += x[k] > l->upper2;
			below += x[k] < l->lower2;
		}
		for (size_t k = i; k < i + 3; k++) {
			if (above >= 2 && x[k] > l->upper2)
				flags[k] |= SPC_UP;
			if (below >= 2 && x[k] < l->lower2)
				flags[k] |= SPC_DOWN;
		}
	}
}

int
spc_rule_flags(enum spc_rule rule, const double *x, size_t n,
    const struct spc_limits *l, int run_length, unsigned char *flags)
{
	if ((unsigned)rule >= SPC_RULE_COUNT || run_length < 2 ||
	    run_length > SPC_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		flags[i] = 0;

	switch (rule) {
	case SPC_RULE_LIMIT:
		for (size_t i = 0; i < n; i++) {
			if (x[i] > l->ucl)
				flags[i] |= SPC_UP;
			else if (x[i] < l->lcl)
				flags[i] |= SPC_DOWN;
		}
		break;
	case SPC_RULE_TREND:
	case SPC_RULE_SHIFT:
		flag_runs(x, n, l->mean, rule, true, (size_t)run_length, flags);
		flag_runs(x, n, l->mean, rule, false, (size_t)run_length,
		    flags);
		break;
	case SPC_RULE_TWO_OF_THREE:
		flag_two_of_three(x, n, l, flags);
		break;
	case SPC_RULE_COUNT:
		break;
	}
	return 0;
}

const char *
spc_rule_name(enum spc_rule rule)
{
	if ((unsigned)rule >= NELEM(rule_names))
		return "unknown rule";
	return rule_names[rule];
}

void
spc_baseline(size_t n, int baseline_min, int baseline_max, size_t *from,
    size_t *len)
{
	size_t bmin = (size_t)baseline_min, bmax = (size_t)baseline_max;

	*from = 0;
	*len = 0;
	if (n < bmin)
		return;
	if (n >= SPC_JUDGED && n - SPC_JUDGED >= bmin) {
		/* Rolling: the points just before the judged ones. */
		*len = n - SPC_JUDGED < bmax ? n - SPC_JUDGED : bmax;
		*from = n - SPC_JUDGED - *len;
	} else {
		*len = n < bmax ? n : bmax;
	}
}

int
spc_evaluate(const double *x, size_t n, bool higher_is_worse,
    int run_length, int baseline_min, int baseline_max,
    struct spc_verdict *out)
{
	/* The window examined is at most baseline_max + SPC_JUDGED long
	 * (rolling), or shorter than baseline_min + SPC_JUDGED (classic). */
	unsigned char flags[SPC_MAX + SPC_JUDGED];
	unsigned char bad = higher_is_worse ? SPC_UP : SPC_DOWN;
	size_t from, len, m, judged;
	const double *w;
	int rc;

	if (run_length < 2 || run_length > SPC_MAX || baseline_min < 2 ||
	    baseline_min > baseline_max || baseline_max > SPC_MAX ||
	    !all_finite(x, n))
		return -EINVAL;

	out->enough_data = false;
	out->base_from = 0;
	out->base_len = 0;
	out->lim.mean = out->lim.mmr = NAN;
	out->lim.lcl = out->lim.ucl = out->lim.lower2 = out->lim.upper2 = NAN;
	out->concern = 0;
	out->other = 0;
	out->first = -1;
	if (n < (size_t)baseline_min)
		return 0;

	spc_baseline(n, baseline_min, baseline_max, &from, &len);
	rc = spc_limits(x + from, len, &out->lim);
	if (rc < 0)
		return rc;
	out->enough_data = true;
	out->base_from = from;
	out->base_len = len;

	w = x + from;
	m = n - from;
	judged = m < SPC_JUDGED ? m : SPC_JUDGED;
	for (int r = 0; r < SPC_RULE_COUNT; r++) {
		spc_rule_flags((enum spc_rule)r, w, m, &out->lim, run_length,
		    flags);
		for (size_t i = m - judged; i < m; i++) {
			if (flags[i] & bad)
				out->concern |= 1u << r;
			if (flags[i] & ~bad)
				out->other |= 1u << r;
		}
		if ((out->concern & (1u << r)) && out->first < 0)
			out->first = r;
	}
	return 0;
}

int
spc_ewma(const double *x, size_t n, double mean, double sigma,
    double lambda, double L, struct spc_ewma *out)
{
	double z = mean, width;

	if (n < 1 || !(lambda > 0 && lambda <= 1) || !(L >= 0) ||
	    !(sigma >= 0) || !isfinite(mean) || !isfinite(sigma) ||
	    !isfinite(L) || !all_finite(x, n))
		return -EINVAL;
	/* z + lambda (x - z) is the same recursion, but leaves z exactly
	 * unchanged on a point equal to it: a constant series does not
	 * creep past its zero-width limits by rounding. */
	for (size_t i = 0; i < n; i++)
		z += lambda * (x[i] - z);
	/* The exact factor: the EWMA of i points has variance
	 * sigma^2 lambda/(2-lambda) (1 - (1-lambda)^(2i)). */
	width = L * sigma * sqrt(lambda / (2 - lambda) *
	    (1 - pow(1 - lambda, 2.0 * (double)n)));
	out->z = z;
	out->lcl = mean - width;
	out->ucl = mean + width;
	return 0;
}
