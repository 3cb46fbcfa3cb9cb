/*
 * postgresql.c - the PostgreSQL driver (libpq): a lab's shared database,
 * opened with a postgresql:// or postgres:// URL.  The only file that
 * includes <libpq-fe.h>.
 *
 * Synchronous: a statement runs with PQexecParams() at its first step and
 * the steps walk the rows of its PGresult.  Parameters go as text, blobs
 * in binary; results come as text and bytea columns are unescaped.  The
 * migrations are schema/postgresql/ (same numbers as schema/), tracked in
 * a schema_version table.  docs/design-notes.md, "PostgreSQL driver".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db.h"
#include "store/driver.h"
#include "store/schema.h"

/* Type OIDs (server/catalog/pg_type_d.h, stable across releases). */
enum {
	PG_BOOL = 16, PG_BYTEA = 17, PG_INT8 = 20, PG_INT2 = 21, PG_INT4 = 23,
	PG_TEXT = 25, PG_OID = 26, PG_FLOAT4 = 700, PG_FLOAT8 = 701, PG_NUMERIC = 1700,
};

struct pg_conn {
	PGconn *c;
	int err;                /* -errno of the last failure */
	char *msg;              /* its text */
};

struct pg_stmt {
	struct stmt base;
	char *sql;
	int nparams;
	/* 0 (the server infers it) for each $N the SQL uses, text for the
	 * ones it skips: the import binds every column of a line and its
	 * look-ups use some, and a type is needed for each */
	Oid *types;
	char **values;          /* owned copies; NULL binds NULL */
	int *lengths, *formats;
	PGresult *res;
	int row;                /* current row, -1 before the first step */
	int nrows;
	/* bytea columns of the current row, unescaped on first read */
	unsigned char **blobs;
	size_t *blob_lens;
};

#define PC(db) ((struct pg_conn *)(db)->conn)
#define PS(st) ((struct pg_stmt *)(st))

static int
pg_accepts(const char *url)
{
	return starts_with(url, "postgresql://") ||
	    starts_with(url, "postgres://");
}

/*
 * The URL as messages show it: the password of user:password@ and of a
 * password= parameter replaced by "***".
 */
static char *
mask_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *at, *colon, *p;
	struct buf b = { 0 };

	if (scheme == NULL)
		return xstrdup(url);
	scheme += 3;
	at = scheme + strcspn(scheme, "/?@");
	colon = memchr(scheme, ':', (size_t)(at - scheme));
	if (*at == '@' && colon != NULL) {
		buf_add(&b, url, (size_t)(colon + 1 - url));
		buf_adds(&b, "***");
		url = at;
	}
	while ((p = strstr(url, "password=")) != NULL &&
	    (p == url || p[-1] == '?' || p[-1] == '&')) {
		p += strlen("password=");
		buf_add(&b, url, (size_t)(p - url));
		buf_adds(&b, "***");
		url = p + strcspn(p, "&");
	}
	buf_adds(&b, url);
	return buf_detach(&b);
}

static void
set_error(struct db *db, int err, const char *msg)
{
	struct pg_conn *pc = PC(db);
	size_t n;

	free(pc->msg);
	pc->msg = xstrdup(msg ? msg : "unknown error");
	/* libpq's messages end in a newline; ours do not. */
	n = strlen(pc->msg);
	while (n > 0 && (pc->msg[n - 1] == '\n' || pc->msg[n - 1] == ' '))
		pc->msg[--n] = '\0';
	pc->err = err;
}

/* -errno for a failed result, by SQLSTATE class. */
static int
sqlstate_errno(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;

	if (state == NULL)
		return -EIO;
	if (strncmp(state, "23", 2) == 0)
		return -EEXIST;         /* integrity constraint violation */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return -EBUSY;          /* serialization, deadlock, lock */
	if (strncmp(state, "08", 2) == 0)
		return -ECONNRESET;
	if (strcmp(state, "25006") == 0)
		return -EROFS;          /* read-only transaction */
	return -EIO;
}

/* 0 if res succeeded; otherwise records the failure and returns -errno. */
static int
result_check(struct db *db, PGresult *res)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ||
	    s == PGRES_EMPTY_QUERY)
		return 0;
	set_error(db, sqlstate_errno(res), res && *PQresultErrorMessage(res) ?
	    PQresultErrorMessage(res) : PQerrorMessage(PC(db)->c));
	return PC(db)->err;
}

