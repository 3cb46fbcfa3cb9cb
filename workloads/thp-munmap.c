/*
 * thp-munmap.c - time munmap() of a large THP region held by many threads.
 *
 * Seed 004 (2019): a qemu process with 128 vCPU threads took 275 s to
 * munmap 496 GB of THP on powerpc, because serialize_against_pte_lookup()
 * ran smp_call_function_many() over mm_cpumask once per huge page.  The
 * cost is one IPI broadcast per THP times the number of CPUs the mm is
 * live on, so this workload keeps T pinned threads running in the mm
 * while the main thread times the munmap, and sweeps T to get the slope.
 * mmtests' time_unmap does the same without MADV_HUGEPAGE.
 *
 * One iteration:
 *   1. mmap size + one huge page, trim it to an aligned region,
 *      MADV_HUGEPAGE (and mbind to node= when asked); the huge page is
 *      the PMD size, hpage_pmd_size: 2 MiB on x86, 16 MiB on ppc64 hash;
 *   2. T threads pinned round-robin over the CPUs (alternating NUMA
 *      nodes) populate their slices with MADV_POPULATE_WRITE: fault_ms;
 *   3. with touch=1 they then write one byte per huge page in a loop, so
 *      the mm stays live and its TLB entries warm on every CPU;
 *   4. AnonHugePages of the region in /proc/self/smaps proves THP
 *      coverage;
 *   5. the threads stop touching memory and spin in sched_yield() (the mm
 *      stays loaded on their CPUs: x86 skips lazy-TLB CPUs in
 *      native_flush_tlb_multi(), so sleeping threads would hide the IPIs);
 *   6. with split=1 every PMD is split by MADV_DONTNEED of 2 MiB - 4 KiB
 *      (huge page minus one base page),
 *      as tools/testing/selftests/mm/transhuge-stress.c does;
 *   7. the munmap is timed, with CAL/TLB interrupt counts around it;
 *   8. the threads are released and joined.
 *
 * The seed's other conditions (docs/design-notes.md, "Seed conditions"):
 * gup= starts GUP-fast walkers (O_DIRECT reads into the region, or
 * vmsplice() from it) after step 4, racing the split, the collapse and
 * the munmap, the lockless walks serialize_against_pte_lookup() waited
 * for; collapse=1 MADV_COLLAPSEs every huge page back after the split;
 * backing=shmem maps a memfd instead of anonymous memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <numa.h>
#include <numaif.h>

#include "run/options.h"
#include "probe/meminfo.h"
#include "probe/procfs.h"
#include "probe/thp.h"
#include "common/util.h"
#include "run/workload.h"
#include "workloads/thp-extra.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  /* Linux 5.14 */
#endif

#define GIB            ((double)(1 << 30))
/* A bound for the parser only: what the machine holds is checked
 * against MemAvailable (region_size()). */
#define SIZE_MAX_OPT   (INT64_C(1) << 50)
#define AVAIL_PCT      90   /* of MemAvailable: page tables, the worker */
#define GUP_CHUNK      ((size_t)64 << 10)  /* one GUP call: 16 pages */
#define POPULATE_CHUNK ((size_t)64 << 20)   /* stop checks between chunks */
#define THREAD_STACK   ((size_t)256 << 10)
#define POLL_NS        (INT64_C(200) * 1000)

