/* cmd-export.c - write runs as JSON lines for another machine to import. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/export.h"

static int cmd_export_exec(int, char **);

static const struct option export_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_export = {
	.name = "export",
	.usage = "export [RUN...] [-o FILE] [--db PATH]",
	.summary = "write runs as JSON lines (every ended run without RUN)",
	.flags = CLI_OPT_DB,
	.shortopts = "o:",
	.longopts = export_options,
	.args_max = -1,
	.exec = cmd_export_exec,
};

/* Into FILE.tmp.PID, renamed over FILE once complete: an export that
 * fails leaves no file behind, nor a half-replaced one. */
static int
export_to_file(struct db *db, char **keys, size_t nkeys, const char *path,
    struct export_result *res, char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = NULL;
	int fd, r;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		r = set_cause(cause, errno, "cannot create '%s': %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	r = export_runs(db, keys, nkeys, f, res, cause);
	if (fflush(f) != 0 || ferror(f)) {
		if (r == 0)
			r = set_cause(cause, errno ? errno : EIO,
			    "cannot write '%s': %s", path,
			    strerror(errno ? errno : EIO));
	}
	if (fclose(f) != 0 && r == 0)
		r = set_cause(cause, errno, "cannot write '%s': %s", path,
		    strerror(errno));
	if (r == 0 && rename(tmp, path) == -1)
		r = set_cause(cause, errno, "cannot rename '%s' to '%s': %s",
		    tmp, path, strerror(errno));
	if (r != 0)
		unlink(tmp);
out:
	free(tmp);
	return r;
}

/* -o FILE */
static int
export_option(int opt, const char *arg, void *ctx)
{
	const char **output = ctx;

	*output = arg;
	return 0;
}

static int
cmd_export_exec(int argc, char **argv)
{
	struct cli_args args;
	struct export_result res;
	const char *output = NULL;
	struct db *db = NULL;
	char *cause = NULL;
	int r;

	if ((r = cli_parse_options(&cmd_export, argc, argv, export_option,
	    &output, &args)) != CLI_CONTINUE)
		return r;
	if (output != NULL && (*output == '\0' || strcmp(output, "-") == 0))
		output = NULL;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (output != NULL)
		r = export_to_file(db, args.argv, (size_t)args.argc, output,
		    &res, &cause);
	else
		r = export_runs(db, args.argv, (size_t)args.argc, stdout, &res,
		    &cause);
	if (r != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
	} else {
		if (res.unfinished > 0)
			cli_error("left out %zu run%s that %s not ended yet",
			    res.unfinished, res.unfinished == 1 ? "" : "s",
			    res.unfinished == 1 ? "has" : "have");
		r = EXIT_OK;
	}
	free(cause);
	db_close(db);
	return r;
}
