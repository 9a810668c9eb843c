/* sched.c - cron expressions and their fire times in a time zone (pure). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/sched.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define DAY		86400
/* How far sched_next and sched_prev look: 5 years, with their leap days. */
#define SEARCH_DAYS	(5 * 365 + 2)
/*
 * Times further than this from 1970 are refused, so that the arithmetic
 * below cannot overflow and localtime_r cannot fail (about 31,000 years).
 */
#define TIME_LIMIT	((int64_t)1000000000000)

enum field { F_MINUTE, F_HOUR, F_DOM, F_MONTH, F_DOW, NFIELDS };

static const struct {
	const char	*name;
	int		 lo;
	int		 hi;     /* highest value the text may use */
	int		 star_hi; /* highest value "*" stands for */
} fields[NFIELDS] = {
	[F_MINUTE] = { "minute", 0, 59, 59 },
	[F_HOUR] = { "hour", 0, 23, 23 },
	[F_DOM] = { "day of month", 1, 31, 31 },
	[F_MONTH] = { "month", 1, 12, 12 },
	[F_DOW] = { "day of week", 0, 7, 6 },
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static const char *const dow_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat",
};

static const struct {
	const char	*name;
	const char	*expr;
} macros[] = {
	{ "@hourly", "0 * * * *" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@monthly", "0 0 1 * *" },
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

/* A local wall-clock time, broken down; the cron is matched against it. */
struct civil {
	int64_t	 y;
	int	 mo;
	int	 d;
	int	 h;
	int	 mi;
};

/* The caller's TZ, kept while ours is set. */
struct zone {
	bool	 utc;
	bool	 switched;
	char	*saved;
};

/* Own character classes: <ctype.h> would make parsing depend on the locale. */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
word_equal(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] == '\0' || lower(s[i]) != word[i])
			return false;
	return word[len] == '\0';
}

/*
 * Reads a number or, in the month and weekday fields, a name, from [*p, end).
 * Returns 0, or -EINVAL with the reason in err.
 */
static int
parse_value(enum field f, const char **p, const char *end, int *v, char *err,
    size_t errlen)
{
	const char *s = *p, *q = *p;
	long n = 0;
	size_t i;

	if (q < end && is_digit(*q)) {
		/* Past a million it is out of every range: stop adding. */
		while (q < end && is_digit(*q)) {
			if (n < 1000000)
				n = n * 10 + (*q - '0');
			q++;
		}
		if (n < fields[f].lo || n > fields[f].hi) {
			snprintf(err, errlen, "%s %.*s out of range %d-%d",
			    fields[f].name, (int)(q - s), s, fields[f].lo,
			    fields[f].hi);
			return -EINVAL;
		}
		*v = (int)n;
		*p = q;
		return 0;
	}
	while (q < end && is_alpha(*q))
		q++;
	if (q > s && f == F_MONTH) {
		for (i = 0; i < nitems(month_names); i++)
			if (word_equal(s, (size_t)(q - s), month_names[i])) {
				*v = (int)i + 1;
				*p = q;
				return 0;
			}
	} else if (q > s && f == F_DOW) {
		for (i = 0; i < nitems(dow_names); i++)
			if (word_equal(s, (size_t)(q - s), dow_names[i])) {
				*v = (int)i;
				*p = q;
				return 0;
			}
	}
	if (q == s)
		q = s + 1;
	snprintf(err, errlen, "%s: '%.*s' is not a %s", fields[f].name,
	    (int)(q - s), s, f == F_MONTH || f == F_DOW ? "number or name" :
	    "number");
	return -EINVAL;
}

/*
 * Parses one field, the text [s, end), into a bit set.  Returns 0, or
 * -EINVAL with the reason in err.
 */
