/*
 * gen-analysis-db.c - a large synthetic database for timing the analysis
 * commands (bench/analysis.sh).  BENCH DATA ONLY: the numbers are drawn
 * from a random generator and mean nothing about any kernel.
 *
 *   bench-gen-analysis-db DB [kernels=50] [runs=10000] [metrics=20]
 *                         [events=100000]
 *
 * Runs are spread evenly over kernels and the four workloads; every run
 * gets `metrics` metrics (value ~ N(100, 5), shifted by +-10 % on a few
 * kernels so comparisons find something); events draw from 40 titles.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "probe/identity.h"
#include "common/util.h"

static const char *workloads[] = { "thp-munmap", "hotplug", "percpu-churn",
	"mmap-churn" };
static const char *kinds[] = { "soft_lockup", "rcu_stall", "hung_task",
	"warning", "oops", "bad_page", "oom_kill", "bug" };

static double
normal(void)
{
	double u = (random() + 1.0) / (RAND_MAX + 2.0);
	double v = (random() + 1.0) / (RAND_MAX + 2.0);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static int64_t
arg(int argc, char **argv, int i, int64_t dflt)
{
	return argc > i ? strtoll(argv[i], NULL, 10) : dflt;
}

int
main(int argc, char **argv)
{
	int64_t nk = arg(argc, argv, 2, 50), nr = arg(argc, argv, 3, 10000);
	int64_t nm = arg(argc, argv, 4, 20), ne = arg(argc, argv, 5, 100000);
	struct db *db;
	struct host_identity h;
	struct kernel_identity k;
	int64_t *kid, hid, rid, i, j, *runs;
	char *cause = NULL, uuid[37], name[64], key[80], title[128];

	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [kernels] [runs] [metrics] "
		    "[events]\n", argv[0]);
		return 2;
	}
	srandom(42);
	if (db_open(argv[1], DB_CREATE, &db, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	db_begin(db, NULL);
	memset(&h, 0, sizeof h);
	h.hostname = "bench-host";
	h.machine_id = "bench";
	h.cpus_possible = 2;
	h.numa_nodes = 1;
	h.mem_total_kb = 24 << 20;
	db_host_id(db, &h, &hid, NULL);
	kid = xcalloc((size_t)nk, sizeof *kid);
	for (i = 0; i < nk; i++) {
		memset(&k, 0, sizeof k);
		snprintf(name, sizeof name, "6.1.0-%" PRId64 "-bench", i + 1);
		snprintf(key, sizeof key, "bench%059" PRId64, i);
		k.release = name;
		k.version = name;
		k.cmdline = "";
		k.build_key = key;
		k.build_id = key;
		db_kernel_id(db, &k, &kid[i], NULL);
	}
	runs = xcalloc((size_t)nr, sizeof *runs);
	for (i = 0; i < nr; i++) {
		struct run_new rn;
		int64_t kk = i % nk;
		/* every 7th kernel is 10 % worse, every 11th 10 % better */
		double shift = kk % 7 == 3 ? 1.10 : kk % 11 == 5 ? 0.90 : 1.0;

		memset(&rn, 0, sizeof rn);
		uuid_v4(uuid);
		rn.uuid = uuid;
		rn.workload = workloads[(i / nk) % 4];
		rn.params_json = "{}";
		rn.state = "passed";
		rn.kernel_id = kid[kk];
		rn.host_id = hid;
		rn.boot_id = "bench";
		rn.created_ns = rn.started_ns = INT64_C(1700000000) * 1000000000 +
		    i * INT64_C(60000000000);
		db_run_insert(db, &rn, &rid, NULL);
		db_run_finish(db, rid, "passed", NULL, "exit 0",
		    rn.started_ns + INT64_C(30000000000), NULL);
		runs[i] = rid;
		for (j = 0; j < nm; j++) {
			snprintf(name, sizeof name, "metric_%02" PRId64, j);
			db_metric_set(db, rid, name, (100 + 5 * normal()) *
			    shift, "ms", j % 2 ? "higher" : "lower", NULL);
		}
	}
	for (i = 0; i < ne; i++) {
		struct event_new ev;
		int64_t r = random() % nr, t = random() % 40;

		snprintf(title, sizeof title, "BUG: bench title %" PRId64 " in "
		    "bench_fn_%" PRId64, t, t);
		memset(&ev, 0, sizeof ev);
		ev.run_id = runs[r];
		ev.kernel_id = kid[r % nk];
		ev.host_id = hid;
		ev.boot_id = "bench";
		ev.kind = kinds[t % 8];
		ev.title = title;
		ev.source = "kmsg";
		ev.text = "bench";
		ev.t_ns = INT64_C(1700000000) * 1000000000 + r *
		    INT64_C(60000000000);
		db_event_add(db, &ev, NULL, NULL);
	}
	if (db_commit(db, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	db_exec(db, "ANALYZE", NULL);
	db_close(db);
	free(kid);
	free(runs);
	printf("%s: %" PRId64 " kernels, %" PRId64 " runs x %" PRId64
	    " metrics, %" PRId64 " events\n", argv[1], nk, nr, nm, ne);
	return 0;
}
