/*
 * recovery.c - settle what earlier supervisors left (runner_recover(),
 * run/runner.h): runs still 'running' whose supervisor is gone, and the
 * knobs they changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "probe/identity.h"
#include "run/knobs.h"
#include "run/runner.h"
#include "store/db.h"
#include "store/recovery.h"

/*
 * Is the supervisor that recorded a run still alive?  kill(pid, 0) is not
 * enough: a killed supervisor may linger as a zombie nobody reaps, and a
 * pid may have been reused by an unrelated process.
 */
static int
pid_alive(int64_t pid)
{
	char *path, *stat = NULL, *comm = NULL, *p;
	int alive = 0;

	if (pid <= 0)
		return 0;
	path = xasprintf("/proc/%lld/stat", (long long)pid);
	if (read_file_line(path, &stat, NULL) == 0 &&
	    (p = strrchr(stat, ')')) != NULL && p[1] == ' ' &&
	    p[2] != 'Z' && p[2] != 'X') {
		free(path);
		path = xasprintf("/proc/%lld/comm", (long long)pid);
		alive = read_file_line(path, &comm, NULL) == 0 &&
		    starts_with(comm, "mmstorm");
	}
	free(path);
	free(stat);
	free(comm);
	return alive;
}

/* How a run whose supervisor is gone ended: the machine rebooted under
 * it, or the supervisor died in this boot. */
static int
settle_run(struct db *db, const struct run_running *run, const char *boot,
    char **cause)
{
	const char *state;
	char *why;
	int r;

	if (strcmp(run->boot_id, boot) != 0) {
		state = "crashed";
		why = xasprintf("the machine rebooted during the run "
		    "(boot %.8s)", run->boot_id);
	} else {
		state = "interrupted";
		why = xasprintf("its supervisor (pid %" PRId64 ") died",
		    run->pid);
	}
	r = db_run_finish(db, run->id, state, why, NULL, now_real_ns(), cause);
	free(why);
	return r;
}

int
runner_recover(struct db *db, int *fixed, char **cause)
{
	struct run_running *runs;
	const char *boot = boot_id();
	size_t n, i;
	int r = 0;

	*fixed = 0;
	if (db_runs_running(db, &runs, &n, cause) != 0)
		return -EIO;
	for (i = 0; i < n; i++) {
		if (strcmp(runs[i].boot_id, boot) == 0 &&
		    pid_alive(runs[i].pid))
			continue;
		if (r == 0)
			r = settle_run(db, &runs[i], boot, cause);
		(*fixed)++;
	}
	db_runs_running_free(runs, n);
	if (r == 0)
		r = knobs_restore_left(db, fixed, cause);
	return r;
}
