/* cmd-compare.c - two kernel builds side by side: metrics and lockups. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "jobs/jobfile.h"
#include "run/options.h"
#include "store/catalog.h"
#include "store/db.h"
#include "workloads/workloads.h"

static int cmd_compare_exec(int, char **);

static const struct option compare_options[] = {
	{ "workload", required_argument, NULL, 'w' },
	{ "metric", required_argument, NULL, 'm' },
	{ "threshold", required_argument, NULL, 't' },
	{ "all", no_argument, NULL, 'a' },
	KEY_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_compare = {
	.name = "compare",
	.usage = "compare BASE NEW [--workload W] [--metric M] "
	    "[--threshold PCT] " KEY_USAGE " [--all] [--json] [--db PATH]",
	.summary = "compare two kernel builds: every metric, lockup rates",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = compare_options,
	.args_min = 2,
	.args_max = 2,
	.exec = cmd_compare_exec,
};

struct compare_args {
	struct compare_opts o;
	int all;              /* every metric, changed or not */
};

/* "+395.1% [+180.2, +610.0]"; an end the runs cannot give is "-". */
static char *
estimate_cell(const struct metric_cmp *m)
{
	char lo[16] = "-", hi[16] = "-";

	if (isfinite(m->estimate_lo_pct))
		snprintf(lo, sizeof lo, "%+.1f", m->estimate_lo_pct);
	if (isfinite(m->estimate_hi_pct))
		snprintf(hi, sizeof hi, "%+.1f", m->estimate_hi_pct);
	return xasprintf("%+.1f%% [%s, %s]", m->estimate_pct, lo, hi);
}

/* The metric rows' table cells of m, or 0 when the row is not shown.
 * doubt: room for the "too noisy" text cells[9] may point to. */
static int
metric_row(const struct metric_cmp *m, int all, int tty, char **cells,
    char *doubt, size_t doubt_size)
{
	char *b, *bs, *n, *ns;

	if (!all && m->mark == CMP_SAME && !m->significant &&
	    fabs(m->change_pct) < 1 && fabs(m->estimate_pct) < 1)
		return 0;
	b = fmt_num(m->base.mean);
	bs = fmt_num(m->base.sd);
	n = fmt_num(m->new.mean);
	ns = fmt_num(m->new.sd);
	cells[0] = (char *)m->workload;   /* table_addv copies */
	cells[1] = (char *)m->metric;
	cells[2] = xasprintf("%s +-%s n=%zu", b, bs, m->base.n);
	cells[3] = xasprintf("%s +-%s n=%zu", n, ns, m->new.n);
	cells[4] = xasprintf("%.0f/%.0f", m->base.cv_pct, m->new.cv_pct);
	cells[5] = xasprintf("%+.1f%%", m->change_pct);
	cells[6] = estimate_cell(m);
	cells[7] = xasprintf("%.3f", m->p_value);
	cells[8] = m->significant ? "yes" : "no";
	/* Significant rows stand out: colour on a terminal, and the mark
	 * word in capitals everywhere. */
	if (m->mark == CMP_REGRESSION)
		cells[9] = tty ? "\033[1;31mREGRESSION\033[0m" : "REGRESSION";
	else if (m->mark == CMP_IMPROVEMENT)
		cells[9] = tty ? "\033[1;32mIMPROVEMENT\033[0m" : "IMPROVEMENT";
	else if (m->doubt != CMP_DECIDED)
		cells[9] = metric_cmp_doubt_text(m, doubt, doubt_size);
	else
		cells[9] = "-";
	free(b); free(bs); free(n); free(ns);
	return 1;
}

/* The rows of one key, m[0..n), under a line naming the key. */
static void
print_key_metrics(const struct metric_cmp *m, size_t n, int all)
{
	int tty = isatty(STDOUT_FILENO);
	struct table *t;
	char *cells[10], doubt[64];
	size_t i;
	int k, shown = 0;

	printf("key   %s on host %s, params %s\n", m->workload, m->host,
	    m->params);
	t = table_new(10, "WORKLOAD", "METRIC", "BASE", "NEW", "CV%", "CHANGE",
	    "ESTIMATE [90% CI]", "P", "SIG", "MARK");
	for (i = 0; i < n; i++) {
		if (!metric_row(&m[i], all, tty, cells, doubt, sizeof doubt))
			continue;
		shown++;
		table_addv(t, cells);
		for (k = 2; k <= 7; k++)
			free(cells[k]);
	}
	if (shown > 0)
		table_print(t, stdout);
	else
		printf("no metric changed by 1%% or more (--all shows all %zu)\n",
		    n);
	table_free(t);
}

