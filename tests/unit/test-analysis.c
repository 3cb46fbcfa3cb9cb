/*
 * test-analysis.c - comparing builds: the fast paths against the plain
 * SQL they replaced, kernel names, and the title a verdict names.
 *
 * The databases here are built through store/db.c; their numbers come
 * from a seeded generator and only exercise the bookkeeping (grouping,
 * distinct runs, ordering), never a statistical claim.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "store/catalog.h"
#include "common/buf.h"
#include "common/stats.h"
#include "store/db.h"
#include "probe/identity.h"
#include "unit.h"

static const char *workloads[] = { "hotplug", "mmap-churn", "thp-munmap" };
static const char *kinds[] = { "bad_page", "rcu_stall", "soft_lockup",
	"taint", "warning" };

static int64_t
add_host(struct db *db, const char *name)
{
	struct host_identity h;
	int64_t id;

	memset(&h, 0, sizeof h);
	h.hostname = (char *)name;
	h.machine_id = (char *)name;
	h.cpus_possible = 2;
	h.numa_nodes = 1;
	h.mem_total_kb = 1 << 20;
	CHECK_INT_EQ(db_host_id(db, &h, &id, NULL), 0);
	return id;
}

static int64_t
add_kernel(struct db *db, const char *release, const char *build_id,
    const char *cmdline, const char *key)
{
	struct kernel_identity k;
	int64_t id;

	memset(&k, 0, sizeof k);
	k.release = (char *)release;
	k.version = (char *)release;
	k.build_id = (char *)build_id;
	k.cmdline = (char *)cmdline;
	k.build_key = (char *)key;
	CHECK_INT_EQ(db_kernel_id(db, &k, &id, NULL), 0);
	return id;
}

/* The params JSON of the runs add_run() makes next. */
static const char *run_params = "{}";

static int64_t
add_run(struct db *db, int64_t kernel, int64_t host, const char *workload,
    const char *state, const char *label, int64_t t)
{
	struct run_new rn;
	char uuid[37];
	int64_t id;

	memset(&rn, 0, sizeof rn);
	uuid_v4(uuid);
	rn.uuid = uuid;
	rn.workload = workload;
	rn.params_json = run_params;
	rn.state = "running";
	rn.kernel_id = kernel;
	rn.host_id = host;
	rn.label = label;
	rn.boot_id = "b";
	rn.created_ns = rn.started_ns = t;
	CHECK_INT_EQ(db_run_insert(db, &rn, &id, NULL), 0);
	CHECK_INT_EQ(db_run_finish(db, id, state, NULL, "exit 0", t + 1, NULL),
	    0);
	return id;
}

static void
add_event(struct db *db, int64_t run, int64_t kernel, int64_t host,
    const char *kind, const char *title, const char *signature, int64_t t)
{
	struct event_new ev;

	memset(&ev, 0, sizeof ev);
	ev.run_id = run;
	ev.kernel_id = kernel;
	ev.host_id = host;
	ev.boot_id = "b";
	ev.kind = kind;
	ev.title = title;
	ev.signature = signature;
	ev.source = "kmsg";
	ev.text = "";
	ev.t_ns = t;
	CHECK_INT_EQ(db_event_add(db, &ev, NULL, NULL), 0);
}

/*
 * Builds, runs in every state, metrics (some missing, units that differ
 * between builds), events with and without runs, several kinds of one
 * signature, a signature titled differently over time, two hosts.
 */
