/*
 * fleet-push.c - the outbox and the SQL text that stores one run in the
 * fleet database (fleet-push.h, docs/fleet.md).
 *
 * The fleet database's ids are its own: every reference is written as
 * the natural key it stands for (a kernel's build_key, a host's
 * five-column identity, a counter's name, a counter set's key) and
 * joined there.  The text only EXECUTEs statements the connection
 * prepared (push_statements below), with array literals as arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sha256.h"
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

static int
check_text(const char *s, size_t len, char **cause)
{
	/* PostgreSQL text holds neither NUL nor bytes that are not UTF-8:
	 * such a run is refused here, by name, rather than by the server
	 * halfway through the text. */
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return set_cause(cause, EILSEQ, "text that is not UTF-8 (or "
		    "has a NUL byte) cannot be stored in PostgreSQL");
	return 0;
}

/* s as a standard string literal: ' doubled. */
static void
lit_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addc(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_addc(b, '\'');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '\'');
}

/* A double as text that reads back exactly (float8 input). */
static void
add_double(struct buf *b, double d)
{
	if (isnan(d))
		buf_adds(b, "NaN");
	else if (isinf(d))
		buf_adds(b, d > 0 ? "Infinity" : "-Infinity");
	else
		buf_printf(b, "%.17g", d);
}

static void
add_hex(struct buf *b, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		buf_addc(b, hex[p[i] >> 4]);
		buf_addc(b, hex[p[i] & 15]);
	}
}

/* One column of a local row as an EXECUTE argument: a literal. */
static int
lit_column(struct buf *b, struct stmt *st, int col, char t, char **cause)
{
	struct buf v = BUF_INIT;
	int r = 0;

	if (stmt_type(st, col) == STORE_NULL) {
		buf_adds(b, "NULL");
		return 0;
	}
	switch (t) {
	case 'i':
		buf_printf(b, "%" PRId64, stmt_int64(st, col));
		return 0;
	case 'f':
		add_double(&v, stmt_double(st, col));
		break;
	case 'b':
		buf_adds(&v, "\\x");
		add_hex(&v, stmt_blob(st, col), stmt_bytes(st, col));
		break;
	default:
		r = check_text(stmt_text(st, col), stmt_bytes(st, col), cause);
		if (r == 0)
			buf_add(&v, stmt_text(st, col), stmt_bytes(st, col));
	}
	if (r == 0)
		lit_quoted(b, v.s, v.len);
	buf_release(&v);
	return r;
}

/* An array element: NULL, a number, or text double-quoted with " and \
 * escaped (then the whole array goes in a string literal). */