static int
pg_last_error(struct db *db)
{
	return PC(db)->err ? PC(db)->err : -EIO;
}

static const char *
pg_errmsg(struct db *db)
{
	return PC(db)->msg ? PC(db)->msg : "no error";
}

static int
pg_exec(struct db *db, const char *sql, char **cause)
{
	PGresult *res = PQexec(PC(db)->c, sql);
	int r = result_check(db, res);

	PQclear(res);
	if (r != 0)
		return set_cause(cause, -r, "database '%s': %s", db->path,
		    pg_errmsg(db));
	return 0;
}

/* A one-value query's integer; fallback on any failure or NULL. */
static int64_t
query_int(struct db *db, const char *sql, int64_t fallback)
{
	PGresult *res = PQexec(PC(db)->c, sql);
	int64_t v = fallback;

	if (result_check(db, res) == 0 && PQntuples(res) == 1 &&
	    PQnfields(res) >= 1 && !PQgetisnull(res, 0, 0))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/*
 * Every table whose id the store asks for has an identity column, whose
 * sequence's nextval() is what lastval() reports.  The tables' triggers
 * take no ids (schema/postgresql/0006).
 */
static int64_t
pg_last_insert_id(struct db *db)
{
	return query_int(db, "SELECT lastval()", 0);
}

static int
pg_begin(struct db *db, char **cause)
{
	return pg_exec(db, "BEGIN", cause);
}

static int
pg_in_transaction(struct db *db)
{
	return PQtransactionStatus(PC(db)->c) != PQTRANS_IDLE;
}

/* SQLite's busy timeout is the wait for another writer's lock. */
static void
pg_busy_ms(struct db *db, int ms)
{
	char sql[64];

	snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
	PQclear(PQexec(PC(db)->c, sql));
}

static int
pg_schema_version(struct db *db)
{
	int64_t have = query_int(db, "SELECT (to_regclass('schema_version') "
	    "IS NOT NULL)::int", -1);

	if (have <= 0)
		return (int)have;
	return (int)query_int(db, "SELECT coalesce(max(version), 0) FROM "
	    "schema_version", -1);
}

static int
pg_set_schema_version(struct db *db, int version, char **cause)
{
	char sql[256];
	int r;

	if ((r = pg_exec(db, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INTEGER PRIMARY KEY, applied TIMESTAMPTZ NOT NULL "
	    "DEFAULT now())", cause)) != 0)
		return r;
	snprintf(sql, sizeof sql, "INSERT INTO schema_version (version) "
	    "VALUES (%d)", version);
	return pg_exec(db, sql, cause);
}

/*
 * The $N of sql outside quotes: the statement's parameters are $1 to the
 * highest; used[] (NULL: count only) marks those that appear.
 */
static int
scan_params(const char *sql, Oid *used)
{
	const char *p;
	char quote = 0;
	long n, max = 0;

	for (p = sql; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			n = strtol(p + 1, NULL, 10);
			if (n < 1 || n >= 65536)
				continue;
			if (n > max)
				max = n;
			if (used != NULL)
				used[n - 1] = 1;
		}
	}
	return (int)max;
}

static struct stmt *
pg_prepare(struct db *db, const char *sql, char **cause)
{
	struct pg_stmt *st = xcalloc(1, sizeof *st);
	int i;

	st->base.drv = &store_driver_postgresql;
	st->base.db = db;
	st->sql = xstrdup(sql);
	st->nparams = scan_params(sql, NULL);
	st->types = xcalloc((size_t)st->nparams + 1, sizeof *st->types);
	scan_params(sql, st->types);
	for (i = 0; i < st->nparams; i++)
		st->types[i] = st->types[i] ? 0 : PG_TEXT;
	st->values = xcalloc((size_t)st->nparams + 1, sizeof *st->values);
	st->lengths = xcalloc((size_t)st->nparams + 1, sizeof *st->lengths);
	st->formats = xcalloc((size_t)st->nparams + 1, sizeof *st->formats);
	st->row = -1;
	return &st->base;
}

static void
drop_blobs(struct pg_stmt *st)
{
	int i, n = st->res ? PQnfields(st->res) : 0;

	if (st->blobs == NULL)
		return;
	for (i = 0; i < n; i++)
		PQfreemem(st->blobs[i]);
	free(st->blobs);
	free(st->blob_lens);
	st->blobs = NULL;
	st->blob_lens = NULL;
}

