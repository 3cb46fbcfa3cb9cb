/*
 * export.c - runs as JSON lines: a canonical writer and a strict reader
 * (docs/export-format.md).
 *
 * Both sides are driven by one table of line types: the columns of each
 * line, in the order they are written, with the query that reads them
 * and the statement that stores them.  The writer prints JSON itself
 * instead of through jansson so that the bytes (number formatting, key
 * order, escapes) depend on nothing but this file: export -> import ->
 * export must give the same file.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "store/db.h"
#include "store/export.h"
#include "common/sha256.h"
#include "common/util.h"

enum col_type {
	COL_INT,
	COL_REAL,     /* non-finite values as the strings "inf", "-inf" */
	COL_TEXT,     /* a string, or {"base64": ...} when not UTF-8 */
	COL_RUN,      /* the uuid of the run whose lines these are */
	COL_KERNEL,   /* the build_key of a kernel line before it */
	COL_HOST,     /* the ref of a host line before it */
	COL_INTS,     /* array of integers (sample values) */
	COL_TEXTS,    /* array of strings (counter names, kinds, units) */
};

struct column {
	const char *name;
	enum col_type type;
	int nullable;
	const char *const *allowed;   /* text values the schema CHECKs */
};

enum line_kind {
	LT_KERNEL,
	LT_HOST,
	LT_RUN,
	LT_COUNTERS,
	LT_SAMPLE,
	LT_METRIC,
	LT_VALUE,
	LT_EVENT,
	LT_UNAVAILABLE,
	LT_ARTIFACT,
	LT_KNOB,
	LT_HEADER,
	LT_END,
	LT_COUNT
};

struct line_type {
	const char *name;
	const char *table;
	const struct column *cols;
	size_t ncols;
	/* Export: the rows, $1 the run id (kernel, host: their own id),
	 * one result column per column above. */
	const char *select;
	/* Import: ?N is column N. */
	const char *insert;
};

static const char *const run_states[] = { "passed", "failed", "lockup",
	"crashed", "interrupted", "skipped", NULL };
static const char *const better_values[] = { "lower", "higher", NULL };
/* A knob still 'changed' is never exported nor imported: mmstormd
 * restores every such knob at start (runner_recover), and would write
 * another machine's original value into this machine's sysfs. */
static const char *const knob_states[] = { "restored", "failed", NULL };
static const char *const counter_kinds[] = { "event", "gauge", NULL };

static const struct column kernel_cols[] = {
	{ "build_key", COL_TEXT, 0, NULL },
	{ "release", COL_TEXT, 0, NULL },
	{ "version", COL_TEXT, 0, NULL },
	{ "build_id", COL_TEXT, 1, NULL },
	{ "cmdline", COL_TEXT, 0, NULL },
	{ "config_hash", COL_TEXT, 1, NULL },
	{ "config_source", COL_TEXT, 1, NULL },
	{ "first_seen_ns", COL_INT, 0, NULL },
};

static const struct column host_cols[] = {
	{ "ref", COL_HOST, 0, NULL },
	{ "machine_id", COL_TEXT, 0, NULL },
	{ "hostname", COL_TEXT, 0, NULL },
	{ "cpus_possible", COL_INT, 0, NULL },
	{ "numa_nodes", COL_INT, 0, NULL },
	{ "nodes", COL_TEXT, 0, NULL },
	{ "mem_total_kb", COL_INT, 0, NULL },
	{ "first_seen_ns", COL_INT, 0, NULL },
};

static const struct column run_cols[] = {
	{ "uuid", COL_TEXT, 0, NULL },
	{ "kernel", COL_KERNEL, 0, NULL },
	{ "host", COL_HOST, 0, NULL },
	{ "workload", COL_TEXT, 0, NULL },
	{ "params", COL_TEXT, 0, NULL },
	{ "state", COL_TEXT, 0, run_states },
	{ "reason", COL_TEXT, 1, NULL },
	{ "label", COL_TEXT, 1, NULL },
	{ "boot_id", COL_TEXT, 0, NULL },
	{ "host_state", COL_TEXT, 0, NULL },
	{ "created_ns", COL_INT, 0, NULL },
	{ "started_ns", COL_INT, 1, NULL },
	{ "ended_ns", COL_INT, 1, NULL },
	{ "exit_status", COL_TEXT, 1, NULL },
};

static const struct column counters_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "names", COL_TEXTS, 0, NULL },
	{ "kinds", COL_TEXTS, 0, counter_kinds },
	{ "units", COL_TEXTS, 0, NULL },
};

static const struct column sample_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "seq", COL_INT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "label", COL_TEXT, 1, NULL },
	{ "values", COL_INTS, 0, NULL },
};

static const struct column metric_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "name", COL_TEXT, 0, NULL },
	{ "value", COL_REAL, 0, NULL },
	{ "unit", COL_TEXT, 0, NULL },
	{ "better", COL_TEXT, 0, better_values },
};

static const struct column value_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "series", COL_TEXT, 0, NULL },
	{ "seq", COL_INT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "value", COL_REAL, 0, NULL },
};

static const struct column event_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "kernel", COL_KERNEL, 0, NULL },
	{ "host", COL_HOST, 0, NULL },
	{ "boot_id", COL_TEXT, 0, NULL },
	{ "kind", COL_TEXT, 0, NULL },
	{ "title", COL_TEXT, 0, NULL },
	{ "signature", COL_TEXT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "source", COL_TEXT, 0, NULL },
	{ "text", COL_TEXT, 0, NULL },
};

static const struct column unavailable_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "source", COL_TEXT, 0, NULL },
};

static const struct column artifact_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "name", COL_TEXT, 0, NULL },
	{ "content", COL_TEXT, 0, NULL },
};

static const struct column knob_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "path", COL_TEXT, 0, NULL },
	{ "original", COL_TEXT, 0, NULL },
	{ "value", COL_TEXT, 0, NULL },
	{ "state", COL_TEXT, 0, knob_states },
	{ "changed_ns", COL_INT, 0, NULL },
	{ "restored_ns", COL_INT, 1, NULL },
	{ "error", COL_TEXT, 1, NULL },
};

static const struct column header_cols[] = {
	{ "version", COL_INT, 0, NULL },
};

static const struct column end_cols[] = {
	{ "runs", COL_INT, 0, NULL },
	{ "lines", COL_INT, 0, NULL },
	{ "sha256", COL_TEXT, 0, NULL },
};

#define COLS(a) a, ARRAY_SIZE(a)

