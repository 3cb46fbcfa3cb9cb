/*
 * kcidb.c - runs as a KCIDB submission (kcidb.h; docs/kcidb.md has the
 * mapping and the reasons for it).
 *
 * The schema is KCIDB I/O v5.3: kcidb_io/schema/v05_03.py in the
 * kernelci/kcidb-io repository.  It allows no null property anywhere,
 * so an unknown value is left out, never written as null.
 *
 * Checkouts, builds, issues and incidents are few and gathered first;
 * tests are written one run at a time, as a fleet database may hold a
 * million runs.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/strmap.h"
#include "common/text.h"
#include "common/util.h"
#include "store/db.h"
#include "store/export.h"
#include "store/kcidb.h"

/* An issue's "version": KCIDB triages on the highest one, so this goes
 * up when what an issue says for a signature changes. */
#define KCIDB_ISSUE_VERSION 1

/* v05_03.py: "log_excerpt" has "maxLength": 16384 (characters). */
#define KCIDB_EXCERPT_MAX 16384

/* Every test object is one line; reals with 15 significant digits, all
 * that a double holds exactly in decimal (0.0145, not 0.0145000...01). */
#define KCIDB_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Event kinds that are no issue: a taint only says an earlier event (or
 * a module) tainted the kernel, as `lockups` leaves them out too. */
#define KCIDB_EVENTS_SQL "kind <> 'taint'"

struct kcidb {
	struct db *db;
	FILE *out;
	const char *origin;
	struct stmt *run_kernel, *run_issues, *kernel, *run, *run_events,
	    *metrics;
	int64_t *kernels;          /* the builds, in the order runs name them */
	size_t nkernels;
	struct strmap issue_set;   /* signatures that have an issue */
	json_t *checkouts, *builds, *issues, *incidents;
	size_t items;              /* written into the current array */
	size_t objects;            /* written in all */
};

int
kcidb_origin_check(const char *origin, char **cause)
{
	const char *p;

	/* v03_00.py: origin_pattern = "[a-z0-9_]+" (as in v5.3) */
	for (p = origin; *p != '\0'; p++) {
		if ((*p < 'a' || *p > 'z') && (*p < '0' || *p > '9') &&
		    *p != '_')
			break;
	}
	if (*origin == '\0' || *p != '\0')
		return set_cause(cause, EINVAL, "invalid origin '%s': KCIDB "
		    "takes lowercase letters, digits and '_'", origin);
	return 0;
}

/* --- values ------------------------------------------------------------ */

/* s as a JSON string; bytes that are not UTF-8 become U+FFFD, as the
 * schema's strings are text.  NULL for NULL: the key is left out. */
static json_t *
k_text(const char *s)
{
	json_t *v;
	size_t replaced = 0;
	char *fixed;

	if (s == NULL)
		return NULL;
	if (utf8_valid(s, strlen(s)))
		return json_string(s);
	fixed = utf8_repair(s, &replaced);
	v = json_string(fixed);
	free(fixed);
	return v;
}

/* "ORIGIN:KEY": v05_00.py origin_id_pattern "[a-z0-9_]+:[^\0]*" */
static json_t *
k_id(const struct kcidb *k, const char *key)
{
	char *s = xasprintf("%s:%s", k->origin, key);
	json_t *v = k_text(s);

	free(s);
	return v;
}

/* Sets key unless v is NULL (no null in the schema). */
static void
k_set(json_t *obj, const char *key, json_t *v)
{
	if (v != NULL)
		json_object_set_new(obj, key, v);
}

/* RFC 3339 in UTC, as the schema's examples: 2020-08-14T23:08:06.967000+00:00 */
static json_t *
k_time(int64_t t_ns)
{
	char s[64];
	time_t secs = (time_t)(t_ns / 1000000000);
	struct tm tm;

	if (t_ns < 0 || gmtime_r(&secs, &tm) == NULL)
		return NULL;
	snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(t_ns % 1000000000 / 1000));
	return json_string(s);
}

