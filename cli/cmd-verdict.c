/*
 * cmd-verdict.c - good/bad for `git bisect run`.
 *
 * Exit codes follow git-bisect(1): 0 good, 1 bad, 125 cannot tell (skip
 * this commit), 128 infrastructure failure (aborts the bisection).  A
 * usage error is 128 too: exit 2 would mark the commit bad.
 * One line always says which rule decided, with its numbers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "common/buf.h"
#include "jobs/spec.h"
#include "run/options.h"
#include "run/runner.h"
#include "run/workload.h"
#include "store/catalog.h"
#include "store/db.h"
#include "workloads/workloads.h"

#define V_GOOD  0
#define V_BAD   1
#define V_SKIP  125
#define V_INFRA 128

static int cmd_verdict_exec(int, char **);
static int verdict_usage(const struct cli_cmd *);

static const struct option verdict_options[] = {
	{ "baseline", required_argument, NULL, 'b' },
	{ "workload", required_argument, NULL, 'w' },
	{ "metric", required_argument, NULL, 'm' },
	{ "threshold", required_argument, NULL, 't' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "runs", required_argument, NULL, 'n' },
	{ "set", required_argument, NULL, 'S' },
	KEY_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_verdict = {
	.name = "verdict",
	.usage = "verdict --baseline K --workload W [--metric M] "
	    "[--threshold PCT] [--kernel K] [--runs N [--set OPT=VAL ...]] "
	    KEY_USAGE " [--db PATH] [--socket PATH]",
	.summary = "good (0) / bad (1) / skip (125) for git bisect run",
	.flags = CLI_OPT_DB | CLI_OPT_SOCKET,
	.longopts = verdict_options,
	.args_max = 0,
	.exec = cmd_verdict_exec,
	.usage_error = verdict_usage,
};

static int
say(int code, const char *fmt, ...)
{
	static const char *names[] = { "good", "bad" };
	va_list ap;

	printf("verdict: %s: ", code <= 1 ? names[code] : code == V_SKIP ?
	    "cannot tell" : "infrastructure failure");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return code;
}

/* The runs as one job of the daemon's, waited for. */
static int
run_on_daemon(const char *sock, const struct workload *wl, struct params *p,
    int64_t n)
{
	struct job_spec js = { .wl = wl, .params = p, .repeat = n };
	json_t *body = json_pack("[o]", job_spec_to_json(&js));
	json_t *reply = NULL, *job;
	const char *uuid;
	char *cause = NULL;
	long code;

	if (client_request(sock, "POST", "/v1/jobs", body, &code, &reply,
	    &cause) != 0 || code != 201) {
		json_decref(body);
		json_decref(reply);
		say(V_INFRA, "cannot submit to the daemon: %s",
		    cause ? cause : "refused");
		free(cause);
		return V_INFRA;
	}
	json_decref(body);
	uuid = json_string_value(json_object_get(json_array_get(reply, 0),
	    "job"));
	job = client_wait_job(sock, uuid, 500000000, client_patience_ns(),
	    NULL, NULL, &cause);
	json_decref(reply);
	if (job == NULL) {
		say(V_INFRA, "%s", cause);
		free(cause);
		return V_INFRA;
	}
	json_decref(job);
	return 0;
}

/* The runs in the foreground, as `mmstorm run --local` would. */
static int
run_here(struct db *db, const struct workload *wl, struct params *p,
    int64_t n)
{
	struct run_request req;
	struct run_outcome out;
	char *cause = NULL;
	int64_t k;
	int fixed;

	if (runner_recover(db, &fixed, &cause) != 0) {
		say(V_INFRA, "%s", cause);
		free(cause);
		return V_INFRA;
	}
	memset(&req, 0, sizeof req);
	req.wl = wl;
	req.params = p;
	for (k = 0; k < n; k++) {
		if (runner_run(db, &req, &out, &cause) != 0) {
			say(V_INFRA, "run %lld could not be recorded: %s",
			    (long long)k + 1, cause);
			free(cause);
			return V_INFRA;
		}
		if (strcmp(out.state, "interrupted") == 0)
			return say(V_INFRA, "run interrupted");
	}
	return 0;
}

/* Run the workload N times on this machine before judging: through the
 * daemon when one listens, else here. */
static int
run_first(struct db *db, const struct workload *wl, struct params *p,
    int64_t n)
{
	const char *sock = client_socket_path(cli_socket_path);

	if (cli_socket_path != NULL && !client_daemon_listening(sock))
		return say(V_INFRA, "daemon at '%s' unreachable", sock);
	if (client_daemon_listening(sock))
		return run_on_daemon(sock, wl, p, n);
	return run_here(db, wl, p, n);
}

/*
 * The one key the metric was compared under, its row into *m; -1 when it
 * is that or no key, else the exit code: several keys are an error, as
 * a bisect step must judge one set of runs.
 */
