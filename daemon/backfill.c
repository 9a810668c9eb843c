/* backfill.c - the extracts that make up a range of a source's history: dated URLs or drop-directory files. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "daemon/backfill.h"
#include "daemon/dropdir.h"

static int
push(char ***urls, size_t *n, char *url)
{
	char **grown;

	if (url == NULL || (grown = realloc(*urls, (*n + 1) *
	    sizeof(*grown))) == NULL) {
		free(url);
		return -ENOMEM;
	}
	*urls = grown;
	(*urls)[(*n)++] = url;
	return 0;
}

static int
dated_urls(const struct conf_source *src, int32_t from, int32_t to,
    char ***urls, size_t *n)
{
	for (int32_t d = value_period_start(from, src->period); d <= to;
	    d = value_period_next(d, src->period)) {
		struct tm tm = { 0 };
		char buf[4096];
		int y, m, day;

		value_civil_from_days(d, &y, &m, &day);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = day;
		/* mktime in UTC fills the weekday and day of the year that
		 * %V, %G, %u and %j need. */
		(void)timegm(&tm);
		/* The pattern is the operator's, checked by conf. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (strftime(buf, sizeof(buf), src->backfill_url, &tm) == 0)
			return -ENAMETOOLONG;
#pragma GCC diagnostic pop
		if (push(urls, n, strdup(buf)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The first date in a file name, or -1: 2024-03-01, 20240301, 2024-03
 * (its first day) or 2024-W09 (its Monday). */
static int32_t
date_in_name(const char *name)
{
	static const char *const fmts[] = { "%Y-%m-%d", "%Y%m%d", "%G-W%V",
		"%Y-%m" };

	for (const char *p = name; *p != '\0'; p++) {
		if (!isdigit((unsigned char)p[0]) || (p != name &&
		    isdigit((unsigned char)p[-1])))
			continue;
		for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
			/* value_parse_date wants the whole string: try each
			 * length the format can have, within the name. */
			for (size_t len = 6, max = strnlen(p, 10); len <= max;
			    len++) {
				char buf[11];
				int32_t days;

				if (isdigit((unsigned char)p[len]))
					continue;
				memcpy(buf, p, len);
				buf[len] = '\0';
				if (value_parse_date(buf, fmts[f], &days) == 0)
					return days;
			}
		}
	}
	return -1;
}

static int
dir_urls(const struct conf_source *src, int32_t from, int32_t to,
    char ***urls, size_t *n)
{
	char done[4096], **names = NULL, *url;
	size_t nnames = 0;
	int rc;

	snprintf(done, sizeof(done), "%s/done", src->url + strlen("dir://"));
	if ((rc = dropdir_list(done, &names, &nnames)) < 0)
		return rc == -ENOENT ? 0 : rc;
	for (size_t i = 0; i < nnames && rc == 0; i++) {
		int32_t d = date_in_name(names[i]);
		char *esc;

		if (d < 0 || d < value_period_start(from, src->period) || d > to)
			continue;
		/* A name may hold spaces, '#' or '%': not URL syntax. */
		url = NULL;
		if ((esc = curl_easy_escape(NULL, names[i], 0)) != NULL &&
		    asprintf(&url, "file://%s/%s", done, esc) < 0)
			url = NULL;
		curl_free(esc);
		rc = push(urls, n, url);
	}
	dropdir_free(names, nnames);
	return rc;
}

int
backfill_urls(const struct conf_source *src, int32_t from, int32_t to,
    char ***urls, size_t *n, char *err, size_t errlen)
{
	int rc;

	*urls = NULL;
	*n = 0;
	if (from > to) {
		snprintf(err, errlen, "--from is after --to");
		return -EINVAL;
	}
	if (src->backfill_url != NULL)
		rc = dated_urls(src, from, to, urls, n);
	else if (src->drop_dir)
		rc = dir_urls(src, from, to, urls, n);
	else {
		snprintf(err, errlen, "source '%s' has neither a backfill_url "
		    "nor a drop directory (dir://)", src->name);
		return -EINVAL;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot list the extracts of source "
		    "'%s': %s", src->name, strerror(-rc));
		backfill_free(*urls, *n);
		*urls = NULL;
		*n = 0;
	}
	return rc;
}

void
backfill_free(char **urls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
}
