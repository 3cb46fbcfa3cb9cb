/* analysis.c - comparing kernel builds.  See analysis.h for the rules. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "store/db.h"
#include "probe/identity.h"
#include "store/run-json.h"
#include "common/stats.h"
#include "common/util.h"

/* ---- naming kernel builds ------------------------------------------- */

static int
running_kernel(struct db *db, int64_t *id, char **cause)
{
	struct kernel_identity k;
	struct stmt *st;
	int r;

	memset(&k, 0, sizeof k);
	if ((r = kernel_identity_read(&k, NULL, cause)) != 0)
		return r;
	st = db_prepare(db, "SELECT id FROM kernels WHERE build_key = $1",
	    cause);
	if (st == NULL) {
		kernel_identity_release(&k);
		return -EIO;
	}
	stmt_bind_text(st, 1, k.build_key);
	if (stmt_step(st) == STORE_ROW) {
		*id = stmt_int64(st, 0);
		r = 0;
	} else
		r = set_cause(cause, ENOENT, "no runs on the running kernel "
		    "%s yet", k.release);
	stmt_finalize(st);
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
	struct stmt *st = db_cached(db, DB_ST_KERNEL_NAME, "SELECT k.release, "
	    "coalesce(k.build_id, k.build_key), (SELECT label FROM runs WHERE "
	    "kernel_id = k.id AND label IS NOT NULL GROUP BY label ORDER BY "
	    "count(*) DESC, label LIMIT 1), k.build_key, EXISTS (SELECT 1 "
	    "FROM kernels o WHERE o.id <> k.id AND o.release = k.release AND "
	    "substr(coalesce(o.build_id, o.build_key), 1, 12) = "
	    "substr(coalesce(k.build_id, k.build_key), 1, 12)) FROM kernels k "
	    "WHERE k.id = $1", NULL);
	struct buf b = BUF_INIT;

	if (st != NULL) {
		stmt_bind_int64(st, 1, id);
		if (stmt_step(st) == STORE_ROW) {
			const char *label = (const char *)
			    stmt_text(st, 2);

			buf_printf(&b, "%s (%.12s", stmt_text(st, 0),
			    stmt_text(st, 1));
			if (stmt_int(st, 4))
				buf_printf(&b, ", key %.12s",
				    stmt_text(st, 3));
			buf_adds(&b, ")");
			if (label != NULL)
				buf_printf(&b, " [%s]", label);
		}
		stmt_reset(st);
	}
	return b.s ? buf_detach(&b) : xasprintf("kernel #%" PRId64, id);
}

int
kernel_resolve(struct db *db, const char *name, int64_t *id, char **cause)
{
	struct stmt *st;
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
	    "k.release = $1 OR ($2 AND (k.build_id LIKE $1 || '%' OR "
	    "k.build_key LIKE $1 || '%')) OR k.id IN (SELECT kernel_id FROM "
	    "runs WHERE label = $1) ORDER BY k.id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, name);
	stmt_bind_int64(st, 2, hex);
	while (stmt_step(st) == STORE_ROW) {
		found = stmt_int64(st, 0);
		d = kernel_describe(db, found);
		buf_printf(&list, "%s%s", n ? ", " : "", d);
		free(d);
		n++;
	}
	stmt_finalize(st);
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

/* ---- strings --------------------------------------------------------- */

/*
 * Every name read for comparisons (workloads, metrics, units, titles) is
 * copied once into this and the rows of one or many comparisons point
 * into it: comparing every build with a baseline made 90,000 copies of
 * the same few names before.  The last comparison released frees it.
 */
struct analysis_strings {
	size_t refs;
	char **v;
	size_t n, cap;
};

static struct analysis_strings *
strings_new(void)
{
	struct analysis_strings *ss = xcalloc(1, sizeof *ss);

	ss->refs = 1;
	return ss;
}

static const char *
strings_add(struct analysis_strings *ss, const char *s)
{
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? ss->cap * 2 : 64;
		ss->v = xreallocarray(ss->v, ss->cap, sizeof *ss->v);
	}
	return ss->v[ss->n++] = xstrdup(s != NULL ? s : "");
}

static void
strings_unref(struct analysis_strings *ss)
{
	size_t i;

	if (ss == NULL || --ss->refs > 0)
		return;
	for (i = 0; i < ss->n; i++)
		free(ss->v[i]);
	free(ss->v);
	free(ss);
}

/* ---- metrics --------------------------------------------------------- */

/* One build x workload x metric: the values of its passed runs. */
struct values {
	int64_t kernel, first_run;
	const char *workload, *metric, *unit;   /* in the strings */
	int higher_better;
	double *v;            /* in run order, the order means are summed in */
	double *sorted;       /* the same ascending, for the rank test */
	size_t n, cap;
	struct cmp_side side; /* described once, compared with many */
};

/* The metrics of one build x workload while rows are read. */
struct values_group {
	int64_t kernel;
	const char *workload;
	size_t *slots;        /* indexes of its values, first seen first */
	size_t nslots;
	size_t runs;          /* its runs: no metric has more values */
};

static int
values_cmp(const void *a, const void *b)
{
	const struct values *x = a, *y = b;

	return strcmp(x->metric, y->metric);
}

/* The group of a build and workload, added in (build, workload) order
 * when new. */