/* A path segment: v05_00.py test_path_re allows [a-zA-Z0-9_-]+ between
 * the dots; anything else (a '.' in a name) becomes '_'. */
static void
k_path_add(struct buf *b, const char *name)
{
	const char *p;
	char c;

	if (*name == '\0')
		buf_addc(b, '_');
	for (p = name; *p != '\0'; p++) {
		c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			buf_addc(b, c);
		else
			buf_addc(b, '_');
	}
}

/* "mmstorm.WORKLOAD" or "mmstorm.WORKLOAD.METRIC" */
static json_t *
k_path(const char *workload, const char *metric)
{
	struct buf b = BUF_INIT;
	json_t *v;

	buf_adds(&b, "mmstorm.");
	k_path_add(&b, workload);
	if (metric != NULL) {
		buf_addc(&b, '.');
		k_path_add(&b, metric);
	}
	v = json_string(b.s);
	buf_release(&b);
	return v;
}

/*
 * A metric's unit as the schema's "number" wants it: a base unit with a
 * "prefix" the dashboard scales by, where mmstorm's unit has one; any
 * other unit as it is, unscaled (the schema allows prefixed units used
 * consistently).
 */
static const struct unit_rule {
	const char *unit;       /* mmstorm's */
	const char *kcidb;      /* NULL: dimensionless */
	double mul, div;        /* value * mul / div */
	const char *prefix;
} unit_rules[] = {
	{ "ns", "s", 1, 1e9, "metric" },
	{ "us", "s", 1, 1e6, "metric" },
	{ "ms", "s", 1, 1e3, "metric" },
	{ "s", "s", 1, 1, "metric" },
	{ "B", "B", 1, 1, "binary" },
	/* /proc/meminfo's "kB" are KiB */
	{ "kB", "B", 1024, 1, "binary" },
	{ "KiB", "B", 1024, 1, "binary" },
	{ "MiB", "B", 1048576, 1, "binary" },
	{ "GiB", "B", 1073741824, 1, "binary" },
	{ "count", NULL, 1, 1, "metric" },
	{ "", NULL, 1, 1, NULL },
};

/* The "number" of a metric, or NULL for a value JSON cannot hold. */
static json_t *
k_number(double value, const char *unit)
{
	const struct unit_rule *u = NULL;
	json_t *n;
	size_t i;

	if (!isfinite(value))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(unit_rules); i++) {
		if (strcmp(unit_rules[i].unit, unit) == 0) {
			u = &unit_rules[i];
			break;
		}
	}
	n = json_object();
	if (u == NULL) {
		k_set(n, "value", json_real(value));
		k_set(n, "unit", k_text(unit));
		return n;
	}
	k_set(n, "value", json_real(value * u->mul / u->div));
	k_set(n, "unit", k_text(u->kcidb));
	k_set(n, "prefix", k_text(u->prefix));
	return n;
}

/* The start of a kernel event's text, cut on a character boundary. */
static json_t *
k_excerpt(const char *text)
{
	size_t replaced = 0, len;
	char *s = utf8_repair(text, &replaced);
	json_t *v;

	len = strlen(s);
	if (len > KCIDB_EXCERPT_MAX) {
		len = KCIDB_EXCERPT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		s[len] = '\0';
	}
	v = json_string(s);
	free(s);
	return v;
}

/*
 * mmstorm's run states as KCIDB statuses; docs/kcidb.md has the table
 * and why.  A crash is the kernel's fault only when its log says so:
 * the machine may as well have lost power.
 */
static const char *
k_status(const char *state, int kernel_logged)
{
	static const struct {
		const char *state, *status;
	} map[] = {
		{ "passed", "PASS" },
		{ "failed", "FAIL" },
		{ "lockup", "FAIL" },
		{ "interrupted", "ERROR" },
		{ "skipped", "SKIP" },
	};
	size_t i;

	if (strcmp(state, "crashed") == 0)
		return kernel_logged ? "FAIL" : "ERROR";
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(map[i].state, state) == 0)
			return map[i].status;
	}
	return "MISS";   /* not ended: export_pick_runs() leaves it out */
}

