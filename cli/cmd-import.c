/* cmd-import.c - store runs another machine exported (all or nothing). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/export.h"

static int cmd_import_exec(int, char **);

const struct cli_cmd cmd_import = {
	.name = "import",
	.usage = "import FILE|- [--json] [--db PATH]",
	.summary = "store runs from an export; runs already stored are skipped",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.args_min = 1,
	.args_max = 1,
	.exec = cmd_import_exec,
};

static json_t *
uuid_array(char **uuids, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(uuids[i]));
	return a;
}

static void
print_result(const char *name, const struct import_result *res, int json)
{
	size_t i;

	if (json) {
		cli_print_json(json_pack("{s:s, s:I, s:I, s:o, s:o, s:I, s:I, "
		    "s:I, s:I}",
		    "file", name,
		    "imported", (json_int_t)res->imported,
		    "skipped", (json_int_t)res->skipped,
		    "imported_runs", uuid_array(res->imported_runs,
		    res->imported),
		    "skipped_runs", uuid_array(res->skipped_runs, res->skipped),
		    "kernels_added", (json_int_t)res->kernels_added,
		    "hosts_added", (json_int_t)res->hosts_added,
		    "counters_added", (json_int_t)res->counters_added,
		    "lines", (json_int_t)res->lines));
		return;
	}
	for (i = 0; i < res->skipped; i++)
		printf("skipped run %s: already in the database\n",
		    res->skipped_runs[i]);
	printf("imported %zu run%s, skipped %zu; new: %zu kernel build%s, "
	    "%zu host%s, %zu counter%s\n", res->imported,
	    res->imported == 1 ? "" : "s", res->skipped,
	    res->kernels_added, res->kernels_added == 1 ? "" : "s",
	    res->hosts_added, res->hosts_added == 1 ? "" : "s",
	    res->counters_added, res->counters_added == 1 ? "" : "s");
}

static int
cmd_import_exec(int argc, char **argv)
{
	struct cli_args args;
	struct import_result res;
	struct db *db = NULL;
	struct stat sb;
	const char *path, *name;
	char *cause = NULL;
	FILE *f = NULL;
	int r;

	if ((r = cli_parse_options(&cmd_import, argc, argv, NULL, NULL,
	    &args)) != CLI_CONTINUE)
		return r;
	r = EXIT_FAIL;
	memset(&res, 0, sizeof res);
	path = args.argv[0];
	if (strcmp(path, "-") == 0) {
		f = stdin;
		name = "<stdin>";
	} else if ((f = fopen(path, "r")) == NULL) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return EXIT_FAIL;
	} else
		name = path;
	/* A file is checked whole before the database is even opened, so
	 * a bad one neither creates nor locks it; a pipe is read once,
	 * inside the transaction that a bad line rolls back. */
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
		if (import_stream(NULL, f, name, &res, &cause) != 0)
			goto fail;
		if (fseek(f, 0, SEEK_SET) != 0) {
			cli_error("cannot rewind '%s': %s", name,
			    strerror(errno));
			goto out;
		}
	}
	if (cli_open_db(DB_CREATE, &db) != 0)
		goto out;
	if (import_stream(db, f, name, &res, &cause) != 0)
		goto fail;
	print_result(name, &res, args.json);
	r = EXIT_OK;
	goto out;
fail:
	cli_error("%s", cause);
out:
	if (f != NULL && f != stdin)
		fclose(f);
	import_result_release(&res);
	free(cause);
	db_close(db);
	return r;
}
