/*
 * stats-rule.c - how often the comparison rule (analysis/compare.c,
 * metric_cmp_decide: the code compare, regressions, verdict and reports
 * run) cries wolf, and how often it sees a real change, on resampled
 * real runs.  bench/stats-rule.sh feeds it the fixtures' runs, one line
 * per build x workload x metric: "NAME v1 v2 ...".
 *
 *   A/A real    5 vs 5 drawn without replacement from one build's own
 *               runs (groups with 10+ runs): no modelling at all.
 *   A/A shapes  5 vs 5 from one group's shape (its log residuals over
 *               their sd, smoothed with a little Gaussian noise so that
 *               resampling makes no ties) scaled to a CV.
 *   power       the same draws with the new side's values times 1 + X.
 *
 * Each line: the share of trials marked regression / improvement, and
 * where the data could not decide; the old rule (mean +- 1.96 sd
 * intervals disjoint AND one-sided Mann-Whitney p <= 0.05, |mean
 * change| beyond the threshold) beside it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/stats.h"
#include "common/util.h"

#define MAXV      64
#define THRESHOLD 5.0
#define SMOOTH    0.25   /* bandwidth in units of the shape's sd */

struct group {
	char name[128];
	double v[MAXV];
	size_t n;
	double z[MAXV];   /* log residuals over their sd */
	double log_sd;
};

struct tally {
	long trials, reg, imp, noisy, old_reg, old_imp;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double u = uniform(), w = uniform();

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * w);
}

static void
describe(struct cmp_side *s, const double *v, size_t n)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	s->mean = stats_mean(v, n);
	s->sd = stats_stddev(v, n);
	s->cv_pct = stats_cv_pct(v, n);
	s->ci_lo = s->mean - STATS_Z975 * s->sd;
	s->ci_hi = s->mean + STATS_Z975 * s->sd;
}

/* One comparison of a against b (lower is better), by both rules. */
static void
judge_both(struct tally *t, double *a, size_t na, double *b, size_t nb)
{
	struct metric_cmp m;
	struct mann_whitney mw;
	double p;
	int old_sig;

	memset(&m, 0, sizeof m);
	describe(&m.base, a, na);
	describe(&m.new, b, nb);
	stats_sort(a, na);
	stats_sort(b, nb);
	metric_cmp_decide(&m, a, na, b, nb, THRESHOLD);
	t->trials++;
	t->reg += m.mark == CMP_REGRESSION;
	t->imp += m.mark == CMP_IMPROVEMENT;
	t->noisy += m.doubt != CMP_DECIDED;
	/* the rule before (git log analysis/compare.c) */
	stats_mann_whitney_sorted(b, nb, a, na, &mw);
	p = m.new.mean >= m.base.mean ? mw.p_greater : mw.p_less;
	old_sig = m.ci_disjoint && p <= 0.05 && fabs(m.change_pct) > THRESHOLD;
	t->old_reg += old_sig && m.change_pct > 0;
	t->old_imp += old_sig && m.change_pct < 0;
}

/* One value from a group's shape at log sd sigma, smoothed. */
static double
draw(const struct group *g, double sigma)
{
	double z = g->z[(size_t)(uniform() * (double)g->n)];

	return exp(sigma * (z + SMOOTH * gauss()) / sqrt(1 + SMOOTH * SMOOTH));
}

static void
print_row(const char *what, const struct tally *t)
{
	double n = (double)t->trials;

	printf("| %-28s | %6ld | %5.1f %% | %5.1f %% | %5.1f %% | %5.1f %% | "
	    "%5.1f %% | %5.1f %% |\n", what, t->trials, 100 * t->reg / n,
	    100 * t->imp / n, 100 * t->noisy / n,
	    100 * (n - t->reg - t->imp - t->noisy) / n, 100 * t->old_reg / n,
	    100 * t->old_imp / n);
}

