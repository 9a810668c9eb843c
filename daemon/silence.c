/* silence.c - operator silences of an area's alerts: `fragwatch silence add|list|expire`, kept and audited in the database. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/silence.h"
#include "extractors/value.h"

int
silence_parse_duration(const char *s, long *seconds)
{
	char *end;
	long n, unit;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	n = strtol(s, &end, 10);
	if (errno != 0 || n <= 0 || end[0] == '\0' || end[1] != '\0')
		return -EINVAL;
	switch (*end) {
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -EINVAL;
	}
	if (n > 366L * 86400 / unit)
		return -EINVAL;
	*seconds = n * unit;
	return 0;
}

int
silence_check_until(const char *s)
{
	char date[11];
	int32_t days;
	int h, m, used = 0;

	if (s == NULL || strlen(s) < 10)
		return -EINVAL;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (value_parse_date(date, "%Y-%m-%d", &days) < 0)
		return -EINVAL;
	if (s[10] == '\0')
		return 0;
	if (s[10] != ' ' || strlen(s) != 16 || s[11] < '0' || s[11] > '9' ||
	    sscanf(s + 11, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5 ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		return -EINVAL;
	return 0;
}

static bool
has_code(const struct conf_code *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return true;
	return false;
}

static const char *
default_author(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u != NULL && *u != '\0')
		return u;
	if ((pw = getpwuid(geteuid())) != NULL)
		return pw->pw_name;
	return "unknown";
}

/* Prints silences from a query's rows (see the SELECT in list). */
static void
print_rows(PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++)
		printf("%4s  %-8s %-6s %s .. %s  %-7s %s: %s%s%s\n",
		    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    PQgetisnull(r, i, 2) ? "(all)" : PQgetvalue(r, i, 2),
		    PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 7),
		    PQgetvalue(r, i, 5), PQgetvalue(r, i, 6),
		    PQgetisnull(r, i, 8) ? "" : "; expired by ",
		    PQgetisnull(r, i, 8) ? "" : PQgetvalue(r, i, 8));
}

#define COLUMNS(tz) "id, area, org, to_char(starts_at AT TIME ZONE " tz ", " \
	"'YYYY-MM-DD HH24:MI'), to_char(coalesce(least(expired_at, ends_at), " \
	"ends_at) AT TIME ZONE " tz ", 'YYYY-MM-DD HH24:MI'), author, reason, " \
	"CASE WHEN expired_at IS NOT NULL THEN 'expired' WHEN now() >= " \
	"ends_at THEN 'ended' WHEN now() < starts_at THEN 'future' ELSE " \
	"'active' END, expired_by"

static int
add(struct db *db, const struct conf *c, const char *area, const char *org,
    const char *until, const char *dur, const char *reason,
    const char *author)
{
	char secs[32];
	const char *p[7] = { area, org, until, secs, reason, author,
		c->timezone };
	PGresult *r = NULL;
	char err[512];
	long seconds = 0;
	int rc;

	if (!has_code(c->areas, c->nareas, area)) {
		fprintf(stderr, "fragwatch: no area '%s' in '%s'\n", area, c->path);
		return -EINVAL;
	}
	if (org != NULL && !has_code(c->orgs, c->norgs, org)) {
		fprintf(stderr, "fragwatch: no organisation '%s' in '%s'\n", org,
		    c->path);
		return -EINVAL;
	}
	if ((until == NULL) == (dur == NULL)) {
		fprintf(stderr, "fragwatch: silence add needs one of --until "
		    "DATE or --for DURATION\n");
		return -EINVAL;
	}
	if (until != NULL && silence_check_until(until) < 0) {
		fprintf(stderr, "fragwatch: --until '%s' is not YYYY-MM-DD or "
		    "\"YYYY-MM-DD HH:MM\"\n", until);
		return -EINVAL;
	}
	if (dur != NULL && silence_parse_duration(dur, &seconds) < 0) {
		fprintf(stderr, "fragwatch: --for '%s' is not a duration such as "
		    "90m, 12h, 7d, 2w (at most a year)\n", dur);
		return -EINVAL;
	}
	if (reason == NULL || *reason == '\0' || *author == '\0') {
		fprintf(stderr, "fragwatch: silence add needs --reason TEXT (and "
		    "an author)\n");
		return -EINVAL;
	}
	snprintf(secs, sizeof(secs), "%ld", seconds);
	rc = db_query(db, "INSERT INTO fragwatch.silences (area, org, ends_at, "
	    "reason, author) SELECT $1, $2, e, $5, $6 FROM (SELECT CASE WHEN "
	    "$3::text IS NULL THEN now() + make_interval(secs => $4::float8) "
	    "WHEN length($3::text) = 10 THEN ($3::date + 1)::timestamp AT TIME "
	    "ZONE $7::text ELSE $3::timestamp AT TIME ZONE $7::text END AS e) x "
	    "WHERE e > now() "
	    "RETURNING " COLUMNS("$7"), 7, p, &r, err, sizeof(err));
	if (rc < 0)
		log_msg(LOG_ERR, "cannot add the silence: %s", err);
	else if (PQntuples(r) == 0) {
		fprintf(stderr, "fragwatch: --until '%s' is in the past\n", until);
		rc = -EINVAL;
	} else {
		printf("added silence:\n");
		print_rows(r);
	}
	PQclear(r);
	return rc;
}

