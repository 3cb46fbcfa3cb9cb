/*
 * supervisor.c - runner_run() (run/runner.h): record the run durably as
 * 'running', fork the worker, watch it until it is reaped (its messages,
 * stop requests, the sampling tick, the kill timers), then decide how the
 * run ended and put back every knob it changed.  What is stored on the
 * way is ingest.c's; the knobs are knobs.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "common/util.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "run/knobs.h"
#include "run/options.h"
#include "run/reached.h"
#include "run/runner.h"
#include "run/supervisor.h"
#include "run/worker.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/recovery.h"

#define STOP_GRACE_NS (INT64_C(10) * 1000000000)
#define PERCPU_GAP_NS (INT64_C(1000) * 1000000)
/* After the worker's verdict: time to exit by itself, then after SIGKILL
 * time to be reaped.  A task stuck in the kernel (a hung hotplug write)
 * may never be; the run is recorded anyway. */
#define VERDICT_GRACE_NS (INT64_C(10) * 1000000000)
#define REAP_GRACE_NS    (INT64_C(5) * 1000000000)
/* Disk kept aside for the run's last writes (its end state, the knobs
 * put back): 64 WAL frames of 16 KiB pages. */
#define RESERVE_BYTES    (INT64_C(1) << 20)

/* The worker process as the loop watches it. */
struct worker_proc {
	pid_t pid;
	int sock;                /* our end of the socketpair */
	int sfd;                 /* signalfd: SIGCHLD and stop requests */
	int masked;              /* old_mask is to be put back */
	sigset_t old_mask;
	int status, exited;
	int64_t stop_at;         /* SIGKILL then (a stop request's grace) */
	int64_t killed_at;       /* when SIGKILL went to the group */
	char *status_text;       /* "exit 0", "signal 9", "not reaped..." */
	char *msg;               /* one packet: MSG_MAX + 1 bytes */
	int reserve_fd;          /* unnamed file of RESERVE_BYTES, or -1 */
	int storage_stop;        /* stopped because a write failed */
};

/* When the periodic sample is due. */
struct sampling_tick {
	int64_t period, next;
};

static char *
host_state_json(const struct host_identity *h)
{
	json_t *o = json_object();
	char *s, *out;

	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "cpus_online", json_integer(h->cpus_online));
	json_object_set_new(o, "thp_enabled",
	    h->thp_enabled ? json_string(h->thp_enabled) : json_null());
	json_object_set_new(o, "thp_defrag",
	    h->thp_defrag ? json_string(h->thp_defrag) : json_null());
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xstrdup(s);
	free(s);
	return out;
}

/* Insert the run row and everything it refers to, in one transaction. */
static int
record_run(struct supervisor *s, const char *state, const char *reason,
    struct run_outcome *out, char **cause)
{
	struct kernel_identity k;
	struct host_identity h;
	struct run_new rn;
	char *params = NULL, *hs = NULL;
	int r;

	memset(&k, 0, sizeof k);
	memset(&h, 0, sizeof h);
	if ((r = kernel_identity_read(&k, NULL, cause)) != 0 ||
	    (r = host_identity_read(&h, NULL, cause)) != 0)
		goto out;
	if ((r = db_begin(s->db, cause)) != 0)
		goto out;
	if ((r = db_kernel_id(s->db, &k, &s->kernel_id, cause)) != 0 ||
	    (r = db_host_id(s->db, &h, &s->host_id, cause)) != 0)
		goto fail;
	params = params_to_json(s->req->params);
	hs = host_state_json(&h);
	uuid_v4(out->uuid);
	memset(&rn, 0, sizeof rn);
	rn.uuid = out->uuid;
	rn.workload = s->req->wl->name;
	rn.params_json = params;
	rn.state = state;
	rn.reason = reason;
	rn.kernel_id = s->kernel_id;
	rn.host_id = s->host_id;
	rn.label = s->req->label;
	rn.boot_id = boot_id();
	rn.host_state_json = hs;
	rn.created_ns = now_real_ns();
	rn.started_ns = strcmp(state, "running") == 0 ? rn.created_ns : 0;
	if ((r = db_run_insert(s->db, &rn, &s->run_id, cause)) != 0)
		goto fail;
	if ((r = db_run_set_owner(s->db, s->run_id, getpid(),
	    s->req->job_id, cause)) != 0)
		goto fail;
	else if (strcmp(state, "running") != 0 &&
	    (r = db_run_finish(s->db, s->run_id, state, reason, NULL,
	    rn.created_ns, cause)) != 0)
		goto fail;
	if ((r = db_commit(s->db, cause)) != 0)
		goto fail;
	out->run_id = s->run_id;
	snprintf(out->state, sizeof out->state, "%s", state);
	goto out;
fail:
	db_rollback(s->db);
out:
	free(params);
	free(hs);
	kernel_identity_release(&k);
	host_identity_release(&h);
	return r;
}

