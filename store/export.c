/*
 * export.c - runs as JSON lines: the canonical writer
 * (docs/export-format.md; import.c reads them back).
 *
 * The writer prints JSON itself instead of through jansson so that the
 * bytes (number formatting, key order, escapes) depend on nothing but
 * this file: export -> import -> export must give the same file.
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
#include "store/export-format.h"
#include "store/export.h"

/* The row tables of a run, in the order they follow its samples. */
static const enum line_kind run_rows[] = { LT_METRIC, LT_VALUE, LT_EVENT,
	LT_UNAVAILABLE, LT_ARTIFACT, LT_KNOB };

/* Run states that are not over yet. */
#define UNFINISHED_SQL \
	"(r.state IN ('queued', 'running') OR EXISTS (SELECT 1 FROM knobs " \
	"k WHERE k.run_id = r.id AND k.state = 'changed'))"

/* --- JSON text -------------------------------------------------------- */

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
	if (utf8_valid(s, len)) {
		json_quote_add(b, s, len);
		return;
	}
	buf_adds(b, "{\"base64\":\"");
	base64_encode(b, s, len);
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

	if (lt == &export_line_types[LT_HOST])
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
	const struct line_type *lt = &export_line_types[kind];
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
			w_key(w, export_line_types[LT_COUNTERS].cols[i + 1].name);
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

static int
pick_cmp(const void *a, const void *b)
{
	const struct export_pick *x = a, *y = b;

	if (x->created_ns != y->created_ns)
		return x->created_ns < y->created_ns ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

int
export_pick_runs(struct db *db, char *const *keys, size_t nkeys,
    struct export_pick **out, size_t *n, size_t *unfinished, char **cause)
{
	struct export_pick *p = NULL;
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
		export_picks_free(p, np);
		return r;
	}
	if (np > 0)
		qsort(p, np, sizeof *p, pick_cmp);
	*out = p;
	*n = np;
	return 0;
}

void
export_picks_free(struct export_pick *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i].uuid);
	free(p);
}

int
export_runs(struct db *db, char *const *keys, size_t nkeys, FILE *out,
    struct export_result *res, char **cause)
{
	struct writer w;
	struct export_pick *picks = NULL;
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
		if (export_line_types[i].select != NULL &&
		    (w.select[i] = db_prepare(db, export_line_types[i].select,
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
	if ((r = export_pick_runs(db, keys, nkeys, &picks, &npicks,
	    &res->unfinished, cause)) != 0)
		goto out;

	w_begin(&w, export_line_types[LT_HEADER].name);
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
	export_picks_free(picks, npicks);
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
