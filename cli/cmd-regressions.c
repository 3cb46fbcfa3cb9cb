/* cmd-regressions.c - every build against a baseline: what changed. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "store/db.h"

static int cmd_regressions_exec(int, char **);

/* Without --last, the newest builds with this many passed runs together:
 * every build of a machine's store, a bounded read of a fleet's
 * (docs/analysis.md, "The window"). */
#define REGRESSIONS_MAX_RUNS 50000

static const struct option regressions_options[] = {
	{ "baseline", required_argument, NULL, 'b' },
	{ "threshold", required_argument, NULL, 't' },
	{ "workload", required_argument, NULL, 'w' },
	{ "last", required_argument, NULL, 'n' },
	KEY_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_regressions = {
	.name = "regressions",
	.usage = "regressions --baseline K [--threshold PCT] [--workload W] "
	    "[--last N] " KEY_USAGE " [--json] [--db PATH]",
	.summary = "significant changes and new lockups of every build vs a "
	    "baseline",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = regressions_options,
	.exec = cmd_regressions_exec,
};

struct regressions_args {
	struct compare_opts o;
	const char *baseline;    /* --baseline, as named */
};

struct finding {
	int64_t kernel;
	int lockup;              /* 1: a new lockup title, else a metric */
	struct metric_cmp *m;
	struct lockup_cmp *l;
	double size;             /* sort key */
};

static int
by_size(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->lockup != y->lockup)
		return y->lockup - x->lockup;   /* new lockups first */
	return (y->size > x->size) - (y->size < x->size);
}

