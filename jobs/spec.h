/*
 * jobs.h - job specs and the daemon's durable queue.
 *
 * A job spec in JSON (the API's body, one object per job file section):
 *   {"workload": "hotplug", "options": {"cycles": 10, "pressure": "none"},
 *    "repeat": 2, "label": "v6.18", "retry": 1, "timeout": "30m"}
 * Options are checked by the workload's table exactly as on the command
 * line; numbers, booleans and arrays are accepted as their text forms.
 */
#ifndef MMSTORM_JOBS_H
#define MMSTORM_JOBS_H

#include <stdint.h>

#include <jansson.h>

struct db;
struct params;
struct workload;

struct job_spec {
	const struct workload *wl;
	struct params *params;
	int64_t repeat;
	char *label;
	int64_t retry;        /* re-queues after a crash */
	int64_t timeout_ms;   /* per run, 0 none */
};

int job_spec_from_json(json_t *, struct job_spec *, char **cause);
/* Options given (not defaults) as their text. */
json_t *job_spec_to_json(const struct job_spec *);
void job_spec_release(struct job_spec *);

int jobs_insert(struct db *, const struct job_spec *, char uuid[37],
    int64_t *id, char **cause);
/* Rebuild the spec of a stored job (its options re-checked). */
int jobs_load_spec(struct db *, int64_t id, struct job_spec *, char **cause);
/* The job with its runs, as the API shows it; NULL if none. */
json_t *jobs_json(struct db *, int64_t id);
/* id of a job uuid (or unique prefix); -ENOENT */
int jobs_lookup(struct db *, const char *uuid, int64_t *id, char **cause);

#endif
