/*
 * internal.h - what the analysis modules share among themselves; callers
 * outside analysis/ use analysis.h.
 *
 *   strings.c      one copy of every name the comparisons point to
 *   values.c       metric values of passed runs, grouped and described
 *   compare.c      two builds: metrics judged, lockup rates (uses both)
 *   regressions.c  one build against every other (uses both)
 */
#ifndef MMSTORM_ANALYSIS_INTERNAL_H
#define MMSTORM_ANALYSIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "store/catalog.h"

struct db;

/*
 * Every name read for comparisons (workloads, metrics, units, titles) is
 * copied once into this and the rows of one or many comparisons point
 * into it: comparing every build with a baseline made 90,000 copies of
 * the same few names before.  The last comparison released frees it.
 */
struct analysis_strings {
	size_t refs;
	char **v;
	size_t n, cap;
};

struct analysis_strings *analysis_strings_new(void);
/* A copy of s ("" for NULL) that lives as long as the set. */
const char *analysis_strings_add(struct analysis_strings *, const char *s);
void analysis_strings_unref(struct analysis_strings *);

/*
 * The comparability key of runs (keys.c): each host's class and each
 * params text's hash, read once and interned in ss so that keys compare
 * by pointer; "any" where o->mix pools them.
 */
struct run_keys {
	struct analysis_strings *ss;
	const struct compare_opts *o;
	struct catalog_host *hosts;
	size_t nhosts;
	const char **host_key;      /* per host: its interned class */
	unsigned char *host_ok;     /* per host: o->host selects it */
	struct params_seen *seen;   /* params texts read, with their keys */
	size_t nseen, last;
	const char **interned;      /* distinct parameter hashes */
	size_t ninterned;
};

int run_keys_init(struct run_keys *, struct db *, struct analysis_strings *,
    const struct compare_opts *, char **cause);
void run_keys_release(struct run_keys *);
/* A run's key into *host and *params; 0 when the filters leave it out. */
int run_keys_of(struct run_keys *, int64_t host_id, const char *workload,
    const char *params, const char **host, const char **params_key);

/* One build x workload x key x metric: the values of its passed runs. */
/* One side as the rule reads it: sorted values and, when every value is
 * positive, their logs and the logs' sum of squared deviations. */
struct rule_side {
	const double *v;
	double *logs;           /* NULL: a value is <= 0 */
	size_t n;
	double log_ss;
};
/* s over sorted[0..n); room: n doubles for the logs, used or not. */
void rule_side_init(struct rule_side *s, const double *sorted, size_t n,
    double *room);

struct metric_values {
	int64_t kernel, first_run;
	const char *workload, *metric, *unit;   /* in the strings */
	const char *host, *params;              /* the key, interned */
	int higher_better;
	double *v;            /* in run order, the order means are summed in */
	double *sorted;       /* the same ascending, for the rank test */
	struct rule_side rule; /* sorted and its logs, taken once */
	size_t n, cap;
	struct cmp_side side; /* described once, compared with many */
};

/*
 * Every passed run's metric values of one build (kernel > 0), or of every
 * build but -kernel (kernel < 0), as one struct metric_values per build,
 * workload and metric, sorted in that order so that sides merge in one
 * pass.  Names go into ss.
 */
int metric_values_load(struct db *, int64_t kernel,
    const struct compare_opts *, struct analysis_strings *ss,
    struct metric_values **out, size_t *nout, char **cause);
void metric_values_free(struct metric_values *, size_t);

/*
 * -EDOM with a message when a workload has values on both sides but the
 * two share no key (a comparison would have to mix them); what names
 * the comparison in the message.
 */
int comparison_check_keys(const struct metric_values *base, size_t nbase,
    const struct metric_values *new, size_t nnew, const char *what,
    char **cause);

/* Appends to c->metrics the metrics of base and new (each as
 * metric_values_load sorts them) measured on both, judged.  Without
 * every_interval only marked metrics get the estimate's interval ends
 * (the others keep -inf/+inf); the marks are the same either way. */
void comparison_add_metrics(struct comparison *c,
    const struct metric_values *base, size_t nbase,
    const struct metric_values *new, size_t nnew, double threshold_pct,
    int every_interval);

/* A lockup row's reproduction rates and novelty from its hit and run
 * counts. */
void lockup_cmp_rates(struct lockup_cmp *);

#endif
