/* board.c - `fragwatch status`: the status board, one area's indicators, and the sources' freshness. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/assess.h"
#include "daemon/board.h"
#include "daemon/log.h"
#include "extractors/value.h"
#include "transforms/catalog.h"
#include "transforms/status.h"

#define REGION "*"

/* Letters always, colours too on a terminal: the board reads in grey-scale
 * and for colour-blind readers. */
static void
cell(FILE *f, bool colour, const char *status, bool trending)
{
	enum status_light l;
	static const char *const bg[] = { "\033[30;47m", "\033[30;42m",
		"\033[30;43m", "\033[97;41m" };
	char mark = trending ? '^' : ' ';

	if (status == NULL) {
		fputs("  .  ", f);
		return;
	}
	if (status_light_from_name(status, &l) < 0)
		l = STATUS_GREY;
	if (colour)
		fprintf(f, " %s %c \033[0m%c", bg[l], status_light_letter(l), mark);
	else
		fprintf(f, "  %c%c ", status_light_letter(l), mark);
}

/* Prints s cut or padded to width columns, counting UTF-8 characters
 * rather than bytes so that å, ä, ö keep the columns straight. */
static void
put_padded(FILE *f, const char *s, int width)
{
	int cols = 0;

	for (; *s != '\0' && cols < width; cols++) {
		fputc(*s++, f);
		while (((unsigned char)*s & 0xc0) == 0x80)
			fputc(*s++, f);
	}
	for (; cols < width; cols++)
		fputc(' ', f);
}

static int
query(struct db *db, const char *sql, int n, const char *const *params,
    PGresult **r)
{
	char err[512];
	int rc = db_query(db, sql, n, params, r, err, sizeof(err));

	if (rc < 0)
		log_msg(LOG_ERR, "cannot read the board: %s", err);
	return rc;
}