static void
fill(struct db *db, int64_t *kernels, size_t nk)
{
	int64_t hosts[2], runs[240], rk[240], rh[240], t = 1000;
	/* mostly passed: regressions then reads the metrics table through,
	 * and with one workload joins the runs (both paths are checked) */
	static const char *states[] = { "passed", "passed", "passed",
		"passed", "passed", "passed", "passed", "passed", "failed",
		"lockup", "skipped" };
	char name[64], title[96], sig[64];
	size_t i, j, nr = sizeof runs / sizeof runs[0];

	srandom(11);
	CHECK_INT_EQ(db_begin(db, NULL), 0);
	hosts[0] = add_host(db, "lab-a");
	hosts[1] = add_host(db, "lab-b");
	for (i = 0; i < nk; i++) {
		char rel[32], key[72];

		snprintf(rel, sizeof rel, "6.1.0-%zu-t", i % 4);
		snprintf(key, sizeof key, "%064zx", i + 1);
		kernels[i] = add_kernel(db, rel, NULL, i >= 4 ? "x=1" : "",
		    key);
	}
	for (i = 0; i < nr; i++) {
		rk[i] = kernels[random() % nk];
		rh[i] = hosts[random() % 2];
		runs[i] = add_run(db, rk[i], rh[i], workloads[random() % 3],
		    states[random() % 11], NULL, t += 10);
		for (j = 0; j < 6; j++) {
			if (random() % 9 == 0)
				continue;
			snprintf(name, sizeof name, "metric_%zu", j);
			CHECK_INT_EQ(db_metric_set(db, runs[i], name,
			    100 + (double)(random() % 1000) / 7.0 +
			    (double)(rk[i] % 3) * 20, j == 5 && rk[i] % 2 ?
			    "us" : "ms", j % 2 ? "higher" : "lower", NULL), 0);
		}
	}
	for (i = 0; i < 600; i++) {
		long s = random() % 12, r = random() % (long)nr;

		snprintf(sig, sizeof sig, "sig %ld", s);
		snprintf(title, sizeof title, "BUG: title %ld v%ld", s,
		    random() % 2);
		if (random() % 10 == 0)   /* the daemon's, outside runs */
			add_event(db, 0, rk[r], hosts[random() % 2],
			    kinds[s % 5], title, sig, t += 7);
		else
			add_event(db, runs[r], rk[r], rh[r],
			    kinds[(s + random() % 2) % 5], title, sig, t += 7);
	}
	CHECK_INT_EQ(db_commit(db, NULL), 0);
}

static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static int
same_side(const struct cmp_side *a, const struct cmp_side *b)
{
	return a->n == b->n && same_double(a->mean, b->mean) &&
	    same_double(a->sd, b->sd) && same_double(a->cv_pct, b->cv_pct) &&
	    same_double(a->ci_lo, b->ci_lo) &&
	    same_double(a->ci_hi, b->ci_hi) && same_double(a->min, b->min) &&
	    same_double(a->max, b->max);
}

/* A pair's lockup row is named by its group's least kind and title, on
 * every engine (SQLite alone would take them from any row). */
static void
check_lockup_names(struct db *db, const struct comparison *c,
    const struct lockup_cmp *l)
{
	struct stmt *st = db_prepare(db, "SELECT min(e.kind), min(e.title) "
	    "FROM events e JOIN runs r ON r.id = e.run_id WHERE e.kernel_id "
	    "IN ($1, $2) AND e.signature = $3 AND r.workload = $4 AND "
	    "e.kind <> 'taint'", NULL);

	CHECK(st != NULL);
	stmt_bind_int64(st, 1, c->base);
	stmt_bind_int64(st, 2, c->new);
	stmt_bind_text(st, 3, l->signature);
	stmt_bind_text(st, 4, l->workload);
	CHECK_INT_EQ(stmt_step(st), STORE_ROW);
	CHECK_STR_EQ(l->kind, stmt_text(st, 0));
	CHECK_STR_EQ(l->title, stmt_text(st, 1));
	stmt_finalize(st);
}

/* Every build against a baseline in one pass gives what comparing each
 * pair does: metric for metric, bit for bit, and the same lockup rates. */
