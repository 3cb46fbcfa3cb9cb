/*
 * db.h - the store: a database opened by URL through a driver
 * (store/driver.h), migrated, and the writes a run makes.
 *
 * db_open() takes a plain path or sqlite:PATH (the embedded default).
 * It applies the numbered migrations in schema/ (compiled in) and tracks
 * them in the driver's version record (PRAGMA user_version on SQLite); a
 * database newer than this binary is refused.  On SQLite, WAL,
 * synchronous=FULL and foreign keys are on for every connection: a run's
 * state is durable before the risky step.
 */
#ifndef MMSTORM_DB_H
#define MMSTORM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "store/driver.h"

struct buf;
struct counter_desc;
struct host_identity;
struct kernel_identity;

enum db_cached_stmt {
	DB_ST_SAMPLE = 0,
	DB_ST_VALUE,
	DB_ST_METRIC,
	DB_ST_KERNEL_NAME,
	DB_ST_MAX,
};

struct db {
	const struct store_driver *drv;
	void *conn;          /* the driver's connection */
	char *path;          /* as given to db_open(), less "sqlite:" */
	/* Statements run once per sample, value or kernel name: prepared
	 * once. */
	struct stmt *cached[DB_ST_MAX];
};

enum {
	DB_CREATE = 1,   /* create the file (and its directory) if missing */
	DB_READONLY = 2,
};

/* $MMSTORM_DB, else /var/lib/mmstorm/mmstorm.db as root, else ./mmstorm.db */
const char *db_default_path(void);

int db_open(const char *path, int flags, struct db **, char **cause);
/* As db_open, migrating no further than max_version (tests of upgrades). */
int db_open_version(const char *path, int flags, int max_version,
    struct db **, char **cause);
void db_close(struct db *);
/* How long a statement waits for another writer's lock: DB_BUSY_MS after
 * db_open(); a loop that must not stall (mmstormd) shortens it around a
 * write it can retry later, then sets it back. */
#define DB_BUSY_MS 10000
void db_busy_ms(struct db *, int ms);
int db_schema_version(struct db *);
int db_latest_version(void);

int db_exec(struct db *, const char *sql, char **cause);
int db_begin(struct db *, char **cause);       /* BEGIN IMMEDIATE */
int db_commit(struct db *, char **cause);
void db_rollback(struct db *);
/* Prepared statement or NULL with *cause. */
struct stmt *db_prepare(struct db *, const char *sql, char **cause);
/* The connection's statement for this use (always the same sql), reset
 * and unbound; not finalized by the caller. */
struct stmt *db_cached(struct db *, enum db_cached_stmt, const char *sql,
    char **cause);
/* Step a bound write to its end and finalize it; what names it in the
 * error. */
int db_step_done(struct db *, struct stmt *, const char *what, char **cause);
/* Error text for the last failure on this connection. */
int db_error(struct db *, char **cause, const char *what);
const char *db_errmsg(struct db *);
/* The id the last INSERT on this connection gave its row. */
int64_t db_last_insert_id(struct db *);

int db_host_id(struct db *, const struct host_identity *, int64_t *id,
    char **cause);
int db_kernel_id(struct db *, const struct kernel_identity *, int64_t *id,
    char **cause);

struct run_new {
	const char *uuid;
	const char *workload;
	const char *params_json;
	const char *state;
	const char *reason;
	int64_t kernel_id, host_id;
	const char *label;
	const char *boot_id;
	const char *host_state_json;
	int64_t created_ns, started_ns;
};
int db_run_insert(struct db *, const struct run_new *, int64_t *id,
    char **cause);
int db_run_finish(struct db *, int64_t run_id, const char *state,
    const char *reason, const char *exit_status, int64_t ended_ns,
    char **cause);
/* Run id of a uuid or unique uuid prefix (>= 4 chars); -ENOENT/-EEXIST */
/* id of a uuid or unique prefix in table (runs, jobs); what names it. */
int db_uuid_lookup(struct db *, const char *table, const char *what,
    const char *key, int64_t *id, char **cause);
int db_run_lookup(struct db *, const char *uuid_or_prefix, int64_t *id,
    char **cause);

int db_run_counters(struct db *, int64_t run_id,
    const struct counter_desc *const *descs, size_t n, char **cause);
int db_sample_insert(struct db *, int64_t run_id, int64_t seq, int64_t t_ns,
    const char *label, const int64_t *values, size_t n, char **cause);
int db_metric_set(struct db *, int64_t run_id, const char *name,
    double value, const char *unit, const char *better, char **cause);
int db_value_add(struct db *, int64_t run_id, const char *series,
    int64_t seq, int64_t t_ns, double value, char **cause);
int db_artifact_set(struct db *, int64_t run_id, const char *name,
    const char *content, char **cause);
int db_unavailable_add(struct db *, int64_t run_id, const char *source,
    char **cause);

struct event_new {
	int64_t run_id;       /* 0: none */
	int64_t kernel_id, host_id;
	const char *boot_id;
	const char *kind, *title, *signature, *source, *text;
	int64_t t_ns;
};
int db_event_add(struct db *, const struct event_new *, int64_t *id,
    char **cause);

/* Knobs: the original is committed before the caller changes anything. */
int db_knob_record(struct db *, int64_t run_id, const char *path,
    const char *original, const char *value, int64_t *knob_id,
    char **cause);
int db_knob_done(struct db *, int64_t knob_id, const char *state,
    const char *error, char **cause);

/* Sample blobs: zigzag varints, one per counter in run_counters order. */
void sample_encode(struct buf *, const int64_t *values, size_t n);
/* Decodes up to n values; returns how many, or -EINVAL if malformed. */
long sample_decode(const void *blob, size_t len, int64_t *values, size_t n);

#endif