/* --- output ------------------------------------------------------------ */

static int
k_put(struct kcidb *k, const char *s, char **cause)
{
	if (fputs(s, k->out) == EOF)
		return set_cause(cause, errno ? errno : EIO,
		    "cannot write the export: %s", strerror(errno ? errno : EIO));
	return 0;
}

/* ,"NAME":[ */
static int
k_array_begin(struct kcidb *k, const char *name, char **cause)
{
	char *s = xasprintf(",\n\"%s\":[", name);
	int r = k_put(k, s, cause);

	free(s);
	k->items = 0;
	return r;
}

/* One element on a line of its own; v is released. */
static int
k_item(struct kcidb *k, json_t *v, char **cause)
{
	int r;

	if ((r = k_put(k, k->items == 0 ? "\n" : ",\n", cause)) == 0 &&
	    json_dumpf(v, k->out, KCIDB_DUMP_FLAGS) != 0)
		r = set_cause(cause, errno ? errno : EIO,
		    "cannot write the export: %s", strerror(errno ? errno : EIO));
	json_decref(v);
	if (r == 0) {
		k->items++;
		k->objects++;
	}
	return r;
}

static int
k_array(struct kcidb *k, const char *name, json_t *arr, char **cause)
{
	size_t i;
	int r;

	if ((r = k_array_begin(k, name, cause)) != 0)
		return r;
	for (i = 0; i < json_array_size(arr); i++) {
		if ((r = k_item(k, json_incref(json_array_get(arr, i)),
		    cause)) != 0)
			return r;
	}
	return k_put(k, "]", cause);
}

/* --- checkouts, builds, issues, incidents ------------------------------ */

static void
k_kernel_note(struct kcidb *k, int64_t id)
{
	size_t i;

	for (i = 0; i < k->nkernels; i++) {
		if (k->kernels[i] == id)
			return;
	}
	k->kernels = xreallocarray(k->kernels, k->nkernels + 1,
	    sizeof *k->kernels);
	k->kernels[k->nkernels++] = id;
}

/* An issue per signature: its title, and whose fault (a daemon's own
 * event, its heartbeat, names no culprit). */
static void
k_issue_note(struct kcidb *k, const char *sig, const char *kind,
    const char *title, const char *source)
{
	json_t *issue, *misc;

	if (strmap_find(&k->issue_set, sig) != NULL)
		return;
	strmap_put(&k->issue_set, sig, 1);
	issue = json_object();
	k_set(issue, "id", k_id(k, sig));
	k_set(issue, "version", json_integer(KCIDB_ISSUE_VERSION));
	k_set(issue, "origin", json_string(k->origin));
	k_set(issue, "comment", k_text(title));
	if (strcmp(source, "daemon") != 0)
		k_set(issue, "culprit", json_pack("{s:b}", "code", 1));
	misc = json_object();
	k_set(misc, "kind", k_text(kind));
	k_set(misc, "title", k_text(title));
	k_set(issue, "misc", misc);
	json_array_append_new(k->issues, issue);
}

static void
k_incident_note(struct kcidb *k, const char *uuid, const char *sig,
    int64_t events)
{
	json_t *inc = json_object();
	char *key = xasprintf("%s:%s", uuid, sig);

	k_set(inc, "id", k_id(k, key));
	k_set(inc, "origin", json_string(k->origin));
	k_set(inc, "issue_id", k_id(k, sig));
	k_set(inc, "issue_version", json_integer(KCIDB_ISSUE_VERSION));
	k_set(inc, "test_id", k_id(k, uuid));
	k_set(inc, "present", json_true());
	k_set(inc, "misc", json_pack("{s:I}", "events", (json_int_t)events));
	json_array_append_new(k->incidents, inc);
	free(key);
}