static const struct opt_spec thp_munmap_opts[] = {
	{ "threads", OPT_INT, 1, 4096, NULL, NULL,
	    "threads in the mm, pinned round-robin over the allowed CPUs "
	    "(default: one per CPU)" },
	{ "size", OPT_SIZE, INT64_C(2) << 20, SIZE_MAX_OPT, NULL, NULL,
	    "THP region, rounded down to whole huge pages; at most 90 % of "
	    "MemAvailable (default: a quarter of MemAvailable)" },
	{ "backing", OPT_ENUM, 0, 0, "anon", "anon|shmem",
	    "anon: private anonymous memory; shmem: a memfd mapped shared "
	    "with MADV_HUGEPAGE (shmem_enabled never or deny is set to "
	    "advise for the run, restored after)" },
	{ "gup", OPT_ENUM, 0, 0, "none", "none|odirect|vmsplice",
	    "lockless page-table walkers (GUP-fast) racing the split and "
	    "the munmap from other threads: odirect: O_DIRECT reads from a "
	    "file into the region; vmsplice: vmsplice() of the region into "
	    "a pipe" },
	{ "gup_threads", OPT_INT, 1, 64, "1", NULL,
	    "gup=: walker threads (not pinned)" },
	{ "dir", OPT_STRING, 0, 0, NULL, NULL,
	    "gup=odirect: directory of the file read with O_DIRECT; its "
	    "filesystem must take O_DIRECT (default: $TMPDIR or /var/tmp)" },
	{ "collapse", OPT_BOOL, 0, 1, "0", NULL,
	    "with split=1: MADV_COLLAPSE every huge page back after the "
	    "split, before the munmap (Linux 6.1+; skipped where the kernel "
	    "refuses it)" },
	{ "node", OPT_INT, -1, 1023, "-1", NULL,
	    "NUMA node to bind the region to; -1: each thread faults on its "
	    "own node, threads alternate between nodes" },
	{ "thp", OPT_ENUM, 0, 0, "madvise", "madvise|always",
	    "madvise: MADV_HUGEPAGE on the region; always: also set "
	    "transparent_hugepage/enabled to always (restored after)" },
	{ "split", OPT_BOOL, 0, 1, "0", NULL,
	    "split every PMD (MADV_DONTNEED of all but 4K of each huge "
	    "page) before the munmap" },
	{ "sweep", OPT_INTLIST, 1, 4096, NULL, NULL,
	    "thread counts to run in turn, e.g. 1,2,4 (overrides threads)" },
	{ "iterations", OPT_INT, 1, 1000, "1", NULL,
	    "iterations per thread count; metrics are medians" },
	{ "min_coverage", OPT_PERCENT, 0, 100, "90", NULL,
	    "fail when less of the region than this is backed by THP" },
	{ "touch", OPT_BOOL, 0, 1, "1", NULL,
	    "threads keep writing their slice until just before the munmap" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* What the main thread and the pinned threads share in one iteration. */
struct shared {
	char *base;
	size_t hpage;            /* PMD size: 2M on x86, 16M on ppc64 hash */
	size_t page;
	int nthreads;
	int touch;
	atomic_int go;           /* start faulting */
	atomic_int abort;        /* give up: error or the run is stopping */
	atomic_int faulted;      /* threads whose slice is populated */
	atomic_int touched;      /* threads that made one touch pass */
	atomic_int stop_touch;   /* no more memory access from here on */
	atomic_int parked;       /* threads that stopped touching memory */
	atomic_int release;      /* munmap done: exit */
	atomic_int error;        /* first errno of a thread */
	_Atomic int64_t fault_end_ns;

	/* gup=: the walkers run from race until race_stop */
	size_t size;
	int gup;                 /* enum gup_mode */
	int gup_fd;              /* gup=odirect: the O_DIRECT file */
	atomic_int race;
	atomic_int race_stop;
	atomic_int racers_parked;
	_Atomic uint64_t gup_calls, gup_efault, gup_errors;
	atomic_int gup_error;    /* first errno other than EFAULT */
};

enum gup_mode {
	GUP_NONE,
	GUP_ODIRECT,
	GUP_VMSPLICE,
};

/* One GUP-fast walker. */
struct racer {
	struct shared *sh;
	pthread_t tid;
	int index;
	int pipe[2];             /* gup=vmsplice */
	int devnull;
};

struct thread {
	struct shared *sh;
	pthread_t tid;
	int cpu;
	char *start;
	size_t len;
};

/* One iteration's measurements. */
struct iteration {
	double fault_ms;
	double munmap_ms;
	double coverage_pct;
	int64_t anon_huge_kb;
	int64_t tlb_irqs;        /* -1: no TLB row (not x86) */
	int64_t cal_irqs;
	int64_t split_pmds;      /* vmstat thp_split_pmd delta, -1 unknown */
	uint64_t gup_calls, gup_efault, gup_errors;
	struct collapse_counts collapse;
	int64_t collapse_alloc;  /* vmstat thp_collapse_alloc delta, or -1 */
	double collapse_ms;
};

/* Settings of the whole run. */
struct config {
	size_t size;
	size_t hpage;
	size_t page;
	int node;
	int split;
	int touch;
	int shmem;
	int gup;                 /* enum gup_mode */
	int gup_threads;
	int gup_fd;              /* -1 unless gup=odirect */
	int collapse;
	int repeat;
	double min_coverage;
	int *cpus;               /* pinning order */
	int ncpus;
	/* The progress line: iterations over the whole sweep. */
	int steps_total;
	int64_t started_ns;
};

/*
 * Huge pages mapped by PMD inside [base, base + size), from
 * /proc/self/smaps: AnonHugePages, or ShmemPmdMapped for backing=shmem.  Not smaps_rollup: the worker is forked from the
 * supervisor and, with THP always, inherits huge pages of its own that
 * would pass for coverage of the region.
 */
static int
region_anon_huge_kb(const char *base, size_t size, int64_t *out,
    char **cause)
{
	const char *path = "/proc/self/smaps";
	char *text = NULL, *line, *next, *end;
	uintptr_t lo, hi, start = (uintptr_t)base, stop = start + size;
	int64_t kb;
	int r, inside = 0, seen = 0;

	if ((r = read_file(path, &text, NULL, cause)) != 0)
		return r;
	*out = 0;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		/* A mapping starts "lo-hi perms ..."; fields "Name: value". */
		lo = (uintptr_t)strtoull(line, &end, 16);
		if (end != line && *end == '-') {
			hi = (uintptr_t)strtoull(end + 1, &end, 16);
			inside = lo >= start && hi <= stop;
			seen += inside;
			continue;
		}
		/* smaps fields have meminfo's form, "Key:  N kB". */
		if (inside && (meminfo_value(line, "AnonHugePages", &kb) == 0 ||
		    meminfo_value(line, "ShmemPmdMapped", &kb) == 0))
			*out += kb;
	}
	free(text);
	if (seen == 0)
		return set_cause(cause, ENOENT,
		    "the region is not in '%s'", path);
	return 0;
}

/* Sum over CPUs of the CAL and TLB rows of /proc/interrupts, -1 if absent. */
static int
read_irqs(int64_t *cal, int64_t *tlb, char **cause)
{
	char *text = NULL;
	int r;

	if ((r = read_file("/proc/interrupts", &text, NULL, cause)) != 0)
		return r;
	*cal = procfs_irq_total(text, "CAL");
	*tlb = procfs_irq_total(text, "TLB");
	free(text);
	return 0;
}

/*
 * size=, or a quarter of MemAvailable, in whole huge pages; what the
 * machine can hold is AVAIL_PCT of MemAvailable (seed 004's region was
 * 496 GB: no fixed cap).  -ENOMEM with *cause when it does not fit.
 */
static int
region_size(const struct params *ps, int64_t avail_kb, size_t hpage,
    size_t *size, char **cause)
{
	double avail = (double)avail_kb * 1024, limit;
	int64_t want;

	limit = avail * AVAIL_PCT / 100;
	want = params_isset(ps, "size") ? params_int(ps, "size") :
	    avail_kb * 1024 / 4;
	want -= want % (int64_t)hpage;
	if (want < (int64_t)hpage)
		return set_cause(cause, ENOMEM, "size is less than one huge "
		    "page (%zu KiB) or MemAvailable is too small (%.1f MiB)",
		    hpage >> 10, avail / (1 << 20));
	if ((double)want > limit)
		return set_cause(cause, ENOMEM, "size %.2f GiB is more than "
		    "this machine can hold: %d %% of MemAvailable is %.2f GiB",
		    (double)want / GIB, AVAIL_PCT, limit / GIB);
	*size = (size_t)want;
	return 0;
}

static const char *
gup_dir(const struct params *ps)
{
	/* Not /tmp: a tmpfs takes O_DIRECT only since Linux 6.6. */
	return dir_option(ps, "/var/tmp");
}

static int
gup_mode_of(const char *name)
{
	if (strcmp(name, "odirect") == 0)
		return GUP_ODIRECT;
	if (strcmp(name, "vmsplice") == 0)
		return GUP_VMSPLICE;
	return GUP_NONE;
}

/* The seed-004 options that need something of the kernel or of the
 * other options: collapse=, backing=shmem, gup=odirect. */
static int
options_supported(const struct params *ps, size_t hpage, char **reason)
{
	int must_set;

	if (params_int(ps, "collapse") && !params_int(ps, "split"))
		return set_cause(reason, EINVAL, "collapse=1 needs split=1: "
		    "a region still mapped by PMDs has nothing to collapse");
	if (params_int(ps, "collapse") &&
	    collapse_available(hpage, reason) != 0)
		return -ENOTSUP;
	if (strcmp(params_str(ps, "backing"), "shmem") == 0 &&
	    shmem_thp_check(&must_set, reason) != 0)
		return -ENOTSUP;
	if (gup_mode_of(params_str(ps, "gup")) == GUP_ODIRECT &&
	    access(gup_dir(ps), W_OK | X_OK) != 0)
		return set_cause(reason, errno, "gup=odirect cannot create "
		    "its file in '%s': %s", gup_dir(ps), strerror(errno));
	return 0;
}

static int
thp_munmap_supported(const struct params *ps, char **reason)
{
	const char *thp = params_str(ps, "thp");
	char *mode = NULL, *why = NULL;
	int64_t avail_kb, node = params_int(ps, "node");
	long long node_bytes;
	size_t size, hpage;
	int r;

	if (thp_mode(NULL, "enabled", &mode, &why) != 0) {
		r = set_cause(reason, ENOTSUP, "THP is not available: %s", why);
		goto out;
	}
	if (strcmp(thp, "always") != 0 && strcmp(mode, "never") == 0) {
		r = set_cause(reason, ENOTSUP,
		    "THP is disabled: transparent_hugepage=never "
		    "(thp=always would enable it for the run)");
		goto out;
	}
	if (strcmp(thp, "always") == 0 && strcmp(mode, "always") != 0 &&
	    access(THP_ENABLED, W_OK) != 0) {
		r = set_cause(reason, errno,
		    "thp=always needs to write '%s': %s", THP_ENABLED,
		    strerror(errno));
		goto out;
	}
	hpage = thp_pmd_size(NULL);
	if ((r = thp_pmd_allowed(NULL, hpage, reason)) != 0)
		goto out;
	if ((r = meminfo_read(MEMINFO_PATH, "MemAvailable", &avail_kb,
	    reason)) != 0)
		goto out;
	if ((r = region_size(ps, avail_kb, hpage, &size, reason)) != 0)
		goto out;
	if ((r = options_supported(ps, hpage, reason)) != 0)
		goto out;
	if (node >= 0) {
		if (numa_available() < 0 || node > numa_max_node() ||
		    (node_bytes = numa_node_size64((int)node, NULL)) < 0) {
			r = set_cause(reason, ENODEV, "NUMA node %" PRId64
			    " does not exist here", node);
			goto out;
		}
		if ((double)size > (double)node_bytes) {
			r = set_cause(reason, ENOMEM,
			    "size %.2f GiB is more than node %" PRId64
			    " has (%.2f GiB)", (double)size / GIB, node,
			    (double)node_bytes / GIB);
			goto out;
		}
	}
	r = 0;
out:
	free(why);
	free(mode);
	return r;
}

/*
 * The CPUs this process may run on, ordered so that consecutive threads
 * land on different NUMA nodes (node0 cpu, node1 cpu, node0 cpu, ...):
 * with node=-1 each thread's slice is then faulted on its own node.
 */
static int
cpu_order(int interleave_nodes, int **out, int *n, char **cause)
{
	cpu_set_t set;
	int *cpus = NULL, *nodes = NULL, *order = NULL, *rank = NULL;
	int ncpus = 0, cpu, i, j, round, placed;

	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return set_cause(cause, errno, "sched_getaffinity: %s",
		    strerror(errno));
	cpus = xcalloc(CPU_SETSIZE, sizeof *cpus);
	nodes = xcalloc(CPU_SETSIZE, sizeof *nodes);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		nodes[ncpus] = 0;
		if (interleave_nodes && numa_available() >= 0 &&
		    (nodes[ncpus] = numa_node_of_cpu(cpu)) < 0)
			nodes[ncpus] = 0;
		cpus[ncpus++] = cpu;
	}
	order = xcalloc((size_t)ncpus, sizeof *order);
	/* rank[i]: position of cpus[i] among the CPUs of its node */
	rank = xcalloc((size_t)ncpus, sizeof *rank);
	for (i = 0; i < ncpus; i++)
		for (j = 0; j < i; j++)
			rank[i] += nodes[j] == nodes[i];
	placed = 0;
	for (round = 0; placed < ncpus; round++) {
		for (i = 0; i < ncpus; i++)
			if (rank[i] == round)
				order[placed++] = cpus[i];
	}
	*out = order;
	*n = ncpus;
	free(rank);
	free(nodes);
	free(cpus);
	return 0;
}

