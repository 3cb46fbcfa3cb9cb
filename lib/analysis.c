/* analysis.c - comparing kernel builds.  See analysis.h for the rules. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "db.h"
#include "identity.h"
#include "runjson.h"
#include "stats.h"
#include "util.h"

/* ---- naming kernel builds ------------------------------------------- */

static int
running_kernel(struct db *db, int64_t *id, char **cause)
{
	struct kernel_identity k;
	sqlite3_stmt *st;
	int r;

	memset(&k, 0, sizeof k);
	if ((r = kernel_identity_read(&k, NULL, cause)) != 0)
		return r;
	st = db_prepare(db, "SELECT id FROM kernels WHERE build_key = ?1",
	    cause);
	if (st == NULL) {
		kernel_identity_release(&k);
		return -EIO;
	}
	sqlite3_bind_text(st, 1, k.build_key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		r = 0;
	} else
		r = set_cause(cause, ENOENT, "no runs on the running kernel "
		    "%s yet", k.release);
	sqlite3_finalize(st);
	kernel_identity_release(&k);
	return r;
}

char *
kernel_describe(struct db *db, int64_t id)
{
	/*
	 * Builds may share a release and build-id and differ only by
	 * command line (init_on_free=1) or config: the label their runs
	 * carry tells them apart for a reader, and then the build key,
	 * which also names the build on the command line, for certain.
	 */
	sqlite3_stmt *st = db_cached(db, DB_ST_KERNEL_NAME, "SELECT k.release, "
	    "coalesce(k.build_id, k.build_key), (SELECT label FROM runs WHERE "
	    "kernel_id = k.id AND label IS NOT NULL GROUP BY label ORDER BY "
	    "count(*) DESC, label LIMIT 1), k.build_key, EXISTS (SELECT 1 "
	    "FROM kernels o WHERE o.id <> k.id AND o.release = k.release AND "
	    "substr(coalesce(o.build_id, o.build_key), 1, 12) = "
	    "substr(coalesce(k.build_id, k.build_key), 1, 12)) FROM kernels k "
	    "WHERE k.id = ?1", NULL);
	struct buf b = BUF_INIT;

	if (st != NULL) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *label = (const char *)
			    sqlite3_column_text(st, 2);

			buf_printf(&b, "%s (%.12s", sqlite3_column_text(st, 0),
			    sqlite3_column_text(st, 1));
			if (sqlite3_column_int(st, 4))
				buf_printf(&b, ", key %.12s",
				    sqlite3_column_text(st, 3));
			buf_adds(&b, ")");
			if (label != NULL)
				buf_printf(&b, " [%s]", label);
		}
		sqlite3_reset(st);
	}
	return b.s ? buf_detach(&b) : xasprintf("kernel #%" PRId64, id);
}

int
kernel_resolve(struct db *db, const char *name, int64_t *id, char **cause)
{
	sqlite3_stmt *st;
	struct buf list = BUF_INIT;
	int64_t found = 0, n = 0;
	int hex = strlen(name) >= 6 && strspn(name, "0123456789abcdef") ==
	    strlen(name);
	char *d;
	int r;

	if (strcmp(name, "running") == 0)
		return running_kernel(db, id, cause);
	/* Exact release or label first; prefixes of ids only as hex. */
	st = db_prepare(db, "SELECT DISTINCT k.id FROM kernels k WHERE "
	    "k.release = ?1 OR (?2 AND (k.build_id LIKE ?1 || '%' OR "
	    "k.build_key LIKE ?1 || '%')) OR k.id IN (SELECT kernel_id FROM "
	    "runs WHERE label = ?1) ORDER BY k.id", cause);
	if (st == NULL)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, hex);
	while (sqlite3_step(st) == SQLITE_ROW) {
		found = sqlite3_column_int64(st, 0);
		d = kernel_describe(db, found);
		buf_printf(&list, "%s%s", n ? ", " : "", d);
		free(d);
		n++;
	}
	sqlite3_finalize(st);
	if (n == 1) {
		*id = found;
		r = 0;
	} else if (n == 0)
		r = set_cause(cause, ENOENT, "no kernel build '%s' (see "
		    "'mmstorm kernels')", name);
	else
		r = set_cause(cause, EEXIST, "kernel name '%s' is ambiguous: "
		    "%s; give a label or a build-id or build-key prefix", name,
		    list.s);
	buf_release(&list);
	return r;
}

