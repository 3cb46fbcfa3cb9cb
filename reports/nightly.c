/*
 * nightly.c - the nightly driver's verdict on a build and its report
 * (reports/nightly.h): text for the journal and mail, JSON for the
 * webhook, HTML with the culprit's comparison and its change bars.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "common/util.h"
#include "reports/internal.h"
#include "reports/nightly.h"

/*
 * The kinds a new signature of makes a build bad: the kernel's own
 * reports of a bug, as `verdict` counts them (analysis/verdict.c).  Not
 * warning, oom_kill, or mmstormd's heartbeat stall: a guest under TCG
 * stalls the daemon now and then, and the report still lists them.
 */
static const char *const bad_kinds[] = { "soft_lockup", "hard_lockup",
	"rcu_stall", "hung_task", "workqueue_lockup", "oops", "bug",
	"bad_page", "panic", "corruption", NULL };

static int
is_bad_kind(const char *kind)
{
	size_t i;

	for (i = 0; bad_kinds[i] != NULL; i++)
		if (strcmp(kind, bad_kinds[i]) == 0)
			return 1;
	return 0;
}

/* The verdict's line from the comparison: new lockups first (the report
 * a maintainer chases), then the largest regression. */
static void
judge_comparison(const struct comparison *cmp, double threshold_pct,
    int *bad, char **detail)
{
	const struct metric_cmp *worst = NULL;
	const struct lockup_cmp *lock = NULL;
	size_t i, nreg = 0, nlock = 0;

	for (i = 0; i < cmp->nmetrics; i++) {
		const struct metric_cmp *m = &cmp->metrics[i];

		if (m->mark != CMP_REGRESSION)
			continue;
		nreg++;
		if (worst == NULL || fabs(m->change_pct) >
		    fabs(worst->change_pct))
			worst = m;
	}
	for (i = 0; i < cmp->nlockups; i++)
		if (cmp->lockups[i].is_new && cmp->lockups[i].hit_new > 0 &&
		    is_bad_kind(cmp->lockups[i].kind) && nlock++ == 0)
			lock = &cmp->lockups[i];
	*bad = nreg + nlock > 0 || cmp->nmetrics == 0;
	if (lock != NULL)
		*detail = xasprintf("new %s '%s' in %lld of %lld %s runs%s",
		    lock->kind, lock->title, (long long)lock->hit_new,
		    (long long)lock->runs_new, lock->workload, nreg > 0 ?
		    " (and metric regressions)" : "");
	else if (worst != NULL)
		*detail = xasprintf("%s %s %+.1f%% (p=%.3f, n=%zu/%zu)%s",
		    worst->workload, worst->metric, worst->change_pct,
		    worst->p_value, worst->base.n, worst->new.n, nreg > 1 ?
		    " and more" : "");
	else if (cmp->nmetrics == 0)
		*detail = xstrdup("no metric has passed runs on both builds");
	else
		*detail = xasprintf("no regression beyond %.1f%% in %zu "
		    "metric(s), no new lockup", threshold_pct, cmp->nmetrics);
}

int
nightly_judge(struct db *db, int64_t ref_kernel, int64_t kernel,
    double threshold_pct, int *bad, char **detail, char **cause)
{
	struct compare_opts o = { .threshold_pct = threshold_pct };
	struct comparison cmp;
	int r;

	*bad = 0;
	if (ref_kernel == kernel) {
		*detail = xstrdup("the same kernel build as the reference");
		return 0;
	}
	memset(&cmp, 0, sizeof cmp);
	if ((r = compare_kernels(db, ref_kernel, kernel, &o, &cmp, cause)) != 0)
		return r;
	judge_comparison(&cmp, threshold_pct, bad, detail);
	comparison_release(&cmp);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *
jstring_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
rounds_json(const struct nightly_report_round *rd, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:s, s:s, s:o, "
		    "s:I, s:I, s:I}", "build", rd[i].build,
		    "against", jstring_or_null(rd[i].against),
		    "purpose", rd[i].purpose, "verdict", rd[i].verdict,
		    "detail", jstring_or_null(rd[i].detail),
		    "runs", (json_int_t)rd[i].runs,
		    "started_ns", (json_int_t)rd[i].started_ns,
		    "ended_ns", (json_int_t)rd[i].ended_ns));
	return a;
}

