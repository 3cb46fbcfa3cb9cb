/*
 * workload.h - what a workload is and what it may call while it runs.
 *
 * A workload is one file in workloads/ ending in
 *     const struct workload wl_<name> = { ... };
 * and one line in workloads/workloads.c.  run() executes in a forked
 * worker process (own process group, oom_score_adj 1000); everything it
 * reports goes to the supervising process through the wl_* calls below,
 * which the supervisor stores.  Workloads never print and never exit.
 */
#ifndef MMSTORM_WORKLOAD_H
#define MMSTORM_WORKLOAD_H

#include <stdint.h>

#include "run/options.h"
#include "common/util.h"

enum wl_result {
	WL_PASSED = 0,
	WL_FAILED,
	WL_SKIPPED,
	WL_LOCKUP,
};

enum better {
	BETTER_LOWER = 0,
	BETTER_HIGHER,
};

struct wl_ctx;

/*
 * A plot of a run report: a title and up to four lines, each a counter
 * or a sum of counters joined by '+' ("vmstat.allocstall_normal+
 * vmstat.allocstall_movable").  Counters a run did not record are left
 * out.  headline: drawn first, under the headline values, on one time
 * axis with them.
 */
struct workload_plot {
	const char *title;
	const char *lines[4];
	int headline;
};

/* Per-operation value series (wl_value) drawn over time in one plot. */
struct workload_values_plot {
	const char *title;
	const char *series[4];
};

/*
 * What a sweep measured against the setting it swept: for each y, the
 * metrics "<metric><suffix><x>" ("munmap_ms_t4": x = 4), divided by the
 * metric per when set (ms -> ms/GiB).
 */
struct workload_sweep {
	const char *suffix, *x_label;   /* "_t", "threads" */
	struct {
		const char *metric, *per, *label;
	} y[4];                         /* ends with { NULL } or at 4 */
};

/*
 * One thing a run must show to prove it reached the kernel path its
 * workload exists for (run/reached.h): value must come to at least min.
 * value is a counter's change over the run ("vmstat.allocstall_normal",
 * a sum "a+b") or one of the run's metrics ("metric:transitions");
 * alternatives are joined by '|' and any one recorded that reaches min
 * proves it (a tracepoint on new kernels, an interrupt line on old ones).
 * when: "option=value" or "option!=value", only then is it asked (an
 * option without a value equals nothing; numbers compare as numbers);
 * NULL always.
 */
struct workload_proof {
	const char *what;
	const char *value;
	double min;
	const char *when;
};

struct workload {
	const char *name;
	const char *summary;
	const char *seeds;                 /* "004", "002,000" ... */
	const struct opt_spec *options;    /* ends with { NULL } */
	/* The metric `verdict` judges when no --metric is given. */
	const char *primary_metric;
	/*
	 * May be NULL.  Called in the supervisor before anything is forked:
	 * 0 when the workload can run here with these params, else negative
	 * and *reason set ("THP is disabled: transparent_hugepage=never").
	 */
	int (*supported)(const struct params *, char **reason);
	/* Returns an enum wl_result. */
	int (*run)(struct wl_ctx *);

	/* ---- what its report shows (reports/) ---- */
	/* Counters over time, ends with { NULL }; NULL: a generic set. */
	const struct workload_plot *plots;
	/* Metrics that say how the run went, NULL-terminated. */
	const char *const *headline_metrics;
	/* Value series drawn first, over time; ends with { NULL }. */
	const struct workload_values_plot *headline_values;
	/* May be NULL. */
	const struct workload_sweep *sweep;

	/* ---- what proves a run reached its kernel path (run/reached.h) */
	/* The path, one line ("drain_all_pages() IPIs from direct reclaim
	 * while CPUs go offline"); NULL: no gate. */
	const char *path;
	/* Ends with { NULL }. */
	const struct workload_proof *proofs;
};

/* The workload of that name in a NULL-terminated table, or NULL.  The
 * table is handed down by cli/ and daemon/ (workloads/workloads.h): the
 * layers below never look a workload up by themselves. */
const struct workload *workload_lookup(const struct workload *const *registry,
    const char *name);

/* Parameters of this run (defaults applied). */
const struct params *wl_params(struct wl_ctx *);
int64_t wl_int(struct wl_ctx *, const char *name);
double wl_double(struct wl_ctx *, const char *name);
const char *wl_str(struct wl_ctx *, const char *name);
int wl_isset(struct wl_ctx *, const char *name);
const int64_t *wl_list(struct wl_ctx *, const char *name, size_t *n);

/* A result of the run: one value per name (a later call replaces it). */
void wl_metric(struct wl_ctx *, const char *name, double value,
    const char *unit, enum better);
/* One value of a per-operation series (offline_ms of each transition,
 * munmap_ms of each repeat), stamped with the current time. */
void wl_value(struct wl_ctx *, const char *series, double value);
/* What the workload is doing, for the progress line.  Each call wakes the
 * supervisor (and mmstormd): a loop that turns faster than a few times a
 * second reports every so often, not every turn. */
void wl_progress(struct wl_ctx *, const char *fmt, ...) PRINTFLIKE(2, 3);
/* wl_progress() of a phase that ends: the text (with its "3/6"), then
 * ", about 12 s left" from the pace of done out of total since since_ns,
 * or from the run's duration= when that ends it first (total 0: only
 * duration= bounds the phase). */
void wl_progress_eta(struct wl_ctx *, int64_t since_ns, double done,
    double total, const char *fmt, ...) PRINTFLIKE(5, 6);
/* An event of the workload's own (kind "corruption", ...). */
void wl_event(struct wl_ctx *, const char *kind, const char *title,
    const char *text);
/* Ask the supervisor for a counter sample now; returns when stored. */
void wl_sample(struct wl_ctx *, const char *label);
/*
 * Change a sysfs/procfs knob.  The supervisor records the original value
 * durably first and restores it when the run ends however it ends.
 */
int wl_knob_set(struct wl_ctx *, const char *path, const char *value,
    char **cause);
/* Only the recording half of wl_knob_set: for writes the workload times
 * itself (a CPU's online file).  Recording a path twice is cheap. */
int wl_knob_record(struct wl_ctx *, const char *path, const char *value,
    char **cause);
/* A source or check this kernel lacks, kept with the run's unavailable
 * list as the sampler's are ("what: why"); record each once. */
void wl_unavailable(struct wl_ctx *, const char *what, const char *why);
/* Keep a text with the run (stress-ng's YAML, a log excerpt). */
void wl_attach(struct wl_ctx *, const char *name, const char *text);
/*
 * End the run now with this result, from any thread (a watchdog that saw
 * a sysfs write hang): the supervisor records it and kills the worker if
 * it does not exit by itself.
 */
void wl_abort(struct wl_ctx *, int result, const char *fmt, ...)
    PRINTFLIKE(3, 4);
/* True once the run should wind down: duration= elapsed or a stop was
 * requested (SIGTERM).  Long loops poll it. */
int wl_stopping(struct wl_ctx *);
/* Set the run's reason and return WL_FAILED / WL_SKIPPED. */
int wl_fail(struct wl_ctx *, const char *fmt, ...) PRINTFLIKE(2, 3);
int wl_skip(struct wl_ctx *, const char *fmt, ...) PRINTFLIKE(2, 3);

#endif
