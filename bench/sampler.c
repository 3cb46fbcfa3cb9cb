/*
 * bench/sampler.c - the cost of one sample on the live machine.
 *
 * Side by side, interleaved in rounds so both see the same machine:
 *   - sampler_read(): pread() of every source into one buffer, parsed
 *     in place;
 *   - what LKP's and mmtests' shell monitors do per sample: one
 *     fork+exec of /bin/cat per file, output appended to a log.
 * Both read the same files.  Reports the median wall time of one sample
 * (CLOCK_MONOTONIC) and the median CPU time it costs (the sampler's own
 * thread CPU time; for cat, the children's rusage plus the parent's).
 *
 * usage: bench-sampler [-r ROUNDS] [-s SAMPLER_PER_ROUND] [-c CAT_PER_ROUND]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/sampler.h"
#include "common/util.h"

struct series {
	int64_t *v;
	size_t n, cap;
};

static void
series_add(struct series *s, int64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static int
compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
percentile(struct series *s, int pct)
{
	if (s->n == 0)
		return 0;
	qsort(s->v, s->n, sizeof *s->v, compare_int64);
	return s->v[(s->n - 1) * (size_t)pct / 100];
}

static int64_t
rusage_ns(const struct rusage *ru)
{
	return ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
	    1000000000 + ((int64_t)ru->ru_utime.tv_usec +
	    ru->ru_stime.tv_usec) * 1000;
}

/* The files sampler_init() reads on the live system, when readable. */
static size_t
source_files(char ***out)
{
	static const char *const fixed[] = {
		"/proc/vmstat", "/proc/meminfo", "/proc/interrupts",
		"/proc/pressure/memory", "/sys/kernel/debug/percpu_stats",
		"/sys/devices/system/cpu/online",
	};
	const char *nodes = "/sys/devices/system/node";
	char **files = NULL, *path;
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (access(fixed[i], R_OK) != 0)
			continue;
		files = xreallocarray(files, n + 1, sizeof *files);
		files[n++] = xstrdup(fixed[i]);
	}
	if ((d = opendir(nodes)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "node", 4) != 0 ||
			    de->d_name[4] < '0' || de->d_name[4] > '9')
				continue;
			path = xasprintf("%s/%s/vmstat", nodes, de->d_name);
			if (access(path, R_OK) != 0) {
				free(path);
				continue;
			}
			files = xreallocarray(files, n + 1, sizeof *files);
			files[n++] = path;
		}
		closedir(d);
	}
	*out = files;
	return n;
}

/* Median time to pread() one file whole: the kernel's share. */
static int64_t
file_read_ns(const char *path, int times)
{
	static char buf[1 << 20];
	struct series s = { 0 };
	int64_t t0, median;
	ssize_t n;
	size_t off;
	int fd, k;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (k = 0; k < times; k++) {
		t0 = now_mono_ns();
		off = 0;
		while ((n = pread(fd, buf + off, sizeof buf - off,
		    (off_t)off)) > 0)
			off += (size_t)n;
		series_add(&s, now_mono_ns() - t0);
	}
	close(fd);
	median = percentile(&s, 50);
	free(s.v);
	return median;
}

