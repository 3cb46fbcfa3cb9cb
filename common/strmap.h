/*
 * strmap.h - a small string -> int64 map (open addressing, FNV-1a), for
 * sets of names met while reading a file (build keys, uuids).
 */
#ifndef MMSTORM_STRMAP_H
#define MMSTORM_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
	char **keys;
	int64_t *vals;
	size_t cap, n;
};

#define STRMAP_INIT { NULL, NULL, 0, 0 }

/* The value stored for key, or NULL. */
int64_t *strmap_find(struct strmap *, const char *key);
/* Store a copy of key; the key must not be in the map yet. */
void strmap_put(struct strmap *, const char *key, int64_t val);
/* Free everything; the map is empty again. */
void strmap_free(struct strmap *);

#endif
