/*
 * verdict.c - what a bisection step needs to decide good, bad or skip
 * for one build and workload: its runs counted by end state, the runs
 * with a kernel event that makes a build bad (or, chasing one report,
 * the runs with that report), and whether more runs could change a
 * metric's answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "common/buf.h"
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
		if (!run_keys_of(keys, stmt_int64(st, 1), workload,
		    stmt_text(st, 2), &host, &params))
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
 * Runs with an event that meets cond (SQL over "e", its texts bound from
 * $3 on) among the runs the key filters select, and the title of the
 * first such event.  The first seen is the one a bisection is chasing;
 * later ones (an RCU stall after the soft lockup) often follow from it.
 */
static int
count_event_runs(struct db *db, int64_t kernel, const char *workload,
    struct run_keys *keys, const char *cond, const char *const *texts,
    size_t ntexts, int64_t *nruns, char **title, char **cause)
{
	const char *host, *params;
	int64_t *runs = NULL;
	struct stmt *st;
	size_t i, n = 0;
	char *sql;
	int r;

	sql = xasprintf("SELECT r.id, r.host_id, r.params, e.title FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND %s ORDER BY e.t_ns, e.id", cond);
	st = db_prepare(db, sql, cause);
	free(sql);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	for (i = 0; i < ntexts; i++)
		stmt_bind_text(st, (int)i + 3, texts[i]);
	while ((r = stmt_step(st)) == STORE_ROW) {
		if (!run_keys_of(keys, stmt_int64(st, 1), workload,
		    stmt_text(st, 2), &host, &params))
			continue;
		if (*title == NULL)
			*title = xstrdup(stmt_text(st, 3));
		runs = xreallocarray(runs, n + 1, sizeof *runs);
		runs[n++] = stmt_int64(st, 0);
	}
	stmt_finalize(st);
	*nruns = (int64_t)stats_count_distinct(runs, n, 0);
	free(runs);
	return r == STORE_DONE ? 0 : db_error(db, cause, "cannot read events");
}

/*
 * The report chased, and the bad events that are not it.  The condition
 * names only the members given, each a parameter: "e.kind = $3 AND
 * e.title = $4".  The daemon's own stall and taint records are never a
 * kernel report.
 */
static int
count_chased_events(struct db *db, int64_t kernel, const char *workload,
    struct run_keys *keys, const struct report_match *chase,
    struct run_counts *rc, char **cause)
{
	const char *texts[3], *columns[3] = { "e.kind = ", "e.title = ",
	    "e.signature LIKE " };
	const char *given[3] = { chase->kind, chase->title, NULL };
	struct buf cond = BUF_INIT;
	char *prefix = NULL, *other;
	size_t i, n = 0;
	int r;

	if (chase->signature != NULL)
		given[2] = prefix = xasprintf("%s%%", chase->signature);
	buf_adds(&cond, "e.kind NOT IN ('stall', 'taint')");
	for (i = 0; i < 3; i++) {
		if (given[i] == NULL)
			continue;
		texts[n++] = given[i];
		buf_printf(&cond, " AND %s$%zu", columns[i], n + 2);
	}
	other = xasprintf("e.kind IN " BAD_EVENT_KINDS " AND NOT (%s)", cond.s);
	if ((r = count_event_runs(db, kernel, workload, keys, cond.s, texts, n,
	    &rc->bad_events, &rc->bad_title, cause)) == 0)
		r = count_event_runs(db, kernel, workload, keys, other, texts,
		    n, &rc->other_events, &rc->other_title, cause);
	free(prefix);
	free(other);
	buf_release(&cond);
	return r;
}

int
run_counts_chasing(struct db *db, int64_t kernel, const char *workload,
    const struct compare_opts *o, const struct report_match *chase,
    struct run_counts *rc, char **cause)
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
	if ((r = run_keys_init(&keys, db, ss, o, cause)) != 0 ||
	    (r = count_by_state(db, kernel, workload, &keys, rc, cause)) != 0)
		goto out;
	if (chase == NULL || (chase->kind == NULL && chase->title == NULL &&
	    chase->signature == NULL))
		r = count_event_runs(db, kernel, workload, &keys, "e.kind IN "
		    BAD_EVENT_KINDS, NULL, 0, &rc->bad_events, &rc->bad_title,
		    cause);
	else
		r = count_chased_events(db, kernel, workload, &keys, chase, rc,
		    cause);
out:
	run_keys_release(&keys);
	analysis_strings_unref(ss);
	return r;
}

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    const struct compare_opts *o, struct run_counts *rc, char **cause)
{
	return run_counts_chasing(db, kernel, workload, o, NULL, rc, cause);
}

/*
 * More runs can change what the rule says when it could not decide:
 * fewer than ANALYSIS_MIN_RUNS a side, or a move beyond the threshold in
 * the worse direction that is not yet significant.  A noisy move for the
 * better is not worth more runs to a bisection.
 */
const char *
metric_cmp_unclear(const struct metric_cmp *m, double threshold_pct)
{
	double gain = m->higher_better ? m->estimate_pct : -m->estimate_pct;

	(void)threshold_pct;
	if (m->doubt == CMP_TOO_FEW)
		return "too few runs";
	if (m->doubt == CMP_TOO_NOISY && gain < 0)
		return "too noisy to decide";
	return NULL;
}

void
run_counts_release(struct run_counts *rc)
{
	free(rc->bad_title);
	free(rc->other_title);
	free(rc->skip_reason);
	rc->bad_title = rc->other_title = rc->skip_reason = NULL;
}
