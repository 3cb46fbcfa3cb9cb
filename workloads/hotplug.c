/*
 * hotplug.c - cycle CPUs offline and online while the whole machine is in
 * direct reclaim.
 *
 * Seed 003 (2012): drain_all_pages() sent IPIs with on_each_cpu() from
 * __alloc_pages_direct_reclaim() while CPUs were going offline, and
 * machines halted silently.  So this workload needs three things at once:
 * a hotplug loop writing cpuN/online, global memory pressure that keeps
 * allocations in direct reclaim (workloads/pressure.c), and a thread that
 * keeps migrating onto the CPU being taken down (as stress-ng's
 * cpu-online stressor does), so the CPU has work to push away.
 *
 * Every transition is timed; every online file is recorded through the
 * supervisor before the first write (wl_knob_record), so a killed worker
 * still gets its CPUs back.  A watchdog thread turns one write that takes
 * longer than hang_s into a 'lockup' verdict with what is known.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/rng.h"
#include "workloads/pressure.h"
#include "workloads/thp-extra.h"
#include "probe/meminfo.h"
#include "probe/sampler.h"
#include "probe/thp.h"
#include "common/stats.h"
#include "common/util.h"
#include "run/workload.h"

#define MAX_CPUS      4096
#define CHASE_NS      (INT64_C(5) * 1000000)  /* 200 Hz, stress-ng: 20 Hz */
#define WATCH_NS      (INT64_C(100) * 1000000)
#define PROGRESS_NS   (INT64_C(250) * 1000000)  /* a cycle takes ~50 ms */