static void
pg_reset(struct stmt *s)
{
	struct pg_stmt *st = PS(s);

	drop_blobs(st);
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

static void
pg_clear_bindings(struct stmt *s)
{
	struct pg_stmt *st = PS(s);
	int i;

	for (i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = 0;
		st->formats[i] = 0;
	}
}

static void
pg_finalize(struct stmt *s)
{
	struct pg_stmt *st = PS(s);

	pg_reset(s);
	pg_clear_bindings(s);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st->sql);
	free(st);
}

static int
pg_step(struct stmt *s)
{
	struct pg_stmt *st = PS(s);
	struct db *db = s->db;

	if (st->res == NULL) {
		st->res = PQexecParams(PC(db)->c, st->sql, st->nparams,
		    st->types, (const char *const *)st->values, st->lengths, st->formats,
		    0);
		if (result_check(db, st->res) != 0) {
			PQclear(st->res);
			st->res = NULL;
			return STORE_ERROR;
		}
		st->nrows = PQresultStatus(st->res) == PGRES_TUPLES_OK ?
		    PQntuples(st->res) : 0;
	}
	drop_blobs(st);
	if (st->row < st->nrows)
		st->row++;
	return st->row < st->nrows ? STORE_ROW : STORE_DONE;
}

static int
pg_param_count(struct stmt *s)
{
	return PS(s)->nparams;
}

static void
bind_copy(struct stmt *s, int i, const void *p, size_t len, int format)
{
	struct pg_stmt *st = PS(s);
	char *v;

	if (i < 1 || i > st->nparams)
		return;
	v = xmalloc(len + 1);
	memcpy(v, p, len);
	v[len] = '\0';
	free(st->values[i - 1]);
	st->values[i - 1] = v;
	st->lengths[i - 1] = (int)len;
	st->formats[i - 1] = format;
}

static void
pg_bind_int64(struct stmt *s, int i, int64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	bind_copy(s, i, tmp, strlen(tmp), 0);
}

static void
pg_bind_double(struct stmt *s, int i, double v)
{
	char tmp[40];

	/* %.17g reads back to the same double; "inf" and "nan" are
	 * float8 input too. */
	snprintf(tmp, sizeof tmp, "%.17g", v);
	bind_copy(s, i, tmp, strlen(tmp), 0);
}

static void
pg_bind_text(struct stmt *s, int i, const char *p, size_t len)
{
	bind_copy(s, i, p, len == (size_t)-1 ? strlen(p) : len, 0);
}

static void
pg_bind_blob(struct stmt *s, int i, const void *p, size_t len)
{
	bind_copy(s, i, len ? p : "", len, 1);
}

static void
pg_bind_null(struct stmt *s, int i)
{
	struct pg_stmt *st = PS(s);

	if (i < 1 || i > st->nparams)
		return;
	free(st->values[i - 1]);
	st->values[i - 1] = NULL;
	st->lengths[i - 1] = 0;
	st->formats[i - 1] = 0;
}

static int
pg_column_count(struct stmt *s)
{
	return PS(s)->res ? PQnfields(PS(s)->res) : 0;
}

static const char *
pg_column_name(struct stmt *s, int col)
{
	return PS(s)->res ? PQfname(PS(s)->res, col) : NULL;
}

