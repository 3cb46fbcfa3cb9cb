/*
 * workloads.h - the registry: every workload this build has.  Only the
 * top of the tree (cli/, daemon/, tests) includes this and hands the
 * table down to jobs/, run/ and reports/.
 */
#ifndef MMSTORM_WORKLOADS_H
#define MMSTORM_WORKLOADS_H

#include "run/workload.h"

extern const struct workload *const workloads[];   /* NULL-terminated */
/* workload_lookup(workloads, name) */
const struct workload *workload_find(const char *name);

#endif