static const struct opt_spec hotplug_opts[] = {
	{ "cpus", OPT_INTLIST, 0, MAX_CPUS - 1, NULL, NULL,
	    "CPUs to cycle (default: every hot-pluggable online CPU but CPU0)" },
	{ "order", OPT_ENUM, 0, 0, "seq", "seq|random",
	    "order of the CPUs within a cycle" },
	/* No default: the supervisor draws one per run and stores it with
	 * the run's options (params_pick_seeds), so `show --repro` repeats
	 * the same orders. */
	{ "seed", OPT_INT, 0, INT32_MAX, NULL, NULL,
	    "seed of order=random (default: drawn for each run, recorded)" },
	{ "cycles", OPT_INT, 0, 100000000, "10", NULL,
	    "offline+online rounds over the CPUs; 0: until duration=" },
	{ "concurrent", OPT_INT, 1, 256, "1", NULL,
	    "threads writing online files at once; the CPUs of a cycle are "
	    "dealt out among them, so up to this many CPUs go down together" },
	{ "pressure", OPT_ENUM, 0, 0, "builtin", "builtin|direct|stress-ng|none",
	    "memory pressure engine (global, not a memcg limit); direct: "
	    "builtin plus a page-cache file that fills free memory, so "
	    "allocations enter direct reclaim (ramp waits for it)" },
	{ "floor", OPT_PERCENT, 0, 100, "3", NULL,
	    "MemAvailable floor, % of MemTotal, that pressure never crosses "
	    "(pressure=direct: 20 unless given)" },
	{ "workers", OPT_INT, 1, 1024, NULL, NULL,
	    "pressure allocator processes (default: one per online CPU)" },
	{ "pressure_size", OPT_SIZE, 0, INT64_C(1) << 50, "0", NULL,
	    "allocate at most this much (0: fill down to the floor)" },
	{ "cache_size", OPT_SIZE, 0, INT64_C(1) << 40, NULL, NULL,
	    "builtin: page-cache file read in a loop (default MemTotal/16, "
	    "at most 1G; direct: the floor plus the allocators' margin plus "
	    "MemTotal/16)" },
	{ "cache_dir", OPT_STRING, 0, 0, "/var/tmp", NULL,
	    "directory of the page-cache file; pressure=direct needs a disk "
	    "file system (tmpfs pages cannot be reclaimed without swap)" },
	{ "thp", OPT_BOOL, 0, 1, "1", NULL,
	    "builtin: half of the chunks MADV_HUGEPAGE (THP faults, compaction)" },
	{ "ramp", OPT_DURATION, 0, INT64_C(3600) * 1000, "120s", NULL,
	    "wait at most this long for pressure to reach the floor" },
	{ "chase", OPT_BOOL, 0, 1, "1", NULL,
	    "a thread keeps migrating onto the CPU being taken down" },
	{ "reclaim_cycles", OPT_INT, 0, 1000000, "0", NULL,
	    "go on past cycles= (to at most 10 times as many) until this "
	    "many cycles saw direct reclaim; 0: cycles= alone" },
	{ "burst", OPT_SIZE, 0, INT64_C(1) << 40, NULL, NULL,
	    "while a CPU goes down, a thread faults this much THP-advised "
	    "memory and frees it, again and again; with pressure it holds "
	    "free memory at the min watermark between offlines, so that "
	    "these faults enter direct reclaim (default: 64M with "
	    "pressure=direct, else 0)" },
	{ "hang_s", OPT_DURATION, 1000, INT64_C(3600) * 1000, "30s", NULL,
	    "one online/offline write longer than this ends the run as lockup" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

struct hotplug;

/*
 * One writer thread.  Each cycle the CPUs are dealt out among the lanes
 * (concurrent=), and the lanes take one CPU each down together, wait
 * for each other, and bring them up together (run_lane), so that many
 * CPUs are offline at once.  Lane 0 is the
 * workload's own thread; with concurrent=1 there is no other thread and
 * no barrier, as before.
 */
struct lane {
	struct hotplug *h;
	int *cpus;                   /* this cycle's share */
	int n;
	atomic_llong op_start_ns;    /* monotonic start of a write, 0 none */
	atomic_int op_cpu, op_online;
	char *cause;                 /* of the error that ended the lane */
	pthread_t thread;
	int started;
};

struct hotplug {
	struct wl_ctx *ctx;
	struct pressure *pr;         /* polled by lane 0 only */
	int cpus[MAX_CPUS];
	int ncpus;
	unsigned char down[MAX_CPUS];/* by cpus[] index: left down by ENOSPC */
	struct lane *lanes;
	int nlanes;
	pthread_barrier_t go, gone;  /* a cycle's start and end (nlanes > 1) */
	pthread_barrier_t step;      /* all down / all up within a cycle */
	int steps;                   /* this cycle: CPUs per lane, rounded up */
	int barriers;                /* go and gone exist */
	pthread_cond_t lanes_cv;     /* lanes_ready changed (under mu) */
	int lanes_ready;             /* 1 barriers made, -1 give up */
	/* shared with the chase and watchdog threads */
	atomic_int target;           /* CPU being taken down, -1 none */
	pthread_mutex_t chase_mu;    /* the chase thread sleeps on chase_cv */
	pthread_cond_t chase_cv;     /* while no offline is in progress */
	atomic_int done;
	atomic_int lanes_done;       /* the lanes' threads end */
	atomic_int failed;           /* a lane hit an error: all stop */
	atomic_int offline_now;      /* CPUs this run has down right now */
	int64_t hang_ns;
	int enospc_every;            /* test hook, 0 off (see transition) */
	atomic_int online_writes;
	size_t burst_bytes;          /* burst=, 0 off */
	size_t hpage;                /* THP's PMD size (probe/thp.c) */
	int64_t reclaim_want;        /* reclaim_cycles= */
	int64_t burst_floor_kb;      /* with pressure: its floor, else -1 */
	atomic_llong burst_faults;   /* huge faults the burst thread made */
	/* results, under mu */
	pthread_mutex_t mu;
	double *offline_ms, *online_ms;
	size_t noffline, nonline, cap_offline, cap_online;
	int64_t skipped, enospc, cycles;
	int max_offline;             /* most CPUs down at once */
	int64_t reclaim_cycles;      /* cycles with direct reclaim in them */
};

static char *
online_path(int cpu)
{
	return xasprintf("/sys/devices/system/cpu/cpu%d/online", cpu);
}

static int
cpu_online(int cpu)
{
	char *path = online_path(cpu), *s = NULL;
	int on = -1;

	if (read_file_line(path, &s, NULL) == 0)
		on = strcmp(s, "1") == 0;
	free(s);
	free(path);
	return on;
}

/* Default set: online CPUs that have an online file, CPU0 excluded (it
 * usually cannot go offline, and stress-ng skips it too). */
static int
default_cpus(struct hotplug *h)
{
	long n = sysconf(_SC_NPROCESSORS_CONF), i;

	for (i = 1; i < n && i < MAX_CPUS; i++) {
		if (cpu_online((int)i) == 1)
			h->cpus[h->ncpus++] = (int)i;
	}
	return h->ncpus;
}

static int
hotplug_supported(const struct params *p, char **reason)
{
	size_t n, i;
	const int64_t *list = params_list(p, "cpus", &n);
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	char *path;

	if (geteuid() != 0)
		return set_cause(reason, EPERM, "CPU hotplug needs root");
	if (list == NULL) {
		if (online < 2)
			return set_cause(reason, ENODEV,
			    "only one CPU is online: nothing to take down");
		path = online_path(1);
		i = access(path, W_OK) == 0;
		free(path);
		if (!i && cpu_online(1) == -1)
			return set_cause(reason, ENODEV,
			    "no hot-pluggable CPU (no cpuN/online files)");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (cpu_online((int)list[i]) != 1)
			return set_cause(reason, ENODEV,
			    "CPU %lld is not an online hot-pluggable CPU",
			    (long long)list[i]);
	}
	if ((long)n >= online)
		return set_cause(reason, EINVAL,
		    "cpus= names every online CPU: one must stay up");
	return 0;
}

static void
push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = x;
}

/* Keep landing on the CPU being taken down, then anywhere again.  While
 * no offline is in progress it sleeps on chase_cv, so an online write or
 * the gap between writes is not interrupted 200 times a second. */
static void *
chase_main(void *arg)
{
	struct hotplug *h = arg;
	cpu_set_t one, all;
	int i, t;

	CPU_ZERO(&all);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_mutex_lock(&h->chase_mu);
	while (!atomic_load(&h->done)) {
		if ((t = atomic_load(&h->target)) < 0) {
			pthread_cond_wait(&h->chase_cv, &h->chase_mu);
			continue;
		}
		pthread_mutex_unlock(&h->chase_mu);
		CPU_ZERO(&one);
		CPU_SET(t, &one);
		sched_setaffinity(0, sizeof one, &one);
		sleep_ns(CHASE_NS);
		sched_setaffinity(0, sizeof all, &all);
		pthread_mutex_lock(&h->chase_mu);
	}
	pthread_mutex_unlock(&h->chase_mu);
	return NULL;
}

/*
 * With a pressure engine, the burst thread also holds memory between
 * offlines: THP-advised pages faulted until MemFree is down to
 * min_free_kbytes (kswapd refills it from the page cache, the thread
 * takes it again), never closer than 32 MiB to the engine's MemAvailable
 * floor.  So when an offline starts free memory is at the min
 * watermark, and the burst's faults cannot be served without direct
 * reclaim.  Only the burst thread touches the hold.
 */
struct burst_hold {
	char *base;              /* hpage-aligned, cap bytes; NULL off */
	size_t cap, len;
	int64_t target_free_kb;
};

static void
hold_init(const struct hotplug *h, struct burst_hold *bh)
{
	int64_t total_kb = meminfo_kb("MemTotal");
	char *text = NULL;

	memset(bh, 0, sizeof *bh);
	if (total_kb <= 0)
		return;
	bh->cap = ((size_t)total_kb << 10) & ~(h->hpage - 1);
	if (thp_map_aligned(bh->cap, h->hpage, MAP_NORESERVE, &bh->base,
	    NULL) != 0) {
		bh->base = NULL;
		return;
	}
	madvise(bh->base, bh->cap, MADV_HUGEPAGE);
	if (read_file("/proc/sys/vm/min_free_kbytes", &text, NULL, NULL) == 0)
		bh->target_free_kb = strtoll(text, NULL, 10);
	free(text);
}

static void
hold_adjust(struct hotplug *h, struct burst_hold *bh)
{
	int64_t free_kb, avail_kb, room_kb, grow_kb, give_kb;
	char *text = NULL;
	size_t n;

	if (bh->base == NULL ||
	    read_file("/proc/meminfo", &text, NULL, NULL) != 0)
		return;
	if (meminfo_value(text, "MemFree", &free_kb) != 0 ||
	    meminfo_value(text, "MemAvailable", &avail_kb) != 0) {
		free(text);
		return;
	}
	free(text);
	room_kb = avail_kb - h->burst_floor_kb - (32 << 10);
	if (room_kb < 0) {
		give_kb = -room_kb;
		n = ((size_t)give_kb << 10) + h->hpage - 1;
		n &= ~(h->hpage - 1);
		if (n > bh->len)
			n = bh->len;
		bh->len -= n;
		madvise(bh->base + bh->len, n, MADV_DONTNEED);
		return;
	}
	grow_kb = free_kb - bh->target_free_kb;
	if (grow_kb > room_kb)
		grow_kb = room_kb;
	if (grow_kb > (128 << 10))
		grow_kb = 128 << 10;    /* a step at a time: stay responsive */
	for (; grow_kb >= (int64_t)(h->hpage >> 10) &&
	    bh->len + h->hpage <= bh->cap && atomic_load(&h->target) < 0;
	    grow_kb -= (int64_t)(h->hpage >> 10)) {
		bh->base[bh->len] = 1;
		bh->len += h->hpage;
	}
}

/*
 * One burst: fault burst= bytes of MADV_HUGEPAGE memory, a huge page at
 * a time while the offline lasts, then give it all back.  With the hold
 * keeping free memory at the min watermark each order-9 fault
 * (GFP_TRANSHUGE: it may compact and reclaim) goes to direct compaction
 * and direct reclaim, whose drain_all_pages() IPIs race the CPU going
 * down: seed 003's path.
 */
static void
burst_once(struct hotplug *h)
{
	size_t len = h->burst_bytes, off;
	char *a;

	if (thp_map_aligned(len, h->hpage, MAP_NORESERVE, &a, NULL) != 0) {
		sleep_ns(CHASE_NS);
		return;
	}
	madvise(a, len, MADV_HUGEPAGE);
	for (off = 0; off < len && atomic_load(&h->target) >= 0 &&
	    !atomic_load(&h->done); off += h->hpage) {
		a[off] = 1;
		atomic_fetch_add(&h->burst_faults, 1);
	}
	munmap(a, len);
}

/* burst=: while an offline is in progress, burst again and again;
 * between offlines, keep the hold at the watermark (with a pressure
 * engine) or sleep on chase_cv as the chase thread does. */
static void *
burst_main(void *arg)
{
	struct hotplug *h = arg;
	struct burst_hold bh;
	struct timespec until;

	memset(&bh, 0, sizeof bh);
	if (h->burst_floor_kb >= 0)
		hold_init(h, &bh);
	pthread_mutex_lock(&h->chase_mu);
	while (!atomic_load(&h->done)) {
		if (atomic_load(&h->target) < 0) {
			if (bh.base == NULL) {
				pthread_cond_wait(&h->chase_cv, &h->chase_mu);
				continue;
			}
			pthread_mutex_unlock(&h->chase_mu);
			hold_adjust(h, &bh);
			pthread_mutex_lock(&h->chase_mu);
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 5000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			if (atomic_load(&h->target) < 0 && !atomic_load(&h->done))
				pthread_cond_timedwait(&h->chase_cv,
				    &h->chase_mu, &until);
			continue;
		}
		pthread_mutex_unlock(&h->chase_mu);
		burst_once(h);
		pthread_mutex_lock(&h->chase_mu);
	}
	pthread_mutex_unlock(&h->chase_mu);
	if (bh.base != NULL)
		munmap(bh.base, bh.cap);
	return NULL;
}

/* The chase and watchdog threads end (the chase thread may be asleep). */
static void
threads_done(struct hotplug *h)
{
	pthread_mutex_lock(&h->chase_mu);
	atomic_store(&h->done, 1);
	pthread_cond_broadcast(&h->chase_cv);
	pthread_mutex_unlock(&h->chase_mu);
}

/* Tell the chase thread which CPU is going down.  With several lanes
 * the latest offline wins; clearing only clears its own CPU. */
static void
chase_target(struct hotplug *h, int cpu)
{
	pthread_mutex_lock(&h->chase_mu);
	atomic_store(&h->target, cpu);
	pthread_cond_broadcast(&h->chase_cv);    /* chase and burst */
	pthread_mutex_unlock(&h->chase_mu);
}

static void
chase_clear(struct hotplug *h, int cpu)
{
	pthread_mutex_lock(&h->chase_mu);
	if (atomic_load(&h->target) == cpu)
		atomic_store(&h->target, -1);
	pthread_mutex_unlock(&h->chase_mu);
}

/* The lane whose write has been running longest, or NULL. */
static struct lane *
stuck_lane(struct hotplug *h, int64_t *stuck)
{
	struct lane *worst = NULL;
	int64_t start, now = now_mono_ns();
	int i;

	*stuck = 0;
	for (i = 0; i < h->nlanes; i++) {
		start = atomic_load(&h->lanes[i].op_start_ns);
		if (start != 0 && now - start > *stuck) {
			*stuck = now - start;
			worst = &h->lanes[i];
		}
	}
	return worst;
}

static void *
watchdog_main(void *arg)
{
	struct hotplug *h = arg;
	struct lane *l;
	int64_t stuck;
	char *text;

	while (!atomic_load(&h->done)) {
		sleep_ns(WATCH_NS);
		if ((l = stuck_lane(h, &stuck)) == NULL || stuck < h->hang_ns)
			continue;
		text = xasprintf("writing %d to "
		    "/sys/devices/system/cpu/cpu%d/online has not "
		    "returned after %.1f s (hang_s=%.1f); %lld cycles "
		    "done, %zu offline and %zu online transitions, %d CPUs "
		    "down", atomic_load(&l->op_online),
		    atomic_load(&l->op_cpu), (double)stuck / 1e9,
		    (double)h->hang_ns / 1e9, (long long)h->cycles,
		    h->noffline, h->nonline, atomic_load(&h->offline_now));
		wl_event(h->ctx, "stall", atomic_load(&l->op_online) ?
		    "hotplug: cpu online write hung" :
		    "hotplug: cpu offline write hung", text);
		wl_abort(h->ctx, WL_LOCKUP, "%s", text);
		free(text);
		return NULL;
	}
	return NULL;
}

/* Transition results besides 0 and -errno. */
#define TR_REFUSED  1   /* EBUSY/EAGAIN: refused for now */
#define TR_NOSPACE  2   /* ENOSPC bringing a CPU up: no vector for it */

/*
 * The test hook MMSTORM_TEST_ONLINE_ENOSPC=K: every K-th online write
 * fails with ENOSPC without being made, as a machine out of interrupt
 * vectors answers (the CPU stays down).  Tests only; read once per run.
 */
static int
injected_enospc(struct hotplug *h, const char *path, int online,
    char **cause)
{
	int n;

	if (!online || h->enospc_every <= 0)
		return 0;
	n = atomic_fetch_add(&h->online_writes, 1) + 1;
	if (n % h->enospc_every != 0)
		return 0;
	return set_cause(cause, ENOSPC, "cannot write '1' to '%s': %s "
	    "(injected: MMSTORM_TEST_ONLINE_ENOSPC)", path, strerror(ENOSPC));
}

/*
 * One timed write.  Returns 0, TR_REFUSED for a transition the kernel
 * refused for now (counted as skipped, as stress-ng does), TR_NOSPACE
 * for ENOSPC from an online write (interrupt vectors exhausted on big
 * machines: the CPU stays down; a counted skip, not a failure), or
 * -errno.
 */
static int
transition(struct lane *l, int cpu, int online, double *ms, char **cause)
{
	struct hotplug *h = l->h;
	char *path = online_path(cpu);
	int64_t t0;
	int r;

	atomic_store(&l->op_cpu, cpu);
	atomic_store(&l->op_online, online);
	if (!online)
		chase_target(h, cpu);
	t0 = now_mono_ns();
	atomic_store(&l->op_start_ns, t0);
	if ((r = injected_enospc(h, path, online, cause)) == 0)
		r = write_file_str(path, online ? "1" : "0", cause);
	*ms = (double)(now_mono_ns() - t0) / 1e6;
	atomic_store(&l->op_start_ns, 0);
	if (!online)
		chase_clear(h, cpu);
	free(path);
	if (r == -EBUSY || r == -EAGAIN)
		return TR_REFUSED;
	if (r == -ENOSPC && online)
		return TR_NOSPACE;
	if (r == 0 && cpu_online(cpu) != online)
		return set_cause(cause, EIO, "cpu%d/online does not read back "
		    "%d after the write", cpu, online);
	if (r == 0)
		atomic_fetch_add(&h->offline_now, online ? -1 : 1);
	return r;
}

/* Fisher-Yates from the run's seed: the same seed, the same orders. */
static void
shuffle(int *v, int n, uint64_t *rng)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)(rng_next(rng) % (uint64_t)(i + 1));
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

