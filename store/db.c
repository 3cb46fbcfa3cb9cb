/* db.c - the SQLite store: open, migrate, and the writes a run makes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "store/db.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "store/schema.h"
#include "common/util.h"

const char *
db_default_path(void)
{
	const char *env = getenv("MMSTORM_DB");

	if (env != NULL && *env != '\0')
		return env;
	if (geteuid() == 0)
		return "/var/lib/mmstorm/mmstorm.db";
	return "./mmstorm.db";
}

int
db_error(struct db *db, char **cause, const char *what)
{
	return set_cause(cause, -db->drv->last_error(db),
	    "%s: %s (database '%s')", what, db->drv->errmsg(db), db->path);
}

const char *
db_errmsg(struct db *db)
{
	return db->drv->errmsg(db);
}

int64_t
db_last_insert_id(struct db *db)
{
	return db->drv->last_insert_id(db);
}

int
db_exec(struct db *db, const char *sql, char **cause)
{
	return db->drv->exec(db, sql, cause);
}

int
db_begin(struct db *db, char **cause)
{
	return db->drv->begin(db, cause);
}

int
db_commit(struct db *db, char **cause)
{
	return db->drv->exec(db, "COMMIT", cause);
}

void
db_rollback(struct db *db)
{
	if (db->drv->in_transaction(db))
		db->drv->exec(db, "ROLLBACK", NULL);
}

struct stmt *
store_prepare(struct db *db, const char *sql, char **cause)
{
	return db->drv->prepare(db, sql, cause);
}

struct stmt *
db_prepare(struct db *db, const char *sql, char **cause)
{
	return db->drv->prepare(db, sql, cause);
}

/* A statement kept prepared on the connection; reset and unbound. */
struct stmt *
db_cached(struct db *db, enum db_cached_stmt which, const char *sql,
    char **cause)
{
	struct stmt *st = db->cached[which];

	if (st == NULL)
		st = db->cached[which] = db_prepare(db, sql, cause);
	else {
		stmt_reset(st);
		stmt_clear_bindings(st);
	}
	return st;
}

/* Step a cached statement to completion (it stays prepared). */
static int
step_cached(struct db *db, struct stmt *st, char **cause, const char *what)
{
	int rc = stmt_step(st);

	stmt_reset(st);
	if (rc == STORE_ERROR)
		return db_error(db, cause, what);
	return 0;
}

int
db_schema_version(struct db *db)
{
	return db->drv->schema_version(db);
}

int
db_latest_version(void)
{
	return schema_migrations[schema_migrations_count - 1].version;
}

static int
db_migrate(struct db *db, int max_version, char **cause)
{
	const struct schema_migration *list = db->drv->migrations ?
	    db->drv->migrations : schema_migrations;
	int cur = db_schema_version(db), latest = db_latest_version(), i, r;

	if (cur < 0)
		return db_error(db, cause, "cannot read schema version");
	if (cur > latest)
		return set_cause(cause, EPROTO,
		    "database '%s' has schema version %d, newer than this mmstorm knows (%d): upgrade mmstorm",
		    db->path, cur, latest);
	for (i = 0; i < schema_migrations_count; i++) {
		const struct schema_migration *m = &list[i];

		if (m->version != i + 1)
			return set_cause(cause, EINVAL,
			    "migration '%s' is out of sequence", m->file);
		if (m->version <= cur || m->version > max_version)
			continue;
		if ((r = db_begin(db, cause)) != 0)
			return r;
		r = db_exec(db, m->sql, cause);
		if (r == 0)
			r = db->drv->set_schema_version(db, m->version, cause);
		if (r == 0)
			r = db_commit(db, cause);
		if (r != 0) {
			db_rollback(db);
			return r;
		}
	}
	return 0;
}

/* The drivers this build has, asked in order; the last takes any path. */
static const struct store_driver *const store_drivers[] = {
	&store_driver_postgresql,
	&store_driver_sqlite,
};

int
db_open_version(const char *url, int flags, int max_version,
    struct db **out, char **cause)
{
	struct db *db = xcalloc(1, sizeof *db);
	size_t i;
	int r;

