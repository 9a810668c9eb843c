/* test_backtest.c - unit tests of backtest.c: onsets, episodes, hits, leads, precision, summaries, the replay. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/value.h"
#include "transforms/backtest.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ANY BACKTEST_COMBINE_ANY
#define DOMAINS BACKTEST_COMBINE_DOMAINS
#define MAXN 64

/* Sequences are written as strings: status "G", "Y", "R", "-" (grey);
 * warnings "W" (active) or "." (not). */
static size_t
lights(const char *s, enum status_light *out)
{
	size_t n = strlen(s);

	assert_true(n <= MAXN);
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] == 'G' ? STATUS_GREEN : s[i] == 'Y' ? STATUS_YELLOW :
		    s[i] == 'R' ? STATUS_RED : STATUS_GREY;
	return n;
}

static void
flags(const char *s, bool *out)
{
	for (size_t i = 0; s[i] != '\0'; i++)
		out[i] = s[i] == 'W';
}

struct expect {
	const char *why;
	const char *status, *warn;
	int horizon;
	long onsets, episodes, hits, true_eps, false_alarms, pending, green;
	int leads[4];           /* in the order of the onsets */
	size_t nleads;
};

/* Each expected count worked out by hand in the comment before it. */
static const struct expect cases[] = {
	/* Onset at 3: periods 0..2 are green. No warnings. */
	{ "onset after 3 green", "GGGR", "....", 3, 1, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* Only 2 non-red periods before the red: no onset. */
	{ "2 non-red are too few", "GGR", "...", 3, 0, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* Yellow is non-red: onset at 3. */
	{ "yellow counts as non-red", "YYYR", "....", 3, 1, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* Onset at 3; the reds at 4 and 5 continue it. */
	{ "a red run has one onset", "GYGRRR", "......", 3, 1, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* Onset at 3; at 6 the three before are G G R: none; at 10 they are
	 * 7..9 = G G G: onset. Two. */
	{ "a second onset needs 3 non-red again", "GGGRGGRGGGR", "...........", 3,
	  2, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* At 4 the three before are G, grey, G: a grey period is unknown. */
	{ "grey breaks the non-red run", "GG-GR", ".....", 3, 0, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* A unit that starts red: its first reds are no onset; at 6 the three
	 * before (3..5) are green: onset. */
	{ "starting red is no onset", "RRRGGGR", ".......", 3, 1, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
	/* Episodes [1,2], [4], [8,10]: three. n = 11, H = 3, all green: [1,2]
	 * sees 3..5, [4] sees 5..7, both in the data, no red: false alarms;
	 * [8,10] would need 11..13: pending. */
	{ "episodes are maximal runs", "GGGGGGGGGGG", ".WW.W...WWW", 3,
	  0, 3, 0, 0, 2, 1, 0, { 0 }, 0 },
	/* Onset at 7, H = 3: window 4..6. The episode [3] is outside it:
	 * miss. It sees 4..6, all green: false alarm. */
	{ "a warning H+1 before the onset misses", "GGGGGGGR", "...W....", 3,
	  1, 1, 0, 0, 1, 0, 0, { 0 }, 0 },
	/* Episode [4] is in the window 4..6: hit, lead 7 - 4 = 3; it sees
	 * 5..7 and 7 is red: true. It began green. */
	{ "a warning H before the onset hits", "GGGGGGGR", "....W...", 3,
	  1, 1, 1, 1, 0, 0, 1, { 3 }, 1 },
	/* Episode [6]: window 4..6, hit, lead 1; true (7 red); green. */
	{ "a warning 1 before the onset hits", "GGGGGGGR", "......W.", 3,
	  1, 1, 1, 1, 0, 0, 1, { 1 }, 1 },
	/* A warning at the onset itself is not before it: miss. The episode
	 * [7] would need 8..10, beyond the data, no red: pending. */
	{ "a warning at the onset is not a hit", "GGGGGGGR", ".......W", 3,
	  1, 1, 0, 0, 0, 1, 0, { 0 }, 0 },
	/* Onset at 10, H = 5: window 5..9. Episodes [4,5] and [8]; both
	 * active in the window, the earliest is [4,5]: lead 10 - 4 = 6. Both
	 * see 10 red: true, precision 2/2. [4] is yellow: not warned while
	 * green. */
	{ "the earliest episode in the window gives the lead", "GGGGYGGGGGR",
	  "....WW..W..", 5, 1, 2, 1, 2, 0, 0, 0, { 6 }, 1 },
	/* Same, all green before: warned while green. */
	{ "warned while green", "GGGGGGGGGGR", "....WW..W..", 5,
	  1, 2, 1, 2, 0, 0, 1, { 6 }, 1 },
	/* 30 green then red (onset 30), H = 3; one episode [2,28] is in the
	 * window 27..29; lead 30 - 2 = 28, capped at 24. It sees 29..31 and
	 * 30 is red: true. */
	{ "lead capped at 24", "GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGR",
	  "..WWWWWWWWWWWWWWWWWWWWWWWWWWW..", 3, 1, 1, 1, 1, 0, 0, 1, { 24 }, 1 },
	/* Episode [1] ends 4 before the red at 5 (H = 3 sees 2..4): false
	 * alarm, although the red at 5 is an onset (2..4 green) which it
	 * misses (window 2..4). */
	{ "red H+1 after the end is a false alarm", "GGGGGR", ".W....", 3,
	  1, 1, 0, 0, 1, 0, 0, { 0 }, 0 },
	/* Red at 3 after G Y Y: onset. Episode [2] is in its window 0..2:
	 * hit, lead 1, began yellow; it sees 3 red: true. Red at 5 after
	 * Y R Y is no onset, yet episode [4] sees it: true too. */
	{ "true episodes need red, not an onset", "GYYRYR", "..W.W.", 3,
	  1, 2, 1, 2, 0, 0, 0, { 1 }, 1 },
	/* Two onsets (4, 9) with one episode [7] in between: it hits onset 9
	 * (window 6..8, lead 2), not onset 4 (before it). */
	{ "one episode per onset window", "GGGGRGGGGR", ".......W..", 3,
	  2, 1, 1, 1, 0, 0, 1, { 2 }, 1 },
	/* Empty unit: nothing. */
	{ "empty unit", "", "", 3, 0, 0, 0, 0, 0, 0, 0, { 0 }, 0 },
};

static void
test_score_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct expect *e = &cases[i];
		enum status_light st[MAXN];
		bool w[MAXN];
		struct backtest_tally t = { 0 };
		size_t n = lights(e->status, st);

		assert_int_equal(strlen(e->warn), n);
		flags(e->warn, w);
		assert_int_equal(backtest_score(st, w, n, e->horizon, 12, &t), 0);
		print_message("%s\n", e->why);
		assert_int_equal(t.onsets, e->onsets);
		assert_int_equal(t.episodes, e->episodes);
		assert_int_equal(t.hits, e->hits);
		assert_int_equal(t.true_episodes, e->true_eps);
		assert_int_equal(t.false_alarms, e->false_alarms);
		assert_int_equal(t.pending, e->pending);
		assert_int_equal(t.warned_green, e->green);
		assert_int_equal(t.nleads, e->nleads);
		for (size_t k = 0; k < e->nleads; k++)
			assert_int_equal(t.leads[k], e->leads[k]);
		assert_true(fabs(t.years - n / 12.0) < 1e-12);
		backtest_tally_reset(&t);
	}
}

static void
test_score_bad(void **state)
{
	enum status_light st[4];
	bool w[4] = { false };
	struct backtest_tally t = { 0 };

	(void)state;
	lights("GGGR", st);
	assert_int_equal(backtest_score(st, w, 4, 0, 12, &t), -EINVAL);
	assert_int_equal(backtest_score(st, w, 4, 3, 0, &t), -EINVAL);
	assert_int_equal(backtest_score(st, w, 4, 3, NAN, &t), -EINVAL);
	assert_int_equal(t.onsets, 0);
	assert_true(t.years == 0);
}

/* A unit of n green periods with a red onset at n - 1 and one warning at
 * n - 1 - lead: a hit with that lead. */
static void
add_hit(struct backtest_tally *t, int lead)
{
	enum status_light st[MAXN];
	bool w[MAXN] = { false };
	size_t n = 30;

	for (size_t i = 0; i < n; i++)
		st[i] = STATUS_GREEN;
	st[n - 1] = STATUS_RED;
	w[n - 1 - (size_t)lead] = true;
	assert_int_equal(backtest_score(st, w, n, 12, 52.18, t), 0);
}

static void
test_summary(void **state)
{
	struct backtest_tally a = { 0 }, b = { 0 }, all = { 0 };
	struct backtest_summary s;

	(void)state;
	/* Leads 2, 5 in one tally and 3, 9 in another: merged and sorted
	 * 2 3 5 9, the median is (3 + 5) / 2 = 4. */
	add_hit(&a, 2);
	add_hit(&a, 5);
	add_hit(&b, 3);
	add_hit(&b, 9);
	backtest_summarise(&a, &s);
	assert_true(s.median_lead_periods == 3.5); /* (2 + 5) / 2 */
	assert_int_equal(backtest_tally_merge(&all, &a), 0);
	assert_int_equal(backtest_tally_merge(&all, &b), 0);
	backtest_summarise(&all, &s);
	assert_int_equal(s.onsets, 4);
	assert_int_equal(s.hits, 4);
	assert_int_equal(s.misses, 0);
	assert_int_equal(s.warnings, 4);
	assert_true(s.median_lead_periods == 4.0);
	assert_true(s.recall == 1.0);
	assert_true(s.precision == 1.0); /* each episode sees the red */
	assert_true(s.warned_while_green_share == 1.0);
	/* 4 units x 30 weeks = 120 / 52.18 area-years, no false alarm. */
	assert_true(fabs(s.area_years - 120 / 52.18) < 1e-9);
	assert_true(s.false_alarms_per_area_year == 0);
	/* Odd: 2 3 5 7 9 -> 5. */
	add_hit(&all, 7);
	backtest_summarise(&all, &s);
	assert_true(s.median_lead_periods == 5.0);
	backtest_tally_reset(&a);
	backtest_tally_reset(&b);
	backtest_tally_reset(&all);
	assert_null(all.leads);
	assert_int_equal(all.onsets, 0);
}

static void
test_summary_ratios(void **state)
{
	struct backtest_tally t = { 0 };
	struct backtest_summary s;
	enum status_light st[MAXN];
	bool w[MAXN];
	size_t n;

	(void)state;
	/* Nothing at all: every ratio NaN. */
	backtest_summarise(&t, &s);
	assert_true(isnan(s.recall) && isnan(s.precision));
	assert_true(isnan(s.median_lead_periods));
	assert_true(isnan(s.warned_while_green_share));
	assert_true(isnan(s.false_alarms_per_area_year));
	/* 24 green months, no onset; episodes [1] and [7] false (they see
	 * 2..4 and 8..10), [22] pending (23..25 beyond 23). Recall NaN,
	 * precision 0 / 2 = 0, 2 false alarms over 2 years = 1 per year. */
	n = lights("GGGGGGGGGGGGGGGGGGGGGGGG", st);
	flags(".W.....W..............W.", w);
	assert_int_equal(backtest_score(st, w, n, 3, 12, &t), 0);
	backtest_summarise(&t, &s);
	assert_int_equal(s.onsets, 0);
	assert_int_equal(s.warnings, 3);
	assert_int_equal(s.false_alarms, 2);
	assert_int_equal(s.pending, 1);
	assert_true(isnan(s.recall));
	assert_true(isnan(s.warned_while_green_share));
	assert_true(isnan(s.median_lead_periods));
	assert_true(s.precision == 0);
	assert_true(fabs(s.false_alarms_per_area_year - 1.0) < 1e-12);
	/* Add a unit with one onset and no warning: recall 0 / 1, share 0. */
	n = lights("GGGR", st);
	flags("....", w);
	assert_int_equal(backtest_score(st, w, n, 3, 12, &t), 0);
	backtest_summarise(&t, &s);
	assert_int_equal(s.misses, 1);
	assert_true(s.recall == 0 && s.warned_while_green_share == 0);
	backtest_tally_reset(&t);
}

static void
test_persist(void **state)
{
	bool sig[8], w[8];
	static const struct {
		int p;
		const char *want;
	} c[] = {
		/* signal S S . S S S . S */
		{ 2, ".W..WW.." },
		{ 1, "WW.WWW.W" },
		{ 0, "WW.WWW.W" },
		{ 3, ".....W.." },
		{ 4, "........" },
	};

	(void)state;
	flags("WW.WWW.W", sig);
	for (size_t i = 0; i < NELEM(c); i++) {
		char got[9] = { 0 };

		backtest_persist(sig, 8, c[i].p, w);
		for (size_t k = 0; k < 8; k++)
			got[k] = w[k] ? 'W' : '.';
		assert_string_equal(got, c[i].want);
	}
}

static void
test_grains(void **state)
{
	(void)state;
	assert_int_equal(backtest_default_horizon(VALUE_GRAIN_WEEK), 12);
	assert_int_equal(backtest_default_horizon(VALUE_GRAIN_MONTH), 3);
	assert_int_equal(backtest_default_horizon(VALUE_GRAIN_QUARTER), 1);
	assert_true(backtest_periods_per_year(VALUE_GRAIN_WEEK) == 52.18);
	assert_true(backtest_periods_per_year(VALUE_GRAIN_MONTH) == 12);
	assert_true(backtest_periods_per_year(VALUE_GRAIN_QUARTER) == 4);
	assert_true(backtest_periods_per_year(VALUE_GRAIN_YEAR) == 1);
}

/*
 * The replay. Its verdicts come from warning_evaluate(), which is not under
 * test here; the reference below calls it directly on exactly the data the
 * replay may use, and the replay must agree. A unit of N weeks: a score
 * flat with a little deterministic noise, then rising steadily towards red.
 */
#define N 48

struct unit {
	int32_t period[N];
	enum status_light status[N];
	double score[N];
	struct status_threshold th;
	struct warning_params wp;
};

static void
make_unit(struct unit *u, int rise_from)
{
	int32_t d = value_days_from_civil(2024, 1, 1); /* a Monday */

	memset(u, 0, sizeof(*u));
	u->th.higher_is_worse = true;
	u->th.green.op = STATUS_OP_LT;
	u->th.green.value = 0.25;
	u->th.red.op = STATUS_OP_GE;
	u->th.red.value = 0.50;
	warning_params_default(&u->wp);
	for (int i = 0; i < N; i++) {
		/* noise: +-0.01 in a fixed pattern */
		double noise = ((i * 7) % 5 - 2) * 0.005;
		double x = 0.12 + noise + (i >= rise_from ? 0.02 * (i - rise_from) : 0);

		u->period[i] = d + 7 * i;
		u->score[i] = x;
		u->status[i] = x >= 0.5 ? STATUS_RED : x >= 0.25 ? STATUS_YELLOW :
		    STATUS_GREEN;
	}
}

/* The rule, written out: at t, the detectors on score[0..t]; a signal only
 * when the point is not red; a warning after 2 signals in a row; shown
 * only when the unit is green or yellow. */
static void
reference(const struct unit *u, size_t n, unsigned *want)
{
	bool sig[N] = { false }, e1[N] = { false };

	for (size_t t = 0; t < n; t++) {
		struct warning_verdict v;

		want[t] = u->status[t] == STATUS_YELLOW ? BACKTEST_AT_YELLOW : 0;
		if (u->status[t] == STATUS_RED)
			continue;
		assert_int_equal(warning_evaluate(u->score, t + 1, &u->th, &u->wp,
		    &v), 0);
		sig[t] = v.enough_data && v.signal;
		e1[t] = v.enough_data && (v.fired & WARNING_E1);
		if (t > 0 && sig[t] && sig[t - 1])
			want[t] |= BACKTEST_FRAGWATCH;
		if (t > 0 && e1[t] && e1[t - 1])
			want[t] |= BACKTEST_E1_ALONE;
	}
}

static void
test_replay_reference(void **state)
{
	static struct unit u;
	unsigned got[N], want[N];
	struct backtest_input in;
	int fired = 0, yellow = 0;

	(void)state;
	make_unit(&u, 24);
	in = (struct backtest_input){ u.period, u.score, u.status, N,
		VALUE_GRAIN_WEEK, &u.th, &u.wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    got), 0);
	reference(&u, N, want);
	for (int t = 0; t < N; t++) {
		assert_int_equal(got[t], want[t]);
		fired += (got[t] & BACKTEST_FRAGWATCH) != 0;
		yellow += (got[t] & BACKTEST_AT_YELLOW) != 0;
	}
	/* The series must exercise the rule, or the comparison proves little. */
	assert_true(fired > 0);
	assert_true(yellow > 0);
	for (int t = 0; t < 24; t++)
		assert_int_equal(got[t] & BACKTEST_AT_YELLOW, 0);
}

/* No look-ahead: the flags of the first m periods are the same whether or
 * not the periods after m exist. */
static void
test_replay_no_lookahead(void **state)
{
	static struct unit u;
	unsigned full[N], part[N];
	struct backtest_input in;

	(void)state;
	make_unit(&u, 20);
	in = (struct backtest_input){ u.period, u.score, u.status, N,
		VALUE_GRAIN_WEEK, &u.th, &u.wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    full), 0);
	for (size_t m = 1; m <= N; m++) {
		in.n = m;
		assert_int_equal(backtest_replay(u.period, u.status, m, &in, 1,
		    ANY, part), 0);
		for (size_t t = 0; t < m; t++)
			assert_int_equal(part[t], full[t]);
	}
}

/* A red or grey unit period shows no warning, whatever the input says. */
static void
test_replay_red_unit(void **state)
{
	static struct unit u;
	enum status_light unit_status[N];
	unsigned got[N], base[N];
	struct backtest_input in;
	int checked = 0;

	(void)state;
	make_unit(&u, 24);
	in = (struct backtest_input){ u.period, u.score, u.status, N,
		VALUE_GRAIN_WEEK, &u.th, &u.wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    base), 0);
	/* The unit's own light differs from the input's: red where the input
	 * warns at even t, grey at odd t. */
	memcpy(unit_status, u.status, sizeof(unit_status));
	for (int t = 0; t < N; t++)
		if (base[t] & BACKTEST_FRAGWATCH) {
			unit_status[t] = t % 2 ? STATUS_GREY : STATUS_RED;
			checked++;
		}
	assert_true(checked > 1);
	assert_int_equal(backtest_replay(u.period, unit_status, N, &in, 1, ANY,
	    got), 0);
	for (int t = 0; t < N; t++)
		if (unit_status[t] != u.status[t])
			assert_int_equal(got[t], 0);
		else
			assert_int_equal(got[t], base[t]);
}

/* Reference warnings of a monthly input: at k the detectors see the
 * gap-free run of values ending at k; a warning after two signals in a
 * row. */
static void
monthly_reference(const double *mv, int n, const struct status_threshold *th,
    const struct warning_params *wp, bool *warn)
{
	bool sig[32] = { false };

	for (int k = 0, start = 0; k < n; k++) {
		struct warning_verdict v;

		warn[k] = false;
		if (isnan(mv[k])) {
			start = k + 1;
			continue;
		}
		assert_int_equal(warning_evaluate(mv + start, (size_t)(k + 1 - start),
		    th, wp, &v), 0);
		sig[k] = v.enough_data && v.signal;
		warn[k] = sig[k] && k > 0 && sig[k - 1];
	}
}

/* An input at a coarser grain: a monthly point counts for the weeks that
 * begin in its month and in the next one, then no longer. A missing value
 * restarts its history. */
static void
test_replay_monthly_input(void **state)
{
	static struct unit u;
	int32_t mp[19];
	double mv[19];
	enum status_light ml[19];
	unsigned got[N];
	struct backtest_input in;
	struct warning_params wp;
	bool warn[19];
	int fired = 0;

	(void)state;
	make_unit(&u, N); /* the weekly unit itself stays green */
	warning_params_default(&wp);
	/* Months Jan 2023 .. Jul 2024 (19 points) worsening by 0.02 a month
	 * from 0: yellow from 0.26 (point 13), never red (0.36 at point 18). */
	for (int i = 0; i < 19; i++) {
		mp[i] = value_days_from_civil(2023 + i / 12, i % 12 + 1, 1);
		mv[i] = 0.02 * i;
		ml[i] = mv[i] >= 0.25 ? STATUS_YELLOW : STATUS_GREEN;
	}
	monthly_reference(mv, 19, &u.th, &wp, warn);
	in = (struct backtest_input){ mp, mv, ml, 19, VALUE_GRAIN_MONTH, &u.th,
		&wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    got), 0);
	for (int t = 0; t < N; t++) {
		int y, m, d, k;
		unsigned want = 0;

		value_civil_from_days(u.period[t], &y, &m, &d);
		k = 12 + m - 1; /* the point of the month the week begins in */
		if (k <= 18 && warn[k])
			want = BACKTEST_FRAGWATCH;
		else if (k == 19 && warn[18]) /* August holds July */
			want = BACKTEST_FRAGWATCH;
		assert_int_equal(got[t] & BACKTEST_FRAGWATCH, want);
		fired += want != 0;
		if (k >= 20) /* from September July is too old */
			assert_int_equal(got[t] & BACKTEST_FRAGWATCH, 0);
	}
	/* 7 months from red at 0.02 a month: the rule must fire somewhere,
	 * including on July's point (held into August). */
	assert_true(fired > 0);
	assert_true(warn[18]);

	/* April 2024 (point 15) missing: May .. July start a new history of
	 * 1..3 points, too few for any verdict. */
	mv[15] = NAN;
	ml[15] = STATUS_GREY;
	monthly_reference(mv, 19, &u.th, &wp, warn);
	assert_false(warn[16] || warn[17] || warn[18]);
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    got), 0);
	for (int t = 0; t < N; t++) {
		int y, m, d, k;

		value_civil_from_days(u.period[t], &y, &m, &d);
		k = 12 + m - 1;
		assert_int_equal(got[t] & BACKTEST_FRAGWATCH,
		    k <= 14 && warn[k] ? BACKTEST_FRAGWATCH : 0);
	}
}

