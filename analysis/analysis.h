/*
 * analysis.h - comparing kernel builds: metrics with statistics, lockup
 * reproduction rates, regressions across builds, bisect verdicts.
 *
 * Statistics (DESIGN.md section 6; docs/analysis.md has the why and the
 * measurements, bench/stats-rule.c the simulation):
 *  - one value per run and metric; only 'passed' runs carry metrics;
 *  - mean, sample stddev (n-1), CV, and mmtests' mean +- 1.96 sd interval
 *    are described, not decided on;
 *  - the change is the Hodges-Lehmann estimate of the ratio of the new
 *    build's values to the base's (the median of the log differences,
 *    back as a percentage; a plain shift over the base mean when a value
 *    is 0 or negative), with its distribution-free 90 % interval;
 *  - significant = the one-sided Mann-Whitney U p-value in the direction
 *    of that estimate is <= 0.05 (exact for small samples) and the
 *    interval excludes no change; 3 runs a side at least;
 *  - a regression / improvement is significant and |estimate| beyond
 *    the threshold;
 *  - not significant but |estimate| beyond the threshold, or fewer than
 *    3 runs a side: the data cannot decide (doubt), with the runs a side
 *    that would tell (need_runs); the mark stays CMP_SAME so that what
 *    counts marks keeps its meaning;
 *  - change % = 100 (new - base) / base of the means, gain % the same
 *    signed so that positive is better (kept for scripts).
 * Lockups compare by reproduction rate: runs with the signature / runs.
 *
 * Where each part lives:
 *   resolve.c      kernel_resolve, kernel_describe: names to builds
 *   compare.c      compare_kernels and the JSON of a comparison
 *   regressions.c  compare_against: a baseline against every build
 *   lockups.c      lockups_list: `mmstorm lockups`
 *   verdict.c      run_counts: what a bisection verdict counts
 * (values.c and strings.c are shared inside analysis/: internal.h)
 */
#ifndef MMSTORM_ANALYSIS_H
#define MMSTORM_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

#define ANALYSIS_MIN_RUNS 3
/* The one-sided level of every decision: false alarms <= 5 % a direction. */
#define ANALYSIS_ALPHA    0.05

/*
 * A kernel build named by: "running" (this machine's kernel), a release
 * ("6.1.0-54-cloud-amd64"), a build-id or build-key prefix (6+ hex
 * digits), or a run label.  Several matches are an error listing them.
 */
int kernel_resolve(struct db *, const char *name, int64_t *id, char **cause);
/* "6.1.0-54-cloud-amd64 (bc6a64c9b9d1)", allocated */
char *kernel_describe(struct db *, int64_t id);

enum cmp_mark {
	CMP_SAME = 0,        /* no significant change beyond the threshold */
	CMP_REGRESSION,
	CMP_IMPROVEMENT,
};

/* Why a metric's mark could not be decided. */
enum cmp_doubt {
	CMP_DECIDED = 0,
	CMP_TOO_FEW,          /* fewer than ANALYSIS_MIN_RUNS a side */
	CMP_TOO_NOISY,        /* moved beyond the threshold, not significant */
};

struct cmp_side {
	size_t n;
	double mean, sd, cv_pct, ci_lo, ci_hi, min, max;
};

struct metric_cmp {
	const char *workload, *metric, *unit;   /* the comparison's strings */
	const char *host, *params;   /* its key's host class, parameter hash
				      * ("any" where pooled on request) */
	int higher_better;
	struct cmp_side base, new;
	double change_pct, gain_pct;
	double p_value;       /* one-sided MWU in the direction of change */
	int ci_disjoint;
	int significant;
	enum cmp_mark mark;
	/* the decision (analysis.h's opening comment; compare.c:judge) */
	double estimate_pct;  /* Hodges-Lehmann ratio - 1, in percent */
	double estimate_lo_pct, estimate_hi_pct;  /* its 90 % interval */
	enum cmp_doubt doubt;
	double need_runs;     /* CMP_TOO_NOISY: runs a side that would tell */
};

struct lockup_cmp {
	const char *kind, *title, *signature, *workload;
	int64_t runs_base, hit_base, runs_new, hit_new;
	double rate_base, rate_new;
	int is_new;           /* never seen on the base build */
};

/* The names rows point to, shared by the comparisons of one call. */
struct analysis_strings;

struct comparison {
	int64_t base, new;
	struct metric_cmp *metrics;
	size_t nmetrics;
	struct lockup_cmp *lockups;
	size_t nlockups;
	struct analysis_strings *strings;
};

/*
 * Comparability keys: runs compare only within one build x workload x
 * host class x parameter hash (store/catalog.h says how the last two are
 * named); a comparison has a row per key measured on both builds.  When
 * both builds ran a workload but share no key it is an error (-EDOM)
 * unless mix names what to pool across.
 */
#define COMPARE_MIX_HOST   1u   /* pool host classes */
#define COMPARE_MIX_PARAMS 2u   /* pool parameter sets */

struct compare_opts {
	const char *workload;   /* NULL: every workload with runs on both */
	const char *metric;     /* NULL: every metric */
	double threshold_pct;
	const char *host;       /* a host class or hostname; NULL: every */
	const char *params;     /* a parameter hash prefix; NULL: every */
	unsigned mix;           /* COMPARE_MIX_*: pooled as the user asked */
	size_t last;            /* compare_against: the builds first seen
	                         * last, at most; 0: no such limit */
	size_t max_runs;        /* compare_against: the newest builds with
	                         * this many passed runs together (one at
	                         * least); 0: no such limit */
};