static void
percentiles(struct wl_ctx *ctx, const char *name, double *v, size_t n)
{
	char *m;

	if (n == 0)
		return;
	m = xasprintf("%s_p50", name);
	wl_metric(ctx, m, stats_percentile(v, n, 50), "ms", BETTER_LOWER);
	free(m);
	m = xasprintf("%s_p99", name);
	wl_metric(ctx, m, stats_percentile(v, n, 99), "ms", BETTER_LOWER);
	free(m);
	m = xasprintf("%s_max", name);
	wl_metric(ctx, m, stats_max(v, n), "ms", BETTER_LOWER);
	free(m);
}

/* Counter deltas over the cycling phase, per cycle, from the worker's own
 * sampler; cycle_loop() stores the same counters per cycle. */
struct reclaim_counters {
	const char *counter, *metric, *unit;
};

static const struct reclaim_counters reclaim[] = {
	{ "vmstat.allocstall_normal", "allocstall_normal", "count" },
	{ "vmstat.allocstall_movable", "allocstall_movable", "count" },
	{ "vmstat.allocstall_dma32", "allocstall_dma32", "count" },
	{ "vmstat.pgscan_direct", "pgscan_direct", "pages" },
	{ "vmstat.pgsteal_direct", "pgsteal_direct", "pages" },
	{ "vmstat.compact_stall", "compact_stall", "count" },
	{ "vmstat.oom_kill", "oom_kill", "count" },
	{ "irq.CAL", "cal_irqs", "count" },
	{ "irq.TLB", "tlb_irqs", "count" },
	{ "irq.RES", "res_irqs", "count" },
	{ "psi.memory.some.total", "psi_memory_some_us", "us" },
	{ "psi.memory.full.total", "psi_memory_full_us", "us" },
};

