/*
 * knobs.h - the sysfs/procfs knobs a run changes (a CPU's online file,
 * THP settings): the original is committed before the worker writes,
 * and put back when the run ends, however it ends; what a dead
 * supervisor left is put back by the next start (run/recovery.c).
 */
#ifndef MMSTORM_RUN_KNOBS_H
#define MMSTORM_RUN_KNOBS_H

#include <stdint.h>

struct db;
struct supervisor;

/* The worker's "K path value": record the original durably, then answer
 * "A\t0" (or "A\t-errno\tmessage") on sock; the worker writes after. */
void sup_knob(struct supervisor *, int sock, const char *path,
    const char *value);

/* Restore every knob run_id still has changed, newest first. */
int knobs_restore_run(struct db *, int64_t run_id, char **cause);
/* Restore the knobs of every run no longer 'running'; *count grows by
 * how many were tried. */
int knobs_restore_left(struct db *, int *count, char **cause);

#endif
