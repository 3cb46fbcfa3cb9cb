/* cmd-run.c - run a workload in the foreground and store the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "jobfile.h"
#include "options.h"
#include "runjson.h"
#include "runner.h"
#include "workload.h"

static int cmd_run_exec(int, char **);

const struct cli_cmd cmd_run = {
	.name = "run",
	.usage = "run (WORKLOAD [--OPTION=VALUE ...] [--repeat N] | --job FILE) "
	    "[--label L] [--json] [--db PATH]",
	.summary = "run a workload and store what it measured",
	.exec = cmd_run_exec,
};

struct progress {
	int tty;
	int shown;
};

static void
on_progress(void *arg, const char *text, double elapsed)
{
	struct progress *p = arg;

	if (!p->tty)
		return;
	printf("\r\033[K%6.1fs  %s", elapsed, text);
	fflush(stdout);
	p->shown = 1;
}

/*
 * percpu_stats lives in debugfs; mount it where the kernel documents it
 * when nobody has (as perf and trace-cmd do).  Failure only means the
 * sampler records the source as unavailable.
 */
static void
mount_debugfs(void)
{
	struct stat a, b;

	if (geteuid() != 0)
		return;
	if (stat("/sys/kernel/debug", &a) == -1 || stat("/sys/kernel", &b) == -1)
		return;
	if (a.st_dev != b.st_dev)
		return; /* already a mount of its own */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

static void
print_run(struct db *db, const struct run_outcome *o)
{
	json_t *j = run_summary_json(db, o->run_id), *m = json_object_get(j, "metrics");
	const char *reason = json_string_value(json_object_get(j, "reason"));
	sqlite3_stmt *st;
	struct table *t;
	char *cause = NULL;

	printf("run %s  %s  %s%s%s\n", o->uuid,
	    json_string_value(json_object_get(j, "workload")), o->state,
	    reason ? ": " : "", reason ? reason : "");
	if (json_object_size(m) > 0) {
		t = table_new(4, "METRIC", "VALUE", "UNIT", "BETTER");
		st = db_prepare(db, "SELECT name, value, unit, better FROM "
		    "metrics WHERE run_id = ?1 ORDER BY name", &cause);
		if (st != NULL) {
			sqlite3_bind_int64(st, 1, o->run_id);
			while (sqlite3_step(st) == SQLITE_ROW) {
				char *val = fmt_num(sqlite3_column_double(st, 1));

				table_add(t, sqlite3_column_text(st, 0), val,
				    sqlite3_column_text(st, 2),
				    sqlite3_column_text(st, 3));
				free(val);
			}
		}
		sqlite3_finalize(st);
		table_print(t, stdout);
		table_free(t);
	}
	free(cause);
	json_decref(j);
}

static int
arg_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*out = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] == '\0' && *i + 1 < argc) {
		*out = argv[++*i];
		return 1;
	}
	return 0;
}

/* Run every job in turn; the exit code is 1 if any run did not pass
 * (skipped runs count as done: they say why). */
static int
run_jobs(struct db *db, const struct jobfile *jf, const char *label, int json)
{
	struct run_request req;
	struct run_outcome out;
	struct progress prog;
	char *cause = NULL;
	size_t j;
	int64_t k;
	int r = EXIT_OK;

	memset(&prog, 0, sizeof prog);
	prog.tty = !json && isatty(STDOUT_FILENO);
	for (j = 0; j < jf->njobs; j++) {
		const struct job *job = &jf->jobs[j];

		memset(&req, 0, sizeof req);
		req.wl = job->wl;
		req.params = job->params;
		req.label = label ? label : job->label;
		req.progress = on_progress;
		req.progress_arg = &prog;
		for (k = 0; k < job->repeat; k++) {
			if (runner_run(db, &req, &out, &cause) != 0) {
				if (prog.shown)
					printf("\r\033[K");
				prog.shown = 0;
				cli_error("%s", cause ? cause : "run failed");
				r = EXIT_FAIL;
				if (out.run_id == 0)
					goto out;
			}
			if (prog.shown) {
				printf("\r\033[K");
				prog.shown = 0;
			}
			if (json)
				cli_print_json(run_summary_json(db, out.run_id));
			else
				print_run(db, &out);
			fflush(stdout);
			if (strcmp(out.state, "passed") != 0 &&
			    strcmp(out.state, "skipped") != 0)
				r = EXIT_FAIL;
			/* A stop request ends the whole job, not one run. */
			if (strcmp(out.state, "interrupted") == 0)
				goto out;
		}
	}
out:
	free(cause);
	return r;
}

