/* conf.c - reads the libconfig file into one validated struct conf, reporting every error. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>
#include <libpq-fe.h>

#include "daemon/conf.h"
#include "daemon/confread.h"
#include "daemon/sched.h"
#include "extractors/codemap.h"


static void
load_database(struct cfg_loader *ld, struct conf *c, const config_setting_t *g)
{
	static const char *const keys[] = { "conninfo", "password_file",
		"state_dir", "embedded_user", "statement_timeout" };
	long long v;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'database' must be a group { ... }");
		return;
	}
	cfg_check_keys(ld, g, "database", keys, NELEM(keys));
	cfg_string(ld, g, "conninfo", &c->conninfo);
	if (c->conninfo != NULL && c->conninfo[0] == '\0') {
		free(c->conninfo);
		c->conninfo = NULL;
	}
	cfg_string(ld, g, "password_file", &c->password_file);
	cfg_string(ld, g, "state_dir", &c->state_dir);
	cfg_string(ld, g, "embedded_user", &c->embedded_user);
	if (cfg_int(ld, g, "statement_timeout", 0, 86400, &v) > 0)
		c->statement_timeout = (int)v;
	if (c->conninfo != NULL) {
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(c->conninfo, &perr);
		const config_setting_t *ci = config_setting_get_member(g,
		    "conninfo");

		if (opts == NULL)
			cfg_error(ld, ci, "bad 'conninfo': %s", perr ? perr :
			    "out of memory");
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
			    o->val[0] != '\0')
				cfg_error(ld, ci, "no password in 'conninfo': use "
				    "'password_file' or the credential 'db-password'");
		PQconninfoFree(opts);
		PQfreemem(perr);
	}
}

/* thresholds = { Q1 = { green = ">= 0.8"; red = "< 0.7"; }; ... } over
 * the bounds already in t (the defaults, or the region's for an area). */
static void
load_thresholds(struct cfg_loader *ld, const config_setting_t *g, const char *what,
    struct status_threshold *t)
{
	int n;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'thresholds' must be a group { Q1 = { ... }; }");
		return;
	}
	n = config_setting_length(g);
	for (int i = 0; i < n; i++) {
		static const char *const keys[] = { "green", "red" };
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *code = config_setting_name(s);
		int ci = catalog_find(code);
		const char *why = NULL;

		if (ci < 0) {
			cfg_error(ld, s, "unknown indicator '%s' in %s thresholds "
			    "(Q1..Q3, R1, R2, S1..S5)", code, what);
			continue;
		}
		if (!config_setting_is_group(s)) {
			cfg_error(ld, s, "threshold '%s' must be a group { green "
			    "= \"...\"; red = \"...\"; }", code);
			continue;
		}
		cfg_check_keys(ld, s, "thresholds", keys, NELEM(keys));
		for (int k = 0; k < 2; k++) {
			char *text = NULL;

			if (cfg_string(ld, s, keys[k], &text) > 0 &&
			    status_bound_parse(text, k == 0 ? &t[ci].green :
			    &t[ci].red) < 0)
				cfg_error(ld, config_setting_get_member(s, keys[k]),
				    "%s bound of %s must be like \">= 0.80\", got "
				    "'%s'", keys[k], code, text);
			free(text);
		}
		if (status_threshold_check(&t[ci], &why) < 0)
			cfg_error(ld, s, "%s thresholds of %s (%s is worse when "
			    "%s) are in the wrong order: %s", what, code, code,
			    catalog[ci].higher_is_worse ? "higher" : "lower", why);
	}
}

static void
load_indicators(struct cfg_loader *ld, struct conf *c, const config_setting_t *g)
{
	static const char *const keys[] = { "min_cases", "yellow_from",
		"red_from", "thresholds" };
	const config_setting_t *t;
	long long v;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'indicators' must be a group { ... }");
		return;
	}
	cfg_check_keys(ld, g, "indicators", keys, NELEM(keys));
	if (cfg_int(ld, g, "min_cases", 0, 1000000, &v) > 0)
		c->min_cases = (int)v;
	cfg_double(ld, g, "yellow_from", 0.0, 1.0, &c->bands.yellow_from);
	cfg_double(ld, g, "red_from", 0.0, 1.0, &c->bands.red_from);
	if (c->bands.yellow_from > c->bands.red_from)
		cfg_error(ld, g, "'yellow_from' must not be above 'red_from'");
	if ((t = config_setting_get_member(g, "thresholds")) != NULL)
		load_thresholds(ld, t, "the region's", c->thresholds);
}

static void
load_codes(struct cfg_loader *ld, const struct conf *c,
    const config_setting_t *list, const char *what, bool is_area,
    struct conf_code **out, size_t *nout)
{
	static const char *const area_keys[] = { "code", "name", "aliases",
		"guarantee_days", "thresholds" };
	static const char *const org_keys[] = { "code", "name", "aliases" };
	int n;
	struct conf_code *v;

