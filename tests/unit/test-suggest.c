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

TEST(suggest_names_only_close_candidates)
{
	static const char *const names[] = { "regressions", "report", "run",
		"runs", "show", "status", "size", "threads", "sweep", NULL };
	static const struct {
		const char *word, *hint;
	} cases[] = {
		{ "rgressions", " (did you mean 'regressions'?)" },
		{ "sizee", " (did you mean 'size'?)" },
		/* the nearest ones, all of them */
		{ "rus", " (did you mean 'run' or 'runs'?)" },
		/* far from everything: no guess */
		{ "frobnicate", "-" },
		{ "x", "-" },
		/* the exact name is not a suggestion of itself */
		{ "show", "-" },
	};
	const char *const *n;
	struct suggest s;
	char *hint;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		suggest_init(&s, cases[i].word);
		for (n = names; *n != NULL; n++)
			suggest_add(&s, *n);
		hint = suggest_hint(&s, "-");
		CHECK_STR_EQ(hint, cases[i].hint);
		free(hint);
	}
}
