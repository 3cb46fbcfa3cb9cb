/*
 * compare.c - two kernel builds side by side: each metric measured on
 * both judged by the rules in analysis.h, and each event signature seen
 * on either with its reproduction rate on both.  Also the JSON of a
 * comparison, which regressions.c's comparisons share.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/buf.h"
#include "common/stats.h"
#include "common/util.h"
#include "store/db.h"

/* Sample variance times (n - 1) of v, for the pooled sd. */
static double
sum_squares(const double *v, size_t n)
{
	double sd = stats_stddev(v, n);

	return n > 1 ? sd * sd * (double)(n - 1) : 0;
}

/* The estimate's bounds for "within the threshold" on its own scale,
 * pulled in by 1e-9 so that a value at the edge is never called inside
 * by rounding: it is then searched, and judged as always. */
static void
threshold_bounds(int logs, double scale, double threshold, double *lo,
    double *hi)
{
	if (logs) {
		*hi = log1p(threshold / 100) * (1 - 1e-9);
		*lo = threshold < 100 ? log1p(-threshold / 100) * (1 - 1e-9) :
		    -INFINITY;
	} else if (scale > 0) {
		*hi = threshold / scale * (1 - 1e-9);
		*lo = -*hi;
	} else {
		*lo = -INFINITY;        /* 0 %, whatever the shift */
		*hi = INFINITY;
	}
}

void
rule_side_init(struct rule_side *s, const double *sorted, size_t n,
    double *room)
{
	size_t i;

	s->v = sorted;
	s->n = n;
	s->logs = NULL;
	s->log_ss = 0;
	if (n == 0 || sorted[0] <= 0)
		return;
	for (i = 0; i < n; i++)
		room[i] = log(sorted[i]);
	s->logs = room;
	s->log_ss = sum_squares(room, n);
}

/*
 * The Hodges-Lehmann estimate and, with ends, its interval, on logs when
 * every value is positive (the ratio of the builds, which is what a
 * slowdown is: a kernel twice as slow has its spread doubled too), else
 * as a shift over the base mean.  Without ends, an estimate that two
 * counts show within the threshold is not searched for (NAN).  Sets the
 * estimate fields and hl (side and sign) and returns the scale's pooled
 * sd over the estimate's size, for the runs needed.
 */
static double
estimate_change(struct metric_cmp *m, const struct rule_side *sa,
    const struct rule_side *sb, double threshold, int ends,
    struct stats_shift *hl)
{
	double ss = 0, lo, hi;
	double scale = fabs(m->base.mean) > 0 ? 100 / fabs(m->base.mean) : 0;
	size_t na = sa->n, nb = sb->n;
	int logs = sa->logs != NULL && sb->logs != NULL;
	const double *a = logs ? sa->logs : sa->v, *b = logs ? sb->logs :
	    sb->v;

	threshold_bounds(logs, scale, threshold, &lo, &hi);
	if (ends)
		stats_hodges_lehmann_sorted(a, na, b, nb, ANALYSIS_ALPHA, hl);
	else
		stats_hodges_lehmann_side(a, na, b, nb, ANALYSIS_ALPHA, lo, hi,
		    hl);
	if (!hl->within && na + nb > 2)
		ss = sqrt(((logs ? sa->log_ss : sum_squares(a, na)) +
		    (logs ? sb->log_ss : sum_squares(b, nb))) /
		    (double)(na + nb - 2));
	if (logs) {
		m->estimate_pct = 100 * expm1(hl->estimate);
		/* expm1(-inf) is -1: an end the runs cannot give stays
		 * infinite, not -100 % */
		m->estimate_lo_pct = isfinite(hl->lo) ? 100 * expm1(hl->lo) :
		    -INFINITY;
		m->estimate_hi_pct = isfinite(hl->hi) ? 100 * expm1(hl->hi) :
		    INFINITY;
	} else {
		m->estimate_pct = hl->estimate * scale;
		m->estimate_lo_pct = isfinite(hl->lo) ? hl->lo * scale :
		    -INFINITY;
		m->estimate_hi_pct = isfinite(hl->hi) ? hl->hi * scale :
		    INFINITY;
		if (scale == 0)         /* every end 0 %: no side, no sign */
			hl->side = hl->sign = 0;
	}
	return hl->estimate != 0 && !hl->within ? ss / fabs(hl->estimate) :
	    0;
}

