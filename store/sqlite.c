/*
 * sqlite.c - the SQLite driver: the embedded default, one file per
 * machine.  The only file that includes <sqlite3.h>.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db.h"
#include "store/driver.h"

struct sqlite_stmt {
	struct stmt base;
	sqlite3_stmt *h;
};

#define CONN(db) ((sqlite3 *)(db)->conn)
#define H(st) (((struct sqlite_stmt *)(st))->h)

static int
sqlite_accepts(const char *url)
{
	return strstr(url, "://") == NULL;
}

static int
sqlite_last_error(struct db *db)
{
	int code = sqlite3_errcode(CONN(db));

	if (code == SQLITE_CONSTRAINT)
		return -EEXIST;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return -EBUSY;
	return -EIO;
}

static const char *
sqlite_errmsg(struct db *db)
{
	return CONN(db) ? sqlite3_errmsg(CONN(db)) : "out of memory";
}

static int64_t
sqlite_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(CONN(db));
}

static int
sqlite_exec(struct db *db, const char *sql, char **cause)
{
	char *msg = NULL;
	int r;

	if (sqlite3_exec(CONN(db), sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	r = set_cause(cause, EIO, "database '%s': %s", db->path,
	    msg ? msg : sqlite3_errmsg(CONN(db)));
	sqlite3_free(msg);
	return r;
}

static int
sqlite_begin(struct db *db, char **cause)
{
	/* IMMEDIATE: take the write lock now, not at the first write, so a
	 * busy database fails here (and waits busy_ms) instead of midway. */
	return sqlite_exec(db, "BEGIN IMMEDIATE", cause);
}

static int
sqlite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(CONN(db));
}

static void
sqlite_busy_ms(struct db *db, int ms)
{
	sqlite3_busy_timeout(CONN(db), ms);
}

/*
 * $N parameters as ?N: the store's SQL is written for both engines.
 * Quoted strings and identifiers are copied untouched.
 */
static char *
rewrite_params(const char *sql)
{
	struct buf b = { 0 };
	const char *p = sql;
	char quote = 0;

	for (; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			buf_addc(&b, '?');
			continue;
		}
		buf_addc(&b, *p);
	}
	return buf_detach(&b);
}

static struct stmt *
sqlite_prepare(struct db *db, const char *sql, char **cause)
{
	struct sqlite_stmt *st;
	sqlite3_stmt *h = NULL;
	char *own = NULL;
	int rc;

	if (strchr(sql, '$') != NULL)
		sql = own = rewrite_params(sql);
	rc = sqlite3_prepare_v2(CONN(db), sql, -1, &h, NULL);
	free(own);
	if (rc != SQLITE_OK) {
		db_error(db, cause, "cannot prepare statement");
		return NULL;
	}
	st = xcalloc(1, sizeof *st);
	st->base.drv = &store_driver_sqlite;
	st->base.db = db;
	st->h = h;
	return &st->base;
}

static void
sqlite_finalize(struct stmt *st)
{
	sqlite3_finalize(H(st));
	free(st);
}

static int
sqlite_step(struct stmt *st)
{
	switch (sqlite3_step(H(st))) {
	case SQLITE_ROW:
		return STORE_ROW;
	case SQLITE_DONE:
		return STORE_DONE;
	default:
		return STORE_ERROR;
	}
}

static void
sqlite_reset(struct stmt *st)
{
	sqlite3_reset(H(st));
}

static void
sqlite_clear_bindings(struct stmt *st)
{
	sqlite3_clear_bindings(H(st));
}

static int
sqlite_param_count(struct stmt *st)
{
	return sqlite3_bind_parameter_count(H(st));
}

static void
sqlite_bind_int64(struct stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(H(st), i, v);
}

static void
sqlite_bind_double(struct stmt *st, int i, double v)
{
	sqlite3_bind_double(H(st), i, v);
}

static void
sqlite_bind_text(struct stmt *st, int i, const char *s, size_t len)
{
	sqlite3_bind_text(H(st), i, s, len == (size_t)-1 ? -1 : (int)len,
	    SQLITE_TRANSIENT);
}

static void
sqlite_bind_blob(struct stmt *st, int i, const void *p, size_t len)
{
	/* A zero-length blob is a blob, not NULL. */
	sqlite3_bind_blob(H(st), i, len ? p : "", (int)len, SQLITE_TRANSIENT);
}

static void
sqlite_bind_null(struct stmt *st, int i)
{
	sqlite3_bind_null(H(st), i);
}

static int
sqlite_column_count(struct stmt *st)
{
	return sqlite3_column_count(H(st));
}

static const char *
sqlite_column_name(struct stmt *st, int col)
{
	return sqlite3_column_name(H(st), col);
}

