/* test-export.c - export/import: canonical output, round trips, and a
 * reader that rejects every kind of bad line with its number. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "store/db.h"
#include "store/export.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "common/sha256.h"
#include "unit.h"

#define U1 "00000000-0000-4000-8000-000000000001"
#define U2 "00000000-0000-4000-8000-000000000002"

static char *
query_text(struct db *db, const char *sql)
{
	struct stmt *st = db_prepare(db, sql, NULL);
	struct buf b = BUF_INIT;
	int i;

	while (st != NULL && stmt_step(st) == STORE_ROW) {
		for (i = 0; i < stmt_column_count(st); i++) {
			const char *s = (const char *)stmt_text(st,
			    i);

			buf_adds(&b, s ? s : "NULL");
			buf_addc(&b, '|');
		}
		buf_addc(&b, '\n');
	}
	stmt_finalize(st);
	return b.s ? buf_detach(&b) : xstrdup("");
}

/* Every row that an import writes, with ids replaced by what they name. */
static char *
fingerprint(struct db *db)
{
	return query_text(db,
	    "SELECT 'k', build_key, release, version, build_id, cmdline, "
	    "config_hash, config_source, first_seen_ns FROM kernels UNION ALL "
	    "SELECT 'h', machine_id, hostname, cpus_possible, numa_nodes, "
	    "nodes, mem_total_kb, first_seen_ns, NULL FROM hosts UNION ALL "
	    "SELECT 'r', r.uuid, k.build_key, h.hostname, r.params, r.state, "
	    "r.reason, r.created_ns, r.ended_ns FROM runs r JOIN kernels k ON "
	    "k.id = r.kernel_id JOIN hosts h ON h.id = r.host_id UNION ALL "
	    "SELECT 'c', name, kind, unit, NULL, NULL, NULL, NULL, NULL FROM "
	    "counters UNION ALL "
	    "SELECT 'rc', r.uuid, rc.idx, c.name, NULL, NULL, NULL, NULL, "
	    "NULL FROM run_counters rc JOIN runs r ON r.id = rc.run_id JOIN "
	    "counters c ON c.id = rc.counter_id UNION ALL "
	    "SELECT 's', r.uuid, s.seq, s.t_ns, s.label, hex(s.data), "
	    "typeof(s.data), NULL, NULL FROM samples s JOIN runs r ON "
	    "r.id = s.run_id UNION ALL "
	    "SELECT 'm', r.uuid, m.name, printf('%!.17g', m.value), m.unit, "
	    "m.better, NULL, NULL, NULL FROM metrics m JOIN runs r ON "
	    "r.id = m.run_id UNION ALL "
	    "SELECT 'v', r.uuid, v.series, v.seq, v.t_ns, printf('%!.17g', "
	    "v.value), NULL, NULL, NULL FROM run_values v JOIN runs r ON "
	    "r.id = v.run_id UNION ALL "
	    "SELECT 'e', r.uuid, k.build_key, e.kind, e.title, hex(e.text), "
	    "e.t_ns, e.source, e.signature FROM events e JOIN runs r ON "
	    "r.id = e.run_id JOIN kernels k ON k.id = e.kernel_id UNION ALL "
	    "SELECT 'u', r.uuid, u.source, NULL, NULL, NULL, NULL, NULL, NULL "
	    "FROM run_unavailable u JOIN runs r ON r.id = u.run_id UNION ALL "
	    "SELECT 'a', r.uuid, a.name, hex(a.content), typeof(a.content), "
	    "NULL, NULL, NULL, NULL FROM run_artifacts a JOIN runs r ON "
	    "r.id = a.run_id UNION ALL "
	    "SELECT 'n', r.uuid, n.path, n.original, n.value, n.state, "
	    "n.changed_ns, n.restored_ns, n.error FROM knobs n JOIN runs r ON "
	    "r.id = n.run_id ORDER BY 1, 2, 3, 4, 5, 6");
}

