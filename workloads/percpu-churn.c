/*
 * percpu-churn.c - churn kernel percpu memory from user space through
 * chunk creation and partial depopulation, and check what survives.
 *
 * Seed 002 (2021): f183324133ea "percpu: implement partial chunk
 * depopulation" let pcpu_reclaim_populated() free the backing pages of
 * a partly used chunk without a TLB flush (fixed by 93274f1dd6b0); a CPU
 * could then read or write a page that was already someone else's.  It
 * is reached by allocating many percpu objects and freeing most of them
 * scattered, so that every chunk keeps a few: Roman Gushchin's script
 * did it with 11 000 memory cgroups, freeing 10 of every 11.
 * Seed 000 (2014): new chunks are mapped into vmalloc space and other
 * mms fault the kernel PGD entries in lazily; processes that each use
 * percpu memory while chunks come and go exercise that path.
 *
 * The objects (source=):
 *   bpf    BPF_MAP_TYPE_PERCPU_ARRAY maps: one percpu allocation of
 *          round_up(value_size, 8) per entry (bpf_array_alloc_percpu()),
 *          and values user space can write and read back per CPU;
 *   memcg  memory cgroups, mkdir/rmdir under a private directory
 *          (vmstats_percpu, lruvec stats, css refs in mm/memcontrol.c);
 *   netns  network namespaces, unshare(CLONE_NEWNET), each held by an fd
 *          of /proc/thread-self/ns/net; freed later by cleanup_net();
 *   mix    the three in turn.
 *
 * One cycle, in every churn process at once (procs=, forked children
 * that never talk to the supervisor; the worker coordinates them through
 * a shared mapping and futexes):
 *   1. fill: create count objects, each timed;
 *   2. write: every new BPF value must read back as zero (percpu memory
 *      is handed out zeroed), then gets a pattern derived from (object,
 *      key, CPU, word); every live value is verified;
 *   3. free: per pattern= (fill-free: all; scatter: 9 of every 10, in
 *      order; random: 9 of 10 in random order), each timed; verify;
 *   4. settle: wait until Percpu: in /proc/meminfo stops changing
 *      (settle_quiet); verify again: this is the read after
 *      pcpu_reclaim_populated() that seed 002 would fail;
 *   5. the survivors of the previous cycle are freed, so that the next
 *      fill repopulates sidelined chunks around this cycle's survivors.
 * At the end everything is freed and Percpu: settles once more.  Any
 * value that reads back wrong records a "corruption" event and fails
 * the run.
 *
 * A verify reads each value twice: from user space (the kernel copies
 * every CPU's slot on the calling CPU) and, with cpu_verify=1, with a
 * BPF program run on each online CPU that reads that CPU's own slot
 * (workloads/percpu-bpf.c): seed 002's stale translation was on the
 * other CPUs.  Surviving memcgs and netns are checked too: still there,
 * and their percpu-summed counters still zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/histogram.h"
#include "common/rng.h"
#include "run/options.h"
#include "probe/meminfo.h"
#include "probe/procfs.h"
#include "common/stats.h"
#include "common/util.h"
#include "run/workload.h"
#include "workloads/memcg.h"
#include "workloads/percpu-bpf.h"
#include "workloads/syscalls.h"

#define VALUE_MAX        (32 << 10)  /* PCPU_MIN_UNIT_SIZE: bpf's limit */
#define POSSIBLE_MAX     8192
#define CAUSE_MAX        384
#define POLL_NS          (INT64_C(10) * 1000000)
#define WAIT_NS          (INT64_C(20) * 1000000)
#define CHILD_WAIT_NS    (INT64_C(100) * 1000000)
#define EXIT_WAIT_NS     (INT64_C(20) * 1000000000)
#define MEMCG_ID_MAX     65535       /* MEM_CGROUP_ID_MAX: ids are u16 */
#define KEEP_EVERY       10          /* scatter/random keep 1 in 10 */

#define CPU_POSSIBLE     "/sys/devices/system/cpu/possible"
#define PERCPU_STATS     "/sys/kernel/debug/percpu_stats"
#define MEMCG_PREFIX     "mmstorm-percpu-"
#define CPU_ONLINE       "/sys/devices/system/cpu/online"
#define BAD_CPU_MAX      64          /* CPUs whose BPF mismatches count apart */
/* Test-only: xor the first word the BPF check expects, so that it must
 * fail on every CPU (tests/t/t0246-percpu-cpu-verify.sh). */
#define ENV_BPF_XOR      "MMSTORM_TEST_BPF_EXPECT_XOR"