/* The comparison of the reference with the culprit: the evidence. */
static int
evidence_json(struct db *db, const struct nightly_report *nr,
    const struct nightly_report_bisect *b, json_t **out, char **cause)
{
	struct compare_opts o = { .threshold_pct = nr->threshold_pct };
	struct comparison cmp;
	int r;

	*out = json_null();
	if (b->ref_kernel == 0 || b->culprit_kernel == 0 ||
	    b->ref_kernel == b->culprit_kernel)
		return 0;
	memset(&cmp, 0, sizeof cmp);
	if ((r = compare_kernels(db, b->ref_kernel, b->culprit_kernel, &o,
	    &cmp, cause)) != 0)
		return r;
	json_decref(*out);
	*out = comparison_json(db, &cmp);
	comparison_release(&cmp);
	return 0;
}

static int
nightly_json(struct db *db, const struct nightly_report *nr, struct buf *out,
    char **cause)
{
	json_t *o, *bisects = json_array(), *ev;
	char *s;
	size_t i;
	int r = 0;

	for (i = 0; i < nr->nbisects && r == 0; i++) {
		const struct nightly_report_bisect *b = &nr->bisects[i];

		if ((r = evidence_json(db, nr, b, &ev, cause)) != 0)
			break;
		json_array_append_new(bisects, json_pack("{s:s, s:s, s:s, "
		    "s:o, s:o, s:o, s:o, s:o}", "good", b->good, "bad", b->bad,
		    "state", b->state, "culprit", jstring_or_null(b->culprit),
		    "parent", jstring_or_null(b->parent),
		    "detail", jstring_or_null(b->detail),
		    "steps", rounds_json(b->steps, b->nsteps),
		    "evidence", ev));
	}
	o = json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:f, s:I, s:I, s:o, "
	    "s:o}", "report", "nightly", "version", REPORT_JSON_VERSION,
	    "config", nr->config, "result", nr->result,
	    "error", jstring_or_null(nr->error),
	    "reference", jstring_or_null(nr->reference),
	    "threshold_pct", nr->threshold_pct,
	    "started_ns", (json_int_t)nr->started_ns,
	    "ended_ns", (json_int_t)nr->ended_ns,
	    "rounds", rounds_json(nr->rounds, nr->nrounds),
	    "bisects", bisects);
	if (r == 0 && (s = json_dumps(o, JSON_COMPACT |
	    JSON_REAL_PRECISION(10))) != NULL) {
		buf_adds(out, s);
		buf_addc(out, '\n');
		free(s);
	}
	json_decref(o);
	return r;
}

/* ---- text ---------------------------------------------------------------- */

static void
rounds_text(const struct nightly_report_round *rd, size_t n, struct buf *b)
{
	struct text_table *t = text_table_new(6, "BUILD", "PURPOSE", "VERDICT",
	    "RUNS", "AGAINST", "DETAIL");
	char runs[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(runs, sizeof runs, "%lld", (long long)rd[i].runs);
		text_table_add(t, rd[i].build, rd[i].purpose, rd[i].verdict,
		    runs, rd[i].against ? rd[i].against : "-",
		    rd[i].detail ? rd[i].detail : "");
	}
	text_table_print(t, b);
	text_table_free(t);
}

static int
bisect_text(struct db *db, const struct nightly_report *nr,
    const struct nightly_report_bisect *bi, struct buf *b, char **cause)
{
	struct compare_opts o = { .threshold_pct = nr->threshold_pct };

	buf_printf(b, "\nbisect '%s'..'%s': %s\n", bi->good, bi->bad,
	    bi->state);
	if (bi->culprit != NULL)
		buf_printf(b, "culprit:  '%s' (parent '%s')\n", bi->culprit,
		    bi->parent);
	if (bi->detail != NULL)
		buf_printf(b, "why:      %s\n", bi->detail);
	if (bi->nsteps > 0) {
		buf_adds(b, "\nsteps, each judged against the reference:\n");
		rounds_text(bi->steps, bi->nsteps, b);
	}
	if (bi->ref_kernel == 0 || bi->culprit_kernel == 0 ||
	    bi->ref_kernel == bi->culprit_kernel)
		return 0;
	buf_adds(b, "\nevidence: the reference against the culprit, every "
	    "run of both\n");
	return report_compare(db, bi->ref_kernel, bi->culprit_kernel, &o,
	    REPORT_TEXT, b, cause);
}

