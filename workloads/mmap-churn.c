/*
 * mmap-churn.c - LTP mmap1's pattern: map, write, unmap one fixed address
 * while another thread reads it.
 *
 * Seed 001 (2023): with page tables freed by RCU on s390, LTP's mtest06
 * mmap1 (one thread maps/writes/unmaps, another reads the same address
 * and takes SIGSEGV when it loses the race) deadlocked with "rcu_sched
 * self-detected stall" in __tlb_flush_mm_lazy() under tlb_finish_mmu().
 * The test's value is that every munmap frees the page tables under the
 * area while a reader in the same mm is faulting on it.
 *
 * Each pair of threads owns one area:
 *   - the area sits in the middle of a 1 GiB aligned slot that nothing
 *     else uses, so munmap leaves its PTE table (and PMD table) empty and
 *     free_pgtables() can free them every time;
 *   - the writer maps it with MAP_FIXED_NOREPLACE (never clobbering a
 *     mapping that took the hole), publishes mapped_seq = n, writes the
 *     marker of map n over it, publishes unmap_seq = n, then munmaps;
 *   - the reader snapshots both counters, reads the area (one byte per
 *     cache line of a one-page area, one per page of a larger one, at an
 *     offset that moves each pass) and reads unmap_seq again.
 *     mapped_seq == unmap_seq + 1 at the snapshot means map n was live;
 *     if unmap_seq has not moved by the end of the read, or by the time a
 *     fault is handled, munmap had not begun: such a fault is a kernel
 *     bug, and the bytes must be those of map n.  Anything else raced an
 *     unmap and is tolerated.
 * The marker cycles 'b'..'y' with n, so a read through a stale
 * translation to the previous map's freed page shows up as wrong data on
 * anonymous backings; file pages may still hold map n-1's marker (or the
 * file's initial 'a') until map n overwrites them.
 *
 * backing=file: a temporary file of size= bytes (1K), unlinked at once,
 * MAP_SHARED, as mmap1 does.  backing=anon: private anonymous memory, new
 * zero pages each map.  backing=thp: private anonymous, huge-page
 * aligned, MADV_HUGEPAGE, written fully so a PMD-mapped THP is faulted
 * and munmap tears down a huge PMD and its deposited page table.  The
 * reader often touches a new map before the writer does (up to 1 map in
 * 6 here); with the huge zero page that read maps it and the write then
 * splits the PMD (do_huge_pmd_wp_page() falls back to base pages, one
 * TLB flush each), so by default the run turns use_zero_page off and the
 * read fault allocates the THP itself.  The map is PROT_NONE until it is
 * advised: a read between mmap() and MADV_HUGEPAGE gave it base pages.
 *
 * backing=shmem: a memfd of whole huge pages, hole-punched before each
 * map (so reads see 0 or the map's marker) and mapped a second time, the
 * mirror, which the reader faults in on every pass.  collapse=1: the
 * writer MADV_COLLAPSEs each map after writing it, so collapse_file()
 * and retract_page_tables() free the page tables of both mappings under
 * the reader (seed 001's pte_free_defer()).  fork_churn=1 forks children
 * that read the mirrors and exit; cpus= pins each writer/reader pair.
 *
 * Faults are caught by a SIGSEGV/SIGBUS handler that only notes what
 * happened and siglongjmps back; incidents are recorded as "corruption"
 * events by the main thread, which also watches for pairs that stop
 * making progress (the seed's stall) and ends such a run as a lockup.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/options.h"
#include "probe/procfs.h"
#include "probe/thp.h"
#include "common/util.h"
#include "run/workload.h"
#include "workloads/thp-extra.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000    /* Linux 4.17 */
#endif

#define SLOT            ((size_t)1 << 30)  /* one PUD entry on x86-64 */
#define SIZE_MAX_OPT    (INT64_C(256) << 20)
#define FILE_SIZE       1024               /* mmap1's file */
#define DEFAULT_MAPS    5000               /* mmap1's loop count */
#define CACHE_LINE      64
#define THREAD_STACK    ((size_t)256 << 10)
#define POLL_NS         (INT64_C(100) * 1000000)
#define PROGRESS_NS     (INT64_C(1000) * 1000000)
#define JOIN_GRACE_NS   (INT64_C(5) * 1000000000)
#define PENDING_MAX     16    /* incidents a pair keeps between two polls */
#define EVENTS_MAX      16    /* events per run; the counts go on */