/* ---- metrics --------------------------------------------------------- */

struct values {
	int64_t kernel;
	char *workload, *metric, *unit;
	int higher_better;
	double *v;
	size_t n, cap;
};

/*
 * Every passed run's metric values of one build (kernel > 0), or of every
 * build but -kernel (kernel < 0), grouped by build, workload and metric
 * in sorted order, so sides can be merged in one pass.
 */
static int
values_cmp(const void *a, const void *b)
{
	const struct values *x = a, *y = b;

	return strcmp(x->metric, y->metric);
}

static int
load_values(struct db *db, int64_t kernel, const struct compare_opts *o,
    struct values **out, size_t *nout, char **cause)
{
	sqlite3_stmt *st, *info;
	struct values *vs = NULL, *cur;
	size_t n = 0, group = 0, i;
	int rc;

	/* Rows come in index order (build, workload); metrics of a group
	 * are gathered and sorted here, which beats SQLite sorting every
	 * row by name. */
	/* unit and better are read once per metric, not per row. */
	st = db_prepare(db, "SELECT r.kernel_id, r.workload, m.name, m.value, "
	    "r.id FROM runs r JOIN metrics m ON m.run_id = r.id "
	    "WHERE (CASE WHEN ?1 > 0 THEN r.kernel_id = ?1 ELSE r.kernel_id "
	    "<> -?1 END) AND r.state = 'passed' AND (?2 IS NULL OR "
	    "r.workload = ?2) AND (?3 IS NULL OR m.name = ?3) ORDER BY "
	    "r.kernel_id, r.workload", cause);
	info = db_prepare(db, "SELECT unit, better FROM metrics WHERE "
	    "run_id = ?1 AND name = ?2", cause);
	if (st == NULL || info == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(info);
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, kernel);
	if (o->workload)
		sqlite3_bind_text(st, 2, o->workload, -1, SQLITE_STATIC);
	if (o->metric)
		sqlite3_bind_text(st, 3, o->metric, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0);
		const char *w = (const char *)sqlite3_column_text(st, 1);
		const char *m = (const char *)sqlite3_column_text(st, 2);

		if (n > group && (vs[group].kernel != k ||
		    strcmp(vs[group].workload, w) != 0)) {
			qsort(&vs[group], n - group, sizeof *vs, values_cmp);
			group = n;
		}
		for (cur = NULL, i = group; i < n; i++) {
			if (strcmp(vs[i].metric, m) == 0) {
				cur = &vs[i];
				break;
			}
		}
		if (cur == NULL) {
			vs = xreallocarray(vs, n + 1, sizeof *vs);
			cur = &vs[n++];
			memset(cur, 0, sizeof *cur);
			cur->kernel = k;
			cur->workload = xstrdup(w);
			cur->metric = xstrdup(m);
			sqlite3_reset(info);
			sqlite3_bind_int64(info, 1, sqlite3_column_int64(st,
			    4));
			sqlite3_bind_text(info, 2, m, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(info) == SQLITE_ROW) {
				cur->unit = xstrdup((const char *)
				    sqlite3_column_text(info, 0));
				cur->higher_better = strcmp((const char *)
				    sqlite3_column_text(info, 1), "higher") == 0;
			} else
				cur->unit = xstrdup("");
		}
		if (cur->n == cur->cap) {
			cur->cap = cur->cap ? cur->cap * 2 : 8;
			cur->v = xreallocarray(cur->v, cur->cap,
			    sizeof *cur->v);
		}
		cur->v[cur->n++] = sqlite3_column_double(st, 3);
	}
	if (n > group)
		qsort(&vs[group], n - group, sizeof *vs, values_cmp);
	sqlite3_finalize(st);
	sqlite3_finalize(info);
	*out = vs;
	*nout = n;
	if (rc != SQLITE_DONE)
		return db_error(db, cause, "cannot read metrics");
	return 0;
}

