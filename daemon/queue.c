/*
 * queue.c - the durable job queue and the run in progress.
 *
 * Jobs live in SQLite.  One run at a time: the daemon forks a supervisor
 * child that calls runner_run() with its own database connection (the
 * same code as a foreground `mmstorm run`), so nothing about a run ever
 * blocks the event loop; the loop only learns, through SIGCHLD, that the
 * child is done, and through a pipe, what phase the run is in.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "store/db.h"
#include "jobs/spec.h"
#include "run/runner.h"
#include "run/workload.h"

static int64_t
one_int(struct daemon *d, const char *sql, int64_t arg, int64_t dflt)
{
	struct stmt *st = db_prepare(d->db, sql, NULL);
	int64_t v = dflt;

	if (st == NULL)
		return dflt;
	if (stmt_param_count(st) > 0)
		stmt_bind_int64(st, 1, arg);
	if (stmt_step(st) == STORE_ROW &&
	    stmt_type(st, 0) != STORE_NULL)
		v = stmt_int64(st, 0);
	stmt_finalize(st);
	return v;
}

static void
exec_job_sql(struct daemon *d, const char *sql, int64_t id, const char *text)
{
	struct stmt *st = db_prepare(d->db, sql, NULL);

	if (st == NULL)
		return;
	stmt_bind_int64(st, 1, id);
	stmt_bind_int64(st, 2, now_real_ns());
	if (text != NULL)
		stmt_bind_text(st, 3, text);
	if (stmt_step(st) != STORE_DONE)
		log_err("job %" PRId64 ": %s", id, db_errmsg(d->db));
	stmt_finalize(st);
}

int64_t
queue_length(struct daemon *d)
{
	return one_int(d, "SELECT count(*) FROM jobs WHERE state = 'queued'",
	    0, 0);
}

int64_t
current_run_id(struct daemon *d)
{
	/* Also a foreground `mmstorm run` on this machine: events that
	 * happen during it belong to it. */
	return one_int(d, "SELECT id FROM runs WHERE state = 'running' ORDER "
	    "BY id DESC LIMIT 1", 0, 0);
}

static void
on_progress(void *arg, const char *text, double elapsed)
{
	int fd = *(int *)arg;
	char line[512];
	int n;

	n = snprintf(line, sizeof line, "%.1fs %s\n", elapsed, text);
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof line ? (size_t)n :
		    sizeof line - 1);
}

/* The supervisor child: one run of the job, then exit. */
static void __attribute__((noreturn))
supervisor_main(struct daemon *d, int64_t job_id, int progress_fd)
{
	struct run_request req;
	struct run_outcome out;
	struct job_spec js;
	struct db *db = NULL;
	char *cause = NULL;
	sigset_t none;
	int rc = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpriority(PRIO_PROCESS, 0, 0);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (d->socket_fd != -1)
		close(d->socket_fd);
	if (db_open(d->db_path, 0, &db, &cause) != 0 ||
	    jobs_load_spec(db, job_id, &js, &cause) != 0) {
		log_err("job %" PRId64 ": %s", job_id, cause);
		_exit(1);
	}
	memset(&req, 0, sizeof req);
	req.wl = js.wl;
	req.params = js.params;
	req.label = js.label;
	req.job_id = job_id;
	req.progress = on_progress;
	req.progress_arg = &progress_fd;
	if (runner_run(db, &req, &out, &cause) != 0)
		log_err("job %" PRId64 ": %s", job_id, cause);
	else {
		log_info("run %s (%s) %s", out.uuid, js.wl->name, out.state);
		rc = 0;
	}
	_exit(rc);
}

static void
progress_read(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char buf[4096], *nl, *last;
	ssize_t n;

	(void)what;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0) {
		event_del(d->progress_ev);
		return;
	}
	buf[n] = '\0';
	/* Keep the last complete line: "elapsed phase". */
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	last = (nl = strrchr(buf, '\n')) ? nl + 1 : buf;
	snprintf(d->phase, sizeof d->phase, "%.*s", (int)sizeof d->phase - 1,
	    last);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->sup_pid > 0) {
		log_warn("job %" PRId64 ": time limit reached, stopping the run",
		    d->job_id);
		kill(d->sup_pid, SIGUSR1);
	}
}

