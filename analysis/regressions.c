/*
 * regressions.c - one baseline build against every other build with
 * passed runs, as one comparison per build (`mmstorm regressions`).
 *
 * What compare.c does per pair is done here for all builds at once: the
 * metrics of every other build in two queries, not two per build, and
 * the lockup rates of every build from one scan of the events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/buf.h"
#include "common/stats.h"
#include "common/util.h"
#include "store/db.h"

/* Runs of one build and workload with an event signature, or (in a
 * denominator list) finished runs of one build and workload. */
struct hit {
	int64_t kernel;
	const char *kind, *signature, *workload;   /* in the strings */
	int64_t runs_hit;
};

/* The runs a group of event rows hit, while the scan is in it. */
struct hit_runs {
	int64_t *v;
	size_t n, cap;
	int sorted;
};

static int
hit_key_cmp(const struct hit *a, const struct hit *b)
{
	int k = strcmp(a->signature, b->signature);

	return k ? k : strcmp(a->workload, b->workload);
}

/* [*from, *to) of h (sorted by build): the rows of this build. */
static void
hits_of(const struct hit *h, size_t nh, int64_t kernel, size_t *from,
    size_t *to)
{
	size_t lo = 0, hi = nh, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (h[mid].kernel < kernel)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < nh && h[lo].kernel == kernel)
		lo++;
	*to = lo;
}

static void
hit_runs_add(struct hit_runs *runs, int64_t run)
{
	if (runs->n > 0 && run == runs->v[runs->n - 1])
		return;
	if (runs->n == runs->cap) {
		runs->cap = runs->cap ? runs->cap * 2 : 64;
		runs->v = xreallocarray(runs->v, runs->cap, sizeof *runs->v);
	}
	if (runs->n > 0 && run < runs->v[runs->n - 1])
		runs->sorted = 0;
	runs->v[runs->n++] = run;
}

/*
 * The title a new lockup shows: that of its signature's first event by
 * kind on the build.  Only the rows a listing shows get one (a query
 * each, where titles for every row were thousands of queries on a fleet
 * database); the others' titles stay NULL.
 */
static int
title_new_lockups(struct db *db, struct comparison *c,
    struct analysis_strings *ss, char **cause)
{
	struct stmt *st = NULL;
	struct lockup_cmp *l;
	size_t i;

	for (i = 0; i < c->nlockups; i++) {
		l = &c->lockups[i];
		if (!l->is_new || l->hit_new == 0)
			continue;
		if (i > 0 && l[-1].title != NULL &&
		    strcmp(l[-1].signature, l->signature) == 0) {
			l->title = l[-1].title;     /* another workload */
			continue;
		}
		if (st == NULL && (st = db_prepare(db, "SELECT title FROM "
		    "events WHERE kernel_id = $1 AND signature = $2 ORDER BY "
		    "kind, id LIMIT 1", cause)) == NULL)
			return -EIO;
		stmt_reset(st);
		stmt_bind_int64(st, 1, c->new);
		stmt_bind_text(st, 2, l->signature);
		l->title = analysis_strings_add(ss, stmt_step(st) == STORE_ROW ?
		    stmt_text(st, 0) : l->signature);
	}
	stmt_finalize(st);
	return 0;
}

/*
 * Every build's event signatures per workload with the runs they hit,
 * sorted by build, signature and workload.  One scan of the
 * events_lockups index in its own order; the groups are formed here,
 * which saves the engine a temporary b-tree per group for the distinct
 * runs.
 */
static int
load_hits(struct db *db, const struct compare_opts *o, const char *in,
    struct analysis_strings *ss, struct hit **out, size_t *nout, char **cause)
{
	struct stmt *st;
	struct hit *h = NULL, *cur = NULL;
	struct hit_runs runs = { NULL, 0, 0, 1 };
	size_t nh = 0, cap = 0;
	char *sql;
	int rc;