static const struct line_type line_types[LT_COUNT] = {
	[LT_KERNEL] = { "kernel", "kernels", COLS(kernel_cols),
	    "SELECT build_key, release, version, build_id, cmdline, "
	    "config_hash, config_source, first_seen_ns FROM kernels "
	    "WHERE id = $1",
	    "INSERT INTO kernels (build_key, release, version, build_id, "
	    "cmdline, config_hash, config_source, first_seen_ns) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8)" },
	/* $1, the ref, exists only in the file. */
	[LT_HOST] = { "host", "hosts", COLS(host_cols),
	    "SELECT id, machine_id, hostname, cpus_possible, numa_nodes, "
	    "nodes, mem_total_kb, first_seen_ns FROM hosts WHERE id = $1",
	    "INSERT INTO hosts (machine_id, hostname, cpus_possible, "
	    "numa_nodes, nodes, mem_total_kb, first_seen_ns) VALUES "
	    "($2, $3, $4, $5, $6, $7, $8)" },
	/* pid and job_id mean something only on the machine of the run. */
	[LT_RUN] = { "run", "runs", COLS(run_cols),
	    "SELECT uuid, kernel_id, host_id, workload, params, state, "
	    "reason, label, boot_id, host_state, created_ns, started_ns, "
	    "ended_ns, exit_status FROM runs WHERE id = $1",
	    "INSERT INTO runs (uuid, kernel_id, host_id, workload, params, "
	    "state, reason, label, boot_id, host_state, created_ns, "
	    "started_ns, ended_ns, exit_status) VALUES ($1, $2, $3, $4, $5, "
	    "$6, $7, $8, $9, $10, $11, $12, $13, $14)" },
	[LT_COUNTERS] = { "counters", "run_counters", COLS(counters_cols),
	    NULL, NULL },
	[LT_SAMPLE] = { "sample", "samples", COLS(sample_cols), NULL,
	    "INSERT INTO samples (run_id, seq, t_ns, label, data) VALUES "
	    "($1, $2, $3, $4, $5)" },
	[LT_METRIC] = { "metric", "metrics", COLS(metric_cols),
	    "SELECT run_id, name, value, unit, better FROM metrics WHERE "
	    "run_id = $1 ORDER BY name",
	    "INSERT INTO metrics (run_id, name, value, unit, better) VALUES "
	    "($1, $2, $3, $4, $5)" },
	[LT_VALUE] = { "value", "run_values", COLS(value_cols),
	    "SELECT run_id, series, seq, t_ns, value FROM run_values WHERE "
	    "run_id = $1 ORDER BY series, seq",
	    "INSERT INTO run_values (run_id, series, seq, t_ns, value) "
	    "VALUES ($1, $2, $3, $4, $5)" },
	/* Inserted in file order, so new ids keep the (t_ns, id) order. */
	[LT_EVENT] = { "event", "events", COLS(event_cols),
	    "SELECT run_id, kernel_id, host_id, boot_id, kind, title, "
	    "signature, t_ns, source, text FROM events WHERE run_id = $1 "
	    "ORDER BY t_ns, id",
	    "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, "
	    "title, signature, t_ns, source, text) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7, $8, $9, $10)" },
	[LT_UNAVAILABLE] = { "unavailable", "run_unavailable",
	    COLS(unavailable_cols),
	    "SELECT run_id, source FROM run_unavailable WHERE run_id = $1 "
	    "ORDER BY source",
	    "INSERT INTO run_unavailable (run_id, source) VALUES ($1, $2)" },
	[LT_ARTIFACT] = { "artifact", "run_artifacts", COLS(artifact_cols),
	    "SELECT run_id, name, content FROM run_artifacts WHERE "
	    "run_id = $1 ORDER BY name",
	    "INSERT INTO run_artifacts (run_id, name, content) VALUES ($1, "
	    "$2, $3)" },
	[LT_KNOB] = { "knob", "knobs", COLS(knob_cols),
	    "SELECT run_id, path, original, value, state, changed_ns, "
	    "restored_ns, error FROM knobs WHERE run_id = $1 ORDER BY id",
	    "INSERT INTO knobs (run_id, path, original, value, state, "
	    "changed_ns, restored_ns, error) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7, $8)" },
	[LT_HEADER] = { "mmstorm-export", NULL, COLS(header_cols), NULL,
	    NULL },
	[LT_END] = { "end", NULL, COLS(end_cols), NULL, NULL },
};

/* The row tables of a run, in the order they follow its samples. */
static const enum line_kind run_rows[] = { LT_METRIC, LT_VALUE, LT_EVENT,
	LT_UNAVAILABLE, LT_ARTIFACT, LT_KNOB };

/* Run states that are not over yet. */
#define UNFINISHED_SQL \
	"(r.state IN ('queued', 'running') OR EXISTS (SELECT 1 FROM knobs " \
	"k WHERE k.run_id = r.id AND k.state = 'changed'))"

/* --- text: UTF-8, JSON strings, base64 --------------------------------- */

/* Strict UTF-8 (RFC 3629), what jansson's parser accepts in a string. */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_add(struct buf *b, const unsigned char *p, size_t len)
{
	char out[4];
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = b64_chars[v >> 18];
		out[1] = b64_chars[(v >> 12) & 63];
		out[2] = b64_chars[(v >> 6) & 63];
		out[3] = b64_chars[v & 63];
		buf_add(b, out, 4);
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[0] = b64_chars[v >> 18];
		out[1] = b64_chars[(v >> 12) & 63];
		out[2] = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
		out[3] = '=';
		buf_add(b, out, 4);
	}
}

/* Strict: canonical padding, nothing else; -1 if malformed. */
static long
base64_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t v = 0;
	size_t i, n = 0, pad = 0;
	const char *c;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i >= len - 2) {
			if (i == len - 2 && s[len - 1] != '=')
				return -1;
			pad++;
			v <<= 6;
		} else if (s[i] != '\0' && (c = strchr(b64_chars, s[i])) != NULL &&
		    pad == 0)
			v = (v << 6) | (uint32_t)(c - b64_chars);
		else
			return -1;
		if (i % 4 == 3) {
			out[n++] = (unsigned char)(v >> 16);
			if (pad < 2)
				out[n++] = (unsigned char)(v >> 8);
			if (pad < 1)
				out[n++] = (unsigned char)v;
			/* bits under the padding must be zero: one encoding */
			if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
				return -1;
			v = 0;
		}
	}
	return (long)n;
}

static void
json_quote_add(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	unsigned char c;

	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\b': buf_adds(b, "\\b"); break;
		case '\f': buf_adds(b, "\\f"); break;
		default: buf_printf(b, "\\u%04x", c); break;
		}
	}
	buf_add(b, s + start, len - start);
	buf_addc(b, '"');
}

/* A text value: a JSON string, or {"base64": ...} for bytes that are
 * not UTF-8 (a pstore dump, a truncated kernel log line). */
static void
json_text_add(struct buf *b, const char *s, size_t len)
{
	if (utf8_valid((const unsigned char *)s, len)) {
		json_quote_add(b, s, len);
		return;
	}
	buf_adds(b, "{\"base64\":\"");
	base64_add(b, (const unsigned char *)s, len);
	buf_adds(b, "\"}");
}

/* Sample lines are mostly integers: printf is too slow for 100k lines
 * of hundreds of counters. */