static void
spin_until(atomic_int *flag)
{
	/* sched_yield(): the main thread shares a CPU with one of us and
	 * must not be time-sliced against a spinner while it is timed. */
	while (!atomic_load_explicit(flag, memory_order_acquire))
		sched_yield();
}

static int
populate(struct thread *t)
{
	struct shared *sh = t->sh;
	size_t off, n, i;

	for (off = 0; off < t->len; off += n) {
		if (atomic_load_explicit(&sh->abort, memory_order_relaxed))
			return 0;
		n = t->len - off < POPULATE_CHUNK ? t->len - off :
		    POPULATE_CHUNK;
		if (madvise(t->start + off, n, MADV_POPULATE_WRITE) == 0)
			continue;
		if (errno != EINVAL)
			return errno;
		/* Before 5.14: fault every base page by hand, so a THP
		 * fallback shows in the coverage, not as holes. */
		for (i = 0; i < n; i += sh->page)
			((volatile char *)t->start)[off + i] = 1;
	}
	return 0;
}

static void *
thread_main(void *arg)
{
	struct thread *t = arg;
	struct shared *sh = t->sh;
	size_t off;
	int err, passes = 0;
	char v = 0;

	while (!atomic_load_explicit(&sh->go, memory_order_acquire))
		sched_yield();
	if ((err = populate(t)) != 0) {
		atomic_compare_exchange_strong(&sh->error, &(int){ 0 }, err);
		atomic_store(&sh->abort, 1);
	}
	if (atomic_fetch_add(&sh->faulted, 1) + 1 == sh->nthreads)
		atomic_store(&sh->fault_end_ns, now_mono_ns());

	/* One byte per huge page keeps this CPU in mm_cpumask and the
	 * translations live, as the vCPU threads of seed 004 did. */
	while (sh->touch &&
	    !atomic_load_explicit(&sh->stop_touch, memory_order_acquire) &&
	    !atomic_load_explicit(&sh->abort, memory_order_relaxed)) {
		for (off = 0; off < t->len; off += sh->hpage) {
			if (atomic_load_explicit(&sh->stop_touch,
			    memory_order_acquire))
				break;
			((volatile char *)t->start)[off] = v;
		}
		v++;
		if (passes++ == 0)
			atomic_fetch_add(&sh->touched, 1);
		if (t->len == 0)
			sched_yield();
	}
	atomic_fetch_add(&sh->parked, 1);
	spin_until(&sh->release);
	return NULL;
}

/*
 * Wait until *counter reaches want; 1 when the run is stopping (abort is
 * set then), 0 when reached or a thread failed (abort set by it).
 */
static int
wait_count(struct wl_ctx *ctx, struct shared *sh, atomic_int *counter,
    int want)
{
	while (atomic_load(counter) < want) {
		if (atomic_load(&sh->abort))
			return 0;
		if (wl_stopping(ctx)) {
			atomic_store(&sh->abort, 1);
			return 1;
		}
		sleep_ns(POLL_NS);
	}
	return 0;
}

