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
/*
 * The options of workload name that have a default, at their defaults,
 * as params_to_json() stores them; NULL for a name this build lacks.
 * The text lives as long as the program (the comparison keys leave out
 * options at these values: store/catalog.h, catalog_set_defaults()).
 */
const char *workload_defaults_json(const char *name);

#endif
