/*
 * keys.c - the comparability key of a run: its host's class and its
 * parameter hash (store/catalog.h), with the --host/--params filters.
 *
 * Computed here from hosts and runs.params, not stored: the hosts are a
 * few rows, and the params texts of thousands of runs are a handful of
 * distinct ones, each parsed and hashed once (bench/README.md, analysis).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/util.h"
#include "store/db.h"

#define KEY_ANY "any"

/* A params text read before, by a cheap hash of its bytes. */
struct params_seen {
	uint64_t fnv;
	char *workload;
	char *text;
	const char *key;      /* interned; NULL: the filter leaves it out */
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* One copy of s among v[0..*n), added when new. */
static const char *
intern(struct analysis_strings *ss, const char ***v, size_t *n,
    const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return (*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	return (*v)[(*n)++] = analysis_strings_add(ss, s);
}

int
run_keys_init(struct run_keys *k, struct db *db,
    struct analysis_strings *ss, const struct compare_opts *o, char **cause)
{
	const char **names = NULL;
	size_t nnames = 0, i;
	int r;

	memset(k, 0, sizeof *k);
	k->ss = ss;
	k->o = o;
	if ((r = catalog_hosts(db, 0, &k->hosts, &k->nhosts, cause)) != 0)
		return r;
	k->host_key = xreallocarray(NULL, k->nhosts + 1, sizeof *k->host_key);
	k->host_ok = xcalloc(k->nhosts + 1, 1);
	for (i = 0; i < k->nhosts; i++) {
		k->host_ok[i] = catalog_host_matches(&k->hosts[i], o->host);
		k->host_key[i] = intern(ss, &names, &nnames,
		    o->mix & COMPARE_MIX_HOST ? KEY_ANY : k->hosts[i].name);
	}
	free(names);
	return 0;
}

void
run_keys_release(struct run_keys *k)
{
	size_t i;

	for (i = 0; i < k->nseen; i++) {
		free(k->seen[i].workload);
		free(k->seen[i].text);
	}
	free(k->seen);
	free(k->interned);
	free(k->host_key);
	free(k->host_ok);
	catalog_hosts_free(k->hosts, k->nhosts);
	memset(k, 0, sizeof *k);
}

/* The host row of an id: ids are dense from 1 in practice, else search. */
static size_t
host_index(const struct run_keys *k, int64_t id)
{
	size_t i;

	if (id >= 1 && (size_t)id <= k->nhosts && k->hosts[id - 1].id == id)
		return (size_t)id - 1;
	for (i = 0; i < k->nhosts; i++)
		if (k->hosts[i].id == id)
			return i;
	return k->nhosts;
}

/* 1 when seen is the params text of a run of workload. */
static int
seen_is(const struct params_seen *seen, uint64_t h, const char *workload,
    const char *text)
{
	return seen->fnv == h && strcmp(seen->text, text) == 0 &&
	    strcmp(seen->workload, workload) == 0;
}

/* The interned key of a workload's params text; NULL when --params
 * leaves it out.  The key leaves out options at their defaults, and
 * those are the workload's: the cache is by workload and text. */
static const char *
params_key(struct run_keys *k, const char *workload, const char *text)
{
	char key[CATALOG_PARAMS_KEY_LEN + 1];
	struct params_seen *p;
	uint64_t h;
	size_t i;

	if (text == NULL)
		text = "";
	if (workload == NULL)
		workload = "";
	h = fnv1a(text);
	/* runs come in batches of one job: the last one read, first */
	if (k->last < k->nseen && seen_is(&k->seen[k->last], h, workload,
	    text))
		return k->seen[k->last].key;
	for (i = 0; i < k->nseen; i++) {
		if (seen_is(&k->seen[i], h, workload, text)) {
			k->last = i;
			return k->seen[i].key;
		}
	}
	catalog_params_key(workload, text, key);
	k->seen = xreallocarray(k->seen, k->nseen + 1, sizeof *k->seen);
	p = &k->seen[k->nseen];
	p->fnv = h;
	p->workload = xstrdup(workload);
	p->text = xstrdup(text);
	p->key = NULL;
	if (k->o->params == NULL || starts_with(key, k->o->params))
		p->key = intern(k->ss, &k->interned, &k->ninterned,
		    k->o->mix & COMPARE_MIX_PARAMS ? KEY_ANY : key);
	k->last = k->nseen++;
	return p->key;
}

int
run_keys_of(struct run_keys *k, int64_t host_id, const char *workload,
    const char *params, const char **host, const char **params_out)
{
	size_t i = host_index(k, host_id);

	if (i == k->nhosts || !k->host_ok[i])
		return 0;
	*host = k->host_key[i];
	*params_out = params_key(k, workload, params);
	return *params_out != NULL;
}