static void
report_counters(struct wl_ctx *ctx, struct sampler *s, const int64_t *a,
    const int64_t *b, int64_t cycles)
{
	char *name;
	size_t i;
	long k;

	long scan = sampler_index(s, "vmstat.pgscan_direct");
	long steal = sampler_index(s, "vmstat.pgsteal_direct");

	/* mmtests' reclaim efficiency: pages reclaimed per page scanned. */
	if (scan >= 0 && steal >= 0 && b[scan] > a[scan])
		wl_metric(ctx, "reclaim_efficiency_pct", 100.0 *
		    (double)(b[steal] - a[steal]) / (double)(b[scan] - a[scan]),
		    "%", BETTER_HIGHER);
	for (i = 0; i < ARRAY_SIZE(reclaim); i++) {
		if ((k = sampler_index(s, reclaim[i].counter)) < 0)
			continue;
		wl_metric(ctx, reclaim[i].metric, (double)(b[k] - a[k]),
		    reclaim[i].unit, BETTER_LOWER);
		if (cycles > 0) {
			name = xasprintf("%s_per_cycle", reclaim[i].metric);
			wl_metric(ctx, name, (double)(b[k] - a[k]) /
			    (double)cycles, reclaim[i].unit, BETTER_LOWER);
			free(name);
		}
	}
}

/*
 * stress-ng's --yaml: "metrics:" then "    - stressor: vm" entries whose
 * "key: number" lines become stressng_<stressor>_<key> metrics.
 */
static void
report_stress_ng_yaml(struct wl_ctx *ctx, const char *yaml)
{
	char *copy = xstrdup(yaml), *line, *save = NULL, *colon, *key, *val;
	char stressor[64] = "", *name, *p;
	int in_metrics = 0;
	double v;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != ' ' && line[0] != '-') {
			in_metrics = strncmp(line, "metrics:", 8) == 0;
			continue;
		}
		if (!in_metrics || (colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		key = trim(line);
		val = trim(colon + 1);
		if (starts_with(key, "- "))
			key = trim(key + 2);
		if (strcmp(key, "stressor") == 0) {
			snprintf(stressor, sizeof stressor, "%s", val);
			continue;
		}
		if (stressor[0] == '\0' || parse_double(val, &v) != 0)
			continue;
		name = xasprintf("stressng_%s_%s", stressor, key);
		for (p = name; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		wl_metric(ctx, name, v, "", strstr(key, "per-second") ||
		    strstr(key, "bogo-ops") ? BETTER_HIGHER : BETTER_LOWER);
		free(name);
	}
	free(copy);
}

static enum pressure_engine
engine_of(const char *name)
{
	if (strcmp(name, "builtin") == 0 || strcmp(name, "direct") == 0)
		return PRESSURE_BUILTIN;
	if (strcmp(name, "stress-ng") == 0)
		return PRESSURE_STRESS_NG;
	return PRESSURE_NONE;
}

/* Bring back every CPU of the set the worker itself took down; the
 * supervisor does the same from the knob records if this never runs. */
static void
all_online(struct hotplug *h)
{
	char *path;
	int i;

	for (i = 0; i < h->ncpus; i++) {
		if (cpu_online(h->cpus[i]) == 0) {
			path = online_path(h->cpus[i]);
			write_file_str(path, "1", NULL);
			free(path);
		}
	}
}

/*
 * Counter deltas per cycle, read by the worker between cycles from a
 * cheap sampler (vmstat, interrupts, PSI: about 0.1 ms) and sent with
 * the batched values as series "cycle.<metric>" (the reclaim list above,
 * and cycle.cal_irqs.cpuN for each CPU cycled).  A sample taken by the
 * supervisor each cycle cost 10 % of the transition rate on a 2-CPU
 * machine (bench/README.md): it woke the supervisor on the one CPU left
 * online mid-offline, and percpu_stats alone holds interrupts off for a
 * third of a millisecond.  The periodic samples keep everything else.
 */
struct cycle_deltas {
	struct sampler *s;
	int64_t *prev, *cur;
	long *idx;
	unsigned char *direct;       /* a direct-reclaim counter */
	char **series;
	size_t n;
};

static void
deltas_add(struct cycle_deltas *d, const char *counter, char *series)
{
	long k;

	if ((k = sampler_index(d->s, counter)) < 0) {
		free(series);
		return;
	}
	d->idx[d->n] = k;
	d->direct[d->n] = starts_with(counter, "vmstat.") &&
	    pressure_is_direct_reclaim(counter + strlen("vmstat."));
	d->series[d->n++] = series;
}

static void
deltas_init(struct cycle_deltas *d, const struct hotplug *h)
{
	size_t i, max = ARRAY_SIZE(reclaim) + (size_t)h->ncpus;
	char *name;
	int c;

	memset(d, 0, sizeof *d);
	if (sampler_init_only(&d->s, NULL, SAMPLE_VMSTAT | SAMPLE_INTERRUPTS |
	    SAMPLE_PSI, NULL) != 0)
		return;
	d->idx = xcalloc(max, sizeof *d->idx);
	d->direct = xcalloc(max, sizeof *d->direct);
	d->series = xcalloc(max, sizeof *d->series);
	for (i = 0; i < ARRAY_SIZE(reclaim); i++)
		deltas_add(d, reclaim[i].counter,
		    xasprintf("cycle.%s", reclaim[i].metric));
	for (c = 0; c < h->ncpus; c++) {
		name = xasprintf("irq.CAL.cpu%d", h->cpus[c]);
		deltas_add(d, name,
		    xasprintf("cycle.cal_irqs.cpu%d", h->cpus[c]));
		free(name);
	}
	d->prev = xcalloc(sampler_count(d->s), sizeof *d->prev);
	d->cur = xcalloc(sampler_count(d->s), sizeof *d->cur);
	sampler_read(d->s, d->prev);
}

/* 1 when the cycle had direct reclaim in it (the gate, hotplug_proofs). */
static int
deltas_cycle(struct cycle_deltas *d, struct wl_ctx *ctx)
{
	int64_t *t, delta;
	size_t i;
	int direct = 0;

	if (d->s == NULL || sampler_read(d->s, d->cur) != 0)
		return 0;
	for (i = 0; i < d->n; i++) {
		delta = d->cur[d->idx[i]] - d->prev[d->idx[i]];
		wl_value(ctx, d->series[i], (double)delta);
		if (d->direct[i] && delta > 0)
			direct = 1;
	}
	t = d->prev;
	d->prev = d->cur;
	d->cur = t;
	return direct;
}

static void
deltas_free(struct cycle_deltas *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->series[i]);
	free(d->series);
	free(d->idx);
	free(d->direct);
	free(d->prev);
	free(d->cur);
	sampler_free(d->s);
}