	if (!config_setting_is_list(list)) {
		cfg_error(ld, list, "'%s' must be a list ( { ... }, ... )", what);
		return;
	}
	n = config_setting_length(list);
	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL)
		return;
	*out = v;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		const config_setting_t *al;
		struct conf_code *code = &v[(*nout)++];
		long long days = 90;

		code->guarantee_days = 90;
		if (!config_setting_is_group(g)) {
			cfg_error(ld, g, "each of '%s' must be a group { ... }", what);
			continue;
		}
		if (is_area)
			cfg_check_keys(ld, g, what, area_keys, NELEM(area_keys));
		else
			cfg_check_keys(ld, g, what, org_keys, NELEM(org_keys));
		if (cfg_string(ld, g, "code", &code->code) == 0)
			cfg_error(ld, g, "%s entry without 'code'", what);
		else if (code->code[0] == '\0')
			cfg_error(ld, g, "empty 'code' in %s", what);
		if (cfg_string(ld, g, "name", &code->name) == 0 &&
		    code->code != NULL)
			code->name = strdup(code->code);
		if ((al = config_setting_get_member(g, "aliases")) != NULL)
			cfg_string_list(ld, al, "aliases", &code->aliases,
			    &code->naliases);
		if (is_area && cfg_int(ld, g, "guarantee_days", 1, 3650, &days) > 0)
			code->guarantee_days = (int)days;
		memcpy(code->thresholds, c->thresholds, sizeof(c->thresholds));
		if (is_area && (al = config_setting_get_member(g, "thresholds")) !=
		    NULL) {
			char what_area[300];

			snprintf(what_area, sizeof(what_area), "area '%s'",
			    code->code ? code->code : "?");
			load_thresholds(ld, al, what_area, code->thresholds);
		}
	}
}

/* Codes and aliases must be unique within areas and within organisations,
 * as the extracts' codes are matched (ignoring case and surrounding
 * blanks), or a code in an extract would be ambiguous. */
static void
check_unique_codes(struct cfg_loader *ld, const config_setting_t *list,
    const char *what, const struct conf_code *v, size_t n)
{
	struct codemap *seen = codemap_new();

	for (size_t i = 0; seen != NULL && i < n; i++)
		for (size_t ai = 0; ai <= v[i].naliases; ai++) {
			const char *a = ai == 0 ? v[i].code : v[i].aliases[ai - 1];
			int rc;

			if (a != NULL && (rc = codemap_add(seen, a, (int)i)) < 0)
				cfg_error(ld, config_setting_get_elem(list,
				    (unsigned)i), rc == -EEXIST ? "%s code or alias "
				    "'%s' is used twice" : "%s code or alias '%.40s...'"
				    " is too long", what, a);
		}
	codemap_free(seen);
}

static void
load_format(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g)
{
	static const char *const keys[] = { "encoding", "delimiter", "quote",
		"skip_rows", "decimal", "thousands", "percent", "date_format",
		"null" };
	struct mapping_format *f = &src->format;
	const config_setting_t *nulls;
	long long skip;

	cfg_check_keys(ld, g, "format", keys, NELEM(keys));
	if (cfg_string(ld, g, "encoding", &f->encoding) > 0) {
		static const char *const known[] = { "UTF-8", "WINDOWS-1252",
			"CP1252", "ISO-8859-1", "LATIN1", "ISO-8859-15" };
		size_t i;

		for (i = 0; i < NELEM(known); i++)
			if (strcasecmp(f->encoding, known[i]) == 0)
				break;
		if (i == NELEM(known))
			cfg_error(ld, config_setting_get_member(g, "encoding"),
			    "unknown encoding '%s' (UTF-8, WINDOWS-1252, "
			    "ISO-8859-1, ISO-8859-15)", f->encoding);
	}
	cfg_char(ld, g, "delimiter", false, &f->delimiter);
	cfg_char(ld, g, "quote", false, &f->quote);
	if (cfg_int(ld, g, "skip_rows", 0, 1000, &skip) > 0)
		f->skip_rows = (int)skip;
	cfg_char(ld, g, "decimal", false, &f->numfmt.decimal);
	if (f->numfmt.decimal != '.' && f->numfmt.decimal != ',')
		cfg_error(ld, config_setting_get_member(g, "decimal"),
		    "'decimal' must be \".\" or \",\"");
	cfg_char(ld, g, "thousands", true, &f->numfmt.thousands);
	if (f->numfmt.thousands != '\0' &&
	    f->numfmt.thousands == f->numfmt.decimal)
		cfg_error(ld, config_setting_get_member(g, "thousands"),
		    "'thousands' and 'decimal' must differ");
	cfg_bool(ld, g, "percent", &f->numfmt.percent);
	cfg_string(ld, g, "date_format", &f->date_format);
	if ((nulls = config_setting_get_member(g, "null")) != NULL) {
		char **v = NULL;
		size_t n = 0;

		if (cfg_string_list(ld, nulls, "null", &v, &n) == 0) {
			if (n > MAPPING_MAX_NULLS)
				cfg_error(ld, nulls, "at most %d null markers",
				    MAPPING_MAX_NULLS);
			for (size_t i = 0; i < n && i < MAPPING_MAX_NULLS; i++) {
				f->nulls[f->nnulls++] = v[i];
				v[i] = NULL;
			}
			cfg_free_strings(v, n);
		}
	}
}

