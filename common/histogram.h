/*
 * histogram.h - latencies in a fixed-size log-linear histogram.
 *
 * Exact below 32, then 32 buckets per power of two (within 3 %), up to
 * 2^44.  Fixed size and no pointers, so it can live in a MAP_SHARED
 * mapping written by forked processes and merge by addition.
 */
#ifndef MMSTORM_HISTOGRAM_H
#define MMSTORM_HISTOGRAM_H

#include <stdint.h>

#define HISTOGRAM_SUB_BITS 5
#define HISTOGRAM_SUB      (1 << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_BUCKETS  (HISTOGRAM_SUB * 40)

struct histogram {
	uint64_t n;
	uint64_t max;
	uint64_t bucket[HISTOGRAM_BUCKETS];
};

void histogram_add(struct histogram *, uint64_t value);
void histogram_merge(struct histogram *to, const struct histogram *from);
/* Percentile p (0..100): the middle of the bucket of that rank, never
 * above the largest value seen; 0 when empty. */
double histogram_percentile(const struct histogram *, double p);

#endif
