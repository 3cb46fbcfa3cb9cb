/*
 * suggest.h - "did you mean ...?" for a mistyped name: the candidates
 * nearest by Damerau-Levenshtein distance (git's help.c does the same
 * for commands), and only when they are close.
 *
 *   struct suggest s;
 *   suggest_init(&s, "rgressions");
 *   for (each command) suggest_add(&s, name);
 *   hint = suggest_hint(&s, "");  " (did you mean 'regressions'?)" or ""
 */
#ifndef MMSTORM_SUGGEST_H
#define MMSTORM_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX 3   /* names a hint lists at most */

struct suggest {
	const char *word;          /* what was typed */
	size_t best;               /* distance of names[], or SIZE_MAX */
	const char *names[SUGGEST_MAX];
	size_t n;                  /* names at distance best, <= SUGGEST_MAX */
};

/* Edits (insert, delete, substitute, swap two adjacent) from a to b. */
size_t edit_distance(const char *a, const char *b);

void suggest_init(struct suggest *, const char *word);
/* Consider one candidate (kept by pointer, not copied). */
void suggest_add(struct suggest *, const char *candidate);
/* " (did you mean 'a'?)", " (did you mean 'a' or 'b'?)", or otherwise
 * when nothing is close; allocated. */
char *suggest_hint(const struct suggest *, const char *otherwise);

#endif
