/*
 * fleet-push.c - the outbox and the SQL text that stores one run in the
 * fleet database (fleet-push.h, docs/fleet.md).
 *
 * The fleet database's ids are its own: every reference is written as
 * the natural key it stands for (a kernel's build_key, a host's
 * five-column identity, a counter's name) and joined there.  The run's
 * INSERT ... ON CONFLICT (uuid) DO NOTHING RETURNING id is a CTE that
 * every child insert reads, so when the run is already there nothing of
 * it is inserted again: a push is idempotent without a round trip to
 * ask first.  Kernels, hosts and counters are inserted in key order, so
 * that concurrent pushes from many machines take their locks in one
 * order and never deadlock.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/util.h"
#include "store/db.h"
#include "store/fleet-push.h"

int
fleet_outbox_next(struct db *db, int64_t now_ns, char **uuid, char **cause)
{
	struct stmt *st;
	int rc, r;

	/* A run whose knob is still changed is not settled yet (export
	 * refuses it too): the next start puts the knob back. */
	st = db_prepare(db, "SELECT o.run_uuid FROM outbox o "
	    "WHERE o.next_ns <= $1 AND NOT EXISTS (SELECT 1 FROM knobs k "
	    "JOIN runs r ON r.id = k.run_id WHERE r.uuid = o.run_uuid AND "
	    "k.state = 'changed') ORDER BY o.next_ns, o.queued_ns LIMIT 1",
	    cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, now_ns);
	rc = stmt_step(st);
	if (rc == STORE_ROW) {
		*uuid = xstrdup(stmt_text(st, 0));
		r = 0;
	} else if (rc == STORE_DONE)
		r = -ENOENT;
	else
		r = db_error(db, cause, "cannot read the fleet outbox");
	stmt_finalize(st);
	return r;
}

/* One statement on one uuid (and maybe more), run to its end. */
static int
outbox_write(struct db *db, const char *sql, const char *uuid, int64_t n,
    const char *text, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	int r = 0;

	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, uuid);
	if (stmt_param_count(st) >= 2)
		stmt_bind_int64(st, 2, n);
	if (stmt_param_count(st) >= 3)
		stmt_bind_text(st, 3, text);
	if (stmt_step(st) != STORE_DONE)
		r = db_error(db, cause, "cannot update the fleet outbox");
	stmt_finalize(st);
	return r;
}

int
fleet_outbox_done(struct db *db, const char *uuid, char **cause)
{
	return outbox_write(db, "DELETE FROM outbox WHERE run_uuid = $1",
	    uuid, 0, NULL, cause);
}

int
fleet_outbox_failed(struct db *db, const char *uuid, int64_t next_ns,
    const char *error, char **cause)
{
	return outbox_write(db, "UPDATE outbox SET attempts = attempts + 1, "
	    "next_ns = $2, last_error = $3 WHERE run_uuid = $1", uuid,
	    next_ns, error, cause);
}

int64_t
fleet_outbox_attempts(struct db *db, const char *uuid)
{
	struct stmt *st = db_prepare(db, "SELECT attempts FROM outbox "
	    "WHERE run_uuid = $1", NULL);
	int64_t n = 0;

	if (st == NULL)
		return 0;
	stmt_bind_text(st, 1, uuid);
	if (stmt_step(st) == STORE_ROW)
		n = stmt_int64(st, 0);
	stmt_finalize(st);
	return n;
}

int
fleet_outbox_backlog(struct db *db, struct fleet_backlog *bl, char **cause)
{
	struct stmt *st;
	int r = 0;

	memset(bl, 0, sizeof *bl);
	st = db_prepare(db, "SELECT count(*), coalesce(min(queued_ns), 0), "
	    "count(last_error) FROM outbox", cause);
	if (st == NULL)
		return -EIO;
	if (stmt_step(st) == STORE_ROW) {
		bl->runs = stmt_int64(st, 0);
		bl->oldest_ns = stmt_int64(st, 1);
		bl->failing = stmt_int64(st, 2);
	} else
		r = db_error(db, cause, "cannot read the fleet outbox");
	stmt_finalize(st);
	return r;
}

