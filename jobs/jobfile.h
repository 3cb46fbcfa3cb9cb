/*
 * jobfile.h - fio-style job files.
 *
 *   [global]
 *   duration=30s          ; applies to every section whose workload has it
 *
 *   [munmap-1g]
 *   workload=thp-munmap
 *   size=1G
 *   repeat=3              ; runs of this section (like run --repeat)
 *   label=nightly         ; like run --label
 *
 * Comments start with '#' or ';'.  Every section names its workload;
 * its other keys are that workload's options, checked by the same table
 * as the command line.  A [global] key no section's workload knows is an
 * error.  The whole file is checked before anything runs.
 */
#ifndef MMSTORM_JOBFILE_H
#define MMSTORM_JOBFILE_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/spec.h"

struct workload;

/* One spec per section, with its section and line set. */
struct jobfile {
	struct job_spec *jobs;
	size_t njobs;
};

/* name is used in messages: "'quick.job' line 7: ..."; the sections'
 * workloads are looked up in registry (see spec.h). */
int jobfile_parse(const char *name, const char *text,
    const struct workload *const *registry, struct jobfile *, char **cause);
int jobfile_load(const char *path, const struct workload *const *registry,
    struct jobfile *, char **cause);
void jobfile_release(struct jobfile *);

#endif
