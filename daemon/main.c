/* main.c - the command line: subcommands, start-up order, exit codes. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "daemon/db.h"
#include "daemon/dropdir.h"
#include "daemon/log.h"
#include "daemon/run.h"
#include "daemon/board.h"
#include "daemon/backtest.h"
#include "extractors/fetch.h"

/* Exit codes (documented in README.md). */
enum {
	EXIT_OK = 0,
	EXIT_RUN_FAILED = 1, /* a source was refused or failed */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_DATABASE = 4,
};

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: fragwatch [-c FILE] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  run [SOURCE...]   fetch and load each (or the named) source once\n"
	    "  status [--area CODE [--org ORG]]\n"
	    "                    the status board and the sources' freshness, or\n"
	    "                    one area's indicators over the last 12 periods\n"
	    "  backtest [--from DATE] [--to DATE] [--horizon N] [--json|--trace]\n"
	    "                    replay the stored history: how early warnings\n"
	    "                    and the baselines would have done\n"
	    "  migrate           apply database migrations\n"
	    "  check-config      validate the configuration and exit\n"
	    "  version           print the version\n"
	    "\n"
	    "  -c FILE           configuration file (default: $FRAGWATCH_CONF,\n"
	    "                    etc/fragwatch.conf in the source tree, or\n"
	    "                    /etc/fragwatch/fragwatch.conf)\n");
}

