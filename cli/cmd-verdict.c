/*
 * cmd-verdict.c - good/bad for `git bisect run`.
 *
 * Exit codes follow git-bisect(1): 0 good, 1 bad, 125 cannot tell (skip
 * this commit), 128 infrastructure failure (aborts the bisection).  A
 * usage error is 128 too: exit 2 would mark the commit bad.
 * One line always says which rule decided, with its numbers ("verdict:
 * ..."); before it may come a "not chased:" line (the reports that did not
 * decide, when chasing one) and, with --max-runs, one "sequential:" line
 * per judgment that was not yet clear.
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
	{ "max-runs", required_argument, NULL, 'N' },
	{ "kind", required_argument, NULL, 'K' },
	{ "title", required_argument, NULL, 'T' },
	{ "signature", required_argument, NULL, 'G' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_verdict = {
	.name = "verdict",
	.usage = "verdict --baseline K --workload W [--metric M] "
	    "[--threshold PCT] [--kernel K] [--kind KIND] [--title T] "
	    "[--signature S] [--runs N [--max-runs M] [--set OPT=VAL ...]] "
	    KEY_USAGE " [--db PATH] [--socket PATH]",
	.summary = "good (0) / bad (1) / skip (125) for git bisect run",
	.flags = CLI_OPT_DB | CLI_OPT_SOCKET,
	.longopts = verdict_options,
	.args_max = 0,
	.exec = cmd_verdict_exec,
	.usage_error = verdict_usage,
};

/*
 * While sequential testing may still add runs, what judge() says is held
 * here rather than printed: the verdict's one line is the last judgment's.
 */
static struct {
	int on;
	char *text;             /* say()'s last, without "verdict: good: " */
	struct buf notes;       /* note()'s lines */
} held = { .notes = BUF_INIT };

static const char *
code_name(int code)
{
	static const char *names[] = { "good", "bad" };

	return code <= 1 ? names[code] : code == V_SKIP ? "cannot tell" :
	    "infrastructure failure";
}

static int
say(int code, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (held.on) {
		free(held.text);
		held.text = text;
		return code;
	}
	printf("verdict: %s: %s\n", code_name(code), text);
	free(text);
	return code;
}

/* A line beside the verdict's, held like it. */
static void
note(const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (held.on)
		buf_printf(&held.notes, "%s\n", text);
	else
		printf("%s\n", text);
	free(text);
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
		note("key: %s on host %s, params %s", (*m)->workload,
		    (*m)->host, (*m)->params);
	return -1;
}

/*
 * 1. A lockup, crash or corruption on the build judged is bad whatever
 * the numbers say (in any run the filters select, not only the compared
 * key's: a hang is a hang); chasing one report (--kind/--title/
 * --signature), only that report is, and the others are named on a line
 * of their own.  2. A workload that was skipped cannot tell.  -1 when
 * neither decides.
 */