static void
values_free(struct values *vs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vs[i].workload);
		free(vs[i].metric);
		free(vs[i].unit);
		free(vs[i].v);
	}
	free(vs);
}

static void
describe_side(struct cmp_side *s, const double *v, size_t n)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	if (n == 0)
		return;
	s->mean = stats_mean(v, n);
	s->sd = stats_stddev(v, n);
	s->cv_pct = stats_cv_pct(v, n);
	s->ci_lo = s->mean - STATS_Z975 * s->sd;
	s->ci_hi = s->mean + STATS_Z975 * s->sd;
	s->min = stats_min(v, n);
	s->max = stats_max(v, n);
}

static void
judge(struct metric_cmp *m, const struct values *a, const struct values *b,
    double threshold)
{
	struct mann_whitney mw;

	describe_side(&m->base, a->v, a->n);
	describe_side(&m->new, b->v, b->n);
	m->change_pct = m->base.mean != 0 ? 100.0 * (m->new.mean -
	    m->base.mean) / fabs(m->base.mean) : 0;
	m->gain_pct = m->higher_better ? m->change_pct : -m->change_pct;
	m->ci_disjoint = m->new.ci_lo > m->base.ci_hi ||
	    m->new.ci_hi < m->base.ci_lo;
	stats_mann_whitney(b->v, b->n, a->v, a->n, &mw);
	m->p_value = m->new.mean >= m->base.mean ? mw.p_greater : mw.p_less;
	m->significant = a->n >= ANALYSIS_MIN_RUNS &&
	    b->n >= ANALYSIS_MIN_RUNS && m->ci_disjoint &&
	    m->p_value <= 0.05;
	m->mark = CMP_SAME;
	if (m->significant && fabs(m->change_pct) > threshold)
		m->mark = m->gain_pct < 0 ? CMP_REGRESSION : CMP_IMPROVEMENT;
}

/* ---- lockups ----------------------------------------------------------- */

/* Finished runs of a build and workload; a small query, indexed. */
static int64_t
count_runs(struct db *db, sqlite3_stmt **st, int64_t kernel,
    const char *workload)
{
	int64_t n = 0;

	if (*st == NULL)
		*st = db_prepare(db, "SELECT count(*) FROM runs WHERE "
		    "kernel_id = ?1 AND workload = ?2 AND state NOT IN "
		    "('skipped', 'queued', 'running')", NULL);
	if (*st == NULL)
		return 0;
	sqlite3_reset(*st);
	sqlite3_bind_int64(*st, 1, kernel);
	sqlite3_bind_text(*st, 2, workload, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(*st) == SQLITE_ROW)
		n = sqlite3_column_int64(*st, 0);
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
	sqlite3_stmt *st, *cnt = NULL;
	int rc;

	/* e.kernel_id, not r.kernel_id: the (kernel, signature) index. */
	st = db_prepare(db, "SELECT e.kind, e.title, e.signature, r.workload, "
	    "count(DISTINCT CASE WHEN e.kernel_id = ?1 THEN r.id END), "
	    "count(DISTINCT CASE WHEN e.kernel_id = ?2 THEN r.id END) "
	    "FROM events e JOIN runs r ON r.id = e.run_id WHERE e.kernel_id "
	    "IN (?1, ?2) AND (?3 IS NULL OR r.workload = ?3) AND e.kind NOT "
	    "IN ('taint') GROUP BY e.signature, r.workload ORDER BY "
	    "r.workload, e.kind, e.title", cause);
	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, c->base);
	sqlite3_bind_int64(st, 2, c->new);
	if (o->workload)
		sqlite3_bind_text(st, 3, o->workload, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct lockup_cmp *l;

		c->lockups = xreallocarray(c->lockups, c->nlockups + 1,
		    sizeof *c->lockups);
		l = &c->lockups[c->nlockups++];
		memset(l, 0, sizeof *l);
		l->kind = xstrdup((const char *)sqlite3_column_text(st, 0));
		l->title = xstrdup((const char *)sqlite3_column_text(st, 1));
		l->signature = xstrdup((const char *)sqlite3_column_text(st,
		    2));
		l->workload = xstrdup((const char *)sqlite3_column_text(st, 3));
		l->hit_base = sqlite3_column_int64(st, 4);
		l->hit_new = sqlite3_column_int64(st, 5);
		l->runs_base = count_runs(db, &cnt, c->base, l->workload);
		l->runs_new = count_runs(db, &cnt, c->new, l->workload);
		l->rate_base = l->runs_base ? (double)l->hit_base /
		    (double)l->runs_base : 0;
		l->rate_new = l->runs_new ? (double)l->hit_new /
		    (double)l->runs_new : 0;
		l->is_new = l->hit_base == 0;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(cnt);
	if (rc != SQLITE_DONE)
		return db_error(db, cause, "cannot read events");
	return 0;
}

