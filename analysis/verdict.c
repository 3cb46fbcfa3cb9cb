/*
 * verdict.c - what a bisection step needs to decide good, bad or skip
 * for one build and workload: its runs counted by end state, and the
 * runs with a kernel event that makes a build bad.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/stats.h"
#include "common/util.h"
#include "store/db.h"

/*
 * Event kinds that make a verdict bad, as an SQL list.  Of the debug-kernel
 * kinds (docs/kmsg.md) only kasan (KASAN, KFENCE, KMSAN: memory corrupted)
 * is bad by default; lockdep, ubsan, memory_leak, data_race are not.
 */
#define BAD_EVENT_KINDS "('soft_lockup', 'hard_lockup', 'rcu_stall', " \
	"'hung_task', 'workqueue_lockup', 'oops', 'bug', 'bad_page', " \
	"'panic', 'corruption', 'kasan')"

/* The counter of a run's end state, or NULL. */
static int64_t *
state_counter(struct run_counts *rc, const char *state)
{
	static const char *names[] = { "passed", "failed", "skipped",
	    "lockup", "crashed", "interrupted" };
	int64_t *counters[] = { &rc->passed, &rc->failed, &rc->skipped,
	    &rc->lockup, &rc->crashed, &rc->interrupted };
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(state, names[i]) == 0)
			return counters[i];
	return NULL;
}

/*
 * One count per end state and the latest skipped run's reason, of the
 * runs the key filters select (checked here: keys.c computes them).
 */
static int
count_by_state(struct db *db, int64_t kernel, const char *workload,
    struct run_keys *keys, struct run_counts *rc, char **cause)
{
	const char *host, *params, *state;
	struct stmt *st;
	int64_t *counter;
	int r;

	st = db_prepare(db, "SELECT state, host_id, params, reason FROM runs "
	    "WHERE kernel_id = $1 AND workload = $2 ORDER BY id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	while ((r = stmt_step(st)) == STORE_ROW) {
		if (!run_keys_of(keys, stmt_int64(st, 1), stmt_text(st, 2),
		    &host, &params))
			continue;
		rc->total++;
		state = stmt_text(st, 0);
		if ((counter = state_counter(rc, state)) != NULL)
			(*counter)++;
		if (strcmp(state, "skipped") == 0 &&
		    stmt_type(st, 3) != STORE_NULL) {
			free(rc->skip_reason);
			rc->skip_reason = xstrdup(stmt_text(st, 3));
		}
	}
	stmt_finalize(st);
	return r == STORE_DONE ? 0 : db_error(db, cause, "cannot read runs");
}

/*
 * Runs with a bad event, and the title of the first such event.  The
 * first seen is the one a bisection is chasing; later ones (an RCU stall
 * after the soft lockup) often follow from it.
 */
static int
count_bad_events(struct db *db, int64_t kernel, const char *workload,
    struct run_keys *keys, struct run_counts *rc, char **cause)
{
	const char *host, *params;
	int64_t *runs = NULL;
	size_t n = 0;
	struct stmt *st;
	int r;

	st = db_prepare(db, "SELECT r.id, r.host_id, r.params, e.title FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND e.kind IN " BAD_EVENT_KINDS " ORDER BY "
	    "e.t_ns, e.id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	while ((r = stmt_step(st)) == STORE_ROW) {
		if (!run_keys_of(keys, stmt_int64(st, 1), stmt_text(st, 2),
		    &host, &params))
			continue;
		if (rc->bad_title == NULL)
			rc->bad_title = xstrdup(stmt_text(st, 3));
		runs = xreallocarray(runs, n + 1, sizeof *runs);
		runs[n++] = stmt_int64(st, 0);
	}
	stmt_finalize(st);
	rc->bad_events = (int64_t)stats_count_distinct(runs, n, 0);
	free(runs);
	return r == STORE_DONE ? 0 : db_error(db, cause, "cannot read events");
}

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    const struct compare_opts *o, struct run_counts *rc, char **cause)
{
	struct compare_opts none;
	struct run_keys keys;
	struct analysis_strings *ss = analysis_strings_new();
	int r;

	memset(rc, 0, sizeof *rc);
	if (o == NULL) {
		memset(&none, 0, sizeof none);
		o = &none;
	}
	if ((r = run_keys_init(&keys, db, ss, o, cause)) == 0 &&
	    (r = count_by_state(db, kernel, workload, &keys, rc, cause)) == 0)
		r = count_bad_events(db, kernel, workload, &keys, rc, cause);
	run_keys_release(&keys);
	analysis_strings_unref(ss);
	return r;
}

void
run_counts_release(struct run_counts *rc)
{
	free(rc->bad_title);
	free(rc->skip_reason);
	rc->bad_title = rc->skip_reason = NULL;
}
