/*
 * verdict.c - what a bisection step needs to decide good, bad or skip
 * for one build and workload: its runs counted by end state, and the
 * runs with a kernel event that makes a build bad.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
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

/* One count per end state, and the latest skipped run's reason. */
static int
count_by_state(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "SELECT count(*), "
	    "sum(CASE WHEN state = 'passed' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN state = 'lockup' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN state = 'crashed' THEN 1 ELSE 0 END), "
	    "sum(CASE WHEN state = 'interrupted' THEN 1 ELSE 0 END), "
	    "(SELECT reason FROM runs WHERE kernel_id = $1 AND workload = $2 "
	    "AND state = 'skipped' ORDER BY id DESC LIMIT 1) "
	    "FROM runs WHERE kernel_id = $1 AND workload = $2", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	if (stmt_step(st) == STORE_ROW) {
		rc->total = stmt_int64(st, 0);
		rc->passed = stmt_int64(st, 1);
		rc->failed = stmt_int64(st, 2);
		rc->skipped = stmt_int64(st, 3);
		rc->lockup = stmt_int64(st, 4);
		rc->crashed = stmt_int64(st, 5);
		rc->interrupted = stmt_int64(st, 6);
		if (stmt_type(st, 7) != STORE_NULL)
			rc->skip_reason = xstrdup(stmt_text(st, 7));
	}
	stmt_finalize(st);
	return 0;
}

/*
 * Runs with a bad event, and the title of the first such event.  The
 * first seen is the one a bisection is chasing; later ones (an RCU stall
 * after the soft lockup) often follow from it.
 */
static int
count_bad_events(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "SELECT count(DISTINCT r.id), (SELECT e.title FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND e.kind IN " BAD_EVENT_KINDS " ORDER BY "
	    "e.t_ns, e.id LIMIT 1) FROM events e JOIN runs r ON r.id = "
	    "e.run_id WHERE r.kernel_id = $1 AND r.workload = $2 AND e.kind IN "
	    BAD_EVENT_KINDS, cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	if (stmt_step(st) == STORE_ROW) {
		rc->bad_events = stmt_int64(st, 0);
		if (stmt_type(st, 1) != STORE_NULL)
			rc->bad_title = xstrdup(stmt_text(st, 1));
	}
	stmt_finalize(st);
	return 0;
}

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	int r;

	memset(rc, 0, sizeof *rc);
	if ((r = count_by_state(db, kernel, workload, rc, cause)) != 0)
		return r;
	return count_bad_events(db, kernel, workload, rc, cause);
}

void
run_counts_release(struct run_counts *rc)
{
	free(rc->bad_title);
	free(rc->skip_reason);
	rc->bad_title = rc->skip_reason = NULL;
}
