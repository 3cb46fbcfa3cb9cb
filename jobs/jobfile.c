/* jobfile.c - fio-style job files: [global] plus one section per run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/ini.h"
#include "jobs/jobfile.h"
#include "run/options.h"
#include "run/workload.h"

static const struct opt_spec repeat_spec = { "repeat", OPT_INT, 1, 100000,
	"1", NULL, "runs of the section" };

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
apply(const char *name, struct job_spec *job, const struct ini_kv *kv, char **cause)
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
	struct ini_section *s = NULL, *global = NULL;
	const struct workload *wl;
	struct job_spec *job;
	size_t n = 0, i, k, j;
	const char *wname;
	int r, known;

	memset(jf, 0, sizeof *jf);
	if ((r = ini_split(name, text, &s, &n, cause)) != 0)
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
			const struct ini_kv *kv = &global->kv[k];

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
	ini_sections_free(s, n);
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