/*
 * The rule (analysis.h).  every_interval 0: the interval's ends only for
 * a marked metric, the one a listing of findings shows, and no estimate
 * when two counts show it within the threshold; the decision is the
 * same, as which side of no change the interval lies on is one count of
 * the differences, where its ends are searches (bench/README.md,
 * analysis).
 */
static void
decide(struct metric_cmp *m, const struct rule_side *a,
    const struct rule_side *b, double threshold, int every_interval)
{
	struct stats_shift hl;
	struct mann_whitney mw;
	double noise;
	size_t na = a->n, nb = b->n;
	int enough = na >= ANALYSIS_MIN_RUNS && nb >= ANALYSIS_MIN_RUNS, beyond;

	m->change_pct = m->base.mean != 0 ? 100.0 * (m->new.mean -
	    m->base.mean) / fabs(m->base.mean) : 0;
	m->gain_pct = m->higher_better ? m->change_pct : -m->change_pct;
	m->ci_disjoint = m->new.ci_lo > m->base.ci_hi ||
	    m->new.ci_hi < m->base.ci_lo;
	noise = estimate_change(m, a, b, threshold, every_interval, &hl);
	stats_mann_whitney_sorted(b->v, nb, a->v, na, &mw);
	/* the direction of the estimate, else of the means */
	m->p_value = (hl.sign != 0 ? hl.sign > 0 : m->change_pct >= 0) ?
	    mw.p_greater : mw.p_less;
	/* The interval and the p-value are one rank statistic; they part
	 * only on ties, where asking both is the cautious side. */
	m->significant = enough && m->p_value <= ANALYSIS_ALPHA &&
	    hl.side != 0;
	m->mark = CMP_SAME;
	m->doubt = CMP_DECIDED;
	m->need_runs = 0;
	beyond = !hl.within && fabs(m->estimate_pct) > threshold;
	if (m->significant && beyond)
		m->mark = (m->higher_better ? m->estimate_pct :
		    -m->estimate_pct) < 0 ? CMP_REGRESSION : CMP_IMPROVEMENT;
	else if (!enough)
		m->doubt = CMP_TOO_FEW;
	else if (!m->significant && beyond) {
		/* It moved more than the threshold, but not more than
		 * its noise: "same" would be a guess.  n per side from
		 * the observed change; one more run at least. */
		m->doubt = CMP_TOO_NOISY;
		m->need_runs = ceil(stats_mw_runs_needed(noise, 1,
		    ANALYSIS_ALPHA));
		if (m->need_runs <= (double)(na > nb ? na : nb))
			m->need_runs = (double)(na > nb ? na : nb) + 1;
	}
	if (!every_interval && m->mark != CMP_SAME)
		estimate_change(m, a, b, threshold, 1, &hl);
}

void
metric_cmp_decide(struct metric_cmp *m, const double *a, size_t na,
    const double *b, size_t nb, double threshold)
{
	double stack[128], *room = na + nb <= 128 ? stack :
	    xreallocarray(NULL, na + nb, sizeof *room);
	struct rule_side sa, sb;

	rule_side_init(&sa, a, na, room);
	rule_side_init(&sb, b, nb, room + na);
	decide(m, &sa, &sb, threshold, 1);
	if (room != stack)
		free(room);
}

/* One metric from its two described sides. */
static void
judge(struct metric_cmp *m, const struct metric_values *a,
    const struct metric_values *b, double threshold, int every_interval)
{
	m->base = a->side;
	m->new = b->side;
	decide(m, &a->rule, &b->rule, threshold, every_interval);
}

/* Workload, host class, parameter hash: the order values come in. */
static int
values_key_cmp(const struct metric_values *a, const struct metric_values *b)
{
	int k = strcmp(a->workload, b->workload);

	if (k == 0)
		k = strcmp(a->host, b->host);
	return k ? k : strcmp(a->params, b->params);
}

/* "host H params P, ..." of v's keys of workload from *i on (which moves
 * past them), into b. */
