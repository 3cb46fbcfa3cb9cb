/* cmd-hosts.c - the machines runs were made on, and their classes: runs
 * compare only within one class (docs/analysis.md, keys). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/catalog.h"
#include "store/db.h"

static int cmd_hosts_exec(int, char **);

static const struct option hosts_options[] = {
	{ "class", required_argument, NULL, 'c' },
	{ "no-class", no_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_hosts = {
	.name = "hosts",
	.usage = "hosts [--class NAME | --no-class HOST...] [--json] "
	    "[--db PATH]",
	.summary = "list machines; name a class of identical ones",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = hosts_options,
	.args_max = 1000,
	.exec = cmd_hosts_exec,
};

struct hosts_args {
	const char *class;
	int unset;
};

static int
hosts_option(int opt, const char *arg, void *ctx)
{
	struct hosts_args *a = ctx;

	if (opt == 'c')
		a->class = arg;
	else if (opt == 'C')
		a->unset = 1;
	return 0;
}

static void
print_hosts(const struct catalog_host *hs, size_t n, int json)
{
	struct table *t = table_new(6, "CLASS", "HOSTNAME", "MACHINE-ID",
	    "CPUS", "MEM-KB", "RUNS");
	size_t i;

	for (i = 0; i < n; i++) {
		char *cpus = xasprintf("%lld", (long long)hs[i].cpus);
		char *mem = xasprintf("%lld", (long long)hs[i].mem_total_kb);
		char *runs = xasprintf("%lld", (long long)hs[i].runs);

		if (json)
			cli_print_json(json_pack("{s:s, s:o, s:s, s:s, s:I, "
			    "s:I, s:I, s:I}", "class", hs[i].name, "named",
			    json_boolean(hs[i].class != NULL), "hostname",
			    hs[i].hostname, "machine_id", hs[i].machine_id,
			    "cpus", (json_int_t)hs[i].cpus, "numa_nodes",
			    (json_int_t)hs[i].nodes, "mem_total_kb",
			    (json_int_t)hs[i].mem_total_kb, "runs",
			    (json_int_t)hs[i].runs));
		else
			table_add(t, hs[i].name, hs[i].hostname,
			    hs[i].machine_id, cpus, mem, runs);
		free(cpus);
		free(mem);
		free(runs);
	}
	if (!json)
		table_print(t, stdout);
	table_free(t);
}

static int
cmd_hosts_exec(int argc, char **argv)
{
	struct hosts_args a = { NULL, 0 };
	struct catalog_host *hs = NULL;
	struct cli_args args;
	struct db *db = NULL;
	char *cause = NULL;
	size_t n = 0;
	int64_t changed;
	int i, r;

	if ((r = cli_parse_options(&cmd_hosts, argc, argv, hosts_option, &a,
	    &args)) != CLI_CONTINUE)
		return r;
	if ((a.class != NULL || a.unset) == (args.argc == 0) ||
	    (a.class != NULL && a.unset) || (a.class != NULL &&
	    *a.class == '\0'))
		return cli_usage(&cmd_hosts);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	r = EXIT_FAIL;
	for (i = 0; i < args.argc; i++) {
		if (catalog_host_set_class(db, args.argv[i], a.class,
		    &changed, &cause) != 0) {
			cli_error("%s", cause);
			goto out;
		}
	}
	if (args.argc > 0) {
		r = EXIT_OK;
		goto out;
	}
	if (catalog_hosts(db, 1, &hs, &n, &cause) != 0) {
		cli_error("%s", cause);
		goto out;
	}
	print_hosts(hs, n, args.json);
	r = EXIT_OK;
out:
	catalog_hosts_free(hs, n);
	free(cause);
	db_close(db);
	return r;
}
