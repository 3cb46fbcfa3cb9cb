/*
 * cmd-verdict.c - good/bad for `git bisect run`.
 *
 * Exit codes follow git-bisect(1): 0 good, 1 bad, 125 cannot tell (skip
 * this commit), 128 infrastructure failure (aborts the bisection).  A
 * usage error is 128 too: exit 2 would mark the commit bad.
 * One line always says which rule decided, with its numbers.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "cli/client.h"
#include "store/db.h"
#include "jobs/spec.h"
#include "run/options.h"
#include "run/runner.h"
#include "run/workload.h"

#define V_GOOD  0
#define V_BAD   1
#define V_SKIP  125
#define V_INFRA 128

static int cmd_verdict_exec(int, char **);

const struct cli_cmd cmd_verdict = {
	.name = "verdict",
	.usage = "verdict --baseline K --workload W [--metric M] "
	    "[--threshold PCT] [--kernel K] [--runs N [--set OPT=VAL ...]] "
	    "[--db PATH] [--socket PATH]",
	.summary = "good (0) / bad (1) / skip (125) for git bisect run",
	.exec = cmd_verdict_exec,
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

/* Run the workload N times on this machine before judging. */
static int
run_first(struct db *db, const struct workload *wl, struct params *p,
    int64_t n)
{
	const char *sock = client_socket_path(cli_socket_path);
	struct run_request req;
	struct run_outcome out;
	char *cause = NULL;
	int64_t k;
	int fixed;

	if (cli_socket_path != NULL && !client_daemon_listening(sock))
		return say(V_INFRA, "daemon at '%s' unreachable", sock);
	if (client_daemon_listening(sock)) {
		struct job_spec js = { wl, p, n, NULL, 0, 0 };
		json_t *body = json_pack("[o]", job_spec_to_json(&js));
		json_t *reply = NULL, *job;
		const char *uuid;
		long code;

		if (client_request(sock, "POST", "/v1/jobs", body, &code,
		    &reply, &cause) != 0 || code != 201) {
			json_decref(body);
			json_decref(reply);
			say(V_INFRA, "cannot submit to the daemon: %s",
			    cause ? cause : "refused");
			free(cause);
			return V_INFRA;
		}
		json_decref(body);
		uuid = json_string_value(json_object_get(json_array_get(reply,
		    0), "job"));
		job = client_wait_job(sock, uuid, 500000000,
		    client_patience_ns(), NULL, NULL, &cause);
		json_decref(reply);
		if (job == NULL) {
			say(V_INFRA, "%s", cause);
			free(cause);
			return V_INFRA;
		}
		json_decref(job);
		return 0;
	}
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

static int
judge(struct db *db, int64_t base, int64_t kernel, const struct workload *wl,
    const char *metric, double threshold)
{
	struct compare_opts o = { wl->name, metric, threshold };
	struct run_counts rc, brc;
	struct comparison c;
	struct metric_cmp *m = NULL;
	char *cause = NULL, *kd = kernel_describe(db, kernel);
	int v;
	size_t i;

	if (run_counts(db, kernel, wl->name, &rc, &cause) != 0 ||
	    run_counts(db, base, wl->name, &brc, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		free(cause);
		free(kd);
		return v;
	}
	/* 1. A lockup, crash or corruption on the build judged is bad
	 *    whatever the numbers say. */
	if (rc.lockup + rc.crashed > 0 || rc.bad_events > 0) {
		v = say(V_BAD, "%s on %s: %lld of %lld run(s) locked up or "
		    "crashed, %lld with kernel errors%s%s%s", wl->name, kd,
		    (long long)(rc.lockup + rc.crashed), (long long)rc.total,
		    (long long)rc.bad_events, rc.bad_title ? " ('" : "",
		    rc.bad_title ? rc.bad_title : "", rc.bad_title ? "')" : "");
		goto out;
	}
	/* 2. Too few runs, or the workload could not run. */
	if (rc.passed == 0 && rc.skipped > 0) {
		v = say(V_SKIP, "%s was skipped on %s: %s", wl->name, kd,
		    rc.skip_reason ? rc.skip_reason : "no reason recorded");
		goto out;
	}
	if (rc.passed < ANALYSIS_MIN_RUNS || brc.passed < ANALYSIS_MIN_RUNS) {
		v = say(V_SKIP, "too few passed runs of %s: base %lld, new "
		    "%lld (need %d a side)", wl->name, (long long)brc.passed,
		    (long long)rc.passed, ANALYSIS_MIN_RUNS);
		goto out;
	}
	if (compare_kernels(db, base, kernel, &o, &c, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	for (i = 0; i < c.nmetrics; i++)
		if (strcmp(c.metrics[i].metric, metric) == 0)
			m = &c.metrics[i];
	if (m == NULL)
		v = say(V_SKIP, "metric '%s' of %s is not on both builds",
		    metric, wl->name);
	else if (m->base.cv_pct > ANALYSIS_MAX_CV ||
	    m->new.cv_pct > ANALYSIS_MAX_CV)
		v = say(V_SKIP, "%s too noisy: CV %.1f%% base, %.1f%% new (limit "
		    "%.0f%%)", metric, m->base.cv_pct, m->new.cv_pct,
		    ANALYSIS_MAX_CV);
	else
		v = say(m->mark == CMP_REGRESSION ? V_BAD : V_GOOD,
		    "%s %s %+.1f%% (base %.4g +- %.2g n=%zu, new %.4g +- %.2g "
		    "n=%zu, p=%.3f, intervals %s; threshold %.1f%%)", metric,
		    m->mark == CMP_REGRESSION ? "regressed" :
		    m->mark == CMP_IMPROVEMENT ? "improved" :
		    m->significant ? "changed within the threshold:" :
		    "did not change significantly:", m->change_pct,
		    m->base.mean, m->base.sd, m->base.n, m->new.mean,
		    m->new.sd, m->new.n, m->p_value, m->ci_disjoint ?
		    "disjoint" : "overlap", threshold);
	comparison_release(&c);
out:
	run_counts_release(&rc);
	run_counts_release(&brc);
	free(cause);
	free(kd);
	return v;
}

static int
cmd_verdict_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "workload", required_argument, NULL, 'w' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "runs", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 'S' },
		{ "db", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bname = NULL, *wname = NULL, *metric = NULL;
	const char *kname = "running";
	const struct workload *wl = NULL;
	struct params *p = NULL;
	char **sets = NULL, *cause = NULL;
	size_t nsets = 0, i;
	double threshold = 5.0;
	int64_t runs = 0, base, kernel;
	struct db *db = NULL;
	int ch, v;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': bname = optarg; break;
		case 'w': wname = optarg; break;
		case 'm': metric = optarg; break;
		case 'k': kname = optarg; break;
		case 'd': cli_db_path = optarg; break;
		case 's': cli_socket_path = optarg; break;
		case 'S':
			sets = xreallocarray(sets, nsets + 1, sizeof *sets);
			sets[nsets++] = optarg;
			break;
		case 't':
			if (parse_threshold(optarg, &threshold) != 0) {
				v = say(V_INFRA, "bad --threshold");
				goto out;
			}
			break;
		case 'n':
			if (parse_int64(optarg, &runs) != 0 || runs < 1 ||
			    runs > 1000) {
				v = say(V_INFRA, "--runs expects 1..1000, got "
				    "'%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_verdict.usage);
			v = EXIT_OK;
			goto out;
		default:
			v = say(V_INFRA, "usage: mmstorm %s", cmd_verdict.usage);
			goto out;
		}
	}
	opterr = 1;
	if (optind != argc || bname == NULL || wname == NULL) {
		v = say(V_INFRA, "usage: mmstorm %s", cmd_verdict.usage);
		goto out;
	}
	if ((wl = workload_find(wname)) == NULL) {
		v = say(V_INFRA, "unknown workload '%s'", wname);
		goto out;
	}
	if (metric == NULL && (metric = wl->primary_metric) == NULL) {
		v = say(V_INFRA, "%s has no primary metric: give --metric",
		    wname);
		goto out;
	}
	p = params_new(wl->name, wl->options);
	for (i = 0; i < nsets; i++) {
		if (params_set_arg(p, sets[i], &cause) != 0) {
			v = say(V_INFRA, "%s", cause);
			goto out;
		}
	}
	{
		const char *path = cli_db_path ? cli_db_path :
		    db_default_path();

		if (db_open(path, runs > 0 ? DB_CREATE : 0, &db, &cause) != 0) {
			v = say(V_INFRA, "%s", cause);
			goto out;
		}
	}
	if (runs > 0 && (v = run_first(db, wl, p, runs)) != 0)
		goto out;
	if (kernel_resolve(db, bname, &base, &cause) != 0 ||
	    kernel_resolve(db, kname, &kernel, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	v = judge(db, base, kernel, wl, metric, threshold);
out:
	fflush(stdout);
	params_free(p);
	free(sets);
	free(cause);
	db_close(db);
	return v;
}