static void
json_int_add(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* The shortest text that reads back as the same double, always with a
 * '.' or an exponent so that it reads back as a real. */
static void
json_real_add(struct buf *b, double d)
{
	char tmp[40];
	double back;
	int p;

	if (isnan(d)) {
		buf_adds(b, "\"nan\"");
		return;
	}
	if (isinf(d)) {
		buf_adds(b, d > 0 ? "\"inf\"" : "\"-inf\"");
		return;
	}
	/* Plain decimals where they stay short (100.0, not 1e+02). */
	for (p = 0; p <= 20 && fabs(d) < 1e16 && (fabs(d) >= 1e-4 || d == 0);
	    p++) {
		snprintf(tmp, sizeof tmp, "%.*f", p, d);
		back = strtod(tmp, NULL);
		if (memcmp(&back, &d, sizeof d) == 0)
			goto done;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*g", p, d);
		back = strtod(tmp, NULL);
		if (memcmp(&back, &d, sizeof d) == 0)
			break;
	}
done:
	buf_adds(b, tmp);
	if (strpbrk(tmp, ".e") == NULL)
		buf_adds(b, ".0");
}

/* --- the writer -------------------------------------------------------- */

struct writer {
	struct db *db;
	FILE *out;
	struct sha256 sha;
	struct buf line;
	size_t lines;
	char *uuid;                  /* the run being written */
	int64_t *kernel_ids;         /* declared, in order */
	char **build_keys;
	size_t nkernels;
	int64_t *host_ids;           /* declared; ref = index + 1 */
	size_t nhosts;
	struct stmt *select[LT_COUNT];
	struct stmt *counters, *samples;
	int64_t *values;
	size_t values_cap;
	struct buf blob;
};

static void
w_begin(struct writer *w, const char *type)
{
	buf_reset(&w->line);
	buf_adds(&w->line, "{\"type\":");
	json_quote_add(&w->line, type, strlen(type));
}

static void
w_key(struct writer *w, const char *key)
{
	buf_addc(&w->line, ',');
	json_quote_add(&w->line, key, strlen(key));
	buf_addc(&w->line, ':');
}

static int
w_end(struct writer *w, int hashed, char **cause)
{
	buf_adds(&w->line, "}\n");
	if (hashed)
		sha256_update(&w->sha, w->line.s, w->line.len);
	if (fwrite(w->line.s, 1, w->line.len, w->out) != w->line.len)
		return set_cause(cause, errno ? errno : EIO,
		    "cannot write the export: %s", strerror(errno ? errno : EIO));
	w->lines++;
	return 0;
}

static const char *
storage_name(int t)
{
	switch (t) {
	case STORE_INTEGER: return "an integer";
	case STORE_FLOAT: return "a real";
	case STORE_TEXT: return "a text";
	case STORE_BLOB: return "a blob";
	default: return "NULL";
	}
}

static int declare_kernel(struct writer *, int64_t, size_t *, char **);
static int declare_host(struct writer *, int64_t, size_t *, char **);

/* One column of a row; what the database holds must be what the column
 * says, or the file would not be lossless. */
static int
w_column(struct writer *w, const struct line_type *lt, struct stmt *st,
    int i, char **cause)
{
	const struct column *c = &lt->cols[i];
	int t = stmt_type(st, i), want;
	int64_t id = stmt_int64(st, i);
	size_t ref;
	int r;

	w_key(w, c->name);
	if (c->type == COL_RUN) {
		json_quote_add(&w->line, w->uuid, strlen(w->uuid));
		return 0;
	}
	if (t == STORE_NULL && c->nullable) {
		buf_adds(&w->line, "null");
		return 0;
	}
	switch (c->type) {
	case COL_REAL: want = STORE_FLOAT; break;
	case COL_TEXT: want = STORE_TEXT; break;
	default: want = STORE_INTEGER; break;
	}
	if (t != want)
		return set_cause(cause, EINVAL,
		    "cannot export run '%s': %s.%s holds %s, not %s",
		    w->uuid ? w->uuid : "?", lt->table, c->name,
		    storage_name(t), storage_name(want));
	switch (c->type) {
	case COL_INT:
		json_int_add(&w->line, id);
		break;
	case COL_REAL:
		json_real_add(&w->line, stmt_double(st, i));
		break;
	case COL_TEXT:
		json_text_add(&w->line, (const char *)stmt_text(st, i),
		    (size_t)stmt_bytes(st, i));
		break;
	case COL_KERNEL:
		if ((r = declare_kernel(w, id, &ref, cause)) != 0)
			return r;
		json_quote_add(&w->line, w->build_keys[ref],
		    strlen(w->build_keys[ref]));
		break;
	case COL_HOST:
		if ((r = declare_host(w, id, &ref, cause)) != 0)
			return r;
		buf_printf(&w->line, "%zu", ref + 1);
		break;
	default:
		break;
	}
	return 0;
}

/* The kernels and hosts a row names get their lines before it. */
static int
w_declarations(struct writer *w, const struct line_type *lt,
    struct stmt *st, char **cause)
{
	size_t i, ref;
	int r;

	if (lt == &line_types[LT_HOST])
		return 0;
	for (i = 0; i < lt->ncols; i++) {
		if (lt->cols[i].type != COL_KERNEL &&
		    lt->cols[i].type != COL_HOST)
			continue;
		if (stmt_type(st, (int)i) != STORE_INTEGER)
			continue;   /* w_column says what is wrong */
		r = lt->cols[i].type == COL_KERNEL ?
		    declare_kernel(w, stmt_int64(st, (int)i), &ref,
		    cause) : declare_host(w, stmt_int64(st, (int)i),
		    &ref, cause);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
w_row(struct writer *w, enum line_kind kind, struct stmt *st, char **cause)
{
	const struct line_type *lt = &line_types[kind];
	size_t i;
	int r;

	if ((r = w_declarations(w, lt, st, cause)) != 0)
		return r;
	w_begin(w, lt->name);
	for (i = 0; i < lt->ncols; i++) {
		if ((r = w_column(w, lt, st, (int)i, cause)) != 0)
			return r;
	}
	return w_end(w, 1, cause);
}

/* Write the one row of a kernel or host, by id. */
static int
w_declare(struct writer *w, enum line_kind kind, int64_t id, char **cause)
{
	struct stmt *st = w->select[kind];
	int r;

	stmt_reset(st);
	stmt_bind_int64(st, 1, id);
	if (stmt_step(st) != STORE_ROW)
		r = db_error(w->db, cause, "cannot read a kernel build or host");
	else
		r = w_row(w, kind, st, cause);
	stmt_reset(st);
	return r;
}

static int
declare_kernel(struct writer *w, int64_t id, size_t *ref, char **cause)
{
	struct stmt *st = w->select[LT_KERNEL];
	size_t i;
	int r;

	for (i = 0; i < w->nkernels; i++) {
		if (w->kernel_ids[i] == id) {
			*ref = i;
			return 0;
		}
	}
	stmt_reset(st);
	stmt_bind_int64(st, 1, id);
	if (stmt_step(st) != STORE_ROW ||
	    stmt_type(st, 0) != STORE_TEXT) {
		r = db_error(w->db, cause, "cannot read a kernel build");
		stmt_reset(st);
		return r;
	}
	w->kernel_ids = xreallocarray(w->kernel_ids, w->nkernels + 1,
	    sizeof *w->kernel_ids);
	w->build_keys = xreallocarray(w->build_keys, w->nkernels + 1,
	    sizeof *w->build_keys);
	w->kernel_ids[w->nkernels] = id;
	w->build_keys[w->nkernels] =
	    xstrdup((const char *)stmt_text(st, 0));
	*ref = w->nkernels++;
	stmt_reset(st);
	return w_declare(w, LT_KERNEL, id, cause);
}

static int
declare_host(struct writer *w, int64_t id, size_t *ref, char **cause)
{
	size_t i;

	for (i = 0; i < w->nhosts; i++) {
		if (w->host_ids[i] == id) {
			*ref = i;
			return 0;
		}
	}
	w->host_ids = xreallocarray(w->host_ids, w->nhosts + 1,
	    sizeof *w->host_ids);
	w->host_ids[w->nhosts] = id;
	*ref = w->nhosts++;
	return w_declare(w, LT_HOST, id, cause);
}

/* {"type":"counters","run":U,"names":[..],"kinds":[..],"units":[..]} */
static int
w_counters(struct writer *w, int64_t run_id, size_t *n, char **cause)
{
	struct buf parts[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	struct stmt *st = w->counters;
	size_t i;
	int rc, r = 0;

	*n = 0;
	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		for (i = 0; i < 3; i++) {
			buf_addc(&parts[i], *n == 0 ? '[' : ',');
			json_text_add(&parts[i],
			    (const char *)stmt_text(st, (int)i),
			    (size_t)stmt_bytes(st, (int)i));
		}
		(*n)++;
	}
	if (rc != STORE_DONE)
		r = db_error(w->db, cause, "cannot read counters");
	stmt_reset(st);
	if (r == 0) {
		w_begin(w, "counters");
		w_key(w, "run");
		json_quote_add(&w->line, w->uuid, strlen(w->uuid));
		for (i = 0; i < 3; i++) {
			w_key(w, counters_cols[i + 1].name);
			if (*n == 0)
				buf_addc(&w->line, '[');
			buf_add(&w->line, parts[i].s ? parts[i].s : "",
			    parts[i].len);
			buf_addc(&w->line, ']');
		}
		r = w_end(w, 1, cause);
	}
	for (i = 0; i < 3; i++)
		buf_release(&parts[i]);
	return r;
}

/* One line per sample, streamed: a run may have 100k of them. */
static int
w_samples(struct writer *w, int64_t run_id, size_t ncounters, char **cause)
{
	struct stmt *st = w->samples;
	const void *blob;
	size_t len, i;
	long n;
	int rc, r = 0;

	if (ncounters + 1 > w->values_cap) {
		w->values_cap = ncounters + 1;
		w->values = xreallocarray(w->values, w->values_cap,
		    sizeof *w->values);
	}
	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		int64_t seq = stmt_int64(st, 0);

		if (stmt_type(st, 3) != STORE_BLOB ||
		    stmt_type(st, 0) != STORE_INTEGER ||
		    stmt_type(st, 1) != STORE_INTEGER) {
			r = set_cause(cause, EINVAL, "cannot export run '%s': "
			    "sample %" PRId64 " is not a row mmstorm wrote",
			    w->uuid, seq);
			break;
		}
		blob = stmt_blob(st, 3);
		len = (size_t)stmt_bytes(st, 3);
		n = sample_decode(blob, len, w->values, ncounters);
		/* Re-encoding must give the stored bytes back, or an import
		 * would store a different blob. */
		if (n >= 0) {
			buf_reset(&w->blob);
			sample_encode(&w->blob, w->values, (size_t)n);
		}
		if (n < 0 || w->blob.len != len ||
		    (len > 0 && memcmp(w->blob.s, blob, len) != 0)) {
			r = set_cause(cause, EINVAL, "cannot export run '%s': "
			    "sample %" PRId64 " is corrupt (its values do not "
			    "decode against the run's %zu counters)", w->uuid,
			    seq, ncounters);
			break;
		}
		w_begin(w, "sample");
		w_key(w, "run");
		json_quote_add(&w->line, w->uuid, strlen(w->uuid));
		w_key(w, "seq");
		json_int_add(&w->line, seq);
		w_key(w, "t_ns");
		json_int_add(&w->line, stmt_int64(st, 1));
		w_key(w, "label");
		if (stmt_type(st, 2) == STORE_TEXT)
			json_text_add(&w->line,
			    (const char *)stmt_text(st, 2),
			    (size_t)stmt_bytes(st, 2));
		else
			buf_adds(&w->line, "null");
		w_key(w, "values");
		buf_addc(&w->line, '[');
		for (i = 0; i < (size_t)n; i++) {
			if (i > 0)
				buf_addc(&w->line, ',');
			json_int_add(&w->line, w->values[i]);
		}
		buf_addc(&w->line, ']');
		if ((r = w_end(w, 1, cause)) != 0)
			break;
	}
	if (r == 0 && rc != STORE_DONE && rc != STORE_ROW)
		r = db_error(w->db, cause, "cannot read samples");
	stmt_reset(st);
	return r;
}

static int
w_run(struct writer *w, int64_t run_id, char **cause)
{
	struct stmt *st = w->select[LT_RUN];
	size_t ncounters, i;
	int rc, r;

	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	if (stmt_step(st) != STORE_ROW) {
		r = db_error(w->db, cause, "cannot read run");
		stmt_reset(st);
		return r;
	}
	free(w->uuid);
	w->uuid = xstrdup((const char *)stmt_text(st, 0));
	r = w_row(w, LT_RUN, st, cause);
	stmt_reset(st);
	if (r != 0)
		return r;
	if ((r = w_counters(w, run_id, &ncounters, cause)) != 0 ||
	    (r = w_samples(w, run_id, ncounters, cause)) != 0)
		return r;
	for (i = 0; i < ARRAY_SIZE(run_rows); i++) {
		st = w->select[run_rows[i]];
		stmt_reset(st);
		stmt_bind_int64(st, 1, run_id);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			if ((r = w_row(w, run_rows[i], st, cause)) != 0)
				break;
		}
		if (r == 0 && rc != STORE_DONE)
			r = db_error(w->db, cause, "cannot read a run's rows");
		stmt_reset(st);
		if (r != 0)
			return r;
	}
	return 0;
}

struct pick {
	int64_t id, created_ns;
	char *uuid;
};

static int
pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->created_ns != y->created_ns)
		return x->created_ns < y->created_ns ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