static int
bind_to_node(char *base, size_t size, int node, char **cause)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))];
	size_t bits = 8 * sizeof(unsigned long);

	/* mbind(2) rather than numa_tonode_memory(): libnuma reports
	 * failure by printing, and we need the errno. */
	memset(mask, 0, sizeof mask);
	mask[(size_t)node / bits] |= 1UL << ((size_t)node % bits);
	/* The kernel reads maxnode - 1 bits (get_nodes()). */
	if (mbind(base, size, MPOL_BIND, mask, 8 * sizeof mask + 1, 0) != 0)
		return set_cause(cause, errno, "mbind to node %d: %s", node,
		    strerror(errno));
	return 0;
}

/*
 * mmap the region aligned, MADV_HUGEPAGE, and bind it to node= if set.
 * backing=shmem maps a memfd (*fd) shared over the aligned range: file
 * offset 0 at a PMD boundary, so shmem_get_unmapped_area() is not needed
 * for huge pages.
 */
static int
map_region(const struct config *cf, char **base, int *fd, char **cause)
{
	int r;

	if ((r = thp_map_aligned(cf->size, cf->hpage, 0, base, cause)) != 0)
		return r;
	if (cf->shmem) {
		if ((r = shmem_file("mmstorm-thp-munmap", cf->size, fd,
		    cause)) != 0)
			return r;
		if (mmap(*base, cf->size, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, *fd, 0) == MAP_FAILED)
			return set_cause(cause, errno, "cannot map the shmem "
			    "file: %s", strerror(errno));
	}
	if (madvise(*base, cf->size, MADV_HUGEPAGE) != 0)
		return set_cause(cause, errno, "madvise(MADV_HUGEPAGE): %s",
		    strerror(errno));
	if (cf->node >= 0)
		return bind_to_node(*base, cf->size, cf->node, cause);
	return 0;
}

/*
 * One GUP call on GUP_CHUNK bytes at addr: get_user_pages_fast() walks
 * the page tables with interrupts off and no lock, the walker seed 004's
 * serialize_against_pte_lookup() waits for.  0, or the errno.
 */
static int
gup_once(struct racer *rc, char *addr)
{
	struct iovec iov = { addr, GUP_CHUNK };
	ssize_t n;

	if (rc->sh->gup == GUP_ODIRECT) {
		/* The direct I/O pins the pages it reads into. */
		n = pread(rc->sh->gup_fd, addr, GUP_CHUNK, 0);
		return n < 0 ? errno : 0;
	}
	if ((n = vmsplice(rc->pipe[1], &iov, 1, 0)) < 0)
		return errno;
	/* Empty the pipe for the next call; the pages go with it. */
	while (n > 0) {
		ssize_t m = splice(rc->pipe[0], NULL, rc->devnull, NULL,
		    (size_t)n, 0);

		if (m <= 0)
			return m < 0 ? errno : EIO;
		n -= m;
	}
	return 0;
}

static void *
racer_main(void *arg)
{
	struct racer *rc = arg;
	struct shared *sh = rc->sh;
	size_t off, span = sh->size - GUP_CHUNK;
	int err;

	while (!atomic_load_explicit(&sh->race, memory_order_acquire) &&
	    !atomic_load(&sh->race_stop))
		sched_yield();
	/* Walkers start apart and step one huge page and one base page
	 * at a time: every PMD, and every offset in it, gets walked. */
	off = (size_t)rc->index * sh->hpage * 7 % span;
	while (!atomic_load_explicit(&sh->race_stop, memory_order_acquire)) {
		err = gup_once(rc, sh->base + off);
		if (err == 0)
			atomic_fetch_add(&sh->gup_calls, 1);
		else if (err == EFAULT)   /* the munmap won: the race */
			atomic_fetch_add(&sh->gup_efault, 1);
		else {
			atomic_fetch_add(&sh->gup_errors, 1);
			atomic_compare_exchange_strong(&sh->gup_error,
			    &(int){ 0 }, err);
		}
		off = (off + sh->hpage + sh->page) % span;
		off -= off % sh->page;
	}
	atomic_fetch_add(&sh->racers_parked, 1);
	return NULL;
}

/* Start gup_threads walkers, held until sh->race. */
static int
start_racers(const struct config *cf, struct shared *sh,
    struct racer *racers, int *started, char **cause)
{
	int i, err;

	for (i = 0; i < cf->gup_threads; i++) {
		racers[i].sh = sh;
		racers[i].index = i;
		racers[i].pipe[0] = racers[i].pipe[1] = -1;
		racers[i].devnull = -1;
		if (cf->gup == GUP_VMSPLICE &&
		    (pipe2(racers[i].pipe, O_CLOEXEC) != 0 ||
		    (racers[i].devnull = open("/dev/null",
		    O_WRONLY | O_CLOEXEC)) == -1))
			return set_cause(cause, errno, "gup=vmsplice: %s",
			    strerror(errno));
		if ((err = pthread_create(&racers[i].tid, NULL, racer_main,
		    &racers[i])) != 0)
			return set_cause(cause, err, "cannot start GUP walker "
			    "%d: %s", i + 1, strerror(err));
		(*started)++;
	}
	return 0;
}

/* Stop the walkers and wait until none is in a GUP call: after the
 * munmap nothing may write into the freed range. */
static void
stop_racers(struct shared *sh, int started)
{
	atomic_store(&sh->race_stop, 1);
	while (atomic_load(&sh->racers_parked) < started)
		sched_yield();
}

static void
release_racers(struct racer *racers, int n, int started)
{
	int i;

	for (i = 0; i < started; i++)
		pthread_join(racers[i].tid, NULL);
	for (i = 0; i < n; i++) {
		if (racers[i].pipe[0] != -1)
			close(racers[i].pipe[0]);
		if (racers[i].pipe[1] != -1)
			close(racers[i].pipe[1]);
		if (racers[i].devnull != -1)
			close(racers[i].devnull);
	}
}

/*
 * The O_DIRECT file of gup=odirect: GUP_CHUNK bytes, written through
 * the page cache and synced, then read with O_DIRECT; unlinked at once.
 */
static int
open_gup_file(const char *dir, int *out, char **cause)
{
	char *path = xasprintf("%s/mmstorm-thp-munmap.XXXXXX", dir);
	char *buf = xmalloc(GUP_CHUNK);
	int fd, r = 0;

	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		r = set_cause(cause, errno, "cannot create a file in '%s': %s",
		    dir, strerror(errno));
		goto out;
	}
	unlink(path);
	memset(buf, 'g', GUP_CHUNK);
	if (pwrite(fd, buf, GUP_CHUNK, 0) != (ssize_t)GUP_CHUNK ||
	    fdatasync(fd) != 0)
		r = set_cause(cause, errno, "cannot write '%s': %s", path,
		    strerror(errno));
	else if (fcntl(fd, F_SETFL, O_DIRECT) != 0)
		r = set_cause(cause, errno, "gup=odirect: the filesystem of "
		    "'%s' does not take O_DIRECT: %s", dir, strerror(errno));
	if (r != 0)
		close(fd);
	else
		*out = fd;
