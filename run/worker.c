/*
 * worker.c - the worker process: the wl_* calls a workload makes while
 * it runs (run/workload.h), turned into messages to the supervisor
 * (run/worker.h), and worker_main(), the forked child's whole life.
 * The worker never touches the database.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "run/options.h"
#include "run/worker.h"
#include "run/workload.h"

static const char *const result_names[] = {
	[WL_PASSED] = "passed",
	[WL_FAILED] = "failed",
	[WL_SKIPPED] = "skipped",
	[WL_LOCKUP] = "lockup",
};

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

/* ", about 40 s left", ", about 3 min left", ", about 2 h 5 min left". */
static void
add_time_left(struct buf *b, double s)
{
	long long whole = (long long)(s + 0.5);

	if (whole < 60)
		buf_printf(b, ", about %lld s left", whole < 1 ? 1 : whole);
	else if (whole < 3600)
		buf_printf(b, ", about %lld min left", (whole + 30) / 60);
	else
		buf_printf(b, ", about %lld h %lld min left", whole / 3600,
		    whole / 60 % 60);
}

void
wl_progress_eta(struct wl_ctx *ctx, int64_t since_ns, double done,
    double total, const char *fmt, ...)
{
	int64_t now = now_mono_ns();
	double left = -1, elapsed = (double)(now - since_ns) / 1e9;
	struct buf b = BUF_INIT;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(&b, text);
	free(text);
	/* No guess before the first step has shown its pace. */
	if (total > 0 && done > 0 && done <= total && elapsed > 0)
		left = elapsed / done * (total - done);
	if (ctx->deadline_ns > 0 && (left < 0 ||
	    left > (double)(ctx->deadline_ns - now) / 1e9))
		left = (double)(ctx->deadline_ns - now) / 1e9;
	if (left >= 0)
		add_time_left(&b, left);
	clean_field(b.s);
	ctx_sendf(ctx, "P\t%s", b.s);
	buf_release(&b);
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
wl_unavailable(struct wl_ctx *ctx, const char *what, const char *why)
{
	char *t = xasprintf("%s: %s", what, why);

	clean_field(t);
	ctx_sendf(ctx, "U\t%s", t);
	free(t);
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
void
worker_main(const struct workload *wl, const struct params *params, int sock)
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
	ctx.wl = wl;
	ctx.params = params;
	ctx.sock = sock;
	if (params_int(params, "duration") > 0)
		ctx.deadline_ns = now_mono_ns() +
		    params_int(params, "duration") * 1000000;
	result = wl->run(&ctx);
	if (result < WL_PASSED || result > WL_LOCKUP)
		result = WL_FAILED;
	ctx_sendf(&ctx, "R\t%s\t%s", result_names[result],
	    ctx.reason ? ctx.reason : "");
	_exit(0);
}
