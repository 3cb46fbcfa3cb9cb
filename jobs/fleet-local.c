/*
 * fleet-local.c - a fleet job's local copy (fleet-local.h): queued
 * through jobs/queue.c under the fleet's uuid, read back for the report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "jobs/fleet-local.h"
#include "jobs/queue.h"
#include "store/run-json.h"
#include "jobs/spec.h"
#include "store/db.h"

int
fleet_local_copy(struct db *db, const char *uuid, const char *spec_json,
    const struct workload *const *registry, int64_t *id, char **cause)
{
	struct job_spec js;
	json_error_t jerr;
	json_t *j;
	int r;

	if (queue_lookup(db, uuid, id, NULL) == 0)
		return 0;
	if ((j = json_loads(spec_json, 0, &jerr)) == NULL)
		return set_cause(cause, EINVAL, "fleet job '%s': bad spec: %s",
		    uuid, jerr.text);
	r = job_spec_from_json(j, registry, &js, cause);
	json_decref(j);
	if (r != 0)
		return r;
	r = queue_insert_as(db, &js, uuid, id, cause);
	job_spec_release(&js);
	return r;
}

/* Runs of the local job still waiting to be pushed. */
static int64_t
runs_unpushed(struct db *db, int64_t id)
{
	json_t *row = db_query_one(db, "SELECT count(*) AS n FROM outbox o "
	    "JOIN runs r ON r.uuid = o.run_uuid WHERE r.job_id = $1", id, NULL);
	int64_t n = row ? json_integer_value(json_object_get(row, "n")) : 1;

	json_decref(row);
	return n;
}

int
fleet_local_end(struct db *db, const char *uuid, struct fleet_local_end *e,
    char **cause)
{
	const char *state, *error;
	json_t *job, *runs, *run, *res;
	int64_t id;
	size_t i;
	int r;

	memset(e, 0, sizeof *e);
	if ((r = queue_lookup(db, uuid, &id, cause)) != 0)
		return r;
	if ((job = queue_job_json(db, id)) == NULL)
		return set_cause(cause, EIO, "cannot read job '%s'", uuid);
	state = json_string_value(json_object_get(job, "state"));
	error = json_string_value(json_object_get(job, "error"));
	if (state != NULL && (strcmp(state, "done") == 0 ||
	    strcmp(state, "cancelled") == 0)) {
		e->ended = 1;
		e->pushed = runs_unpushed(db, id) == 0;
		e->state = strcmp(state, "done") == 0 && error == NULL ?
		    "done" : "failed";
		if (strcmp(e->state, "failed") == 0)
			e->error = xstrdup(error ? error : state);
		res = json_array();
		runs = json_object_get(job, "runs");
		json_array_foreach(runs, i, run)
			json_array_append_new(res, json_pack("{s:O, s:O}",
			    "run", json_object_get(run, "run"), "state",
			    json_object_get(run, "state")));
		res = json_pack("{s:o}", "runs", res);
		e->result = json_dumps(res, JSON_COMPACT);
		json_decref(res);
	}
	json_decref(job);
	return 0;
}

void
fleet_local_end_release(struct fleet_local_end *e)
{
	free(e->result);
	free(e->error);
	memset(e, 0, sizeof *e);
}

char *
fleet_local_unfinished(struct db *db, char **cause)
{
	struct stmt *st = db_prepare(db, "SELECT uuid FROM jobs WHERE state "
	    "IN ('queued', 'running') ORDER BY id", cause);
	struct buf b = BUF_INIT;
	int rc, n = 0;

	if (st == NULL)
		return NULL;
	buf_addc(&b, '{');
	while ((rc = stmt_step(st)) == STORE_ROW)
		buf_printf(&b, "%s%s", n++ ? "," : "", stmt_text(st, 0));
	stmt_finalize(st);
	if (rc != STORE_DONE) {
		buf_release(&b);
		db_error(db, cause, "cannot list the local jobs");
		return NULL;
	}
	buf_addc(&b, '}');
	return buf_detach(&b);
}
