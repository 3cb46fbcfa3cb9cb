/*
 * sampler.h - one pass over the kernel's counters.
 *
 * sampler_init() opens every source once, learns which counters exist
 * (the dictionary) and keeps the files open; sampler_read() re-reads them
 * with pread() into a fixed buffer and parses into a caller-provided
 * int64_t array of sampler_count() values.  No allocation per sample.
 * A source that is missing or unreadable is noted once in the
 * unavailable list and skipped; it is never fatal.
 *
 * Counter names (all values int64):
 *   vmstat.<key>                 /proc/vmstat
 *   meminfo.<Key>                /proc/meminfo, in kB (Percpu, MemAvailable ...)
 *   irq.<NAME>                   /proc/interrupts row summed over all CPUs
 *                                (CAL, TLB, RES, LOC, NMI, ...)
 *   irq.<NAME>.cpu<N>            per CPU, for every possible CPU
 *   irq.dev / irq.dev.cpu<N>     all numbered (device) lines summed
 *   psi.memory.{some,full}.total microseconds
 *   psi.memory.{some,full}.avg10 x100 (2.50 % -> 250); also avg60, avg300
 *   irq.<ERR|MIS>                single-value rows: no per-CPU counters
 *   percpu.<field>               percpu_stats Global Stats
 *   percpu.chunks.{first,reserved,sidelined,to_depopulate,plain,total}
 *   cpu.online                   number of online CPUs
 *   cpu.online_mask              bit N = CPU N online (CPUs 0-62)
 *   node<N>.<key>                /sys/devices/system/node/node<N>/vmstat
 *   tp.<sys>.<name>[.<value>]    a kernel tracepoint's hits, summed over
 *                                CPUs (probe/tracepoint.h); and
 *   tp.<...>.cpu<N>              per possible CPU for those that say so
 *                                (TLB flushes, IPIs, pcp drains, cpuhp)
 *
 * Interrupt columns of an offline CPU are absent from /proc/interrupts;
 * the sampler keeps that CPU's last value so sums never go backwards.
 * More generally a counter that a pass does not see (a key gone from its
 * file, a source whose read failed) keeps its last value.  Keys that
 * appear only after sampler_init() are ignored.
 *
 * Possible CPUs come from /sys/devices/system/cpu/possible, else
 * present, else (a captured tree) 0 .. the highest CPU seen in the
 * interrupts header or the online list.
 *
 * Tracepoints are counted only on the live system (perf_event_open(2)
 * in counting mode, one group per CPU); a captured tree has no such
 * source and notes nothing about it.  Reading a CPU's group from another
 * CPU costs one function-call IPI (perf_event_read()), so each pass adds
 * about one ipi:ipi_send_cpu and one irq.CAL per other online CPU.
 *
 * The read buffer is sized at init: twice the largest source, at least
 * 64 KiB.  A source that outgrows it (percpu_stats grows with the number
 * of chunks) doubles it inside sampler_read(), the only allocation a
 * read can make; past 64 MiB the text is cut at its last full line.
 */
#ifndef MMSTORM_SAMPLER_H
#define MMSTORM_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

enum counter_kind {
	COUNTER_EVENT = 0,  /* monotonic: deltas and rates are meaningful */
	COUNTER_GAUGE,      /* a level: min/max/mean are meaningful */
};

struct counter_desc {
	const char *name;
	enum counter_kind kind;
	const char *unit;   /* "pages", "kB", "us", "count", "pct_x100" ... */
};

struct sampler;

/*
 * root: NULL or "/" for the live system, else a directory laid out like
 * one (root/proc/vmstat, root/sys/kernel/debug/percpu_stats, ...), which
 * tests use with captured files.
 */
int sampler_init(struct sampler **, const char *root, char **cause);
/* The same with only some sources: an OR of SAMPLE_*.  A cheap pass for
 * a fast loop leaves out percpu_stats (hundreds of microseconds with
 * interrupts off, growing with the chunks). */
#define SAMPLE_VMSTAT     0x01u
#define SAMPLE_MEMINFO    0x02u
#define SAMPLE_INTERRUPTS 0x04u
#define SAMPLE_PSI        0x08u
#define SAMPLE_PERCPU     0x10u
#define SAMPLE_CPU_ONLINE 0x20u
#define SAMPLE_NODES      0x40u
#define SAMPLE_TRACEPOINTS 0x80u
#define SAMPLE_ALL        0xffu
int sampler_init_only(struct sampler **, const char *root, unsigned sources,
    char **cause);
void sampler_free(struct sampler *);

size_t sampler_count(const struct sampler *);
const struct counter_desc *sampler_counter(const struct sampler *, size_t);
/* Index of a counter by name, or -1. */
long sampler_index(const struct sampler *, const char *name);

/* One full pass: values[sampler_count()].  Returns 0 or negative errno
 * only for a failure of the whole pass (every source failed to read),
 * never for one missing source. */
int sampler_read(struct sampler *, int64_t *values);

/* Read these sources (an OR of SAMPLE_*) at most once per min_gap_ns in
 * sampler_read(); the passes in between keep their last values.  For a
 * short sampling period and a costly source (percpu_stats).
 * sampler_read_all() reads every source regardless. */
void sampler_throttle(struct sampler *, unsigned sources, int64_t min_gap_ns);
int sampler_read_all(struct sampler *, int64_t *values);

/* Sources that could not be read: "<path>: <reason>" strings, stable for
 * the life of the sampler.  Returns how many; *list points inside. */
size_t sampler_unavailable(const struct sampler *, const char *const **list);

#endif
