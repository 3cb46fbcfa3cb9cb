/* ini.c - the INI syntax of job files and nightly configs (ini.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/ini.h"

void
ini_sections_free(struct ini_section *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < s[i].nkv; k++) {
			free(s[i].kv[k].key);
			free(s[i].kv[k].value);
		}
		free(s[i].kv);
		free(s[i].name);
	}
	free(s);
}

/* Split the text into sections of key=value pairs; syntax errors only. */
int
ini_split(const char *name, const char *text, struct ini_section **out,
    size_t *nout, char **cause)
{
	char *copy = xstrdup(text), *rest = copy, *line, *eq, *end;
	struct ini_section *s = NULL, *cur = NULL;
	size_t n = 0;
	int lineno = 0, r = 0;

	while ((line = strsep(&rest, "\n")) != NULL) {
		lineno++;
		trim(line);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			end = strchr(line, ']');
			if (end == NULL || end[1] != '\0' || end == line + 1) {
				r = set_cause(cause, EINVAL,
				    "'%s' line %d: malformed section header "
				    "'%s'", name, lineno, line);
				goto out;
			}
			*end = '\0';
			s = xreallocarray(s, n + 1, sizeof *s);
			cur = &s[n++];
			memset(cur, 0, sizeof *cur);
			cur->name = xstrdup(trim(line + 1));
			cur->line = lineno;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL || eq == line) {
			r = set_cause(cause, EINVAL,
			    "'%s' line %d: expected name=value, got '%s'",
			    name, lineno, line);
			goto out;
		}
		if (cur == NULL) {
			r = set_cause(cause, EINVAL,
			    "'%s' line %d: '%s' is outside any [section]",
			    name, lineno, line);
			goto out;
		}
		*eq = '\0';
		cur->kv = xreallocarray(cur->kv, cur->nkv + 1, sizeof *cur->kv);
		cur->kv[cur->nkv].key = xstrdup(trim(line));
		cur->kv[cur->nkv].value = xstrdup(trim(eq + 1));
		cur->kv[cur->nkv].line = lineno;
		cur->nkv++;
	}
out:
	free(copy);
	if (r != 0) {
		ini_sections_free(s, n);
		return r;
	}
	*out = s;
	*nout = n;
	return 0;
}