static const struct opt_spec mmap_churn_opts[] = {
	{ "pairs", OPT_INT, 1, 64, "1", NULL,
	    "writer/reader thread pairs, each on its own area and slot" },
	{ "iterations", OPT_INT, 0, INT32_MAX, NULL, NULL,
	    "maps per pair; 0: until duration= ends or the run is stopped "
	    "(default: 5000, or 0 when duration= is given)" },
	{ "backing", OPT_ENUM, 0, 0, "file", "file|anon|thp|shmem",
	    "file: shared map of a temporary file, as mmap1; anon: private "
	    "anonymous; thp: private anonymous, huge-page aligned, "
	    "MADV_HUGEPAGE, fully written; shmem: shared map of a memfd, "
	    "huge-page aligned, hole-punched before each map, and mapped "
	    "once more (read by the reader) elsewhere" },
	{ "collapse", OPT_BOOL, 0, 1, "0", NULL,
	    "backing=shmem: MADV_COLLAPSE each map after its write, so "
	    "collapse_file() and retract_page_tables() free the page tables "
	    "of every mapping of it while the reader faults (Linux 6.1+; "
	    "skipped where the kernel refuses it)" },
	{ "fork_churn", OPT_BOOL, 0, 1, "0", NULL,
	    "a thread forks children that read the shmem mirror (if any) "
	    "and exit, over and over: page tables copied and freed beside "
	    "the churn" },
	{ "cpus", OPT_INTLIST, 0, 4095, NULL, NULL,
	    "pin pair i's writer to the (2i)th and its reader to the "
	    "(2i+1)th CPU of the list, cycling, e.g. 0,1 (default: not "
	    "pinned)" },
	{ "size", OPT_SIZE, 1, SIZE_MAX_OPT, NULL, NULL,
	    "bytes mapped per pair (default: 1K file, one page anon, one "
	    "huge page thp; anon and thp round up to whole pages)" },
	{ "dir", OPT_STRING, 0, 0, NULL, NULL,
	    "directory of the backing=file files (default: $TMPDIR or /tmp)" },
	{ "huge_zero_page", OPT_BOOL, 0, 1, "0", NULL,
	    "backing=thp: 0 turns transparent_hugepage/use_zero_page off "
	    "for the run (restored after) so every map gets a THP; 1 keeps "
	    "it, and a reader that faults first maps the huge zero page, "
	    "which the writer's write splits into base pages" },
	{ "stall", OPT_DURATION, 0, INT64_C(3600) * 1000, "60s", NULL,
	    "a thread that makes no progress this long ends the run as a "
	    "lockup with a 'stall' event (0: no watchdog)" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

enum backing {
	BACKING_FILE,
	BACKING_ANON,
	BACKING_THP,
	BACKING_SHMEM,
};

static const char *const backing_names[] = { "file", "anon", "thp",
	"shmem" };

enum incident_kind {
	INCIDENT_FAULT,         /* SIGSEGV/SIGBUS that no unmap explains */
	INCIDENT_DATA,          /* a byte no writer wrote */
};

/* What a thread saw, kept until the main thread records it. */
struct incident {
	enum incident_kind kind;
	const char *role;       /* "reader", "writer" */
	int signo, code;
	uintptr_t addr;
	size_t offset;
	unsigned value, expect_old, expect_new;
	uint64_t mapped_seq, unmap_seq, unmap_seq_after;
};

struct shared {
	enum backing backing;
	uint64_t iterations;    /* 0: until stopped */
	pthread_mutex_t gate;
	pthread_cond_t opened;
	int go;
	atomic_int stop;
	int collapse;
	size_t hpage;
};

struct pair {
	struct shared *sh;
	int index;
	char *addr;             /* fixed address of the area */
	size_t len;             /* mapped length, whole pages */
	size_t size;            /* bytes written and read */
	size_t stride;          /* the reader's step */
	int fd;                 /* backing=file, else -1 */

	_Atomic uint64_t mapped_seq;    /* maps whose mmap has returned */
	_Atomic uint64_t unmap_seq;     /* unmaps announced (before munmap) */
	/* Written by one thread each, read by the main thread. */
	_Atomic uint64_t reads, checked_reads, tolerated;
	_Atomic uint64_t unexpected, wrong_data;
	atomic_int writer_done, reader_done;
	_Atomic int64_t writer_end_ns;
	int error;              /* the writer's errno, before writer_done */
	const char *error_what;
	int left_mapped;        /* munmap failed: the area is still ours */
	char *mirror;           /* backing=shmem: the file mapped once more */
	int writer_cpu, reader_cpu;     /* -1: not pinned */
	/* sched_getcpu() at each thread's end, read after the join */
	int writer_ran_on, reader_ran_on;
	/* collapse=1, written by the writer, read after the join */
	struct collapse_counts collapse;
	int collapse_refused;   /* the kernel said EINVAL */

	pthread_mutex_t lock;   /* pending, npending, dropped, last */
	struct incident pending[PENDING_MAX];
	int npending;
	uint64_t dropped;
	struct incident last;   /* the latest queued, to skip repeats */

	pthread_t writer, reader;
	int writer_started, reader_started;
	/* Watchdog, main thread only. */
	uint64_t seen_writer, seen_reader;
	int64_t writer_moved_ns, reader_moved_ns;
};

/*
 * One thread's guarded access, found by the signal handler through
 * thread_guard.  Only the handler writes the fault_* fields.
 */
struct guard {
	sigjmp_buf env;
	volatile sig_atomic_t armed;
	struct pair *pair;
	uint64_t m0, u0;                /* snapshot before the access */
	volatile int fault_signo, fault_code;
	volatile uintptr_t fault_addr;
	volatile uint64_t fault_unmap_seq;
};

static __thread struct guard *thread_guard;

/* The byte map n writes: never 0 or 'a', and never that of map n - 1. */
static unsigned char
marker(uint64_t seq)
{
	return (unsigned char)('b' + seq % 24);
}

/* What map n may show before its writer got there. */
static unsigned char
before_write(const struct pair *p, uint64_t seq)
{
	/* anon and thp get zero pages; shmem is hole-punched per map. */
	if (p->sh->backing != BACKING_FILE)
		return 0;
	return seq <= 1 ? 'a' : marker(seq - 1);
}

static const char *
signal_code_name(int signo, int code)
{
	if (signo == SIGSEGV) {
		switch (code) {
		case SEGV_MAPERR: return "SEGV_MAPERR";
		case SEGV_ACCERR: return "SEGV_ACCERR";
		}
	} else if (signo == SIGBUS) {
		switch (code) {
		case BUS_ADRALN: return "BUS_ADRALN";
		case BUS_ADRERR: return "BUS_ADRERR";
		case BUS_OBJERR: return "BUS_OBJERR";
		}
	}
	return "code";
}

/*
 * Async-signal-safe: note the fault and jump back into the access.  A
 * fault outside a guarded access is a bug of ours, and a signal sent by
 * kill() is not a fault: both get the default action.
 */
static void
on_fault(int signo, siginfo_t *si, void *uc)
{
	struct guard *g = thread_guard;
	struct sigaction dfl;

	(void)uc;
	if (g == NULL || !g->armed || si->si_code <= 0) {
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(signo, &dfl, NULL);
		if (si->si_code <= 0)
			raise(signo);
		return;         /* the access faults again, fatally */
	}
	g->armed = 0;
	g->fault_signo = signo;
	g->fault_code = si->si_code;
	g->fault_addr = (uintptr_t)si->si_addr;
	g->fault_unmap_seq = atomic_load_explicit(&g->pair->unmap_seq,
	    memory_order_acquire);
	siglongjmp(g->env, 1);
}

static int
install_handlers(struct sigaction *old_segv, struct sigaction *old_bus,
    char **cause)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	/* SA_NODEFER: siglongjmp(env, 0-mask) leaves the signal unblocked,
	 * so no sigprocmask() per access. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, old_segv) != 0 ||
	    sigaction(SIGBUS, &sa, old_bus) != 0)
		return set_cause(cause, errno, "sigaction: %s",
		    strerror(errno));
	return 0;
}

/*
 * Queue one incident for the main thread.  A reader retries at once, so
 * one bad map can fault thousands of times: the counters count them all,
 * only the first of a kind per map and thread becomes an event.
 */
static void
incident_add(struct pair *p, const struct incident *in)
{
	pthread_mutex_lock(&p->lock);
	if (p->last.role == in->role && p->last.kind == in->kind &&
	    p->last.mapped_seq == in->mapped_seq &&
	    p->last.signo == in->signo)
		goto out;
	p->last = *in;
	if (p->npending < PENDING_MAX)
		p->pending[p->npending++] = *in;
	else
		p->dropped++;
out:
	pthread_mutex_unlock(&p->lock);
}

static void
fault_incident(struct pair *p, const struct guard *g, const char *role)
{
	struct incident in;

	memset(&in, 0, sizeof in);
	in.kind = INCIDENT_FAULT;
	in.role = role;
	in.signo = g->fault_signo;
	in.code = g->fault_code;
	in.addr = g->fault_addr;
	in.mapped_seq = g->m0;
	in.unmap_seq = g->u0;
	in.unmap_seq_after = g->fault_unmap_seq;
	incident_add(p, &in);
}

static void
writer_error(struct pair *p, int err, const char *what)
{
	p->error = err;
	p->error_what = what;
}

/* Write map seq's marker; 1 when the write faulted (always a bug: the
 * writer is the one that unmaps). */
static int
write_marker(struct pair *p, struct guard *g, uint64_t seq)
{
	g->m0 = seq;
	g->u0 = seq - 1;
	if (sigsetjmp(g->env, 0) != 0) {
		fault_incident(p, g, "writer");
		return 1;
	}
	g->armed = 1;
	/* Keep the stores between arming and disarming. */
	atomic_signal_fence(memory_order_seq_cst);
	memset(p->addr, marker(seq), p->size);
	atomic_signal_fence(memory_order_seq_cst);
	g->armed = 0;
	return 0;
}

static void
wait_gate(struct shared *sh)
{
	pthread_mutex_lock(&sh->gate);
	while (!sh->go)
		pthread_cond_wait(&sh->opened, &sh->gate);
	pthread_mutex_unlock(&sh->gate);
}

/*
 * The first map stays until the reader has judged one whole pass of it
 * (at most a second): a short run on a busy machine could otherwise end
 * its maps before the reader ran once inside one, and end `skipped`
 * (path not reached: no checked read) for the scheduler's sake.
 */
static void
hold_first_map(struct pair *p)
{
	int64_t deadline = now_mono_ns() + INT64_C(1000000000);

	while (atomic_load_explicit(&p->checked_reads,
	    memory_order_relaxed) == 0 &&
	    !atomic_load_explicit(&p->sh->stop, memory_order_relaxed) &&
	    now_mono_ns() < deadline)
		sleep_ns(100000);
}

static void *
writer_main(void *arg)
{
	struct pair *p = arg;
	struct shared *sh = p->sh;
	struct guard g;
	uint64_t seq;
	int prot = PROT_READ | PROT_WRITE, flags;
	void *m;

	memset(&g, 0, sizeof g);
	g.pair = p;
	thread_guard = &g;
	flags = MAP_FIXED_NOREPLACE | (p->fd != -1 ?
	    MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS);
	wait_gate(sh);

	for (seq = 1; sh->iterations == 0 || seq <= sh->iterations; seq++) {
		if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
			break;
		/* Back to base pages, so each collapse is a new one. */
		if (sh->backing == BACKING_SHMEM &&
		    fallocate(p->fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, 0, (off_t)p->len) != 0) {
			writer_error(p, errno, "fallocate(PUNCH_HOLE)");
			break;
		}
		/* THP: PROT_NONE until MADV_HUGEPAGE is set, or the reader's
		 * read in between faults a base page into a VMA not yet
		 * advised (enabled=madvise) and the map never gets a THP:
		 * 75-99 % of maps did so, with no fallback counted. */
		m = mmap(p->addr, p->len, sh->backing == BACKING_THP ?
		    PROT_NONE : prot, flags, p->fd, 0);
		if (m == MAP_FAILED) {
			writer_error(p, errno, "mmap");
			break;
		}
		if (m != p->addr) {
			/* A kernel without MAP_FIXED_NOREPLACE took it as
			 * a hint: the area is not ours. */
			munmap(m, p->len);
			writer_error(p, EEXIST, "mmap");
			break;
		}
		if (sh->backing == BACKING_THP &&
		    (madvise(p->addr, p->len, MADV_HUGEPAGE) != 0 ||
		    mprotect(p->addr, p->len, prot) != 0)) {
			writer_error(p, errno, "madvise(MADV_HUGEPAGE) or "
			    "mprotect");
			munmap(p->addr, p->len);
			break;
		}
		atomic_store_explicit(&p->mapped_seq, seq,
		    memory_order_release);
		if (write_marker(p, &g, seq))
			atomic_fetch_add(&p->unexpected, 1);
		if (seq == 1)
			hold_first_map(p);
		if (sh->collapse && collapse_range(p->addr, p->len, sh->hpage,
		    &p->collapse) != 0) {
			p->collapse_refused = 1;
			munmap(p->addr, p->len);
			atomic_store(&sh->stop, 1);
			break;
		}
		/* Before munmap: a fault the reader takes from here on may
		 * be this unmap's doing. */
		atomic_store_explicit(&p->unmap_seq, seq,
		    memory_order_release);
		if (munmap(p->addr, p->len) != 0) {
			writer_error(p, errno, "munmap");
			p->left_mapped = 1;
			break;
		}
	}
	thread_guard = NULL;
	p->writer_ran_on = sched_getcpu();
	atomic_store(&p->writer_end_ns, now_mono_ns());
	atomic_store_explicit(&p->writer_done, 1, memory_order_release);
	return NULL;
}

/* How one pass over the area ended. */
enum pass {
	PASS_READ,              /* read, but a map or unmap overlapped it */
	PASS_CHECKED,           /* read entirely within one live map: judged */
	PASS_TOLERATED,         /* faulted racing an unmap */
	PASS_FAULT,             /* faulted, and no unmap explains it */
	PASS_WRONG,             /* judged, and a byte was wrong */
};

/* The first byte of a scan that no writer of the map could have left. */
struct scan {
	int bad;
	size_t offset;
	unsigned char value;
};

/* Guarded by the caller: may fault and never return. */
static void
scan_area(const struct pair *p, size_t start, unsigned char old,
    unsigned char cur, struct scan *s)
{
	const volatile unsigned char *base = (const void *)p->addr;
	unsigned char v;
	size_t off;

	for (off = start; off < p->size; off += p->stride) {
		v = base[off];
		if (v != old && v != cur && !s->bad) {
			s->bad = 1;
			s->offset = off;
			s->value = v;
		}
	}
}

/* One pass from byte start; incidents are queued for the main thread. */
static enum pass
read_pass(struct pair *p, struct guard *g, size_t start)
{
	struct incident in;
	struct scan s;
	uint64_t u1;

	/* mapped_seq first: u0 == m0 - 1 then proves map m0 was live when
	 * u0 was read (unmap_seq never passes mapped_seq). */
	g->m0 = atomic_load_explicit(&p->mapped_seq, memory_order_acquire);
	g->u0 = atomic_load_explicit(&p->unmap_seq, memory_order_acquire);
	if (sigsetjmp(g->env, 0) != 0) {
		if (g->fault_signo == SIGSEGV &&
		    g->fault_addr >= (uintptr_t)p->addr &&
		    g->fault_addr < (uintptr_t)p->addr + p->len &&
		    !(g->u0 + 1 == g->m0 && g->fault_unmap_seq == g->u0))
			return PASS_TOLERATED;
		fault_incident(p, g, "reader");
		return PASS_FAULT;
	}
	memset(&s, 0, sizeof s);
	g->armed = 1;
	atomic_signal_fence(memory_order_seq_cst);
	scan_area(p, start, before_write(p, g->m0), marker(g->m0), &s);
	atomic_signal_fence(memory_order_seq_cst);
	g->armed = 0;
	/* The reads above happen before this load (seqlock reader). */
	atomic_thread_fence(memory_order_acquire);
	u1 = atomic_load_explicit(&p->unmap_seq, memory_order_relaxed);
	if (g->u0 + 1 != g->m0 || u1 != g->u0)
		return PASS_READ;
	if (!s.bad)
		return PASS_CHECKED;
	memset(&in, 0, sizeof in);
	in.kind = INCIDENT_DATA;
	in.role = "reader";
	in.addr = (uintptr_t)p->addr + s.offset;
	in.offset = s.offset;
	in.value = s.value;
	in.expect_old = before_write(p, g->m0);
	in.expect_new = marker(g->m0);
	in.mapped_seq = g->m0;
	in.unmap_seq = g->u0;
	in.unmap_seq_after = u1;
	incident_add(p, &in);
	return PASS_WRONG;
}

/*
 * backing=shmem: fault the other mapping of the file back in, so each
 * collapse finds a PTE table there for retract_page_tables() to free
 * while this thread faults on it.  It is never unmapped during the run
 * and the file never shrinks: no fault to catch.  Its bytes are not
 * judged (the writer's map is).
 */
static void
touch_mirror(const struct pair *p)
{
	const volatile char *m = p->mirror;
	size_t off;
	char sink = 0;

	/* The area is whole huge pages: stride is a page. */
	for (off = 0; off < p->len; off += p->stride)
		sink ^= m[off];
	(void)sink;
}

static void *
reader_main(void *arg)
{
	struct pair *p = arg;
	struct shared *sh = p->sh;
	struct guard g;
	uint64_t reads = 0, checked_reads = 0, tolerated = 0, wrong = 0;
	uint64_t passes = 0;
	enum pass r;

	memset(&g, 0, sizeof g);
	g.pair = p;
	thread_guard = &g;
	wait_gate(sh);

	while (!atomic_load_explicit(&p->writer_done, memory_order_acquire) &&
	    !atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		/* MM bugs are page-grained: a large area is read one byte
		 * per page, a different cache line of each page per pass. */
		r = read_pass(p, &g, p->stride == CACHE_LINE ? 0 :
		    (size_t)(passes++ * CACHE_LINE) % p->stride);
		if (p->mirror != NULL)
			touch_mirror(p);
		if (r == PASS_TOLERATED) {
			atomic_store_explicit(&p->tolerated, ++tolerated,
			    memory_order_relaxed);
			continue;
		}
		if (r == PASS_FAULT) {
			/* The writer counts its faults here too. */
			atomic_fetch_add(&p->unexpected, 1);
			continue;
		}
		atomic_store_explicit(&p->reads, ++reads,
		    memory_order_relaxed);
		if (r == PASS_READ)
			continue;
		atomic_store_explicit(&p->checked_reads, ++checked_reads,
		    memory_order_relaxed);
		if (r == PASS_WRONG)
			atomic_store_explicit(&p->wrong_data, ++wrong,
			    memory_order_relaxed);
	}
	thread_guard = NULL;
	p->reader_ran_on = sched_getcpu();
	atomic_store_explicit(&p->reader_done, 1, memory_order_release);
	return NULL;
}

/* 0 when PMD-sized THP may be used with MADV_HUGEPAGE, else -ENOTSUP. */
static int
thp_usable(char **reason)
{
	char *mode = NULL;
	int r = 0;

	if (thp_mode(NULL, "enabled", &mode, NULL) != 0)
		r = set_cause(reason, ENOTSUP, "THP is not available: "
		    "cannot read '%s'", THP_ENABLED);
	else if (strcmp(mode, "never") == 0)
		r = set_cause(reason, ENOTSUP,
		    "THP is disabled: transparent_hugepage=never");
	else
		r = thp_pmd_allowed(NULL, thp_pmd_size(NULL), reason);
	free(mode);
	return r;
}

static const char *
file_dir(const struct params *ps)
{
	return dir_option(ps, "/tmp");
}

static enum backing
backing_of(const char *name)
{
	if (strcmp(name, "anon") == 0)
		return BACKING_ANON;
	if (strcmp(name, "thp") == 0)
		return BACKING_THP;
	if (strcmp(name, "shmem") == 0)
		return BACKING_SHMEM;
	return BACKING_FILE;
}

/* cpus=: every CPU listed must be one this process may run on. */
static int
cpus_allowed(const struct params *ps, char **reason)
{
	const int64_t *cpus;
	cpu_set_t set;
	size_t n, i;

	if ((cpus = params_list(ps, "cpus", &n)) == NULL || n == 0)
		return 0;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return set_cause(reason, errno, "sched_getaffinity: %s",
		    strerror(errno));
	for (i = 0; i < n; i++) {
		if (cpus[i] >= CPU_SETSIZE || !CPU_ISSET((int)cpus[i], &set))
			return set_cause(reason, EINVAL, "cpus: cpu %" PRId64
			    " is offline or not allowed for this run",
			    cpus[i]);
	}
	return 0;
}

static int
mmap_churn_supported(const struct params *ps, char **reason)
{
	enum backing b = backing_of(params_str(ps, "backing"));
	const char *dir;

	if (b == BACKING_THP) {
		if (thp_usable(reason) != 0)
			return -ENOTSUP;
		if (!params_int(ps, "huge_zero_page") &&
		    thp_zero_page_on(NULL) && access(THP_ZERO_PAGE, W_OK) != 0)
			return set_cause(reason, errno, "huge_zero_page=0 "
			    "needs to write '%s': %s", THP_ZERO_PAGE,
			    strerror(errno));
	}
	if (b == BACKING_FILE) {
		dir = file_dir(ps);
		if (access(dir, W_OK | X_OK) != 0)
			return set_cause(reason, errno,
			    "cannot create files in '%s': %s", dir,
			    strerror(errno));
	}
	if (params_int(ps, "collapse")) {
		if (b != BACKING_SHMEM)
			return set_cause(reason, EINVAL, "collapse=1 needs "
			    "backing=shmem: retract_page_tables() is on the "
			    "file collapse path");
		if (collapse_available(thp_pmd_size(NULL), reason) != 0)
			return -ENOTSUP;
	}
	return cpus_allowed(ps, reason);
}

/*
 * Find n free 1 GiB aligned slots, with at least one more free slot on
 * each side, and give them back: pair i uses the middle of slot i.  The
 * spare space above and below takes whatever else the process maps
 * meanwhile (thread stacks land at the top of the highest free gap), so
 * each area stays alone in its page tables.
 */
static int
find_slots(int n, char **first, char **cause)
{
	size_t span = ((size_t)n + 3) * SLOT;
	uintptr_t raw, aligned;
	void *m;

	m = mmap(NULL, span, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return set_cause(cause, errno,
		    "cannot reserve %zu GiB of address space: %s",
		    span / SLOT, strerror(errno));
	raw = (uintptr_t)m;
	aligned = (raw + SLOT - 1) & ~(uintptr_t)(SLOT - 1);
	munmap(m, span);
	*first = (char *)(aligned + SLOT);
	return 0;
}

/* A temporary file of size bytes of 'a', already unlinked. */
static int
make_file(const char *dir, size_t size, int *out, char **cause)
{
	char *path, *buf = NULL;
	size_t done = 0;
	ssize_t n;
	int fd, r = 0;

	path = xasprintf("%s/mmstorm-mmap-churn.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		r = set_cause(cause, errno, "cannot create a file in '%s': %s",
		    dir, strerror(errno));
		goto out;
	}
	/* Unlinked now, so no path of ours, not even SIGKILL, leaves it. */
	unlink(path);
	buf = xmalloc(size < 65536 ? size : 65536);
	memset(buf, 'a', size < 65536 ? size : 65536);
	while (done < size) {
		n = pwrite(fd, buf, size - done < 65536 ? size - done : 65536,
		    (off_t)done);
		if (n <= 0) {
			r = set_cause(cause, n == 0 ? ENOSPC : errno,
			    "cannot write '%s': %s", path,
			    strerror(n == 0 ? ENOSPC : errno));
			close(fd);
			goto out;
		}
		done += (size_t)n;
	}
	*out = fd;
out:
	free(buf);
	free(path);
	return r;
}

static uint64_t
load64(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

/* System-wide THP fault counters: faults that got a THP, and faults
 * that wanted one and fell back to base pages (no free or compactable
 * order-9 block).  -1 when unknown. */
struct thp_faults {
	int64_t	alloc;
	int64_t	fallback;
};

static void
vmstat_cb(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct thp_faults *f = arg;

	if (keylen == strlen("thp_fault_alloc") &&
	    strncmp(key, "thp_fault_alloc", keylen) == 0)
		f->alloc = value;
	else if (keylen == strlen("thp_fault_fallback") &&
	    strncmp(key, "thp_fault_fallback", keylen) == 0)
		f->fallback = value;
}

static void
thp_faults_read(struct thp_faults *f)
{
	char *text = NULL;

	f->alloc = f->fallback = -1;
	if (read_file("/proc/vmstat", &text, NULL, NULL) == 0)
		procfs_parse_vmstat(text, vmstat_cb, f);
	free(text);
}

static void
record_incident(struct wl_ctx *ctx, const struct pair *p,
    const struct incident *in)
{
	const char *b = backing_names[p->sh->backing];
	char *title, *text;

	if (in->kind == INCIDENT_DATA) {
		title = xstrdup("mmap-churn: wrong data read while mapped");
		text = xasprintf("pair %d reader, backing=%s: byte %zu of "
		    "the area at %p read 0x%02x, expected 0x%02x (before "
		    "the write) or 0x%02x (map %" PRIu64 "'s marker); "
		    "unmap_seq %" PRIu64 " before and %" PRIu64 " after the "
		    "read with mapped_seq %" PRIu64 ": no munmap had begun",
		    p->index, b, in->offset, (void *)p->addr, in->value,
		    in->expect_old, in->expect_new, in->mapped_seq,
		    in->unmap_seq, in->unmap_seq_after, in->mapped_seq);
	} else {
		int inside = in->addr >= (uintptr_t)p->addr &&
		    in->addr < (uintptr_t)p->addr + p->len;

		if (in->signo != SIGSEGV)
			title = xasprintf("mmap-churn: unexpected %s in the "
			    "%s", in->signo == SIGBUS ? "SIGBUS" : "signal",
			    in->role);
		else if (!inside)
			title = xasprintf("mmap-churn: SIGSEGV outside the "
			    "area in the %s", in->role);
		else
			title = xasprintf("mmap-churn: SIGSEGV while mapped "
			    "in the %s", in->role);
		text = xasprintf("pair %d %s, backing=%s: signal %d (%s %d) "
		    "at %p, area %p-%p; mapped_seq %" PRIu64 ", unmap_seq %"
		    PRIu64 " before the access, unmap_seq %" PRIu64 " in the "
		    "handler%s", p->index, in->role, b, in->signo,
		    signal_code_name(in->signo, in->code), in->code,
		    (void *)in->addr, (void *)p->addr,
		    (void *)(p->addr + p->len), in->mapped_seq, in->unmap_seq,
		    in->unmap_seq_after,
		    in->mapped_seq == in->unmap_seq + 1 &&
		    in->unmap_seq_after == in->unmap_seq ?
		    ": the area was mapped and no munmap had begun" : "");
	}
	wl_event(ctx, "corruption", title, text);
	free(title);
	free(text);
}

/* Record what the threads queued, up to EVENTS_MAX events a run. */
static void
drain_incidents(struct wl_ctx *ctx, struct pair *pairs, int n,
    int *events, uint64_t *dropped)
{
	struct incident batch[PENDING_MAX];
	int i, j, k;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&pairs[i].lock);
		k = pairs[i].npending;
		memcpy(batch, pairs[i].pending, (size_t)k * sizeof *batch);
		pairs[i].npending = 0;
		*dropped += pairs[i].dropped;
		pairs[i].dropped = 0;
		pthread_mutex_unlock(&pairs[i].lock);
		for (j = 0; j < k; j++) {
			if (*events >= EVENTS_MAX) {
				(*dropped)++;
				continue;
			}
			record_incident(ctx, &pairs[i], &batch[j]);
			(*events)++;
		}
	}
}

/* Totals over the pairs. */
struct totals {
	uint64_t maps, reads, checked_reads, tolerated, unexpected, wrong;
	struct collapse_counts collapse;        /* read after the join */
	uint64_t pinned;
};

static void
sum_pairs(struct pair *pairs, int n, struct totals *t)
{
	int i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++) {
		t->maps += load64(&pairs[i].unmap_seq);
		t->reads += load64(&pairs[i].reads);
		t->checked_reads += load64(&pairs[i].checked_reads);
		t->tolerated += load64(&pairs[i].tolerated);
		t->unexpected += load64(&pairs[i].unexpected);
		t->wrong += load64(&pairs[i].wrong_data);
		t->collapse.calls += pairs[i].collapse.calls;
		t->collapse.ok += pairs[i].collapse.ok;
		t->collapse.again += pairs[i].collapse.again;
		t->collapse.failed += pairs[i].collapse.failed;
		t->pinned += pairs[i].writer_cpu >= 0 &&
		    pairs[i].writer_ran_on == pairs[i].writer_cpu &&
		    pairs[i].reader_ran_on == pairs[i].reader_cpu;
	}
}

