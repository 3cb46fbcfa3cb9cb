/* run-read.c - a run's counters, samples and values, a build's summary. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/db.h"
#include "store/run-json.h"
#include "store/run-read.h"

static int
counter_cmp(const void *a, const void *b)
{
	return strcmp(((const struct run_counter *)a)->name,
	    ((const struct run_counter *)b)->name);
}

const struct run_counter *
run_counter_find(const struct run_counter *c, size_t n, const char *name)
{
	struct run_counter key = { (char *)name, NULL, 0, 0 };

	return n ? bsearch(&key, c, n, sizeof *c, counter_cmp) : NULL;
}

void
run_counters_free(struct run_counter *c, size_t n)
{
	while (n-- > 0) {
		free(c[n].name);
		free(c[n].unit);
	}
	free(c);
}

int
run_counters_by_index(struct db *db, int64_t run_id,
    struct run_counter **out, size_t *nout, char **cause)
{
	struct stmt *st;
	struct run_counter *c = NULL;
	size_t n = 0;
	int rc;

	st = db_prepare(db, "SELECT rc.idx, c.name, c.kind, c.unit FROM "
	    "run_counters rc JOIN counters c ON c.id = rc.counter_id WHERE "
	    "rc.run_id = $1 ORDER BY rc.idx", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		c = xreallocarray(c, n + 1, sizeof *c);
		c[n].idx = (long)stmt_int64(st, 0);
		c[n].name = xstrdup((const char *)stmt_text(st, 1));
		c[n].is_event = strcmp((const char *)stmt_text(st,
		    2), "event") == 0;
		c[n].unit = xstrdup((const char *)stmt_text(st, 3));
		n++;
	}
	stmt_finalize(st);
	if (rc != STORE_DONE) {
		run_counters_free(c, n);
		return db_error(db, cause, "cannot read counters");
	}
	*out = c;
	*nout = n;
	return 0;
}

int
run_counters_read(struct db *db, int64_t run_id, struct run_counter **out,
    size_t *nout, char **cause)
{
	int r = run_counters_by_index(db, run_id, out, nout, cause);

	if (r == 0 && *nout > 1)
		qsort(*out, *nout, sizeof **out, counter_cmp);
	return r;
}

int
run_samples_read(struct db *db, int64_t run_id, size_t width,
    run_sample_fn fn, void *arg, char **cause)
{
	struct stmt *st;
	int64_t *vals;
	int rc, err = 0;

	vals = xcalloc(width ? width : 1, sizeof *vals);
	st = db_prepare(db, "SELECT t_ns, label, data FROM samples WHERE "
	    "run_id = $1 ORDER BY seq", cause);
	if (st == NULL) {
		err = -EIO;
		goto out;
	}
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const void *blob = stmt_blob(st, 2);
		int len = stmt_bytes(st, 2);

		memset(vals, 0, width * sizeof *vals);
		/* sample_decode() decodes a blob whole or refuses it */
		if (width > 0 && sample_decode(blob, (size_t)len, vals,
		    width) < 0)
			continue;
		fn(arg, stmt_int64(st, 0), (const char *)stmt_text(st, 1),
		    vals);
	}
	if (rc != STORE_DONE)
		err = db_error(db, cause, "cannot read samples");
out:
	stmt_finalize(st);
	free(vals);
	return err;
}

int
run_values_read(struct db *db, int64_t run_id, run_value_fn fn, void *arg,
    char **cause)
{
	struct stmt *st;
	int rc;

	st = db_prepare(db, "SELECT series, t_ns, value FROM run_values "
	    "WHERE run_id = $1 ORDER BY series, seq", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW)
		fn(arg, (const char *)stmt_text(st, 0), stmt_int64(st, 1),
		    stmt_double(st, 2));
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read run values");
	return 0;
}

json_t *
kernel_summary_json(struct db *db, int64_t kernel, char **cause)
{
	json_t *k, *o;

	k = db_query_one(db, "SELECT id, release, version, build_id, "
	    "build_key, cmdline, config_hash, config_source, first_seen_ns "
	    "FROM kernels WHERE id = $1", kernel, cause);
	if (k == NULL)
		return NULL;
	o = json_object();
	json_object_set_new(o, "kernel", k);
	json_object_set_new(o, "runs", db_query_all(db, "SELECT r.uuid AS "
	    "run, r.workload, r.state, r.reason, r.label, r.started_ns, "
	    "r.ended_ns, h.hostname FROM runs r JOIN hosts h ON h.id = "
	    "r.host_id WHERE r.kernel_id = $1 ORDER BY r.created_ns, r.id",
	    kernel, cause));
	json_object_set_new(o, "states", db_query_all(db, "SELECT workload, "
	    "state, count(*) AS runs FROM runs WHERE kernel_id = $1 GROUP BY "
	    "workload, state ORDER BY workload, state", kernel, cause));
	json_object_set_new(o, "events", db_query_all(db, "SELECT kind, "
	    "title, count(*) AS count, count(DISTINCT run_id) AS runs, "
	    "min(t_ns) AS first_ns, max(t_ns) AS last_ns FROM events WHERE "
	    "kernel_id = $1 GROUP BY kind, title ORDER BY count(*) DESC, "
	    "kind, title", kernel, cause));
	return o;
}

int
kernel_metrics_read(struct db *db, int64_t kernel, kernel_metric_fn fn,
    void *arg, char **cause)
{
	struct stmt *st;
	int rc;

	st = db_prepare(db, "SELECT r.workload, m.name, m.unit, m.better, "
	    "m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
	    "r.kernel_id = $1 AND r.state = 'passed' ORDER BY r.workload, "
	    "m.name, r.id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	while ((rc = stmt_step(st)) == STORE_ROW)
		fn(arg, (const char *)stmt_text(st, 0),
		    (const char *)stmt_text(st, 1),
		    (const char *)stmt_text(st, 2),
		    (const char *)stmt_text(st, 3), stmt_double(st, 4));
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read metrics");
	return 0;
}