static int
print_grid(struct db *db, const struct conf *c, FILE *f, bool colour)
{
	PGresult *r = NULL;
	int rc;

	rc = query(db, "SELECT DISTINCT ON (area, org) area, org, status, "
	    "as_of, EXISTS (SELECT 1 FROM fragwatch.warnings w WHERE w.area = "
	    "s.area AND w.org = s.org AND w.cleared_at IS NULL) FROM "
	    "fragwatch.area_status s ORDER BY area, org, as_of DESC", 0, NULL,
	    &r);
	if (rc < 0)
		return rc;
	fprintf(f, "%-34s", "area");
	for (size_t o = 0; o < c->norgs; o++)
		fprintf(f, " %-4.4s", c->orgs[o].code);
	fprintf(f, "  region\n");
	for (size_t a = 0; a < c->nareas; a++) {
		fprintf(f, "%-6.6s ", c->areas[a].code);
		put_padded(f, c->areas[a].name, 27);
		for (size_t o = 0; o <= c->norgs; o++) {
			const char *org = o < c->norgs ? c->orgs[o].code : REGION;
			const char *status = NULL;
			bool trending = false;

			for (int i = 0; i < PQntuples(r) && status == NULL; i++)
				if (strcmp(PQgetvalue(r, i, 0), c->areas[a].code) == 0 &&
				    strcmp(PQgetvalue(r, i, 1), org) == 0) {
					status = PQgetvalue(r, i, 2);
					trending = PQgetvalue(r, i, 4)[0] == 't';
				}
			if (o == c->norgs)
				fputs("  ", f);
			cell(f, colour, status, trending);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nG green  Y yellow  R red  - grey (unknown: missing, stale "
	    "or too few cases)  . no data  ^ trending fragile\n");
	PQclear(r);
	return 0;
}

/* The open early warnings, soonest red first, in an owner's words;
 * area and org may be NULL (all). At most max lines. */
static int
print_trending(struct db *db, FILE *f, const char *area, const char *org,
    int max)
{
	const char *params[2] = { area, org };
	PGresult *r = NULL;
	int rc, n;

	rc = query(db, "SELECT area, org, indicator, light, detectors, "
	    "explanation, red_date FROM fragwatch.warnings WHERE cleared_at IS "
	    "NULL AND ($1::text IS NULL OR area = $1) AND ($2::text IS NULL OR "
	    "org = $2) ORDER BY periods_to_red NULLS LAST, area, org, indicator",
	    2, params, &r);
	if (rc < 0)
		return rc;
	n = PQntuples(r);
	if (n > 0)
		fprintf(f, "\ntrending fragile (%d):\n", n);
	for (int i = 0; i < n && i < max; i++) {
		fprintf(f, "  %-6.6s %-4.4s %-9s %-6s %-8s %s", PQgetvalue(r, i, 0),
		    strcmp(PQgetvalue(r, i, 1), REGION) == 0 ? "all" :
		    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
		if (!PQgetisnull(r, i, 6))
			fprintf(f, " (red by %s)", PQgetvalue(r, i, 6));
		fputc('\n', f);
	}
	if (n > max)
		fprintf(f, "  ... %d more: SELECT * FROM fragwatch.trending_fragile\n",
		    n - max);
	PQclear(r);
	return 0;
}

static int
print_sources(struct db *db, const struct conf *c, FILE *f, int32_t today)
{
	PGresult *r = NULL;
	char date[16];
	int rc;

	value_format_date(today, date, sizeof(date));
	fprintf(f, "\n%-12s %-9s %-11s %-19s %9s %8s  %-10s %8s\n", "source",
	    "kind", "last run", "finished", "loaded", "rejected", "data to",
	    "age");
	for (size_t i = 0; i < c->nsources; i++) {
		const struct conf_source *src = &c->sources[i];
		const char *params[2] = { src->name, date };

		rc = query(db, "SELECT status, to_char(finished_at, 'YYYY-MM-DD "
		    "HH24:MI:SS'), rows_loaded, rows_rejected, (SELECT "
		    "max(period_to) FROM fragwatch.runs l WHERE l.source = r.source "
		    "AND l.status IN ('ok', 'ok_with_rejects', 'stale')), greatest(0, "
		    "$2::date - (SELECT max(data_end) FROM fragwatch.runs l WHERE "
		    "l.source = r.source AND l.status IN ('ok', 'ok_with_rejects', "
		    "'stale'))), "
		    "error FROM fragwatch.runs r WHERE source = $1 ORDER "
		    "BY id DESC LIMIT 1", 2, params, &r);
		if (rc < 0)
			return rc;
		if (PQntuples(r) == 0)
			fprintf(f, "%-12s %-9s %-11s\n", src->name, src->kind->name,
			    "never");
		else
			fprintf(f, "%-12s %-9s %-11s %-19s %9s %8s  %-10s %6s d%s%s%s\n",
			    src->name, src->kind->name, PQgetvalue(r, 0, 0),
			    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
			    PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
			    PQgetvalue(r, 0, 5),
			    !PQgetisnull(r, 0, 5) && strtol(PQgetvalue(r, 0, 5), NULL, 10) >
			    src->max_age_days ? "  STALE" : "",
			    PQgetisnull(r, 0, 6) ? "" : "  ", PQgetvalue(r, 0, 6));
		PQclear(r);
	}
	return 0;
}

static const struct conf_code *
find_code(const struct conf_code *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i].code, code) == 0)
			return &v[i];
	return NULL;
}

static void
print_value(FILE *f, int ci, const char *text, int width)
{
	if (text == NULL || text[0] == '\0')
		fprintf(f, "%*s", width, "-");
	else if (catalog[ci].is_share)
		fprintf(f, "%*.1f%%", width - 1, 100 * strtod(text, NULL));
	else
		fprintf(f, "%*.2f", width, strtod(text, NULL));
}

/* One area (region-wide or at one organisation): its status and every
 * indicator with value, light, thresholds and the last 12 periods. */