/* The current row's value of col, NULL if SQL NULL or no row. */
static const char *
cell(struct stmt *s, int col)
{
	struct pg_stmt *st = PS(s);

	if (st->res == NULL || st->row < 0 || st->row >= st->nrows ||
	    col < 0 || col >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static enum store_type
pg_column_type(struct stmt *s, int col)
{
	const char *v = cell(s, col);

	if (v == NULL)
		return STORE_NULL;
	switch (PQftype(PS(s)->res, col)) {
	case PG_BOOL: case PG_INT2: case PG_INT4: case PG_INT8: case PG_OID:
		return STORE_INTEGER;
	case PG_FLOAT4: case PG_FLOAT8:
		return STORE_FLOAT;
	case PG_NUMERIC:
		/* sum() of integers is numeric: whole numbers stay integers,
		 * as SQLite's sum() gives them. */
		return strpbrk(v, ".eEN") ? STORE_FLOAT : STORE_INTEGER;
	case PG_BYTEA:
		return STORE_BLOB;
	default:
		return STORE_TEXT;
	}
}

static int64_t
pg_column_int64(struct stmt *s, int col)
{
	const char *v = cell(s, col);

	if (v == NULL)
		return 0;
	if (PQftype(PS(s)->res, col) == PG_BOOL)
		return *v == 't';
	if (strpbrk(v, ".eE") != NULL)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct stmt *s, int col)
{
	const char *v = cell(s, col);

	if (v == NULL)
		return 0;
	if (PQftype(PS(s)->res, col) == PG_BOOL)
		return *v == 't';
	return strtod(v, NULL);
}

static const char *
pg_column_text(struct stmt *s, int col)
{
	const char *v = cell(s, col);

	if (v != NULL && PQftype(PS(s)->res, col) == PG_BOOL)
		return *v == 't' ? "1" : "0";
	return v;
}

/* A bytea column's bytes: unescaped once per row and column. */
static const unsigned char *
blob_cell(struct stmt *s, int col, size_t *len)
{
	struct pg_stmt *st = PS(s);
	const char *v = cell(s, col);
	int n;

	*len = 0;
	if (v == NULL)
		return NULL;
	if (PQftype(st->res, col) != PG_BYTEA) {
		*len = (size_t)PQgetlength(st->res, st->row, col);
		return (const unsigned char *)v;
	}
	n = PQnfields(st->res);
	if (st->blobs == NULL) {
		st->blobs = xcalloc((size_t)n, sizeof *st->blobs);
		st->blob_lens = xcalloc((size_t)n, sizeof *st->blob_lens);
	}
	if (st->blobs[col] == NULL) {
		st->blobs[col] = PQunescapeBytea((const unsigned char *)v,
		    &st->blob_lens[col]);
		if (st->blobs[col] == NULL)
			return NULL;
	}
	*len = st->blob_lens[col];
	return st->blobs[col];
}

static const void *
pg_column_blob(struct stmt *s, int col)
{
	size_t len;

	return blob_cell(s, col, &len);
}

static size_t
pg_column_bytes(struct stmt *s, int col)
{
	size_t len;

	blob_cell(s, col, &len);
	return len;
}

/* Server notices (NOTICE: relation exists, skipping) are not ours to
 * print: library code never writes to stderr. */
static void
quiet_notice(void *arg, const char *message)
{
}

static int
pg_open(struct db *db, int flags, char **cause)
{
	struct pg_conn *pc = xcalloc(1, sizeof *pc);
	char *url = db->path;
	int r = 0;

	/* From here on messages name the URL without its password. */
	db->path = mask_url(url);
	db->conn = pc;
	pc->c = PQconnectdb(url);
	if (pc->c == NULL || PQstatus(pc->c) != CONNECTION_OK) {
		set_error(db, -ECONNREFUSED, pc->c ? PQerrorMessage(pc->c) :
		    "out of memory");
		r = set_cause(cause, ECONNREFUSED,
		    "cannot connect to database '%s': %s", db->path,
		    pg_errmsg(db));
		goto out;
	}
	PQsetNoticeProcessor(pc->c, quiet_notice, NULL);
	/* UTF-8 as the store writes it; UTC for any timestamp; every float
	 * digit.  A transaction reads one snapshot, as SQLite's do: export's
	 * BEGIN is a consistent copy whatever is pushed meanwhile. */
	if ((r = pg_exec(db, "SET client_encoding = 'UTF8'; "
	    "SET TIME ZONE 'UTC'; SET extra_float_digits = 3; "
	    "SET default_transaction_isolation = 'repeatable read'",
	    cause)) != 0)
		goto out;
	if ((flags & DB_READONLY) && (r = pg_exec(db, "SET SESSION "
	    "CHARACTERISTICS AS TRANSACTION READ ONLY", cause)) != 0)
		goto out;
	pg_busy_ms(db, DB_BUSY_MS);
out:
	free(url);
	return r;
}

static void
pg_close(struct db *db)
{
	struct pg_conn *pc = PC(db);

	if (pc == NULL)
		return;
	if (pc->c != NULL)
		PQfinish(pc->c);
	free(pc->msg);
	free(pc);
	db->conn = NULL;
}

const struct store_driver store_driver_postgresql = {
	.name = "postgresql",
	.accepts = pg_accepts,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin = pg_begin,
	.in_transaction = pg_in_transaction,
	.busy_ms = pg_busy_ms,
	.last_error = pg_last_error,
	.errmsg = pg_errmsg,
	.last_insert_id = pg_last_insert_id,
	.schema_version = pg_schema_version,
	.set_schema_version = pg_set_schema_version,
	.migrations = schema_migrations_postgresql,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.param_count = pg_param_count,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
};
