/*
 * supervisor.h - the supervisor's state while a run goes on, shared by
 * the files it is made of: supervisor.c (the run's start, the loop that
 * watches the worker, how the run ended), ingest.c (what the worker sends
 * and the sampler reads, on its way to the store) and knobs.c (the knobs
 * a run changes).  Callers use run/runner.h.
 */
#ifndef MMSTORM_RUN_SUPERVISOR_H
#define MMSTORM_RUN_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct run_request;
struct sampler;

/*
 * Something the supervisor has yet to store: a worker message (M, E, F
 * or B) with the time it arrived, or a sample it read.  The loop keeps
 * them in memory and writes them in one short transaction (sup_flush)
 * at most COMMIT_NS after the first: a write transaction left open for
 * the whole second would hold SQLite's one write lock nearly all the
 * time, and mmstormd's own writes (a kernel-log event) would starve in
 * SQLite's polling busy wait.
 */
#define COMMIT_NS (INT64_C(1000) * 1000000)

struct pending {
	char *msg;
	int64_t t_ns;
	int64_t *values;        /* a sample's (msg NULL); kept for reuse */
	char *label;
	int64_t seq;
};

struct supervisor {
	struct db *db;
	const struct run_request *req;
	int64_t run_id;
	struct sampler *sampler;
	int64_t seq;
	int64_t start_mono;
	int in_tx;
	struct pending *pend;
	size_t npend, cap_pend;
	int64_t pend_since;      /* monotonic time of the oldest pending */
	struct { char *name; int64_t seq; } *series;
	size_t nseries;
	char *result;            /* from R, or "interrupted" */
	int64_t verdict_mono;    /* when the first R arrived */
	char *reason;
	char *error;             /* first storage error */
	int64_t kernel_id, host_id;
};

/* ingest.c: the first storage error is kept (with the run's reason),
 * later ones freed. */
void sup_error(struct supervisor *, char *cause);
void sup_tx(struct supervisor *);
void sup_commit(struct supervisor *);
/* Read the counters now (label NULL: the periodic sample); stored with
 * the next flush. */
void sup_sample(struct supervisor *, const char *label);
/* Write everything pending in one transaction. */
void sup_flush(struct supervisor *);
/* One message from the worker: queued, answered on sock, or taken in. */
void sup_message(struct supervisor *, int sock, char *msg);
/* Every message still queued on sock; msg holds MSG_MAX + 1 bytes. */
void sup_drain(struct supervisor *, int sock, char *msg);
/* What ingest allocated (the queue and its sample buffers, series). */
void sup_ingest_release(struct supervisor *);

#endif
