/* catalog.c - the kernel builds and the runs a database holds, listed. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "common/util.h"
#include "store/catalog.h"
#include "store/db.h"

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * Step st to its end, one zeroed element of size bytes per row that
 * fill() sets from the row.  *rows is the caller's to free, also on
 * failure (with the *n rows read); what names the rows in the error.
 */
static int
collect_rows(struct db *db, struct stmt *st, size_t size,
    void (*fill)(struct stmt *, void *row), const char *what, void **rows,
    size_t *n, char **cause)
{
	char *a = NULL;
	int rc;

	*n = 0;
	while ((rc = stmt_step(st)) == STORE_ROW) {
		a = xreallocarray(a, *n + 1, size);
		memset(a + *n * size, 0, size);
		fill(st, a + *n * size);
		(*n)++;
	}
	*rows = a;
	return rc == STORE_DONE ? 0 : db_error(db, cause, what);
}

struct kernel_label {
	int64_t kernel_id;
	char *label;
};

static void
fill_kernel_label(struct stmt *st, void *row)
{
	struct kernel_label *l = row;

	l->kernel_id = stmt_int64(st, 0);
	l->label = xstrdup(stmt_text(st, 1));
}

/* By kernel, then label byte by byte: the order SQLite's index
 * runs_label (kernel_id, label) gave the group_concat this replaces. */
static int
kernel_label_cmp(const void *a, const void *b)
{
	const struct kernel_label *x = a, *y = b;

	if (x->kernel_id != y->kernel_id)
		return x->kernel_id < y->kernel_id ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Each kernel's distinct labels joined with commas.  Joined here, not in
 * SQL: SQLite's group_concat and PostgreSQL's string_agg differ. */
static int
load_labels(struct db *db, struct catalog_kernel *ks, size_t nk,
    char **cause)
{
	struct kernel_label *ls = NULL;
	struct buf b = BUF_INIT;
	struct stmt *st;
	size_t n = 0, i, k, found;
	void *rows;
	int r = -EIO;

	st = db_prepare(db, "SELECT DISTINCT kernel_id, label FROM runs "
	    "WHERE label IS NOT NULL", cause);
	if (st == NULL)
		goto out;
	r = collect_rows(db, st, sizeof *ls, fill_kernel_label,
	    "cannot list run labels", &rows, &n, cause);
	ls = rows;
	if (r != 0)
		goto out;
	if (n > 0)
		qsort(ls, n, sizeof *ls, kernel_label_cmp);
	for (i = 0; i < nk; i++) {
		buf_reset(&b);
		found = 0;
		for (k = 0; k < n; k++)
			if (ls[k].kernel_id == ks[i].id)
				buf_printf(&b, "%s%s", found++ > 0 ? "," : "",
				    ls[k].label);
		if (found > 0)
			ks[i].labels = xstrdup(b.s != NULL ? b.s : "");
	}
out:
	for (i = 0; i < n; i++)
		free(ls[i].label);
	free(ls);
	buf_release(&b);
	stmt_finalize(st);
	return r;
}

static void
fill_kernel(struct stmt *st, void *row)
{
	struct catalog_kernel *k = row;

	k->id = stmt_int64(st, 0);
	k->release = xstrdup(stmt_text(st, 1));
	k->build_id = dup_or_null(stmt_text(st, 2));
	k->build_key = xstrdup(stmt_text(st, 3));
	k->config_hash = dup_or_null(stmt_text(st, 4));
	k->cmdline = xstrdup(stmt_text(st, 5));
	k->version = xstrdup(stmt_text(st, 6));
	k->first_seen_ns = stmt_int64(st, 7);
	k->runs = stmt_int64(st, 8);
}

int
catalog_kernels(struct db *db, struct catalog_kernel **out, size_t *nout,
    char **cause)
{
	struct stmt *st;
	void *rows;
	int r;

	*out = NULL;
	*nout = 0;
	st = db_prepare(db, "SELECT k.id, k.release, k.build_id, k.build_key, "
	    "k.config_hash, k.cmdline, k.version, k.first_seen_ns, "
	    "(SELECT count(*) FROM runs r WHERE r.kernel_id = k.id) "
	    "FROM kernels k ORDER BY k.first_seen_ns", cause);
	if (st == NULL)
		return -EIO;
	r = collect_rows(db, st, sizeof **out, fill_kernel,
	    "cannot list kernels", &rows, nout, cause);
	stmt_finalize(st);
	*out = rows;
	if (r == 0)
		r = load_labels(db, *out, *nout, cause);
	if (r != 0) {
		catalog_kernels_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	return r;
}

void
catalog_kernels_free(struct catalog_kernel *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].release);
		free(rows[i].build_id);
		free(rows[i].build_key);
		free(rows[i].config_hash);
		free(rows[i].cmdline);
		free(rows[i].version);
		free(rows[i].labels);
	}
	free(rows);
}

static catalog_defaults_fn defaults_fn;

/* The hook's texts, parsed once each (they live as long as the program). */
static struct parsed_defaults {
	const char *text;
	json_t *obj;
} parsed[16];
static size_t nparsed;
static pthread_mutex_t parsed_mu = PTHREAD_MUTEX_INITIALIZER;

