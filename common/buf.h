/* buf.h - a growable string buffer (git's strbuf, smaller). */
#ifndef MMSTORM_BUF_H
#define MMSTORM_BUF_H

#include <stddef.h>
#include "common/util.h"

struct buf {
	char *s;     /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *);
void buf_release(struct buf *);               /* frees, back to empty */
void buf_reset(struct buf *);                 /* keeps the memory */
void buf_add(struct buf *, const void *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
char *buf_detach(struct buf *);               /* caller frees; buf empty */

#endif