/* ---- literals ---- */

static const char *
pg_type(char t)
{
	switch (t) {
	case 'i': return "bigint";
	case 'f': return "float8";
	case 'b': return "bytea";
	default: return "text";
	}
}

/* Text as a standard string literal.  PostgreSQL text holds neither NUL
 * nor bytes that are not UTF-8: such a run is refused here, by name,
 * rather than by the server halfway through the text. */
static int
lit_text(struct buf *b, const char *s, size_t len, char **cause)
{
	size_t i;

	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return set_cause(cause, EILSEQ, "text that is not UTF-8 (or "
		    "has a NUL byte) cannot be stored in PostgreSQL");
	buf_addc(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_addc(b, '\'');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '\'');
	return 0;
}

static void
lit_double(struct buf *b, double d)
{
	if (isnan(d))
		buf_adds(b, "'NaN'::float8");
	else if (isinf(d))
		buf_adds(b, d > 0 ? "'Infinity'::float8" : "'-Infinity'::float8");
	else
		buf_printf(b, "'%.17g'::float8", d); /* reads back exactly */
}

static void
lit_bytea(struct buf *b, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	buf_adds(b, "'\\x");
	for (i = 0; i < len; i++) {
		buf_addc(b, hex[p[i] >> 4]);
		buf_addc(b, hex[p[i] & 15]);
	}
	buf_adds(b, "'::bytea");
}

static int
lit_column(struct buf *b, struct stmt *st, int col, char t, char **cause)
{
	if (stmt_type(st, col) == STORE_NULL) {
		buf_printf(b, "NULL::%s", pg_type(t));
		return 0;
	}
	switch (t) {
	case 'i':
		buf_printf(b, "%" PRId64, stmt_int64(st, col));
		return 0;
	case 'f':
		lit_double(b, stmt_double(st, col));
		return 0;
	case 'b':
		lit_bytea(b, stmt_blob(st, col), stmt_bytes(st, col));
		return 0;
	default:
		return lit_text(b, stmt_text(st, col), stmt_bytes(st, col),
		    cause);
	}
}

/* The rows of a local query on run_id as VALUES tuples "(...),(...)",
 * one literal per column typed by types ('i', 'f', 't', 'b'). */
static int
emit_rows(struct db *db, const char *sql, int64_t run_id, const char *types,
    struct buf *b, size_t *nrows, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	size_t ncol = strlen(types), c;
	int rc, r = 0;

	*nrows = 0;
	if (st == NULL)
		return -EIO;
	if (stmt_param_count(st) >= 1)
		stmt_bind_int64(st, 1, run_id);
	while (r == 0 && (rc = stmt_step(st)) == STORE_ROW) {
		buf_adds(b, *nrows > 0 ? ",\n(" : "(");
		for (c = 0; r == 0 && c < ncol; c++) {
			if (c > 0)
				buf_addc(b, ',');
			r = lit_column(b, st, (int)c, types[c], cause);
		}
		buf_addc(b, ')');
		(*nrows)++;
	}
	if (r == 0 && rc != STORE_DONE)
		r = db_error(db, cause, "cannot read the run to push");
	stmt_finalize(st);
	return r;
}

/* An array element: NULL, a number, or text double-quoted with " and \
 * escaped (then the whole array goes in a string literal). */
static int
array_elem(struct buf *b, struct stmt *st, int col, char t, char **cause)
{
	const char *s;
	size_t len, i;

	if (stmt_type(st, col) == STORE_NULL) {
		buf_adds(b, "NULL");
		return 0;
	}
	if (t == 'i') {
		buf_printf(b, "%" PRId64, stmt_int64(st, col));
		return 0;
	}
	s = stmt_text(st, col);
	len = stmt_bytes(st, col);
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return set_cause(cause, EILSEQ, "text that is not UTF-8 (or "
		    "has a NUL byte) cannot be stored in PostgreSQL");
	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addc(b, '\\');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
	return 0;
}