/*
 * The seed's failure was a stall, not a crash: a pair whose writer or
 * reader has not moved for stall_ns.  Returns the pair's index and sets
 * *role, or -1.
 */
static int
find_stall(struct pair *pairs, int n, int64_t now, int64_t stall_ns,
    const char **role, int64_t *since)
{
	struct pair *p;
	uint64_t w, r;
	int i;

	for (i = 0; i < n; i++) {
		p = &pairs[i];
		w = load64(&p->mapped_seq) + load64(&p->unmap_seq);
		r = load64(&p->reads) + load64(&p->tolerated) +
		    load64(&p->unexpected);
		if (w != p->seen_writer || p->writer_moved_ns == 0) {
			p->seen_writer = w;
			p->writer_moved_ns = now;
		}
		if (r != p->seen_reader || p->reader_moved_ns == 0) {
			p->seen_reader = r;
			p->reader_moved_ns = now;
		}
		if (stall_ns == 0)
			continue;
		if (!atomic_load(&p->writer_done) &&
		    now - p->writer_moved_ns >= stall_ns) {
			*role = "writer";
			*since = p->writer_moved_ns;
			return i;
		}
		if (!atomic_load(&p->reader_done) &&
		    now - p->reader_moved_ns >= stall_ns) {
			*role = "reader";
			*since = p->reader_moved_ns;
			return i;
		}
	}
	return -1;
}

