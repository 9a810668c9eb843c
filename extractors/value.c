/* value.c - numbers, dates and periods parsed from extract text (pure). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/value.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Longest number text handed to strtod.  A double needs at most 17
 * significant digits and overflows past 309 integer digits, so a longer
 * field is not a number any source means to publish.
 */
#define NUM_TEXT_MAX	512

/* A number reduced to the plain form strtod reads: "[-]digits[.digits]". */
struct num_text {
	char	 buf[NUM_TEXT_MAX];
	size_t	 len;
	size_t	 int_digits;
	size_t	 frac_digits;
	bool	 negative;
	bool	 percent;
	bool	 too_long;
};

/* Fields a date format can set; each may be set once. */
enum {
	DF_YEAR = 1 << 0,
	DF_MONTH = 1 << 1,
	DF_DAY = 1 << 2,
	DF_ISOYEAR = 1 << 3,
	DF_WEEK = 1 << 4,
	DF_QUARTER = 1 << 5,
};

struct date_fields {
	unsigned int	 set;
	int		 year;
	int		 month;
	int		 day;
	int		 isoyear;
	int		 week;
	int		 quarter;
};

/* Month names, English and Swedish, full and abbreviated, in lower case. */
static const struct {
	const char	*name;
	int		 month;
} month_names[] = {
	{ "jan", 1 }, { "january", 1 }, { "januari", 1 },
	{ "feb", 2 }, { "february", 2 }, { "februari", 2 },
	{ "mar", 3 }, { "march", 3 }, { "mars", 3 },
	{ "apr", 4 }, { "april", 4 },
	{ "may", 5 }, { "maj", 5 },
	{ "jun", 6 }, { "june", 6 }, { "juni", 6 },
	{ "jul", 7 }, { "july", 7 }, { "juli", 7 },
	{ "aug", 8 }, { "august", 8 }, { "augusti", 8 },
	{ "sep", 9 }, { "september", 9 },
	{ "oct", 10 }, { "okt", 10 }, { "october", 10 }, { "oktober", 10 },
	{ "nov", 11 }, { "november", 11 },
	{ "dec", 12 }, { "december", 12 },
};

static const char *const grain_names[] = {
	[VALUE_GRAIN_DAY] = "day",
	[VALUE_GRAIN_WEEK] = "week",
	[VALUE_GRAIN_MONTH] = "month",
	[VALUE_GRAIN_QUARTER] = "quarter",
	[VALUE_GRAIN_YEAR] = "year",
};

/* Own character classes: <ctype.h> would make parsing depend on the locale. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Narrows [*b, *e) to the text between leading and trailing blanks. */
static void
trim(const char **b, const char **e)
{
	while (*b < *e && is_blank(**b))
		(*b)++;
	while (*e > *b && is_blank((*e)[-1]))
		(*e)--;
}

/* True if [p, e) equals the lower-case word, ignoring ASCII case. */
static bool
equal_nocase(const char *p, const char *e, const char *word)
{
	size_t i, n;
	bool eq;

	n = strlen(word);
	eq = (size_t)(e - p) == n;
	for (i = 0; eq && i < n; i++)
		eq = to_lower(p[i]) == word[i];
	return eq;
}

/*
 * Length of the space at p: an ASCII space, or the UTF-8 no-break space
 * U+00A0 or narrow no-break space U+202F that spreadsheets in Swedish and
 * French locales put between digit groups and before '%'.  0 if none.
 */
static size_t
space_len(const char *p, const char *e)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t n = (size_t)(e - p), len = 0;

	if (n >= 1 && u[0] == ' ')
		len = 1;
	else if (n >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		len = 2;
	else if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xaf)
		len = 3;
	return len;
}

/* Length of the thousands separator at p, 0 if there is none. */
static size_t
thousands_len(const char *p, const char *e, char thousands)
{
	size_t len = 0;

	if (thousands == ' ')
		len = space_len(p, e);
	else if (thousands != 0 && p < e && *p == thousands)
		len = 1;
	return len;
}

