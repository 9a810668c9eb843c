/* conf.h - the configuration file (libconfig) as one validated struct. */
#ifndef FRAGWATCH_CONF_H
#define FRAGWATCH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extractors/kind.h"
#include "extractors/mapping.h"
#include "extractors/value.h"
#include "transforms/backtest.h"
#include "transforms/catalog.h"
#include "transforms/status.h"
#include "transforms/warning.h"

struct conf_code {
	char *code;      /* the region's code, e.g. "NEURO" */
	char *name;      /* display name, e.g. "Neurologi" */
	char **aliases;  /* other codes that mean the same in extracts */
	size_t naliases;
	int guarantee_days; /* areas only: the care guarantee limit T */
	/* Areas only: thresholds in force (defaults with the area's
	 * overrides), by catalog index. */
	struct status_threshold thresholds[CATALOG_COUNT];
};

enum conf_severity {
	CONF_WARN,   /* the row is rejected (or the run noted) and the run goes on */
	CONF_REFUSE, /* the whole extract is refused */
};

/* Data-quality checks of one source, each with its severity. */
struct conf_checks {
	enum conf_severity duplicate_keys;  /* a key repeated in one extract */
	enum conf_severity negative_counts;
	enum conf_severity share_range;     /* shares outside 0..1 */
	double row_count_change;            /* vs the last load; 0: off */
	enum conf_severity row_count;
};

/* How to authenticate to a source; the secret is read at each run, from
 * secret_file or the systemd credential of that name. */
struct conf_auth {
	enum { CONF_AUTH_NONE, CONF_AUTH_BEARER, CONF_AUTH_BASIC } type;
	char *username;      /* basic */
	char *secret_file;   /* NULL: $CREDENTIALS_DIRECTORY/credential */
	char *credential;
	char *client_cert, *client_key, *ca_file; /* TLS, or NULL */
};

struct conf_source {
	char *name;
	const struct kind *kind;
	char *url;                 /* http://, https://, file:// or dir:// */
	bool drop_dir;             /* dir://: each new file is one run */
	struct conf_auth auth;
	int retries;               /* more attempts after a transient failure */
	double retry_delay;        /* seconds before the first; doubles */
	enum value_grain period;   /* grain of the periods in the file */
	int max_age_days;          /* older data is stale (grey) */
	double max_reject_share;   /* above it the extract is refused */
	int64_t max_body_bytes;
	int64_t max_record_bytes;
	int max_columns;
	int connect_timeout;       /* seconds */
	int timeout;               /* seconds, whole transfer */
	struct mapping_format format;
	struct mapping_column *fields; /* [kind->nfields]; nothing set: not
	                               in this file */
	struct mapping_cond *keep, *skip; /* row filters */
	size_t nkeep, nskip;
	char **area_codes, **org_codes;   /* translation pairs: text, code, ... */
	size_t narea_codes, norg_codes;   /* pairs */
	struct mapping_unpivot *unpivot;  /* or NULL */
	bool combine;                     /* sum rows of one key */
	bool keep_records;                /* record grain: keep the records */
	char **statuses;                  /* record grain: pairs text, status */
	size_t nstatuses;
	struct conf_checks checks;
	char *schedule;            /* 5-field cron in the region's zone, or NULL */
	char *backfill_url;        /* strftime pattern per period, or NULL */
	int line;                  /* where it is defined, for messages */
};

/* The daemon's loop (group "daemon"). */
struct conf_daemon {
	int run_timeout;     /* seconds a whole run may take */
	int late_after;      /* seconds after its scheduled time: late */
	double retry_base;   /* seconds before the first retry; doubles */
	double retry_cap;    /* longest wait between retries */
	bool allow_root;     /* run the daemon as root anyway */
};

/* Who hears about one area (or area x organisation), or ops. */
struct conf_owner {
	char *area;          /* NULL for ops */
	char *org;           /* NULL: every organisation of the area */
	char **email;
	size_t nemail;
	char **webhooks;
	size_t nwebhooks;
};

struct conf_smtp {
	char *url;           /* smtp:// or smtps://; NULL: no e-mail */
	char *from;
	char *username;
	char *password_file; /* NULL: credential "smtp-password" */
	char *ca_file;
	bool starttls;       /* required on smtp:// unless false */
	int timeout;         /* seconds */
};

/* Alerts to owners (group "alerts"). */
struct conf_alerts {
	struct conf_smtp smtp;
	int repeat_interval_days;
	int max_attempts;
	int max_age_hours;
	double retry_base, retry_cap; /* seconds between delivery attempts */
	int quiet_from, quiet_to;     /* minutes after local midnight; -1: none */
	struct conf_owner ops;
	struct conf_owner *owners;
	size_t nowners;
};

/* The detectors' tunables; the horizon depends on the series' grain. */
struct conf_early_warning {
	struct warning_params params; /* params.horizon, season and material
	                                 unused: they depend on the grain */
	int horizon_weeks;
	int horizon_months;
	bool seasonal;          /* adjust weekly, monthly and quarterly series */
	double material_weeks;  /* params.material of weekly and daily series */
	double material_months; /* of monthly, quarterly and yearly ones */
	enum backtest_combine combine; /* which series' warnings an area x
	                                  org keeps (backtest.h) */
};

struct conf {
	char *path;
	/* database */
	char *conninfo;        /* NULL: the embedded cluster */
	char *password_file;   /* NULL: $CREDENTIALS_DIRECTORY/db-password */
	char *state_dir;
	char *embedded_user;   /* runs the embedded cluster when we are root */
	int statement_timeout; /* seconds */
	/* indicators */
	int min_cases;               /* fewer cases in the denominator: grey */
	struct status_bands bands;   /* composite score bands */
	struct status_threshold thresholds[CATALOG_COUNT]; /* defaults */
	/* region */
	char *timezone;
	struct conf_code *areas;
	size_t nareas;
	struct conf_code *orgs;
	size_t norgs;
	struct conf_source *sources;
	size_t nsources;
	struct conf_daemon daemon;
	struct conf_early_warning early_warning;
	struct conf_alerts alerts;
	char *report_path;     /* HTML report after each run, or NULL */
};

/* One "file:line: message" per problem found. */
struct conf_errors {
	char **msgs;
	size_t n;
};

/* Reads and validates the file at path. Returns the config, or NULL with
 * every problem found in errs (never stops at the first). */
struct conf *conf_load(const char *path, struct conf_errors *errs);

void conf_free(struct conf *c);
void conf_errors_clear(struct conf_errors *errs);

/* The source of that name, or NULL. */
const struct conf_source *conf_source_find(const struct conf *c,
    const char *name);

/* Default state directory: $FRAGWATCH_STATE_DIR, else ./var when run from
 * the source tree (the binary's directory holds sql/embed.sh), else
 * FRAGWATCH_STATEDIR (/var/lib/fragwatch). Returns a malloc'd path. */
char *conf_default_state_dir(void);

/* Default config path: $FRAGWATCH_CONF, else etc/fragwatch.conf in the
 * source tree, else /etc/fragwatch/fragwatch.conf. Malloc'd. */
char *conf_default_path(void);

#endif
