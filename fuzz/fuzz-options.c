/*
 * fuzz-options.c - option values (run/options.c) over every option spec
 * of every workload and common_opts.  The first byte picks the spec, the
 * rest is the value's text.  A value that parses must survive a round
 * trip: params_set() takes it, params_to_json() gives valid JSON, and an
 * integer list stays within its spec's bounds.
 */
#include <jansson.h>

#include "fuzz/fuzz.h"
#include "run/options.h"
#include "workloads/workloads.h"

/* The n-th spec over all tables, with its table's owner; NULL past the
 * last one. */
static const struct opt_spec *
pick_spec(size_t n, const struct workload **owner)
{
	const struct opt_spec *t;
	size_t i, k;

	for (i = 0; workloads[i] != NULL; i++) {
		t = workloads[i]->options;
		for (k = 0; t[k].name != NULL; k++)
			if (n-- == 0) {
				*owner = workloads[i];
				return &t[k];
			}
	}
	*owner = workloads[0];
	for (k = 0; common_opts[k].name != NULL; k++)
		if (n-- == 0)
			return &common_opts[k];
	return NULL;
}

static size_t
count_specs(void)
{
	const struct workload *w;
	size_t n = 0;

	while (pick_spec(n, &w) != NULL)
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t nspecs;
	const struct opt_spec *spec;
	const struct workload *wl;
	struct param p;
	char *text, *cause = NULL;
	int r;

	if (size < 1)
		return 0;
	if (nspecs == 0)
		nspecs = count_specs();
	spec = pick_spec(data[0] % nspecs, &wl);
	text = fuzz_strndup(data + 1, size - 1);
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
	free(text);
	return 0;
}
