/* backtest.h - replaying early warnings without look-ahead and scoring them against red onsets (pure). */
#ifndef FRAGWATCH_BACKTEST_H
#define FRAGWATCH_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extractors/value.h"
#include "transforms/status.h"
#include "transforms/warning.h"

/*
 * Definitions (DESIGN.md §6, made exact). A "unit" is one area x
 * organisation series, the region-wide org '*' being a unit of its own;
 * its periods are consecutive periods of one grain and its truth is the
 * composite light of each period.
 *
 *   red onset    period t whose light is red while the BACKTEST_CLEAR (3)
 *                periods just before it are all known non-red (green or
 *                yellow; a grey period is unknown and breaks the run, so
 *                a red seen again after a gap in the data is no onset).
 *   episode      a maximal run of consecutive periods with a warning
 *                active; "warnings" counts episodes, not periods.
 *   hit          an onset t with an episode active in at least one of
 *                the periods t-H .. t-1. Its episode is the earliest such
 *                one (the first warning the area had within the horizon);
 *                lead time = t - that episode's first period, capped at
 *                BACKTEST_LEAD_CAP (24) periods. miss = onset not hit.
 *   true         an episode ending at e with a red light in one of the
 *                periods e+1 .. e+H (red, not only an onset).
 *   false alarm  an episode that is not true although the periods
 *                e+1 .. e+H are all in the data.
 *   pending      an episode that is not true and whose e+H lies beyond
 *                the data's end: the outcome is not known yet, so it is
 *                neither a true warning nor a false alarm (a warning
 *                about today is not penalised for lack of a future).
 *   precision    true / (true + false alarms).
 *   recall       hits / onsets.
 *   warned while green
 *                a hit whose episode began in a green period;
 *                warned_while_green_share = those hits / all onsets.
 *   area-years   the unit's periods / periods per year (52.18 weeks,
 *                12 months, 4 quarters, 365.25 days, 1 year);
 *                false alarms per area-year = false alarms / area-years.
 *
 * Ratios with a zero denominator are NaN (null in JSON): recall and
 * warned_while_green_share without onsets, precision without a true or
 * false episode, the median lead without hits, false alarms per
 * area-year without periods.
 */

#define BACKTEST_CLEAR 3     /* known non-red periods before a red onset */
#define BACKTEST_LEAD_CAP 24 /* longest lead time counted, in periods */

/* Totals of one method over any number of units. */
struct backtest_tally {
	long onsets;
	long episodes;      /* "warnings" */
	long hits;
	long true_episodes; /* followed by red within H of their end */
	long false_alarms;
	long pending;
	long warned_green;  /* hits whose episode began while green */
	double years;       /* area-years scored */
	int *leads;         /* lead time of each hit, in periods */
	size_t nleads, capleads;
};

/* The figures reported for a tally (see the definitions above). */
struct backtest_summary {
	long onsets, warnings, hits, misses, false_alarms, pending;
	double area_years;
	double false_alarms_per_area_year;
	double recall;
	double precision;
	double median_lead_periods;
	double warned_while_green_share;
};

/* Periods per year of a grain (52.18 weeks, 12 months, ...). */
double backtest_periods_per_year(enum value_grain grain);

/* The default hit horizon H of a grain: 12 weeks, 3 months, and the same
 * span (about a quarter) in other grains: 1 quarter, 84 days, 1 year. */
int backtest_default_horizon(enum value_grain grain);

/* warn[t] = signal[t] && signal[t-1] && ... over persistence periods
 * (persistence <= 1: warn = signal). warn may not alias signal. */
void backtest_persist(const bool *signal, size_t n, int persistence,
    bool *warn);

/* Scores one unit: status[0..n-1] is its composite light per period,
 * warn[0..n-1] whether a warning was active; adds onsets, episodes, hits,
 * leads and area-years to *t. Returns 0, -EINVAL (horizon < 1,
 * periods_per_year <= 0; *t unchanged) or -ENOMEM (*t partly updated). */
int backtest_score(const enum status_light *status, const bool *warn,
    size_t n, int horizon, double periods_per_year, struct backtest_tally *t);