static int
array_elem(struct buf *b, struct stmt *st, int col, char t, char **cause)
{
	const char *s;
	size_t len, i;
	int r;

	if (stmt_type(st, col) == STORE_NULL) {
		buf_adds(b, "NULL");
		return 0;
	}
	switch (t) {
	case 'i':
		buf_printf(b, "%" PRId64, stmt_int64(st, col));
		return 0;
	case 'f':
		add_double(b, stmt_double(st, col));
		return 0;
	case 'b':               /* "\\x..": the array's \ escaped */
		buf_adds(b, "\"\\\\x");
		add_hex(b, stmt_blob(st, col), stmt_bytes(st, col));
		buf_addc(b, '"');
		return 0;
	}
	s = stmt_text(st, col);
	len = stmt_bytes(st, col);
	if ((r = check_text(s, len, cause)) != 0)
		return r;
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
 * The rows of a local query on run_id as EXECUTE arguments, one per
 * column typed by types ('i', 'f', 't', 'b'): with arrays, one array
 * literal per column ("'{..}'::bigint[],'{..}'::text[]", empty when
 * there is no row); without, the one row's literals.  Also the
 * SHA-256 of column hash_col's values in order when hash_col >= 0.
 */
static int
emit_args(struct db *db, const char *sql, int64_t run_id, const char *types,
    int arrays, int hash_col, char key[65], struct buf *b, size_t *nrows,
    char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	size_t ncol = strlen(types), c;
	struct buf *cols;
	struct sha256 h;
	unsigned char d[32];
	int rc, r = 0;

	*nrows = 0;
	if (st == NULL)
		return -EIO;
	cols = xcalloc(ncol, sizeof *cols);
	sha256_init(&h);
	stmt_bind_int64(st, 1, run_id);
	while (r == 0 && (rc = stmt_step(st)) == STORE_ROW) {
		for (c = 0; r == 0 && c < ncol; c++) {
			if (!arrays)
				r = lit_column(&cols[c], st, (int)c, types[c],
				    cause);
			else {
				buf_addc(&cols[c], *nrows > 0 ? ',' : '{');
				r = array_elem(&cols[c], st, (int)c, types[c],
				    cause);
			}
		}
		if (hash_col >= 0)      /* names hold no NUL: a separator */
			sha256_update(&h, stmt_text(st, hash_col),
			    stmt_bytes(st, hash_col) + 1);
		(*nrows)++;
	}
	if (r == 0 && rc != STORE_DONE)
		r = db_error(db, cause, "cannot read the run to push");
	for (c = 0; r == 0 && c < ncol; c++) {
		buf_adds(b, c > 0 ? "," : "");
		if (!arrays) {
			buf_add(b, cols[c].s, cols[c].len);
			continue;
		}
		buf_adds(&cols[c], *nrows > 0 ? "}" : "{}");
		lit_quoted(b, cols[c].s, cols[c].len);
		buf_printf(b, "::%s[]", pg_type(types[c]));
	}
	if (hash_col >= 0) {
		sha256_final(&h, d);
		for (c = 0; c < 32; c++)
			snprintf(key + 2 * c, 3, "%02x", d[c]);
	}
	for (c = 0; c < ncol; c++)
		buf_release(&cols[c]);
	free(cols);
	stmt_finalize(st);
	return r;
}

/* ---- what a run is made of ---- */

#define HOST_KEY "machine_id, hostname, cpus_possible, numa_nodes, " \
	"mem_total_kb"
#define RUN_REFS "SELECT kernel_id FROM runs WHERE id = $1 UNION " \
	"SELECT kernel_id FROM events WHERE run_id = $1"
#define RUN_HOSTS "SELECT host_id FROM runs WHERE id = $1 UNION " \
	"SELECT host_id FROM events WHERE run_id = $1"
/* A host's five-column identity, from arguments $a.. of a statement. */
#define HOST_MATCH(a, b, c, d, e) "h.machine_id = " a " AND h.hostname = " \
	b " AND h.cpus_possible = " c " AND h.numa_nodes = " d " AND " \
	"h.mem_total_kb = " e

/*
 * The statements a push EXECUTEs, prepared once per connection
 * (pg-async.c) so that no push is parsed or planned: every argument is
 * an array, unnest()ed into its table.  Kernels, hosts and counters
 * are inserted in key order, so that concurrent pushes from many
 * machines take their locks in one order and never deadlock.
 *
 * A run's counter list is a counter set, stored once under its key
 * (schema/postgresql/0013-fleet-scale.sql): its counters go in only
 * while the set is unknown, and the set's items with the set's row.  A
 * set inserted by a push still open makes the other's ON CONFLICT wait
 * for it; its next statement (a new snapshot) then sees it.
 *
 * mmstorm_push_run inserts the run ON CONFLICT (uuid) DO NOTHING
 * RETURNING id as the CTE r that every child insert reads: when the
 * run is already there nothing of it is inserted again, so a push is
 * idempotent without a round trip to ask first.
 */
static const char push_statements[] =
	"PREPARE mmstorm_push_kernels (text[], text[], text[], text[], "
	"text[], text[], text[], bigint[]) AS INSERT INTO kernels (build_key, "
	"release, version, build_id, cmdline, config_hash, config_source, "
	"first_seen_ns) SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8) "
	"ON CONFLICT (build_key) DO NOTHING;\n"
	"PREPARE mmstorm_push_hosts (text[], text[], bigint[], bigint[], "
	"bigint[], text[], bigint[]) AS INSERT INTO hosts (" HOST_KEY ", "
	"nodes, first_seen_ns) SELECT * FROM unnest($1, $2, $3, $4, $5, $6, "
	"$7) ON CONFLICT (" HOST_KEY ") DO NOTHING;\n"
	"PREPARE mmstorm_push_counters (text, text[], text[], text[]) AS "
	"INSERT INTO counters (name, kind, unit) SELECT * FROM unnest($2, $3, "
	"$4) WHERE NOT EXISTS (SELECT 1 FROM counter_sets WHERE key = $1) "
	"ON CONFLICT (name) DO NOTHING;\n"
	"PREPARE mmstorm_push_set (text, bigint[], text[]) AS "
	"WITH s AS (INSERT INTO counter_sets (key) VALUES ($1) ON CONFLICT "
	"(key) DO NOTHING RETURNING id) INSERT INTO counter_set_items "
	"(set_id, idx, counter_id) SELECT s.id, v.idx, c.id FROM s, "
	"unnest($2, $3) AS v(idx, name) JOIN counters c ON c.name = v.name;\n"
	"PREPARE mmstorm_push_run (text, text, text, text, text, text, text, "
	"text, bigint, bigint, bigint, text, text, text, bigint, bigint, "
	"bigint, text, text, "
	"bigint[], bigint[], text[], bytea[], "               /* $20 samples */
	"text[], float8[], text[], text[], "                  /* $24 metrics */
	"text[], bigint[], bigint[], float8[], "              /* $28 values */
	"text[], text[], text[], bigint[], bigint[], bigint[], text[], "
	"text[], text[], text[], bigint[], text[], text[], "  /* $32 events */
	"text[], text[], text[], "          /* $45 unavailable, $46 artifacts */
	"text[], text[], text[], text[], bigint[], bigint[], text[]) AS "
	"WITH r AS (INSERT INTO runs (uuid, workload, params, state, reason, "
	"kernel_id, host_id, label, boot_id, host_state, created_ns, "
	"started_ns, ended_ns, exit_status, counter_set_id) SELECT $1, $2, "
	"$3, $4, $5, k.id, h.id, $12, $13, $14, $15, $16, $17, $18, (SELECT "
	"id FROM counter_sets WHERE key = $19) FROM kernels k, hosts h WHERE "
	"k.build_key = $6 AND " HOST_MATCH("$7", "$8", "$9", "$10", "$11")
	" ON CONFLICT (uuid) DO NOTHING RETURNING id, workload),\n"
	"c0 AS (INSERT INTO samples (run_id, seq, t_ns, label, data) SELECT "
	"r.id, v.* FROM r, unnest($20, $21, $22, $23) AS v),\n"
	"c1 AS (INSERT INTO metrics (run_id, name, value, unit, better) "
	"SELECT r.id, v.* FROM r, unnest($24, $25, $26, $27) AS v),\n"
	"c2 AS (INSERT INTO run_values (run_id, series, seq, t_ns, value) "
	"SELECT r.id, v.* FROM r, unnest($28, $29, $30, $31) AS v),\n"
	/* Events get the fleet's own ids, in the local order; their kernel
	 * and host may differ from the run's (a pstore record). */
	"c3 AS (INSERT INTO events (run_id, kernel_id, host_id, boot_id, "
	"kind, title, signature, t_ns, source, text, workload) SELECT r.id, "
	"k.id, h.id, v.boot_id, v.kind, v.title, v.signature, v.t_ns, "
	"v.source, v.text, r.workload FROM r, unnest($32, $33, $34, $35, $36, "
	"$37, $38, $39, $40, $41, $42, $43, $44) WITH ORDINALITY AS "
	"v(build_key, m, hn, cp, nn, mk, boot_id, kind, title, signature, "
	"t_ns, source, text, o) JOIN kernels k ON k.build_key = v.build_key "
	"JOIN hosts h ON " HOST_MATCH("v.m", "v.hn", "v.cp", "v.nn", "v.mk")
	" ORDER BY v.o),\n"
	"c4 AS (INSERT INTO run_unavailable (run_id, source) SELECT r.id, "
	"v.* FROM r, unnest($45) AS v),\n"
	"c5 AS (INSERT INTO run_artifacts (run_id, name, content) SELECT "
	"r.id, v.* FROM r, unnest($46, $47) AS v),\n"
	"c6 AS (INSERT INTO knobs (run_id, path, original, value, state, "
	"changed_ns, restored_ns, error) SELECT r.id, v.path, v.original, "
	"v.value, v.state, v.changed_ns, v.restored_ns, v.error FROM r, "
	"unnest($48, $49, $50, $51, $52, $53, $54) WITH ORDINALITY AS v(path, "
	"original, value, state, changed_ns, restored_ns, error, o) "
	"ORDER BY v.o)\n"
	"SELECT count(*) FROM r;\n";

const char *
fleet_push_statements(void)
{
	return push_statements;
}

/* A local query and the arguments it makes. */
struct part {
	const char *local, *types;
	int arrays;           /* 1: one array per column */
};

/* What the run refers to, shared with other runs. */
static const struct part kernels_part = {
	"SELECT build_key, release, version, build_id, cmdline, "
	"config_hash, config_source, first_seen_ns FROM kernels WHERE id IN "
	"(" RUN_REFS ") ORDER BY build_key", "ttttttti", 1 };
static const struct part hosts_part = {
	"SELECT " HOST_KEY ", nodes, first_seen_ns FROM hosts WHERE id IN "
	"(" RUN_HOSTS ") ORDER BY " HOST_KEY, "ttiiiti", 1 };
static const struct part counters_part = {
	"SELECT name, kind, unit FROM counters WHERE id IN (SELECT "
	"counter_id FROM run_counters WHERE run_id = $1) ORDER BY name",
	"ttt", 1 };
/* The counter set: its key hashes the names (column 1) in index order. */
static const struct part set_part = {
	"SELECT rc.idx, c.name FROM run_counters rc JOIN counters c ON "
	"c.id = rc.counter_id WHERE rc.run_id = $1 ORDER BY rc.idx", "it", 1 };

/* The run's own row, then its children: mmstorm_push_run's arguments
 * in order (the counter set's key goes between them). */
static const struct part run_part = {
	"SELECT r.uuid, r.workload, r.params, r.state, r.reason, k.build_key, "
	"h.machine_id, h.hostname, h.cpus_possible, h.numa_nodes, "
	"h.mem_total_kb, r.label, r.boot_id, r.host_state, r.created_ns, "
	"r.started_ns, r.ended_ns, r.exit_status FROM runs r JOIN kernels k "
	"ON k.id = r.kernel_id JOIN hosts h ON h.id = r.host_id "
	"WHERE r.id = $1", "ttttttttiiitttiiit", 0 };
static const struct part child_parts[] = {
	{ "SELECT seq, t_ns, label, data FROM samples WHERE run_id = $1 "
	  "ORDER BY seq", "iitb", 1 },
	{ "SELECT name, value, unit, better FROM metrics WHERE run_id = $1 "
	  "ORDER BY name", "tftt", 1 },
	{ "SELECT series, seq, t_ns, value FROM run_values WHERE run_id = $1 "
	  "ORDER BY series, seq", "tiif", 1 },
	{ "SELECT k.build_key, h.machine_id, h.hostname, h.cpus_possible, "
	  "h.numa_nodes, h.mem_total_kb, e.boot_id, e.kind, e.title, "
	  "e.signature, e.t_ns, e.source, e.text FROM events e JOIN kernels k "
	  "ON k.id = e.kernel_id JOIN hosts h ON h.id = e.host_id "
	  "WHERE e.run_id = $1 ORDER BY e.id", "tttiiittttitt", 1 },
	{ "SELECT source FROM run_unavailable WHERE run_id = $1 ORDER BY "
	  "source", "t", 1 },
	{ "SELECT name, content FROM run_artifacts WHERE run_id = $1 ORDER BY "
	  "name", "tt", 1 },
	{ "SELECT path, original, value, state, changed_ns, restored_ns, "
	  "error FROM knobs WHERE run_id = $1 ORDER BY id", "ttttiit", 1 },
};

/* One part's arguments appended to args (after a comma unless first). */
static int
add_part(struct db *db, const struct part *p, int64_t run_id, int hash_col,
    char key[65], struct buf *args, struct buf *tmp, size_t *n,
    char **cause)
{
	int r;

	buf_reset(tmp);
	r = emit_args(db, p->local, run_id, p->types, p->arrays, hash_col,
	    key, tmp, n, cause);
	if (r == 0) {
		buf_adds(args, args->len > 0 ? "," : "");
		buf_add(args, tmp->s, tmp->len);
	}
	return r;
}

/* EXECUTE name(args); into sql, args reset after. */
static void
execute(struct buf *sql, const char *name, struct buf *args)
{
	buf_printf(sql, "EXECUTE %s(", name);
	buf_add(sql, args->s, args->len);
	buf_adds(sql, ");\n");
	buf_reset(args);
}

int
fleet_sets_has(const struct fleet_sets *s, const char *key)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcmp(s->key[i], key) == 0)
			return 1;
	return 0;
}

