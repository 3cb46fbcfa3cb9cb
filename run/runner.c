/*
 * runner.c - supervise one workload run.
 *
 * Supervisor and worker talk over a SOCK_SEQPACKET socketpair, one
 * tab-separated message per packet:
 *   M name value unit better     metric
 *   B lines of "series value t_ns" per-operation values, batched
 *   P text                       progress
 *   E kind title text            workload event
 *   S label                      sample now (waits for "A")
 *   K path value                 about to change a knob (waits for "A rc
 *                                [message]"; the original is committed
 *                                before the ack, the worker then writes)
 *   F name text                  a text kept with the run (attachment)
 *   R result reason              the worker's verdict; the first one counts
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "common/buf.h"
#include "store/db.h"
#include "probe/identity.h"
#include "run/options.h"
#include "run/runner.h"
#include "probe/sampler.h"
#include "common/util.h"
#include "run/workload.h"

#define MSG_MAX       65536
#define STOP_GRACE_NS (INT64_C(10) * 1000000000)
#define COMMIT_NS     (INT64_C(1000) * 1000000)
#define PERCPU_GAP_NS (INT64_C(1000) * 1000000)
/* After the worker's verdict: time to exit by itself, then after SIGKILL
 * time to be reaped.  A task stuck in the kernel (a hung hotplug write)
 * may never be; the run is recorded anyway. */
#define VERDICT_GRACE_NS (INT64_C(10) * 1000000000)
#define REAP_GRACE_NS    (INT64_C(5) * 1000000000)

static const char *const result_names[] = {
	[WL_PASSED] = "passed",
	[WL_FAILED] = "failed",
	[WL_SKIPPED] = "skipped",
	[WL_LOCKUP] = "lockup",
};

/* ---- worker side ------------------------------------------------------ */

