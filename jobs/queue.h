/*
 * queue.h - the durable job queue: every statement on the jobs table.
 *
 * A job's states and who moves it:
 *   queued  -> running    queue_claim_next(): its first run starts
 *   running -> running    a run ended and more repeats are due
 *   running -> done       repeats done, a run failed or was cut short,
 *                         its run could not start, or retry= is used up
 *   running -> queued     the daemon stopped mid-run, or a lost run is
 *                         retried (queue_settle_lost)
 *   queued, running -> cancelled
 * The daemon runs one job at a time and decides when; this file only
 * records it, so a foreground test can drive the same changes.
 */
#ifndef MMSTORM_JOBS_QUEUE_H
#define MMSTORM_JOBS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;
struct db_counts;
struct job_spec;
struct workload;

/* Confine a job's path options to the database's directory
 * (job_spec_confine_paths, spec.h), which may rewrite them: any error is
 * the job's fault, not the store's. */
int queue_confine(struct db *, struct job_spec *, char **cause);
/* Store a job; queue_confine() first, so no caller can skip it. */
int queue_insert(struct db *, struct job_spec *, char uuid[37],
    int64_t *id, char **cause);
/* The same under a uuid given: a fleet job keeps its fleet uuid here,
 * so that local crash recovery covers it (daemon/fleet-claim.c). */
int queue_insert_as(struct db *, struct job_spec *, const char *uuid,
    int64_t *id, char **cause);
/* Rebuild the spec of a stored job, its options re-checked against the
 * registry (spec.h). */
int queue_load_spec(struct db *, int64_t id,
    const struct workload *const *registry, struct job_spec *,
    char **cause);
/* id of a job uuid (or unique prefix); -ENOENT */
int queue_lookup(struct db *, const char *uuid, int64_t *id, char **cause);
/* The job with its runs, as the API shows it; NULL if none. */
json_t *queue_job_json(struct db *, int64_t id);
/* The newest jobs, as GET /v1/jobs lists them; NULL on an error. */
json_t *queue_recent_json(struct db *, int64_t limit, char **cause);
/* Jobs waiting to run (0 when it cannot tell). */
int64_t queue_length(struct db *);
/* Jobs by state, for /metrics. */
int queue_count_by_state(struct db *, struct db_counts *, char **cause);

/*
 * The job to run now, marked running: one already running goes on with
 * its next repeat before the oldest queued one starts.  *id 0: none.
 * *timeout_ms is its per-run limit, 0 none.
 */
int queue_claim_next(struct db *, int64_t *id, int64_t *timeout_ms,
    char **cause);
/* A claimed job whose run could not start: done, with error. */
int queue_start_failed(struct db *, int64_t id, const char *error,
    char **cause);

/* How a job's run (its supervisor) ended, as the daemon saw it. */
enum queue_run_end {
	QUEUE_RUN_ENDED,        /* exited 0: count it, maybe repeat */
	QUEUE_RUN_FAILED,       /* exited non-zero: done, with why */
	QUEUE_RUN_KILLED,       /* killed by a signal: a lost run */
	QUEUE_RUN_TIME_LIMIT,   /* exited 0 after its timeout= stop */
	QUEUE_RUN_CANCELLED,    /* stopped on a cancel request */
	QUEUE_RUN_STOPPING,     /* stopped because the daemon is stopping */
};
/*
 * Count the job's finished runs (crashed or interrupted ones do not
 * count) and move it on: done after its last repeat, or with why as its
 * error when the supervisor failed; cancelled; back to queued when the
 * daemon stops.  A lost run (the supervisor killed; or its worker died
 * without a verdict, which leaves the run interrupted) follows retry=:
 * re-queued (*requeued 1, retries_used counted) while it allows, else
 * done with an error saying why.  A run stopped at its time limit is
 * not retried.  requeued may be NULL.
 */
int queue_run_ended(struct db *, int64_t id, enum queue_run_end,
    const char *why, int *requeued, char **cause);
/* Cancel a job that is queued, or running without a run in progress
 * here (the caller stops one that is); -EALREADY once it has ended. */
int queue_cancel(struct db *, int64_t id, char **cause);

/* A running job whose last run a crash or a dead supervisor cut short. */
struct queue_lost {
	int64_t id;
	char last_state[16];    /* "crashed" or "interrupted" */
	int64_t retry;          /* retry= of the job */
	int64_t retries_used;   /* including this one when requeued */
	int requeued;           /* 0: done, retry= used up */
};
/*
 * At daemon start, after the runs are settled: each running job whose
 * last run was lost is re-queued while its retry= allows, else done.
 * Jobs whose last run finished simply go on.  *lost lists what changed
 * (the caller frees it).
 */
int queue_settle_lost(struct db *, struct queue_lost **lost, size_t *n,
    char **cause);

#endif
