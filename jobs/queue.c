/*
 * queue.c - the durable job queue (see queue.h): jobs in the store and
 * every change of their state.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/queue.h"
#include "jobs/spec.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/run-json.h"
#include "store/status.h"

/* One state change of job $1 at time $2 (now), with text $3 if given. */
static int
job_update(struct db *db, const char *sql, int64_t id, const char *text,
    char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	int r = 0;

	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, id);
	if (stmt_param_count(st) >= 2)
		stmt_bind_int64(st, 2, now_real_ns());
	if (text != NULL)
		stmt_bind_text(st, 3, text);
	if (stmt_step(st) != STORE_DONE)
		r = db_error(db, cause, "cannot change the job's state");
	stmt_finalize(st);
	return r;
}

/* The integer column of job id's row that sql selects; dflt if none. */
static int64_t
job_int(struct db *db, const char *sql, int64_t id, int64_t dflt)
{
	struct stmt *st = db_prepare(db, sql, NULL);
	int64_t v = dflt;

	if (st == NULL)
		return dflt;
	if (stmt_param_count(st) > 0)
		stmt_bind_int64(st, 1, id);
	if (stmt_step(st) == STORE_ROW && stmt_type(st, 0) != STORE_NULL)
		v = stmt_int64(st, 0);
	stmt_finalize(st);
	return v;
}

/*
 * The daemon's state directory: where its database is (the unit's
 * StateDirectory=, /var/lib/mmstorm).  A job's path options must stay
 * in it (issue 15: dir= let any socket user make root fill any
 * directory).  NULL when the database is not a file.
 */
static char *
state_dir(struct db *db)
{
	char *path = realpath(db->path, NULL), *slash;

	if (path == NULL)
		return NULL;
	if ((slash = strrchr(path, '/')) != NULL)
		slash[slash == path ? 1 : 0] = '\0';
	return path;
}

int
queue_confine(struct db *db, struct job_spec *js, char **cause)
{
	char *dir = state_dir(db);
	int r = job_spec_confine_paths(js, dir, cause);

	free(dir);
	return r;
}

int
queue_insert(struct db *db, struct job_spec *js, char uuid[37],
    int64_t *id, char **cause)
{
	uuid_v4(uuid);
	return queue_insert_as(db, js, uuid, id, cause);
}

int
queue_insert_as(struct db *db, struct job_spec *js, const char *uuid,
    int64_t *id, char **cause)
{
	struct stmt *st = NULL;
	char *opts = NULL;
	json_t *j = NULL;
	int r;

	if ((r = queue_confine(db, js, cause)) != 0)
		goto out;
	r = -EIO;
	j = job_spec_to_json(js);
	opts = json_dumps(json_object_get(j, "options"), JSON_COMPACT);
	st = db_prepare(db, "INSERT INTO jobs (uuid, workload, options, repeat, "
	    "label, retry, timeout_ms, state, created_ns) VALUES ($1, $2, $3, "
	    "$4, $5, $6, $7, 'queued', $8)", cause);
	if (st == NULL)
		goto out;
	stmt_bind_text(st, 1, uuid);
	stmt_bind_text(st, 2, js->wl->name);
	stmt_bind_text(st, 3, opts);
	stmt_bind_int64(st, 4, js->repeat);
	if (js->label != NULL)
		stmt_bind_text(st, 5, js->label);
	stmt_bind_int64(st, 6, js->retry);
	if (js->timeout_ms != 0)
		stmt_bind_int64(st, 7, js->timeout_ms);
	stmt_bind_int64(st, 8, now_real_ns());
	if (stmt_step(st) != STORE_DONE) {
		r = db_error(db, cause, "cannot queue job");
		goto out;
	}
	*id = db_last_insert_id(db);
	r = 0;
out:
	stmt_finalize(st);
	free(opts);
	json_decref(j);
	return r;
}