/* Metrics measured on both sides: merge two sorted lists. */
static void
merge_metrics(struct comparison *c, const struct values *a, size_t na,
    const struct values *b, size_t nb, double threshold)
{
	size_t i = 0, j = 0;
	int k;

	while (i < na && j < nb) {
		struct metric_cmp *m;

		k = strcmp(a[i].workload, b[j].workload);
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
		c->metrics = xreallocarray(c->metrics, c->nmetrics + 1,
		    sizeof *c->metrics);
		m = &c->metrics[c->nmetrics++];
		memset(m, 0, sizeof *m);
		m->workload = xstrdup(a[i].workload);
		m->metric = xstrdup(a[i].metric);
		m->unit = xstrdup(b[j].unit);
		m->higher_better = b[j].higher_better;
		judge(m, &a[i], &b[j], threshold);
		i++;
		j++;
	}
}

int
compare_kernels(struct db *db, int64_t base, int64_t new,
    const struct compare_opts *o, struct comparison *c, char **cause)
{
	struct values *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r;

	memset(c, 0, sizeof *c);
	c->base = base;
	c->new = new;
	if ((r = load_values(db, base, o, &a, &na, cause)) != 0 ||
	    (r = load_values(db, new, o, &b, &nb, cause)) != 0)
		goto out;
	merge_metrics(c, a, na, b, nb, o->threshold_pct);
	r = compare_lockups(db, c, o, cause);
out:
	values_free(a, na);
	values_free(b, nb);
	if (r != 0)
		comparison_release(c);
	return r;
}

struct hit {
	int64_t kernel;
	char *kind, *title, *signature, *workload;
	int64_t runs_hit;
};

static int
hit_key_cmp(const struct hit *a, const struct hit *b)
{
	int k = strcmp(a->signature, b->signature);

	return k ? k : strcmp(a->workload, b->workload);
}

/* The base's lockup rates against every build's, from one scan of the
 * events (grouped by build, workload, signature). */
