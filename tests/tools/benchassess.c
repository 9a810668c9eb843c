/* benchassess.c - make bench: times the assessment step alone (indicators, lights, statuses, history, early warnings) on a loaded database. */
/*
 * usage: benchassess CONFIG FROM REPEAT
 *
 * Runs assess_run() and trending_run() REPEAT times from period FROM
 * (YYYY-MM-DD), each pair in a
 * transaction that is rolled back, so every repetition sees the same
 * database; prints the seconds of each, one a line. The run id is the
 * latest in fragwatch.runs. "Today" is $FRAGWATCH_TODAY or the region's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "daemon/assess.h"
#include "daemon/conf.h"
#include "daemon/db.h"
#include "daemon/trending.h"
#include "extractors/value.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct conf_errors errs = { 0 };
	struct conf *c;
	struct db *db = NULL;
	PGresult *r = NULL;
	char err[512];
	int32_t from;
	int64_t run_id;
	char *end = NULL;
	long repeat = 0;
	int rc = 1;

	if (argc == 4)
		repeat = strtol(argv[3], &end, 10);
	if (argc != 4 || value_parse_date(argv[2], "%Y-%m-%d", &from) < 0 ||
	    *end != '\0' || repeat < 1 || repeat > 1000) {
		fprintf(stderr, "usage: benchassess CONFIG FROM REPEAT\n");
		return 2;
	}
	if ((c = conf_load(argv[1], &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		return 1;
	}
	if (db_open(c, false, &db, err, sizeof(err)) < 0 ||
	    db_query(db, "SELECT max(id) FROM fragwatch.runs", 0, NULL, &r, err,
	    sizeof(err)) < 0 || PQgetisnull(r, 0, 0)) {
		fprintf(stderr, "benchassess: %s\n", r ? "no runs" : err);
		goto out;
	}
	run_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	for (long i = 0; i < repeat; i++) {
		double t0;

		if (db_exec(db, "BEGIN", err, sizeof(err)) < 0)
			goto fail;
		t0 = now();
		if (assess_run(db, c, run_id, from, assess_today(c), err,
		    sizeof(err)) < 0 || trending_run(db, c, run_id, err,
		    sizeof(err)) < 0)
			goto fail;
		printf("%.3f\n", now() - t0);
		if (db_exec(db, "ROLLBACK", err, sizeof(err)) < 0)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "benchassess: %s\n", err);
out:
	PQclear(r);
	db_close(db);
	conf_free(c);
	conf_errors_clear(&errs);
	return rc;
}