static size_t
values_group_find(struct values_group **gs, size_t *ng, int64_t kernel,
    const char *workload, struct analysis_strings *ss)
{
	size_t lo = 0, hi = *ng, mid;
	int k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = (*gs)[mid].kernel < kernel ? -1 : (*gs)[mid].kernel >
		    kernel ? 1 : strcmp((*gs)[mid].workload, workload);
		if (k == 0)
			return mid;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*gs = xreallocarray(*gs, *ng + 1, sizeof **gs);
	memmove(&(*gs)[lo + 1], &(*gs)[lo], (*ng - lo) * sizeof **gs);
	memset(&(*gs)[lo], 0, sizeof **gs);
	(*gs)[lo].kernel = kernel;
	(*gs)[lo].workload = strings_add(ss, workload);
	(*ng)++;
	return lo;
}

/*
 * A metric's slot in its group, or g->nslots.  Runs of a workload record
 * the same metrics in the same (name) order, so the search starts where
 * the previous row's metric was and almost always stops there.
 */
static size_t
values_slot_find(const struct values *vs, const struct values_group *g,
    const char *metric, size_t hint)
{
	size_t i, k;

	for (k = 0; k < g->nslots; k++) {
		i = (hint + k) % g->nslots;
		if (strcmp(vs[g->slots[i]].metric, metric) == 0)
			return i;
	}
	return g->nslots;
}

static void
values_free(struct values *vs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vs[i].v);
		free(vs[i].sorted);
	}
	free(vs);
}

/*
 * Unit and direction of each metric of each group, as its first run
 * recorded them: one query per such run (about one per group), where
 * reading them with every value cost more than the rest of the row.
 */
static int
values_units(struct db *db, struct values *vs, const struct values_group *gs,
    size_t ng, struct analysis_strings *ss, char **cause)
{
	struct stmt *st;
	const struct values_group *g;
	struct values *v;
	size_t i, j, hint;
	int64_t run;
	int rc = STORE_DONE;

	st = db_prepare(db, "SELECT name, unit, better FROM metrics WHERE "
	    "run_id = $1", cause);
	if (st == NULL)
		return -EIO;
	for (g = gs; g < gs + ng && rc == STORE_DONE; g++) {
		for (i = 0; i < g->nslots && rc == STORE_DONE; i++) {
			if (vs[g->slots[i]].unit != NULL)
				continue;
			run = vs[g->slots[i]].first_run;
			stmt_reset(st);
			stmt_bind_int64(st, 1, run);
			hint = i;
			while ((rc = stmt_step(st)) == STORE_ROW) {
				const char *m = (const char *)
				    stmt_text(st, 0);

				for (j = 0; j < g->nslots; j++) {
					v = &vs[g->slots[(hint + j) %
					    g->nslots]];
					if (v->unit == NULL && v->first_run ==
					    run && strcmp(v->metric, m) == 0)
						break;
				}
				if (j == g->nslots)
					continue;
				hint = (hint + j + 1) % g->nslots;
				v->unit = strings_add(ss, (const char *)
				    stmt_text(st, 1));
				v->higher_better = strcmp((const char *)
				    stmt_text(st, 2), "higher") == 0;
			}
			/* a metric deleted since it was read */
			if (vs[g->slots[i]].unit == NULL)
				vs[g->slots[i]].unit = "";
		}
	}
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read metric units");
	return 0;
}

