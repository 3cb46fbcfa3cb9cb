/*
 * lockups.c - `mmstorm lockups`: kernel events grouped by build and
 * signature, with how often, on how many runs, hosts and workloads, when
 * first and last, and an example event.
 *
 * One scan of the events in (build, signature) order, the order of the
 * events_lockups index, which holds every column read: counts, times and
 * the distinct runs, hosts and workloads are gathered here, where SQLite
 * kept a temporary b-tree per group for each distinct list (twice the
 * time, bench/README.md, analysis).  Then one look-up per group for its
 * latest event (the example and the title shown).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "common/stats.h"
#include "common/util.h"
#include "store/db.h"

/* A build as the rows show it, and the first sort key. */
struct kernel_info {
	int64_t id, first_seen_ns, runs;
	char *release, *build_id;
};

struct host_name {
	int64_t id;
	char *name;
};

/* The columns of the events scan. */
enum {
	EV_KERNEL, EV_SIGNATURE, EV_KIND, EV_WORKLOAD, EV_RUN, EV_HOST,
	EV_TIME, EV_ID,
};

/* A group of events while the scan is in it: the distinct values. */
struct lockup_acc {
	int64_t *runs, *hosts;
	size_t nruns, runs_cap, nhosts, hosts_cap;
	int runs_sorted;
	char **workloads;       /* in name order */
	size_t nworkloads, workloads_cap;
};

/* A row and its build's first-seen time, the first sort key. */
struct lockup_sort {
	int64_t first_seen_ns;
	struct lockup_row row;
};

/* What the scan needs to name a group and what it builds. */
struct lockups_scan {
	const struct kernel_info *kernels;
	size_t nkernels;
	const struct host_name *hosts;
	size_t nhosts;
	struct lockup_acc acc;
	struct lockup_sort *rows;
	size_t nrows, rows_cap;
};

static const struct kernel_info *
kernel_info_find(const struct kernel_info *ks, size_t n, int64_t id)
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
lockup_acc_add_run(struct lockup_acc *a, int64_t run)
{
	if (a->nruns > 0 && run == a->runs[a->nruns - 1])
		return;
	if (a->nruns == a->runs_cap) {
		a->runs_cap = a->runs_cap ? 2 * a->runs_cap : 64;
		a->runs = xreallocarray(a->runs, a->runs_cap,
		    sizeof *a->runs);
	}
	if (a->nruns > 0 && run < a->runs[a->nruns - 1])
		a->runs_sorted = 0;
	a->runs[a->nruns++] = run;
}

static void
lockup_acc_add_host(struct lockup_acc *a, int64_t host)
{
	size_t i;

	for (i = 0; i < a->nhosts && a->hosts[i] != host; i++)
		;
	if (i < a->nhosts)
		return;
	if (a->nhosts == a->hosts_cap) {
		a->hosts_cap = a->hosts_cap ? a->hosts_cap * 2 : 4;
		a->hosts = xreallocarray(a->hosts, a->hosts_cap,
		    sizeof *a->hosts);
	}
	a->hosts[a->nhosts++] = host;
}

static void
lockup_acc_add_workload(struct lockup_acc *a, const char *w)
{
	size_t i;
	int k = 1;

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

/* The event row's run, host and workload into the group's sets. */
static void
lockup_acc_add(struct lockup_acc *a, struct stmt *st)
{
	const char *w = stmt_text(st, EV_WORKLOAD);
	int64_t run = stmt_int64(st, EV_RUN);

	/* NULL reads as 0, which no run has: the type is asked only then */
	if (run != 0 || stmt_type(st, EV_RUN) != STORE_NULL)
		lockup_acc_add_run(a, run);
	lockup_acc_add_host(a, stmt_int64(st, EV_HOST));
	if (w != NULL)
		lockup_acc_add_workload(a, w);
}

/* The group's distinct values into its row; the accumulator is emptied. */
static void
lockup_acc_finish(struct lockup_acc *a, struct lockup_row *row,
    const struct host_name *hosts, size_t nhosts)
{
	struct buf b = BUF_INIT;
	size_t i, j;

	row->runs_hit = (int64_t)stats_count_distinct(a->runs, a->nruns,
	    a->runs_sorted);
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

static void
lockup_acc_release(struct lockup_acc *a)
{
	size_t i;

	free(a->runs);
	free(a->hosts);
	for (i = 0; i < a->nworkloads; i++)
		free(a->workloads[i]);
	free(a->workloads);
}

/* Builds first seen first; then the most frequent; then by name. */
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
	    "WHERE r.kernel_id = k.id AND "
	    "(CAST($1 AS TEXT) IS NULL OR r.workload = $1) "
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
		k->release = xstrdup(stmt_text(st, 2));
		k->build_id = xstrdup(stmt_text(st, 3));
		k->runs = stmt_int64(st, 4);
	}
	stmt_finalize(st);
	*out = ks;
	*nout = n;
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read kernel builds");
	return 0;
}

