/*
 * reached.c - a run's proofs that it reached its workload's kernel path
 * (run/reached.h): evaluated from counter deltas and metrics, put in
 * words for the run's reason and in JSON for `show`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"
#include "run/options.h"
#include "run/reached.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/run-json.h"
#include "store/series.h"

/* "option=value" / "option!=value" against the run's parameters. */
static int
proof_applies(const struct workload_proof *wp, const struct params *p)
{
	const char *eq, *name_end;
	const struct param *par;
	char *name;
	int64_t want;
	int negate, same;

	if (wp->when == NULL || (eq = strchr(wp->when, '=')) == NULL)
		return 1;
	negate = eq > wp->when && eq[-1] == '!';
	name_end = negate ? eq - 1 : eq;
	name = xstrndup(wp->when, (size_t)(name_end - wp->when));
	par = p != NULL ? params_get(p, name) : NULL;
	free(name);
	if (par == NULL || !par->has_value)
		same = 0;
	else if (par->spec->type == OPT_ENUM || par->spec->type == OPT_STRING)
		same = par->s != NULL && strcmp(par->s, eq + 1) == 0;
	else    /* numbers as numbers: threads=01 is threads=1 */
		same = parse_int64(eq + 1, &want) == 0 && par->i == want;
	return negate ? !same : same;
}

/* One alternative: "a+b+c", recorded when every term is. */
static int
eval_sum(const char *expr, reached_lookup look, void *arg, double *sum)
{
	char *copy = xstrdup(expr), *term, *save = NULL;
	double v;
	int r = 0;

	*sum = 0;
	for (term = strtok_r(copy, "+", &save); term != NULL && r == 0;
	    term = strtok_r(NULL, "+", &save)) {
		if ((r = look(arg, term, &v)) == 0)
			*sum += v;
	}
	free(copy);
	return r;
}

static void
eval_proof(const struct workload_proof *wp, reached_lookup look, void *arg,
    struct reached_proof *out)
{
	char *copy = xstrdup(wp->value), *alt, *save = NULL;
	double v;

	memset(out, 0, sizeof *out);
	out->what = wp->what;
	out->min = wp->min;
	for (alt = strtok_r(copy, "|", &save); alt != NULL;
	    alt = strtok_r(NULL, "|", &save)) {
		if (eval_sum(alt, look, arg, &v) != 0)
			continue;
		if (!out->recorded || v >= wp->min) {
			free(out->value);
			out->value = xstrdup(alt);
			out->observed = v;
		}
		out->recorded = 1;
		if (v >= wp->min) {
			out->ok = 1;
			break;
		}
	}
	if (!out->recorded)
		out->value = xstrdup(wp->value);
	free(copy);
}

void
reached_check(const struct workload *wl, const struct params *p,
    reached_lookup look, void *arg, struct reached *out)
{
	const struct workload_proof *wp;

	memset(out, 0, sizeof *out);
	out->ok = 1;
	if (wl->path == NULL || wl->proofs == NULL)
		return;
	out->path = wl->path;
	for (wp = wl->proofs; wp->what != NULL; wp++) {
		if (!proof_applies(wp, p))
			continue;
		out->proofs = xreallocarray(out->proofs, out->nproofs + 1,
		    sizeof *out->proofs);
		eval_proof(wp, look, arg, &out->proofs[out->nproofs]);
		if (!out->proofs[out->nproofs].ok)
			out->ok = 0;
		out->nproofs++;
	}
}

/* What the store holds of a run: its counter deltas and metrics. */
struct run_values {
	struct series s;
	int have_series;
	json_t *metrics;
};

static int
run_lookup(void *arg, const char *name, double *value)
{
	struct run_values *rv = arg;
	json_t *m;
	long k;

	if (starts_with(name, "metric:")) {
		m = json_object_get(rv->metrics, name + 7);
		if (!json_is_number(m))
			return -ENOENT;
		*value = json_number_value(m);
		return 0;
	}
	if (!rv->have_series || (k = series_index(&rv->s, name)) < 0)
		return -ENOENT;
	*value = (double)series_delta(&rv->s, (size_t)k);
	return 0;
}

int
reached_check_run(struct db *db, int64_t run_id, const struct workload *wl,
    const struct params *p, struct reached *out, char **cause)
{
	struct run_values rv;
	json_t *summary;

	memset(&rv, 0, sizeof rv);
	memset(out, 0, sizeof *out);
	out->ok = 1;
	if (wl->path == NULL)
		return 0;
	/* No samples (the sampler could not start): counters unrecorded. */
	rv.have_series = series_load_ends(db, run_id, &rv.s, NULL) == 0;
	if ((summary = run_summary_json(db, run_id)) == NULL) {
		if (rv.have_series)
			series_release(&rv.s);
		return set_cause(cause, EIO, "cannot read the run's metrics");
	}
	rv.metrics = json_object_get(summary, "metrics");
	reached_check(wl, p, run_lookup, &rv, out);
	json_decref(summary);
	if (rv.have_series)
		series_release(&rv.s);
	return 0;
}

static char *
format_number(double v)
{
	return xasprintf("%.15g", v);
}

char *
reached_reason(const struct reached *r)
{
	struct reached_proof *rp;
	char *out = xstrdup("path not reached:"), *next, *obs, *min;
	const char *sep = " ";
	size_t i;

	for (i = 0; i < r->nproofs; i++) {
		rp = &r->proofs[i];
		if (rp->ok)
			continue;
		min = format_number(rp->min);
		obs = rp->recorded ? format_number(rp->observed) :
		    xstrdup("not recorded");
		next = xasprintf("%s%s%s (%s = %s, needs >= %s)", out, sep,
		    rp->what, rp->value, obs, min);
		free(out);
		out = next;
		sep = "; ";
		free(obs);
		free(min);
	}
	return out;
}

char *
reached_json(const struct reached *r)
{
	json_t *o = json_object(), *a = json_array(), *p;
	char *s, *out;
	size_t i;

	json_object_set_new(o, "path", json_string(r->path ? r->path : ""));
	json_object_set_new(o, "reached", json_boolean(r->ok));
	for (i = 0; i < r->nproofs; i++) {
		p = json_object();
		json_object_set_new(p, "what", json_string(r->proofs[i].what));
		json_object_set_new(p, "value",
		    json_string(r->proofs[i].value));
		json_object_set_new(p, "observed", r->proofs[i].recorded ?
		    json_real(r->proofs[i].observed) : json_null());
		json_object_set_new(p, "min", json_real(r->proofs[i].min));
		json_object_set_new(p, "ok", json_boolean(r->proofs[i].ok));
		json_array_append_new(a, p);
	}
	json_object_set_new(o, "proofs", a);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xstrdup(s);
	free(s);
	return out;
}

void
reached_release(struct reached *r)
{
	size_t i;

	for (i = 0; i < r->nproofs; i++)
		free(r->proofs[i].value);
	free(r->proofs);
	memset(r, 0, sizeof *r);
}
