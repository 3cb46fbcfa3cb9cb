/*
 * pg-async.h - a PostgreSQL connection that never blocks its caller, for
 * an event loop (mmstormd's fleet push, bench/fleet-push.c).  Only
 * store/ includes libpq: the loop watches pga_fd() for what pga_step()
 * says it wants and calls pga_step() again when the descriptor is ready.
 *
 *     pga_connect() -> pga_step() ... PGA_READY (connected, push's
 *                                       statements prepared)
 *     pga_send(sql) -> pga_step() ... PGA_READY (result in pga_result())
 *
 * A negative return from pga_step() or pga_send() means the connection
 * is lost: free it and connect again later.  Messages never carry the
 * connection string (it may hold a password).
 *
 * Only name resolution is not asynchronous in libpq: a host name is
 * resolved inside pga_connect().  Give hostaddr= (or a unix socket) where
 * that matters (docs/fleet.md).
 */
#ifndef MMSTORM_STORE_PG_ASYNC_H
#define MMSTORM_STORE_PG_ASYNC_H

#include <stdint.h>

struct pg_async;

enum {
	PGA_WANT_READ = 1,
	PGA_WANT_WRITE = 2,
};

enum {
	PGA_PENDING = 1,     /* wait for *want on pga_fd(), then step again */
	PGA_READY = 0,       /* connected and idle; a sent text is done */
};

/* What the last text sent did. */
struct pga_result {
	int failed;          /* the server refused it (the connection lives) */
	char *error;         /* its message, one line */
	int64_t value;       /* the first column of the last row, or -1 */
};

int pga_connect(const char *conninfo, struct pg_async **, char **cause);
void pga_free(struct pg_async *);
/* May change while connecting (several hosts): read it after each step. */
int pga_fd(struct pg_async *);
int pga_step(struct pg_async *, int *want, char **cause);
/* Statements in one simple query: one implicit transaction, whole or
 * not at all. */
int pga_send(struct pg_async *, const char *sql, char **cause);
const struct pga_result *pga_result(struct pg_async *);
/* One statement with parameters $1..$n as text (NULL binds NULL): the
 * same texts the synchronous driver prepares, so a statement is written
 * once for both (jobs/fleet.h). */
int pga_send_params(struct pg_async *, const char *sql, int n,
    const char *const *values, char **cause);
/* The rows of the last statement's result, while no other is sent:
 * pga_value() is NULL for SQL NULL or out of range. */
int pga_nrows(struct pg_async *);
const char *pga_value(struct pg_async *, int row, int col);
/* Notifications (LISTEN) received since the last call, counted; their
 * payloads are not kept. */
int64_t pga_take_notifies(struct pg_async *);

/* A connection string (URL or key=value) that libpq accepts; *has_password
 * 1 when it carries a password. */
int pga_conninfo_check(const char *conninfo, int *has_password,
    char **cause);

#endif
