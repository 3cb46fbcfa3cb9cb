/*
 * cmd-nightly.c - the nightly driver (docs/nightly.md): new kernel builds
 * in, regressions found, culprits bisected and confirmed, one report.
 *
 * The loop is: read the state (jobs/nightly.c), plan the next step from
 * it (jobs/nightly-plan.c), do the step, store it, again.  Each round on
 * the target is judged here against its reference through the analysis
 * (reports/nightly.c), and stored only once judged, so a driver killed
 * anywhere repeats at most the round it was in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "jobs/nightly.h"
#include "reports/nightly.h"
#include "store/db.h"
#include "workloads/workloads.h"

static int cmd_nightly_exec(int, char **);

static const struct option nightly_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "max-rounds", required_argument, NULL, 'm' },
	{ "plan", no_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_nightly = {
	.name = "nightly",
	.usage = "nightly --config FILE [--max-rounds N] [--plan] [--json] "
	    "[--db PATH]",
	.help = "  --config FILE    the night's builds, job, target, reports "
	    "(docs/nightly.md)\n"
	    "  --max-rounds N   stop after N rounds; the next run resumes\n"
	    "  --plan           print the next step and do nothing",
	.summary = "test new kernel builds, bisect and confirm regressions",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = nightly_options,
	.exec = cmd_nightly_exec,
};

struct nightly_args {
	const char *config;
	int64_t max_rounds;     /* 0: no limit */
	int plan;
};

