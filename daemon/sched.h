/* sched.h - cron expressions and their fire times in a time zone (pure). */
#ifndef FRAGWATCH_SCHED_H
#define FRAGWATCH_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A parsed 5-field cron expression: bit n of a set is value n.  dom_star and
 * dow_star follow Vixie cron: a day field that starts with '*' (so also
 * "*" followed by "/2") does not restrict the day.  When neither does, a day
 * matches if its day of month OR its day of week matches; otherwise both
 * must (the unrestricted one always does).
 */
struct sched_cron {
	uint64_t minute;  /* bits 0-59 */
	uint32_t hour;    /* bits 0-23 */
	uint32_t dom;     /* bits 1-31 */
	uint16_t month;   /* bits 1-12 */
	uint8_t dow;      /* bits 0-6, 0 = Sunday (7 in the text = Sunday) */
	bool dom_star;
	bool dow_star;
};

/*
 * Parses "minute hour day-of-month month day-of-week", fields separated by
 * blanks.  Each field is a comma list of "*", "N", "N-M", "*" "/S" or "N-M/S";
 * month names jan..dec and weekday names sun..sat (any case) may stand for
 * numbers, and 7 is Sunday.  A step must be 1 up to the field's size (60
 * minutes, 24 hours, 31 days, 12 months, 7 weekdays); "N/S" is refused as
 * ambiguous (write "N-59/S").  Also accepted, alone: @hourly, @daily,
 * @midnight, @weekly, @monthly, @yearly, @annually.  Returns 0, or -EINVAL
 * with the reason in err (e.g. "minute 61 out of range 0-59"); *out is
 * written only on success.
 */
int sched_parse(const char *expr, struct sched_cron *out, char *err,
    size_t errlen);

/*
 * The first fire time strictly after `after` (UTC seconds), the cron being
 * read in the IANA zone tz (e.g. "Europe/Stockholm"; NULL, "" or "UTC" mean
 * UTC).  Daylight saving, per DESIGN.md §9:
 *  - a matching local time the clock skips (spring forward) fires once, at
 *    the first instant after the gap; several skipped matches, and a real
 *    match of that instant (e.g. "0 3" when 02:00 jumps to 03:00), all
 *    fire that once;
 *  - a matching local time that occurs twice (fall back) fires only at its
 *    first occurrence, so nothing fires in the second pass of the hour.
 * Returns 0, -EINVAL for an unknown zone, -ERANGE when nothing fires within
 * 5 years (e.g. "0 0 30 2 *") or `after` is absurdly far from now, -ENOMEM.
 * The zone is switched through the TZ variable and the caller's TZ is put
 * back before returning, so this is not thread-safe.
 */
int sched_next(const struct sched_cron *c, const char *tz, time_t after,
    time_t *next);

/*
 * The latest fire time at or before `at`, with the rules and returns of
 * sched_next (searching 5 years back): the run to catch up after downtime.
 */
int sched_prev(const struct sched_cron *c, const char *tz, time_t at,
    time_t *prev);

/*
 * Retry delay for the attempt-th retry (1, 2, ...): base * 2^(attempt-1),
 * at most cap.  attempt < 1 counts as 1; never overflows, whatever attempt.
 * A base that is not positive gives 0; a cap below base gives cap.
 */
double sched_backoff(double base, double cap, int attempt);

/* The local time of instant t in the zone tz (as sched_next() reads it),
 * the caller's TZ put back afterwards. Returns 0, -EINVAL for an unknown
 * zone, or -ERANGE. */
int sched_localtime(const char *tz, time_t t, struct tm *out);

#endif
