/*
 * report-data.c - generates the input of the `report --html` benchmark:
 * one SYNTHETIC hotplug run in a scratch database.  Bench data only:
 * its numbers mean nothing and must never be shown as results (the
 * kernel is named "bench-synthetic" and the run labelled so).
 *
 * What is real: the counter set (names, kinds, units) and the starting
 * values come from this machine's sampler (sampler_init(NULL), one
 * sampler_read()), and everything is written through store/db.h as the
 * runner writes it (db_run_insert, db_run_counters, db_sample_insert,
 * db_value_add, db_metric_set, db_event_add), one transaction.
 *
 * What is made up, from a fixed seed: a run of -d seconds sampled every
 * -s ms (periodic samples, "start" and "end" labelled), and a hotplug
 * cycle every -c seconds: CPU 1 offline then online (offline_ms /
 * online_ms values, a "cycle"-labelled sample, cpu.online dropping, a
 * burst of irq.CAL).  Event counters advance by their rate on this
 * machine (two reads 200 ms apart) +-50 %; gauges wander by +-0.1 %; a
 * "pressure" phase in the middle third adds direct reclaim (allocstall,
 * pgscan/pgsteal_direct, PSI) and lowers MemAvailable.  Two events (a
 * WARNING and a soft lockup) fall at 1/3 and 2/3 of the run.
 *
 *   build/bench-report-data -o DB [-d 3600] [-s 1000] [-c 10] [-S seed]
 *
 * Prints the run's uuid.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "common/util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Uniform in [0, 1). */
static double
rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-report-data: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-report-data -o DB [-d duration_s] "
	    "[-s sample_ms] [-c cycle_s] [-S seed]\n");
	exit(2);
}

static long
idx(const struct sampler *s, const char *name)
{
	return sampler_index(s, name);
}