/* 5 vs 5 without replacement from each group with 10+ real runs. */
static void
aa_real(const struct group *gs, size_t ng, size_t n, long reps)
{
	struct tally t = { 0 };
	double pool[MAXV], a[MAXV], b[MAXV], x;
	size_t i, j, k;
	long r;
	char what[64];

	for (i = 0; i < ng; i++) {
		if (gs[i].n < 2 * n)
			continue;
		for (r = 0; r < reps; r++) {
			memcpy(pool, gs[i].v, gs[i].n * sizeof *pool);
			for (j = 0; j < 2 * n; j++) {   /* partial shuffle */
				k = j + (size_t)(uniform() * (double)(gs[i].n -
				    j));
				x = pool[j];
				pool[j] = pool[k];
				pool[k] = x;
			}
			memcpy(a, pool, n * sizeof *a);
			memcpy(b, pool + n, n * sizeof *b);
			judge_both(&t, a, n, b, n);
		}
	}
	snprintf(what, sizeof what, "A/A real runs, %zu vs %zu", n, n);
	print_row(what, &t);
}

/* n vs n from random groups' shapes at a CV; new side times factor. */
static void
shapes(const struct group *gs, size_t ng, size_t n, double cv_pct,
    double change_pct, long reps)
{
	struct tally t = { 0 };
	double a[MAXV], b[MAXV], sigma = sqrt(log1p(cv_pct * cv_pct / 1e4));
	const struct group *g;
	size_t j;
	long r;
	char what[64];

	for (r = 0; r < reps; r++) {
		g = &gs[(size_t)(uniform() * (double)ng)];
		for (j = 0; j < n; j++) {
			a[j] = draw(g, sigma);
			b[j] = draw(g, sigma) * (1 + change_pct / 100);
		}
		judge_both(&t, a, n, b, n);
	}
	if (change_pct == 0)
		snprintf(what, sizeof what, "A/A shapes, n=%zu, CV %.0f %%", n,
		    cv_pct);
	else
		snprintf(what, sizeof what, "%+.0f %%, n=%zu, CV %.0f %%",
		    change_pct, n, cv_pct);
	print_row(what, &t);
}

static size_t
read_groups(struct group **out)
{
	struct group *gs = NULL, *g;
	char line[8192], *tok, *save;
	double mean, sd;
	size_t ng = 0, i;

	while (fgets(line, sizeof line, stdin) != NULL) {
		gs = xreallocarray(gs, ng + 1, sizeof *gs);
		g = &gs[ng];
		memset(g, 0, sizeof *g);
		if ((tok = strtok_r(line, " \n", &save)) == NULL)
			continue;
		snprintf(g->name, sizeof g->name, "%s", tok);
		while ((tok = strtok_r(NULL, " \n", &save)) && g->n < MAXV)
			g->v[g->n++] = strtod(tok, NULL);
		for (i = 0; i < g->n; i++)
			g->z[i] = log(g->v[i]);
		mean = stats_mean(g->z, g->n);
		sd = stats_stddev(g->z, g->n);
		if (g->n < 5 || sd <= 0)
			continue;
		for (i = 0; i < g->n; i++)
			g->z[i] = (g->z[i] - mean) / sd;
		g->log_sd = sd;
		ng++;
	}
	*out = gs;
	return ng;
}

int
main(int argc, char **argv)
{
	long reps = argc > 1 ? atol(argv[1]) : 20000;
	static const double cases[][3] = {
		/* n, CV %, change % */
		{ 5, 10, 0 }, { 5, 50, 0 }, { 3, 10, 0 }, { 10, 10, 0 },
		{ 5, 10, 20 }, { 5, 50, 100 }, { 3, 10, 20 }, { 10, 10, 20 },
		{ 5, 10, 10 }, { 10, 10, 10 }, { 5, 50, 50 }, { 10, 50, 100 },
		{ 5, 5, 10 }, { 5, 2, 5 },
	};
	struct group *gs;
	size_t ng, i;

	ng = read_groups(&gs);
	if (ng == 0) {
		fprintf(stderr, "stats-rule: no groups on stdin\n");
		return 1;
	}
	printf("%zu groups of real runs, %ld trials a line, threshold %.0f %%, "
	    "lower is better\n\n", ng, reps, THRESHOLD);
	printf("| %-28s | %6s | %7s | %7s | %7s | %7s | %7s | %7s |\n",
	    "case", "trials", "regr.", "impr.", "undec.", "same", "old reg",
	    "old imp");
	printf("|------------------------------|-------:|--------:|--------:|"
	    "--------:|--------:|--------:|--------:|\n");
	aa_real(gs, ng, 5, reps / 20);
	aa_real(gs, ng, 3, reps / 20);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		shapes(gs, ng, (size_t)cases[i][0], cases[i][1], cases[i][2],
		    reps);
	free(gs);
	return 0;
}