static struct conf *
load_conf(const char *path, bool quiet_ok)
{
	struct conf_errors errs = { 0 };
	struct conf *c = conf_load(path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	if (c == NULL && errs.n > 0)
		fprintf(stderr, "fragwatch: %zu error%s in '%s'\n", errs.n,
		    errs.n == 1 ? "" : "s", path);
	else if (c != NULL && !quiet_ok)
		printf("%s: ok (%zu areas, %zu organisations, %zu sources)\n",
		    path, c->nareas, c->norgs, c->nsources);
	conf_errors_clear(&errs);
	return c;
}

static int
open_db(const struct conf *c, bool migrate, struct db **db)
{
	char err[512];
	int applied = 0;

	if (db_open(c, false, db, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	if (migrate && db_migrate(*db, &applied, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot migrate: %s", err);
		db_close(*db);
		*db = NULL;
		return -1;
	}
	if (applied > 0)
		log_msg(LOG_INFO, "applied %d migration%s", applied,
		    applied == 1 ? "" : "s");
	return 0;
}

static int
worst(int a, int b)
{
	return a > b ? a : b;
}

/* Runs one source (from url, or its own), prints its line, and says
 * whether it needs attention. */
static int
run_one(struct db *db, const struct conf *c, const struct conf_source *src,
    const char *url, enum run_status *status)
{
	struct run_outcome o;

	run_source(db, c, src, url, &stop_requested, &o);
	printf("%-12s %-15s %8llu loaded %6llu rejected %6llu skipped "
	    "%7.2f s  run %lld%s%s%s%s\n", src->name, run_status_name(o.status),
	    (unsigned long long)o.rows_loaded,
	    (unsigned long long)o.rows_rejected,
	    (unsigned long long)o.rows_skipped, o.seconds, (long long)o.run_id,
	    o.error[0] ? ": " : "", o.error, o.warnings[0] ? "; warning: " : "",
	    o.warnings);
	fflush(stdout);
	*status = o.status;
	/* Stale data loaded still needs someone's attention. */
	return o.status == RUN_OK || o.status == RUN_OK_WITH_REJECTS ||
	    o.status == RUN_UNCHANGED ? EXIT_OK : EXIT_RUN_FAILED;
}

/* A drop directory: each waiting file in name order is one run, then
 * moves to done/ or failed/; an interrupted run leaves its file. */
static int
run_drop_dir(struct db *db, const struct conf *c, const struct conf_source *src)
{
	const char *dir = src->url + strlen("dir://");
	char **names = NULL, url[8192];
	size_t n = 0;
	int status = EXIT_OK, rc;

	if ((rc = dropdir_list(dir, &names, &n)) < 0) {
		log_msg(LOG_ERR, "cannot read drop directory '%s' of source "
		    "'%s': %s", dir, src->name, strerror(-rc));
		return EXIT_RUN_FAILED;
	}
	for (size_t i = 0; i < n && !stop_requested && !db_lost(db); i++) {
		enum run_status st;

		snprintf(url, sizeof(url), "file://%s/%s", dir, names[i]);
		status = worst(status, run_one(db, c, src, url, &st));
		/* Loaded (even stale) or already loaded: done; else failed. */
		if (st != RUN_INTERRUPTED && st != RUN_BUSY && !db_lost(db) &&
		    (rc = dropdir_finish(dir, names[i], run_status_loaded(st) ||
		    st == RUN_UNCHANGED)) < 0)
			log_msg(LOG_ERR, "cannot move '%s' out of '%s': %s",
			    names[i], dir, strerror(-rc));
	}
	dropdir_free(names, n);
	return status;
}

static int
cmd_run(const struct conf *c, int argc, char **argv)
{
	struct sigaction sa = { 0 };
	struct db *db = NULL;
	char err[512];
	int status = EXIT_OK;

	for (int i = 0; i < argc; i++)
		if (conf_source_find(c, argv[i]) == NULL) {
			log_msg(LOG_ERR, "no source '%s' in '%s'", argv[i], c->path);
			return EXIT_USAGE;
		}
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	if (run_sync_config(db, c, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot store areas and organisations: %s", err);
		db_close(db);
		return EXIT_DATABASE;
	}
	for (size_t i = 0; i < c->nsources && !stop_requested; i++) {
		const struct conf_source *src = &c->sources[i];
		bool wanted = argc == 0;

		for (int j = 0; j < argc; j++)
			wanted = wanted || strcmp(argv[j], src->name) == 0;
		if (!wanted)
			continue;
		if (src->drop_dir)
			status = worst(status, run_drop_dir(db, c, src));
		else {
			enum run_status st;

			status = worst(status, run_one(db, c, src, NULL, &st));
		}
		if (db_lost(db)) {
			log_msg(LOG_ERR, "lost the database connection; stopping");
			status = EXIT_DATABASE;
			break;
		}
	}
	db_close(db);
	return status;
}

static int
cmd_migrate(const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;

	(void)argc;
	(void)argv;
	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	printf("schema is up to date\n");
	db_close(db);
	return EXIT_OK;
}

static int
cmd_status(const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;
	int rc;

	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	rc = board_print(db, c, stdout, argc, argv);
	db_close(db);
	return rc == -EINVAL ? EXIT_USAGE : rc < 0 ? EXIT_DATABASE : EXIT_OK;
}

static int
cmd_backtest(const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;
	int rc;

	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	rc = backtest_command(db, c, argc, argv);
	db_close(db);
	return rc;
}

static int
cmd_check_config(const struct conf *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	return EXIT_OK;
}

static const struct command {
	const char *name;
	int (*fn)(const struct conf *c, int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "status", cmd_status },
	{ "backtest", cmd_backtest },
	{ "migrate", cmd_migrate },
	{ "check-config", cmd_check_config },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd = NULL;
	struct conf *c = NULL;
	char *path = NULL;
	int ch, rc = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			free(path);
			path = strdup(optarg);
			break;
		case 'h':
			usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		goto out;
	}
	if (strcmp(argv[optind], "version") == 0) {
		printf("fragwatch %s\n", FRAGWATCH_VERSION);
		rc = EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "fragwatch: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		goto out;
	}
	optind++;
	/* check-config also accepts the file as its argument. */
	if (cmd->fn == cmd_check_config && optind < argc && path == NULL)
		path = strdup(argv[optind++]);
	if (path == NULL)
		path = conf_default_path();
	if ((c = load_conf(path, cmd->fn != cmd_check_config)) == NULL) {
		rc = EXIT_CONFIG;
		goto out;
	}
	if (fetch_global_init() < 0) {
		log_msg(LOG_ERR, "cannot initialise libcurl");
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	rc = cmd->fn(c, argc - optind, argv + optind);
	fetch_global_cleanup();
out:
	conf_free(c);
	free(path);
	return rc;
}
