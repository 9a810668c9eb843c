/* board.c - prints the last run per source and the data loaded per kind. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/board.h"
#include "daemon/log.h"

static int
print_sources(struct db *db, const struct conf *c, FILE *f)
{
	char err[512];
	PGresult *r = NULL;
	int rc;

	fprintf(f, "%-12s %-9s %-11s %-19s %10s %8s  %s\n", "source", "kind",
	    "last run", "finished", "loaded", "rejected", "data to");
	for (size_t i = 0; i < c->nsources; i++) {
		const struct conf_source *src = &c->sources[i];
		const char *params[1] = { src->name };

		rc = db_query(db, "SELECT status, to_char(finished_at, "
		    "'YYYY-MM-DD HH24:MI:SS'), rows_loaded, rows_rejected, "
		    "(SELECT max(period_to) FROM fragwatch.runs l WHERE "
		    "l.source = r.source AND l.status = 'loaded'), error FROM "
		    "fragwatch.runs r WHERE source = $1 ORDER BY id DESC LIMIT 1",
		    1, params, &r, err, sizeof(err));
		if (rc < 0) {
			log_msg(LOG_ERR, "cannot read runs: %s", err);
			return rc;
		}
		if (PQntuples(r) == 0)
			fprintf(f, "%-12s %-9s %-11s\n", src->name,
			    src->kind->name, "never");
		else
			fprintf(f, "%-12s %-9s %-11s %-19s %10s %8s  %s%s%s\n",
			    src->name, src->kind->name, PQgetvalue(r, 0, 0),
			    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
			    PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
			    PQgetisnull(r, 0, 5) ? "" : "  ",
			    PQgetvalue(r, 0, 5));
		PQclear(r);
	}
	return 0;
}

static int
print_facts(struct db *db, FILE *f)
{
	static const char *const sql = "SELECT k, count(*), count(DISTINCT "
	    "area), count(DISTINCT org), min(period), max(period) FROM ("
	    "SELECT 'queue' k, area, org, period FROM fragwatch.queue_facts "
	    "UNION ALL SELECT 'referral', area, org, period FROM "
	    "fragwatch.referral_facts UNION ALL SELECT 'staffing', area, org, "
	    "period FROM fragwatch.staffing_facts) x GROUP BY k ORDER BY k";
	char err[512];
	PGresult *r = NULL;
	int rc;

	if ((rc = db_query(db, sql, 0, NULL, &r, err, sizeof(err))) < 0) {
		log_msg(LOG_ERR, "cannot read facts: %s", err);
		return rc;
	}
	fprintf(f, "\n%-9s %9s %6s %5s  %-10s  %-10s\n", "kind", "rows", "areas",
	    "orgs", "from", "to");
	for (int i = 0; i < PQntuples(r); i++)
		fprintf(f, "%-9s %9s %6s %5s  %-10s  %-10s\n", PQgetvalue(r, i, 0),
		    PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
	PQclear(r);
	return 0;
}

int
board_print(struct db *db, const struct conf *c, FILE *f, int argc,
    char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = print_sources(db, c, f)) < 0)
		return rc;
	return print_facts(db, f);
}