static void
check_against_pairs(struct db *db, int64_t base, const char *workload,
    size_t last)
{
	struct compare_opts o = { workload, NULL, 5.0, NULL, NULL, 0, last, 0 };
	struct comparison *cs = NULL, c;
	size_t n = 0, i, j, k, left_out = 9;
	char *cause = NULL;

	CHECK_INT_EQ(compare_against(db, base, &o, &cs, &n, &left_out,
	    &cause), 0);
	CHECK(last ? n == last : n >= 5);
	CHECK_INT_EQ(left_out, last ? 5 - last : 0);
	for (i = 0; i < n; i++) {
		CHECK(cs[i].new != base);
		CHECK_INT_EQ(compare_kernels(db, base, cs[i].new, &o, &c,
		    &cause), 0);
		CHECK_INT_EQ(cs[i].nmetrics, c.nmetrics);
		for (j = 0; j < c.nmetrics; j++) {
			const struct metric_cmp *x = &cs[i].metrics[j];
			const struct metric_cmp *y = &c.metrics[j];

			CHECK_STR_EQ(x->workload, y->workload);
			CHECK_STR_EQ(x->metric, y->metric);
			CHECK_STR_EQ(x->unit, y->unit);
			CHECK_INT_EQ(x->higher_better, y->higher_better);
			CHECK(same_side(&x->base, &y->base));
			CHECK(same_side(&x->new, &y->new));
			CHECK(same_double(x->change_pct, y->change_pct));
			CHECK(same_double(x->p_value, y->p_value));
			CHECK_INT_EQ(x->mark, y->mark);
		}
		/* the pair's lockups come from SQL's own grouping */
		CHECK_INT_EQ(cs[i].nlockups, c.nlockups);
		for (j = 0; j < c.nlockups; j++) {
			const struct lockup_cmp *y = &c.lockups[j], *x = NULL;

			for (k = 0; k < cs[i].nlockups; k++) {
				const struct lockup_cmp *l = &cs[i].lockups[k];

				if (strcmp(l->signature, y->signature) == 0 &&
				    strcmp(l->workload, y->workload) == 0)
					x = l;
			}
			CHECK(x != NULL);
			check_lockup_names(db, &c, y);
			CHECK_INT_EQ(x->hit_base, y->hit_base);
			CHECK_INT_EQ(x->hit_new, y->hit_new);
			CHECK_INT_EQ(x->runs_base, y->runs_base);
			CHECK_INT_EQ(x->runs_new, y->runs_new);
			CHECK_INT_EQ(x->is_new, y->is_new);
		}
		comparison_release(&c);
	}
	for (i = 0; i < n; i++)
		comparison_release(&cs[i]);
	free(cs);
}

TEST(analysis_regressions_agree_with_pairwise_compare)
{
	struct db *db = unit_fresh_db("against.db");
	int64_t k[6];

	fill(db, k, 6);
	check_against_pairs(db, k[0], NULL, 0);       /* reads the table */
	check_against_pairs(db, k[2], "mmap-churn", 0);  /* joins the runs */
	/* a window: the builds first seen last, their lockups the same */
	check_against_pairs(db, k[0], NULL, 2);
	check_against_pairs(db, k[5], "mmap-churn", 3);
	db_close(db);
}

static int64_t
passed_of(struct db *db, int64_t kernel)
{
	struct stmt *st = db_prepare(db, "SELECT count(*) FROM runs WHERE "
	    "kernel_id = $1 AND state = 'passed'", NULL);
	int64_t n;

	stmt_bind_int64(st, 1, kernel);
	n = stmt_step(st) == STORE_ROW ? stmt_int64(st, 0) : -1;
	stmt_finalize(st);
	return n;
}

/* --last N: the N builds first seen most recently, base never counted. */
TEST(analysis_regressions_window_is_the_newest_builds)
{
	struct db *db = unit_fresh_db("window.db");
	struct compare_opts o = { NULL, NULL, 5.0, NULL, NULL, 0, 2, 0 };
	struct comparison *cs = NULL;
	size_t n = 0, left_out = 0, i;
	char *cause = NULL;
	int64_t k[6];

	fill(db, k, 6);
	CHECK_INT_EQ(compare_against(db, k[5], &o, &cs, &n, &left_out,
	    &cause), 0);
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(left_out, 3);
	for (i = 0; i < n; i++) {
		CHECK(cs[i].new == k[3] || cs[i].new == k[4]);
		comparison_release(&cs[i]);
	}
	free(cs);
	/* a window as large as the builds is every build: none left out */
	o.last = 5;
	CHECK_INT_EQ(compare_against(db, k[0], &o, &cs, &n, &left_out,
	    &cause), 0);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(left_out, 0);
	for (i = 0; i < n; i++)
		comparison_release(&cs[i]);
	free(cs);
	/* a budget of runs: the newest build always, the next one only
	 * when both builds' passed runs fit */
	o.last = 0;
	for (i = 0; i < 3; i++) {
		int64_t two = passed_of(db, k[4]) + passed_of(db, k[3]);

		o.max_runs = i == 0 ? 1 : (size_t)(two - (i == 1));
		CHECK_INT_EQ(compare_against(db, k[5], &o, &cs, &n, &left_out,
		    &cause), 0);
		CHECK_INT_EQ(n, i == 2 ? 2 : 1);
		CHECK_INT_EQ(left_out, 5 - n);
		CHECK(cs[n - 1].new == k[4]);
		while (n > 0)
			comparison_release(&cs[--n]);
		free(cs);
	}
	db_close(db);
}

