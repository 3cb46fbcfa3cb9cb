/* stats.c - small statistics over arrays of numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
stats_sort(double *v, size_t n)
{
	size_t i, j;
	double x;

	if (n > 64) {
		qsort(v, n, sizeof *v, compare_double);
		return;
	}
	/* the few runs of one metric: no call per comparison */
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

double
stats_percentile(double *v, size_t n, double p)
{
	double rank, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, compare_double);
	if (p <= 0)
		return v[0];
	if (p >= 100)
		return v[n - 1];
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)rank;
	frac = rank - (double)lo;
	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + frac * (v[lo + 1] - v[lo]);
}

double
stats_median(double *v, size_t n)
{
	return stats_percentile(v, n, 50);
}

double
stats_mean(const double *v, size_t n)
{
	double sum = 0;
	size_t i;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

double
stats_stddev(const double *v, size_t n)
{
	double m, ss = 0;
	size_t i;

	if (n < 2)
		return 0;
	m = stats_mean(v, n);
	for (i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	return sqrt(ss / (double)(n - 1));
}

double
stats_max(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

double
stats_min(const double *v, size_t n)
{
	double m = n ? v[0] : NAN;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double
stats_slope(const double *x, const double *y, size_t n)
{
	double mx, my, sxy = 0, sxx = 0;
	size_t i;

	if (n < 2)
		return 0;
	mx = stats_mean(x, n);
	my = stats_mean(y, n);
	for (i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	return sxx > 0 ? sxy / sxx : 0;
}

double
stats_cv_pct(const double *v, size_t n)
{
	double m;

	if (n < 2)
		return 0;
	m = stats_mean(v, n);
	if (m == 0)
		return 0;
	return stats_stddev(v, n) / fabs(m) * 100.0;
}

static int
compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

size_t
stats_count_distinct(int64_t *v, size_t n, int sorted)
{
	size_t i, distinct = n > 0;

	if (!sorted && n > 64)
		qsort(v, n, sizeof *v, compare_int64);
	else if (!sorted) {
		/* a lockup group's runs: a few sorted stretches, one per
		 * kind and workload; no call per comparison */
		for (i = 1; i < n; i++) {
			int64_t x = v[i];
			size_t j;

			for (j = i; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	for (i = 1; i < n; i++)
		distinct += v[i] != v[i - 1];
	return distinct;
}

double
stats_normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/*
 * Number of arrangements of m values of a among m + n with U = u, for all
 * u, by the recursion c(u; m, n) = c(u - n; m - 1, n) + c(u; m, n - 1)
 * (the largest value is either an a, beating all n b's, or a b).
 */
static double *
mw_counts(size_t m, size_t n)
{
	size_t umax = m * n, i, j, u;
	double *prev, *cur, *tab;

	/* tab[(j * (umax + 1)) + u] for the current i, j = 0..n */
	prev = calloc((n + 1) * (umax + 1), sizeof *prev);
	cur = calloc((n + 1) * (umax + 1), sizeof *cur);
	if (prev == NULL || cur == NULL) {
		free(prev);
		free(cur);
		return NULL;
	}
	for (j = 0; j <= n; j++)
		prev[j * (umax + 1)] = 1; /* i = 0: only U = 0 */
	for (i = 1; i <= m; i++) {
		for (j = 0; j <= n; j++) {
			for (u = 0; u <= umax; u++) {
				double c = 0;

				if (u >= j)
					c += prev[j * (umax + 1) + u - j];
				if (j > 0)
					c += cur[(j - 1) * (umax + 1) + u];
				cur[j * (umax + 1) + u] = c;
			}
		}
		tab = prev;
		prev = cur;
		cur = tab;
	}
	/* prev holds i = m; keep row j = n */
	tab = malloc((umax + 1) * sizeof *tab);
	if (tab != NULL)
		for (u = 0; u <= umax; u++)
			tab[u] = prev[n * (umax + 1) + u];
	free(prev);
	free(cur);
	return tab;
}

void
stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
    struct mann_whitney *out)
{
	double *sa, *sb;

	memset(out, 0, sizeof *out);
	out->p_greater = out->p_less = out->p_two = 1;
	if (na == 0 || nb == 0)
		return;
	sa = malloc(na * sizeof *sa);
	sb = malloc(nb * sizeof *sb);
	if (sa != NULL && sb != NULL) {
		memcpy(sa, a, na * sizeof *a);
		memcpy(sb, b, nb * sizeof *b);
		stats_sort(sa, na);
		stats_sort(sb, nb);
		stats_mann_whitney_sorted(sa, na, sb, nb, out);
	}
	free(sa);
	free(sb);
}

void
stats_mann_whitney_sorted(const double *a, size_t na, const double *b,
    size_t nb, struct mann_whitney *out)
{
	double u = 0, mu, sigma2, z, ties = 0, total, le = 0, ge = 0, prev = 0;
	size_t i, j, lt = 0, le_b = 0, n = na + nb, k, run = 0;
	double *counts;
	int tied = 0;

	memset(out, 0, sizeof *out);
	out->p_greater = out->p_less = out->p_two = 1;
	if (na == 0 || nb == 0)
		return;
	/* U: for each a, the b's below it and half the b's equal to it */
	for (i = 0; i < na; i++) {
		while (lt < nb && b[lt] < a[i])
			lt++;
		if (le_b < lt)
			le_b = lt;
		while (le_b < nb && b[le_b] <= a[i])
			le_b++;
		u += (double)lt + 0.5 * (double)(le_b - lt);
	}
	out->u = u;
	/* Runs of equal values in the merged order: ties within a sample
	 * matter too for the variance. */
	for (i = j = k = 0; k < n; k++) {
		double x = j >= nb || (i < na && a[i] <= b[j]) ? a[i++] :
		    b[j++];

		if (k > 0 && x == prev)
			run++;
		else {
			if (run > 1) {
				ties += pow((double)run, 3) - (double)run;
				tied = 1;
			}
			run = 1;
		}
		prev = x;
	}
	if (run > 1) {
		ties += pow((double)run, 3) - (double)run;
		tied = 1;
	}
	if (!tied && n <= 60 && (counts = mw_counts(na, nb)) != NULL) {
		total = 0;
		for (k = 0; k <= na * nb; k++) {
			total += counts[k];
			if ((double)k <= u)
				le += counts[k];
			if ((double)k >= u)
				ge += counts[k];
		}
		free(counts);
		out->p_less = le / total;
		out->p_greater = ge / total;
		out->exact = 1;
	} else {
		mu = (double)na * (double)nb / 2.0;
		sigma2 = (double)na * (double)nb / 12.0 * (((double)n + 1) -
		    ties / ((double)n * ((double)n - 1)));
		if (sigma2 <= 0)
			return;
		z = (u - mu - 0.5) / sqrt(sigma2);
		out->p_greater = stats_normal_sf(z);
		z = (u - mu + 0.5) / sqrt(sigma2);
		out->p_less = 1 - stats_normal_sf(z);
	}
	out->p_two = 2 * (out->p_greater < out->p_less ? out->p_greater :
	    out->p_less);
	if (out->p_two > 1)
		out->p_two = 1;
}

double
stats_normal_isf(double p)
{
	double lo = -40, hi = 40, mid;
	int i;

	/* bisection on erfc: 100 halvings of 80 are below double precision,
	 * and the callers ask a handful of times per comparison */
	for (i = 0; i < 100; i++) {
		mid = (lo + hi) / 2;
		if (stats_normal_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

long
stats_mw_critical(size_t na, size_t nb, double alpha)
{
	double *counts, total = 0, cum = 0, mu, sigma;
	long k = -1;
	size_t u;

	if (na == 0 || nb == 0)
		return -1;
	if (na + nb <= 60 && (counts = mw_counts(na, nb)) != NULL) {
		for (u = 0; u <= na * nb; u++)
			total += counts[u];
		for (u = 0; u <= na * nb; u++) {
			cum += counts[u];
			/* a relative slack: the counts are exact integers,
			 * the sums of large ones are not */
			if (cum / total > alpha * (1 + 1e-12))
				break;
			k = (long)u;
		}
		free(counts);
		return k;
	}
	/* P(U <= k) ~ Phi((k + 0.5 - mu) / sigma) <= alpha */
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb * (double)(na + nb + 1) / 12);
	return (long)floor(mu - 0.5 - stats_normal_isf(alpha) * sigma);
}

/*
 * The k-th smallest of v[lo..hi] (inclusive) into v[k], v partitioned
 * around it (Hoare's FIND): a comparison against every build of a large
 * database has thousands of pairwise differences a metric, and needs
 * only three order statistics of them, not their order.
 */
static void
select_kth(double *v, size_t lo, size_t hi, size_t k)
{
	double pivot, x;
	size_t i, j;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				x = v[i];
				v[i] = v[j];
				v[j] = x;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

int
stats_hodges_lehmann_sorted(const double *a, size_t na, const double *b,
    size_t nb, double alpha, struct stats_shift *out)
{
	size_t i, j, n = na * nb, half, k;
	double *d, lower;

	out->estimate = 0;
	out->lo = -INFINITY;
	out->hi = INFINITY;
	out->k = -1;
	if (n == 0)
		return 0;
	if ((d = malloc(n * sizeof *d)) == NULL)
		return -1;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[i * nb + j] = b[j] - a[i];
	half = n / 2;
	select_kth(d, 0, n - 1, half);
	out->estimate = d[half];
	if (n % 2 == 0) {
		/* the lower middle is the largest of the left part now */
		lower = d[0];
		for (i = 1; i < half; i++)
			if (d[i] > lower)
				lower = d[i];
		out->estimate = (lower + out->estimate) / 2;
	}
	out->k = stats_mw_critical(na, nb, alpha);
	if (out->k >= 0 && (size_t)out->k < half) {
		k = (size_t)out->k;
		/* d is partitioned around the middle: each end in its half */
		select_kth(d, 0, half - 1, k);
		out->lo = d[k];
		select_kth(d, half, n - 1, n - 1 - k);
		out->hi = d[n - 1 - k];
	}
	free(d);
	return 0;
}

double
stats_mw_runs_needed(double sd, double delta, double alpha)
{
	double z;

	if (sd <= 0 || delta == 0 || !isfinite(sd) || !isfinite(delta))
		return 0;
	z = stats_normal_isf(alpha) + stats_normal_isf(0.2);
	return 2 * z * z * sd * sd / (delta * delta) * M_PI / 3;
}
