/*
 * run-read.h - a run's recorded data read back a row at a time, for
 * readers that keep only part of it (the reports): its counters, its
 * samples and its per-operation values; and one build's runs, events
 * and metric values.  The run's record itself is run_show_json().
 */
#ifndef MMSTORM_RUN_READ_H
#define MMSTORM_RUN_READ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

/* A counter the run sampled; idx is its place in each sample. */
struct run_counter {
	char *name, *unit;
	int is_event;           /* 1 event counter, 0 gauge */
	long idx;
};

/* The run's counters in the order of its samples' values (idx). */
int run_counters_by_index(struct db *, int64_t run_id, struct run_counter **,
    size_t *n, char **cause);
/* The run's counters sorted by name (for run_counter_find()). */
int run_counters_read(struct db *, int64_t run_id, struct run_counter **,
    size_t *n, char **cause);
const struct run_counter *run_counter_find(const struct run_counter *,
    size_t n, const char *name);
void run_counters_free(struct run_counter *, size_t n);

/*
 * Each sample in order, decoded into one row of width values (the
 * largest idx + 1); label is NULL for periodic samples.  A corrupt
 * sample is skipped, not fatal: a report leaves out one point.
 */
typedef void (*run_sample_fn)(void *arg, int64_t t_ns, const char *label,
    const int64_t *values);
int run_samples_read(struct db *, int64_t run_id, size_t width,
    run_sample_fn, void *arg, char **cause);

/* Each per-operation value, by series name and then in order. */
typedef void (*run_value_fn)(void *arg, const char *series, int64_t t_ns,
    double value);
int run_values_read(struct db *, int64_t run_id, run_value_fn, void *arg,
    char **cause);

/*
 * One build: {"kernel": row, "runs": [...], "states": [...],
 * "events": [...]}, or NULL with *cause (NULL *cause: no such build).
 */
json_t *kernel_summary_json(struct db *, int64_t kernel, char **cause);
/* Each metric value of the build's passed runs, by workload, metric and
 * run: one value per run, as compare counts them. */
typedef void (*kernel_metric_fn)(void *arg, const char *workload,
    const char *metric, const char *unit, const char *better, double value);
int kernel_metrics_read(struct db *, int64_t kernel, kernel_metric_fn,
    void *arg, char **cause);

#endif