static int
nightly_option(int opt, const char *arg, void *ctx)
{
	struct nightly_args *a = ctx;

	switch (opt) {
	case 'c': a->config = arg; break;
	case 'p': a->plan = 1; break;
	case 'm':
		if (parse_int64(arg, &a->max_rounds) != 0 ||
		    a->max_rounds < 1) {
			cli_error("--max-rounds expects a positive number, "
			    "got '%s'", arg);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

/* Rounds of build b so far, error rounds included: the next round's
 * MMSTORM_NIGHTLY_ROUND is one more. */
static int64_t
rounds_of(const struct nightly_state *st, size_t b)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < st->nrounds; i++)
		n += st->rounds[i].build == b;
	return n;
}

/* The verdict of a round whose runs are stored: against the reference's
 * runs, or the reference's own round. */
static int
judge_round(struct db *db, const struct nightly_config *c,
    const struct nightly_state *st, struct nightly_round *rd,
    int64_t kernel, char **cause)
{
	int64_t known = st->builds[rd->build].kernel_id;
	int bad, r;

	if (known != 0 && known != kernel) {
		rd->verdict = NIGHTLY_V_ERROR;
		rd->detail = xstrdup("the target ran another kernel build "
		    "than in the build's earlier rounds");
		return 0;
	}
	if (known == 0 && (r = nightly_build_set_kernel(db,
	    st->builds[rd->build].id, kernel, cause)) != 0)
		return r;
	if (rd->against == NIGHTLY_NONE) {
		rd->verdict = rd->purpose == NIGHTLY_BASELINE ?
		    NIGHTLY_V_BASELINE : NIGHTLY_V_GOOD;
		rd->detail = xstrdup("the reference's own runs");
		return 0;
	}
	if ((r = nightly_judge(db, st->builds[rd->against].kernel_id, kernel,
	    c->threshold_pct, &bad, &rd->detail, cause)) != 0)
		return r;
	rd->verdict = bad ? NIGHTLY_V_BAD : NIGHTLY_V_GOOD;
	return 0;
}

static int
do_round(struct db *db, const struct nightly_config *c,
    const struct nightly_state *st, const struct nightly_action *a,
    char **cause)
{
	struct nightly_target_result res;
	struct nightly_round rd;
	const char *build = st->builds[a->build].build;
	int r;

	memset(&rd, 0, sizeof rd);
	rd.build = a->build;
	rd.against = a->against;
	rd.purpose = a->purpose;
	rd.started_ns = now_real_ns();
	fprintf(stderr, "nightly: %s '%s'%s%s%s ...\n",
	    nightly_purpose_name(a->purpose), build,
	    a->against != NIGHTLY_NONE ? " against '" : "",
	    a->against != NIGHTLY_NONE ? st->builds[a->against].build : "",
	    a->against != NIGHTLY_NONE ? "'" : "");
	if ((r = nightly_target_run(db, c, build, rounds_of(st, a->build) + 1,
	    &res, cause)) != 0)
		return r;
	rd.runs = (int64_t)res.runs;
	if (res.error != NULL) {
		rd.verdict = NIGHTLY_V_ERROR;
		rd.detail = res.error;
		res.error = NULL;
	} else if ((r = judge_round(db, c, st, &rd, res.kernel_id,
	    cause)) != 0)
		goto out;
	rd.ended_ns = now_real_ns();
	fprintf(stderr, "nightly: %s '%s': %s: %s\n",
	    nightly_purpose_name(a->purpose), build,
	    nightly_verdict_name(rd.verdict), rd.detail);
	r = nightly_round_add(db, st, &rd, cause);
out:
	free(rd.detail);
	free(res.error);
	return r;
}

static void
print_plan(const struct nightly_state *st, const struct nightly_action *a)
{
	switch (a->kind) {
	case NIGHTLY_DONE:
		printf("done: no step left\n");
		break;
	case NIGHTLY_RUN:
		printf("%s '%s'%s%s%s\n", nightly_purpose_name(a->purpose),
		    st->builds[a->build].build,
		    a->against != NIGHTLY_NONE ? " against '" : "",
		    a->against != NIGHTLY_NONE ?
		    st->builds[a->against].build : "",
		    a->against != NIGHTLY_NONE ? "'" : "");
		break;
	case NIGHTLY_OPEN_BISECT:
		printf("bisect '%s'..'%s'\n", st->builds[a->good].build,
		    st->builds[a->bad].build);
		break;
	case NIGHTLY_UPDATE_BISECT:
		printf("bisect '%s'..'%s': %s\n",
		    st->builds[a->bisect.good].build,
		    st->builds[a->bisect.bad].build,
		    nightly_bisect_state_name(a->bisect.state));
		break;
	}
}

/* Do one planned step, saying what on stderr (the journal). */
static int
do_action(struct db *db, const struct nightly_config *c,
    const struct nightly_state *st, const struct nightly_action *a,
    char **cause)
{
	switch (a->kind) {
	case NIGHTLY_RUN:
		return do_round(db, c, st, a, cause);
	case NIGHTLY_OPEN_BISECT:
		fprintf(stderr, "nightly: regression between '%s' and '%s': "
		    "bisecting\n", st->builds[a->good].build,
		    st->builds[a->bad].build);
		return nightly_bisect_open(db, c, st, a->good, a->bad, cause);
	case NIGHTLY_UPDATE_BISECT:
		fprintf(stderr, "nightly: bisect '%s'..'%s': %s%s%s\n",
		    st->builds[a->bisect.good].build,
		    st->builds[a->bisect.bad].build,
		    nightly_bisect_state_name(a->bisect.state),
		    a->bisect.detail ? ": " : "",
		    a->bisect.detail ? a->bisect.detail : "");
		return nightly_bisect_update(db, st, &a->bisect, cause);
	default:
		return 0;
	}
}

/* One step of the plan; *done when nothing is left, or --plan or
 * --max-rounds says to stop. */
static int
step(struct db *db, const struct nightly_config *c, const struct nightly_args
    *na, int64_t *rounds, int *done, char **cause)
{
	struct nightly_state st;
	struct nightly_action a;
	int r = 0;

	if ((r = nightly_state_load(db, c, &st, cause)) != 0)
		return r;
	nightly_plan(c, &st, &a);
	*done = a.kind == NIGHTLY_DONE || na->plan ||
	    (a.kind == NIGHTLY_RUN && na->max_rounds > 0 &&
	    *rounds >= na->max_rounds);
	if (na->plan)
		print_plan(&st, &a);
	else if (!*done) {
		r = do_action(db, c, &st, &a, cause);
		*rounds += a.kind == NIGHTLY_RUN;
	}
	nightly_action_release(&a);
	nightly_state_release(&st);
	return r;
}

/* One driver per config at a time: a second would run rounds twice. */
static int
lock_config(const char *path, int *fd)
{
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		cli_error("another nightly driver is running with '%s'", path);
		return -1;
	}
	return 0;
}

/* ---- the report ------------------------------------------------------- */

/* The report's rows, pointing into the state. */
struct publish {
	struct nightly_report nr;
	struct nightly_report_round *rounds;     /* tonight's */
	struct nightly_report_bisect *bisects;
	struct nightly_report_round **steps;     /* one array per bisect */
};

static void
round_row(const struct nightly_state *st, const struct nightly_round *rd,
    struct nightly_report_round *row)
{
	row->build = st->builds[rd->build].build;
	row->against = rd->against == NIGHTLY_NONE ? NULL :
	    st->builds[rd->against].build;
	row->purpose = nightly_purpose_name(rd->purpose);
	row->verdict = nightly_verdict_name(rd->verdict);
	row->detail = rd->detail;
	row->runs = rd->runs;
	row->started_ns = rd->started_ns;
	row->ended_ns = rd->ended_ns;
}

