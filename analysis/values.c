/*
 * values.c - the metric values of passed runs, one struct metric_values
 * per build, workload and metric, each described once (mean, sd, CV,
 * interval) so that one baseline can be compared with many builds.
 *
 * The runs are read first, then their metrics in run order: reading them
 * by id walks the metrics table front to back (the build and workload
 * index order jumped about in it), and a metric row does not carry its
 * run's build and workload again (bench/README.md, analysis).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/stats.h"
#include "common/util.h"
#include "store/db.h"

/* The metrics of one build x workload x key while rows are read. */
struct values_group {
	int64_t kernel;
	const char *workload;
	const char *host, *params;   /* interned by keys.c */
	size_t *slots;        /* indexes of its values, first seen first */
	size_t nslots;
	size_t runs;          /* its runs: no metric has more values */
};

/* A passed run and the group of its build, workload and key. */
struct values_run {
	int64_t id, kernel;
	const char *workload;   /* the group's copy */
	const char *host, *params;
	size_t group;
};

/* What one metric_values_load() call builds up. */
struct values_load {
	struct analysis_strings *ss;
	struct run_keys keys;
	struct values_run *runs;        /* by id */
	size_t nruns;
	struct values_group *groups;    /* by build, workload */
	size_t ngroups;
	struct metric_values *values;   /* in the order first read */
	size_t nvalues;
};

static int
values_cmp(const void *a, const void *b)
{
	const struct metric_values *x = a, *y = b;

	return strcmp(x->metric, y->metric);
}

void
metric_values_free(struct metric_values *vs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vs[i].v);
		free(vs[i].sorted);
		free(vs[i].rule.logs);
	}
	free(vs);
}

/* Build, workload, host class, parameter hash: the groups' order. */
static int
group_cmp(const struct values_group *g, int64_t kernel, const char *workload,
    const char *host, const char *params)
{
	int k;

	if (g->kernel != kernel)
		return g->kernel < kernel ? -1 : 1;
	if ((k = strcmp(g->workload, workload)) != 0)
		return k;
	/* keys are interned: equal ones are one pointer */
	if (g->host != host && (k = strcmp(g->host, host)) != 0)
		return k;
	return g->params == params ? 0 : strcmp(g->params, params);
}

/* The group of a build, workload and key, added in that order when
 * new. */
static size_t
values_group_find(struct values_load *ld, int64_t kernel,
    const char *workload, const char *host, const char *params)
{
	struct values_group *gs = ld->groups;
	size_t lo = 0, hi = ld->ngroups, mid;
	int k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = group_cmp(&gs[mid], kernel, workload, host, params);
		if (k == 0)
			return mid;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	gs = xreallocarray(gs, ld->ngroups + 1, sizeof *gs);
	memmove(&gs[lo + 1], &gs[lo], (ld->ngroups - lo) * sizeof *gs);
	memset(&gs[lo], 0, sizeof *gs);
	gs[lo].kernel = kernel;
	gs[lo].workload = analysis_strings_add(ld->ss, workload);
	gs[lo].host = host;
	gs[lo].params = params;
	ld->groups = gs;
	ld->ngroups++;
	return lo;
}

/*
 * A metric's slot in its group, or g->nslots.  Runs of a workload record
 * the same metrics in the same (name) order, so the search starts where
 * the previous row's metric was and almost always stops there.
 */
