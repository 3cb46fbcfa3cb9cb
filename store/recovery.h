/*
 * recovery.h - what the store keeps so that a run can be settled when
 * its supervisor is gone: who supervises it (pid, job), the knobs it
 * changed with their originals, and the runs still marked 'running'.
 * The supervisor writes these (run/supervisor.c, run/knobs.c); the next
 * start reads them back (run/recovery.c).
 */
#ifndef MMSTORM_STORE_RECOVERY_H
#define MMSTORM_STORE_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* The process supervising run_id and the daemon's job (0: none). */
int db_run_set_owner(struct db *, int64_t run_id, int64_t pid,
    int64_t job_id, char **cause);

/* A run still marked 'running', with what tells whether it still is. */
struct run_running {
	int64_t id;
	char *boot_id;
	int64_t pid;
};

int db_runs_running(struct db *, struct run_running **, size_t *n,
    char **cause);
void db_runs_running_free(struct run_running *, size_t n);

/* A knob changed and not yet put back. */
struct knob_changed {
	int64_t id;
	char *path;
	char *original;
};

/* *changed 1 when run_id has already recorded path and not restored it. */
int db_knob_is_changed(struct db *, int64_t run_id, const char *path,
    int *changed, char **cause);
/* The knobs run_id has still changed, newest first. */
int db_knobs_changed(struct db *, int64_t run_id, struct knob_changed **,
    size_t *n, char **cause);
/* The same for every run no longer 'running' (or deleted): what a dead
 * supervisor left behind. */
int db_knobs_left(struct db *, struct knob_changed **, size_t *n,
    char **cause);
void db_knobs_free(struct knob_changed *, size_t n);

#endif