/* What `mmstorm lockups` printed before it grouped in C: one SQL pass. */
static const char *lockups_sql =
    "WITH g AS (SELECT e.kernel_id, e.signature, min(e.kind) AS kind, "
    "count(*) AS n, count(DISTINCT e.run_id) AS runs_hit, min(e.t_ns) AS "
    "first, max(e.t_ns) AS last, max(e.rowid) AS example, "
    "group_concat(DISTINCT e.workload) AS workloads, "
    "group_concat(DISTINCT e.host_id) AS host_ids FROM events e WHERE ($1 = "
    "0 OR e.kernel_id = $1) AND ($2 IS NULL OR e.kind = $2) AND ($3 = 0 OR "
    "e.t_ns >= $3) AND ($4 IS NULL OR e.workload = $4) AND e.kind <> "
    "'taint' GROUP BY e.kernel_id, e.signature), "
    "rc AS (SELECT kernel_id, count(*) AS runs FROM runs WHERE ($4 IS NULL "
    "OR workload = $4) AND state NOT IN ('queued', 'running', 'skipped') "
    "GROUP BY kernel_id) "
    "SELECT g.kernel_id, g.kind, x.title, g.n, g.runs_hit, coalesce(rc.runs, "
    "0), g.first, g.last, g.workloads, (SELECT group_concat(hostname) FROM "
    "(SELECT hostname FROM hosts WHERE instr(',' || g.host_ids || ',', ',' "
    "|| id || ',') > 0 ORDER BY machine_id, hostname)), xr.uuid, g.example, "
    "g.signature, ($5 <> 0 AND NOT EXISTS (SELECT 1 FROM events b WHERE "
    "b.kernel_id = $5 AND b.signature = g.signature)) FROM g JOIN kernels k "
    "ON k.id = g.kernel_id LEFT JOIN rc ON rc.kernel_id = g.kernel_id LEFT "
    "JOIN events x ON x.id = g.example LEFT JOIN runs xr ON xr.id = "
    "x.run_id ORDER BY k.first_seen_ns, g.n DESC, x.title";

/* A comma list with its items sorted: SQL's DISTINCT lists keep the order
 * rows came in. */
static char *
sorted_list(const char *s)
{
	char *copy, *p, *items[64];
	struct buf b = BUF_INIT;
	size_t n = 0, i, j;

	if (s == NULL)
		return xstrdup("(null)");
	copy = xstrdup(s);
	for (p = strtok(copy, ","); p != NULL && n < 64; p = strtok(NULL, ","))
		items[n++] = p;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(items[j - 1], items[j]) > 0; j--) {
			p = items[j];
			items[j] = items[j - 1];
			items[j - 1] = p;
		}
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", items[i]);
	free(copy);
	return b.s ? buf_detach(&b) : xstrdup("");
}

static void
check_lockups(struct db *db, const struct lockups_query *q)
{
	struct lockup_row *rows = NULL;
	struct stmt *st = db_prepare(db, lockups_sql, NULL);
	size_t n = 0, i = 0;
	char *cause = NULL, *a, *b;

	CHECK(st != NULL);
	CHECK_INT_EQ(lockups_list(db, q, &rows, &n, &cause), 0);
	stmt_bind_int64(st, 1, q->kernel);
	if (q->kind)
		stmt_bind_text(st, 2, q->kind);
	stmt_bind_int64(st, 3, q->since_ns);
	if (q->workload)
		stmt_bind_text(st, 4, q->workload);
	stmt_bind_int64(st, 5, q->baseline);
	for (i = 0; stmt_step(st) == STORE_ROW; i++) {
		const struct lockup_row *l = &rows[i];
		const char *ex = (const char *)stmt_text(st, 10);

		CHECK(i < n);
		CHECK_INT_EQ(l->kernel, stmt_int64(st, 0));
		CHECK_STR_EQ(l->kind, (const char *)stmt_text(st, 1));
		CHECK_STR_EQ(l->title, (const char *)stmt_text(st,
		    2));
		CHECK_INT_EQ(l->count, stmt_int64(st, 3));
		CHECK_INT_EQ(l->runs_hit, stmt_int64(st, 4));
		CHECK_INT_EQ(l->runs, stmt_int64(st, 5));
		CHECK_INT_EQ(l->first_ns, stmt_int64(st, 6));
		CHECK_INT_EQ(l->last_ns, stmt_int64(st, 7));
		a = sorted_list(l->workloads);
		b = sorted_list((const char *)stmt_text(st, 8));
		CHECK_STR_EQ(a, b);
		/* ours are in name order */
		CHECK_STR_EQ(a, l->workloads ? l->workloads : "(null)");
		free(a);
		free(b);
		CHECK_STR_EQ(l->hosts, (const char *)stmt_text(st,
		    9));
		CHECK_STR_EQ(l->example_run ? l->example_run : "-",
		    ex ? ex : "-");
		CHECK_INT_EQ(l->example_event, stmt_int64(st, 11));
		CHECK_STR_EQ(l->signature, (const char *)stmt_text(st,
		    12));
		CHECK_INT_EQ(l->is_new, stmt_int(st, 13));
	}
	CHECK_INT_EQ(i, n);
	CHECK(n > 0);
	stmt_finalize(st);
	lockup_rows_free(rows, n);
}