/* One condition: ["column", "value", "value", ...]. */
static int
load_cond(struct cfg_loader *ld, const config_setting_t *s, const char *what,
    struct mapping_cond *out)
{
	char **v = NULL;
	size_t n = 0;

	if (cfg_string_list(ld, s, what, &v, &n) < 0)
		return -1;
	if (n < 2) {
		cfg_error(ld, s, "%s must be [\"column\", \"value\", ...]", what);
		cfg_free_strings(v, n);
		return -1;
	}
	out->column = v[0];
	out->values = v + 1;
	out->nvalues = n - 1;
	return 0;
}

static void
free_cond(struct mapping_cond *c)
{
	if (c == NULL || c->column == NULL)
		return;
	/* values points into the array that column heads. */
	cfg_free_strings(c->values - 1, c->nvalues + 1);
}

static void
load_conds(struct cfg_loader *ld, const config_setting_t *s, const char *what,
    struct mapping_cond **out, size_t *n)
{
	int len;

	if (!config_setting_is_list(s)) {
		cfg_error(ld, s, "'%s' must be a list ( [\"column\", \"value\", "
		    "...], ... )", what);
		return;
	}
	len = config_setting_length(s);
	if ((*out = calloc((size_t)len + 1, sizeof(**out))) == NULL)
		return;
	for (int i = 0; i < len; i++)
		if (load_cond(ld, config_setting_get_elem(s, i), what,
		    &(*out)[*n]) == 0)
			(*n)++;
}

/* An expression, reported at the setting's line when it does not compile. */
static struct expr *
compile_expr(struct cfg_loader *ld, const config_setting_t *s, const char *text)
{
	char err[256];
	struct expr *e = expr_compile(text, err, sizeof(err));

	if (e == NULL)
		cfg_error(ld, s, "bad expression: %s", err);
	return e;
}

/* A field as a group: { column = "x"; } or { columns = [...]; } or
 * { sum = [...]; } or { expr = "..."; }, optionally with when = [...]. */
static void
load_column_group(struct cfg_loader *ld, struct conf_source *src, size_t f,
    const config_setting_t *g)
{
	static const char *const keys[] = { "column", "columns", "sum", "expr",
		"when" };
	struct mapping_column *col = &src->fields[f];
	const config_setting_t *s;
	const char *name = src->kind->fields[f].name;
	int ways = 0;

	cfg_check_keys(ld, g, "a column", keys, NELEM(keys));
	if ((s = config_setting_get_member(g, "column")) != NULL) {
		ways++;
		cfg_string_list(ld, s, "column", &col->columns, &col->ncolumns);
	}
	if ((s = config_setting_get_member(g, "columns")) != NULL) {
		ways++;
		cfg_string_list(ld, s, "columns", &col->columns, &col->ncolumns);
	}
	if ((s = config_setting_get_member(g, "sum")) != NULL) {
		char **v = NULL, *text = NULL;
		size_t n = 0, len = 0;

		ways++;
		if (cfg_string_list(ld, s, "sum", &v, &n) == 0 && n > 0) {
			for (size_t i = 0; i < n; i++)
				len += strlen(v[i]) + 5;
			/* sum = ["a", "b"] is the expression "[a] + [b]". */
			if ((text = calloc(len + 1, 1)) != NULL) {
				size_t at = 0;

				for (size_t i = 0; i < n; i++) {
					if (strchr(v[i], ']') != NULL)
						cfg_error(ld, s, "column '%s' in 'sum' "
						    "cannot contain ']'", v[i]);
					at += (size_t)snprintf(text + at, len + 1 - at,
					    "%s[%s]", i ? " + " : "", v[i]);
				}
				col->expr = compile_expr(ld, s, text);
			}
		} else if (n == 0)
			cfg_error(ld, s, "'sum' needs at least one column");
		free(text);
		cfg_free_strings(v, n);
	}
	if ((s = config_setting_get_member(g, "expr")) != NULL) {
		ways++;
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			cfg_error(ld, s, "'expr' must be a string");
		else
			col->expr = compile_expr(ld, s, config_setting_get_string(s));
	}
	if (ways != 1)
		cfg_error(ld, g, "field '%s' needs exactly one of column, "
		    "columns, sum, expr", name);
	if (col->expr != NULL && src->kind->fields[f].type != KIND_COUNT &&
	    src->kind->fields[f].type != KIND_NUMBER &&
	    src->kind->fields[f].type != KIND_SHARE)
		cfg_error(ld, g, "field '%s' cannot be computed: map it to "
		    "columns", name);
	if ((s = config_setting_get_member(g, "when")) != NULL &&
	    (col->when = calloc(1, sizeof(*col->when))) != NULL &&
	    load_cond(ld, s, "when", col->when) < 0) {
		free(col->when);
		col->when = NULL;
	}
}