static void
close_progress(struct daemon *d)
{
	if (d->progress_ev != NULL) {
		event_free(d->progress_ev);
		d->progress_ev = NULL;
	}
	if (d->timeout_ev != NULL) {
		event_free(d->timeout_ev);
		d->timeout_ev = NULL;
	}
	if (d->progress_fd != -1) {
		close(d->progress_fd);
		d->progress_fd = -1;
	}
}

static int
start_run(struct daemon *d, int64_t job_id)
{
	int64_t timeout_ms = one_int(d, "SELECT timeout_ms FROM jobs WHERE "
	    "id = $1", job_id, 0);
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_err("cannot start job %" PRId64 ": %s", job_id,
		    strerror(errno));
		return -1;
	}
	exec_job_sql(d, "UPDATE jobs SET state = 'running', started_ns = "
	    "coalesce(started_ns, $2) WHERE id = $1", job_id, NULL);
	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_err("cannot fork for job %" PRId64 ": %s", job_id,
		    strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		supervisor_main(d, job_id, pfd[1]);
	}
	close(pfd[1]);
	d->sup_pid = pid;
	d->job_id = job_id;
	d->sup_started_mono = now_mono_ns();
	d->cancel_requested = 0;
	d->phase[0] = '\0';
	d->progress_fd = pfd[0];
	evutil_make_socket_nonblocking(pfd[0]);
	d->progress_ev = event_new(d->base, pfd[0], EV_READ | EV_PERSIST,
	    progress_read, d);
	event_add(d->progress_ev, NULL);
	if (timeout_ms > 0) {
		struct timeval tv = { (time_t)(timeout_ms / 1000),
			(suseconds_t)(timeout_ms % 1000) * 1000 };

		d->timeout_ev = evtimer_new(d->base, on_timeout, d);
		evtimer_add(d->timeout_ev, &tv);
	}
	log_info("job %" PRId64 ": run started (supervisor pid %d)", job_id,
	    (int)pid);
	{
		char *status = xasprintf("STATUS=running job %" PRId64, job_id);

		notify(status);
		free(status);
	}
	return 0;
}

void
queue_schedule(struct daemon *d)
{
	int64_t job;

	if (d->sup_pid > 0 || d->stopping)
		return;
	/* A job already running continues with its next repeat first. */
	job = one_int(d, "SELECT id FROM jobs WHERE state IN ('running', "
	    "'queued') ORDER BY state = 'running' DESC, id LIMIT 1", 0, 0);
	if (job != 0 && start_run(d, job) != 0)
		exec_job_sql(d, "UPDATE jobs SET state = 'done', ended_ns = $2, "
		    "error = $3 WHERE id = $1", job, "could not start a run");
}

void
queue_child_exited(struct daemon *d, pid_t pid, int status)
{
	int64_t job = d->job_id, done, repeat, last_state_crashed;

	if (pid != d->sup_pid)
		return;
	d->sup_pid = 0;
	d->job_id = 0;
	close_progress(d);
	notify("STATUS=idle");
	if (WIFSIGNALED(status))
		log_warn("job %" PRId64 ": supervisor killed by signal %d", job,
		    WTERMSIG(status));
	/* A supervisor that died before settling its run leaves it
	 * 'running'; settle it now as a restart would. */
	{
		int fixed = 0;
		char *cause = NULL;

		if (runner_recover(d->db, &fixed, &cause) != 0) {
			log_err("cannot settle runs: %s", cause);
			free(cause);
		}
	}
	/* A run that crashed or was cut short does not count as done. */
	exec_job_sql(d, "UPDATE jobs SET runs_done = (SELECT count(*) FROM runs "
	    "WHERE job_id = $1 AND state NOT IN ('running', 'crashed', "
	    "'interrupted')) WHERE id = $1", job, NULL);
	done = one_int(d, "SELECT runs_done FROM jobs WHERE id = $1", job, 0);
	repeat = one_int(d, "SELECT repeat FROM jobs WHERE id = $1", job, 1);
	last_state_crashed = one_int(d, "SELECT count(*) FROM runs WHERE "
	    "job_id = $1 AND state = 'interrupted' AND id = (SELECT max(id) "
	    "FROM runs WHERE job_id = $1)", job, 0);
	if (d->cancel_requested || d->stopping) {
		if (d->stopping && !d->cancel_requested)
			exec_job_sql(d, "UPDATE jobs SET state = 'queued' WHERE "
			    "id = $1 AND state = 'running'", job, NULL);
		else
			exec_job_sql(d, "UPDATE jobs SET state = 'cancelled', "
			    "ended_ns = $2 WHERE id = $1", job, NULL);
	} else if (done >= repeat || WIFSIGNALED(status) ||
	    (WIFEXITED(status) && WEXITSTATUS(status) != 0) ||
	    last_state_crashed)
		exec_job_sql(d, "UPDATE jobs SET state = 'done', ended_ns = $2 "
		    "WHERE id = $1", job, NULL);
	queue_schedule(d);
}