	*out = NULL;
	for (i = 0; i < sizeof store_drivers / sizeof store_drivers[0]; i++)
		if (store_drivers[i]->accepts(url)) {
			db->drv = store_drivers[i];
			break;
		}
	if (db->drv == NULL) {
		r = set_cause(cause, EINVAL,
		    "'%s': no database driver for this URL", url);
		goto out;
	}
	if (starts_with(url, "sqlite:"))
		url += strlen("sqlite:");
	db->path = xstrdup(url);
	if ((r = db->drv->open(db, flags, cause)) != 0)
		goto out;
	if (flags & DB_READONLY) {
		if (db_schema_version(db) > db_latest_version()) {
			r = set_cause(cause, EPROTO,
			    "database '%s' has schema version %d, newer than this mmstorm knows (%d): upgrade mmstorm",
			    db->path, db_schema_version(db),
			    db_latest_version());
			goto out;
		}
	} else if ((r = db_migrate(db, max_version, cause)) != 0)
		goto out;
	*out = db;
	db = NULL;
	r = 0;
out:
	db_close(db);
	return r;
}

int
db_open(const char *url, int flags, struct db **out, char **cause)
{
	return db_open_version(url, flags, db_latest_version(), out, cause);
}

void
db_busy_ms(struct db *db, int ms)
{
	db->drv->busy_ms(db, ms);
}

void
db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_ST_MAX; i++)
		stmt_finalize(db->cached[i]);
	if (db->drv != NULL)
		db->drv->close(db);
	free(db->path);
	free(db);
}

/* Run a statement to completion; optionally hand back the rowid. */
static int
step_done(struct db *db, struct stmt *st, int64_t *rowid, char **cause,
    const char *what)
{
	int rc = stmt_step(st), r = 0;

	if (rc != STORE_DONE && rc != STORE_ROW)
		r = db_error(db, cause, what);
	else if (rowid != NULL)
		*rowid = db_last_insert_id(db);
	stmt_finalize(st);
	return r;
}

int
db_step_done(struct db *db, struct stmt *st, const char *what, char **cause)
{
	return step_done(db, st, NULL, cause, what);
}

/* SELECT id ... with bound text args; 0 found, -ENOENT none. */
static int
select_id(struct db *db, struct stmt *st, int64_t *id, char **cause)
{
	int rc = stmt_step(st), r;

	if (rc == STORE_ROW) {
		*id = stmt_int64(st, 0);
		r = 0;
	} else if (rc == STORE_DONE)
		r = -ENOENT;
	else
		r = db_error(db, cause, "cannot look up id");
	stmt_finalize(st);
	return r;
}

int
db_host_id(struct db *db, const struct host_identity *h, int64_t *id,
    char **cause)
{
	const char *mid = h->machine_id ? h->machine_id : "";
	struct stmt *st;
	int r;

	st = db_prepare(db, "SELECT id FROM hosts WHERE machine_id = $1 AND "
	    "hostname = $2 AND cpus_possible = $3 AND numa_nodes = $4 AND "
	    "mem_total_kb = $5", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, mid);
	stmt_bind_text(st, 2, h->hostname);
	stmt_bind_int64(st, 3, h->cpus_possible);
	stmt_bind_int64(st, 4, h->numa_nodes);
	stmt_bind_int64(st, 5, h->mem_total_kb);
	if ((r = select_id(db, st, id, cause)) != -ENOENT)
		return r;
	st = db_prepare(db, "INSERT INTO hosts (machine_id, hostname, "
	    "cpus_possible, numa_nodes, nodes, mem_total_kb, first_seen_ns) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7)", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, mid);
	stmt_bind_text(st, 2, h->hostname);
	stmt_bind_int64(st, 3, h->cpus_possible);
	stmt_bind_int64(st, 4, h->numa_nodes);
	stmt_bind_text(st, 5, h->nodes_json ? h->nodes_json : "[]");
	stmt_bind_int64(st, 6, h->mem_total_kb);
	stmt_bind_int64(st, 7, now_real_ns());
	return step_done(db, st, id, cause, "cannot record host");
}