out:
	free(buf);
	free(path);
	return r;
}

/*
 * Start nthreads threads, each pinned to its CPU and owning a slice of
 * whole huge pages; they wait for sh->go.  *started counts the threads
 * to join, also on error.
 */
static int
start_threads(const struct config *cf, struct shared *sh,
    struct thread *threads, int nthreads, int *started, char **cause)
{
	pthread_attr_t attr;
	cpu_set_t set;
	size_t nhuge = cf->size / cf->hpage, per, extra, first, i;
	int err, r = 0;

	per = nhuge / (size_t)nthreads;
	extra = nhuge % (size_t)nthreads;
	if ((err = pthread_attr_init(&attr)) != 0)
		return set_cause(cause, err, "pthread_attr_init: %s",
		    strerror(err));
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (i = 0, first = 0; i < (size_t)nthreads; i++) {
		threads[i].sh = sh;
		threads[i].cpu = cf->cpus[i % (size_t)cf->ncpus];
		threads[i].start = sh->base + first * cf->hpage;
		threads[i].len = (per + (i < extra)) * cf->hpage;
		first += per + (i < extra);
		/* Pinned from birth, so the first fault is already on the
		 * right CPU (and node). */
		CPU_ZERO(&set);
		CPU_SET(threads[i].cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof set, &set);
		if ((err = pthread_create(&threads[i].tid, &attr, thread_main,
		    &threads[i])) != 0) {
			r = set_cause(cause, err,
			    "cannot start thread %zu of %d on cpu %d: %s",
			    i + 1, nthreads, threads[i].cpu, strerror(err));
			break;
		}
		(*started)++;
	}
	pthread_attr_destroy(&attr);
	return r;
}

/*
 * Let the threads fault their slices in (fault_ms), wait for a touch
 * pass when touch=1, measure THP coverage, then park the threads: from
 * here on nothing touches the region.  0, 1 when the run is stopping,
 * negative with *cause on error.
 */
static int
populate_region(struct wl_ctx *ctx, const struct config *cf,
    struct shared *sh, struct iteration *it, char **cause)
{
	int64_t t0;
	int err, r;

	wl_progress(ctx, "faulting %.1f GiB with %d threads",
	    (double)cf->size / GIB, sh->nthreads);
	t0 = now_mono_ns();
	atomic_store(&sh->go, 1);
	if (wait_count(ctx, sh, &sh->faulted, sh->nthreads) == 1)
		return 1;
	if ((err = atomic_load(&sh->error)) != 0)
		return set_cause(cause, err, "cannot populate the region: %s",
		    strerror(err));
	/* The last thread bumps `faulted` before it stores the end time. */
	while (atomic_load(&sh->fault_end_ns) == 0)
		sched_yield();
	it->fault_ms = (double)(atomic_load(&sh->fault_end_ns) - t0) / 1e6;

	if (cf->touch) {
		wl_progress(ctx, "touching with %d threads", sh->nthreads);
		if (wait_count(ctx, sh, &sh->touched, sh->nthreads) == 1)
			return 1;
	}
	if ((r = region_anon_huge_kb(sh->base, cf->size, &it->anon_huge_kb,
	    cause)) != 0)
		return r;
	it->coverage_pct = (double)it->anon_huge_kb * 1024 /
	    (double)cf->size * 100;

	/* From here on the threads must not touch the region: it goes. */
	atomic_store(&sh->stop_touch, 1);
	if (wait_count(ctx, sh, &sh->parked, sh->nthreads) == 1)
		return 1;
	return 0;
}

/* split=1: MADV_DONTNEED all but one base page of every huge page, and
 * count the PMD splits that caused in vmstat. */
static int
split_every_pmd(struct wl_ctx *ctx, const struct config *cf, char *base,
    struct iteration *it, char **cause)
{
	size_t nhuge = cf->size / cf->hpage, i;
	int64_t split0 = -1, split1 = -1;

	wl_progress(ctx, "splitting %zu huge pages", nhuge);
	split0 = vmstat_counter("thp_split_pmd");
	for (i = 0; i < nhuge; i++) {
		if (madvise(base + i * cf->hpage, cf->hpage - cf->page,
		    MADV_DONTNEED) != 0)
			return set_cause(cause, errno,
			    "madvise(MADV_DONTNEED): %s", strerror(errno));
	}
	if (split0 >= 0 && (split1 = vmstat_counter("thp_split_pmd")) >= 0)
		it->split_pmds = split1 - split0;
	return 0;
}

/*
 * collapse=1: MADV_COLLAPSE every huge page of the split region back
 * (collapse_huge_page(), or collapse_file() for shmem), with the GUP
 * walkers still running.  -ENOTSUP with *cause when the kernel refuses
 * MADV_COLLAPSE: the run is skipped, never counted as collapsed.
 */
static int
collapse_region(struct wl_ctx *ctx, const struct config *cf, char *base,
    struct iteration *it, char **cause)
{
	int64_t alloc0, alloc1, t0;

	wl_progress(ctx, "collapsing %zu huge pages", cf->size / cf->hpage);
	alloc0 = vmstat_counter("thp_collapse_alloc");
	t0 = now_mono_ns();
	if (collapse_range(base, cf->size, cf->hpage, &it->collapse) != 0)
		return set_cause(cause, ENOTSUP, "MADV_COLLAPSE is not "
		    "available: madvise() says EINVAL on the region");
	it->collapse_ms = (double)(now_mono_ns() - t0) / 1e6;
	alloc1 = vmstat_counter("thp_collapse_alloc");
	it->collapse_alloc = alloc0 >= 0 && alloc1 >= 0 ? alloc1 - alloc0 :
	    -1;
	return 0;
}

/*
 * The measurement: munmap of the whole region, with the CAL and TLB
 * interrupt counts around it.  *base is NULL once the region is gone.
 */
static int
time_munmap(struct wl_ctx *ctx, const struct config *cf, char **base,
    struct shared *sh, int racers, struct iteration *it, char **cause)
{
	int nthreads = sh->nthreads;
	int64_t t0, t1, cal0, tlb0, cal1, tlb1;
	int r;