static int
list(struct db *db, const struct conf *c, bool all)
{
	const char *p[2] = { c->timezone, all ? "t" : "f" };
	PGresult *r = NULL;
	char err[512];
	int rc;

	rc = db_query(db, "SELECT " COLUMNS("$1") " FROM fragwatch.silences "
	    "WHERE $2::boolean OR (expired_at IS NULL AND ends_at > now()) "
	    "ORDER BY id", 2, p, &r, err, sizeof(err));
	if (rc < 0)
		log_msg(LOG_ERR, "cannot list silences: %s", err);
	else if (PQntuples(r) == 0)
		printf("no %ssilences\n", all ? "" : "active ");
	else
		print_rows(r);
	PQclear(r);
	return rc;
}

static int
expire(struct db *db, const struct conf *c, const char *id,
    const char *author)
{
	const char *p[3] = { id, author, c->timezone };
	PGresult *r = NULL;
	char err[512];
	int rc;

	if (strspn(id, "0123456789") != strlen(id) || strlen(id) == 0 ||
	    strlen(id) > 18) {
		fprintf(stderr, "fragwatch: '%s' is not a silence id\n", id);
		return -EINVAL;
	}
	rc = db_query(db, "UPDATE fragwatch.silences SET expired_at = now(), "
	    "expired_by = $2 WHERE id = $1::bigint AND expired_at IS NULL AND "
	    "ends_at > now() RETURNING " COLUMNS("$3"), 3, p, &r, err,
	    sizeof(err));
	if (rc < 0)
		log_msg(LOG_ERR, "cannot expire silence %s: %s", id, err);
	else if (PQntuples(r) == 0) {
		fprintf(stderr, "fragwatch: no active silence %s\n", id);
		rc = -ENOENT;
	} else {
		printf("expired silence (held alerts go out at the next "
		    "delivery):\n");
		print_rows(r);
	}
	PQclear(r);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: fragwatch silence add --area AREA [--org ORG] "
	    "(--until DATE | --for DURATION)\n"
	    "                 --reason TEXT [--author NAME]\n"
	    "       fragwatch silence list [--all]\n"
	    "       fragwatch silence expire ID [--author NAME]\n");
	return -EINVAL;
}

int
silence_command(struct db *db, const struct conf *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "area", required_argument, NULL, 'a' },
		{ "org", required_argument, NULL, 'o' },
		{ "until", required_argument, NULL, 'u' },
		{ "for", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "author", required_argument, NULL, 'w' },
		{ "all", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	const char *area = NULL, *org = NULL, *until = NULL, *dur = NULL;
	const char *reason = NULL, *author = default_author(), *verb;
	bool all = false;
	int ch;

	if (argc < 1)
		return usage();
	verb = argv[0];
	optind = 0;  /* full re-initialisation; argv[0] (the verb) is skipped */
	/* Options may follow the id: "expire 3 --author anna". */
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': area = optarg; break;
		case 'o': org = optarg; break;
		case 'u': until = optarg; break;
		case 'f': dur = optarg; break;
		case 'r': reason = optarg; break;
		case 'w': author = optarg; break;
		case 'A': all = true; break;
		default: return usage();
		}
	}
	if (strcmp(verb, "add") == 0 && optind == argc && area != NULL && !all)
		return add(db, c, area, org, until, dur, reason, author);
	if (strcmp(verb, "list") == 0 && optind == argc && area == NULL &&
	    org == NULL && until == NULL && dur == NULL && reason == NULL)
		return list(db, c, all);
	if (strcmp(verb, "expire") == 0 && optind + 1 == argc && area == NULL &&
	    !all)
		return expire(db, c, argv[optind], author);
	return usage();
}
