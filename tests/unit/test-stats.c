/* test-stats.c - percentiles, mean, stddev, slope against known values. */
#include <math.h>
#include <stdlib.h>

#include "common/stats.h"
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

TEST(stats_mann_whitney_exact_small_cases)
{
	double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	struct mann_whitney mw;

	/* Complete separation with 3 + 3: one arrangement in C(6,3) = 20. */
	stats_mann_whitney(b, 3, a, 3, &mw);
	CHECK(mw.exact);
	CHECK_DBL_NEAR(mw.u, 9, 0);
	CHECK_DBL_NEAR(mw.p_greater, 1.0 / 20, 1e-12);
	CHECK_DBL_NEAR(mw.p_two, 0.1, 1e-12);
	stats_mann_whitney(a, 3, b, 3, &mw);
	CHECK_DBL_NEAR(mw.u, 0, 0);
	CHECK_DBL_NEAR(mw.p_less, 1.0 / 20, 1e-12);
	CHECK_DBL_NEAR(mw.p_greater, 1.0, 1e-12);
}

TEST(stats_mann_whitney_matches_enumeration)
{
	/* x = [1.1, 2.3, 3.5, 4.2, 6.0], y = [2.0, 5.1, 5.5, 7.3, 8.8, 9.0]:
	 * U = 6; enumerating all C(11,5) = 462 splits gives 29 with U <= 6,
	 * so p_less = 29/462 and the two-sided p = 58/462 (0.1255). */
	double x[] = { 1.1, 2.3, 3.5, 4.2, 6.0 };
	double y[] = { 2.0, 5.1, 5.5, 7.3, 8.8, 9.0 };
	struct mann_whitney mw;

	stats_mann_whitney(x, 5, y, 6, &mw);
	CHECK(mw.exact);
	CHECK_DBL_NEAR(mw.u, 6, 0);
	CHECK_DBL_NEAR(mw.p_less, 29.0 / 462, 1e-12);
	CHECK_DBL_NEAR(mw.p_two, 58.0 / 462, 1e-12);
}

TEST(stats_mann_whitney_ties_use_normal_approximation)
{
	double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 4, 5 };
	struct mann_whitney mw;

	stats_mann_whitney(a, 4, b, 4, &mw);
	CHECK(!mw.exact);
	CHECK_DBL_NEAR(mw.u, 2.5, 1e-12);
	CHECK(mw.p_two > 0.05 && mw.p_two < 0.2);
}

/* U and the tie term counted pair by pair, as the definition reads. */
static void
mann_whitney_by_pairs(const double *a, size_t na, const double *b, size_t nb,
    double *u, double *ties)
{
	size_t i, j, eq;

	*u = *ties = 0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			*u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
	/* t^3 - t per distinct value, t its count in both samples */
	for (i = 0; i < na + nb; i++) {
		double x = i < na ? a[i] : b[i - na];
		int first = 1;

		for (j = 0, eq = 0; j < na + nb; j++) {
			double y = j < na ? a[j] : b[j - na];

			if (y == x) {
				eq++;
				if (j < i)
					first = 0;
			}
		}
		if (first)
			*ties += (double)(eq * eq * eq - eq);
	}
}

TEST(stats_mann_whitney_merge_matches_pairs)
{
	/* Small integers so that ties within and across samples are common;
	 * sizes on both sides of the exact test's limit of 60. */
	static const size_t sizes[][2] = { { 3, 3 }, { 5, 7 }, { 30, 31 },
		{ 50, 50 }, { 1, 9 } };
	double a[64], b[64], u, ties, mu, sigma2;
	struct mann_whitney mw;
	size_t s, i, round;

	srandom(7);
	for (round = 0; round < 40; round++) {
		for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			size_t na = sizes[s][0], nb = sizes[s][1], n = na + nb;
			long range = round % 2 ? 1000000 : 12;

			for (i = 0; i < na; i++)
				a[i] = (double)(random() % range);
			for (i = 0; i < nb; i++)
				b[i] = (double)(random() % range) + 1;
			mann_whitney_by_pairs(a, na, b, nb, &u, &ties);
			stats_mann_whitney(a, na, b, nb, &mw);
			CHECK_DBL_NEAR(mw.u, u, 0);
			if (mw.exact) {
				CHECK_DBL_NEAR(ties, 0, 0);
				continue;
			}
			/* the normal approximation with this tie term */
			mu = (double)na * (double)nb / 2;
			sigma2 = (double)na * (double)nb / 12 * ((double)n + 1 -
			    ties / ((double)n * ((double)n - 1)));
			CHECK_DBL_NEAR(mw.p_greater, stats_normal_sf((u - mu -
			    0.5) / sqrt(sigma2)), 0);
		}
	}
}

TEST(stats_cv_and_normal_tail)
{
	double v[] = { 9, 10, 11 };

	CHECK_DBL_NEAR(stats_cv_pct(v, 3), 10.0, 1e-9);
	CHECK_DBL_NEAR(stats_normal_sf(STATS_Z975), 0.025, 1e-9);
	CHECK_DBL_NEAR(stats_normal_sf(0), 0.5, 1e-12);
}

