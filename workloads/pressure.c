/* pressure.c - global memory pressure above a MemAvailable floor. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "probe/meminfo.h"
#include "workloads/pressure.h"

#define CHUNK_BYTES  (INT64_C(64) << 20)
#define HUGE_BYTES   (INT64_C(2) << 20)
#define MAX_CHUNKS   65536
#define MAX_PIDS     1025

struct pressure {
	struct pressure_config cfg;
	pid_t pids[MAX_PIDS];
	int npids;
	pid_t stress_ng;
	char *yaml_dir;         /* private (0700, mkdtemp) directory */
	char *yaml_path;
	int64_t total_kb, floor_kb, start_avail_kb;
	int64_t ramp_avail_kb;      /* last read by pressure_wait_ready() */
	int64_t started_ns;
	int64_t direct_base;    /* pressure_direct_reclaims() at the start */
	struct pressure_stats st;
};

/* Children of the pressure engine are the OOM killer's first choice and
 * die with the worker that started them. */
static void
child_setup(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	write_file_str("/proc/self/oom_score_adj", "1000", NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static void
touch(char *p, int64_t len)
{
	int64_t off;

	for (off = 0; off < len; off += 4096)
		p[off] = (char)off;
}

/* One 64 MiB chunk, touched; NULL when mmap fails.  Every other chunk
 * asks for THP: huge faults, compaction.  direct: every chunk, as an
 * order-9 fault with free memory at the watermarks goes to direct
 * compaction, then direct reclaim (THP defrag "madvise", the default). */
static char *
take_chunk(const struct pressure *p, size_t count, int index)
{
	char *c = mmap(NULL, (size_t)CHUNK_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		return NULL;
	if (p->cfg.thp && (p->cfg.direct || ((count + (size_t)index) & 1)))
		madvise(c, (size_t)CHUNK_BYTES, MADV_HUGEPAGE);
	touch(c, CHUNK_BYTES);
	return c;
}

/* Allocators free chunks below floor + this and pause below half of it.
 * direct: twice as wide, so that every allocator can take a chunk before
 * giving one back anywhere in the upper half and the floor still holds. */
static int64_t
margin_kb(const struct pressure *p)
{
	return (CHUNK_BYTES >> 10) * (p->cfg.direct ? 2 * p->cfg.workers + 1 :
	    p->cfg.workers + 1);
}

/*
 * One allocator: take 64 MiB chunks while MemAvailable stays above the
 * floor plus a margin; near it, free the oldest chunk and take a new one,
 * so allocation keeps entering direct reclaim; below it, give back.
 */
static void __attribute__((noreturn))
allocator_main(const struct pressure *p, int index)
{
	static char *chunks[MAX_CHUNKS];
	int64_t held = 0, avail, limit, margin;
	size_t head = 0, count = 0;
	int fd = open(MEMINFO_PATH, O_RDONLY | O_CLOEXEC);
	char *c;

	child_setup();
	limit = p->cfg.limit_bytes ? p->cfg.limit_bytes / p->cfg.workers : 0;
	margin = margin_kb(p);
	for (;;) {
		avail = meminfo_fd_kb(fd, "MemAvailable");
		if (avail < 0)
			_exit(1);
		/* direct, in the upper half of the band: take the new chunk
		 * before giving back the oldest, so it must come from
		 * reclaim, not from the chunk just freed, and keep doing it.
		 * All allocators at once take workers x 64 MiB, less than
		 * half the band: the floor still holds. */
		if (p->cfg.direct && count > 0 && count < MAX_CHUNKS &&
		    (!limit || held < limit) &&
		    avail >= p->floor_kb + margin / 2 &&
		    avail < p->floor_kb + margin) {
			if ((c = take_chunk(p, count, index)) != NULL) {
				chunks[(head + count) % MAX_CHUNKS] = c;
				munmap(chunks[head], (size_t)CHUNK_BYTES);
				head = (head + 1) % MAX_CHUNKS;
			}
			continue;
		}
		/* direct, below the half: give back a quarter at once and
		 * grow again.  Once at the band, page cache and anonymous
		 * memory settle and kswapd keeps up (in the lab no cycle saw
		 * direct reclaim then); the growth is what outruns it, as in
		 * the ramp.  Giving back never crosses the floor. */
		if (p->cfg.direct && count > 1 &&
		    avail < p->floor_kb + margin / 2) {
			size_t give = count / 4 ? count / 4 : 1;

			while (give-- > 0) {
				munmap(chunks[head], (size_t)CHUNK_BYTES);
				head = (head + 1) % MAX_CHUNKS;
				count--;
				held -= CHUNK_BYTES;
			}
			continue;
		}
		if (avail < p->floor_kb || ((limit && held >= limit) ||
		    avail < p->floor_kb + margin)) {
			if (count > 0) {
				munmap(chunks[head], (size_t)CHUNK_BYTES);
				head = (head + 1) % MAX_CHUNKS;
				count--;
				held -= CHUNK_BYTES;
			}
			if (avail < p->floor_kb + margin / 2) {
				usleep(10000);
				continue;
			}
		}
		if (count == MAX_CHUNKS) {
			usleep(10000);
			continue;
		}
		if ((c = take_chunk(p, count, index)) == NULL) {
			usleep(10000);
			continue;
		}
		chunks[(head + count) % MAX_CHUNKS] = c;
		count++;
		held += CHUNK_BYTES;
	}
}

/* Page cache for reclaim to take: write a file once, read it forever. */
static void __attribute__((noreturn))
reader_main(const struct pressure *p)
{
	static char block[1 << 20];
	int64_t off, written = 0;
	int mfd = open(MEMINFO_PATH, O_RDONLY | O_CLOEXEC);
	int fd;

	child_setup();
	fd = open(p->cfg.tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1)
		_exit(1);
	memset(block, 0x5a, sizeof block);
	while (written < p->cfg.cache_bytes) {
		if (meminfo_fd_kb(mfd, "MemAvailable") < p->floor_kb +
		    (int64_t)(sizeof block >> 10) * 64)
			break;
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
			break;
		written += (int64_t)sizeof block;
	}
	for (;;) {
		for (off = 0; off + (int64_t)sizeof block <= written;
		    off += (int64_t)sizeof block) {
			if (pread(fd, block, sizeof block, off) <= 0)
				break;
		}
		if (written == 0)
			pause();
	}
}

static int
spawn(struct pressure *p, void (*fn)(const struct pressure *, int), int i,
    char **cause)
{
	pid_t pid;

	if (p->npids == MAX_PIDS)
		return set_cause(cause, E2BIG, "too many pressure workers");
	if ((pid = fork()) == -1)
		return set_cause(cause, errno, "cannot fork pressure worker: %s",
		    strerror(errno));
	if (pid == 0)
		fn(p, i);
	p->pids[p->npids++] = pid;
	return 0;
}

static void
allocator_entry(const struct pressure *p, int i)
{
	allocator_main(p, i);
}

static void
reader_entry(const struct pressure *p, int i)
{
	(void)i;
	reader_main(p);
}

static int
start_stress_ng(struct pressure *p, char **cause)
{
	int64_t avail = meminfo_kb("MemAvailable"), per_kb;
	char workers[32], bytes[32], timeout[32];
	pid_t pid;

	if (access("/usr/bin/stress-ng", X_OK) == -1)
		return set_cause(cause, ENOENT,
		    "pressure=stress-ng needs /usr/bin/stress-ng "
		    "(apt-get install stress-ng)");
	per_kb = (avail - p->floor_kb - (CHUNK_BYTES >> 10) *
	    (p->cfg.workers + 1)) / p->cfg.workers;
	if (p->cfg.limit_bytes && per_kb > (p->cfg.limit_bytes >> 10) /
	    p->cfg.workers)
		per_kb = (p->cfg.limit_bytes >> 10) / p->cfg.workers;
	if (per_kb < 4096)
		return set_cause(cause, ENOMEM,
		    "MemAvailable %lld kB leaves no room above the floor",
		    (long long)avail);
	/* stress-ng opens --yaml with fopen(), following symlinks: as root
	 * in a world-writable tmpdir, a name anyone can guess (it held our
	 * pid) let a user plant a symlink and have root overwrite any file.
	 * A directory only we can enter leaves nothing to plant. */
	p->yaml_dir = xasprintf("%s/mmstorm-stress-ng.XXXXXX", p->cfg.tmpdir);
	if (mkdtemp(p->yaml_dir) == NULL) {
		int e = errno;

		free(p->yaml_dir);
		p->yaml_dir = NULL;
		return set_cause(cause, e, "cannot create a directory in "
		    "'%s': %s", p->cfg.tmpdir, strerror(e));
	}
	p->yaml_path = xasprintf("%s/stress-ng.yaml", p->yaml_dir);
	snprintf(workers, sizeof workers, "%d", p->cfg.workers);
	snprintf(bytes, sizeof bytes, "%lldk", (long long)per_kb);
	snprintf(timeout, sizeof timeout, "%llds",
	    (long long)(p->cfg.timeout_s > 0 ? p->cfg.timeout_s : 3600));
	if ((pid = fork()) == -1)
		return set_cause(cause, errno, "cannot fork stress-ng: %s",
		    strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		child_setup();
		if (null != -1) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/usr/bin/stress-ng", "stress-ng", "--vm", workers,
		    "--vm-bytes", bytes, "--vm-keep", "--oomable", "--timeout",
		    timeout, "--metrics", "--yaml", p->yaml_path, (char *)NULL);
		_exit(127);
	}
	p->stress_ng = pid;
	return 0;
}

int
pressure_is_direct_reclaim(const char *field)
{
	return starts_with(field, "allocstall_") ||
	    strcmp(field, "pgscan_direct") == 0;
}

int64_t
pressure_direct_reclaims(void)
{
	char *text = NULL, *line, *save = NULL, *sp;
	int64_t sum = 0;
	long long v;

	if (read_file("/proc/vmstat", &text, NULL, NULL) != 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		if (pressure_is_direct_reclaim(line) &&
		    sscanf(sp + 1, "%lld", &v) == 1)
			sum += v;
	}
	free(text);
	return sum;
}

int64_t
pressure_direct_cache_bytes(int64_t total_kb, double floor_pct, int workers)
{
	int64_t floor_kb = (int64_t)((double)total_kb * floor_pct / 100.0);

	return (floor_kb + (CHUNK_BYTES >> 10) * (2 * workers + 1) +
	    total_kb / 16) * 1024;
}

/* pressure=direct's cache must be reclaimable page cache on a disk with
 * room for it: tmpfs pages are not reclaimable without swap. */
static int
check_cache_dir(const struct pressure *p, char **cause)
{
	struct statfs fs;
	struct statvfs vfs;

	if (statfs(p->cfg.tmpdir, &fs) != 0 || statvfs(p->cfg.tmpdir, &vfs))
		return set_cause(cause, errno, "cannot stat '%s': %s",
		    p->cfg.tmpdir, strerror(errno));
	if (fs.f_type == 0x01021994 || fs.f_type == 0x858458f6)
		return set_cause(cause, EINVAL, "pressure=direct needs "
		    "cache_dir= on a disk file system: '%s' is tmpfs or "
		    "ramfs, whose pages cannot be reclaimed without swap",
		    p->cfg.tmpdir);
	if ((int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize <
	    p->cfg.cache_bytes + (INT64_C(256) << 20))
		return set_cause(cause, ENOSPC, "'%s' has no room for the "
		    "%lld MiB cache file and 256 MiB to spare", p->cfg.tmpdir,
		    (long long)(p->cfg.cache_bytes >> 20));
	return 0;
}

int
pressure_start(struct pressure **out, const struct pressure_config *cfg,
    char **cause)
{
	struct pressure *p;
	int i, r = 0;

	*out = NULL;
	if (cfg->engine == PRESSURE_NONE)
		return 0;
	p = xcalloc(1, sizeof *p);
	p->cfg = *cfg;
	if (p->cfg.workers < 1)
		p->cfg.workers = 1;
	if (p->cfg.tmpdir == NULL)
		p->cfg.tmpdir = "/var/tmp";
	p->stress_ng = -1;
	p->st.stress_ng_status = -1;
	p->st.ramp_ms = -1;
	p->st.direct_ramp_ms = -1;
	p->direct_base = pressure_direct_reclaims();
	p->total_kb = meminfo_kb("MemTotal");
	p->start_avail_kb = meminfo_kb("MemAvailable");
	if (p->total_kb <= 0 || p->start_avail_kb < 0) {
		r = set_cause(cause, EIO, "cannot read /proc/meminfo");
		goto out;
	}
	p->floor_kb = (int64_t)((double)p->total_kb * cfg->floor_pct / 100.0);
	p->st.min_avail_kb = p->start_avail_kb;
	p->started_ns = now_mono_ns();
	if (cfg->engine == PRESSURE_STRESS_NG)
		r = start_stress_ng(p, cause);
	else if (cfg->direct && (r = check_cache_dir(p, cause)) != 0)
		goto out;
	else {
		for (i = 0; r == 0 && i < p->cfg.workers; i++)
			r = spawn(p, allocator_entry, i, cause);
		if (r == 0 && cfg->cache_bytes > 0)
			r = spawn(p, reader_entry, 0, cause);
	}
out:
	if (r != 0) {
		pressure_stop(p, NULL);
		return r;
	}
	*out = p;
	return 0;
}

void
pressure_poll(struct pressure *p)
{
	int64_t avail;

	if (p == NULL)
		return;
	avail = meminfo_kb("MemAvailable");
	if (avail < 0)
		return;
	if (avail < p->st.min_avail_kb)
		p->st.min_avail_kb = avail;
	if (avail < p->floor_kb) {
		p->st.floor_hits++;
		/* stress-ng --vm-keep cannot shrink: end it rather than let
		 * it push the machine below the floor. */
		if (p->stress_ng > 0)
			kill(p->stress_ng, SIGTERM);
	}
}

/*
 * Ready: within 2 % of MemTotal above the floor, or within the
 * allocators' margin: on a small machine (a 2 GiB lab guest) the margin
 * is the larger, and they never go below floor + margin / 2.  Or 90 %
 * of the limit allocated, whichever comes first.
 */
static int64_t
ramp_target_kb(const struct pressure *p)
{
	int64_t near = p->floor_kb + p->total_kb / 50, limited;

	if (near < p->floor_kb + margin_kb(p))
		near = p->floor_kb + margin_kb(p);
	if (p->cfg.limit_bytes <= 0)
		return near;
	limited = p->start_avail_kb - (p->cfg.limit_bytes >> 10) * 9 / 10;
	return limited > near ? limited : near;
}

void
pressure_ramp_status(const struct pressure *p, struct pressure_ramp *st)
{
	memset(st, 0, sizeof *st);
	if (p == NULL)
		return;
	st->avail_kb = p->ramp_avail_kb > 0 ? p->ramp_avail_kb :
	    p->start_avail_kb;
	st->start_kb = p->start_avail_kb;
	st->target_kb = ramp_target_kb(p);
	st->floor_kb = p->floor_kb;
	st->elapsed_s = (double)(now_mono_ns() - p->started_ns) / 1e9;
}

/* direct: record when direct reclaim is first seen; 1 once it was. */
static int
direct_seen(struct pressure *p)
{
	int64_t now;

	if (!p->cfg.direct)
		return 1;
	if (p->st.direct_ramp_ms >= 0)
		return 1;
	now = pressure_direct_reclaims();
	if (now < 0 || p->direct_base < 0 || now <= p->direct_base)
		return 0;
	p->st.direct_ramp_ms = (now_mono_ns() - p->started_ns) / 1000000;
	return 1;
}

int
pressure_wait_ready(struct pressure *p, int64_t timeout_ns,
    int (*stop)(void *), void *arg)
{
	int64_t deadline = now_mono_ns() + timeout_ns, avail;

	if (p == NULL)
		return 0;
	while (now_mono_ns() < deadline) {
		pressure_poll(p);
		avail = meminfo_kb("MemAvailable");
		if (avail >= 0)
			p->ramp_avail_kb = avail;
		if (p->st.ramp_ms < 0 && avail >= 0 &&
		    avail <= ramp_target_kb(p))
			p->st.ramp_ms = (now_mono_ns() - p->started_ns) /
			    1000000;
		if (direct_seen(p) && p->st.ramp_ms >= 0)
			return 0;
		if (stop != NULL && stop(arg))
			return -EINTR;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

static void
reap(pid_t pid, int sig, int64_t grace_ns, int *status)
{
	int64_t deadline = now_mono_ns() + grace_ns;
	int st = 0;

	kill(pid, sig);
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_mono_ns() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(20000);
	}
	if (status != NULL)
		*status = st;
}

void
pressure_stop(struct pressure *p, struct pressure_stats *out)
{
	int i, status;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (p == NULL)
		return;
	for (i = 0; i < p->npids; i++)
		reap(p->pids[i], SIGKILL, 0, NULL);
	if (p->stress_ng > 0) {
		/* SIGINT lets stress-ng stop its workers and write the YAML. */
		reap(p->stress_ng, SIGINT, INT64_C(15) * 1000000000, &status);
		p->st.stress_ng_status = WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (p->yaml_path != NULL) {
		if (read_file(p->yaml_path, &p->st.yaml, NULL, NULL) != 0)
			p->st.yaml = NULL;
		unlink(p->yaml_path);
		free(p->yaml_path);
	}
	if (p->yaml_dir != NULL) {
		rmdir(p->yaml_dir);
		free(p->yaml_dir);
	}
	if (out != NULL)
		*out = p->st;
	else
		free(p->st.yaml);
	free(p);
}

void
pressure_stats_release(struct pressure_stats *st)
{
	free(st->yaml);
	st->yaml = NULL;
}
