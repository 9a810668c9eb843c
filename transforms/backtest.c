/* backtest.c - replays the early-warning rule without look-ahead and scores warnings against red onsets (pure). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "transforms/backtest.h"
#include "transforms/catalog.h"

double
backtest_periods_per_year(enum value_grain grain)
{
	switch (grain) {
	case VALUE_GRAIN_DAY:
		return 365.25;
	case VALUE_GRAIN_WEEK:
		return 52.18;
	case VALUE_GRAIN_MONTH:
		return 12;
	case VALUE_GRAIN_QUARTER:
		return 4;
	default:
		return 1;
	}
}

int
backtest_default_horizon(enum value_grain grain)
{
	switch (grain) {
	case VALUE_GRAIN_DAY:
		return 84;
	case VALUE_GRAIN_WEEK:
		return 12;
	case VALUE_GRAIN_MONTH:
		return 3;
	default:
		return 1;
	}
}

void
backtest_persist(const bool *signal, size_t n, int persistence, bool *warn)
{
	int run = 0;

	for (size_t t = 0; t < n; t++) {
		run = signal[t] ? run + 1 : 0;
		warn[t] = signal[t] && run >= (persistence < 1 ? 1 : persistence);
	}
}

static int
add_lead(struct backtest_tally *t, int lead)
{
	if (t->nleads == t->capleads) {
		size_t cap = t->capleads ? 2 * t->capleads : 16;
		int *p = realloc(t->leads, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		t->leads = p;
		t->capleads = cap;
	}
	t->leads[t->nleads++] = lead;
	return 0;
}

static bool
known_non_red(enum status_light l)
{
	return l == STATUS_GREEN || l == STATUS_YELLOW;
}

int
backtest_score(const enum status_light *status, const bool *warn, size_t n,
    int horizon, double periods_per_year, struct backtest_tally *t)
{
	size_t h;

	if (horizon < 1 || !(periods_per_year > 0))
		return -EINVAL;
	h = (size_t)horizon;

	/* Episodes and their outcome. */
	for (size_t s = 0; s < n; s++) {
		size_t e, last;
		bool red = false;

		if (!warn[s] || (s > 0 && warn[s - 1]))
			continue;
		for (e = s; e + 1 < n && warn[e + 1]; e++)
			;
		last = e + h < n - 1 ? e + h : n - 1;
		for (size_t r = e + 1; r <= last && !red; r++)
			red = status[r] == STATUS_RED;
		t->episodes++;
		if (red)
			t->true_episodes++;
		else if (e + h <= n - 1)
			t->false_alarms++;
		else
			t->pending++;
	}

	/* Onsets, and whether an episode was active in t-H .. t-1. */
	for (size_t o = BACKTEST_CLEAR; o < n; o++) {
		size_t from = o > h ? o - h : 0, s;
		bool onset = status[o] == STATUS_RED;
		int lead;

		for (size_t k = 1; k <= BACKTEST_CLEAR && onset; k++)
			onset = known_non_red(status[o - k]);
		if (!onset)
			continue;
		t->onsets++;
		for (s = from; s < o && !warn[s]; s++)
			;
		if (s == o)
			continue;
		/* The earliest episode active in the window began at or
		 * before s: walk back to its first period. */
		while (s > 0 && warn[s - 1])
			s--;
		lead = o - s > BACKTEST_LEAD_CAP ? BACKTEST_LEAD_CAP : (int)(o - s);
		if (add_lead(t, lead) < 0)
			return -ENOMEM;
		t->hits++;
		if (status[s] == STATUS_GREEN)
			t->warned_green++;
	}
	t->years += (double)n / periods_per_year;
	return 0;
}

int
backtest_tally_merge(struct backtest_tally *into,
    const struct backtest_tally *from)
{
	for (size_t i = 0; i < from->nleads; i++)
		if (add_lead(into, from->leads[i]) < 0)
			return -ENOMEM;
	into->onsets += from->onsets;
	into->episodes += from->episodes;
	into->hits += from->hits;
	into->true_episodes += from->true_episodes;
	into->false_alarms += from->false_alarms;
	into->pending += from->pending;
	into->warned_green += from->warned_green;
	into->years += from->years;
	return 0;
}