static void
test_replay_empty(void **state)
{
	static struct unit u;
	unsigned got[N];
	struct backtest_input in;

	(void)state;
	make_unit(&u, 24);
	in = (struct backtest_input){ u.period, u.score, u.status, 0,
		VALUE_GRAIN_WEEK, &u.th, &u.wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, &in, 1, ANY,
	    got), 0);
	for (int t = 0; t < N; t++)
		assert_int_equal(got[t], u.status[t] == STATUS_YELLOW ?
		    BACKTEST_AT_YELLOW : 0);
	assert_int_equal(backtest_replay(u.period, u.status, 0, &in, 1, ANY,
	    got), 0);
}

/*
 * The combination rule. Domains by hand from the catalog's order (Q1 Q2
 * Q3 R1 R2 S1 ...): the queue indicators are domain 0 (Q1's index), the
 * referral ones 3 (R1's), the staffing ones 5 (S1's).
 */
static void
test_combine_domain(void **state)
{
	(void)state;
	assert_int_equal(backtest_domain("Q1"), 0);
	assert_int_equal(backtest_domain("Q3"), 0);
	assert_int_equal(backtest_domain("R1"), 3);
	assert_int_equal(backtest_domain("S1"), 5);
	assert_int_equal(backtest_domain("S2"), 5);
	assert_int_equal(backtest_domain("composite"), -1);
	assert_int_equal(backtest_domain("Q9"), -1);
	assert_int_equal(backtest_domain(""), -1);
}