/* Host names in the order of the hosts' unique index, the order a row
 * lists them in. */
static int
load_host_names(struct db *db, struct host_name **out, size_t *nout,
    char **cause)
{
	struct host_name *hosts = NULL;
	struct stmt *st;
	size_t n = 0;

	st = db_prepare(db, "SELECT id, hostname FROM hosts ORDER BY "
	    "machine_id, hostname, cpus_possible, numa_nodes, mem_total_kb",
	    cause);
	if (st == NULL)
		return -EIO;
	while (stmt_step(st) == STORE_ROW) {
		hosts = xreallocarray(hosts, n + 1, sizeof *hosts);
		hosts[n].id = stmt_int64(st, 0);
		hosts[n++].name = xstrdup(stmt_text(st, 1));
	}
	stmt_finalize(st);
	*out = hosts;
	*nout = n;
	return 0;
}

/*
 * The events scan with only the filters asked for: the scan tests each
 * on every row (taints are left out by the scan, from the kind it reads
 * anyway).  Parameters are numbered as they are added.
 */
static struct stmt *
events_scan_prepare(struct db *db, const struct lockups_query *q,
    char **cause)
{
	struct buf sql = BUF_INIT;
	struct stmt *st;
	const char *clause = " WHERE";
	int n = 0;

	buf_adds(&sql, "SELECT kernel_id, signature, kind, workload, run_id, "
	    "host_id, t_ns, id FROM events");
	if (q->kernel != 0) {
		buf_printf(&sql, "%s kernel_id = $%d", clause, ++n);
		clause = " AND";
	}
	if (q->kind != NULL) {
		buf_printf(&sql, "%s kind = $%d", clause, ++n);
		clause = " AND";
	}
	if (q->since_ns != 0) {
		buf_printf(&sql, "%s t_ns >= $%d", clause, ++n);
		clause = " AND";
	}
	if (q->workload != NULL)
		buf_printf(&sql, "%s workload = $%d", clause, ++n);
	buf_adds(&sql, " ORDER BY kernel_id, signature");
	st = db_prepare(db, sql.s, cause);
	buf_release(&sql);
	if (st == NULL)
		return NULL;
	n = 0;
	if (q->kernel != 0)
		stmt_bind_int64(st, ++n, q->kernel);
	if (q->kind != NULL)
		stmt_bind_text(st, ++n, q->kind);
	if (q->since_ns != 0)
		stmt_bind_int64(st, ++n, q->since_ns);
	if (q->workload != NULL)
		stmt_bind_text(st, ++n, q->workload);
	return st;
}

/* A new group for build k and signature sig, or NULL for a build deleted
 * under us (its events are not listed). */
static struct lockup_sort *
lockups_scan_group(struct lockups_scan *s, int64_t k, const char *sig,
    const char *kind)
{
	const struct kernel_info *ki;
	struct lockup_sort *g;

	if ((ki = kernel_info_find(s->kernels, s->nkernels, k)) == NULL)
		return NULL;
	if (s->nrows == s->rows_cap) {
		s->rows_cap = s->rows_cap ? s->rows_cap * 2 : 64;
		s->rows = xreallocarray(s->rows, s->rows_cap,
		    sizeof *s->rows);
	}
	g = &s->rows[s->nrows++];
	memset(g, 0, sizeof *g);
	g->first_seen_ns = ki->first_seen_ns;
	g->row.kernel = k;
	g->row.release = xstrdup(ki->release);
	g->row.build_id = xstrdup(ki->build_id);
	g->row.runs = ki->runs;
	g->row.signature = xstrdup(sig);
	g->row.kind = xstrdup(kind);
	g->row.first_ns = INT64_MAX;
	g->row.last_ns = INT64_MIN;
	return g;
}