static int
lockups_against(struct db *db, int64_t base, struct comparison *cs, size_t n,
    const struct compare_opts *o, char **cause)
{
	struct hit *h = NULL, *rcs = NULL;
	size_t nh = 0, nrc = 0, i, j, b0 = 0, b1 = 0;
	sqlite3_stmt *st;
	int rc, r = 0;

	/* Finished runs per build and workload: the rates' denominators. */
	st = db_prepare(db, "SELECT kernel_id, workload, count(*) FROM runs "
	    "WHERE state NOT IN ('skipped', 'queued', 'running') GROUP BY "
	    "kernel_id, workload", cause);
	if (st == NULL)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		rcs = xreallocarray(rcs, nrc + 1, sizeof *rcs);
		memset(&rcs[nrc], 0, sizeof *rcs);
		rcs[nrc].kernel = sqlite3_column_int64(st, 0);
		rcs[nrc].workload = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
		rcs[nrc].runs_hit = sqlite3_column_int64(st, 2);
		nrc++;
	}
	sqlite3_finalize(st);

	/* Grouped in the order of the events_lockups index, which covers
	 * the scan; the title is looked up once per group. */
	st = db_prepare(db, "SELECT g.kernel_id, g.kind, (SELECT title FROM "
	    "events WHERE kernel_id = g.kernel_id AND signature = g.signature "
	    "LIMIT 1), g.signature, g.workload, g.hits FROM (SELECT "
	    "e.kernel_id, min(e.kind) AS kind, e.signature, e.workload, "
	    "count(DISTINCT e.run_id) AS hits FROM events e WHERE e.run_id IS "
	    "NOT NULL AND e.kind <> 'taint' AND (?1 IS NULL OR e.workload = ?1) "
	    "GROUP BY e.kernel_id, e.signature, e.workload) g ORDER BY "
	    "g.kernel_id, g.signature, g.workload", cause);
	if (st == NULL)
		return -EIO;
	if (o->workload)
		sqlite3_bind_text(st, 1, o->workload, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h = xreallocarray(h, nh + 1, sizeof *h);
		h[nh].kernel = sqlite3_column_int64(st, 0);
		h[nh].kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		h[nh].title = xstrdup((const char *)sqlite3_column_text(st, 2));
		h[nh].signature = xstrdup((const char *)sqlite3_column_text(st,
		    3));
		h[nh].workload = xstrdup((const char *)sqlite3_column_text(st,
		    4));
		h[nh].runs_hit = sqlite3_column_int64(st, 5);
		nh++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		r = db_error(db, cause, "cannot read events");
		goto out;
	}
	/* The base's rows, sorted like every other build's. */
	for (b0 = 0; b0 < nh && h[b0].kernel != base; b0++)
		;
	for (b1 = b0; b1 < nh && h[b1].kernel == base; b1++)
		;
	for (i = 0; i < n; i++) {
		struct comparison *c = &cs[i];
		size_t s0, s1, x, y;

		for (s0 = 0; s0 < nh && h[s0].kernel != c->new; s0++)
			;
		for (s1 = s0; s1 < nh && h[s1].kernel == c->new; s1++)
			;
		/* merge base rows [b0, b1) with this build's [s0, s1) */
		for (x = b0, y = s0; x < b1 || y < s1;) {
			struct lockup_cmp *l;
			const struct hit *src;
			int k;

			if (x < b1 && y < s1)
				k = hit_key_cmp(&h[x], &h[y]);
			else
				k = x < b1 ? -1 : 1;
			src = k <= 0 ? &h[x] : &h[y];
			c->lockups = xreallocarray(c->lockups, c->nlockups + 1,
			    sizeof *c->lockups);
			l = &c->lockups[c->nlockups++];
			memset(l, 0, sizeof *l);
			l->kind = xstrdup(src->kind);
			l->title = xstrdup(src->title);
			l->signature = xstrdup(src->signature);
			l->workload = xstrdup(src->workload);
			l->hit_base = k <= 0 ? h[x].runs_hit : 0;
			l->hit_new = k >= 0 ? h[y].runs_hit : 0;
			for (j = 0; j < nrc; j++) {
				if (strcmp(rcs[j].workload, l->workload) != 0)
					continue;
				if (rcs[j].kernel == base)
					l->runs_base = rcs[j].runs_hit;
				if (rcs[j].kernel == c->new)
					l->runs_new = rcs[j].runs_hit;
			}
			l->rate_base = l->runs_base ? (double)l->hit_base /
			    (double)l->runs_base : 0;
			l->rate_new = l->runs_new ? (double)l->hit_new /
			    (double)l->runs_new : 0;
			l->is_new = l->hit_base == 0;
			if (k <= 0)
				x++;
			if (k >= 0)
				y++;
		}
	}
out:
	for (j = 0; j < nrc; j++)
		free(rcs[j].workload);
	free(rcs);
	for (j = 0; j < nh; j++) {
		free(h[j].kind);
		free(h[j].title);
		free(h[j].signature);
		free(h[j].workload);
	}
	free(h);
	return r;
}