	wl_progress(ctx, "munmap %.1f GiB with %d threads",
	    (double)cf->size / GIB, nthreads);
	wl_sample(ctx, "munmap-start");
	/* The interrupt reads sit inside the samples so the supervisor's
	 * own work for a sample does not land in the deltas. */
	if ((r = read_irqs(&cal0, &tlb0, cause)) != 0)
		return r;
	t0 = now_mono_ns();
	if (munmap(*base, cf->size) != 0)
		return set_cause(cause, errno, "munmap: %s", strerror(errno));
	t1 = now_mono_ns();
	*base = NULL;
	stop_racers(sh, racers);
	r = read_irqs(&cal1, &tlb1, cause);
	wl_sample(ctx, "munmap-end");
	if (r != 0)
		return r;
	it->munmap_ms = (double)(t1 - t0) / 1e6;
	it->cal_irqs = cal0 >= 0 && cal1 >= 0 ? cal1 - cal0 : -1;
	it->tlb_irqs = tlb0 >= 0 && tlb1 >= 0 ? tlb1 - tlb0 : -1;
	return 0;
}

/*
 * Let the GUP walkers go and wait for each to finish a call, so the
 * split, the collapse and the munmap all race them.  0, or 1 when the
 * run is stopping.
 */
static int
start_race(struct wl_ctx *ctx, struct shared *sh, int racers)
{
	if (racers == 0)
		return 0;
	atomic_store_explicit(&sh->race, 1, memory_order_release);
	while (atomic_load(&sh->gup_calls) + atomic_load(&sh->gup_errors) <
	    (uint64_t)racers) {
		if (wl_stopping(ctx))
			return 1;
		sched_yield();
	}
	return 0;
}

/*
 * One iteration with nthreads threads.  0 with *it filled, 1 when the run
 * is stopping (nothing measured), negative with *cause on error.
 */
static int
run_iteration(struct wl_ctx *ctx, const struct config *cf, int nthreads,
    struct iteration *it, char **cause)
{
	struct shared sh;
	struct thread *threads = NULL;
	struct racer *racers = NULL;
	char *base = NULL;
	int started = 0, racing = 0, fd = -1, r;
	size_t i;

	memset(it, 0, sizeof *it);
	memset(&sh, 0, sizeof sh);
	it->split_pmds = it->collapse_alloc = -1;

	if ((r = map_region(cf, &base, &fd, cause)) != 0)
		goto out;
	sh.base = base;
	sh.size = cf->size;
	sh.hpage = cf->hpage;
	sh.page = cf->page;
	sh.nthreads = nthreads;
	sh.touch = cf->touch;
	sh.gup = cf->gup;
	sh.gup_fd = cf->gup_fd;
	threads = xcalloc((size_t)nthreads, sizeof *threads);
	racers = xcalloc((size_t)cf->gup_threads, sizeof *racers);
	if ((r = start_threads(cf, &sh, threads, nthreads, &started,
	    cause)) != 0)
		goto out;
	if (cf->gup != GUP_NONE && (r = start_racers(cf, &sh, racers,
	    &racing, cause)) != 0)
		goto out;
	if ((r = populate_region(ctx, cf, &sh, it, cause)) != 0 ||
	    (r = start_race(ctx, &sh, racing)) != 0)
		goto out;
	if (cf->split && (r = split_every_pmd(ctx, cf, base, it, cause)) != 0)
		goto out;
	if (cf->collapse && (r = collapse_region(ctx, cf, base, it,
	    cause)) != 0)
		goto out;
	r = time_munmap(ctx, cf, &base, &sh, racing, it, cause);
out:
	/* Threads first: the region must outlive every access to it. */
	stop_racers(&sh, racing);
	atomic_store(&sh.abort, 1);
	atomic_store(&sh.stop_touch, 1);
	atomic_store(&sh.go, 1);
	atomic_store(&sh.release, 1);
	for (i = 0; i < (size_t)started; i++)
		pthread_join(threads[i].tid, NULL);
	release_racers(racers, cf->gup_threads, racing);
	if (base != NULL)
		munmap(base, cf->size);
	if (fd != -1)
		close(fd);
	it->gup_calls = atomic_load(&sh.gup_calls);
	it->gup_efault = atomic_load(&sh.gup_efault);
	it->gup_errors = atomic_load(&sh.gup_errors);
	if (r == 0 && atomic_load(&sh.gup_error) != 0)
		r = set_cause(cause, atomic_load(&sh.gup_error), "a GUP walker "
		    "failed: %s", strerror(atomic_load(&sh.gup_error)));
	free(racers);
	free(threads);
	return r;
}

static int
double_compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values taken with get(); the array is not modified. */
static double
median(const struct iteration *its, size_t n,
    double (*get)(const struct iteration *))
{
	double *v = xcalloc(n, sizeof *v), m;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = get(&its[i]);
	qsort(v, n, sizeof *v, double_compare);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return m;
}

static double
get_munmap_ms(const struct iteration *it)
{
	return it->munmap_ms;
}

static double
get_fault_ms(const struct iteration *it)
{
	return it->fault_ms;
}

static double
get_tlb(const struct iteration *it)
{
	return (double)it->tlb_irqs;
}

static double
get_cal(const struct iteration *it)
{
	return (double)it->cal_irqs;
}

static double
get_split(const struct iteration *it)
{
	return (double)it->split_pmds;
}

/* gup= and collapse=: totals over the repeats, so a gate sees any. */
static void
record_race_metrics(struct wl_ctx *ctx, const struct config *cf,
    const struct iteration *its, size_t n)
{
	uint64_t calls = 0, efault = 0, errors = 0, ok = 0, again = 0;
	uint64_t failed = 0;
	int64_t alloc = 0;
	double ms = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		calls += its[i].gup_calls;
		efault += its[i].gup_efault;
		errors += its[i].gup_errors;
		ok += its[i].collapse.ok;
		again += its[i].collapse.again;
		failed += its[i].collapse.failed;
		ms += its[i].collapse_ms;
		if (alloc >= 0)
			alloc = its[i].collapse_alloc < 0 ? -1 :
			    alloc + its[i].collapse_alloc;
	}
	if (cf->gup != GUP_NONE) {
		wl_metric(ctx, "gup_calls", (double)calls, "count",
		    BETTER_HIGHER);
		/* Calls that found the region gone: the munmap won. */
		wl_metric(ctx, "gup_efault", (double)efault, "count",
		    BETTER_HIGHER);
		wl_metric(ctx, "gup_errors", (double)errors, "count",
		    BETTER_LOWER);
	}
	if (!cf->collapse)
		return;
	wl_metric(ctx, "collapse_ok", (double)ok, "count", BETTER_HIGHER);
	/* EAGAIN/EBUSY: a page was pinned (by a walker) or busy. */
	wl_metric(ctx, "collapse_again", (double)again, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "collapse_failed", (double)failed, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "collapse_ms", ms / (double)n, "ms", BETTER_LOWER);
	if (alloc >= 0)
		wl_metric(ctx, "thp_collapse_alloc", (double)alloc, "count",
		    BETTER_HIGHER);
}