static size_t
values_slot_find(const struct metric_values *vs, const struct values_group *g,
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

/* A new metric of group g, first read in run; its slot index. */
static size_t
values_slot_add(struct values_load *ld, struct values_group *g, int64_t run,
    const char *metric)
{
	struct metric_values *v;

	ld->values = xreallocarray(ld->values, ld->nvalues + 1,
	    sizeof *ld->values);
	v = &ld->values[ld->nvalues];
	memset(v, 0, sizeof *v);
	v->kernel = g->kernel;
	v->first_run = run;
	v->workload = g->workload;
	v->host = g->host;
	v->params = g->params;
	v->metric = analysis_strings_add(ld->ss, metric);
	v->cap = g->runs;
	v->v = xreallocarray(NULL, v->cap, sizeof *v->v);
	g->slots = xreallocarray(g->slots, g->nslots + 1, sizeof *g->slots);
	g->slots[g->nslots] = ld->nvalues++;
	return g->nslots++;
}

/* The passed runs of the build(s) asked for, each with its group. */
static int
load_passed_runs(struct db *db, int64_t kernel, const char *workload,
    struct values_load *ld, char **cause)
{
	static const char *runs_sql[] = {
		"SELECT id, kernel_id, workload, host_id, params FROM runs "
		"WHERE kernel_id = $1 AND state = 'passed' AND "
		"(CAST($2 AS TEXT) IS NULL OR workload = $2) ORDER BY id",
		"SELECT id, kernel_id, workload, host_id, params FROM runs "
		"WHERE kernel_id <> $1 AND state = 'passed' AND "
		"(CAST($2 AS TEXT) IS NULL OR workload = $2) ORDER BY id",
	};
	struct values_run *run;
	struct stmt *st;
	size_t cap = 0, i;
	int rc;

	st = db_prepare(db, runs_sql[kernel < 0], cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel < 0 ? -kernel : kernel);
	if (workload)
		stmt_bind_text(st, 2, workload);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *host, *params;

		if (!run_keys_of(&ld->keys, stmt_int64(st, 3),
		    stmt_text(st, 2), stmt_text(st, 4), &host, &params))
			continue;
		if (ld->nruns == cap) {
			cap = cap ? cap * 2 : 64;
			ld->runs = xreallocarray(ld->runs, cap,
			    sizeof *ld->runs);
		}
		run = &ld->runs[ld->nruns++];
		run->id = stmt_int64(st, 0);
		run->kernel = stmt_int64(st, 1);
		i = values_group_find(ld, run->kernel, stmt_text(st, 2), host,
		    params);
		run->workload = ld->groups[i].workload;
		run->host = host;
		run->params = params;
	}
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read runs");
	/* every group is known now: their places no longer move */
	for (i = 0; i < ld->nruns; i++) {
		run = &ld->runs[i];
		run->group = values_group_find(ld, run->kernel, run->workload,
		    run->host, run->params);
		ld->groups[run->group].runs++;
	}
	return 0;
}

/*
 * The query for the runs' metrics.  A join looks each run's metrics up;
 * reading the table through, skipping the others' rows, is cheaper once
 * the runs are most of them (regressions).
 */
static int
metrics_query(struct db *db, int64_t kernel, size_t nruns, const char **sql,
    char **cause)
{
	static const char *of_build = "SELECT m.run_id, m.name, m.value "
	    "FROM runs r JOIN metrics m ON m.run_id = r.id WHERE "
	    "r.kernel_id = $1 AND r.state = 'passed' AND "
	    "(CAST($2 AS TEXT) IS NULL OR r.workload = $2) AND "
	    "(CAST($3 AS TEXT) IS NULL OR m.name = $3) ORDER BY r.id";
	static const char *of_other_builds = "SELECT m.run_id, m.name, "
	    "m.value FROM runs r JOIN metrics m ON m.run_id = r.id WHERE "
	    "r.kernel_id <> $1 AND r.state = 'passed' AND "
	    "(CAST($2 AS TEXT) IS NULL OR r.workload = $2) AND "
	    "(CAST($3 AS TEXT) IS NULL OR m.name = $3) ORDER BY r.id";
	static const char *whole_table = "SELECT run_id, name, value FROM "
	    "metrics WHERE (CAST($3 AS TEXT) IS NULL OR name = $3) "
	    "ORDER BY run_id";
	struct stmt *st;
	int64_t all;

	if (kernel > 0) {
		*sql = of_build;
		return 0;
	}
	if ((st = db_prepare(db, "SELECT count(*) FROM runs", cause)) == NULL)
		return -EIO;
	all = stmt_step(st) == STORE_ROW ? stmt_int64(st, 0) : 0;
	stmt_finalize(st);
	*sql = (int64_t)nruns * 2 >= all ? whole_table : of_other_builds;
	return 0;
}

/* Every metric row of the runs into the values of its group and name. */
static int
read_metric_values(struct db *db, const char *sql, int64_t kernel,
    const struct compare_opts *o, struct values_load *ld, char **cause)
{
	struct values_group *g = NULL;
	struct metric_values *cur;
	struct stmt *st;
	int64_t run = 0;
	size_t at = 0, slot_hint = 0, i;
	int rc;

	if ((st = db_prepare(db, sql, cause)) == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel < 0 ? -kernel : kernel);
	if (o->workload)
		stmt_bind_text(st, 2, o->workload);
	if (o->metric)
		stmt_bind_text(st, 3, o->metric);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t row_run = stmt_int64(st, 0);
		const char *m;

		if (row_run != run) {
			run = row_run;
			while (at < ld->nruns && ld->runs[at].id < run)
				at++;
			/* a run that passed since runs were read */
			g = at < ld->nruns && ld->runs[at].id == run ?
			    &ld->groups[ld->runs[at].group] : NULL;
			slot_hint = 0;
		}
		if (g == NULL)
			continue;
		m = stmt_text(st, 1);
		if ((i = values_slot_find(ld->values, g, m, slot_hint)) ==
		    g->nslots)
			i = values_slot_add(ld, g, run, m);
		slot_hint = i + 1;
		cur = &ld->values[g->slots[i]];
		if (cur->n == cur->cap) {
			cur->cap = cur->cap ? cur->cap * 2 : 8;
			cur->v = xreallocarray(cur->v, cur->cap,
			    sizeof *cur->v);
		}
		cur->v[cur->n++] = stmt_double(st, 2);
	}
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read metrics");
	return 0;
}

