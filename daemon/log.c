/* log.c - mmstormd logs to stderr; "<N>" prefixes let journald keep the
 * priority (sd-daemon(3)). */
#include <stdarg.h>
#include <stdio.h>

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