static void
num_put(struct num_text *nt, char c)
{
	if (nt->len + 1 < sizeof(nt->buf))
		nt->buf[nt->len++] = c;
	else
		nt->too_long = true;
}

/*
 * Checks the syntax of a number and rewrites it for strtod, so that
 * strtod never sees what it would accept beyond a plain decimal (hex,
 * exponents, inf, nan) and the locale never matters.
 */
static int
num_scan(const char *s, const struct value_numfmt *f, bool allow_percent,
    struct num_text *nt)
{
	static const struct value_numfmt defaults = { '.', 0, false };
	const char *p, *e, *q;
	size_t group = 0, groups = 0, n;
	char decimal;
	int rc = -EINVAL;

	memset(nt, 0, sizeof(*nt));
	if (f == NULL)
		f = &defaults;
	decimal = f->decimal == 0 ? '.' : f->decimal;
	if (s == NULL || (decimal != '.' && decimal != ',') ||
	    f->thousands == decimal ||
	    (f->thousands != 0 && strchr(" .,'", f->thousands) == NULL))
		goto out;

	p = s;
	e = s + strlen(s);
	trim(&p, &e);
	if (p < e && (*p == '-' || *p == '+')) {
		nt->negative = *p == '-';
		if (nt->negative)
			num_put(nt, '-');
		p++;
	}
	if (equal_nocase(p, e, "inf") || equal_nocase(p, e, "infinity") ||
	    equal_nocase(p, e, "nan")) {
		rc = -ERANGE;
		goto out;
	}

	/*
	 * Integer part.  Once a separator appears, the first group has 1-3
	 * digits and every later group exactly 3.  A separator not followed
	 * by a digit ends the number instead, so that the space in "12 %"
	 * is not taken for one.
	 */
	while (p < e) {
		if (is_digit(*p)) {
			num_put(nt, *p++);
			nt->int_digits++;
			group++;
			continue;
		}
		n = thousands_len(p, e, f->thousands);
		if (n == 0 || p + n >= e || !is_digit(p[n]))
			break;
		if (group == 0 || group > 3 || (groups > 0 && group != 3))
			goto out;
		groups++;
		group = 0;
		p += n;
	}
	if (groups > 0 && group != 3)
		goto out;

	if (p < e && *p == decimal) {
		num_put(nt, '.');
		for (p++; p < e && is_digit(*p); p++) {
			num_put(nt, *p);
			nt->frac_digits++;
		}
		if (nt->frac_digits == 0)
			goto out;
	}
	if (nt->int_digits + nt->frac_digits == 0)
		goto out;

	if (allow_percent && f->percent) {
		for (q = p; (n = space_len(q, e)) > 0; q += n)
			;
		if (q < e && *q == '%') {
			nt->percent = true;
			p = q + 1;
		}
	}
	if (p != e)
		goto out;
	nt->buf[nt->len] = '\0';
	rc = nt->too_long ? -ERANGE : 0;
out:
	return rc;
}

int
value_parse_number(const char *s, const struct value_numfmt *f, double *out)
{
	struct num_text nt;
	char *end;
	double v;
	int rc;

	if ((rc = num_scan(s, f, true, &nt)) < 0)
		goto out;
	v = strtod(nt.buf, &end);
	if (*end != '\0') {
		rc = -EINVAL;
		goto out;
	}
	/*
	 * Only overflow is an error: a value below the smallest double
	 * rounds toward zero like any other decimal that has no exact binary
	 * form, even though strtod reports it as ERANGE.
	 */
	if (!isfinite(v)) {
		rc = -ERANGE;
		goto out;
	}
	if (nt.percent)
		v /= 100;
	*out = v;
out:
	return rc;
}

