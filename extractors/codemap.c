/* codemap.c - a small open-addressing hash from code text to an index. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/codemap.h"

struct codemap_slot {
	char *key; /* normalised: trimmed, ASCII upper case */
	int index;
};

struct codemap {
	struct codemap_slot *slots;
	size_t cap; /* a power of two */
	size_t used;
};

/* Codes are short; a longer text cannot be one.  Lookups normalise into a
 * stack buffer so that the per-row path does not allocate. */
#define CODEMAP_MAX_KEY 255

static int
normalise(const char *text, char key[CODEMAP_MAX_KEY + 1], size_t *len)
{
	size_t n;

	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n > CODEMAP_MAX_KEY)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		key[i] = (char)toupper((unsigned char)text[i]);
	key[n] = '\0';
	*len = n;
	return 0;
}

static size_t
hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

struct codemap *
codemap_new(void)
{
	struct codemap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = 64;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
codemap_free(struct codemap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static struct codemap_slot *
lookup(const struct codemap *m, const char *key, size_t len)
{
	size_t i = hash(key, len) & (m->cap - 1);

	while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int
grow(struct codemap *m)
{
	struct codemap_slot *old = m->slots;
	size_t oldcap = m->cap;

	if ((m->slots = calloc(oldcap * 2, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key != NULL)
			*lookup(m, old[i].key, strlen(old[i].key)) = old[i];
	free(old);
	return 0;
}

int
codemap_add(struct codemap *m, const char *text, int index)
{
	struct codemap_slot *slot;
	char key[CODEMAP_MAX_KEY + 1];
	size_t len;
	int rc;

	if ((rc = normalise(text, key, &len)) < 0)
		return rc;
	if ((m->used + 1) * 2 > m->cap && (rc = grow(m)) < 0)
		return rc;
	slot = lookup(m, key, len);
	if (slot->key != NULL)
		return slot->index == index ? 0 : -EEXIST;
	if ((slot->key = strdup(key)) == NULL)
		return -ENOMEM;
	slot->index = index;
	m->used++;
	return 0;
}

int
codemap_find(const struct codemap *m, const char *text)
{
	const struct codemap_slot *slot;
	char key[CODEMAP_MAX_KEY + 1];
	size_t len;

	if (normalise(text, key, &len) < 0)
		return -1;
	slot = lookup(m, key, len);
	return slot->key != NULL ? slot->index : -1;
}