int compare_kernels(struct db *, int64_t base, int64_t new,
    const struct compare_opts *, struct comparison *, char **cause);
/* The base against every other build with passed runs, or against a
 * window of those first seen most recently (o->last, o->max_runs; metrics
 * read in two queries, or one per build of a window, not two per build);
 * *out has one comparison per build, *left_out counts the builds with
 * passed runs the window left out.
 * A metric not marked has no interval ends (estimate_lo/hi_pct -inf and
 * +inf): a listing of findings never shows it, and the search for the
 * ends was most of the rule's cost over thousands of metrics.  A lockup
 * row has a title only if it is new in the build (is_new and hit_new):
 * the others' are NULL, as a listing never shows them. */
int compare_against(struct db *, int64_t base, const struct compare_opts *,
    struct comparison **out, size_t *nout, size_t *left_out, char **cause);
void comparison_release(struct comparison *);
const char *cmp_mark_name(enum cmp_mark);
/*
 * Judges one metric from the sorted values of both sides: everything in
 * the decision part of struct metric_cmp, the p-value and the mark.
 * m->higher_better, m->base and m->new must be filled in.  compare.c
 * calls it for every comparison; bench/stats-rule.c simulates it.
 */
void metric_cmp_decide(struct metric_cmp *m, const double *base_sorted,
    size_t nbase, const double *new_sorted, size_t nnew,
    double threshold_pct);
/* "regression", "improvement", "same", "too_noisy" or "too_few_runs" */
const char *metric_cmp_decision(const struct metric_cmp *);
/* "too noisy: CV 47 %, need n ≈ 12" / "too few runs: n 1/1, need 3";
 * "" when decided.  Returns buf. */
char *metric_cmp_doubt_text(const struct metric_cmp *, char *buf,
    size_t size);
json_t *metric_cmp_json(const struct metric_cmp *);
json_t *lockup_cmp_json(const struct lockup_cmp *);
json_t *comparison_json(struct db *, const struct comparison *);

/*
 * `mmstorm lockups`: event titles grouped by build and signature, kernel
 * builds in the order first seen, then the most frequent first.
 */
struct lockups_query {
	int64_t kernel;         /* 0: every build */
	int64_t baseline;       /* 0: none; else mark titles it never had */
	int64_t since_ns;       /* 0: all */
	const char *kind;       /* NULL: every kind but taint */
	const char *workload;   /* NULL: every workload */
};

struct lockup_row {
	int64_t kernel;
	char *release, *build_id;   /* build_id: the build key without one */
	char *kind, *title, *signature;
	int64_t count;          /* events */
	int64_t runs_hit;       /* runs with it */
	int64_t runs;           /* finished runs of the build (workload) */
	int64_t first_ns, last_ns;
	char *workloads;        /* "a,b" in name order, or NULL */
	char *hosts;            /* host names, or NULL */
	int64_t example_event;  /* the latest event */
	char *example_run;      /* its run's uuid, or NULL */
	int is_new;             /* a baseline was given and never had it */
};

int lockups_list(struct db *, const struct lockups_query *,
    struct lockup_row **, size_t *, char **cause);
void lockup_rows_free(struct lockup_row *, size_t);

/* Runs-per-state of a workload on a build (for verdicts). */
struct run_counts {
	int64_t total, passed, failed, skipped, lockup, crashed, interrupted;
	int64_t bad_events;   /* runs with a lockup/oops/bug/bad page/panic/
				 corruption event; chasing: with the report */
	char *bad_title;      /* the first such title seen, or NULL */
	int64_t other_events; /* chasing: runs with a bad event that is not
				 the report chased */
	char *other_title;    /* the first such title, or NULL */
	char *skip_reason;    /* one skipped run's reason, or NULL */
};
/* Only the runs o's host and parameter filters select (o may be NULL);
 * o->workload is ignored. */
int run_counts(struct db *, int64_t kernel, const char *workload,
    const struct compare_opts *o, struct run_counts *, char **cause);
void run_counts_release(struct run_counts *);

/*
 * The kernel report a bisection chases (`verdict --kind/--title/
 * --signature`): an event matches when it has every member given; NULL
 * members match anything.  signature is a prefix of the sha256 hex.
 */
struct report_match {
	const char *kind, *title, *signature;
};
/* run_counts() with bad_events/bad_title counting only the events that
 * match *chase (of any kind), other_events/other_title the bad kinds
 * that do not.  chase NULL or empty: run_counts(). */
int run_counts_chasing(struct db *, int64_t kernel, const char *workload,
    const struct compare_opts *o, const struct report_match *chase,
    struct run_counts *, char **cause);

/*
 * Whether more runs of the build judged could change a metric's verdict:
 * the boundary between the comparison rule and sequential testing
 * (`verdict --max-runs`).  NULL when the rule's answer is clear, else
 * why not, as text: fewer than ANALYSIS_MIN_RUNS a side, or a move
 * beyond the threshold in the worse direction that is not significant
 * (the rule's doubt, in this file's opening comment).
 */
const char *metric_cmp_unclear(const struct metric_cmp *,
    double threshold_pct);

#endif