static void
open_gate(struct shared *sh)
{
	pthread_mutex_lock(&sh->gate);
	sh->go = 1;
	pthread_cond_broadcast(&sh->opened);
	pthread_mutex_unlock(&sh->gate);
}

/* Join every started thread; with a deadline, 0 only if all were. */
static int
join_all(struct pair *pairs, int n, int64_t deadline_ns)
{
	struct timespec ts;
	int64_t real;
	int i, all = 1;

	real = now_real_ns() + (deadline_ns - now_mono_ns());
	ts.tv_sec = (time_t)(real / 1000000000);
	ts.tv_nsec = (long)(real % 1000000000);
	for (i = 0; i < n; i++) {
		if (pairs[i].writer_started) {
			if (deadline_ns == 0)
				pthread_join(pairs[i].writer, NULL);
			else if (pthread_timedjoin_np(pairs[i].writer, NULL,
			    &ts) != 0)
				all = 0;
			else
				pairs[i].writer_started = 0;
		}
		if (pairs[i].reader_started) {
			if (deadline_ns == 0)
				pthread_join(pairs[i].reader, NULL);
			else if (pthread_timedjoin_np(pairs[i].reader, NULL,
			    &ts) != 0)
				all = 0;
			else
				pairs[i].reader_started = 0;
		}
	}
	return all ? 0 : -ETIMEDOUT;
}