TEST(analysis_lockups_match_the_sql_grouping)
{
	struct db *db = unit_fresh_db("lockups.db");
	struct lockups_query q;
	int64_t k[6];

	fill(db, k, 6);
	memset(&q, 0, sizeof q);
	check_lockups(db, &q);
	q.baseline = k[1];
	check_lockups(db, &q);
	q.kernel = k[3];
	check_lockups(db, &q);
	memset(&q, 0, sizeof q);
	q.kind = "rcu_stall";
	check_lockups(db, &q);
	q.kind = NULL;
	q.workload = "thp-munmap";
	q.since_ns = 3000;
	check_lockups(db, &q);
	/* every filter at once: the scan numbers only those it uses */
	q.kernel = k[3];
	q.kind = "soft_lockup";
	q.since_ns = 2000;
	q.workload = "hotplug";
	check_lockups(db, &q);
	db_close(db);
}

TEST(analysis_kernel_names_tell_command_lines_apart)
{
	struct db *db = unit_fresh_db("names.db");
	int64_t a, b, c, h, id;
	char *da, *db_, *dc, *cause = NULL;

	/* the same image booted twice, once with init_on_free=1 */
	a = add_kernel(db, "6.1.0-56-cloud-amd64", "3b43fad50348744904924",
	    "console=ttyS0", "817e74749ed4727a3c05");
	b = add_kernel(db, "6.1.0-56-cloud-amd64", "3b43fad50348744904924",
	    "console=ttyS0 init_on_free=1", "bc0337112a6b5e7d75f2");
	c = add_kernel(db, "6.1.0-54-cloud-amd64", "bc6a64c9b9d1000000000",
	    "console=ttyS0", "aaaa00000000");
	h = add_host(db, "lab");
	add_run(db, a, h, "hotplug", "passed", "lab", 10);
	add_run(db, b, h, "hotplug", "passed", "lab", 20);
	da = kernel_describe(db, a);
	db_ = kernel_describe(db, b);
	dc = kernel_describe(db, c);
	/* one label on both: the build key tells them apart */
	CHECK_STR_EQ(da, "6.1.0-56-cloud-amd64 (3b43fad50348, key "
	    "817e74749ed4) [lab]");
	CHECK_STR_EQ(db_, "6.1.0-56-cloud-amd64 (3b43fad50348, key "
	    "bc0337112a6b) [lab]");
	/* a build nothing shares its name with stays short */
	CHECK_STR_EQ(dc, "6.1.0-54-cloud-amd64 (bc6a64c9b9d1)");
	/* the key in the name names the build */
	CHECK_INT_EQ(kernel_resolve(db, "bc0337112a6b", &id, &cause), 0);
	CHECK_INT_EQ(id, b);
	CHECK_INT_EQ(kernel_resolve(db, "lab", &id, &cause), -EEXIST);
	CHECK_STR_CONTAINS(cause, da);
	CHECK_STR_CONTAINS(cause, db_);
	free(cause);
	free(da);
	free(db_);
	free(dc);
	db_close(db);
}