static enum store_type
sqlite_column_type(struct stmt *st, int col)
{
	switch (sqlite3_column_type(H(st), col)) {
	case SQLITE_INTEGER:
		return STORE_INTEGER;
	case SQLITE_FLOAT:
		return STORE_FLOAT;
	case SQLITE_TEXT:
		return STORE_TEXT;
	case SQLITE_BLOB:
		return STORE_BLOB;
	default:
		return STORE_NULL;
	}
}

static int64_t
sqlite_column_int64(struct stmt *st, int col)
{
	return sqlite3_column_int64(H(st), col);
}

static double
sqlite_column_double(struct stmt *st, int col)
{
	return sqlite3_column_double(H(st), col);
}

static const char *
sqlite_column_text(struct stmt *st, int col)
{
	return (const char *)sqlite3_column_text(H(st), col);
}

static const void *
sqlite_column_blob(struct stmt *st, int col)
{
	return sqlite3_column_blob(H(st), col);
}

static size_t
sqlite_column_bytes(struct stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(H(st), col);
}

static int
pragma_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(CONN(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
sqlite_schema_version(struct db *db)
{
	return pragma_int(db, "PRAGMA user_version");
}

static int
sqlite_set_schema_version(struct db *db, int version, char **cause)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
	return sqlite_exec(db, sql, cause);
}

static int
make_parent_dir(const char *path, char **cause)
{
	char *copy = xstrdup(path), *dir = dirname(copy);
	int r = 0;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		r = set_cause(cause, errno, "cannot create '%s': %s", dir,
		    strerror(errno));
	free(copy);
	return r;
}

static int
sqlite_open(struct db *db, int flags, char **cause)
{
	sqlite3 *h = NULL;
	int oflags, r;

	oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (flags & DB_CREATE) {
		oflags |= SQLITE_OPEN_CREATE;
		if ((r = make_parent_dir(db->path, cause)) != 0)
			return r;
	} else if (access(db->path, F_OK) == -1)
		return set_cause(cause, ENOENT,
		    "no database at '%s' (set --db or $MMSTORM_DB)", db->path);
	if (sqlite3_open_v2(db->path, &h, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		r = set_cause(cause, EIO, "cannot open database '%s': %s",
		    db->path, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close_v2(h);
		return r;
	}
	db->conn = h;
	sqlite3_busy_timeout(h, DB_BUSY_MS);
	sqlite3_extended_result_codes(h, 0);
	/* A file that is not a database fails on the first read. */
	if (pragma_int(db, "PRAGMA user_version") < 0)
		return set_cause(cause, EINVAL,
		    "'%s' is not an mmstorm database: %s", db->path,
		    sqlite3_errmsg(h));
	/* A new database gets 16 KiB pages before anything is written:
	 * sample blobs of machines with many CPUs or nodes outgrow what a
	 * 4 KiB page keeps in-row and would each spill to an overflow page
	 * (bench/README.md (b)). */
	if ((flags & DB_CREATE) && pragma_int(db, "PRAGMA page_count") == 0 &&
	    (r = sqlite_exec(db, "PRAGMA page_size=16384", cause)) != 0)
		return r;
	if (!(flags & DB_READONLY) &&
	    (r = sqlite_exec(db, "PRAGMA journal_mode=WAL", cause)) != 0)
		return r;
	/* Analysis reads many pages: map the file instead of copying every
	 * page through pread(), and keep more of them cached. */
	return sqlite_exec(db, "PRAGMA synchronous=FULL; "
	    "PRAGMA foreign_keys=ON; PRAGMA mmap_size=1073741824; "
	    "PRAGMA cache_size=-32768", cause);
}

static void
sqlite_close(struct db *db)
{
	if (db->conn != NULL)
		sqlite3_close_v2(CONN(db));
	db->conn = NULL;
}

const struct store_driver store_driver_sqlite = {
	.name = "sqlite",
	.accepts = sqlite_accepts,
	.open = sqlite_open,
	.close = sqlite_close,
	.exec = sqlite_exec,
	.begin = sqlite_begin,
	.in_transaction = sqlite_in_transaction,
	.busy_ms = sqlite_busy_ms,
	.last_error = sqlite_last_error,
	.errmsg = sqlite_errmsg,
	.last_insert_id = sqlite_last_insert_id,
	.schema_version = sqlite_schema_version,
	.set_schema_version = sqlite_set_schema_version,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.step = sqlite_step,
	.reset = sqlite_reset,
	.clear_bindings = sqlite_clear_bindings,
	.param_count = sqlite_param_count,
	.bind_int64 = sqlite_bind_int64,
	.bind_double = sqlite_bind_double,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.column_count = sqlite_column_count,
	.column_name = sqlite_column_name,
	.column_type = sqlite_column_type,
	.column_int64 = sqlite_column_int64,
	.column_double = sqlite_column_double,
	.column_text = sqlite_column_text,
	.column_blob = sqlite_column_blob,
	.column_bytes = sqlite_column_bytes,
};
