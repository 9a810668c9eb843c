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
	KIND_DATE,   /* a day, kept as it is (record grain) */
	KIND_TEXT,   /* text kept as it is, trimmed (record grain) */
};

struct kind_field {
	const char *name;  /* canonical name, also the fact table's column */
	enum kind_type type;
	bool required;
};

/* Every kind's fields start with period, area, org in that order; for a
 * record kind the first is the day that places the record in a period
 * (a queue snapshot's date, a referral's received date). */
enum { KIND_FIELD_PERIOD = 0, KIND_FIELD_AREA = 1, KIND_FIELD_ORG = 2 };

struct kind {
	const char *name;  /* "queue", "referral", "staffing" */
	const char *table; /* fact table, or for records their table */
	bool record;       /* one row per patient or referral */
	const struct kind_field *fields;
	size_t nfields;
};

/* The kind of that name, or NULL. */
const struct kind *kind_find(const char *name);

/* The record-grain kind of that name ("queue", "referral"), or NULL. */
const struct kind *kind_find_record(const char *name);

/* Index of a field in k->fields, or -1. */
int kind_field_index(const struct kind *k, const char *field);

/* For a record kind's date field: -1 if it may not be after the record's
 * first date (waiting_since), +1 if it may not be before it (assessed,
 * closed), 0 otherwise. */
int kind_date_order(const struct kind_field *f);

/* Referral statuses of the record grain, by index. */
#define KIND_NSTATUSES 3
extern const char *const kind_statuses[KIND_NSTATUSES]; /* accepted, rejected, pending */

/* The names of all kinds, separated by ", " (for error messages). */
const char *kind_names(void);

#endif