static void
load_columns(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g, bool constants)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		int fi = kind_field_index(src->kind, name);
		struct mapping_column *col;

		if (fi < 0) {
			cfg_error(ld, s, "unknown field '%s' for kind '%s'", name,
			    src->kind->name);
			continue;
		}
		col = &src->fields[fi];
		if (col->ncolumns > 0 || col->constant != NULL ||
		    col->expr != NULL) {
			cfg_error(ld, s, "field '%s' is mapped twice", name);
			continue;
		}
		if (constants) {
			if (config_setting_type(s) != CONFIG_TYPE_STRING)
				cfg_error(ld, s, "constant '%s' must be a string",
				    name);
			else
				col->constant = strdup(config_setting_get_string(s));
		} else if (config_setting_is_group(s))
			load_column_group(ld, src, (size_t)fi, s);
		else
			cfg_string_list(ld, s, name, &col->columns,
			    &col->ncolumns);
	}
}

/* codes = { area = ( ["text", "CODE"], ... ); org = ( ... ); }: each code
 * must be configured, or "-" to skip such rows. */
static void
load_code_table(struct cfg_loader *ld, const struct conf *c,
    const config_setting_t *list, bool area, char ***out, size_t *npairs)
{
	const struct conf_code *codes = area ? c->areas : c->orgs;
	size_t ncodes = area ? c->nareas : c->norgs;
	int len;

	if (!config_setting_is_list(list)) {
		cfg_error(ld, list, "a code table must be a list ( [\"text\", "
		    "\"CODE\"], ... )");
		return;
	}
	len = config_setting_length(list);
	if ((*out = calloc(2 * (size_t)len + 1, sizeof(**out))) == NULL)
		return;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		char **v = NULL;
		size_t n = 0, k;

		if (cfg_string_list(ld, e, "a code pair", &v, &n) < 0)
			continue;
		if (n != 2) {
			cfg_error(ld, e, "a code pair must be [\"text\", \"CODE\"]");
			cfg_free_strings(v, n);
			continue;
		}
		for (k = 0; k < ncodes; k++)
			if (strcmp(codes[k].code, v[1]) == 0)
				break;
		if (k == ncodes && strcmp(v[1], "-") != 0)
			cfg_error(ld, e, "'%s' translates to '%s', which is not a "
			    "configured %s code (or \"-\" to skip)", v[0], v[1],
			    area ? "area" : "organisation");
		(*out)[2 * *npairs] = v[0];
		(*out)[2 * *npairs + 1] = v[1];
		(*npairs)++;
		free(v);
	}
}

static void
load_unpivot(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g)
{
	static const char *const keys[] = { "columns", "labels", "value" };
	struct mapping_unpivot *u;
	const config_setting_t *s;
	size_t nlabels = 0;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'unpivot' must be a group { ... }");
		return;
	}
	if ((u = src->unpivot = calloc(1, sizeof(*u))) == NULL)
		return;
	cfg_check_keys(ld, g, "unpivot", keys, NELEM(keys));
	if ((s = config_setting_get_member(g, "columns")) != NULL)
		cfg_string_list(ld, s, "columns", &u->columns, &u->n);
	if ((s = config_setting_get_member(g, "labels")) != NULL)
		cfg_string_list(ld, s, "labels", &u->labels, &nlabels);
	if (cfg_string(ld, g, "value", &u->value) == 0 || u->n == 0 ||
	    nlabels != u->n)
		cfg_error(ld, g, "'unpivot' needs 'columns', as many 'labels', "
		    "and 'value' (the name its cells go by)");
	else if (strcmp(u->value, "label") == 0)
		cfg_error(ld, g, "the unpivot's value cannot be called 'label'");
	if (nlabels != u->n) {
		cfg_free_strings(u->labels, nlabels);
		u->labels = calloc(u->n + 1, sizeof(char *));
	}
}

/* statuses = ( ["Godkänd", "accepted"], ... ): a referral record's status
 * text to accepted, rejected or pending. */
static void
load_statuses(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *list)
{
	int len;

	if (!config_setting_is_list(list)) {
		cfg_error(ld, list, "'statuses' must be a list ( [\"text\", "
		    "\"accepted\"], ... )");
		return;
	}
	len = config_setting_length(list);
	if ((src->statuses = calloc(2 * (size_t)len + 1, sizeof(char *))) == NULL)
		return;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		char **v = NULL;
		size_t n = 0;
		int k;

		if (cfg_string_list(ld, e, "a status pair", &v, &n) < 0)
			continue;
		for (k = 0; n == 2 && k < KIND_NSTATUSES; k++)
			if (strcmp(v[1], kind_statuses[k]) == 0)
				break;
		if (n != 2 || k == KIND_NSTATUSES) {
			cfg_error(ld, e, "a status pair must be [\"text\", "
			    "\"accepted\" | \"rejected\" | \"pending\"]");
			cfg_free_strings(v, n);
			continue;
		}
		src->statuses[2 * src->nstatuses] = v[0];
		src->statuses[2 * src->nstatuses + 1] = v[1];
		src->nstatuses++;
		free(v);
	}
}

/* auth = { type = "bearer" | "basic"; username = "..."; secret_file =
 * "/path" | credential = "name"; } */
