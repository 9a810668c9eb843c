/* conf_service.c - the config groups of the running service: daemon, early_warning, alerts, report, and each source's schedule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/confread.h"
#include "daemon/mail.h"
#include "daemon/sched.h"

void
conf_load_schedule(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g)
{
	char why[256];
	struct sched_cron cron;

	if (cfg_string(ld, g, "schedule", &src->schedule) > 0 &&
	    sched_parse(src->schedule, &cron, why, sizeof(why)) < 0)
		cfg_error(ld, config_setting_get_member(g, "schedule"),
		    "bad schedule '%s': %s", src->schedule, why);
	if (cfg_string(ld, g, "backfill_url", &src->backfill_url) > 0 &&
	    strchr(src->backfill_url, '%') == NULL)
		cfg_error(ld, config_setting_get_member(g, "backfill_url"),
		    "backfill_url '%s' has no date pattern (%%Y, %%m, %%d, "
		    "%%G, %%V)", src->backfill_url);
}

static void
load_daemon(struct cfg_loader *ld, struct conf_daemon *d,
    const config_setting_t *g)
{
	static const char *const keys[] = { "run_timeout", "late_after",
		"retry_base", "retry_cap", "allow_root" };
	long long v;

	if (!cfg_is_group(ld, g, "daemon"))
		return;
	cfg_check_keys(ld, g, "daemon", keys, NELEM(keys));
	if (cfg_int(ld, g, "run_timeout", 1, 86400, &v) > 0)
		d->run_timeout = (int)v;
	if (cfg_int(ld, g, "late_after", 0, 7 * 86400, &v) > 0)
		d->late_after = (int)v;
	cfg_double(ld, g, "retry_base", 0.1, 86400, &d->retry_base);
	cfg_double(ld, g, "retry_cap", 0.1, 7 * 86400, &d->retry_cap);
	cfg_bool(ld, g, "allow_root", &d->allow_root);
	if (d->retry_cap < d->retry_base)
		cfg_error(ld, g, "'retry_cap' (%g) is below 'retry_base' (%g)",
		    d->retry_cap, d->retry_base);
}

static void
load_early_warning(struct cfg_loader *ld, struct conf_early_warning *e,
    const config_setting_t *g)
{
	static const char *const keys[] = { "horizon_weeks", "horizon_months",
		"persistence", "run_length", "baseline_min", "baseline_max",
		"ewma_lambda", "ewma_L", "trend_min", "trend_max", "mk_alpha",
		"seasonal", "material_weeks", "material_months", "combine" };
	struct warning_params *p = &e->params;
	const config_setting_t *s;
	long long v;

	if (!cfg_is_group(ld, g, "early_warning"))
		return;
	cfg_check_keys(ld, g, "early_warning", keys, NELEM(keys));
	if (cfg_int(ld, g, "horizon_weeks", 1, 104, &v) > 0)
		e->horizon_weeks = (int)v;
	if (cfg_int(ld, g, "horizon_months", 1, 24, &v) > 0)
		e->horizon_months = (int)v;
	if (cfg_int(ld, g, "persistence", 1, 12, &v) > 0)
		p->persistence = (int)v;
	if (cfg_int(ld, g, "run_length", 3, 20, &v) > 0)
		p->run_length = (int)v;
	if (cfg_int(ld, g, "baseline_min", 4, 60, &v) > 0)
		p->baseline_min = (int)v;
	if (cfg_int(ld, g, "baseline_max", 4, 60, &v) > 0)
		p->baseline_max = (int)v;
	cfg_double(ld, g, "ewma_lambda", 0.01, 1, &p->ewma_lambda);
	cfg_double(ld, g, "ewma_L", 0.5, 6, &p->ewma_L);
	if (cfg_int(ld, g, "trend_min", 4, 60, &v) > 0)
		p->trend_min = (int)v;
	if (cfg_int(ld, g, "trend_max", 4, 60, &v) > 0)
		p->trend_max = (int)v;
	cfg_double(ld, g, "mk_alpha", 0.0001, 0.5, &p->mk_alpha);
	cfg_bool(ld, g, "seasonal", &e->seasonal);
	cfg_double(ld, g, "material_weeks", 0, 1, &e->material_weeks);
	cfg_double(ld, g, "material_months", 0, 1, &e->material_months);
	if ((s = config_setting_get_member(g, "combine")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING ||
		    backtest_combine_from_name(config_setting_get_string(s),
		    &e->combine) < 0)
			cfg_error(ld, s, "'combine' must be \"any\" or "
			    "\"domains\"");
	}
	if (p->baseline_max < p->baseline_min)
		cfg_error(ld, g, "'baseline_max' is below 'baseline_min'");
	if (p->trend_max < p->trend_min)
		cfg_error(ld, g, "'trend_max' is below 'trend_min'");
}

/* "HH:MM" into minutes after midnight, or -1. */
static int
parse_clock(const char *s, const char **end)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || h < 0 || h > 23 ||
	    m < 0 || m > 59)
		return -1;
	*end = s + n;
	return h * 60 + m;
}

