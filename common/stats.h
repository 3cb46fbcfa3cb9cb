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

/* The standard normal's 97.5 % quantile: 95 % two-sided intervals. */
#define STATS_Z975 1.959963984540054
/* Upper-tail probability of the standard normal at z. */
double stats_normal_sf(double z);

#endif