static int
one_key(const struct comparison *c, const char *metric,
    const struct metric_cmp **m)
{
	struct buf b = BUF_INIT;
	size_t i, n = 0;
	int v;

	*m = NULL;
	for (i = 0; i < c->nmetrics; i++) {
		if (strcmp(c->metrics[i].metric, metric) != 0)
			continue;
		buf_printf(&b, "%shost %s params %s", n++ ? ", " : "",
		    c->metrics[i].host, c->metrics[i].params);
		*m = &c->metrics[i];
	}
	if (n > 1) {
		v = say(V_INFRA, "runs of %s on both builds fall under %zu keys "
		    "(%s): pick one with --host/--params/--section",
		    (*m)->workload, n, b.s);
		buf_release(&b);
		return v;
	}
	buf_release(&b);
	/* which runs decide, on a line of its own before the verdict's */
	if (*m != NULL)
		printf("key: %s on host %s, params %s\n", (*m)->workload,
		    (*m)->host, (*m)->params);
	return -1;
}

/* A lockup, crash or corruption on the build judged is bad whatever the
 * numbers say (in any run the filters select, not only the compared
 * key's: a hang is a hang); a workload that was skipped cannot tell.
 * -1 when neither decides. */
static int
judge_runs(const struct run_counts *rc, const char *workload,
    const char *kd)
{
	if (rc->lockup + rc->crashed > 0 || rc->bad_events > 0)
		return say(V_BAD, "%s on %s: %lld of %lld run(s) locked up or "
		    "crashed, %lld with kernel errors%s%s%s", workload, kd,
		    (long long)(rc->lockup + rc->crashed),
		    (long long)rc->total, (long long)rc->bad_events,
		    rc->bad_title ? " ('" : "", rc->bad_title ?
		    rc->bad_title : "", rc->bad_title ? "')" : "");
	if (rc->passed == 0 && rc->skipped > 0)
		return say(V_SKIP, "%s was skipped on %s: %s", workload, kd,
		    rc->skip_reason ? rc->skip_reason : "no reason recorded");
	return -1;
}

/* Too few passed runs a side: those compared under the key, or (no key:
 * nothing measured on both) those the filters select.  -1: enough. */
static int
too_few(struct db *db, int64_t base, const struct metric_cmp *m,
    const struct run_counts *rc, const struct compare_opts *o)
{
	struct run_counts brc;
	int64_t nb, nn;
	char *cause = NULL;
	int v = -1;

	if (m != NULL) {
		nb = (int64_t)m->base.n;
		nn = (int64_t)m->new.n;
	} else {
		if (run_counts(db, base, o->workload, o, &brc, &cause) != 0) {
			v = say(V_INFRA, "%s", cause);
			free(cause);
			return v;
		}
		nb = brc.passed;
		nn = rc->passed;
		run_counts_release(&brc);
	}
	if (nn < ANALYSIS_MIN_RUNS || nb < ANALYSIS_MIN_RUNS)
		v = say(V_SKIP, "too few passed runs of %s: base %lld, new "
		    "%lld (need %d a side)", o->workload, (long long)nb,
		    (long long)nn, ANALYSIS_MIN_RUNS);
	return v;
}

/* The metric's rule (docs/analysis.md): bad for a significant regression
 * beyond the threshold, skip when the runs cannot tell "worse?". */
static int
judge_metric(const struct metric_cmp *m, const char *metric,
    const char *workload, double threshold)
{
	char doubt[64];

	if (m == NULL)
		return say(V_SKIP, "metric '%s' of %s is not on both builds",
		    metric, workload);
	if (m->doubt == CMP_TOO_FEW || (m->doubt == CMP_TOO_NOISY &&
	    (m->higher_better ? m->estimate_pct : -m->estimate_pct) < 0))
		/* a bisection asks "worse?": noise on the better side
		 * cannot make the build bad, and falls through to good */
		return say(V_SKIP, "%s %s (estimate %+.1f%%, p=%.3f)", metric,
		    metric_cmp_doubt_text(m, doubt, sizeof doubt),
		    m->estimate_pct, m->p_value);
	return say(m->mark == CMP_REGRESSION ? V_BAD : V_GOOD,
	    "%s %s %+.1f%% [%+.1f%%, %+.1f%%] (base %.4g +- %.2g n=%zu, "
	    "new %.4g +- %.2g n=%zu, p=%.3f; threshold %.1f%%)", metric,
	    m->mark == CMP_REGRESSION ? "regressed" :
	    m->mark == CMP_IMPROVEMENT ? "improved" :
	    m->significant ? "changed within the threshold:" :
	    "did not change significantly:", m->estimate_pct,
	    m->estimate_lo_pct, m->estimate_hi_pct,
	    m->base.mean, m->base.sd, m->base.n, m->new.mean,
	    m->new.sd, m->new.n, m->p_value, threshold);
}

