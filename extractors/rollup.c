/* rollup.c - a hash table of (period, area, org) keys with counts and day histograms; facts out in key order. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/rollup.h"

#define MAX_CODE 0xfffe

/* Day counts 0..SMALL-1 (nearly every triage time) are counted in place:
 * a sorted bin list cost a cache miss and a binary search per row. */
#define SMALL 32

enum rollup_kind { ROLLUP_REFERRAL, ROLLUP_QUEUE };

/* A day count and how many rows had it. */
struct bin {
	int32_t days;
	uint32_t n;
};

struct entry {
	uint64_t key;            /* period (biased), area, org */
	int64_t own;             /* rows by their own day: received, waiting */
	int64_t accepted, rejected, with_status; /* referral */
	int64_t completed;       /* referral: rows closed in the period */
	int64_t over, sum;       /* queue: waits over the guarantee, their sum */
	int32_t snapshot;        /* queue: the latest snapshot day seen */
	uint64_t line_own, line_closed; /* first lines; 0: none */
	uint64_t nhist;          /* rows in the histogram */
	uint32_t small[SMALL];   /* rows with days 0..SMALL-1 */
	struct bin *bins;        /* the other days, sorted */
	uint32_t nbins, capbins;
};

struct slot {
	uint64_t key;
	uint32_t index;          /* entry index + 1; 0: free */
};

struct rollup {
	enum rollup_kind kind;
	const struct kind *facts;
	enum value_grain grain;
	int *guarantee;          /* by area index (queue) */
	size_t nareas;
	/* Record fields by index in the record kind. */
	int f_status, f_assessed, f_closed, f_since;
	/* Fact fields by index in the aggregate kind. */
	int o_received, o_accepted, o_rejected, o_completed, o_triage;
	int o_total, o_over, o_mean, o_median, o_p90;
	/* Open addressing over small slots (the key, and the entry index
	 * + 1; 0 is free) into a dense array of entries: probing stays in
	 * a table that fits a cache, and memory is the entries, not twice
	 * them (ARCHITECTURE.md). */
	struct slot *slots;
	size_t cap;              /* a power of two */
	struct entry *entries;
	size_t used, capentries;
	bool sorted;             /* entries in key order; slots dropped */
};

static uint64_t
make_key(int32_t period, int area, int org)
{
	/* The bias keeps keys in date order for negative days too. */
	return ((uint64_t)((uint32_t)period ^ 0x80000000u) << 32) |
	    ((uint64_t)area << 16) | (uint64_t)org;
}

static int32_t
key_period(uint64_t key)
{
	return (int32_t)((uint32_t)(key >> 32) ^ 0x80000000u);
}

struct rollup *
rollup_new(const struct kind *records, const struct kind *facts,
    enum value_grain grain, const int *guarantee_days, size_t nareas)
{
	struct rollup *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->facts = facts;
	r->grain = grain;
	r->cap = 1024;
	if (strcmp(records->name, "referral") == 0) {
		r->kind = ROLLUP_REFERRAL;
		r->f_status = kind_field_index(records, "status");
		r->f_assessed = kind_field_index(records, "assessed");
		r->f_closed = kind_field_index(records, "closed");
		r->o_received = kind_field_index(facts, "received");
		r->o_accepted = kind_field_index(facts, "accepted");
		r->o_rejected = kind_field_index(facts, "rejected");
		r->o_completed = kind_field_index(facts, "completed");
		r->o_triage = kind_field_index(facts, "triage_median_days");
	} else if (strcmp(records->name, "queue") == 0 &&
	    guarantee_days != NULL) {
		r->kind = ROLLUP_QUEUE;
		r->f_since = kind_field_index(records, "waiting_since");
		r->o_total = kind_field_index(facts, "waiting_total");
		r->o_over = kind_field_index(facts, "waiting_over_target");
		r->o_mean = kind_field_index(facts, "mean_wait_days");
		r->o_median = kind_field_index(facts, "median_wait_days");
		r->o_p90 = kind_field_index(facts, "p90_wait_days");
		if ((r->guarantee = calloc(nareas + 1, sizeof(int))) != NULL)
			memcpy(r->guarantee, guarantee_days, nareas * sizeof(int));
		r->nareas = nareas;
	} else {
		free(r);
		return NULL;
	}
	if ((r->kind == ROLLUP_QUEUE && r->guarantee == NULL) ||
	    (r->slots = calloc(r->cap, sizeof(*r->slots))) == NULL) {
		rollup_free(r);
		return NULL;
	}
	return r;
}

void
rollup_free(struct rollup *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->used; i++)
		free(r->entries[i].bins);
	free(r->entries);
	free(r->slots);
	free(r->guarantee);
	free(r);
}