static void
describe_keys(struct buf *b, const struct metric_values *v, size_t n,
    size_t *i, const char *workload)
{
	size_t j, shown = 0;

	for (j = *i; j < n && strcmp(v[j].workload, workload) == 0; j++)
		if (j == *i || values_key_cmp(&v[j - 1], &v[j]) != 0)
			buf_printf(b, "%shost %s params %s", shown++ ? ", " :
			    "", v[j].host, v[j].params);
	*i = j;
}

int
comparison_check_keys(const struct metric_values *a, size_t na,
    const struct metric_values *b, size_t nb, const char *what,
    char **cause)
{
	struct buf msg = BUF_INIT;
	size_t i = 0, j = 0, i0, j0;
	const char *w;
	int k, common, r = 0;

	while (i < na && j < nb && r == 0) {
		if ((k = strcmp(a[i].workload, b[j].workload)) != 0) {
			if (k < 0)
				i++;
			else
				j++;
			continue;
		}
		/* one workload on both sides: is one key on both? */
		common = 0;
		for (i0 = i; i < na && strcmp(a[i].workload,
		    a[i0].workload) == 0; i++) {
			if (common || (i > i0 && values_key_cmp(&a[i - 1],
			    &a[i]) == 0))
				continue;   /* the metrics of a key seen */
			for (j0 = j; j0 < nb && strcmp(b[j0].workload,
			    a[i0].workload) == 0 && !common; j0++)
				common = values_key_cmp(&a[i], &b[j0]) == 0;
		}
		w = a[i0].workload;
		if (!common) {
			buf_printf(&msg, "%s: runs of '%s' share no host class "
			    "and parameters (base: ", what, w);
			describe_keys(&msg, a, na, &i0, w);
			buf_printf(&msg, "; new: ");
			describe_keys(&msg, b, nb, &j, w);
			buf_printf(&msg, "): pick one with --host/--params/"
			    "--section, or pool on purpose with --mix "
			    "host|params");
			r = set_cause(cause, EDOM, "%s", msg.s);
		}
		while (j < nb && strcmp(b[j].workload, w) == 0)
			j++;
	}
	buf_release(&msg);
	return r;
}

void
comparison_add_metrics(struct comparison *c, const struct metric_values *a,
    size_t na, const struct metric_values *b, size_t nb, double threshold,
    int every_interval)
{
	size_t i = 0, j = 0;
	int k;

	c->metrics = xreallocarray(c->metrics, c->nmetrics + (na < nb ? na :
	    nb) + 1, sizeof *c->metrics);
	while (i < na && j < nb) {
		struct metric_cmp *m;

		k = values_key_cmp(&a[i], &b[j]);
		if (k == 0)
			k = strcmp(a[i].metric, b[j].metric);
		if (k < 0) {
			i++;
			continue;
		}
		if (k > 0) {
			j++;
			continue;
		}
		m = &c->metrics[c->nmetrics++];
		memset(m, 0, sizeof *m);
		m->workload = a[i].workload;
		m->host = a[i].host;
		m->params = a[i].params;
		m->metric = a[i].metric;
		m->unit = b[j].unit;
		m->higher_better = b[j].higher_better;
		judge(m, &a[i], &b[j], threshold, every_interval);
		i++;
		j++;
	}
}

void
lockup_cmp_rates(struct lockup_cmp *l)
{
	l->rate_base = l->runs_base ? (double)l->hit_base /
	    (double)l->runs_base : 0;
	l->rate_new = l->runs_new ? (double)l->hit_new /
	    (double)l->runs_new : 0;
	l->is_new = l->hit_base == 0;
}

/* Finished runs of a build and workload; a small query, indexed. */
static int64_t
count_finished_runs(struct db *db, struct stmt **st, int64_t kernel,
    const char *workload)
{
	int64_t n = 0;

	if (*st == NULL)
		*st = db_prepare(db, "SELECT count(*) FROM runs WHERE "
		    "kernel_id = $1 AND workload = $2 AND state NOT IN "
		    "('skipped', 'queued', 'running')", NULL);
	if (*st == NULL)
		return 0;
	stmt_reset(*st);
	stmt_bind_int64(*st, 1, kernel);
	stmt_bind_text(*st, 2, workload);
	if (stmt_step(*st) == STORE_ROW)
		n = stmt_int64(*st, 0);
	return n;
}