static void
test_combine_names(void **state)
{
	enum backtest_combine c = ANY;

	(void)state;
	assert_int_equal(backtest_combine_from_name("domains", &c), 0);
	assert_int_equal(c, DOMAINS);
	assert_int_equal(backtest_combine_from_name("any", &c), 0);
	assert_int_equal(c, ANY);
	assert_string_equal(backtest_combine_name(DOMAINS), "domains");
	assert_string_equal(backtest_combine_name(ANY), "any");
	assert_int_equal(backtest_combine_from_name("Domains", &c), -EINVAL);
	assert_int_equal(backtest_combine_from_name("", &c), -EINVAL);
	assert_int_equal(backtest_combine_from_name("two", &c), -EINVAL);
	assert_int_equal(c, ANY); /* unchanged by a refusal */
}

static void
test_combine_keep(void **state)
{
	/* rule, known domains, warning domains, any input warns, kept */
	static const struct {
		enum backtest_combine c;
		unsigned known, warning;
		bool any, want;
	} kcases[] = {
		{ ANY, 0x21, 0x01, true, true },     /* one of two warns */
		{ ANY, 0x21, 0x00, true, true },     /* the composite alone */
		{ ANY, 0x21, 0x00, false, false },   /* nothing warns */
		{ DOMAINS, 0x01, 0x01, true, true }, /* queue only: alone is enough */
		{ DOMAINS, 0x01, 0x00, true, true }, /* the composite, one domain */
		{ DOMAINS, 0x00, 0x00, true, true }, /* the composite, no domain */
		{ DOMAINS, 0x01, 0x00, false, false },
		{ DOMAINS, 0x21, 0x01, true, false }, /* queue, staffing silent */
		{ DOMAINS, 0x21, 0x20, true, false }, /* staffing, queue silent */
		{ DOMAINS, 0x21, 0x00, true, false }, /* the composite: no witness */
		{ DOMAINS, 0x21, 0x21, true, true },  /* staffing behind queue */
		{ DOMAINS, 0x29, 0x09, true, true },  /* two of three domains */
		{ DOMAINS, 0x29, 0x08, true, false }, /* one of three */
		{ DOMAINS, 0x80000001u, 0x80000001u, true, true }, /* bit 31 */
	};

	(void)state;
	for (size_t i = 0; i < NELEM(kcases); i++)
		if (backtest_combine_keep(kcases[i].c, kcases[i].known,
		    kcases[i].warning, kcases[i].any) != kcases[i].want)
			fail_msg("case %zu: want %d", i, kcases[i].want);
}