static int
cmd_run_exec(int argc, char **argv)
{
	static const struct opt_spec repeat_spec = { "repeat", OPT_INT, 1,
	    100000, "1", NULL, NULL };
	struct jobfile jf;
	struct job *job = NULL;
	struct db *db = NULL;
	struct param rep;
	const char *label = NULL, *jobpath = NULL, *v;
	char *cause = NULL;
	int json = 0, i, r = EXIT_OK, fixed = 0;

	memset(&rep, 0, sizeof rep);
	memset(&jf, 0, sizeof jf);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: mmstorm %s\n"
			    "       mmstorm run --job FILE [--label L] [--json]\n"
			    "'mmstorm workloads NAME' lists a workload's options.\n",
			    cmd_run.usage);
			goto out;
		} else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (arg_value(argc, argv, &i, "--label", &label))
			continue;
		else if (arg_value(argc, argv, &i, "--db", &v))
			cli_db_path = v;
		else if (arg_value(argc, argv, &i, "--job", &jobpath))
			continue;
		else if (arg_value(argc, argv, &i, "--repeat", &v)) {
			if (opt_parse_value(&repeat_spec, v, &rep, &cause) != 0) {
				cli_error("%s", cause);
				r = EXIT_USAGE;
				goto out;
			}
		} else if (argv[i][0] != '-' && job == NULL) {
			const struct workload *wl = workload_find(argv[i]);

			if (wl == NULL) {
				cli_error("unknown workload '%s' (see 'mmstorm "
				    "workloads')", argv[i]);
				r = EXIT_USAGE;
				goto out;
			}
			jf.jobs = job = xcalloc(1, sizeof *job);
			jf.njobs = 1;
			job->wl = wl;
			job->section = xstrdup(wl->name);
			job->params = params_new(wl->name, wl->options);
		} else if (job != NULL && strncmp(argv[i], "--", 2) == 0) {
			if (params_set_arg(job->params, argv[i], &cause) != 0) {
				cli_error("%s", cause);
				r = EXIT_USAGE;
				goto out;
			}
		} else {
			cli_error("unexpected argument '%s'", argv[i]);
			r = cli_usage(&cmd_run);
			goto out;
		}
	}
	if ((job == NULL) == (jobpath == NULL)) {
		if (job != NULL)
			cli_error("give a workload or --job FILE, not both");
		r = cli_usage(&cmd_run);
		goto out;
	}
	if (jobpath != NULL) {
		if (rep.set) {
			cli_error("--repeat does not apply to --job: use "
			    "repeat= in the file");
			r = EXIT_USAGE;
			goto out;
		}
		if (jobfile_load(jobpath, &jf, &cause) != 0) {
			cli_error("%s", cause);
			r = EXIT_USAGE;
			goto out;
		}
	} else
		job->repeat = rep.set ? rep.i : 1;
	if (label != NULL && (strlen(label) == 0 || strchr(label, '\n'))) {
		cli_error("a label must be one non-empty line");
		r = EXIT_USAGE;
		goto out;
	}
	if (cli_open_db(DB_CREATE, &db) != 0) {
		r = EXIT_FAIL;
		goto out;
	}
	/* Whatever an earlier, killed supervisor left changed comes back
	 * before anything new is changed. */
	if (runner_recover(db, &fixed, &cause) != 0) {
		cli_error("cannot settle earlier runs: %s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (fixed > 0)
		fprintf(stderr, "mmstorm: settled %d run(s)/knob(s) left by an "
		    "earlier supervisor\n", fixed);
	mount_debugfs();
	r = run_jobs(db, &jf, label, json);
out:
	free(rep.s);
	free(cause);
	jobfile_release(&jf);
	db_close(db);
	return r;
}
