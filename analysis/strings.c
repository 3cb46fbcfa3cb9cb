/* strings.c - the one copy of every name that comparisons point to
 * (internal.h says why). */
#include <stdlib.h>

#include "analysis/internal.h"
#include "common/util.h"

struct analysis_strings *
analysis_strings_new(void)
{
	struct analysis_strings *ss = xcalloc(1, sizeof *ss);

	ss->refs = 1;
	return ss;
}

const char *
analysis_strings_add(struct analysis_strings *ss, const char *s)
{
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 64;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof *ss->v);
	}
	return ss->v[ss->n++] = xstrdup(s != NULL ? s : "");
}

void
analysis_strings_unref(struct analysis_strings *ss)
{
	size_t i;

	if (ss == NULL || --ss->refs > 0)
		return;
	for (i = 0; i < ss->n; i++)
		free(ss->v[i]);
	free(ss->v);
	free(ss);
}
