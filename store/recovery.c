/*
 * recovery.c - the records that let a run be settled when its supervisor
 * is gone: the run's owner, the knobs it changed, the runs left
 * 'running' (store/recovery.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "common/util.h"
#include "store/db.h"
#include "store/recovery.h"

int
db_run_set_owner(struct db *db, int64_t run_id, int64_t pid, int64_t job_id,
    char **cause)
{
	struct stmt *st;
	int r = 0;

	st = db_prepare(db, "UPDATE runs SET pid = $2, job_id = $3 "
	    "WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_int64(st, 2, pid);
	if (job_id != 0)
		stmt_bind_int64(st, 3, job_id);
	else
		stmt_bind_null(st, 3);
	if (stmt_step(st) != STORE_DONE)
		r = db_error(db, cause, "cannot record run");
	stmt_finalize(st);
	return r;
}

int
db_runs_running(struct db *db, struct run_running **runs, size_t *n,
    char **cause)
{
	struct run_running *v = NULL;
	struct stmt *st;
	size_t count = 0;
	int rc, r = 0;

	*runs = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT id, boot_id, pid FROM runs "
	    "WHERE state = 'running'", cause);
	if (st == NULL)
		return -EIO;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		v = xreallocarray(v, count + 1, sizeof *v);
		v[count].id = stmt_int64(st, 0);
		v[count].boot_id = xstrdup(stmt_text(st, 1));
		v[count].pid = stmt_int64(st, 2);
		count++;
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot read running runs");
		db_runs_running_free(v, count);
	} else {
		*runs = v;
		*n = count;
	}
	stmt_finalize(st);
	return r;
}

void
db_runs_running_free(struct run_running *runs, size_t n)
{
	while (n > 0)
		free(runs[--n].boot_id);
	free(runs);
}

int
db_knob_is_changed(struct db *db, int64_t run_id, const char *path,
    int *changed, char **cause)
{
	struct stmt *st;
	int rc, r = 0;

	*changed = 0;
	st = db_prepare(db, "SELECT 1 FROM knobs WHERE run_id = $1 AND "
	    "path = $2 AND state = 'changed'", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, path);
	rc = stmt_step(st);
	if (rc == STORE_ROW)
		*changed = 1;
	else if (rc != STORE_DONE)
		r = db_error(db, cause, "cannot read knobs");
	stmt_finalize(st);
	return r;
}

/* Every row of st as (id, path, original). */
static int
knobs_read(struct db *db, struct stmt *st, struct knob_changed **knobs,
    size_t *n, char **cause)
{
	struct knob_changed *v = NULL;
	size_t count = 0;
	int rc, r = 0;

	while ((rc = stmt_step(st)) == STORE_ROW) {
		v = xreallocarray(v, count + 1, sizeof *v);
		v[count].id = stmt_int64(st, 0);
		v[count].path = xstrdup(stmt_text(st, 1));
		v[count].original = xstrdup(stmt_text(st, 2));
		count++;
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot read knobs");
		db_knobs_free(v, count);
	} else {
		*knobs = v;
		*n = count;
	}
	stmt_finalize(st);
	return r;
}

/* Newest first: a CPU offlined after a THP change comes back first. */
int
db_knobs_changed(struct db *db, int64_t run_id, struct knob_changed **knobs,
    size_t *n, char **cause)
{
	struct stmt *st;

	*knobs = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT id, path, original FROM knobs "
	    "WHERE state = 'changed' AND run_id = $1 ORDER BY id DESC", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	return knobs_read(db, st, knobs, n, cause);
}

int
db_knobs_left(struct db *db, struct knob_changed **knobs, size_t *n,
    char **cause)
{
	struct stmt *st;

	*knobs = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT k.id, k.path, k.original FROM knobs k "
	    "LEFT JOIN runs r ON r.id = k.run_id WHERE k.state = 'changed' "
	    "AND (r.id IS NULL OR r.state <> 'running') ORDER BY k.id DESC",
	    cause);
	if (st == NULL)
		return -EIO;
	return knobs_read(db, st, knobs, n, cause);
}

void
db_knobs_free(struct knob_changed *knobs, size_t n)
{
	while (n > 0) {
		n--;
		free(knobs[n].path);
		free(knobs[n].original);
	}
	free(knobs);
}
