/* test-histogram.c - the log-linear latency histogram and SplitMix64. */
#include <stdlib.h>

#include "common/histogram.h"
#include "common/rng.h"
#include "unit.h"

TEST(histogram_exact_and_log_buckets)
{
	struct histogram *h = calloc(1, sizeof *h), *g = calloc(1, sizeof *g);
	uint64_t v;

	CHECK_DBL_NEAR(histogram_percentile(h, 50), 0, 0);
	for (v = 1; v <= 10; v++)
		histogram_add(h, v);
	/* Below 32 every value has its own bucket. */
	CHECK_DBL_NEAR(histogram_percentile(h, 50), 5, 0);
	CHECK_DBL_NEAR(histogram_percentile(h, 100), 10, 0);
	CHECK_INT_EQ(h->max, 10);

	/* 1 ms in ns: the middle of its bucket, within 3 %. */
	histogram_add(g, 1000000);
	CHECK_DBL_NEAR(histogram_percentile(g, 50), 1000000, 1000000 * 0.03);
	/* Never above the largest value seen. */
	CHECK(histogram_percentile(g, 99) <= 1000000);
	/* Beyond 2^44 lands in the last bucket. */
	histogram_add(g, UINT64_C(1) << 62);
	CHECK_INT_EQ(g->bucket[HISTOGRAM_BUCKETS - 1], 1);

	histogram_merge(h, g);
	CHECK_INT_EQ(h->n, 12);
	CHECK(h->max == UINT64_C(1) << 62);
	free(h);
	free(g);
}

TEST(rng_splitmix64)
{
	uint64_t state = 0;

	/* The reference sequence of SplitMix64 seeded with 0. */
	CHECK(rng_next(&state) == UINT64_C(0xe220a8397b1dcdaf));
	CHECK(rng_next(&state) == UINT64_C(0x6e789e6aa1b965f4));
	CHECK(rng_mix64(0) == 0);
}
