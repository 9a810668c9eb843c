/* dropdir.h - drop-directory sources: the files waiting in a directory, and where they go after. */
#ifndef FRAGWATCH_DROPDIR_H
#define FRAGWATCH_DROPDIR_H

#include <stdbool.h>
#include <stddef.h>

/* The regular files in dir whose names do not start with '.', sorted by
 * name (so dated names load in date order). *names is malloc'd, each name
 * too. Returns 0 or -errno. */
int dropdir_list(const char *dir, char ***names, size_t *n);

/* Moves dir/name into dir/done/ (ok) or dir/failed/, creating them.
 * Returns 0 or -errno. */
int dropdir_finish(const char *dir, const char *name, bool ok);

void dropdir_free(char **names, size_t n);

#endif