/* Metrics of one thread count; suffix "" or "_t4" (sweeps). */
static void
record_metrics(struct wl_ctx *ctx, const struct config *cf, int nthreads,
    const struct iteration *its, size_t n, const char *suffix, int headline)
{
	double gib = (double)cf->size / GIB, ms, tlb, minimum;
	size_t nhuge = cf->size / cf->hpage, i;
	char name[64];

	ms = median(its, n, get_munmap_ms);
	snprintf(name, sizeof name, "munmap_ms%s", suffix);
	wl_metric(ctx, name, ms, "ms", BETTER_LOWER);
	snprintf(name, sizeof name, "fault_ms%s", suffix);
	wl_metric(ctx, name, median(its, n, get_fault_ms), "ms",
	    BETTER_LOWER);
	if (its[0].tlb_irqs >= 0) {
		snprintf(name, sizeof name, "munmap_tlb_irqs%s", suffix);
		wl_metric(ctx, name, median(its, n, get_tlb), "count",
		    BETTER_LOWER);
	}
	if (!headline)
		return;

	wl_metric(ctx, "munmap_ms_per_gib", ms / gib, "ms/GiB", BETTER_LOWER);
	wl_metric(ctx, "us_per_hugepage", ms * 1000 / (double)nhuge, "us",
	    BETTER_LOWER);
	/* The worst repeat: each one had to reach min_coverage. */
	for (i = 0, minimum = its[0].coverage_pct; i < n; i++)
		if (its[i].coverage_pct < minimum)
			minimum = its[i].coverage_pct;
	wl_metric(ctx, "thp_coverage_pct", minimum, "%", BETTER_HIGHER);
	if (its[0].tlb_irqs >= 0) {
		tlb = median(its, n, get_tlb);
		wl_metric(ctx, "tlb_irqs_per_gib", tlb / gib, "count/GiB",
		    BETTER_LOWER);
	}
	if (its[0].cal_irqs >= 0)
		wl_metric(ctx, "munmap_cal_irqs", median(its, n, get_cal),
		    "count", BETTER_LOWER);
	if (cf->split && its[0].split_pmds >= 0)
		wl_metric(ctx, "thp_split_pmd", median(its, n, get_split),
		    "count", BETTER_HIGHER);
	record_race_metrics(ctx, cf, its, n);
	/* Parameters, so a table of metrics says what was measured. */
	wl_metric(ctx, "threads", nthreads, "threads", BETTER_HIGHER);
	wl_metric(ctx, "size_gib", gib, "GiB", BETTER_HIGHER);
}

/* Least-squares slope of y on x; 0 with fewer than two distinct x. */
static int
slope(const double *x, const double *y, size_t n, double *out)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	if (sxx == 0)
		return -EINVAL;
	*out = sxy / sxx;
	return 0;
}

/* backing=shmem: shmem_enabled; gup=odirect: its file. */
static int
prepare_options(struct wl_ctx *ctx, struct config *cf, char **cause)
{
	int r;

	if (cf->shmem && (r = shmem_thp_enable(ctx, cause)) != 0)
		return r;
	if (cf->gup == GUP_ODIRECT)
		return open_gup_file(gup_dir(wl_params(ctx)), &cf->gup_fd,
		    cause);
	return 0;
}

/*
 * Check again what supported() checked in the supervisor (the machine
 * may have changed since), set thp=always, and decide the region size
 * and the CPU order.  0 when the run can go on, else the run's result.
 */