int
queue_cancel(struct daemon *d, int64_t job_id, char **cause)
{
	const char *state;
	json_t *j = jobs_json(d->db, job_id);
	int r = 0;

	if (j == NULL)
		return set_cause(cause, ENOENT, "no such job");
	state = json_string_value(json_object_get(j, "state"));
	if (strcmp(state, "queued") == 0)
		exec_job_sql(d, "UPDATE jobs SET state = 'cancelled', ended_ns "
		    "= $2 WHERE id = $1", job_id, NULL);
	else if (strcmp(state, "running") == 0 && d->job_id == job_id) {
		d->cancel_requested = 1;
		kill(d->sup_pid, SIGTERM);
	} else if (strcmp(state, "running") == 0)
		exec_job_sql(d, "UPDATE jobs SET state = 'cancelled', ended_ns "
		    "= $2 WHERE id = $1", job_id, NULL);
	else
		r = set_cause(cause, EALREADY, "job is already %s", state);
	json_decref(j);
	return r;
}

void
queue_stop_current(struct daemon *d, int sig)
{
	if (d->sup_pid > 0)
		kill(d->sup_pid, sig);
}

/*
 * At start: runs left 'running' are settled (crashed if the machine
 * rebooted, interrupted if only their supervisor died), knobs restored;
 * jobs that were running are re-queued while their retry= allows.
 */
int
queue_recover(struct daemon *d, char **cause)
{
	struct stmt *st;
	int fixed = 0, r;

	if ((r = runner_recover(d->db, &fixed, cause)) != 0)
		return r;
	if (fixed > 0)
		log_warn("settled %d run(s)/knob(s) left by an earlier "
		    "supervisor", fixed);
	st = db_prepare(d->db, "SELECT j.id, j.retry, j.retries_used, "
	    "(SELECT state FROM runs WHERE job_id = j.id ORDER BY id DESC "
	    "LIMIT 1) FROM jobs j WHERE j.state = 'running'", cause);
	if (st == NULL)
		return -EIO;
	while (stmt_step(st) == STORE_ROW) {
		int64_t id = stmt_int64(st, 0);
		int64_t retry = stmt_int64(st, 1);
		int64_t used = stmt_int64(st, 2);
		const char *last = (const char *)stmt_text(st, 3);
		int lost = last != NULL && (strcmp(last, "crashed") == 0 ||
		    strcmp(last, "interrupted") == 0);

		if (!lost)
			continue; /* it goes on with its next repeat */
		if (used < retry) {
			log_info("job %" PRId64 ": re-queued after a %s run "
			    "(retry %" PRId64 " of %" PRId64 ")", id, last,
			    used + 1, retry);
			exec_job_sql(d, "UPDATE jobs SET state = 'queued', "
			    "retries_used = retries_used + 1 WHERE id = $1", id,
			    NULL);
		} else
			exec_job_sql(d, "UPDATE jobs SET state = 'done', "
			    "ended_ns = $2, error = $3 WHERE id = $1", id,
			    "its run did not finish and retry= is used up");
	}
	stmt_finalize(st);
	return 0;
}