static int
setup_sampler(struct supervisor *s, char **cause)
{
	const struct counter_desc **descs;
	const char *const *un;
	size_t n, i;
	int r;

	if (sampler_init(&s->sampler, NULL, cause) != 0) {
		/* Without counters the run still means something; the
		 * reason is kept with the run. */
		r = db_unavailable_add(s->db, s->run_id,
		    *cause ? *cause : "sampler", NULL);
		free(*cause);
		*cause = NULL;
		s->sampler = NULL;
		return r;
	}
	sampler_throttle(s->sampler, SAMPLE_PERCPU, PERCPU_GAP_NS);
	n = sampler_count(s->sampler);
	descs = xcalloc(n, sizeof *descs);
	for (i = 0; i < n; i++)
		descs[i] = sampler_counter(s->sampler, i);
	r = db_run_counters(s->db, s->run_id, descs, n, cause);
	free(descs);
	for (i = 0, n = sampler_unavailable(s->sampler, &un);
	    r == 0 && i < n; i++)
		r = db_unavailable_add(s->db, s->run_id, un[i], cause);
	return r;
}

/* The run's counters, what is unavailable, and the "start" sample, all
 * stored before the worker exists. */
static int
start_sampling(struct supervisor *s, char **cause)
{
	int r;

	sup_tx(s);
	r = setup_sampler(s, cause);
	if (r == 0)
		sup_sample(s, "start");
	sup_flush(s);
	sup_commit(s);
	if (r == 0 && s->error != NULL)
		r = -EIO;
	return r;
}

/*
 * A full disk must not leave the run 'running' (issue 15): an unnamed
 * file (O_TMPFILE: nothing to plant a symlink on, gone when we are)
 * next to the database holds up to RESERVE_BYTES, given back the moment a
 * write fails, so the end state still fits.  Best effort: -1 if the
 * filesystem cannot.
 */
static int
reserve_space(const char *db_path)
{
	char *dir = xstrdup(db_path), *slash = strrchr(dir, '/');
	int64_t size;
	int fd;

	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	fd = open(slash != NULL ? dir : ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
	    0600);
	free(dir);
	/* On a disk already short, less is better than none. */
	for (size = RESERVE_BYTES; fd != -1 && size >= 65536; size /= 4)
		if (posix_fallocate(fd, 0, (off_t)size) == 0)
			return fd;
	if (fd != -1)
		close(fd);
	return -1;
}

static void
release_reserve(struct worker_proc *w)
{
	if (w->reserve_fd != -1)
		close(w->reserve_fd);
	w->reserve_fd = -1;
}

/* A write failed: nothing more of the run can be kept, so it ends now
 * as failed, with the storage error as its reason. */
static void
stop_on_storage_error(struct supervisor *s, struct worker_proc *w)
{
	if (s->error == NULL || w->storage_stop)
		return;
	w->storage_stop = 1;
	release_reserve(w);
	if (s->result == NULL) {
		free(s->reason);
		s->reason = xasprintf("storage: %s", s->error);
		s->result = xstrdup("failed");
	}
	kill(-w->pid, SIGTERM);
	if (w->stop_at == 0)
		w->stop_at = now_mono_ns() + STOP_GRACE_NS;
}

