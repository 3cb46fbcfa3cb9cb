/* cmd-show.c - everything stored about one run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "query.h"

static int cmd_show_exec(int, char **);

const struct cli_cmd cmd_show = {
	.name = "show",
	.usage = "show RUN [--json] [--all] [--db PATH]",
	.summary = "show one run: kernel, params, metrics, deltas, events",
	.exec = cmd_show_exec,
};

static json_t *
col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

/* One row of a query as an object keyed by column names. */
static json_t *
row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++)
		json_object_set_new(o, sqlite3_column_name(st, i),
		    col_json(st, i));
	return o;
}

static json_t *
query_one(struct db *db, const char *sql, int64_t id, char **cause)
{
	sqlite3_stmt *st = db_prepare(db, sql, cause);
	json_t *o = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = row_json(st);
	sqlite3_finalize(st);
	return o;
}

static json_t *
query_all(struct db *db, const char *sql, int64_t id, char **cause)
{
	sqlite3_stmt *st = db_prepare(db, sql, cause);
	json_t *a = json_array();

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	return a;
}

/* The stable JSON of `show --json` (DESIGN.md section 4). */
static json_t *
show_json(struct db *db, int64_t id, int all, char **cause)
{
	json_t *run, *o, *metrics, *m, *deltas, *values, *v, *params;
	struct series s;
	size_t i, k;

	run = query_one(db, "SELECT r.uuid AS run, r.workload, r.state, "
	    "r.reason, r.label, r.boot_id, r.created_ns, r.started_ns, "
	    "r.ended_ns, r.exit_status, r.params, r.host_state FROM runs r "
	    "WHERE r.id = ?1", id, cause);
	if (run == NULL)
		return NULL;
	params = json_loads(json_string_value(json_object_get(run, "params")),
	    0, NULL);
	json_object_set_new(run, "params", params ? params : json_object());
	o = json_loads(json_string_value(json_object_get(run, "host_state")),
	    0, NULL);
	json_object_set_new(run, "host_state", o ? o : json_object());

	metrics = json_object();
	m = query_all(db, "SELECT name, value, unit, better FROM metrics "
	    "WHERE run_id = ?1 ORDER BY name", id, cause);
	json_array_foreach(m, i, o)
		json_object_set(metrics, json_string_value(json_object_get(o,
		    "name")), json_object_get(o, "value"));
	json_object_set_new(run, "metrics", metrics);
	json_object_set_new(run, "metric_info", m);

	json_object_set_new(run, "kernel", query_one(db, "SELECT k.release, "
	    "k.version, k.build_id, k.cmdline, k.config_hash, k.build_key "
	    "FROM kernels k JOIN runs r ON r.kernel_id = k.id WHERE r.id = ?1",
	    id, cause));
	o = query_one(db, "SELECT h.hostname, h.machine_id, h.cpus_possible, "
	    "h.numa_nodes, h.nodes, h.mem_total_kb FROM hosts h JOIN runs r "
	    "ON r.host_id = h.id WHERE r.id = ?1", id, cause);
	if (o != NULL) {
		json_t *nodes = json_loads(json_string_value(json_object_get(o,
		    "nodes")), 0, NULL);

		json_object_set_new(o, "nodes", nodes ? nodes : json_array());
	}
	json_object_set_new(run, "host", o ? o : json_null());

	deltas = json_object();
	if (series_load(db, id, &s, cause) == 0) {
		for (k = 0; k < s.ncounters; k++) {
			int64_t d = series_delta(&s, k);

			if (s.is_event[k] && (d != 0 || all))
				json_object_set_new(deltas, s.names[k],
				    json_integer(d));
		}
		json_object_set_new(run, "samples",
		    json_integer((json_int_t)s.nsamples));
		series_release(&s);
	}
	json_object_set_new(run, "deltas", deltas);

	values = json_object();
	m = query_all(db, "SELECT series, value FROM run_values WHERE "
	    "run_id = ?1 ORDER BY series, seq", id, cause);
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

	json_object_set_new(run, "events", query_all(db, "SELECT kind, title, "
	    "signature, source, t_ns, text FROM events WHERE run_id = ?1 "
	    "ORDER BY t_ns, id", id, cause));
	m = query_all(db, "SELECT source FROM run_unavailable WHERE "
	    "run_id = ?1 ORDER BY source", id, cause);
	v = json_array();
	json_array_foreach(m, i, o)
		json_array_append(v, json_object_get(o, "source"));
	json_decref(m);
	json_object_set_new(run, "unavailable", v);
	json_object_set_new(run, "knobs", query_all(db, "SELECT path, "
	    "original, value, state, error FROM knobs WHERE run_id = ?1 "
	    "ORDER BY id", id, cause));
	return run;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void
show_human(json_t *run)
{
	json_t *k = json_object_get(run, "kernel"), *h = json_object_get(run,
	    "host"), *o, *v;
	const char *key;
	struct table *t;
	char *a, *b, *p;
	size_t i;
	double secs = 0;

	if (json_integer_value(json_object_get(run, "ended_ns")) != 0 &&
	    json_integer_value(json_object_get(run, "started_ns")) != 0)
		secs = (double)(json_integer_value(json_object_get(run,
		    "ended_ns")) - json_integer_value(json_object_get(run,
		    "started_ns"))) / 1e9;
	printf("run       %s\n", str(run, "run"));
	printf("workload  %s\n", str(run, "workload"));
	printf("state     %s\n", str(run, "state"));
	if (json_string_value(json_object_get(run, "reason")))
		printf("reason    %s\n", str(run, "reason"));
	if (json_string_value(json_object_get(run, "label")))
		printf("label     %s\n", str(run, "label"));
	printf("kernel    %s  build-id %s\n", str(k, "release"),
	    str(k, "build_id"));
	printf("host      %s  %lld CPUs, %lld node(s), %lld MiB\n",
	    str(h, "hostname"),
	    (long long)json_integer_value(json_object_get(h, "cpus_possible")),
	    (long long)json_integer_value(json_object_get(h, "numa_nodes")),
	    (long long)json_integer_value(json_object_get(h, "mem_total_kb")) /
	    1024);
	a = fmt_time_ns(json_integer_value(json_object_get(run,
	    "started_ns")));
	printf("started   %s  (%.1f s, %s)\n", a, secs,
	    str(run, "exit_status"));
	free(a);
	p = json_dumps(json_object_get(run, "params"), JSON_COMPACT);
	printf("params    %s\n", p);
	free(p);
	printf("samples   %lld\n",
	    (long long)json_integer_value(json_object_get(run, "samples")));

	o = json_object_get(run, "metric_info");
	if (json_array_size(o) > 0) {
		printf("\n");
		t = table_new(4, "METRIC", "VALUE", "UNIT", "BETTER");
		json_array_foreach(o, i, v) {
			a = fmt_num(json_number_value(json_object_get(v,
			    "value")));
			table_add(t, str(v, "name"), a, str(v, "unit"),
			    str(v, "better"));
			free(a);
		}
		table_print(t, stdout);
		table_free(t);
	}
	o = json_object_get(run, "deltas");
	if (json_object_size(o) > 0) {
		printf("\n");
		t = table_new(2, "COUNTER", "DELTA");
		json_object_foreach(o, key, v) {
			a = xasprintf("%lld", (long long)json_integer_value(v));
			table_add(t, key, a);
			free(a);
		}
		table_print(t, stdout);
		table_free(t);
	}
	o = json_object_get(run, "events");
	if (json_array_size(o) > 0) {
		printf("\n");
		t = table_new(4, "TIME", "KIND", "SOURCE", "TITLE");
		json_array_foreach(o, i, v) {
			a = fmt_time_ns(json_integer_value(json_object_get(v,
			    "t_ns")));
			table_add(t, a, str(v, "kind"), str(v, "source"),
			    str(v, "title"));
			free(a);
		}
		table_print(t, stdout);
		table_free(t);
	}
	o = json_object_get(run, "knobs");
	json_array_foreach(o, i, v)
		printf("%sknob      %s: %s -> %s (%s)\n", i == 0 ? "\n" : "",
		    str(v, "path"), str(v, "original"), str(v, "value"),
		    str(v, "state"));
	o = json_object_get(run, "unavailable");
	json_array_foreach(o, i, v) {
		b = xstrdup(json_string_value(v));
		printf("%sunavailable  %s\n", i == 0 ? "\n" : "", b);
		free(b);
	}
}

static int
cmd_show_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct db *db = NULL;
	json_t *run = NULL;
	char *cause = NULL;
	int64_t id;
	int json = 0, all = 0, c, r = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'a': all = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_show.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_show);
		}
	}
	if (optind != argc - 1)
		return cli_usage(&cmd_show);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (cli_run_id(db, argv[optind], &id) != 0) {
		r = EXIT_FAIL;
		goto out;
	}
	if ((run = show_json(db, id, all, &cause)) == NULL) {
		cli_error("%s", cause ? cause : "cannot read run");
		r = EXIT_FAIL;
		goto out;
	}
	if (json) {
		json_object_del(run, "metric_info");
		json_object_del(run, "host_state");
		cli_print_json(json_incref(run));
	} else
		show_human(run);
out:
	json_decref(run);
	free(cause);
	db_close(db);
	return r;
}
