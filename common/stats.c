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
 * u: the coefficients of the Gaussian binomial [m + n choose m](q) =
 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), one multiplication and one
 * division by a binomial per i, O(m (m n)).  (The recursion c(u; m, n) =
 * c(u - n; m - 1, n) + c(u; m, n - 1) is O(m n (m n)): 3 ms at 30 runs a
 * side, and a comparison asks twice, for p and for the interval.)  The
 * counts stay integers below 2^53 for m + n <= 60, so the doubles are
 * exact and equal the recursion's.
 */
static double *
mw_counts(size_t m, size_t n)
{
	size_t umax = m * n, i, u;
	double *c = calloc(umax + 1, sizeof *c);

	if (c == NULL)
		return NULL;
	c[0] = 1;
	for (i = 1; i <= m; i++) {
		/* times (1 - q^(n+i)), from the top down */
		for (u = umax; u >= n + i; u--)
			c[u] -= c[u - n - i];
		/* over (1 - q^i), from the bottom up */
		for (u = i; u <= umax; u++)
			c[u] += c[u - i];
	}
	return c;
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

/*
 * Acklam's rational approximation of the normal quantile (relative error
 * 1.2e-9), then one Halley step on erfc, which leaves double precision:
 * one erfc and one exp, where a bisection took a hundred erfc calls and
 * was a tenth of `regressions` (every comparison asks for its interval).
 */
double
stats_normal_isf(double p)
{
	static const double a[] = { -3.969683028665376e+01,
	    2.209460984245205e+02, -2.759285104469687e+02,
	    1.383577518672690e+02, -3.066479806614716e+01,
	    2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
	    1.615858368580409e+02, -1.556989798598866e+02,
	    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
	    -3.223964580411365e-01, -2.400758277161838e+00,
	    -2.549732539343734e+00, 4.374664141464968e+00,
	    2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
	    3.224671290700398e-01, 2.445134137142996e+00,
	    3.754408661907416e+00 };
	double q, r, x, e, u, lower = 1 - p;    /* the lower-tail quantile */

	if (!(p > 0))
		return INFINITY;
	if (!(p < 1))
		return -INFINITY;
	if (lower < 0.02425 || lower > 1 - 0.02425) {
		q = sqrt(-2 * log(lower < 0.5 ? lower : p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
		if (lower > 0.5)
			x = -x;
	} else {
		q = lower - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
		    r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r +
		    b[3]) * r + b[4]) * r + 1);
	}
	/* Halley on cdf(x) = 1 - p; cdf(x) - (1 - p) is p - sf(x), which
	 * keeps the digits of a small p */
	e = p - stats_normal_sf(x);
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	x = x - u / (1 + x * u / 2);
	return x;
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

/* The k-th smallest of v[lo..hi] (inclusive) into v[k] (Hoare's FIND). */
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

/*
 * Order statistics of the na x nb differences b[j] - a[i] of two sorted
 * samples without forming them all.  Row i's differences grow with j and
 * shrink as i grows (rounding is monotonic too), so how many lie below a
 * value is one walk of two pointers, O(na + nb), not na nb (the idea of
 * Monahan's Hodges-Lehmann algorithm, ACM TOMS 616).  A rank is found by
 * narrowing a value bracket with such counts until few differences are
 * left inside; those are formed and selected.  Every count is kept, so
 * the median's bracket starts the interval ends' searches.
 * bench/README.md ("regressions and the rank-based rule") has the cost.
 */
#define DIFFS_SMALL 128         /* left in the bracket: form and select */
#define DIFFS_PROBES 48         /* counts kept; also the search's limit */

struct diffs_probe {
	double x;
	size_t lt, le;          /* differences < x and <= x */
	double below, above;    /* the nearest differences < x and > x */
};

struct diffs {
	const double *a, *b;
	size_t na, nb, n;
	struct diffs_probe probe[DIFFS_PROBES + 1];   /* + the count at 0 */
	size_t nprobes;
};

/* Counts the differences below x (and equal to it) as a new probe. */
static const struct diffs_probe *
diffs_count(struct diffs *d, double x)
{
	struct diffs_probe *p = &d->probe[d->nprobes++];
	const double *a = d->a, *b = d->b;
	size_t i, jl = 0, je = 0, nb = d->nb, lt = 0, le = 0;
	double below = -INFINITY, above = INFINITY;

	for (i = 0; i < d->na; i++) {
		while (jl < nb && b[jl] - a[i] < x)
			jl++;
		if (je < jl)
			je = jl;
		while (je < nb && b[je] - a[i] <= x)
			je++;
		if (jl > 0 && b[jl - 1] - a[i] > below)
			below = b[jl - 1] - a[i];
		if (je < nb && b[je] - a[i] < above)
			above = b[je] - a[i];
		if (jl == nb) {
			/* this row and every later one: all below x, none
			 * nearer to it than this row's last */
			lt += (d->na - i) * nb;
			le += (d->na - i) * nb;
			break;
		}
		lt += jl;
		le += je;
	}
	p->x = x;
	p->lt = lt;
	p->le = le;
	p->below = below;
	p->above = above;
	return p;
}

/* How many differences are below x (or equal, with or_equal): one
 * pointer, no probe kept, for a question asked once. */
static size_t
diffs_count_below(const struct diffs *d, double x, int or_equal)
{
	size_t i, j = 0, c = 0;

	for (i = 0; i < d->na; i++) {
		if (or_equal)
			while (j < d->nb && d->b[j] - d->a[i] <= x)
				j++;
		else
			while (j < d->nb && d->b[j] - d->a[i] < x)
				j++;
		if (j == d->nb)
			return c + (d->na - i) * d->nb;
		c += j;
	}
	return c;
}

/* The differences strictly between lo and hi into out. */
static size_t
diffs_collect(const struct diffs *d, double lo, double hi, double *out)
{
	size_t i, j, jl = 0, jh = 0, n = 0;

	for (i = 0; i < d->na; i++) {
		while (jl < d->nb && d->b[jl] - d->a[i] <= lo)
			jl++;
		if (jh < jl)
			jh = jl;
		while (jh < d->nb && d->b[jh] - d->a[i] < hi)
			jh++;
		for (j = jl; j < jh; j++)
			out[n++] = d->b[j] - d->a[i];
	}
	return n;
}

/*
 * A search for rank r: the differences in (lo, hi) are ranks clo ..
 * chi - 1, r among them, and all lie in [first, last] (differences
 * themselves: a value between two probes' nearest ones is no use).
 */
struct diffs_bracket {
	double lo, hi, first, last;
	size_t clo, chi;
	int stale;              /* >0: lo moved last twice; <0: hi did */
};

/* Narrows k by probe p; 1 when p is the rank's value. */
static int
diffs_narrow(struct diffs_bracket *k, const struct diffs_probe *p, size_t r)
{
	if (p->lt <= r && r < p->le)
		return 1;
	if (p->le <= r && p->x >= k->lo) {
		k->lo = p->x;
		k->clo = p->le;
		k->first = p->above;
		k->stale = k->stale > 0 ? k->stale + 1 : 1;
	} else if (p->lt > r && p->x <= k->hi) {
		k->hi = p->x;
		k->chi = p->lt;
		k->last = p->below;
		k->stale = k->stale < 0 ? k->stale - 1 : -1;
	}
	return 0;
}

/*
 * Where to count next: the rank's place between the bracket's nearest
 * differences, interpolated in value (a distribution function is nearly
 * straight over a narrow bracket).  When one end keeps moving the other
 * is stale (regula falsi's stall): aim past the rank to move it.  Ties
 * make the ends differences themselves, where a count decides at once.
 */
static double
diffs_pivot(const struct diffs_bracket *k, size_t r)
{
	double t = ((double)(r - k->clo) + 0.5) / (double)(k->chi - k->clo);
	double x;

	if (k->stale > 1)
		t += (1 - t) / 2;
	else if (k->stale < -1)
		t /= 2;
	x = k->first + t * (k->last - k->first);
	return x < k->first ? k->first : x > k->last ? k->last : x;
}

/* The difference of rank r (0-based), and of rank r - 1 into *prev when
 * prev is not NULL (the middle of an even count); guess: a first probe,
 * or NAN. */
static double
diffs_select(struct diffs *d, size_t r, double guess, double *prev)
{
	struct diffs_bracket k = { -INFINITY, INFINITY,
	    d->b[0] - d->a[d->na - 1], d->b[d->nb - 1] - d->a[0], 0, d->n, 0 };
	const struct diffs_probe *p;
	double small[DIFFS_SMALL], *v, x;
	size_t i, m;

	for (i = 0; i < d->nprobes; i++)
		if (diffs_narrow(&k, p = &d->probe[i], r))
			goto found;
	while (k.chi - k.clo > DIFFS_SMALL && d->nprobes < DIFFS_PROBES) {
		x = guess >= k.first && guess <= k.last ? guess :
		    diffs_pivot(&k, r);
		guess = NAN;
		p = diffs_count(d, x);
		if (diffs_narrow(&k, p, r))
			goto found;
	}
	m = k.chi - k.clo;
	v = m <= DIFFS_SMALL ? small : malloc(m * sizeof *v);
	if (v == NULL)
		return NAN;
	diffs_collect(d, k.lo, k.hi, v);
	select_kth(v, 0, m - 1, r - k.clo);
	x = v[r - k.clo];
	if (prev != NULL && r > k.clo) {
		/* rank r - 1: the largest of the part left of r */
		*prev = v[0];
		for (i = 1; i < r - k.clo; i++)
			if (v[i] > *prev)
				*prev = v[i];
		prev = NULL;
	}
	if (v != small)
		free(v);
	if (prev != NULL)
		*prev = diffs_select(d, r - 1, NAN, NULL);
	return x;
found:
	x = p->x;
	if (prev != NULL)
		*prev = diffs_select(d, r - 1, NAN, NULL);
	return x;
}

/* A normal sd from the quartiles of sorted v: robust, and no pass. */
static double
quartile_spread(const double *v, size_t n)
{
	return (v[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1] - v[n / 4]) / 1.349;
}

static void
diffs_init(struct diffs *d, const double *a, size_t na, const double *b,
    size_t nb)
{
	d->a = a;
	d->b = b;
	d->na = na;
	d->nb = nb;
	d->n = na * nb;
	d->nprobes = 0;
}

/* The median of d's differences, searched with the counts d has. */
static double
diffs_median(struct diffs *d)
{
	double lower, x;

	/* the difference of the medians is near theirs (a shift), and is a
	 * difference: with ties it is often the one */
	x = diffs_select(d, d->n / 2, d->b[d->nb / 2] - d->a[d->na / 2],
	    d->n % 2 == 0 ? &lower : NULL);
	return d->n % 2 == 0 ? (lower + x) / 2 : x;
}

static void
shift_init(struct stats_shift *out)
{
	out->estimate = 0;
	out->lo = -INFINITY;
	out->hi = INFINITY;
	out->k = -1;
	out->side = 0;
	out->sign = 0;
	out->within = 0;
}

int
stats_hodges_lehmann_sorted(const double *a, size_t na, const double *b,
    size_t nb, double alpha, struct stats_shift *out)
{
	struct diffs d;
	size_t n = na * nb, k;
	double spread;

	shift_init(out);
	if (n == 0)
		return 0;
	diffs_init(&d, a, na, b, nb);
	out->estimate = diffs_median(&d);
	out->k = stats_mw_critical(na, nb, alpha);
	if (out->k >= 0 && (size_t)out->k < n / 2) {
		k = (size_t)out->k;
		/* first probes where a normal spread puts the ends: the
		 * differences scatter by sqrt(sd_a^2 + sd_b^2), each sd from
		 * the quartiles */
		spread = stats_normal_isf(((double)k + 0.5) / (double)n) *
		    hypot(quartile_spread(a, na), quartile_spread(b, nb));
		out->lo = diffs_select(&d, k, out->estimate - spread, NULL);
		out->hi = diffs_select(&d, n - 1 - k, out->estimate + spread,
		    NULL);
		out->side = out->lo > 0 ? 1 : out->hi < 0 ? -1 : 0;
	}
	out->sign = out->estimate > 0 ? 1 : out->estimate < 0 ? -1 : 0;
	return isnan(out->estimate) || isnan(out->lo) || isnan(out->hi) ?
	    -1 : 0;
}

/* The sign of the median of d's differences from the count at 0, or 2
 * when its two middle ones straddle 0. */
static int
median_sign(const struct diffs_probe *zero, size_t n)
{
	size_t rlo = n % 2 ? n / 2 : n / 2 - 1, rhi = n / 2;

	if (zero->le <= rlo)
		return 1;
	if (zero->lt > rhi)
		return -1;
	if (zero->lt <= rlo && zero->le > rhi)
		return 0;
	return 2;
}

int
stats_hodges_lehmann_side(const double *a, size_t na, const double *b,
    size_t nb, double alpha, double lo_bound, double hi_bound,
    struct stats_shift *out)
{
	struct diffs d;
	const struct diffs_probe *zero;
	size_t n = na * nb, k, rlo = n % 2 ? n / 2 : n / 2 - 1;

	shift_init(out);
	if (n == 0)
		return 0;
	diffs_init(&d, a, na, b, nb);
	/* D(k+1) > 0 when at most k differences are <= 0, and D(n-k) < 0
	 * when at most k are >= 0 */
	zero = diffs_count(&d, 0);
	out->k = stats_mw_critical(na, nb, alpha);
	if (out->k >= 0 && (size_t)out->k < n / 2) {
		k = (size_t)out->k;
		out->side = zero->le <= k ? 1 : n - zero->lt <= k ? -1 : 0;
	}
	/* both middle differences within the bounds: so is their mean */
	out->sign = median_sign(zero, n);
	out->within = out->sign != 2 &&
	    diffs_count_below(&d, lo_bound, 0) <= rlo &&
	    diffs_count_below(&d, hi_bound, 1) > n / 2;
	if (out->within) {
		out->estimate = NAN;
		return 0;
	}
	out->estimate = diffs_median(&d);
	out->sign = out->estimate > 0 ? 1 : out->estimate < 0 ? -1 : 0;
	return isnan(out->estimate) ? -1 : 0;
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