static void
load_auth(struct cfg_loader *ld, struct conf_source *src, const config_setting_t *g)
{
	static const char *const keys[] = { "type", "username", "secret_file",
		"credential" };
	struct conf_auth *a = &src->auth;
	char *type = NULL;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'auth' must be a group { ... }");
		return;
	}
	cfg_check_keys(ld, g, "auth", keys, NELEM(keys));
	cfg_string(ld, g, "type", &type);
	cfg_string(ld, g, "username", &a->username);
	cfg_string(ld, g, "secret_file", &a->secret_file);
	cfg_string(ld, g, "credential", &a->credential);
	if (type != NULL && strcmp(type, "bearer") == 0)
		a->type = CONF_AUTH_BEARER;
	else if (type != NULL && strcmp(type, "basic") == 0)
		a->type = CONF_AUTH_BASIC;
	else
		cfg_error(ld, g, "'auth' needs type = \"bearer\" or \"basic\"");
	if ((a->secret_file == NULL) == (a->credential == NULL))
		cfg_error(ld, g, "'auth' needs one of secret_file or credential "
		    "(a systemd credential name): secrets never go in the config");
	if (a->type == CONF_AUTH_BASIC && a->username == NULL)
		cfg_error(ld, g, "basic 'auth' needs a username");
	free(type);
}

static enum conf_severity
get_severity(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    enum conf_severity def)
{
	char *text = NULL;
	enum conf_severity sev = def;

	if (cfg_string(ld, g, key, &text) > 0) {
		if (strcmp(text, "warn") == 0)
			sev = CONF_WARN;
		else if (strcmp(text, "refuse") == 0)
			sev = CONF_REFUSE;
		else
			cfg_error(ld, config_setting_get_member(g, key), "'%s' must "
			    "be \"warn\" or \"refuse\"", key);
	}
	free(text);
	return sev;
}

static void
load_checks(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g)
{
	static const char *const keys[] = { "duplicate_keys", "negative_counts",
		"share_range", "row_count_change", "row_count_severity" };
	struct conf_checks *ck = &src->checks;

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'checks' must be a group { ... }");
		return;
	}
	cfg_check_keys(ld, g, "checks", keys, NELEM(keys));
	ck->duplicate_keys = get_severity(ld, g, "duplicate_keys", CONF_WARN);
	ck->negative_counts = get_severity(ld, g, "negative_counts", CONF_WARN);
	ck->share_range = get_severity(ld, g, "share_range", CONF_WARN);
	cfg_double(ld, g, "row_count_change", 0.0, 1000.0, &ck->row_count_change);
	ck->row_count = get_severity(ld, g, "row_count_severity", CONF_WARN);
}

