/* value.h - numbers, dates and periods parsed from extract text (pure). */
#ifndef FRAGWATCH_VALUE_H
#define FRAGWATCH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of a period; the period of a date is the one containing it. */
enum value_grain {
	VALUE_GRAIN_DAY,
	VALUE_GRAIN_WEEK,    /* ISO week, starts Monday */
	VALUE_GRAIN_MONTH,
	VALUE_GRAIN_QUARTER,
	VALUE_GRAIN_YEAR,
};

/* How numbers are written in one source. */
struct value_numfmt {
	char decimal;   /* '.' (default) or ',' */
	char thousands; /* 0 = none; else ' ', '.', ',' or '\'' (a UTF-8
	                   no-break space U+00A0 / U+202F is accepted when
	                   thousands == ' ') */
	bool percent;   /* a trailing '%' is allowed and divides by 100 */
};

/* Parses a decimal number; leading/trailing ASCII blanks are ignored.
 * Returns 0, or -EINVAL (not a number, empty, trailing junk, thousands
 * separator in a wrong place), -ERANGE (overflow, inf, nan). */
int value_parse_number(const char *s, const struct value_numfmt *f,
    double *out);

/* Parses a count: a whole, non-negative number (a decimal part of zeros,
 * e.g. "12,0" with decimal comma, is accepted). Returns 0, -EINVAL, or
 * -ERANGE for a negative value or one above INT64_MAX. */
int value_parse_count(const char *s, const struct value_numfmt *f,
    int64_t *out);

/* Parses a date with a strptime-like format. Directives: %Y (4-digit year),
 * %m (1-2 digit month), %d (1-2 digit day), %b (month name: English or
 * Swedish, full or 3-letter abbreviation, any case, e.g. "Apr", "april",
 * "maj", "okt"), %G (ISO week-year) with %V (ISO week 1-53, the date is its
 * Monday), %q (quarter 1-4, the date is its first day), %%. Any other
 * character must match literally. A date without a day (e.g. "%Y-%m") is
 * the first of its month. Returns 0 and *days (days since 1970-01-01), or
 * -EINVAL (no match, trailing text, impossible date such as 2023-02-29). */
int value_parse_date(const char *s, const char *fmt, int32_t *days);

/* First day of the period of the given grain containing 'days'. */
int32_t value_period_start(int32_t days, enum value_grain grain);

/* First day of the period after the one of the given grain containing
 * 'days' (the day its age is counted from). */
int32_t value_period_next(int32_t days, enum value_grain grain);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int32_t value_days_from_civil(int year, int month, int day);

/* Civil date of days since 1970-01-01. */
void value_civil_from_days(int32_t days, int *year, int *month, int *day);

/* Writes "YYYY-MM-DD" into buf (at least 11 bytes). */
void value_format_date(int32_t days, char *buf, size_t size);

/* Grain from its name ("day", "week", "month", "quarter", "year");
 * returns 0 or -EINVAL. */
int value_grain_from_name(const char *name, enum value_grain *out);

/* Name of a grain ("week", ...). */
const char *value_grain_name(enum value_grain grain);

/* True if s equals one of the n markers after trimming ASCII blanks
 * (an empty or all-blank field always counts as null). */
bool value_is_null(const char *s, const char *const *markers, size_t n);

#endif
