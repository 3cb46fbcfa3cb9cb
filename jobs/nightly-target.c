/*
 * nightly-target.c - one round on the target (nightly.h): the git
 * recipe if any, then the target's command, whose standard output is an
 * export (docs/export-format.md) that is imported whole or not at all.
 *
 * The command learns what to do from its environment:
 *   MMSTORM_NIGHTLY_BUILD  the build, as the config lists it
 *   MMSTORM_NIGHTLY_ROUND  1 for the build's first round, 2 ...
 *   MMSTORM_NIGHTLY_RUNS   runs per job section
 *   MMSTORM_NIGHTLY_JOB    the job file
 *   MMSTORM_NIGHTLY_PID    the driver (tests kill it mid-bisect)
 *   MMSTORM_NIGHTLY_MMSTORM  the driver's mmstorm binary
 * Its standard error goes where the driver's does (the journal).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "jobs/nightly.h"
#include "store/db.h"
#include "store/export.h"

struct spawn {
	const char *command;
	const char *cwd;       /* NULL: the driver's */
	int out_fd;            /* its standard output */
	int timeout_s;         /* 0: none */
};

static void
child_env(const struct nightly_config *c, const char *build, int64_t round)
{
	/* The driver's own binary, for target=local's commands. */
	char *exe = realpath("/proc/self/exe", NULL);
	char num[32];

	setenv("MMSTORM_NIGHTLY_BUILD", build, 1);
	snprintf(num, sizeof num, "%lld", (long long)round);
	setenv("MMSTORM_NIGHTLY_ROUND", num, 1);
	snprintf(num, sizeof num, "%d", c->runs);
	setenv("MMSTORM_NIGHTLY_RUNS", num, 1);
	setenv("MMSTORM_NIGHTLY_JOB", c->job, 1);
	if (exe != NULL)
		setenv("MMSTORM_NIGHTLY_MMSTORM", exe, 1);
	snprintf(num, sizeof num, "%ld", (long)getppid());
	setenv("MMSTORM_NIGHTLY_PID", num, 1);
	free(exe);
}

/* Wait for pid; past the deadline kill its process group.  Returns the
 * wait status, or -1 with *timed_out set. */
static int
wait_bounded(pid_t pid, int timeout_s, int *timed_out)
{
	int64_t deadline = now_mono_ns() + (int64_t)timeout_s * 1000000000;
	int status;
	pid_t w;

	*timed_out = 0;
	for (;;) {
		w = waitpid(pid, &status, timeout_s > 0 ? WNOHANG : 0);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (timeout_s > 0 && now_mono_ns() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			*timed_out = 1;
			return -1;
		}
		if (timeout_s > 0)
			sleep_ns(100000000);
	}
}

/* Run sp->command under sh in a process group of its own; *error says
 * how it failed (exit code, signal, timeout), NULL when it exited 0. */
static int
spawn_wait(const struct nightly_config *c, const char *build, int64_t round,
    const struct spawn *sp, char **error, char **cause)
{
	int status, timed_out;
	pid_t pid;

	*error = NULL;
	fflush(NULL);
	if ((pid = fork()) < 0)
		return set_cause(cause, errno, "cannot fork: %s",
		    strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		child_env(c, build, round);
		if ((sp->cwd != NULL && chdir(sp->cwd) != 0) ||
		    dup2(sp->out_fd, STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", sp->command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	status = wait_bounded(pid, sp->timeout_s, &timed_out);
	if (timed_out)
		*error = xasprintf("'%s' did not finish in %d s", sp->command,
		    sp->timeout_s);
	else if (status < 0)
		return set_cause(cause, errno, "cannot wait for '%s': %s",
		    sp->command, strerror(errno));
	else if (WIFSIGNALED(status))
		*error = xasprintf("'%s' was killed by signal %d", sp->command,
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		*error = xasprintf("'%s' exited with %d", sp->command,
		    WEXITSTATUS(status));
	return 0;
}

/* Import what the target printed; a bad export is the target's error. */
static int
import_output(struct db *db, int fd, struct nightly_target_result *res,
    char **cause)
{
	struct import_result ir;
	char *why = NULL, **uuids;
	size_t n;
	FILE *f;

	memset(&ir, 0, sizeof ir);
	if (lseek(fd, 0, SEEK_SET) < 0 || (f = fdopen(dup(fd), "r")) == NULL)
		return set_cause(cause, errno, "cannot read the target's "
		    "output: %s", strerror(errno));
	if (import_stream(db, f, "the target's output", &ir, &why) != 0) {
		res->error = why;
		why = NULL;
		goto out;
	}
	/* Runs stored by an earlier round (a command that prints the same
	 * runs again) still say which kernel this build is. */
	n = ir.imported + ir.skipped;
	uuids = xreallocarray(NULL, n + 1, sizeof *uuids);
	if (ir.imported > 0)
		memcpy(uuids, ir.imported_runs, ir.imported * sizeof *uuids);
	if (ir.skipped > 0)
		memcpy(uuids + ir.imported, ir.skipped_runs, ir.skipped *
		    sizeof *uuids);
	res->runs = n;
	if (n == 0)
		res->error = xstrdup("the target brought back no runs");
	else if (nightly_runs_kernel(db, uuids, n, &res->kernel_id, &why) != 0) {
		res->error = why;
		why = NULL;
	}
	free(uuids);
out:
	fclose(f);
	import_result_release(&ir);
	return 0;
}

int
nightly_target_run(struct db *db, const struct nightly_config *c,
    const char *build, int64_t round, struct nightly_target_result *res,
    char **cause)
{
	struct spawn sp = { c->recipe, c->git_tree, STDERR_FILENO,
		c->timeout_s };
	char tmpl[] = "/tmp/mmstorm-nightly-XXXXXX";
	int fd = -1, r;

	memset(res, 0, sizeof *res);
	/* The recipe's output is a build log, not an export. */
	if (c->recipe != NULL &&
	    ((r = spawn_wait(c, build, round, &sp, &res->error, cause)) != 0 ||
	    res->error != NULL))
		return r;
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
		return set_cause(cause, errno, "cannot create '%s': %s", tmpl,
		    strerror(errno));
	unlink(tmpl);
	sp.command = c->command;
	sp.cwd = NULL;
	sp.out_fd = fd;
	if ((r = spawn_wait(c, build, round, &sp, &res->error, cause)) == 0 &&
	    res->error == NULL)
		r = import_output(db, fd, res, cause);
	close(fd);
	return r;
}
