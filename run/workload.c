/* workload.c - finding a workload in the table a caller hands down. */
#include <string.h>

#include "run/workload.h"

const struct workload *
workload_lookup(const struct workload *const *registry, const char *name)
{
	size_t i;

	for (i = 0; registry[i] != NULL; i++) {
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	}
	return NULL;
}
