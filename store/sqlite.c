/*
 * sqlite.c - the SQLite driver: the embedded default, one file per
 * machine.  The only file that includes <sqlite3.h>.
 */
#include <errno.h>
#include <limits.h>
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

/* What pragma_int() says when it could not read: user_version may
 * really hold -1 (issue 15: "not an error"). */
#define PRAGMA_FAILED INT_MIN

static int
pragma_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int v = PRAGMA_FAILED;

	if (sqlite3_prepare_v2(CONN(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
sqlite_schema_version(struct db *db)
{
	int v = pragma_int(db, "PRAGMA user_version");

	return v < 0 ? -1 : v;
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

/* What went wrong on the connection, with the system's word for it when
 * there is one: "disk I/O error (No space left on device)". */
static char *
conn_error(sqlite3 *h)
{
	int e = h ? sqlite3_system_errno(h) : 0;

	if (h == NULL)
		return xstrdup("out of memory");
	if (e != 0)
		return xasprintf("%s (%s)", sqlite3_errmsg(h), strerror(e));
	return xstrdup(sqlite3_errmsg(h));
}

/* file:PATH?immutable=1, the path %-escaped as a URI wants it. */
static char *
immutable_uri(const char *path)
{
	struct buf b = { 0 };
	const char *p;

	buf_printf(&b, "file:");
	for (p = path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_printf(&b, "%%%02x", (unsigned char)*p);
		else
			buf_addc(&b, *p);
	}
	buf_printf(&b, "?immutable=1");
	return buf_detach(&b);
}

/*
 * A WAL database in a directory we cannot write (no -shm can be made)
 * cannot be read the usual way.  Without a -wal file
 * nothing is pending outside the main file: read it as immutable.  A
 * writer that starts meanwhile could show us a torn page; a read
 * command can live with that, a refusal helps nobody.
 */
static int
reopen_immutable(struct db *db, sqlite3 **h)
{
	char *wal = xasprintf("%s-wal", db->path), *uri;
	int ok = 0;

	if (access(wal, F_OK) == -1 && errno == ENOENT) {
		uri = immutable_uri(db->path);
		sqlite3_close_v2(*h);
		*h = NULL;
		ok = sqlite3_open_v2(uri, h, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK;
		free(uri);
	}
	free(wal);
	db->conn = *h;
	return ok && pragma_int(db, "PRAGMA user_version") != PRAGMA_FAILED;
}

/* The first read: tells a file that is not a database (or not ours)
 * from one we cannot read, and says which. */
static int
check_readable(struct db *db, sqlite3 **h, char **cause)
{
	char *why = NULL;
	int v, code = SQLITE_OK, r = 0;

	if ((v = pragma_int(db, "PRAGMA user_version")) == PRAGMA_FAILED) {
		code = sqlite3_errcode(*h);
		why = conn_error(*h);
		if ((code == SQLITE_READONLY || code == SQLITE_CANTOPEN) &&
		    reopen_immutable(db, h))
			v = pragma_int(db, "PRAGMA user_version");
	}
	if (v != PRAGMA_FAILED && v < 0)
		r = set_cause(cause, EINVAL, "'%s' is not an mmstorm "
		    "database: schema version %d", db->path, v);
	else if (v == PRAGMA_FAILED && (code == SQLITE_NOTADB ||
	    code == SQLITE_CORRUPT))
		r = set_cause(cause, EINVAL, "'%s' is not an mmstorm "
		    "database: %s", db->path, why);
	else if (v == PRAGMA_FAILED)
		r = set_cause(cause, EIO, "cannot read database '%s': %s",
		    db->path, why);
	free(why);
	return r;
}

/*
 * Before SQLite sees the file: a command that only reads never creates
 * a database, and never turns an empty file into one (it would write
 * the schema and WAL header).
 */
static int
check_existing(struct db *db, int flags, char **cause)
{
	struct stat st;

	if (flags & DB_CREATE)
		return make_parent_dir(db->path, cause);
	if (stat(db->path, &st) == -1 && errno == ENOENT)
		return set_cause(cause, ENOENT, "no database at '%s' (set --db "
		    "or $MMSTORM_DB)", db->path);
	if (stat(db->path, &st) == -1)
		return set_cause(cause, errno, "cannot read database '%s': %s",
		    db->path, strerror(errno));
	if (S_ISREG(st.st_mode) && st.st_size == 0)
		return set_cause(cause, EINVAL, "'%s' is empty, not an "
		    "mmstorm database", db->path);
	return 0;
}

/* A database we may only read (the file or its directory is read-only
 * to us) still serves reads, unless it needs migrating. */
static int
check_writable(struct db *db, int flags, char **cause)
{
	int v;

	if ((flags & DB_READONLY) || sqlite3_db_readonly(CONN(db),
	    "main") != 1)
		return 0;
	v = pragma_int(db, "PRAGMA user_version");
	if (v < db_latest_version())
		return set_cause(cause, EROFS, "database '%s' is read-only "
		    "to us and has schema version %d; this mmstorm needs "
		    "%d: run it once with write access to upgrade it",
		    db->path, v, db_latest_version());
	return 0;
}

static int
sqlite_open(struct db *db, int flags, char **cause)
{
	sqlite3 *h = NULL;
	char *why;
	int oflags, r;

	oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE;
	if (flags & DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if ((r = check_existing(db, flags, cause)) != 0)
		return r;
	if (sqlite3_open_v2(db->path, &h, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		why = conn_error(h);
		r = set_cause(cause, EIO, "cannot open database '%s': %s",
		    db->path, why);
		free(why);
		sqlite3_close_v2(h);
		return r;
	}
	db->conn = h;
	if ((r = check_readable(db, &h, cause)) != 0)
		return r;
	sqlite3_busy_timeout(h, DB_BUSY_MS);
	sqlite3_extended_result_codes(h, 0);
	if ((r = check_writable(db, flags, cause)) != 0)
		return r;
	/* A new database gets 16 KiB pages before anything is written:
	 * sample blobs of machines with many CPUs or nodes outgrow what a
	 * 4 KiB page keeps in-row and would each spill to an overflow page
	 * (bench/README.md (b)). */
	if ((flags & DB_CREATE) && pragma_int(db, "PRAGMA page_count") == 0 &&
	    (r = sqlite_exec(db, "PRAGMA page_size=16384", cause)) != 0)
		return r;
	if (sqlite3_db_readonly(h, "main") != 1 &&
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