/*
 * The numbers below are bench/stats-rule.check.py's (plain Python: every
 * split enumerated for the exact distribution, every pairwise difference
 * for Hodges-Lehmann), run once:
 *   critical 3 3 0.05 0 / 5 5 0.05 4 / 5 5 0.025 2 / 4 6 0.05 3 /
 *   6 6 0.05 7; normal critical 40,40,.05 628
 *   offline_ms_p50 log HL 1.776799113 [0.123157774, 1.895697726]
 *   runs_needed(1,1,.05) 12.948717587007822, isf .05 1.6448536269514715
 */
TEST(stats_mw_critical_matches_enumeration)
{
	CHECK_INT_EQ(stats_mw_critical(3, 3, 0.05), 0);  /* 1/20 = 0.05 */
	CHECK_INT_EQ(stats_mw_critical(5, 5, 0.05), 4);  /* 12/252 */
	CHECK_INT_EQ(stats_mw_critical(5, 5, 0.025), 2); /* 4/252 */
	CHECK_INT_EQ(stats_mw_critical(4, 6, 0.05), 3);
	CHECK_INT_EQ(stats_mw_critical(6, 6, 0.05), 7);
	CHECK_INT_EQ(stats_mw_critical(2, 2, 0.05), -1); /* 1/6 */
	CHECK_INT_EQ(stats_mw_critical(40, 40, 0.05), 628); /* normal */
	CHECK_INT_EQ(stats_mw_critical(0, 5, 0.05), -1);
}

TEST(stats_hodges_lehmann_on_real_runs)
{
	/* offline_ms_p50 of tests/fixtures/runs/two-builds.jsonl, logs */
	double a[] = { 43.9174, 45.17126, 45.57421, 53.93314, 58.82356 };
	double b[] = { 49.67334, 267.00307, 286.9398, 292.36655, 363.21704 };
	struct stats_shift s;
	size_t i;

	for (i = 0; i < 5; i++) {
		a[i] = log(a[i]);
		b[i] = log(b[i]);
	}
	CHECK_INT_EQ(stats_hodges_lehmann_sorted(a, 5, b, 5, 0.05, &s), 0);
	CHECK_DBL_NEAR(s.estimate, 1.776799113, 1e-8);
	CHECK_DBL_NEAR(s.lo, 0.123157774, 1e-8);
	CHECK_DBL_NEAR(s.hi, 1.895697726, 1e-8);
	CHECK_INT_EQ(s.k, 4);
	/* the other way round: the same interval, negated */
	stats_hodges_lehmann_sorted(b, 5, a, 5, 0.05, &s);
	CHECK_DBL_NEAR(s.estimate, -1.776799113, 1e-8);
	CHECK_DBL_NEAR(s.hi, -0.123157774, 1e-8);
}

TEST(stats_hodges_lehmann_small_and_even)
{
	double a[] = { 1, 2 }, b[] = { 4, 6 };
	struct stats_shift s;

	/* differences 2 3 4 5: median 3.5; 2 + 2 gives no 90 % interval */
	stats_hodges_lehmann_sorted(a, 2, b, 2, 0.05, &s);
	CHECK_DBL_NEAR(s.estimate, 3.5, 1e-12);
	CHECK(isinf(s.lo) && s.lo < 0 && isinf(s.hi) && s.hi > 0);
	stats_hodges_lehmann_sorted(a, 0, b, 2, 0.05, &s);
	CHECK_DBL_NEAR(s.estimate, 0, 0);
}

TEST(stats_runs_needed_and_normal_quantile)
{
	CHECK_DBL_NEAR(stats_normal_isf(0.05), 1.6448536269514715, 1e-9);
	CHECK_DBL_NEAR(stats_normal_isf(0.5), 0, 1e-12);
	CHECK_DBL_NEAR(stats_mw_runs_needed(1, 1, 0.05), 12.948717587007822,
	    1e-6);
	/* half the shift, four times the runs */
	CHECK_DBL_NEAR(stats_mw_runs_needed(1, 0.5, 0.05),
	    4 * 12.948717587007822, 1e-5);
	CHECK_DBL_NEAR(stats_mw_runs_needed(0, 1, 0.05), 0, 0);
	CHECK_DBL_NEAR(stats_mw_runs_needed(1, 0, 0.05), 0, 0);
}

static int
cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The estimate and interval of sorted a and b equal those of a full
 * sort of their differences (at most 80 a side). */
static void
check_against_sort(const double *a, size_t na, const double *b, size_t nb)
{
	static double d[6400];
	struct stats_shift s;
	size_t i, j, n = na * nb, k;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[i * nb + j] = b[j] - a[i];
	qsort(d, n, sizeof *d, cmp_dbl);
	CHECK_INT_EQ(stats_hodges_lehmann_sorted(a, na, b, nb, 0.05, &s), 0);
	CHECK_DBL_NEAR(s.estimate, n % 2 ? d[n / 2] :
	    (d[n / 2 - 1] + d[n / 2]) / 2, 0);
	if (s.k >= 0 && (size_t)s.k < n / 2) {
		k = (size_t)s.k;
		CHECK_DBL_NEAR(s.lo, d[k], 0);
		CHECK_DBL_NEAR(s.hi, d[n - 1 - k], 0);
	} else
		CHECK(isinf(s.lo) && isinf(s.hi));
}

