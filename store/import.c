/*
 * import.c - runs as JSON lines: the strict reader (docs/export-format.md;
 * export.c writes them).  Every line is checked against the table of
 * export-format.c; an import is one transaction, all or nothing.
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
#include "common/sha256.h"
#include "common/strmap.h"
#include "common/text.h"
#include "common/util.h"
#include "store/db.h"
#include "store/export-format.h"
#include "store/export.h"

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

/* Every key of the line is a column of its type. */
static int
check_keys(struct reader *rd, const struct line_type *lt, json_t *obj,
    char **cause)
{
	const char *key;
	json_t *v;
	size_t i;

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
	return 0;
}

/* An array column: integers, or strings of the values allowed. */
static int
parse_array(struct reader *rd, const struct line_type *lt,
    const struct column *c, json_t *v, char **cause)
{
	struct field t;
	json_t *e;
	size_t k;
	int ok;

	if (!json_is_array(v))
		return rd_fail(rd, cause, "'%s' of a %s line is not an array",
		    c->name, lt->name);
	json_array_foreach(v, k, e) {
		if (c->type == COL_INTS) {
			if (!json_is_integer(e))
				return rd_fail(rd, cause, "item %zu of '%s' is "
				    "not an integer", k + 1, c->name);
			continue;
		}
		memset(&t, 0, sizeof t);
		if (parse_text(e, &t) != 0) {
			free(t.owned);
			return rd_fail(rd, cause, "item %zu of '%s' is not a "
			    "string", k + 1, c->name);
		}
		ok = c->allowed == NULL || text_allowed(c->allowed, t.s, t.len);
		free(t.owned);
		if (!ok)
			return rd_fail(rd, cause, "item %zu of '%s' is not a "
			    "known value", k + 1, c->name);
	}
	return 0;
}

/* A real: a number, or "inf" / "-inf" (JSON has no infinities). */
static int
parse_real(json_t *v, double *d)
{
	if (json_is_number(v))
		*d = json_number_value(v);
	else if (json_is_string(v) && strcmp(json_string_value(v), "inf") == 0)
		*d = INFINITY;
	else if (json_is_string(v) &&
	    strcmp(json_string_value(v), "-inf") == 0)
		*d = -INFINITY;
	else
		return -1;
	return 0;
}

/* One non-null value of column c into f. */
static int
parse_value(struct reader *rd, const struct line_type *lt,
    const struct column *c, json_t *v, struct field *f, char **cause)
{
	switch (c->type) {
	case COL_INT:
	case COL_HOST:
		if (!json_is_integer(v))
			return rd_fail(rd, cause, "'%s' of a %s line is not an "
			    "integer", c->name, lt->name);
		f->i = json_integer_value(v);
		if (c->type == COL_HOST && f->i < 1)
			return rd_fail(rd, cause, "'%s' of a %s line is not a "
			    "host ref", c->name, lt->name);
		return 0;
	case COL_REAL:
		if (parse_real(v, &f->d) != 0)
			return rd_fail(rd, cause, "'%s' of a %s line is not a "
			    "number", c->name, lt->name);
		return 0;
	case COL_TEXT:
		if (parse_text(v, f) != 0)
			return rd_fail(rd, cause, "'%s' of a %s line is not a "
			    "string", c->name, lt->name);
		return 0;
	case COL_RUN:
	case COL_KERNEL:
		if (!json_is_string(v))
			return rd_fail(rd, cause, "'%s' of a %s line is not a "
			    "string", c->name, lt->name);
		f->s = json_string_value(v);
		f->len = json_string_length(v);
		return 0;
	case COL_INTS:
	case COL_TEXTS:
		f->array = v;
		return parse_array(rd, lt, c, v, cause);
	}
	return 0;
}

/* A text column the schema CHECKs holds one of the values it allows. */
static int
check_allowed(struct reader *rd, const struct line_type *lt, size_t i,
    const struct field *f, char **cause)
{
	const struct column *c = &lt->cols[i];

	if (c->type != COL_TEXT || c->allowed == NULL ||
	    text_allowed(c->allowed, f[i].s, f[i].len))
		return 0;
	if (lt == &export_line_types[LT_KNOB])
		return rd_fail(rd, cause, "knob '%s' is not restored (state "
		    "'%.*s'): importing it would have mmstormd restore it on "
		    "this machine", f[1].s, (int)f[i].len, f[i].s);
	return rd_fail(rd, cause, "'%s' of a %s line is '%.*s', not a value "
	    "mmstorm stores", c->name, lt->name, (int)f[i].len, f[i].s);
}

/* Every key known, every column present and of its type. */
static int
parse_fields(struct reader *rd, const struct line_type *lt, json_t *obj,
    struct field *f, char **cause)
{
	const struct column *c;
	json_t *v;
	size_t i;
	int r;

