/* cmd-runs.c - list stored runs, newest first. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "cli/cli.h"
#include "store/db.h"

static int cmd_runs_exec(int, char **);

const struct cli_cmd cmd_runs = {
	.name = "runs",
	.usage = "runs [--workload W] [--state S] [--kernel RELEASE] "
	    "[--limit N] [--json] [--db PATH]",
	.summary = "list stored runs, newest first",
	.exec = cmd_runs_exec,
};

static int
cmd_runs_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "state", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workload = NULL, *state = NULL, *kernel = NULL;
	int64_t limit = 50;
	struct db *db = NULL;
	struct stmt *st = NULL;
	struct table *t = NULL;
	char *cause = NULL;
	int json = 0, c, r = EXIT_OK, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w': workload = optarg; break;
		case 's': state = optarg; break;
		case 'k': kernel = optarg; break;
		case 'j': json = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'n':
			if (parse_int64(optarg, &limit) != 0 || limit < 1) {
				cli_error("--limit expects a positive number, "
				    "got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_runs.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_runs);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_runs);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	st = db_prepare(db, "SELECT r.uuid, r.workload, r.state, k.release, "
	    "r.label, r.created_ns, r.started_ns, r.ended_ns, r.reason "
	    "FROM runs r JOIN kernels k ON k.id = r.kernel_id "
	    "WHERE ($1 IS NULL OR r.workload = $1) AND ($2 IS NULL OR "
	    "r.state = $2) AND ($3 IS NULL OR k.release = $3 OR "
	    "k.build_id LIKE $3 || '%') ORDER BY r.created_ns DESC, r.id DESC "
	    "LIMIT $4", &cause);
	if (st == NULL) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (workload)
		stmt_bind_text(st, 1, workload);
	if (state)
		stmt_bind_text(st, 2, state);
	if (kernel)
		stmt_bind_text(st, 3, kernel);
	stmt_bind_int64(st, 4, limit);
	if (!json)
		t = table_new(7, "RUN", "WORKLOAD", "STATE", "KERNEL", "LABEL",
		    "STARTED", "SECONDS");
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *uuid = (const char *)stmt_text(st, 0);
		int64_t created = stmt_int64(st, 5);
		int64_t started = stmt_int64(st, 6);
		int64_t ended = stmt_int64(st, 7);
		const char *label = (const char *)stmt_text(st, 4);
		const char *reason = (const char *)stmt_text(st, 8);

		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, "
			    "s:o, s:o, s:o}",
			    "run", uuid,
			    "workload", stmt_text(st, 1),
			    "state", stmt_text(st, 2),
			    "kernel", stmt_text(st, 3),
			    "label", label ? json_string(label) : json_null(),
			    "created_ns", (json_int_t)created,
			    "started_ns", started ? json_integer(started) :
			    json_null(),
			    "ended_ns", ended ? json_integer(ended) :
			    json_null(),
			    "reason", reason ? json_string(reason) :
			    json_null());
			cli_print_json(o);
		} else {
			char *when = fmt_time_ns(started ? started : created);
			char *secs = started && ended ? xasprintf("%.1f",
			    (double)(ended - started) / 1e9) : xstrdup("-");
			char *shortid = xstrndup(uuid, 8);

			table_add(t, shortid, stmt_text(st, 1),
			    stmt_text(st, 2),
			    stmt_text(st, 3), label, when, secs);
			free(when);
			free(secs);
			free(shortid);
		}
	}
	if (rc != STORE_DONE) {
		db_error(db, &cause, "cannot list runs");
		cli_error("%s", cause);
		r = EXIT_FAIL;
	} else if (t != NULL)
		table_print(t, stdout);
out:
	table_free(t);
	stmt_finalize(st);
	free(cause);
	db_close(db);
	return r;
}