/* Fork the worker in its own process group, with signals turned into
 * events on a descriptor so the loop sees them. */
static int
start_worker(struct supervisor *s, struct worker_proc *w, char **cause)
{
	sigset_t mask;
	int sv[2] = { -1, -1 };

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &w->old_mask);
	w->masked = 1;
	if ((w->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return set_cause(cause, errno, "cannot set up the worker: %s",
		    strerror(errno));
	w->sock = sv[0];
	fflush(NULL);
	if ((w->pid = fork()) == -1) {
		int e = errno;

		close(sv[1]);
		return set_cause(cause, e, "cannot fork the worker: %s",
		    strerror(e));
	}
	if (w->pid == 0) {
		close(sv[0]);
		close(w->sfd);
		worker_main(s->req->wl, s->req->params, sv[1]);
	}
	close(sv[1]);
	setpgid(w->pid, w->pid); /* both sides, so there is no race */
	w->msg = xmalloc(MSG_MAX + 1);
	return 0;
}

/* SIGKILL to the worker's group once a stop request's grace or the
 * verdict's grace is over; 1 once a killed worker was not reaped in
 * time (stuck in the kernel): the loop gives up on it. */
static int
kill_timers(struct supervisor *s, struct worker_proc *w, int64_t now)
{
	if (w->stop_at != 0 && now >= w->stop_at) {
		kill(-w->pid, SIGKILL);
		w->stop_at = 0;
		w->killed_at = now;
	}
	if (s->verdict_mono != 0 && w->killed_at == 0 &&
	    now - s->verdict_mono >= VERDICT_GRACE_NS) {
		kill(-w->pid, SIGKILL);
		w->killed_at = now;
	}
	if (w->killed_at != 0 && now - w->killed_at >= REAP_GRACE_NS) {
		w->status_text = xstrdup("not reaped: stuck in the kernel");
		return 1;
	}
	return 0;
}

/* The periodic sample, if due; 1 when taken (the loop then looks at the
 * clock again before it waits).  A late tick does not catch up. */
static int
sampling_tick(struct supervisor *s, struct sampling_tick *t, int64_t now)
{
	if (t->next - now > 0)
		return 0;
	sup_sample(s, NULL);
	t->next += t->period;
	if (t->next < now)
		t->next = now + t->period;
	return 1;
}

/* How long poll() may sleep: until the next sample or the flush that is
 * due, whichever comes first, rounded up to ms, at most a second. */
static int
poll_timeout(const struct supervisor *s, const struct sampling_tick *t,
    int64_t now)
{
	int64_t wait = t->next - now;
	int timeout;

	if (s->npend != 0 && s->pend_since + COMMIT_NS - now < wait)
		wait = s->pend_since + COMMIT_NS - now;
	if (wait < 0)
		wait = 0;
	timeout = (int)((wait + 999999) / 1000000);
	if (timeout > 1000)
		timeout = 1000;
	return timeout;
}

/* A stop request (SIGINT/SIGTERM/SIGHUP, or SIGUSR1 for the daemon's
 * time limit): SIGTERM to the worker's group, SIGKILL after the grace. */
static void
stop_request(struct supervisor *s, struct worker_proc *w, int signo)
{
	if (s->result == NULL && s->reason == NULL)
		s->reason = signo == SIGUSR1 ?
		    xstrdup("time limit reached") :
		    xasprintf("stopped by signal %d (%s)", signo,
		    sigabbrev_np(signo));
	free(s->result);
	s->result = xstrdup("interrupted");
	kill(-w->pid, SIGTERM);
	if (w->stop_at == 0)
		w->stop_at = now_mono_ns() + STOP_GRACE_NS;
}

static void
read_signals(struct supervisor *s, struct worker_proc *w)
{
	struct signalfd_siginfo si;

	while (read(w->sfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			if (waitpid(w->pid, &w->status, WNOHANG) == w->pid)
				w->exited = 1;
			continue;
		}
		stop_request(s, w, (int)si.ssi_signo);
	}
}

/* Watch the worker until it is reaped, or given up on. */
static void
watch_worker(struct supervisor *s, struct worker_proc *w)
{
	struct sampling_tick tick;
	struct pollfd pfd[2];
	ssize_t n;

	tick.period = params_int(s->req->params, "sample_ms") * 1000000;
	tick.next = now_mono_ns() + tick.period;
	while (!w->exited) {
		int64_t now = now_mono_ns();

		if (kill_timers(s, w, now))
			break;
		if (s->npend != 0 && now - s->pend_since >= COMMIT_NS)
			sup_flush(s);
		stop_on_storage_error(s, w);
		if (sampling_tick(s, &tick, now))
			continue;
		pfd[0].fd = w->sock;
		pfd[0].events = POLLIN;
		pfd[1].fd = w->sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, poll_timeout(s, &tick, now)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			n = recv(w->sock, w->msg, MSG_MAX, MSG_DONTWAIT);
			if (n > 0) {
				w->msg[n] = '\0';
				sup_message(s, w->sock, w->msg);
			}
		}
		if (pfd[1].revents & POLLIN)
			read_signals(s, w);
	}
}