TEST(analysis_verdict_names_the_first_bad_title_seen)
{
	struct db *db = unit_fresh_db("first.db");
	struct run_counts rc;
	int64_t k, h, r1, r2;
	char *cause = NULL;

	k = add_kernel(db, "6.1.0-56-cloud-amd64", NULL, "", "k1");
	h = add_host(db, "lab");
	r1 = add_run(db, k, h, "mmap-churn", "passed", NULL, 10);
	r2 = add_run(db, k, h, "mmap-churn", "passed", NULL, 20);
	/* recorded out of time order (a pstore harvest after the reboot
	 * comes late); the titles' order is neither the time's nor the
	 * ids' */
	add_event(db, r2, k, h, "rcu_stall", "INFO: rcu detected stall in "
	    "mmstorm_inject_softlockup_fn", NULL, 300);
	add_event(db, r1, k, h, "soft_lockup", "BUG: soft lockup in "
	    "mmstorm_inject_softlockup_fn", NULL, 100);
	add_event(db, r2, k, h, "bad_page", "BUG: Bad page state in process "
	    "mmap-churn", NULL, 200);
	add_event(db, r1, k, h, "warning", "WARNING: at mm/page_alloc.c", NULL,
	    50);
	CHECK_INT_EQ(run_counts(db, k, "mmap-churn", NULL, &rc, &cause), 0);
	CHECK_INT_EQ(rc.bad_events, 2);
	CHECK_STR_EQ(rc.bad_title, "BUG: soft lockup in "
	    "mmstorm_inject_softlockup_fn");
	run_counts_release(&rc);
	db_close(db);
}

/* n passed runs of thp-munmap with params p, fault_ms = v, v + 1, ... */
static void
add_keyed_runs(struct db *db, int64_t k, int64_t h, const char *p, double v,
    int n)
{
	int64_t r;
	int i;

	run_params = p;
	for (i = 0; i < n; i++) {
		r = add_run(db, k, h, "thp-munmap", "passed", NULL, 10 + i);
		CHECK_INT_EQ(db_metric_set(db, r, "fault_ms", v + i, "ms",
		    "lower", NULL), 0);
	}
	run_params = "{}";
}

/* The rows of c as "host params n/n" lines, for one CHECK_STR_EQ. */
static char *
keys_of(const struct comparison *c)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < c->nmetrics; i++)
		buf_printf(&b, "%s %.4s %zu/%zu;", c->metrics[i].host,
		    c->metrics[i].params, c->metrics[i].base.n,
		    c->metrics[i].new.n);
	return b.s != NULL ? b.s : xstrdup("");
}

/*
 * Two hosts and two parameter sets written through the store: build A
 * ran P1 and P2 on lab-a, build B P1 on lab-a and P2 on lab-b.  Only
 * (lab-a, P1) is on both; P2 alone shares no key unless hosts are
 * pooled on request; a class set on both hosts pools them.
 */
TEST(analysis_keys_never_pool_hosts_or_params)
{
	struct db *db = unit_fresh_db("keys.db");
	const char *p1 = "{\"size\":1,\"iterations\":3}";
	const char *p1b = "{ \"iterations\": 3, \"size\": 1 }";
	const char *p2 = "{\"size\":2,\"iterations\":3}";
	char k1[CATALOG_PARAMS_KEY_LEN + 1], k1b[sizeof k1], k2[sizeof k1];
	struct compare_opts o = { NULL, NULL, 5.0, NULL, NULL, 0, 0, 0 };
	struct comparison c;
	struct run_counts rc;
	int64_t a, b, ha, hb, changed;
	char *cause = NULL, *got;

	catalog_params_key("w", p1, k1);
	catalog_params_key("w", p1b, k1b);
	catalog_params_key("w", p2, k2);
	CHECK_STR_EQ(k1, k1b);           /* key order and spaces do not count */
	CHECK(strcmp(k1, k2) != 0);
	a = add_kernel(db, "6.1.0-1-t", NULL, "", "ka");
	b = add_kernel(db, "6.1.0-2-t", NULL, "", "kb");
	ha = add_host(db, "lab-a");
	hb = add_host(db, "lab-b");
	add_keyed_runs(db, a, ha, p1, 100, 3);
	add_keyed_runs(db, a, ha, p2, 200, 4);
	add_keyed_runs(db, b, ha, p1b, 110, 5);
	add_keyed_runs(db, b, hb, p2, 220, 6);

	CHECK_INT_EQ(compare_kernels(db, a, b, &o, &c, &cause), 0);
	got = keys_of(&c);
	CHECK(strncmp(got, "lab-a/lab-a ", 12) == 0);
	CHECK(strstr(got, " 3/5;") != NULL && c.nmetrics == 1);
	free(got);
	comparison_release(&c);

	o.params = k2;
	CHECK_INT_EQ(compare_kernels(db, a, b, &o, &c, &cause), -EDOM);
	CHECK(strstr(cause, "share no host class") != NULL);
	o.mix = COMPARE_MIX_HOST;
	CHECK_INT_EQ(compare_kernels(db, a, b, &o, &c, &cause), 0);
	got = keys_of(&c);
	CHECK(strncmp(got, "any ", 4) == 0 && strstr(got, " 4/6;") != NULL);
	free(got);
	comparison_release(&c);

	o.params = NULL;
	o.mix = 0;
	o.host = "lab-b";
	CHECK_INT_EQ(run_counts(db, b, "thp-munmap", &o, &rc, &cause), 0);
	CHECK_INT_EQ(rc.passed, 6);
	run_counts_release(&rc);

	/* one class for both machines: P2 compares without --mix */
	CHECK_INT_EQ(catalog_host_set_class(db, "lab-a", "lab", &changed,
	    &cause), 0);
	CHECK_INT_EQ(catalog_host_set_class(db, "lab-b", "lab", &changed,
	    &cause), 0);
	o.host = NULL;
	o.params = k2;
	CHECK_INT_EQ(compare_kernels(db, a, b, &o, &c, &cause), 0);
	got = keys_of(&c);
	CHECK(strncmp(got, "lab ", 4) == 0 && strstr(got, " 4/6;") != NULL);
	free(got);
	comparison_release(&c);
	free(cause);
	db_close(db);
}