int
value_parse_count(const char *s, const struct value_numfmt *f, int64_t *out)
{
	struct num_text nt;
	const char *digits;
	int64_t v = 0;
	size_t i;
	bool overflow = false;
	int rc, d;

	/* A percentage is a ratio, never a count. */
	if ((rc = num_scan(s, f, false, &nt)) < 0)
		goto out;
	/* Digits are summed exactly: a double would round counts past 2^53. */
	digits = nt.buf + (nt.negative ? 1 : 0);
	for (i = 0; i < nt.int_digits && !overflow; i++) {
		d = digits[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	for (i = 0; i < nt.frac_digits; i++) {
		if (digits[nt.int_digits + 1 + i] != '0') {
			rc = -EINVAL;
			goto out;
		}
	}
	if (overflow || (nt.negative && v != 0)) {
		rc = -ERANGE;
		goto out;
	}
	*out = v;
out:
	return rc;
}

static bool
is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int year, int month)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return len[month - 1] + (month == 2 && is_leap(year));
}

/* Day of the week, Monday = 0; 1970-01-01 was a Thursday. */
static int
weekday(int32_t days)
{
	return (int)((((int64_t)days + 3) % 7 + 7) % 7);
}

/* Monday of ISO week 1: the week holding 4 January. */
static int32_t
iso_week1(int isoyear)
{
	int32_t jan4;

	jan4 = value_days_from_civil(isoyear, 1, 4);
	return jan4 - weekday(jan4);
}

/* Reads between min and max digits, as many as there are. */
static int
read_digits(const char **pp, const char *e, int min, int max, int *val)
{
	const char *p = *pp;
	int n, v = 0, rc = -EINVAL;

	for (n = 0; n < max && p < e && is_digit(*p); n++, p++)
		v = v * 10 + (*p - '0');
	if (n < min)
		goto out;
	*pp = p;
	*val = v;
	rc = 0;
out:
	return rc;
}

/*
 * Reads a month name.  The name is the whole run of letters, so that
 * "mayo" is not taken for "may" followed by junk.
 */
static int
read_month_name(const char **pp, const char *e, int *val)
{
	const char *p = *pp, *q;
	size_t i;
	int rc = -EINVAL;

	for (q = p; q < e && is_alpha(*q); q++)
		;
	for (i = 0; i < nitems(month_names); i++) {
		if (equal_nocase(p, q, month_names[i].name)) {
			*pp = q;
			*val = month_names[i].month;
			rc = 0;
			break;
		}
	}
	return rc;
}

static bool
is_numeric_conv(char conv)
{
	return conv != '\0' && strchr("YmdGVq", conv) != NULL;
}

/* Reads one directive's field into df; each field may be read once. */
static int
read_directive(const char **pp, const char *e, char conv, bool fixed,
    struct date_fields *df)
{
	unsigned int field;
	int *val, min, max, lo, hi;
	int rc = -EINVAL;

	/* Widths and ranges; 'fixed' is for %m, %d and %V packed after
	 * another number. */
	min = fixed ? 2 : 1;
	max = 2;
	lo = 1;
	switch (conv) {
	case 'Y':
	case 'G':
		field = conv == 'Y' ? DF_YEAR : DF_ISOYEAR;
		val = conv == 'Y' ? &df->year : &df->isoyear;
		min = max = 4;
		lo = 0;
		hi = 9999;
		break;
	case 'm':
	case 'b':
		field = DF_MONTH;
		val = &df->month;
		hi = 12;
		break;
	case 'd':
		field = DF_DAY;
		val = &df->day;
		hi = 31;
		break;
	case 'V':
		field = DF_WEEK;
		val = &df->week;
		hi = 53;
		break;
	case 'q':
		field = DF_QUARTER;
		val = &df->quarter;
		min = max = 1;
		hi = 4;
		break;
	default:
		goto out;
	}
	if (df->set & field)
		goto out;
	if (conv == 'b')
		rc = read_month_name(pp, e, val);
	else
		rc = read_digits(pp, e, min, max, val);
	if (rc < 0)
		goto out;
	if (*val < lo || *val > hi) {
		rc = -EINVAL;
		goto out;
	}
	df->set |= field;
out:
	return rc;
}