/*
 * The rows of a local query as one array per column for unnest():
 * "'{..}'::bigint[],'{..}'::text[]".  For the long lists (a run's
 * counters: hundreds of rows) a few array literals parse and plan in a
 * fraction of the time of as many VALUES rows.  Types 'i' and 't' only.
 */
static int
emit_arrays(struct db *db, const char *sql, int64_t run_id, const char *types,
    struct buf *b, size_t *nrows, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	size_t ncol = strlen(types), c, i;
	struct buf *cols;
	int rc, r = 0;

	*nrows = 0;
	if (st == NULL)
		return -EIO;
	cols = xcalloc(ncol, sizeof *cols);
	stmt_bind_int64(st, 1, run_id);
	while (r == 0 && (rc = stmt_step(st)) == STORE_ROW) {
		for (c = 0; r == 0 && c < ncol; c++) {
			buf_addc(&cols[c], *nrows > 0 ? ',' : '{');
			r = array_elem(&cols[c], st, (int)c, types[c], cause);
		}
		(*nrows)++;
	}
	if (r == 0 && rc != STORE_DONE)
		r = db_error(db, cause, "cannot read the run to push");
	for (c = 0; r == 0 && *nrows > 0 && c < ncol; c++) {
		buf_adds(&cols[c], "}");
		if (c > 0)
			buf_addc(b, ',');
		/* the array text as a string literal: ' doubled */
		buf_addc(b, '\'');
		for (i = 0; i < cols[c].len; i++) {
			if (cols[c].s[i] == '\'')
				buf_addc(b, '\'');
			buf_addc(b, cols[c].s[i]);
		}
		buf_printf(b, "'::%s[]", pg_type(types[c]));
	}
	for (c = 0; c < ncol; c++)
		buf_release(&cols[c]);
	free(cols);
	stmt_finalize(st);
	return r;
}

/* ---- what a run is made of ---- */

#define HOST_MATCH "h.machine_id = v.machine_id AND h.hostname = " \
	"v.hostname AND h.cpus_possible = v.cpus_possible AND h.numa_nodes = " \
	"v.numa_nodes AND h.mem_total_kb = v.mem_total_kb"
#define HOST_KEY "machine_id, hostname, cpus_possible, numa_nodes, " \
	"mem_total_kb"
#define RUN_REFS "SELECT kernel_id FROM runs WHERE id = $1 UNION " \
	"SELECT kernel_id FROM events WHERE run_id = $1"
#define RUN_HOSTS "SELECT host_id FROM runs WHERE id = $1 UNION " \
	"SELECT host_id FROM events WHERE run_id = $1"

/* A local query and the fleet statement its rows go in: head, then the
 * VALUES rows (or with arrays, unnest()'s arguments), then tail. */
struct part {
	const char *local, *types, *head, *tail;
	int arrays;          /* 1: unnest() of arrays, not VALUES */
};

/* Before the run: what it refers to, shared with other runs. */
static const struct part shared_parts[] = {
	{ "SELECT build_key, release, version, build_id, cmdline, "
	  "config_hash, config_source, first_seen_ns FROM kernels WHERE id IN "
	  "(" RUN_REFS ") ORDER BY build_key", "ttttttti",
	  "INSERT INTO kernels (build_key, release, version, build_id, "
	  "cmdline, config_hash, config_source, first_seen_ns) VALUES\n",
	  "\nON CONFLICT (build_key) DO NOTHING;\n", 0 },
	{ "SELECT " HOST_KEY ", nodes, first_seen_ns FROM hosts WHERE id IN "
	  "(" RUN_HOSTS ") ORDER BY " HOST_KEY, "ttiiiti",
	  "INSERT INTO hosts (" HOST_KEY ", nodes, first_seen_ns) VALUES\n",
	  "\nON CONFLICT (" HOST_KEY ") DO NOTHING;\n", 0 },
	{ "SELECT name, kind, unit FROM counters WHERE id IN (SELECT "
	  "counter_id FROM run_counters WHERE run_id = $1) ORDER BY name",
	  "ttt", "INSERT INTO counters (name, kind, unit) SELECT * FROM "
	  "unnest(", ")\nON CONFLICT (name) DO NOTHING;\n", 1 },
};