void
fleet_sets_add(struct fleet_sets *s, const char *key)
{
	if (key[0] == '\0' || fleet_sets_has(s, key))
		return;
	s->key = xreallocarray(s->key, s->n + 1, sizeof *s->key);
	snprintf(s->key[s->n++], sizeof *s->key, "%s", key);
}

void
fleet_sets_clear(struct fleet_sets *s)
{
	free(s->key);
	s->key = NULL;
	s->n = 0;
}

/* The kernels, hosts and counter set of the run: *key its set's key
 * ("" when the run has no counter); a set in known is not sent. */
static int
push_shared(struct db *db, int64_t run_id, const struct fleet_sets *known,
    struct buf *sql, struct buf *args, struct buf *tmp, char key[65],
    char **cause)
{
	size_t n;
	int r;

	if ((r = add_part(db, &kernels_part, run_id, -1, NULL, args, tmp, &n,
	    cause)) != 0)
		return r;
	execute(sql, "mmstorm_push_kernels", args);
	if ((r = add_part(db, &hosts_part, run_id, -1, NULL, args, tmp, &n,
	    cause)) != 0)
		return r;
	execute(sql, "mmstorm_push_hosts", args);
	/* the set's items first, for its key */
	if ((r = add_part(db, &set_part, run_id, 1, key, args, tmp, &n,
	    cause)) != 0)
		return r;
	if (n == 0 || fleet_sets_has(known, key)) {
		if (n == 0)
			key[0] = '\0';
		buf_reset(args);
		return 0;
	}
	buf_printf(sql, "EXECUTE mmstorm_push_counters('%s'", key);
	if ((r = add_part(db, &counters_part, run_id, -1, NULL, sql, tmp, &n,
	    cause)) != 0)
		return r;
	buf_adds(sql, ");\n");
	buf_printf(sql, "EXECUTE mmstorm_push_set('%s',", key);
	buf_add(sql, args->s, args->len);
	buf_adds(sql, ");\n");
	buf_reset(args);
	return 0;
}

