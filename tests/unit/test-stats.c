/* test-stats.c - percentiles, mean, stddev, slope against known values. */
#include <math.h>

#include "stats.h"
#include "unit.h"

TEST(stats_percentiles_match_numpy_linear)
{
	double v[] = { 15, 20, 35, 40, 50 };

	/* numpy.percentile([15,20,35,40,50], [40, 50, 99, 100]) */
	CHECK_DBL_NEAR(stats_percentile(v, 5, 40), 29.0, 1e-9);
	CHECK_DBL_NEAR(stats_percentile(v, 5, 50), 35.0, 1e-9);
	CHECK_DBL_NEAR(stats_percentile(v, 5, 99), 49.6, 1e-9);
	CHECK_DBL_NEAR(stats_percentile(v, 5, 100), 50.0, 1e-9);
	CHECK(isnan(stats_percentile(v, 0, 50)));
}

TEST(stats_median_even_count_sorts)
{
	double v[] = { 4, 1, 3, 2 };

	CHECK_DBL_NEAR(stats_median(v, 4), 2.5, 1e-12);
	CHECK_DBL_NEAR(v[0], 1, 0);
}

TEST(stats_mean_stddev_sample)
{
	double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	CHECK_DBL_NEAR(stats_mean(v, 8), 5.0, 1e-12);
	/* sample stddev (n-1): sqrt(32/7) */
	CHECK_DBL_NEAR(stats_stddev(v, 8), 2.138089935299395, 1e-12);
	CHECK_DBL_NEAR(stats_stddev(v, 1), 0, 0);
	CHECK_DBL_NEAR(stats_max(v, 8), 9, 0);
	CHECK_DBL_NEAR(stats_min(v, 8), 2, 0);
}

TEST(stats_slope_of_a_line)
{
	double x[] = { 1, 2, 4, 8 }, y[] = { 3, 5, 9, 17 };

	CHECK_DBL_NEAR(stats_slope(x, y, 4), 2.0, 1e-12);
	CHECK_DBL_NEAR(stats_slope(x, y, 1), 0.0, 0);
}