/*
 * Unit and direction of each metric of each group, as its first run
 * recorded them: one query per such run (about one per group), where
 * reading them with every value cost more than the rest of the row.
 */
static int
read_metric_units(struct db *db, struct values_load *ld, char **cause)
{
	struct metric_values *vs = ld->values, *v;
	const struct values_group *g;
	struct stmt *st;
	size_t i, j, hint;
	int64_t run;
	int rc = STORE_DONE;

	st = db_prepare(db, "SELECT name, unit, better FROM metrics WHERE "
	    "run_id = $1", cause);
	if (st == NULL)
		return -EIO;
	for (g = ld->groups; g < ld->groups + ld->ngroups &&
	    rc == STORE_DONE; g++) {
		for (i = 0; i < g->nslots && rc == STORE_DONE; i++) {
			if (vs[g->slots[i]].unit != NULL)
				continue;
			run = vs[g->slots[i]].first_run;
			stmt_reset(st);
			stmt_bind_int64(st, 1, run);
			hint = i;
			while ((rc = stmt_step(st)) == STORE_ROW) {
				const char *m = stmt_text(st, 0);

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
				v->unit = analysis_strings_add(ld->ss,
				    stmt_text(st, 1));
				v->higher_better = strcmp(stmt_text(st, 2),
				    "higher") == 0;
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

/*
 * The values in (build, workload, metric) order, each with a sorted copy
 * and its description.  The members of ld->values move to the result.
 */
static struct metric_values *
values_in_order(const struct values_load *ld)
{
	struct metric_values *out, *cur;
	const struct values_group *g;
	double *room;
	size_t i, j, n = 0;

	out = xreallocarray(NULL, ld->nvalues ? ld->nvalues : 1, sizeof *out);
	for (g = ld->groups; g < ld->groups + ld->ngroups; g++) {
		for (j = 0; j < g->nslots; j++)
			out[n + j] = ld->values[g->slots[j]];
		for (j = 1; j < g->nslots && values_cmp(&out[n + j - 1],
		    &out[n + j]) < 0; j++)
			;
		if (j < g->nslots)   /* runs recorded them out of order */
			qsort(&out[n], g->nslots, sizeof *out, values_cmp);
		n += g->nslots;
	}
	for (i = 0; i < ld->nvalues; i++) {
		cur = &out[i];
		cur->sorted = xreallocarray(NULL, cur->n, sizeof *cur->sorted);
		memcpy(cur->sorted, cur->v, cur->n * sizeof *cur->v);
		stats_sort(cur->sorted, cur->n);
		/* a baseline's logs serve every build compared with it */
		room = xreallocarray(NULL, cur->n ? cur->n : 1, sizeof *room);
		rule_side_init(&cur->rule, cur->sorted, cur->n, room);
		if (cur->rule.logs == NULL)
			free(room);
		describe_side(&cur->side, cur->v, cur->n);
	}
	return out;
}

int
metric_values_load(struct db *db, int64_t kernel,
    const struct compare_opts *o, struct analysis_strings *ss,
    struct metric_values **out, size_t *nout, char **cause)
{
	struct values_load ld;
	const char *sql;
	size_t i;
	int r;

	*out = NULL;
	*nout = 0;
	memset(&ld, 0, sizeof ld);
	ld.ss = ss;
	if ((r = run_keys_init(&ld.keys, db, ss, o, cause)) != 0 ||
	    (r = load_passed_runs(db, kernel, o->workload, &ld, cause)) != 0 ||
	    (r = metrics_query(db, kernel, ld.nruns, &sql, cause)) != 0 ||
	    (r = read_metric_values(db, sql, kernel, o, &ld, cause)) != 0 ||
	    (r = read_metric_units(db, &ld, cause)) != 0)
		goto out;
	*out = values_in_order(&ld);
	*nout = ld.nvalues;
	free(ld.values);    /* its members moved to *out */
	ld.values = NULL;
	ld.nvalues = 0;
out:
	for (i = 0; i < ld.ngroups; i++)
		free(ld.groups[i].slots);
	free(ld.groups);
	free(ld.runs);
	metric_values_free(ld.values, ld.nvalues);
	run_keys_release(&ld.keys);
	return r;
}
