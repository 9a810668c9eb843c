/* db.h - the PostgreSQL session: embedded cluster, connection, migrations, locks. */
#ifndef FRAGWATCH_DB_H
#define FRAGWATCH_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "daemon/conf.h"

struct db {
	PGconn *conn;
	char *datadir;       /* embedded cluster only */
	char *sockdir;
	char *run_as;        /* the cluster's owner when we are root, or NULL */
	bool started;        /* we started the embedded cluster: stop it */
};

/* Connects as configured: to conninfo, or else to the embedded cluster in
 * the state directory (created on first use, started on demand). With
 * keep_cluster the cluster is not stopped by db_close() (the daemon).
 * Returns 0 or a negative errno with a message in err. */
int db_open(const struct conf *c, bool keep_cluster, struct db **out,
    char *err, size_t errlen);

/* Disconnects; stops the embedded cluster if this process started it and
 * keep_cluster was not set. db_close(NULL) is a no-op. */
void db_close(struct db *db);

/* Applies the migrations not yet applied, each in its own transaction,
 * recording name and checksum. An applied migration whose text changed is
 * an error. *applied counts the new ones. Returns 0 or -errno. */
int db_migrate(struct db *db, int *applied, char *err, size_t errlen);

/* Checks that every migration is applied and unchanged, without applying. */
int db_check_schema(struct db *db, char *err, size_t errlen);

/* Runs SQL without parameters; a failure's message goes into err. */
int db_exec(struct db *db, const char *sql, char *err, size_t errlen);

/* Runs SQL with text parameters (NULL entries are SQL NULL). On success
 * returns 0 and the result in *out (may be NULL to discard it). */
int db_query(struct db *db, const char *sql, int nparams,
    const char *const *params, PGresult **out, char *err, size_t errlen);

/* Runs sql (no parameters) through a cursor, inside the caller's
 * transaction, calling fn with each batch of up to 10000 rows; fn's
 * non-zero return stops it. Returns 0 or -errno with err. */
int db_each_batch(struct db *db, const char *sql,
    int (*fn)(void *ctx, PGresult *r, char *err, size_t errlen), void *ctx,
    char *err, size_t errlen);

/* True if the connection is gone (the server stopped or crashed). */
bool db_lost(const struct db *db);

/* Reads a secret: the first line of path, or of
 * $CREDENTIALS_DIRECTORY/name when path is NULL. Returns a malloc'd
 * string, or NULL (absent or unreadable; errno set). */
char *db_read_secret(const char *path, const char *name);

#endif