/* cpus=: pinned from birth (-1: inherit the worker's CPUs). */
static void
pin_attr(pthread_attr_t *attr, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_setaffinity_np(attr, sizeof set, &set);
}

/* fork_churn=1: children that fault the mirrors and exit. */
struct forker {
	struct shared *sh;
	struct pair *pairs;
	int npairs;
	pthread_t tid;
	int started;
	_Atomic uint64_t forks, errors, killed;
};

/*
 * Fork, let the child read each pair's mirror (its own page tables for
 * retract_page_tables() to find) and exit: dup_mmap() and exit_mmap()
 * copy and free page tables beside the churn, as the seed's machine ran
 * other processes.  The child only reads and _exit()s: safe after fork
 * in a threaded process.
 */
static void *
fork_main(void *arg)
{
	struct forker *f = arg;
	pid_t pid;
	int i, st;

	while (!atomic_load_explicit(&f->sh->stop, memory_order_relaxed)) {
		if ((pid = fork()) == -1) {
			atomic_fetch_add(&f->errors, 1);
			sleep_ns(INT64_C(1000000));
			continue;
		}
		if (pid == 0) {
			for (i = 0; i < f->npairs; i++)
				if (f->pairs[i].mirror != NULL)
					touch_mirror(&f->pairs[i]);
			_exit(0);
		}
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		atomic_fetch_add(&f->forks, 1);
		if (WIFSIGNALED(st))
			atomic_fetch_add(&f->killed, 1);
	}
	return NULL;
}

static int
start_forker(struct forker *f, struct shared *sh, struct pair *pairs,
    int n, char **cause)
{
	int err;

	f->sh = sh;
	f->pairs = pairs;
	f->npairs = n;
	if ((err = pthread_create(&f->tid, NULL, fork_main, f)) != 0)
		return set_cause(cause, err, "cannot start the fork thread: "
		    "%s", strerror(err));
	f->started = 1;
	return 0;
}