/* The runs to write, ordered by (created_ns, uuid), each once. */
static int
export_pick(struct db *db, char *const *keys, size_t nkeys,
    struct pick **out, size_t *n, size_t *unfinished, char **cause)
{
	struct pick *p = NULL;
	struct stmt *st;
	size_t i, j, np = 0;
	int64_t id;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	*unfinished = 0;
	if (nkeys == 0) {
		st = db_prepare(db, "SELECT r.id, r.created_ns, r.uuid, "
		    UNFINISHED_SQL " FROM runs r", cause);
		if (st == NULL)
			return -EIO;
		while ((rc = stmt_step(st)) == STORE_ROW) {
			if (stmt_int(st, 3)) {
				(*unfinished)++;
				continue;
			}
			p = xreallocarray(p, np + 1, sizeof *p);
			p[np].id = stmt_int64(st, 0);
			p[np].created_ns = stmt_int64(st, 1);
			p[np].uuid = xstrdup((const char *)
			    stmt_text(st, 2));
			np++;
		}
		if (rc != STORE_DONE)
			r = db_error(db, cause, "cannot list runs");
		stmt_finalize(st);
		goto out;
	}
	st = db_prepare(db, "SELECT r.id, r.created_ns, r.uuid, "
	    UNFINISHED_SQL ", r.state FROM runs r WHERE r.id = $1", cause);
	if (st == NULL)
		return -EIO;
	for (i = 0; i < nkeys && r == 0; i++) {
		if ((r = db_run_lookup(db, keys[i], &id, cause)) != 0)
			break;
		stmt_reset(st);
		stmt_bind_int64(st, 1, id);
		if (stmt_step(st) != STORE_ROW) {
			r = db_error(db, cause, "cannot read run");
			break;
		}
		if (stmt_int(st, 3)) {
			r = set_cause(cause, EBUSY, "run '%s' has not ended "
			    "(state %s, or a knob it changed is not restored "
			    "yet): export it when it has",
			    stmt_text(st, 2), stmt_text(st,
			    4));
			break;
		}
		for (j = 0; j < np && p[j].id != id; j++)
			;
		if (j < np)
			continue;   /* named twice */
		p = xreallocarray(p, np + 1, sizeof *p);
		p[np].id = id;
		p[np].created_ns = stmt_int64(st, 1);
		p[np].uuid = xstrdup((const char *)stmt_text(st, 2));
		np++;
	}
	stmt_finalize(st);
out:
	if (r != 0) {
		for (i = 0; i < np; i++)
			free(p[i].uuid);
		free(p);
		return r;
	}
	if (np > 0)
		qsort(p, np, sizeof *p, pick_cmp);
	*out = p;
	*n = np;
	return 0;
}

int
export_runs(struct db *db, char *const *keys, size_t nkeys, FILE *out,
    struct export_result *res, char **cause)
{
	struct writer w;
	struct pick *picks = NULL;
	size_t npicks = 0, i;
	unsigned char digest[32];
	int r;

	memset(&w, 0, sizeof w);
	memset(res, 0, sizeof *res);
	w.db = db;
	w.out = out;
	sha256_init(&w.sha);
	/* One read transaction: a snapshot, whatever mmstormd writes. */
	if ((r = db_exec(db, "BEGIN", cause)) != 0)
		return r;
	r = -EIO;
	for (i = 0; i < LT_COUNT; i++) {
		if (line_types[i].select != NULL &&
		    (w.select[i] = db_prepare(db, line_types[i].select,
		    cause)) == NULL)
			goto out;
	}
	w.counters = db_prepare(db, "SELECT c.name, c.kind, c.unit FROM "
	    "run_counters rc JOIN counters c ON c.id = rc.counter_id WHERE "
	    "rc.run_id = $1 ORDER BY rc.idx", cause);
	w.samples = db_prepare(db, "SELECT seq, t_ns, label, data FROM samples "
	    "WHERE run_id = $1 ORDER BY seq", cause);
	if (w.counters == NULL || w.samples == NULL)
		goto out;
	if ((r = export_pick(db, keys, nkeys, &picks, &npicks,
	    &res->unfinished, cause)) != 0)
		goto out;

