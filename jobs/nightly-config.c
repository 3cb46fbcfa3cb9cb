/*
 * nightly-config.c - the nightly driver's config file (nightly.h,
 * docs/nightly.md): one [nightly] section, checked whole before the
 * driver touches the database, so a bad file stores nothing.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/ini.h"
#include "jobs/jobfile.h"
#include "jobs/nightly.h"

/* A git branch longer than this is not a nightly's list of builds. */
#define NIGHTLY_MAX_BUILDS 100000

static const char *const config_keys[] = {
	"name", "builds", "git", "branch", "since", "recipe", "job", "target",
	"baseline", "test", "runs", "confirm", "threshold", "timeout",
	"report", "webhook", NULL,
};

/* Split value on blanks into a NULL-terminated vector. */
static void
words(const char *value, char ***out, size_t *nout)
{
	char *copy = xstrdup(value), *rest = copy, *w;

	/* "\n" too: git's output lines are split here as well. */
	while ((w = strsep(&rest, " \t\n")) != NULL) {
		if (*w == '\0')
			continue;
		*out = xreallocarray(*out, *nout + 2, sizeof **out);
		(*out)[(*nout)++] = xstrdup(w);
		(*out)[*nout] = NULL;
	}
	free(copy);
}

static void
words_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A path in the config is relative to the config's folder. */
static char *
config_relative(const char *config, const char *path)
{
	char *copy, *dir;

	if (path[0] == '/')
		return xstrdup(path);
	copy = xstrdup(config);
	dir = xasprintf("%s/%s", dirname(copy), path);
	free(copy);
	return dir;
}

static int
int_key(const char *file, const struct ini_kv *kv, int64_t min, int64_t max,
    int *out, char **cause)
{
	int64_t v;

	if (parse_int64(kv->value, &v) != 0 || v < min || v > max)
		return set_cause(cause, EINVAL, "'%s' line %d: %s= expects a "
		    "number from %lld to %lld, got '%s'", file, kv->line,
		    kv->key, (long long)min, (long long)max, kv->value);
	*out = (int)v;
	return 0;
}

/*
 * target=local: the job on this machine, through its mmstormd if one
 * answers (else in the foreground), into the database `mmstorm run`
 * uses; then exported, so the driver imports the runs (or skips them,
 * being its own database).  Only the running kernel can be tested here:
 * a lab that reboots into each build is a command: target.
 */
static const char local_command[] =
	"set -e\n"
	"case \"$(uname -r)\" in\n"
	"\"$MMSTORM_NIGHTLY_BUILD\"|\"$MMSTORM_NIGHTLY_BUILD\"-*) ;;\n"
	"*) echo \"nightly: this machine runs '$(uname -r)', not "
	"'$MMSTORM_NIGHTLY_BUILD': target=local tests the running kernel "
	"only\" >&2; exit 1 ;;\n"
	"esac\n"
	"t=$(mktemp -d)\n"
	"trap 'rm -rf \"$t\"' EXIT\n"
	/* runs= replaces every section's repeat= */
	"sed -e '/^[[:space:]]*repeat[[:space:]]*=/d' "
	"-e \"s/^[[:space:]]*\\[.*\\][[:space:]]*\\$/&\\nrepeat="
	"$MMSTORM_NIGHTLY_RUNS/\" \"$MMSTORM_NIGHTLY_JOB\" > \"$t/job\"\n"
	"\"$MMSTORM_NIGHTLY_MMSTORM\" run --job \"$t/job\" --wait --json "
	"> \"$t/runs\"\n"
	"\"$MMSTORM_NIGHTLY_MMSTORM\" export $(sed -n "
	"'s/^{\"run\":\"\\([0-9a-f-]*\\)\".*/\\1/p' \"$t/runs\")\n";

/* target=command:CMD | vm-lab[:DIR] | local; the fleet is not here yet. */
static int
target_key(struct nightly_config *c, const struct ini_kv *kv, char **cause)
{
	const char *v = kv->value;

	free(c->command);
	c->command = NULL;
	if (starts_with(v, "command:") && v[8] != '\0') {
		c->target = NIGHTLY_TARGET_COMMAND;
		c->command = xstrdup(v + 8);
	} else if (strcmp(v, "vm-lab") == 0 || starts_with(v, "vm-lab:")) {
		c->target = NIGHTLY_TARGET_VM_LAB;
		c->command = xasprintf("%s/nightly-target.sh",
		    v[6] == ':' ? v + 7 : "tests/vm");
	} else if (strcmp(v, "local") == 0) {
		c->target = NIGHTLY_TARGET_LOCAL;
		c->command = xstrdup(local_command);
	} else if (strcmp(v, "fleet") == 0)
		return set_cause(cause, ENOTSUP, "'%s' line %d: target '%s' "
		    "is not available yet: use command:CMD, vm-lab or local",
		    c->path, kv->line, v);
	else
		return set_cause(cause, EINVAL, "'%s' line %d: target= expects "
		    "command:CMD, vm-lab[:DIR] or local, got '%s'", c->path, kv->line,
		    v);
	return 0;
}