static size_t
slot_of(const struct rollup *r, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ULL; /* Fibonacci hashing */
	size_t i = (size_t)(h >> 20) & (r->cap - 1);

	while (r->slots[i].index != 0 && r->slots[i].key != key)
		i = (i + 1) & (r->cap - 1);
	return i;
}

static int
grow(struct rollup *r)
{
	struct slot *old = r->slots;

	if (r->cap >= UINT32_MAX / 2 ||
	    (r->slots = calloc(2 * r->cap, sizeof(*r->slots))) == NULL) {
		r->slots = old;
		return -ENOMEM;
	}
	r->cap *= 2;
	for (size_t i = 0; i < r->used; i++) {
		struct slot *sl = &r->slots[slot_of(r, r->entries[i].key)];

		sl->key = r->entries[i].key;
		sl->index = (uint32_t)i + 1;
	}
	free(old);
	return 0;
}

/* The entry of a key, created empty if new; NULL when out of memory. */
static struct entry *
entry(struct rollup *r, int32_t day, int area, int org)
{
	uint64_t key = make_key(value_period_start(day, r->grain), area, org);
	struct entry *e;
	size_t i;

	if ((r->used + 1) * 2 > r->cap && grow(r) < 0)
		return NULL;
	i = slot_of(r, key);
	if (r->slots[i].index != 0)
		return &r->entries[r->slots[i].index - 1];
	if (r->used == r->capentries) {
		size_t cap = r->capentries ? 2 * r->capentries : 256;

		if ((e = realloc(r->entries, cap * sizeof(*e))) == NULL)
			return NULL;
		r->entries = e;
		r->capentries = cap;
	}
	e = &r->entries[r->used];
	memset(e, 0, sizeof(*e));
	e->key = key;
	r->slots[i].key = key;
	r->slots[i].index = (uint32_t)++r->used;
	return e;
}

static int
hist_add(struct entry *e, int32_t days)
{
	uint32_t lo = 0, hi = e->nbins;

	if (days >= 0 && days < SMALL && e->small[days] < UINT32_MAX) {
		e->small[days]++;
		e->nhist++;
		return 0;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e->bins[mid].days < days)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < e->nbins && e->bins[lo].days == days) {
		e->bins[lo].n++;
		e->nhist++;
		return 0;
	}
	if (e->nbins == e->capbins) {
		uint32_t cap = e->capbins ? 2 * e->capbins : 8;
		struct bin *b = realloc(e->bins, cap * sizeof(*b));

		if (b == NULL)
			return -ENOMEM;
		e->bins = b;
		e->capbins = cap;
	}
	memmove(e->bins + lo + 1, e->bins + lo, (e->nbins - lo) *
	    sizeof(*e->bins));
	e->bins[lo].days = days;
	e->bins[lo].n = 1;
	e->nbins++;
	e->nhist++;
	return 0;
}

/* The value of 0-based row k of the histogram in order: the bins below
 * 0, the small counts, the bins from 0 on (a small count that reached
 * its limit continues in a bin of the same day, which sorts after it). */
static double
hist_row(const struct entry *e, uint64_t k)
{
	uint32_t i = 0;

	for (; i < e->nbins && e->bins[i].days < 0; i++) {
		if (k < e->bins[i].n)
			return e->bins[i].days;
		k -= e->bins[i].n;
	}
	for (int d = 0; d < SMALL; d++) {
		if (k < e->small[d])
			return d;
		k -= e->small[d];
	}
	for (; i < e->nbins; i++) {
		if (k < e->bins[i].n)
			return e->bins[i].days;
		k -= e->bins[i].n;
	}
	return NAN;
}

/* percentile_cont(p) as PostgreSQL computes it: interpolated between rows
 * floor(p * (n - 1)) and ceil(p * (n - 1)). */
static double
hist_percentile(const struct entry *e, double p)
{
	double pos = p * (double)(e->nhist - 1);
	double first = floor(pos), second = ceil(pos);
	double lo = hist_row(e, (uint64_t)first);
	double hi = hist_row(e, (uint64_t)second);

	return lo + (hi - lo) * (pos - first);
}

static int
add_referral(struct rollup *r, const struct mapping_row *row, uint64_t line)
{
	int32_t received = (int32_t)row->values[KIND_FIELD_PERIOD];
	struct entry *e;
	int rc = 0;

	if ((e = entry(r, received, row->area, row->org)) == NULL)
		return -ENOMEM;
	e->own++;
	if (e->line_own == 0 || line < e->line_own)
		e->line_own = line;
	if (row->present[r->f_status]) {
		const char *s = row->texts[r->f_status];

		/* mapping.c gives the catalogue's own strings. */
		e->with_status++;
		if (s == kind_statuses[0] || strcmp(s, "accepted") == 0)
			e->accepted++;
		else if (s == kind_statuses[1] || strcmp(s, "rejected") == 0)
			e->rejected++;
	}
	if (row->present[r->f_assessed])
		rc = hist_add(e, (int32_t)row->values[r->f_assessed] - received);
	if (rc == 0 && row->present[r->f_closed]) {
		if ((e = entry(r, (int32_t)row->values[r->f_closed], row->area,
		    row->org)) == NULL)
			return -ENOMEM;
		e->completed++;
		if (e->line_closed == 0 || line < e->line_closed)
			e->line_closed = line;
	}
	return rc;
}