int
queue_load_spec(struct db *db, int64_t id,
    const struct workload *const *registry, struct job_spec *js,
    char **cause)
{
	json_t *row, *spec, *opts;
	int r;

	row = db_query_one(db, "SELECT workload, options, repeat, label, "
	    "retry, timeout_ms FROM jobs WHERE id = $1", id, cause);
	if (row == NULL)
		return set_cause(cause, ENOENT, "no job %lld", (long long)id);
	opts = json_loads(json_string_value(json_object_get(row, "options")),
	    0, NULL);
	spec = json_pack("{s:O, s:o, s:O, s:O, s:O}",
	    "workload", json_object_get(row, "workload"),
	    "options", opts ? opts : json_object(),
	    "repeat", json_object_get(row, "repeat"),
	    "label", json_object_get(row, "label"),
	    "retry", json_object_get(row, "retry"));
	r = job_spec_from_json(spec, registry, js, cause);
	/* Again at run time: a job queued by an older mmstormd was never
	 * confined. */
	if (r == 0 && (r = queue_confine(db, js, cause)) != 0)
		job_spec_release(js);
	if (r == 0 && json_is_integer(json_object_get(row, "timeout_ms")))
		js->timeout_ms = json_integer_value(json_object_get(row,
		    "timeout_ms"));
	json_decref(spec);
	json_decref(row);
	return r;
}

int
queue_lookup(struct db *db, const char *key, int64_t *id, char **cause)
{
	return db_uuid_lookup(db, "jobs", "job", key, id, cause);
}

json_t *
queue_job_json(struct db *db, int64_t id)
{
	json_t *o, *runs, *opts;
	char *cause = NULL;

	o = db_query_one(db, "SELECT uuid AS job, workload, options, repeat, "
	    "label, retry, retries_used, timeout_ms, state, runs_done, error, "
	    "created_ns, started_ns, ended_ns FROM jobs WHERE id = $1", id,
	    &cause);
	if (o == NULL) {
		free(cause);
		return NULL;
	}
	opts = json_loads(json_string_value(json_object_get(o, "options")), 0,
	    NULL);
	json_object_set_new(o, "options", opts ? opts : json_object());
	runs = db_query_all(db, "SELECT uuid AS run, state, reason, "
	    "started_ns, ended_ns FROM runs WHERE job_id = $1 ORDER BY id", id,
	    &cause);
	json_object_set_new(o, "runs", runs);
	free(cause);
	return o;
}

json_t *
queue_recent_json(struct db *db, int64_t limit, char **cause)
{
	struct stmt *st = db_prepare(db, "SELECT uuid AS job, workload, state, "
	    "repeat, runs_done, label, created_ns, error FROM jobs ORDER BY id "
	    "DESC LIMIT $1", cause);
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	stmt_bind_int64(st, 1, limit);
	a = json_array();
	while ((rc = stmt_step(st)) == STORE_ROW)
		json_array_append_new(a, db_row_json(st));
	if (rc != STORE_DONE) {
		db_error(db, cause, "cannot list jobs");
		json_decref(a);
		a = NULL;
	}
	stmt_finalize(st);
	return a;
}

int64_t
queue_length(struct db *db)
{
	return job_int(db, "SELECT count(*) FROM jobs WHERE state = 'queued'",
	    0, 0);
}

int
queue_count_by_state(struct db *db, struct db_counts *c, char **cause)
{
	return db_counts_query(db, "SELECT state, count(*) FROM jobs GROUP BY "
	    "state ORDER BY state", 1, c, cause);
}

int
queue_claim_next(struct db *db, int64_t *id, int64_t *timeout_ms,
    char **cause)
{
	struct stmt *st;
	int rc, r = 0;

	*id = 0;
	*timeout_ms = 0;
	/* A job already running continues with its next repeat first. */
	st = db_prepare(db, "UPDATE jobs SET state = 'running', started_ns = "
	    "coalesce(started_ns, $1) WHERE id = (SELECT id FROM jobs WHERE "
	    "state IN ('running', 'queued') ORDER BY CASE state WHEN "
	    "'running' THEN 0 ELSE 1 END, id LIMIT 1) RETURNING id, "
	    "timeout_ms", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, now_real_ns());
	if ((rc = stmt_step(st)) == STORE_ROW) {
		*id = stmt_int64(st, 0);
		if (stmt_type(st, 1) != STORE_NULL)
			*timeout_ms = stmt_int64(st, 1);
		rc = stmt_step(st);
	}
	if (rc != STORE_DONE) {
		*id = 0;
		r = db_error(db, cause, "cannot claim the next job");
	}
	stmt_finalize(st);
	return r;
}

