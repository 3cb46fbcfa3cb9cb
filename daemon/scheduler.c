/*
 * scheduler.c - the run in progress: which job runs when, its supervisor
 * process, its time limit, and what its exit means for the job.
 *
 * Jobs live in the store (jobs/queue.c).  One run at a time: the daemon
 * forks a supervisor child that calls runner_run() with its own database
 * connection (the same code as a foreground `mmstorm run`), so nothing
 * about a run ever blocks the event loop; the loop only learns, through
 * SIGCHLD, that the child is done, and through a pipe, what phase the
 * run is in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "jobs/queue.h"
#include "jobs/spec.h"
#include "run/runner.h"
#include "run/workload.h"
#include "store/db.h"
#include "workloads/workloads.h"

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

/*
 * The supervisor keeps of the daemon's descriptors only stdio, the
 * progress pipe and regular files.  A client connection it inherited
 * stayed open as long as the run, whatever the daemon did with it, and
 * the listening sockets, /dev/kmsg and libevent's epoll and signal pipe
 * are none of a run's business.  Regular files stay: the SQLite state
 * copied into this process shares the daemon's -shm descriptor with the
 * connection the child opens (os_unix.c keeps one shm node per inode),
 * and closing it would aim the WAL locks at whatever file takes the
 * number next.  /proc/self/fd, or every number below the limit.
 */
static void
close_unless_kept(int fd, int keep)
{
	struct stat st;

	if (fd > 2 && fd != keep && !(fstat(fd, &st) == 0 &&
	    S_ISREG(st.st_mode)))
		close(fd);
}

static void
close_inherited(int keep)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	long fd, max;

	if (dir == NULL) {
		for (fd = 3, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
			close_unless_kept((int)fd, keep);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		fd = strtol(e->d_name, NULL, 10);
		if (e->d_name[0] != '.' && fd != dirfd(dir))
			close_unless_kept((int)fd, keep);
	}
	closedir(dir);
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
	/* After the signals: libevent's handlers write to its pipe. */
	close_inherited(progress_fd);
	if (db_open(d->db_path, 0, &db, &cause) != 0 ||
	    queue_load_spec(db, job_id, workloads, &js, &cause) != 0) {
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
		d->time_limit_hit = 1;
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

/* The supervisor's progress pipe and the run's time limit. */
static void
watch_run(struct daemon *d, int progress_fd, int64_t timeout_ms)
{
	d->progress_fd = progress_fd;
	evutil_make_socket_nonblocking(progress_fd);
	d->progress_ev = event_new(d->base, progress_fd, EV_READ | EV_PERSIST,
	    progress_read, d);
	event_add(d->progress_ev, NULL);
	if (timeout_ms > 0) {
		struct timeval tv = { (time_t)(timeout_ms / 1000),
			(suseconds_t)(timeout_ms % 1000) * 1000 };

		d->timeout_ev = evtimer_new(d->base, on_timeout, d);
		evtimer_add(d->timeout_ev, &tv);
	}
}

/* Fork the supervisor of the claimed job's next run. */
static int
start_run(struct daemon *d, int64_t job_id, int64_t timeout_ms)
{
	char *status;
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_err("cannot start job %" PRId64 ": %s", job_id,
		    strerror(errno));
		return -1;
	}
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
	d->time_limit_hit = 0;
	d->phase[0] = '\0';
	watch_run(d, pfd[0], timeout_ms);
	log_info("job %" PRId64 ": run started (supervisor pid %d)", job_id,
	    (int)pid);
	status = xasprintf("STATUS=running job %" PRId64, job_id);
	notify(status);
	free(status);
	return 0;
}

void
scheduler_start_next(struct daemon *d)
{
	int64_t job, timeout_ms;
	char *cause = NULL;

	if (d->sup_pid > 0 || d->stopping || !fleet_claim_ready(d))
		return;
	if (queue_claim_next(d->db, &job, &timeout_ms, &cause) != 0) {
		log_err("%s", cause);
		free(cause);
		return;
	}
	if (job != 0 && start_run(d, job, timeout_ms) != 0 &&
	    queue_start_failed(d->db, job, "could not start a run",
	    &cause) != 0) {
		log_err("job %" PRId64 ": %s", job, cause);
		free(cause);
	}
}

/* What the supervisor's exit means for its job; *why for a failure. */
static enum queue_run_end
run_end(const struct daemon *d, int status, char **why)
{
	*why = NULL;
	if (d->cancel_requested)
		return QUEUE_RUN_CANCELLED;
	if (d->stopping)
		return QUEUE_RUN_STOPPING;
	if (WIFSIGNALED(status)) {
		*why = xasprintf("supervisor killed by signal %d (%s)",
		    WTERMSIG(status), sigabbrev_np(WTERMSIG(status)));
		return QUEUE_RUN_KILLED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		*why = xasprintf("supervisor exited with status %d (its "
		    "error is in the daemon's log)", WEXITSTATUS(status));
		return QUEUE_RUN_FAILED;
	}
	return d->time_limit_hit ? QUEUE_RUN_TIME_LIMIT : QUEUE_RUN_ENDED;
}

void
scheduler_child_exited(struct daemon *d, pid_t pid, int status)
{
	int64_t job = d->job_id;
	enum queue_run_end how;
	char *cause = NULL, *why;
	int fixed = 0, requeued = 0;

	if (pid != d->sup_pid)
		return;
	how = run_end(d, status, &why);
	d->sup_pid = 0;
	d->job_id = 0;
	close_progress(d);
	notify("STATUS=idle");
	if (why != NULL)
		log_warn("job %" PRId64 ": %s", job, why);
	/* A supervisor that died before settling its run leaves it
	 * 'running'; settle it now as a restart would. */
	if (runner_recover(d->db, &fixed, &cause) != 0) {
		log_err("cannot settle runs: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (queue_run_ended(d->db, job, how, why, &requeued, &cause) != 0) {
		log_err("job %" PRId64 ": %s", job, cause);
		free(cause);
	} else if (requeued)
		log_info("job %" PRId64 ": re-queued after a lost run", job);
	free(why);
	fleet_kick(d);
	fleet_claim_kick(d);
	scheduler_start_next(d);
}

int
scheduler_cancel(struct daemon *d, int64_t job_id, char **cause)
{
	/* The run in progress stops first; its exit cancels the job. */
	if (d->sup_pid > 0 && d->job_id == job_id) {
		d->cancel_requested = 1;
		kill(d->sup_pid, SIGTERM);
		return 0;
	}
	return queue_cancel(d->db, job_id, cause);
}

void
scheduler_stop_current(struct daemon *d, int sig)
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
scheduler_recover(struct daemon *d, char **cause)
{
	struct queue_lost *lost = NULL;
	size_t n = 0, i;
	int fixed = 0, r;

	if ((r = runner_recover(d->db, &fixed, cause)) != 0)
		return r;
	if (fixed > 0)
		log_warn("settled %d run(s)/knob(s) left by an earlier "
		    "supervisor", fixed);
	if ((r = queue_settle_lost(d->db, &lost, &n, cause)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (lost[i].requeued)
			log_info("job %" PRId64 ": re-queued after a %s run "
			    "(retry %" PRId64 " of %" PRId64 ")", lost[i].id,
			    lost[i].last_state, lost[i].retries_used,
			    lost[i].retry);
	}
	free(lost);
	return 0;
}
