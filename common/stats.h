/* stats.h - small statistics over arrays of numbers. */
#ifndef MMSTORM_STATS_H
#define MMSTORM_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Ascending, in place. */
void stats_sort(double *v, size_t n);
/* Sorts v in place.  Percentile p in [0,100], linear interpolation
 * between closest ranks (the "R-7" definition, numpy's default). */
double stats_percentile(double *v, size_t n, double p);
double stats_median(double *v, size_t n);     /* sorts v */
double stats_mean(const double *v, size_t n);
double stats_stddev(const double *v, size_t n); /* sample, n-1 */
double stats_max(const double *v, size_t n);
double stats_min(const double *v, size_t n);
/* Least-squares slope of y against x; 0 when undefined. */
double stats_slope(const double *x, const double *y, size_t n);
/* Coefficient of variation, stddev/|mean| in percent; 0 for n < 2. */
double stats_cv_pct(const double *v, size_t n);
/* How many distinct values v holds; sorts v in place unless the caller
 * says it is sorted (ids gathered from an index scan usually are). */
size_t stats_count_distinct(int64_t *v, size_t n, int sorted);

/*
 * Mann-Whitney U test of a against b.  u counts the pairs (a_i, b_j)
 * with a_i > b_j, ties as one half.  p_greater is the probability of a
 * U at least this large when both come from one distribution (a tends
 * to be larger), p_less of one at most this large, p_two the two-sided
 * value.  Exact (the permutation distribution) when there are no ties
 * and na + nb <= 60, else the normal approximation with tie and
 * continuity corrections.
 */
struct mann_whitney {
	double u;
	double p_greater, p_less, p_two;
	int exact;
};
void stats_mann_whitney(const double *a, size_t na, const double *b,
    size_t nb, struct mann_whitney *out);
/* The same with a and b each sorted ascending: one merge, no copies
 * (comparing every build with a baseline reuses the sorted sides). */
void stats_mann_whitney_sorted(const double *a, size_t na, const double *b,
    size_t nb, struct mann_whitney *out);

/*
 * Hodges-Lehmann shift of b against a (each sorted ascending): the median
 * of the na * nb differences b_j - a_i, and the distribution-free
 * interval [D(k+1), D(na nb - k)] around it, k = stats_mw_critical(na,
 * nb, alpha): it covers the true shift with probability >= 1 - 2 alpha
 * whatever the shape of the two distributions (Lehmann, "Nonparametrics"
 * 1975, 2.6; Hollander & Wolfe 4.3).  It excludes 0 exactly when the
 * one-sided Mann-Whitney test rejects at alpha, so the estimate and the
 * test never disagree.  lo and hi are -inf/+inf when the samples are too
 * small for any interval at that level (k < 0).
 */
struct stats_shift {
	double estimate, lo, hi;
	long k;
	int side;       /* 1: the interval lies above 0; -1 below; 0 neither */
	int sign;       /* the estimate's: 1, -1 or 0 */
	int within;     /* _side(): in [lo_bound, hi_bound], estimate NAN */
};
int stats_hodges_lehmann_sorted(const double *a, size_t na, const double *b,
    size_t nb, double alpha, struct stats_shift *out);
/*
 * What a decision needs of the same, without the interval's ends (lo and
 * hi stay infinite): k, side and sign from one count of the differences
 * at 0, where each end is a search; and when two more counts show the
 * estimate within [lo_bound, hi_bound], not even the estimate (NAN,
 * within set), else the estimate.
 */
int stats_hodges_lehmann_side(const double *a, size_t na, const double *b,
    size_t nb, double alpha, double lo_bound, double hi_bound,
    struct stats_shift *out);
/* The largest k with P(U <= k) <= alpha under no difference (-1 when
 * even U = 0 is likelier): exact up to na + nb = 60, else normal. */
long stats_mw_critical(size_t na, size_t nb, double alpha);
/*
 * Runs a side for the one-sided Mann-Whitney test at alpha to see a
 * shift delta with power 0.8 when values scatter with sd: the normal
 * formula 2 (z_alpha + z_0.2)^2 sd^2 / delta^2 divided by the test's
 * efficiency against the t test, 3/pi (Noether 1987).  0 when delta or
 * sd is 0.
 */
double stats_mw_runs_needed(double sd, double delta, double alpha);
/* Upper-tail quantile of the standard normal: z with sf(z) = p. */
double stats_normal_isf(double p);

/* The standard normal's 97.5 % quantile: 95 % two-sided intervals. */
#define STATS_Z975 1.959963984540054
/* Upper-tail probability of the standard normal at z. */
double stats_normal_sf(double z);

#endif