	memset(f, 0, lt->ncols * sizeof *f);
	if ((r = check_keys(rd, lt, obj, cause)) != 0)
		return r;
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
		if ((r = parse_value(rd, lt, c, v, &f[i], cause)) != 0 ||
		    (r = check_allowed(rd, lt, i, f, cause)) != 0)
			return r;
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
	const struct line_type *lt = &export_line_types[kind];
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
	const struct line_type *lt = &export_line_types[kind];
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
	const struct line_type *lt = &export_line_types[LT_RUN];
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

/*
 * The id of counter name in this database, added when missing.  Counters
 * are matched by name: ids differ between databases.
 */
static int
counter_id(struct reader *rd, const struct field *name,
    const struct field *kind, const struct field *unit, int64_t *cid,
    char **cause)
{
	struct stmt *find = rd->find_counter, *add = rd->add_counter;
	const char *k, *u;
	int rc, r = 0;

	stmt_reset(find);
	stmt_bind_textn(find, 1, name->s, (size_t)((int)name->len));
	rc = stmt_step(find);
	if (rc == STORE_ROW) {
		k = (const char *)stmt_text(find, 1);
		u = (const char *)stmt_text(find, 2);
		*cid = stmt_int64(find, 0);
		/* Deltas of a gauge are meaningless: a counter must mean
		 * the same on both sides. */
		if (strlen(k) != kind->len ||
		    memcmp(k, kind->s, kind->len) != 0 ||
		    strlen(u) != unit->len || memcmp(u, unit->s, unit->len) != 0)
			r = rd_fail(rd, cause, "counter '%.*s' is %.*s (%.*s) "
			    "in the file but %s (%s) in this database",
			    (int)name->len, name->s, (int)kind->len, kind->s,
			    (int)unit->len, unit->s, k, u);
	} else if (rc == STORE_DONE) {
		stmt_bind_textn(add, 1, name->s, (size_t)((int)name->len));
		stmt_bind_textn(add, 2, kind->s, (size_t)((int)kind->len));
		stmt_bind_textn(add, 3, unit->s, (size_t)((int)unit->len));
		if (stmt_step(add) != STORE_DONE)
			r = rd_db_fail(rd, cause, "cannot import counter");
		else {
			*cid = db_last_insert_id(rd->db);
			rd->res->counters_added++;
		}
		stmt_reset(add);
	} else
		r = rd_db_fail(rd, cause, "cannot look up counter");
	stmt_reset(find);
	return r;
}

/* Counter i of a counters line (f) becomes column i of the run. */
static int
store_run_counter(struct reader *rd, const struct field *f, size_t i,
    char **cause)
{
	struct field name, kind, unit;
	struct stmt *st = rd->add_run_counter;
	int64_t cid = 0;
	int r;

	memset(&name, 0, sizeof name);
	memset(&kind, 0, sizeof kind);
	memset(&unit, 0, sizeof unit);
	parse_text(json_array_get(f[1].array, i), &name);
	parse_text(json_array_get(f[2].array, i), &kind);
	parse_text(json_array_get(f[3].array, i), &unit);
	if ((r = counter_id(rd, &name, &kind, &unit, &cid, cause)) != 0)
		goto out;
	stmt_reset(st);
	stmt_bind_int64(st, 1, rd->run_id);
	stmt_bind_int64(st, 2, (int64_t)i);
	stmt_bind_int64(st, 3, cid);
	if (stmt_step(st) != STORE_DONE)
		r = rd_db_fail(rd, cause, "cannot import run counter");
	stmt_reset(st);
out:
	free(name.owned);
	free(kind.owned);
	free(unit.owned);
	return r;
}

static int
read_counters(struct reader *rd, json_t *obj, char **cause)
{
	const struct line_type *lt = &export_line_types[LT_COUNTERS];
	struct field f[MAX_COLS];
	size_t n, i;
	int r;

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
		if ((r = store_run_counter(rd, f, i, cause)) != 0)
			goto out;
	}
out:
	fields_release(f, lt->ncols);
	return r;
}

/* Values are re-encoded: the blob holds them in run_counters order. */
static int
read_sample(struct reader *rd, json_t *obj, char **cause)
{
	const struct line_type *lt = &export_line_types[LT_SAMPLE];
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
	const struct line_type *lt = &export_line_types[kind];
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

	if ((r = parse_fields(rd, &export_line_types[LT_HEADER], obj, f, cause)) != 0)
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

	if ((r = parse_fields(rd, &export_line_types[LT_END], obj, f, cause)) != 0)
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
	fields_release(f, export_line_types[LT_END].ncols);
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
		if (strcmp(export_line_types[k].name, type) == 0)
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
		if (export_line_types[i].insert != NULL &&
		    (rd->insert[i] = db_prepare(rd->db, export_line_types[i].insert,
		    cause)) == NULL)
			return -EIO;
	}
	/* Parameters numbered as the columns in export_line_types[], so one
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
