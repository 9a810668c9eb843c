/* codemap.h - translation of a source's area/organisation codes to the region's (pure). */
#ifndef FRAGWATCH_CODEMAP_H
#define FRAGWATCH_CODEMAP_H

#include <stddef.h>

struct codemap;

struct codemap *codemap_new(void);
void codemap_free(struct codemap *m);

/* Maps text (compared without surrounding blanks, case-insensitively for
 * ASCII letters) to index. Returns 0, -EEXIST if text is already mapped to
 * another index, -EINVAL if longer than 255
 * bytes, -ENOMEM. */
int codemap_add(struct codemap *m, const char *text, int index);

/* The index text maps to, or -1. */
int codemap_find(const struct codemap *m, const char *text);

#endif
