/* test-suggest.c - common/suggest.c: distances, and what is suggested. */
#include <stdlib.h>
#include <string.h>

#include "common/suggest.h"
#include "unit.h"

TEST(edit_distance_counts_each_kind_of_edit)
{
	CHECK_INT_EQ(edit_distance("size", "size"), 0);
	CHECK_INT_EQ(edit_distance("sizee", "size"), 1);       /* insert */
	CHECK_INT_EQ(edit_distance("rgressions", "regressions"), 1);
	CHECK_INT_EQ(edit_distance("sise", "size"), 1);        /* substitute */
	CHECK_INT_EQ(edit_distance("comapre", "compare"), 1);  /* swap */
	CHECK_INT_EQ(edit_distance("", "run"), 3);
	CHECK_INT_EQ(edit_distance("kitten", "sitting"), 3);
}

static char *
hint(const char *word, const char *const *names)
{
	struct suggest s;

	suggest_init(&s, word);
	for (; *names != NULL; names++)
		suggest_add(&s, *names);
	return suggest_hint(&s);
}

TEST(suggest_names_only_close_candidates)
{
	static const char *const cmds[] = { "regressions", "report", "run",
		"runs", "show", "status", NULL };
	static const char *const opts[] = { "size", "threads", "sweep",
		"duration", NULL };
	char *h;

	h = hint("rgressions", cmds);
	CHECK_STR_EQ(h, " (did you mean 'regressions'?)");
	free(h);
	h = hint("sizee", opts);
	CHECK_STR_EQ(h, " (did you mean 'size'?)");
	free(h);
	/* the nearest ones, all of them */
	h = hint("rus", cmds);
	CHECK_STR_EQ(h, " (did you mean 'run' or 'runs'?)");
	free(h);
	/* far from everything: no guess */
	h = hint("frobnicate", cmds);
	CHECK_STR_EQ(h, "");
	free(h);
	h = hint("x", cmds);
	CHECK_STR_EQ(h, "");
	free(h);
	/* the exact name is not a suggestion of itself */
	h = hint("run", (const char *const[]){ "run", NULL });
	CHECK_STR_EQ(h, "");
	free(h);
}
