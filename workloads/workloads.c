/*
 * workloads.c - the one table of workloads.
 *
 * Adding a workload: a file in this directory ending in
 * `const struct workload wl_<name> = {...}` and one X(<name>) line below;
 * the list expands into the declarations and the table.
 */
#include <pthread.h>
#include <string.h>

#include "run/options.h"
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

#define NWORKLOADS (sizeof workloads / sizeof workloads[0] - 1)

static char *defaults[NWORKLOADS];
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static void
defaults_init(void)
{
	struct params *ps;
	size_t i;

	for (i = 0; i < NWORKLOADS; i++) {
		ps = params_new(workloads[i]->name, workloads[i]->options);
		defaults[i] = params_to_json(ps);
		params_free(ps);
	}
}

const char *
workload_defaults_json(const char *name)
{
	size_t i;

	pthread_once(&defaults_once, defaults_init);
	for (i = 0; i < NWORKLOADS; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return defaults[i];
	return NULL;
}
