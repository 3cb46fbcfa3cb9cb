/* test-store-writes.c - the writes a run makes, on any engine: a fresh
 * SQLite file here, the PostgreSQL database $MMSTORM_TEST_DB names when
 * tests/t/t0610-postgresql.sh runs it (the upserts, insert ids, the
 * events trigger and bytea round trip are what differ). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "store/db.h"
#include "unit.h"

static struct db *
writes_db(void)
{
	const char *url = getenv("MMSTORM_TEST_DB");
	struct db *db = NULL;
	char *cause = NULL;

	if (url == NULL || *url == '\0')
		return unit_fresh_db("writes.db");
	if (db_open(url, DB_CREATE, &db, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	free(cause);
	return db;
}

/* One text column of one row: the caller frees it. */
static char *
text_of(struct db *db, const char *sql, int64_t id)
{
	struct stmt *st = db_prepare(db, sql, NULL);
	char *s = NULL;

	if (st == NULL)
		return NULL;
	stmt_bind_int64(st, 1, id);
	if (stmt_step(st) == STORE_ROW && stmt_text(st, 0) != NULL)
		s = xstrdup(stmt_text(st, 0));
	stmt_finalize(st);
	return s;
}

static int64_t
new_run(struct db *db, int64_t kernel, int64_t host, const char *uuid)
{
	struct run_new rn = {
		.uuid = uuid, .workload = "thp-munmap", .params_json = "{}",
		.state = "running", .kernel_id = kernel, .host_id = host,
		.boot_id = "b", .created_ns = 1, .started_ns = 2,
	};
	int64_t id = 0;

	CHECK_INT_EQ(db_run_insert(db, &rn, &id, NULL), 0);
	return id;
}

TEST(store_writes_a_run_on_any_engine)
{
	struct db *db = writes_db();
	struct kernel_identity k = { .release = "6.1", .version = "v",
		.cmdline = "", .build_key = "unit-writes-key" };
	struct host_identity h = { .hostname = "unit-writes",
		.cpus_possible = 2, .numa_nodes = 1, .mem_total_kb = 1024 };
	static const struct counter_desc c1 = { "unit_a", COUNTER_EVENT, "" };
	static const struct counter_desc c2 = { "unit_b", COUNTER_GAUGE, "kB" };
	const struct counter_desc *descs[] = { &c1, &c2 };
	int64_t kid = 0, kid2 = 0, hid = 0, hid2 = 0, run, run2, eid = 0;
	int64_t knob = 0, found = 0, vals[2] = { -5, 1LL << 40 }, back[2];
	struct event_new ev = { 0 };
	struct stmt *st;
	char *s;

	CHECK(db != NULL);
	CHECK_INT_EQ(db_kernel_id(db, &k, &kid, NULL), 0);
	CHECK_INT_EQ(db_kernel_id(db, &k, &kid2, NULL), 0);
	CHECK(kid > 0 && kid == kid2);
	CHECK_INT_EQ(db_host_id(db, &h, &hid, NULL), 0);
	CHECK_INT_EQ(db_host_id(db, &h, &hid2, NULL), 0);
	CHECK(hid > 0 && hid == hid2);
	run = new_run(db, kid, hid, "0badc0de-0000-4000-8000-000000000001");
	run2 = new_run(db, kid, hid, "0badc0de-0000-4000-8000-000000000002");
	CHECK(run > 0 && run2 == run + 1);
	/* The second run's counters exist: the insert does nothing. */
	CHECK_INT_EQ(db_run_counters(db, run, descs, 2, NULL), 0);
	CHECK_INT_EQ(db_run_counters(db, run2, descs, 2, NULL), 0);
	CHECK_INT_EQ(db_sample_insert(db, run, 0, 10, "start", vals, 2, NULL),
	    0);
	st = db_prepare(db, "SELECT data FROM samples WHERE run_id = $1", NULL);
	CHECK(st != NULL);
	stmt_bind_int64(st, 1, run);
	CHECK_INT_EQ(stmt_step(st), STORE_ROW);
	CHECK_INT_EQ(stmt_type(st, 0), STORE_BLOB);
	CHECK_INT_EQ(sample_decode(stmt_blob(st, 0), stmt_bytes(st, 0), back,
	    2), 2);
	CHECK(back[0] == vals[0] && back[1] == vals[1]);
	stmt_finalize(st);
	/* Upserts: the second value wins, one row each. */
	CHECK_INT_EQ(db_metric_set(db, run, "m", 1.5, "ms", "lower", NULL), 0);
	CHECK_INT_EQ(db_metric_set(db, run, "m", 2.25, "s", "higher", NULL), 0);
	s = text_of(db, "SELECT unit || ' ' || better FROM metrics WHERE "
	    "run_id = $1", run);
	CHECK_STR_EQ(s, "s higher");
	free(s);
	CHECK_INT_EQ(db_artifact_set(db, run, "a", "one", NULL), 0);
	CHECK_INT_EQ(db_artifact_set(db, run, "a", "two", NULL), 0);
	s = text_of(db, "SELECT content FROM run_artifacts WHERE run_id = $1",
	    run);
	CHECK_STR_EQ(s, "two");
	free(s);
	CHECK_INT_EQ(db_unavailable_add(db, run, "psi", NULL), 0);
	CHECK_INT_EQ(db_unavailable_add(db, run, "psi", NULL), 0);
	s = text_of(db, "SELECT CAST(count(*) AS TEXT) FROM run_unavailable "
	    "WHERE run_id = $1", run);
	CHECK_STR_EQ(s, "1");
	free(s);
	CHECK_INT_EQ(db_value_add(db, run, "munmap_ms", 0, 11, 0.125, NULL), 0);
	/* An event's id is its own, and it gets its run's workload. */
	ev.run_id = run;
	ev.kernel_id = kid;
	ev.host_id = hid;
	ev.kind = "warning";
	ev.title = "WARNING: unit";
	ev.source = "kmsg";
	ev.t_ns = 12;
	CHECK_INT_EQ(db_event_add(db, &ev, &eid, NULL), 0);
	s = text_of(db, "SELECT workload FROM events WHERE id = $1", eid);
	CHECK_STR_EQ(s, "thp-munmap");
	free(s);
	CHECK_INT_EQ(db_knob_record(db, run, "/sys/x", "0", "1", &knob, NULL),
	    0);
	CHECK(knob > 0);
	CHECK_INT_EQ(db_knob_done(db, knob, "restored", NULL, NULL), 0);
	s = text_of(db, "SELECT count(*) FROM outbox o JOIN runs r ON "
	    "r.uuid = o.run_uuid WHERE r.id = $1", run);
	CHECK_STR_EQ(s, "0");
	free(s);
	CHECK_INT_EQ(db_run_finish(db, run, "passed", NULL, "exit 0", 20,
	    NULL), 0);
	/* The end of a run queues it for the fleet, once. */
	CHECK_INT_EQ(db_run_finish(db, run, "passed", NULL, "exit 0", 21,
	    NULL), 0);
	s = text_of(db, "SELECT count(*) FROM outbox o JOIN runs r ON "
	    "r.uuid = o.run_uuid WHERE r.id = $1", run);
	CHECK_STR_EQ(s, "1");
	free(s);
	CHECK_INT_EQ(db_run_lookup(db, "0badc0de-0000-4000-8000-000000000002",
	    &found, NULL), 0);
	CHECK(found == run2);
	db_close(db);
}