int
db_kernel_id(struct db *db, const struct kernel_identity *k, int64_t *id,
    char **cause)
{
	struct stmt *st;
	int r;

	st = db_prepare(db, "SELECT id FROM kernels WHERE build_key = $1",
	    cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, k->build_key);
	if ((r = select_id(db, st, id, cause)) != -ENOENT)
		return r;
	st = db_prepare(db, "INSERT INTO kernels (build_key, release, version, "
	    "build_id, cmdline, config_hash, config_source, first_seen_ns) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, k->build_key);
	stmt_bind_text(st, 2, k->release);
	stmt_bind_text(st, 3, k->version);
	stmt_bind_text(st, 4, k->build_id);
	stmt_bind_text(st, 5, k->cmdline ? k->cmdline : "");
	stmt_bind_text(st, 6, k->config_hash);
	stmt_bind_text(st, 7, k->config_source);
	stmt_bind_int64(st, 8, now_real_ns());
	return step_done(db, st, id, cause, "cannot record kernel build");
}

int
db_run_insert(struct db *db, const struct run_new *rn, int64_t *id,
    char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO runs (uuid, workload, params, state, "
	    "reason, kernel_id, host_id, label, boot_id, host_state, "
	    "created_ns, started_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	    "$9, $10, $11, $12)", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, rn->uuid);
	stmt_bind_text(st, 2, rn->workload);
	stmt_bind_text(st, 3, rn->params_json);
	stmt_bind_text(st, 4, rn->state);
	stmt_bind_text(st, 5, rn->reason);
	stmt_bind_int64(st, 6, rn->kernel_id);
	stmt_bind_int64(st, 7, rn->host_id);
	stmt_bind_text(st, 8, rn->label);
	stmt_bind_text(st, 9, rn->boot_id ? rn->boot_id : "");
	stmt_bind_text(st, 10, rn->host_state_json ? rn->host_state_json :
	    "{}");
	stmt_bind_int64(st, 11, rn->created_ns);
	if (rn->started_ns != 0)
		stmt_bind_int64(st, 12, rn->started_ns);
	else
		stmt_bind_null(st, 12);
	return step_done(db, st, id, cause, "cannot record run");
}

/* The run's row in the fleet outbox (schema/0010-outbox.sql). */
static int
outbox_add(struct db *db, int64_t run_id, int64_t now_ns, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO outbox (run_uuid, queued_ns) "
	    "SELECT uuid, $2 FROM runs WHERE id = $1 "
	    "ON CONFLICT (run_uuid) DO NOTHING", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_int64(st, 2, now_ns);
	return step_done(db, st, NULL, cause, "cannot queue run for the fleet");
}

/*
 * The end of a run and its outbox row commit together: a run that ended
 * is always on its way to the fleet database, whoever ended it (the
 * supervisor, crash recovery).  Inside the caller's transaction if there
 * is one, else in one of its own.
 */
int
db_run_finish(struct db *db, int64_t run_id, const char *state,
    const char *reason, const char *exit_status, int64_t ended_ns,
    char **cause)
{
	struct stmt *st;
	int own = !db->drv->in_transaction(db), r;

	if (own && (r = db_begin(db, cause)) != 0)
		return r;
	st = db_prepare(db, "UPDATE runs SET state = $2, reason = $3, "
	    "exit_status = $4, ended_ns = $5 WHERE id = $1", cause);
	if (st == NULL) {
		r = -EIO;
		goto out;
	}
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, state);
	stmt_bind_text(st, 3, reason);
	stmt_bind_text(st, 4, exit_status);
	stmt_bind_int64(st, 5, ended_ns);
	if ((r = step_done(db, st, NULL, cause, "cannot update run")) == 0)
		r = outbox_add(db, run_id, now_real_ns(), cause);
	if (r == 0 && own)
		r = db_commit(db, cause);
out:
	if (r != 0 && own)
		db_rollback(db);
	return r;
}

int
db_uuid_lookup(struct db *db, const char *table, const char *what,
    const char *key, int64_t *id, char **cause)
{
	struct stmt *st;
	char *sql, *hi;
	int rc, r, n = 0;

	if (strlen(key) < 4 || strspn(key, "0123456789abcdef-") != strlen(key))
		return set_cause(cause, EINVAL,
		    "'%s' is not a %s uuid (or a prefix of 4+ hex digits)",
		    key, what);
	/* A range scan on the unique uuid index: prefix matching. */
	sql = xasprintf("SELECT id FROM %s WHERE uuid >= $1 AND uuid < $2 "
	    "LIMIT 2", table);
	st = db_prepare(db, sql, cause);
	free(sql);
	if (st == NULL)
		return -EIO;
	hi = xasprintf("%s\x7f", key);
	stmt_bind_text(st, 1, key);
	stmt_bind_text(st, 2, hi);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		*id = stmt_int64(st, 0);
		n++;
	}
	free(hi);
	if (rc != STORE_DONE)
		r = db_error(db, cause, "cannot look up uuid");
	else if (n == 0)
		r = set_cause(cause, ENOENT, "no %s '%s'", what, key);
	else if (n > 1)
		r = set_cause(cause, EEXIST,
		    "%s prefix '%s' is ambiguous: give more of the uuid",
		    what, key);
	else
		r = 0;
	stmt_finalize(st);
	return r;
}

