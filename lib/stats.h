/* stats.h - small statistics over arrays of doubles. */
#ifndef MMSTORM_STATS_H
#define MMSTORM_STATS_H

#include <stddef.h>

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

#endif
