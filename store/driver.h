/*
 * driver.h - what the store asks of a database engine.
 *
 * Everything above store/ speaks to a database through struct db (db.h)
 * and the stmt_* calls here; only a driver file (store/sqlite.c today)
 * includes an engine's own header.  A second engine is one more driver
 * file with a struct store_driver and a line in store_drivers[] (db.c).
 *
 * SQL handed to store_prepare() numbers its parameters $1, $2, ... as
 * PostgreSQL does; a driver whose engine spells them otherwise rewrites
 * them at prepare time.  Text and blobs bound are copied by the driver:
 * the caller's buffer may go away before the statement is stepped.
 */
#ifndef MMSTORM_STORE_DRIVER_H
#define MMSTORM_STORE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct schema_migration;

/* What stmt_step() says. */
enum {
	STORE_ROW = 1,          /* a row is ready: read it with stmt_* */
	STORE_DONE = 0,         /* no (more) rows */
	STORE_ERROR = -1,       /* see db_error() */
};

/* What stmt_type() says of a column of the current row. */
enum store_type {
	STORE_NULL = 0,
	STORE_INTEGER,
	STORE_FLOAT,
	STORE_TEXT,
	STORE_BLOB,
};

/* A prepared statement; a driver's own struct begins with this one. */
struct stmt {
	const struct store_driver *drv;
	struct db *db;
};

struct store_driver {
	const char *name;                       /* "sqlite" */
	/* 1 if this driver opens url ("postgresql://..." and so on) */
	int (*accepts)(const char *url);
	/* Connects db->url; db->conn set on success.  flags: DB_* (db.h) */
	int (*open)(struct db *, int flags, char **cause);
	void (*close)(struct db *);
	int (*exec)(struct db *, const char *sql, char **cause);
	int (*begin)(struct db *, char **cause);
	int (*in_transaction)(struct db *);
	void (*busy_ms)(struct db *, int ms);
	/* -errno of the connection's last failure and its text */
	int (*last_error)(struct db *);
	const char *(*errmsg)(struct db *);
	/* The id the connection's last INSERT gave its row */
	int64_t (*last_insert_id)(struct db *);
	/* The migration bookkeeping: the version applied, -1 if unreadable */
	int (*schema_version)(struct db *);
	int (*set_schema_version)(struct db *, int version, char **cause);
	/* The engine's DDL for schema/'s numbered migrations (as many, the
	 * same numbers); NULL: schema/ itself */
	const struct schema_migration *migrations;

	struct stmt *(*prepare)(struct db *, const char *sql, char **cause);
	void (*finalize)(struct stmt *);
	int (*step)(struct stmt *);
	void (*reset)(struct stmt *);
	void (*clear_bindings)(struct stmt *);
	int (*param_count)(struct stmt *);
	void (*bind_int64)(struct stmt *, int i, int64_t v);
	void (*bind_double)(struct stmt *, int i, double v);
	void (*bind_text)(struct stmt *, int i, const char *s, size_t len);
	void (*bind_blob)(struct stmt *, int i, const void *p, size_t len);
	void (*bind_null)(struct stmt *, int i);
	int (*column_count)(struct stmt *);
	const char *(*column_name)(struct stmt *, int col);
	enum store_type (*column_type)(struct stmt *, int col);
	int64_t (*column_int64)(struct stmt *, int col);
	double (*column_double)(struct stmt *, int col);
	const char *(*column_text)(struct stmt *, int col);
	const void *(*column_blob)(struct stmt *, int col);
	size_t (*column_bytes)(struct stmt *, int col);
};

extern const struct store_driver store_driver_sqlite;
extern const struct store_driver store_driver_postgresql;

/* Prepared statement or NULL with *cause; stmt_finalize() accepts NULL. */
struct stmt *store_prepare(struct db *, const char *sql, char **cause);

/*
 * The statement calls.  Parameters and columns count as the engines do:
 * parameters from 1, columns from 0.  stmt_text() of NULL is NULL; the
 * pointers stay valid until the next step, reset or finalize.
 */
static inline void
stmt_finalize(struct stmt *st)
{
	if (st != NULL)
		st->drv->finalize(st);
}

static inline int
stmt_step(struct stmt *st)
{
	return st->drv->step(st);
}

static inline void
stmt_reset(struct stmt *st)
{
	st->drv->reset(st);
}

static inline void
stmt_clear_bindings(struct stmt *st)
{
	st->drv->clear_bindings(st);
}

static inline int
stmt_param_count(struct stmt *st)
{
	return st->drv->param_count(st);
}

static inline void
stmt_bind_int64(struct stmt *st, int i, int64_t v)
{
	st->drv->bind_int64(st, i, v);
}

static inline void
stmt_bind_double(struct stmt *st, int i, double v)
{
	st->drv->bind_double(st, i, v);
}

/* NULL binds SQL NULL. */
static inline void
stmt_bind_text(struct stmt *st, int i, const char *s)
{
	if (s == NULL)
		st->drv->bind_null(st, i);
	else
		st->drv->bind_text(st, i, s, (size_t)-1);
}

static inline void
stmt_bind_textn(struct stmt *st, int i, const char *s, size_t len)
{
	st->drv->bind_text(st, i, s, len);
}

static inline void
stmt_bind_blob(struct stmt *st, int i, const void *p, size_t len)
{
	st->drv->bind_blob(st, i, p, len);
}

static inline void
stmt_bind_null(struct stmt *st, int i)
{
	st->drv->bind_null(st, i);
}

static inline int
stmt_column_count(struct stmt *st)
{
	return st->drv->column_count(st);
}

static inline const char *
stmt_column_name(struct stmt *st, int col)
{
	return st->drv->column_name(st, col);
}

static inline enum store_type
stmt_type(struct stmt *st, int col)
{
	return st->drv->column_type(st, col);
}

static inline int64_t
stmt_int64(struct stmt *st, int col)
{
	return st->drv->column_int64(st, col);
}

static inline int
stmt_int(struct stmt *st, int col)
{
	return (int)st->drv->column_int64(st, col);
}

static inline double
stmt_double(struct stmt *st, int col)
{
	return st->drv->column_double(st, col);
}

static inline const char *
stmt_text(struct stmt *st, int col)
{
	return st->drv->column_text(st, col);
}

static inline const void *
stmt_blob(struct stmt *st, int col)
{
	return st->drv->column_blob(st, col);
}

static inline size_t
stmt_bytes(struct stmt *st, int col)
{
	return st->drv->column_bytes(st, col);
}

#endif