/* Every event of the scan into the group of its build and signature. */
static int
lockups_scan_events(struct lockups_scan *s, struct stmt *st)
{
	struct lockup_sort *cur = NULL;
	int rc;

	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t k = stmt_int64(st, EV_KERNEL), t, id;
		const char *sig = stmt_text(st, EV_SIGNATURE);
		const char *kind = stmt_text(st, EV_KIND);

		if (strcmp(kind, "taint") == 0)
			continue;
		if (cur == NULL || cur->row.kernel != k ||
		    strcmp(cur->row.signature, sig) != 0) {
			if (cur != NULL)
				lockup_acc_finish(&s->acc, &cur->row,
				    s->hosts, s->nhosts);
			if ((cur = lockups_scan_group(s, k, sig, kind)) ==
			    NULL)
				continue;
		} else if (strcmp(kind, cur->row.kind) < 0) {
			free(cur->row.kind);
			cur->row.kind = xstrdup(kind);
		}
		cur->row.count++;
		t = stmt_int64(st, EV_TIME);
		id = stmt_int64(st, EV_ID);
		if (t < cur->row.first_ns)
			cur->row.first_ns = t;
		if (t > cur->row.last_ns)
			cur->row.last_ns = t;
		if (id > cur->row.example_event)
			cur->row.example_event = id;
		lockup_acc_add(&s->acc, st);
	}
	if (cur != NULL)
		lockup_acc_finish(&s->acc, &cur->row, s->hosts, s->nhosts);
	return rc;
}

/* Example events asked for in one query: a fleet database answers a
 * round trip per query, and a fleet's lockups are tens of thousands of
 * rows (bench/README.md, "Fleet queries"). */
#define EXAMPLE_BATCH 256

/* rows[0..n)'s title and run from their example events, one query;
 * st has EXAMPLE_BATCH parameters, the last id repeated to fill it. */
static int
lockups_fetch_examples(struct stmt *st, struct lockup_sort *rows, size_t n)
{
	size_t i;
	int rc;

	stmt_reset(st);
	for (i = 0; i < EXAMPLE_BATCH; i++)
		stmt_bind_int64(st, (int)i + 1,
		    rows[i < n ? i : n - 1].row.example_event);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t id = stmt_int64(st, 0);

		/* events of one (build, signature) are its own: one row */
		for (i = 0; i < n; i++) {
			struct lockup_row *l = &rows[i].row;

			if (l->example_event != id || l->title != NULL)
				continue;
			l->title = xstrdup(stmt_text(st, 1));
			if (stmt_type(st, 2) != STORE_NULL)
				l->example_run = xstrdup(stmt_text(st, 2));
		}
	}
	for (i = 0; i < n; i++)
		if (rows[i].row.title == NULL)
			rows[i].row.title = xstrdup(rows[i].row.signature);
	return rc == STORE_DONE ? 0 : -EIO;
}

/* rows[0..n)'s is_new: whether the baseline never had their signature,
 * one query; st has 1 + EXAMPLE_BATCH parameters (the baseline, then
 * the signatures, the last repeated to fill it). */
static int
lockups_fetch_new(struct stmt *st, int64_t baseline, struct lockup_sort *rows,
    size_t n)
{
	size_t i;
	int rc;

	stmt_reset(st);
	stmt_bind_int64(st, 1, baseline);
	for (i = 0; i < EXAMPLE_BATCH; i++)
		stmt_bind_text(st, (int)i + 2,
		    rows[i < n ? i : n - 1].row.signature);
	for (i = 0; i < n; i++)
		rows[i].row.is_new = 1;
	while ((rc = stmt_step(st)) == STORE_ROW)
		for (i = 0; i < n; i++)
			if (strcmp(rows[i].row.signature, stmt_text(st, 0)) == 0)
				rows[i].row.is_new = 0;
	return rc == STORE_DONE ? 0 : -EIO;
}

