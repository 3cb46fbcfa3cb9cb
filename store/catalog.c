/* catalog.c - the kernel builds and the runs a database holds, listed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/catalog.h"
#include "store/db.h"

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct kernel_label {
	int64_t kernel_id;
	char *label;
};

/* By kernel, then label byte by byte: the order SQLite's index
 * runs_label (kernel_id, label) gave the group_concat this replaces. */
static int
kernel_label_cmp(const void *a, const void *b)
{
	const struct kernel_label *x = a, *y = b;

	if (x->kernel_id != y->kernel_id)
		return x->kernel_id < y->kernel_id ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Each kernel's distinct labels joined with commas.  Joined here, not in
 * SQL: SQLite's group_concat and PostgreSQL's string_agg differ. */
static int
load_labels(struct db *db, struct catalog_kernel *ks, size_t nk,
    char **cause)
{
	struct kernel_label *ls = NULL;
	struct buf b = BUF_INIT;
	struct stmt *st;
	size_t n = 0, i, k;
	int rc, r = -EIO;

	st = db_prepare(db, "SELECT DISTINCT kernel_id, label FROM runs "
	    "WHERE label IS NOT NULL", cause);
	if (st == NULL)
		goto out;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		ls = xreallocarray(ls, n + 1, sizeof *ls);
		ls[n].kernel_id = stmt_int64(st, 0);
		ls[n++].label = xstrdup(stmt_text(st, 1));
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot list run labels");
		goto out;
	}
	if (n > 0)
		qsort(ls, n, sizeof *ls, kernel_label_cmp);
	for (i = 0; i < nk; i++) {
		size_t found = 0;

		buf_reset(&b);
		for (k = 0; k < n; k++)
			if (ls[k].kernel_id == ks[i].id)
				buf_printf(&b, "%s%s", found++ > 0 ? "," : "",
				    ls[k].label);
		if (found > 0)
			ks[i].labels = xstrdup(b.s != NULL ? b.s : "");
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(ls[i].label);
	free(ls);
	buf_release(&b);
	stmt_finalize(st);
	return r;
}

int
catalog_kernels(struct db *db, struct catalog_kernel **rows, size_t *nrows,
    char **cause)
{
	struct catalog_kernel *ks = NULL, *k;
	struct stmt *st;
	size_t n = 0;
	int rc, r = -EIO;

	*rows = NULL;
	*nrows = 0;
	st = db_prepare(db, "SELECT k.id, k.release, k.build_id, k.build_key, "
	    "k.config_hash, k.cmdline, k.version, k.first_seen_ns, "
	    "(SELECT count(*) FROM runs r WHERE r.kernel_id = k.id) "
	    "FROM kernels k ORDER BY k.first_seen_ns", cause);
	if (st == NULL)
		goto out;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		ks = xreallocarray(ks, n + 1, sizeof *ks);
		k = &ks[n++];
		memset(k, 0, sizeof *k);
		k->id = stmt_int64(st, 0);
		k->release = xstrdup(stmt_text(st, 1));
		k->build_id = dup_or_null(stmt_text(st, 2));
		k->build_key = xstrdup(stmt_text(st, 3));
		k->config_hash = dup_or_null(stmt_text(st, 4));
		k->cmdline = xstrdup(stmt_text(st, 5));
		k->version = xstrdup(stmt_text(st, 6));
		k->first_seen_ns = stmt_int64(st, 7);
		k->runs = stmt_int64(st, 8);
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot list kernels");
		goto out;
	}
	if ((r = load_labels(db, ks, n, cause)) != 0)
		goto out;
	*rows = ks;
	*nrows = n;
	ks = NULL;
	n = 0;
out:
	stmt_finalize(st);
	catalog_kernels_free(ks, n);
	return r;
}

void
catalog_kernels_free(struct catalog_kernel *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].release);
		free(rows[i].build_id);
		free(rows[i].build_key);
		free(rows[i].config_hash);
		free(rows[i].cmdline);
		free(rows[i].version);
		free(rows[i].labels);
	}
	free(rows);
}

int
catalog_runs(struct db *db, const struct catalog_runs_query *q,
    struct catalog_run **rows, size_t *nrows, char **cause)
{
	struct catalog_run *rs = NULL, *run;
	struct stmt *st;
	size_t n = 0;
	int rc, r = -EIO;

	*rows = NULL;
	*nrows = 0;
	st = db_prepare(db, "SELECT r.uuid, r.workload, r.state, k.release, "
	    "r.label, r.created_ns, r.started_ns, r.ended_ns, r.reason "
	    "FROM runs r JOIN kernels k ON k.id = r.kernel_id "
	    "WHERE ($1 IS NULL OR r.workload = $1) AND ($2 IS NULL OR "
	    "r.state = $2) AND ($3 IS NULL OR k.release = $3 OR "
	    "k.build_id LIKE $3 || '%') ORDER BY r.created_ns DESC, r.id DESC "
	    "LIMIT $4", cause);
	if (st == NULL)
		goto out;
	stmt_bind_text(st, 1, q->workload);
	stmt_bind_text(st, 2, q->state);
	stmt_bind_text(st, 3, q->kernel);
	stmt_bind_int64(st, 4, q->limit);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		rs = xreallocarray(rs, n + 1, sizeof *rs);
		run = &rs[n++];
		run->uuid = xstrdup(stmt_text(st, 0));
		run->workload = xstrdup(stmt_text(st, 1));
		run->state = xstrdup(stmt_text(st, 2));
		run->release = xstrdup(stmt_text(st, 3));
		run->label = dup_or_null(stmt_text(st, 4));
		run->created_ns = stmt_int64(st, 5);
		run->started_ns = stmt_int64(st, 6);
		run->ended_ns = stmt_int64(st, 7);
		run->reason = dup_or_null(stmt_text(st, 8));
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot list runs");
		goto out;
	}
	*rows = rs;
	*nrows = n;
	rs = NULL;
	n = 0;
	r = 0;
out:
	stmt_finalize(st);
	catalog_runs_free(rs, n);
	return r;
}

void
catalog_runs_free(struct catalog_run *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].uuid);
		free(rows[i].workload);
		free(rows[i].state);
		free(rows[i].release);
		free(rows[i].label);
		free(rows[i].reason);
	}
	free(rows);
}