/* Turns the fields read into a day; only whole combinations are dates. */
static int
resolve_date(const struct date_fields *df, int32_t *days)
{
	unsigned int set = df->set;
	int month, day, rc = -EINVAL;

	if (set & (DF_ISOYEAR | DF_WEEK)) {
		if (set != (DF_ISOYEAR | DF_WEEK))
			goto out;
		/* Week 53 exists only if the next year's week 1 is later. */
		if ((iso_week1(df->isoyear + 1) - iso_week1(df->isoyear)) / 7 <
		    df->week)
			goto out;
		*days = iso_week1(df->isoyear) + (df->week - 1) * 7;
	} else if (set & DF_QUARTER) {
		if (set != (DF_YEAR | DF_QUARTER))
			goto out;
		*days = value_days_from_civil(df->year,
		    (df->quarter - 1) * 3 + 1, 1);
	} else {
		if (!(set & DF_YEAR) || ((set & DF_DAY) && !(set & DF_MONTH)))
			goto out;
		month = set & DF_MONTH ? df->month : 1;
		day = set & DF_DAY ? df->day : 1;
		if (day > days_in_month(df->year, month))
			goto out;
		*days = value_days_from_civil(df->year, month, day);
	}
	rc = 0;
out:
	return rc;
}

/*
 * ISO dates ("%Y-%m-%d", by far the most common format of record
 * extracts) written in full, as 2024-03-07: read by position. This is
 * what the general loop below reads from such a text, only without
 * interpreting the format; anything else (2024-3-7, blanks) takes the loop.
 */
