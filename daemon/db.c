/* db.c - libpq session, the private embedded cluster (initdb + pg_ctl), migrations. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "daemon/db.h"
#include "daemon/migrations.h"

#ifndef FRAGWATCH_PG_BINDIR
#define FRAGWATCH_PG_BINDIR "/usr/lib/postgresql/15/bin"
#endif

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* libpq's messages end with a newline; ours do not. */
static const char *
pq_message(const char *msg)
{
	static char buf[512];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", msg ? msg : "unknown error");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

char *
db_read_secret(const char *path, const char *name)
{
	char buf[4096], *credpath = NULL, *secret = NULL;
	const char *dir;
	FILE *f;
	size_t n;

	if (path == NULL) {
		if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL) {
			errno = ENOENT;
			return NULL;
		}
		if (asprintf(&credpath, "%s/%s", dir, name) < 0)
			return NULL;
		path = credpath;
	}
	if ((f = fopen(path, "re")) == NULL)
		goto out;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		n = strcspn(buf, "\r\n");
		secret = strndup(buf, n);
	} else
		errno = ENODATA;
	fclose(f);
out:
	free(credpath);
	return secret;
}

/* Runs a PostgreSQL program, as user when non-NULL (we are root and
 * initdb refuses to run as root), with its output appended to logpath. */