static int
add_queue(struct rollup *r, const struct mapping_row *row, uint64_t line)
{
	int32_t snapshot = (int32_t)row->values[KIND_FIELD_PERIOD];
	int32_t wait = snapshot - (int32_t)row->values[r->f_since];
	struct entry *e;

	if ((e = entry(r, snapshot, row->area, row->org)) == NULL)
		return -ENOMEM;
	/* Only the period's latest snapshot counts: an earlier one is
	 * forgotten when a later one arrives, in whatever order. */
	if (e->own > 0 && snapshot < e->snapshot)
		return 0;
	if (e->own > 0 && snapshot > e->snapshot) {
		e->own = e->over = e->sum = 0;
		e->nbins = 0;
		e->nhist = 0;
		memset(e->small, 0, sizeof(e->small));
		e->line_own = 0;
	}
	e->snapshot = snapshot;
	e->own++;
	e->sum += wait;
	if (wait > r->guarantee[row->area])
		e->over++;
	if (e->line_own == 0 || line < e->line_own)
		e->line_own = line;
	return hist_add(e, wait);
}

int
rollup_add(struct rollup *r, const struct mapping_row *row, uint64_t line)
{
	if (row->area < 0 || row->area > MAX_CODE || row->org < 0 ||
	    row->org > MAX_CODE || (r->kind == ROLLUP_QUEUE &&
	    (size_t)row->area >= r->nareas))
		return -E2BIG;
	if (r->sorted)
		return -EINVAL;
	if (line == 0)
		line = 1; /* 0 means "none" inside */
	return r->kind == ROLLUP_REFERRAL ? add_referral(r, row, line) :
	    add_queue(r, row, line);
}

size_t
rollup_count(const struct rollup *r)
{
	return r->used;
}

static int
by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct entry *)a)->key;
	uint64_t y = ((const struct entry *)b)->key;

	return x < y ? -1 : x > y;
}

static void
sort(struct rollup *r)
{
	if (r->used > 0)
		qsort(r->entries, r->used, sizeof(*r->entries), by_key);
	free(r->slots);
	r->slots = NULL;
	r->sorted = true;
}

static void
set(struct rollup_fact *f, int field, double v)
{
	if (field >= 0) {
		f->values[field] = v;
		f->present[field] = true;
	}
}

bool
rollup_next(struct rollup *r, size_t *pos, struct rollup_fact *out)
{
	const struct entry *e;

	if (!r->sorted)
		sort(r);
	if (*pos >= r->used)
		return false;
	e = &r->entries[(*pos)++];
	memset(out, 0, sizeof(*out));
	out->period = key_period(e->key);
	out->area = (int)((e->key >> 16) & 0xffff);
	out->org = (int)(e->key & 0xffff);
	out->present[KIND_FIELD_PERIOD] = true;
	out->present[KIND_FIELD_AREA] = true;
	out->present[KIND_FIELD_ORG] = true;
	out->line = e->line_own != 0 ? e->line_own : e->line_closed;
	if (r->kind == ROLLUP_REFERRAL) {
		set(out, r->o_received, (double)e->own);
		set(out, r->o_completed, (double)e->completed);
		if (e->with_status > 0) {
			set(out, r->o_accepted, (double)e->accepted);
			set(out, r->o_rejected, (double)e->rejected);
		}
		if (e->nhist > 0)
			set(out, r->o_triage, hist_percentile(e, 0.5));
	} else {
		set(out, r->o_total, (double)e->own);
		set(out, r->o_over, (double)e->over);
		set(out, r->o_mean, (double)e->sum / (double)e->own);
		set(out, r->o_median, hist_percentile(e, 0.5));
		set(out, r->o_p90, hist_percentile(e, 0.9));
	}
	return true;
}

static int
by_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

int
rollup_periods(const struct rollup *r, int32_t **out, size_t *n)
{
	int32_t *p;
	size_t np = 0, k = 0;

	*out = NULL;
	*n = 0;
	if (r->used == 0)
		return 0;
	if ((p = malloc(r->used * sizeof(*p))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < r->used; i++)
		if (r->entries[i].own > 0)
			p[np++] = key_period(r->entries[i].key);
	qsort(p, np, sizeof(*p), by_day);
	for (size_t i = 0; i < np; i++)
		if (k == 0 || p[k - 1] != p[i])
			p[k++] = p[i];
	*out = p;
	*n = k;
	return 0;
}
