/* log.c - mmstormd logs to stderr; "<N>" prefixes let journald keep the
 * priority (sd-daemon(3)). */
#include <stdarg.h>
#include <stdio.h>

#include <event2/event.h>

#include "daemon/daemon.h"

int log_verbose;

static void
log_at(int prio, const char *fmt, va_list ap)
{
	fprintf(stderr, "<%d>", prio);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

#define LOG_FN(name, prio, cond)                      \
	void name(const char *fmt, ...)               \
	{                                             \
		va_list ap;                           \
		if (!(cond))                          \
			return;                       \
		va_start(ap, fmt);                    \
		log_at(prio, fmt, ap);                \
		va_end(ap);                           \
	}

LOG_FN(log_err, 3, 1)
LOG_FN(log_warn, 4, 1)
LOG_FN(log_info, 6, 1)
LOG_FN(log_debug, 7, log_verbose)

/*
 * At most l->burst messages per interval; the next one that passes says
 * how many were dropped (the kernel's printk_ratelimit).  A client that
 * makes the same error a million times a second must not fill the
 * journal: 33 M accept() errors took 2.4 GB in 30 s (issue 15).
 */
void
log_limited(struct log_limit *l, int prio, const char *fmt, ...)
{
	int64_t now = now_mono_ns();
	va_list ap;

	if (l->count != 0 && now - l->window_start >= l->interval_ns) {
		if (l->suppressed > 0)
			fprintf(stderr, "<%d>%lld similar messages suppressed\n",
			    prio, (long long)l->suppressed);
		l->count = 0;
		l->suppressed = 0;
	}
	if (l->count == 0)
		l->window_start = now;
	if (l->count >= l->burst) {
		l->suppressed++;
		return;
	}
	l->count++;
	va_start(ap, fmt);
	log_at(prio, fmt, ap);
	va_end(ap);
}

/* libevent's own warnings ("Error from accept() call") go through a
 * limit too. */
static void
libevent_log(int severity, const char *msg)
{
	static struct log_limit limit = LOG_LIMIT(10, 5);

	if (severity == EVENT_LOG_DEBUG && !log_verbose)
		return;
	log_limited(&limit, severity >= EVENT_LOG_ERR ? 3 :
	    severity == EVENT_LOG_WARN ? 4 : 7, "libevent: %s", msg);
}

void
log_libevent_init(void)
{
	event_set_log_callback(libevent_log);
}
