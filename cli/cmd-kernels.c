/* cmd-kernels.c - the kernel builds runs were made on. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/catalog.h"
#include "store/db.h"

static int cmd_kernels_exec(int, char **);

const struct cli_cmd cmd_kernels = {
	.name = "kernels",
	.usage = "kernels [--json] [--db PATH]",
	.summary = "list kernel builds with their runs",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.exec = cmd_kernels_exec,
};

static void
print_json(const struct catalog_kernel *ks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cli_print_json(json_pack("{s:s, s:o, s:s, s:o, s:s, s:s, s:I, "
		    "s:I, s:o}",
		    "release", ks[i].release,
		    "build_id", cli_json_string(ks[i].build_id),
		    "build_key", ks[i].build_key,
		    "config_hash", cli_json_string(ks[i].config_hash),
		    "cmdline", ks[i].cmdline,
		    "version", ks[i].version,
		    "first_seen_ns", (json_int_t)ks[i].first_seen_ns,
		    "runs", (json_int_t)ks[i].runs,
		    "labels", cli_json_string(ks[i].labels)));
}

static void
print_table(const struct catalog_kernel *ks, size_t n)
{
	struct table *t = table_new(7, "RELEASE", "BUILD-ID", "KEY", "CONFIG",
	    "RUNS", "LABELS", "FIRST SEEN");
	size_t i;

	for (i = 0; i < n; i++) {
		const struct catalog_kernel *k = &ks[i];
		char *bid = k->build_id ? xstrndup(k->build_id, 12) :
		    xstrdup("-");
		/* the build key tells apart builds that differ only by
		 * command line; a prefix of it names one */
		char *key = xstrndup(k->build_key, 12);
		char *cfg = k->config_hash ? xstrndup(k->config_hash, 12) :
		    xstrdup("-");
		char *runs = xasprintf("%lld", (long long)k->runs);
		char *when = fmt_time_ns(k->first_seen_ns);

		table_add(t, k->release, bid, key, cfg, runs, k->labels, when);
		free(bid);
		free(key);
		free(cfg);
		free(runs);
		free(when);
	}
	table_print(t, stdout);
	table_free(t);
}

static int
cmd_kernels_exec(int argc, char **argv)
{
	struct catalog_kernel *ks = NULL;
	struct cli_args args;
	struct db *db = NULL;
	char *cause = NULL;
	size_t n = 0;
	int r;

	if ((r = cli_parse_options(&cmd_kernels, argc, argv, NULL, NULL,
	    &args)) != CLI_CONTINUE)
		return r;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (catalog_kernels(db, &ks, &n, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (args.json)
		print_json(ks, n);
	else
		print_table(ks, n);
	r = EXIT_OK;
out:
	catalog_kernels_free(ks, n);
	free(cause);
	db_close(db);
	return r;
}