/* The run itself: the CTE r that the parts below read. */
static const struct part run_part = {
	"SELECT r.uuid, r.workload, r.params, r.state, r.reason, k.build_key, "
	"h.machine_id, h.hostname, h.cpus_possible, h.numa_nodes, "
	"h.mem_total_kb, r.label, r.boot_id, r.host_state, r.created_ns, "
	"r.started_ns, r.ended_ns, r.exit_status FROM runs r JOIN kernels k "
	"ON k.id = r.kernel_id JOIN hosts h ON h.id = r.host_id "
	"WHERE r.id = $1", "ttttttttiiitttiiit",
	"WITH r AS (INSERT INTO runs (uuid, workload, params, state, reason, "
	"kernel_id, host_id, label, boot_id, host_state, created_ns, "
	"started_ns, ended_ns, exit_status)\nSELECT v.uuid, v.workload, "
	"v.params, v.state, v.reason, k.id, h.id, v.label, v.boot_id, "
	"v.host_state, v.created_ns, v.started_ns, v.ended_ns, v.exit_status "
	"FROM (VALUES\n",
	") AS v(uuid, workload, params, state, reason, build_key, " HOST_KEY
	", label, boot_id, host_state, created_ns, started_ns, ended_ns, "
	"exit_status)\nJOIN kernels k ON k.build_key = v.build_key JOIN hosts "
	"h ON " HOST_MATCH "\nON CONFLICT (uuid) DO NOTHING RETURNING id, "
	"workload)", 0 };

/* The run's own rows, each a CTE inserting only if r inserted the run. */
static const struct part run_parts[] = {
	{ "SELECT rc.idx, c.name FROM run_counters rc JOIN counters c ON "
	  "c.id = rc.counter_id WHERE rc.run_id = $1 ORDER BY rc.idx", "it",
	  "INSERT INTO run_counters (run_id, idx, counter_id) SELECT r.id, "
	  "v.idx, c.id FROM r, unnest(",
	  ") AS v(idx, name) JOIN counters c ON c.name = v.name", 1 },
	{ "SELECT seq, t_ns, label, data FROM samples WHERE run_id = $1 "
	  "ORDER BY seq", "iitb",
	  "INSERT INTO samples (run_id, seq, t_ns, label, data) SELECT r.id, "
	  "v.seq, v.t_ns, v.label, v.data FROM r, (VALUES\n",
	  ") AS v(seq, t_ns, label, data)", 0 },
	{ "SELECT name, value, unit, better FROM metrics WHERE run_id = $1 "
	  "ORDER BY name", "tftt",
	  "INSERT INTO metrics (run_id, name, value, unit, better) SELECT "
	  "r.id, v.name, v.value, v.unit, v.better FROM r, (VALUES\n",
	  ") AS v(name, value, unit, better)", 0 },
	{ "SELECT series, seq, t_ns, value FROM run_values WHERE run_id = $1 "
	  "ORDER BY series, seq", "tiif",
	  "INSERT INTO run_values (run_id, series, seq, t_ns, value) SELECT "
	  "r.id, v.series, v.seq, v.t_ns, v.value FROM r, (VALUES\n",
	  ") AS v(series, seq, t_ns, value)", 0 },
	/* Events get the fleet's own ids, in the local order; their kernel
	 * and host may differ from the run's (a pstore record). */
	{ "SELECT k.build_key, h.machine_id, h.hostname, h.cpus_possible, "
	  "h.numa_nodes, h.mem_total_kb, e.boot_id, e.kind, e.title, "
	  "e.signature, e.t_ns, e.source, e.text FROM events e JOIN kernels k "
	  "ON k.id = e.kernel_id JOIN hosts h ON h.id = e.host_id "
	  "WHERE e.run_id = $1 ORDER BY e.id", "tttiiittttitt",
	  "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, "
	  "title, signature, t_ns, source, text, workload) SELECT r.id, k.id, "
	  "h.id, v.boot_id, v.kind, v.title, v.signature, v.t_ns, v.source, "
	  "v.text, r.workload FROM r, (VALUES\n",
	  ") AS v(build_key, " HOST_KEY ", boot_id, kind, title, signature, "
	  "t_ns, source, text)\nJOIN kernels k ON k.build_key = v.build_key "
	  "JOIN hosts h ON " HOST_MATCH, 0 },
	{ "SELECT source FROM run_unavailable WHERE run_id = $1 ORDER BY "
	  "source", "t",
	  "INSERT INTO run_unavailable (run_id, source) SELECT r.id, v.source "
	  "FROM r, (VALUES\n", ") AS v(source)", 0 },
	{ "SELECT name, content FROM run_artifacts WHERE run_id = $1 ORDER BY "
	  "name", "tt",
	  "INSERT INTO run_artifacts (run_id, name, content) SELECT r.id, "
	  "v.name, v.content FROM r, (VALUES\n", ") AS v(name, content)", 0 },
	{ "SELECT path, original, value, state, changed_ns, restored_ns, "
	  "error FROM knobs WHERE run_id = $1 ORDER BY id", "ttttiit",
	  "INSERT INTO knobs (run_id, path, original, value, state, "
	  "changed_ns, restored_ns, error) SELECT r.id, v.path, v.original, "
	  "v.value, v.state, v.changed_ns, v.restored_ns, v.error FROM r, "
	  "(VALUES\n", ") AS v(path, original, value, state, changed_ns, "
	  "restored_ns, error)", 0 },
};