void
catalog_set_defaults(catalog_defaults_fn fn)
{
	defaults_fn = fn;
}

/* A borrowed reference to the parsed defaults of workload, or NULL. */
static json_t *
defaults_of(const char *workload)
{
	const char *text;
	json_t *obj = NULL;
	size_t i;

	if (defaults_fn == NULL || workload == NULL ||
	    (text = defaults_fn(workload)) == NULL)
		return NULL;
	pthread_mutex_lock(&parsed_mu);
	for (i = 0; i < nparsed; i++)
		if (parsed[i].text == text)
			obj = parsed[i].obj;
	if (obj == NULL && nparsed < sizeof parsed / sizeof parsed[0]) {
		obj = json_loads(text, 0, NULL);
		if (json_is_object(obj)) {
			parsed[nparsed].text = text;
			parsed[nparsed++].obj = obj;
		} else {
			json_decref(obj);
			obj = NULL;
		}
	}
	pthread_mutex_unlock(&parsed_mu);
	return obj;
}

void
catalog_params_key(const char *workload, const char *params,
    char out[CATALOG_PARAMS_KEY_LEN + 1])
{
	json_t *j = json_loads(params != NULL ? params : "{}", 0, NULL);
	json_t *defaults, *v, *d;
	const char *name;
	char *canon;
	char hex[65];
	void *next;

	/* A seed is a draw, not a setting: runs that differ only in it are
	 * replicates (hotplug draws one per run, run/options.c). */
	if (json_is_object(j))
		json_object_del(j, "seed");
	if (json_is_object(j) && (defaults = defaults_of(workload)) != NULL)
		json_object_foreach_safe(j, next, name, v)
			if ((d = json_object_get(defaults, name)) != NULL &&
			    json_equal(d, v))
				json_object_del(j, name);
	canon = j != NULL ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) :
	    NULL;

	/* text that is not JSON still gets a key of its own */
	sha256_hex(canon ? canon : params ? params : "",
	    strlen(canon ? canon : params ? params : ""), hex);
	memcpy(out, hex, CATALOG_PARAMS_KEY_LEN);
	out[CATALOG_PARAMS_KEY_LEN] = '\0';
	free(canon);
	json_decref(j);
}

static char *
host_class_name(const char *class, const char *hostname,
    const char *machine_id)
{
	if (class != NULL && *class != '\0')
		return xstrdup(class);
	return xasprintf("%s/%.8s", hostname, machine_id);
}

int
catalog_host_matches(const struct catalog_host *h, const char *filter)
{
	return filter == NULL || strcmp(h->name, filter) == 0 ||
	    strcmp(h->hostname, filter) == 0;
}

static void
fill_host(struct stmt *st, void *row)
{
	struct catalog_host *h = row;

	h->id = stmt_int64(st, 0);
	h->hostname = xstrdup(stmt_text(st, 1));
	h->machine_id = xstrdup(stmt_text(st, 2));
	h->class = dup_or_null(stmt_text(st, 3));
	h->cpus = stmt_int64(st, 4);
	h->nodes = stmt_int64(st, 5);
	h->mem_total_kb = stmt_int64(st, 6);
	h->runs = stmt_int64(st, 7);
	h->name = host_class_name(h->class, h->hostname, h->machine_id);
}

int
catalog_hosts(struct db *db, int count_runs, struct catalog_host **out,
    size_t *nout, char **cause)
{
	struct stmt *st;
	void *rows;
	int r;

	*out = NULL;
	*nout = 0;
	/* runs has no host index: counting is for `hosts` only, not for
	 * every comparison's keys */
	st = db_prepare(db, count_runs ? "SELECT h.id, h.hostname, "
	    "h.machine_id, h.class, h.cpus_possible, h.numa_nodes, "
	    "h.mem_total_kb, (SELECT count(*) FROM runs r WHERE r.host_id = "
	    "h.id) FROM hosts h ORDER BY h.id" : "SELECT id, hostname, "
	    "machine_id, class, cpus_possible, numa_nodes, mem_total_kb, 0 "
	    "FROM hosts ORDER BY id", cause);
	if (st == NULL)
		return -EIO;
	r = collect_rows(db, st, sizeof **out, fill_host, "cannot list hosts",
	    &rows, nout, cause);
	stmt_finalize(st);
	*out = rows;
	if (r != 0)
		catalog_hosts_free(*out, *nout);
	return r == 0 ? 0 : (*out = NULL, *nout = 0, r);
}

void
catalog_hosts_free(struct catalog_host *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].hostname);
		free(rows[i].machine_id);
		free(rows[i].class);
		free(rows[i].name);
	}
	free(rows);
}

/* Hosts named by $N (hostname or class) or $N+1 (a machine-id prefix
 * with '%', or NULL). */
#define HOST_NAMED(n, m) "(hostname = $" n " OR class = $" n " OR " \
	"machine_id LIKE $" m ")"

