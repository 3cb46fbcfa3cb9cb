/* cmd-regressions.c - every build against a baseline: what changed. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "store/db.h"

static int cmd_regressions_exec(int, char **);

const struct cli_cmd cmd_regressions = {
	.name = "regressions",
	.usage = "regressions --baseline K [--threshold PCT] [--workload W] "
	    "[--json] [--db PATH]",
	.summary = "significant changes and new lockups of every build vs a "
	    "baseline",
	.exec = cmd_regressions_exec,
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
cmd_regressions_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "threshold", required_argument, NULL, 't' },
		{ "workload", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts o = { NULL, NULL, 5.0 };
	struct comparison *cs = NULL;
	struct finding *f = NULL;
	size_t ncs = 0, nf = 0, i, k;
	const char *basename = NULL;
	struct db *db = NULL;
	int64_t base;
	char *cause = NULL;
	int json = 0, ch, r = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': basename = optarg; break;
		case 'w': o.workload = optarg; break;
		case 't':
			if (parse_threshold(optarg, &o.threshold_pct) != 0)
				return EXIT_USAGE;
			break;
		case 'j': json = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_regressions.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_regressions);
		}
	}
	if (optind != argc || basename == NULL)
		return cli_usage(&cmd_regressions);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (kernel_resolve(db, basename, &base, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (compare_against(db, base, &o, &cs, &ncs, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < ncs; i++) {
		for (k = 0; k < cs[i].nmetrics; k++) {
			if (cs[i].metrics[k].mark == CMP_SAME)
				continue;
			f = xreallocarray(f, nf + 1, sizeof *f);
			f[nf++] = (struct finding){ cs[i].new, 0,
			    &cs[i].metrics[k], NULL,
			    fabs(cs[i].metrics[k].change_pct) };
		}
		for (k = 0; k < cs[i].nlockups; k++) {
			if (!cs[i].lockups[k].is_new ||
			    cs[i].lockups[k].hit_new == 0)
				continue;
			f = xreallocarray(f, nf + 1, sizeof *f);
			f[nf++] = (struct finding){ cs[i].new, 1, NULL,
			    &cs[i].lockups[k], cs[i].lockups[k].rate_new };
		}
	}
	if (nf > 0)
		qsort(f, nf, sizeof *f, by_size);
	if (json) {
		json_t *o2 = json_object(), *a = json_array(), *e;
		char *bd = kernel_describe(db, base);

		json_object_set_new(o2, "baseline", json_string(bd));
		json_object_set_new(o2, "threshold_pct",
		    json_real(o.threshold_pct));
		for (i = 0; i < nf; i++) {
			char *kd = kernel_describe(db, f[i].kernel);

			e = f[i].lockup ? lockup_cmp_json(f[i].l) :
			    metric_cmp_json(f[i].m);
			json_object_set_new(e, "kernel", json_string(kd));
			json_object_set_new(e, "type", json_string(f[i].lockup ?
			    "new_lockup" : cmp_mark_name(f[i].m->mark)));
			json_array_append_new(a, e);
			free(kd);
		}
		json_object_set_new(o2, "findings", a);
		cli_print_json(o2);
		free(bd);
	} else if (nf == 0) {
		char *bd = kernel_describe(db, base);

		printf("no significant change beyond %.1f%% and no new lockup "
		    "against %s in %zu other build(s)\n", o.threshold_pct, bd,
		    ncs);
		free(bd);
	} else {
		struct table *t = table_new(5, "KERNEL", "WORKLOAD", "WHAT",
		    "CHANGE", "MARK");

		for (i = 0; i < nf; i++) {
			char *kd = kernel_describe(db, f[i].kernel), *chg;

			if (f[i].lockup) {
				chg = xasprintf("%lld/%lld runs",
				    (long long)f[i].l->hit_new,
				    (long long)f[i].l->runs_new);
				table_add(t, kd, f[i].l->workload, f[i].l->title,
				    chg, "NEW LOCKUP");
			} else {
				chg = xasprintf("%+.1f%% (p=%.3f)",
				    f[i].m->change_pct, f[i].m->p_value);
				table_add(t, kd, f[i].m->workload,
				    f[i].m->metric, chg,
				    f[i].m->mark == CMP_REGRESSION ?
				    "REGRESSION" : "IMPROVEMENT");
			}
			free(chg);
			free(kd);
		}
		table_print(t, stdout);
		table_free(t);
	}
out:
	for (i = 0; i < ncs; i++)
		comparison_release(&cs[i]);
	free(cs);
	free(f);
	free(cause);
	db_close(db);
	return r;
}