static char *
describe_status(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exit %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("signal %d", WTERMSIG(status));
	return xstrdup("unknown");
}

/*
 * The state the run ends in, with s->reason to match: the worker's
 * verdict (or "interrupted" from a stop request); "interrupted" when the
 * worker died without one (kill -9, a crash); "failed" when a knob could
 * not be put back (restore_error) or a passing run lost a write.
 */
static const char *
end_state(struct supervisor *s, const char *status_text, int restored,
    const char *restore_error)
{
	const char *state;
	char *why;

	if (s->result != NULL)
		state = s->result;
	else {
		state = "interrupted";
		free(s->reason);
		s->reason = xasprintf("worker ended without a result (%s)",
		    status_text);
	}
	if (!restored) {
		why = xasprintf("%s%scannot restore: %s",
		    s->reason ? s->reason : "", s->reason ? "; " : "",
		    restore_error);
		free(s->reason);
		s->reason = why;
		state = "failed";
	}
	if (s->error != NULL && strcmp(state, "passed") == 0) {
		free(s->reason);
		s->reason = xasprintf("storage: %s", s->error);
		state = "failed";
	}
	return state;
}

/*
 * Did the run reach its workload's path?  Kept with the run whatever its
 * end; a run about to pass that did not ends 'skipped' with the proofs
 * that failed as its reason, so verdict and compare do not count it as
 * a sample (docs/design-notes.md, "Reached gates").
 */
static void
check_path(struct supervisor *s)
{
	struct reached rc;
	char *json, *cause = NULL;

	if (s->req->wl->path == NULL || reached_check_run(s->db, s->run_id,
	    s->req->wl, s->req->params, &rc, &cause) != 0) {
		free(cause);
		return;
	}
	json = reached_json(&rc);
	if (db_artifact_set(s->db, s->run_id, "reached.json", json,
	    &cause) != 0)
		sup_error(s, cause);
	free(json);
	if (!rc.ok && s->result != NULL && strcmp(s->result, "passed") == 0 &&
	    (!params_isset(s->req->params, "require_path") ||
	    params_int(s->req->params, "require_path"))) {
		free(s->result);
		s->result = xstrdup("skipped");
		free(s->reason);
		s->reason = reached_reason(&rc);
	}
	reached_release(&rc);
}

/* The end state could not be stored: say what that leaves behind. */
static void
left_running(const char *uuid, char **cause)
{
	char *why;

	if (cause == NULL || *cause == NULL)
		return;
	why = xasprintf("%s; run %.8s stays 'running' until the next "
	    "`mmstorm run` or mmstormd start settles it", *cause, uuid);
	free(*cause);
	*cause = why;
}

/* The worker is gone: store what it left, put the knobs back, record
 * how the run ended. */