int
db_run_lookup(struct db *db, const char *key, int64_t *id, char **cause)
{
	return db_uuid_lookup(db, "runs", "run", key, id, cause);
}

static const char *
kind_name(enum counter_kind k)
{
	return k == COUNTER_EVENT ? "event" : "gauge";
}

int
db_run_counters(struct db *db, int64_t run_id,
    const struct counter_desc *const *descs, size_t n, char **cause)
{
	struct stmt *ins = NULL, *sel = NULL, *map = NULL;
	int64_t cid;
	size_t i;
	int r = -EIO;

	ins = db_prepare(db, "INSERT INTO counters (name, kind, unit) "
	    "VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", cause);
	sel = db_prepare(db, "SELECT id FROM counters WHERE name = $1", cause);
	map = db_prepare(db, "INSERT INTO run_counters (run_id, idx, "
	    "counter_id) VALUES ($1, $2, $3)", cause);
	if (ins == NULL || sel == NULL || map == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		stmt_bind_text(ins, 1, descs[i]->name);
		stmt_bind_text(ins, 2, kind_name(descs[i]->kind));
		stmt_bind_text(ins, 3, descs[i]->unit ? descs[i]->unit : "");
		if (stmt_step(ins) != STORE_DONE) {
			r = db_error(db, cause, "cannot record counter");
			goto out;
		}
		stmt_reset(ins);
		stmt_bind_text(sel, 1, descs[i]->name);
		if (stmt_step(sel) != STORE_ROW) {
			r = db_error(db, cause, "cannot look up counter");
			goto out;
		}
		cid = stmt_int64(sel, 0);
		stmt_reset(sel);
		stmt_bind_int64(map, 1, run_id);
		stmt_bind_int64(map, 2, (int64_t)i);
		stmt_bind_int64(map, 3, cid);
		if (stmt_step(map) != STORE_DONE) {
			r = db_error(db, cause, "cannot record run counter");
			goto out;
		}
		stmt_reset(map);
	}
	r = 0;
out:
	stmt_finalize(ins);
	stmt_finalize(sel);
	stmt_finalize(map);
	return r;
}

void
sample_encode(struct buf *b, const int64_t *values, size_t n)
{
	unsigned char tmp[10];
	uint64_t z;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		z = ((uint64_t)values[i] << 1) ^ (uint64_t)(values[i] >> 63);
		k = 0;
		do {
			tmp[k] = z & 0x7f;
			z >>= 7;
			if (z != 0)
				tmp[k] |= 0x80;
			k++;
		} while (z != 0);
		buf_add(b, tmp, (size_t)k);
	}
}

long
sample_decode(const void *blob, size_t len, int64_t *values, size_t n)
{
	const unsigned char *p = blob, *end = p + len;
	uint64_t z;
	size_t i;
	int shift;

	for (i = 0; i < n && p < end; i++) {
		z = 0;
		shift = 0;
		for (;;) {
			if (p >= end || shift > 63)
				return -EINVAL;
			z |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
			if (!(*p++ & 0x80))
				break;
		}
		values[i] = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	}
	if (p != end)
		return -EINVAL;
	return (long)i;
}

int
db_sample_insert(struct db *db, int64_t run_id, int64_t seq, int64_t t_ns,
    const char *label, const int64_t *values, size_t n, char **cause)
{
	static __thread struct buf b;
	struct stmt *st;

	st = db_cached(db, DB_ST_SAMPLE, "INSERT INTO samples (run_id, seq, "
	    "t_ns, label, data) VALUES ($1, $2, $3, $4, $5)", cause);
	if (st == NULL)
		return -EIO;
	buf_reset(&b);
	sample_encode(&b, values, n);
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_int64(st, 2, seq);
	stmt_bind_int64(st, 3, t_ns);
	stmt_bind_text(st, 4, label);
	stmt_bind_blob(st, 5, b.s ? b.s : "", (int)b.len);
	return step_cached(db, st, cause, "cannot store sample");
}