/* After sh->stop: the thread ends with its current child. */
static void
stop_forker(struct forker *f)
{
	if (f->started)
		pthread_join(f->tid, NULL);
	f->started = 0;
}

/* Start the writer and reader of every pair, held at the gate. */
static int
start_threads(struct pair *pairs, int n, char **cause)
{
	pthread_attr_t attr;
	int i, err = 0;

	if ((err = pthread_attr_init(&attr)) != 0)
		return set_cause(cause, err, "pthread_attr_init: %s",
		    strerror(err));
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (i = 0; i < n && err == 0; i++) {
		pin_attr(&attr, pairs[i].writer_cpu);
		if ((err = pthread_create(&pairs[i].writer, &attr,
		    writer_main, &pairs[i])) != 0)
			break;
		pairs[i].writer_started = 1;
		pin_attr(&attr, pairs[i].reader_cpu);
		if ((err = pthread_create(&pairs[i].reader, &attr,
		    reader_main, &pairs[i])) != 0)
			break;
		pairs[i].reader_started = 1;
	}
	pthread_attr_destroy(&attr);
	if (err != 0)
		return set_cause(cause, err, "cannot start the threads of "
		    "pair %d of %d: %s", i + 1, n, strerror(err));
	return 0;
}

/* The run's metrics: rates over secs, and with backing=thp how many
 * maps got a THP. */
static void
record_metrics(struct wl_ctx *ctx, const struct totals *t, double secs,
    const struct thp_faults *f0, const struct thp_faults *f1, enum backing b)
{
	if (secs <= 0)
		secs = 1e-9;
	wl_metric(ctx, "maps_per_s", (double)t->maps / secs, "maps/s",
	    BETTER_HIGHER);
	wl_metric(ctx, "maps", (double)t->maps, "count", BETTER_HIGHER);
	wl_metric(ctx, "reads_per_s", (double)t->reads / secs, "reads/s",
	    BETTER_HIGHER);
	wl_metric(ctx, "checked_reads", (double)t->checked_reads, "count",
	    BETTER_HIGHER);
	/* More races hit means more of the unmap window was exercised. */
	wl_metric(ctx, "sigsegv_tolerated", (double)t->tolerated, "count",
	    BETTER_HIGHER);
	wl_metric(ctx, "unexpected_faults", (double)t->unexpected, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "wrong_data", (double)t->wrong, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "elapsed_s", secs, "s", BETTER_LOWER);
	/* System-wide counter: other processes' THP faults count too. */
	if (b != BACKING_THP || t->maps == 0)
		return;
	if (f0->alloc >= 0 && f1->alloc >= f0->alloc) {
		double pct = (double)(f1->alloc - f0->alloc) * 100 /
		    (double)t->maps;

		wl_metric(ctx, "thp_maps_pct", pct > 100 ? 100 : pct, "%",
		    BETTER_HIGHER);
	}
	/* Why a map got no THP: memory too fragmented to give one. */
	if (f0->fallback >= 0 && f1->fallback >= f0->fallback) {
		double pct = (double)(f1->fallback - f0->fallback) * 100 /
		    (double)t->maps;

		wl_metric(ctx, "thp_fallback_pct", pct > 100 ? 100 : pct,
		    "%", BETTER_LOWER);
	}
}

/* collapse= and fork_churn=: what MADV_COLLAPSE did (and the kernel's
 * own count of collapse allocations), and the forks made. */
static void
record_churn_metrics(struct wl_ctx *ctx, const struct totals *t,
    const struct forker *f, int64_t alloc0, int64_t alloc1)
{
	if (wl_isset(ctx, "cpus"))
		/* Pairs whose two threads ended on the CPUs cpus= gave. */
		wl_metric(ctx, "pinned_pairs", (double)t->pinned, "count",
		    BETTER_HIGHER);
	if (wl_int(ctx, "collapse")) {
		wl_metric(ctx, "collapse_ok", (double)t->collapse.ok,
		    "count", BETTER_HIGHER);
		/* EAGAIN/EBUSY: the reader held a page. */
		wl_metric(ctx, "collapse_again", (double)t->collapse.again,
		    "count", BETTER_LOWER);
		wl_metric(ctx, "collapse_failed", (double)t->collapse.failed,
		    "count", BETTER_LOWER);
		if (alloc0 >= 0 && alloc1 >= alloc0)
			wl_metric(ctx, "thp_collapse_alloc",
			    (double)(alloc1 - alloc0), "count",
			    BETTER_HIGHER);
	}
	if (wl_int(ctx, "fork_churn")) {
		wl_metric(ctx, "forks", (double)atomic_load(&f->forks),
		    "count", BETTER_HIGHER);
		wl_metric(ctx, "fork_errors", (double)atomic_load(&f->errors),
		    "count", BETTER_LOWER);
		/* A child that read the mirror and died of a signal. */
		wl_metric(ctx, "fork_children_killed",
		    (double)atomic_load(&f->killed), "count", BETTER_LOWER);
	}
}

/* What the main thread keeps while the pairs run. */
struct watch {
	struct wl_ctx *ctx;
	struct shared *sh;
	struct pair *pairs;
	int npairs;
	int64_t stall_ns;
	int events;             /* corruption events recorded */
	uint64_t dropped;       /* incidents not recorded */
	int error_pair;         /* first pair whose writer failed, or -1 */
	int stalled;            /* the pair that stopped moving, or -1 */
	const char *role;       /* its "writer" or "reader" */
	int64_t since;          /* when it last moved */
	int stuck;              /* its thread could not be joined */
};

/* Bytes written and read (size) and mapped (len) per pair, whole pages
 * for anon and whole huge pages for thp. */
static void
area_size(struct wl_ctx *ctx, enum backing b, size_t page, size_t *size,
    size_t *len)
{
	size_t hpage;

	switch (b) {
	case BACKING_FILE:
		*size = wl_isset(ctx, "size") ? (size_t)wl_int(ctx, "size") :
		    FILE_SIZE;
		*len = (*size + page - 1) / page * page;
		break;
	case BACKING_ANON:
		*size = wl_isset(ctx, "size") ? (size_t)wl_int(ctx, "size") :
		    page;
		*len = *size = (*size + page - 1) / page * page;
		break;
	default:        /* thp, shmem: whole huge pages */
		hpage = thp_pmd_size(NULL);
		*size = wl_isset(ctx, "size") ? (size_t)wl_int(ctx, "size") :
		    hpage;
		*len = *size = (*size + hpage - 1) / hpage * hpage;
		break;
	}
}

/* backing=shmem: the pair's memfd, and its mirror mapping at addr. */
static int
map_mirror(struct pair *p, char *addr, char **cause)
{
	void *m;
	int r;

	if ((r = shmem_file("mmstorm-mmap-churn", p->len, &p->fd,
	    cause)) != 0)
		return r;
	m = mmap(addr, p->len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
	    p->fd, 0);
	if (m == MAP_FAILED)
		return set_cause(cause, errno, "cannot map the shmem mirror "
		    "at %p: %s", (void *)addr, strerror(errno));
	if (m != addr) {
		munmap(m, p->len);
		return set_cause(cause, EEXIST, "cannot map the shmem mirror "
		    "at %p: the address is taken", (void *)addr);
	}
	p->mirror = addr;
	return 0;
}

/* Each pair's area in the middle of a slot of its own; backing=file
 * also gets its file. */