static int
finish_run(struct supervisor *s, struct worker_proc *w,
    struct run_outcome *out, char **cause)
{
	const char *state;
	char *err = NULL;
	int restored, r;

	sup_drain(s, w->sock, w->msg);
	/* Kill whatever the worker left behind in its group. */
	kill(-w->pid, SIGKILL);
	sup_sample(s, "end");
	if (w->status_text == NULL)
		w->status_text = describe_status(w->status);
	sup_flush(s);
	if (s->error == NULL)
		check_path(s);
	if (s->error != NULL)
		release_reserve(w);
	restored = knobs_restore_run(s->db, s->run_id, &err) == 0;
	state = end_state(s, w->status_text, restored, err);
	r = db_run_finish(s->db, s->run_id, state, s->reason, w->status_text,
	    now_real_ns(), cause);
	if (r != 0 && w->reserve_fd != -1) {
		release_reserve(w);
		free(*cause);
		*cause = NULL;
		r = db_run_finish(s->db, s->run_id, state, s->reason,
		    w->status_text, now_real_ns(), cause);
	}
	if (r != 0)
		left_running(out->uuid, cause);
	snprintf(out->state, sizeof out->state, "%s", state);
	free(err);
	return r;
}

/* The run could not start: it is recorded as failed with the reason. */
static int
fail_early(struct supervisor *s, int r, struct run_outcome *out,
    char **cause)
{
	char *why;

	sup_flush(s);
	sup_commit(s);
	why = xstrdup(*cause ? *cause : s->error ? s->error : "setup failed");
	db_run_finish(s->db, s->run_id, "failed", why, NULL, now_real_ns(),
	    NULL);
	snprintf(out->state, sizeof out->state, "failed");
	free(why);
	return r != 0 ? r : -EIO;
}

static void
worker_proc_release(struct worker_proc *w)
{
	if (w->masked)
		sigprocmask(SIG_SETMASK, &w->old_mask, NULL);
	if (w->sock != -1)
		close(w->sock);
	if (w->sfd != -1)
		close(w->sfd);
	release_reserve(w);
	free(w->status_text);
	free(w->msg);
}

static void
supervisor_release(struct supervisor *s)
{
	sampler_free(s->sampler);
	sup_ingest_release(s);
	free(s->result);
	free(s->reason);
	free(s->error);
}

/* runner_run() once the request's options are settled. */
static int
run_with(struct db *db, const struct run_request *req,
    struct run_outcome *out, char **cause)
{
	struct supervisor s;
	struct worker_proc w;
	char *reason = NULL;
	int r;

	memset(&s, 0, sizeof s);
	memset(out, 0, sizeof *out);
	s.db = db;
	s.req = req;
	if (req->wl->supported != NULL &&
	    req->wl->supported(req->params, &reason) != 0) {
		r = record_run(&s, "skipped", reason ? reason :
		    "not supported here", out, cause);
		free(reason);
		return r;
	}
	if ((r = record_run(&s, "running", NULL, out, cause)) != 0)
		return r;
	s.start_mono = now_mono_ns();
	memset(&w, 0, sizeof w);
	w.pid = -1;
	w.sock = w.sfd = -1;
	w.reserve_fd = reserve_space(db->path);
	if ((r = start_sampling(&s, cause)) != 0 ||
	    (r = start_worker(&s, &w, cause)) != 0) {
		release_reserve(&w);
		r = fail_early(&s, r, out, cause);
	}
	else {
		watch_worker(&s, &w);
		r = finish_run(&s, &w, out, cause);
	}
	worker_proc_release(&w);
	supervisor_release(&s);
	return r;
}

int
runner_run(struct db *db, const struct run_request *req,
    struct run_outcome *out, char **cause)
{
	struct run_request seeded = *req;
	struct params *own = params_dup(req->params);
	int r;

	/* Each run draws its own seed (repeats differ) and stores it with
	 * its options before the worker uses it: the run can be repeated. */
	params_pick_seeds(own);
	seeded.params = own;
	r = run_with(db, &seeded, out, cause);
	params_free(own);
	return r;
}
