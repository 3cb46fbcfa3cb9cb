/*
 * workloads.c - the one table of workloads.
 *
 * Adding a workload: a file in this directory ending in
 * `const struct workload wl_<name> = {...}` and one X(<name>) line below;
 * the list expands into the declarations and the table.
 */
#include "workloads/workloads.h"

#define WORKLOAD_LIST(X) \
	X(hotplug) \
	X(mmap_churn) \
	X(percpu_churn) \
	X(thp_munmap)

#define DECLARE(n) extern const struct workload wl_##n;
#define ENTRY(n) &wl_##n,

WORKLOAD_LIST(DECLARE)

const struct workload *const workloads[] = {
	WORKLOAD_LIST(ENTRY)
	NULL,
};

const struct workload *
workload_find(const char *name)
{
	return workload_lookup(workloads, name);
}