static int
prepare_run(struct wl_ctx *ctx, struct config *cf, int *result)
{
	char *cause = NULL, *mode = NULL;
	int64_t avail_kb;

	*result = WL_PASSED;
	if (thp_mode(NULL, "enabled", &mode, &cause) != 0) {
		*result = wl_skip(ctx, "THP is not available: %s", cause);
		goto out;
	}
	if (strcmp(wl_str(ctx, "thp"), "always") == 0 &&
	    strcmp(mode, "always") != 0 &&
	    wl_knob_set(ctx, THP_ENABLED, "always", &cause) != 0) {
		*result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	if (strcmp(wl_str(ctx, "thp"), "always") != 0 &&
	    strcmp(mode, "never") == 0) {
		*result = wl_skip(ctx, "THP is disabled: "
		    "transparent_hugepage=never");
		goto out;
	}
	cf->hpage = thp_pmd_size(NULL);
	cf->page = (size_t)sysconf(_SC_PAGESIZE);
	if (thp_pmd_allowed(NULL, cf->hpage, &cause) != 0) {
		*result = wl_skip(ctx, "%s", cause);
		goto out;
	}
	if (meminfo_read(MEMINFO_PATH, "MemAvailable", &avail_kb,
	    &cause) != 0) {
		*result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	if (region_size(wl_params(ctx), avail_kb, cf->hpage, &cf->size,
	    &cause) != 0) {
		*result = wl_skip(ctx, "%s", cause);
		goto out;
	}
	if (cpu_order(cf->node < 0, &cf->cpus, &cf->ncpus, &cause) != 0 ||
	    prepare_options(ctx, cf, &cause) != 0) {
		*result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	free(mode);
	return 0;
out:
	free(mode);
	free(cause);
	return -1;
}

/*
 * Up to iterations= repeats with nthreads threads into its[], *done of
 * them measured; the first is step first_step of the sweep.  A repeat
 * below min_coverage ends the run: *low_coverage.  0, or negative with
 * *cause on error.
 */
static int
repeat_iterations(struct wl_ctx *ctx, const struct config *cf, int nthreads,
    int first_step, struct iteration *its, size_t *done, int *low_coverage,
    char **cause)
{
	int k, r;

	for (k = 0, *done = 0; k < cf->repeat; k++) {
		if (wl_stopping(ctx))
			break;
		wl_progress_eta(ctx, cf->started_ns, first_step + k,
		    cf->steps_total, "%d threads: iteration %d/%d",
		    nthreads, first_step + k + 1, cf->steps_total);
		r = run_iteration(ctx, cf, nthreads, &its[*done], cause);
		if (r == 1)
			break;
		if (r < 0)
			return r;
		wl_value(ctx, "fault_ms", its[*done].fault_ms);
		wl_value(ctx, "munmap_ms", its[*done].munmap_ms);
		wl_value(ctx, "thp_coverage_pct", its[*done].coverage_pct);
		(*done)++;
		if (its[*done - 1].coverage_pct < cf->min_coverage) {
			*low_coverage = 1;
			break;
		}
	}
	return 0;
}

static int
thp_munmap_run(struct wl_ctx *ctx)
{
	struct config cf;
	struct iteration *its = NULL;
	const int64_t *sweep;
	int64_t one;
	char *cause = NULL, suffix[32];
	double *xs = NULL, *ys = NULL, per_thread;
	size_t ncounts, c, done = 0, npoints = 0;
	int result, nthreads, failed_coverage = 0, r;

	memset(&cf, 0, sizeof cf);
	cf.node = (int)wl_int(ctx, "node");
	cf.split = (int)wl_int(ctx, "split");
	cf.touch = (int)wl_int(ctx, "touch");
	cf.repeat = (int)wl_int(ctx, "iterations");
	cf.min_coverage = wl_double(ctx, "min_coverage");
	cf.shmem = strcmp(wl_str(ctx, "backing"), "shmem") == 0;
	cf.gup = gup_mode_of(wl_str(ctx, "gup"));
	cf.gup_threads = (int)wl_int(ctx, "gup_threads");
	cf.gup_fd = -1;
	cf.collapse = (int)wl_int(ctx, "collapse");
	if (prepare_run(ctx, &cf, &result) != 0)
		goto out;

	sweep = wl_list(ctx, "sweep", &ncounts);
	if (sweep == NULL || ncounts == 0) {
		one = wl_isset(ctx, "threads") ? wl_int(ctx, "threads") :
		    cf.ncpus;
		sweep = &one;
		ncounts = 1;
	}
	cf.steps_total = cf.repeat * (int)ncounts;
	cf.started_ns = now_mono_ns();
	its = xcalloc((size_t)cf.repeat, sizeof *its);
	xs = xcalloc(ncounts, sizeof *xs);
	ys = xcalloc(ncounts, sizeof *ys);

	for (c = 0; c < ncounts && !failed_coverage; c++) {
		nthreads = (int)sweep[c];
		if ((r = repeat_iterations(ctx, &cf, nthreads,
		    (int)c * cf.repeat, its, &done, &failed_coverage,
		    &cause)) != 0) {
			/* The kernel refused MADV_COLLAPSE: not a sample. */
			result = r == -ENOTSUP ? wl_skip(ctx, "%s", cause) :
			    wl_fail(ctx, "%s", cause);
			goto out;
		}
		if (done == 0)
			break;
		if (ncounts > 1) {
			snprintf(suffix, sizeof suffix, "_t%d", nthreads);
			record_metrics(ctx, &cf, nthreads, its, done, suffix,
			    0);
			xs[npoints] = nthreads;
			ys[npoints++] = median(its, done, get_munmap_ms);
			wl_value(ctx, "sweep_threads", nthreads);
			wl_value(ctx, "sweep_munmap_ms", ys[npoints - 1]);
		}
		/* Headline metrics: the last (in a sweep, usually the
		 * largest) thread count measured. */
		record_metrics(ctx, &cf, nthreads, its, done, "", 1);
	}
	/* Seed 004's signature: munmap time growing with the threads. */
	if (npoints > 1 && slope(xs, ys, npoints, &per_thread) == 0)
		wl_metric(ctx, "munmap_ms_slope_per_thread", per_thread,
		    "ms/thread", BETTER_LOWER);
	if (failed_coverage) {
		result = wl_fail(ctx, "THP coverage %.1f%% is below "
		    "min_coverage %.0f%%: AnonHugePages %.2f GiB of %.2f GiB",
		    its[done - 1].coverage_pct, cf.min_coverage,
		    (double)its[done - 1].anon_huge_kb * 1024 / GIB,
		    (double)cf.size / GIB);
		goto out;
	}
	if (npoints == 0 && done == 0) {
		result = wl_skip(ctx, "stopped before a munmap was timed");
		goto out;
	}
	result = WL_PASSED;
out:
	free(ys);
	free(xs);
	free(its);
	free(cf.cpus);
	if (cf.gup_fd != -1)
		close(cf.gup_fd);
	free(cause);
	return result;
}

/* seed 004: one IPI broadcast per huge page */
static const struct workload_plot thp_munmap_plots[] = {
	{ "TLB shootdowns and function-call IPIs", { "irq.TLB", "irq.CAL" },
	    1 },
	{ "THP faults", { "vmstat.thp_fault_alloc" }, 0 },
	{ "AnonHugePages", { "meminfo.AnonHugePages" }, 0 },
	{ NULL, { NULL }, 0 },
};

static const char *const thp_munmap_headline_metrics[] = {
	"munmap_ms_per_gib", "munmap_ms", "us_per_hugepage",
	"tlb_irqs_per_gib", "munmap_tlb_irqs", "munmap_cal_irqs",
	"munmap_ms_slope_per_thread", "threads", "size_gib",
	"thp_coverage_pct", "gup_calls", "gup_efault", "collapse_ok",
	"thp_collapse_alloc", NULL,
};

static const struct workload_values_plot thp_munmap_headline_values[] = {
	{ "munmap time of each repeat", { "munmap_ms" } },
	{ NULL, { NULL } },
};

/* The slope seed 004 is about: munmap time against the threads. */
static const struct workload_sweep thp_munmap_sweep = {
	"_t", "threads", {
		{ "munmap_ms", "size_gib", "munmap ms/GiB" },
		{ "munmap_tlb_irqs", NULL, "TLB shootdown IPIs" },
		{ "fault_ms", "size_gib", "fault ms/GiB" },
		{ NULL, NULL, NULL },
	},
};

/*
 * Seed 004's path: munmap() of THP-mapped memory sends TLB-flush IPIs to
 * every other CPU in the mm's cpumask (the pinned threads' CPUs).  The
 * workload fails a run below min_coverage itself; the gate asks that
 * huge pages were mapped at all and that the munmap was measured
 * sending IPIs (/proc/interrupts TLB around it).  threads=1 has no
 * other threads' CPUs to flush (the baseline of a sweep): not asked.
 */
static const struct workload_proof thp_munmap_proofs[] = {
	{ "huge pages mapped", "metric:thp_coverage_pct", 1, NULL },
	{ "TLB-flush IPIs at munmap", "metric:munmap_tlb_irqs", 1,
	    "threads!=1" },
	{ "GUP-fast walks racing the split and munmap", "metric:gup_calls",
	    1, "gup!=none" },
	{ "huge pages collapsed (MADV_COLLAPSE)",
	    "metric:thp_collapse_alloc|metric:collapse_ok", 1, "collapse=1" },
	{ NULL, NULL, 0, NULL },
};

const struct workload wl_thp_munmap = {
	.name = "thp-munmap",
	.summary = "time munmap of a large THP region while pinned threads "
	    "keep the mm live on every CPU",
	.seeds = "004",
	.options = thp_munmap_opts,
	.primary_metric = "munmap_ms_per_gib",
	.supported = thp_munmap_supported,
	.run = thp_munmap_run,
	.plots = thp_munmap_plots,
	.headline_metrics = thp_munmap_headline_metrics,
	.headline_values = thp_munmap_headline_values,
	.sweep = &thp_munmap_sweep,
	.path = "munmap() of THP memory: TLB-flush IPIs to the threads' "
	    "CPUs",
	.proofs = thp_munmap_proofs,
};
