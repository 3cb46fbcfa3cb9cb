/* cmd-kernels.c - the kernel builds runs were made on. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/db.h"

static int cmd_kernels_exec(int, char **);

const struct cli_cmd cmd_kernels = {
	.name = "kernels",
	.usage = "kernels [--json] [--db PATH]",
	.summary = "list kernel builds with their runs",
	.exec = cmd_kernels_exec,
};

static int
cmd_kernels_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db *db = NULL;
	struct stmt *st = NULL;
	struct table *t = NULL;
	char *cause = NULL;
	int json = 0, c, r = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_kernels.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_kernels);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_kernels);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	st = db_prepare(db, "SELECT k.release, k.build_id, k.build_key, "
	    "k.config_hash, k.cmdline, k.version, k.first_seen_ns, "
	    "(SELECT count(*) FROM runs r WHERE r.kernel_id = k.id), "
	    "(SELECT group_concat(DISTINCT r.label) FROM runs r WHERE "
	    "r.kernel_id = k.id AND r.label IS NOT NULL) "
	    "FROM kernels k ORDER BY k.first_seen_ns", &cause);
	if (st == NULL) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (!json)
		t = table_new(7, "RELEASE", "BUILD-ID", "KEY", "CONFIG",
		    "RUNS", "LABELS", "FIRST SEEN");
	while (stmt_step(st) == STORE_ROW) {
		const char *bid = (const char *)stmt_text(st, 1);
		const char *cfg = (const char *)stmt_text(st, 3);
		const char *labels = (const char *)stmt_text(st, 8);

		if (json) {
			cli_print_json(json_pack("{s:s, s:o, s:s, s:o, s:s, "
			    "s:s, s:I, s:I, s:o}",
			    "release", stmt_text(st, 0),
			    "build_id", bid ? json_string(bid) : json_null(),
			    "build_key", stmt_text(st, 2),
			    "config_hash", cfg ? json_string(cfg) :
			    json_null(),
			    "cmdline", stmt_text(st, 4),
			    "version", stmt_text(st, 5),
			    "first_seen_ns", (json_int_t)
			    stmt_int64(st, 6),
			    "runs", (json_int_t)stmt_int64(st, 7),
			    "labels", labels ? json_string(labels) :
			    json_null()));
		} else {
			char *b = bid ? xstrndup(bid, 12) : xstrdup("-");
			/* the build key tells apart builds that differ only
			 * by command line; a prefix of it names one */
			char *key = xstrndup((const char *)
			    stmt_text(st, 2), 12);
			char *cf = cfg ? xstrndup(cfg, 12) : xstrdup("-");
			char *n = xasprintf("%lld",
			    (long long)stmt_int64(st, 7));
			char *when = fmt_time_ns(stmt_int64(st, 6));

			table_add(t, stmt_text(st, 0), b, key, cf,
			    n, labels, when);
			free(b);
			free(key);
			free(cf);
			free(n);
			free(when);
		}
	}
	if (t != NULL)
		table_print(t, stdout);
out:
	table_free(t);
	stmt_finalize(st);
	free(cause);
	db_close(db);
	return r;
}