int
compare_against(struct db *db, int64_t base, const struct compare_opts *o,
    struct comparison **out, size_t *nout, char **cause)
{
	struct values *a = NULL, *b = NULL;
	struct comparison *cs = NULL;
	size_t na = 0, nb = 0, i, start, n = 0;
	int r;

	*out = NULL;
	*nout = 0;
	/* Two queries for every build's metrics, not two per build. */
	if ((r = load_values(db, base, o, &a, &na, cause)) != 0 ||
	    (r = load_values(db, -base, o, &b, &nb, cause)) != 0)
		goto out;
	for (start = 0; start < nb; start = i) {
		for (i = start; i < nb && b[i].kernel == b[start].kernel; i++)
			;
		cs = xreallocarray(cs, n + 1, sizeof *cs);
		memset(&cs[n], 0, sizeof *cs);
		cs[n].base = base;
		cs[n].new = b[start].kernel;
		merge_metrics(&cs[n], a, na, &b[start], i - start,
		    o->threshold_pct);
		n++;
	}
	if (n > 0)
		r = lockups_against(db, base, cs, n, o, cause);
	if (r == 0) {
		*out = cs;
		*nout = n;
		cs = NULL;
	}
out:
	for (i = 0; cs != NULL && i < n; i++)
		comparison_release(&cs[i]);
	free(cs);
	values_free(a, na);
	values_free(b, nb);
	return r;
}

void
comparison_release(struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->nmetrics; i++) {
		free(c->metrics[i].workload);
		free(c->metrics[i].metric);
		free(c->metrics[i].unit);
	}
	for (i = 0; i < c->nlockups; i++) {
		free(c->lockups[i].kind);
		free(c->lockups[i].title);
		free(c->lockups[i].signature);
		free(c->lockups[i].workload);
	}
	free(c->metrics);
	free(c->lockups);
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
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:b, "
	    "s:b, s:s}",
	    "workload", m->workload, "metric", m->metric, "unit", m->unit,
	    "better", m->higher_better ? "higher" : "lower",
	    "base", side_json(&m->base), "new", side_json(&m->new),
	    "change_pct", m->change_pct, "gain_pct", m->gain_pct,
	    "p_value", m->p_value, "ci_disjoint", m->ci_disjoint,
	    "significant", m->significant, "mark", cmp_mark_name(m->mark));
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

/* ---- run counts for verdicts ----------------------------------------- */

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	sqlite3_stmt *st;

	memset(rc, 0, sizeof *rc);
	st = db_prepare(db, "SELECT count(*), "
	    "sum(state = 'passed'), sum(state = 'failed'), "
	    "sum(state = 'skipped'), sum(state = 'lockup'), "
	    "sum(state = 'crashed'), sum(state = 'interrupted'), "
	    "(SELECT reason FROM runs WHERE kernel_id = ?1 AND workload = ?2 "
	    "AND state = 'skipped' ORDER BY id DESC LIMIT 1) "
	    "FROM runs WHERE kernel_id = ?1 AND workload = ?2", cause);
	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, kernel);
	sqlite3_bind_text(st, 2, workload, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc->total = sqlite3_column_int64(st, 0);
		rc->passed = sqlite3_column_int64(st, 1);
		rc->failed = sqlite3_column_int64(st, 2);
		rc->skipped = sqlite3_column_int64(st, 3);
		rc->lockup = sqlite3_column_int64(st, 4);
		rc->crashed = sqlite3_column_int64(st, 5);
		rc->interrupted = sqlite3_column_int64(st, 6);
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			rc->skip_reason = xstrdup((const char *)
			    sqlite3_column_text(st, 7));
	}
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT count(DISTINCT r.id), max(e.title) FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = ?1 "
	    "AND r.workload = ?2 AND e.kind IN " BAD_EVENT_KINDS, cause);
	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, kernel);
	sqlite3_bind_text(st, 2, workload, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc->bad_events = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			rc->bad_title = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return 0;
}

void
run_counts_release(struct run_counts *rc)
{
	free(rc->bad_title);
	free(rc->skip_reason);
	rc->bad_title = rc->skip_reason = NULL;
}