/* A transition's time, kept under the results lock (lanes run at once). */
static void
record_ms(struct hotplug *h, int online, double ms)
{
	int now = atomic_load(&h->offline_now);

	pthread_mutex_lock(&h->mu);
	if (online)
		push(&h->online_ms, &h->nonline, &h->cap_online, ms);
	else
		push(&h->offline_ms, &h->noffline, &h->cap_offline, ms);
	if (now > h->max_offline)
		h->max_offline = now;
	pthread_mutex_unlock(&h->mu);
	wl_value(h->ctx, online ? "online_ms" : "offline_ms", ms);
}

static void
count_skip(struct hotplug *h, int r)
{
	pthread_mutex_lock(&h->mu);
	if (r == TR_NOSPACE)
		h->enospc++;
	else
		h->skipped++;
	pthread_mutex_unlock(&h->mu);
}

static int
cpu_index(const struct hotplug *h, int cpu)
{
	int i;

	for (i = 0; i < h->ncpus; i++)
		if (h->cpus[i] == cpu)
			return i;
	return 0;
}

/* Bring a CPU up: a refusal is retried (it must not be left down); ENOSPC
 * leaves it down, counted, for the next cycle to retry. */
static int
bring_up(struct lane *l, int cpu, char **cause)
{
	struct hotplug *h = l->h;
	double ms;
	int r;

	while ((r = transition(l, cpu, 1, &ms, cause)) == TR_REFUSED) {
		count_skip(h, r);
		sleep_ns(10000000);
	}
	if (r == TR_NOSPACE) {
		count_skip(h, r);
		h->down[cpu_index(h, cpu)] = 1;
		return 0;
	}
	if (r == 0) {
		h->down[cpu_index(h, cpu)] = 0;
		record_ms(h, 1, ms);
	}
	return r;
}

/* Every lane waits here (nothing to wait for with one lane). */
static void
step_barrier(struct hotplug *h)
{
	if (h->nlanes > 1)
		pthread_barrier_wait(&h->step);
}

/*
 * One lane's share of a cycle, in lockstep with the others: in each step
 * every lane takes one CPU down, they wait for each other (so all those
 * CPUs are down at once), then each brings its CPU back.  A lane with
 * nothing left to do, or after an error, still meets every barrier, and
 * a CPU it took down always comes back.
 */
static void
run_lane(struct lane *l)
{
	struct hotplug *h = l->h;
	double ms;
	int i, r, down;

	for (i = 0; i < h->steps; i++) {
		down = 0;
		if (i < l->n && !wl_stopping(h->ctx) && !atomic_load(&h->failed)) {
			if (l == &h->lanes[0])
				pressure_poll(h->pr);
			r = transition(l, l->cpus[i], 0, &ms, &l->cause);
			if (r < 0)
				atomic_store(&h->failed, 1);
			else if (r != 0)
				count_skip(h, r);
			else {
				record_ms(h, 0, ms);
				down = 1;
			}
		}
		step_barrier(h);
		if (down && (r = bring_up(l, l->cpus[i], &l->cause)) < 0)
			atomic_store(&h->failed, 1);
		step_barrier(h);
	}
}