struct wl_ctx {
	const struct workload *wl;
	const struct params *params;
	int sock;
	struct buf values;       /* batched values, see wl_value() */
	pthread_mutex_t lock;    /* values: watchdog threads send too */
	int64_t values_flushed;
	int64_t deadline_ns;     /* 0: none */
	char *reason;
};

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
ctx_send(struct wl_ctx *ctx, const char *msg, size_t len)
{
	ssize_t n;

	if (len > MSG_MAX)
		len = MSG_MAX;
	do {
		n = send(ctx->sock, msg, len, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
}

/* Wait for the supervisor's "A..." answer to a synchronous request. */
static int
ctx_wait_ack(struct wl_ctx *ctx, char *reply, size_t size)
{
	ssize_t n;

	do {
		n = recv(ctx->sock, reply, size - 1, 0);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return -EPIPE;
	reply[n] = '\0';
	return reply[0] == 'A' ? 0 : -EPROTO;
}

static void ctx_flush_values(struct wl_ctx *);

static void
ctx_sendf(struct wl_ctx *ctx, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;
	int n;

	/* Keep the order: values batched so far go before anything else. */
	pthread_mutex_lock(&ctx->lock);
	if (ctx->values.len > 2)
		ctx_flush_values(ctx);
	pthread_mutex_unlock(&ctx->lock);
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ctx_send(ctx, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* Tabs and newlines would break the framing of one-line fields. */
static void
clean_field(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
	}
}

const struct params *
wl_params(struct wl_ctx *ctx)
{
	return ctx->params;
}

int64_t
wl_int(struct wl_ctx *ctx, const char *name)
{
	return params_int(ctx->params, name);
}

double
wl_double(struct wl_ctx *ctx, const char *name)
{
	return params_double(ctx->params, name);
}

const char *
wl_str(struct wl_ctx *ctx, const char *name)
{
	return params_str(ctx->params, name);
}

int
wl_isset(struct wl_ctx *ctx, const char *name)
{
	return params_isset(ctx->params, name);
}

const int64_t *
wl_list(struct wl_ctx *ctx, const char *name, size_t *n)
{
	return params_list(ctx->params, name, n);
}

void
wl_metric(struct wl_ctx *ctx, const char *name, double value,
    const char *unit, enum better better)
{
	ctx_sendf(ctx, "M\t%s\t%.17g\t%s\t%s", name, value, unit ? unit : "",
	    better == BETTER_HIGHER ? "higher" : "lower");
}

/* Per-operation values go out in batches (once a second, or 32 KiB),
 * so a fast loop does not wake the supervisor for every operation. */
static void
ctx_flush_values(struct wl_ctx *ctx)
{
	if (ctx->values.len > 0) {
		ctx_send(ctx, ctx->values.s, ctx->values.len);
		buf_reset(&ctx->values);
		buf_adds(&ctx->values, "B\n");
	}
	ctx->values_flushed = now_mono_ns();
}

void
wl_value(struct wl_ctx *ctx, const char *series, double value)
{
	int64_t now = now_mono_ns();

	pthread_mutex_lock(&ctx->lock);
	if (ctx->values.len == 0)
		buf_adds(&ctx->values, "B\n");
	buf_printf(&ctx->values, "%s\t%.17g\t%" PRId64 "\n", series, value,
	    now_real_ns());
	if (ctx->values.len > 32768 ||
	    now - ctx->values_flushed >= 1000000000)
		ctx_flush_values(ctx);
	pthread_mutex_unlock(&ctx->lock);
}

void
wl_progress(struct wl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	clean_field(text);
	ctx_sendf(ctx, "P\t%s", text);
	free(text);
}

void
wl_event(struct wl_ctx *ctx, const char *kind, const char *title,
    const char *text)
{
	char *t = xstrdup(title);

	clean_field(t);
	ctx_sendf(ctx, "E\t%s\t%s\t%s", kind, t, text ? text : "");
	free(t);
}

void
wl_sample(struct wl_ctx *ctx, const char *label)
{
	char reply[256];
	char *l = xstrdup(label ? label : "");

	clean_field(l);
	ctx_sendf(ctx, "S\t%s", l);
	free(l);
	ctx_wait_ack(ctx, reply, sizeof reply);
}

int
wl_knob_record(struct wl_ctx *ctx, const char *path, const char *value,
    char **cause)
{
	char reply[1024], *msg;
	int64_t rc;

	if (strchr(path, '\t') || strchr(value, '\t') || strchr(value, '\n'))
		return set_cause(cause, EINVAL, "bad knob value for '%s'",
		    path);
	ctx_sendf(ctx, "K\t%s\t%s", path, value);
	if (ctx_wait_ack(ctx, reply, sizeof reply) != 0)
		return set_cause(cause, EPIPE,
		    "supervisor did not answer for knob '%s'", path);
	/* "A\t<rc>[\t<message>]" */
	msg = strchr(reply + 2, '\t');
	if (msg != NULL)
		*msg++ = '\0';
	if (parse_int64(reply + 2, &rc) != 0)
		rc = -EPROTO;
	if (rc != 0)
		return set_cause(cause, (int)-rc, "%s",
		    msg ? msg : "cannot record knob");
	return 0;
}

int
wl_knob_set(struct wl_ctx *ctx, const char *path, const char *value,
    char **cause)
{
	int r;

	if ((r = wl_knob_record(ctx, path, value, cause)) != 0)
		return r;
	return write_file_str(path, value, cause);
}

void
wl_attach(struct wl_ctx *ctx, const char *name, const char *text)
{
	char *n = xstrdup(name);

	clean_field(n);
	ctx_sendf(ctx, "F\t%s\t%s", n, text);
	free(n);
}

void
wl_abort(struct wl_ctx *ctx, int result, const char *fmt, ...)
{
	va_list ap;
	char *why;

	if (result < WL_PASSED || result > WL_LOCKUP)
		result = WL_FAILED;
	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	clean_field(why);
	ctx_sendf(ctx, "R\t%s\t%s", result_names[result], why);
	free(why);
}

int
wl_stopping(struct wl_ctx *ctx)
{
	return worker_stop ||
	    (ctx->deadline_ns != 0 && now_mono_ns() >= ctx->deadline_ns);
}

static int
ctx_reason(struct wl_ctx *ctx, int result, const char *fmt, va_list ap)
{
	free(ctx->reason);
	ctx->reason = xvasprintf(fmt, ap);
	clean_field(ctx->reason);
	return result;
}

int
wl_fail(struct wl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ctx_reason(ctx, WL_FAILED, fmt, ap);
	va_end(ap);
	return r;
}

int
wl_skip(struct wl_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ctx_reason(ctx, WL_SKIPPED, fmt, ap);
	va_end(ap);
	return r;
}

/* In the forked child: never returns. */
static void __attribute__((noreturn))
worker_main(const struct run_request *req, int sock)
{
	struct wl_ctx ctx;
	struct sigaction sa;
	sigset_t none;
	int result;

	/* Own process group so a cancel reaches every helper it forks; die
	 * with the supervisor; be the OOM killer's first choice. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	write_file_str("/proc/self/oom_score_adj", "1000", NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = worker_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	memset(&ctx, 0, sizeof ctx);
	buf_init(&ctx.values);
	pthread_mutex_init(&ctx.lock, NULL);
	ctx.values_flushed = now_mono_ns();
	ctx.wl = req->wl;
	ctx.params = req->params;
	ctx.sock = sock;
	if (params_int(req->params, "duration") > 0)
		ctx.deadline_ns = now_mono_ns() +
		    params_int(req->params, "duration") * 1000000;
	result = req->wl->run(&ctx);
	if (result < WL_PASSED || result > WL_LOCKUP)
		result = WL_FAILED;
	ctx_sendf(&ctx, "R\t%s\t%s", result_names[result],
	    ctx.reason ? ctx.reason : "");
	_exit(0);
}

/* ---- supervisor side -------------------------------------------------- */

/* Something the supervisor has yet to store: a worker message (M, E, F
 * or B) with the time it arrived, or a sample it read.  The loop keeps
 * them in memory and writes them in one short transaction (sup_flush)
 * at most COMMIT_NS after the first: a write transaction left open for
 * the whole second would hold SQLite's one write lock nearly all the
 * time, and mmstormd's own writes (a kernel-log event) would starve in
 * SQLite's polling busy wait. */
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

static void
sup_error(struct supervisor *s, char *cause)
{
	if (s->error == NULL)
		s->error = cause;
	else
		free(cause);
}

static void
sup_tx(struct supervisor *s)
{
	char *cause = NULL;

	if (s->in_tx)
		return;
	if (db_begin(s->db, &cause) != 0) {
		sup_error(s, cause);
		return;
	}
	s->in_tx = 1;
}

static void
sup_commit(struct supervisor *s)
{
	char *cause = NULL;

	if (!s->in_tx)
		return;
	s->in_tx = 0;
	if (db_commit(s->db, &cause) != 0) {
		sup_error(s, cause);
		db_rollback(s->db);
	}
}

/* A new pending entry; its values buffer, once allocated, stays with
 * the slot, so sampling allocates nothing once the queue has grown. */
static struct pending *
sup_queue(struct supervisor *s, char *msg, const char *label)
{
	struct pending *p;
	size_t old = s->cap_pend;

	if (s->npend == s->cap_pend) {
		s->cap_pend = s->cap_pend ? s->cap_pend * 2 : 64;
		s->pend = xreallocarray(s->pend, s->cap_pend, sizeof *s->pend);
		memset(s->pend + old, 0, (s->cap_pend - old) * sizeof *s->pend);
	}
	if (s->npend == 0)
		s->pend_since = now_mono_ns();
	p = &s->pend[s->npend++];
	p->msg = msg;
	p->t_ns = now_real_ns();
	p->label = label && *label ? xstrdup(label) : NULL;
	return p;
}

static void sup_flush(struct supervisor *);

/* Read the counters now; they are stored with the next flush.  The
 * periodic samples (no label) read percpu_stats at most once a second:
 * it holds interrupts off for 0.3 ms and more as chunks pile up, which
 * at a 100 ms period cost percpu-churn 2 % of a CPU (bench/README.md). */
static void
sup_sample(struct supervisor *s, const char *label)
{
	struct pending *p;
	int r;

	if (s->sampler == NULL)
		return;
	p = sup_queue(s, NULL, label);
	if (p->values == NULL)
		p->values = xreallocarray(NULL, sampler_count(s->sampler),
		    sizeof *p->values);
	r = label != NULL ? sampler_read_all(s->sampler, p->values) :
	    sampler_read(s->sampler, p->values);
	if (r != 0) {
		free(p->label);
		s->npend--;
		return;
	}
	p->seq = s->seq++;
}

static int64_t
series_next(struct supervisor *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nseries; i++) {
		if (strcmp(s->series[i].name, name) == 0)
			return s->series[i].seq++;
	}
	s->series = xreallocarray(s->series, s->nseries + 1,
	    sizeof *s->series);
	s->series[s->nseries].name = xstrdup(name);
	s->series[s->nseries].seq = 1;
	s->nseries++;
	return 0;
}

/* The text of a knob as it should be written back: for sysfs choice
 * files ("always [madvise] never") the bracketed word. */
static char *
knob_read(const char *path, char **cause)
{
	char *text = NULL, *word;

	if (read_file_line(path, &text, cause) != 0)
		return NULL;
	if ((word = sysfs_bracketed(text)) != NULL) {
		free(text);
		return word;
	}
	return text;
}

static void
sup_knob(struct supervisor *s, int sock, const char *path, const char *value)
{
	struct stmt *st = NULL;
	char *orig = NULL, *cause = NULL, *reply;
	int r, known = 0;

	/* A knob already recorded by this run (a CPU cycled many times)
	 * keeps its first original. */
	st = db_prepare(s->db, "SELECT 1 FROM knobs WHERE run_id = $1 AND "
	    "path = $2 AND state = 'changed'", &cause);
	if (st == NULL) {
		r = -EIO;
		goto out;
	}
	stmt_bind_int64(st, 1, s->run_id);
	stmt_bind_text(st, 2, path);
	known = stmt_step(st) == STORE_ROW;
	stmt_finalize(st);
	if (known) {
		r = 0;
		goto out;
	}
	if ((orig = knob_read(path, &cause)) == NULL) {
		r = -EIO;
		goto out;
	}
	sup_flush(s);
	sup_tx(s);
	r = db_knob_record(s->db, s->run_id, path, orig, value, NULL, &cause);
	/* Durable before the worker may write. */
	sup_commit(s);
	if (s->error != NULL && r == 0)
		r = set_cause(&cause, EIO, "%s", s->error);
out:
	if (r == 0)
		reply = xstrdup("A\t0");
	else
		reply = xasprintf("A\t%d\t%s", r, cause ? cause : "error");
	send(sock, reply, strlen(reply), MSG_NOSIGNAL);
	free(reply);
	free(orig);
	free(cause);
}

/* A batch of "series\tvalue\tt_ns" lines. */
static void
sup_values(struct supervisor *s, char *lines)
{
	char *line, *v, *t, *cause = NULL;
	double value;
	int64_t t_ns;

	while ((line = strsep(&lines, "\n")) != NULL) {
		if ((v = strchr(line, '\t')) == NULL)
			continue;
		*v++ = '\0';
		if ((t = strchr(v, '\t')) == NULL)
			continue;
		*t++ = '\0';
		if (parse_double(v, &value) != 0 || parse_int64(t, &t_ns) != 0)
			continue;
		if (db_value_add(s->db, s->run_id, line, series_next(s, line),
		    t_ns, value, &cause) != 0)
			sup_error(s, cause);
		cause = NULL;
	}
}

/* Split msg into at most want tab-separated fields; the last one keeps
 * any further tabs (event text). */
static int
split_fields(char *msg, char **f, int want)
{
	char *p = msg;
	int n = 0;

	while (n < want && p != NULL) {
		f[n++] = p;
		p = n < want ? strchr(p, '\t') : NULL;
		if (p != NULL)
			*p++ = '\0';
	}
	return n;
}

/* Store one queued worker message, inside sup_flush's transaction. */
static void
sup_store(struct supervisor *s, char *msg, int64_t t_ns)
{
	char *f[6] = { 0 }, *cause = NULL;
	int n, r = 0;
	double v = 0;

	switch (msg[0]) {
	case 'B':
		sup_values(s, msg + 1);
		return;
	case 'M':
		n = split_fields(msg, f, 5);
		if (n < 5 || parse_double(f[2], &v) != 0)
			break;
		r = db_metric_set(s->db, s->run_id, f[1], v, f[3], f[4],
		    &cause);
		break;
	case 'E': {
		struct event_new ev = {
			.run_id = s->run_id,
			.kernel_id = s->kernel_id,
			.host_id = s->host_id,
			.boot_id = boot_id(),
			.source = "workload",
			.t_ns = t_ns,
		};

		n = split_fields(msg, f, 4);
		ev.kind = f[1];
		ev.title = n > 2 ? f[2] : f[1];
		ev.text = n > 3 ? f[3] : "";
		if (ev.kind == NULL)
			break;
		r = db_event_add(s->db, &ev, NULL, &cause);
		break;
	}
	case 'F':
		n = split_fields(msg, f, 3);
		if (n < 3)
			break;
		r = db_artifact_set(s->db, s->run_id, f[1], f[2], &cause);
		break;
	}
	if (r != 0)
		sup_error(s, cause);
}

/* Write everything pending in one transaction. */
static void
sup_flush(struct supervisor *s)
{
	struct pending *p;
	char *cause = NULL;
	size_t i;

	if (s->npend == 0)
		return;
	sup_tx(s);
	for (i = 0; i < s->npend; i++) {
		p = &s->pend[i];
		/* Without a transaction (the error is recorded) they go. */
		if (s->in_tx && p->msg != NULL)
			sup_store(s, p->msg, p->t_ns);
		else if (s->in_tx && db_sample_insert(s->db, s->run_id,
		    p->seq, p->t_ns, p->label, p->values,
		    sampler_count(s->sampler), &cause) != 0) {
			sup_error(s, cause);
			cause = NULL;
		}
		free(p->msg);
		free(p->label);
	}
	s->npend = 0;
	sup_commit(s);
}

static void
sup_message(struct supervisor *s, int sock, char *msg)
{
	char *f[6] = { 0 };
	int n;

	/* The last field of each type may hold tabs (event text). */
	switch (msg[0]) {
	case 'M':
	case 'E':
	case 'F':
	case 'B':
		sup_queue(s, xstrdup(msg), NULL);
		return;
	case 'K':
	case 'R':
		n = split_fields(msg, f, 3);
		break;
	default:
		n = split_fields(msg, f, 2);
		break;
	}
	switch (msg[0]) {
	case 'P':
		if (n >= 2 && s->req->progress != NULL)
			s->req->progress(s->req->progress_arg, f[1],
			    (double)(now_mono_ns() - s->start_mono) / 1e9);
		break;
	case 'S':
		sup_sample(s, n > 1 ? f[1] : NULL);
		send(sock, "A", 1, MSG_NOSIGNAL);
		break;
	case 'K':
		if (n == 3)
			sup_knob(s, sock, f[1], f[2]);
		break;
	case 'R':
		/* The first verdict counts: a watchdog's lockup is not
		 * overwritten by what the stuck thread says later. */
		if (s->verdict_mono != 0)
			break;
		s->verdict_mono = now_mono_ns();
		if (s->result != NULL)  /* a stop request came first */
			break;
		free(s->reason);
		s->result = xstrdup(n > 1 ? f[1] : "failed");
		s->reason = n > 2 && *f[2] ? xstrdup(f[2]) : NULL;
		break;
	}
}

static void
sup_drain(struct supervisor *s, int sock, char *msg)
{
	ssize_t n;

	for (;;) {
		n = recv(sock, msg, MSG_MAX, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		msg[n] = '\0';
		sup_message(s, sock, msg);
	}
}

int
knob_restore(struct db *db, int64_t knob_id, const char *path,
    const char *original, char **cause)
{
	char *cur = NULL, *err = NULL;
	int r = 0;

	cur = knob_read(path, NULL);
	if (cur == NULL || strcmp(cur, original) != 0)
		r = write_file_str(path, original, &err);
	free(cur);
	if (db_knob_done(db, knob_id, r == 0 ? "restored" : "failed", err,
	    cause) != 0 && r == 0)
		r = -EIO;
	if (r != 0 && err != NULL) {
		set_cause(cause, -r, "%s", err);
	}
	free(err);
	return r;
}

/* Restore the knobs of one run (or of every finished run: run_id 0). */
static int
restore_knobs(struct db *db, int64_t run_id, int *count, char **cause)
{
	struct stmt *st;
	struct knob { int64_t id; char *path, *orig; } *k = NULL;
	size_t n = 0, i;
	int r = 0, rr;

	/* Newest first: a CPU offlined after a THP change comes back first. */
	st = db_prepare(db, run_id != 0 ?
	    "SELECT id, path, original FROM knobs WHERE state = 'changed' "
	    "AND run_id = $1 ORDER BY id DESC" :
	    "SELECT k.id, k.path, k.original FROM knobs k LEFT JOIN runs r "
	    "ON r.id = k.run_id WHERE k.state = 'changed' AND (r.id IS NULL "
	    "OR r.state <> 'running') ORDER BY k.id DESC", cause);
	if (st == NULL)
		return -EIO;
	if (run_id != 0)
		stmt_bind_int64(st, 1, run_id);
	while (stmt_step(st) == STORE_ROW) {
		k = xreallocarray(k, n + 1, sizeof *k);
		k[n].id = stmt_int64(st, 0);
		k[n].path = xstrdup((const char *)stmt_text(st, 1));
		k[n].orig = xstrdup((const char *)stmt_text(st, 2));
		n++;
	}
	stmt_finalize(st);
	for (i = 0; i < n; i++) {
		rr = knob_restore(db, k[i].id, k[i].path, k[i].orig,
		    r == 0 ? cause : NULL);
		if (rr != 0 && r == 0)
			r = rr;
		if (count != NULL)
			(*count)++;
		free(k[i].path);
		free(k[i].orig);
	}
	free(k);
	return r;
}

static char *
host_state_json(const struct host_identity *h)
{
	json_t *o = json_object();
	char *s, *out;

	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "cpus_online", json_integer(h->cpus_online));
	json_object_set_new(o, "thp_enabled",
	    h->thp_enabled ? json_string(h->thp_enabled) : json_null());
	json_object_set_new(o, "thp_defrag",
	    h->thp_defrag ? json_string(h->thp_defrag) : json_null());
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = xstrdup(s);
	free(s);
	return out;
}

static int
set_owner(struct db *db, int64_t run_id, int64_t job_id, char **cause)
{
	struct stmt *st = db_prepare(db, "UPDATE runs SET pid = $2, job_id = "
	    "$3 WHERE id = $1", cause);

	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_int64(st, 2, getpid());
	if (job_id != 0)
		stmt_bind_int64(st, 3, job_id);
	else
		stmt_bind_null(st, 3);
	if (stmt_step(st) != STORE_DONE) {
		stmt_finalize(st);
		return db_error(db, cause, "cannot record run");
	}
	stmt_finalize(st);
	return 0;
}

/* Insert the run row and everything it refers to, in one transaction. */
static int
record_run(struct supervisor *s, const char *state, const char *reason,
    struct run_outcome *out, char **cause)
{
	struct kernel_identity k;
	struct host_identity h;
	struct run_new rn;
	char *params = NULL, *hs = NULL;
	int r;

	memset(&k, 0, sizeof k);
	memset(&h, 0, sizeof h);
	if ((r = kernel_identity_read(&k, NULL, cause)) != 0 ||
	    (r = host_identity_read(&h, NULL, cause)) != 0)
		goto out;
	if ((r = db_begin(s->db, cause)) != 0)
		goto out;
	if ((r = db_kernel_id(s->db, &k, &s->kernel_id, cause)) != 0 ||
	    (r = db_host_id(s->db, &h, &s->host_id, cause)) != 0)
		goto fail;
	params = params_to_json(s->req->params);
	hs = host_state_json(&h);
	uuid_v4(out->uuid);
	memset(&rn, 0, sizeof rn);
	rn.uuid = out->uuid;
	rn.workload = s->req->wl->name;
	rn.params_json = params;
	rn.state = state;
	rn.reason = reason;
	rn.kernel_id = s->kernel_id;
	rn.host_id = s->host_id;
	rn.label = s->req->label;
	rn.boot_id = boot_id();
	rn.host_state_json = hs;
	rn.created_ns = now_real_ns();
	rn.started_ns = strcmp(state, "running") == 0 ? rn.created_ns : 0;
	if ((r = db_run_insert(s->db, &rn, &s->run_id, cause)) != 0)
		goto fail;
	if ((r = set_owner(s->db, s->run_id, s->req->job_id, cause)) != 0)
		goto fail;
	else if (strcmp(state, "running") != 0 &&
	    (r = db_run_finish(s->db, s->run_id, state, reason, NULL,
	    rn.created_ns, cause)) != 0)
		goto fail;
	if ((r = db_commit(s->db, cause)) != 0)
		goto fail;
	out->run_id = s->run_id;
	snprintf(out->state, sizeof out->state, "%s", state);
	goto out;
fail:
	db_rollback(s->db);
out:
	free(params);
	free(hs);
	kernel_identity_release(&k);
	host_identity_release(&h);
	return r;
}

static char *
describe_status(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exit %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("signal %d", WTERMSIG(status));
	return xstrdup("unknown");
}

static int
setup_sampler(struct supervisor *s, char **cause)
{
	const struct counter_desc **descs;
	const char *const *un;
	size_t n, i;
	int r;

	if (sampler_init(&s->sampler, NULL, cause) != 0) {
		/* Without counters the run still means something; the
		 * reason is kept with the run. */
		r = db_unavailable_add(s->db, s->run_id,
		    *cause ? *cause : "sampler", NULL);
		free(*cause);
		*cause = NULL;
		s->sampler = NULL;
		return r;
	}
	sampler_throttle(s->sampler, SAMPLE_PERCPU, PERCPU_GAP_NS);
	n = sampler_count(s->sampler);
	descs = xcalloc(n, sizeof *descs);
	for (i = 0; i < n; i++)
		descs[i] = sampler_counter(s->sampler, i);
	r = db_run_counters(s->db, s->run_id, descs, n, cause);
	free(descs);
	for (i = 0, n = sampler_unavailable(s->sampler, &un);
	    r == 0 && i < n; i++)
		r = db_unavailable_add(s->db, s->run_id, un[i], cause);
	return r;
}

int
runner_run(struct db *db, const struct run_request *req,
    struct run_outcome *out, char **cause)
{
	struct supervisor s;
	struct pollfd pfd[2];
	sigset_t mask, old;
	struct signalfd_siginfo si;
	char *reason = NULL, *msg = NULL, *status_text = NULL, *err = NULL;
	const char *state;
	int sv[2] = { -1, -1 }, sfd = -1, status = 0, r, exited = 0;
	int64_t period, next, stop_at = 0, killed_at = 0;
	pid_t pid = -1;
	ssize_t n;

	memset(&s, 0, sizeof s);
	memset(out, 0, sizeof *out);
	s.db = db;
	s.req = req;

	if (req->wl->supported != NULL &&
	    req->wl->supported(req->params, &reason) != 0) {
		r = record_run(&s, "skipped", reason ? reason :
		    "not supported here", out, cause);
		free(reason);
		return r;
	}
	if ((r = record_run(&s, "running", NULL, out, cause)) != 0)
		return r;
	s.start_mono = now_mono_ns();

	sup_tx(&s);
	r = setup_sampler(&s, cause);
	if (r == 0)
		sup_sample(&s, "start");
	sup_flush(&s);
	sup_commit(&s);
	if (r != 0 || s.error != NULL)
		goto fail_early;

	/* Signals become events on a descriptor so the loop sees them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		r = set_cause(cause, errno, "cannot set up the worker: %s",
		    strerror(errno));
		goto fail_early;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		r = set_cause(cause, errno, "cannot fork the worker: %s",
		    strerror(errno));
		goto fail_early;
	}
	if (pid == 0) {
		close(sv[0]);
		close(sfd);
		worker_main(req, sv[1]);
	}
	close(sv[1]);
	sv[1] = -1;
	setpgid(pid, pid); /* both sides, so there is no race */

	msg = xmalloc(MSG_MAX + 1);
	period = params_int(req->params, "sample_ms") * 1000000;
	next = now_mono_ns() + period;
	while (!exited) {
		int64_t now = now_mono_ns(), wait = next - now;
		int timeout;

		if (stop_at != 0 && now >= stop_at) {
			kill(-pid, SIGKILL);
			stop_at = 0;
			killed_at = now;
		}
		if (s.verdict_mono != 0 && killed_at == 0 &&
		    now - s.verdict_mono >= VERDICT_GRACE_NS) {
			kill(-pid, SIGKILL);
			killed_at = now;
		}
		if (killed_at != 0 && now - killed_at >= REAP_GRACE_NS) {
			status_text = xstrdup("not reaped: stuck in the kernel");
			break;
		}
		if (s.npend != 0 && now - s.pend_since >= COMMIT_NS)
			sup_flush(&s);
		if (wait <= 0) {
			sup_sample(&s, NULL);
			next += period;
			if (next < now)
				next = now + period;
			continue;
		}
		if (s.npend != 0 && s.pend_since + COMMIT_NS - now < wait)
			wait = s.pend_since + COMMIT_NS - now;
		if (wait < 0)
			wait = 0;
		timeout = (int)((wait + 999999) / 1000000);
		if (timeout > 1000)
			timeout = 1000;
		pfd[0].fd = sv[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			n = recv(sv[0], msg, MSG_MAX, MSG_DONTWAIT);
			if (n > 0) {
				msg[n] = '\0';
				sup_message(&s, sv[0], msg);
			}
		}
		if (!(pfd[1].revents & POLLIN))
			continue;
		while (read(sfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGCHLD) {
				if (waitpid(pid, &status, WNOHANG) == pid)
					exited = 1;
				continue;
			}
			/* A stop request: SIGTERM to the worker's group,
			 * SIGKILL after the grace period. */
			if (s.result == NULL && s.reason == NULL)
				s.reason = si.ssi_signo == SIGUSR1 ?
				    xstrdup("time limit reached") :
				    xasprintf("stopped by signal %d (%s)",
				    (int)si.ssi_signo,
				    sigabbrev_np((int)si.ssi_signo));
			free(s.result);
			s.result = xstrdup("interrupted");
			kill(-pid, SIGTERM);
			if (stop_at == 0)
				stop_at = now_mono_ns() + STOP_GRACE_NS;
		}
	}
	sup_drain(&s, sv[0], msg);
	/* Kill whatever the worker left behind in its group. */
	kill(-pid, SIGKILL);
	sup_sample(&s, "end");
	if (status_text == NULL)
		status_text = describe_status(status);

	if (s.result != NULL)
		state = s.result;
	else {
		/* The worker died without a verdict (kill -9, a crash). */
		state = "interrupted";
		free(s.reason);
		s.reason = xasprintf("worker ended without a result (%s)",
		    status_text);
	}
	sup_flush(&s);
	if (restore_knobs(db, s.run_id, NULL, &err) != 0) {
		char *why = xasprintf("%s%scannot restore: %s",
		    s.reason ? s.reason : "", s.reason ? "; " : "", err);

		free(s.reason);
		s.reason = why;
		state = "failed";
	}
	if (s.error != NULL && strcmp(state, "passed") == 0) {
		free(s.reason);
		s.reason = xasprintf("storage: %s", s.error);
		state = "failed";
	}
	r = db_run_finish(db, s.run_id, state, s.reason, status_text,
	    now_real_ns(), cause);
	snprintf(out->state, sizeof out->state, "%s", state);
	sigprocmask(SIG_SETMASK, &old, NULL);
	goto out;

fail_early:
	sup_flush(&s);
	sup_commit(&s);
	{
		char *why = *cause ? xstrdup(*cause) :
		    xstrdup(s.error ? s.error : "setup failed");

		db_run_finish(db, s.run_id, "failed", why, NULL, now_real_ns(),
		    NULL);
		snprintf(out->state, sizeof out->state, "failed");
		free(why);
	}
	if (r == 0)
		r = -EIO;
	if (sfd != -1)
		sigprocmask(SIG_SETMASK, &old, NULL);
out:
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	if (sfd != -1)
		close(sfd);
	sampler_free(s.sampler);
	while (s.nseries > 0)
		free(s.series[--s.nseries].name);
	free(s.series);
	while (s.cap_pend > 0)
		free(s.pend[--s.cap_pend].values);
	free(s.pend);
	free(s.result);
	free(s.reason);
	free(s.error);
	free(msg);
	free(status_text);
	free(err);
	return r;
}

/*
 * Is the supervisor that recorded a run still alive?  kill(pid, 0) is not
 * enough: a killed supervisor may linger as a zombie nobody reaps, and a
 * pid may have been reused by an unrelated process.
 */
static int
pid_alive(int64_t pid)
{
	char *path, *stat = NULL, *comm = NULL, *p;
	int alive = 0;

	if (pid <= 0)
		return 0;
	path = xasprintf("/proc/%lld/stat", (long long)pid);
	if (read_file_line(path, &stat, NULL) == 0 &&
	    (p = strrchr(stat, ')')) != NULL && p[1] == ' ' &&
	    p[2] != 'Z' && p[2] != 'X') {
		free(path);
		path = xasprintf("/proc/%lld/comm", (long long)pid);
		alive = read_file_line(path, &comm, NULL) == 0 &&
		    starts_with(comm, "mmstorm");
	}
	free(path);
	free(stat);
	free(comm);
	return alive;
}

int
runner_recover(struct db *db, int *fixed, char **cause)
{
	struct stmt *st;
	struct stale { int64_t id; const char *state; char *why; } *v = NULL;
	const char *boot = boot_id();
	size_t n = 0, i;
	int r = 0;

	*fixed = 0;
	st = db_prepare(db, "SELECT id, boot_id, pid FROM runs WHERE state = "
	    "'running'", cause);
	if (st == NULL)
		return -EIO;
	while (stmt_step(st) == STORE_ROW) {
		const char *b = (const char *)stmt_text(st, 1);
		int64_t pid = stmt_int64(st, 2);

		if (strcmp(b, boot) == 0 && pid_alive(pid))
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].id = stmt_int64(st, 0);
		if (strcmp(b, boot) != 0) {
			v[n].state = "crashed";
			v[n].why = xasprintf("the machine rebooted during the "
			    "run (boot %.8s)", b);
		} else {
			v[n].state = "interrupted";
			v[n].why = xasprintf("its supervisor (pid %" PRId64
			    ") died", pid);
		}
		n++;
	}
	stmt_finalize(st);
	for (i = 0; i < n; i++) {
		if (r == 0)
			r = db_run_finish(db, v[i].id, v[i].state, v[i].why,
			    NULL, now_real_ns(), cause);
		free(v[i].why);
	}
	*fixed += (int)n;
	free(v);
	if (r == 0)
		r = restore_knobs(db, 0, fixed, cause);
	return r;
}