static int
parse_field(enum field f, const char *s, const char *end, uint64_t *set,
    char *err, size_t errlen)
{
	const char *p = s, *item;
	int lo, hi, step, v, rc;
	bool star, ranged;

	*set = 0;
	for (;;) {
		item = p;
		star = ranged = false;
		step = 1;
		if (p < end && *p == '*') {
			star = true;
			lo = fields[f].lo;
			hi = fields[f].star_hi;
			p++;
		} else {
			if (p == end || *p == ',') {
				snprintf(err, errlen, "%s: empty list item",
				    fields[f].name);
				return -EINVAL;
			}
			rc = parse_value(f, &p, end, &lo, err, errlen);
			if (rc < 0)
				return rc;
			hi = lo;
			if (p < end && *p == '-') {
				ranged = true;
				p++;
				if ((rc = parse_value(f, &p, end, &hi, err,
				    errlen)) < 0)
					return rc;
				if (hi < lo) {
					snprintf(err, errlen,
					    "%s range %.*s is reversed",
					    fields[f].name, (int)(p - item),
					    item);
					return -EINVAL;
				}
			}
		}
		if (p < end && *p == '/') {
			const char *ss = ++p;
			int size = fields[f].star_hi - fields[f].lo + 1;

			if (!star && !ranged) {
				snprintf(err, errlen, "%s step needs * or a "
				    "range: '%.*s'", fields[f].name,
				    (int)(end - s), s);
				return -EINVAL;
			}
			step = 0;
			while (p < end && is_digit(*p)) {
				if (step <= size)
					step = step * 10 + (*p - '0');
				p++;
			}
			if (p == ss) {
				snprintf(err, errlen,
				    "%s step missing in '%.*s'",
				    fields[f].name, (int)(end - s), s);
				return -EINVAL;
			}
			if (step < 1 || step > size) {
				snprintf(err, errlen, "%s step %.*s out of "
				    "range 1-%d", fields[f].name,
				    (int)(p - ss), ss, size);
				return -EINVAL;
			}
		}
		for (v = lo; v <= hi; v += step)
			*set |= (uint64_t)1 << v;
		if (p == end)
			break;
		if (*p != ',') {
			snprintf(err, errlen, "%s: unexpected '%c' in '%.*s'",
			    fields[f].name, *p, (int)(end - s), s);
			return -EINVAL;
		}
		p++;
	}
	/* 7 is another name for Sunday. */
	if (f == F_DOW && (*set & (1u << 7)))
		*set = (*set & ~(uint64_t)(1u << 7)) | 1u;
	return 0;
}

int
sched_parse(const char *expr, struct sched_cron *out, char *err,
    size_t errlen)
{
	struct sched_cron c;
	const char *p = expr, *start[NFIELDS + 1], *end[NFIELDS + 1];
	uint64_t set[NFIELDS];
	size_t i, len;
	int n = 0, rc;

	if (expr == NULL) {
		snprintf(err, errlen, "no cron expression");
		return -EINVAL;
	}
	while (is_blank(*p))
		p++;
	if (*p == '@') {
		len = 0;
		while (p[len] != '\0' && !is_blank(p[len]))
			len++;
		for (i = len; is_blank(p[i]); i++)
			continue;
		if (p[i] != '\0') {
			snprintf(err, errlen, "'%.*s' takes no fields",
			    (int)len, p);
			return -EINVAL;
		}
		for (i = 0; i < nitems(macros); i++)
			if (word_equal(p, len, macros[i].name))
				return sched_parse(macros[i].expr, out, err,
				    errlen);
		snprintf(err, errlen, "unknown macro '%.*s'", (int)len, p);
		return -EINVAL;
	}
	/* Split into fields; one more than needed is remembered to say so. */
	while (*p != '\0' && n <= NFIELDS) {
		start[n] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
		end[n++] = p;
		while (is_blank(*p))
			p++;
	}
	if (n != NFIELDS) {
		if (n < NFIELDS)
			snprintf(err, errlen, "too few fields: %d, want 5 "
			    "(minute hour day-of-month month day-of-week)", n);
		else
			snprintf(err, errlen, "too many fields: want 5 "
			    "(minute hour day-of-month month day-of-week)");
		return -EINVAL;
	}
	for (i = 0; i < NFIELDS; i++)
		if ((rc = parse_field((enum field)i, start[i], end[i], &set[i],
		    err, errlen)) < 0)
			return rc;
	memset(&c, 0, sizeof(c));
	c.minute = set[F_MINUTE];
	c.hour = (uint32_t)set[F_HOUR];
	c.dom = (uint32_t)set[F_DOM];
	c.month = (uint16_t)set[F_MONTH];
	c.dow = (uint8_t)set[F_DOW];
	c.dom_star = *start[F_DOM] == '*';
	c.dow_star = *start[F_DOW] == '*';
	*out = c;
	return 0;
}

