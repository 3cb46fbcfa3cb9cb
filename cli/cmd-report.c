/*
 * cmd-report.c - a run, two builds compared, or one build, as aligned
 * text, JSON, or one self-contained HTML file to attach to a bug report.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "cli/cli.h"
#include "store/db.h"
#include "reports/report.h"

static int cmd_report_exec(int, char **);

const struct cli_cmd cmd_report = {
	.name = "report",
	.usage = "report (RUN | --compare BASE NEW | --kernel K) "
	    "[--html FILE | --format text|json|html [--output FILE]] "
	    "[--workload W] [--metric M] [--threshold PCT] [--db PATH]",
	.summary = "a run, a comparison or a build as text, JSON or HTML",
	.exec = cmd_report_exec,
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
cmd_report_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "compare", required_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "html", required_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "workload", required_argument, NULL, 'w' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct compare_opts co = { NULL, NULL, 5.0 };
	enum report_format fmt = REPORT_TEXT;
	const char *compare = NULL, *kernel = NULL, *html = NULL;
	const char *output = NULL, *format = NULL;
	struct buf out = BUF_INIT;
	struct db *db = NULL;
	char *cause = NULL;
	int64_t id, base, new;
	int c, err, r = EXIT_OK, nargs;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': compare = optarg; break;
		case 'k': kernel = optarg; break;
		case 'H': html = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'w': co.workload = optarg; break;
		case 'm': co.metric = optarg; break;
		case 't':
			if (parse_threshold(optarg, &co.threshold_pct) != 0)
				return EXIT_USAGE;
			break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_report.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_report);
		}
	}
	nargs = argc - optind;
	if (compare != NULL && kernel != NULL) {
		cli_error("--compare and --kernel exclude each other");
		return cli_usage(&cmd_report);
	}
	/* RUN, or the NEW of --compare BASE NEW; nothing for --kernel */
	if (nargs != (kernel != NULL ? 0 : 1))
		return cli_usage(&cmd_report);
	if (format != NULL && report_format_parse(format, &fmt) != 0) {
		cli_error("unknown format '%s' (text, json or html)", format);
		return EXIT_USAGE;
	}
	if (html != NULL) {
		if ((format != NULL && fmt != REPORT_HTML) || (output != NULL &&
		    strcmp(output, html) != 0)) {
			cli_error("--html FILE writes HTML to FILE: no other "
			    "--format or --output");
			return EXIT_USAGE;
		}
		fmt = REPORT_HTML;
		output = html;
	}
	if (output != NULL && *output == '\0') {
		cli_error("empty output file name");
		return EXIT_USAGE;
	}

	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (compare != NULL) {
		if (kernel_resolve(db, compare, &base, &cause) != 0 ||
		    kernel_resolve(db, argv[optind], &new, &cause) != 0)
			goto fail;
		err = report_compare(db, base, new, &co, fmt, &out, &cause);
	} else if (kernel != NULL) {
		if (kernel_resolve(db, kernel, &id, &cause) != 0)
			goto fail;
		err = report_kernel(db, id, fmt, &out, &cause);
	} else {
		if (cli_run_id(db, argv[optind], &id) != 0) {
			r = EXIT_FAIL;
			goto out;
		}
		err = report_run(db, id, fmt, &out, &cause);
	}
	if (err != 0)
		goto fail;
	if (output == NULL || strcmp(output, "-") == 0) {
		if (out.len > 0)
			fwrite(out.s, 1, out.len, stdout);
	}
	else if (write_report(output, &out) != 0)
		r = EXIT_FAIL;
	goto out;
fail:
	cli_error("%s", cause ? cause : "cannot make the report");
	r = EXIT_FAIL;
out:
	buf_release(&out);
	free(cause);
	db_close(db);
	return r;
}
