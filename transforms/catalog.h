/* catalog.h - the fragility indicators Q1..S5: definitions, direction, weights, default thresholds. */
#ifndef FRAGWATCH_CATALOG_H
#define FRAGWATCH_CATALOG_H

#include <stdbool.h>

#include "transforms/status.h"

#define CATALOG_COUNT 10

struct catalog_entry {
	const char *code;          /* "Q1" */
	const char *name;          /* what an area owner reads */
	const char *kind;          /* the extract kind it is computed from */
	enum status_family family;
	bool higher_is_worse;
	int weight;                /* in the composite: 2 or 1 */
	bool critical;             /* a red makes the area at least yellow */
	bool counts_cases;         /* grey below the minimum number of cases */
	bool is_share;             /* printed as a percentage */
	const char *green;         /* default bounds, status_bound_parse() text */
	const char *red;
};

/* The catalogue, in display order (Q1, Q2, Q3, R1, R2, S1..S5). */
extern const struct catalog_entry catalog[CATALOG_COUNT];

/* Index of code in catalog[], or -1. */
int catalog_find(const char *code);

/* The default threshold of entry i (the defaults always parse). */
void catalog_default_threshold(int i, struct status_threshold *out);

#endif