static void *
lane_main(void *arg)
{
	struct lane *l = arg;
	struct hotplug *h = l->h;

	/* The barriers exist once every thread has started (lanes_start). */
	pthread_mutex_lock(&h->mu);
	while (h->lanes_ready == 0)
		pthread_cond_wait(&h->lanes_cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	if (h->lanes_ready < 0)
		return NULL;
	for (;;) {
		pthread_barrier_wait(&h->go);
		if (atomic_load(&h->lanes_done))
			break;
		run_lane(l);
		pthread_barrier_wait(&h->gone);
	}
	return NULL;
}

static void
lanes_release(struct hotplug *h, int ready)
{
	pthread_mutex_lock(&h->mu);
	h->lanes_ready = ready;
	pthread_cond_broadcast(&h->lanes_cv);
	pthread_mutex_unlock(&h->mu);
}

/* The lanes (concurrent=, at most one per CPU) and their threads. */
static int
lanes_start(struct hotplug *h, int want, char **cause)
{
	int i, e;

	h->nlanes = want < h->ncpus ? want : h->ncpus;
	if (h->nlanes < 1)
		h->nlanes = 1;
	h->lanes = xcalloc((size_t)h->nlanes, sizeof *h->lanes);
	for (i = 0; i < h->nlanes; i++) {
		h->lanes[i].h = h;
		h->lanes[i].cpus = xcalloc((size_t)h->ncpus, sizeof(int));
		atomic_init(&h->lanes[i].op_start_ns, 0);
	}
	if (h->nlanes == 1)
		return 0;
	for (i = 1; i < h->nlanes; i++) {
		if ((e = pthread_create(&h->lanes[i].thread, NULL, lane_main,
		    &h->lanes[i])) != 0) {
			lanes_release(h, -1);
			return set_cause(cause, e, "cannot start writer "
			    "thread %d of %d: %s", i + 1, h->nlanes,
			    strerror(e));
		}
		h->lanes[i].started = 1;
	}
	pthread_barrier_init(&h->go, NULL, (unsigned)h->nlanes);
	pthread_barrier_init(&h->gone, NULL, (unsigned)h->nlanes);
	pthread_barrier_init(&h->step, NULL, (unsigned)h->nlanes);
	h->barriers = 1;
	lanes_release(h, 1);
	return 0;
}

static void
lanes_stop(struct hotplug *h)
{
	int i;

	if (h->lanes == NULL)
		return;
	if (h->barriers) {
		/* The threads wait at go between cycles: let them end. */
		atomic_store(&h->lanes_done, 1);
		pthread_barrier_wait(&h->go);
	}
	for (i = 1; i < h->nlanes; i++)
		if (h->lanes[i].started)
			pthread_join(h->lanes[i].thread, NULL);
	if (h->barriers) {
		pthread_barrier_destroy(&h->go);
		pthread_barrier_destroy(&h->gone);
		pthread_barrier_destroy(&h->step);
	}
	for (i = 0; i < h->nlanes; i++) {
		free(h->lanes[i].cpus);
		free(h->lanes[i].cause);
	}
	free(h->lanes);
	h->lanes = NULL;
}

/* This cycle's CPUs (those up), in order, dealt out among the lanes.  CPUs
 * left down by ENOSPC are first tried again from lane 0. */
static int
deal_cycle(struct hotplug *h, uint64_t *rng, int random_order)
{
	int order[MAX_CPUS], n = 0, i, r;

	for (i = 0; i < h->ncpus; i++) {
		if (h->down[i] &&
		    (r = bring_up(&h->lanes[0], h->cpus[i],
		    &h->lanes[0].cause)) < 0)
			return r;
	}
	for (i = 0; i < h->ncpus; i++)
		if (!h->down[i])
			order[n++] = h->cpus[i];
	if (random_order)
		shuffle(order, n, rng);
	for (i = 0; i < h->nlanes; i++)
		h->lanes[i].n = 0;
	for (i = 0; i < n; i++) {
		struct lane *l = &h->lanes[i % h->nlanes];

		l->cpus[l->n++] = order[i];
	}
	h->steps = (n + h->nlanes - 1) / h->nlanes;
	return 0;
}

/* The first lane error's message, moved to *cause. */
static int
lane_error(struct hotplug *h, char **cause)
{
	int i;

	for (i = 0; i < h->nlanes; i++) {
		if (h->lanes[i].cause != NULL && atomic_load(&h->failed)) {
			free(*cause);
			*cause = h->lanes[i].cause;
			h->lanes[i].cause = NULL;
			return -EIO;
		}
	}
	return set_cause(cause, EIO, "a writer thread failed");
}

/* cycles= done, unless reclaim_cycles= still wants cycles with direct
 * reclaim (and fewer than 10 x cycles= ran); cycles 0: until stopped. */
static int
more_cycles(const struct hotplug *h, int64_t cycles)
{
	if (cycles == 0 || h->cycles < cycles)
		return 1;
	return h->reclaim_want > 0 && h->reclaim_cycles < h->reclaim_want &&
	    h->cycles < cycles * 10;
}

static int
cycle_loop(struct hotplug *h, int64_t cycles, int random_order, char **cause)
{
	struct cycle_deltas d;
	int i, r;
	int64_t shown = 0, started;
	uint64_t rng = (uint64_t)wl_int(h->ctx, "seed");
	char *path;

	/* Every online file is recorded with the supervisor once, before
	 * the first write: a killed worker's CPUs still come back. */
	for (i = 0; i < h->ncpus; i++) {
		path = online_path(h->cpus[i]);
		r = wl_knob_record(h->ctx, path, "0", cause);
		free(path);
		if (r != 0)
			return r;
	}
	deltas_init(&d, h);
	r = 0;
	started = now_mono_ns();
	for (h->cycles = 0; more_cycles(h, cycles); h->cycles++) {
		if (wl_stopping(h->ctx))
			break;
		if ((r = deal_cycle(h, &rng, random_order)) < 0) {
			atomic_store(&h->failed, 1);
			break;
		}
		if (h->nlanes > 1)
			pthread_barrier_wait(&h->go);
		run_lane(&h->lanes[0]);
		if (h->nlanes > 1)
			pthread_barrier_wait(&h->gone);
		if (atomic_load(&h->failed))
			break;
		h->reclaim_cycles += deltas_cycle(&d, h->ctx);
		if (now_mono_ns() - shown >= PROGRESS_NS) {
			char total[32] = "";

			if (cycles > 0)
				snprintf(total, sizeof total, "/%lld",
				    (long long)cycles);
			wl_progress_eta(h->ctx, started, (double)h->cycles + 1,
			    (double)cycles, "cycle %lld%s: %zu transitions, "
			    "%lld skipped", (long long)h->cycles + 1, total,
			    h->noffline + h->nonline,
			    (long long)(h->skipped + h->enospc));
			shown = now_mono_ns();
		}
	}
	r = atomic_load(&h->failed) ? lane_error(h, cause) : 0;
	deltas_free(&d);
	return r;
}

/* The pressure engine's settings from the options; the cache file is
 * MemTotal/16 (at most 1 GiB) unless cache_size= says otherwise.
 * pressure=direct: the builtin engine, a floor of 20 % unless floor= is
 * given (the shared host keeps a wide margin), and a cache file that
 * can fill every page the allocators leave (pressure.h). */
static void
pressure_config_of(struct wl_ctx *ctx, struct pressure_config *pc)
{
	int64_t total_kb = meminfo_kb("MemTotal");
	const char *engine = wl_str(ctx, "pressure");

	memset(pc, 0, sizeof *pc);
	pc->engine = engine_of(engine);
	pc->direct = strcmp(engine, "direct") == 0;
	pc->floor_pct = pc->direct && !wl_isset(ctx, "floor") ?
	    DIRECT_FLOOR_PCT : wl_double(ctx, "floor");
	pc->workers = wl_isset(ctx, "workers") ?
	    (int)wl_int(ctx, "workers") : (int)sysconf(_SC_NPROCESSORS_ONLN);
	pc->thp = (int)wl_int(ctx, "thp");
	pc->limit_bytes = wl_int(ctx, "pressure_size");
	pc->cache_bytes = wl_isset(ctx, "cache_size") ?
	    wl_int(ctx, "cache_size") : total_kb * 1024 / 16;
	if (!wl_isset(ctx, "cache_size") && !pc->direct &&
	    pc->cache_bytes > (INT64_C(1) << 30))
		pc->cache_bytes = INT64_C(1) << 30;
	if (!wl_isset(ctx, "cache_size") && pc->direct)
		pc->cache_bytes = pressure_direct_cache_bytes(total_kb,
		    pc->floor_pct, pc->workers);
	pc->timeout_s = wl_int(ctx, "duration") > 0 ?
	    wl_int(ctx, "duration") / 1000 + 60 : 0;
	pc->tmpdir = wl_str(ctx, "cache_dir");
}

/* The pressure ramp as pressure_wait_ready() polls it (10 times a
 * second): the longest quiet phase of a run, so it says each second how
 * far MemAvailable still is from the floor. */
struct ramp_watch {
	struct wl_ctx *ctx;
	struct pressure *pr;
	double limit_s;          /* ramp= */
	int direct;              /* pressure=direct: also waits for reclaim */
	int64_t shown_ns;
};

static void
ramp_progress(struct ramp_watch *w)
{
	struct pressure_ramp st;

	pressure_ramp_status(w->pr, &st);
	wl_progress_eta(w->ctx, now_mono_ns() - (int64_t)(st.elapsed_s * 1e9),
	    (double)(st.start_kb - st.avail_kb),
	    (double)(st.start_kb - st.target_kb),
	    "pressure ramp %.0f s of at most %.0f s: MemAvailable %.2f GiB, "
	    "ready at %.2f GiB (floor %.2f GiB)%s", st.elapsed_s, w->limit_s,
	    (double)st.avail_kb / (1 << 20), (double)st.target_kb / (1 << 20),
	    (double)st.floor_kb / (1 << 20),
	    w->direct ? ", and once direct reclaim is seen" : "");
	w->shown_ns = now_mono_ns();
}

static int
ramp_stop_cb(void *arg)
{
	struct ramp_watch *w = arg;

	if (now_mono_ns() - w->shown_ns >= INT64_C(1000000000))
		ramp_progress(w);
	return wl_stopping(w->ctx);
}

/*
 * Start the pressure engine and wait (at most ramp=) for MemAvailable
 * to reach the floor.  0, or the run's result when it cannot start: a
 * missing stress-ng or no room above the floor is a skip.
 */
static int
start_pressure(struct wl_ctx *ctx, const struct pressure_config *pc,
    struct pressure **pr, int *result)
{
	struct ramp_watch ramp;
	char *cause = NULL;
	int r;

	wl_progress(ctx, "starting %s pressure (floor %.1f%%)",
	    wl_str(ctx, "pressure"), pc->floor_pct);
	if ((r = pressure_start(pr, pc, &cause)) != 0) {
		*result = r == -ENOENT || r == -ENOMEM || r == -ENOSPC ?
		    wl_skip(ctx, "%s", cause) : wl_fail(ctx, "%s", cause);
		free(cause);
		return -1;
	}
	ramp.ctx = ctx;
	ramp.pr = *pr;
	ramp.limit_s = (double)wl_int(ctx, "ramp") / 1000;
	ramp.direct = pc->direct;
	ramp_progress(&ramp);
	r = pressure_wait_ready(*pr, wl_int(ctx, "ramp") * 1000000,
	    ramp_stop_cb, &ramp);
	wl_sample(ctx, r == 0 ? "pressure-ready" : "pressure-ramp-end");
	return 0;
}

/* The transitions of the cycling phase, which took t0..t1. */
static void
record_transitions(struct wl_ctx *ctx, const struct hotplug *h, int64_t t0,
    int64_t t1)
{
	wl_metric(ctx, "cycles", (double)h->cycles, "count", BETTER_HIGHER);
	wl_metric(ctx, "transitions", (double)(h->noffline + h->nonline),
	    "count", BETTER_HIGHER);
	wl_metric(ctx, "skipped_transitions", (double)h->skipped, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "enospc_skips", (double)h->enospc, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "writer_threads", (double)h->nlanes, "count",
	    BETTER_HIGHER);
	wl_metric(ctx, "max_cpus_offline", (double)h->max_offline, "count",
	    BETTER_HIGHER);
	wl_metric(ctx, "cycles_in_direct_reclaim", (double)h->reclaim_cycles,
	    "count", BETTER_HIGHER);
	if (h->burst_bytes > 0)
		wl_metric(ctx, "burst_faults",
		    (double)atomic_load(&h->burst_faults), "count",
		    BETTER_HIGHER);
	if (t1 > t0)
		wl_metric(ctx, "transitions_per_s", (double)(h->noffline +
		    h->nonline) / ((double)(t1 - t0) / 1e9), "1/s",
		    BETTER_HIGHER);
	percentiles(ctx, "offline_ms", h->offline_ms, h->noffline);
	percentiles(ctx, "online_ms", h->online_ms, h->nonline);
}

/* End the pressure engine and record what it saw. */
static void
stop_pressure(struct wl_ctx *ctx, struct pressure *pr)
{
	struct pressure_stats ps;

	pressure_stop(pr, &ps);
	wl_metric(ctx, "floor_hits", (double)ps.floor_hits, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "min_mem_available_kb", (double)ps.min_avail_kb, "kB",
	    BETTER_HIGHER);
	if (ps.ramp_ms >= 0)
		wl_metric(ctx, "pressure_ramp_ms", (double)ps.ramp_ms, "ms",
		    BETTER_LOWER);
	if (ps.direct_ramp_ms >= 0)
		wl_metric(ctx, "pressure_direct_reclaim_ms",
		    (double)ps.direct_ramp_ms, "ms", BETTER_LOWER);
	if (ps.yaml != NULL) {
		wl_attach(ctx, "stress-ng.yaml", ps.yaml);
		report_stress_ng_yaml(ctx, ps.yaml);
	}
	pressure_stats_release(&ps);
}

static struct hotplug *
hotplug_new(struct wl_ctx *ctx)
{
	struct hotplug *h = xcalloc(1, sizeof *h);
	const char *hook = getenv("MMSTORM_TEST_ONLINE_ENOSPC");

	h->ctx = ctx;
	atomic_init(&h->target, -1);
	atomic_init(&h->done, 0);
	atomic_init(&h->lanes_done, 0);
	atomic_init(&h->failed, 0);
	atomic_init(&h->offline_now, 0);
	atomic_init(&h->online_writes, 0);
	pthread_mutex_init(&h->chase_mu, NULL);
	pthread_cond_init(&h->chase_cv, NULL);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->lanes_cv, NULL);
	h->hang_ns = wl_int(ctx, "hang_s") * 1000000;
	h->enospc_every = hook != NULL ? atoi(hook) : 0;
	atomic_init(&h->burst_faults, 0);
	h->reclaim_want = wl_int(ctx, "reclaim_cycles");
	if (wl_isset(ctx, "burst"))
		h->burst_bytes = (size_t)wl_int(ctx, "burst");
	else if (strcmp(wl_str(ctx, "pressure"), "direct") == 0)
		h->burst_bytes = (size_t)64 << 20;
	h->hpage = thp_pmd_size(NULL);
	h->burst_bytes &= ~(h->hpage - 1);
	return h;
}