static int64_t
add_run(struct db *db, const char *uuid, int64_t kernel, int64_t host,
    const char *state, int64_t created)
{
	struct run_new rn;
	char *cause = NULL;
	int64_t id;

	memset(&rn, 0, sizeof rn);
	rn.uuid = uuid;
	rn.workload = "thp-munmap";
	rn.params_json = "{\"threads\":2,\"size\":33554432}";
	rn.state = "running";
	rn.kernel_id = kernel;
	rn.host_id = host;
	rn.label = "v6.1-rc1";
	rn.boot_id = "boot-1";
	rn.host_state_json = "{\"cpus_online\":4}";
	rn.created_ns = created;
	rn.started_ns = created + 10;
	if (db_run_insert(db, &rn, &id, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "run: %s", cause);
	if (strcmp(state, "running") != 0 &&
	    db_run_finish(db, id, state, strcmp(state, "failed") == 0 ?
	    "munmap took \"too long\"" : NULL, "exit 0", created + 1000,
	    &cause) != 0)
		unit_fail(__FILE__, __LINE__, "finish: %s", cause);
	return id;
}

/* Text as the database holds it, any bytes (bind with a length). */
static void
raw_artifact(struct db *db, int64_t run, const char *name, const char *p,
    int len)
{
	struct stmt *st = db_prepare(db, "INSERT INTO run_artifacts (run_id, "
	    "name, content) VALUES ($1, $2, $3)", NULL);

	stmt_bind_int64(st, 1, run);
	stmt_bind_text(st, 2, name);
	stmt_bind_textn(st, 3, p, len);
	CHECK_INT_EQ(stmt_step(st), STORE_DONE);
	stmt_finalize(st);
}

/* Two finished runs on two kernels and hosts, an event on a third kernel,
 * awkward values everywhere; a running run and one with a knob still
 * changed, which an export leaves out. */
static void
fill(struct db *db)
{
	struct kernel_identity k1 = { "6.1.0-test", "Linux version 6.1.0",
		"abcd01", "quiet console=ttyS0", "c0ffee", "/proc/config.gz",
		"key-one" };
	struct kernel_identity k2 = { "6.2.0-test", "Linux version 6.2.0",
		NULL, "", NULL, NULL, "key-two" };
	struct kernel_identity k3 = { "6.3.0-test", "Linux version 6.3.0",
		"ef", "", NULL, NULL, "key-three" };
	struct host_identity h1 = { "lab1", "m1", 4, 4, 2,
		"[{\"node\":0,\"mem_kb\":100,\"cpus\":\"0-1\"}]", 200, NULL,
		NULL };
	struct host_identity h2 = { "lab2", NULL, 2, 2, 1, NULL, 300, NULL,
		NULL };
	static const struct counter_desc c1 = { "vmstat.pgfault", COUNTER_EVENT,
		"count" }, c2 = { "meminfo.MemFree", COUNTER_GAUGE, "kB" },
		c3 = { "x.odd", COUNTER_EVENT, "" };
	const struct counter_desc *descs[] = { &c1, &c2, &c3 };
	int64_t v0[] = { 0, INT64_MAX, INT64_MIN }, v1[] = { 5, -1, 42 };
	int64_t kid1, kid2, kid3, hid1, hid2, r1, r2, r4, knob;
	struct event_new ev;
	char *cause = NULL;

	CHECK_INT_EQ(db_kernel_id(db, &k1, &kid1, &cause), 0);
	CHECK_INT_EQ(db_kernel_id(db, &k2, &kid2, &cause), 0);
	CHECK_INT_EQ(db_kernel_id(db, &k3, &kid3, &cause), 0);
	CHECK_INT_EQ(db_host_id(db, &h1, &hid1, &cause), 0);
	CHECK_INT_EQ(db_host_id(db, &h2, &hid2, &cause), 0);
	r1 = add_run(db, U2, kid1, hid1, "passed", 100);
	r2 = add_run(db, U1, kid2, hid2, "failed", 50);  /* written first */
	add_run(db, "00000000-0000-4000-8000-000000000003", kid1, hid1,
	    "running", 10);
	r4 = add_run(db, "00000000-0000-4000-8000-000000000004", kid1, hid1,
	    "crashed", 20);

	CHECK_INT_EQ(db_run_counters(db, r1, descs, 3, &cause), 0);
	CHECK_INT_EQ(db_sample_insert(db, r1, 0, 1000, "start", v0, 3,
	    &cause), 0);
	CHECK_INT_EQ(db_sample_insert(db, r1, 1, 2000, NULL, v1, 3, &cause), 0);
	/* a short blob: fewer values than counters */
	CHECK_INT_EQ(db_sample_insert(db, r1, 2, 3000, "end", v1, 2, &cause),
	    0);
	CHECK_INT_EQ(db_metric_set(db, r1, "tenth", 0.1, "ms", "lower",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r1, "third", 1.0 / 3, "", "higher",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r1, "big", 1e300, "x", "lower",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r1, "tiny", 5e-324, "x", "lower",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r1, "hundred", 100.0, "%", "higher",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r1, "infinite", INFINITY, "x", "lower",
	    &cause), 0);
	CHECK_INT_EQ(db_metric_set(db, r2, "neg", -2.5e-7, "x", "lower",
	    &cause), 0);
	CHECK_INT_EQ(db_value_add(db, r1, "offline_ms", 0, 1500, 33.268040499,
	    &cause), 0);
	CHECK_INT_EQ(db_value_add(db, r1, "offline_ms", 1, 1600, 1e-9,
	    &cause), 0);

	memset(&ev, 0, sizeof ev);
	ev.run_id = r1;
	ev.kernel_id = kid3;   /* declared in the middle of r1's lines */
	ev.host_id = hid1;
	ev.boot_id = "boot-1";
	ev.kind = "soft_lockup";
	ev.title = "BUG: soft lockup in foo";
	ev.source = "kmsg";
	ev.text = "watchdog: \"BUG\"\n\tcpu#1 \x01 stuck \xc3\xa9 \xe2\x9c\x93";
	ev.t_ns = 1700;
	CHECK_INT_EQ(db_event_add(db, &ev, NULL, &cause), 0);
	ev.text = "not utf-8: \xff\xfe\xc3";
	ev.t_ns = 1700;        /* same time: the id keeps the order */
	ev.kind = "warning";
	ev.title = "WARNING in bar";
	CHECK_INT_EQ(db_event_add(db, &ev, NULL, &cause), 0);

	CHECK_INT_EQ(db_unavailable_add(db, r1, "percpu_stats", &cause), 0);
	CHECK_INT_EQ(db_artifact_set(db, r1, "stress-ng.yaml", "a: 1\n",
	    &cause), 0);
	raw_artifact(db, r1, "pstore/dmesg-1", "\xff\0bin\x80\0", 6);
	CHECK_INT_EQ(db_knob_record(db, r1, "/sys/devices/system/cpu/cpu1/"
	    "online", "1", "0", &knob, &cause), 0);
	CHECK_INT_EQ(db_knob_done(db, knob, "restored", NULL, &cause), 0);
	/* a crashed run whose knob mmstormd has not restored yet */
	CHECK_INT_EQ(db_knob_record(db, r4, "/sys/kernel/mm/transparent_"
	    "hugepage/enabled", "madvise", "always", &knob, &cause), 0);
}

static char *
export_mem(struct db *db, char **keys, size_t nkeys,
    struct export_result *res, int *r, char **cause)
{
	/* static: the stream holds their addresses until fclose */
	static char *text;
	static size_t len;
	FILE *f = open_memstream(&text, &len);
	char *out;

	*r = export_runs(db, keys, nkeys, f, res, cause);
	fclose(f);
	out = text;
	text = NULL;
	return out;
}

static int
import_mem(struct db *db, const char *text, struct import_result *res,
    char **cause)
{
	FILE *f = tmpfile();
	int r;

	fwrite(text, 1, strlen(text), f);
	rewind(f);
	r = import_stream(db, f, "x.jsonl", res, cause);
	fclose(f);
	return r;
}

TEST(export_round_trip_is_byte_identical)
{
	struct db *a = unit_fresh_db("a.db"), *b = unit_fresh_db("b.db");
	struct export_result er;
	struct import_result ir;
	char *one, *two, *fa, *fb, *cause = NULL;
	int r;

	memset(&ir, 0, sizeof ir);
	fill(a);
	one = export_mem(a, NULL, 0, &er, &r, &cause);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(er.runs, 2);
	CHECK_INT_EQ(er.unfinished, 2);
	/* the older run first; a kernel line where an event first names it */
	CHECK(strstr(one, "\"uuid\":\"" U1) < strstr(one, "\"uuid\":\"" U2));
	CHECK(strstr(one, "\"build_key\":\"key-three\"") >
	    strstr(one, "\"uuid\":\"" U2));
	CHECK_STR_CONTAINS(one, "\"value\":100.0,");
	CHECK_STR_CONTAINS(one, "\"value\":0.1,");
	CHECK_STR_CONTAINS(one, "\"value\":\"inf\",");
	CHECK_STR_CONTAINS(one, "\"values\":[0,9223372036854775807,"
	    "-9223372036854775808]");
	CHECK_STR_CONTAINS(one, "\"values\":[5,-1]}");
	CHECK_STR_CONTAINS(one, "\\\"BUG\\\"\\n\\tcpu#1 \\u0001 stuck");
	CHECK_STR_CONTAINS(one, "\"content\":{\"base64\":\"/wBiaW6A\"}");
	CHECK(strstr(one, "transparent_hugepage") == NULL);

	CHECK_INT_EQ(import_mem(b, one, &ir, &cause), 0);
	CHECK_INT_EQ(ir.imported, 2);
	CHECK_INT_EQ(ir.skipped, 0);
	CHECK_INT_EQ(ir.kernels_added, 3);
	CHECK_INT_EQ(ir.hosts_added, 2);
	CHECK_INT_EQ(ir.counters_added, 3);
	CHECK_STR_EQ(ir.imported_runs[0], U1);
	two = export_mem(b, NULL, 0, &er, &r, &cause);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(er.unfinished, 0);
	CHECK_STR_EQ(two, one);

	/* the stored rows are the same, blobs and bytes included */
	fa = fingerprint(a);
	fb = fingerprint(b);
	CHECK_STR_CONTAINS(fb, "FF0062696E80|text|");
	CHECK_STR_CONTAINS(fb, "|third|0.33333333333333331|");
	free(fb);
	fb = query_text(b, "SELECT count(*) FROM runs");
	CHECK_STR_EQ(fb, "2|\n");
	free(fb);

	/* again: every run skipped, nothing changed */
	fb = fingerprint(b);
	CHECK_INT_EQ(import_mem(b, one, &ir, &cause), 0);
	CHECK_INT_EQ(ir.imported, 0);
	CHECK_INT_EQ(ir.skipped, 2);
	CHECK_INT_EQ(ir.kernels_added + ir.hosts_added + ir.counters_added, 0);
	free(fa);
	fa = fingerprint(b);
	CHECK_STR_EQ(fa, fb);
	import_result_release(&ir);
	free(fa);
	free(fb);
	free(one);
	free(two);
	db_close(a);
	db_close(b);
}

TEST(export_rows_equal_what_was_stored)
{
	struct db *a = unit_fresh_db("c.db"), *b = unit_fresh_db("d.db");
	struct export_result er;
	struct import_result ir;
	char *text, *cause = NULL, *x, *y;
	const char *sql = "SELECT r.uuid, m.name, m.value = m.value, "
	    "printf('%!.17g', m.value) FROM metrics m JOIN runs r ON "
	    "r.id = m.run_id ORDER BY 1, 2";
	int r;

	memset(&ir, 0, sizeof ir);
	fill(a);
	text = export_mem(a, NULL, 0, &er, &r, &cause);
	CHECK_INT_EQ(import_mem(b, text, &ir, &cause), 0);
	x = query_text(a, sql);
	y = query_text(b, sql);
	CHECK_STR_EQ(y, x);
	free(x);
	free(y);
	sql = "SELECT r.uuid, e.kind, hex(e.text) FROM events e JOIN runs r "
	    "ON r.id = e.run_id ORDER BY e.t_ns, e.id";
	x = query_text(a, sql);
	y = query_text(b, sql);
	CHECK_STR_EQ(y, x);
	free(x);
	free(y);
	import_result_release(&ir);
	free(text);
	db_close(a);
	db_close(b);
}

TEST(export_named_runs)
{
	struct db *a = unit_fresh_db("e.db");
	struct export_result er;
	char *keys[] = { "0000", U2 },
	    *text, *cause = NULL;
	int r;

	fill(a);
	/* a prefix that names several runs */
	text = export_mem(a, keys, 1, &er, &r, &cause);
	CHECK_INT_EQ(r, -EEXIST);
	CHECK_STR_CONTAINS(cause, "ambiguous");
	free(text);
	/* the same run twice is written once */
	keys[0] = U2;
	text = export_mem(a, keys, 2, &er, &r, &cause);
	CHECK_INT_EQ(r, 0);
	CHECK_INT_EQ(er.runs, 1);
	CHECK_STR_CONTAINS(text, "{\"type\":\"end\",\"runs\":1,");
	free(text);
	keys[0] = "00000000-0000-4000-8000-000000000003";
	text = export_mem(a, keys, 1, &er, &r, &cause);
	CHECK_INT_EQ(r, -EBUSY);
	CHECK_STR_CONTAINS(cause, "has not ended (state running");
	free(text);
	keys[0] = "00000000-0000-4000-8000-000000000004";
	text = export_mem(a, keys, 1, &er, &r, &cause);
	CHECK_INT_EQ(r, -EBUSY);
	free(text);
	free(cause);
	db_close(a);
}

/* An export of body's lines: body, then its end line. */
static char *
seal(const char *body)
{
	unsigned char d[32];
	struct sha256 sha;
	struct buf b = BUF_INIT;
	const char *p;
	size_t lines = 0, runs = 0, i;

	sha256_init(&sha);
	sha256_update(&sha, body, strlen(body));
	sha256_final(&sha, d);
	for (p = body; *p != '\0'; p++)
		lines += *p == '\n';
	for (p = body; (p = strstr(p, "{\"type\":\"run\"")) != NULL; p++)
		runs++;
	buf_adds(&b, body);
	buf_printf(&b, "{\"type\":\"end\",\"runs\":%zu,\"lines\":%zu,"
	    "\"sha256\":\"", runs, lines);
	for (i = 0; i < sizeof d; i++)
		buf_printf(&b, "%02x", d[i]);
	buf_adds(&b, "\"}\n");
	return buf_detach(&b);
}

#define H "{\"type\":\"mmstorm-export\",\"version\":1}\n"
#define K "{\"type\":\"kernel\",\"build_key\":\"kk\",\"release\":\"6.1\"," \
	"\"version\":\"v\",\"build_id\":null,\"cmdline\":\"\"," \
	"\"config_hash\":null,\"config_source\":null,\"first_seen_ns\":1}\n"
#define O "{\"type\":\"host\",\"ref\":1,\"machine_id\":\"m\"," \
	"\"hostname\":\"h\",\"cpus_possible\":2,\"numa_nodes\":1," \
	"\"nodes\":\"[]\",\"mem_total_kb\":1024,\"first_seen_ns\":1}\n"
#define RUN(uuid, state, label) "{\"type\":\"run\",\"uuid\":\"" uuid "\"," \
	"\"kernel\":\"kk\",\"host\":1,\"workload\":\"thp-munmap\"," \
	"\"params\":\"{}\",\"state\":" state ",\"reason\":null," label \
	"\"boot_id\":\"b\",\"host_state\":\"{}\",\"created_ns\":1," \
	"\"started_ns\":2,\"ended_ns\":3,\"exit_status\":\"exit 0\"}\n"
#define R RUN(U1, "\"passed\"", "\"label\":null,")
#define C "{\"type\":\"counters\",\"run\":\"" U1 "\",\"names\":[\"a\"," \
	"\"b\"],\"kinds\":[\"event\",\"gauge\"],\"units\":[\"count\"," \
	"\"kB\"]}\n"
#define SAMPLE(run, seq, values) "{\"type\":\"sample\",\"run\":\"" run \
	"\",\"seq\":" seq ",\"t_ns\":5,\"label\":null,\"values\":" values \
	"}\n"
#define S SAMPLE(U1, "0", "[1,2]")

struct bad_case {
	const char *body;
	int sealed;
	long line;
	const char *what;
};

static const struct bad_case bad_cases[] = {
	{ "", 0, 1, "empty: not an mmstorm export" },
	{ K, 1, 1, "not an mmstorm export (the first line is not its header)" },
	{ "{\"type\":\"mmstorm-export\",\"version\":2}\n", 1, 1,
	  "export format version 2 is not one this mmstorm reads" },
	{ H K O R C S "{\"type\":\"bogus\"}\n", 1, 7,
	  "unknown line type 'bogus'" },
	{ H K O R C "{\"type\":\"sample\",\"run\":\"" U1 "\",\"seq\":0,"
	  "\"t_ns\":5,\"label\":null,\"values\":[1],\"x\":1}\n", 1, 6,
	  "unknown key 'x' in a sample line" },
	{ H K O S, 1, 4, "a sample line before any run line" },
	{ H K O R C SAMPLE(U2, "0", "[1]"), 1, 6,
	  "a sample line of run '" U2 "' among the lines of run '" U1 "'" },
	{ H K O R S, 1, 5, "a sample line before the counters line" },
	{ H K O R C SAMPLE(U1, "0", "[1,2,3]"), 1, 6,
	  "a sample with 3 values, but run '" U1 "' has 2 counters" },
	{ H K O R C SAMPLE(U1, "0", "[1,2.5]"), 1, 6,
	  "item 2 of 'values' is not an integer" },
	{ H K O R C SAMPLE(U1, "0", "[1,99999999999999999999]"), 1, 6,
	  "not JSON: too big integer" },
	{ H K O R C SAMPLE(U1, "\"0\"", "[1]"), 1, 6,
	  "'seq' of a sample line is not an integer" },
	{ H O R, 1, 3, "kernel 'kk' has no kernel line before it" },
	{ H K R, 1, 3, "host 1 has no host line before it" },
	{ H K K, 1, 3, "kernel 'kk' has a second kernel line" },
	{ H K "{\"type\":\"host\",\"ref\":2,\"machine_id\":\"m\","
	  "\"hostname\":\"h\",\"cpus_possible\":2,\"numa_nodes\":1,"
	  "\"nodes\":\"[]\",\"mem_total_kb\":1024,\"first_seen_ns\":1}\n", 1,
	  3, "host line with ref 2 where 1 comes next" },
	{ H K O R C R, 1, 6, "run '" U1 "' has a second run line" },
	{ H K O R C C, 1, 6, "has a second counters line" },
	{ H K O RUN("1234", "\"passed\"", "\"label\":null,"), 1, 4,
	  "run uuid '1234' is not a uuid" },
	{ H K O RUN(U1, "\"running\"", "\"label\":null,"), 1, 4,
	  "'state' of a run line is 'running', not a value mmstorm stores" },
	{ H K O RUN(U1, "null", "\"label\":null,"), 1, 4,
	  "'state' of a run line is null" },
	{ H K O RUN(U1, "\"passed\"", ""), 1, 4, "run line without 'label'" },
	{ H K O RUN(U1, "\"passed\"", "\"label\":{\"base64\":\"!!!!\"},"), 1,
	  4, "'label' of a run line is not a string" },
	{ H K O RUN(U1, "\"passed\"", "\"label\":{\"base64\":\"/w=A\"},"), 1,
	  4, "'label' of a run line is not a string" },
	{ H K O R C "{\"type\":\"knob\",\"run\":\"" U1 "\",\"path\":\"/sys/x\","
	  "\"original\":\"1\",\"value\":\"0\",\"state\":\"changed\","
	  "\"changed_ns\":1,\"restored_ns\":null,\"error\":null}\n", 1, 6,
	  "knob '/sys/x' is not restored" },
	{ H K O R C "{\"type\":\"metric\",\"run\":\"" U1 "\",\"name\":\"m\","
	  "\"value\":\"fast\",\"unit\":\"\",\"better\":\"lower\"}\n", 1, 6,
	  "'value' of a metric line is not a number" },
	{ H K O R C "{\"type\":\"event\",\"run\":\"" U1 "\",\"kernel\":\"kk\","
	  "\"host\":2,\"boot_id\":\"b\",\"kind\":\"oops\",\"title\":\"t\","
	  "\"signature\":\"t\",\"t_ns\":1,\"source\":\"kmsg\",\"text\":\"\"}\n",
	  1, 6, "host 2 has no host line before it" },
	{ H K O "{\"type\":\"run\"\n", 1, 4, "not JSON" },
	{ H K O "[1]\n", 1, 4, "not an object with a \"type\"" },
	{ H K O "{\"type\":\"run\",\"type\":\"run\"}\n", 1, 4, "not JSON" },
	{ H K O R C S, 0, 7, "truncated: the file ends before its end line" },
	{ H K O R C "{\"type\":\"sample\"", 0, 6,
	  "truncated: the last line has no newline" },
	{ H "{\"type\":\"end\",\"runs\":0,\"lines\":3,\"sha256\":\"00\"}\n", 0,
	  2, "the end line counts 3 lines before it, the file has 1" },
	{ H "{\"type\":\"end\",\"runs\":1,\"lines\":1,\"sha256\":\"00\"}\n", 0,
	  2, "the end line counts 1 runs, the file has 0" },
	{ H "{\"type\":\"end\",\"runs\":0,\"lines\":1,\"sha256\":\"00\"}\n", 0,
	  2, "checksum mismatch: lines 1-1 were changed after the export" },
	{ H "{\"type\":\"end\",\"runs\":0,\"lines\":1,\"sha256\":\"00\"}\n" H,
	  0, 2, "checksum mismatch" },
};

TEST(import_rejects_bad_lines_by_number)
{
	struct db *db = unit_fresh_db("bad.db");
	struct import_result ir;
	char *text, *cause = NULL, *before, *after, *want;
	size_t i;
	int r, pass;

	memset(&ir, 0, sizeof ir);
	before = fingerprint(db);
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];

		text = bc->sealed ? seal(bc->body) : xstrdup(bc->body);
		/* the same message from the check and from the import */
		for (pass = 0; pass < 2; pass++) {
			r = import_mem(pass ? db : NULL, text, &ir, &cause);
			if (r != -EINVAL || ir.bad_line != bc->line ||
			    strstr(cause, bc->what) == NULL)
				unit_fail(__FILE__, __LINE__, "case %zu pass %d: "
				    "r %d line %ld: %s", i, pass, r,
				    ir.bad_line, cause ? cause : "(none)");
			want = xasprintf("'x.jsonl' line %ld: ", bc->line);
			CHECK(strncmp(cause, want, strlen(want)) == 0);
			free(want);
			CHECK_INT_EQ(ir.imported, 0);
		}
		free(text);
	}
	/* an end line after a good file: a line after the end line */
	text = seal(H K O R C S);
	want = xasprintf("%s%s", text, S);
	CHECK_INT_EQ(import_mem(NULL, want, &ir, &cause), -EINVAL);
	CHECK_INT_EQ(ir.bad_line, 8);
	CHECK_STR_CONTAINS(cause, "a line after the end line");
	free(want);
	/* a changed digit in a sample: only the checksum can tell */
	want = xstrdup(text);
	strstr(want, "[1,2]")[1] = '7';
	CHECK_INT_EQ(import_mem(db, want, &ir, &cause), -EINVAL);
	CHECK_INT_EQ(ir.bad_line, 7);
	CHECK_STR_CONTAINS(cause, "checksum mismatch: lines 1-6 were changed");
	free(want);
	free(text);
	after = fingerprint(db);
	CHECK_STR_EQ(after, before);
	free(before);
	free(after);
	free(cause);
	db_close(db);
}

