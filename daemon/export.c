/* export.c - `fragwatch export`: any analyst view streamed as CSV, row by row. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/csvout.h"
#include "daemon/export.h"
#include "daemon/log.h"

static int
db_err(struct db *db, PGresult *res, char *err, size_t errlen)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) : "";

	if (m == NULL || m[0] == '\0')
		m = PQerrorMessage(db->conn);
	snprintf(err, errlen, "%.*s", (int)strcspn(m, "\n"), m);
	return -EREMOTEIO;
}

/* The view's name as the catalogue spells it, if it is an analyst view;
 * else the list of those in err. */
static int
find_view(struct db *db, const char *view, char **name, char *err,
    size_t errlen)
{
	PGresult *res = NULL;
	const char *params[1] = { view };
	int rc;

	rc = db_query(db, "WITH v AS (SELECT c.relname::text AS name FROM "
	    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
	    "n.nspname = 'fragwatch' AND c.relkind IN ('v', 'm') AND "
	    "has_table_privilege('fragwatch_reader', c.oid, 'SELECT')) "
	    "SELECT EXISTS (SELECT 1 FROM v WHERE name = $1), (SELECT "
	    "string_agg(name, ', ' ORDER BY name) FROM v)", 1, params, &res,
	    err, errlen);
	if (rc < 0)
		return -EREMOTEIO;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		rc = (*name = strdup(view)) != NULL ? 0 : -ENOMEM;
	else {
		snprintf(err, errlen, "no analyst view '%s'; the views are: %s",
		    view, PQgetisnull(res, 0, 1) ? "none" : PQgetvalue(res, 0, 1));
		rc = -ENOENT;
	}
	PQclear(res);
	return rc;
}

int
export_csv(struct db *db, const struct conf *c, const struct export_opts *o,
    FILE *f, char *err, size_t errlen)
{
	const char *params[1] = { c->timezone };
	struct csvout w;
	PGresult *res;
	char *name = NULL, *ident = NULL, *sql = NULL;
	bool header = false;
	int rc;

	if ((rc = find_view(db, o->view, &name, err, errlen)) < 0)
		return rc;
	/* Timestamps in the region's time, as the people reading them live. */
	if ((rc = db_query(db, "SELECT set_config('TimeZone', $1, false)", 1,
	    params, NULL, err, errlen)) < 0) {
		rc = -EREMOTEIO;
		goto out;
	}
	/* The name is checked against the catalogue and quoted: identifiers
	 * cannot be parameters. */
	if ((ident = PQescapeIdentifier(db->conn, name, strlen(name))) == NULL ||
	    asprintf(&sql, "SELECT * FROM fragwatch.%s", ident) < 0) {
		sql = NULL;
		rc = db_err(db, NULL, err, errlen);
		goto out;
	}
	if (!PQsendQuery(db->conn, sql) || !PQsetSingleRowMode(db->conn)) {
		rc = db_err(db, NULL, err, errlen);
		goto out;
	}
	csvout_init(&w, f, o->semicolon ? ';' : ',', o->bom);
	/* Every result is read, also after an error, so the session stays
	 * usable. */
	while ((res = PQgetResult(db->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
			if (!header) {
				for (int j = 0; j < PQnfields(res); j++)
					csvout_field(&w, PQfname(res, j));
				csvout_end_row(&w);
				header = true;
			}
			for (int i = 0; i < PQntuples(res); i++) {
				for (int j = 0; j < PQnfields(res); j++)
					csvout_field(&w, PQgetisnull(res, i, j) ? NULL :
					    PQgetvalue(res, i, j));
				csvout_end_row(&w);
			}
		} else if (rc == 0)
			rc = db_err(db, res, err, errlen);
		PQclear(res);
	}
	if (rc == 0 && (rc = csvout_finish(&w)) < 0)
		snprintf(err, errlen, "cannot write the CSV: %s", strerror(-rc));
out:
	free(sql);
	PQfreemem(ident);
	free(name);
	return rc;
}

static void
export_usage(void)
{
	fprintf(stderr, "usage: fragwatch export --view NAME [--format csv] "
	    "[--bom] [--semicolon] [-o FILE]\n");
}

int
export_command(struct db *db, const struct conf *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "view", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "bom", no_argument, NULL, 'b' },
		{ "semicolon", no_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct export_opts o = { 0 };
	const char *out = NULL;
	FILE *f = stdout;
	char err[512];
	int ch, rc;

	optind = 0; /* getopt_long is reset for the subcommand's arguments */
	while ((ch = getopt_long(argc + 1, argv - 1, "o:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'v':
			o.view = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "csv") != 0) {
				fprintf(stderr, "fragwatch: unknown format '%s' "
				    "(csv is the one there is)\n", optarg);
				return 2;
			}
			break;
		case 'b':
			o.bom = true;
			break;
		case 's':
			o.semicolon = true;
			break;
		case 'o':
			out = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		default:
			export_usage();
			return 2;
		}
	}
	if (o.view == NULL || optind != argc + 1) {
		export_usage();
		return 2;
	}
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		log_msg(LOG_ERR, "cannot write '%s': %s", out, strerror(errno));
		return 1;
	}
	rc = export_csv(db, c, &o, f, err, sizeof(err));
	if (f != stdout && fclose(f) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "cannot write '%s': %s", out,
		    strerror(errno));
	}
	if (rc < 0) {
		log_msg(LOG_ERR, "%s", err);
		/* No half file left behind to be mistaken for the view. */
		if (f != stdout)
			remove(out);
	}
	return rc == 0 ? 0 : rc == -ENOENT ? 2 : rc == -EREMOTEIO ? 4 : 1;
}
