/* confread.c - typed readers of libconfig settings with "file:line: message" errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/confread.h"

void
cfg_error(struct cfg_loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[512], *line = NULL, **grown;
	const char *file = NULL;
	int lineno = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL) {
		file = config_setting_source_file(s);
		lineno = (int)config_setting_source_line(s);
	}
	if (file == NULL)
		file = ld->path;
	if (asprintf(&line, "%s:%d: %s", file, lineno, msg) < 0)
		return;
	grown = realloc(ld->errs->msgs, (ld->errs->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(line);
		return;
	}
	ld->errs->msgs = grown;
	ld->errs->msgs[ld->errs->n++] = line;
}

/* An unknown key is an error: a typo must not silently become a default. */
void
cfg_check_keys(struct cfg_loader *ld, const config_setting_t *group, const char *what,
    const char *const *allowed, size_t nallowed)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);
		size_t j;

		for (j = 0; j < nallowed; j++)
			if (strcmp(name, allowed[j]) == 0)
				break;
		if (j == nallowed)
			cfg_error(ld, s, "unknown key '%s' in %s", name, what);
	}
}

/* Reads an optional string member; returns 1 if present, 0 if absent, -1 if
 * of the wrong type (reported). */
int
cfg_string(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    char **out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_error(ld, s, "'%s' must be a string", key);
		return -1;
	}
	free(*out);
	*out = strdup(config_setting_get_string(s));
	return *out != NULL ? 1 : -1;
}

int
cfg_int(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    long long min, long long max, long long *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_error(ld, s, "'%s' must be a whole number", key);
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_error(ld, s, "'%s' must be between %lld and %lld", key, min,
		    max);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfg_double(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    double min, double max, double *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		cfg_error(ld, s, "'%s' must be a number", key);
		return -1;
	}
	if (!(v >= min && v <= max)) {
		cfg_error(ld, s, "'%s' must be between %g and %g", key, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

int
cfg_bool(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    bool *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_error(ld, s, "'%s' must be true or false", key);
		return -1;
	}
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

/* A one-character option such as the delimiter; "\t" and "tab" mean tab. */
int
cfg_char(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    bool allow_none, char *out)
{
	char *text = NULL;
	int rc = cfg_string(ld, g, key, &text);

	if (rc <= 0)
		goto out;
	if (strcmp(text, "tab") == 0 || strcmp(text, "\t") == 0)
		*out = '\t';
	else if (text[0] == '\0' && allow_none)
		*out = '\0';
	else if (strlen(text) == 1 && (unsigned char)text[0] < 0x80)
		*out = text[0];
	else {
		cfg_error(ld, config_setting_get_member(g, key),
		    "'%s' must be one ASCII character, got '%s'", key, text);
		rc = -1;
	}
out:
	free(text);
	return rc;
}

/* A list of strings (or one string) into a malloc'd array. */
int
cfg_string_list(struct cfg_loader *ld, const config_setting_t *s,
    const char *key, char ***out, size_t *n)
{
	int len;
	char **v;

	*out = NULL;
	*n = 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if ((v = calloc(1, sizeof(*v))) == NULL ||
		    (v[0] = strdup(config_setting_get_string(s))) == NULL) {
			free(v);
			return -1;
		}
		*out = v;
		*n = 1;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_error(ld, s, "'%s' must be a string or a list of strings", key);
		return -1;
	}
	len = config_setting_length(s);
	if ((v = calloc((size_t)len + 1, sizeof(*v))) == NULL)
		return -1;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_error(ld, e, "'%s' must hold strings only", key);
			for (int j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -1;
		}
		v[i] = strdup(config_setting_get_string(e));
	}
	*out = v;
	*n = (size_t)len;
	return 0;
}

void
cfg_free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}


bool
cfg_is_group(struct cfg_loader *ld, const config_setting_t *g, const char *what)
{
	if (config_setting_is_group(g))
		return true;
	cfg_error(ld, g, "'%s' must be a group { ... }", what);
	return false;
}
