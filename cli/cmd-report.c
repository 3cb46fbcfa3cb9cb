/*
 * cmd-report.c - a run, two builds compared, or one build, as aligned
 * text, JSON, or one self-contained HTML file to attach to a bug report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "cli/cli.h"
#include "store/db.h"
#include "workloads/workloads.h"
#include "reports/report.h"

static int cmd_report_exec(int, char **);

static const struct option report_options[] = {
	{ "compare", required_argument, NULL, 'c' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "html", required_argument, NULL, 'H' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "workload", required_argument, NULL, 'w' },
	{ "metric", required_argument, NULL, 'm' },
	{ "threshold", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_report = {
	.name = "report",
	.usage = "report (RUN | --compare BASE NEW | --kernel K) "
	    "[--html FILE | --format text|json|html [--output FILE]] "
	    "[--workload W] [--metric M] [--threshold PCT] [--db PATH]",
	.summary = "a run, a comparison or a build as text, JSON or HTML",
	.flags = CLI_OPT_DB,
	.shortopts = "o:",
	.longopts = report_options,
	.args_max = -1,         /* RUN, NEW or none: check_args() */
	.exec = cmd_report_exec,
};

struct report_cmd_args {
	struct compare_opts co;
	const char *compare;     /* --compare BASE */
	const char *kernel;      /* --kernel K */
	const char *html;        /* --html FILE */
	const char *format;      /* --format, as given */
	const char *output;      /* --output FILE; NULL or "-": stdout */
	enum report_format fmt;  /* --format or --html, parsed */
};

/*
 * The file appears whole or not at all: written beside its final name
 * and renamed, so a failed write never leaves half a report (or clobbers
 * the last good one).
 */
static int
write_report(const char *path, const struct buf *b)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	mode_t mask;
	int fd, r = -1;
	FILE *f;

	if ((fd = mkstemp(tmp)) < 0) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto out;
	}
	if (b->len > 0 && fwrite(b->s, 1, b->len, f) != b->len) {
		fclose(f);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0)
		goto out;
	if (rename(tmp, path) != 0)
		goto out;
	r = 0;
out:
	if (r != 0) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return r;
}

static int
report_option(int opt, const char *arg, void *ctx)
{
	struct report_cmd_args *a = ctx;

	switch (opt) {
	case 'c': a->compare = arg; break;
	case 'k': a->kernel = arg; break;
	case 'H': a->html = arg; break;
	case 'f': a->format = arg; break;
	case 'o': a->output = arg; break;
	case 'w': a->co.workload = arg; break;
	case 'm': a->co.metric = arg; break;
	case 't':
		if (parse_threshold(arg, &a->co.threshold_pct) != 0)
			return EXIT_USAGE;
		break;
	}
	return 0;
}

/* What to report and where to: the options that exclude each other, the
 * operand each form takes, the format.  CLI_CONTINUE or the exit code. */
static int
check_args(struct report_cmd_args *a, int nargs)
{
	if (a->compare != NULL && a->kernel != NULL) {
		cli_error("--compare and --kernel exclude each other");
		return cli_usage(&cmd_report);
	}
	/* RUN, or the NEW of --compare BASE NEW; nothing for --kernel */
	if (nargs != (a->kernel != NULL ? 0 : 1))
		return cli_usage(&cmd_report);
	if (a->format != NULL && report_format_parse(a->format,
	    &a->fmt) != 0) {
		cli_error("unknown format '%s' (text, json or html)",
		    a->format);
		return EXIT_USAGE;
	}
	if (a->html != NULL) {
		if ((a->format != NULL && a->fmt != REPORT_HTML) ||
		    (a->output != NULL && strcmp(a->output, a->html) != 0)) {
			cli_error("--html FILE writes HTML to FILE: no other "
			    "--format or --output");
			return EXIT_USAGE;
		}
		a->fmt = REPORT_HTML;
		a->output = a->html;
	}
	if (a->output != NULL && *a->output == '\0') {
		cli_error("empty output file name");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

/* The report the options name, into out; EXIT_OK or EXIT_FAIL (said). */
static int
make_report(struct db *db, const struct report_cmd_args *a,
    const char *operand, struct buf *out)
{
	char *cause = NULL;
	int64_t id, base, new;

	if (a->compare != NULL) {
		if (kernel_resolve(db, a->compare, &base, &cause) != 0 ||
		    kernel_resolve(db, operand, &new, &cause) != 0 ||
		    report_compare(db, base, new, &a->co, a->fmt, out,
		    &cause) != 0)
			goto fail;
	} else if (a->kernel != NULL) {
		if (kernel_resolve(db, a->kernel, &id, &cause) != 0 ||
		    report_kernel(db, id, a->fmt, out, &cause) != 0)
			goto fail;
	} else {
		if (cli_run_id(db, operand, &id) != 0)
			return EXIT_FAIL;
		if (report_run(db, workloads, id, a->fmt, out, &cause) != 0)
			goto fail;
	}
	return EXIT_OK;
fail:
	cli_error("%s", cause ? cause : "cannot make the report");
	free(cause);
	return EXIT_FAIL;
}

static int
cmd_report_exec(int argc, char **argv)
{
	struct report_cmd_args a;
	struct cli_args args;
	struct buf out = BUF_INIT;
	struct db *db = NULL;
	int r;

	memset(&a, 0, sizeof a);
	a.co.threshold_pct = 5.0;
	a.fmt = REPORT_TEXT;
	if ((r = cli_parse_options(&cmd_report, argc, argv, report_option, &a,
	    &args)) != CLI_CONTINUE)
		return r;
	if ((r = check_args(&a, args.argc)) != CLI_CONTINUE)
		return r;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	r = make_report(db, &a, args.argc > 0 ? args.argv[0] : NULL, &out);
	if (r != EXIT_OK)
		goto out;
	if (a.output == NULL || strcmp(a.output, "-") == 0) {
		if (out.len > 0)
			fwrite(out.s, 1, out.len, stdout);
	} else if (write_report(a.output, &out) != 0)
		r = EXIT_FAIL;
out:
	buf_release(&out);
	db_close(db);
	return r;
}