static void
add(int64_t *v, long i, int64_t d)
{
	if (i >= 0)
		v[i] += d;
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	long duration_s = 3600, sample_ms = 1000, cycle_s = 10;
	struct sampler *s = NULL;
	const struct counter_desc **descs;
	struct host_identity h = { 0 };
	struct kernel_identity ki = { 0 };
	struct run_new rn = { 0 };
	struct event_new ev = { 0 };
	int64_t *v, *a, *rate, host_id, kernel_id, run_id, t0, t, end;
	int64_t seq = 0, next_cycle, cycles = 0, step_ns;
	double *offline, *online;
	long cal, tlb, stall_n, stall_m, scan, steal, psi, online_i, avail;
	char uuid[37], *cause = NULL;
	struct db *db = NULL;
	size_t n, i;
	int c;

	while ((c = getopt(argc, argv, "o:d:s:c:S:h")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd': duration_s = atol(optarg); break;
		case 's': sample_ms = atol(optarg); break;
		case 'c': cycle_s = atol(optarg); break;
		case 'S': rng_state = strtoull(optarg, NULL, 0) | 1; break;
		default: usage();
		}
	}
	if (out == NULL || duration_s <= 0 || sample_ms <= 0 || cycle_s <= 0)
		usage();

	/* The real counter set and starting values of this machine. */
	if (sampler_init(&s, NULL, &cause) != 0)
		die("%s", cause);
	n = sampler_count(s);
	descs = xcalloc(n, sizeof *descs);
	for (i = 0; i < n; i++)
		descs[i] = sampler_counter(s, i);
	v = xcalloc(n, sizeof *v);
	a = xcalloc(n, sizeof *a);
	rate = xcalloc(n, sizeof *rate);
	if (sampler_read(s, a) != 0)
		die("cannot sample this machine");
	sleep_ns(200000000);
	if (sampler_read(s, v) != 0)
		die("cannot sample this machine");
	for (i = 0; i < n; i++)
		rate[i] = descs[i]->kind == COUNTER_EVENT && v[i] > a[i] ?
		    (v[i] - a[i]) * 5 : 0;
	cal = idx(s, "irq.CAL");
	tlb = idx(s, "irq.TLB");
	stall_n = idx(s, "vmstat.allocstall_normal");
	stall_m = idx(s, "vmstat.allocstall_movable");
	scan = idx(s, "vmstat.pgscan_direct");
	steal = idx(s, "vmstat.pgsteal_direct");
	psi = idx(s, "psi.memory.some.total");
	online_i = idx(s, "cpu.online");
	avail = idx(s, "meminfo.MemAvailable");

	if (db_open(out, DB_CREATE, &db, &cause) != 0)
		die("%s", cause);
	h.hostname = "bench-synthetic";
	h.machine_id = "bench-synthetic";
	h.cpus_possible = h.cpus_online = 2;
	h.numa_nodes = 1;
	h.nodes_json = "[]";
	h.mem_total_kb = 24 * 1024 * 1024;
	ki.build_key = "bench-synthetic";
	ki.release = "bench-synthetic";
	ki.version = "synthetic data for bench/report.sh, not a result";
	ki.cmdline = "";
	end = now_real_ns();
	t0 = end - (int64_t)duration_s * 1000000000;
	uuid_v4(uuid);
	rn.uuid = uuid;
	rn.workload = "hotplug";
	rn.params_json = "{\"cycles\":0,\"pressure\":\"builtin\","
	    "\"sample_ms\":1000}";
	rn.state = "running";
	rn.label = "bench-synthetic";
	rn.boot_id = boot_id();
	rn.host_state_json = "{}";
	rn.created_ns = rn.started_ns = t0;
	if (db_host_id(db, &h, &host_id, &cause) != 0 ||
	    db_kernel_id(db, &ki, &kernel_id, &cause) != 0)
		die("%s", cause);
	rn.kernel_id = kernel_id;
	rn.host_id = host_id;
	if (db_begin(db, &cause) != 0 ||
	    db_run_insert(db, &rn, &run_id, &cause) != 0 ||
	    db_run_counters(db, run_id, descs, n, &cause) != 0)
		die("%s", cause);

	offline = xcalloc((size_t)(duration_s / cycle_s + 2), sizeof *offline);
	online = xcalloc((size_t)(duration_s / cycle_s + 2), sizeof *online);
	step_ns = sample_ms * 1000000;
	/* cycles fall between samples, so sample times keep increasing */
	next_cycle = t0 + (int64_t)cycle_s * 1000000000 + step_ns / 2;
	for (t = t0; t <= end; t += step_ns) {
		double dt = (double)step_ns / 1e9;
		int pressure = t > t0 + (end - t0) / 3 &&
		    t < t0 + 2 * (end - t0) / 3;

		if (t > t0) {
			for (i = 0; i < n; i++) {
				if (descs[i]->kind == COUNTER_EVENT)
					v[i] += (int64_t)((double)rate[i] * dt *
					    (0.5 + rng_unit()));
				else if (v[i] > 100)
					v[i] += (int64_t)((double)v[i] * 0.001 *
					    (rng_unit() - 0.5));
			}
			if (pressure) {
				add(v, stall_n, (int64_t)(40 * dt * rng_unit()));
				add(v, stall_m, (int64_t)(5 * dt * rng_unit()));
				add(v, scan, (int64_t)(60000 * dt * rng_unit()));
				add(v, steal, (int64_t)(45000 * dt * rng_unit()));
				add(v, psi, (int64_t)(300000 * dt * rng_unit()));
				if (avail >= 0 && v[avail] > 700000)
					v[avail] -= (int64_t)(20000 * dt);
			} else if (avail >= 0 && v[avail] < 20000000)
				v[avail] += (int64_t)(20000 * dt);
			add(v, tlb, (int64_t)(3 * dt * rng_unit()));
		}
		if (online_i >= 0)
			v[online_i] = 2;
		/* a hotplug cycle: offline, the labelled sample, online */
		while (next_cycle + step_ns / 4 < t && next_cycle < end) {
			double off = 20 + 30 * rng_unit() * rng_unit() *
			    (pressure ? 6 : 1), on = 8 + 20 * rng_unit();

			offline[cycles] = off;
			online[cycles] = on;
			add(v, cal, 80 + (int64_t)(200 * rng_unit()));
			if (online_i >= 0)
				v[online_i] = 1;
			if (db_value_add(db, run_id, "offline_ms", cycles,
			    next_cycle, off, &cause) != 0 ||
			    db_sample_insert(db, run_id, seq++, next_cycle +
			    step_ns / 8, "cycle", v, n, &cause) != 0 ||
			    db_value_add(db, run_id, "online_ms", cycles,
			    next_cycle + step_ns / 8 + 1, on, &cause) != 0)
				die("%s", cause);
			if (online_i >= 0)
				v[online_i] = 2;
			cycles++;
			next_cycle += (int64_t)cycle_s * 1000000000;
		}
		if (db_sample_insert(db, run_id, seq++, t, t == t0 ? "start" :
		    t + step_ns > end ? "end" : NULL, v, n, &cause) != 0)
			die("%s", cause);
	}
	if (db_metric_set(db, run_id, "cycles", (double)cycles, "count",
	    "higher", &cause) != 0 ||
	    db_metric_set(db, run_id, "transitions", (double)(2 * cycles),
	    "count", "higher", &cause) != 0)
		die("%s", cause);
	ev.run_id = run_id;
	ev.kernel_id = kernel_id;
	ev.host_id = host_id;
	ev.boot_id = boot_id();
	ev.source = "kmsg";
	ev.kind = "warning";
	ev.title = "WARNING in synthetic_bench_event";
	ev.signature = "bench-warning";
	ev.text = "WARNING: CPU: 1 PID: 1 at mm/synthetic.c:1 "
	    "synthetic_bench_event+0x0/0x10\nCall Trace:\n <TASK>\n "
	    "synthetic_bench_event+0x0/0x10\n </TASK>\n";
	ev.t_ns = t0 + (end - t0) / 3;
	if (db_event_add(db, &ev, NULL, &cause) != 0)
		die("%s", cause);
	ev.kind = "soft_lockup";
	ev.title = "BUG: soft lockup in synthetic_bench_event";
	ev.signature = "bench-lockup";
	ev.t_ns = t0 + 2 * (end - t0) / 3;
	if (db_event_add(db, &ev, NULL, &cause) != 0 ||
	    db_run_finish(db, run_id, "passed", NULL, "exit 0", end,
	    &cause) != 0 || db_commit(db, &cause) != 0)
		die("%s", cause);
	printf("%s\n", uuid);
	fprintf(stderr, "bench-report-data: %lld samples of %zu counters, "
	    "%lld cycles, %s\n", (long long)seq, n, (long long)cycles, out);
	free(offline);
	free(online);
	free(v);
	free(a);
	free(rate);
	free(descs);
	sampler_free(s);
	db_close(db);
	return 0;
}