	/* Events outside runs and taints are left out here, not by the
	 * query: it would test every row for what is read anyway. */
	sql = xasprintf("SELECT kernel_id, signature, workload, kind, run_id "
	    "FROM events%s%s%s%s ORDER BY kernel_id, signature, workload, "
	    "kind, run_id", o->workload || *in ? " WHERE " : "",
	    o->workload ? "workload = $1" : "",
	    o->workload && *in ? " AND " : "", in);
	st = db_prepare(db, sql, cause);
	free(sql);
	if (st == NULL)
		return -EIO;
	if (o->workload)
		stmt_bind_text(st, 1, o->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *sig, *w, *kind;
		int64_t k, run = stmt_int64(st, 4);
		int same_sig;

		/* NULL reads as 0, which no run has: the type is asked only
		 * then (a call per row was 1 % of regressions) */
		if (run == 0 && stmt_type(st, 4) == STORE_NULL)
			continue;
		kind = stmt_text(st, 3);
		if (strcmp(kind, "taint") == 0)
			continue;
		k = stmt_int64(st, 0);
		sig = stmt_text(st, 1);
		w = stmt_text(st, 2);
		if (w == NULL)
			w = "";
		same_sig = cur != NULL && cur->kernel == k &&
		    strcmp(cur->signature, sig) == 0;
		if (!same_sig || strcmp(cur->workload, w) != 0) {
			if (cur != NULL)
				cur->runs_hit = (int64_t)stats_count_distinct(
				    runs.v, runs.n, runs.sorted);
			if (nh == cap) {
				cap = cap ? cap * 2 : 64;
				h = xreallocarray(h, cap, sizeof *h);
			}
			cur = &h[nh++];
			memset(cur, 0, sizeof *cur);
			cur->kernel = k;
			cur->signature = analysis_strings_add(ss, sig);
			cur->workload = analysis_strings_add(ss, w);
			/* rows of a group come in kind order: the first is
			 * min(kind) */
			cur->kind = analysis_strings_add(ss, kind);
			runs.n = 0;
			runs.sorted = 1;
		}
		hit_runs_add(&runs, run);
	}
	if (cur != NULL)
		cur->runs_hit = (int64_t)stats_count_distinct(runs.v, runs.n,
		    runs.sorted);
	stmt_finalize(st);
	free(runs.v);
	if (rc != STORE_DONE) {
		free(h);
		return db_error(db, cause, "cannot read events");
	}
	*out = h;
	*nout = nh;
	return 0;
}

/* Finished runs per build and workload: the rates' denominators, in
 * runs_hit, sorted by build. */
static int
load_finished_runs(struct db *db, const char *in, struct analysis_strings *ss,
    struct hit **out, size_t *nout, char **cause)
{
	struct hit *finished = NULL;
	struct stmt *st;
	size_t n = 0;
	char *sql;

	sql = xasprintf("SELECT kernel_id, workload, count(*) FROM runs "
	    "WHERE state NOT IN ('skipped', 'queued', 'running')%s%s GROUP "
	    "BY kernel_id, workload ORDER BY kernel_id, workload",
	    *in ? " AND " : "", in);
	st = db_prepare(db, sql, cause);
	free(sql);
	if (st == NULL)
		return -EIO;
	while (stmt_step(st) == STORE_ROW) {
		finished = xreallocarray(finished, n + 1, sizeof *finished);
		memset(&finished[n], 0, sizeof *finished);
		finished[n].kernel = stmt_int64(st, 0);
		finished[n].workload = analysis_strings_add(ss,
		    stmt_text(st, 1));
		finished[n].runs_hit = stmt_int64(st, 2);
		n++;
	}
	stmt_finalize(st);
	*out = finished;
	*nout = n;
	return 0;
}

/* A workload's finished runs among one build's finished[0..n), or 0. */
static int64_t
finished_runs_of(const struct hit *finished, size_t n, const char *workload)
{
	int64_t runs = 0;
	size_t j;

	for (j = 0; j < n; j++)
		if (strcmp(finished[j].workload, workload) == 0)
			runs = finished[j].runs_hit;
	return runs;
}

/*
 * One comparison's lockups: the base's hits base[0..nbase) merged with
 * the new build's new[0..nnew) (both sorted by signature and workload),
 * a row for a key on either side.
 */
static void
comparison_add_lockups(struct comparison *c, const struct hit *base,
    size_t nbase, const struct hit *new, size_t nnew,
    const struct hit *finished_base, size_t nfinished_base,
    const struct hit *finished_new, size_t nfinished_new)
{
	size_t x = 0, y = 0;

	c->lockups = xreallocarray(c->lockups, nbase + nnew + 1,
	    sizeof *c->lockups);
	while (x < nbase || y < nnew) {
		struct lockup_cmp *l;
		const struct hit *src;
		int k;

		if (x < nbase && y < nnew)
			k = hit_key_cmp(&base[x], &new[y]);
		else
			k = x < nbase ? -1 : 1;
		src = k <= 0 ? &base[x] : &new[y];
		l = &c->lockups[c->nlockups++];
		memset(l, 0, sizeof *l);
		l->kind = src->kind;
		l->signature = src->signature;
		l->workload = src->workload;
		l->hit_base = k <= 0 ? base[x].runs_hit : 0;
		l->hit_new = k >= 0 ? new[y].runs_hit : 0;
		l->runs_base = finished_runs_of(finished_base, nfinished_base,
		    l->workload);
		l->runs_new = finished_runs_of(finished_new, nfinished_new,
		    l->workload);
		lockup_cmp_rates(l);
		if (k <= 0)
			x++;
		if (k >= 0)
			y++;
	}
}

