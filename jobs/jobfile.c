/* jobfile.c - fio-style job files: [global] plus one section per run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/jobfile.h"
#include "run/options.h"
#include "run/workload.h"

static const struct opt_spec repeat_spec = { "repeat", OPT_INT, 1, 100000,
	"1", NULL, "runs of the section" };

struct kv {
	char *key, *value;
	int line;
};

struct section {
	char *name;
	int line;
	struct kv *kv;
	size_t nkv;
};

static void
sections_free(struct section *s, size_t n)
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
static int
split(const char *name, const char *text, struct section **out, size_t *nout,
    char **cause)
{
	char *copy = xstrdup(text), *rest = copy, *line, *eq, *end;
	struct section *s = NULL, *cur = NULL;
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
		sections_free(s, n);
		return r;
	}
	*out = s;
	*nout = n;
	return 0;
}

static int
has_option(const struct workload *wl, const char *key)
{
	size_t i;

	for (i = 0; wl->options[i].name != NULL; i++)
		if (strcmp(wl->options[i].name, key) == 0)
			return 1;
	for (i = 0; common_opts[i].name != NULL; i++)
		if (strcmp(common_opts[i].name, key) == 0)
			return 1;
	return 0;
}

/* One section's key: run-level (repeat, label) or a workload option. */
static int
apply(const char *name, struct job_spec *job, const struct kv *kv, char **cause)
{
	struct param p;
	char *inner = NULL;
	int r;

	if (strcmp(kv->key, "workload") == 0)
		return 0;
	if (strcmp(kv->key, "repeat") == 0) {
		memset(&p, 0, sizeof p);
		if ((r = opt_parse_value(&repeat_spec, kv->value, &p,
		    &inner)) == 0)
			job->repeat = p.i;
		free(p.s);
	} else if (strcmp(kv->key, "label") == 0) {
		/* As the CLI's --label and the API's "label" say. */
		if (*kv->value == '\0')
			return set_cause(cause, EINVAL, "'%s' line %d: a label "
			    "must be one non-empty line", name, kv->line);
		free(job->label);
		job->label = xstrdup(kv->value);
		return 0;
	} else
		r = params_set(job->params, kv->key, kv->value, &inner);
	if (r != 0)
		set_cause(cause, -r, "'%s' line %d: %s", name, kv->line, inner);
	free(inner);
	return r;
}

int
jobfile_parse(const char *name, const char *text,
    const struct workload *const *registry, struct jobfile *jf, char **cause)
{
	struct section *s = NULL, *global = NULL;
	const struct workload *wl;
	struct job_spec *job;
	size_t n = 0, i, k, j;
	const char *wname;
	int r, known;

	memset(jf, 0, sizeof *jf);
	if ((r = split(name, text, &s, &n, cause)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].name, "global") == 0) {
			if (global != NULL) {
				r = set_cause(cause, EINVAL, "'%s' line %d: a "
				    "second [global] section", name, s[i].line);
				goto out;
			}
			global = &s[i];
			continue;
		}
		wname = NULL;
		for (k = 0; k < s[i].nkv; k++)
			if (strcmp(s[i].kv[k].key, "workload") == 0)
				wname = s[i].kv[k].value;
		if (wname == NULL) {
			r = set_cause(cause, EINVAL, "'%s' line %d: section "
			    "[%s] has no workload=", name, s[i].line,
			    s[i].name);
			goto out;
		}
		if ((wl = workload_lookup(registry, wname)) == NULL) {
			r = set_cause(cause, EINVAL, "'%s' line %d: unknown "
			    "workload '%s' in section [%s]", name, s[i].line,
			    wname, s[i].name);
			goto out;
		}
		jf->jobs = xreallocarray(jf->jobs, jf->njobs + 1,
		    sizeof *jf->jobs);
		job = &jf->jobs[jf->njobs++];
		job_spec_init(job, wl);
		job->section = xstrdup(s[i].name);
		job->line = s[i].line;
		/* [global] first, so the section's own keys win. */
		for (k = 0; global != NULL && k < global->nkv; k++) {
			const struct kv *kv = &global->kv[k];

			if (strcmp(kv->key, "workload") == 0) {
				r = set_cause(cause, EINVAL, "'%s' line %d: "
				    "workload= belongs in a section, not "
				    "[global]", name, kv->line);
				goto out;
			}
			if (strcmp(kv->key, "repeat") != 0 &&
			    strcmp(kv->key, "label") != 0 &&
			    !has_option(job->wl, kv->key))
				continue;
			if ((r = apply(name, job, kv, cause)) != 0)
				goto out;
		}
		for (k = 0; k < s[i].nkv; k++)
			if ((r = apply(name, job, &s[i].kv[k], cause)) != 0)
				goto out;
	}
	/* A global key that applies to nothing is a typo, not a no-op. */
	for (k = 0; global != NULL && k < global->nkv; k++) {
		const char *key = global->kv[k].key;

		known = strcmp(key, "repeat") == 0 || strcmp(key, "label") == 0;
		for (j = 0; !known && j < jf->njobs; j++)
			known = has_option(jf->jobs[j].wl, key);
		if (!known) {
			r = set_cause(cause, EINVAL, "'%s' line %d: option "
			    "'%s' in [global] is not an option of any "
			    "workload in the file", name, global->kv[k].line,
			    key);
			goto out;
		}
	}
	if (jf->njobs == 0)
		r = set_cause(cause, EINVAL, "'%s': no sections with a "
		    "workload", name);
out:
	sections_free(s, n);
	if (r != 0)
		jobfile_release(jf);
	return r;
}

int
jobfile_load(const char *path, const struct workload *const *registry,
    struct jobfile *jf, char **cause)
{
	char *text = NULL;
	int r;

	memset(jf, 0, sizeof *jf);
	if ((r = read_file(path, &text, NULL, cause)) != 0)
		return r;
	r = jobfile_parse(path, text, registry, jf, cause);
	free(text);
	return r;
}

void
jobfile_release(struct jobfile *jf)
{
	size_t i;

	for (i = 0; i < jf->njobs; i++)
		job_spec_release(&jf->jobs[i]);
	free(jf->jobs);
	memset(jf, 0, sizeof *jf);
}
