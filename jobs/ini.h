/*
 * ini.h - the INI syntax job files and nightly configs share:
 *
 *   [section]
 *   key=value     ; '#' and ';' start a comment line
 *
 * Only the syntax: what the sections and keys mean is the caller's.
 */
#ifndef MMSTORM_INI_H
#define MMSTORM_INI_H

#include <stddef.h>

struct ini_kv {
	char *key, *value;
	int line;
};

struct ini_section {
	char *name;
	int line;
	struct ini_kv *kv;
	size_t nkv;
};

/* Split text into sections of key=value pairs; syntax errors only, as
 * "'NAME' line N: what". */
int ini_split(const char *name, const char *text, struct ini_section **out,
    size_t *nout, char **cause);
void ini_sections_free(struct ini_section *, size_t);

#endif