/* A bisect's steps: its range's rounds against its reference, and the
 * confirmation rounds on the reference itself. */
static void
bisect_row(const struct nightly_state *st, const struct nightly_bisect *b,
    struct nightly_report_bisect *row, struct nightly_report_round **steps)
{
	size_t i;

	memset(row, 0, sizeof *row);
	row->good = st->builds[b->good].build;
	row->bad = st->builds[b->bad].build;
	row->state = nightly_bisect_state_name(b->state);
	row->detail = b->detail;
	row->ref_kernel = st->builds[b->good].kernel_id;
	if (b->culprit != NIGHTLY_NONE) {
		row->culprit = st->builds[b->culprit].build;
		row->parent = st->builds[b->parent].build;
		row->culprit_kernel = st->builds[b->culprit].kernel_id;
	}
	*steps = NULL;
	for (i = 0; i < st->nrounds; i++) {
		const struct nightly_round *rd = &st->rounds[i];

		if (!(rd->against == b->good && rd->build > b->good &&
		    rd->build <= b->bad) && !(rd->build == b->good &&
		    rd->purpose == NIGHTLY_CONFIRM))
			continue;
		*steps = xreallocarray(*steps, row->nsteps + 1, sizeof **steps);
		round_row(st, rd, &(*steps)[row->nsteps++]);
	}
	row->steps = *steps;
}

/* What the night comes to, worst first. */
static const char *
night_result(const struct nightly_state *st, const struct publish *p)
{
	size_t i;
	int confirmed = 0, inconclusive = 0, open = 0;

	for (i = 0; i < st->nbisects; i++) {
		if (st->bisects[i].reported_ns != 0)
			continue;
		confirmed |= st->bisects[i].state == NIGHTLY_CONFIRMED;
		inconclusive |= st->bisects[i].state == NIGHTLY_INCONCLUSIVE;
		open |= st->bisects[i].state == NIGHTLY_BISECTING ||
		    st->bisects[i].state == NIGHTLY_CONFIRMING;
	}
	if (confirmed)
		return "regression";
	if (inconclusive)
		return "inconclusive";
	if (open)
		return "bisecting";
	return p->nr.error != NULL ? "error" : "no regression";
}

static void
publish_build(const struct nightly_config *c, const struct nightly_state *st,
    size_t first_round, struct publish *p)
{
	size_t i;

	p->nr.config = c->name;
	p->nr.threshold_pct = c->threshold_pct;
	if (st->nbuilds > 0)
		p->nr.reference = st->builds[nightly_reference(c, st)].build;
	for (i = first_round; i < st->nrounds; i++) {
		p->rounds = xreallocarray(p->rounds, p->nr.nrounds + 1,
		    sizeof *p->rounds);
		round_row(st, &st->rounds[i], &p->rounds[p->nr.nrounds++]);
	}
	for (i = 0; i < st->nbisects; i++) {
		if (st->bisects[i].reported_ns != 0)
			continue;
		p->bisects = xreallocarray(p->bisects, p->nr.nbisects + 1,
		    sizeof *p->bisects);
		p->steps = xreallocarray(p->steps, p->nr.nbisects + 1,
		    sizeof *p->steps);
		bisect_row(st, &st->bisects[i], &p->bisects[p->nr.nbisects],
		    &p->steps[p->nr.nbisects]);
		p->nr.nbisects++;
	}
	p->nr.rounds = p->rounds;
	p->nr.bisects = p->bisects;
	p->nr.result = night_result(st, p);
}

static void
publish_release(struct publish *p)
{
	size_t i;

	for (i = 0; i < p->nr.nbisects; i++)
		free(p->steps[i]);
	free(p->steps);
	free(p->rounds);
	free(p->bisects);
}

static size_t
collect(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

/* POST the JSON summary; a 2xx answer is success. */
static int
webhook_post(const char *url, const struct buf *json, char **cause)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	CURLcode rc;
	long status = 0;
	CURL *h;
	int r = 0;

	if ((h = curl_easy_init()) == NULL)
		return set_cause(cause, ENOMEM, "cannot initialise libcurl");
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json->s);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)json->len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if ((rc = curl_easy_perform(h)) != CURLE_OK)
		r = set_cause(cause, ECONNREFUSED, "cannot post the report to "
		    "'%s': %s", url, errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status),
	    status < 200 || status > 299)
		r = set_cause(cause, EIO, "'%s' answered the report with HTTP "
		    "%ld", url, status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return r;
}

