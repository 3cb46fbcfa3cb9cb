/*
 * procfs.h - parsers for the kernel's text files, on a buffer.
 *
 * Each parser walks a NUL-terminated buffer and calls back once per value;
 * none allocates.  The sampler uses them on pread() buffers; tests use
 * them on captured files in tests/fixtures.  Keys passed to callbacks
 * point into the buffer and are not NUL-terminated (key, keylen).
 */
#ifndef MMSTORM_PROCFS_H
#define MMSTORM_PROCFS_H

#include <stddef.h>
#include <stdint.h>

typedef void (*kv_fn)(void *arg, const char *key, size_t keylen,
    int64_t value);

/* "key value" lines: /proc/vmstat, node<N>/vmstat. Returns lines parsed. */
int procfs_parse_vmstat(const char *buf, kv_fn, void *arg);

/* "Key:   value kB" lines: /proc/meminfo (values as printed, kB). */
int procfs_parse_meminfo(const char *buf, kv_fn, void *arg);

/*
 * /proc/interrupts: the header names the online CPUs ("CPU0 CPU1 CPU3");
 * fn gets (row name, cpu number, value) for every cell.  Numbered rows
 * (device interrupts) are reported with name "dev" and summed by the
 * caller.  Rows with a single column (ERR, MIS) are reported with cpu -1.
 * Returns the number of CPU columns, or negative on a malformed header.
 */
typedef void (*irq_fn)(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value);
int procfs_parse_interrupts(const char *buf, irq_fn, void *arg);

/* Sum of row NAME ("CAL", "TLB") over the CPUs shown, or -1 if absent. */
int64_t procfs_irq_total(const char *buf, const char *name);

/*
 * /proc/pressure/memory: some/full avg10 (x100) and total (us).  Returns
 * the number of lines parsed (the "full" line may be absent), or -EINVAL.
 */
struct psi_line {
	int present;
	int64_t avg10_x100, avg60_x100, avg300_x100, total_us;
};
int procfs_parse_psi(const char *buf, struct psi_line *some,
    struct psi_line *full);

/*
 * /sys/kernel/debug/percpu_stats.  Returns the number of Global Stats
 * fields, or -EINVAL when there is no "Global Stats:" section.
 * global_fn and out may be NULL.
 */
struct percpu_stats {
	/* Global Stats, by field name through fn; chunk kinds counted here */
	int64_t chunks_first, chunks_reserved, chunks_sidelined;
	int64_t chunks_to_depopulate, chunks_plain, chunks_total;
};
int procfs_parse_percpu_stats(const char *buf, kv_fn global_fn, void *arg,
    struct percpu_stats *out);

/* CPU list "0-1,3" into a bitmap of nbits; returns the number set,
 * -ERANGE for a CPU at or above nbits, or -EINVAL if malformed. */
int procfs_parse_cpulist(const char *buf, uint64_t *bits, int nbits);

/* The number of CPUs in a CPU list, of any size (cpu/possible on a
 * machine with thousands), or -EINVAL if malformed.  Ranges are summed
 * as given: the kernel never prints overlapping ones. */
int procfs_cpulist_count(const char *buf);

/* A sysfs choice file: "always [madvise] never" -> "madvise"
 * (allocated), NULL if no brackets. */
char *sysfs_bracketed(const char *text);

#endif
