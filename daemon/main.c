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
#include "daemon/log.h"
#include "daemon/run.h"
#include "daemon/backfill.h"
#include "daemon/backtest.h"
#include "daemon/board.h"
#include "daemon/export.h"
#include "daemon/report.h"
#include "daemon/progress.h"
#include "daemon/runner.h"
#include "daemon/service.h"
#include "daemon/alerts.h"
#include "daemon/sender.h"
#include "daemon/silence.h"
#include "extractors/fetch.h"
#include "extractors/value.h"

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
	    "  daemon            run each source on its schedule (systemd service)\n"
	    "  backfill SOURCE --from DATE --to DATE\n"
	    "                    load a range of history (dated URLs, drop dir)\n"
	    "  status [--area CODE [--org ORG]]\n"
	    "                    the status board and the sources' freshness, or\n"
	    "                    one area's indicators over the last 12 periods\n"
	    "  backtest [--from DATE] [--to DATE] [--horizon N] [--json]\n"
	    "                    replay the history: early warning vs baselines\n"
	    "  report -o FILE    the board, sparklines, warnings and freshness as\n"
	    "                    one static HTML page\n"
	    "  export --view NAME [--format csv] [--bom] [--semicolon] [-o FILE]\n"
	    "                    an analyst view as CSV\n"
	    "  alerts [--limit N] [--resend ID]\n"
	    "                    the newest alerts and their deliveries, or send\n"
	    "                    one again\n"
	    "  silence add --area A [--org O] (--until DATE | --for 7d)\n"
	    "              --reason TEXT [--author NAME]\n"
	    "  silence list [--all] | silence expire ID\n"
	    "                    hold an area's alerts for a while\n"
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

/* Prints one run's line on stdout (and logs it when under journald). */
static void
print_outcome(void *arg, const struct conf_source *src,
    const struct run_outcome *o)
{
	struct progress *pr = arg;

	progress_clear(pr);
	printf("%-12s %-15s %8llu loaded %6llu rejected %6llu skipped "
	    "%7.2f s  run %lld%s%s%s%s\n", src->name, run_status_name(o->status),
	    (unsigned long long)o->rows_loaded,
	    (unsigned long long)o->rows_rejected,
	    (unsigned long long)o->rows_skipped, o->seconds,
	    (long long)o->run_id, o->error[0] ? ": " : "", o->error,
	    o->warnings[0] ? "; warning: " : "", o->warnings);
	fflush(stdout);
	if (log_to_journal())
		runner_log(src, o);
}

/* report.path: the HTML report after the runs. */
static void
write_report(struct db *db, const struct conf *c)
{
	char err[512];

	if (c->report_path != NULL && !db_lost(db) &&
	    report_write(db, c, c->report_path, err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "cannot write the report: %s", err);
}

/* Stale data loaded still needs someone's attention. */
static int
exit_code(enum run_status worst)
{
	return worst == RUN_OK || worst == RUN_OK_WITH_REJECTS ||
	    worst == RUN_UNCHANGED ? EXIT_OK : EXIT_RUN_FAILED;
}

/* The start shared by run and backfill: signals, database, config. */
static int
open_for_runs(const struct conf *c, struct db **db)
{
	struct sigaction sa = { 0 };
	char err[512];

	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (open_db(c, true, db) < 0)
		return EXIT_DATABASE;
	if (run_sync_config(*db, c, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "cannot store areas and organisations: %s", err);
		db_close(*db);
		*db = NULL;
		return EXIT_DATABASE;
	}
	return EXIT_OK;
}

/* Sends what the outbox holds, for a bounded time: a down mail server
 * must not keep `run` from finishing (the next run or the daemon retries). */
static void
send_alerts(struct db *db, const struct conf *c)
{
	struct sender_limits lim = { 120, 0, &stop_requested, NULL, NULL };
	struct sender_stats st;
	char err[512];

	if (sender_drain(db, c, &lim, &st, err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "cannot deliver alerts: %s", err);
	else if (st.sent + st.failed > 0)
		printf("alerts: %d message%s sent, %d failed, %d dead\n",
		    st.sent, st.sent == 1 ? "" : "s", st.failed, st.dead);
}

static int
cmd_run(const struct conf *c, int argc, char **argv)
{
	struct progress pr;
	struct run_control ctl = { &stop_requested, NULL, progress_update, &pr };
	enum run_status worst = RUN_UNCHANGED;
	struct db *db = NULL;
	int rc;

	for (int i = 0; i < argc; i++)
		if (conf_source_find(c, argv[i]) == NULL) {
			log_msg(LOG_ERR, "no source '%s' in '%s'", argv[i], c->path);
			return EXIT_USAGE;
		}
	if ((rc = open_for_runs(c, &db)) != EXIT_OK)
		return rc;
	progress_init(&pr, stderr);
	for (size_t i = 0; i < c->nsources && !stop_requested; i++) {
		const struct conf_source *src = &c->sources[i];
		bool wanted = argc == 0;

		for (int j = 0; j < argc; j++)
			wanted = wanted || strcmp(argv[j], src->name) == 0;
		if (!wanted)
			continue;
		worst = runner_worse(worst, runner_run(db, c, src, NULL, &ctl,
		    print_outcome, &pr));
		if (db_lost(db)) {
			log_msg(LOG_ERR, "lost the database connection; stopping");
			db_close(db);
			return EXIT_DATABASE;
		}
	}
	write_report(db, c);
	if (!stop_requested)
		send_alerts(db, c);
	db_close(db);
	return exit_code(worst);
}

static int
parse_day(const char *opt, const char *text, int32_t *days)
{
	if (value_parse_date(text, "%Y-%m-%d", days) == 0)
		return 0;
	log_msg(LOG_ERR, "%s '%s' is not a date (YYYY-MM-DD)", opt, text);
	return -1;
}

/* backfill SOURCE --from DATE --to DATE: each period's extract through
 * the same idempotent path as a scheduled run. */
static int
cmd_backfill(const struct conf *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct progress pr;
	struct run_control ctl = { &stop_requested, NULL, progress_update, &pr };
	const struct conf_source *src;
	enum run_status worst = RUN_UNCHANGED;
	int32_t from = -1, to = -1;
	struct db *db = NULL;
	char **urls = NULL, err[512];
	size_t n = 0;
	int ch, rc;

	/* getopt skips argv[0] as the program's name: give it the command's
	 * (argv[-1]), and let it move SOURCE after the options it reads. */
	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "", longopts, NULL)) != -1)
		if ((ch == 'f' && parse_day("--from", optarg, &from) < 0) ||
		    (ch == 't' && parse_day("--to", optarg, &to) < 0) ||
		    ch == '?')
			return EXIT_USAGE;
	if (optind != argc || from < 0 || to < 0) {
		fprintf(stderr, "usage: fragwatch backfill SOURCE --from "
		    "YYYY-MM-DD --to YYYY-MM-DD\n");
		return EXIT_USAGE;
	}
	if ((src = conf_source_find(c, argv[optind - 1])) == NULL) {
		log_msg(LOG_ERR, "no source '%s' in '%s'", argv[optind - 1],
		    c->path);
		return EXIT_USAGE;
	}
	if (backfill_urls(src, from, to, &urls, &n, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "%s", err);
		return EXIT_USAGE;
	}
	if (n == 0)
		log_msg(LOG_WARNING, "nothing to backfill for '%s' in that range",
		    src->name);
	if ((rc = open_for_runs(c, &db)) != EXIT_OK) {
		backfill_free(urls, n);
		return rc;
	}
	progress_init(&pr, stderr);
	for (size_t i = 0; i < n && !stop_requested && !db_lost(db); i++)
		worst = runner_worse(worst, runner_run(db, c, src, urls[i], &ctl,
		    print_outcome, &pr));
	rc = db_lost(db) ? EXIT_DATABASE : exit_code(worst);
	db_close(db);
	backfill_free(urls, n);
	return rc;
}

