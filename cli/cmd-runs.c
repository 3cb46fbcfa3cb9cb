/* cmd-runs.c - list stored runs, newest first. */
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "store/catalog.h"
#include "store/db.h"

static int cmd_runs_exec(int, char **);

static const struct option runs_options[] = {
	{ "workload", required_argument, NULL, 'w' },
	{ "state", required_argument, NULL, 's' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "limit", required_argument, NULL, 'n' },
	KEY_FILTER_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_runs = {
	.name = "runs",
	.usage = "runs [--workload W] [--state S] [--kernel RELEASE] "
	    "[--host H] [--params HASH|--section FILE:SECTION] [--limit N] "
	    "[--json] [--db PATH]",
	.summary = "list stored runs, newest first",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = runs_options,
	.exec = cmd_runs_exec,
};

static int
runs_option(int opt, const char *arg, void *ctx)
{
	struct catalog_runs_query *q = ctx;
	struct compare_opts o;

	memset(&o, 0, sizeof o);
	switch (opt) {
	case 'w': q->workload = arg; break;
	case 's': q->state = arg; break;
	case 'k': q->kernel = arg; break;
	case 'n':
		if (parse_int64(arg, &q->limit) != 0 || q->limit < 1) {
			cli_error("--limit expects a positive number, got "
			    "'%s'", arg);
			return EXIT_USAGE;
		}
		break;
	default:
		/* the same options as compare's, into the query */
		o.workload = q->workload;
		if (parse_key_option(opt, arg, &o) != 0)
			return EXIT_USAGE;
		q->host = o.host;
		q->params = o.params;
		q->workload = o.workload;
	}
	return 0;
}

static json_t *
time_or_null(int64_t t_ns)
{
	return t_ns != 0 ? json_integer((json_int_t)t_ns) : json_null();
}

static void
print_json(const struct catalog_run *rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, "
		    "s:o, s:o, s:s, s:s}",
		    "run", rs[i].uuid,
		    "workload", rs[i].workload,
		    "state", rs[i].state,
		    "kernel", rs[i].release,
		    "label", cli_json_string(rs[i].label),
		    "created_ns", (json_int_t)rs[i].created_ns,
		    "started_ns", time_or_null(rs[i].started_ns),
		    "ended_ns", time_or_null(rs[i].ended_ns),
		    "reason", cli_json_string(rs[i].reason),
		    "host", rs[i].host, "params", rs[i].params));
}

static void
print_table(const struct catalog_run *rs, size_t n)
{
	struct table *t = table_new(7, "RUN", "WORKLOAD", "STATE", "KERNEL",
	    "LABEL", "STARTED", "SECONDS");
	size_t i;

	for (i = 0; i < n; i++) {
		const struct catalog_run *run = &rs[i];
		char *when = fmt_time_ns(run->started_ns ? run->started_ns :
		    run->created_ns);
		char *secs = run->started_ns && run->ended_ns ?
		    xasprintf("%.1f", (double)(run->ended_ns -
		    run->started_ns) / 1e9) : xstrdup("-");
		char *shortid = xstrndup(run->uuid, 8);

		table_add(t, shortid, run->workload, run->state, run->release,
		    run->label, when, secs);
		free(when);
		free(secs);
		free(shortid);
	}
	table_print(t, stdout);
	table_free(t);
}

static int
cmd_runs_exec(int argc, char **argv)
{
	struct catalog_runs_query q = { .limit = 50 };
	struct catalog_run *rs = NULL;
	struct cli_args args;
	struct db *db = NULL;
	char *cause = NULL;
	size_t n = 0;
	int r;

	if ((r = cli_parse_options(&cmd_runs, argc, argv, runs_option, &q,
	    &args)) != CLI_CONTINUE)
		return r;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (catalog_runs(db, &q, &rs, &n, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (args.json)
		print_json(rs, n);
	else
		print_table(rs, n);
	r = EXIT_OK;
out:
	catalog_runs_free(rs, n);
	free(cause);
	db_close(db);
	return r;
}
