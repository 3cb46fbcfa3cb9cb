/* cmd-run.c - run a workload in the foreground and store the result. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "common/suggest.h"
#include "jobs/jobfile.h"
#include "jobs/spec.h"
#include "run/options.h"
#include "run/runner.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/run-json.h"
#include "workloads/workloads.h"

static int cmd_run_exec(int, char **);

/* mmstorm run's own options (the workload's come from its table); the
 * parser, --help's usage and the shell completion read this. */
static const struct option run_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "wait", no_argument, NULL, 'w' },
	{ "local", no_argument, NULL, 'l' },
	{ "check", no_argument, NULL, 'c' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "socket", required_argument, NULL, 'S' },
	{ "label", required_argument, NULL, 'L' },
	{ "db", required_argument, NULL, 'D' },
	{ "job", required_argument, NULL, 'J' },
	{ "repeat", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_run = {
	.name = "run",
	.usage = "run (WORKLOAD [--OPTION=VALUE ...] [--repeat N] | --job FILE) "
	    "[--label L] [--json] [--wait] [--local] [--check] [--quiet] "
	    "[--db PATH] [--socket PATH]",
	.help = "       mmstorm run --job FILE [--label L] [--json]\n"
	    "'mmstorm workloads NAME' lists a workload's options.\n",
	.summary = "run a workload and store what it measured",
	.longopts = run_options,
	.exec = cmd_run_exec,
};

/*
 * What a run says while it runs, on stderr (stdout keeps the results):
 * on a terminal one line redrawn in place; elsewhere (CI logs, journald)
 * one line per phase, and one every PROGRESS_LOG_S of a long phase so a
 * log shows it moving.  A phase is what a progress text says before its
 * first ':', ',' or '(', numbers aside: "cycle 3/6: ..." and "cycle 4/6:
 * ..." are one phase.  --quiet, or --json off a terminal, shows nothing.
 */
enum progress_mode {
	PROGRESS_OFF,
	PROGRESS_LINE,
	PROGRESS_LOG,
};

#define PROGRESS_LOG_S 30.0

struct progress {
	enum progress_mode mode;
	int shown;              /* LINE: a line is on the terminal */
	char phase[128];        /* LOG: the phase of the last line */
	double logged_s;        /* LOG: elapsed time of the last line */
	const char *socket;     /* --wait: the daemon asked for its phase */
};

static void
progress_init(struct progress *p, int quiet, int json)
{
	memset(p, 0, sizeof *p);
	if (quiet)
		p->mode = PROGRESS_OFF;
	else if (isatty(STDERR_FILENO))
		p->mode = PROGRESS_LINE;
	else
		p->mode = json ? PROGRESS_OFF : PROGRESS_LOG;
}

/* The text's phase: up to ':', ',' or '(', without digits. */
static void
phase_of(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (; *text != '\0' && strchr(":,(", *text) == NULL; text++) {
		if (!isdigit((unsigned char)*text) && *text != '.' &&
		    n + 1 < size)
			out[n++] = *text;
	}
	out[n] = '\0';
}

/* The terminal's width, so the line never wraps (a wrapped line is not
 * redrawn in place by a carriage return). */
static int
terminal_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static void
progress_show(struct progress *p, const char *text, double elapsed)
{
	char phase[sizeof p->phase];

	switch (p->mode) {
	case PROGRESS_OFF:
		return;
	case PROGRESS_LINE:
		fprintf(stderr, "\r\033[K%6.1fs  %.*s", elapsed,
		    terminal_columns() - 10, text);
		p->shown = 1;
		break;
	case PROGRESS_LOG:
		phase_of(text, phase, sizeof phase);
		if (strcmp(phase, p->phase) == 0 &&
		    elapsed - p->logged_s < PROGRESS_LOG_S)
			return;
		fprintf(stderr, "%6.1fs  %s\n", elapsed, text);
		snprintf(p->phase, sizeof p->phase, "%s", phase);
		p->logged_s = elapsed;
		break;
	}
	fflush(stderr);
}

/* Before a result goes out: the terminal line goes, and the next run's
 * first phase gets a line of its own in a log. */
static void
progress_clear(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
	p->phase[0] = '\0';
	p->logged_s = 0;
}

static void
on_progress(void *arg, const char *text, double elapsed)
{
	progress_show(arg, text, elapsed);
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

/* "run UUID WORKLOAD STATE[: reason]" and the metrics table, from the
 * JSON of a stored run (local database or the daemon's API). */
static void
print_run(json_t *run)
{
	const char *reason;

	/* The reason can quote a worker's or the kernel's words. */
	cli_escape_strings(run);
	reason = json_string_value(json_object_get(run, "reason"));
	printf("run %s  %s  %s%s%s\n",
	    json_string_value(json_object_get(run, "run")),
	    json_string_value(json_object_get(run, "workload")),
	    json_string_value(json_object_get(run, "state")),
	    reason ? ": " : "", reason ? reason : "");
	print_metric_table(json_object_get(run, "metric_info"));
}

/* A run just stored: its summary JSON, or the line and table. */
static void
print_stored_run(struct db *db, int64_t run_id, int json)
{
	json_t *j;

	if (json) {
		cli_print_json(run_summary_json(db, run_id));
		return;
	}
	if ((j = run_show_json(db, run_id, 0, NULL)) != NULL)
		print_run(j);
	json_decref(j);
}

/* Run every job in turn; the exit code is 1 if any run did not pass
 * (skipped runs count as done: they say why). */
static int
run_jobs(struct db *db, const struct jobfile *jf, const char *label, int json,
    struct progress *prog)
{
	struct run_request req;
	struct run_outcome out;
	char *cause = NULL;
	size_t j;
	int64_t k;
	int r = EXIT_OK;

	for (j = 0; j < jf->njobs; j++) {
		const struct job_spec *job = &jf->jobs[j];

		memset(&req, 0, sizeof req);
		req.wl = job->wl;
		req.params = job->params;
		req.label = label ? label : job->label;
		req.progress = on_progress;
		req.progress_arg = prog;
		for (k = 0; k < job->repeat; k++) {
			if (runner_run(db, &req, &out, &cause) != 0) {
				progress_clear(prog);
				cli_error("%s", cause ? cause : "run failed");
				r = EXIT_FAIL;
				if (out.run_id == 0)
					goto out;
			}
			progress_clear(prog);
			print_stored_run(db, out.run_id, json);
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

/* What a queued job's run is doing: the daemon's phase ("12.3s text")
 * with the job and the run, as a progress text. */
static void
show_progress(const json_t *job, void *arg)
{
	struct progress *p = arg;
	const char *phase;
	double elapsed = 0;
	char *end, *text;
	json_t *st;

	if ((st = client_get(p->socket, "/v1/status", 0, NULL)) == NULL)
		return;
	phase = json_string_value(json_object_get(json_object_get(st,
	    "current"), "phase"));
	if (phase != NULL) {
		elapsed = strtod(phase, &end);
		phase = end != phase && *end == 's' ? end + 1 : phase;
		phase += strspn(phase, " ");
	}
	text = xasprintf("%s%sjob %.8s %s, run %lld/%lld",
	    phase && *phase ? phase : "", phase && *phase ? " - " : "",
	    json_string_value(json_object_get(job, "job")),
	    json_string_value(json_object_get(job, "state")),
	    (long long)json_array_size(json_object_get(job, "runs")),
	    (long long)json_integer_value(json_object_get(job, "repeat")));
	progress_show(p, text, elapsed);
	free(text);
	json_decref(st);
}

/* Follow a job until it ends, showing its progress. */
static int
wait_job(const char *sock, const char *uuid, int json, struct progress *prog)
{
	json_t *job, *runs, *run, *r;
	const char *state;
	char *rpath, *cause = NULL;
	size_t i;
	int rc = EXIT_OK;

	prog->socket = sock;
	job = client_wait_job(sock, uuid, 300000000, client_patience_ns(),
	    prog->mode != PROGRESS_OFF ? show_progress : NULL, prog, &cause);
	progress_clear(prog);
	if (job == NULL) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	state = json_string_value(json_object_get(job, "state"));
	runs = json_object_get(job, "runs");
	json_array_foreach(runs, i, run) {
		rpath = xasprintf("/v1/runs/%s", json_string_value(
		    json_object_get(run, "run")));
		r = client_get(sock, rpath, client_patience_ns(), NULL);
		free(rpath);
		if (r == NULL) {
			cli_error("lost the daemon while reading run %s",
			    json_string_value(json_object_get(run, "run")));
			rc = EXIT_FAIL;
			continue;
		}
		if (strcmp(json_string_value(json_object_get(r, "state")),
		    "passed") != 0 && strcmp(json_string_value(
		    json_object_get(r, "state")), "skipped") != 0)
			rc = EXIT_FAIL;
		if (json)
			cli_print_json(json_pack("{s:O, s:O, s:O, s:O, s:O}",
			    "run", json_object_get(r, "run"),
			    "workload", json_object_get(r, "workload"),
			    "state", json_object_get(r, "state"),
			    "reason", json_object_get(r, "reason"),
			    "metrics", json_object_get(r, "metrics")));
		else
			print_run(r);
		json_decref(r);
	}
	if (strcmp(state, "cancelled") == 0)
		rc = EXIT_FAIL;
	json_decref(job);
	return rc;
}

/* Submit every job to the daemon in one request (all or nothing). */
static int
submit_jobs(const char *sock, const struct jobfile *jf, const char *label,
    int json, int wait, struct progress *prog)
{
	json_t *body = json_array(), *reply = NULL, *e;
	char *cause = NULL;
	long code;
	size_t i;
	int r = EXIT_OK, rr;

	for (i = 0; i < jf->njobs; i++) {
		json_t *js = job_spec_to_json(&jf->jobs[i]);

		/* --label applies to every job of the file. */
		if (label != NULL)
			json_object_set_new(js, "label", json_string(label));
		json_array_append_new(body, js);
	}
	if (client_request(sock, "POST", "/v1/jobs", body, &code, &reply,
	    &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (code != 201) {
		cli_error("daemon refused the job: %s", json_string_value(
		    json_object_get(reply, "error")) ? json_string_value(
		    json_object_get(reply, "error")) : "unknown error");
		r = code >= 400 && code < 500 ? EXIT_USAGE : EXIT_FAIL;
		goto out;
	}
	json_array_foreach(reply, i, e) {
		if (!wait) {
			if (json)
				cli_print_json(json_incref(e));
			else
				printf("job %s queued: %s, %lld run(s)\n",
				    json_string_value(json_object_get(e, "job")),
				    json_string_value(json_object_get(e,
				    "workload")), (long long)json_integer_value(
				    json_object_get(e, "repeat")));
			continue;
		}
		rr = wait_job(sock, json_string_value(json_object_get(e, "job")),
		    json, prog);
		if (rr != EXIT_OK)
			r = rr;
	}
out:
	free(cause);
	json_decref(body);
	json_decref(reply);
	return r;
}

/* The command line: one workload and its options, or --job FILE. */
struct run_args {
	struct jobfile jf;          /* the workload given, or the file's */
	struct param repeat;
	const char *label, *jobpath;
	int json, wait, local, check, quiet;
	struct progress progress;
};

/* "unknown workload 'hotplg' (did you mean 'hotplug'?)", else the
 * pointer to the list. */
static void
unknown_workload(const char *name)
{
	struct suggest s;
	char *hint;
	size_t i;

	suggest_init(&s, name);
	for (i = 0; workloads[i] != NULL; i++)
		suggest_add(&s, workloads[i]->name);
	hint = suggest_hint(&s, " (see 'mmstorm workloads')");
	cli_error("unknown workload '%s'%s", name, hint);
	free(hint);
}

/* The workload named on the command line, as a one-job file; -1 if
 * there is none of that name (said). */
static int
add_workload(struct run_args *a, const char *name)
{
	const struct workload *wl = workload_find(name);
	struct job_spec *job;

	if (wl == NULL) {
		unknown_workload(name);
		return -1;
	}
	a->jf.jobs = job = xcalloc(1, sizeof *job);
	a->jf.njobs = 1;
	job_spec_init(job, wl);
	job->section = xstrdup(wl->name);
	return 0;
}

/* The entry of run_options argv[*i] names, its value in *value (*i moves
 * past a separate one); NULL when it is none of them. */
static const struct option *
find_run_option(int argc, char **argv, int *i, const char **value)
{
	const struct option *o;
	char *name;

	for (o = run_options; o->name != NULL; o++) {
		if (o->has_arg == no_argument) {
			/* -q is the one short form (as git's --quiet) */
			if ((starts_with(argv[*i], "--") &&
			    strcmp(argv[*i] + 2, o->name) == 0) ||
			    (o->val == 'q' && strcmp(argv[*i], "-q") == 0))
				return o;
			continue;
		}
		name = xasprintf("--%s", o->name);
		if (cli_arg_value(argc, argv, i, name, value)) {
			free(name);
			return o;
		}
		free(name);
	}
	return NULL;
}

/* 1 when argv[*i] is an option of mmstorm run itself (taken), 0 when it
 * is not, -1 when its value is bad (said). */
static int
run_option(int argc, char **argv, int *i, struct run_args *a)
{
	static const struct opt_spec repeat_spec = { "repeat", OPT_INT, 1,
	    100000, "1", NULL, NULL };
	const struct option *o;
	const char *v = NULL;
	char *cause = NULL;

	if ((o = find_run_option(argc, argv, i, &v)) == NULL)
		return 0;
	switch (o->val) {
	case 'j':
		a->json = 1;
		break;
	case 'w':
		a->wait = 1;
		break;
	case 'l':
		a->local = 1;
		break;
	case 'c':
		a->check = 1;
		break;
	case 'q':
		a->quiet = 1;
		break;
	case 'S':
		cli_socket_path = v;
		break;
	case 'L':
		a->label = v;
		break;
	case 'D':
		cli_db_path = v;
		break;
	case 'J':
		a->jobpath = v;
		break;
	case 'r':
		if (opt_parse_value(&repeat_spec, v, &a->repeat, &cause) != 0) {
			cli_error("%s", cause);
			free(cause);
			return -1;
		}
		break;
	}
	return 1;
}

/* -1 to go on, else the exit code (help, usage error). */
static int
parse_run_args(int argc, char **argv, struct run_args *a)
{
	struct job_spec *job;
	char *cause = NULL;
	int i, r;

	for (i = 1; i < argc; i++) {
		job = a->jf.njobs ? &a->jf.jobs[0] : NULL;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			return cli_help(&cmd_run);
		}
		if ((r = run_option(argc, argv, &i, a)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (argv[i][0] != '-' && job == NULL) {
			if (add_workload(a, argv[i]) != 0)
				return EXIT_USAGE;
		} else if (job != NULL && strncmp(argv[i], "--", 2) == 0) {
			if (params_set_arg(job->params, argv[i], &cause) != 0) {
				cli_error("%s", cause);
				free(cause);
				return EXIT_USAGE;
			}
		} else {
			cli_error("unexpected argument '%s'", argv[i]);
			return cli_usage(&cmd_run);
		}
	}
	return -1;
}

/* The jobs to run: the workload given, or the file's; -1 when valid. */
static int
settle_jobs(struct run_args *a)
{
	char *cause = NULL;

	if ((a->jf.njobs == 0) == (a->jobpath == NULL)) {
		if (a->jf.njobs != 0)
			cli_error("give a workload or --job FILE, not both");
		return cli_usage(&cmd_run);
	}
	if (a->jobpath != NULL) {
		if (a->repeat.set) {
			cli_error("--repeat does not apply to --job: use "
			    "repeat= in the file");
			return EXIT_USAGE;
		}
		if (jobfile_load(a->jobpath, workloads, &a->jf, &cause) != 0) {
			cli_error("%s", cause);
			free(cause);
			return EXIT_USAGE;
		}
	} else
		a->jf.jobs[0].repeat = a->repeat.set ? a->repeat.i : 1;
	if (a->label != NULL && (strlen(a->label) == 0 ||
	    strchr(a->label, '\n'))) {
		cli_error("a label must be one non-empty line");
		return EXIT_USAGE;
	}
	return -1;
}

/* --check: what would run, validated; nothing runs. */
static void
print_plan(const struct jobfile *jf)
{
	size_t i;

	for (i = 0; i < jf->njobs; i++) {
		char *p = params_to_json(jf->jobs[i].params);

		printf("[%s] %s x%lld %s\n", jf->jobs[i].section,
		    jf->jobs[i].wl->name, (long long)jf->jobs[i].repeat, p);
		free(p);
	}
}

/* No daemon (or --local): the same code runs the jobs here. */
static int
run_here(struct run_args *a)
{
	struct db *db = NULL;
	char *cause = NULL;
	int r, fixed = 0;

	if (cli_open_db(DB_CREATE, &db) != 0)
		return EXIT_FAIL;
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
	r = run_jobs(db, &a->jf, a->label, a->json, &a->progress);
out:
	free(cause);
	db_close(db);
	return r;
}

static int
cmd_run_exec(int argc, char **argv)
{
	struct run_args a;
	const char *sock;
	int r;

	memset(&a, 0, sizeof a);
	if ((r = parse_run_args(argc, argv, &a)) >= 0 ||
	    (r = settle_jobs(&a)) >= 0)
		goto out;
	if (a.check) {
		print_plan(&a.jf);
		r = EXIT_OK;
		goto out;
	}
	progress_init(&a.progress, a.quiet, a.json);
	/* A listening daemon runs it; otherwise the same code runs here. */
	sock = client_socket_path(cli_socket_path);
	if (!a.local && client_daemon_listening(sock))
		r = submit_jobs(sock, &a.jf, a.label, a.json, a.wait,
		    &a.progress);
	else
		r = run_here(&a);
out:
	free(a.repeat.s);
	jobfile_release(&a.jf);
	return r;
}
