/*
 * pg-async.c - libpq's nonblocking calls behind pg-async.h: PQconnectStart
 * and PQconnectPoll to connect, PQsendQuery, PQflush, PQconsumeInput and
 * PQisBusy to run a text, with the socket in nonblocking mode.  Beside
 * store/postgresql.c the only file that includes <libpq-fe.h>.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/util.h"
#include "store/fleet-push.h"
#include "store/pg-async.h"

/* The fleet tables push writes are all there from this version. */
#define PGA_SCHEMA_MIN FLEET_PUSH_SCHEMA

enum pga_state {
	PGA_CONNECTING,
	PGA_SETUP,          /* the session settings sent after connecting */
	PGA_PREPARE,        /* then push's statements (fleet-push.h) */
	PGA_IDLE,
	PGA_BUSY,
};

struct pg_async {
	PGconn *c;
	enum pga_state state;
	struct pga_result res;
	PGresult *rows;      /* the last result with rows, kept for reading */
	int64_t notifies;
};

/* libpq's message as one line without the trailing newline. */
static char *
one_line(const char *msg)
{
	char *s = xstrdup(msg && *msg ? msg : "unknown error"), *p, *q;
	size_t n;

	/* newlines and tabs become one space each run */
	for (p = q = s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == ' ') {
			if (q > s && q[-1] == ' ')
				continue;
			*q++ = ' ';
		} else
			*q++ = *p;
	}
	*q = '\0';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static int
conn_fail(struct pg_async *a, const char *what, char **cause)
{
	char *m = one_line(PQerrorMessage(a->c));
	int r = set_cause(cause, ECONNRESET, "%s: %s", what, m);

	free(m);
	return r;
}

static void
quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
pga_connect(const char *conninfo, struct pg_async **out, char **cause)
{
	struct pg_async *a = xcalloc(1, sizeof *a);

	a->c = PQconnectStart(conninfo);
	if (a->c == NULL || PQstatus(a->c) == CONNECTION_BAD) {
		/* A malformed string: libpq's message names the bad part,
		 * never the value of password=. */
		int r = a->c ? conn_fail(a, "cannot connect to the fleet "
		    "database", cause) : set_cause(cause, ENOMEM,
		    "cannot connect to the fleet database: out of memory");

		pga_free(a);
		return r;
	}
	a->state = PGA_CONNECTING;
	a->res.value = -1;
	*out = a;
	return 0;
}

void
pga_free(struct pg_async *a)
{
	if (a == NULL)
		return;
	if (a->c != NULL)
		PQfinish(a->c);
	PQclear(a->rows);
	free(a->res.error);
	free(a);
}

int
pga_fd(struct pg_async *a)
{
	return PQsocket(a->c);
}

const struct pga_result *
pga_result(struct pg_async *a)
{
	return &a->res;
}

/* Ready to send: the last result forgotten. */
static int
send_begin(struct pg_async *a, char **cause)
{
	if (a->state != PGA_IDLE)
		return set_cause(cause, EBUSY, "the fleet connection is busy");
	free(a->res.error);
	a->res.error = NULL;
	a->res.failed = 0;
	a->res.value = -1;
	PQclear(a->rows);
	a->rows = NULL;
	return 0;
}

int
pga_send(struct pg_async *a, const char *sql, char **cause)
{
	int r;

	if ((r = send_begin(a, cause)) != 0)
		return r;
	if (!PQsendQuery(a->c, sql))
		return conn_fail(a, "cannot send to the fleet database", cause);
	a->state = PGA_BUSY;
	return 0;
}

int
pga_send_params(struct pg_async *a, const char *sql, int n,
    const char *const *values, char **cause)
{
	int r;

	if ((r = send_begin(a, cause)) != 0)
		return r;
	if (!PQsendQueryParams(a->c, sql, n, NULL, values, NULL, NULL, 0))
		return conn_fail(a, "cannot send to the fleet database", cause);
	a->state = PGA_BUSY;
	return 0;
}

int
pga_nrows(struct pg_async *a)
{
	return a->rows != NULL ? PQntuples(a->rows) : 0;
}

const char *
pga_value(struct pg_async *a, int row, int col)
{
	if (a->rows == NULL || row < 0 || row >= PQntuples(a->rows) ||
	    col < 0 || col >= PQnfields(a->rows) ||
	    PQgetisnull(a->rows, row, col))
		return NULL;
	return PQgetvalue(a->rows, row, col);
}

/* What LISTEN brought in: counted, dropped. */
static void
drain_notifies(struct pg_async *a)
{
	PGnotify *n;

	while ((n = PQnotifies(a->c)) != NULL) {
		a->notifies++;
		PQfreemem(n);
	}
}

int64_t
pga_take_notifies(struct pg_async *a)
{
	int64_t n = a->notifies;

	a->notifies = 0;
	return n;
}

/* One result of the text: the first error wins, the last row's value
 * is kept, and so is the last result with rows (the caller clears res
 * unless it is kept: *kept 1). */
static void
take_result(struct pg_async *a, PGresult *res, int *kept)
{
	ExecStatusType s = PQresultStatus(res);

	*kept = 0;
	if (s == PGRES_TUPLES_OK) {
		PQclear(a->rows);
		a->rows = res;
		*kept = 1;
	}

	if (s == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0 &&
	    !PQgetisnull(res, PQntuples(res) - 1, 0))
		a->res.value = strtoll(PQgetvalue(res, PQntuples(res) - 1, 0),
		    NULL, 10);
	else if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK &&
	    s != PGRES_EMPTY_QUERY && a->res.error == NULL) {
		a->res.failed = 1;
		a->res.error = one_line(PQresultErrorMessage(res));
	}
}