/* path.tmp then rename: a reader never sees half a report. */
static int
write_report(struct db *db, const struct nightly_report *nr, const char *path,
    char **cause)
{
	const char *dot = strrchr(path, '.');
	enum report_format fmt = REPORT_TEXT;
	struct buf b = BUF_INIT;
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = NULL;
	int r;

	if (dot != NULL && strcmp(dot, ".json") == 0)
		fmt = REPORT_JSON;
	else if (dot != NULL && (strcmp(dot, ".html") == 0 ||
	    strcmp(dot, ".htm") == 0))
		fmt = REPORT_HTML;
	if ((r = report_nightly(db, nr, fmt, &b, cause)) != 0)
		goto out;
	if ((f = fopen(tmp, "w")) == NULL ||
	    fwrite(b.s, 1, b.len, f) != b.len || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		r = set_cause(cause, errno, "cannot write '%s': %s", path,
		    strerror(errno));
		if (f == NULL)
			goto out;
		unlink(tmp);
	}
out:
	free(tmp);
	buf_release(&b);
	return r;
}

/* stdout, the report files, the webhook; bisects reported once all of
 * them have it. */
static int
publish_outputs(struct db *db, const struct nightly_config *c,
    const struct nightly_state *st, const struct publish *p, int json,
    char **cause)
{
	struct buf b = BUF_INIT;
	size_t i;
	int r;

	if ((r = report_nightly(db, &p->nr, json ? REPORT_JSON : REPORT_TEXT,
	    &b, cause)) != 0)
		goto out;
	fwrite(b.s, 1, b.len, stdout);
	fflush(stdout);
	for (i = 0; i < c->nreports && r == 0; i++)
		r = write_report(db, &p->nr, c->reports[i], cause);
	if (r == 0 && c->webhook != NULL) {
		buf_reset(&b);
		if ((r = report_nightly(db, &p->nr, REPORT_JSON, &b,
		    cause)) == 0)
			r = webhook_post(c->webhook, &b, cause);
	}
	for (i = 0; i < st->nbisects && r == 0; i++)
		if (st->bisects[i].reported_ns == 0 &&
		    (st->bisects[i].state == NIGHTLY_CONFIRMED ||
		    st->bisects[i].state == NIGHTLY_INCONCLUSIVE))
			r = nightly_bisect_reported(db, st->bisects[i].id,
			    cause);
out:
	buf_release(&b);
	return r;
}

static int
nightly_publish(struct db *db, const struct nightly_config *c,
    int64_t started_ns, size_t first_round, const char *error, int json)
{
	struct nightly_state st;
	struct publish p;
	char *cause = NULL;
	int r;

	memset(&p, 0, sizeof p);
	if (nightly_state_load(db, c, &st, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	publish_build(c, &st, first_round, &p);
	p.nr.error = error;
	p.nr.result = night_result(&st, &p);
	p.nr.started_ns = started_ns;
	p.nr.ended_ns = now_real_ns();
	r = publish_outputs(db, c, &st, &p, json, &cause);
	if (r != 0)
		cli_error("%s", cause);
	publish_release(&p);
	nightly_state_release(&st);
	free(cause);
	return r != 0 ? EXIT_FAIL : EXIT_OK;
}

static int
cmd_nightly_exec(int argc, char **argv)
{
	struct nightly_args na = { NULL, 0, 0 };
	struct nightly_config c;
	struct nightly_state st;
	struct cli_args args;
	struct db *db = NULL;
	char *cause = NULL;
	int64_t started = now_real_ns(), rounds = 0;
	size_t first_round = 0;
	int r, done = 0, lock = -1;

	if ((r = cli_parse_options(&cmd_nightly, argc, argv, nightly_option,
	    &na, &args)) != CLI_CONTINUE)
		return r;
	if (na.config == NULL)
		return cli_usage(&cmd_nightly);
	/* The whole config is checked before the database is opened: a bad
	 * one stores nothing. */
	if (nightly_config_load(na.config, workloads, &c, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	r = EXIT_FAIL;
	if (lock_config(na.config, &lock) != 0 ||
	    cli_open_db(DB_CREATE, &db) != 0)
		goto out;
	if (nightly_state_load(db, &c, &st, &cause) != 0)
		goto fail;
	first_round = st.nrounds;
	nightly_state_release(&st);
	while (!done)
		if (step(db, &c, &na, &rounds, &done, &cause) != 0)
			break;
	if (na.plan && cause == NULL) {
		r = EXIT_OK;
		goto out;
	}
	if (cause != NULL)
		cli_error("%s", cause);
	r = nightly_publish(db, &c, started, first_round, cause, args.json);
	if (cause != NULL)
		r = EXIT_FAIL;
	goto out;
fail:
	cli_error("%s", cause);
out:
	if (lock >= 0)
		close(lock);
	free(cause);
	db_close(db);
	nightly_config_release(&c);
	return r;
}