/*
 * Every event signature seen in runs of either build (per workload), with
 * how many runs of each build had it.
 */
static int
compare_lockups(struct db *db, struct comparison *c,
    const struct compare_opts *o, char **cause)
{
	struct stmt *st, *finished = NULL;
	int rc;

	/*
	 * The events' own workload and run id, no join: the schema keeps an
	 * event's workload its run's (migration 6), and the join cost as
	 * much as naming each group by aggregates.  A group's kind and
	 * title are its least ones: every column outside GROUP BY is an
	 * aggregate, as PostgreSQL requires.
	 */
	st = db_prepare(db, "SELECT min(kind) AS kind, min(title) AS title, "
	    "signature, workload, "
	    "count(DISTINCT CASE WHEN kernel_id = $1 THEN run_id END), "
	    "count(DISTINCT CASE WHEN kernel_id = $2 THEN run_id END) "
	    "FROM events WHERE kernel_id IN ($1, $2) AND run_id IS NOT NULL "
	    "AND (CAST($3 AS TEXT) IS NULL OR workload = $3) "
	    "AND kind NOT IN ('taint') "
	    "GROUP BY signature, workload ORDER BY workload, kind, title",
	    cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, c->base);
	stmt_bind_int64(st, 2, c->new);
	if (o->workload)
		stmt_bind_text(st, 3, o->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		struct lockup_cmp *l;

		c->lockups = xreallocarray(c->lockups, c->nlockups + 1,
		    sizeof *c->lockups);
		l = &c->lockups[c->nlockups++];
		memset(l, 0, sizeof *l);
		l->kind = analysis_strings_add(c->strings, stmt_text(st, 0));
		l->title = analysis_strings_add(c->strings, stmt_text(st, 1));
		l->signature = analysis_strings_add(c->strings,
		    stmt_text(st, 2));
		l->workload = analysis_strings_add(c->strings,
		    stmt_text(st, 3));
		l->hit_base = stmt_int64(st, 4);
		l->hit_new = stmt_int64(st, 5);
		/* Rows come by workload: its two counts are asked once, not
		 * per signature (thousands of round trips on a fleet). */
		if (c->nlockups > 1 && strcmp(l[-1].workload,
		    l->workload) == 0) {
			l->runs_base = l[-1].runs_base;
			l->runs_new = l[-1].runs_new;
		} else {
			l->runs_base = count_finished_runs(db, &finished,
			    c->base, l->workload);
			l->runs_new = count_finished_runs(db, &finished,
			    c->new, l->workload);
		}
		lockup_cmp_rates(l);
	}
	stmt_finalize(st);
	stmt_finalize(finished);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read events");
	return 0;
}

int
compare_kernels(struct db *db, int64_t base, int64_t new,
    const struct compare_opts *o, struct comparison *c, char **cause)
{
	struct metric_values *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r;

	memset(c, 0, sizeof *c);
	c->base = base;
	c->new = new;
	c->strings = analysis_strings_new();
	if ((r = metric_values_load(db, base, o, c->strings, &a, &na,
	    cause)) != 0 ||
	    (r = metric_values_load(db, new, o, c->strings, &b, &nb,
	    cause)) != 0 ||
	    (r = comparison_check_keys(a, na, b, nb, "compare", cause)) != 0)
		goto out;
	comparison_add_metrics(c, a, na, b, nb, o->threshold_pct, 1);
	r = compare_lockups(db, c, o, cause);
out:
	metric_values_free(a, na);
	metric_values_free(b, nb);
	if (r != 0)
		comparison_release(c);
	return r;
}

void
comparison_release(struct comparison *c)
{
	free(c->metrics);
	free(c->lockups);
	analysis_strings_unref(c->strings);
	memset(c, 0, sizeof *c);
}

const char *
cmp_mark_name(enum cmp_mark m)
{
	switch (m) {
	case CMP_REGRESSION: return "regression";
	case CMP_IMPROVEMENT: return "improvement";
	default: return "same";
	}
}