static const struct opt_spec percpu_churn_opts[] = {
	{ "source", OPT_ENUM, 0, 0, "bpf", "bpf|memcg|netns|mix",
	    "objects that own percpu memory: BPF percpu-array maps, memory "
	    "cgroups, network namespaces, or the three in turn" },
	{ "pattern", OPT_ENUM, 0, 0, "scatter", "fill-free|scatter|random",
	    "fill-free: free everything; scatter: free 9 of every 10 in "
	    "order and keep the rest (partial depopulation); random: free a "
	    "random 9 of 10 in random order" },
	{ "count", OPT_INT, 1, 1000000, NULL, NULL,
	    "objects each process creates per cycle (default: bpf 3000, "
	    "memcg 2000, netns 500, mix 1500, divided by procs)" },
	{ "cycles", OPT_INT, 1, 100000000, NULL, NULL,
	    "fill/free/settle cycles (default: 3, or until duration= when "
	    "that is given)" },
	{ "procs", OPT_INT, 1, 64, "4", NULL,
	    "processes churning at once, each with its own mm (seed 000: "
	    "other mms fault new chunks' kernel mappings in lazily); the "
	    "default count is shared among them" },
	{ "value_size", OPT_SIZE, 8, VALUE_MAX, "4K", NULL,
	    "bpf: size of one percpu value (one percpu allocation per map "
	    "entry)" },
	{ "entries", OPT_INT, 1, 4096, "16", NULL,
	    "bpf: entries per map" },
	{ "settle", OPT_DURATION, 100, INT64_C(3600) * 1000, "10s", NULL,
	    "wait at most this long for Percpu: to settle after a free "
	    "phase" },
	{ "settle_quiet", OPT_DURATION, 10, INT64_C(60) * 1000, NULL, NULL,
	    "Percpu: counts as settled once unchanged for this long "
	    "(default: 1s; 3s with netns, whose cleanup_net() starts late)" },
	{ "seed", OPT_INT, 0, INT32_MAX, "1", NULL,
	    "seed of pattern=random" },
	{ "cpu_verify", OPT_BOOL, 0, 1, "1", NULL,
	    "bpf: also check each value on the CPU that owns it, with a BPF "
	    "program run on every online CPU (BPF_F_TEST_RUN_ON_CPU, 5.10+); "
	    "where the kernel refuses, recorded unavailable and the "
	    "user-space check alone runs" },
	{ "selftest_corrupt", OPT_BOOL, 0, 1, "0", NULL,
	    "bpf: after the first free, rewrite one word of one survivor "
	    "through bpf(2), to prove the check and its corruption event "
	    "(the run then fails)" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

enum kind {
	KIND_BPF = 0,
	KIND_MEMCG,
	KIND_NETNS,
	NKINDS,
};

static const char *const kind_names[NKINDS] = {
	[KIND_BPF] = "bpf",
	[KIND_MEMCG] = "memcg",
	[KIND_NETNS] = "netns",
};

enum pattern {
	PATTERN_FILL_FREE = 0,
	PATTERN_SCATTER,
	PATTERN_RANDOM,
};

enum command {
	CMD_NONE = 0,
	CMD_FILL,
	CMD_WRITE,
	CMD_VERIFY,
	CMD_FREE,
	CMD_RELEASE_OLD,
	CMD_RELEASE_ALL,
	CMD_EXIT,
};

/* When a verify ran, for the corruption event's text. */
static const char *const check_names[] = {
	"after fill",
	"after free",
	"after Percpu settled (depopulation)",
	"before release",
};

enum check {
	CHECK_FILL = 0,
	CHECK_FREE,
	CHECK_SETTLED,
	CHECK_RELEASE,
};

/* One churn process's results: it writes, the worker reads after the
 * done_seq store. */
struct proc_stats {
	_Atomic int done_seq;
	int err;                    /* positive errno of a failure */
	char cause[CAUSE_MAX];
	int64_t creates;            /* fill phases */
	int64_t destroys;           /* free phases */
	int64_t released;           /* release commands */
	int64_t verified;           /* per-CPU values compared */
	int64_t bad_values;         /* values with a wrong word */
	int64_t bad_words;
	int64_t unzeroed;           /* new values not reading zero */
	char first_bad[CAUSE_MAX];
	char first_unzeroed[CAUSE_MAX];
	int64_t bpf_runs;           /* BPF checks run on a CPU */
	int64_t bpf_bad_runs;       /* runs that found a wrong word */
	int64_t bpf_bad_words;
	int64_t bpf_offline;        /* checks skipped: the CPU went offline */
	int64_t bpf_bad_cpu[BAD_CPU_MAX];
	int bpf_cpus;               /* online CPUs of the last pass */
	char first_bpf_bad[CAUSE_MAX];
	int64_t survivors_checked;  /* memcgs and netns looked at */
	int64_t survivors_bad;
	char first_survivor_bad[CAUSE_MAX];
	struct histogram create_ns;
	struct histogram destroy_ns;
};

/* The worker's commands to every churn process. */
struct shared {
	_Atomic int cmd_seq;
	_Atomic int done_count;     /* futex word for the worker's wait */
	_Atomic int stop;           /* cut fill/write/verify short */
	int cmd;
	int check;
	struct proc_stats proc[];
};

/* Settings of the run, read-only once the churn processes are forked. */
struct config {
	int source;                 /* enum kind, or NKINDS for mix */
	int pattern;
	int count;
	int cycles;                 /* 0: until duration= */
	int procs;
	int entries;
	size_t value_size;
	size_t stride;              /* round_up(value_size, 8) */
	int ncpus;                  /* possible CPUs: values per entry */
	int *cpus;                  /* their numbers */
	int64_t settle_ns;
	int64_t quiet_ns;
	uint64_t seed;
	int selftest_corrupt;
	int cpu_verify;             /* the BPF check runs */
	uint64_t bpf_xor;           /* ENV_BPF_XOR */
	int nslots;                 /* survivors of two cycles, at most */
	char *memcg_dir;            /* private parent, NULL without memcg */
};

/* ---- helpers shared by both sides ------------------------------------ */

static int
source_of(const char *name)
{
	int k;

	for (k = 0; k < NKINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return NKINDS; /* mix */
}

static int
pattern_of(const char *name)
{
	if (strcmp(name, "fill-free") == 0)
		return PATTERN_FILL_FREE;
	if (strcmp(name, "random") == 0)
		return PATTERN_RANDOM;
	return PATTERN_SCATTER;
}

static int
default_count(int source)
{
	switch (source) {
	case KIND_BPF: return 3000;
	case KIND_MEMCG: return 2000;
	case KIND_NETNS: return 500;
	default: return 1500;
	}
}

static int
kind_of(int source, int i)
{
	return source == NKINDS ? i % NKINDS : source;
}

/* Objects of a kind among the count made per cycle by one process. */
static int
kind_count(int source, int count, int kind)
{
	if (source != NKINDS)
		return source == kind ? count : 0;
	return count / NKINDS + (kind < count % NKINDS);
}

static int
uses(int source, int kind)
{
	return source == NKINDS || source == kind;
}

/* First word of a value; word w is base + w * RNG_GOLDEN, so a page
 * that moved, repeated or went stale reads wrong. */
static uint64_t
pattern_base(uint64_t serial, uint32_t key, int cpu)
{
	return rng_mix64(serial * RNG_GOLDEN ^ (uint64_t)key << 24 ^
	    (uint64_t)cpu);
}

/* The possible CPUs, as for_each_possible_cpu() walks them when a
 * percpu map value is copied (libbpf_num_possible_cpus()). */
static int
possible_cpus(int **out, int *n, char **cause)
{
	uint64_t bits[POSSIBLE_MAX / 64];
	char *text = NULL;
	int r, cpu, k = 0;

	*out = NULL;
	if ((r = read_file_line(CPU_POSSIBLE, &text, cause)) != 0)
		return r;
	if ((r = procfs_parse_cpulist(text, bits, POSSIBLE_MAX)) <= 0) {
		r = set_cause(cause, EINVAL, "cannot parse '%s': '%s'",
		    CPU_POSSIBLE, text);
		goto out;
	}
	*out = xcalloc((size_t)r, sizeof **out);
	for (cpu = 0; cpu < POSSIBLE_MAX; cpu++)
		if (bits[cpu / 64] & (UINT64_C(1) << (cpu % 64)))
			(*out)[k++] = cpu;
	*n = k;
	r = 0;
out:
	free(text);
	return r;
}

static int64_t
file_int(const char *path)
{
	char *text = NULL;
	int64_t v = -1;

	if (read_file_line(path, &text, NULL) != 0 || parse_int64(text, &v))
		v = -1;
	free(text);
	return v;
}

/* ---- can this source run here? -------------------------------------- */

static int
check_bpf(size_t value_size, char **cause)
{
	int fd;

	if ((fd = bpf_percpu_array_create(value_size, 1)) >= 0) {
		close(fd);
		return 0;
	}
	switch (errno) {
	case ENOSYS:
		return set_cause(cause, ENOTSUP, "bpf(2) is not available: "
		    "kernel without CONFIG_BPF_SYSCALL");
	case EPERM:
	case EACCES:
		return set_cause(cause, ENOTSUP, "bpf(BPF_MAP_CREATE) is not "
		    "permitted: %s (needs CAP_BPF or CAP_SYS_ADMIN)",
		    strerror(errno));
	case E2BIG:
		return set_cause(cause, ENOTSUP, "value_size %zu is too "
		    "large for a percpu array on this kernel", value_size);
	default:
		return set_cause(cause, ENOTSUP, "cannot create a "
		    "BPF_MAP_TYPE_PERCPU_ARRAY map: %s", strerror(errno));
	}
}

/* unshare(CLONE_NEWNET) in a throw-away child: the caller's own netns
 * must not change. */
static int
check_netns(char **cause)
{
	pid_t pid, got;
	int status = 0, err;

	if (access("/proc/self/ns/net", R_OK) != 0)
		return set_cause(cause, ENOTSUP, "no network namespaces: "
		    "'/proc/self/ns/net': %s", strerror(errno));
	if ((pid = fork()) == -1)
		return set_cause(cause, errno, "cannot fork: %s",
		    strerror(errno));
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : errno & 0xff);
	while ((got = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	/* A daemon that reaps every child may have taken it: the worker
	 * repeats this check where nobody else reaps. */
	if (got != pid)
		return 0;
	if (!WIFEXITED(status))
		return set_cause(cause, EIO, "unshare(CLONE_NEWNET) probe "
		    "died");
	if ((err = WEXITSTATUS(status)) != 0)
		return set_cause(cause, ENOTSUP, "cannot create a network "
		    "namespace: unshare(CLONE_NEWNET): %s%s", strerror(err),
		    err == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	return 0;
}

static int
check_memcg(int procs, int n, char **cause)
{
	char *root = NULL, *text = NULL, *p;
	int v2, r;
	int64_t in_use = 0, want;

	if ((r = memcg_hierarchy(&root, &v2, cause)) != 0)
		return r;
	if (access(root, W_OK) != 0) {
		r = set_cause(cause, ENOTSUP, "cannot create memory cgroups "
		    "in '%s': %s", root, strerror(errno));
		goto out;
	}
	/* /proc/cgroups: "memory <hierarchy> <num_cgroups> <enabled>" */
	if (read_file("/proc/cgroups", &text, NULL, NULL) == 0 &&
	    (p = strstr(text, "\nmemory\t")) != NULL)
		sscanf(p + 8, "%*d %" SCNd64, &in_use);
	/* Alive at once: a cycle's objects plus two cycles' survivors. */
	want = (int64_t)procs * (n + 2 * ((n + KEEP_EVERY - 1) / KEEP_EVERY));
	if (want + in_use > MEMCG_ID_MAX) {
		r = set_cause(cause, ENOSPC, "procs x count needs %" PRId64
		    " memory cgroups at once; the kernel has %d memcg ids and "
		    "%" PRId64 " are in use", want, MEMCG_ID_MAX, in_use);
		goto out;
	}
	r = 0;
out:
	free(text);
	free(root);
	return r;
}

/* The default count is the run's, shared among the processes, so that
 * procs= does not multiply the percpu memory and the time. */
static int
settings_count(const struct params *ps, int source)
{
	int n;

	if (params_isset(ps, "count"))
		return (int)params_int(ps, "count");
	n = default_count(source) / (int)params_int(ps, "procs");
	return n > KEEP_EVERY ? n : KEEP_EVERY;
}

static int
percpu_churn_supported(const struct params *ps, char **reason)
{
	int source = source_of(params_str(ps, "source"));
	int procs = (int)params_int(ps, "procs");
	int count = settings_count(ps, source), ncpus, *cpus = NULL, n, r;
	size_t value_size = (size_t)params_int(ps, "value_size");
	int64_t avail_kb, max_ns, nr_open;
	double need;

	if (uses(source, KIND_BPF)) {
		if ((r = check_bpf(value_size, reason)) != 0)
			goto out;
		if ((r = possible_cpus(&cpus, &ncpus, reason)) != 0)
			goto out;
		n = kind_count(source, count, KIND_BPF);
		/* A cycle's maps plus two cycles' survivors. */
		need = (double)procs * (n + 2.0 * n / KEEP_EVERY) *
		    (double)params_int(ps, "entries") *
		    (double)((value_size + 7) & ~(size_t)7) * ncpus;
		avail_kb = meminfo_kb("MemAvailable");
		if (avail_kb > 0 && need > (double)avail_kb * 1024 / 2) {
			r = set_cause(reason, ENOMEM, "bpf would need %.0f MiB "
			    "of percpu memory (%d possible CPUs), more than "
			    "half of MemAvailable (%.0f MiB): lower count, "
			    "entries or value_size", need / (1 << 20), ncpus,
			    (double)avail_kb / 1024);
			goto out;
		}
	}
	if (uses(source, KIND_MEMCG) &&
	    (r = check_memcg(procs, kind_count(source, count, KIND_MEMCG),
	    reason)) != 0)
		goto out;
	if (uses(source, KIND_NETNS)) {
		if ((r = check_netns(reason)) != 0)
			goto out;
		n = kind_count(source, count, KIND_NETNS);
		max_ns = file_int("/proc/sys/user/max_net_namespaces");
		if (max_ns >= 0 && (int64_t)procs * (n + 2 * n / KEEP_EVERY) >
		    max_ns) {
			r = set_cause(reason, ENOSPC, "procs x count needs "
			    "more network namespaces than "
			    "user.max_net_namespaces (%" PRId64 ")", max_ns);
			goto out;
		}
	}
	nr_open = file_int("/proc/sys/fs/nr_open");
	if (nr_open > 0 && count + 2 * count / KEEP_EVERY + 64 > nr_open) {
		r = set_cause(reason, EMFILE, "count %d needs more descriptors "
		    "than fs.nr_open (%" PRId64 ")", count, nr_open);
		goto out;
	}
	r = 0;
out:
	free(cpus);
	return r;
}

/* ---- a churn process ------------------------------------------------- */

struct object {
	uint64_t serial;
	int kind;                   /* -1: gone */
	int fd;                     /* bpf map, held netns */
	int slot;                   /* in the BPF check's map, or -1 */
	int damaged;                /* counted already: count values once */
	int bpf_damaged;
};

struct churner {
	const struct config *cf;
	struct shared *sh;
	struct proc_stats *st;
	int index;
	struct object *cur, *keep_old, *keep_new;
	int ncur, nold, nnew;
	uint64_t next_serial;
	int memcg_fd;               /* the private parent, O_PATH */
	int home_netns;             /* the netns to return to */
	uint64_t *value;            /* one entry: stride x ncpus */
	uint64_t rng;
	int *order;
	int selftest_done;
	struct percpu_bpf bpf;      /* cf->cpu_verify */
	int *free_slots, nfree;
	uint32_t *batch_slots, *batch_fds;
	uint64_t online[POSSIBLE_MAX / 64];
};

static volatile sig_atomic_t child_stop;

static void
child_on_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

static int
child_stopping(struct churner *ch)
{
	return child_stop || atomic_load_explicit(&ch->sh->stop,
	    memory_order_relaxed);
}

static void
child_error(struct churner *ch, int err, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
child_error(struct churner *ch, int err, const char *fmt, ...)
{
	va_list ap;

	if (ch->st->err != 0)
		return;
	ch->st->err = err;
	va_start(ap, fmt);
	vsnprintf(ch->st->cause, sizeof ch->st->cause, fmt, ap);
	va_end(ap);
}

static void
memcg_name(const struct churner *ch, uint64_t serial, char *name,
    size_t size)
{
	snprintf(name, size, "p%d-%" PRIu64, ch->index,
	    serial & ((UINT64_C(1) << 40) - 1));
}

static int
object_create(struct churner *ch, int kind, struct object *o)
{
	char name[64];
	int fd;

	o->serial = ch->next_serial++;
	o->kind = kind;
	o->fd = -1;
	o->slot = -1;
	o->damaged = o->bpf_damaged = 0;
	switch (kind) {
	case KIND_BPF:
		if ((fd = bpf_percpu_array_create(ch->cf->value_size,
		    ch->cf->entries)) < 0)
			return -errno;
		o->fd = fd;
		return 0;
	case KIND_MEMCG:
		memcg_name(ch, o->serial, name, sizeof name);
		return mkdirat(ch->memcg_fd, name, 0755) == 0 ? 0 : -errno;
	case KIND_NETNS:
		/* The new netns is ours until the next unshare; the fd
		 * holds it after that (and after we go home). */
		if (unshare(CLONE_NEWNET) != 0)
			return -errno;
		if ((fd = open("/proc/thread-self/ns/net",
		    O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
		o->fd = fd;
		return 0;
	}
	return -EINVAL;
}

static int
object_destroy(struct churner *ch, struct object *o)
{
	char name[64];
	int r = 0;

	switch (o->kind) {
	case KIND_BPF:
	case KIND_NETNS:
		/* The kernel frees the map in a work item
		 * (bpf_map_free_deferred()) and the netns in cleanup_net():
		 * what the settle phase waits for. */
		close(o->fd);
		break;
	case KIND_MEMCG:
		memcg_name(ch, o->serial, name, sizeof name);
		if (unlinkat(ch->memcg_fd, name, AT_REMOVEDIR) != 0)
			r = -errno;
		break;
	default:
		return 0;
	}
	o->kind = -1;
	o->fd = -1;
	return r;
}

/*
 * Places in the per-CPU check's array of maps for the survivors of a
 * list that have none, in one batch.  Only survivors get one, and only
 * in a verify pass: every update or delete of an array of maps from
 * user space waits for an RCU grace period (maybe_wait_bpf_programs()),
 * which would slow the timed fill and free phases down a hundredfold.
 * 0, or -1 after child_error().
 */
static int
slots_take(struct churner *ch, struct object *list, int n)
{
	int i, k = 0, r;

	for (i = 0; i < n; i++) {
		if (list[i].kind != KIND_BPF || list[i].slot >= 0)
			continue;
		if (ch->nfree == 0) {
			child_error(ch, ENOSPC, "no free slot in the BPF "
			    "check's array of maps for map %" PRIu64,
			    list[i].serial);
			return -1;
		}
		list[i].slot = ch->free_slots[--ch->nfree];
		ch->batch_slots[k] = (uint32_t)list[i].slot;
		ch->batch_fds[k++] = (uint32_t)list[i].fd;
	}
	if ((r = percpu_bpf_set_many(&ch->bpf, ch->batch_slots, ch->batch_fds,
	    k)) != 0) {
		child_error(ch, -r, "cannot put %d maps in the BPF check's "
		    "array of maps: %s", k, strerror(-r));
		return -1;
	}
	return 0;
}

/* The slots of a list about to be released, in one batch. */
static void
slots_give(struct churner *ch, struct object *list, int n)
{
	int i, k = 0, r;

	for (i = 0; i < n; i++) {
		if (list[i].kind < 0 || list[i].slot < 0)
			continue;
		ch->batch_slots[k++] = (uint32_t)list[i].slot;
		ch->free_slots[ch->nfree++] = list[i].slot;
		list[i].slot = -1;
	}
	if ((r = percpu_bpf_clear_many(&ch->bpf, ch->batch_slots, k)) != 0)
		child_error(ch, -r, "cannot take %d maps out of the BPF "
		    "check's array of maps: %s", k, strerror(-r));
}

/* Out of the array of maps before the close: the slot holds a reference
 * that would keep the map, and its percpu memory, alive. */
static void
slot_give(struct churner *ch, struct object *o)
{
	int r;

	if (o->slot < 0)
		return;
	if ((r = percpu_bpf_clear(&ch->bpf, o->slot)) != 0)
		child_error(ch, -r, "cannot take map %" PRIu64 " out of the "
		    "BPF check's slot %d: %s", o->serial, o->slot,
		    strerror(-r));
	ch->free_slots[ch->nfree++] = o->slot;
	o->slot = -1;
}

static void
destroy_timed(struct churner *ch, struct object *o, int64_t *count)
{
	int64_t t0;
	int kind = o->kind, r;

	slot_give(ch, o);
	t0 = now_mono_ns();

	r = object_destroy(ch, o);
	histogram_add(&ch->st->destroy_ns, (uint64_t)(now_mono_ns() - t0));
	(*count)++;
	if (r != 0)
		child_error(ch, -r, "cannot remove %s object %" PRIu64 ": %s",
		    kind_names[kind], o->serial, strerror(-r));
}

static void
go_home(struct churner *ch)
{
	if (ch->home_netns >= 0 && setns(ch->home_netns, CLONE_NEWNET) != 0)
		child_error(ch, errno, "cannot return to the original network "
		    "namespace: %s", strerror(errno));
}

static void
do_fill(struct churner *ch)
{
	const struct config *cf = ch->cf;
	int64_t t0;
	int i, kind, r, netns = 0;

	for (i = 0; i < cf->count && !child_stopping(ch); i++) {
		kind = kind_of(cf->source, i);
		t0 = now_mono_ns();
		r = object_create(ch, kind, &ch->cur[ch->ncur]);
		histogram_add(&ch->st->create_ns,
		    (uint64_t)(now_mono_ns() - t0));
		netns |= kind == KIND_NETNS;
		if (r != 0) {
			child_error(ch, -r, "cannot create %s object %d of %d: "
			    "%s", kind_names[kind], i + 1, cf->count,
			    strerror(-r));
			break;
		}
		ch->ncur++;
		ch->st->creates++;
	}
	if (netns)
		go_home(ch);
}

/* Fill one entry's values (every possible CPU) with the pattern. */
static void
pattern_fill(struct churner *ch, uint64_t serial, uint32_t key)
{
	size_t words = ch->cf->stride / 8, w;
	uint64_t base, *v;
	int c;

	for (c = 0; c < ch->cf->ncpus; c++) {
		v = ch->value + (size_t)c * words;
		base = pattern_base(serial, key, ch->cf->cpus[c]);
		for (w = 0; w < words; w++)
			v[w] = base + w * RNG_GOLDEN;
	}
}

static void
note_value(struct churner *ch, char *first, const struct object *o,
    uint32_t key, int cpu, size_t word, uint64_t want, uint64_t got,
    int64_t nbad, int check)
{
	if (*first != '\0')
		return;
	snprintf(first, CAUSE_MAX, "process %d, map %" PRIu64 " (%d x %zu "
	    "bytes), key %" PRIu32 ", cpu %d, byte %zu: expected 0x%016"
	    PRIx64 ", read 0x%016" PRIx64 "; %" PRId64 " of %zu words of "
	    "this value differ; %s", ch->index, o->serial, ch->cf->entries,
	    ch->cf->value_size, key, cpu, word * 8, want, got, nbad,
	    ch->cf->stride / 8, check >= 0 ? check_names[check] :
	    "new map, before the first write");
}

/* New percpu memory is handed out zeroed (pcpu_alloc() with
 * __GFP_ZERO clears every unit): anything else is stale data. */
static int
check_zero(struct churner *ch, const struct object *o, uint32_t key)
{
	size_t words = ch->cf->stride / 8, w, first = 0;
	int64_t nbad = 0;
	int c, first_cpu = 0;

	for (c = 0; c < ch->cf->ncpus; c++) {
		for (w = 0; w < words; w++) {
			if (ch->value[(size_t)c * words + w] == 0)
				continue;
			if (nbad++ == 0) {
				first = (size_t)c * words + w;
				first_cpu = c;
			}
		}
	}
	if (nbad == 0)
		return 0;
	ch->st->unzeroed++;
	note_value(ch, ch->st->first_unzeroed, o, key, ch->cf->cpus[first_cpu],
	    first % words, 0, ch->value[first], nbad, -1);
	return 1;
}

static void
do_write(struct churner *ch)
{
	const struct config *cf = ch->cf;
	struct object *o;
	uint32_t key;
	int i;

	for (i = 0; i < ch->ncur && !child_stopping(ch); i++) {
		o = &ch->cur[i];
		if (o->kind != KIND_BPF)
			continue;
		for (key = 0; key < (uint32_t)cf->entries; key++) {
			if (bpf_map_lookup(o->fd, key,
			    ch->value) != 0) {
				child_error(ch, errno, "cannot read map %"
				    PRIu64 " key %" PRIu32 ": %s", o->serial,
				    key, strerror(errno));
				return;
			}
			check_zero(ch, o, key);
			pattern_fill(ch, o->serial, key);
			if (bpf_map_update(o->fd, key,
			    ch->value) != 0) {
				child_error(ch, errno, "cannot write map %"
				    PRIu64 " key %" PRIu32 ": %s", o->serial,
				    key, strerror(errno));
				return;
			}
		}
	}
}

static int
verify_object(struct churner *ch, struct object *o, int check)
{
	size_t words = ch->cf->stride / 8, w;
	uint64_t base, *v, want;
	uint32_t key;
	int64_t nbad;
	int c, found = 0;

	for (key = 0; key < (uint32_t)ch->cf->entries; key++) {
		if (bpf_map_lookup(o->fd, key, ch->value) != 0) {
			child_error(ch, errno, "cannot read map %" PRIu64
			    " key %" PRIu32 ": %s", o->serial, key,
			    strerror(errno));
			return -1;
		}
		for (c = 0; c < ch->cf->ncpus; c++) {
			v = ch->value + (size_t)c * words;
			base = pattern_base(o->serial, key, ch->cf->cpus[c]);
			ch->st->verified++;
			for (w = 0, nbad = 0; w < words; w++)
				nbad += v[w] != base + w * RNG_GOLDEN;
			if (nbad == 0 || o->damaged)
				continue;
			found = 1;
			ch->st->bad_values++;
			ch->st->bad_words += nbad;
			for (w = 0; v[w] == base + w * RNG_GOLDEN; w++)
				;
			want = base + w * RNG_GOLDEN;
			note_value(ch, ch->st->first_bad, o, key,
			    ch->cf->cpus[c], w, want, v[w], nbad, check);
		}
	}
	/* Counted once: later passes would find the same values. */
	o->damaged |= found;
	return 0;
}

static void
note_bpf_bad(struct churner *ch, const struct object *o, int cpu,
    uint32_t key0, const struct percpu_bpf_result *res, int check)
{
	uint32_t last = key0 + (uint32_t)ch->bpf.keys_per_run - 1;

	ch->st->bpf_bad_runs++;
	ch->st->bpf_bad_words += res->bad_words;
	if (cpu < BAD_CPU_MAX)
		ch->st->bpf_bad_cpu[cpu]++;
	if (ch->st->first_bpf_bad[0] != '\0')
		return;
	if (last >= (uint32_t)ch->cf->entries)
		last = (uint32_t)ch->cf->entries - 1;
	snprintf(ch->st->first_bpf_bad, CAUSE_MAX, "process %d, map %" PRIu64
	    " (%d x %zu bytes), key %" PRIu32 ", cpu %d's own slot, byte %"
	    PRIu32 ": expected 0x%016" PRIx64 ", read 0x%016" PRIx64 " on "
	    "cpu %d; %" PRIu32 " words of keys %" PRIu32 "-%" PRIu32 " differ "
	    "there; %s", ch->index, o->serial, ch->cf->entries,
	    ch->cf->value_size, res->key, cpu, res->word * 8, res->want,
	    res->got, cpu, res->bad_words, key0, last, check_names[check]);
}

/* The BPF check of one map on every online CPU: each CPU reads its own
 * copy through its own page tables, what seed 002's stale TLB entry
 * got wrong and a read from user space (one CPU copies them all) does
 * not see.  0, or -1 after child_error(). */
static int
bpf_verify_object(struct churner *ch, struct object *o, int check)
{
	struct percpu_bpf_result res;
	char *cause = NULL;
	uint32_t key;
	int cpu, found = 0, r = 0;

	for (cpu = 0; cpu < POSSIBLE_MAX; cpu++) {
		if (!(ch->online[cpu / 64] & (UINT64_C(1) << (cpu % 64))))
			continue;
		for (key = 0; key < (uint32_t)ch->cf->entries;
		    key += (uint32_t)ch->bpf.keys_per_run) {
			r = percpu_bpf_check(&ch->bpf, o->slot, o->serial, key,
			    cpu, ch->cf->bpf_xor, &res, &cause);
			if (r == -ENXIO) {
				/* Gone offline since the list was read. */
				ch->st->bpf_offline++;
				r = 0;
				break;
			}
			if (r != 0) {
				child_error(ch, -r, "map %" PRIu64 ": %s",
				    o->serial, cause);
				r = -1;
				goto out;
			}
			ch->st->bpf_runs++;
			if (res.bad_words == 0 || o->bpf_damaged)
				continue;
			found = 1;
			note_bpf_bad(ch, o, cpu, key, &res, check);
		}
	}
	/* Counted once, as in verify_object(). */
	o->bpf_damaged |= found;
out:
	free(cause);
	return r;
}

static void
survivor_bad(struct churner *ch, struct object *o, int check,
    const char *fmt, ...) PRINTFLIKE(4, 5);

static void
survivor_bad(struct churner *ch, struct object *o, int check,
    const char *fmt, ...)
{
	char what[CAUSE_MAX];
	va_list ap;

	if (o->damaged)
		return;
	o->damaged = 1;
	ch->st->survivors_bad++;
	if (ch->st->first_survivor_bad[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(ch->st->first_survivor_bad, CAUSE_MAX, "process %d, %s "
	    "%" PRIu64 ": %.250s; %s", ch->index, kind_names[o->kind], o->serial,
	    what, check_names[check]);
}

struct nonzero {
	char key[64];
	int64_t value;
};

static void
stat_nonzero(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct nonzero *nz = arg;

	/* hierarchical_memory_limit and the like are limits, not sums. */
	if (value == 0 || nz->key[0] != '\0' ||
	    memmem(key, keylen, "limit", 5) != NULL)
		return;
	snprintf(nz->key, sizeof nz->key, "%.*s", (int)keylen, key);
	nz->value = value;
}

/* A memcg nothing was ever charged to: still there, and every counter
 * of memory.stat (sums over the CPUs of memcg->vmstats_percpu) zero. */
static void
check_memcg_survivor(struct churner *ch, struct object *o, int check)
{
	struct nonzero nz = { "", 0 };
	char name[64], *path, *text = NULL;
	struct stat sb;
	int r;

	ch->st->survivors_checked++;
	memcg_name(ch, o->serial, name, sizeof name);
	path = xasprintf("%s/%s", ch->cf->memcg_dir, name);
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		survivor_bad(ch, o, check, "'%s' is gone", path);
		goto out;
	}
	free(path);
	path = xasprintf("%s/%s/memory.stat", ch->cf->memcg_dir, name);
	if ((r = read_file(path, &text, NULL, NULL)) != 0) {
		survivor_bad(ch, o, check, "cannot read '%s': %s", path,
		    strerror(-r));
		goto out;
	}
	procfs_parse_vmstat(text, stat_nonzero, &nz);
	if (nz.key[0] != '\0')
		survivor_bad(ch, o, check, "'%s' says %s %" PRId64 " in a "
		    "memcg nothing was charged to", path, nz.key, nz.value);
out:
	free(text);
	free(path);
}

/* A held netns: it can still be entered, and its loopback device, never
 * up, counted nothing (its stats are percpu: dev->lstats). */
static void
check_netns_survivor(struct churner *ch, struct object *o, int check)
{
	char *text = NULL, *p;
	unsigned long long v[16];
	int i, n;

	ch->st->survivors_checked++;
	if (setns(o->fd, CLONE_NEWNET) != 0) {
		survivor_bad(ch, o, check, "cannot enter the held netns: %s",
		    strerror(errno));
		return;
	}
	if (read_file("/proc/thread-self/net/dev", &text, NULL, NULL) != 0 ||
	    (p = strstr(text, "lo:")) == NULL) {
		survivor_bad(ch, o, check, "no 'lo' in its /proc/net/dev");
		goto out;
	}
	n = sscanf(p + 3, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
	    "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12],
	    &v[13], &v[14], &v[15]);
	for (i = 0; i < n && v[i] == 0; i++)
		;
	if (n != 16 || i < n)
		survivor_bad(ch, o, check, "its loopback device counted "
		    "traffic nobody sent: '%.*s'", (int)strcspn(p, "\n"), p);
out:
	free(text);
}

/* survivors: the list holds kept objects, which the BPF check reads on
 * every CPU too; new ones are checked from user space only. */
static void
verify_list(struct churner *ch, struct object *list, int n, int check,
    int survivors)
{
	struct object *o;
	int i;

	for (i = 0; i < n && !child_stopping(ch); i++) {
		o = &list[i];
		switch (o->kind) {
		case KIND_BPF:
			if (verify_object(ch, o, check) != 0)
				return;
			if (survivors && ch->cf->cpu_verify &&
			    bpf_verify_object(ch, o, check) != 0)
				return;
			break;
		case KIND_MEMCG:
			check_memcg_survivor(ch, o, check);
			break;
		case KIND_NETNS:
			check_netns_survivor(ch, o, check);
			break;
		}
	}
}

/* The CPUs the BPF check runs on, read once per pass. */
static int
read_online(struct churner *ch)
{
	char *text = NULL, *cause = NULL;
	int r;

	memset(ch->online, 0, sizeof ch->online);
	if ((r = read_file_line(CPU_ONLINE, &text, &cause)) != 0) {
		child_error(ch, -r, "%s", cause);
		goto out;
	}
	if ((r = procfs_parse_cpulist(text, ch->online, POSSIBLE_MAX)) <= 0) {
		child_error(ch, EINVAL, "cannot parse '%s': '%s'", CPU_ONLINE,
		    text);
		r = -EINVAL;
		goto out;
	}
	ch->st->bpf_cpus = r;
	r = 0;
out:
	free(text);
	free(cause);
	return r;
}

static void
do_verify(struct churner *ch, int check)
{
	if (ch->cf->cpu_verify && read_online(ch) != 0)
		return;
	if (ch->cf->cpu_verify && (slots_take(ch, ch->keep_old, ch->nold) !=
	    0 || slots_take(ch, ch->keep_new, ch->nnew) != 0))
		return;
	verify_list(ch, ch->keep_old, ch->nold, check, 1);
	verify_list(ch, ch->keep_new, ch->nnew, check, 1);
	verify_list(ch, ch->cur, ch->ncur, check, 0);
	if (uses(ch->cf->source, KIND_NETNS))
		go_home(ch);
}

/* selftest_corrupt=1: change one word the way a stray write through a
 * stale TLB entry would, once, in process 0. */
static void
selftest_corrupt(struct churner *ch)
{
	struct object *o = NULL;
	int i;

	for (i = 0; i < ch->nnew && o == NULL; i++)
		if (ch->keep_new[i].kind == KIND_BPF)
			o = &ch->keep_new[i];
	if (o == NULL)
		return;
	if (bpf_map_lookup(o->fd, 0, ch->value) != 0)
		return;
	ch->value[ch->cf->stride / 8 / 2] ^= UINT64_C(1) << 17;
	bpf_map_update(o->fd, 0, ch->value);
	ch->selftest_done = 1;
}

/* Free per pattern=; the survivors become keep_new. */
static void
do_free(struct churner *ch)
{
	const struct config *cf = ch->cf;
	int n = ch->ncur, nkeep, i, j, tmp;

	for (i = 0; i < n; i++)
		ch->order[i] = i;
	nkeep = 0;
	switch (cf->pattern) {
	case PATTERN_SCATTER:
		/* Keep objects 0, 10, 20, ...: one in ten, spread over
		 * every chunk the fill made. */
		for (i = 0, j = 0; i < n; i++)
			if (i % KEEP_EVERY != 0)
				ch->order[j++] = i;
		nkeep = n - j;
		for (i = 0; i < n; i += KEEP_EVERY)
			ch->order[j++] = i;
		break;
	case PATTERN_RANDOM:
		for (i = n - 1; i > 0; i--) {
			j = (int)(rng_next(&ch->rng) % (uint64_t)(i + 1));
			tmp = ch->order[i];
			ch->order[i] = ch->order[j];
			ch->order[j] = tmp;
		}
		nkeep = (n + KEEP_EVERY - 1) / KEEP_EVERY;
		break;
	default:
		break;
	}
	for (i = 0; i < n - nkeep; i++)
		destroy_timed(ch, &ch->cur[ch->order[i]], &ch->st->destroys);
	for (; i < n; i++)
		ch->keep_new[ch->nnew++] = ch->cur[ch->order[i]];
	ch->ncur = 0;
	if (cf->selftest_corrupt && ch->index == 0 && !ch->selftest_done)
		selftest_corrupt(ch);
}

static void
release_list(struct churner *ch, struct object *list, int *n)
{
	int i;

	if (ch->cf->cpu_verify)
		slots_give(ch, list, *n);
	for (i = 0; i < *n; i++)
		if (list[i].kind >= 0)
			destroy_timed(ch, &list[i], &ch->st->released);
	*n = 0;
}

static void
do_release_old(struct churner *ch)
{
	struct object *tmp;

	release_list(ch, ch->keep_old, &ch->nold);
	tmp = ch->keep_old;
	ch->keep_old = ch->keep_new;
	ch->keep_new = tmp;
	ch->nold = ch->nnew;
	ch->nnew = 0;
}

static void
do_release_all(struct churner *ch)
{
	go_home(ch);
	release_list(ch, ch->cur, &ch->ncur);
	release_list(ch, ch->keep_old, &ch->nold);
	release_list(ch, ch->keep_new, &ch->nnew);
}

/* This process's array of maps and check program, every slot free. */
static int
child_bpf_setup(struct churner *ch)
{
	char *cause = NULL;
	int r, i;

	if ((r = percpu_bpf_open(&ch->bpf, ch->cf->value_size,
	    ch->cf->entries, ch->cf->nslots, &cause)) != 0) {
		child_error(ch, -r, "%s", cause);
		free(cause);
		return -1;
	}
	ch->free_slots = xcalloc((size_t)ch->cf->nslots,
	    sizeof *ch->free_slots);
	ch->batch_slots = xcalloc((size_t)ch->cf->nslots,
	    sizeof *ch->batch_slots);
	ch->batch_fds = xcalloc((size_t)ch->cf->nslots,
	    sizeof *ch->batch_fds);
	for (i = 0; i < ch->cf->nslots; i++)
		ch->free_slots[i] = ch->cf->nslots - 1 - i;
	ch->nfree = ch->cf->nslots;
	return 0;
}

static int
child_setup(struct churner *ch, pid_t parent)
{
	const struct config *cf = ch->cf;
	struct sigaction sa;
	struct rlimit rl;
	rlim_t want;

	ch->memcg_fd = ch->home_netns = -1;
	/* Die with the worker: the kernel then drops every map and netns
	 * we hold; the worker (or the next run) removes the cgroups. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return -ESRCH;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = child_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	want = (rlim_t)cf->count + 2 * (rlim_t)cf->count / KEEP_EVERY + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (rl.rlim_max < want)
			rl.rlim_max = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			child_error(ch, errno, "cannot raise RLIMIT_NOFILE to "
			    "%ju: %s", (uintmax_t)want, strerror(errno));
			return -1;
		}
	}
	/* Before 5.11 BPF maps were charged to RLIMIT_MEMLOCK. */
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_MEMLOCK, &rl);

	if (cf->memcg_dir != NULL && (ch->memcg_fd = open(cf->memcg_dir,
	    O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		child_error(ch, errno, "cannot open '%s': %s", cf->memcg_dir,
		    strerror(errno));
		return -1;
	}
	if (uses(cf->source, KIND_NETNS) && (ch->home_netns = open(
	    "/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		child_error(ch, errno, "cannot open '/proc/self/ns/net': %s",
		    strerror(errno));
		return -1;
	}
	ch->cur = xcalloc((size_t)cf->count, sizeof *ch->cur);
	ch->keep_old = xcalloc((size_t)cf->count, sizeof *ch->keep_old);
	ch->keep_new = xcalloc((size_t)cf->count, sizeof *ch->keep_new);
	ch->order = xcalloc((size_t)cf->count, sizeof *ch->order);
	ch->value = xcalloc((size_t)cf->ncpus, cf->stride);
	if (cf->cpu_verify && child_bpf_setup(ch) != 0)
		return -1;
	ch->next_serial = ((uint64_t)ch->index << 40) + 1;
	ch->rng = cf->seed * RNG_GOLDEN + (uint64_t)ch->index;
	return 0;
}

/* A forked churn process: follows the worker's commands until CMD_EXIT.
 * It never calls wl_*: only the worker talks to the supervisor. */
static void __attribute__((noreturn))
child_main(const struct config *cf, struct shared *sh, int index,
    pid_t parent)
{
	struct churner ch;
	int seen = 0, seq, cmd;

	memset(&ch, 0, sizeof ch);
	ch.cf = cf;
	ch.sh = sh;
	ch.index = index;
	ch.st = &sh->proc[index];
	if (child_setup(&ch, parent) == -ESRCH)
		_exit(1);
	for (;;) {
		seq = atomic_load_explicit(&sh->cmd_seq, memory_order_acquire);
		if (seq == seen) {
			futex_wait_shared(&sh->cmd_seq, seen, CHILD_WAIT_NS);
			continue;
		}
		seen = seq;
		cmd = sh->cmd;
		/* After a setup failure only releasing and exiting are
		 * meaningful; the worker saw the error. */
		if (ch.st->err == 0 || cmd >= CMD_RELEASE_ALL) {
			switch (cmd) {
			case CMD_FILL: do_fill(&ch); break;
			case CMD_WRITE: do_write(&ch); break;
			case CMD_VERIFY: do_verify(&ch, sh->check); break;
			case CMD_FREE: do_free(&ch); break;
			case CMD_RELEASE_OLD: do_release_old(&ch); break;
			case CMD_RELEASE_ALL: do_release_all(&ch); break;
			default: break;
			}
		}
		atomic_store_explicit(&ch.st->done_seq, seq,
		    memory_order_release);
		atomic_fetch_add(&sh->done_count, 1);
		futex_wake_shared(&sh->done_count);
		if (cmd == CMD_EXIT)
			_exit(0);
	}
}

/* ---- the worker: coordinate, measure, report ------------------------- */

struct cycle {
	double fill_s, free_s;
	int64_t creates, destroys;
	int64_t before_kb, fill_kb, free_kb, settled_kb;
	double settle_ms;
	int settle_timeout;
	int have_stats;
	struct percpu_stats fill_chunks, settled_chunks;
	int64_t allocs;             /* percpu_stats nr_alloc over the fill */
};

struct churn {
	struct wl_ctx *ctx;
	struct config cf;
	struct shared *sh;
	size_t shsize;
	pid_t *pids;
	int *alive;
	int started;
	int seq;
	int released;               /* RELEASE_ALL done */
	struct memcg_tree memcg;
	int64_t start_kb, peak_kb, end_kb;
	int end_timeout;            /* the settle after release did not */
	struct cycle *cycles;
	int ncycles;
	int64_t reported_bad, reported_unzeroed;
	int64_t reported_bpf, reported_survivors;
	int64_t creates, destroys;  /* totals of the recorded cycles */
	int corrupt;
	int stats_readable;
	int64_t cycles_started_ns;  /* the progress line's pace */
};

/* Percpu: in kB; every reading also feeds the peak. */
static int64_t
percpu_kb(struct churn *c)
{
	int64_t v = meminfo_kb("Percpu");

	if (v > c->peak_kb)
		c->peak_kb = v;
	return v;
}

struct alloc_count {
	int64_t nr_alloc;
};

static void
stats_pick(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct alloc_count *a = arg;

	if (keylen == 8 && memcmp(key, "nr_alloc", 8) == 0)
		a->nr_alloc = value;
}

/* percpu_stats (CONFIG_PERCPU_STATS, debugfs): 0 when read.  It walks
 * every chunk under pcpu_lock, so only at phase boundaries. */
static int
read_percpu_stats(struct percpu_stats *st, int64_t *nr_alloc)
{
	struct alloc_count a = { -1 };
	char *text = NULL;
	int r = -1;

	if (read_file(PERCPU_STATS, &text, NULL, NULL) == 0 &&
	    procfs_parse_percpu_stats(text, stats_pick, &a, st) >= 0)
		r = 0;
	*nr_alloc = a.nr_alloc;
	free(text);
	return r;
}

static int
check_children(struct churn *c, int expect_exit, char **cause)
{
	int i, status, r = 0;
	char *how;

	for (i = 0; i < c->cf.procs; i++) {
		if (!c->alive[i] ||
		    waitpid(c->pids[i], &status, WNOHANG) != c->pids[i])
			continue;
		c->alive[i] = 0;
		if (expect_exit || r != 0)
			continue;
		how = WIFSIGNALED(status) ? xasprintf("signal %d%s",
		    WTERMSIG(status), WTERMSIG(status) == SIGKILL ?
		    ", OOM kill?" : "") : xasprintf("exit %d",
		    WEXITSTATUS(status));
		r = set_cause(cause, ECHILD, "churn process %d ended "
		    "unexpectedly (%s)", i, how);
		free(how);
	}
	return r;
}

/*
 * Send a command to every churn process and wait until all did it.
 * 0 when done, negative with *cause when one failed or died.  A stop
 * (duration= or SIGTERM) cuts fill/write/verify short, not frees.
 */
static int
command(struct churn *c, int cmd, int check, int64_t *wall_ns,
    char **cause)
{
	struct shared *sh = c->sh;
	int64_t t0;
	int i, done, seen, seq, r = 0;

	sh->cmd = cmd;
	sh->check = check;
	seq = ++c->seq;
	t0 = now_mono_ns();
	atomic_store_explicit(&sh->cmd_seq, seq, memory_order_release);
	futex_wake_shared(&sh->cmd_seq);
	for (;;) {
		seen = atomic_load(&sh->done_count);
		for (i = 0, done = 0; i < c->cf.procs; i++)
			done += !c->alive[i] || atomic_load_explicit(
			    &sh->proc[i].done_seq, memory_order_acquire) >= seq;
		if (done == c->cf.procs)
			break;
		if (wl_stopping(c->ctx) && !atomic_load(&sh->stop))
			atomic_store(&sh->stop, 1);
		if ((r = check_children(c, cmd == CMD_EXIT, cause)) != 0)
			return r;
		futex_wait_shared(&sh->done_count, seen, WAIT_NS);
	}
	if (wall_ns != NULL)
		*wall_ns = now_mono_ns() - t0;
	for (i = 0; i < c->cf.procs; i++)
		if (sh->proc[i].err != 0)
			return set_cause(cause, sh->proc[i].err,
			    "process %d: %s", i, sh->proc[i].cause);
	return 0;
}

/* What the churn processes found, summed. */
struct findings {
	int64_t bad, words, unzeroed, bpf_runs, bpf_bad, bpf_words;
	int64_t survivors_bad;
	int64_t bad_cpu[BAD_CPU_MAX];
	const char *first_bad, *first_unzeroed, *first_bpf, *first_survivor;
};

static const char *
first_of(const char *have, const char *text)
{
	return have != NULL || text[0] == '\0' ? have : text;
}

static void
sum_findings(const struct churn *c, struct findings *f)
{
	const struct proc_stats *st;
	int i, k;

	memset(f, 0, sizeof *f);
	for (i = 0; i < c->cf.procs; i++) {
		st = &c->sh->proc[i];
		f->bad += st->bad_values;
		f->words += st->bad_words;
		f->unzeroed += st->unzeroed;
		f->bpf_runs += st->bpf_runs;
		f->bpf_bad += st->bpf_bad_runs;
		f->bpf_words += st->bpf_bad_words;
		f->survivors_bad += st->survivors_bad;
		for (k = 0; k < BAD_CPU_MAX; k++)
			f->bad_cpu[k] += st->bpf_bad_cpu[k];
		f->first_bad = first_of(f->first_bad, st->first_bad);
		f->first_unzeroed = first_of(f->first_unzeroed,
		    st->first_unzeroed);
		f->first_bpf = first_of(f->first_bpf, st->first_bpf_bad);
		f->first_survivor = first_of(f->first_survivor,
		    st->first_survivor_bad);
	}
}

/* "cpu 0: 12, cpu 1: 12": which CPUs' own reads went wrong. */
static char *
bad_cpus_text(const struct findings *f)
{
	char *text = xstrdup(""), *next;
	int k;

	for (k = 0; k < BAD_CPU_MAX; k++) {
		if (f->bad_cpu[k] == 0)
			continue;
		next = xasprintf("%s%scpu %d: %" PRId64, text,
		    *text ? ", " : "", k, f->bad_cpu[k]);
		free(text);
		text = next;
	}
	return text;
}

static void
report_bpf(struct churn *c, const struct findings *f)
{
	char *cpus, *text;

	if (f->bpf_bad <= c->reported_bpf)
		return;
	cpus = bad_cpus_text(f);
	text = xasprintf("%" PRId64 " BPF checks run on a value's own CPU "
	    "found it wrong (%" PRId64 " words); by cpu: %s; first: %s",
	    f->bpf_bad - c->reported_bpf, f->bpf_words, cpus,
	    f->first_bpf ? f->first_bpf : "?");
	wl_event(c->ctx, "corruption", "percpu-churn: BPF percpu value wrong "
	    "on its own CPU", text);
	free(text);
	free(cpus);
	c->reported_bpf = f->bpf_bad;
	c->corrupt = 1;
}

/* Record corruption events for what the processes found since the last
 * look: one event per kind of finding and check. */
static void
report_corruption(struct churn *c)
{
	struct findings f;
	char *text;

	sum_findings(c, &f);
	if (f.bad > c->reported_bad) {
		text = xasprintf("%" PRId64 " percpu values (%" PRId64
		    " words) read back wrong; first: %s", f.bad -
		    c->reported_bad, f.words, f.first_bad ? f.first_bad : "?");
		wl_event(c->ctx, "corruption",
		    "percpu-churn: BPF percpu value changed", text);
		free(text);
		c->reported_bad = f.bad;
		c->corrupt = 1;
	}
	if (f.unzeroed > c->reported_unzeroed) {
		text = xasprintf("%" PRId64 " new percpu values were not zero; "
		    "first: %s", f.unzeroed - c->reported_unzeroed,
		    f.first_unzeroed ? f.first_unzeroed : "?");
		wl_event(c->ctx, "corruption",
		    "percpu-churn: new BPF percpu value not zeroed", text);
		free(text);
		c->reported_unzeroed = f.unzeroed;
		c->corrupt = 1;
	}
	report_bpf(c, &f);
	if (f.survivors_bad > c->reported_survivors) {
		text = xasprintf("%" PRId64 " surviving memcgs or netns read "
		    "back wrong; first: %s", f.survivors_bad -
		    c->reported_survivors, f.first_survivor ?
		    f.first_survivor : "?");
		wl_event(c->ctx, "corruption", "percpu-churn: surviving "
		    "memcg or netns wrong", text);
		free(text);
		c->reported_survivors = f.survivors_bad;
		c->corrupt = 1;
	}
}

static int
verify(struct churn *c, int check, char **cause)
{
	int r;

	r = command(c, CMD_VERIFY, check, NULL, cause);
	report_corruption(c);
	return r;
}

struct settled {
	int64_t kb;
	double ms;
	int timeout;
};

/*
 * Wait for Percpu: to settle after a free: unchanged for settle_quiet.
 * The frees of BPF maps and netns run later in work items, and a fall
 * cannot be demanded: a fill that went into the first chunk's free
 * pages stays populated (pcpu_reclaim_populated() skips that chunk).
 * kb0 was read at t0, the end of the free: a fall during the checks
 * that follow the free counts at the first poll, not as no change.
 * 1 when the run is stopping.
 */
static int
settle_wait(struct churn *c, int64_t t0, int64_t kb0, struct settled *out)
{
	int64_t v, last = kb0, last_change = t0, now;

	memset(out, 0, sizeof *out);
	for (;;) {
		now = now_mono_ns();
		if (wl_stopping(c->ctx))
			return 1;
		if (now - last_change >= c->cf.quiet_ns)
			break;
		if (now - t0 >= c->cf.settle_ns) {
			out->timeout = 1;
			break;
		}
		sleep_ns(POLL_NS);
		v = percpu_kb(c);
		if (v != last) {
			last = v;
			last_change = now_mono_ns();
		}
	}
	out->kb = last;
	out->ms = (double)(last_change - t0) / 1e6;
	return 0;
}

/* "/6" after the cycle number when cycles= bounds the run, else "". */
static const char *
cycle_total(const struct churn *c)
{
	static char text[32];

	if (c->cf.cycles <= 0)
		return "";
	snprintf(text, sizeof text, "/%d", (int)c->cf.cycles);
	return text;
}

/* One cycle.  0 when complete, 1 when the run is stopping, negative
 * with *cause on error. */
static int
run_cycle(struct churn *c, int k, struct cycle *cy, char **cause)
{
	int64_t wall, t_free, allocs0 = -1, allocs1 = -1;
	struct settled s;
	struct percpu_stats dummy;
	int r;

	memset(cy, 0, sizeof *cy);
	if (k == 0)
		c->cycles_started_ns = now_mono_ns();
	wl_progress_eta(c->ctx, c->cycles_started_ns, k, c->cf.cycles,
	    "cycle %d%s: fill, %d x %d %s objects", k + 1, cycle_total(c),
	    c->cf.procs, c->cf.count, c->cf.source == NKINDS ? "mixed" :
	    kind_names[c->cf.source]);
	cy->before_kb = percpu_kb(c);
	if (c->stats_readable)
		read_percpu_stats(&dummy, &allocs0);
	if ((r = command(c, CMD_FILL, 0, &wall, cause)) != 0)
		return r;
	cy->fill_s = (double)wall / 1e9;
	cy->fill_kb = percpu_kb(c);
	if (c->stats_readable &&
	    read_percpu_stats(&cy->fill_chunks, &allocs1) == 0 &&
	    allocs0 >= 0 && allocs1 >= allocs0) {
		cy->have_stats = 1;
		cy->allocs = allocs1 - allocs0;
	}
	wl_sample(c->ctx, "fill-end");
	if (atomic_load(&c->sh->stop))
		return 1;

	if (uses(c->cf.source, KIND_BPF)) {
		wl_progress_eta(c->ctx, c->cycles_started_ns, k, c->cf.cycles,
		    "cycle %d%s: write and verify", k + 1, cycle_total(c));
		if ((r = command(c, CMD_WRITE, 0, NULL, cause)) != 0)
			return r;
		report_corruption(c);
		if ((r = verify(c, CHECK_FILL, cause)) != 0)
			return r;
		if (atomic_load(&c->sh->stop))
			return 1;
	}

	wl_progress_eta(c->ctx, c->cycles_started_ns, k, c->cf.cycles,
	    "cycle %d%s: free (%s)", k + 1, cycle_total(c),
	    c->cf.pattern == PATTERN_FILL_FREE ? "fill-free" :
	    c->cf.pattern == PATTERN_SCATTER ? "scatter" : "random");
	if ((r = command(c, CMD_FREE, 0, &wall, cause)) != 0)
		return r;
	t_free = now_mono_ns();
	cy->free_s = (double)wall / 1e9;
	cy->free_kb = percpu_kb(c);
	wl_sample(c->ctx, "free-end");
	if ((r = verify(c, CHECK_FREE, cause)) != 0)
		return r;

	wl_progress_eta(c->ctx, c->cycles_started_ns, k, c->cf.cycles,
	    "cycle %d%s: waiting for Percpu to settle", k + 1,
	    cycle_total(c));
	if (settle_wait(c, t_free, cy->free_kb, &s) != 0)
		return 1;
	cy->settled_kb = s.kb;
	cy->settle_ms = s.ms;
	cy->settle_timeout = s.timeout;
	if (cy->have_stats &&
	    read_percpu_stats(&cy->settled_chunks, &allocs1) != 0)
		cy->have_stats = 0;
	wl_sample(c->ctx, "settled");
	if ((r = verify(c, CHECK_SETTLED, cause)) != 0)
		return r;
	if ((r = command(c, CMD_RELEASE_OLD, 0, NULL, cause)) != 0)
		return r;
	return 0;
}

/* Stop, free everything, and reap the churn processes, whatever state
 * they are in; the first error goes to *cause when r is 0. */
static int
finish_children(struct churn *c, int r, char **cause)
{
	char *why = NULL;
	int64_t deadline;
	int i, rr, status;
	pid_t pid;

	if (!c->started)
		return r;
	atomic_store(&c->sh->stop, 1);
	if (!c->released) {
		rr = command(c, CMD_RELEASE_ALL, 0, NULL, &why);
		if (rr != 0 && r == 0) {
			r = set_cause(cause, -rr, "%s", why);
		}
		c->released = 1;
	}
	command(c, CMD_EXIT, 0, NULL, NULL);
	deadline = now_mono_ns() + EXIT_WAIT_NS;
	for (i = 0; i < c->cf.procs; i++) {
		while (c->alive[i]) {
			pid = waitpid(c->pids[i], &status, WNOHANG);
			if (pid == c->pids[i] || (pid == -1 &&
			    errno == ECHILD)) {
				c->alive[i] = 0;
				break;
			}
			if (now_mono_ns() >= deadline)
				kill(c->pids[i], SIGKILL);
			sleep_ns(POLL_NS);
		}
	}
	c->started = 0;
	free(why);
	return r;
}

static int
start_children(struct churn *c, char **cause)
{
	pid_t pid, self = getpid();
	int i;

	c->pids = xcalloc((size_t)c->cf.procs, sizeof *c->pids);
	c->alive = xcalloc((size_t)c->cf.procs, sizeof *c->alive);
	c->started = 1;
	for (i = 0; i < c->cf.procs; i++) {
		if ((pid = fork()) == -1)
			return set_cause(cause, errno, "cannot fork churn "
			    "process %d: %s", i, strerror(errno));
		if (pid == 0)
			child_main(&c->cf, c->sh, i, self);
		c->pids[i] = pid;
		c->alive[i] = 1;
	}
	return 0;
}

static double
cycle_median(const struct churn *c, double (*get)(const struct cycle *),
    int skip_timeouts)
{
	double *v = xcalloc((size_t)c->ncycles + 1, sizeof *v), m;
	size_t n = 0;
	int i;

	for (i = 0; i < c->ncycles; i++)
		if (!skip_timeouts || !c->cycles[i].settle_timeout)
			v[n++] = get(&c->cycles[i]);
	m = n > 0 ? stats_median(v, n) : -1;
	free(v);
	return m;
}

static double
get_settled_kb(const struct cycle *cy)
{
	return (double)cy->settled_kb;
}

static double
get_settle_ms(const struct cycle *cy)
{
	return cy->settle_ms;
}

static double
get_chunks_settled(const struct cycle *cy)
{
	return (double)cy->settled_chunks.chunks_total;
}

static double
get_chunks_sidelined(const struct cycle *cy)
{
	return (double)cy->settled_chunks.chunks_sidelined;
}

static double
get_chunks_to_depopulate(const struct cycle *cy)
{
	return (double)cy->settled_chunks.chunks_to_depopulate;
}

static double
get_kb_per_object(const struct cycle *cy)
{
	return cy->creates > 0 ?
	    (double)(cy->fill_kb - cy->before_kb) / (double)cy->creates : 0;
}

static double
get_allocs_per_object(const struct cycle *cy)
{
	return cy->creates > 0 ? (double)cy->allocs / (double)cy->creates : 0;
}

/* Sums over the recorded cycles. */
struct cycle_sums {
	double fill_s, free_s;
	double settle_max;          /* ms, of cycles that settled; -1 none */
	int64_t creates, destroys, timeouts;
	int64_t chunks_peak;        /* most chunks after a fill, -1 unknown */
	int stats;                  /* every cycle read percpu_stats */
};

static void
sum_cycles(const struct churn *c, struct cycle_sums *s)
{
	const struct cycle *cy;
	int i;

	memset(s, 0, sizeof *s);
	s->settle_max = -1;
	s->chunks_peak = -1;
	s->stats = c->ncycles > 0;
	for (i = 0; i < c->ncycles; i++) {
		cy = &c->cycles[i];
		s->fill_s += cy->fill_s;
		s->free_s += cy->free_s;
		s->creates += cy->creates;
		s->destroys += cy->destroys;
		s->timeouts += cy->settle_timeout;
		if (!cy->settle_timeout && cy->settle_ms > s->settle_max)
			s->settle_max = cy->settle_ms;
		s->stats &= cy->have_stats;
		if (cy->have_stats &&
		    cy->fill_chunks.chunks_total > s->chunks_peak)
			s->chunks_peak = cy->fill_chunks.chunks_total;
	}
}

/* p50, p99 and max of one create or destroy histogram, in us. */
static void
record_latency(struct wl_ctx *ctx, const char *what,
    const struct histogram *h)
{
	char name[64];

	if (h->n == 0)
		return;
	snprintf(name, sizeof name, "%s_us_p50", what);
	wl_metric(ctx, name, histogram_percentile(h, 50) / 1e3, "us",
	    BETTER_LOWER);
	snprintf(name, sizeof name, "%s_us_p99", what);
	wl_metric(ctx, name, histogram_percentile(h, 99) / 1e3, "us",
	    BETTER_LOWER);
	snprintf(name, sizeof name, "%s_us_max", what);
	wl_metric(ctx, name, (double)h->max / 1e3, "us", BETTER_LOWER);
}

/* Percpu: over the run, and how long it took to settle. */
static void
record_percpu_memory(struct churn *c, const struct cycle_sums *s)
{
	struct wl_ctx *ctx = c->ctx;

	wl_metric(ctx, "percpu_start_kb", (double)c->start_kb, "kB",
	    BETTER_LOWER);
	wl_metric(ctx, "percpu_peak_kb", (double)c->peak_kb, "kB",
	    BETTER_LOWER);
	wl_metric(ctx, "percpu_settled_kb",
	    cycle_median(c, get_settled_kb, 0), "kB", BETTER_LOWER);
	if (c->end_kb >= 0)
		wl_metric(ctx, "percpu_end_kb", (double)c->end_kb, "kB",
		    BETTER_LOWER);
	wl_metric(ctx, "percpu_kb_per_object",
	    cycle_median(c, get_kb_per_object, 0), "kB", BETTER_LOWER);
	/* Cycles that never settled give no time, only a count. */
	if (s->settle_max >= 0) {
		wl_metric(ctx, "settle_ms", cycle_median(c, get_settle_ms, 1),
		    "ms", BETTER_LOWER);
		wl_metric(ctx, "settle_ms_max", s->settle_max, "ms",
		    BETTER_LOWER);
	}
	wl_metric(ctx, "settle_timeouts", (double)(s->timeouts +
	    c->end_timeout), "count", BETTER_LOWER);
}

/* Chunks from percpu_stats, when every cycle could read it. */
static void
record_chunks(struct churn *c, const struct cycle_sums *s)
{
	struct wl_ctx *ctx = c->ctx;

	wl_metric(ctx, "chunks_peak", (double)s->chunks_peak, "count",
	    BETTER_LOWER);
	wl_metric(ctx, "chunks_settled",
	    cycle_median(c, get_chunks_settled, 0), "count", BETTER_LOWER);
	/* Partly depopulated chunks: pcpu_reclaim_populated() at work,
	 * the path of seed 002. */
	wl_metric(ctx, "chunks_sidelined",
	    cycle_median(c, get_chunks_sidelined, 0), "count",
	    BETTER_HIGHER);
	wl_metric(ctx, "chunks_to_depopulate",
	    cycle_median(c, get_chunks_to_depopulate, 0), "count",
	    BETTER_LOWER);
	wl_metric(ctx, "percpu_allocs_per_object",
	    cycle_median(c, get_allocs_per_object, 0), "count",
	    BETTER_LOWER);
}

/* The per-CPU BPF check (only when it ran: an unavailable one is in the
 * run's unavailable list, not a zero) and the memcg and netns checks. */
static void
record_checks(struct churn *c)
{
	struct findings f;
	int64_t survivors = 0, offline = 0;
	int i, cpus = 0;

	sum_findings(c, &f);
	for (i = 0; i < c->cf.procs; i++) {
		survivors += c->sh->proc[i].survivors_checked;
		offline += c->sh->proc[i].bpf_offline;
		if (c->sh->proc[i].bpf_cpus > cpus)
			cpus = c->sh->proc[i].bpf_cpus;
	}
	if (c->cf.cpu_verify) {
		wl_metric(c->ctx, "bpf_verify_runs", (double)f.bpf_runs,
		    "count", BETTER_HIGHER);
		wl_metric(c->ctx, "bpf_verify_mismatches",
		    (double)c->reported_bpf, "count", BETTER_LOWER);
		wl_metric(c->ctx, "bpf_verify_cpus", cpus, "count",
		    BETTER_HIGHER);
		/* Maps a CPU that went offline did not check (ENXIO). */
		wl_metric(c->ctx, "bpf_verify_offline", (double)offline,
		    "count", BETTER_LOWER);
	}
	if (uses(c->cf.source, KIND_MEMCG) || uses(c->cf.source, KIND_NETNS)) {
		wl_metric(c->ctx, "survivors_checked", (double)survivors,
		    "count", BETTER_HIGHER);
		wl_metric(c->ctx, "survivors_wrong",
		    (double)c->reported_survivors, "count", BETTER_LOWER);
	}
}

/* The run's metrics: the checks, then (after a cycle) the rates,
 * latencies, Percpu: and chunks. */
static void
record_metrics(struct churn *c)
{
	struct wl_ctx *ctx = c->ctx;
	struct histogram *create, *destroy;
	struct cycle_sums s;
	int64_t verified = 0;
	int i;

	create = xcalloc(1, sizeof *create);
	destroy = xcalloc(1, sizeof *destroy);
	for (i = 0; i < c->cf.procs; i++) {
		histogram_merge(create, &c->sh->proc[i].create_ns);
		histogram_merge(destroy, &c->sh->proc[i].destroy_ns);
		verified += c->sh->proc[i].verified;
	}
	sum_cycles(c, &s);

	/* Checks first: they mean something even for a stopped run. */
	wl_metric(ctx, "verified_values", (double)verified, "count",
	    BETTER_HIGHER);
	wl_metric(ctx, "corrupt_values", (double)(c->reported_bad +
	    c->reported_unzeroed), "count", BETTER_LOWER);
	record_checks(c);
	if (c->ncycles == 0)
		goto out;

	if (s.fill_s > 0)
		wl_metric(ctx, "objects_per_s", (double)s.creates / s.fill_s,
		    "objects/s", BETTER_HIGHER);
	if (s.fill_s + s.free_s > 0)
		wl_metric(ctx, "ops_per_s", (double)(s.creates + s.destroys) /
		    (s.fill_s + s.free_s), "ops/s", BETTER_HIGHER);
	record_latency(ctx, "create", create);
	record_latency(ctx, "destroy", destroy);
	record_percpu_memory(c, &s);
	if (s.stats)
		record_chunks(c, &s);
	wl_metric(ctx, "cycles", c->ncycles, "count", BETTER_HIGHER);
	wl_metric(ctx, "objects", (double)s.creates, "count", BETTER_HIGHER);
	wl_metric(ctx, "procs", c->cf.procs, "count", BETTER_HIGHER);
out:
	free(create);
	free(destroy);
}

static int
config_init(struct wl_ctx *ctx, struct config *cf, char **cause)
{
	const char *xor;

	memset(cf, 0, sizeof *cf);
	cf->source = source_of(wl_str(ctx, "source"));
	cf->pattern = pattern_of(wl_str(ctx, "pattern"));
	cf->count = settings_count(wl_params(ctx), cf->source);
	if (wl_isset(ctx, "cycles"))
		cf->cycles = (int)wl_int(ctx, "cycles");
	else
		cf->cycles = wl_int(ctx, "duration") > 0 ? 0 : 3;
	cf->procs = (int)wl_int(ctx, "procs");
	cf->entries = (int)wl_int(ctx, "entries");
	cf->value_size = (size_t)wl_int(ctx, "value_size");
	cf->stride = (cf->value_size + 7) & ~(size_t)7;
	cf->settle_ns = wl_int(ctx, "settle") * 1000000;
	if (wl_isset(ctx, "settle_quiet"))
		cf->quiet_ns = wl_int(ctx, "settle_quiet") * 1000000;
	else
		cf->quiet_ns = uses(cf->source, KIND_NETNS) ?
		    INT64_C(3000000000) : INT64_C(1000000000);
	cf->seed = (uint64_t)wl_int(ctx, "seed");
	cf->selftest_corrupt = (int)wl_int(ctx, "selftest_corrupt");
	cf->cpu_verify = uses(cf->source, KIND_BPF) &&
	    wl_int(ctx, "cpu_verify");
	if ((xor = getenv(ENV_BPF_XOR)) != NULL && *xor != '\0')
		cf->bpf_xor = strtoull(xor, NULL, 0);
	/* Survivors of two cycles (slot_take()). */
	cf->nslots = 2 * ((cf->count + KEEP_EVERY - 1) / KEEP_EVERY);
	return possible_cpus(&cf->cpus, &cf->ncpus, cause);
}

/* Why the kernel refused the per-CPU check, with what would help. */
static const char *
cpu_verify_hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return " (needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)";
	case EINVAL:
	case 524:  /* ENOTSUPP: no test run for raw_tp before 5.10 */
		return " (BPF_PROG_TEST_RUN of a raw tracepoint program with "
		    "BPF_F_TEST_RUN_ON_CPU needs Linux 5.10)";
	default:
		return "";
	}
}

/*
 * Can this kernel run the per-CPU check?  Its maps, its program and one
 * test run on every online CPU, here, before the churn processes copy
 * the answer.  When not, the run says so once, in its unavailable list,
 * and verifies from user space only.
 */
static void
probe_cpu_verify(struct churn *c)
{
	struct percpu_bpf pb = { -1, -1, -1, -1, 0, 0, 0 };
	struct percpu_bpf_result res;
	uint64_t online[POSSIBLE_MAX / 64];
	char *cause = NULL, *text = NULL, *why = NULL;
	int fd = -1, cpu, r;

	if (!c->cf.cpu_verify)
		return;
	if ((r = percpu_bpf_open(&pb, c->cf.value_size, c->cf.entries, 1,
	    &cause)) != 0)
		goto out;
	if ((fd = bpf_percpu_array_create(c->cf.value_size,
	    c->cf.entries)) < 0 || (r = percpu_bpf_set(&pb, 0, fd)) != 0) {
		r = set_cause(&cause, fd < 0 ? errno : -r, "cannot fill the "
		    "BPF check's array of maps: %s", strerror(fd < 0 ? errno :
		    -r));
		goto out;
	}
	memset(online, 0, sizeof online);
	if ((r = read_file_line(CPU_ONLINE, &text, &cause)) != 0 ||
	    (r = procfs_parse_cpulist(text, online, POSSIBLE_MAX)) < 0) {
		r = set_cause(&cause, EINVAL, "cannot read '%s'", CPU_ONLINE);
		goto out;
	}
	/* A zeroed map: the values differ, the run must only work. */
	for (cpu = 0, r = 0; cpu < POSSIBLE_MAX && r == 0; cpu++)
		if (online[cpu / 64] & (UINT64_C(1) << (cpu % 64)))
			r = percpu_bpf_check(&pb, 0, 1, 0, cpu, 0, &res,
			    &cause);
out:
	if (r != 0) {
		why = xasprintf("%s%s", cause, cpu_verify_hint(-r));
		wl_unavailable(c->ctx, "percpu-churn cpu_verify", why);
		wl_progress(c->ctx, "no per-CPU BPF check: %s", why);
		c->cf.cpu_verify = 0;
	}
	if (fd >= 0)
		percpu_bpf_clear(&pb, 0);
	percpu_bpf_close(&pb);
	if (fd >= 0)
		close(fd);
	free(why);
	free(text);
	free(cause);
}

/*
 * What the cycles need: the settings, supported() again (it ran in the
 * supervisor; the objects are made here), the starting Percpu:, the
 * private memcg parent, the shared mapping and the churn processes.
 * 0, or -1 with the run's result.
 */
static int
prepare_run(struct churn *c, int *result)
{
	struct wl_ctx *ctx = c->ctx;
	char *cause = NULL;

	if (config_init(ctx, &c->cf, &cause) != 0) {
		*result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	if (percpu_churn_supported(wl_params(ctx), &cause) != 0) {
		*result = wl_skip(ctx, "%s", cause);
		goto out;
	}
	if ((c->start_kb = percpu_kb(c)) < 0) {
		*result = wl_skip(ctx, "no 'Percpu:' in /proc/meminfo");
		goto out;
	}
	if (uses(c->cf.source, KIND_MEMCG)) {
		if (memcg_tree_create(&c->memcg, MEMCG_PREFIX,
		    &cause) != 0) {
			*result = wl_fail(ctx, "%s", cause);
			goto out;
		}
		c->cf.memcg_dir = c->memcg.dir;
	}
	c->stats_readable = access(PERCPU_STATS, R_OK) == 0;
	probe_cpu_verify(c);

	c->shsize = sizeof *c->sh + (size_t)c->cf.procs * sizeof c->sh->proc[0];
	c->sh = mmap(NULL, c->shsize, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->sh == MAP_FAILED) {
		c->sh = NULL;
		*result = wl_fail(ctx, "cannot map %zu bytes: %s", c->shsize,
		    strerror(errno));
		goto out;
	}
	/* The empty command returns once every process is set up (the
	 * BPF check's program takes the verifier ~0.2 s): not in the
	 * first fill's time. */
	if (start_children(c, &cause) != 0 ||
	    command(c, CMD_NONE, 0, NULL, &cause) != 0) {
		*result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	return 0;
out:
	free(cause);
	return -1;
}

/* A completed cycle: its part of the processes' running totals, kept
 * for the metrics and sent as the cycle_* series. */
static void
keep_cycle(struct churn *c, struct cycle *cy)
{
	struct wl_ctx *ctx = c->ctx;
	int i;

	for (i = 0, cy->creates = 0, cy->destroys = 0; i < c->cf.procs; i++) {
		cy->creates += c->sh->proc[i].creates;
		cy->destroys += c->sh->proc[i].destroys;
	}
	cy->creates -= c->creates;
	cy->destroys -= c->destroys;
	c->creates += cy->creates;
	c->destroys += cy->destroys;
	c->cycles = xreallocarray(c->cycles, (size_t)c->ncycles + 1,
	    sizeof *c->cycles);
	c->cycles[c->ncycles++] = *cy;
	wl_value(ctx, "cycle_objects_per_s", cy->fill_s > 0 ?
	    (double)cy->creates / cy->fill_s : 0);
	wl_value(ctx, "cycle_percpu_fill_kb", (double)cy->fill_kb);
	wl_value(ctx, "cycle_percpu_settled_kb", (double)cy->settled_kb);
	if (!cy->settle_timeout)
		wl_value(ctx, "cycle_settle_ms", cy->settle_ms);
}

/* Everything goes; then Percpu: settles once more, unless stopping.
 * 0, or negative with *cause. */
static int
release_and_settle(struct churn *c, char **cause)
{
	struct settled s;
	int64_t t0, released_kb;
	int r;

	wl_progress(c->ctx, "releasing everything");
	r = command(c, CMD_RELEASE_ALL, 0, NULL, cause);
	c->released = 1;
	if (r != 0)
		return r;
	t0 = now_mono_ns();
	released_kb = percpu_kb(c);
	if (c->ncycles > 0 && !wl_stopping(c->ctx)) {
		wl_progress(c->ctx, "waiting for Percpu to settle after "
		    "release");
		if (settle_wait(c, t0, released_kb, &s) == 0) {
			c->end_kb = s.kb;
			c->end_timeout = s.timeout;
			wl_sample(c->ctx, "released");
		}
	}
	return 0;
}

/* Stop and reap the churn processes, remove the memcg parent, unmap;
 * a cleanup failure fails a run that had passed. */
static int
finish_run(struct churn *c, int result)
{
	char *why = NULL;
	int r;

	r = finish_children(c, 0, &why);
	if (c->memcg.root != NULL && memcg_tree_remove(&c->memcg,
	    why == NULL ? &why : NULL) != 0 && r == 0)
		r = -EIO;
	if (r != 0 && result == WL_PASSED)
		result = wl_fail(c->ctx, "cleanup: %s", why);
	if (c->sh != NULL)
		munmap(c->sh, c->shsize);
	free(c->cycles);
	free(c->pids);
	free(c->alive);
	free(c->cf.cpus);
	free(why);
	return result;
}

static int
percpu_churn_run(struct wl_ctx *ctx)
{
	struct churn c;
	struct cycle cy;
	char *cause = NULL;
	int result, r, k;

	memset(&c, 0, sizeof c);
	c.ctx = ctx;
	c.end_kb = -1;
	c.peak_kb = -1;
	if (prepare_run(&c, &result) != 0)
		goto out;

	for (k = 0; c.cf.cycles == 0 || k < c.cf.cycles; k++) {
		if (wl_stopping(ctx))
			break;
		r = run_cycle(&c, k, &cy, &cause);
		if (r < 0) {
			/* What the finished cycles measured still counts. */
			report_corruption(&c);
			record_metrics(&c);
			if (c.corrupt)
				result = wl_fail(ctx, "corruption (see the "
				    "corruption events), then: %s", cause);
			else
				result = wl_fail(ctx, "%s", cause);
			goto out;
		}
		if (r == 1)
			break;
		keep_cycle(&c, &cy);
	}

	if (release_and_settle(&c, &cause) != 0) {
		result = wl_fail(ctx, "%s", cause);
		goto out;
	}
	report_corruption(&c);
	record_metrics(&c);
	if (c.corrupt) {
		result = wl_fail(ctx, "corruption: %" PRId64 " percpu values "
		    "read back wrong, %" PRId64 " new values were not zero, %"
		    PRId64 " BPF checks on a value's own CPU failed, %" PRId64
		    " surviving memcgs or netns were wrong (see the corruption "
		    "events)", c.reported_bad, c.reported_unzeroed,
		    c.reported_bpf, c.reported_survivors);
		goto out;
	}
	if (c.ncycles == 0) {
		result = wl_skip(ctx, "stopped before the first cycle "
		    "completed (count=%d per process)", c.cf.count);
		goto out;
	}
	result = WL_PASSED;
out:
	result = finish_run(&c, result);
	free(cause);
	return result;
}

/* seeds 002 and 000: chunk creation and depopulation */
static const struct workload_plot percpu_churn_plots[] = {
	{ "percpu memory", { "meminfo.Percpu" }, 1 },
	{ "percpu chunks", { "percpu.chunks.total",
	    "percpu.chunks.sidelined", "percpu.chunks.to_depopulate" }, 1 },
	{ NULL, { NULL }, 0 },
};

static const char *const percpu_churn_headline_metrics[] = {
	"corrupt_values", "verified_values", "ops_per_s", "objects_per_s",
	"create_us_p99", "destroy_us_p99", "percpu_start_kb",
	"percpu_peak_kb", NULL,
};

/*
 * Seed 002's path: percpu chunks created, then depopulated
 * (pcpu_reclaim_populated(), "sidelined") or destroyed, while objects
 * allocated from them survive and are checked.
 */
static const struct workload_proof percpu_churn_proofs[] = {
	{ "chunks created", "tp.percpu.percpu_create_chunk", 1, NULL },
	{ "chunks depopulated or destroyed",
	    "tp.percpu.percpu_destroy_chunk|metric:chunks_sidelined", 1,
	    NULL },
	{ "surviving objects checked",
	    "metric:verified_values|metric:survivors_checked", 1, NULL },
	{ NULL, NULL, 0, NULL },
};

const struct workload wl_percpu_churn = {
	.name = "percpu-churn",
	.summary = "allocate kernel percpu memory from user space (BPF "
	    "maps, memcgs, netns), free most of it scattered, verify the "
	    "survivors after partial depopulation",
	.seeds = "002,000",
	.options = percpu_churn_opts,
	.primary_metric = "ops_per_s",
	.supported = percpu_churn_supported,
	.run = percpu_churn_run,
	.plots = percpu_churn_plots,
	.headline_metrics = percpu_churn_headline_metrics,
	.path = "percpu chunks created and depopulated while objects in "
	    "them survive",
	.proofs = percpu_churn_proofs,
};