void
print_comparison(struct db *db, const struct comparison *c, int all)
{
	char *bd = kernel_describe(db, c->base), *nd = kernel_describe(db,
	    c->new);
	struct table *t;
	size_t i, start;

	printf("base  %s\nnew   %s\n", bd, nd);
	free(bd);
	free(nd);
	/* one table per key: rows of different keys never mix */
	for (start = 0; start < c->nmetrics; start = i) {
		const struct metric_cmp *s = &c->metrics[start];

		for (i = start; i < c->nmetrics && c->metrics[i].host ==
		    s->host && c->metrics[i].params == s->params &&
		    strcmp(c->metrics[i].workload, s->workload) == 0; i++)
			;
		printf("\n");
		print_key_metrics(s, i - start, all);
	}
	if (c->nmetrics == 0)
		printf("\nno metric was measured on both builds\n");
	if (c->nlockups == 0)
		return;
	printf("\n");
	t = table_new(5, "WORKLOAD", "KIND", "BASE", "NEW", "TITLE");
	for (i = 0; i < c->nlockups; i++) {
		const struct lockup_cmp *l = &c->lockups[i];
		char *a = xasprintf("%lld/%lld", (long long)l->hit_base,
		    (long long)l->runs_base);
		char *b = xasprintf("%lld/%lld%s", (long long)l->hit_new,
		    (long long)l->runs_new, l->is_new && l->hit_new ? " NEW" :
		    "");

		table_add(t, l->workload, l->kind, a, b, l->title);
		free(a);
		free(b);
	}
	table_print(t, stdout);
	table_free(t);
}

int
parse_threshold(const char *text, double *out)
{
	if (parse_double(text, out) != 0 || *out < 0 || *out > 1000) {
		cli_error("--threshold expects a percentage 0..1000, got '%s'",
		    text);
		return -1;
	}
	return 0;
}

/* The parameter hash of FILE:SECTION's runs, as runs.params stores them;
 * its workload into o->workload unless one was given. */
static int
section_params(const char *arg, struct compare_opts *o)
{
	static char key[CATALOG_PARAMS_KEY_LEN + 1];
	const char *colon = strrchr(arg, ':');
	struct jobfile jf = { NULL, 0 };
	char *path, *cause = NULL, *json;
	size_t i;
	int r = -1;

	if (colon == NULL || colon == arg || colon[1] == '\0') {
		cli_error("--section expects FILE:SECTION, got '%s'", arg);
		return -1;
	}
	path = xstrndup(arg, (size_t)(colon - arg));
	if (jobfile_load(path, workloads, &jf, &cause) != 0) {
		cli_error("%s", cause);
		goto out;
	}
	for (i = 0; i < jf.njobs; i++)
		if (strcmp(jf.jobs[i].section, colon + 1) == 0)
			break;
	if (i == jf.njobs) {
		cli_error("no section '%s' in '%s'", colon + 1, path);
		goto out;
	}
	json = params_to_json(jf.jobs[i].params);
	catalog_params_key(jf.jobs[i].wl->name, json, key);
	free(json);
	o->params = key;
	if (o->workload == NULL)
		o->workload = jf.jobs[i].wl->name;
	r = 0;
out:
	jobfile_release(&jf);
	free(cause);
	free(path);
	return r;
}

int
parse_key_option(int opt, const char *arg, struct compare_opts *o)
{
	char *list, *word, *save = NULL;
	int r = 0;

	switch (opt) {
	case 'H': o->host = arg; return 0;
	case 'P': o->params = arg; return 0;
	case 'J': return section_params(arg, o);
	case 'X': break;
	default: return 0;
	}
	list = xstrdup(arg);
	for (word = strtok_r(list, ",", &save); word != NULL && r == 0;
	    word = strtok_r(NULL, ",", &save)) {
		if (strcmp(word, "host") == 0)
			o->mix |= COMPARE_MIX_HOST;
		else if (strcmp(word, "params") == 0)
			o->mix |= COMPARE_MIX_PARAMS;
		else {
			cli_error("--mix expects host, params or both, got "
			    "'%s'", arg);
			r = -1;
		}
	}
	free(list);
	return r;
}

static int
compare_option(int opt, const char *arg, void *ctx)
{
	struct compare_args *a = ctx;

	switch (opt) {
	case 'w': a->o.workload = arg; break;
	case 'm': a->o.metric = arg; break;
	case 't':
		if (parse_threshold(arg, &a->o.threshold_pct) != 0)
			return EXIT_USAGE;
		break;
	case 'a': a->all = 1; break;
	default:
		if (parse_key_option(opt, arg, &a->o) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

static int
cmd_compare_exec(int argc, char **argv)
{
	struct compare_args a;
	struct cli_args args;
	struct comparison c;
	struct db *db = NULL;
	int64_t base, new;
	char *cause = NULL;
	int r;

	memset(&a, 0, sizeof a);
	a.o.threshold_pct = 5.0;
	if ((r = cli_parse_options(&cmd_compare, argc, argv, compare_option,
	    &a, &args)) != CLI_CONTINUE)
		return r;
	r = EXIT_OK;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (kernel_resolve(db, args.argv[0], &base, &cause) != 0 ||
	    kernel_resolve(db, args.argv[1], &new, &cause) != 0 ||
	    (r = compare_kernels(db, base, new, &a.o, &c, &cause)) != 0) {
		cli_error("%s", cause);
		/* a comparison that would mix keys is a usage error */
		r = r == -EDOM ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	if (args.json)
		cli_print_json(comparison_json(db, &c));
	else
		print_comparison(db, &c, a.all);
	comparison_release(&c);
out:
	free(cause);
	db_close(db);
	return r;
}