	w_begin(&w, line_types[LT_HEADER].name);
	w_key(&w, "version");
	buf_printf(&w.line, "%d", EXPORT_FORMAT_VERSION);
	if ((r = w_end(&w, 1, cause)) != 0)
		goto out;
	for (i = 0; i < npicks; i++) {
		if ((r = w_run(&w, picks[i].id, cause)) != 0)
			goto out;
	}
	sha256_final(&w.sha, digest);
	w_begin(&w, "end");
	w_key(&w, "runs");
	buf_printf(&w.line, "%zu", npicks);
	w_key(&w, "lines");
	buf_printf(&w.line, "%zu", w.lines);
	w_key(&w, "sha256");
	buf_addc(&w.line, '"');
	for (i = 0; i < sizeof digest; i++)
		buf_printf(&w.line, "%02x", digest[i]);
	buf_addc(&w.line, '"');
	if ((r = w_end(&w, 0, cause)) != 0)
		goto out;
	res->runs = npicks;
	res->lines = w.lines;
	r = 0;
out:
	for (i = 0; i < LT_COUNT; i++)
		stmt_finalize(w.select[i]);
	stmt_finalize(w.counters);
	stmt_finalize(w.samples);
	db_rollback(db);   /* read only: nothing to keep */
	for (i = 0; i < npicks; i++)
		free(picks[i].uuid);
	free(picks);
	for (i = 0; i < w.nkernels; i++)
		free(w.build_keys[i]);
	free(w.build_keys);
	free(w.kernel_ids);
	free(w.host_ids);
	free(w.uuid);
	free(w.values);
	buf_release(&w.line);
	buf_release(&w.blob);
	return r;
}

/* --- the reader -------------------------------------------------------- */

/* A small string -> integer map (open addressing): build_keys, uuids. */
struct strmap {
	char **keys;
	int64_t *vals;
	size_t cap, n;
};

static size_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static int64_t *
strmap_find(struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = str_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[i], key) == 0)
			return &m->vals[i];
	}
	return NULL;
}

static void
strmap_put(struct strmap *m, const char *key, int64_t val)
{
	struct strmap grown;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		grown.cap = m->cap ? m->cap * 2 : 64;
		grown.n = 0;
		grown.keys = xcalloc(grown.cap, sizeof *grown.keys);
		grown.vals = xcalloc(grown.cap, sizeof *grown.vals);
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i] == NULL)
				continue;
			strmap_put(&grown, m->keys[i], m->vals[i]);
			free(m->keys[i]);
		}
		free(m->keys);
		free(m->vals);
		*m = grown;
	}
	for (i = str_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
}

static void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

/* A parsed column value. */
struct field {
	int null;
	int64_t i;       /* INT, HOST ref; KERNEL/HOST: the database id */
	double d;
	const char *s;   /* TEXT, RUN, KERNEL (not NUL-terminated if owned
	                  * bytes hold a NUL) */
	size_t len;
	char *owned;     /* decoded base64 */
	json_t *array;   /* INTS, TEXTS */
};

#define MAX_COLS 16

struct decl {
	json_t *line;    /* the parsed kernel/host line */
	int64_t id;      /* in this database; 0 until a run needs it */
};

struct reader {
	struct db *db;               /* NULL: check only */
	const char *name;
	long line;
	struct sha256 sha;
	struct import_result *res;
	struct strmap kernel_index;  /* build_key -> index in kernels */
	struct decl *kernels, *hosts;
	size_t nkernels, nhosts;
	struct strmap uuids;         /* runs of the file */
	int seen_end;
	/* the run whose lines these are */
	char *uuid;
	int storing;                 /* 0: skipped, or only checking */
	int64_t run_id;
	long ncounters;              /* -1 before its counters line */
	struct stmt *insert[LT_COUNT];
	struct stmt *find_kernel, *find_host, *find_run, *find_counter;
	struct stmt *add_counter, *add_run_counter;
	struct buf blob;
	int64_t *values;
	size_t values_cap;
};

static int PRINTFLIKE(3, 4)
rd_fail(struct reader *rd, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_cause(cause, EINVAL, "'%s' line %ld: %s", rd->name, rd->line, msg);
	rd->res->bad_line = rd->line;
	free(msg);
	return -EINVAL;
}

/* A database error while storing the current line. */
static int
rd_db_fail(struct reader *rd, char **cause, const char *what)
{
	char *dbcause = NULL;
	int r;

	db_error(rd->db, &dbcause, what);
	r = rd_fail(rd, cause, "%s", dbcause);
	free(dbcause);
	return r;
}

static void
fields_release(struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].owned);
}

/* A string, or {"base64": "..."} holding bytes that are not UTF-8. */
static int
parse_text(json_t *v, struct field *f)
{
	json_t *b;
	long n;

	if (json_is_string(v)) {
		f->s = json_string_value(v);
		f->len = json_string_length(v);
		return 0;
	}
	if (!json_is_object(v) || json_object_size(v) != 1 ||
	    !json_is_string(b = json_object_get(v, "base64")))
		return -1;
	f->owned = xmalloc(json_string_length(b) / 4 * 3 + 1);
	n = base64_decode(json_string_value(b), json_string_length(b),
	    (unsigned char *)f->owned);
	if (n < 0)
		return -1;
	f->owned[n] = '\0';
	f->s = f->owned;
	f->len = (size_t)n;
	return 0;
}

static int
text_allowed(const char *const *allowed, const char *s, size_t len)
{
	for (; *allowed != NULL; allowed++) {
		if (strlen(*allowed) == len && memcmp(*allowed, s, len) == 0)
			return 1;
	}
	return 0;
}

/* Every key known, every column present and of its type. */
static int
parse_fields(struct reader *rd, const struct line_type *lt, json_t *obj,
    struct field *f, char **cause)
{
	const struct column *c;
	const char *key;
	json_t *v, *e;
	size_t i, k;

	memset(f, 0, lt->ncols * sizeof *f);
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "type") == 0)
			continue;
		for (i = 0; i < lt->ncols; i++) {
			if (strcmp(lt->cols[i].name, key) == 0)
				break;
		}
		if (i == lt->ncols)
			return rd_fail(rd, cause, "unknown key '%s' in a %s "
			    "line", key, lt->name);
	}
	for (i = 0; i < lt->ncols; i++) {
		c = &lt->cols[i];
		if ((v = json_object_get(obj, c->name)) == NULL)
			return rd_fail(rd, cause, "%s line without '%s'",
			    lt->name, c->name);
		if (json_is_null(v)) {
			if (!c->nullable)
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is null", c->name, lt->name);
			f[i].null = 1;
			continue;
		}
		switch (c->type) {
		case COL_INT:
		case COL_HOST:
			if (!json_is_integer(v))
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not an integer", c->name, lt->name);
			f[i].i = json_integer_value(v);
			if (c->type == COL_HOST && f[i].i < 1)
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not a host ref", c->name, lt->name);
			break;
		case COL_REAL:
			if (json_is_number(v))
				f[i].d = json_number_value(v);
			else if (json_is_string(v) &&
			    strcmp(json_string_value(v), "inf") == 0)
				f[i].d = INFINITY;
			else if (json_is_string(v) &&
			    strcmp(json_string_value(v), "-inf") == 0)
				f[i].d = -INFINITY;
			else
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not a number", c->name, lt->name);
			break;
		case COL_TEXT:
			if (parse_text(v, &f[i]) != 0)
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not a string", c->name, lt->name);
			break;
		case COL_RUN:
		case COL_KERNEL:
			if (!json_is_string(v))
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not a string", c->name, lt->name);
			f[i].s = json_string_value(v);
			f[i].len = json_string_length(v);
			break;
		case COL_INTS:
		case COL_TEXTS:
			if (!json_is_array(v))
				return rd_fail(rd, cause, "'%s' of a %s line "
				    "is not an array", c->name, lt->name);
			json_array_foreach(v, k, e) {
				struct field t;

				memset(&t, 0, sizeof t);
				if (c->type == COL_INTS && !json_is_integer(e))
					return rd_fail(rd, cause, "item %zu of "
					    "'%s' is not an integer", k + 1,
					    c->name);
				if (c->type == COL_INTS)
					continue;
				if (parse_text(e, &t) != 0) {
					free(t.owned);
					return rd_fail(rd, cause, "item %zu of "
					    "'%s' is not a string", k + 1,
					    c->name);
				}
				if (c->allowed != NULL &&
				    !text_allowed(c->allowed, t.s, t.len)) {
					free(t.owned);
					return rd_fail(rd, cause, "item %zu of "
					    "'%s' is not a known value", k + 1,
					    c->name);
				}
				free(t.owned);
			}
			f[i].array = v;
			break;
		}
		if (c->type == COL_TEXT && c->allowed != NULL &&
		    !text_allowed(c->allowed, f[i].s, f[i].len)) {
			if (lt == &line_types[LT_KNOB])
				return rd_fail(rd, cause, "knob '%s' is not "
				    "restored (state '%.*s'): importing it would "
				    "have mmstormd restore it on this machine",
				    f[1].s, (int)f[i].len, f[i].s);
			return rd_fail(rd, cause, "'%s' of a %s line is "
			    "'%.*s', not a value mmstorm stores", c->name,
			    lt->name, (int)f[i].len, f[i].s);
		}
	}
	return 0;
}