/* The lowest value in set that is >= from, or -1. */
static int
next_bit(uint64_t set, int from)
{
	if (from < 0)
		from = 0;
	if (from > 63 || (set >> from) == 0)
		return -1;
	return from + __builtin_ctzll(set >> from);
}

/* The highest value in set that is <= from, or -1. */
static int
prev_bit(uint64_t set, int from)
{
	uint64_t m;

	if (from < 0)
		return -1;
	m = from >= 63 ? set : set & (((uint64_t)2 << from) - 1);
	return m == 0 ? -1 : 63 - __builtin_clzll(m);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Local seconds (wall clock read as if UTC) to a civil minute. */
static void
civil_from_local(int64_t l, struct civil *t)
{
	int64_t days = floor_div(l, DAY), s = l - days * DAY;

	civil_from_days(days, &t->y, &t->mo, &t->d);
	t->h = (int)(s / 3600);
	t->mi = (int)(s % 3600 / 60);
}

static int64_t
civil_days(const struct civil *t)
{
	return days_from_civil(t->y, t->mo, t->d);
}

static int64_t
civil_to_local(const struct civil *t)
{
	return civil_days(t) * DAY + t->h * 3600 + t->mi * 60;
}

/* The Vixie day rule (see struct sched_cron). */
static bool
day_matches(const struct sched_cron *c, const struct civil *t)
{
	int64_t days = civil_days(t);
	/* 1970-01-01 was a Thursday. */
	int wd = (int)(days + 4 - floor_div(days + 4, 7) * 7);
	bool dom = c->dom & (1u << t->d), dow = c->dow & (1u << wd);

	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

/* Carries overflowed fields upwards, going forward in time. */
static void
carry_up(struct civil *t)
{
	if (t->mi > 59) {
		t->mi = 0;
		t->h++;
	}
	if (t->h > 23) {
		t->h = 0;
		t->d++;
	}
	if (t->d > days_in_month(t->y, t->mo)) {
		t->d = 1;
		t->mo++;
	}
	if (t->mo > 12) {
		t->mo = 1;
		t->y++;
	}
}

/* Borrows underflowed fields downwards, going back in time. */
static void
carry_down(struct civil *t)
{
	if (t->mi < 0) {
		t->mi = 59;
		t->h--;
	}
	if (t->h < 0) {
		t->h = 23;
		t->d--;
	}
	if (t->d < 1) {
		t->mo--;
		if (t->mo < 1) {
			t->mo = 12;
			t->y--;
		}
		t->d = days_in_month(t->y, t->mo);
	}
	if (t->d > days_in_month(t->y, t->mo))
		t->d = days_in_month(t->y, t->mo);
}

/*
 * The first local minute >= l that the cron matches, skipping whole months,
 * days and hours that cannot match.  -ERANGE if it is after `limit`.
 */
static int
civil_next(const struct sched_cron *c, int64_t l, int64_t limit, int64_t *out)
{
	struct civil t;
	int64_t limit_day = floor_div(limit, DAY);
	int v;

	civil_from_local(l, &t);
	for (;;) {
		carry_up(&t);
		if (civil_days(&t) > limit_day)
			return -ERANGE;
		if ((v = next_bit(c->month, t.mo)) < 0) {
			t.y++;
			t.mo = 1;
			t.d = 1;
			t.h = t.mi = 0;
			continue;
		}
		if (v != t.mo) {
			t.mo = v;
			t.d = 1;
			t.h = t.mi = 0;
		}
		if (!day_matches(c, &t)) {
			t.d++;
			t.h = t.mi = 0;
			continue;
		}
		if ((v = next_bit(c->hour, t.h)) < 0) {
			t.h = 24;
			t.mi = 0;
			continue;
		}
		if (v != t.h) {
			t.h = v;
			t.mi = 0;
		}
		if ((v = next_bit(c->minute, t.mi)) < 0) {
			t.mi = 0;
			t.h++;
			continue;
		}
		t.mi = v;
		break;
	}
	*out = civil_to_local(&t);
	return *out > limit ? -ERANGE : 0;
}

/* The last local minute <= l that the cron matches; -ERANGE before limit. */
static int
civil_prev(const struct sched_cron *c, int64_t l, int64_t limit, int64_t *out)
{
	struct civil t;
	int64_t limit_day = floor_div(limit, DAY);
	int v;

	civil_from_local(l, &t);
	for (;;) {
		carry_down(&t);
		if (civil_days(&t) < limit_day)
			return -ERANGE;
		if ((v = prev_bit(c->month, t.mo)) < 0) {
			t.y--;
			t.mo = 12;
			t.d = 31;
			t.h = 23;
			t.mi = 59;
			continue;
		}
		if (v != t.mo) {
			t.mo = v;
			t.d = days_in_month(t.y, t.mo);
			t.h = 23;
			t.mi = 59;
		}
		if (!day_matches(c, &t)) {
			t.d--;
			t.h = 23;
			t.mi = 59;
			continue;
		}
		if ((v = prev_bit(c->hour, t.h)) < 0) {
			t.h = -1;
			t.mi = 59;
			continue;
		}
		if (v != t.h) {
			t.h = v;
			t.mi = 59;
		}
		if ((v = prev_bit(c->minute, t.mi)) < 0) {
			t.mi = 59;
			t.h--;
			continue;
		}
		t.mi = v;
		break;
	}
	*out = civil_to_local(&t);
	return *out < limit ? -ERANGE : 0;
}

/*
 * Checks that tz names a zone file under TZDIR (default
 * /usr/share/zoneinfo) and writes its path: tzset() would silently take an
 * unknown name for UTC.  Returns 0 or -EINVAL.
 */
static int
zone_path(const char *tz, char *path, size_t len)
{
	const char *dir = getenv("TZDIR"), *p;
	char magic[4];
	ssize_t n;
	int fd, rc = -EINVAL;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	/* A relative name of plain components only: no "..", no "/etc/...". */
	for (p = tz; *p != '\0'; p++)
		if (!is_alpha(*p) && !is_digit(*p) &&
		    strchr("/_-+.", *p) == NULL)
			return -EINVAL;
	if (*tz == '/' || *tz == '.' || strstr(tz, "/.") != NULL ||
	    strstr(tz, "//") != NULL || tz[strlen(tz) - 1] == '/')
		return -EINVAL;
	if ((size_t)snprintf(path, len, "%s/%s", dir, tz) >= len)
		return -EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -EINVAL;
	n = read(fd, magic, sizeof(magic));
	if (n == (ssize_t)sizeof(magic) && memcmp(magic, "TZif", 4) == 0)
		rc = 0;
	close(fd);
	return rc;
}

/* Makes tz the local zone, remembering the caller's TZ in z. */
static int
zone_enter(const char *tz, struct zone *z)
{
	char path[PATH_MAX];
	const char *old;
	int rc;

	memset(z, 0, sizeof(*z));
	if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0) {
		z->utc = true;
		return 0;
	}
	if ((rc = zone_path(tz, path, sizeof(path))) < 0)
		return rc;
	if ((old = getenv("TZ")) != NULL && (z->saved = strdup(old)) == NULL)
		return -ENOMEM;
	if (setenv("TZ", path, 1) < 0) {
		free(z->saved);
		return -ENOMEM;
	}
	z->switched = true;
	tzset();
	return 0;
}

static void
zone_leave(struct zone *z)
{
	if (!z->switched)
		return;
	if (z->saved != NULL)
		(void)setenv("TZ", z->saved, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(z->saved);
	z->saved = NULL;
	z->switched = false;
}

int
sched_localtime(const char *tz, time_t t, struct tm *out)
{
	struct zone z;
	int rc;

	if ((rc = zone_enter(tz, &z)) < 0)
		return rc;
	if ((z.utc ? gmtime_r(&t, out) : localtime_r(&t, out)) == NULL)
		rc = -ERANGE;
	zone_leave(&z);
	return rc;
}

/* The zone's UTC offset at instant t, in seconds. */
static int
zone_offset(const struct zone *z, int64_t t, int64_t *off)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (z->utc) {
		*off = 0;
		return 0;
	}
	if (localtime_r(&tt, &tm) == NULL)
		return -ERANGE;
	*off = tm.tm_gmtoff;
	return 0;
}

/*
 * The instant at which local wall time l fires: the instant itself, the
 * first of the two in a repeated hour, or, when the clock skipped l, the
 * first instant after the gap.  The offsets a day either side are the only
 * ones that can apply, as zones change offset at most once in two days.
 */
static int
local_fire(const struct zone *z, int64_t l, int64_t *out)
{
	int64_t o[2], oc, t, lo, hi, mid;
	bool found = false;
	int i, rc;

	if ((rc = zone_offset(z, l - DAY, &o[0])) < 0 ||
	    (rc = zone_offset(z, l + DAY, &o[1])) < 0)
		return rc;
	for (i = 0; i < 2; i++) {
		t = l - o[i];
		if ((rc = zone_offset(z, t, &oc)) < 0)
			return rc;
		if (oc == o[i] && (!found || t < *out)) {
			*out = t;
			found = true;
		}
	}
	if (found)
		return 0;
	/*
	 * In a gap: local time passes l somewhere between the two candidates;
	 * find the first second whose local time is after l.
	 */
	lo = l - o[1];
	hi = l - o[0];
	if (lo >= hi) {
		*out = l - o[0];
		return 0;
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if ((rc = zone_offset(z, mid, &oc)) < 0)
			return rc;
		if (mid + oc > l)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

/*
 * Local wall-clock times map to fire instants in order (a gap collapses to
 * one instant, a repeated hour takes its first pass), so the search walks
 * matching local minutes from the one containing `after` and takes the
 * first whose instant is later; only minutes whose first occurrence was
 * before `after` (in a repeated hour) are passed over.
 */
static int
next_in_zone(const struct sched_cron *c, const struct zone *z, int64_t after,
    int64_t *out)
{
	int64_t off, l, limit, t;
	int rc;

	if ((rc = zone_offset(z, after, &off)) < 0)
		return rc;
	l = floor_div(after + off, 60) * 60;
	limit = l + (int64_t)SEARCH_DAYS * DAY;
	for (;;) {
		if ((rc = civil_next(c, l, limit, &l)) < 0)
			return rc;
		if ((rc = local_fire(z, l, &t)) < 0)
			return rc;
		if (t > after)
			break;
		l += 60;
	}
	*out = t;
	return 0;
}

/*
 * As next_in_zone, backwards.  When `at` is in the second pass of a repeated
 * hour, the rest of that hour already fired in the first pass, so the walk
 * starts at the largest local time `at` may have had: with the larger of
 * the offsets now and a day ago.
 */
static int
prev_in_zone(const struct sched_cron *c, const struct zone *z, int64_t at,
    int64_t *out)
{
	int64_t off, off_before, l, limit, t;
	int rc;

	if ((rc = zone_offset(z, at, &off)) < 0 ||
	    (rc = zone_offset(z, at - DAY, &off_before)) < 0)
		return rc;
	if (off_before > off)
		off = off_before;
	l = floor_div(at + off, 60) * 60;
	limit = l - (int64_t)SEARCH_DAYS * DAY;
	for (;;) {
		if ((rc = civil_prev(c, l, limit, &l)) < 0)
			return rc;
		if ((rc = local_fire(z, l, &t)) < 0)
			return rc;
		if (t <= at)
			break;
		l -= 60;
	}
	*out = t;
	return 0;
}

static int
search(const struct sched_cron *c, const char *tz, time_t from, time_t *res,
    bool forward)
{
	struct zone z;
	int64_t t;
	int rc;

	if ((int64_t)from > TIME_LIMIT || (int64_t)from < -TIME_LIMIT)
		return -ERANGE;
	if ((rc = zone_enter(tz, &z)) < 0)
		return rc;
	if (forward)
		rc = next_in_zone(c, &z, (int64_t)from, &t);
	else
		rc = prev_in_zone(c, &z, (int64_t)from, &t);
	zone_leave(&z);
	if (rc == 0)
		*res = (time_t)t;
	return rc;
}

int
sched_next(const struct sched_cron *c, const char *tz, time_t after,
    time_t *next)
{
	return search(c, tz, after, next, true);
}

int
sched_prev(const struct sched_cron *c, const char *tz, time_t at,
    time_t *prev)
{
	return search(c, tz, at, prev, false);
}

double
sched_backoff(double base, double cap, int attempt)
{
	double d = base;
	int i;

	if (!(base > 0))
		return 0;
	if (!(cap > base))
		return cap;
	/* Doubling stops at the cap, so this runs at most ~2,000 times. */
	for (i = 1; i < attempt; i++) {
		if (d >= cap / 2)
			return cap;
		d *= 2;
	}
	return d;
}