static int
number_key(struct nightly_config *c, const struct ini_kv *kv, char **cause)
{
	if (strcmp(kv->key, "runs") == 0)
		return int_key(c->path, kv, 1, 1000, &c->runs, cause);
	if (strcmp(kv->key, "confirm") == 0)
		return int_key(c->path, kv, 1, 100, &c->confirm, cause);
	if (strcmp(kv->key, "timeout") == 0)
		return int_key(c->path, kv, 0, 7 * 86400, &c->timeout_s, cause);
	if (parse_double(kv->value, &c->threshold_pct) != 0 ||
	    c->threshold_pct < 0 || c->threshold_pct > 1000)
		return set_cause(cause, EINVAL, "'%s' line %d: threshold= "
		    "expects a percentage from 0 to 1000, got '%s'", c->path,
		    kv->line, kv->value);
	return 0;
}

/* One key=value of [nightly]. */
static int
config_key(struct nightly_config *c, const struct ini_kv *kv, char **cause)
{
	char **slot = NULL;
	size_t i;

	for (i = 0; config_keys[i] != NULL; i++)
		if (strcmp(kv->key, config_keys[i]) == 0)
			break;
	if (config_keys[i] == NULL)
		return set_cause(cause, EINVAL, "'%s' line %d: unknown key "
		    "'%s'", c->path, kv->line, kv->key);
	if (*kv->value == '\0')
		return set_cause(cause, EINVAL, "'%s' line %d: %s= is empty",
		    c->path, kv->line, kv->key);
	if (c->seen & (1u << i))
		return set_cause(cause, EINVAL, "'%s' line %d: %s= is given "
		    "twice", c->path, kv->line, kv->key);
	c->seen |= 1u << i;
	if (strcmp(kv->key, "builds") == 0) {
		words(kv->value, &c->builds, &c->nbuilds);
		return 0;
	}
	if (strcmp(kv->key, "report") == 0) {
		words(kv->value, &c->reports, &c->nreports);
		for (i = 0; i < c->nreports; i++) {
			char *path = config_relative(c->path, c->reports[i]);

			free(c->reports[i]);
			c->reports[i] = path;
		}
		return 0;
	}
	if (strcmp(kv->key, "target") == 0)
		return target_key(c, kv, cause);
	if (strcmp(kv->key, "test") == 0) {
		if (strcmp(kv->value, "tip") != 0 &&
		    strcmp(kv->value, "all") != 0)
			return set_cause(cause, EINVAL, "'%s' line %d: test= "
			    "expects tip or all, got '%s'", c->path, kv->line,
			    kv->value);
		c->test_all = strcmp(kv->value, "all") == 0;
		return 0;
	}
	if (strcmp(kv->key, "baseline") == 0) {
		free(c->baseline);
		c->baseline = strcmp(kv->value, "last-good") == 0 ? NULL :
		    xstrdup(kv->value);
		return 0;
	}
	if (strcmp(kv->key, "runs") == 0 || strcmp(kv->key, "confirm") == 0 ||
	    strcmp(kv->key, "timeout") == 0 ||
	    strcmp(kv->key, "threshold") == 0)
		return number_key(c, kv, cause);
	if (strcmp(kv->key, "name") == 0) slot = &c->name;
	else if (strcmp(kv->key, "git") == 0) slot = &c->git_tree;
	else if (strcmp(kv->key, "branch") == 0) slot = &c->git_branch;
	else if (strcmp(kv->key, "since") == 0) slot = &c->git_since;
	else if (strcmp(kv->key, "recipe") == 0) slot = &c->recipe;
	else if (strcmp(kv->key, "job") == 0) slot = &c->job;
	else slot = &c->webhook;
	free(*slot);
	*slot = strcmp(kv->key, "job") == 0 || strcmp(kv->key, "git") == 0 ?
	    config_relative(c->path, kv->value) : xstrdup(kv->value);
	return 0;
}

/* Every word git prints for args, appended to the builds. */
static int
git_words(struct nightly_config *c, const char *args, char **cause)
{
	char *cmd = xasprintf("git -C '%s' %s", c->git_tree, args), line[256];
	FILE *p;
	int r = 0;

	if ((p = popen(cmd, "r")) == NULL) {
		r = set_cause(cause, errno, "cannot run git: %s",
		    strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof line, p) != NULL &&
	    c->nbuilds < NIGHTLY_MAX_BUILDS)
		words(line, &c->builds, &c->nbuilds);
	if (pclose(p) != 0)
		r = set_cause(cause, EINVAL, "'%s': git cannot list '%s' of "
		    "'%s'", c->path, c->git_since ? c->git_since :
		    c->git_branch, c->git_tree);
out:
	free(cmd);
	return r;
}