TEST(import_good_minimal_file)
{
	struct db *db = unit_fresh_db("good.db");
	struct import_result ir;
	char *text = seal(H K O R C S SAMPLE(U1, "1", "[]")), *cause = NULL;
	char *rows;

	memset(&ir, 0, sizeof ir);
	CHECK_INT_EQ(import_mem(NULL, text, &ir, &cause), 0);
	CHECK_INT_EQ(ir.runs, 1);
	CHECK_INT_EQ(ir.imported, 0);   /* only checked */
	CHECK_INT_EQ(ir.lines, 8);
	CHECK_INT_EQ(import_mem(db, text, &ir, &cause), 0);
	CHECK_INT_EQ(ir.imported, 1);
	rows = query_text(db, "SELECT s.seq, hex(s.data) FROM samples s ORDER "
	    "BY seq");
	CHECK_STR_EQ(rows, "0|0204|\n1||\n");
	free(rows);
	import_result_release(&ir);
	free(text);
	db_close(db);
}

/* What only the database can refuse still stores nothing. */
TEST(import_rolls_back_on_a_database_error)
{
	struct db *db = unit_fresh_db("rollback.db");
	struct import_result ir;
	char *text, *cause = NULL, *before, *after;

	memset(&ir, 0, sizeof ir);
	text = seal(H K O R C S S);
	CHECK_INT_EQ(import_mem(NULL, text, &ir, &cause), 0);
	before = fingerprint(db);
	CHECK_INT_EQ(import_mem(db, text, &ir, &cause), -EINVAL);
	CHECK_INT_EQ(ir.bad_line, 7);
	CHECK_STR_CONTAINS(cause, "'x.jsonl' line 7: cannot import sample: "
	    "UNIQUE constraint failed");
	CHECK_INT_EQ(ir.imported, 0);
	after = fingerprint(db);
	CHECK_STR_EQ(after, before);
	free(after);
	free(text);

	/* a counter that means something else here */
	CHECK_INT_EQ(db_exec(db, "INSERT INTO counters (name, kind, unit) "
	    "VALUES ('b', 'event', 'kB')", &cause), 0);
	free(before);
	before = fingerprint(db);
	text = seal(H K O R C S);
	CHECK_INT_EQ(import_mem(db, text, &ir, &cause), -EINVAL);
	CHECK_INT_EQ(ir.bad_line, 5);
	CHECK_STR_CONTAINS(cause, "counter 'b' is gauge (kB) in the file but "
	    "event (kB) in this database");
	after = fingerprint(db);
	CHECK_STR_EQ(after, before);
	free(after);
	free(before);
	free(text);
	free(cause);
	db_close(db);
}

