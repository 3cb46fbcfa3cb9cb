/*
 * reached.h - did a run reach the kernel path its workload exists for?
 *
 * A workload names its path and the proofs of it (struct workload_proof
 * in run/workload.h).  At the end of a run the supervisor checks them
 * against the run's counter deltas and metrics, keeps the result with
 * the run (artifact "reached.json", which `mmstorm show` prints), and a
 * run that would have passed without proving its path ends 'skipped'
 * with the reason "path not reached: ..." (docs/design-notes.md), unless
 * the run was started with require_path=0.
 */
#ifndef MMSTORM_REACHED_H
#define MMSTORM_REACHED_H

#include <stdint.h>

struct db;
struct params;
struct workload;

struct reached_proof {
	const char *what;
	char *value;            /* the alternative shown: the one that proved
	                         * it, else the first recorded, else all */
	int recorded;           /* some alternative was recorded */
	double observed;
	double min;
	int ok;
};

struct reached {
	const char *path;       /* NULL: the workload has no gate */
	struct reached_proof *proofs;
	size_t nproofs;
	int ok;                 /* every proof held */
};

/* The value of a counter's delta or of "metric:NAME"; 0 when the run
 * recorded it, else -ENOENT. */
typedef int (*reached_lookup)(void *arg, const char *name, double *value);

void reached_check(const struct workload *, const struct params *,
    reached_lookup, void *arg, struct reached *);
/* The same from what the store holds of a run. */
int reached_check_run(struct db *, int64_t run_id, const struct workload *,
    const struct params *, struct reached *, char **cause);
/* "path not reached: <what> (<value> = 0, needs >= 1); ..." */
char *reached_reason(const struct reached *);
/* {"path", "reached", "proofs": [{"what", "value", "observed"|null,
 * "min", "ok"}]}, compact. */
char *reached_json(const struct reached *);
void reached_release(struct reached *);

#endif