/* One monitor sample: `cat FILE >> log` for each file, one at a time. */
static int
cat_sample(char **files, size_t nfiles, int logfd, int64_t *cpu_ns)
{
	struct rusage ru;
	size_t i;
	pid_t pid;
	int status;

	*cpu_ns = 0;
	for (i = 0; i < nfiles; i++) {
		if ((pid = fork()) == -1)
			return -1;
		if (pid == 0) {
			dup2(logfd, STDOUT_FILENO);
			execl("/bin/cat", "cat", files[i], (char *)NULL);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return -1;
		*cpu_ns += rusage_ns(&ru);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct series s_wall = { 0 }, s_cpu = { 0 }, c_wall = { 0 };
	struct series c_cpu = { 0 };
	struct sampler *s = NULL;
	const char *const *unavailable;
	char logpath[] = "/tmp/bench-sampler.XXXXXX";
	char *cause = NULL, **files = NULL;
	int64_t *values = NULL, t0, c0, child_cpu, sw, sc, cw, cc;
	size_t nfiles = 0, nun, i;
	int rounds = 50, per_round = 100, cat_per_round = 4;
	int opt, r, k, logfd = -1, rc = 1;

	while ((opt = getopt(argc, argv, "r:s:c:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 's':
			per_round = atoi(optarg);
			break;
		case 'c':
			cat_per_round = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench-sampler [-r ROUNDS] "
			    "[-s SAMPLER_PER_ROUND] [-c CAT_PER_ROUND]\n");
			return 2;
		}
	}
	if (rounds < 1 || per_round < 1 || cat_per_round < 1) {
		fprintf(stderr, "bench-sampler: counts must be positive\n");
		return 2;
	}
	if (sampler_init(&s, NULL, &cause) != 0) {
		fprintf(stderr, "bench-sampler: %s\n", cause);
		goto out;
	}
	values = xcalloc(sampler_count(s), sizeof *values);
	nfiles = source_files(&files);
	if ((logfd = mkstemp(logpath)) == -1) {
		perror("bench-sampler: mkstemp");
		goto out;
	}
	unlink(logpath);

	/* Warm caches and the kernel's seq_file buffers on both sides. */
	for (k = 0; k < 100; k++)
		sampler_read(s, values);
	if (cat_sample(files, nfiles, logfd, &child_cpu) != 0) {
		fprintf(stderr, "bench-sampler: /bin/cat failed\n");
		goto out;
	}

	for (r = 0; r < rounds; r++) {
		for (k = 0; k < per_round; k++) {
			c0 = now_thread_cpu_ns();
			t0 = now_mono_ns();
			sampler_read(s, values);
			series_add(&s_wall, now_mono_ns() - t0);
			series_add(&s_cpu, now_thread_cpu_ns() - c0);
		}
		for (k = 0; k < cat_per_round; k++) {
			c0 = now_thread_cpu_ns();
			t0 = now_mono_ns();
			if (cat_sample(files, nfiles, logfd, &child_cpu) != 0) {
				fprintf(stderr, "bench-sampler: cat failed\n");
				goto out;
			}
			series_add(&c_wall, now_mono_ns() - t0);
			series_add(&c_cpu, now_thread_cpu_ns() - c0 + child_cpu);
			/* Keep the log small: monitors compress it. */
			if (ftruncate(logfd, 0) != 0)
				perror("bench-sampler: ftruncate");
		}
	}

	printf("kernel counters: %zu, from %zu files:", sampler_count(s),
	    nfiles);
	for (i = 0; i < nfiles; i++)
		printf(" %s", files[i]);
	printf("\n");
	nun = sampler_unavailable(s, &unavailable);
	for (i = 0; i < nun; i++)
		printf("unavailable: %s\n", unavailable[i]);
	printf("kernel read cost per file (pread to EOF, median of 1000):\n");
	for (i = 0; i < nfiles; i++)
		printf("  %-40s %10lld ns\n", files[i],
		    (long long)file_read_ns(files[i], 1000));
	sw = percentile(&s_wall, 50);
	sc = percentile(&s_cpu, 50);
	cw = percentile(&c_wall, 50);
	cc = percentile(&c_cpu, 50);
	printf("%-28s %8s %12s %12s %12s\n", "method (one sample)",
	    "samples", "wall_med_ns", "wall_p90_ns", "cpu_med_ns");
	printf("%-28s %8zu %12lld %12lld %12lld\n", "sampler_read (pread)",
	    s_wall.n, (long long)sw, (long long)percentile(&s_wall, 90),
	    (long long)sc);
	printf("%-28s %8zu %12lld %12lld %12lld\n", "fork+exec cat per file",
	    c_wall.n, (long long)cw, (long long)percentile(&c_wall, 90),
	    (long long)cc);
	printf("ratio cat/sampler: wall %.1fx, cpu %.1fx\n",
	    sw > 0 ? (double)cw / (double)sw : 0.0,
	    sc > 0 ? (double)cc / (double)sc : 0.0);
	rc = 0;
out:
	if (logfd != -1)
		close(logfd);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(values);
	free(s_wall.v);
	free(s_cpu.v);
	free(c_wall.v);
	free(c_cpu.v);
	free(cause);
	sampler_free(s);
	return rc;
}
