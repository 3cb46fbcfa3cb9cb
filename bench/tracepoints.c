/*
 * bench/tracepoints.c - what counting tracepoints costs (issue 14).
 *
 * Two measures, interleaved in rounds so both sides see the same machine:
 *   1. the sampler's own cost: one sampler_read() with the procfs sources
 *      only and with the tracepoints too (SAMPLE_ALL), median thread CPU
 *      and wall time; the difference is the tracepoint source, and at
 *      one sample a second its share of a CPU is that over 1e9 ns;
 *   2. the tax on what a workload does: a page-churn loop (mmap 4 MiB,
 *      touch every page, munmap: page faults, pcp frees that fire
 *      kmem:mm_page_pcpu_drain, TLB flushes) timed with the counters
 *      closed and open, alternately.
 *
 * usage: bench-tracepoints [-r ROUNDS] [-s SAMPLES_PER_ROUND]
 *                          [-l LOOPS_PER_ROUND]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/stats.h"
#include "common/util.h"
#include "probe/sampler.h"

#define CHURN_BYTES (4u << 20)

static int64_t
median(const int64_t *v, size_t n)
{
	double *d = xcalloc(n + 1, sizeof *d);
	int64_t m;
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (double)v[i];
	m = (int64_t)stats_median(d, n);
	free(d);
	return m;
}

/* Median CPU and wall ns of one sampler_read() over n reads. */
static void
time_reads(struct sampler *s, int n, int64_t *cpu, int64_t *wall)
{
	int64_t *c = xcalloc((size_t)n, sizeof *c);
	int64_t *w = xcalloc((size_t)n, sizeof *w);
	int64_t *values = xcalloc(sampler_count(s) + 1, sizeof *values);
	int64_t c0, w0;
	int i;

	for (i = 0; i < n; i++) {
		c0 = now_thread_cpu_ns();
		w0 = now_mono_ns();
		sampler_read(s, values);
		w[i] = now_mono_ns() - w0;
		c[i] = now_thread_cpu_ns() - c0;
	}
	*cpu = median(c, (size_t)n);
	*wall = median(w, (size_t)n);
	free(c);
	free(w);
	free(values);
}

/* ns per mmap+touch+munmap of CHURN_BYTES, over loops.  Opening and
 * closing the events has after-effects (closing detaches them with
 * cross-CPU calls, and frees them after an RCU grace period) that made
 * the loop right after a close 12 % slower: each side waits first. */
static int64_t
churn(int loops)
{
	long page = sysconf(_SC_PAGESIZE);
	int64_t t0;
	size_t off;
	char *p;
	int i;

	sleep_ns(INT64_C(200) * 1000000);
	t0 = now_mono_ns();
	for (i = 0; i < loops; i++) {
		p = mmap(NULL, CHURN_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		for (off = 0; off < CHURN_BYTES; off += (size_t)page)
			p[off] = 1;
		munmap(p, CHURN_BYTES);
	}
	return (now_mono_ns() - t0) / loops;
}

int
main(int argc, char **argv)
{
	int rounds = 20, samples = 200, loops = 200, r, opt;
	int64_t *pc, *pw, *ac, *aw, *off, *on, cpu, wall;
	struct sampler *procfs = NULL, *all = NULL, *tp = NULL;
	const char *const *un;
	char *cause = NULL;
	size_t i, n;

	while ((opt = getopt(argc, argv, "r:s:l:")) != -1) {
		switch (opt) {
		case 'r': rounds = atoi(optarg); break;
		case 's': samples = atoi(optarg); break;
		case 'l': loops = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench-tracepoints [-r ROUNDS] "
			    "[-s SAMPLES] [-l LOOPS]\n");
			return 2;
		}
	}
	if (rounds <= 0 || samples <= 0 || loops <= 0) {
		fprintf(stderr, "bench-tracepoints: counts must be positive\n");
		return 2;
	}
	if (sampler_init_only(&procfs, NULL, SAMPLE_ALL & ~SAMPLE_TRACEPOINTS,
	    &cause) != 0 || sampler_init(&all, NULL, &cause) != 0) {
		fprintf(stderr, "bench-tracepoints: %s\n", cause);
		return 1;
	}
	printf("counters: %zu procfs, %zu with tracepoints\n",
	    sampler_count(procfs), sampler_count(all));
	for (i = 0, n = sampler_unavailable(all, &un); i < n; i++)
		printf("unavailable: %s\n", un[i]);
	/* Open, all is counting too: the churn's "closed" side needs none. */
	sampler_free(all);
	all = NULL;
	pc = xcalloc((size_t)rounds, sizeof *pc);
	pw = xcalloc((size_t)rounds, sizeof *pw);
	ac = xcalloc((size_t)rounds, sizeof *ac);
	aw = xcalloc((size_t)rounds, sizeof *aw);
	off = xcalloc((size_t)rounds, sizeof *off);
	on = xcalloc((size_t)rounds, sizeof *on);
	churn(loops / 4 + 1);   /* warm up */
	for (r = 0; r < rounds; r++) {
		if (sampler_init(&all, NULL, &cause) != 0 ||
		    sampler_init_only(&tp, NULL, SAMPLE_TRACEPOINTS,
		    &cause) != 0) {
			fprintf(stderr, "bench-tracepoints: %s\n", cause);
			return 1;
		}
		time_reads(procfs, samples, &pc[r], &pw[r]);
		time_reads(all, samples, &ac[r], &aw[r]);
		sampler_free(all);
		all = NULL;
		/* The churn with the counters open, then with none open;
		 * the order alternates by round. */
		if (r % 2 == 0)
			on[r] = churn(loops);
		sampler_free(tp);
		tp = NULL;
		off[r] = churn(loops);
		if (r % 2 == 1) {
			if (sampler_init_only(&tp, NULL, SAMPLE_TRACEPOINTS,
			    &cause) != 0)
				return 1;
			on[r] = churn(loops);
			sampler_free(tp);
			tp = NULL;
		}
	}
	printf("one sample (median of %d rounds x %d reads):\n", rounds,
	    samples);
	cpu = median(pc, (size_t)rounds);
	wall = median(pw, (size_t)rounds);
	printf("  procfs sources          cpu %8lld ns  wall %8lld ns\n",
	    (long long)cpu, (long long)wall);
	printf("  with tracepoints        cpu %8lld ns  wall %8lld ns\n",
	    (long long)median(ac, (size_t)rounds),
	    (long long)median(aw, (size_t)rounds));
	cpu = median(ac, (size_t)rounds) - cpu;
	printf("  tracepoint source       cpu %8lld ns  = %.4f %% of a CPU at "
	    "1 s sampling\n", (long long)cpu, (double)cpu / 1e7);
	printf("page churn, %u KiB mmap+touch+munmap (median ns per loop):\n",
	    CHURN_BYTES / 1024);
	printf("  counters closed %lld, open %lld: %+.2f %%\n",
	    (long long)median(off, (size_t)rounds),
	    (long long)median(on, (size_t)rounds),
	    100.0 * ((double)median(on, (size_t)rounds) /
	    (double)median(off, (size_t)rounds) - 1));
	/* Paired by round: the machine's load moves between rounds. */
	for (r = 0; r < rounds; r++)
		pc[r] = (on[r] - off[r]) * 100000 / off[r];
	printf("  paired by round, median: %+.2f %% (+ = slower open)\n",
	    (double)median(pc, (size_t)rounds) / 1000);
	sampler_free(procfs);
	sampler_free(all);
	free(pc);
	free(pw);
	free(ac);
	free(aw);
	free(off);
	free(on);
	return 0;
}