/* A run's build, and an incident per signature among its events. */
static int
k_gather_run(struct kcidb *k, const struct export_pick *p, char **cause)
{
	struct stmt *st = k->run_kernel;
	char *sig = NULL;
	int64_t n = 0;
	int rc, r = 0;

	stmt_reset(st);
	stmt_bind_int64(st, 1, p->id);
	if (stmt_step(st) != STORE_ROW)
		r = db_error(k->db, cause, "cannot read run");
	else
		k_kernel_note(k, stmt_int64(st, 0));
	stmt_reset(st);
	if (r != 0)
		return r;
	st = k->run_issues;
	stmt_reset(st);
	stmt_bind_int64(st, 1, p->id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *s = stmt_text(st, 0);

		if (sig != NULL && strcmp(sig, s) != 0) {
			k_incident_note(k, p->uuid, sig, n);
			free(sig);
			sig = NULL;
		}
		if (sig == NULL) {
			sig = xstrdup(s);
			n = 0;
			k_issue_note(k, sig, stmt_text(st, 1),
			    stmt_text(st, 2), stmt_text(st, 3));
		}
		n++;
	}
	if (rc != STORE_DONE)
		r = db_error(k->db, cause, "cannot read a run's events");
	else if (sig != NULL)
		k_incident_note(k, p->uuid, sig, n);
	free(sig);
	stmt_reset(st);
	return r;
}

/*
 * A kernel build is a KCIDB build; its checkout is the image it booted:
 * one per GNU build-id (builds that differ only by command line share
 * it), else one per build.
 */
static void
k_kernel_objects(struct kcidb *k, struct stmt *st, struct strmap *seen)
{
	const char *build_key = stmt_text(st, 0), *release = stmt_text(st, 1);
	const char *build_id = stmt_text(st, 3);
	const char *checkout_key = build_id != NULL && *build_id != '\0' ?
	    build_id : build_key;
	json_t *o, *misc;

	if (strmap_find(seen, checkout_key) == NULL) {
		strmap_put(seen, checkout_key, 1);
		o = json_object();
		k_set(o, "id", k_id(k, checkout_key));
		k_set(o, "origin", json_string(k->origin));
		k_set(o, "comment", k_text(release));
		k_set(o, "valid", json_true());
		misc = json_object();
		k_set(misc, "build_id", k_text(build_id));
		k_set(misc, "version", k_text(stmt_text(st, 2)));
		k_set(o, "misc", misc);
		json_array_append_new(k->checkouts, o);
	}
	o = json_object();
	k_set(o, "checkout_id", k_id(k, checkout_key));
	k_set(o, "id", k_id(k, build_key));
	k_set(o, "origin", json_string(k->origin));
	k_set(o, "comment", k_text(release));
	/* It booted and ran the tests: it built. */
	k_set(o, "status", json_string("PASS"));
	misc = json_object();
	k_set(misc, "release", k_text(release));
	k_set(misc, "version", k_text(stmt_text(st, 2)));
	k_set(misc, "build_id", k_text(build_id));
	k_set(misc, "cmdline", k_text(stmt_text(st, 4)));
	k_set(misc, "config_hash", k_text(stmt_text(st, 5)));
	k_set(misc, "config_source", k_text(stmt_text(st, 6)));
	k_set(o, "misc", misc);
	json_array_append_new(k->builds, o);
}

static int
k_kernels(struct kcidb *k, char **cause)
{
	struct strmap seen = STRMAP_INIT;
	struct stmt *st = k->kernel;
	size_t i;
	int r = 0;

	for (i = 0; i < k->nkernels && r == 0; i++) {
		stmt_reset(st);
		stmt_bind_int64(st, 1, k->kernels[i]);
		if (stmt_step(st) != STORE_ROW)
			r = db_error(k->db, cause, "cannot read a kernel build");
		else
			k_kernel_objects(k, st, &seen);
		stmt_reset(st);
	}
	strmap_free(&seen);
	return r;
}

/* --- tests ------------------------------------------------------------- */

