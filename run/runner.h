/*
 * runner.h - run one workload, and settle what earlier runs left.
 *
 * The supervisor (the foreground CLI, or a child of mmstormd) records the
 * run durably as 'running', samples counters on a timer, forks the worker
 * in its own process group (oom_score_adj 1000), stores what the worker
 * reports, restores every knob the run changed, and records the end
 * state.  The worker never touches the database.
 *
 * run/supervisor.c holds runner_run() (with ingest.c, what it stores,
 * and knobs.c, the knobs); run/worker.c the worker's side, the wl_* API
 * of run/workload.h; run/recovery.c runner_recover().
 */
#ifndef MMSTORM_RUNNER_H
#define MMSTORM_RUNNER_H

#include <stdint.h>

struct db;
struct params;
struct workload;

struct run_request {
	const struct workload *wl;
	const struct params *params;
	const char *label;
	int64_t job_id;        /* the daemon's job, 0 for none */
	/* Called on the supervisor side for each progress message. */
	void (*progress)(void *arg, const char *text, double elapsed_s);
	void *progress_arg;
};

struct run_outcome {
	int64_t run_id;
	char uuid[37];
	char state[16];
};

/*
 * Returns 0 when the run was carried out and recorded, whatever its
 * state (passed, failed, skipped, ...); negative when it could not be
 * recorded at all.  SIGINT/SIGTERM/SIGHUP to the caller end the run as
 * 'interrupted' (the worker gets SIGTERM, then SIGKILL after a grace);
 * SIGUSR1 does the same with the reason "time limit reached" (the
 * daemon's per-job timeout).
 */
int runner_run(struct db *, const struct run_request *, struct run_outcome *,
    char **cause);

/*
 * Settle what earlier supervisors left: runs still 'running' from an
 * earlier boot become 'crashed', those whose supervisor is gone in this
 * boot 'interrupted', and every knob they changed is restored.
 * *fixed counts runs and knobs settled.
 */
int runner_recover(struct db *, int *fixed, char **cause);

#endif