int
queue_start_failed(struct db *db, int64_t id, const char *error,
    char **cause)
{
	return job_update(db, "UPDATE jobs SET state = 'done', ended_ns = $2, "
	    "error = $3 WHERE id = $1", id, error, cause);
}

/* The state of the job's newest run and its reason (NULL: none). */
static json_t *
last_run(struct db *db, int64_t id)
{
	return db_query_one(db, "SELECT state, reason FROM runs WHERE "
	    "job_id = $1 ORDER BY id DESC LIMIT 1", id, NULL);
}

/*
 * A run of the job was lost (its worker or supervisor died, a crash):
 * back to the queue while retry= allows, counting it, else done with
 * why as the error.  *requeued says which.
 */
static int
lost_run(struct db *db, int64_t id, const char *why, int *requeued,
    char **cause)
{
	int64_t retry = job_int(db, "SELECT retry FROM jobs WHERE id = $1",
	    id, 0);
	int64_t used = job_int(db, "SELECT retries_used FROM jobs WHERE "
	    "id = $1", id, 0);
	char *error;
	int r;

	*requeued = used < retry;
	if (*requeued)
		return job_update(db, "UPDATE jobs SET state = 'queued', "
		    "retries_used = retries_used + 1 WHERE id = $1", id, NULL,
		    cause);
	error = retry > 0 ? xasprintf("%s; retry= is used up (%" PRId64
	    " of %" PRId64 ")", why, used, retry) : xstrdup(why);
	r = job_update(db, "UPDATE jobs SET state = 'done', ended_ns = $2, "
	    "error = $3 WHERE id = $1", id, error, cause);
	free(error);
	return r;
}

/* After a supervisor that exited 0: its run was lost when the worker
 * died without a verdict (kill -9, the OOM killer, a crash), which
 * leaves it interrupted or crashed; a time limit's stop is not a loss. */
static int
run_ended_normally(struct db *db, int64_t id, int time_limit,
    int *requeued, char **cause)
{
	json_t *last = last_run(db, id);
	const char *state = json_string_value(json_object_get(last, "state"));
	const char *reason = json_string_value(json_object_get(last,
	    "reason"));
	int64_t done, repeat;
	char *why;
	int r;

	if (state != NULL && (strcmp(state, "interrupted") == 0 ||
	    strcmp(state, "crashed") == 0)) {
		why = xasprintf("run %s: %s", state, reason ? reason :
		    "no reason recorded");
		json_decref(last);
		if (time_limit)
			r = job_update(db, "UPDATE jobs SET state = 'done', "
			    "ended_ns = $2 WHERE id = $1", id, NULL, cause);
		else
			r = lost_run(db, id, why, requeued, cause);
		free(why);
		return r;
	}
	json_decref(last);
	done = job_int(db, "SELECT runs_done FROM jobs WHERE id = $1", id, 0);
	repeat = job_int(db, "SELECT repeat FROM jobs WHERE id = $1", id, 1);
	if (done < repeat)
		return 0; /* its next repeat */
	return job_update(db, "UPDATE jobs SET state = 'done', ended_ns = $2 "
	    "WHERE id = $1", id, NULL, cause);
}

