/*
 * syscalls.h - the system calls glibc does not wrap that workloads
 * make: bpf(2) percpu arrays and futex(2) waits on shared words.
 * They return what the system call returns, errno set.
 */
#ifndef MMSTORM_SYSCALLS_H
#define MMSTORM_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

/* A BPF_MAP_TYPE_PERCPU_ARRAY map named "mmstorm_pcpu": one percpu
 * allocation of round_up(value_size, 8) per entry.  An fd, or -1. */
int bpf_percpu_array_create(size_t value_size, int entries);
/* Every CPU's value of key, value_size rounded up to 8 per CPU. */
int bpf_map_lookup(int fd, uint32_t key, void *values);
int bpf_map_update(int fd, uint32_t key, const void *values);

/* FUTEX_WAIT on a word of a MAP_SHARED mapping (not FUTEX_PRIVATE),
 * at most ns; FUTEX_WAKE of every waiter. */
void futex_wait_shared(_Atomic int *word, int val, int64_t ns);
void futex_wake_shared(_Atomic int *word);

#endif