static int
judge(struct db *db, int64_t base, int64_t kernel, const struct workload *wl,
    const char *metric, const struct compare_opts *key_opts)
{
	struct compare_opts o = *key_opts;
	struct run_counts rc;
	struct comparison c;
	const struct metric_cmp *m = NULL;
	char *cause = NULL, *kd = kernel_describe(db, kernel);
	int v, compared = 0;

	o.workload = wl->name;
	o.metric = metric;
	if (run_counts(db, kernel, wl->name, &o, &rc, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	if ((v = judge_runs(&rc, wl->name, kd)) >= 0)
		goto out;
	if (compare_kernels(db, base, kernel, &o, &c, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	compared = 1;
	if ((v = one_key(&c, metric, &m)) >= 0 ||
	    (v = too_few(db, base, m, &rc, &o)) >= 0)
		goto out;
	v = judge_metric(m, metric, wl->name, o.threshold_pct);
out:
	if (compared)
		comparison_release(&c);
	run_counts_release(&rc);
	free(cause);
	free(kd);
	return v;
}

/* The command line. */
struct verdict_args {
	const char *baseline, *workload, *metric, *kernel;
	char **sets;            /* --set OPT=VAL, as given */
	size_t nsets;
	struct compare_opts key;  /* --threshold and the key options */
	int64_t runs;           /* 0: judge what is stored */
};

/* A usage error is an infrastructure failure to git bisect (see the top
 * of this file), not exit 2. */
static int
verdict_usage(const struct cli_cmd *cmd)
{
	return say(V_INFRA, "usage: mmstorm %s", cmd->usage);
}

static int
verdict_option(int opt, const char *arg, void *ctx)
{
	struct verdict_args *a = ctx;

	switch (opt) {
	case 'b': a->baseline = arg; break;
	case 'w': a->workload = arg; break;
	case 'm': a->metric = arg; break;
	case 'k': a->kernel = arg; break;
	case 'S':
		a->sets = xreallocarray(a->sets, a->nsets + 1, sizeof *a->sets);
		a->sets[a->nsets++] = (char *)arg;
		break;
	case 't':
		if (parse_threshold(arg, &a->key.threshold_pct) != 0)
			return say(V_INFRA, "bad --threshold");
		break;
	case 'n':
		if (parse_int64(arg, &a->runs) != 0 || a->runs < 1 ||
		    a->runs > 1000)
			return say(V_INFRA, "--runs expects 1..1000, got '%s'",
			    arg);
		break;
	default:
		if (parse_key_option(opt, arg, &a->key) != 0)
			return say(V_INFRA, "bad '%s'", arg);
	}
	return 0;
}

/* -1 when the arguments are good, else the exit code. */
static int
parse_verdict_args(int argc, char **argv, struct verdict_args *a)
{
	struct cli_args args;
	int v;

	v = cli_parse_options(&cmd_verdict, argc, argv, verdict_option, a,
	    &args);
	if (v != CLI_CONTINUE)
		return v;
	if (a->baseline == NULL || a->workload == NULL)
		return verdict_usage(&cmd_verdict);
	return -1;
}

/* The workload, the metric judged and the options of the runs to make;
 * -1 when they are good, else the exit code. */
static int
verdict_workload(const struct verdict_args *a, const struct workload **wl,
    const char **metric, struct params **p)
{
	char *cause = NULL;
	size_t i;
	int v;

	if ((*wl = workload_find(a->workload)) == NULL)
		return say(V_INFRA, "unknown workload '%s'", a->workload);
	if ((*metric = a->metric) == NULL &&
	    (*metric = (*wl)->primary_metric) == NULL)
		return say(V_INFRA, "%s has no primary metric: give --metric",
		    a->workload);
	*p = params_new((*wl)->name, (*wl)->options);
	for (i = 0; i < a->nsets; i++) {
		if (params_set_arg(*p, a->sets[i], &cause) != 0) {
			v = say(V_INFRA, "%s", cause);
			free(cause);
			return v;
		}
	}
	return -1;
}

/* The parameter hash of the runs --runs makes: they are judged by it. */
static const char *
params_key_of(const struct params *p)
{
	static char key[CATALOG_PARAMS_KEY_LEN + 1];
	char *json = params_to_json(p);

	catalog_params_key(json, key);
	free(json);
	return key;
}

static int
cmd_verdict_exec(int argc, char **argv)
{
	struct verdict_args a;
	const struct workload *wl = NULL;
	const char *metric = NULL, *path;
	struct params *p = NULL;
	char *cause = NULL;
	int64_t base, kernel;
	struct db *db = NULL;
	int v;

	memset(&a, 0, sizeof a);
	a.kernel = "running";
	a.key.threshold_pct = 5.0;
	if ((v = parse_verdict_args(argc, argv, &a)) >= 0 ||
	    (v = verdict_workload(&a, &wl, &metric, &p)) >= 0)
		goto out;
	path = cli_db_path ? cli_db_path : db_default_path();
	if (db_open(path, a.runs > 0 ? DB_CREATE : 0, &db, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	if (a.runs > 0 && (v = run_first(db, wl, p, a.runs)) != 0)
		goto out;
	if (a.runs > 0 && a.key.params == NULL)
		a.key.params = params_key_of(p);
	if (kernel_resolve(db, a.baseline, &base, &cause) != 0 ||
	    kernel_resolve(db, a.kernel, &kernel, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	v = judge(db, base, kernel, wl, metric, &a.key);
out:
	fflush(stdout);
	params_free(p);
	free(a.sets);
	free(cause);
	db_close(db);
	return v;
}
