/*
 * nightly.h - what the nightly driver asks of the analysis and the
 * report it writes (docs/nightly.md "The report").
 *
 * The driver's state is jobs/'s (jobs/nightly.h), which this layer may
 * not include: the report takes the night as plain rows.
 */
#ifndef MMSTORM_REPORTS_NIGHTLY_H
#define MMSTORM_REPORTS_NIGHTLY_H

#include <stddef.h>
#include <stdint.h>

#include "reports/report.h"

struct buf;
struct db;

/*
 * A build against a reference, through compare_kernels() (what
 * `compare` and `regressions` print): *bad when a metric is marked a
 * regression beyond threshold_pct, a lockup signature the reference
 * never had appeared, or no metric could be compared (every run of the
 * build failed).  *detail is the verdict's one line, allocated.
 */
int nightly_judge(struct db *, int64_t ref_kernel, int64_t kernel,
    double threshold_pct, int *bad, char **detail, char **cause);

struct nightly_report_round {
	const char *build, *against;   /* against: NULL for none */
	const char *purpose, *verdict, *detail;
	int64_t runs, started_ns, ended_ns;
};

struct nightly_report_bisect {
	const char *good, *bad, *state;
	const char *culprit, *parent;  /* NULL while bisecting */
	const char *detail;
	int64_t ref_kernel, culprit_kernel;   /* the evidence; 0: none */
	const struct nightly_report_round *steps;   /* rounds of its range */
	size_t nsteps;
};

struct nightly_report {
	const char *config, *reference;
	const char *result;    /* "regression", "inconclusive", "bisecting",
	                        * "no regression", "error" */
	const char *error;     /* why the night stopped, or NULL */
	double threshold_pct;
	int64_t started_ns, ended_ns;
	const struct nightly_report_round *rounds;   /* tonight's */
	size_t nrounds;
	const struct nightly_report_bisect *bisects;
	size_t nbisects;
};

int report_nightly(struct db *, const struct nightly_report *,
    enum report_format, struct buf *out, char **cause);

#endif