/* The base's lockup rates against every build's, from one scan of the
 * events (grouped by build, signature, workload); in: a window's
 * "kernel_id IN (...)", or "" for every build. */
static int
lockups_against(struct db *db, int64_t base, struct comparison *cs, size_t n,
    const struct compare_opts *o, const char *in, struct analysis_strings *ss,
    char **cause)
{
	struct hit *h = NULL, *finished = NULL;
	size_t nh = 0, nfinished = 0, i;
	size_t base_from, base_to, fbase_from, fbase_to;
	size_t new_from, new_to, fnew_from, fnew_to;
	int r;

	if ((r = load_finished_runs(db, in, ss, &finished, &nfinished,
	    cause)) != 0 ||
	    (r = load_hits(db, o, in, ss, &h, &nh, cause)) != 0)
		goto out;
	hits_of(h, nh, base, &base_from, &base_to);
	hits_of(finished, nfinished, base, &fbase_from, &fbase_to);
	for (i = 0; i < n; i++) {
		hits_of(h, nh, cs[i].new, &new_from, &new_to);
		hits_of(finished, nfinished, cs[i].new, &fnew_from, &fnew_to);
		comparison_add_lockups(&cs[i], &h[base_from],
		    base_to - base_from, &h[new_from], new_to - new_from,
		    &finished[fbase_from], fbase_to - fbase_from,
		    &finished[fnew_from], fnew_to - fnew_from);
		if ((r = title_new_lockups(db, &cs[i], ss, cause)) != 0)
			goto out;
	}
out:
	free(finished);
	free(h);
	return r;
}

/* comparison_check_keys() for the base and one build, named. */
static int
check_build_keys(struct db *db, const struct metric_values *a, size_t na,
    const struct metric_values *b, size_t nb, char **cause)
{
	char *what, *kd;
	int r;

	if (comparison_check_keys(a, na, b, nb, "", NULL) == 0)
		return 0;
	kd = kernel_describe(db, b[0].kernel);
	what = xasprintf("regressions: %s", kd);
	r = comparison_check_keys(a, na, b, nb, what, cause);
	free(what);
	free(kd);
	return r;
}

/* Passed runs of one build (of o->workload), for the window's budget. */
static int64_t
passed_runs(struct stmt *st, int64_t kernel, const struct compare_opts *o)
{
	stmt_reset(st);
	stmt_bind_int64(st, 1, kernel);
	if (o->workload)
		stmt_bind_text(st, 2, o->workload);
	return stmt_step(st) == STORE_ROW ? stmt_int64(st, 0) : 0;
}

/*
 * The window of builds compared with base: the builds with passed runs
 * (of o->workload) first seen most recently, at most o->last of them and,
 * with o->max_runs, as many as have that many passed runs together (one
 * at least).  *ids gets the window's ids, first seen first, *n their
 * count, *left_out the builds it leaves out; with neither limit, or when
 * the window holds every build, *ids is NULL and *n 0.
 */
static int
window_builds(struct db *db, int64_t base, const struct compare_opts *o,
    int64_t **ids, size_t *n, size_t *left_out, char **cause)
{
	struct stmt *st, *count = NULL;
	int64_t *v = NULL, runs = 0, k;
	size_t nv = 0, all = 0, i;
	int rc, full = 0;

	*ids = NULL;
	*n = *left_out = 0;
	if (o->last == 0 && o->max_runs == 0)
		return 0;
	st = db_prepare(db, "SELECT k.id FROM kernels k WHERE k.id <> $1 AND "
	    "EXISTS (SELECT 1 FROM runs r WHERE r.kernel_id = k.id AND "
	    "r.state = 'passed' AND (CAST($2 AS TEXT) IS NULL OR "
	    "r.workload = $2)) ORDER BY k.first_seen_ns DESC, k.id DESC",
	    cause);
	if (st != NULL && o->max_runs > 0)
		count = db_prepare(db, "SELECT count(*) FROM runs WHERE "
		    "kernel_id = $1 AND state = 'passed' AND (CAST($2 AS TEXT) "
		    "IS NULL OR workload = $2)", cause);
	if (st == NULL || (o->max_runs > 0 && count == NULL)) {
		stmt_finalize(st);
		return -EIO;
	}
	stmt_bind_int64(st, 1, base);
	if (o->workload)
		stmt_bind_text(st, 2, o->workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		all++;
		k = stmt_int64(st, 0);
		if (full || (o->last > 0 && nv == o->last))
			continue;
		if (count != NULL) {
			runs += passed_runs(count, k, o);
			if (nv > 0 && runs > (int64_t)o->max_runs) {
				full = 1;
				continue;
			}
		}
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = k;
	}
	stmt_finalize(st);
	stmt_finalize(count);
	if (rc != STORE_DONE) {
		free(v);
		return db_error(db, cause, "cannot read builds");
	}
	if (nv == all) {
		free(v);
		return 0;
	}
	for (i = 0; i < nv / 2; i++) {          /* oldest first */
		k = v[i];
		v[i] = v[nv - 1 - i];
		v[nv - 1 - i] = k;
	}
	*ids = v;
	*n = nv;
	*left_out = all - nv;
	return 0;
}