static void
load_quiet_hours(struct cfg_loader *ld, struct conf_alerts *a,
    const config_setting_t *g)
{
	char *text = NULL;
	const char *p;

	if (cfg_string(ld, g, "quiet_hours", &text) <= 0 || text[0] == '\0')
		goto out;
	if ((a->quiet_from = parse_clock(text, &p)) < 0 || *p++ != '-' ||
	    (a->quiet_to = parse_clock(p, &p)) < 0 || *p != '\0' ||
	    a->quiet_from == a->quiet_to) {
		cfg_error(ld, config_setting_get_member(g, "quiet_hours"),
		    "quiet_hours '%s' must be \"HH:MM-HH:MM\", e.g. "
		    "\"22:00-07:00\"", text);
		a->quiet_from = a->quiet_to = -1;
	}
out:
	free(text);
}

static bool
valid_address(const char *s)
{
	char bare[256];

	/* "addr@domain" or "Name <addr@domain>", as mail_format() takes
	 * them; enough to catch typos and header injection (control
	 * characters); the server decides the rest. */
	return mail_address(s, bare, sizeof(bare)) == 0 &&
	    strpbrk(s, "\r\n\t,;") == NULL;
}

static void
load_recipients(struct cfg_loader *ld, struct conf_owner *o,
    const config_setting_t *g)
{
	const config_setting_t *s;

	if ((s = config_setting_get_member(g, "email")) != NULL &&
	    cfg_string_list(ld, s, "email", &o->email, &o->nemail) == 0)
		for (size_t i = 0; i < o->nemail; i++)
			if (!valid_address(o->email[i]))
				cfg_error(ld, s, "'%s' is not an e-mail address",
				    o->email[i]);
	if ((s = config_setting_get_member(g, "webhooks")) != NULL &&
	    cfg_string_list(ld, s, "webhooks", &o->webhooks,
	    &o->nwebhooks) == 0)
		for (size_t i = 0; i < o->nwebhooks; i++)
			if (strncmp(o->webhooks[i], "http://", 7) != 0 &&
			    strncmp(o->webhooks[i], "https://", 8) != 0)
				cfg_error(ld, s, "webhook '%s' must start with "
				    "http:// or https://", o->webhooks[i]);
}

static bool
has_code(const struct conf_code *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return true;
	return false;
}