/* The columns of k->run. */
enum {
	RUN_UUID, RUN_WORKLOAD, RUN_PARAMS, RUN_STATE, RUN_REASON, RUN_LABEL,
	RUN_STARTED, RUN_ENDED, RUN_EXIT, RUN_BUILD_KEY, RUN_HOSTNAME,
	RUN_CPUS, RUN_NODES, RUN_MEM_KB,
};

static json_t *
k_int_or_null(struct stmt *st, int col)
{
	return stmt_type(st, col) == STORE_NULL ? NULL :
	    json_integer(stmt_int64(st, col));
}

/* What a run's test and its metrics' tests share: build, origin, time,
 * the machine. */
static json_t *
k_test_base(struct kcidb *k, struct stmt *st)
{
	json_t *base = json_object(), *env, *misc;

	k_set(base, "build_id", k_id(k, stmt_text(st, RUN_BUILD_KEY)));
	k_set(base, "origin", json_string(k->origin));
	if (stmt_type(st, RUN_STARTED) != STORE_NULL) {
		k_set(base, "start_time", k_time(stmt_int64(st, RUN_STARTED)));
		if (stmt_type(st, RUN_ENDED) != STORE_NULL)
			k_set(base, "duration", json_real((double)
			    (stmt_int64(st, RUN_ENDED) -
			    stmt_int64(st, RUN_STARTED)) / 1e9));
	}
	/* Not the machine-id: machine-id(5) asks to keep it private. */
	env = json_object();
	k_set(env, "comment", k_text(stmt_text(st, RUN_HOSTNAME)));
	misc = json_object();
	k_set(misc, "hostname", k_text(stmt_text(st, RUN_HOSTNAME)));
	k_set(misc, "cpus_possible", k_int_or_null(st, RUN_CPUS));
	k_set(misc, "numa_nodes", k_int_or_null(st, RUN_NODES));
	k_set(misc, "mem_total_kb", k_int_or_null(st, RUN_MEM_KB));
	k_set(env, "misc", misc);
	k_set(base, "environment", env);
	return base;
}

/* The excerpt: the run's first event from the kernel's log, else its
 * first event of any source (a workload's check, the daemon's own). */
static int
k_run_events(struct kcidb *k, int64_t run_id, json_t **excerpt,
    int *kernel_logged, char **cause)
{
	struct stmt *st = k->run_events;
	const char *source;
	int rc = STORE_DONE, r = 0, logged;

	*excerpt = NULL;
	*kernel_logged = 0;
	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	while (!*kernel_logged && (rc = stmt_step(st)) == STORE_ROW) {
		source = stmt_text(st, 1);
		logged = strcmp(source, "kmsg") == 0 ||
		    strcmp(source, "pstore") == 0;
		if (*excerpt == NULL || logged) {
			json_decref(*excerpt);
			*excerpt = k_excerpt(stmt_text(st, 0));
		}
		*kernel_logged = logged;
	}
	if (!*kernel_logged && rc != STORE_DONE) {
		r = db_error(k->db, cause, "cannot read a run's events");
		json_decref(*excerpt);
		*excerpt = NULL;
	}
	stmt_reset(st);
	return r;
}

