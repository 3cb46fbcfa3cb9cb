/* cmd-lockups.c - kernel events grouped by signature and build. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "store/db.h"
#include "store/events.h"

static int cmd_lockups_exec(int, char **);

static const struct option lockups_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "workload", required_argument, NULL, 'w' },
	{ "kind", required_argument, NULL, 'K' },
	{ "since", required_argument, NULL, 's' },
	{ "baseline", required_argument, NULL, 'b' },
	{ "retitle", no_argument, NULL, 'R' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_lockups = {
	.name = "lockups",
	.usage = "lockups [--kernel K] [--workload W] [--kind KIND] "
	    "[--since T] [--baseline K] [--json] [--db PATH]\n"
	    "       mmstorm lockups --retitle [--dry-run] [--db PATH]",
	.summary = "lockups, stalls, oopses... by title and kernel build, "
	    "with reproduction rates",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = lockups_options,
	.exec = cmd_lockups_exec,
};

/* The options: the query, with the builds still as named. */
struct lockups_args {
	struct lockups_query q;
	const char *kernel;      /* --kernel */
	const char *baseline;    /* --baseline */
	int retitle, dry_run;    /* --retitle [--dry-run] */
};

/* "7d", "24h", "30m", "90s" ago, or a date "2026-11-01[ 12:00[:00]]". */
static int
parse_since(const char *text, int64_t *t_ns)
{
	static const char *formats[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d" };
	struct tm tm;
	char *end;
	double v;
	size_t i;

	v = strtod(text, &end);
	if (end != text && v >= 0) {
		double mult = 0;

		if (strcmp(end, "s") == 0) mult = 1;
		else if (strcmp(end, "m") == 0) mult = 60;
		else if (strcmp(end, "h") == 0) mult = 3600;
		else if (strcmp(end, "d") == 0) mult = 86400;
		if (mult > 0) {
			*t_ns = now_real_ns() - (int64_t)(v * mult * 1e9);
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		memset(&tm, 0, sizeof tm);
		end = strptime(text, formats[i], &tm);
		if (end != NULL && *end == '\0') {
			tm.tm_isdst = -1;
			*t_ns = (int64_t)mktime(&tm) * 1000000000;
			return 0;
		}
	}
	return -1;
}

static int
lockups_option(int opt, const char *arg, void *ctx)
{
	struct lockups_args *a = ctx;

	switch (opt) {
	case 'k': a->kernel = arg; break;
	case 'w': a->q.workload = arg; break;
	case 'K': a->q.kind = arg; break;
	case 'b': a->baseline = arg; break;
	case 'R': a->retitle = 1; break;
	case 'n': a->dry_run = 1; break;
	case 's':
		if (parse_since(arg, &a->q.since_ns) != 0) {
			cli_error("--since expects 7d, 24h, 30m or a date like "
			    "2026-11-01, got '%s'", arg);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

static void
print_json(const struct lockup_row *rows, size_t n, int with_new)
{
	const struct lockup_row *l;
	json_t *o;
	size_t i;

	for (i = 0; i < n; i++) {
		l = &rows[i];
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:f, "
		    "s:I, s:I, s:o, s:o, s:o, s:I}",
		    "kernel", l->release, "build_id", l->build_id,
		    "kind", l->kind, "title", l->title,
		    "signature", l->signature,
		    "count", (json_int_t)l->count,
		    "runs_hit", (json_int_t)l->runs_hit,
		    "runs", (json_int_t)l->runs,
		    "rate", l->runs ? (double)l->runs_hit / (double)l->runs :
		    0.0,
		    "first_ns", (json_int_t)l->first_ns,
		    "last_ns", (json_int_t)l->last_ns,
		    "workloads", cli_json_string(l->workloads),
		    "hosts", cli_json_string(l->hosts),
		    "example_run", cli_json_string(l->example_run),
		    "example_event", (json_int_t)l->example_event);
		if (with_new)
			json_object_set_new(o, "new", json_boolean(l->is_new));
		cli_print_json(o);
	}
}

static void
print_table(struct db *db, const struct lockup_row *rows, size_t n)
{
	struct table *t = table_new(7, "KERNEL", "KIND", "COUNT", "RUNS",
	    "LAST SEEN", "EXAMPLE", "TITLE");
	char *kern = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct lockup_row *l = &rows[i];
		char *count = xasprintf("%lld", (long long)l->count);
		char *rate = xasprintf("%lld/%lld", (long long)l->runs_hit,
		    (long long)l->runs);
		char *last = fmt_time_ns(l->last_ns);
		char *ttl = xasprintf("%s%s", l->is_new ? "NEW " : "",
		    l->title);
		char *exs = l->example_run ? xstrndup(l->example_run, 8) :
		    xstrdup("-");

		/* Builds that differ only by command line share a release:
		 * name them as compare does. */
		if (i == 0 || l->kernel != rows[i - 1].kernel) {
			free(kern);
			kern = kernel_describe(db, l->kernel);
		}
		table_add(t, kern, l->kind, count, rate, last, exs, ttl);
		free(count); free(rate); free(last); free(ttl);
		free(exs);
	}
	table_print(t, stdout);
	table_free(t);
	free(kern);
}

/*
 * --retitle: the stored kernel-log events' kinds, titles and signatures
 * computed again from their text by this build's classifier, so that a
 * database made by an older mmstorm keeps grouping with new events.
 */
static int
retitle(struct db *db, int dry_run)
{
	int64_t seen, changed;
	char *cause = NULL;

	if (db_events_retitle(db, dry_run, &seen, &changed, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	printf("%s %lld of %lld kernel-log events\n", dry_run ?
	    "would retitle" : "retitled", (long long)changed,
	    (long long)seen);
	return EXIT_OK;
}

static int
cmd_lockups_exec(int argc, char **argv)
{
	struct lockups_args a = { { 0, 0, 0, NULL, NULL }, NULL, NULL, 0, 0 };
	struct lockup_row *rows = NULL;
	struct cli_args args;
	struct db *db = NULL;
	char *cause = NULL;
	size_t n = 0;
	int r;

	if ((r = cli_parse_options(&cmd_lockups, argc, argv, lockups_option,
	    &a, &args)) != CLI_CONTINUE)
		return r;
	if (a.dry_run && !a.retitle) {
		cli_error("--dry-run goes with --retitle");
		return EXIT_USAGE;
	}
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (a.retitle) {
		r = retitle(db, a.dry_run);
		goto out;
	}
	if ((a.kernel && kernel_resolve(db, a.kernel, &a.q.kernel,
	    &cause) != 0) ||
	    (a.baseline && kernel_resolve(db, a.baseline, &a.q.baseline,
	    &cause) != 0) ||
	    lockups_list(db, &a.q, &rows, &n, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (args.json)
		print_json(rows, n, a.q.baseline != 0);
	else
		print_table(db, rows, n);
	r = EXIT_OK;
out:
	lockup_rows_free(rows, n);
	free(cause);
	db_close(db);
	return r;
}