static void
load_owners(struct cfg_loader *ld, const struct conf *c, struct conf_alerts *a,
    const config_setting_t *list)
{
	static const char *const keys[] = { "area", "org", "email",
		"webhooks" };
	int n;

	if (!config_setting_is_list(list)) {
		cfg_error(ld, list, "'owners' must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	if ((a->owners = calloc((size_t)n + 1, sizeof(*a->owners))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct conf_owner *o = &a->owners[a->nowners++];

		if (!cfg_is_group(ld, g, "owner"))
			continue;
		cfg_check_keys(ld, g, "owner", keys, NELEM(keys));
		if (cfg_string(ld, g, "area", &o->area) <= 0)
			cfg_error(ld, g, "owner without 'area'");
		else if (!has_code(c->areas, c->nareas, o->area))
			cfg_error(ld, config_setting_get_member(g, "area"),
			    "owner of unknown area '%s'", o->area);
		if (cfg_string(ld, g, "org", &o->org) > 0 &&
		    !has_code(c->orgs, c->norgs, o->org))
			cfg_error(ld, config_setting_get_member(g, "org"),
			    "owner of unknown organisation '%s'", o->org);
		load_recipients(ld, o, g);
		if (o->nemail + o->nwebhooks == 0)
			cfg_error(ld, g, "owner of '%s' without 'email' or "
			    "'webhooks'", o->area ? o->area : "?");
	}
}

static void
load_smtp(struct cfg_loader *ld, struct conf_smtp *m, const config_setting_t *g)
{
	static const char *const keys[] = { "url", "from", "username",
		"password_file", "starttls", "ca_file", "timeout" };
	long long v;

	if (!cfg_is_group(ld, g, "smtp"))
		return;
	cfg_check_keys(ld, g, "smtp", keys, NELEM(keys));
	if (cfg_string(ld, g, "url", &m->url) > 0 &&
	    strncmp(m->url, "smtp://", 7) != 0 &&
	    strncmp(m->url, "smtps://", 8) != 0)
		cfg_error(ld, config_setting_get_member(g, "url"),
		    "smtp url '%s' must start with smtp:// or smtps://", m->url);
	cfg_string(ld, g, "from", &m->from);
	cfg_string(ld, g, "username", &m->username);
	cfg_string(ld, g, "password_file", &m->password_file);
	cfg_string(ld, g, "ca_file", &m->ca_file);
	cfg_bool(ld, g, "starttls", &m->starttls);
	if (cfg_int(ld, g, "timeout", 1, 600, &v) > 0)
		m->timeout = (int)v;
	if (m->url != NULL && m->from == NULL)
		cfg_error(ld, g, "smtp without 'from'");
	/* "" means the systemd credential, like a missing key. */
	if (m->password_file != NULL && m->password_file[0] == '\0') {
		free(m->password_file);
		m->password_file = NULL;
	}
}

static void
load_alerts(struct cfg_loader *ld, const struct conf *c, struct conf_alerts *a,
    const config_setting_t *g)
{
	static const char *const keys[] = { "smtp", "repeat_interval_days",
		"max_attempts", "max_age_hours", "retry_base", "retry_cap",
		"quiet_hours", "ops", "owners" };
	static const char *const ops_keys[] = { "email", "webhooks" };
	const config_setting_t *s;
	long long v;

	if (!cfg_is_group(ld, g, "alerts"))
		return;
	cfg_check_keys(ld, g, "alerts", keys, NELEM(keys));
	if ((s = config_setting_get_member(g, "smtp")) != NULL)
		load_smtp(ld, &a->smtp, s);
	if (cfg_int(ld, g, "repeat_interval_days", 1, 365, &v) > 0)
		a->repeat_interval_days = (int)v;
	if (cfg_int(ld, g, "max_attempts", 1, 1000, &v) > 0)
		a->max_attempts = (int)v;
	if (cfg_int(ld, g, "max_age_hours", 1, 24 * 90, &v) > 0)
		a->max_age_hours = (int)v;
	cfg_double(ld, g, "retry_base", 0.1, 86400, &a->retry_base);
	cfg_double(ld, g, "retry_cap", 0.1, 7 * 86400, &a->retry_cap);
	if (a->retry_cap < a->retry_base)
		cfg_error(ld, g, "'retry_cap' (%g) is below 'retry_base' (%g)",
		    a->retry_cap, a->retry_base);
	load_quiet_hours(ld, a, g);
	if ((s = config_setting_get_member(g, "ops")) != NULL &&
	    cfg_is_group(ld, s, "ops")) {
		cfg_check_keys(ld, s, "ops", ops_keys, NELEM(ops_keys));
		load_recipients(ld, &a->ops, s);
	}
	if ((s = config_setting_get_member(g, "owners")) != NULL)
		load_owners(ld, c, a, s);
	if (a->smtp.url == NULL) {
		bool wants_mail = a->ops.nemail > 0;

		for (size_t i = 0; i < a->nowners; i++)
			wants_mail = wants_mail || a->owners[i].nemail > 0;
		if (wants_mail)
			cfg_error(ld, g, "e-mail recipients but no 'smtp' "
			    "{ url = ...; }");
	}
}

static void
set_defaults(struct conf *c)
{
	c->daemon.run_timeout = 1800;
	c->daemon.late_after = 3600;
	c->daemon.retry_base = 60;
	c->daemon.retry_cap = 3600;
	warning_params_default(&c->early_warning.params);
	c->early_warning.horizon_weeks = 12;
	c->early_warning.horizon_months = 3;
	c->early_warning.seasonal = true;
	c->early_warning.material_weeks = 0.2;
	c->early_warning.material_months = 0;
	c->early_warning.combine = BACKTEST_COMBINE_DOMAINS;
	c->alerts.smtp.starttls = true;
	c->alerts.smtp.timeout = 30;
	c->alerts.repeat_interval_days = 28;
	c->alerts.max_attempts = 12;
	c->alerts.max_age_hours = 48;
	c->alerts.retry_base = 60;
	c->alerts.retry_cap = 3600;
	c->alerts.quiet_from = c->alerts.quiet_to = -1;
}

void
conf_load_service(struct cfg_loader *ld, struct conf *c,
    const config_setting_t *root)
{
	static const char *const report_keys[] = { "path" };
	const config_setting_t *g;

	set_defaults(c);
	if ((g = config_setting_get_member(root, "daemon")) != NULL)
		load_daemon(ld, &c->daemon, g);
	if ((g = config_setting_get_member(root, "early_warning")) != NULL)
		load_early_warning(ld, &c->early_warning, g);
	if ((g = config_setting_get_member(root, "alerts")) != NULL)
		load_alerts(ld, c, &c->alerts, g);
	if ((g = config_setting_get_member(root, "report")) != NULL &&
	    cfg_is_group(ld, g, "report")) {
		cfg_check_keys(ld, g, "report", report_keys, NELEM(report_keys));
		if (cfg_string(ld, g, "path", &c->report_path) > 0 &&
		    c->report_path[0] == '\0') {
			free(c->report_path);
			c->report_path = NULL;
		}
	}
}

static void
free_owner(struct conf_owner *o)
{
	free(o->area);
	free(o->org);
	cfg_free_strings(o->email, o->nemail);
	cfg_free_strings(o->webhooks, o->nwebhooks);
}

void
conf_free_service(struct conf *c)
{
	struct conf_smtp *m = &c->alerts.smtp;

	free(m->url);
	free(m->from);
	free(m->username);
	free(m->password_file);
	free(m->ca_file);
	free_owner(&c->alerts.ops);
	for (size_t i = 0; i < c->alerts.nowners; i++)
		free_owner(&c->alerts.owners[i]);
	free(c->alerts.owners);
	free(c->report_path);
	for (size_t i = 0; i < c->nsources; i++) {
		free(c->sources[i].schedule);
		free(c->sources[i].backfill_url);
	}
}