static void
load_source(struct cfg_loader *ld, struct conf *c, struct conf_source *src,
    const config_setting_t *g)
{
	static const char *const keys[] = { "name", "kind", "grain", "url",
		"period", "max_age_days", "max_reject_share", "max_body_bytes",
		"max_record_bytes", "max_columns", "connect_timeout", "timeout",
		"format", "columns", "constants", "filters", "codes", "combine",
		"unpivot", "checks", "keep_records", "statuses", "auth", "tls",
		"retries", "retry_delay", "schedule", "backfill_url" };
	char *kind = NULL, *grain = NULL, *period = NULL, *combine = NULL;
	const config_setting_t *s;
	long long v;

	src->line = (int)config_setting_source_line(g);
	src->period = VALUE_GRAIN_MONTH;
	src->max_age_days = 45;
	src->max_reject_share = 0.05;
	src->max_body_bytes = 1LL << 30;
	src->max_record_bytes = 1 << 20;
	src->max_columns = 1000;
	src->connect_timeout = 30;
	src->timeout = 900;
	src->format.delimiter = ',';
	src->format.quote = '"';
	src->format.numfmt.decimal = '.';
	cfg_check_keys(ld, g, "source", keys, NELEM(keys));
	if (cfg_string(ld, g, "name", &src->name) == 0)
		cfg_error(ld, g, "source without 'name'");
	else if (src->name[0] == '\0' || strspn(src->name,
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(src->name))
		cfg_error(ld, config_setting_get_member(g, "name"),
		    "source name '%s' must be lower-case letters, digits, "
		    "'-' or '_'", src->name);
	if (cfg_string(ld, g, "grain", &grain) > 0 &&
	    strcmp(grain, "aggregate") != 0 && strcmp(grain, "record") != 0)
		cfg_error(ld, config_setting_get_member(g, "grain"),
		    "grain '%s' must be \"aggregate\" or \"record\"", grain);
	if (cfg_string(ld, g, "kind", &kind) == 0)
		cfg_error(ld, g, "source '%s' without 'kind' (%s)",
		    src->name ? src->name : "?", kind_names());
	else if (grain != NULL && strcmp(grain, "record") == 0) {
		if ((src->kind = kind_find_record(kind)) == NULL)
			cfg_error(ld, config_setting_get_member(g, "kind"),
			    "kind '%s' has no record grain (queue, referral)",
			    kind);
	} else if ((src->kind = kind_find(kind)) == NULL)
		cfg_error(ld, config_setting_get_member(g, "kind"),
		    "unknown kind '%s' (%s)", kind, kind_names());
	src->keep_records = true;
	cfg_bool(ld, g, "keep_records", &src->keep_records);
	conf_load_schedule(ld, src, g);
	if (cfg_string(ld, g, "url", &src->url) == 0)
		cfg_error(ld, g, "source '%s' without 'url'",
		    src->name ? src->name : "?");
	else if (strncmp(src->url, "http://", 7) != 0 &&
	    strncmp(src->url, "https://", 8) != 0 &&
	    strncmp(src->url, "file://", 7) != 0 &&
	    strncmp(src->url, "dir://", 6) != 0)
		cfg_error(ld, config_setting_get_member(g, "url"),
		    "url '%s' must start with http://, https://, file:// or "
		    "dir:// (a drop directory)", src->url);
	else
		src->drop_dir = strncmp(src->url, "dir://", 6) == 0;
	src->retries = 2;
	src->retry_delay = 2.0;
	if (cfg_int(ld, g, "retries", 0, 100, &v) > 0)
		src->retries = (int)v;
	cfg_double(ld, g, "retry_delay", 0.0, 3600.0, &src->retry_delay);
	if ((s = config_setting_get_member(g, "auth")) != NULL)
		load_auth(ld, src, s);
	if ((s = config_setting_get_member(g, "tls")) != NULL) {
		static const char *const tkeys[] = { "client_cert", "client_key",
			"ca_file" };

		if (!config_setting_is_group(s))
			cfg_error(ld, s, "'tls' must be a group { ... }");
		else {
			cfg_check_keys(ld, s, "tls", tkeys, NELEM(tkeys));
			cfg_string(ld, s, "client_cert", &src->auth.client_cert);
			cfg_string(ld, s, "client_key", &src->auth.client_key);
			cfg_string(ld, s, "ca_file", &src->auth.ca_file);
		}
	}
	if (cfg_string(ld, g, "period", &period) > 0 &&
	    value_grain_from_name(period, &src->period) < 0)
		cfg_error(ld, config_setting_get_member(g, "period"),
		    "unknown period '%s' (week, month, quarter, year)", period);
	if (cfg_int(ld, g, "max_age_days", 1, 3650, &v) > 0)
		src->max_age_days = (int)v;
	cfg_double(ld, g, "max_reject_share", 0.0, 1.0, &src->max_reject_share);
	if (cfg_int(ld, g, "max_body_bytes", 1, INT64_MAX, &v) > 0)
		src->max_body_bytes = v;
	if (cfg_int(ld, g, "max_record_bytes", 64, 1LL << 30, &v) > 0)
		src->max_record_bytes = v;
	if (cfg_int(ld, g, "max_columns", 1, 100000, &v) > 0)
		src->max_columns = (int)v;
	if (cfg_int(ld, g, "connect_timeout", 1, 3600, &v) > 0)
		src->connect_timeout = (int)v;
	if (cfg_int(ld, g, "timeout", 1, 86400, &v) > 0)
		src->timeout = (int)v;
	if (src->kind == NULL)
		goto out;
	if ((src->fields = calloc(src->kind->nfields, sizeof(*src->fields))) ==
	    NULL)
		goto out;
	if ((s = config_setting_get_member(g, "format")) != NULL) {
		if (config_setting_is_group(s))
			load_format(ld, src, s);
		else
			cfg_error(ld, s, "'format' must be a group { ... }");
	}
	if ((s = config_setting_get_member(g, "columns")) == NULL ||
	    !config_setting_is_group(s))
		cfg_error(ld, s ? s : g, "source '%s' needs a 'columns' group "
		    "mapping fields to the file's columns",
		    src->name ? src->name : "?");
	else
		load_columns(ld, src, s, false);
	if ((s = config_setting_get_member(g, "constants")) != NULL) {
		if (config_setting_is_group(s))
			load_columns(ld, src, s, true);
		else
			cfg_error(ld, s, "'constants' must be a group { ... }");
	}
	if ((s = config_setting_get_member(g, "filters")) != NULL) {
		static const char *const fkeys[] = { "keep", "skip" };
		const config_setting_t *l;

		if (!config_setting_is_group(s))
			cfg_error(ld, s, "'filters' must be a group { keep = (...); "
			    "skip = (...); }");
		else {
			cfg_check_keys(ld, s, "filters", fkeys, NELEM(fkeys));
			if ((l = config_setting_get_member(s, "keep")) != NULL)
				load_conds(ld, l, "keep", &src->keep, &src->nkeep);
			if ((l = config_setting_get_member(s, "skip")) != NULL)
				load_conds(ld, l, "skip", &src->skip, &src->nskip);
		}
	}
	if ((s = config_setting_get_member(g, "codes")) != NULL) {
		static const char *const ckeys[] = { "area", "org" };
		const config_setting_t *l;

		if (!config_setting_is_group(s))
			cfg_error(ld, s, "'codes' must be a group { area = (...); "
			    "org = (...); }");
		else {
			cfg_check_keys(ld, s, "codes", ckeys, NELEM(ckeys));
			if ((l = config_setting_get_member(s, "area")) != NULL)
				load_code_table(ld, c, l, true, &src->area_codes,
				    &src->narea_codes);
			if ((l = config_setting_get_member(s, "org")) != NULL)
				load_code_table(ld, c, l, false, &src->org_codes,
				    &src->norg_codes);
		}
	}
	if (cfg_string(ld, g, "combine", &combine) > 0) {
		if (strcmp(combine, "sum") == 0)
			src->combine = true;
		else if (strcmp(combine, "none") != 0)
			cfg_error(ld, config_setting_get_member(g, "combine"),
			    "'combine' must be \"sum\" or \"none\"");
	}
	if ((s = config_setting_get_member(g, "unpivot")) != NULL)
		load_unpivot(ld, src, s);
	if ((s = config_setting_get_member(g, "statuses")) != NULL)
		load_statuses(ld, src, s);
	if (!src->kind->record && (config_setting_get_member(g,
	    "keep_records") != NULL || src->nstatuses > 0))
		cfg_error(ld, g, "'keep_records' and 'statuses' are for grain = "
		    "\"record\"");
	if (src->kind->record && (src->combine || src->unpivot != NULL))
		cfg_error(ld, g, "'combine' and 'unpivot' are for grain = "
		    "\"aggregate\"");
	if ((s = config_setting_get_member(g, "checks")) != NULL)
		load_checks(ld, src, s);
	for (size_t i = 0; i < src->kind->nfields; i++) {
		const struct kind_field *f = &src->kind->fields[i];

		if (f->required && src->fields[i].ncolumns == 0 &&
		    src->fields[i].constant == NULL && src->fields[i].expr == NULL)
			cfg_error(ld, g, "source '%s': required field '%s' of "
			    "kind '%s' is not mapped", src->name ? src->name : "?",
			    f->name, src->kind->name);
	}
	if (src->format.date_format == NULL)
		src->format.date_format = strdup("%Y-%m-%d");
	if (src->format.encoding == NULL)
		src->format.encoding = strdup("UTF-8");
	if (src->format.delimiter == src->format.quote)
		cfg_error(ld, g, "source '%s': delimiter and quote must differ",
		    src->name ? src->name : "?");
	(void)c;
out:
	free(kind);
	free(grain);
	free(period);
	free(combine);
}

static void
load_sources(struct cfg_loader *ld, struct conf *c, const config_setting_t *list)
{
	int n;

	if (!config_setting_is_list(list)) {
		cfg_error(ld, list, "'sources' must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	if ((c->sources = calloc((size_t)n + 1, sizeof(*c->sources))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct conf_source *src = &c->sources[c->nsources++];

		if (!config_setting_is_group(g)) {
			cfg_error(ld, g, "each source must be a group { ... }");
			continue;
		}
		load_source(ld, c, src, g);
		for (size_t j = 0; j + 1 < c->nsources && src->name; j++)
			if (c->sources[j].name &&
			    strcmp(c->sources[j].name, src->name) == 0)
				cfg_error(ld, g, "source '%s' is defined twice",
				    src->name);
	}
}

static void
load_region(struct cfg_loader *ld, struct conf *c, const config_setting_t *g)
{
	static const char *const keys[] = { "timezone" };

	if (!config_setting_is_group(g)) {
		cfg_error(ld, g, "'region' must be a group { ... }");
		return;
	}
	cfg_check_keys(ld, g, "region", keys, NELEM(keys));
	if (cfg_string(ld, g, "timezone", &c->timezone) > 0 &&
	    sched_localtime(c->timezone, 0, &(struct tm){ 0 }) < 0)
		cfg_error(ld, config_setting_get_member(g, "timezone"),
		    "unknown time zone '%s' (an IANA name such as "
		    "\"Europe/Stockholm\", from tzdata)", c->timezone);
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	return strndup(path, (size_t)(slash - path) + (slash == path));
}

struct conf *
conf_load(const char *path, struct conf_errors *errs)
{
	static const char *const keys[] = { "database", "region", "indicators",
		"areas", "organisations", "sources", "daemon", "early_warning",
		"alerts", "report" };
	struct cfg_loader ld = { path, errs };
	struct conf *c = NULL;
	config_t cfg;
	const config_setting_t *root, *s, *areas = NULL, *orgs = NULL;
	char *dir = NULL;
	size_t nerr_before = errs->n;

	config_init(&cfg);
	if ((dir = dir_of(path)) != NULL)
		config_set_include_dir(&cfg, dir);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		char *line = NULL;

		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			(void)!asprintf(&line, "%s: cannot read: %s", path,
			    strerror(errno));
		else
			(void)!asprintf(&line, "%s:%d: %s",
			    config_error_file(&cfg) ? config_error_file(&cfg)
			    : path, config_error_line(&cfg),
			    config_error_text(&cfg));
		if (line != NULL) {
			char **grown = realloc(errs->msgs,
			    (errs->n + 1) * sizeof(*grown));

			if (grown != NULL) {
				errs->msgs = grown;
				errs->msgs[errs->n++] = line;
			} else
				free(line);
		}
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->path = strdup(path);
	c->statement_timeout = 600;
	c->min_cases = 20;
	c->bands.yellow_from = 0.25;
	c->bands.red_from = 0.50;
	for (int i = 0; i < CATALOG_COUNT; i++)
		catalog_default_threshold(i, &c->thresholds[i]);
	root = config_root_setting(&cfg);
	cfg_check_keys(&ld, root, "the top level", keys, NELEM(keys));
	if ((s = config_setting_get_member(root, "database")) != NULL)
		load_database(&ld, c, s);
	if ((s = config_setting_get_member(root, "region")) != NULL)
		load_region(&ld, c, s);
	if ((s = config_setting_get_member(root, "indicators")) != NULL)
		load_indicators(&ld, c, s);
	if ((areas = config_setting_get_member(root, "areas")) != NULL) {
		load_codes(&ld, c, areas, "areas", true, &c->areas, &c->nareas);
		check_unique_codes(&ld, areas, "area", c->areas, c->nareas);
	}
	if ((orgs = config_setting_get_member(root, "organisations")) != NULL) {
		load_codes(&ld, c, orgs, "organisations", false, &c->orgs,
		    &c->norgs);
		check_unique_codes(&ld, orgs, "organisation", c->orgs, c->norgs);
	}
	if (c->nareas == 0)
		cfg_error(&ld, areas, "no 'areas' defined");
	if (c->norgs == 0)
		cfg_error(&ld, orgs, "no 'organisations' defined");
	if ((s = config_setting_get_member(root, "sources")) != NULL)
		load_sources(&ld, c, s);
	conf_load_service(&ld, c, root);
	if (c->timezone == NULL)
		c->timezone = strdup("Europe/Stockholm");
	if (c->state_dir == NULL)
		c->state_dir = conf_default_state_dir();
	if (c->embedded_user == NULL)
		c->embedded_user = strdup("postgres");
out:
	config_destroy(&cfg);
	free(dir);
	if (errs->n > nerr_before) {
		conf_free(c);
		c = NULL;
	}
	return c;
}

static void
free_codes(struct conf_code *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].name);
		cfg_free_strings(v[i].aliases, v[i].naliases);
	}
	free(v);
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	conf_free_service(c);
	for (size_t i = 0; i < c->nsources; i++) {
		struct conf_source *src = &c->sources[i];

		if (src->fields != NULL)
			for (size_t j = 0; j < src->kind->nfields; j++) {
				struct mapping_column *col = &src->fields[j];

				cfg_free_strings(col->columns, col->ncolumns);
				free(col->constant);
				expr_free(col->expr);
				free_cond(col->when);
				free(col->when);
			}
		free(src->fields);
		for (size_t j = 0; j < src->nkeep; j++)
			free_cond(&src->keep[j]);
		for (size_t j = 0; j < src->nskip; j++)
			free_cond(&src->skip[j]);
		free(src->keep);
		free(src->skip);
		cfg_free_strings(src->area_codes, 2 * src->narea_codes);
		cfg_free_strings(src->statuses, 2 * src->nstatuses);
		cfg_free_strings(src->org_codes, 2 * src->norg_codes);
		if (src->unpivot != NULL) {
			cfg_free_strings(src->unpivot->columns, src->unpivot->n);
			cfg_free_strings(src->unpivot->labels, src->unpivot->n);
			free(src->unpivot->value);
			free(src->unpivot);
		}
		free(src->name);
		free(src->url);
		free(src->auth.username);
		free(src->auth.secret_file);
		free(src->auth.credential);
		free(src->auth.client_cert);
		free(src->auth.client_key);
		free(src->auth.ca_file);
		free(src->format.encoding);
		free(src->format.date_format);
		for (size_t j = 0; j < src->format.nnulls; j++)
			free(src->format.nulls[j]);
	}
	free(c->sources);
	free_codes(c->areas, c->nareas);
	free_codes(c->orgs, c->norgs);
	free(c->path);
	free(c->conninfo);
	free(c->password_file);
	free(c->state_dir);
	free(c->embedded_user);
	free(c->timezone);
	free(c);
}