/* The run's own test: its status, why, and what it ran with. */
static json_t *
k_run_test(struct kcidb *k, struct stmt *st, json_t *base, json_t *excerpt,
    int kernel_logged)
{
	const char *state = stmt_text(st, RUN_STATE);
	const char *reason = stmt_text(st, RUN_REASON);
	json_t *t = json_object(), *misc, *params;
	char *comment;

	k_set(t, "id", k_id(k, stmt_text(st, RUN_UUID)));
	json_object_update(t, base);
	k_set(t, "path", k_path(stmt_text(st, RUN_WORKLOAD), NULL));
	k_set(t, "status", json_string(k_status(state, kernel_logged)));
	comment = reason != NULL ? xasprintf("%s %s: %s", stmt_text(st,
	    RUN_WORKLOAD), state, reason) : xasprintf("%s %s",
	    stmt_text(st, RUN_WORKLOAD), state);
	k_set(t, "comment", k_text(comment));
	free(comment);
	k_set(t, "log_excerpt", excerpt);
	misc = json_object();
	k_set(misc, "state", k_text(state));
	k_set(misc, "reason", k_text(reason));
	k_set(misc, "label", k_text(stmt_text(st, RUN_LABEL)));
	k_set(misc, "exit_status", k_text(stmt_text(st, RUN_EXIT)));
	params = json_loads(stmt_text(st, RUN_PARAMS), 0, NULL);
	k_set(misc, "params", params != NULL ? params :
	    k_text(stmt_text(st, RUN_PARAMS)));
	k_set(t, "misc", misc);
	return t;
}

/* One test per metric: "DONE" with the value as its "number", the
 * schema's way for a test's main output that is a measurement. */
static int
k_metric_tests(struct kcidb *k, int64_t run_id, struct stmt *run,
    json_t *base, char **cause)
{
	struct stmt *st = k->metrics;
	const char *uuid = stmt_text(run, RUN_UUID);
	json_t *t, *misc;
	char *key;
	double v;
	int rc, r = 0;

	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	while (r == 0 && (rc = stmt_step(st)) == STORE_ROW) {
		const char *name = stmt_text(st, 0), *unit = stmt_text(st, 2);

		v = stmt_double(st, 1);
		key = xasprintf("%s.%s", uuid, name);
		t = json_object();
		k_set(t, "id", k_id(k, key));
		free(key);
		json_object_update(t, base);
		k_set(t, "path", k_path(stmt_text(run, RUN_WORKLOAD), name));
		k_set(t, "status", json_string("DONE"));
		k_set(t, "number", k_number(v, unit));
		misc = json_object();
		k_set(misc, "metric", k_text(name));
		k_set(misc, "unit", k_text(unit));
		k_set(misc, "better", k_text(stmt_text(st, 3)));
		if (!isfinite(v))
			k_set(misc, "value", json_string(isnan(v) ? "nan" :
			    v > 0 ? "inf" : "-inf"));
		k_set(t, "misc", misc);
		r = k_item(k, t, cause);
	}
	if (r == 0 && rc != STORE_DONE)
		r = db_error(k->db, cause, "cannot read a run's metrics");
	stmt_reset(st);
	return r;
}

static int
k_run_tests(struct kcidb *k, int64_t run_id, char **cause)
{
	struct stmt *st = k->run;
	json_t *base = NULL, *excerpt = NULL;
	int kernel_logged, r;

	if ((r = k_run_events(k, run_id, &excerpt, &kernel_logged,
	    cause)) != 0)
		return r;
	stmt_reset(st);
	stmt_bind_int64(st, 1, run_id);
	if (stmt_step(st) != STORE_ROW) {
		r = db_error(k->db, cause, "cannot read run");
		json_decref(excerpt);
		goto out;
	}
	base = k_test_base(k, st);
	if ((r = k_item(k, k_run_test(k, st, base, excerpt, kernel_logged),
	    cause)) != 0)
		goto out;
	r = k_metric_tests(k, run_id, st, base, cause);
out:
	json_decref(base);
	stmt_reset(st);
	return r;
}

/* --- the export -------------------------------------------------------- */