/* Flush what is sent, read what came, take every result that is whole. */
static int
step_busy(struct pg_async *a, int *want, char **cause)
{
	PGresult *res;
	int f, kept;

	if ((f = PQflush(a->c)) < 0)
		return conn_fail(a, "lost the fleet database", cause);
	if (!PQconsumeInput(a->c))
		return conn_fail(a, "lost the fleet database", cause);
	drain_notifies(a);
	while (!PQisBusy(a->c)) {
		if ((res = PQgetResult(a->c)) == NULL) {
			if (PQstatus(a->c) == CONNECTION_BAD)
				return conn_fail(a, "lost the fleet database",
				    cause);
			a->state = PGA_IDLE;
			return PGA_READY;
		}
		take_result(a, res, &kept);
		if (!kept)
			PQclear(res);
	}
	*want = PGA_WANT_READ | (f == 1 ? PGA_WANT_WRITE : 0);
	return PGA_PENDING;
}

/* Connected: the session settings go as the first text, so that a
 * setting refused is a connection failure, not a push's. */
static int
connected(struct pg_async *a, int *want, char **cause)
{
	int r;

	PQsetNoticeProcessor(a->c, quiet_notice, NULL);
	if (PQsetnonblocking(a->c, 1) != 0)
		return conn_fail(a, "fleet database", cause);
	a->state = PGA_IDLE;
	if ((r = pga_send(a, "SET client_encoding = 'UTF8'; "
	    "SET standard_conforming_strings = on; "
	    "SET statement_timeout = '120s'; "
	    /* a push's plan does not depend on its arguments' values */
	    "SET plan_cache_mode = force_generic_plan; "
	    "SELECT coalesce(max(version), 0) FROM schema_version", cause)) != 0)
		return r;
	a->state = PGA_SETUP;
	return step_busy(a, want, cause);
}

/* Push's statements prepared: the connection is ready. */
static int
prepare_done(struct pg_async *a, char **cause)
{
	a->state = PGA_IDLE;
	if (a->res.failed)
		return set_cause(cause, EPROTO, "fleet database: cannot "
		    "prepare the push statements: %s", a->res.error);
	return PGA_READY;
}

/* The session settings' answer: the schema must be one push can write.
 * Then push's statements are prepared, once for the connection's life. */
static int
setup_done(struct pg_async *a, int *want, char **cause)
{
	int r;

	a->state = PGA_IDLE;
	if (a->res.failed)
		return set_cause(cause, EPROTO, "fleet database: %s (is its "
		    "schema there? docs/fleet.md)", a->res.error);
	if (a->res.value < PGA_SCHEMA_MIN)
		return set_cause(cause, EPROTO, "fleet database has schema "
		    "version %" PRId64 ", push needs %d or later: migrate it "
		    "(docs/fleet.md)", a->res.value, PGA_SCHEMA_MIN);
	if ((r = pga_send(a, fleet_push_statements(), cause)) != 0)
		return r;
	a->state = PGA_PREPARE;
	if ((r = step_busy(a, want, cause)) != PGA_READY)
		return r;
	return prepare_done(a, cause);
}

int
pga_step(struct pg_async *a, int *want, char **cause)
{
	int r;

	*want = 0;
	switch (a->state) {
	case PGA_CONNECTING:
		switch (PQconnectPoll(a->c)) {
		case PGRES_POLLING_READING:
			*want = PGA_WANT_READ;
			return PGA_PENDING;
		case PGRES_POLLING_WRITING:
			*want = PGA_WANT_WRITE;
			return PGA_PENDING;
		case PGRES_POLLING_OK:
			if ((r = connected(a, want, cause)) != PGA_READY)
				return r;
			break;
		default:
			return conn_fail(a, "cannot connect to the fleet "
			    "database", cause);
		}
		/* the settings came back at once */
		return setup_done(a, want, cause);
	case PGA_SETUP:
		if ((r = step_busy(a, want, cause)) != PGA_READY)
			return r;
		return setup_done(a, want, cause);
	case PGA_PREPARE:
		if ((r = step_busy(a, want, cause)) != PGA_READY)
			return r;
		return prepare_done(a, cause);
	case PGA_BUSY:
		return step_busy(a, want, cause);
	case PGA_IDLE:
		/* Readable while idle: the server closed the connection (or
		 * sent a notice); a dead connection shows here. */
		if (!PQconsumeInput(a->c) || PQstatus(a->c) == CONNECTION_BAD)
			return conn_fail(a, "lost the fleet database", cause);
		drain_notifies(a);
		return PGA_READY;
	}
	return PGA_READY;
}

int
pga_conninfo_check(const char *conninfo, int *has_password, char **cause)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, *m;
	int r;

	*has_password = 0;
	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		/* libpq names the bad part, never a password's value */
		m = one_line(err ? err : "out of memory");
		r = set_cause(cause, EINVAL, "bad fleet connection string: %s",
		    m);
		free(m);
		PQfreemem(err);
		return r;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0')
			*has_password = 1;
	PQconninfoFree(opts);
	return 0;
}