/* A metric_cmp with both sides described as values.c describes them. */
static void
decide(struct metric_cmp *m, double *a, size_t na, double *b, size_t nb,
    int higher_better, double threshold)
{
	double *sides[2] = { a, b };
	size_t ns[2] = { na, nb }, i;
	struct cmp_side *s;

	memset(m, 0, sizeof *m);
	m->higher_better = higher_better;
	for (i = 0; i < 2; i++) {
		s = i == 0 ? &m->base : &m->new;
		s->n = ns[i];
		s->mean = stats_mean(sides[i], ns[i]);
		s->sd = stats_stddev(sides[i], ns[i]);
		s->cv_pct = stats_cv_pct(sides[i], ns[i]);
		s->ci_lo = s->mean - STATS_Z975 * s->sd;
		s->ci_hi = s->mean + STATS_Z975 * s->sd;
		stats_sort(sides[i], ns[i]);
	}
	metric_cmp_decide(m, a, na, b, nb, threshold);
}

/*
 * The case (tests/fixtures/runs/two-builds.jsonl, c56 against
 * c56-init_on_free): offline_ms_p50 five times slower, CV 13 % and 47 %,
 * overlapping mean +- 1.96 sd intervals; it was "same".  Reference
 * (bench/stats-rule.check.py): U 23 of 25, exact p 4/252 = 0.015873,
 * log HL 491.0906 % [13.1063, 565.7192].
 */
TEST(analysis_decide_five_fold_slowdown_through_noise)
{
	double a[] = { 45.17126, 43.9174, 58.82356, 45.57421, 53.93314 };
	double b[] = { 267.00307, 49.67334, 363.21704, 292.36655, 286.9398 };
	struct metric_cmp m;
	char t[64];

	decide(&m, a, 5, b, 5, 0, 5);
	CHECK(!m.ci_disjoint);
	CHECK_DBL_NEAR(m.p_value, 4.0 / 252, 1e-12);
	CHECK_DBL_NEAR(m.estimate_pct, 491.090596, 1e-5);
	CHECK_DBL_NEAR(m.estimate_lo_pct, 13.106286, 1e-5);
	CHECK_DBL_NEAR(m.estimate_hi_pct, 565.719168, 1e-5);
	CHECK(m.significant);
	CHECK_INT_EQ(m.mark, CMP_REGRESSION);
	CHECK_INT_EQ(m.doubt, CMP_DECIDED);
	CHECK_STR_EQ(metric_cmp_decision(&m), "regression");
	CHECK_STR_EQ(metric_cmp_doubt_text(&m, t, sizeof t), "");
	/* higher is better: the same runs are an improvement */
	decide(&m, a, 5, b, 5, 1, 5);
	CHECK_INT_EQ(m.mark, CMP_IMPROVEMENT);
	/* a threshold beyond the estimate: significant, within it */
	decide(&m, a, 5, b, 5, 0, 500);
	CHECK(m.significant);
	CHECK_INT_EQ(m.mark, CMP_SAME);
	CHECK_INT_EQ(m.doubt, CMP_DECIDED);
}