/* Binds the name of hosts at n and its machine-id pattern at n + 1. */
static void
bind_host_name(struct stmt *st, int n, const char *host)
{
	char *like = strlen(host) >= 6 ? xasprintf("%s%%", host) : NULL;

	stmt_bind_text(st, n, host);
	stmt_bind_text(st, n + 1, like);
	free(like);
}

int
catalog_host_set_class(struct db *db, const char *host, const char *class,
    int64_t *changed, char **cause)
{
	struct stmt *st;
	int rc;

	*changed = 0;
	st = db_prepare(db, "SELECT count(*) FROM hosts WHERE "
	    HOST_NAMED("1", "2"), cause);
	if (st == NULL)
		return -EIO;
	bind_host_name(st, 1, host);
	if ((rc = stmt_step(st)) == STORE_ROW)
		*changed = stmt_int64(st, 0);
	stmt_finalize(st);
	if (rc != STORE_ROW)
		return db_error(db, cause, "cannot read hosts");
	if (*changed == 0)
		return set_cause(cause, ENOENT, "no host '%s'", host);
	st = db_prepare(db, "UPDATE hosts SET class = $1 WHERE "
	    HOST_NAMED("2", "3"), cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, class);
	bind_host_name(st, 2, host);
	rc = stmt_step(st);
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot set the host class");
	return 0;
}

static void
fill_run(struct stmt *st, void *row)
{
	struct catalog_run *run = row;

	run->uuid = xstrdup(stmt_text(st, 0));
	run->workload = xstrdup(stmt_text(st, 1));
	run->state = xstrdup(stmt_text(st, 2));
	run->release = xstrdup(stmt_text(st, 3));
	run->label = dup_or_null(stmt_text(st, 4));
	run->created_ns = stmt_int64(st, 5);
	run->started_ns = stmt_int64(st, 6);
	run->ended_ns = stmt_int64(st, 7);
	run->reason = dup_or_null(stmt_text(st, 8));
	catalog_params_key(run->workload, stmt_text(st, 9), run->params);
	run->host = host_class_name(stmt_text(st, 12), stmt_text(st, 10),
	    stmt_text(st, 11));
	run->hostname = xstrdup(stmt_text(st, 10));
}

static void
catalog_runs_free_tail(struct catalog_run *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].uuid);
		free(rows[i].workload);
		free(rows[i].state);
		free(rows[i].release);
		free(rows[i].label);
		free(rows[i].reason);
		free(rows[i].host);
		free(rows[i].hostname);
	}
}

/* Keeps the rows the host and parameter filters select, at most limit. */
static size_t
filter_runs(struct catalog_run *rs, size_t n,
    const struct catalog_runs_query *q)
{
	size_t i, kept = 0;
	struct catalog_run tmp;

	for (i = 0; i < n; i++) {
		int ok = kept < (size_t)q->limit &&
		    (q->params == NULL || starts_with(rs[i].params,
		    q->params)) && (q->host == NULL || strcmp(rs[i].host,
		    q->host) == 0 || strcmp(rs[i].hostname, q->host) == 0);

		if (ok) {
			tmp = rs[kept];
			rs[kept++] = rs[i];
			rs[i] = tmp;
		}
	}
	catalog_runs_free_tail(rs + kept, n - kept);
	return kept;
}

int
catalog_runs(struct db *db, const struct catalog_runs_query *q,
    struct catalog_run **out, size_t *nout, char **cause)
{
	int filtered = q->host != NULL || q->params != NULL;
	struct stmt *st;
	void *rows;
	int r;

	*out = NULL;
	*nout = 0;
	st = db_prepare(db, "SELECT r.uuid, r.workload, r.state, k.release, "
	    "r.label, r.created_ns, r.started_ns, r.ended_ns, r.reason, "
	    "r.params, h.hostname, h.machine_id, h.class "
	    "FROM runs r JOIN kernels k ON k.id = r.kernel_id "
	    "JOIN hosts h ON h.id = r.host_id "
	    "WHERE (CAST($1 AS TEXT) IS NULL OR r.workload = $1) AND "
	    "(CAST($2 AS TEXT) IS NULL OR r.state = $2) AND "
	    "(CAST($3 AS TEXT) IS NULL OR k.release = $3 OR "
	    "lower(k.build_id) LIKE lower($3) || '%') "
	    "ORDER BY r.created_ns DESC, r.id DESC "
	    "LIMIT $4", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, q->workload);
	stmt_bind_text(st, 2, q->state);
	stmt_bind_text(st, 3, q->kernel);
	/* the host and parameter filters are applied here, on every row */
	stmt_bind_int64(st, 4, filtered ? INT64_MAX : q->limit);
	r = collect_rows(db, st, sizeof **out, fill_run, "cannot list runs",
	    &rows, nout, cause);
	stmt_finalize(st);
	*out = rows;
	if (r == 0 && filtered)
		*nout = filter_runs(*out, *nout, q);
	if (r != 0) {
		catalog_runs_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	return r;
}

void
catalog_runs_free(struct catalog_run *rows, size_t n)
{
	catalog_runs_free_tail(rows, n);
	free(rows);
}