void
conf_errors_clear(struct conf_errors *errs)
{
	cfg_free_strings(errs->msgs, errs->n);
	errs->msgs = NULL;
	errs->n = 0;
}

const struct conf_source *
conf_source_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].name && strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

/* The directory of the running binary, if it is a source tree. */
static char *
source_tree(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	snprintf(probe, sizeof(probe), "%s/sql/embed.sh", exe);
	if (access(probe, F_OK) != 0)
		return NULL;
	return strdup(exe);
}

char *
conf_default_state_dir(void)
{
	const char *env = getenv("FRAGWATCH_STATE_DIR");
	char *tree, *dir = NULL;

	if (env != NULL && env[0] != '\0')
		return strdup(env);
	if ((tree = source_tree()) != NULL) {
		if (asprintf(&dir, "%s/var", tree) < 0)
			dir = NULL;
		free(tree);
		return dir;
	}
	return strdup(FRAGWATCH_STATEDIR);
}

char *
conf_default_path(void)
{
	const char *env = getenv("FRAGWATCH_CONF");
	char *tree, *path = NULL;

	if (env != NULL && env[0] != '\0')
		return strdup(env);
	if ((tree = source_tree()) != NULL) {
		if (asprintf(&path, "%s/etc/fragwatch.conf", tree) < 0)
			path = NULL;
		free(tree);
		return path;
	}
	return strdup("/etc/fragwatch/fragwatch.conf");
}