static int
place_pairs(struct watch *w, size_t size, size_t len, size_t page,
    char **cause)
{
	struct pair *p;
	char *first = NULL;
	size_t ncpus = 0;
	const int64_t *cpus = wl_list(w->ctx, "cpus", &ncpus);
	int shmem = w->sh->backing == BACKING_SHMEM, i, r;

	/* shmem: the mirrors get slots of their own, after the pairs'. */
	if ((r = find_slots(w->npairs * (shmem ? 2 : 1), &first, cause)) != 0)
		return r;
	for (i = 0; i < w->npairs; i++) {
		p = &w->pairs[i];
		p->sh = w->sh;
		p->index = i;
		p->addr = first + (size_t)i * SLOT + SLOT / 2;
		p->len = len;
		p->size = size;
		p->stride = size > page ? page : CACHE_LINE;
		p->writer_cpu = p->reader_cpu = -1;
		if (cpus != NULL && ncpus > 0) {
			p->writer_cpu = (int)cpus[(size_t)(2 * i) % ncpus];
			p->reader_cpu = (int)cpus[(size_t)(2 * i + 1) % ncpus];
		}
		if (w->sh->backing == BACKING_FILE &&
		    (r = make_file(file_dir(wl_params(w->ctx)), size, &p->fd,
		    cause)) != 0)
			return r;
		if (shmem && (r = map_mirror(p, first + (size_t)(w->npairs +
		    i) * SLOT + SLOT / 2, cause)) != 0)
			return r;
	}
	return 0;
}

/*
 * Poll the pairs until all are done or one stalls: record their
 * incidents, stop every pair when a writer failed, show progress with
 * the map rate.
 */
static void
watch_pairs(struct watch *w, int64_t t0)
{
	struct totals t;
	int64_t now, last_tick = t0;
	uint64_t last_maps = 0;
	/* every pair maps iterations= times; 0: until stopped */
	uint64_t total = w->sh->iterations * (uint64_t)w->npairs;
	char of[32] = "";
	int i, done;

	for (;;) {
		sleep_ns(POLL_NS);
		now = now_mono_ns();
		if (wl_stopping(w->ctx))
			atomic_store(&w->sh->stop, 1);
		drain_incidents(w->ctx, w->pairs, w->npairs, &w->events,
		    &w->dropped);
		for (i = 0, done = 0; i < w->npairs; i++) {
			if (atomic_load(&w->pairs[i].writer_done) &&
			    w->pairs[i].error != 0 && w->error_pair < 0) {
				w->error_pair = i;
				atomic_store(&w->sh->stop, 1);
			}
			done += atomic_load(&w->pairs[i].writer_done) &&
			    atomic_load(&w->pairs[i].reader_done);
		}
		if (done == w->npairs)
			break;
		if ((w->stalled = find_stall(w->pairs, w->npairs, now,
		    w->stall_ns, &w->role, &w->since)) >= 0)
			break;
		if (now - last_tick >= PROGRESS_NS) {
			sum_pairs(w->pairs, w->npairs, &t);
			wl_value(w->ctx, "maps_per_s", (double)(t.maps -
			    last_maps) * 1e9 / (double)(now - last_tick));
			last_maps = t.maps;
			last_tick = now;
			if (total > 0)
				snprintf(of, sizeof of, "/%" PRIu64, total);
			wl_progress_eta(w->ctx, t0, (double)t.maps,
			    (double)total, "maps %" PRIu64 "%s (%.0f/s), "
			    "reads %" PRIu64 ", sigsegv tolerated %" PRIu64
			    ", unexpected %" PRIu64 ", wrong data %" PRIu64,
			    t.maps, of, (double)t.maps * 1e9 /
			    (double)(now - t0), t.reads, t.tolerated,
			    t.unexpected, t.wrong);
		}
	}
}

/* The seed's stall: a 'stall' event with the pair's counters, then a
 * join with a grace period; a thread stuck in the kernel stays. */
static void
record_stall(struct watch *w)
{
	struct pair *p = &w->pairs[w->stalled];
	struct totals t;
	char *text;

	sum_pairs(w->pairs, w->npairs, &t);
	text = xasprintf("pair %d %s made no progress for %.1f s "
	    "(stall=%.1f s): mapped_seq %" PRIu64 ", unmap_seq %"
	    PRIu64 ", reads %" PRIu64 ", sigsegv tolerated %" PRIu64
	    "; %" PRIu64 " maps in all", w->stalled, w->role,
	    (double)(now_mono_ns() - w->since) / 1e9,
	    (double)w->stall_ns / 1e9, load64(&p->mapped_seq),
	    load64(&p->unmap_seq), load64(&p->reads), load64(&p->tolerated),
	    t.maps);
	wl_event(w->ctx, "stall", "mmap-churn: a thread stopped making "
	    "progress", text);
	free(text);
	/* A thread stuck in the kernel cannot be joined: then its area,
	 * file and handlers are left to the process's exit. */
	if (join_all(w->pairs, w->npairs, now_mono_ns() + JOIN_GRACE_NS) != 0)
		w->stuck = 1;
}

/* The rates are over the time the writers ran: until the last one
 * ended, or until now if one never did. */
static int64_t
writers_end_ns(struct pair *pairs, int n, int64_t t0)
{
	int64_t t_end = t0;
	int i;

	for (i = 0; i < n; i++) {
		if (!atomic_load(&pairs[i].writer_done))
			return now_mono_ns();
		if (atomic_load(&pairs[i].writer_end_ns) > t_end)
			t_end = atomic_load(&pairs[i].writer_end_ns);
	}
	return t_end;
}

/* The verdict, with its reason: a stall is a lockup, then a writer's
 * error, then what the checks found. */
static int
run_result(const struct watch *w, const struct totals *t)
{
	const struct pair *p;
	int i;

	if (w->stalled >= 0) {
		/* Sets the reason; the result is a lockup, not a failure. */
		wl_fail(w->ctx, "pair %d %s made no progress for %.0f s%s",
		    w->stalled, w->role, (double)w->stall_ns / 1e9,
		    w->stuck ? "; its thread could not be joined" : "");
		return WL_LOCKUP;
	}
	for (i = 0; i < w->npairs; i++)
		if (w->pairs[i].collapse_refused)
			return wl_skip(w->ctx, "MADV_COLLAPSE is not available: "
			    "madvise() says EINVAL on pair %d's shmem area "
			    "(shmem_enabled deny?)", i);
	if (w->error_pair >= 0) {
		p = &w->pairs[w->error_pair];
		return wl_fail(w->ctx, "pair %d: %s at %p: %s", w->error_pair,
		    p->error_what, (void *)p->addr, p->error == EEXIST ?
		    "the area was taken by another mapping" :
		    strerror(p->error));
	}
	if (t->unexpected > 0 || t->wrong > 0)
		return wl_fail(w->ctx, "%" PRIu64 " unexpected fault%s and %"
		    PRIu64 " wrong read%s in %" PRIu64 " maps (%d recorded "
		    "as corruption events%s)", t->unexpected,
		    t->unexpected == 1 ? "" : "s", t->wrong,
		    t->wrong == 1 ? "" : "s", t->maps, w->events,
		    w->dropped ? ", more not recorded" : "");
	if (t->maps == 0)
		return wl_skip(w->ctx, "stopped before the first map");
	return WL_PASSED;
}

/* Put back what the run changed, unless a thread is stuck in the
 * kernel and may still use it. */
static void
release_pairs(struct watch *w, int handlers, int inited,
    const struct sigaction *old_segv, const struct sigaction *old_bus)
{
	int i;

	if (w->stuck)
		return;
	if (handlers) {
		sigaction(SIGSEGV, old_segv, NULL);
		sigaction(SIGBUS, old_bus, NULL);
	}
	for (i = 0; w->pairs != NULL && i < w->npairs; i++) {
		/* Never blindly: after EEXIST the hole holds a mapping
		 * that is not ours. */
		if (w->pairs[i].left_mapped)
			munmap(w->pairs[i].addr, w->pairs[i].len);
		if (w->pairs[i].fd != -1)
			close(w->pairs[i].fd);
		if (w->pairs[i].mirror != NULL)
			munmap(w->pairs[i].mirror, w->pairs[i].len);
		if (inited)
			pthread_mutex_destroy(&w->pairs[i].lock);
	}
	if (inited) {
		pthread_mutex_destroy(&w->sh->gate);
		pthread_cond_destroy(&w->sh->opened);
	}
	free(w->pairs);
	free(w->sh);
}