/* The three order statistics by selection equal those of a full sort,
 * with ties, odd and even counts, and sizes past the exact table. */
TEST(stats_hodges_lehmann_selection_matches_sort)
{
	static double a[70], b[70];
	size_t na, nb, i, j, trial;
	unsigned seed = 12345;

	for (trial = 0; trial < 300; trial++) {
		na = 1 + (size_t)rand_r(&seed) % 70;
		nb = 1 + (size_t)rand_r(&seed) % 70;
		for (i = 0; i < na; i++)   /* few distinct values: ties */
			a[i] = (double)(rand_r(&seed) % (trial % 3 ? 1000 : 4));
		for (j = 0; j < nb; j++)
			b[j] = (double)(rand_r(&seed) % (trial % 3 ? 1000 : 4));
		stats_sort(a, na);
		stats_sort(b, nb);
		check_against_sort(a, na, b, nb);
	}
}

/* The bracket search against a full sort on continuous values: logs of
 * skewed runs, a far outlier on either side, sides of 1 to 80 runs, and
 * samples so far apart that no difference is near another. */
TEST(stats_hodges_lehmann_search_matches_sort_continuous)
{
	static double a[80], b[80];
	size_t na, nb, i, j, trial;
	unsigned seed = 777;

	for (trial = 0; trial < 400; trial++) {
		na = 1 + (size_t)rand_r(&seed) % 80;
		nb = 1 + (size_t)rand_r(&seed) % 80;
		for (i = 0; i < na; i++)
			a[i] = log(1 + rand_r(&seed) % 100000 / 1000.0);
		for (j = 0; j < nb; j++)
			b[j] = log(1 + rand_r(&seed) % 100000 / 1000.0) +
			    (trial % 4 == 1 ? 0.2 : trial % 4 == 2 ? 50 : 0);
		if (trial % 5 == 3)
			a[0] = 1e6;     /* an outlier */
		if (trial % 7 == 4)
			b[nb - 1] = -1e6;
		stats_sort(a, na);
		stats_sort(b, nb);
		check_against_sort(a, na, b, nb);
	}
}

/* The exact counts of U (Gaussian binomial) against the recursion's
 * known values, up to the largest exact table, 30 + 30. */
TEST(stats_mw_counts_exact_to_sixty)
{
	struct mann_whitney mw;
	double a[30], b[30];
	size_t i;

	for (i = 0; i < 30; i++) {
		a[i] = (double)(2 * i);
		b[i] = (double)(2 * i + 1);
	}
	/* interleaved: U = 435 of 900; P(U <= 435) from the exact table */
	stats_mann_whitney_sorted(a, 30, b, 30, &mw);
	CHECK(mw.exact);
	CHECK_DBL_NEAR(mw.u, 435, 0);
	/* P(U = 435) = 0.0057154722701149 by the recursion (Python) */
	CHECK_DBL_NEAR(mw.p_less + mw.p_greater, 1.0057154722701149, 1e-12);
	CHECK_INT_EQ(stats_mw_critical(30, 30, 0.05), 338);
	CHECK_INT_EQ(stats_mw_critical(10, 16, 0.05), 48);
}

/* What a decision reads without the interval's ends equals what the
 * ends and the estimate say: the side of 0, the estimate's sign, and
 * "within" only when the estimate is inside the bounds. */
TEST(stats_hodges_lehmann_side_matches_full)
{
	static double a[60], b[60];
	struct stats_shift full, side;
	size_t na, nb, i, trial;
	unsigned seed = 99;
	double lo, hi;

	for (trial = 0; trial < 600; trial++) {
		na = 1 + (size_t)rand_r(&seed) % 60;
		nb = 1 + (size_t)rand_r(&seed) % 60;
		for (i = 0; i < na; i++)
			a[i] = trial % 3 ? rand_r(&seed) % 1000 / 100.0 :
			    (double)(rand_r(&seed) % 3);
		for (i = 0; i < nb; i++)
			b[i] = (trial % 3 ? rand_r(&seed) % 1000 / 100.0 :
			    (double)(rand_r(&seed) % 3)) + (double)(trial % 5) - 2;
		stats_sort(a, na);
		stats_sort(b, nb);
		lo = -(double)(trial % 4);
		hi = (double)(trial % 7) / 2;
		stats_hodges_lehmann_sorted(a, na, b, nb, 0.05, &full);
		stats_hodges_lehmann_side(a, na, b, nb, 0.05, lo, hi, &side);
		CHECK_INT_EQ(side.side, full.side);
		CHECK_INT_EQ(side.k, full.k);
		CHECK_INT_EQ(side.sign, full.sign);
		if (side.within)
			CHECK(full.estimate >= lo && full.estimate <= hi);
		else
			CHECK_DBL_NEAR(side.estimate, full.estimate, 0);
	}
}