/* "prefix($first, .., $(first + EXAMPLE_BATCH - 1))" prepared. */
static struct stmt *
prepare_batch(struct db *db, const char *prefix, int first, char **cause)
{
	struct buf sql = BUF_INIT;
	struct stmt *st;
	int i;

	buf_adds(&sql, prefix);
	for (i = first; i < first + EXAMPLE_BATCH; i++)
		buf_printf(&sql, i > first ? ", $%d" : "$%d", i);
	buf_adds(&sql, ")");
	st = db_prepare(db, sql.s, cause);
	buf_release(&sql);
	return st;
}

/*
 * Each row's title and run from its latest event, and whether the
 * baseline (if one was given) never had its signature.
 */
static int
lockups_add_examples(struct db *db, const struct lockups_query *q,
    struct lockup_sort *rows, size_t n, char **cause)
{
	struct stmt *example, *base = NULL;
	size_t i, k;
	int r = 0;

	example = prepare_batch(db, "SELECT e.id, e.title, r.uuid FROM events "
	    "e LEFT JOIN runs r ON r.id = e.run_id WHERE e.id IN (", 1, cause);
	if (example != NULL && q->baseline != 0)
		base = prepare_batch(db, "SELECT DISTINCT signature FROM events "
		    "WHERE kernel_id = $1 AND signature IN (", 2, cause);
	if (example == NULL || (q->baseline != 0 && base == NULL)) {
		r = -EIO;
		goto out;
	}
	for (i = 0; r == 0 && i < n; i += EXAMPLE_BATCH) {
		k = n - i < EXAMPLE_BATCH ? n - i : EXAMPLE_BATCH;
		if (lockups_fetch_examples(example, rows + i, k) != 0 ||
		    (base != NULL && lockups_fetch_new(base, q->baseline,
		    rows + i, k) != 0))
			r = db_error(db, cause, "cannot read events");
	}
out:
	stmt_finalize(example);
	stmt_finalize(base);
	return r;
}

int
lockups_list(struct db *db, const struct lockups_query *q,
    struct lockup_row **out, size_t *nout, char **cause)
{
	struct kernel_info *ks = NULL;
	struct host_name *hosts = NULL;
	struct lockups_scan scan;
	struct lockup_row *res;
	struct stmt *st = NULL;
	size_t nk = 0, nhosts = 0, i;
	int r;

	*out = NULL;
	*nout = 0;
	memset(&scan, 0, sizeof scan);
	scan.acc.runs_sorted = 1;
	if ((r = load_kernel_info(db, q->workload, &ks, &nk, cause)) != 0 ||
	    (r = load_host_names(db, &hosts, &nhosts, cause)) != 0)
		goto out;
	if ((st = events_scan_prepare(db, q, cause)) == NULL) {
		r = -EIO;
		goto out;
	}
	scan.kernels = ks;
	scan.nkernels = nk;
	scan.hosts = hosts;
	scan.nhosts = nhosts;
	if (lockups_scan_events(&scan, st) != STORE_DONE) {
		r = db_error(db, cause, "cannot list lockups");
		goto out;
	}
	if ((r = lockups_add_examples(db, q, scan.rows, scan.nrows,
	    cause)) != 0)
		goto out;
	if (scan.nrows > 0)
		qsort(scan.rows, scan.nrows, sizeof *scan.rows,
		    lockup_sort_cmp);
	res = xreallocarray(NULL, scan.nrows ? scan.nrows : 1, sizeof *res);
	for (i = 0; i < scan.nrows; i++)
		res[i] = scan.rows[i].row;
	*out = res;
	*nout = scan.nrows;
	scan.nrows = 0;
out:
	stmt_finalize(st);
	for (i = 0; i < scan.nrows; i++)
		lockup_row_release(&scan.rows[i].row);
	free(scan.rows);
	for (i = 0; i < nk; i++) {
		free(ks[i].release);
		free(ks[i].build_id);
	}
	free(ks);
	for (i = 0; i < nhosts; i++)
		free(hosts[i].name);
	free(hosts);
	lockup_acc_release(&scan.acc);
	return r;
}
