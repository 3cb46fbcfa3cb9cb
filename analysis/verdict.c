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

#include "analysis/analysis.h"
#include "common/buf.h"
#include "common/util.h"
#include "store/db.h"

/* Event kinds that make a verdict bad, as an SQL list. */
#define BAD_EVENT_KINDS "('soft_lockup', 'hard_lockup', 'rcu_stall', " \
	"'hung_task', 'workqueue_lockup', 'oops', 'bug', 'bad_page', " \
	"'panic', 'corruption')"

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
 * Runs with an event that meets cond (SQL over "e", its texts bound from
 * $3 on), and the title of the first such event.  The first seen is the
 * one a bisection is chasing; later ones (an RCU stall after the soft
 * lockup) often follow from it.
 */
static int
count_event_runs(struct db *db, int64_t kernel, const char *workload,
    const char *cond, const char *const *texts, size_t ntexts,
    int64_t *runs, char **title, char **cause)
{
	struct stmt *st;
	char *sql;
	size_t i;

	sql = xasprintf("SELECT count(DISTINCT r.id), (SELECT e.title FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND %s ORDER BY e.t_ns, e.id LIMIT 1) FROM "
	    "events e JOIN runs r ON r.id = e.run_id WHERE r.kernel_id = $1 "
	    "AND r.workload = $2 AND %s", cond, cond);
	st = db_prepare(db, sql, cause);
	free(sql);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, kernel);
	stmt_bind_text(st, 2, workload);
	for (i = 0; i < ntexts; i++)
		stmt_bind_text(st, (int)i + 3, texts[i]);
	if (stmt_step(st) == STORE_ROW) {
		*runs = stmt_int64(st, 0);
		if (stmt_type(st, 1) != STORE_NULL)
			*title = xstrdup(stmt_text(st, 1));
	}
	stmt_finalize(st);
	return 0;
}

static int
count_bad_events(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	return count_event_runs(db, kernel, workload, "e.kind IN "
	    BAD_EVENT_KINDS, NULL, 0, &rc->bad_events, &rc->bad_title, cause);
}

/*
 * The report chased, and the bad events that are not it.  The condition
 * names only the members given, each a parameter: "e.kind = $3 AND
 * e.title = $4".  The daemon's own stall and taint records are never a
 * kernel report.
 */
static int
count_chased_events(struct db *db, int64_t kernel, const char *workload,
    const struct report_match *chase, struct run_counts *rc, char **cause)
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
	if ((r = count_event_runs(db, kernel, workload, cond.s, texts, n,
	    &rc->bad_events, &rc->bad_title, cause)) == 0)
		r = count_event_runs(db, kernel, workload, other, texts, n,
		    &rc->other_events, &rc->other_title, cause);
	free(prefix);
	free(other);
	buf_release(&cond);
	return r;
}

int
run_counts_chasing(struct db *db, int64_t kernel, const char *workload,
    const struct report_match *chase, struct run_counts *rc, char **cause)
{
	int r;

	memset(rc, 0, sizeof *rc);
	if ((r = count_by_state(db, kernel, workload, rc, cause)) != 0)
		return r;
	if (chase == NULL || (chase->kind == NULL && chase->title == NULL &&
	    chase->signature == NULL))
		return count_bad_events(db, kernel, workload, rc, cause);
	return count_chased_events(db, kernel, workload, chase, rc, cause);
}

int
run_counts(struct db *db, int64_t kernel, const char *workload,
    struct run_counts *rc, char **cause)
{
	return run_counts_chasing(db, kernel, workload, NULL, rc, cause);
}

/*
 * More runs of the new build can change what the rule says when its own
 * noise is what refused (the base's noise stays), or when the change is
 * beyond the threshold in the worse direction and the rule could not call
 * it significant: the runs point at a regression and cannot yet show it.
 */
const char *
metric_cmp_unclear(const struct metric_cmp *m, double threshold_pct)
{
	if (m->base.cv_pct > ANALYSIS_MAX_CV)
		return NULL;
	if (m->new.cv_pct > ANALYSIS_MAX_CV)
		return "too noisy on the build judged";
	if (!m->significant && -m->gain_pct > threshold_pct)
		return "worse beyond the threshold, not significant";
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