static int
count_runs_all(struct db *db, int64_t *n, char **cause)
{
	struct stmt *st = db_prepare(db, "SELECT count(*) FROM runs", cause);

	if (st == NULL)
		return -EIO;
	*n = stmt_step(st) == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_finalize(st);
	return 0;
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

/* A passed run and the group of its build and workload. */
struct values_run {
	int64_t id, kernel;
	const char *workload;   /* the group's copy */
	size_t group;
};

/*
 * Every passed run's metric values of one build (kernel > 0), or of every
 * build but -kernel (kernel < 0), as one struct values per build, workload
 * and metric, sorted in that order so that sides merge in one pass.
 */
static int
load_values(struct db *db, int64_t kernel, const struct compare_opts *o,
    struct analysis_strings *ss, struct values **out, size_t *nout,
    char **cause)
{
	/*
	 * The runs first, then their metrics in run order: reading them
	 * by id walks the metrics table front to back (the build and
	 * workload index order jumped about in it), and a metric row does
	 * not carry its run's build and workload again (bench/README.md,
	 * analysis).
	 */
	static const char *runs_sql[] = {
		"SELECT id, kernel_id, workload FROM runs WHERE kernel_id = $1 "
		"AND state = 'passed' AND ($2 IS NULL OR workload = $2) "
		"ORDER BY id",
		"SELECT id, kernel_id, workload FROM runs WHERE kernel_id <> "
		"$1 AND state = 'passed' AND ($2 IS NULL OR workload = $2) "
		"ORDER BY id",
	};
	static const char *metrics_sql[] = {
		"SELECT m.run_id, m.name, m.value FROM runs r JOIN metrics m "
		"ON m.run_id = r.id WHERE r.kernel_id = $1 "
		"AND r.state = 'passed' AND ($2 IS NULL OR r.workload = $2) "
		"AND ($3 IS NULL OR m.name = $3) ORDER BY r.id",
		"SELECT m.run_id, m.name, m.value FROM runs r JOIN metrics m "
		"ON m.run_id = r.id WHERE r.kernel_id <> $1 "
		"AND r.state = 'passed' AND ($2 IS NULL OR r.workload = $2) "
		"AND ($3 IS NULL OR m.name = $3) ORDER BY r.id",
		/* most runs: the whole table, skipping the others' rows */
		"SELECT run_id, name, value FROM metrics WHERE ($3 IS NULL OR "
		"name = $3) ORDER BY run_id",
	};
	struct values *vs = NULL, *sorted = NULL, *cur;
	struct values_group *gs = NULL, *g = NULL;
	struct values_run *runs = NULL;
	size_t nv = 0, ng = 0, nr = 0, rcap = 0, c = 0, next = 0, i, j, n;
	int64_t run = 0, k = kernel < 0 ? -kernel : kernel, all = 0;
	struct stmt *st;
	int rc, r, which = 0;

	*out = NULL;
	*nout = 0;
	if ((st = db_prepare(db, runs_sql[kernel < 0], cause)) == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, k);
	if (o->workload)
		stmt_bind_text(st, 2, o->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		if (nr == rcap) {
			rcap = rcap ? rcap * 2 : 64;
			runs = xreallocarray(runs, rcap, sizeof *runs);
		}
		runs[nr].id = stmt_int64(st, 0);
		runs[nr].kernel = stmt_int64(st, 1);
		i = values_group_find(&gs, &ng, runs[nr].kernel,
		    (const char *)stmt_text(st, 2), ss);
		runs[nr++].workload = gs[i].workload;
	}
	stmt_finalize(st);
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot read runs");
		goto fail;
	}
	/* every group is known now: their places no longer move */
	for (i = 0; i < nr; i++) {
		runs[i].group = values_group_find(&gs, &ng, runs[i].kernel,
		    runs[i].workload, ss);
		gs[runs[i].group].runs++;
	}

	/* A join looks each run's metrics up; reading the table through is
	 * cheaper once the runs are most of them (regressions). */
	if (kernel < 0) {
		if ((r = count_runs_all(db, &all, cause)) != 0)
			goto fail;
		which = (int64_t)nr * 2 >= all ? 2 : 1;
	}
	if ((st = db_prepare(db, metrics_sql[which], cause)) == NULL) {
		r = -EIO;
		goto fail;
	}
	stmt_bind_int64(st, 1, k);
	if (o->workload)
		stmt_bind_text(st, 2, o->workload);
	if (o->metric)
		stmt_bind_text(st, 3, o->metric);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *m = (const char *)stmt_text(st, 1);

		if (stmt_int64(st, 0) != run) {
			run = stmt_int64(st, 0);
			while (c < nr && runs[c].id < run)
				c++;
			/* a run that passed since runs were read */
			g = c < nr && runs[c].id == run ?
			    &gs[runs[c].group] : NULL;
			next = 0;
		}
		if (g == NULL)
			continue;
		if ((i = values_slot_find(vs, g, m, next)) == g->nslots) {
			vs = xreallocarray(vs, nv + 1, sizeof *vs);
			cur = &vs[nv];
			memset(cur, 0, sizeof *cur);
			cur->kernel = g->kernel;
			cur->first_run = run;
			cur->workload = g->workload;
			cur->metric = strings_add(ss, m);
			cur->cap = g->runs;
			cur->v = xreallocarray(NULL, cur->cap, sizeof *cur->v);
			g->slots = xreallocarray(g->slots, g->nslots + 1,
			    sizeof *g->slots);
			g->slots[g->nslots++] = nv++;
		}
		next = i + 1;
		cur = &vs[g->slots[i]];
		if (cur->n == cur->cap) {
			cur->cap = cur->cap ? cur->cap * 2 : 8;
			cur->v = xreallocarray(cur->v, cur->cap,
			    sizeof *cur->v);
		}
		cur->v[cur->n++] = stmt_double(st, 2);
	}
	stmt_finalize(st);
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot read metrics");
		goto fail;
	}
	if ((r = values_units(db, vs, gs, ng, ss, cause)) != 0)
		goto fail;
	/* In (build, workload, metric) order, each with its values sorted. */
	sorted = xreallocarray(NULL, nv ? nv : 1, sizeof *sorted);
	for (i = n = 0; i < ng; i++) {
		for (j = 0; j < gs[i].nslots; j++)
			sorted[n + j] = vs[gs[i].slots[j]];
		for (j = 1; j < gs[i].nslots && values_cmp(&sorted[n + j - 1],
		    &sorted[n + j]) < 0; j++)
			;
		if (j < gs[i].nslots)   /* runs recorded them out of order */
			qsort(&sorted[n], gs[i].nslots, sizeof *sorted,
			    values_cmp);
		n += gs[i].nslots;
	}
	for (i = 0; i < nv; i++) {
		cur = &sorted[i];
		cur->sorted = xreallocarray(NULL, cur->n, sizeof *cur->sorted);
		memcpy(cur->sorted, cur->v, cur->n * sizeof *cur->v);
		stats_sort(cur->sorted, cur->n);
		describe_side(&cur->side, cur->v, cur->n);
	}
	*out = sorted;
	*nout = nv;
	free(vs);           /* its members moved to sorted */
	vs = NULL;
	nv = 0;
	r = 0;
fail:
	for (i = 0; i < ng; i++)
		free(gs[i].slots);
	free(gs);
	free(runs);
	values_free(vs, nv);
	return r;
}

