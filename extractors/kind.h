/* kind.h - the extract kinds (queue, referral, staffing) and their canonical fields. */
#ifndef FRAGWATCH_KIND_H
#define FRAGWATCH_KIND_H

#include <stdbool.h>
#include <stddef.h>

enum kind_type {
	KIND_PERIOD, /* a date, stored as the start of its period */
	KIND_CODE,   /* an area or organisation code, translated */
	KIND_COUNT,  /* a whole, non-negative number (bigint) */
	KIND_NUMBER, /* a non-negative decimal number (double precision) */
	KIND_SHARE,  /* a fraction 0..1 (a percent sign divides by 100) */
};

struct kind_field {
	const char *name;  /* canonical name, also the fact table's column */
	enum kind_type type;
	bool required;
};

/* Every kind's fields start with period, area, org in that order. */
enum { KIND_FIELD_PERIOD = 0, KIND_FIELD_AREA = 1, KIND_FIELD_ORG = 2 };

struct kind {
	const char *name;  /* "queue", "referral", "staffing" */
	const char *table; /* fact table in schema fragwatch */
	const struct kind_field *fields;
	size_t nfields;
};

/* The kind of that name, or NULL. */
const struct kind *kind_find(const char *name);

/* Index of a field in k->fields, or -1. */
int kind_field_index(const struct kind *k, const char *field);

/* The names of all kinds, separated by ", " (for error messages). */
const char *kind_names(void);

#endif