/*
 * The replay with two inputs: the rising unit score as a queue input
 * (domain 0), and a second input of the same weeks. DOMAINS must give
 * ANY's warnings when the second input is of the same domain or the
 * composite (-1), none while a silent second domain has current data,
 * and ANY's again once that domain's data is stale (its last point held
 * for one week more, as the replay documents).
 */
static void
test_replay_domains(void **state)
{
	static struct unit u, flat;
	unsigned base[N], got[N];
	struct backtest_input in[2];
	int first = -1, after = 0;
	size_t stop;

	(void)state;
	make_unit(&u, 24);
	make_unit(&flat, N); /* never rises: no signal */
	in[0] = (struct backtest_input){ u.period, u.score, u.status, N,
		VALUE_GRAIN_WEEK, &u.th, &u.wp, 0 };
	in[1] = (struct backtest_input){ flat.period, flat.score, flat.status,
		N, VALUE_GRAIN_WEEK, &flat.th, &flat.wp, 0 };
	assert_int_equal(backtest_replay(u.period, u.status, N, in, 1, ANY,
	    base), 0);
	for (int t = 0; t < N; t++)
		if ((base[t] & BACKTEST_FRAGWATCH) && first < 0)
			first = t;
	assert_true(first > 0);

	/* Same domain, or the composite: nothing to corroborate. */
	for (int d = -1; d <= 0; d++) {
		in[1].domain = d;
		assert_int_equal(backtest_replay(u.period, u.status, N, in, 2,
		    DOMAINS, got), 0);
		for (int t = 0; t < N; t++)
			assert_int_equal(got[t], base[t]);
	}
	/* A silent staffing input: no warning, the other bits as before. */
	in[1].domain = 5;
	assert_int_equal(backtest_replay(u.period, u.status, N, in, 2, DOMAINS,
	    got), 0);
	for (int t = 0; t < N; t++)
		assert_int_equal(got[t], base[t] & ~(unsigned)BACKTEST_FRAGWATCH);
	/* The staffing data ends at the first warning: it is current there
	 * and the week after, then stale, and the queue warns alone. */
	stop = (size_t)first + 1;
	in[1].n = stop;
	assert_int_equal(backtest_replay(u.period, u.status, N, in, 2, DOMAINS,
	    got), 0);
	for (int t = 0; t < N; t++) {
		unsigned want = base[t];

		if (t <= first + 1)
			want &= ~(unsigned)BACKTEST_FRAGWATCH;
		after += t > first + 1 && (want & BACKTEST_FRAGWATCH);
		assert_int_equal(got[t], want);
	}
	assert_true(after > 0); /* the stale case was exercised */
	/* ANY ignores domains altogether. */
	assert_int_equal(backtest_replay(u.period, u.status, N, in, 2, ANY,
	    got), 0);
	for (int t = 0; t < N; t++)
		assert_int_equal(got[t], base[t]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_cases),
		cmocka_unit_test(test_score_bad),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_ratios),
		cmocka_unit_test(test_persist),
		cmocka_unit_test(test_grains),
		cmocka_unit_test(test_replay_reference),
		cmocka_unit_test(test_replay_no_lookahead),
		cmocka_unit_test(test_replay_red_unit),
		cmocka_unit_test(test_replay_monthly_input),
		cmocka_unit_test(test_replay_empty),
		cmocka_unit_test(test_combine_domain),
		cmocka_unit_test(test_combine_names),
		cmocka_unit_test(test_combine_keep),
		cmocka_unit_test(test_replay_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