static void
judge(struct metric_cmp *m, const struct values *a, const struct values *b,
    double threshold)
{
	struct mann_whitney mw;

	m->base = a->side;
	m->new = b->side;
	m->change_pct = m->base.mean != 0 ? 100.0 * (m->new.mean -
	    m->base.mean) / fabs(m->base.mean) : 0;
	m->gain_pct = m->higher_better ? m->change_pct : -m->change_pct;
	m->ci_disjoint = m->new.ci_lo > m->base.ci_hi ||
	    m->new.ci_hi < m->base.ci_lo;
	stats_mann_whitney_sorted(b->sorted, b->n, a->sorted, a->n, &mw);
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
count_runs(struct db *db, struct stmt **st, int64_t kernel,
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
	struct stmt *st, *cnt = NULL;
	int rc;

	/* e.kernel_id, not r.kernel_id: the (kernel, signature) index. */
	st = db_prepare(db, "SELECT e.kind, e.title, e.signature, r.workload, "
	    "count(DISTINCT CASE WHEN e.kernel_id = $1 THEN r.id END), "
	    "count(DISTINCT CASE WHEN e.kernel_id = $2 THEN r.id END) "
	    "FROM events e JOIN runs r ON r.id = e.run_id WHERE e.kernel_id "
	    "IN ($1, $2) AND ($3 IS NULL OR r.workload = $3) AND e.kind NOT "
	    "IN ('taint') GROUP BY e.signature, r.workload ORDER BY "
	    "r.workload, e.kind, e.title", cause);
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
		l->kind = strings_add(c->strings, (const char *)
		    stmt_text(st, 0));
		l->title = strings_add(c->strings, (const char *)
		    stmt_text(st, 1));
		l->signature = strings_add(c->strings, (const char *)
		    stmt_text(st, 2));
		l->workload = strings_add(c->strings, (const char *)
		    stmt_text(st, 3));
		l->hit_base = stmt_int64(st, 4);
		l->hit_new = stmt_int64(st, 5);
		l->runs_base = count_runs(db, &cnt, c->base, l->workload);
		l->runs_new = count_runs(db, &cnt, c->new, l->workload);
		l->rate_base = l->runs_base ? (double)l->hit_base /
		    (double)l->runs_base : 0;
		l->rate_new = l->runs_new ? (double)l->hit_new /
		    (double)l->runs_new : 0;
		l->is_new = l->hit_base == 0;
	}
	stmt_finalize(st);
	stmt_finalize(cnt);
	if (rc != STORE_DONE)
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

	c->metrics = xreallocarray(c->metrics, c->nmetrics + (na < nb ? na :
	    nb) + 1, sizeof *c->metrics);
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
		m = &c->metrics[c->nmetrics++];
		memset(m, 0, sizeof *m);
		m->workload = a[i].workload;
		m->metric = a[i].metric;
		m->unit = b[j].unit;
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
	c->strings = strings_new();
	if ((r = load_values(db, base, o, c->strings, &a, &na, cause)) != 0 ||
	    (r = load_values(db, new, o, c->strings, &b, &nb, cause)) != 0)
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

/* Runs of one build and workload with an event signature, or (in a
 * denominator list) finished runs of one build and workload. */
struct hit {
	int64_t kernel;
	const char *kind, *title, *signature, *workload;   /* in the strings */
	int64_t runs_hit;
};

static int
hit_key_cmp(const struct hit *a, const struct hit *b)
{
	int k = strcmp(a->signature, b->signature);

	return k ? k : strcmp(a->workload, b->workload);
}

static int
int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Distinct values of v (sorted in place when they are not already). */
static int64_t
count_distinct(int64_t *v, size_t n, int sorted)
{
	int64_t d = n > 0;
	size_t i;

	if (!sorted && n > 64)
		qsort(v, n, sizeof *v, int64_cmp);
	else if (!sorted) {
		/* a group's runs: a few sorted stretches, one per kind and
		 * workload */
		for (i = 1; i < n; i++) {
			int64_t x = v[i];
			size_t j;

			for (j = i; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
	}
	for (i = 1; i < n; i++)
		d += v[i] != v[i - 1];
	return d;
}

/* The first of h (sorted by build) with this build, or nh. */
static size_t
hits_of(const struct hit *h, size_t nh, int64_t kernel)
{
	size_t lo = 0, hi = nh, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (h[mid].kernel < kernel)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Every build's event signatures per workload with the runs they hit,
 * sorted by build, signature and workload.  One scan of the
 * events_lockups index in its own order; the groups are formed here,
 * which saves SQLite a temporary b-tree per group for the distinct runs.
 */
static int
load_hits(struct db *db, const struct compare_opts *o,
    struct analysis_strings *ss, struct hit **out, size_t *nout, char **cause)
{
	struct stmt *st, *title;
	struct hit *h = NULL, *cur = NULL;
	int64_t *runs = NULL;
	size_t nh = 0, nruns = 0, cap = 0, runs_cap = 0;
	int sorted = 1, rc;

	/* Events outside runs and taints are left out here, not by the
	 * query: it would test every row for what is read anyway. */
	st = db_prepare(db, o->workload ? "SELECT kernel_id, signature, "
	    "workload, kind, run_id FROM events WHERE workload = $1 ORDER BY "
	    "kernel_id, signature, workload, kind, run_id" : "SELECT "
	    "kernel_id, signature, workload, kind, run_id FROM events ORDER "
	    "BY kernel_id, signature, workload, kind, run_id", cause);
	/* The title of a signature on a build: looked up once. */
	title = db_prepare(db, "SELECT title FROM events WHERE kernel_id = $1 "
	    "AND signature = $2 ORDER BY kind, id LIMIT 1", cause);
	if (st == NULL || title == NULL) {
		stmt_finalize(st);
		stmt_finalize(title);
		return -EIO;
	}
	if (o->workload)
		stmt_bind_text(st, 1, o->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t k, run;
		const char *sig, *w, *kind;
		int same_sig;

		if (stmt_type(st, 4) == STORE_NULL)
			continue;
		kind = (const char *)stmt_text(st, 3);
		if (strcmp(kind, "taint") == 0)
			continue;
		k = stmt_int64(st, 0);
		sig = (const char *)stmt_text(st, 1);
		w = (const char *)stmt_text(st, 2);
		run = stmt_int64(st, 4);
		if (w == NULL)
			w = "";
		same_sig = cur != NULL && cur->kernel == k &&
		    strcmp(cur->signature, sig) == 0;
		if (!same_sig || strcmp(cur->workload, w) != 0) {
			if (cur != NULL)
				cur->runs_hit = count_distinct(runs, nruns,
				    sorted);
			if (nh == cap) {
				cap = cap ? cap * 2 : 64;
				h = xreallocarray(h, cap, sizeof *h);
			}
			cur = &h[nh++];
			memset(cur, 0, sizeof *cur);
			cur->kernel = k;
			cur->signature = strings_add(ss, sig);
			cur->workload = strings_add(ss, w);
			/* rows of a group come in kind order: the first is
			 * min(kind) */
			cur->kind = strings_add(ss, kind);
			if (same_sig)
				cur->title = cur[-1].title;
			else {
				stmt_reset(title);
				stmt_bind_int64(title, 1, k);
				stmt_bind_text(title, 2, sig);
				cur->title = strings_add(ss,
				    stmt_step(title) ==
				    STORE_ROW ? (const char *)
				    stmt_text(title, 0) : sig);
			}
			nruns = 0;
			sorted = 1;
		}
		if (nruns == 0 || run != runs[nruns - 1]) {
			if (nruns == runs_cap) {
				runs_cap = runs_cap ? runs_cap * 2 : 64;
				runs = xreallocarray(runs, runs_cap,
				    sizeof *runs);
			}
			if (nruns > 0 && run < runs[nruns - 1])
				sorted = 0;
			runs[nruns++] = run;
		}
	}
	if (cur != NULL)
		cur->runs_hit = count_distinct(runs, nruns, sorted);
	stmt_finalize(st);
	stmt_finalize(title);
	free(runs);
	if (rc != STORE_DONE) {
		free(h);
		return db_error(db, cause, "cannot read events");
	}
	*out = h;
	*nout = nh;
	return 0;
}

/* The base's lockup rates against every build's, from one scan of the
 * events (grouped by build, signature, workload). */
static int
lockups_against(struct db *db, int64_t base, struct comparison *cs, size_t n,
    const struct compare_opts *o, struct analysis_strings *ss, char **cause)
{
	struct hit *h = NULL, *rcs = NULL;
	size_t nh = 0, nrc = 0, i, b0, b1, rb0, rb1;
	struct stmt *st;
	int r;

	/* Finished runs per build and workload: the rates' denominators. */
	st = db_prepare(db, "SELECT kernel_id, workload, count(*) FROM runs "
	    "WHERE state NOT IN ('skipped', 'queued', 'running') GROUP BY "
	    "kernel_id, workload ORDER BY kernel_id, workload", cause);
	if (st == NULL)
		return -EIO;
	while (stmt_step(st) == STORE_ROW) {
		rcs = xreallocarray(rcs, nrc + 1, sizeof *rcs);
		memset(&rcs[nrc], 0, sizeof *rcs);
		rcs[nrc].kernel = stmt_int64(st, 0);
		rcs[nrc].workload = strings_add(ss, (const char *)
		    stmt_text(st, 1));
		rcs[nrc].runs_hit = stmt_int64(st, 2);
		nrc++;
	}
	stmt_finalize(st);
	if ((r = load_hits(db, o, ss, &h, &nh, cause)) != 0)
		goto out;
	/* The base's rows, sorted like every other build's. */
	b0 = hits_of(h, nh, base);
	for (b1 = b0; b1 < nh && h[b1].kernel == base; b1++)
		;
	rb0 = hits_of(rcs, nrc, base);
	for (rb1 = rb0; rb1 < nrc && rcs[rb1].kernel == base; rb1++)
		;
	for (i = 0; i < n; i++) {
		struct comparison *c = &cs[i];
		size_t s0, s1, x, y, rs0, rs1, j;

		s0 = hits_of(h, nh, c->new);
		for (s1 = s0; s1 < nh && h[s1].kernel == c->new; s1++)
			;
		rs0 = hits_of(rcs, nrc, c->new);
		for (rs1 = rs0; rs1 < nrc && rcs[rs1].kernel == c->new; rs1++)
			;
		c->lockups = xreallocarray(c->lockups, (b1 - b0) + (s1 - s0) +
		    1, sizeof *c->lockups);
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
			l = &c->lockups[c->nlockups++];
			memset(l, 0, sizeof *l);
			l->kind = src->kind;
			l->title = src->title;
			l->signature = src->signature;
			l->workload = src->workload;
			l->hit_base = k <= 0 ? h[x].runs_hit : 0;
			l->hit_new = k >= 0 ? h[y].runs_hit : 0;
			for (j = rb0; j < rb1; j++)
				if (strcmp(rcs[j].workload, l->workload) == 0)
					l->runs_base = rcs[j].runs_hit;
			for (j = rs0; j < rs1; j++)
				if (strcmp(rcs[j].workload, l->workload) == 0)
					l->runs_new = rcs[j].runs_hit;
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
	free(rcs);
	free(h);
	return r;
}

int
compare_against(struct db *db, int64_t base, const struct compare_opts *o,
    struct comparison **out, size_t *nout, char **cause)
{
	struct analysis_strings *ss = strings_new();
	struct values *a = NULL, *b = NULL;
	struct comparison *cs = NULL;
	size_t na = 0, nb = 0, i, start, n = 0;
	int r;

	*out = NULL;
	*nout = 0;
	/* Two queries for every build's metrics, not two per build. */
	if ((r = load_values(db, base, o, ss, &a, &na, cause)) != 0 ||
	    (r = load_values(db, -base, o, ss, &b, &nb, cause)) != 0)
		goto out;
	for (start = 0; start < nb; start = i) {
		for (i = start; i < nb && b[i].kernel == b[start].kernel; i++)
			;
		cs = xreallocarray(cs, n + 1, sizeof *cs);
		memset(&cs[n], 0, sizeof *cs);
		cs[n].base = base;
		cs[n].new = b[start].kernel;
		cs[n].strings = ss;
		ss->refs++;
		merge_metrics(&cs[n], a, na, &b[start], i - start,
		    o->threshold_pct);
		n++;
	}
	if (n > 0)
		r = lockups_against(db, base, cs, n, o, ss, cause);
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
	strings_unref(ss);
	return r;
}

void
comparison_release(struct comparison *c)
{
	free(c->metrics);
	free(c->lockups);
	strings_unref(c->strings);
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

/* ---- lockups listing ------------------------------------------------- */

struct kernel_info {
	int64_t id, first_seen_ns, runs;
	char *release, *build_id;
};

struct host_name {
	int64_t id;
	char *name;
};

/* A group of events while the scan is in it: the distinct values. */
struct lockup_acc {
	int64_t *runs, *hosts;
	size_t nruns, runs_cap, nhosts, hosts_cap;
	int runs_sorted;
	char **workloads;       /* in name order */
	size_t nworkloads, workloads_cap;
};

static struct kernel_info *
kernel_info_find(struct kernel_info *ks, size_t n, int64_t id)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ks[mid].id == id)
			return &ks[mid];
		if (ks[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
lockup_acc_add(struct lockup_acc *a, struct stmt *st)
{
	const char *w = (const char *)stmt_text(st, 3);
	int64_t v;
	size_t i;
	int k = 1;

	if (stmt_type(st, 4) != STORE_NULL) {
		v = stmt_int64(st, 4);
		if (a->nruns == 0 || v != a->runs[a->nruns - 1]) {
			if (a->nruns == a->runs_cap) {
				a->runs_cap = a->runs_cap ? 2 * a->runs_cap :
				    64;
				a->runs = xreallocarray(a->runs, a->runs_cap,
				    sizeof *a->runs);
			}
			if (a->nruns > 0 && v < a->runs[a->nruns - 1])
				a->runs_sorted = 0;
			a->runs[a->nruns++] = v;
		}
	}
	v = stmt_int64(st, 5);
	for (i = 0; i < a->nhosts && a->hosts[i] != v; i++)
		;
	if (i == a->nhosts) {
		if (a->nhosts == a->hosts_cap) {
			a->hosts_cap = a->hosts_cap ? a->hosts_cap * 2 : 4;
			a->hosts = xreallocarray(a->hosts, a->hosts_cap,
			    sizeof *a->hosts);
		}
		a->hosts[a->nhosts++] = v;
	}
	if (w == NULL)
		return;
	/* rows come in workload order: the last one is the likely match */
	for (i = a->nworkloads; i > 0; i--)
		if ((k = strcmp(a->workloads[i - 1], w)) <= 0)
			break;
	if (i > 0 && k == 0)
		return;
	if (a->nworkloads == a->workloads_cap) {
		a->workloads_cap = a->workloads_cap ? a->workloads_cap * 2 : 4;
		a->workloads = xreallocarray(a->workloads, a->workloads_cap,
		    sizeof *a->workloads);
	}
	memmove(&a->workloads[i + 1], &a->workloads[i], (a->nworkloads - i) *
	    sizeof *a->workloads);
	a->workloads[i] = xstrdup(w);
	a->nworkloads++;
}

/* The group's distinct values into its row; the accumulator is emptied. */
static void
lockup_acc_finish(struct lockup_acc *a, struct lockup_row *row,
    const struct host_name *hosts, size_t nhosts)
{
	struct buf b = BUF_INIT;
	size_t i, j;

	row->runs_hit = count_distinct(a->runs, a->nruns, a->runs_sorted);
	for (i = 0; i < a->nworkloads; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		buf_adds(&b, a->workloads[i]);
		free(a->workloads[i]);
	}
	row->workloads = b.s ? buf_detach(&b) : NULL;
	for (i = 0; i < nhosts; i++) {
		for (j = 0; j < a->nhosts && a->hosts[j] != hosts[i].id; j++)
			;
		if (j == a->nhosts)
			continue;
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_adds(&b, hosts[i].name);
	}
	row->hosts = b.s ? buf_detach(&b) : NULL;
	a->nruns = a->nhosts = a->nworkloads = 0;
	a->runs_sorted = 1;
}

/* A row and its build's first-seen time, the first sort key. */
struct lockup_sort {
	int64_t first_seen_ns;
	struct lockup_row row;
};

static int
lockup_sort_cmp(const void *x, const void *y)
{
	const struct lockup_sort *a = x, *b = y;
	int k;

	if (a->first_seen_ns != b->first_seen_ns)
		return a->first_seen_ns < b->first_seen_ns ? -1 : 1;
	if (a->row.count != b->row.count)
		return a->row.count > b->row.count ? -1 : 1;
	if ((k = strcmp(a->row.title, b->row.title)) != 0)
		return k;
	if (a->row.kernel != b->row.kernel)
		return a->row.kernel < b->row.kernel ? -1 : 1;
	return strcmp(a->row.signature, b->row.signature);
}

static void
lockup_row_release(struct lockup_row *row)
{
	free(row->release);
	free(row->build_id);
	free(row->kind);
	free(row->title);
	free(row->signature);
	free(row->workloads);
	free(row->hosts);
	free(row->example_run);
}

void
lockup_rows_free(struct lockup_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lockup_row_release(&rows[i]);
	free(rows);
}

/* Builds with their first-seen times and finished runs, by id. */
static int
load_kernel_info(struct db *db, const char *workload, struct kernel_info **out,
    size_t *nout, char **cause)
{
	struct kernel_info *ks = NULL, *k;
	struct stmt *st;
	size_t n = 0;
	int rc;

	st = db_prepare(db, "SELECT k.id, k.first_seen_ns, k.release, "
	    "coalesce(k.build_id, k.build_key), (SELECT count(*) FROM runs r "
	    "WHERE r.kernel_id = k.id AND ($1 IS NULL OR r.workload = $1) "
	    "AND r.state NOT IN ('queued', 'running', 'skipped')) FROM "
	    "kernels k ORDER BY k.id", cause);
	if (st == NULL)
		return -EIO;
	if (workload)
		stmt_bind_text(st, 1, workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		ks = xreallocarray(ks, n + 1, sizeof *ks);
		k = &ks[n++];
		k->id = stmt_int64(st, 0);
		k->first_seen_ns = stmt_int64(st, 1);
		k->release = xstrdup((const char *)stmt_text(st, 2));
		k->build_id = xstrdup((const char *)stmt_text(st, 3));
		k->runs = stmt_int64(st, 4);
	}
	stmt_finalize(st);
	*out = ks;
	*nout = n;
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read kernel builds");
	return 0;
}

/*
 * One scan of the events in (build, signature) order, the order of the
 * events_lockups index, which holds every column read: counts, times and
 * the distinct runs, hosts and workloads are gathered here, where SQLite
 * kept a temporary b-tree per group for each distinct list (twice the
 * time, bench/README.md, analysis).  Then one look-up per group for its
 * latest event (the example and the title shown).
 */
int
lockups_list(struct db *db, const struct lockups_query *q,
    struct lockup_row **out, size_t *nout, char **cause)
{
	struct kernel_info *ks = NULL, *ki;
	struct host_name *hosts = NULL;
	struct lockup_sort *rows = NULL, *cur = NULL;
	struct lockup_acc acc;
	struct lockup_row *res;
	struct buf sql = BUF_INIT;
	struct stmt *st = NULL, *ex = NULL, *base = NULL;
	size_t nk = 0, nhosts = 0, n = 0, cap = 0, i;
	int rc, r;

	*out = NULL;
	*nout = 0;
	memset(&acc, 0, sizeof acc);
	acc.runs_sorted = 1;
	if ((r = load_kernel_info(db, q->workload, &ks, &nk, cause)) != 0)
		goto out;
	/* host names in the order of the hosts' unique index */
	st = db_prepare(db, "SELECT id, hostname FROM hosts ORDER BY "
	    "machine_id, hostname, cpus_possible, numa_nodes, mem_total_kb",
	    cause);
	if (st == NULL) {
		r = -EIO;
		goto out;
	}
	while (stmt_step(st) == STORE_ROW) {
		hosts = xreallocarray(hosts, nhosts + 1, sizeof *hosts);
		hosts[nhosts].id = stmt_int64(st, 0);
		hosts[nhosts++].name = xstrdup((const char *)
		    stmt_text(st, 1));
	}
	stmt_finalize(st);

	/* Only the filters asked for: the scan tests each on every row
	 * (taints are left out below, from the kind read anyway). */
	buf_adds(&sql, "SELECT kernel_id, signature, kind, workload, run_id, "
	    "host_id, t_ns, id FROM events WHERE 1");
	if (q->kernel != 0)
		buf_adds(&sql, " AND kernel_id = $1");
	if (q->kind != NULL)
		buf_adds(&sql, " AND kind = $2");
	if (q->since_ns != 0)
		buf_adds(&sql, " AND t_ns >= $3");
	if (q->workload != NULL)
		buf_adds(&sql, " AND workload = $4");
	buf_adds(&sql, " ORDER BY kernel_id, signature");
	st = db_prepare(db, sql.s, cause);
	ex = db_prepare(db, "SELECT e.title, r.uuid FROM events e LEFT JOIN "
	    "runs r ON r.id = e.run_id WHERE e.id = $1", cause);
	base = db_prepare(db, "SELECT 1 FROM events WHERE kernel_id = $1 AND "
	    "signature = $2 LIMIT 1", cause);
	if (st == NULL || ex == NULL || base == NULL) {
		r = -EIO;
		goto out;
	}
	if (q->kernel != 0)
		stmt_bind_int64(st, 1, q->kernel);
	if (q->kind != NULL)
		stmt_bind_text(st, 2, q->kind);
	if (q->since_ns != 0)
		stmt_bind_int64(st, 3, q->since_ns);
	if (q->workload != NULL)
		stmt_bind_text(st, 4, q->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t k = stmt_int64(st, 0), t, id;
		const char *sig = (const char *)stmt_text(st, 1);
		const char *kind = (const char *)stmt_text(st, 2);

		if (strcmp(kind, "taint") == 0)
			continue;
		if (cur == NULL || cur->row.kernel != k ||
		    strcmp(cur->row.signature, sig) != 0) {
			if (cur != NULL)
				lockup_acc_finish(&acc, &cur->row, hosts,
				    nhosts);
			if ((ki = kernel_info_find(ks, nk, k)) == NULL) {
				/* a build deleted under us: not listed */
				cur = NULL;
				continue;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xreallocarray(rows, cap, sizeof *rows);
			}
			cur = &rows[n++];
			memset(cur, 0, sizeof *cur);
			cur->first_seen_ns = ki->first_seen_ns;
			cur->row.kernel = k;
			cur->row.release = xstrdup(ki->release);
			cur->row.build_id = xstrdup(ki->build_id);
			cur->row.runs = ki->runs;
			cur->row.signature = xstrdup(sig);
			cur->row.kind = xstrdup(kind);
			cur->row.first_ns = INT64_MAX;
			cur->row.last_ns = INT64_MIN;
		} else if (strcmp(kind, cur->row.kind) < 0) {
			free(cur->row.kind);
			cur->row.kind = xstrdup(kind);
		}
		cur->row.count++;
		t = stmt_int64(st, 6);
		id = stmt_int64(st, 7);
		if (t < cur->row.first_ns)
			cur->row.first_ns = t;
		if (t > cur->row.last_ns)
			cur->row.last_ns = t;
		if (id > cur->row.example_event)
			cur->row.example_event = id;
		lockup_acc_add(&acc, st);
	}
	if (cur != NULL)
		lockup_acc_finish(&acc, &cur->row, hosts, nhosts);
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot list lockups");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct lockup_row *l = &rows[i].row;

		stmt_reset(ex);
		stmt_bind_int64(ex, 1, l->example_event);
		if (stmt_step(ex) == STORE_ROW) {
			l->title = xstrdup((const char *)
			    stmt_text(ex, 0));
			if (stmt_type(ex, 1) != STORE_NULL)
				l->example_run = xstrdup((const char *)
				    stmt_text(ex, 1));
		} else
			l->title = xstrdup(l->signature);
		if (q->baseline != 0) {
			stmt_reset(base);
			stmt_bind_int64(base, 1, q->baseline);
			stmt_bind_text(base, 2, l->signature);
			l->is_new = stmt_step(base) != STORE_ROW;
		}
	}
	if (n > 0)
		qsort(rows, n, sizeof *rows, lockup_sort_cmp);
	res = xreallocarray(NULL, n ? n : 1, sizeof *res);
	for (i = 0; i < n; i++)
		res[i] = rows[i].row;
	*out = res;
	*nout = n;
	n = 0;
	r = 0;
out:
	buf_release(&sql);
	stmt_finalize(st);
	stmt_finalize(ex);
	stmt_finalize(base);
	for (i = 0; i < n; i++)
		lockup_row_release(&rows[i].row);
	free(rows);
	for (i = 0; i < nk; i++) {
		free(ks[i].release);
		free(ks[i].build_id);
	}
	free(ks);
	for (i = 0; i < nhosts; i++)
		free(hosts[i].name);
	free(hosts);
	free(acc.runs);
	free(acc.hosts);
	for (i = 0; i < acc.nworkloads; i++)
		free(acc.workloads[i]);
	free(acc.workloads);
	return r;
}

/* ---- run counts for verdicts ----------------------------------------- */

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	struct stmt *st;

	memset(rc, 0, sizeof *rc);
	st = db_prepare(db, "SELECT count(*), "
	    "sum(state = 'passed'), sum(state = 'failed'), "
	    "sum(state = 'skipped'), sum(state = 'lockup'), "
	    "sum(state = 'crashed'), sum(state = 'interrupted'), "
	    "(SELECT reason FROM runs WHERE kernel_id = $1 AND workload = $2 "
	    "AND state = 'skipped' ORDER BY id DESC LIMIT 1) "
	    "FROM runs WHERE kernel_id = $1 AND workload = $2", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	if (stmt_step(st) == STORE_ROW) {
		rc->total = stmt_int64(st, 0);
		rc->passed = stmt_int64(st, 1);
		rc->failed = stmt_int64(st, 2);
		rc->skipped = stmt_int64(st, 3);
		rc->lockup = stmt_int64(st, 4);
		rc->crashed = stmt_int64(st, 5);
		rc->interrupted = stmt_int64(st, 6);
		if (stmt_type(st, 7) != STORE_NULL)
			rc->skip_reason = xstrdup((const char *)
			    stmt_text(st, 7));
	}
	stmt_finalize(st);
	/* The title is the first seen: the one a bisection is chasing; later
	 * ones (an RCU stall after the soft lockup) often follow from it. */
	st = db_prepare(db, "SELECT count(DISTINCT r.id), (SELECT e.title FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND e.kind IN " BAD_EVENT_KINDS " ORDER BY "
	    "e.t_ns, e.id LIMIT 1) FROM events e JOIN runs r ON r.id = "
	    "e.run_id WHERE r.kernel_id = $1 AND r.workload = $2 AND e.kind IN "
	    BAD_EVENT_KINDS, cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	if (stmt_step(st) == STORE_ROW) {
		rc->bad_events = stmt_int64(st, 0);
		if (stmt_type(st, 1) != STORE_NULL)
			rc->bad_title = xstrdup((const char *)
			    stmt_text(st, 1));
	}
	stmt_finalize(st);
	return 0;
}

void
run_counts_release(struct run_counts *rc)
{
	free(rc->bad_title);
	free(rc->skip_reason);
	rc->bad_title = rc->skip_reason = NULL;
}