static void
bind_fields(struct stmt *st, const struct line_type *lt,
    const struct field *f, int64_t run_id)
{
	int i, n = stmt_param_count(st);

	stmt_reset(st);
	stmt_clear_bindings(st);
	for (i = 0; i < (int)lt->ncols && i < n; i++) {
		if (f[i].null) {
			stmt_bind_null(st, i + 1);
			continue;
		}
		switch (lt->cols[i].type) {
		case COL_INT:
		case COL_KERNEL:
		case COL_HOST:
			stmt_bind_int64(st, i + 1, f[i].i);
			break;
		case COL_REAL:
			stmt_bind_double(st, i + 1, f[i].d);
			break;
		case COL_TEXT:
			stmt_bind_textn(st, i + 1, f[i].s, (size_t)((int)f[i].len));
			break;
		case COL_RUN:
			stmt_bind_int64(st, i + 1, run_id);
			break;
		default:
			break;
		}
	}
}

/* Find the kernel or host of a declaration, or store it. */
static int
resolve_decl(struct reader *rd, enum line_kind kind, struct decl *d,
    char **cause)
{
	const struct line_type *lt = &line_types[kind];
	struct field f[MAX_COLS];
	struct stmt *find = kind == LT_KERNEL ? rd->find_kernel :
	    rd->find_host;
	int rc, r;

	if (d->id != 0)
		return 0;
	if ((r = parse_fields(rd, lt, d->line, f, cause)) != 0)
		goto out;
	bind_fields(find, lt, f, 0);
	if ((rc = stmt_step(find)) == STORE_ROW) {
		d->id = stmt_int64(find, 0);
		stmt_reset(find);
		goto out;
	}
	stmt_reset(find);
	if (rc != STORE_DONE) {
		r = rd_db_fail(rd, cause, "cannot look up a kernel or host");
		goto out;
	}
	bind_fields(rd->insert[kind], lt, f, 0);
	if (stmt_step(rd->insert[kind]) != STORE_DONE) {
		r = rd_db_fail(rd, cause, kind == LT_KERNEL ?
		    "cannot import kernel build" : "cannot import host");
		stmt_reset(rd->insert[kind]);
		goto out;
	}
	stmt_reset(rd->insert[kind]);
	d->id = db_last_insert_id(rd->db);
	if (kind == LT_KERNEL)
		rd->res->kernels_added++;
	else
		rd->res->hosts_added++;
out:
	fields_release(f, lt->ncols);
	return r;
}

/* Kernel and host references must name earlier declarations; when the
 * run is stored, they become ids of this database. */
static int
resolve_refs(struct reader *rd, const struct line_type *lt, struct field *f,
    char **cause)
{
	int64_t *idx;
	struct decl *d;
	size_t i;
	int r;

	for (i = 0; i < lt->ncols; i++) {
		if (lt->cols[i].type == COL_KERNEL) {
			if (strlen(f[i].s) != f[i].len ||
			    (idx = strmap_find(&rd->kernel_index, f[i].s)) ==
			    NULL)
				return rd_fail(rd, cause, "kernel '%s' has no "
				    "kernel line before it", f[i].s);
			d = &rd->kernels[*idx];
		} else if (lt->cols[i].type == COL_HOST) {
			if ((size_t)f[i].i > rd->nhosts)
				return rd_fail(rd, cause, "host %" PRId64 " has "
				    "no host line before it", f[i].i);
			d = &rd->hosts[f[i].i - 1];
		} else
			continue;
		if (!rd->storing)
			continue;
		if ((r = resolve_decl(rd, lt->cols[i].type == COL_KERNEL ?
		    LT_KERNEL : LT_HOST, d, cause)) != 0)
			return r;
		f[i].i = d->id;
	}
	return 0;
}

/* Lines of a run come after its run line and before the next one. */
static int
check_run_ref(struct reader *rd, const struct line_type *lt,
    const struct field *f, char **cause)
{
	if (rd->uuid == NULL)
		return rd_fail(rd, cause, "a %s line before any run line",
		    lt->name);
	if (strlen(rd->uuid) != f[0].len || memcmp(rd->uuid, f[0].s,
	    f[0].len) != 0)
		return rd_fail(rd, cause, "a %s line of run '%s' among the "
		    "lines of run '%s'", lt->name, f[0].s, rd->uuid);
	return 0;
}

static int
uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static void
push_uuid(char ***list, size_t *n, const char *uuid)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(uuid);
}

static int
read_decl(struct reader *rd, enum line_kind kind, json_t *obj, char **cause)
{
	const struct line_type *lt = &line_types[kind];
	struct field f[MAX_COLS];
	struct decl *d;
	int r;

	if ((r = parse_fields(rd, lt, obj, f, cause)) != 0)
		goto out;
	if (kind == LT_KERNEL) {
		if (strlen(f[0].s) != f[0].len || f[0].len == 0) {
			r = rd_fail(rd, cause, "a kernel line with a bad "
			    "build_key");
			goto out;
		}
		if (strmap_find(&rd->kernel_index, f[0].s) != NULL) {
			r = rd_fail(rd, cause, "kernel '%s' has a second "
			    "kernel line", f[0].s);
			goto out;
		}
		strmap_put(&rd->kernel_index, f[0].s, (int64_t)rd->nkernels);
		rd->kernels = xreallocarray(rd->kernels, rd->nkernels + 1,
		    sizeof *rd->kernels);
		d = &rd->kernels[rd->nkernels++];
	} else {
		if (f[0].i != (int64_t)rd->nhosts + 1) {
			r = rd_fail(rd, cause, "host line with ref %" PRId64
			    " where %zu comes next", f[0].i, rd->nhosts + 1);
			goto out;
		}
		rd->hosts = xreallocarray(rd->hosts, rd->nhosts + 1,
		    sizeof *rd->hosts);
		d = &rd->hosts[rd->nhosts++];
	}
	d->line = json_incref(obj);
	d->id = 0;
out:
	fields_release(f, lt->ncols);
	return r;
}

static int
read_run(struct reader *rd, json_t *obj, char **cause)
{
	const struct line_type *lt = &line_types[LT_RUN];
	struct field f[MAX_COLS];
	struct stmt *st;
	int rc, r;

	rd->storing = 0;
	if ((r = parse_fields(rd, lt, obj, f, cause)) != 0)
		goto out;
	if (!uuid_valid(f[0].s, f[0].len)) {
		r = rd_fail(rd, cause, "run uuid '%.*s' is not a uuid",
		    (int)f[0].len, f[0].s);
		goto out;
	}
	if (strmap_find(&rd->uuids, f[0].s) != NULL) {
		r = rd_fail(rd, cause, "run '%s' has a second run line",
		    f[0].s);
		goto out;
	}
	strmap_put(&rd->uuids, f[0].s, rd->line);
	free(rd->uuid);
	rd->uuid = xstrdup(f[0].s);
	rd->ncounters = -1;
	rd->res->runs++;
	if (rd->db != NULL) {
		st = rd->find_run;
		stmt_reset(st);
		stmt_bind_text(st, 1, rd->uuid);
		rc = stmt_step(st);
		stmt_reset(st);
		if (rc == STORE_ROW)
			push_uuid(&rd->res->skipped_runs, &rd->res->skipped,
			    rd->uuid);
		else if (rc != STORE_DONE) {
			r = rd_db_fail(rd, cause, "cannot look up run");
			goto out;
		} else
			rd->storing = 1;
	}
	if ((r = resolve_refs(rd, lt, f, cause)) != 0 || !rd->storing)
		goto out;
	bind_fields(rd->insert[LT_RUN], lt, f, 0);
	if (stmt_step(rd->insert[LT_RUN]) != STORE_DONE) {
		r = rd_db_fail(rd, cause, "cannot import run");
		stmt_reset(rd->insert[LT_RUN]);
		goto out;
	}
	stmt_reset(rd->insert[LT_RUN]);
	rd->run_id = db_last_insert_id(rd->db);
	push_uuid(&rd->res->imported_runs, &rd->res->imported, rd->uuid);
out:
	fields_release(f, lt->ncols);
	return r;
}