/*
 * res_irqs of the same runs: +19.6 % [-2.3, +30.2], p 19/252 = 0.0754;
 * pooled sd of the logs over the log estimate gives 5.06 runs a side
 * (2 (z.95 + z.8)^2 (sd/delta)^2 pi/3), so 6.
 */
TEST(analysis_decide_too_noisy_and_too_few)
{
	double a[] = { 43, 44, 45, 46, 49 }, b[] = { 42, 51, 55, 56, 63 };
	double c[] = { 43, 44 }, d[] = { 60, 61 };
	double e[] = { 0, 1, 2, 1, 2 }, f[] = { 0, 1, 1, 2, 1 };
	struct metric_cmp m;
	char t[64];

	decide(&m, a, 5, b, 5, 0, 5);
	CHECK_DBL_NEAR(m.p_value, 19.0 / 252, 1e-12);
	CHECK_DBL_NEAR(m.estimate_pct, 19.565217, 1e-5);
	CHECK(!m.significant);
	CHECK_INT_EQ(m.mark, CMP_SAME);
	CHECK_INT_EQ(m.doubt, CMP_TOO_NOISY);
	CHECK_DBL_NEAR(m.need_runs, 6, 0);
	CHECK_STR_EQ(metric_cmp_decision(&m), "too_noisy");
	CHECK_STR_EQ(metric_cmp_doubt_text(&m, t, sizeof t),
	    "too noisy: CV 14 %, need n ≈ 6");
	/* within the threshold it is "same": nothing moved that matters */
	decide(&m, a, 5, b, 5, 0, 25);
	CHECK_INT_EQ(m.doubt, CMP_DECIDED);
	CHECK_STR_EQ(metric_cmp_decision(&m), "same");
	/* two runs a side decide nothing, however far apart */
	decide(&m, c, 2, d, 2, 0, 5);
	CHECK_INT_EQ(m.mark, CMP_SAME);
	CHECK_INT_EQ(m.doubt, CMP_TOO_FEW);
	CHECK_STR_EQ(metric_cmp_doubt_text(&m, t, sizeof t),
	    "too few runs: n 2/2, need 3");
	/* counts with zeros: a plain shift over the base mean, no logs */
	decide(&m, e, 5, f, 5, 0, 5);
	CHECK(isfinite(m.estimate_pct));
	CHECK_DBL_NEAR(m.estimate_pct, 0, 1e-12);
	CHECK_INT_EQ(m.mark, CMP_SAME);
}

/* The defaults a test installs: "w" has size=1 and mode="a" by default. */
static const char *
test_defaults(const char *workload)
{
	return strcmp(workload, "w") == 0 ?
	    "{\"size\":1,\"mode\":\"a\",\"on\":true}" : NULL;
}

/*
 * An option added later, at the default that keeps the old behaviour,
 * must not split one configuration into two keys; a value other than
 * the default, or another workload's defaults, still does.
 */
TEST(analysis_params_key_leaves_out_defaults)
{
	char old[CATALOG_PARAMS_KEY_LEN + 1], now[sizeof old];
	char other[sizeof old], raw[sizeof old];

	catalog_params_key("w", "{\"size\":1,\"iterations\":3}", raw);
	catalog_set_defaults(test_defaults);
	catalog_params_key("w", "{\"size\":1,\"iterations\":3}", old);
	catalog_params_key("w", "{\"iterations\":3,\"size\":1,\"mode\":\"a\","
	    "\"on\":true,\"seed\":77}", now);
	CHECK_STR_EQ(old, now);
	CHECK(strcmp(old, raw) != 0);      /* size=1 left out */
	catalog_params_key("w", "{\"size\":1,\"iterations\":3,\"mode\":\"b\"}",
	    other);
	CHECK(strcmp(old, other) != 0);
	catalog_params_key("w", "{\"size\":1,\"iterations\":3,\"on\":1}",
	    other);
	CHECK(strcmp(old, other) != 0);    /* 1 is not true */
	catalog_params_key("v", "{\"size\":1,\"iterations\":3}", other);
	CHECK_STR_EQ(other, raw);          /* v has no defaults here */
	catalog_params_key(NULL, "{\"size\":1,\"iterations\":3}", other);
	CHECK_STR_EQ(other, raw);
	catalog_set_defaults(NULL);
}
