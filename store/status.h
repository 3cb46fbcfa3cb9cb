/*
 * status.h - counts and lists for mmstormd's status, /metrics and
 * GET /v1/runs.
 */
#ifndef MMSTORM_STORE_STATUS_H
#define MMSTORM_STORE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

/* One group of a count: ("thp-munmap", "passed") -> 3. */
struct db_count {
	char *label[2];       /* label[1] NULL when grouped by one column */
	int64_t n;
};

struct db_counts {
	struct db_count *v;
	size_t n;
};

/* Rows of (label, [label,] count) from sql with nlabels of 1 or 2. */
int db_counts_query(struct db *, const char *sql, int nlabels,
    struct db_counts *, char **cause);
void db_counts_release(struct db_counts *);
/* Runs by (workload, state); events by kind. */
int db_count_runs(struct db *, struct db_counts *, char **cause);
int db_count_events(struct db *, struct db_counts *, char **cause);

/* The run in progress on this machine (a daemon's or a foreground
 * `mmstorm run`'s), or 0. */
int64_t db_running_run_id(struct db *);

/* Which runs GET /v1/runs lists; NULL: any. */
struct db_run_filter {
	const char *workload;
	const char *state;
	int64_t limit;
};

/* Whether state is one a run may be in. */
int db_run_state_valid(const char *state);
/* [{"run", "workload", "state", "reason", "kernel", "label",
 * "started_ns", "ended_ns"}], newest first; NULL on a database error. */
json_t *db_runs_recent(struct db *, const struct db_run_filter *,
    char **cause);

#endif