static int
db_migrate_done(struct db *db, const struct conf *c, int argc, char **argv)
{
	(void)db;
	(void)c;
	(void)argc;
	(void)argv;
	printf("schema is up to date\n");
	return EXIT_OK;
}

static int
db_status(struct db *db, const struct conf *c, int argc, char **argv)
{
	int rc = board_print(db, c, stdout, argc, argv);

	return rc == -EINVAL ? EXIT_USAGE : rc < 0 ? EXIT_DATABASE : EXIT_OK;
}

static int
cmd_alerts(const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;
	int64_t resent = 0;
	int rc;

	if (open_for_runs(c, &db) != EXIT_OK)
		return EXIT_DATABASE;
	rc = alerts_command(db, c, argc, argv, &resent);
	if (rc == 0 && resent > 0)
		send_alerts(db, c);
	db_close(db);
	return rc == -EINVAL || rc == -ENOENT ? EXIT_USAGE : rc < 0 ?
	    EXIT_DATABASE : EXIT_OK;
}

static int
cmd_silence(const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;
	int rc;

	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	rc = silence_command(db, c, argc, argv);
	db_close(db);
	return rc == -EINVAL || rc == -ENOENT ? EXIT_USAGE : rc < 0 ?
	    EXIT_DATABASE : EXIT_OK;
}

static int
cmd_check_config(const struct conf *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	return EXIT_OK;
}

/* A command runs with the config (fn), or with the config and an open,
 * migrated database (dbfn), or is the daemon (neither). */
static const struct command {
	const char *name;
	int (*fn)(const struct conf *c, int argc, char **argv);
	int (*dbfn)(struct db *db, const struct conf *c, int argc, char **argv);
} commands[] = {
	{ "run", cmd_run, NULL },
	{ "daemon", NULL, NULL }, /* takes the config over: service_run() */
	{ "backfill", cmd_backfill, NULL },
	{ "status", NULL, db_status },
	{ "backtest", NULL, backtest_command },
	{ "report", NULL, report_command },
	{ "export", NULL, export_command },
	{ "alerts", cmd_alerts, NULL },
	{ "silence", cmd_silence, NULL },
	{ "migrate", NULL, db_migrate_done },
	{ "check-config", cmd_check_config, NULL },
};

static int
with_db(const struct command *cmd, const struct conf *c, int argc, char **argv)
{
	struct db *db = NULL;
	int rc;

	if (open_db(c, true, &db) < 0)
		return EXIT_DATABASE;
	rc = cmd->dbfn(db, c, argc, argv);
	db_close(db);
	return rc;
}

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
	/* The daemon replaces its config on SIGHUP, so it owns and frees it. */
	if (cmd->fn != NULL)
		rc = cmd->fn(c, argc - optind, argv + optind);
	else if (cmd->dbfn != NULL)
		rc = with_db(cmd, c, argc - optind, argv + optind);
	else
		rc = service_run(&c);
	fetch_global_cleanup();
out:
	conf_free(c);
	free(path);
	return rc;
}