static int
judge_runs(const struct run_counts *rc, const char *workload,
    const char *kd, int chasing)
{
	if (chasing && rc->bad_events > 0)
		return say(V_BAD, "%s on %s: %lld of %lld run(s) logged the "
		    "report chased ('%s')", workload, kd,
		    (long long)rc->bad_events, (long long)rc->total,
		    rc->bad_title);
	if (chasing && rc->lockup + rc->crashed + rc->other_events > 0)
		note("not chased: %lld run(s) locked up or crashed, %lld with "
		    "other kernel errors%s%s%s",
		    (long long)(rc->lockup + rc->crashed),
		    (long long)rc->other_events, rc->other_title ? " ('" : "",
		    rc->other_title ? rc->other_title : "",
		    rc->other_title ? "')" : "");
	else if (!chasing && (rc->lockup + rc->crashed > 0 ||
	    rc->bad_events > 0))
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

/*
 * Too few passed runs a side: those compared under the key, or (no key:
 * nothing measured on both) those the filters select.  -1: enough.
 * *unclear says so when more runs of the build judged would help.
 */
static int
too_few(struct db *db, int64_t base, const struct metric_cmp *m,
    const struct run_counts *rc, const struct compare_opts *o,
    const char **unclear)
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
	if (nn < ANALYSIS_MIN_RUNS || nb < ANALYSIS_MIN_RUNS) {
		if (nb >= ANALYSIS_MIN_RUNS)
			*unclear = "too few passed runs";
		v = say(V_SKIP, "too few passed runs of %s: base %lld, new "
		    "%lld (need %d a side)", o->workload, (long long)nb,
		    (long long)nn, ANALYSIS_MIN_RUNS);
	}
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

/* What judge() is asked. */
struct judge_query {
	int64_t base, kernel;
	const struct workload *wl;
	const char *metric;
	const struct compare_opts *key;   /* the key filters, threshold */
	struct report_match chase;
};

/*
 * The exit code, with *unclear NULL when more runs of the build judged
 * could not change it, else why they could (sequential testing).
 */
static int
judge(struct db *db, const struct judge_query *q, const char **unclear)
{
	struct compare_opts o = *q->key;
	struct run_counts rc;
	struct comparison c;
	const struct metric_cmp *m = NULL;
	char *cause = NULL, *kd = kernel_describe(db, q->kernel);
	int v, compared = 0, chasing;

	*unclear = NULL;
	o.workload = q->wl->name;
	o.metric = q->metric;
	chasing = q->chase.kind || q->chase.title || q->chase.signature;
	if (run_counts_chasing(db, q->kernel, q->wl->name, &o, &q->chase, &rc,
	    &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	if ((v = judge_runs(&rc, q->wl->name, kd, chasing)) >= 0)
		goto out;
	if (compare_kernels(db, q->base, q->kernel, &o, &c, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	compared = 1;
	if ((v = one_key(&c, q->metric, &m)) >= 0 ||
	    (v = too_few(db, q->base, m, &rc, &o, unclear)) >= 0)
		goto out;
	if (m != NULL)
		*unclear = metric_cmp_unclear(m, o.threshold_pct);
	v = judge_metric(m, q->metric, q->wl->name, o.threshold_pct);
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
	int64_t max_runs;       /* 0: no sequential testing */
	struct report_match chase;
};

/* The kinds an event is recorded with (DESIGN.md section 4): chasing a
 * misspelt kind would never find it, and call every build good. */
static int
known_kind(const char *kind)
{
	static const char *kinds[] = { "soft_lockup", "hard_lockup",
	    "rcu_stall", "hung_task", "workqueue_lockup", "oops", "bug",
	    "warning", "bad_page", "oom_kill", "panic", "corruption",
	    "kasan", "ubsan", "lockdep", "memory_leak", "data_race" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

/* A signature prefix: 6 to 64 hex digits, as `mmstorm lockups` shows. */
static int
signature_prefix(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return s[n] == '\0' && n >= 6 && n <= 64;
}

/* --kind, --title, --signature, --max-runs; 0 or the exit code. */
static int
chase_option(int opt, const char *arg, struct verdict_args *a)
{
	switch (opt) {
	case 'K':
		if (!known_kind(arg))
			return say(V_INFRA, "unknown event kind '%s'", arg);
		a->chase.kind = arg;
		break;
	case 'T':
		if (*arg == '\0')
			return say(V_INFRA, "--title must not be empty");
		a->chase.title = arg;
		break;
	case 'G':
		if (!signature_prefix(arg))
			return say(V_INFRA, "--signature expects 6 to 64 "
			    "lowercase hex digits, got '%s'", arg);
		a->chase.signature = arg;
		break;
	case 'N':
		if (parse_int64(arg, &a->max_runs) != 0 || a->max_runs < 1 ||
		    a->max_runs > 1000)
			return say(V_INFRA, "--max-runs expects 1..1000, got "
			    "'%s'", arg);
		break;
	}
	return 0;
}

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
		if (opt == 'H' || opt == 'P' || opt == 'J' || opt == 'X') {
			if (parse_key_option(opt, arg, &a->key) != 0)
				return say(V_INFRA, "bad '%s'", arg);
			break;
		}
		return chase_option(opt, arg, a);
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
	if (a->max_runs > 0 && a->max_runs < a->runs)
		return say(V_INFRA, "--max-runs %lld is below --runs %lld",
		    (long long)a->max_runs, (long long)a->runs);
	if (a->max_runs > 0 && a->runs == 0)
		return say(V_INFRA, "--max-runs needs --runs: the runs to "
		    "make before the first judgment");
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

	catalog_params_key(p->owner, json, key);
	free(json);
	return key;
}

/*
 * Sequential testing (--max-runs): judge; while the answer is not clear
 * (metric_cmp_unclear(), or too few passed runs of the build judged) and
 * fewer than max_runs runs were made, make one more and judge again.
 * Each earlier judgment is a "sequential:" line; the last is the
 * verdict's, and one still unclear at max_runs cannot tell (125).
 */
static int
judge_sequential(struct db *db, const struct judge_query *q,
    const struct workload *wl, struct params *p, int64_t made,
    int64_t max_runs)
{
	const char *unclear;
	int v;

	for (;;) {
		held.on = 1;
		v = judge(db, q, &unclear);
		held.on = 0;
		if (unclear == NULL || made >= max_runs)
			break;
		printf("sequential: %lld run(s): %s (%s: %s): one more, at "
		    "most %lld\n", (long long)made, unclear, code_name(v),
		    held.text, (long long)max_runs);
		fflush(stdout);
		buf_reset(&held.notes);
		if ((v = run_first(db, wl, p, 1)) != 0)
			return v;
		made++;
	}
	if (held.notes.len > 0)
		fputs(held.notes.s, stdout);
	if (unclear != NULL)
		v = say(V_SKIP, "still %s after %lld run(s) (--max-runs): %s",
		    unclear, (long long)made, held.text);
	else
		v = say(v, "%s (%lld run(s) made)", held.text,
		    (long long)made);
	return v;
}

static int
cmd_verdict_exec(int argc, char **argv)
{
	struct verdict_args a;
	const struct workload *wl = NULL;
	const char *metric = NULL, *path;
	struct params *p = NULL;
	struct judge_query q;
	const char *unclear;
	char *cause = NULL;
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
	/* The runs made here are judged by their own parameter hash,
	 * unless told to pool parameter sets. */
	if (a.runs > 0 && a.key.params == NULL &&
	    !(a.key.mix & COMPARE_MIX_PARAMS))
		a.key.params = params_key_of(p);
	memset(&q, 0, sizeof q);
	if (kernel_resolve(db, a.baseline, &q.base, &cause) != 0 ||
	    kernel_resolve(db, a.kernel, &q.kernel, &cause) != 0) {
		v = say(V_INFRA, "%s", cause);
		goto out;
	}
	q.wl = wl;
	q.metric = metric;
	q.key = &a.key;
	q.chase = a.chase;
	if (a.max_runs > 0)
		v = judge_sequential(db, &q, wl, p, a.runs, a.max_runs);
	else
		v = judge(db, &q, &unclear);
out:
	fflush(stdout);
	free(held.text);
	buf_release(&held.notes);
	params_free(p);
	free(a.sets);
	free(cause);
	db_close(db);
	return v;
}
