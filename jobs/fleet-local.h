/*
 * fleet-local.h - the local half of a fleet job (docs/fleet.md, "The
 * queue"): mmstormd copies a job it claimed into its own queue under
 * the fleet's uuid, so that local crash recovery covers it, and reads
 * back how it ended to report it.  Statements on the local database
 * only; the fleet's are in fleet.h.
 */
#ifndef MMSTORM_JOBS_FLEET_LOCAL_H
#define MMSTORM_JOBS_FLEET_LOCAL_H

#include <stdint.h>

#include <jansson.h>

struct db;
struct workload;

/* The claimed job (spec as POST /v1/jobs takes it) queued here as uuid;
 * a job already here under uuid is kept (*id is its id). */
int fleet_local_copy(struct db *, const char *uuid, const char *spec_json,
    const struct workload *const *registry, int64_t *id, char **cause);

/* How a local copy ended, as its fleet job's report. */
struct fleet_local_end {
	int ended;           /* 0: still queued or running here */
	int pushed;          /* none of its runs waits in the outbox */
	const char *state;   /* "done" or "failed" */
	char *result;        /* {"runs": [{"run": uuid, "state": ...}]} */
	char *error;         /* NULL when done */
};
/* -ENOENT when no local job has uuid. */
int fleet_local_end(struct db *, const char *uuid, struct fleet_local_end *,
    char **cause);
void fleet_local_end_release(struct fleet_local_end *);

/* The uuids of the local jobs not ended (queued or running), as a
 * PostgreSQL array literal "{a,b}"; NULL on an error. */
char *fleet_local_unfinished(struct db *, char **cause);

#endif