static void
hotplug_free(struct hotplug *h)
{
	free(h->offline_ms);
	free(h->online_ms);
	pthread_cond_destroy(&h->lanes_cv);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->chase_cv);
	pthread_mutex_destroy(&h->chase_mu);
	free(h);
}

/* The CPUs to cycle: cpus=, or every hot-pluggable online one but CPU0. */
static int
choose_cpus(struct hotplug *h)
{
	const int64_t *list;
	size_t n, i;

	if ((list = wl_list(h->ctx, "cpus", &n)) == NULL)
		return default_cpus(h);
	for (i = 0; i < n; i++)
		h->cpus[h->ncpus++] = (int)list[i];
	return h->ncpus;
}

/* The cycling phase with its threads; the run's result. */
static int
cycle_phase(struct wl_ctx *ctx, struct hotplug *h, char **cause)
{
	struct sampler *smp = NULL;
	int64_t *before = NULL, *after = NULL, t0, t1;
	pthread_t chase, watch, burst;
	int have_chase = 0, have_watch = 0, have_burst = 0;
	int result = WL_PASSED, r;

	/* Only the sources report_counters() reads.  A full sampler here
	 * held a second set of per-CPU tracepoint events (the supervisor's
	 * are the run's) open through every transition: perf detaches them
	 * at each offline (bench/README.md, hotplug). */
	if (sampler_init_only(&smp, NULL, SAMPLE_VMSTAT | SAMPLE_INTERRUPTS |
	    SAMPLE_PSI, cause) == 0) {
		before = xcalloc(sampler_count(smp), sizeof *before);
		after = xcalloc(sampler_count(smp), sizeof *after);
		sampler_read(smp, before);
	}
	if ((r = lanes_start(h, (int)wl_int(ctx, "concurrent"), cause)) != 0) {
		result = wl_fail(ctx, "%s", *cause);
		goto out;
	}
	if (wl_int(ctx, "chase") &&
	    pthread_create(&chase, NULL, chase_main, h) == 0)
		have_chase = 1;
	if (pthread_create(&watch, NULL, watchdog_main, h) == 0)
		have_watch = 1;
	h->burst_floor_kb = -1;
	if (h->pr != NULL) {
		struct pressure_ramp st;

		pressure_ramp_status(h->pr, &st);
		h->burst_floor_kb = st.floor_kb;
	}
	if (h->burst_bytes > 0 &&
	    pthread_create(&burst, NULL, burst_main, h) == 0)
		have_burst = 1;
	t0 = now_mono_ns();
	r = cycle_loop(h, wl_int(ctx, "cycles"),
	    strcmp(wl_str(ctx, "order"), "random") == 0, cause);
	t1 = now_mono_ns();
	threads_done(h);
	if (r != 0)
		result = wl_fail(ctx, "%s", *cause);
	if (smp != NULL) {
		sampler_read(smp, after);
		report_counters(ctx, smp, before, after, h->cycles);
	}
	record_transitions(ctx, h, t0, t1);
	if (result == WL_PASSED && h->noffline == 0 && h->skipped > 0)
		result = wl_fail(ctx, "every offline attempt was refused "
		    "(EBUSY/EAGAIN %lld times)", (long long)h->skipped);
out:
	threads_done(h);
	if (have_chase)
		pthread_join(chase, NULL);
	if (have_burst)
		pthread_join(burst, NULL);
	if (have_watch)
		pthread_join(watch, NULL);
	lanes_stop(h);
	sampler_free(smp);
	free(before);
	free(after);
	return result;
}