/* The window's values, each build's after the last's: in build order as
 * metric_values_load() gives every build's.  A query per build: one for
 * them all made PostgreSQL merge-join the whole metrics table. */
static int
window_values(struct db *db, const int64_t *ids, size_t n,
    const struct compare_opts *o, struct analysis_strings *ss,
    struct metric_values **out, size_t *nout, char **cause)
{
	struct metric_values *v;
	size_t i, nv;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = metric_values_load(db, ids[i], o, ss, &v, &nv,
		    cause)) != 0)
			return r;
		*out = xreallocarray(*out, *nout + nv + 1, sizeof **out);
		memcpy(*out + *nout, v, nv * sizeof *v);
		*nout += nv;
		free(v);         /* its members moved to *out */
	}
	return 0;
}

/* "kernel_id IN (base, ids...)" for the lockups' queries; "" without a
 * window (ids NULL). */
static char *
window_filter(int64_t base, const int64_t *ids, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (ids == NULL)
		return xstrdup("");
	buf_printf(&b, "kernel_id IN (%lld", (long long)base);
	for (i = 0; i < n; i++)
		buf_printf(&b, ",%lld", (long long)ids[i]);
	buf_addc(&b, ')');
	return buf_detach(&b);
}

int
compare_against(struct db *db, int64_t base, const struct compare_opts *o,
    struct comparison **out, size_t *nout, size_t *left_out, char **cause)
{
	struct analysis_strings *ss = analysis_strings_new();
	struct metric_values *a = NULL, *b = NULL;
	struct comparison *cs = NULL;
	size_t na = 0, nb = 0, i, start, n = 0, nids = 0;
	int64_t *ids = NULL;
	char *in = NULL;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = window_builds(db, base, o, &ids, &nids, left_out,
	    cause)) != 0)
		goto out;
	if ((r = metric_values_load(db, base, o, ss, &a, &na, cause)) != 0 ||
	    (r = ids != NULL ? window_values(db, ids, nids, o, ss, &b, &nb,
	    cause) : metric_values_load(db, -base, o, ss, &b, &nb, cause)) !=
	    0)
		goto out;
	/* b is in build order: one comparison per stretch of a build */
	for (start = 0; start < nb; start = i) {
		for (i = start; i < nb && b[i].kernel == b[start].kernel; i++)
			;
		if ((r = check_build_keys(db, a, na, &b[start], i - start,
		    cause)) != 0)
			goto out;
		cs = xreallocarray(cs, n + 1, sizeof *cs);
		memset(&cs[n], 0, sizeof *cs);
		cs[n].base = base;
		cs[n].new = b[start].kernel;
		cs[n].strings = ss;
		ss->refs++;
		/* a listing shows marked metrics only: the others need
		 * no interval ends (compare.c, decide()) */
		comparison_add_metrics(&cs[n], a, na, &b[start], i - start,
		    o->threshold_pct, 0);
		n++;
	}
	if (n > 0) {
		in = window_filter(base, ids, nids);
		r = lockups_against(db, base, cs, n, o, in, ss, cause);
	}
	if (r == 0) {
		*out = cs;
		*nout = n;
		cs = NULL;
	}
out:
	for (i = 0; cs != NULL && i < n; i++)
		comparison_release(&cs[i]);
	free(cs);
	metric_values_free(a, na);
	metric_values_free(b, nb);
	analysis_strings_unref(ss);
	free(ids);
	free(in);
	return r;
}
