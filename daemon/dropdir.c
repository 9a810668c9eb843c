/* dropdir.c - lists a drop directory in name order and files each extract under done/ or failed/. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/dropdir.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
dropdir_list(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;
	int rc = 0;

	*n = 0;
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		/* Dot files are still being written (or are ours). */
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			char **grown = realloc(v, (cap = cap ? 2 * cap : 16) *
			    sizeof(*v));

			if (grown == NULL) {
				rc = -ENOMEM;
				break;
			}
			v = grown;
		}
		if ((v[*n] = strdup(e->d_name)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (rc < 0) {
		dropdir_free(v, *n);
		*n = 0;
		return rc;
	}
	if (*n > 0)
		qsort(v, *n, sizeof(*v), by_name);
	*names = v;
	return 0;
}

int
dropdir_finish(const char *dir, const char *name, bool ok)
{
	char sub[4096], from[4096], to[8192];

	snprintf(sub, sizeof(sub), "%s/%s", dir, ok ? "done" : "failed");
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		return -errno;
	snprintf(from, sizeof(from), "%s/%s", dir, name);
	snprintf(to, sizeof(to), "%s/%s", sub, name);
	return rename(from, to) == 0 ? 0 : -errno;
}

void
dropdir_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