int
db_metric_set(struct db *db, int64_t run_id, const char *name, double value,
    const char *unit, const char *better, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO metrics (run_id, name, value, "
	    "unit, better) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, "
	    "name) DO UPDATE SET value = excluded.value, unit = excluded.unit, "
	    "better = excluded.better", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, name);
	stmt_bind_double(st, 3, value);
	stmt_bind_text(st, 4, unit ? unit : "");
	stmt_bind_text(st, 5, better);
	return step_done(db, st, NULL, cause, "cannot store metric");
}

int
db_value_add(struct db *db, int64_t run_id, const char *series, int64_t seq,
    int64_t t_ns, double value, char **cause)
{
	struct stmt *st;

	st = db_cached(db, DB_ST_VALUE, "INSERT INTO run_values (run_id, "
	    "series, seq, t_ns, value) VALUES ($1, $2, $3, $4, $5)", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, series);
	stmt_bind_int64(st, 3, seq);
	stmt_bind_int64(st, 4, t_ns);
	stmt_bind_double(st, 5, value);
	return step_cached(db, st, cause, "cannot store value");
}

int
db_artifact_set(struct db *db, int64_t run_id, const char *name,
    const char *content, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO run_artifacts (run_id, name, "
	    "content) VALUES ($1, $2, $3) ON CONFLICT (run_id, name) DO UPDATE "
	    "SET content = excluded.content", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, name);
	stmt_bind_text(st, 3, content);
	return step_done(db, st, NULL, cause, "cannot store attachment");
}

int
db_unavailable_add(struct db *db, int64_t run_id, const char *source,
    char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO run_unavailable (run_id, source) "
	    "VALUES ($1, $2) ON CONFLICT (run_id, source) DO NOTHING", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	stmt_bind_text(st, 2, source);
	return step_done(db, st, NULL, cause, "cannot store source state");
}

int
db_event_add(struct db *db, const struct event_new *ev, int64_t *id,
    char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO events (run_id, kernel_id, host_id, "
	    "boot_id, kind, title, signature, t_ns, source, text) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", cause);
	if (st == NULL)
		return -EIO;
	if (ev->run_id != 0)
		stmt_bind_int64(st, 1, ev->run_id);
	else
		stmt_bind_null(st, 1);
	stmt_bind_int64(st, 2, ev->kernel_id);
	stmt_bind_int64(st, 3, ev->host_id);
	stmt_bind_text(st, 4, ev->boot_id ? ev->boot_id : "");
	stmt_bind_text(st, 5, ev->kind);
	stmt_bind_text(st, 6, ev->title);
	stmt_bind_text(st, 7, ev->signature ? ev->signature : ev->title);
	stmt_bind_int64(st, 8, ev->t_ns);
	stmt_bind_text(st, 9, ev->source);
	stmt_bind_text(st, 10, ev->text ? ev->text : "");
	return step_done(db, st, id, cause, "cannot store event");
}

int
db_knob_record(struct db *db, int64_t run_id, const char *path,
    const char *original, const char *value, int64_t *knob_id, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO knobs (run_id, path, original, value, "
	    "state, changed_ns) VALUES ($1, $2, $3, $4, 'changed', $5)", cause);
	if (st == NULL)
		return -EIO;
	if (run_id != 0)
		stmt_bind_int64(st, 1, run_id);
	else
		stmt_bind_null(st, 1);
	stmt_bind_text(st, 2, path);
	stmt_bind_text(st, 3, original);
	stmt_bind_text(st, 4, value);
	stmt_bind_int64(st, 5, now_real_ns());
	return step_done(db, st, knob_id, cause, "cannot record knob");
}

int
db_knob_done(struct db *db, int64_t knob_id, const char *state,
    const char *error, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "UPDATE knobs SET state = $2, error = $3, "
	    "restored_ns = $4 WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, knob_id);
	stmt_bind_text(st, 2, state);
	stmt_bind_text(st, 3, error);
	stmt_bind_int64(st, 4, now_real_ns());
	return step_done(db, st, NULL, cause, "cannot update knob");
}