int
queue_run_ended(struct db *db, int64_t id, enum queue_run_end how,
    const char *why, int *requeued, char **cause)
{
	int r, dummy;

	if (requeued == NULL)
		requeued = &dummy;
	*requeued = 0;
	/* A run that crashed or was cut short does not count as done. */
	if ((r = job_update(db, "UPDATE jobs SET runs_done = (SELECT count(*) "
	    "FROM runs WHERE job_id = $1 AND state NOT IN ('running', "
	    "'crashed', 'interrupted')) WHERE id = $1", id, NULL, cause)) != 0)
		return r;
	switch (how) {
	case QUEUE_RUN_CANCELLED:
		return job_update(db, "UPDATE jobs SET state = 'cancelled', "
		    "ended_ns = $2 WHERE id = $1", id, NULL, cause);
	case QUEUE_RUN_STOPPING:
		return job_update(db, "UPDATE jobs SET state = 'queued' WHERE "
		    "id = $1 AND state = 'running'", id, NULL, cause);
	case QUEUE_RUN_KILLED:
		return lost_run(db, id, why ? why : "supervisor killed",
		    requeued, cause);
	case QUEUE_RUN_FAILED:
		return job_update(db, "UPDATE jobs SET state = 'done', "
		    "ended_ns = $2, error = $3 WHERE id = $1", id,
		    why ? why : "supervisor failed", cause);
	case QUEUE_RUN_ENDED:
	case QUEUE_RUN_TIME_LIMIT:
		break;
	}
	return run_ended_normally(db, id, how == QUEUE_RUN_TIME_LIMIT,
	    requeued, cause);
}

int
queue_cancel(struct db *db, int64_t id, char **cause)
{
	struct stmt *st;
	char state[16] = "";
	int rc;

	st = db_prepare(db, "SELECT state FROM jobs WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, id);
	if ((rc = stmt_step(st)) == STORE_ROW)
		snprintf(state, sizeof state, "%s", stmt_text(st, 0));
	stmt_finalize(st);
	if (rc == STORE_ERROR)
		return db_error(db, cause, "cannot read the job");
	if (rc != STORE_ROW)
		return set_cause(cause, ENOENT, "no such job");
	if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0)
		return set_cause(cause, EALREADY, "job is already %s", state);
	return job_update(db, "UPDATE jobs SET state = 'cancelled', ended_ns = "
	    "$2 WHERE id = $1", id, NULL, cause);
}

/* Running jobs whose newest run was lost to a crash or a dead supervisor. */
static int
lost_jobs(struct db *db, struct queue_lost **lost, size_t *n, char **cause)
{
	struct stmt *st;
	struct queue_lost *l;
	const char *last;
	int rc, r = 0;

	st = db_prepare(db, "SELECT j.id, j.retry, j.retries_used, (SELECT "
	    "state FROM runs WHERE job_id = j.id ORDER BY id DESC LIMIT 1) "
	    "FROM jobs j WHERE j.state = 'running' ORDER BY j.id", cause);
	if (st == NULL)
		return -EIO;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		last = stmt_text(st, 3);
		if (last == NULL || (strcmp(last, "crashed") != 0 &&
		    strcmp(last, "interrupted") != 0))
			continue; /* it goes on with its next repeat */
		*lost = xreallocarray(*lost, *n + 1, sizeof **lost);
		l = &(*lost)[(*n)++];
		memset(l, 0, sizeof *l);
		l->id = stmt_int64(st, 0);
		l->retry = stmt_int64(st, 1);
		l->retries_used = stmt_int64(st, 2);
		snprintf(l->last_state, sizeof l->last_state, "%s", last);
	}
	if (rc != STORE_DONE)
		r = db_error(db, cause, "cannot read running jobs");
	stmt_finalize(st);
	return r;
}

int
queue_settle_lost(struct db *db, struct queue_lost **lost, size_t *n,
    char **cause)
{
	struct queue_lost *l;
	char *why;
	size_t i;
	int r;

	*lost = NULL;
	*n = 0;
	if ((r = lost_jobs(db, lost, n, cause)) != 0)
		goto out;
	for (i = 0; i < *n; i++) {
		l = &(*lost)[i];
		why = xasprintf("its run was %s (its supervisor did not "
		    "finish)", l->last_state);
		r = lost_run(db, l->id, why, &l->requeued, cause);
		free(why);
		if (l->requeued)
			l->retries_used++;
		if (r != 0)
			goto out;
	}
out:
	if (r != 0) {
		free(*lost);
		*lost = NULL;
		*n = 0;
	}
	return r;
}