/* Counters are matched by name: ids differ between databases. */
static int
read_counters(struct reader *rd, json_t *obj, char **cause)
{
	const struct line_type *lt = &line_types[LT_COUNTERS];
	struct field f[MAX_COLS], name, kind, unit;
	size_t n, i;
	int64_t cid;
	int rc, r;

	memset(&name, 0, sizeof name);
	memset(&kind, 0, sizeof kind);
	memset(&unit, 0, sizeof unit);
	if ((r = parse_fields(rd, lt, obj, f, cause)) != 0 ||
	    (r = check_run_ref(rd, lt, f, cause)) != 0)
		goto out;
	if (rd->ncounters >= 0) {
		r = rd_fail(rd, cause, "run '%s' has a second counters line",
		    rd->uuid);
		goto out;
	}
	n = json_array_size(f[1].array);
	if (json_array_size(f[2].array) != n ||
	    json_array_size(f[3].array) != n) {
		r = rd_fail(rd, cause, "names, kinds and units of a counters "
		    "line differ in length");
		goto out;
	}
	rd->ncounters = (long)n;
	for (i = 0; i < n && rd->storing; i++) {
		free(name.owned);
		free(kind.owned);
		free(unit.owned);
		memset(&name, 0, sizeof name);
		memset(&kind, 0, sizeof kind);
		memset(&unit, 0, sizeof unit);
		parse_text(json_array_get(f[1].array, i), &name);
		parse_text(json_array_get(f[2].array, i), &kind);
		parse_text(json_array_get(f[3].array, i), &unit);
		stmt_reset(rd->find_counter);
		stmt_bind_textn(rd->find_counter, 1, name.s, (size_t)((int)name.len));
		rc = stmt_step(rd->find_counter);
		if (rc == STORE_ROW) {
			const char *k = (const char *)
			    stmt_text(rd->find_counter, 1);
			const char *u = (const char *)
			    stmt_text(rd->find_counter, 2);

			cid = stmt_int64(rd->find_counter, 0);
			/* Deltas of a gauge are meaningless: a counter
			 * must mean the same on both sides. */
			if (strlen(k) != kind.len ||
			    memcmp(k, kind.s, kind.len) != 0 ||
			    strlen(u) != unit.len ||
			    memcmp(u, unit.s, unit.len) != 0) {
				r = rd_fail(rd, cause, "counter '%.*s' is %.*s "
				    "(%.*s) in the file but %s (%s) in this "
				    "database", (int)name.len, name.s,
				    (int)kind.len, kind.s, (int)unit.len,
				    unit.s, k, u);
				stmt_reset(rd->find_counter);
				goto out;
			}
		} else if (rc == STORE_DONE) {
			stmt_bind_textn(rd->add_counter, 1, name.s, (size_t)((int)name.len));
			stmt_bind_textn(rd->add_counter, 2, kind.s, (size_t)((int)kind.len));
			stmt_bind_textn(rd->add_counter, 3, unit.s, (size_t)((int)unit.len));
			if (stmt_step(rd->add_counter) != STORE_DONE) {
				r = rd_db_fail(rd, cause,
				    "cannot import counter");
				stmt_reset(rd->add_counter);
				stmt_reset(rd->find_counter);
				goto out;
			}
			stmt_reset(rd->add_counter);
			cid = db_last_insert_id(rd->db);
			rd->res->counters_added++;
		} else {
			r = rd_db_fail(rd, cause, "cannot look up counter");
			stmt_reset(rd->find_counter);
			goto out;
		}
		stmt_reset(rd->find_counter);
		stmt_reset(rd->add_run_counter);
		stmt_bind_int64(rd->add_run_counter, 1, rd->run_id);
		stmt_bind_int64(rd->add_run_counter, 2, (int64_t)i);
		stmt_bind_int64(rd->add_run_counter, 3, cid);
		if (stmt_step(rd->add_run_counter) != STORE_DONE) {
			r = rd_db_fail(rd, cause, "cannot import run counter");
			stmt_reset(rd->add_run_counter);
			goto out;
		}
		stmt_reset(rd->add_run_counter);
	}
out:
	free(name.owned);
	free(kind.owned);
	free(unit.owned);
	fields_release(f, lt->ncols);
	return r;
}

/* Values are re-encoded: the blob holds them in run_counters order. */
static int
read_sample(struct reader *rd, json_t *obj, char **cause)
{
	const struct line_type *lt = &line_types[LT_SAMPLE];
	struct field f[MAX_COLS];
	struct stmt *st = rd->insert[LT_SAMPLE];
	size_t n, i;
	int r;

	if ((r = parse_fields(rd, lt, obj, f, cause)) != 0 ||
	    (r = check_run_ref(rd, lt, f, cause)) != 0)
		goto out;
	if (rd->ncounters < 0) {
		r = rd_fail(rd, cause, "a sample line before the counters "
		    "line of run '%s'", rd->uuid);
		goto out;
	}
	n = json_array_size(f[4].array);
	if (n > (size_t)rd->ncounters) {
		r = rd_fail(rd, cause, "a sample with %zu values, but run '%s' "
		    "has %ld counters", n, rd->uuid, rd->ncounters);
		goto out;
	}
	if (!rd->storing)
		goto out;
	if (n > rd->values_cap) {
		rd->values_cap = n;
		rd->values = xreallocarray(rd->values, n, sizeof *rd->values);
	}
	for (i = 0; i < n; i++)
		rd->values[i] = json_integer_value(json_array_get(f[4].array,
		    i));
	buf_reset(&rd->blob);
	sample_encode(&rd->blob, rd->values, n);
	bind_fields(st, lt, f, rd->run_id);
	stmt_bind_blob(st, 5, rd->blob.s ? rd->blob.s : "",
	    (int)rd->blob.len);
	if (stmt_step(st) != STORE_DONE)
		r = rd_db_fail(rd, cause, "cannot import sample");
	stmt_reset(st);
out:
	fields_release(f, lt->ncols);
	return r;
}

static int
read_row(struct reader *rd, enum line_kind kind, json_t *obj, char **cause)
{
	const struct line_type *lt = &line_types[kind];
	struct field f[MAX_COLS];
	struct stmt *st = rd->insert[kind];
	int r;

	if ((r = parse_fields(rd, lt, obj, f, cause)) != 0 ||
	    (r = check_run_ref(rd, lt, f, cause)) != 0 ||
	    (r = resolve_refs(rd, lt, f, cause)) != 0 || !rd->storing)
		goto out;
	bind_fields(st, lt, f, rd->run_id);
	if (stmt_step(st) != STORE_DONE) {
		char *what = xasprintf("cannot import %s", lt->name);

		r = rd_db_fail(rd, cause, what);
		free(what);
	}
	stmt_reset(st);
out:
	fields_release(f, lt->ncols);
	return r;
}

