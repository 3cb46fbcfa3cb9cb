/* runjson.c - runs as JSON, for `run --json`, `show --json` and the API. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/series.h"
#include "store/run-json.h"
#include "common/util.h"

static json_t *
col_json(struct stmt *st, int i)
{
	switch (stmt_type(st, i)) {
	case STORE_NULL:
		return json_null();
	case STORE_INTEGER:
		return json_integer(stmt_int64(st, i));
	case STORE_FLOAT:
		return json_real(stmt_double(st, i));
	default:
		return json_string((const char *)stmt_text(st, i));
	}
}

/* One row of a query as an object keyed by column names. */
json_t *
db_row_json(struct stmt *st)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < stmt_column_count(st); i++)
		json_object_set_new(o, stmt_column_name(st, i),
		    col_json(st, i));
	return o;
}

json_t *
db_query_one(struct db *db, const char *sql, int64_t id, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	json_t *o = NULL;

	if (st == NULL)
		return NULL;
	stmt_bind_int64(st, 1, id);
	if (stmt_step(st) == STORE_ROW)
		o = db_row_json(st);
	stmt_finalize(st);
	return o;
}

json_t *
db_query_all(struct db *db, const char *sql, int64_t id, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	json_t *a = json_array();

	if (st == NULL)
		return a;
	stmt_bind_int64(st, 1, id);
	while (stmt_step(st) == STORE_ROW)
		json_array_append_new(a, db_row_json(st));
	stmt_finalize(st);
	return a;
}

json_t *
run_show_json(struct db *db, int64_t id, int all, char **cause)
{
	json_t *run, *o, *metrics, *m, *deltas, *values, *v, *params;
	struct series s;
	size_t i, k;

	run = db_query_one(db, "SELECT r.uuid AS run, r.workload, r.state, "
	    "r.reason, r.label, r.boot_id, r.created_ns, r.started_ns, "
	    "r.ended_ns, r.exit_status, r.params, r.host_state FROM runs r "
	    "WHERE r.id = $1", id, cause);
	if (run == NULL)
		return NULL;
	params = json_loads(json_string_value(json_object_get(run, "params")),
	    0, NULL);
	json_object_set_new(run, "params", params ? params : json_object());
	o = json_loads(json_string_value(json_object_get(run, "host_state")),
	    0, NULL);
	json_object_set_new(run, "host_state", o ? o : json_object());

	metrics = json_object();
	m = db_query_all(db, "SELECT name, value, unit, better FROM metrics "
	    "WHERE run_id = $1 ORDER BY name", id, cause);
	json_array_foreach(m, i, o)
		json_object_set(metrics, json_string_value(json_object_get(o,
		    "name")), json_object_get(o, "value"));
	json_object_set_new(run, "metrics", metrics);
	json_object_set_new(run, "metric_info", m);

	json_object_set_new(run, "kernel", db_query_one(db, "SELECT k.release, "
	    "k.version, k.build_id, k.cmdline, k.config_hash, k.build_key "
	    "FROM kernels k JOIN runs r ON r.kernel_id = k.id WHERE r.id = $1",
	    id, cause));
	o = db_query_one(db, "SELECT h.hostname, h.machine_id, h.cpus_possible, "
	    "h.numa_nodes, h.nodes, h.mem_total_kb FROM hosts h JOIN runs r "
	    "ON r.host_id = h.id WHERE r.id = $1", id, cause);
	if (o != NULL) {
		json_t *nodes = json_loads(json_string_value(json_object_get(o,
		    "nodes")), 0, NULL);

		json_object_set_new(o, "nodes", nodes ? nodes : json_array());
	}
	json_object_set_new(run, "host", o ? o : json_null());

	deltas = json_object();
	if (series_load_ends(db, id, &s, cause) == 0) {
		for (k = 0; k < s.ncounters; k++) {
			int64_t d = series_delta(&s, k);

			if (s.is_event[k] && (d != 0 || all))
				json_object_set_new(deltas, s.names[k],
				    json_integer(d));
		}
		series_release(&s);
	}
	json_object_set_new(run, "deltas", deltas);
	o = db_query_one(db, "SELECT count(*) AS n FROM samples WHERE "
	    "run_id = $1", id, cause);
	json_object_set_new(run, "samples", json_integer(o ?
	    json_integer_value(json_object_get(o, "n")) : 0));
	json_decref(o);

	values = json_object();
	m = db_query_all(db, "SELECT series, value FROM run_values WHERE "
	    "run_id = $1 ORDER BY series, seq", id, cause);
	json_array_foreach(m, i, o) {
		const char *name = json_string_value(json_object_get(o,
		    "series"));

		if ((v = json_object_get(values, name)) == NULL) {
			v = json_array();
			json_object_set_new(values, name, v);
		}
		json_array_append(v, json_object_get(o, "value"));
	}
	json_decref(m);
	json_object_set_new(run, "values", values);

	json_object_set_new(run, "events", db_query_all(db, "SELECT kind, title, "
	    "signature, source, t_ns, text FROM events WHERE run_id = $1 "
	    "ORDER BY t_ns, id", id, cause));
	m = db_query_all(db, "SELECT source FROM run_unavailable WHERE "
	    "run_id = $1 ORDER BY source", id, cause);
	v = json_array();
	json_array_foreach(m, i, o)
		json_array_append(v, json_object_get(o, "source"));
	json_decref(m);
	json_object_set_new(run, "unavailable", v);
	json_object_set_new(run, "knobs", db_query_all(db, "SELECT path, "
	    "original, value, state, error FROM knobs WHERE run_id = $1 "
	    "ORDER BY id", id, cause));
	/* Whether the run reached its workload's path (run/reached.h); runs
	 * from before the gates have none, and no key. */
	o = db_query_one(db, "SELECT content FROM run_artifacts WHERE "
	    "run_id = $1 AND name = 'reached.json'", id, NULL);
	v = o != NULL ? json_loads(json_string_value(json_object_get(o,
	    "content")), 0, NULL) : NULL;
	json_decref(o);
	if (v != NULL)
		json_object_set_new(run, "reached", v);
	return run;
}

json_t *
run_summary_json(struct db *db, int64_t run_id)
{
	struct stmt *st;
	json_t *obj, *metrics = json_object();
	const char *reason = NULL;
	char *cause = NULL;

	st = db_prepare(db, "SELECT uuid, workload, state, reason FROM runs "
	    "WHERE id = $1", &cause);
	if (st == NULL || (stmt_bind_int64(st, 1, run_id),
	    stmt_step(st)) != STORE_ROW) {
		stmt_finalize(st);
		free(cause);
		json_decref(metrics);
		return json_null();
	}
	reason = (const char *)stmt_text(st, 3);
	obj = json_pack("{s:s, s:s, s:s, s:o}",
	    "run", stmt_text(st, 0),
	    "workload", stmt_text(st, 1),
	    "state", stmt_text(st, 2),
	    "reason", reason ? json_string(reason) : json_null());
	stmt_finalize(st);
	st = db_prepare(db, "SELECT name, value FROM metrics WHERE run_id = $1 "
	    "ORDER BY name", &cause);
	if (st != NULL) {
		stmt_bind_int64(st, 1, run_id);
		while (stmt_step(st) == STORE_ROW) {
			json_object_set_new(metrics,
			    (const char *)stmt_text(st, 0),
			    json_real(stmt_double(st, 1)));
		}
	}
	stmt_finalize(st);
	free(cause);
	json_object_set_new(obj, "metrics", metrics);
	return obj;
}

