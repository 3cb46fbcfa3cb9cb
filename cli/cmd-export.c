/*
 * cmd-export.c - write runs as JSON lines for another machine to import,
 * or (--format kcidb) as a KernelCI KCIDB submission (docs/kcidb.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/export.h"
#include "store/kcidb.h"

static int cmd_export_exec(int, char **);

static const struct option export_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'F' },
	{ "origin", required_argument, NULL, 'O' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_export = {
	.name = "export",
	.usage = "export [RUN...] [-o FILE] [--format mmstorm|kcidb] "
	    "[--origin NAME] [--db PATH]",
	.help = "  --format mmstorm  JSON lines for `mmstorm import` (the default)\n"
	    "  --format kcidb    a KernelCI KCIDB v5.3 submission\n"
	    "  --origin NAME     the KCIDB origin (default mmstorm)\n",
	.summary = "write runs as JSON lines (every ended run without RUN)",
	.flags = CLI_OPT_DB,
	.shortopts = "o:",
	.longopts = export_options,
	.args_max = -1,
	.exec = cmd_export_exec,
};

/* What was asked for. */
struct export_opts {
	const char *output;      /* NULL: stdout */
	int kcidb;               /* --format kcidb */
	const char *origin;      /* NULL: not given */
};

static int
export_write(struct db *db, char **keys, size_t nkeys,
    const struct export_opts *o, FILE *f, struct export_result *res,
    char **cause)
{
	if (o->kcidb)
		return kcidb_export(db, keys, nkeys, o->origin != NULL ?
		    o->origin : KCIDB_DEFAULT_ORIGIN, f, res, cause);
	return export_runs(db, keys, nkeys, f, res, cause);
}

/* Into FILE.tmp.PID, renamed over FILE once complete: an export that
 * fails leaves no file behind, nor a half-replaced one. */
static int
export_to_file(struct db *db, char **keys, size_t nkeys,
    const struct export_opts *o, struct export_result *res, char **cause)
{
	const char *path = o->output;
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
	r = export_write(db, keys, nkeys, o, f, res, cause);
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

/* -o FILE, --format F, --origin NAME */
static int
export_option(int opt, const char *arg, void *ctx)
{
	struct export_opts *o = ctx;
	char *cause = NULL;

	switch (opt) {
	case 'o':
		o->output = arg;
		break;
	case 'F':
		if (strcmp(arg, "kcidb") != 0 && strcmp(arg, "mmstorm") != 0) {
			cli_error("unknown format '%s' (mmstorm or kcidb)",
			    arg);
			return EXIT_USAGE;
		}
		o->kcidb = strcmp(arg, "kcidb") == 0;
		break;
	case 'O':
		if (kcidb_origin_check(arg, &cause) != 0) {
			cli_error("%s", cause);
			free(cause);
			return EXIT_USAGE;
		}
		o->origin = arg;
		break;
	}
	return 0;
}

static int
cmd_export_exec(int argc, char **argv)
{
	struct cli_args args;
	struct export_result res;
	struct export_opts o = { NULL, 0, NULL };
	struct db *db = NULL;
	char *cause = NULL;
	int r;

	if ((r = cli_parse_options(&cmd_export, argc, argv, export_option,
	    &o, &args)) != CLI_CONTINUE)
		return r;
	if (o.origin != NULL && !o.kcidb) {
		cli_error("option '--origin' needs '--format kcidb'");
		return EXIT_USAGE;
	}
	if (o.output != NULL && (*o.output == '\0' ||
	    strcmp(o.output, "-") == 0))
		o.output = NULL;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (o.output != NULL)
		r = export_to_file(db, args.argv, (size_t)args.argc, &o, &res,
		    &cause);
	else
		r = export_write(db, args.argv, (size_t)args.argc, &o, stdout,
		    &res, &cause);
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
