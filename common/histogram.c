/* histogram.c - latencies in a fixed-size log-linear histogram. */
#include "common/histogram.h"

void
histogram_add(struct histogram *h, uint64_t v)
{
	int e, i;

	if (v < HISTOGRAM_SUB)
		i = (int)v;
	else {
		e = 63 - __builtin_clzll(v);
		i = (e - HISTOGRAM_SUB_BITS + 1) * HISTOGRAM_SUB +
		    (int)((v >> (e - HISTOGRAM_SUB_BITS)) &
		    (HISTOGRAM_SUB - 1));
		if (i >= HISTOGRAM_BUCKETS)
			i = HISTOGRAM_BUCKETS - 1;
	}
	h->bucket[i]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

void
histogram_merge(struct histogram *to, const struct histogram *from)
{
	int i;

	for (i = 0; i < HISTOGRAM_BUCKETS; i++)
		to->bucket[i] += from->bucket[i];
	to->n += from->n;
	if (from->max > to->max)
		to->max = from->max;
}

double
histogram_percentile(const struct histogram *h, double p)
{
	uint64_t rank, seen = 0, low, width;
	int i, group;

	if (h->n == 0)
		return 0;
	rank = (uint64_t)(p / 100 * (double)h->n + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HISTOGRAM_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	if (i < HISTOGRAM_SUB)
		return i;
	group = i / HISTOGRAM_SUB;
	low = (uint64_t)(HISTOGRAM_SUB + i % HISTOGRAM_SUB) << (group - 1);
	width = UINT64_C(1) << (group - 1);
	return (double)(low + width / 2 < h->max ? low + width / 2 : h->max);
}