static int
k_prepare(struct kcidb *k, char **cause)
{
	struct db *db = k->db;

	k->run_kernel = db_prepare(db, "SELECT kernel_id FROM runs WHERE "
	    "id = $1", cause);
	k->run_issues = db_prepare(db, "SELECT signature, kind, title, "
	    "source FROM events WHERE run_id = $1 AND " KCIDB_EVENTS_SQL
	    " ORDER BY signature, t_ns, id", cause);
	k->kernel = db_prepare(db, "SELECT build_key, release, version, "
	    "build_id, cmdline, config_hash, config_source FROM kernels "
	    "WHERE id = $1", cause);
	k->run = db_prepare(db, "SELECT r.uuid, r.workload, r.params, "
	    "r.state, r.reason, r.label, r.started_ns, r.ended_ns, "
	    "r.exit_status, k.build_key, h.hostname, h.cpus_possible, "
	    "h.numa_nodes, h.mem_total_kb FROM runs r JOIN kernels k ON "
	    "k.id = r.kernel_id JOIN hosts h ON h.id = r.host_id WHERE "
	    "r.id = $1", cause);
	k->run_events = db_prepare(db, "SELECT text, source FROM events "
	    "WHERE run_id = $1 AND " KCIDB_EVENTS_SQL " ORDER BY t_ns, id",
	    cause);
	k->metrics = db_prepare(db, "SELECT name, value, unit, better FROM "
	    "metrics WHERE run_id = $1 ORDER BY name", cause);
	if (k->run_kernel == NULL || k->run_issues == NULL ||
	    k->kernel == NULL || k->run == NULL || k->run_events == NULL ||
	    k->metrics == NULL)
		return -EIO;
	return 0;
}

/* Everything but the tests, which are written as they are read. */
static int
k_write(struct kcidb *k, const struct export_pick *picks, size_t n,
    char **cause)
{
	char head[64];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = k_gather_run(k, &picks[i], cause)) != 0)
			return r;
	}
	if ((r = k_kernels(k, cause)) != 0)
		return r;
	snprintf(head, sizeof head, "{\"version\":{\"major\":%d,\"minor\":%d}",
	    KCIDB_SCHEMA_MAJOR, KCIDB_SCHEMA_MINOR);
	if ((r = k_put(k, head, cause)) != 0 ||
	    (r = k_array(k, "checkouts", k->checkouts, cause)) != 0 ||
	    (r = k_array(k, "builds", k->builds, cause)) != 0 ||
	    (r = k_array(k, "issues", k->issues, cause)) != 0 ||
	    (r = k_array_begin(k, "tests", cause)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((r = k_run_tests(k, picks[i].id, cause)) != 0)
			return r;
	}
	if ((r = k_put(k, "]", cause)) != 0 ||
	    (r = k_array(k, "incidents", k->incidents, cause)) != 0)
		return r;
	return k_put(k, "}\n", cause);
}

int
kcidb_export(struct db *db, char *const *keys, size_t nkeys,
    const char *origin, FILE *out, struct export_result *res, char **cause)
{
	struct kcidb k;
	struct export_pick *picks = NULL;
	size_t npicks = 0;
	int r;

	memset(res, 0, sizeof *res);
	if ((r = kcidb_origin_check(origin, cause)) != 0)
		return r;
	memset(&k, 0, sizeof k);
	k.db = db;
	k.out = out;
	k.origin = origin;
	k.checkouts = json_array();
	k.builds = json_array();
	k.issues = json_array();
	k.incidents = json_array();
	/* One read transaction: a snapshot, whatever mmstormd writes. */
	if ((r = db_exec(db, "BEGIN", cause)) != 0)
		goto out;
	if ((r = k_prepare(&k, cause)) == 0 &&
	    (r = export_pick_runs(db, keys, nkeys, &picks, &npicks,
	    &res->unfinished, cause)) == 0 &&
	    (r = k_write(&k, picks, npicks, cause)) == 0) {
		res->runs = npicks;
		res->lines = k.objects;
	}
	db_rollback(db);   /* read only: nothing to keep */
out:
	stmt_finalize(k.run_kernel);
	stmt_finalize(k.run_issues);
	stmt_finalize(k.kernel);
	stmt_finalize(k.run);
	stmt_finalize(k.run_events);
	stmt_finalize(k.metrics);
	export_picks_free(picks, npicks);
	free(k.kernels);
	strmap_free(&k.issue_set);
	json_decref(k.checkouts);
	json_decref(k.builds);
	json_decref(k.issues);
	json_decref(k.incidents);
	return r;
}