static int
read_header(struct reader *rd, json_t *obj, char **cause)
{
	struct field f[MAX_COLS];
	int r;

	if ((r = parse_fields(rd, &line_types[LT_HEADER], obj, f, cause)) != 0)
		return r;
	if (f[0].i > EXPORT_FORMAT_VERSION || f[0].i < 1)
		return rd_fail(rd, cause, "export format version %" PRId64
		    " is not one this mmstorm reads (%d): upgrade mmstorm",
		    f[0].i, EXPORT_FORMAT_VERSION);
	return 0;
}

static int
read_end(struct reader *rd, json_t *obj, char **cause)
{
	struct field f[MAX_COLS];
	unsigned char digest[32];
	char hex[65];
	size_t i;
	int r;

	if ((r = parse_fields(rd, &line_types[LT_END], obj, f, cause)) != 0)
		goto out;
	sha256_final(&rd->sha, digest);
	for (i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	if (f[1].i != rd->line - 1)
		r = rd_fail(rd, cause, "the end line counts %" PRId64 " lines "
		    "before it, the file has %ld: lines were lost or added",
		    f[1].i, rd->line - 1);
	else if (f[0].i != (int64_t)rd->res->runs)
		r = rd_fail(rd, cause, "the end line counts %" PRId64 " runs, "
		    "the file has %zu", f[0].i, rd->res->runs);
	else if (f[2].len != 64 || memcmp(f[2].s, hex, 64) != 0)
		r = rd_fail(rd, cause, "checksum mismatch: lines 1-%ld were "
		    "changed after the export (their sha256 is %.12s..., the "
		    "end line says %.12s...)", rd->line - 1, hex, f[2].s);
	rd->seen_end = 1;
out:
	fields_release(f, line_types[LT_END].ncols);
	return r;
}

static int
read_line(struct reader *rd, const char *text, size_t len, char **cause)
{
	json_error_t err;
	json_t *obj;
	const char *type;
	size_t k;
	int r;

	if (rd->seen_end)
		return rd_fail(rd, cause, "a line after the end line");
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &err);
	if (obj == NULL)
		return rd_fail(rd, cause, "not JSON: %s (column %d)", err.text,
		    err.column);
	if (!json_is_object(obj) ||
	    (type = json_string_value(json_object_get(obj, "type"))) == NULL) {
		json_decref(obj);
		return rd_fail(rd, cause, "not an object with a \"type\"");
	}
	for (k = 0; k < LT_COUNT; k++) {
		if (strcmp(line_types[k].name, type) == 0)
			break;
	}
	if (rd->line == 1 && k != LT_HEADER)
		r = rd_fail(rd, cause, "not an mmstorm export (the first line "
		    "is not its header)");
	else if (rd->line != 1 && k == LT_HEADER)
		r = rd_fail(rd, cause, "a second header line");
	else {
		switch (k) {
		case LT_HEADER: r = read_header(rd, obj, cause); break;
		case LT_END: r = read_end(rd, obj, cause); break;
		case LT_KERNEL:
		case LT_HOST: r = read_decl(rd, k, obj, cause); break;
		case LT_RUN: r = read_run(rd, obj, cause); break;
		case LT_COUNTERS: r = read_counters(rd, obj, cause); break;
		case LT_SAMPLE: r = read_sample(rd, obj, cause); break;
		case LT_COUNT:
			r = rd_fail(rd, cause, "unknown line type '%s'", type);
			break;
		default: r = read_row(rd, k, obj, cause); break;
		}
	}
	if (r == 0 && k != LT_END)
		sha256_update(&rd->sha, text, len);
	json_decref(obj);
	return r;
}

static int
reader_prepare(struct reader *rd, char **cause)
{
	size_t i;

	for (i = 0; i < LT_COUNT; i++) {
		if (line_types[i].insert != NULL &&
		    (rd->insert[i] = db_prepare(rd->db, line_types[i].insert,
		    cause)) == NULL)
			return -EIO;
	}
	/* Parameters numbered as the columns in line_types[], so one
	 * binding serves the look-up and the insert; a host is found by
	 * the UNIQUE key of hosts. */
	rd->find_kernel = db_prepare(rd->db, "SELECT id FROM kernels WHERE "
	    "build_key = $1", cause);
	rd->find_host = db_prepare(rd->db, "SELECT id FROM hosts WHERE "
	    "machine_id = $2 AND hostname = $3 AND cpus_possible = $4 AND "
	    "numa_nodes = $5 AND mem_total_kb = $7", cause);
	rd->find_run = db_prepare(rd->db, "SELECT id FROM runs WHERE "
	    "uuid = $1", cause);
	rd->find_counter = db_prepare(rd->db, "SELECT id, kind, unit FROM "
	    "counters WHERE name = $1", cause);
	rd->add_counter = db_prepare(rd->db, "INSERT INTO counters (name, "
	    "kind, unit) VALUES ($1, $2, $3)", cause);
	rd->add_run_counter = db_prepare(rd->db, "INSERT INTO run_counters "
	    "(run_id, idx, counter_id) VALUES ($1, $2, $3)", cause);
	if (rd->find_kernel == NULL || rd->find_host == NULL ||
	    rd->find_run == NULL || rd->find_counter == NULL ||
	    rd->add_counter == NULL || rd->add_run_counter == NULL)
		return -EIO;
	return 0;
}

static void
reader_free(struct reader *rd)
{
	size_t i;

	for (i = 0; i < LT_COUNT; i++)
		stmt_finalize(rd->insert[i]);
	stmt_finalize(rd->find_kernel);
	stmt_finalize(rd->find_host);
	stmt_finalize(rd->find_run);
	stmt_finalize(rd->find_counter);
	stmt_finalize(rd->add_counter);
	stmt_finalize(rd->add_run_counter);
	for (i = 0; i < rd->nkernels; i++)
		json_decref(rd->kernels[i].line);
	for (i = 0; i < rd->nhosts; i++)
		json_decref(rd->hosts[i].line);
	free(rd->kernels);
	free(rd->hosts);
	strmap_free(&rd->kernel_index);
	strmap_free(&rd->uuids);
	free(rd->uuid);
	free(rd->values);
	buf_release(&rd->blob);
}

int
import_stream(struct db *db, FILE *in, const char *name,
    struct import_result *res, char **cause)
{
	struct reader rd;
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	import_result_release(res);
	memset(&rd, 0, sizeof rd);
	rd.db = db;
	rd.name = name;
	rd.res = res;
	rd.ncounters = -1;
	sha256_init(&rd.sha);
	if (db != NULL) {
		if ((r = db_begin(db, cause)) != 0)
			goto out;
		if ((r = reader_prepare(&rd, cause)) != 0)
			goto out;
	}
	while ((len = getline(&text, &cap, in)) > 0) {
		rd.line++;
		if (text[len - 1] != '\n') {
			r = rd_fail(&rd, cause, "truncated: the last line has no "
			    "newline");
			goto out;
		}
		if ((r = read_line(&rd, text, (size_t)len, cause)) != 0)
			goto out;
	}
	if (ferror(in)) {
		r = set_cause(cause, errno ? errno : EIO, "cannot read '%s': %s",
		    name, strerror(errno ? errno : EIO));
		goto out;
	}
	if (!rd.seen_end) {
		rd.line++;
		r = rd_fail(&rd, cause, rd.line == 1 ? "empty: not an mmstorm "
		    "export" : "truncated: the file ends before its end line");
		goto out;
	}
	res->lines = (size_t)rd.line;
	if (db != NULL)
		r = db_commit(db, cause);
out:
	if (r != 0 && db != NULL)
		db_rollback(db);
	if (r != 0) {
		/* Nothing was stored: say so in the result too. */
		long bad = res->bad_line;

		import_result_release(res);
		res->bad_line = bad;
		res->lines = (size_t)rd.line;
	}
	free(text);
	reader_free(&rd);
	return r;
}

void
import_result_release(struct import_result *res)
{
	size_t i;

	for (i = 0; i < res->imported; i++)
		free(res->imported_runs[i]);
	for (i = 0; i < res->skipped; i++)
		free(res->skipped_runs[i]);
	free(res->imported_runs);
	free(res->skipped_runs);
	memset(res, 0, sizeof *res);
}
