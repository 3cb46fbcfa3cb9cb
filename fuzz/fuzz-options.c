/*
 * fuzz-options.c - option values (run/options.c) over every option spec
 * of every workload and common_opts.  The input is "SELECTOR=VALUE": a
 * selector "WORKLOAD.OPTION" ("common.duration" for common_opts) picks
 * that spec, any other one the spec its bytes hash to, so seeds read as
 * text and every mutation still lands on some spec.  A value that parses must survive a round
 * trip: params_set() takes it, params_to_json() gives valid JSON, and an
 * integer list stays within its spec's bounds.
 */
#include <jansson.h>

#include "fuzz/fuzz.h"
#include "run/options.h"
#include "workloads/workloads.h"

/* The n-th spec over all tables, with the workload whose params take it
 * and its selector's prefix; NULL past the last one. */
static const struct opt_spec *
pick_spec(size_t n, const struct workload **owner, const char **prefix)
{
	const struct opt_spec *t;
	size_t i, k;

	for (i = 0; workloads[i] != NULL; i++) {
		t = workloads[i]->options;
		for (k = 0; t[k].name != NULL; k++)
			if (n-- == 0) {
				*owner = workloads[i];
				*prefix = workloads[i]->name;
				return &t[k];
			}
	}
	*owner = workloads[0];
	*prefix = "common";
	for (k = 0; common_opts[k].name != NULL; k++)
		if (n-- == 0)
			return &common_opts[k];
	return NULL;
}

static size_t
count_specs(void)
{
	const struct workload *w;
	const char *prefix;
	size_t n = 0;

	while (pick_spec(n, &w, &prefix) != NULL)
		n++;
	return n;
}

static void
check_value(const struct opt_spec *spec, const struct param *p)
{
	size_t i;

	if (spec->type != OPT_INTLIST)
		return;
	if (p->nlist == 0 || p->list == NULL)
		fuzz_fail("option '%s': an empty list parsed", spec->name);
	for (i = 0; i < p->nlist; i++)
		if (p->list[i] < spec->min || p->list[i] > spec->max)
			fuzz_fail("option '%s': %lld outside %lld..%lld",
			    spec->name, (long long)p->list[i],
			    (long long)spec->min, (long long)spec->max);
}

static void
check_params(const struct workload *wl, const struct opt_spec *spec,
    const char *text)
{
	struct params *ps = params_new(wl->name, wl->options);
	char *cause = NULL, *json;
	json_t *j;
	int r;

	r = params_set(ps, spec->name, text, &cause);
	fuzz_check_cause(r, cause);
	if (r != 0)
		fuzz_fail("params_set refuses what opt_parse_value took: %s",
		    cause);
	json = params_to_json(ps);
	if ((j = json_loads(json, 0, NULL)) == NULL)
		fuzz_fail("params_to_json gave invalid JSON: %s", json);
	json_decref(j);
	free(json);
	params_free(ps);
}

/* The spec a selector names, or the one its bytes hash to. */
static const struct opt_spec *
select_spec(const char *sel, size_t len, const struct workload **wl)
{
	static size_t nspecs;
	const struct opt_spec *spec;
	const char *owner;
	size_t i, hash = 0;

	if (nspecs == 0)
		nspecs = count_specs();
	for (i = 0; (spec = pick_spec(i, wl, &owner)) != NULL; i++) {
		if (strlen(owner) + 1 + strlen(spec->name) == len &&
		    strncmp(sel, owner, strlen(owner)) == 0 &&
		    sel[strlen(owner)] == '.' &&
		    strncmp(sel + strlen(owner) + 1, spec->name,
		    strlen(spec->name)) == 0)
			return spec;
	}
	for (i = 0; i < len; i++)
		hash = hash * 31 + (unsigned char)sel[i];
	return pick_spec(hash % nspecs, wl, &owner);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct opt_spec *spec;
	const struct workload *wl;
	struct param p;
	char *input = fuzz_strndup(data, size), *text, *cause = NULL;
	size_t sel_len;
	int r;

	/* No '=': all of it is the value, the empty selector picks. */
	if ((text = strchr(input, '=')) != NULL) {
		sel_len = (size_t)(text - input);
		text++;
	} else {
		sel_len = 0;
		text = input;
	}
	spec = select_spec(input, sel_len, &wl);
	memset(&p, 0, sizeof p);
	r = opt_parse_value(spec, text, &p, &cause);
	fuzz_check_cause(r, cause);
	if (r == 0) {
		check_value(spec, &p);
		check_params(wl, spec, text);
	}
	free(p.s);
	free(p.list);
	free(cause);
	free(input);
	return 0;
}