static int
regressions_option(int opt, const char *arg, void *ctx)
{
	struct regressions_args *a = ctx;
	int64_t last;

	switch (opt) {
	case 'b': a->baseline = arg; break;
	case 'w': a->o.workload = arg; break;
	case 'n':
		if (parse_int64(arg, &last) != 0 || last < 0) {
			cli_error("--last expects a number of builds (0: every "
			    "build), got '%s'", arg);
			return EXIT_USAGE;
		}
		a->o.last = (size_t)last;
		a->o.max_runs = 0;
		break;
	case 't':
		if (parse_threshold(arg, &a->o.threshold_pct) != 0)
			return EXIT_USAGE;
		break;
	default:
		if (parse_key_option(opt, arg, &a->o) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

static void
add_finding(struct finding **f, size_t *n, struct finding one)
{
	*f = xreallocarray(*f, *n + 1, sizeof **f);
	(*f)[(*n)++] = one;
}

/* What counts: a metric marked changed, a lockup title the baseline never
 * had; new lockups first, then the largest changes. */
static void
collect_findings(struct comparison *cs, size_t ncs, struct finding **out,
    size_t *nout)
{
	struct finding *f = NULL;
	size_t nf = 0, i, k;

	for (i = 0; i < ncs; i++) {
		for (k = 0; k < cs[i].nmetrics; k++) {
			if (cs[i].metrics[k].mark == CMP_SAME)
				continue;
			add_finding(&f, &nf, (struct finding){ cs[i].new, 0,
			    &cs[i].metrics[k], NULL,
			    fabs(cs[i].metrics[k].change_pct) });
		}
		for (k = 0; k < cs[i].nlockups; k++) {
			if (!cs[i].lockups[k].is_new ||
			    cs[i].lockups[k].hit_new == 0)
				continue;
			add_finding(&f, &nf, (struct finding){ cs[i].new, 1,
			    NULL, &cs[i].lockups[k],
			    cs[i].lockups[k].rate_new });
		}
	}
	if (nf > 0)
		qsort(f, nf, sizeof *f, by_size);
	*out = f;
	*nout = nf;
}

/* Each build's description once: kernel_describe() reads the build's
 * runs for its labels, and a baseline against every build can list
 * hundreds of findings of a few builds (bench/README.md, analysis). */
struct kernel_names {
	int64_t *id;
	char **name;
	size_t n;
};

static const char *
kernel_name(struct db *db, struct kernel_names *kn, int64_t id)
{
	size_t i;

	for (i = 0; i < kn->n; i++)
		if (kn->id[i] == id)
			return kn->name[i];
	kn->id = xreallocarray(kn->id, kn->n + 1, sizeof *kn->id);
	kn->name = xreallocarray(kn->name, kn->n + 1, sizeof *kn->name);
	kn->id[kn->n] = id;
	return kn->name[kn->n++] = kernel_describe(db, id);
}

static void
kernel_names_release(struct kernel_names *kn)
{
	size_t i;

	for (i = 0; i < kn->n; i++)
		free(kn->name[i]);
	free(kn->name);
	free(kn->id);
}

static void
print_json(struct db *db, int64_t base, const struct compare_opts *co,
    size_t compared, size_t left_out, const struct finding *f, size_t nf)
{
	json_t *o = json_object(), *a = json_array(), *e;
	char *bd = kernel_describe(db, base);
	struct kernel_names kn = { NULL, NULL, 0 };
	size_t i;

	json_object_set_new(o, "baseline", json_string(bd));
	json_object_set_new(o, "threshold_pct", json_real(co->threshold_pct));
	json_object_set_new(o, "builds_compared", json_integer((json_int_t)
	    compared));
	json_object_set_new(o, "builds_left_out", json_integer((json_int_t)
	    left_out));
	for (i = 0; i < nf; i++) {
		const char *kd = kernel_name(db, &kn, f[i].kernel);

		e = f[i].lockup ? lockup_cmp_json(f[i].l) :
		    metric_cmp_json(f[i].m);
		json_object_set_new(e, "kernel", json_string(kd));
		json_object_set_new(e, "type", json_string(f[i].lockup ?
		    "new_lockup" : cmp_mark_name(f[i].m->mark)));
		json_array_append_new(a, e);
	}
	kernel_names_release(&kn);
	json_object_set_new(o, "findings", a);
	cli_print_json(o);
	free(bd);
}

static void
print_table(struct db *db, const struct finding *f, size_t nf)
{
	struct table *t = table_new(6, "KERNEL", "WORKLOAD", "WHAT", "CHANGE",
	    "MARK", "KEY (HOST PARAMS)");
	struct kernel_names kn = { NULL, NULL, 0 };
	size_t i;

	for (i = 0; i < nf; i++) {
		const char *kd = kernel_name(db, &kn, f[i].kernel);
		char *chg, *key;

		if (f[i].lockup) {
			chg = xasprintf("%lld/%lld runs",
			    (long long)f[i].l->hit_new,
			    (long long)f[i].l->runs_new);
			table_add(t, kd, f[i].l->workload, f[i].l->title, chg,
			    "NEW LOCKUP", "-");
		} else {
			chg = xasprintf("%+.1f%% (p=%.3f)",
			    f[i].m->change_pct, f[i].m->p_value);
			key = xasprintf("%s %s", f[i].m->host,
			    f[i].m->params);
			table_add(t, kd, f[i].m->workload, f[i].m->metric,
			    chg, f[i].m->mark == CMP_REGRESSION ?
			    "REGRESSION" : "IMPROVEMENT", key);
			free(key);
		}
		free(chg);
	}
	kernel_names_release(&kn);
	table_print(t, stdout);
	table_free(t);
}

static int
cmd_regressions_exec(int argc, char **argv)
{
	struct regressions_args a;
	struct comparison *cs = NULL;
	struct finding *f = NULL;
	struct cli_args args;
	size_t ncs = 0, nf = 0, i, left_out = 0;
	struct db *db = NULL;
	int64_t base;
	char *cause = NULL, *bd;
	int r;

	memset(&a, 0, sizeof a);
	a.o.threshold_pct = 5.0;
	a.o.max_runs = REGRESSIONS_MAX_RUNS;
	if ((r = cli_parse_options(&cmd_regressions, argc, argv,
	    regressions_option, &a, &args)) != CLI_CONTINUE)
		return r;
	if (a.baseline == NULL)
		return cli_usage(&cmd_regressions);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (kernel_resolve(db, a.baseline, &base, &cause) != 0 ||
	    (r = compare_against(db, base, &a.o, &cs, &ncs, &left_out,
	    &cause)) != 0) {
		cli_error("%s", cause);
		/* a comparison that would mix keys is a usage error */
		r = r == -EDOM ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	collect_findings(cs, ncs, &f, &nf);
	if (args.json)
		print_json(db, base, &a.o, ncs, left_out, f, nf);
	else if (nf > 0)
		print_table(db, f, nf);
	else {
		bd = kernel_describe(db, base);
		printf("no significant change beyond %.1f%% and no new lockup "
		    "against %s in %zu other build(s)\n", a.o.threshold_pct,
		    bd, ncs);
		free(bd);
	}
	if (left_out > 0 && !args.json && a.o.last > 0)
		printf("(%zu older build(s) not compared: --last %zu; --last 0 "
		    "compares every build)\n", left_out, a.o.last);
	else if (left_out > 0 && !args.json)
		printf("(%zu older build(s) not compared: the newest builds "
		    "with %d passed runs at most; --last N compares N builds, "
		    "--last 0 every build)\n", left_out, REGRESSIONS_MAX_RUNS);
	r = EXIT_OK;
out:
	for (i = 0; i < ncs; i++)
		comparison_release(&cs[i]);
	free(cs);
	free(f);
	free(cause);
	db_close(db);
	return r;
}