static int
nightly_text(struct db *db, const struct nightly_report *nr, struct buf *b,
    char **cause)
{
	char *start = fmt_time_ns(nr->started_ns);
	size_t i;
	int r = 0;

	buf_printf(b, "mmstorm nightly '%s': %s\n", nr->config, nr->result);
	if (nr->error != NULL)
		buf_printf(b, "error:     %s\n", nr->error);
	buf_printf(b, "reference: %s\nstarted:   %s, %.0f s\n",
	    nr->reference ? nr->reference : "-", start,
	    (double)(nr->ended_ns - nr->started_ns) / 1e9);
	free(start);
	if (nr->nrounds > 0) {
		buf_printf(b, "\n%zu round(s) tonight:\n", nr->nrounds);
		rounds_text(nr->rounds, nr->nrounds, b);
	} else
		buf_adds(b, "\nno round tonight: no untested build\n");
	for (i = 0; i < nr->nbisects && r == 0; i++)
		r = bisect_text(db, nr, &nr->bisects[i], b, cause);
	return r;
}

/* ---- HTML ---------------------------------------------------------------- */

static void
html_summary(const struct nightly_report *nr, struct buf *b)
{
	size_t i;

	buf_adds(b, "<section id=\"nightly\">\n<h2>Nightly '");
	html_escape(b, nr->config);
	buf_adds(b, "': ");
	html_escape(b, nr->result);
	buf_adds(b, "</h2>\n");
	for (i = 0; i < nr->nbisects; i++) {
		const struct nightly_report_bisect *bi = &nr->bisects[i];

		buf_adds(b, "<p>bisect '");
		html_escape(b, bi->good);
		buf_adds(b, "'..'");
		html_escape(b, bi->bad);
		buf_adds(b, "': <b>");
		html_escape(b, bi->state);
		buf_adds(b, "</b>");
		if (bi->culprit != NULL) {
			buf_adds(b, ", culprit <b>");
			html_escape(b, bi->culprit);
			buf_adds(b, "</b> (parent ");
			html_escape(b, bi->parent);
			buf_adds(b, ")");
		}
		if (bi->detail != NULL) {
			buf_adds(b, ": ");
			html_escape(b, bi->detail);
		}
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "<pre>\n");
	for (i = 0; i < nr->nrounds; i++) {
		buf_printf(b, "%s %s %s: ", nr->rounds[i].build,
		    nr->rounds[i].purpose, nr->rounds[i].verdict);
		html_escape(b, nr->rounds[i].detail ? nr->rounds[i].detail :
		    "");
		buf_addc(b, '\n');
	}
	buf_adds(b, "</pre>\n</section>\n");
}

/*
 * The culprit's comparison page (its plots and change bars) with the
 * night's summary as its first section; a night without a culprit gets
 * the summary alone.
 */
static int
nightly_html(struct db *db, const struct nightly_report *nr, struct buf *b,
    char **cause)
{
	struct compare_opts o = { .threshold_pct = nr->threshold_pct };
	struct buf page = BUF_INIT, summary = BUF_INIT;
	const struct nightly_report_bisect *bi = NULL;
	const char *at;
	size_t i;
	int r = 0;

	for (i = 0; i < nr->nbisects; i++)
		if (nr->bisects[i].culprit_kernel != 0 &&
		    nr->bisects[i].ref_kernel != nr->bisects[i].culprit_kernel)
			bi = &nr->bisects[i];
	html_summary(nr, &summary);
	if (bi != NULL && (r = report_compare(db, bi->ref_kernel,
	    bi->culprit_kernel, &o, REPORT_HTML, &page, cause)) != 0)
		goto out;
	if (bi != NULL && (at = strstr(page.s, "<section")) != NULL) {
		buf_add(b, page.s, (size_t)(at - page.s));
		buf_add(b, summary.s, summary.len);
		buf_adds(b, at);
	} else {
		buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n<title>mmstorm nightly</title>\n"
		    "</head>\n<body>\n");
		buf_add(b, summary.s, summary.len);
		buf_adds(b, "</body>\n</html>\n");
	}
out:
	buf_release(&page);
	buf_release(&summary);
	return r;
}

int
report_nightly(struct db *db, const struct nightly_report *nr,
    enum report_format fmt, struct buf *out, char **cause)
{
	switch (fmt) {
	case REPORT_JSON:
		return nightly_json(db, nr, out, cause);
	case REPORT_HTML:
		return nightly_html(db, nr, out, cause);
	default:
		return nightly_text(db, nr, out, cause);
	}
}
