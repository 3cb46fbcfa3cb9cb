/* suggest.c - the nearest names to a mistyped one (common/suggest.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/suggest.h"
#include "common/util.h"

/*
 * The optimal-string-alignment variant of Damerau-Levenshtein: three
 * rows of the dynamic-programming table (the swap looks two rows back).
 * Names are short, so O(len(a) * len(b)) is nothing.
 */
size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, cost, d;
	size_t *prev2 = xcalloc(lb + 1, sizeof *prev2);
	size_t *prev = xcalloc(lb + 1, sizeof *prev);
	size_t *cur = xcalloc(lb + 1, sizeof *cur), *t;

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev2);
	free(prev);
	free(cur);
	return d;
}

void
suggest_init(struct suggest *s, const char *word)
{
	memset(s, 0, sizeof *s);
	s->word = word;
	s->best = SIZE_MAX;
}

/*
 * Close enough to suggest: one edit in a short word, about one in three
 * in a longer one, so "sizee" finds "size" but "x" does not find "run"
 * (git's similarity floor plays the same part).
 */
static int
close_enough(const char *word, size_t d)
{
	size_t limit = strlen(word) / 3;

	if (limit < 1)
		limit = 1;
	return d > 0 && d <= limit;
}

void
suggest_add(struct suggest *s, const char *candidate)
{
	size_t d = edit_distance(s->word, candidate), i;

	if (!close_enough(s->word, d) || d > s->best)
		return;
	if (d < s->best) {
		s->best = d;
		s->n = 0;
	}
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->names[i], candidate) == 0)
			return;
	}
	if (s->n < SUGGEST_MAX)
		s->names[s->n++] = candidate;
}

char *
suggest_hint(const struct suggest *s, const char *otherwise)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (s->n == 0)
		return xstrdup(otherwise);
	buf_adds(&b, " (did you mean ");
	for (i = 0; i < s->n; i++)
		buf_printf(&b, "%s'%s'", i == 0 ? "" : i + 1 == s->n ?
		    " or " : ", ", s->names[i]);
	buf_adds(&b, "?)");
	return buf_detach(&b);
}
