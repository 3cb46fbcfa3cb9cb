/*
 * percpu-bpf.h - check the values of BPF percpu-array maps on the CPU
 * that owns them: a hand-assembled BPF_PROG_TYPE_RAW_TRACEPOINT program,
 * run with BPF_PROG_TEST_RUN on each CPU (BPF_F_TEST_RUN_ON_CPU, 5.10+),
 * looks up every entry (bpf_map_lookup_elem() on a percpu array returns
 * THIS CPU's copy, through this CPU's kernel page tables and TLB) and
 * compares it with the pattern percpu-churn writes.
 *
 * The maps reach the program through an array of maps, one slot per live
 * map; a run checks one slot, keys_per_run keys, on one CPU.
 */
#ifndef MMSTORM_PERCPU_BPF_H
#define MMSTORM_PERCPU_BPF_H

#include <stddef.h>
#include <stdint.h>

struct percpu_bpf {
	int outer_fd;               /* BPF_MAP_TYPE_ARRAY_OF_MAPS */
	int result_fd;              /* the last mismatch of a run */
	int prog_fd;
	int placeholder_fd;         /* the maps' shape; fills released slots */
	int nslots;
	int entries;
	int keys_per_run;
};

/* What a run found: words that differ, and the last of them. */
struct percpu_bpf_result {
	uint32_t bad_words;
	uint32_t key;
	uint32_t word;
	uint64_t want, got;
};

/* The maps, the program (verified for value_size and entries) and
 * nslots empty slots.  0, or -errno with *cause. */
int percpu_bpf_open(struct percpu_bpf *, size_t value_size, int entries,
    int nslots, char **cause);
void percpu_bpf_close(struct percpu_bpf *);
/* Put a percpu array of this value_size and entries in a slot, or take
 * it out (the slot holds a reference: out before the map is closed). */
int percpu_bpf_set(struct percpu_bpf *, int slot, int map_fd);
int percpu_bpf_clear(struct percpu_bpf *, int slot);
/* The same for n slots at once: each update or delete of an array of
 * maps from user space waits for an RCU grace period, an update batch
 * (5.6+) once.  Slot by slot where the kernel has no batch.  A cleared
 * slot holds a placeholder map of the same shape (one per process). */
int percpu_bpf_set_many(struct percpu_bpf *, const uint32_t *slots,
    const uint32_t *map_fds, int n);
int percpu_bpf_clear_many(struct percpu_bpf *, const uint32_t *slots,
    int n);
/*
 * Check keys key0.. key0 + keys_per_run - 1 of the map in slot on cpu:
 * word w of key k must be pattern(serial, k, cpu) + w * RNG_GOLDEN,
 * the first word xored with xor (0; tests make it wrong on purpose).
 * 0 with *res filled, or -errno with *cause (-ENXIO: cpu offline).
 */
int percpu_bpf_check(struct percpu_bpf *, int slot, uint64_t serial,
    uint32_t key0, int cpu, uint64_t xor, struct percpu_bpf_result *res,
    char **cause);

#endif
