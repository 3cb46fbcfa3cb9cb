/*
 * strmap.c - a small string -> int64 map (strmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "common/util.h"

static size_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

int64_t *
strmap_find(struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = str_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
	}
	return NULL;
}

void
strmap_put(struct strmap *m, const char *key, int64_t val)
{
	struct strmap grown;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		grown.cap = m->cap ? m->cap * 2 : 64;
		grown.n = 0;
		grown.keys = xcalloc(grown.cap, sizeof *grown.keys);
		grown.vals = xcalloc(grown.cap, sizeof *grown.vals);
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i] == NULL)
				continue;
			strmap_put(&grown, m->keys[i], m->vals[i]);
			free(m->keys[i]);
		}
		free(m->keys);
		free(m->vals);
		*m = grown;
	}
	for (i = str_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}