int
fleet_push_sql(struct db *db, const char *uuid,
    const struct fleet_sets *known, char key[65], struct buf *sql,
    char **cause)
{
	struct buf args = BUF_INIT, tmp = BUF_INIT;
	char *m;
	int64_t run_id;
	size_t i, n;
	int r;

	if ((r = db_uuid_lookup(db, "runs", "run", uuid, &run_id, cause)) != 0)
		return r;
	key[0] = '\0';
	if ((r = push_shared(db, run_id, known, sql, &args, &tmp, key,
	    cause)) != 0)
		goto out;
	if ((r = add_part(db, &run_part, run_id, -1, NULL, &args, &tmp, &n,
	    cause)) != 0)
		goto out;
	if (n != 1) {
		r = set_cause(cause, ENOENT, "run '%s' has no kernel or host",
		    uuid);
		goto out;
	}
	buf_printf(&args, key[0] != '\0' ? ",'%s'" : ",NULL", key);
	for (i = 0; i < sizeof child_parts / sizeof child_parts[0]; i++)
		if ((r = add_part(db, &child_parts[i], run_id, -1, NULL, &args,
		    &tmp, &n, cause)) != 0)
			goto out;
	execute(sql, "mmstorm_push_run", &args);
out:
	if (r != 0 && cause != NULL && *cause != NULL) {
		m = xasprintf("run '%s': %s", uuid, *cause);
		free(*cause);
		*cause = m;
	}
	buf_release(&args);
	buf_release(&tmp);
	return r;
}