/* git= source: since= (the first reference) and the branch's
 * first-parent commits after it, oldest first, as 12-digit
 * abbreviations: what the recipe checks out. */
static int
git_builds(struct nightly_config *c, char **cause)
{
	char *args;
	int r;

	if (strchr(c->git_tree, '\'') || strchr(c->git_branch, '\'') ||
	    (c->git_since && strchr(c->git_since, '\'')))
		return set_cause(cause, EINVAL, "'%s': git=, branch= and "
		    "since= may not contain a quote", c->path);
	if (c->git_since != NULL) {
		args = xasprintf("rev-parse --short=12 '%s^{commit}'",
		    c->git_since);
		r = git_words(c, args, cause);
		free(args);
		if (r != 0)
			return r;
	}
	args = xasprintf("rev-list --first-parent --reverse --abbrev=12 "
	    "--abbrev-commit '%s%s%s' --", c->git_since ? c->git_since : "",
	    c->git_since ? ".." : "", c->git_branch);
	r = git_words(c, args, cause);
	free(args);
	return r;
}

/* What the keys must say together. */
static int
config_check(struct nightly_config *c, const struct workload *const *registry,
    char **cause)
{
	struct jobfile jf;
	size_t i, k;
	int r, found = c->baseline == NULL;

	if (c->nbuilds > 0 && c->git_tree != NULL)
		return set_cause(cause, EINVAL, "'%s': builds= and git= "
		    "exclude each other", c->path);
	if (c->git_tree != NULL && c->git_branch == NULL)
		return set_cause(cause, EINVAL, "'%s': git= needs branch=",
		    c->path);
	if (c->git_tree == NULL && (c->git_branch || c->git_since ||
	    c->recipe))
		return set_cause(cause, EINVAL, "'%s': branch=, since= and "
		    "recipe= need git=", c->path);
	if (c->git_tree != NULL && (r = git_builds(c, cause)) != 0)
		return r;
	if (c->nbuilds == 0)
		return set_cause(cause, EINVAL, "'%s': no builds: give builds= "
		    "or git= and branch=", c->path);
	if (c->job == NULL || c->command == NULL)
		return set_cause(cause, EINVAL, "'%s': %s= is required",
		    c->path, c->job == NULL ? "job" : "target");
	for (i = 0; i < c->nbuilds; i++) {
		if (c->baseline && strcmp(c->builds[i], c->baseline) == 0)
			found = 1;
		for (k = 0; k < i; k++)
			if (strcmp(c->builds[k], c->builds[i]) == 0)
				return set_cause(cause, EINVAL, "'%s': build "
				    "'%s' is listed twice", c->path,
				    c->builds[i]);
	}
	if (!found)
		return set_cause(cause, EINVAL, "'%s': baseline '%s' is not "
		    "one of the builds", c->path, c->baseline);
	if (c->webhook && !starts_with(c->webhook, "http://") &&
	    !starts_with(c->webhook, "https://"))
		return set_cause(cause, EINVAL, "'%s': webhook= expects an "
		    "http:// or https:// URL, got '%s'", c->path, c->webhook);
	if ((r = jobfile_load(c->job, registry, &jf, cause)) != 0)
		return r;
	jobfile_release(&jf);
	return 0;
}

/* name= or the file's base name less ".conf". */
static void
default_name(struct nightly_config *c)
{
	const char *base = strrchr(c->path, '/');
	size_t len;

	base = base ? base + 1 : c->path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	c->name = xstrndup(base, len);
}

int
nightly_config_load(const char *path, const struct workload *const *registry,
    struct nightly_config *c, char **cause)
{
	struct ini_section *s = NULL;
	char *text = NULL;
	size_t n = 0, i;
	int r;

	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->runs = 5;
	c->confirm = 3;
	c->threshold_pct = 5.0;
	if ((r = read_file(path, &text, NULL, cause)) != 0 ||
	    (r = ini_split(path, text, &s, &n, cause)) != 0)
		goto out;
	if (n != 1 || strcmp(s[0].name, "nightly") != 0) {
		r = set_cause(cause, EINVAL, "'%s': expected one [nightly] "
		    "section", path);
		goto out;
	}
	for (i = 0; i < s[0].nkv; i++)
		if ((r = config_key(c, &s[0].kv[i], cause)) != 0)
			goto out;
	if (c->name == NULL)
		default_name(c);
	r = config_check(c, registry, cause);
out:
	ini_sections_free(s, n);
	free(text);
	if (r != 0)
		nightly_config_release(c);
	return r;
}

void
nightly_config_release(struct nightly_config *c)
{
	free(c->path);
	free(c->name);
	words_free(c->builds, c->nbuilds);
	free(c->git_tree);
	free(c->git_branch);
	free(c->git_since);
	free(c->recipe);
	free(c->job);
	free(c->command);
	free(c->baseline);
	words_free(c->reports, c->nreports);
	free(c->webhook);
	memset(c, 0, sizeof *c);
}