static bool
iso_date(const char *p, const char *e, struct date_fields *df)
{
	if (e - p != 10 || p[4] != '-' || p[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(p[i]))
			return false;
	df->year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
	    (p[3] - '0');
	df->month = (p[5] - '0') * 10 + (p[6] - '0');
	df->day = (p[8] - '0') * 10 + (p[9] - '0');
	df->set = DF_YEAR | DF_MONTH | DF_DAY;
	return df->month >= 1 && df->month <= 12 && df->day >= 1 &&
	    df->day <= 31;
}

int
value_parse_date(const char *s, const char *fmt, int32_t *days)
{
	struct date_fields df;
	const char *p, *e, *f;
	bool numeric, fixed, prev_numeric = false;
	int32_t d;
	int rc = -EINVAL;

	memset(&df, 0, sizeof(df));
	if (s == NULL || fmt == NULL)
		goto out;
	p = s;
	e = s + strlen(s);
	trim(&p, &e);
	if (strcmp(fmt, "%Y-%m-%d") == 0 && iso_date(p, e, &df)) {
		if (resolve_date(&df, &d) < 0)
			goto out;
		*days = d;
		rc = 0;
		goto out;
	}
	memset(&df, 0, sizeof(df));
	for (f = fmt; *f != '\0'; f++) {
		if (*f != '%' || f[1] == '%') {
			if (*f == '%')
				f++;
			if (p == e || *p != *f)
				goto out;
			p++;
			prev_numeric = false;
			continue;
		}
		if (*++f == '\0')
			goto out;
		/*
		 * Numbers written together ("%Y%m%d" as 20230517) can only be
		 * split by width, so a 1-2 digit field right after another
		 * number takes exactly 2 digits rather than guessing.  One
		 * before another number needs no rule: it reads 2 digits
		 * greedily, and with 1 the next number could not be read.
		 */
		numeric = is_numeric_conv(*f);
		fixed = numeric && prev_numeric;
		if (read_directive(&p, e, *f, fixed, &df) < 0)
			goto out;
		prev_numeric = numeric;
	}
	if (p != e || resolve_date(&df, &d) < 0)
		goto out;
	*days = d;
	rc = 0;
out:
	return rc;
}

int32_t
value_period_start(int32_t days, enum value_grain grain)
{
	int32_t start = days;
	int y, m, d;

	/* Days and weeks need no calendar (the common case, per record). */
	if (grain == VALUE_GRAIN_DAY)
		return days;
	if (grain == VALUE_GRAIN_WEEK)
		return (int32_t)((int64_t)days - weekday(days));
	value_civil_from_days(days, &y, &m, &d);
	switch (grain) {
	case VALUE_GRAIN_DAY:
		break;
	case VALUE_GRAIN_WEEK:
		start = (int32_t)((int64_t)days - weekday(days));
		break;
	case VALUE_GRAIN_MONTH:
		start = value_days_from_civil(y, m, 1);
		break;
	case VALUE_GRAIN_QUARTER:
		start = value_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
		break;
	case VALUE_GRAIN_YEAR:
		start = value_days_from_civil(y, 1, 1);
		break;
	}
	return start;
}

/*
 * The two conversions below are Howard Hinnant's days_from_civil and
 * civil_from_days (howardhinnant.github.io/date_algorithms.html).  Years
 * are counted from March, which puts the leap day last so that month
 * lengths follow one formula, and dates are split into 400-year eras of
 * exactly 146097 days, which keeps negative days exact.  Arithmetic is in
 * 64 bits so that no int32_t day can overflow it.
 */
int32_t
value_days_from_civil(int year, int month, int day)
{
	int64_t y, era, yoe, doy, doe;

	y = (int64_t)year - (month <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * ((int64_t)month + (month > 2 ? -3 : 9)) + 2) / 5 +
	    day - 1;						/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

void
value_civil_from_days(int32_t days, int *year, int *month, int *day)
{
	int64_t z, era, doe, yoe, doy, mp, m;

	z = (int64_t)days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;					/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	mp = (5 * doy + 2) / 153;				/* [0, 11] */
	m = mp < 10 ? mp + 3 : mp - 9;				/* [1, 12] */
	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = (int)m;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);		/* [1, 31] */
}

void
value_format_date(int32_t days, char *buf, size_t size)
{
	int y, m, d;

	value_civil_from_days(days, &y, &m, &d);
	(void)snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

int
value_grain_from_name(const char *name, enum value_grain *out)
{
	size_t i;
	int rc = -EINVAL;

	for (i = 0; name != NULL && i < nitems(grain_names); i++) {
		if (strcmp(name, grain_names[i]) == 0) {
			*out = (enum value_grain)i;
			rc = 0;
			break;
		}
	}
	return rc;
}

const char *
value_grain_name(enum value_grain grain)
{
	return (size_t)grain < nitems(grain_names) ?
	    grain_names[grain] : "unknown";
}

bool
value_is_null(const char *s, const char *const *markers, size_t n)
{
	const char *b, *e;
	size_t i, len;
	bool null = true;

	if (s == NULL)
		goto out;
	b = s;
	e = s + strlen(s);
	trim(&b, &e);
	len = (size_t)(e - b);
	if (len == 0)
		goto out;
	null = false;
	for (i = 0; i < n && !null; i++)
		null = markers[i] != NULL && strlen(markers[i]) == len &&
		    memcmp(markers[i], b, len) == 0;
out:
	return null;
}

int32_t
value_period_next(int32_t days, enum value_grain grain)
{
	int32_t start = value_period_start(days, grain);

	/* Past the longest period of each grain, then back to its start. */
	switch (grain) {
	case VALUE_GRAIN_DAY:
		return start + 1;
	case VALUE_GRAIN_WEEK:
		return start + 7;
	case VALUE_GRAIN_MONTH:
		return value_period_start(start + 31, grain);
	case VALUE_GRAIN_QUARTER:
		return value_period_start(start + 92, grain);
	case VALUE_GRAIN_YEAR:
		return value_period_start(start + 366, grain);
	}
	return start + 1;
}