const char *
metric_cmp_decision(const struct metric_cmp *m)
{
	if (m->doubt == CMP_TOO_FEW)
		return "too_few_runs";
	if (m->doubt == CMP_TOO_NOISY)
		return "too_noisy";
	return cmp_mark_name(m->mark);
}

char *
metric_cmp_doubt_text(const struct metric_cmp *m, char *buf, size_t size)
{
	double cv = m->base.cv_pct > m->new.cv_pct ? m->base.cv_pct :
	    m->new.cv_pct;

	if (m->doubt == CMP_TOO_FEW)
		snprintf(buf, size, "too few runs: n %zu/%zu, need %d",
		    m->base.n, m->new.n, ANALYSIS_MIN_RUNS);
	else if (m->doubt == CMP_TOO_NOISY)
		snprintf(buf, size, "too noisy: CV %.0f %%, need n ≈ %.0f", cv,
		    m->need_runs);
	else if (size > 0)
		buf[0] = '\0';
	return buf;
}

/* A number, or null for an interval end the data cannot give. */
static json_t *
finite_json(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *
side_json(const struct cmp_side *s)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
	    "n", (json_int_t)s->n, "mean", s->mean, "stddev", s->sd,
	    "cv_pct", s->cv_pct, "ci_lo", s->ci_lo, "ci_hi", s->ci_hi,
	    "min", s->min, "max", s->max);
}

json_t *
metric_cmp_json(const struct metric_cmp *m)
{
	char doubt[64];
	json_t *o = json_pack("{s:{s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:o, "
	    "s:o, s:f, s:f, s:f, s:b, s:b, s:s}",
	    "key", "workload", m->workload, "host", m->host, "params",
	    m->params,
	    "workload", m->workload, "metric", m->metric, "unit", m->unit,
	    "better", m->higher_better ? "higher" : "lower",
	    "base", side_json(&m->base), "new", side_json(&m->new),
	    "change_pct", m->change_pct, "gain_pct", m->gain_pct,
	    "p_value", m->p_value, "ci_disjoint", m->ci_disjoint,
	    "significant", m->significant, "mark", cmp_mark_name(m->mark));

	/* the decision's own keys, after the ones scripts rely on */
	json_object_set_new(o, "decision", json_string(
	    metric_cmp_decision(m)));
	json_object_set_new(o, "estimate_pct", finite_json(m->estimate_pct));
	json_object_set_new(o, "estimate_ci_pct", json_pack("[o, o]",
	    finite_json(m->estimate_lo_pct), finite_json(m->estimate_hi_pct)));
	json_object_set_new(o, "need_runs", m->need_runs > 0 ?
	    json_integer((json_int_t)m->need_runs) : json_null());
	json_object_set_new(o, "doubt", m->doubt != CMP_DECIDED ?
	    json_string(metric_cmp_doubt_text(m, doubt, sizeof doubt)) :
	    json_null());
	return o;
}

json_t *
lockup_cmp_json(const struct lockup_cmp *l)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f, s:I, s:I, s:f, "
	    "s:b}",
	    "workload", l->workload, "kind", l->kind, "title", l->title,
	    "signature", l->signature,
	    "base_runs", (json_int_t)l->runs_base,
	    "base_hits", (json_int_t)l->hit_base, "base_rate", l->rate_base,
	    "new_runs", (json_int_t)l->runs_new,
	    "new_hits", (json_int_t)l->hit_new, "new_rate", l->rate_new,
	    "new", l->is_new);
}

json_t *
comparison_json(struct db *db, const struct comparison *c)
{
	json_t *o = json_object(), *a = json_array(), *l = json_array();
	char *bd = kernel_describe(db, c->base), *nd = kernel_describe(db,
	    c->new);
	size_t i;

	json_object_set_new(o, "base", json_string(bd));
	json_object_set_new(o, "new", json_string(nd));
	for (i = 0; i < c->nmetrics; i++)
		json_array_append_new(a, metric_cmp_json(&c->metrics[i]));
	for (i = 0; i < c->nlockups; i++)
		json_array_append_new(l, lockup_cmp_json(&c->lockups[i]));
	json_object_set_new(o, "metrics", a);
	json_object_set_new(o, "lockups", l);
	free(bd);
	free(nd);
	return o;
}