static int
print_area(struct db *db, const struct conf *c, FILE *f, bool colour,
    const struct conf_code *area, const char *org)
{
	const char *params[3] = { area->code, org, NULL };
	PGresult *r = NULL;
	char green[32], red[32];
	int rc;

	rc = query(db, "SELECT status, score, as_of, drivers, grey_reason FROM "
	    "fragwatch.area_status WHERE area = $1 AND org = $2 ORDER BY as_of "
	    "DESC LIMIT 1", 2, params, &r);
	if (rc < 0)
		return rc;
	fprintf(f, "%s %s, %s\n", area->code, area->name, strcmp(org, REGION) ==
	    0 ? "region-wide" : org);
	if (PQntuples(r) == 0)
		fprintf(f, "no status yet\n");
	else {
		fprintf(f, "status ");
		cell(f, colour, PQgetvalue(r, 0, 0), false);
		fprintf(f, " %s as of %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 2));
		if (!PQgetisnull(r, 0, 1))
			fprintf(f, ", score %.0f %%", 100 * strtod(PQgetvalue(r, 0,
			    1), NULL));
		if (!PQgetisnull(r, 0, 3))
			fprintf(f, "; worse: %s", PQgetvalue(r, 0, 3));
		if (!PQgetisnull(r, 0, 4))
			fprintf(f, "; %s", PQgetvalue(r, 0, 4));
		fputc('\n', f);
	}
	PQclear(r);
	fprintf(f, "\n    %-42s %8s    %-8s %-8s  last 12 periods, oldest first\n",
	    "indicator", "value", "green", "red");
	for (int ci = 0; ci < CATALOG_COUNT; ci++) {
		params[2] = catalog[ci].code;
		rc = query(db, "SELECT value, status, period, grey_reason FROM "
		    "(SELECT * FROM fragwatch.indicator_values WHERE area = $1 AND "
		    "org = $2 AND code = $3 ORDER BY period DESC LIMIT 12) v ORDER "
		    "BY period", 3, params, &r);
		if (rc < 0)
			return rc;
		status_bound_format(&area->thresholds[ci].green, green,
		    sizeof(green));
		status_bound_format(&area->thresholds[ci].red, red, sizeof(red));
		fprintf(f, "%-3s ", catalog[ci].code);
		put_padded(f, catalog[ci].name, 43);
		if (PQntuples(r) == 0)
			fprintf(f, "%8s ", "-");
		else
			print_value(f, ci, PQgetvalue(r, PQntuples(r) - 1, 0), 8);
		cell(f, colour, PQntuples(r) ? PQgetvalue(r, PQntuples(r) - 1, 1) :
		    NULL, false);
		fprintf(f, " %-8s %-8s ", green, red);
		for (int i = 0; i < PQntuples(r); i++)
			print_value(f, ci, PQgetvalue(r, i, 0), 7);
		fputc('\n', f);
		PQclear(r);
	}
	return print_trending(db, f, area->code, org, 100);
}

int
board_print(struct db *db, const struct conf *c, FILE *f, int argc,
    char **argv)
{
	static const struct option longopts[] = {
		{ "area", required_argument, NULL, 'a' },
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *area = NULL, *org = REGION;
	const struct conf_code *a, *o;
	bool colour = isatty(fileno(f)) && getenv("NO_COLOR") == NULL;
	int32_t today = assess_today(c);
	char date[16];
	int ch, rc;

	optind = 0; /* getopt_long is reset for the subcommand's arguments */
	while ((ch = getopt_long(argc + 1, argv - 1, "a:o:", longopts, NULL)) !=
	    -1) {
		if (ch == 'a')
			area = optarg;
		else if (ch == 'o')
			org = optarg;
		else
			return -EINVAL;
	}
	if (area != NULL) {
		if ((a = find_code(c->areas, c->nareas, area)) == NULL) {
			log_msg(LOG_ERR, "no area '%s' in the configuration", area);
			return -EINVAL;
		}
		if (strcmp(org, REGION) != 0) {
			if ((o = find_code(c->orgs, c->norgs, org)) == NULL) {
				log_msg(LOG_ERR, "no organisation '%s'", org);
				return -EINVAL;
			}
			org = o->code;
		}
		return print_area(db, c, f, colour, a, org);
	}
	value_format_date(today, date, sizeof(date));
	fprintf(f, "fragwatch status board, %s\n\n", date);
	if ((rc = print_grid(db, c, f, colour)) < 0 ||
	    (rc = print_trending(db, f, NULL, NULL, 15)) < 0)
		return rc;
	return print_sources(db, c, f, today);
}