/* Adds from's counts and leads to *into. Returns 0 or -ENOMEM. */
int backtest_tally_merge(struct backtest_tally *into,
    const struct backtest_tally *from);

/* Frees the leads and zeroes the tally. */
void backtest_tally_reset(struct backtest_tally *t);

/* The figures of a tally. The median of an even number of leads is the
 * mean of the middle two. */
void backtest_summarise(const struct backtest_tally *t,
    struct backtest_summary *out);

/* One input of a unit's replay: an indicator series (or the composite
 * score) in its own grain, oldest first. */
struct backtest_input {
	const int32_t *period;           /* first day of each point, ascending */
	const double *value;             /* NaN: missing */
	const enum status_light *light;  /* the point's own light */
	size_t n;
	enum value_grain grain;
	const struct status_threshold *threshold;
	const struct warning_params *params;
	int domain;                      /* its line of evidence, from
	                                    backtest_domain(); -1: none of
	                                    its own (the composite) */
};

/* Bits of each period's flags from backtest_replay(). */
enum {
	BACKTEST_FRAGWATCH = 1 << 0, /* the trending-fragile rule */
	BACKTEST_E1_ALONE = 1 << 1,  /* WARNING_E1 with the same persistence */
	BACKTEST_AT_YELLOW = 1 << 2, /* the composite is yellow */
};

/*
 * How the warnings of an area x org's inputs combine into the area's
 * warning (DESIGN.md §6: "combining signals beats any one"). A domain is
 * a line of evidence: the indicators computed from one extract kind
 * (queue, referral, staffing) share their data and are one witness; the
 * composite score, derived from them all, is none of its own.
 *
 *   ANY      any input warns (the rule of before).
 *   DOMAINS  when the area has current data in two domains or more, a
 *            warning needs inputs of at least two domains warning (a
 *            staffing signal behind a queue signal); with one domain
 *            only, there is nothing to corroborate: any input warns.
 */
enum backtest_combine {
	BACKTEST_COMBINE_ANY,
	BACKTEST_COMBINE_DOMAINS,
};

/* The config names of the rules: "any", "domains". */
const char *backtest_combine_name(enum backtest_combine c);

/* The rule named name into *c. Returns 0 or -EINVAL (unknown name). */
int backtest_combine_from_name(const char *name, enum backtest_combine *c);

/* The domain of an indicator code: the catalog index of the first
 * indicator of its kind (0 .. 31); -1 for "composite" or an unknown code. */
int backtest_domain(const char *code);

/* Whether an area x org warns, by rule c: known is the set of domains
 * with current data (bit d for domain d), warning the set of domains
 * with an input warning, and any whether any input (the composite
 * included) warns. The area's light is the caller's to check. */
bool backtest_combine_keep(enum backtest_combine c, unsigned known,
    unsigned warning, bool any);

/*
 * Replays one unit period by period. period[0..n-1] are its periods
 * (consecutive, of one grain), status[] the composite light of each. For
 * each input and each of its points k, warning_evaluate() sees only the
 * values up to and including k: the run of consecutive periods with a
 * value that ends at k (no gaps, as it requires), and nothing after k. A
 * point whose own light is red, grey or missing gives no signal. A signal
 * becomes a warning after params->persistence consecutive points of that
 * input with it (a run of the source, at the input's own grain). At unit
 * period t each input contributes its latest point k with period[k] <= t,
 * unless that point's period ended more than one period of its own grain
 * before t; its domain then has current data at t. BACKTEST_FRAGWATCH is
 * set at t if the composite at t is green or yellow (a red area needs
 * support, not a warning; a grey one is not known) and the inputs'
 * warnings at t pass backtest_combine_keep() with rule combine;
 * BACKTEST_E1_ALONE under the same light if any input's E1 persists.
 * flags[t] gets BACKTEST_* bits. Returns 0, -EINVAL (bad
 * parameters, from warning_evaluate()) or -ENOMEM.
 */
int backtest_replay(const int32_t *period, const enum status_light *status,
    size_t n, const struct backtest_input *inputs, size_t ninputs,
    enum backtest_combine combine, unsigned *flags);

#endif
