/*
 * spec.h - what one job asks for: a workload, its options, how many runs.
 *
 * One struct for every way a job arrives: a section of a job file, the
 * command line of `mmstorm run`, or the API's JSON body:
 *   {"workload": "hotplug", "options": {"cycles": 10, "pressure": "none"},
 *    "repeat": 2, "label": "v6.18", "retry": 1, "timeout": "30m"}
 * Options are checked by the workload's table exactly as on the command
 * line; numbers, booleans and arrays are accepted as their text forms.
 *
 * The caller hands in the workload registry (a NULL-terminated table,
 * workloads' own in the programs): jobs/ names workloads, it does not
 * know which exist.
 */
#ifndef MMSTORM_JOBS_SPEC_H
#define MMSTORM_JOBS_SPEC_H

#include <stdint.h>

#include <jansson.h>

struct params;
struct workload;

struct job_spec {
	const struct workload *wl;
	struct params *params;
	int64_t repeat;
	char *label;          /* NULL: none */
	int64_t retry;        /* re-queues after a crash */
	int64_t timeout_ms;   /* per run, 0 none */
	/* Where a job file gave it (NULL and 0 otherwise), for messages
	 * and `run --check`. */
	char *section;
	int line;             /* of the [section] header */
};

/* A spec with the workload's defaults and one run. */
void job_spec_init(struct job_spec *, const struct workload *);
int job_spec_from_json(json_t *, const struct workload *const *registry,
    struct job_spec *, char **cause);
/* Options given (not defaults) as their text. */
json_t *job_spec_to_json(const struct job_spec *);
/*
 * Jobs the daemon accepts run as root for whoever can reach its socket:
 * every path option (the OPT_STRING ones: mmap-churn's dir=) must
 * resolve to root or below it, and is replaced by its resolved form.
 * root NULL refuses any.  -EPERM, or realpath's -errno, with *cause.
 */
int job_spec_confine_paths(struct job_spec *, const char *root,
    char **cause);
void job_spec_release(struct job_spec *);

#endif
