/* confread.h - typed readers of libconfig settings that report "file:line: message" errors (internal to the conf_*.c files). */
#ifndef FRAGWATCH_CONFREAD_H
#define FRAGWATCH_CONFREAD_H

#include <stdbool.h>
#include <stddef.h>

#include <libconfig.h>

#include "daemon/conf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The file being read and where its errors go. */
struct cfg_loader {
	const char *path;
	struct conf_errors *errs;
};

/* Adds "file:line: message" for setting s (or the file when s is NULL). */
void cfg_error(struct cfg_loader *ld, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An unknown key in group is an error: a typo must not silently become a
 * default. */
void cfg_check_keys(struct cfg_loader *ld, const config_setting_t *group,
    const char *what, const char *const *allowed, size_t nallowed);

/* Optional members of group g. Each returns 1 if present and valid (the
 * value in *out), 0 if absent (*out untouched), -1 if of the wrong type or
 * out of range (reported). */
int cfg_string(struct cfg_loader *ld, const config_setting_t *g,
    const char *key, char **out);
int cfg_int(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    long long min, long long max, long long *out);
int cfg_double(struct cfg_loader *ld, const config_setting_t *g,
    const char *key, double min, double max, double *out);
int cfg_bool(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    bool *out);
/* One ASCII character; "\t" and "tab" mean tab; "" is '\0' if allow_none. */
int cfg_char(struct cfg_loader *ld, const config_setting_t *g, const char *key,
    bool allow_none, char *out);

/* Setting s, a string or a list of strings, into a malloc'd array.
 * Returns 0 or -1 (reported). */
int cfg_string_list(struct cfg_loader *ld, const config_setting_t *s,
    const char *key, char ***out, size_t *n);

/* Group g is required to be a group; reports it otherwise. */
bool cfg_is_group(struct cfg_loader *ld, const config_setting_t *g,
    const char *what);

void cfg_free_strings(char **v, size_t n);

/* conf_service.c: a source's "schedule" and "backfill_url" keys; the
 * groups daemon, early_warning, alerts and report (with their defaults,
 * set even when a group is absent); and freeing what they hold. */
void conf_load_schedule(struct cfg_loader *ld, struct conf_source *src,
    const config_setting_t *g);
void conf_load_service(struct cfg_loader *ld, struct conf *c,
    const config_setting_t *root);
void conf_free_service(struct conf *c);

#endif
