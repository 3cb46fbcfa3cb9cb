/*
 * internal.h - what the files of reports/ share: the model of a run
 * report, the SVG plotting primitives and escaping.
 * Not for use outside reports/ (tests/unit/test-svg.c excepted).
 */
#ifndef MMSTORM_REPORT_INTERNAL_H
#define MMSTORM_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/format.h"

struct buf;
struct comparison;
struct workload;

/* At most this many points per plotted line (min/max bucketing). */
#define PLOT_MAX_POINTS 2000

/* ---- the run report model (report.c) --------------------------------- */

/* One line of a time plot: a counter, or a sum of counters. */
struct report_line {
	char *label;            /* "irq.CAL", "vmstat.allocstall_{normal,movable}" */
	size_t npoints;         /* plotted, after downsampling */
	double *t, *v;          /* seconds from the report's t0; per second
				   for rates, scaled level for gauges */
	size_t nfull;           /* points before downsampling */
	double min, max, mean;  /* over all points */
};

struct report_plot {
	char *title;
	char *unit;             /* of the plotted values: "/s", "MiB", ... */
	int rate;               /* event counters: per second */
	int integral;           /* levels that are whole numbers (CPUs) */
	struct report_line *lines;
	size_t nlines;
	int headline;           /* the workload draws it first */
};

/* A per-operation series of run_values (offline_ms, munmap_ms ...). */
struct report_values {
	char *name;
	const char *unit;       /* guessed from the name: "ms", "%" ... */
	size_t n;
	double *t;              /* seconds from t0, in seq order */
	double *v;              /* in seq order */
	double *sorted;
	double min, p50, p90, p99, max, mean, sd;
};

enum mark_kind {
	MARK_OFFLINE = 0,       /* a CPU went offline (hotplug offline_ms) */
	MARK_ONLINE,            /* ... came back (online_ms) */
	MARK_OP,                /* another timed operation (munmap_ms) */
	MARK_LABEL,             /* a labelled sample: "munmap-start" */
	MARK_EVENT,             /* a kernel or workload event */
	MARK_KINDS
};

struct report_mark {
	double t;               /* seconds from t0 */
	enum mark_kind kind;
	char *text;
};

struct run_report {
	json_t *run;            /* run_show_json() */
	const struct workload *wl;   /* NULL: not built into this binary */
	int64_t t0_ns, t1_ns;   /* the time axis */
	size_t nsamples;
	struct report_plot *plots;
	size_t nplots;
	struct report_values *values;
	size_t nvalues;
	struct report_mark *marks;
	size_t nmarks;
};

/* Kernel build summary (report.c). */
struct kernel_metric {
	char *workload, *metric, *unit, *better;
	size_t n;
	double mean, sd, cv_pct, min, max;
};

struct kernel_report {
	json_t *kernel;         /* the kernels row */
	json_t *runs;           /* [{run, workload, state, reason, label,
				     started_ns, ended_ns, hostname}] */
	json_t *states;         /* [{workload, state, runs}] */
	json_t *events;         /* [{kind, title, count, runs, first_ns,
				     last_ns}] */
	struct kernel_metric *metrics;
	size_t nmetrics;
};

/* Compare report: the comparison and the two builds described. */
struct compare_report {
	const struct comparison *cmp;
	char *base_desc, *new_desc;
	double threshold_pct;
	const char *workload, *metric;   /* filters, or NULL */
};

void html_run(const struct run_report *, struct buf *);
void html_compare(const struct compare_report *, struct buf *);
void html_kernel(const struct kernel_report *, struct buf *);
void text_run(const struct run_report *, struct buf *);
void text_compare(const struct compare_report *, struct buf *);
void text_kernel(const struct kernel_report *, struct buf *);
json_t *json_run(const struct run_report *);
json_t *json_kernel(const struct kernel_report *);

/* Members of the run's JSON (report.c): NULL or 0 when absent. */
const char *jstr(json_t *, const char *key);
int64_t jint(json_t *, const char *key);

/* ---- escaping (svg.c) ------------------------------------ */

/*
 * Text for HTML or SVG: & < > " ' as entities; bytes that are not UTF-8
 * and control characters other than tab and newline become U+FFFD, so
 * the file stays valid whatever a kernel log put in the database.
 */
void html_escape(struct buf *, const char *);
void html_escape_n(struct buf *, const char *, size_t);

/* ---- plotting (svg.c) ------------------------------------------------ */

/*
 * Axis ticks at 1, 2, 2.5 or 5 x 10^k: about target ticks covering
 * [lo, hi]; *first and *last are the outer ticks (lo and hi widened to
 * them), *step the spacing.  Returns the number of ticks.
 */
int nice_ticks(double lo, double hi, int target, double *first,
    double *last, double *step);

/*
 * Reduce (t, v) sorted by t to at most max points: the time range is cut
 * into max/2 buckets, each keeps its minimum and maximum in time order,
 * so spikes survive.  Returns the number written to ot/ov (which may be
 * t/v themselves).  n <= max copies.
 */
size_t downsample_minmax(const double *t, const double *v, size_t n,
    size_t max, double *ot, double *ov);

/* A time plot: lines against seconds in [t0, t1], marks on the axis. */
void svg_time_plot(struct buf *, const struct report_plot *, double t0,
    double t1, const struct report_mark *, size_t nmarks);
/* Histogram, CDF and value over time of a per-operation series. */
void svg_values_plot(struct buf *, const struct report_values *,
    double t0, double t1);
/* y against x (a sweep: munmap ms/GiB against threads), in x order. */
void svg_xy_plot(struct buf *, const char *title, const char *x_label,
    const double *x, const double *y, size_t n);
/* Change bar: change_pct on a +-scale_pct axis; colour by mark
 * (0 same: grey, 1 regression: red, 2 improvement: green). */
void svg_change_bar(struct buf *, double change_pct, double scale_pct,
    int mark);
/* The legend of the marks, as a small inline SVG. */
void svg_mark_legend(struct buf *, const size_t counts[MARK_KINDS]);

/* ---- text tables (text.c) -------------------------------------------- */

#include "common/table.h"

#endif