static int
spawn(const char *user, const char *logpath, char *const argv[], char *err,
    size_t errlen)
{
	struct passwd *pw = NULL;
	pid_t pid;
	int status, fd;

	if (user != NULL && (pw = getpwnam(user)) == NULL)
		return set_err(err, errlen, -ENOENT, "no user '%s' to run the "
		    "embedded database as (set database.embedded_user)", user);
	if ((pid = fork()) < 0)
		return set_err(err, errlen, -errno, "cannot fork: %s",
		    strerror(errno));
	if (pid == 0) {
		if (pw != NULL && (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
		    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
			_exit(126);
		if ((fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0600)) >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if ((fd = open("/dev/null", O_RDONLY)) >= 0)
			dup2(fd, STDIN_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return set_err(err, errlen, -errno, "waitpid: %s",
			    strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return set_err(err, errlen, -ECHILD, "%s failed (exit %d); see "
		    "%s", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    logpath);
	return 0;
}

/* True if user can enter dir (every parent must be searchable by it). */
static bool
reachable_as(const char *user, const char *dir)
{
	struct passwd *pw = getpwnam(user);
	pid_t pid;
	int status;

	if (pw == NULL || (pid = fork()) < 0)
		return false;
	if (pid == 0) {
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(2);
		_exit(access(dir, X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Makes dir (mode) owned by the cluster's user when we are root. */
static int
make_dir(const char *dir, mode_t mode, const char *owner)
{
	struct passwd *pw;

	if (mkdir(dir, mode) != 0 && errno != EEXIST)
		return -errno;
	if (owner != NULL && (pw = getpwnam(owner)) != NULL &&
	    chown(dir, pw->pw_uid, pw->pw_gid) != 0)
		return -errno;
	return 0;
}

static PGconn *
connect_embedded(const struct db *db, const char *dbname)
{
	const char *const keys[] = { "host", "dbname", "user",
		"application_name", NULL };
	const char *const vals[] = { db->sockdir, dbname, "fragwatch",
		"fragwatch", NULL };

	return PQconnectdbParams(keys, vals, 0);
}

/* Creates the cluster on first use, starts it if it is not running, and
 * creates the database fragwatch in it. */
static int
open_embedded(struct db *db, const struct conf *c, char *err, size_t errlen)
{
	char *pgbin = getenv("FRAGWATCH_PG_BINDIR"), path[4096], logpath[4096];
	char conf_line[4096];
	const char *owner = geteuid() == 0 ? c->embedded_user : NULL;
	struct stat st;
	PGconn *conn = NULL;
	PGresult *r = NULL;
	FILE *f;
	int rc;

	if (pgbin == NULL)
		pgbin = FRAGWATCH_PG_BINDIR;
	if (owner != NULL && (db->run_as = strdup(owner)) == NULL)
		return -ENOMEM;
	if (asprintf(&db->datadir, "%s/pg", c->state_dir) < 0 ||
	    asprintf(&db->sockdir, "%s/run", c->state_dir) < 0)
		return -ENOMEM;
	if (strlen(db->sockdir) > 90)
		return set_err(err, errlen, -ENAMETOOLONG, "state directory "
		    "'%s' is too long for a unix socket path", c->state_dir);
	snprintf(logpath, sizeof(logpath), "%s/postgresql.log", c->state_dir);
	if ((rc = make_dir(c->state_dir, 0755, NULL)) < 0 ||
	    (rc = make_dir(db->sockdir, 0700, owner)) < 0)
		return set_err(err, errlen, rc, "cannot create '%s': %s",
		    c->state_dir, strerror(-rc));
	if (owner != NULL && !reachable_as(owner, c->state_dir))
		return set_err(err, errlen, -EACCES, "the embedded database runs "
		    "as user '%s' (PostgreSQL refuses root), which cannot reach "
		    "'%s': choose a state_dir it can reach", owner, c->state_dir);
	if (owner != NULL) {
		/* The log is written by the cluster's user. */
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		struct passwd *pw = getpwnam(owner);

		if (fd >= 0) {
			if (pw != NULL && fchown(fd, pw->pw_uid, pw->pw_gid) != 0)
				rc = -errno;
			close(fd);
		}
	}

	snprintf(path, sizeof(path), "%s/PG_VERSION", db->datadir);
	if (stat(path, &st) != 0) {
		char initdb[4096];
		char *const argv[] = { initdb, "-D", db->datadir, "-U",
			"fragwatch", "--auth=trust", "-E", "UTF8", "--no-locale",
			"--no-instructions", NULL };

		if ((rc = make_dir(db->datadir, 0700, owner)) < 0)
			return set_err(err, errlen, rc, "cannot create '%s': %s",
			    db->datadir, strerror(-rc));
		snprintf(initdb, sizeof(initdb), "%s/initdb", pgbin);
		if ((rc = spawn(owner, logpath, argv, err, errlen)) < 0)
			return rc;
		/* Only this state directory's socket, no TCP at all. */
		snprintf(path, sizeof(path), "%s/postgresql.auto.conf",
		    db->datadir);
		snprintf(conf_line, sizeof(conf_line), "listen_addresses = ''\n"
		    "unix_socket_directories = '%s'\n"
		    "unix_socket_permissions = 0700\n", db->sockdir);
		if ((f = fopen(path, "ae")) == NULL ||
		    fputs(conf_line, f) < 0 || fclose(f) != 0)
			return set_err(err, errlen, -EIO, "cannot write '%s'",
			    path);
	}

	conn = connect_embedded(db, "postgres");
	if (PQstatus(conn) != CONNECTION_OK) {
		char pg_ctl[4096];
		/* jit=off: the service's MemoryDenyWriteExecute forbids what
		 * LLVM's JIT needs, and our queries are short; given at each
		 * start so that clusters made before this also get it. */
		char *const argv[] = { pg_ctl, "-D", db->datadir, "-l", logpath,
			"-o", "-c jit=off", "-w", "-t", "120", "-s", "start", NULL };

		PQfinish(conn);
		conn = NULL;
		snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", pgbin);
		if ((rc = spawn(owner, logpath, argv, err, errlen)) < 0)
			return rc;
		db->started = true;
		conn = connect_embedded(db, "postgres");
		if (PQstatus(conn) != CONNECTION_OK) {
			rc = set_err(err, errlen, -ECONNREFUSED, "cannot connect "
			    "to the embedded database in '%s': %s", db->datadir,
			    pq_message(PQerrorMessage(conn)));
			goto out;
		}
	}
	r = PQexec(conn, "SELECT 1 FROM pg_database WHERE datname = 'fragwatch'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0) {
		PQclear(r);
		r = PQexec(conn, "CREATE DATABASE fragwatch");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = set_err(err, errlen, -EIO, "cannot create database: "
			    "%s", pq_message(PQresultErrorMessage(r)));
			goto out;
		}
	}
	db->conn = connect_embedded(db, "fragwatch");
	if (PQstatus(db->conn) != CONNECTION_OK)
		rc = set_err(err, errlen, -ECONNREFUSED, "cannot connect to the "
		    "embedded database: %s", pq_message(PQerrorMessage(db->conn)));
out:
	PQclear(r);
	PQfinish(conn);
	return rc;
}

static int
open_server(struct db *db, const struct conf *c, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "application_name", "password", NULL };
	const char *vals[] = { c->conninfo, "fragwatch", NULL, NULL };
	char *password;
	int rc = 0;

	/* A missing secret is fine: the server may use peer or cert auth. */
	password = db_read_secret(c->password_file, "db-password");
	if (password == NULL && c->password_file != NULL)
		return set_err(err, errlen, -errno, "cannot read password file "
		    "'%s': %s", c->password_file, strerror(errno));
	vals[2] = password;
	if (password == NULL)
		keys[2] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK)
		rc = set_err(err, errlen, -ECONNREFUSED, "cannot connect to the "
		    "database: %s", pq_message(PQerrorMessage(db->conn)));
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return rc;
}

int
db_open(const struct conf *c, bool keep_cluster, struct db **out, char *err,
    size_t errlen)
{
	struct db *db = calloc(1, sizeof(*db));
	char sql[128];
	int rc;

	if (db == NULL)
		return set_err(err, errlen, -ENOMEM, "out of memory");
	rc = c->conninfo != NULL ? open_server(db, c, err, errlen) :
	    open_embedded(db, c, err, errlen);
	if (rc == 0) {
		snprintf(sql, sizeof(sql), "SET statement_timeout = '%ds'",
		    c->statement_timeout);
		rc = db_exec(db, sql, err, errlen);
	}
	if (rc == 0)
		rc = db_exec(db, "SET client_min_messages = warning", err,
		    errlen);
	if (keep_cluster)
		db->started = false;
	if (rc < 0) {
		db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	if (db->started) {
		char pg_ctl[4096], logpath[4096], err[256];
		const char *pgbin = getenv("FRAGWATCH_PG_BINDIR");
		char *const argv[] = { pg_ctl, "-D", db->datadir, "-w", "-s",
			"-m", "fast", "stop", NULL };

		if (pgbin == NULL)
			pgbin = FRAGWATCH_PG_BINDIR;
		snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", pgbin);
		snprintf(logpath, sizeof(logpath), "%s/../postgresql.log",
		    db->datadir);
		(void)spawn(db->run_as, logpath, argv, err, sizeof(err));
	}
	free(db->datadir);
	free(db->sockdir);
	free(db->run_as);
	free(db);
}

bool
db_lost(const struct db *db)
{
	return PQstatus(db->conn) != CONNECTION_OK;
}

int
db_exec(struct db *db, const char *sql, char *err, size_t errlen)
{
	return db_query(db, sql, 0, NULL, NULL, err, errlen);
}

int
db_query(struct db *db, const char *sql, int nparams,
    const char *const *params, PGresult **out, char *err, size_t errlen)
{
	/* Without parameters the simple protocol runs several statements. */
	PGresult *r = nparams == 0 ? PQexec(db->conn, sql) :
	    PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		set_err(err, errlen, db_lost(db) ? -ECONNRESET : -EIO, "%s",
		    pq_message(r ? PQresultErrorMessage(r) :
		    PQerrorMessage(db->conn)));
		PQclear(r);
		return db_lost(db) ? -ECONNRESET : -EIO;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}

static void
sha256_hex(const char *text, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* Checks (and with apply, applies) the migrations. */
/* A migration in the database that this binary does not have means a
 * newer fragwatch has been here: running on would misread its schema. */
static int
schema_not_newer(struct db *db, char *err, size_t errlen)
{
	PGresult *r = NULL;
	int rc;

	if ((rc = db_query(db, "SELECT name FROM fragwatch.schema_migrations "
	    "ORDER BY name", 0, NULL, &r, err, errlen)) < 0)
		return rc;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *name = PQgetvalue(r, i, 0);
		bool known = false;

		for (size_t j = 0; j < migrations_count && !known; j++)
			known = strcmp(migrations[j].name, name) == 0;
		if (!known) {
			rc = set_err(err, errlen, -EPROTO, "the schema is newer "
			    "than this fragwatch (%s): it has migration '%s'; "
			    "install the newer fragwatch", FRAGWATCH_VERSION,
			    name);
			break;
		}
	}
	PQclear(r);
	return rc;
}

static int
migrate(struct db *db, bool apply, int *applied, char *err, size_t errlen)
{
	PGresult *r = NULL;
	int rc;

	*applied = 0;
	rc = db_exec(db, "CREATE SCHEMA IF NOT EXISTS fragwatch;"
	    "CREATE TABLE IF NOT EXISTS fragwatch.schema_migrations ("
	    " name text PRIMARY KEY, checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		const char *params[2];
		char sum[65];

		sha256_hex(m->sql, sum);
		params[0] = m->name;
		params[1] = sum;
		rc = db_query(db, "SELECT checksum FROM fragwatch.schema_migrations"
		    " WHERE name = $1", 1, params, &r, err, errlen);
		if (rc < 0)
			return rc;
		if (PQntuples(r) > 0) {
			bool same = strcmp(PQgetvalue(r, 0, 0), sum) == 0;

			PQclear(r);
			if (!same)
				return set_err(err, errlen, -EBADMSG, "migration "
				    "'%s' was changed after it was applied "
				    "(checksum differs); add a new migration "
				    "instead", m->name);
			continue;
		}
		PQclear(r);
		if (!apply)
			return set_err(err, errlen, -ESTALE, "migration '%s' is "
			    "not applied: run 'fragwatch migrate'", m->name);
		/* The advisory lock keeps two processes from migrating at once. */
		if ((rc = db_exec(db, "BEGIN; SELECT pg_advisory_xact_lock("
		    "hashtext('fragwatch:migrate'))", err, errlen)) < 0)
			return rc;
		rc = db_query(db, "SELECT 1 FROM fragwatch.schema_migrations "
		    "WHERE name = $1", 1, params, &r, err, errlen);
		if (rc == 0 && PQntuples(r) == 0) {
			rc = db_exec(db, m->sql, err, errlen);
			if (rc == 0)
				rc = db_query(db, "INSERT INTO "
				    "fragwatch.schema_migrations (name, checksum)"
				    " VALUES ($1, $2)", 2, params, NULL, err,
				    errlen);
			if (rc == 0)
				(*applied)++;
		}
		PQclear(r);
		r = NULL;
		if (rc < 0) {
			char ignored[64];
			char reason[512];

			snprintf(reason, sizeof(reason), "%s", err);
			(void)db_exec(db, "ROLLBACK", ignored, sizeof(ignored));
			return set_err(err, errlen, rc, "migration '%s' failed: "
			    "%s", m->name, reason);
		}
		if ((rc = db_exec(db, "COMMIT", err, errlen)) < 0)
			return rc;
	}
	return schema_not_newer(db, err, errlen);
}

int
db_migrate(struct db *db, int *applied, char *err, size_t errlen)
{
	return migrate(db, true, applied, err, errlen);
}

int
db_check_schema(struct db *db, char *err, size_t errlen)
{
	int applied;

	return migrate(db, false, &applied, err, errlen);
}

int
db_each_batch(struct db *db, const char *sql,
    int (*fn)(void *ctx, PGresult *r, char *err, size_t errlen), void *ctx,
    char *err, size_t errlen)
{
	char *declare = NULL;
	PGresult *r = NULL;
	int rc, n;

	if (asprintf(&declare, "DECLARE batch_cursor NO SCROLL CURSOR FOR %s",
	    sql) < 0)
		return set_err(err, errlen, -ENOMEM, "out of memory");
	rc = db_exec(db, declare, err, errlen);
	free(declare);
	if (rc < 0)
		return rc;
	do {
		if ((rc = db_query(db, "FETCH 10000 FROM batch_cursor", 0, NULL,
		    &r, err, errlen)) < 0)
			return rc;
		n = PQntuples(r);
		rc = n > 0 ? fn(ctx, r, err, errlen) : 0;
		PQclear(r);
	} while (rc == 0 && n > 0);
	if (rc == 0)
		rc = db_exec(db, "CLOSE batch_cursor", err, errlen);
	return rc;
}