void
backtest_tally_reset(struct backtest_tally *t)
{
	free(t->leads);
	memset(t, 0, sizeof(*t));
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static double
ratio(double num, double den)
{
	return den > 0 ? num / den : NAN;
}

void
backtest_summarise(const struct backtest_tally *t, struct backtest_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->onsets = t->onsets;
	out->warnings = t->episodes;
	out->hits = t->hits;
	out->misses = t->onsets - t->hits;
	out->false_alarms = t->false_alarms;
	out->pending = t->pending;
	out->area_years = t->years;
	out->false_alarms_per_area_year = ratio(t->false_alarms, t->years);
	out->recall = ratio(t->hits, t->onsets);
	out->precision = ratio(t->true_episodes,
	    t->true_episodes + t->false_alarms);
	out->warned_while_green_share = ratio(t->warned_green, t->onsets);
	out->median_lead_periods = NAN;
	if (t->nleads > 0) {
		int *v = malloc(t->nleads * sizeof(*v));
		size_t m = t->nleads / 2;

		/* Without memory for a sorted copy the median stays NaN. */
		if (v != NULL) {
			memcpy(v, t->leads, t->nleads * sizeof(*v));
			qsort(v, t->nleads, sizeof(*v), cmp_int);
			out->median_lead_periods = t->nleads % 2 ? v[m] :
			    (v[m - 1] + v[m]) / 2.0;
			free(v);
		}
	}
}

static const char *const combine_names[] = {
	[BACKTEST_COMBINE_ANY] = "any",
	[BACKTEST_COMBINE_DOMAINS] = "domains",
};

#define NCOMBINE (sizeof(combine_names) / sizeof(combine_names[0]))

const char *
backtest_combine_name(enum backtest_combine c)
{
	return (size_t)c < NCOMBINE ? combine_names[c] : "?";
}

int
backtest_combine_from_name(const char *name, enum backtest_combine *c)
{
	for (size_t i = 0; i < NCOMBINE; i++)
		if (strcmp(name, combine_names[i]) == 0) {
			*c = (enum backtest_combine)i;
			return 0;
		}
	return -EINVAL;
}

int
backtest_domain(const char *code)
{
	int ci = catalog_find(code), j = 0;

	if (ci < 0)
		return -1;
	while (strcmp(catalog[j].kind, catalog[ci].kind) != 0)
		j++;
	return j < 32 ? j : 31;
}

static int
ndomains(unsigned set)
{
	int n = 0;

	for (; set != 0; set &= set - 1)
		n++;
	return n;
}

bool
backtest_combine_keep(enum backtest_combine c, unsigned known,
    unsigned warning, bool any)
{
	if (c == BACKTEST_COMBINE_DOMAINS && ndomains(known) >= 2)
		return ndomains(warning) >= 2;
	return any;
}

/* The bit of an input's domain, 0 for none. */
static unsigned
domain_bit(const struct backtest_input *in)
{
	return in->domain >= 0 && in->domain < 32 ? 1u << in->domain : 0;
}

/* The per-point warnings of one input: verdicts on the history up to each
 * point only, then persistence over consecutive points. */
static int
input_warnings(const struct backtest_input *in, bool *fw, bool *e1)
{
	int run_fw = 0, run_e1 = 0, rc = 0;
	int persist = in->params->persistence < 1 ? 1 : in->params->persistence;
	size_t start = 0; /* first point of the gap-free run ending at k */

	for (size_t k = 0; k < in->n; k++) {
		struct warning_verdict v;
		bool have = !isnan(in->value[k]);
		bool sig = false, sig_e1 = false;

		/* A missing value or a skipped period starts a new run. */
		if (!have)
			start = k + 1;
		else if (k > 0 && in->period[k] != value_period_next(
		    in->period[k - 1], in->grain))
			start = k;
		if (have && in->light[k] != STATUS_RED &&
		    in->light[k] != STATUS_GREY) {
			if ((rc = warning_evaluate(in->value + start, k + 1 - start,
			    in->threshold, in->params, &v)) < 0)
				return rc;
			sig = v.enough_data && v.signal;
			sig_e1 = v.enough_data && (v.fired & WARNING_E1);
		}
		if (start == k) /* persistence does not bridge a gap either */
			run_fw = run_e1 = 0;
		run_fw = sig ? run_fw + 1 : 0;
		run_e1 = sig_e1 ? run_e1 + 1 : 0;
		fw[k] = run_fw >= persist;
		e1[k] = run_e1 >= persist;
	}
	return 0;
}

int
backtest_replay(const int32_t *period, const enum status_light *status,
    size_t n, const struct backtest_input *inputs, size_t ninputs,
    enum backtest_combine combine, unsigned *flags)
{
	bool *fw = NULL, *e1 = NULL, *any = NULL;
	unsigned *known = NULL, *warning = NULL;
	int rc = 0;

	/* Per period: which domains have current data, which warn, and
	 * whether any input warns; the rule decides once all are seen. */
	any = calloc(n ? n : 1, sizeof(*any));
	known = calloc(n ? n : 1, sizeof(*known));
	warning = calloc(n ? n : 1, sizeof(*warning));
	if (any == NULL || known == NULL || warning == NULL) {
		rc = -ENOMEM;
		goto out;
	}

	for (size_t t = 0; t < n; t++)
		flags[t] = status[t] == STATUS_YELLOW ? BACKTEST_AT_YELLOW : 0;
	for (size_t i = 0; i < ninputs; i++) {
		const struct backtest_input *in = &inputs[i];
		size_t k = 0;

		if (in->n == 0)
			continue;
		free(fw);
		free(e1);
		fw = malloc(in->n * sizeof(*fw));
		e1 = malloc(in->n * sizeof(*e1));
		if (fw == NULL || e1 == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		if ((rc = input_warnings(in, fw, e1)) < 0)
			goto out;
		for (size_t t = 0; t < n; t++) {
			int32_t held_to;

			while (k + 1 < in->n && in->period[k + 1] <= period[t])
				k++;
			if (in->period[k] > period[t])
				continue; /* no point of this input yet */
			held_to = value_period_next(value_period_next(in->period[k],
			    in->grain), in->grain);
			if (period[t] >= held_to)
				continue;
			if (status[t] != STATUS_GREEN && status[t] != STATUS_YELLOW)
				continue;
			known[t] |= domain_bit(in);
			if (fw[k]) {
				any[t] = true;
				warning[t] |= domain_bit(in);
			}
			if (e1[k])
				flags[t] |= BACKTEST_E1_ALONE;
		}
	}
	for (size_t t = 0; t < n; t++)
		if (backtest_combine_keep(combine, known[t], warning[t], any[t]))
			flags[t] |= BACKTEST_FRAGWATCH;
out:
	free(any);
	free(known);
	free(warning);
	free(fw);
	free(e1);
	return rc;
}