/* Runs already stored are skipped; the others still come in, and the
 * kernel and host they share are matched, not duplicated. */
TEST(import_skips_present_runs_and_matches_identity)
{
	struct db *db = unit_fresh_db("skip.db");
	struct import_result ir;
	char *one = seal(H K O R C S), *both, *cause = NULL, *rows;

	memset(&ir, 0, sizeof ir);
	both = seal(H K O R C S RUN(U2, "\"lockup\"", "\"label\":\"x\","));
	CHECK_INT_EQ(import_mem(db, one, &ir, &cause), 0);
	CHECK_INT_EQ(ir.kernels_added, 1);
	CHECK_INT_EQ(ir.hosts_added, 1);
	CHECK_INT_EQ(import_mem(db, both, &ir, &cause), 0);
	CHECK_INT_EQ(ir.imported, 1);
	CHECK_INT_EQ(ir.skipped, 1);
	CHECK_STR_EQ(ir.skipped_runs[0], U1);
	CHECK_STR_EQ(ir.imported_runs[0], U2);
	CHECK_INT_EQ(ir.kernels_added + ir.hosts_added, 0);
	rows = query_text(db, "SELECT (SELECT count(*) FROM kernels), "
	    "(SELECT count(*) FROM hosts), (SELECT count(DISTINCT kernel_id) "
	    "FROM runs), (SELECT count(*) FROM runs)");
	CHECK_STR_EQ(rows, "1|1|1|2|\n");
	free(rows);
	import_result_release(&ir);
	free(one);
	free(both);
	db_close(db);
}