/* head, rows, tail into sql; nothing when the query has no row. */
static int
emit_part(struct db *db, const struct part *p, int64_t run_id,
    const char *before, struct buf *sql, struct buf *rows, size_t *n,
    char **cause)
{
	int r;

	buf_reset(rows);
	r = p->arrays ? emit_arrays(db, p->local, run_id, p->types, rows, n,
	    cause) : emit_rows(db, p->local, run_id, p->types, rows, n, cause);
	if (r != 0 || *n == 0)
		return r;
	buf_adds(sql, before);
	buf_adds(sql, p->head);
	buf_add(sql, rows->s, rows->len);
	buf_adds(sql, p->tail);
	return 0;
}

int
fleet_push_sql(struct db *db, const char *uuid, struct buf *sql,
    char **cause)
{
	struct buf rows = BUF_INIT;
	int64_t run_id;
	size_t i, n, k = 0;
	char *name;
	int r;

	if ((r = db_uuid_lookup(db, "runs", "run", uuid, &run_id, cause)) != 0)
		return r;
	for (i = 0; i < sizeof shared_parts / sizeof shared_parts[0]; i++)
		if ((r = emit_part(db, &shared_parts[i], run_id, "", sql, &rows,
		    &n, cause)) != 0)
			goto out;
	if ((r = emit_part(db, &run_part, run_id, "", sql, &rows, &n,
	    cause)) != 0)
		goto out;
	if (n != 1) {
		r = set_cause(cause, ENOENT, "run '%s' has no kernel or host",
		    uuid);
		goto out;
	}
	for (i = 0; i < sizeof run_parts / sizeof run_parts[0]; i++) {
		name = xasprintf(",\nc%zu AS (", k);
		r = emit_part(db, &run_parts[i], run_id, name, sql, &rows, &n,
		    cause);
		free(name);
		if (r != 0)
			goto out;
		if (n > 0) {
			buf_addc(sql, ')');
			k++;
		}
	}
	buf_adds(sql, "\nSELECT count(*) FROM r;\n");
out:
	if (r != 0 && cause != NULL && *cause != NULL) {
		name = xasprintf("run '%s': %s", uuid, *cause);
		free(*cause);
		*cause = name;
	}
	buf_release(&rows);
	return r;
}
