/* status.c - counts and run lists for mmstormd's status and /metrics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db.h"
#include "store/run-json.h"
#include "store/status.h"

int
db_counts_query(struct db *db, const char *sql, int nlabels,
    struct db_counts *c, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	struct db_count *e;
	int rc, i, r = 0;

	memset(c, 0, sizeof *c);
	if (st == NULL)
		return -EIO;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
		e = &c->v[c->n++];
		memset(e, 0, sizeof *e);
		for (i = 0; i < nlabels; i++)
			e->label[i] = xstrdup(stmt_text(st, i) ?
			    stmt_text(st, i) : "");
		e->n = stmt_int64(st, nlabels);
	}
	if (rc != STORE_DONE)
		r = db_error(db, cause, "cannot count");
	stmt_finalize(st);
	return r;
}

void
db_counts_release(struct db_counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].label[0]);
		free(c->v[i].label[1]);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

int
db_count_runs(struct db *db, struct db_counts *c, char **cause)
{
	return db_counts_query(db, "SELECT workload, state, count(*) FROM "
	    "runs GROUP BY workload, state ORDER BY workload, state", 2, c,
	    cause);
}

int
db_count_events(struct db *db, struct db_counts *c, char **cause)
{
	return db_counts_query(db, "SELECT kind, count(*) FROM events GROUP BY "
	    "kind ORDER BY kind", 1, c, cause);
}

int64_t
db_running_run_id(struct db *db)
{
	struct stmt *st = db_prepare(db, "SELECT id FROM runs WHERE state = "
	    "'running' ORDER BY id DESC LIMIT 1", NULL);
	int64_t id = 0;

	if (st == NULL)
		return 0;
	if (stmt_step(st) == STORE_ROW)
		id = stmt_int64(st, 0);
	stmt_finalize(st);
	return id;
}

int
db_run_state_valid(const char *state)
{
	/* As the runs table's CHECK (schema/0001-init.sql). */
	static const char *const states[] = { "queued", "running", "passed",
		"failed", "lockup", "crashed", "interrupted", "skipped", NULL };
	size_t i;

	for (i = 0; states[i] != NULL; i++) {
		if (strcmp(states[i], state) == 0)
			return 1;
	}
	return 0;
}

json_t *
db_runs_recent(struct db *db, const struct db_run_filter *f, char **cause)
{
	struct buf sql = BUF_INIT;
	struct stmt *st;
	json_t *a = NULL;
	int n = 0, rc;

	buf_adds(&sql, "SELECT r.uuid AS run, r.workload, r.state, r.reason, "
	    "k.release AS kernel, r.label, r.started_ns, r.ended_ns FROM runs r "
	    "JOIN kernels k ON k.id = r.kernel_id");
	if (f->workload != NULL) {
		n++;
		buf_printf(&sql, " WHERE r.workload = $%d", n);
	}
	if (f->state != NULL) {
		n++;
		buf_printf(&sql, " %s r.state = $%d", n > 1 ? "AND" : "WHERE",
		    n);
	}
	buf_printf(&sql, " ORDER BY r.id DESC LIMIT $%d", n + 1);
	if ((st = db_prepare(db, sql.s, cause)) == NULL)
		goto out;
	n = 1;
	if (f->workload != NULL)
		stmt_bind_text(st, n++, f->workload);
	if (f->state != NULL)
		stmt_bind_text(st, n++, f->state);
	stmt_bind_int64(st, n, f->limit);
	a = json_array();
	while ((rc = stmt_step(st)) == STORE_ROW)
		json_array_append_new(a, db_row_json(st));
	if (rc != STORE_DONE) {
		db_error(db, cause, "cannot list runs");
		json_decref(a);
		a = NULL;
	}
out:
	stmt_finalize(st);
	buf_release(&sql);
	return a;
}