/* The run's options into the watch and the shared settings. */
static void
read_settings(struct watch *w)
{
	struct wl_ctx *ctx = w->ctx;
	struct shared *sh = w->sh;

	sh->backing = backing_of(wl_str(ctx, "backing"));
	sh->collapse = (int)wl_int(ctx, "collapse");
	sh->hpage = thp_pmd_size(NULL);
	w->npairs = (int)wl_int(ctx, "pairs");
	w->stall_ns = wl_int(ctx, "stall") * 1000000;
	if (wl_isset(ctx, "iterations"))
		sh->iterations = (uint64_t)wl_int(ctx, "iterations");
	else if (wl_int(ctx, "duration") > 0)
		sh->iterations = 0;
	else
		sh->iterations = DEFAULT_MAPS;
}

static int
mmap_churn_run(struct wl_ctx *ctx)
{
	struct watch w;
	struct shared *sh;
	struct sigaction old_segv, old_bus;
	struct totals t;
	char *cause = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size, len;
	int64_t t0 = 0;
	struct thp_faults thp0 = { -1, -1 }, thp1 = { -1, -1 };
	struct forker forker;
	int64_t alloc0 = -1, alloc1 = -1;
	int i, result, handlers = 0, started = 0, inited = 0;

	memset(&w, 0, sizeof w);
	memset(&forker, 0, sizeof forker);
	w.ctx = ctx;
	w.error_pair = w.stalled = -1;
	/* On the heap: a thread stuck in the kernel may outlive this call
	 * (see record_stall()) and still look at it. */
	w.sh = sh = xcalloc(1, sizeof *sh);
	read_settings(&w);
	area_size(ctx, sh->backing, page, &size, &len);
	if (len > SLOT / 2) {
		result = wl_fail(ctx, "size %zu does not fit in a %zu MiB "
		    "half slot", len, SLOT / 2 >> 20);
		goto out;
	}

	if (sh->backing == BACKING_THP && !wl_int(ctx, "huge_zero_page") &&
	    thp_zero_page_on(NULL) &&
	    wl_knob_set(ctx, THP_ZERO_PAGE, "0", &cause) != 0) {
		result = wl_fail(ctx, "%s", cause);
		goto out;
	}

	pthread_mutex_init(&sh->gate, NULL);
	pthread_cond_init(&sh->opened, NULL);
	w.pairs = xcalloc((size_t)w.npairs, sizeof *w.pairs);
	for (i = 0; i < w.npairs; i++) {
		w.pairs[i].fd = -1;
		pthread_mutex_init(&w.pairs[i].lock, NULL);
	}
	inited = 1;
	if (place_pairs(&w, size, len, page, &cause) != 0 ||
	    install_handlers(&old_segv, &old_bus, &cause) != 0) {
		result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	handlers = 1;
	started = 1;
	if (start_threads(w.pairs, w.npairs, &cause) != 0) {
		result = wl_fail(ctx, "%s", cause);
		goto out;
	}

	if (sh->backing == BACKING_THP)
		thp_faults_read(&thp0);
	alloc0 = vmstat_counter("thp_collapse_alloc");
	if (wl_int(ctx, "fork_churn") && start_forker(&forker, sh, w.pairs,
	    w.npairs, &cause) != 0) {
		result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	wl_progress(ctx, "%d pair%s, backing=%s, %zu bytes at %p", w.npairs,
	    w.npairs == 1 ? "" : "s", backing_names[sh->backing], size,
	    (void *)w.pairs[0].addr);
	t0 = now_mono_ns();
	open_gate(sh);
	watch_pairs(&w, t0);
	atomic_store(&sh->stop, 1);
	stop_forker(&forker);
	alloc1 = vmstat_counter("thp_collapse_alloc");
	if (w.stalled >= 0)
		record_stall(&w);
	else
		join_all(w.pairs, w.npairs, 0);
	started = 0;
	if (sh->backing == BACKING_THP)
		thp_faults_read(&thp1);
	drain_incidents(ctx, w.pairs, w.npairs, &w.events, &w.dropped);

	sum_pairs(w.pairs, w.npairs, &t);
	record_metrics(ctx, &t, (double)(writers_end_ns(w.pairs, w.npairs,
	    t0) - t0) / 1e9, &thp0, &thp1, sh->backing);
	record_churn_metrics(ctx, &t, &forker, alloc0, alloc1);
	result = run_result(&w, &t);
out:
	if (started) {
		/* Error path: the threads wait at the gate or run. */
		atomic_store(&sh->stop, 1);
		open_gate(sh);
		join_all(w.pairs, w.npairs, 0);
	}
	stop_forker(&forker);
	release_pairs(&w, handlers, inited, &old_segv, &old_bus);
	free(cause);
	return result;
}

/* seed 001: LTP mmap1 */
static const struct workload_plot mmap_churn_plots[] = {
	{ "page faults", { "vmstat.pgfault" }, 1 },
	{ "TLB shootdowns", { "irq.TLB" }, 1 },
	{ NULL, { NULL }, 0 },
};

static const char *const mmap_churn_headline_metrics[] = {
	"maps_per_s", "reads_per_s", "unexpected_faults", "wrong_data",
	"sigsegv_tolerated", "thp_maps_pct", "collapse_ok", "forks", NULL,
};

static const struct workload_values_plot mmap_churn_headline_values[] = {
	{ "map/unmap rate", { "maps_per_s" } },
	{ NULL, { NULL } },
};

/*
 * Seed 001's path: a mapping's page tables freed (free_pgtables() at
 * munmap) while another thread faults and reads it; with backing=thp,
 * huge pages really mapped, by fault or by collapse.
 */
static const struct workload_proof mmap_churn_proofs[] = {
	{ "mappings unmapped", "metric:maps", 1, NULL },
	{ "reads racing them", "metric:checked_reads", 1, NULL },
	{ "huge pages mapped or collapsed",
	    "metric:thp_maps_pct|tp.huge_memory.mm_collapse_huge_page", 1,
	    "backing=thp" },
	/* Seed 001's retract path: each collapse_file() that MADV_COLLAPSE
	 * reports, confirmed by the kernel's own count (thp_collapse_alloc
	 * or the collapse_file tracepoint). */
	{ "shmem maps collapsed (MADV_COLLAPSE)", "metric:collapse_ok", 1,
	    "collapse=1" },
	{ "collapse allocations counted by the kernel",
	    "metric:thp_collapse_alloc|"
	    "tp.huge_memory.mm_khugepaged_collapse_file", 1, "collapse=1" },
	{ "fork/exit churn beside it", "metric:forks", 1, "fork_churn=1" },
	{ NULL, NULL, 0, NULL },
};

const struct workload wl_mmap_churn = {
	.name = "mmap-churn",
	.summary = "LTP mmap1: map, write and unmap a fixed address while "
	    "another thread reads it, telling faults that raced an unmap "
	    "from faults on a mapped area",
	.seeds = "001",
	.options = mmap_churn_opts,
	.primary_metric = "maps_per_s",
	.supported = mmap_churn_supported,
	.run = mmap_churn_run,
	.plots = mmap_churn_plots,
	.headline_metrics = mmap_churn_headline_metrics,
	.headline_values = mmap_churn_headline_values,
	.path = "page tables freed by munmap() under racing faults "
	    "(pte_free_defer())",
	.proofs = mmap_churn_proofs,
};