static int
hotplug_run(struct wl_ctx *ctx)
{
	struct hotplug *h = hotplug_new(ctx);
	struct pressure_config pc;
	int result = WL_PASSED;
	char *cause = NULL;

	if (choose_cpus(h) == 0) {
		result = wl_skip(ctx, "no hot-pluggable CPU is online");
		goto out;
	}
	pressure_config_of(ctx, &pc);
	if (pc.engine != PRESSURE_NONE &&
	    start_pressure(ctx, &pc, &h->pr, &result) != 0)
		goto out;
	result = cycle_phase(ctx, h, &cause);
out:
	threads_done(h);
	all_online(h);
	if (h->pr != NULL)
		stop_pressure(ctx, h->pr);
	hotplug_free(h);
	free(cause);
	return result;
}

/* seed 003: on_each_cpu() drains from direct reclaim */
static const struct workload_plot hotplug_plots[] = {
	{ "function-call IPIs", { "irq.CAL" }, 0 },
	{ "direct reclaim stalls", {
	    "vmstat.allocstall_normal+vmstat.allocstall_movable" }, 0 },
	{ "direct reclaim scan and steal", { "vmstat.pgscan_direct",
	    "vmstat.pgsteal_direct" }, 0 },
	{ "memory stall, PSI some", { "psi.memory.some.total" }, 0 },
	{ "online CPUs", { "cpu.online" }, 0 },
	{ "MemAvailable", { "meminfo.MemAvailable" }, 0 },
	{ NULL, { NULL }, 0 },
};

static const char *const hotplug_headline_metrics[] = {
	"offline_ms_p50", "offline_ms_p99", "offline_ms_max",
	"online_ms_p50", "online_ms_p99", "online_ms_max",
	"transitions_per_s", "allocstall_normal", "allocstall_movable",
	"pgscan_direct", "psi_memory_some_us", "cal_irqs", NULL,
};

/* Each transition's latency, and what direct reclaim and memory
 * stalls did in the same cycle, on one time axis. */
static const struct workload_values_plot hotplug_headline_values[] = {
	{ "transition latency", { "offline_ms", "online_ms" } },
	{ "direct reclaim per cycle", { "cycle.allocstall_normal",
	    "cycle.allocstall_movable", "cycle.pgscan_direct" } },
	{ "memory stall per cycle, PSI some", {
	    "cycle.psi_memory_some_us" } },
	{ NULL, { NULL } },
};

/*
 * Seed 003's path: drain_all_pages() from direct reclaim while CPUs go
 * down.  Direct reclaim must happen in the cycles themselves (not only
 * in the ramp), per-CPU lists must be drained back to the buddy
 * allocator (free_pcppages_bulk(); page_alloc_cpu_dead() does it for the
 * dead CPU), and CPUs must really change state.
 */
static const struct workload_proof hotplug_proofs[] = {
	{ "cycles with direct reclaim", "metric:cycles_in_direct_reclaim", 1,
	    NULL },
	{ "per-CPU page lists drained", "tp.kmem.mm_page_pcpu_drain", 1,
	    NULL },
	{ "CPUs taken down", "tp.cpuhp.cpuhp_enter|metric:transitions", 1,
	    NULL },
	{ NULL, NULL, 0, NULL },
};

const struct workload wl_hotplug = {
	.name = "hotplug",
	.summary = "cycle CPUs offline/online while global memory pressure "
	    "keeps allocations in direct reclaim",
	.seeds = "003",
	.options = hotplug_opts,
	.primary_metric = "transitions_per_s",
	.supported = hotplug_supported,
	.run = hotplug_run,
	.plots = hotplug_plots,
	.headline_metrics = hotplug_headline_metrics,
	.headline_values = hotplug_headline_values,
	.path = "drain_all_pages() from direct reclaim while CPUs go offline",
	.proofs = hotplug_proofs,
};
