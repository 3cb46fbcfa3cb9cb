/* syscalls.c - bpf(2) and futex(2), which glibc does not wrap. */
#include <limits.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workloads/syscalls.h"

static long
sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

int
bpf_percpu_array_create(size_t value_size, int entries)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.map_type = BPF_MAP_TYPE_PERCPU_ARRAY;
	attr.key_size = sizeof(uint32_t);
	attr.value_size = (uint32_t)value_size;
	attr.max_entries = (uint32_t)entries;
	/* Named so `bpftool map` shows whose they are (4.15+). */
	memcpy(attr.map_name, "mmstorm_pcpu", sizeof "mmstorm_pcpu");
	return (int)sys_bpf(BPF_MAP_CREATE, &attr);
}

static int
bpf_elem(int cmd, int fd, uint32_t key, const void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)&key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = cmd == BPF_MAP_UPDATE_ELEM ? BPF_ANY : 0;
	return (int)sys_bpf(cmd, &attr);
}

int
bpf_map_lookup(int fd, uint32_t key, void *values)
{
	return bpf_elem(BPF_MAP_LOOKUP_ELEM, fd, key, values);
}

int
bpf_map_update(int fd, uint32_t key, const void *values)
{
	return bpf_elem(BPF_MAP_UPDATE_ELEM, fd, key, values);
}

void
futex_wait_shared(_Atomic int *word, int val, int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	syscall(SYS_futex, (int *)word, FUTEX_WAIT, val, &ts, NULL, 0);
}

void
futex_wake_shared(_Atomic int *word)
{
	syscall(SYS_futex, (int *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
