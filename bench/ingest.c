/*
 * ingest.c - benchmark (b): SQLite ingest of samples, and the layout.
 *
 * Takes real sampler passes from the live machine (sampler_init(NULL),
 * sampler_read), replays them with small variations to a fixed data set,
 * and writes that same data set, in one process, into fresh temporary
 * databases with each candidate layout:
 *
 *   narrow      samples_narrow(run_id, seq, counter_id, value) WITHOUT
 *               ROWID, one row per counter value (+ one narrow_passes row
 *               per pass for t_ns and label); one cached INSERT statement
 *   blob        the production path: db_open() (real schema, WAL,
 *               synchronous=FULL, foreign keys) and db_sample_insert(),
 *               which prepares its statement on every call
 *   blob-cached the same rows and encoding (sample_encode), one prepared
 *               statement reused with stmt_reset()
 *   blob-delta  as blob-cached, but each blob holds the difference from
 *               the previous pass (a full pass every -k passes)
 *   blob-rowid  as blob-cached, but samples is an ordinary rowid table
 *               (PRIMARY KEY (run_id, seq) becomes a separate index), so a
 *               blob up to ~4 kB stays in its leaf cell; a WITHOUT ROWID
 *               row spills to an overflow page beyond ~1 kB
 *
 * Transactions hold -b passes (BEGIN IMMEDIATE ... COMMIT, as the runner
 * does once a second).  For each layout it reports the ingest rate
 * (counter values/s and passes/s), the bytes on disk after a TRUNCATE
 * checkpoint and after VACUUM (PRAGMA page_count * page_size, less the
 * empty database), and the time to read back one run whole (series_load()
 * from lib/query.c for the blob layouts, what 'mmstorm samples RUN'
 * does) and one counter's series.  Every read is checked against the data
 * set.  Medians over -r repetitions; the temporary directory is removed
 * at exit, also on SIGINT/SIGTERM.
 *
 *   build/bench-ingest [-n passes] [-R runs] [-r reps] [-b batch[,batch]]
 *       [-c captures] [-i capture_ms] [-k keyframe] [-C counter] [-q]
 *       [-F] [-x factor] [-P page_size] [-L layout,...] [-d dir]
 *
 * -q captures without the mmap/munmap churn thread (idle counters); -F
 * turns foreign keys off; -x repeats the counter set (as on a machine
 * with more CPUs and so more irq.*.cpuN counters); -P creates the
 * databases with another page size (default SQLite's 4096); -L runs only
 * the named layouts.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "store/db.h"
#include "probe/identity.h"
#include "store/series.h"
#include "probe/sampler.h"
#include "common/util.h"

#define MAX_BATCHES 4
#define READ_TRIES  5

enum layout {
	L_NARROW, L_BLOB, L_BLOB_CACHED, L_BLOB_DELTA, L_BLOB_ROWID, L_COUNT
};

static const char *const layout_name[L_COUNT] = {
	"narrow", "blob", "blob-cached", "blob-delta", "blob-rowid",
};

/* Parameters. */
static long opt_passes = 20000, opt_runs = 2, opt_reps = 3;
static long opt_batches[MAX_BATCHES] = { 1000, 20 };
static int opt_nbatches = 2;
static long opt_captures = 200, opt_capture_ms = 10, opt_keyframe = 100;
static const char *opt_counter = "vmstat.pgfault";
static const char *opt_dir;
static int opt_churn = 1, opt_fk = 1;
static long opt_widen = 1, opt_page_size;
static unsigned opt_layouts = (1u << L_COUNT) - 1;

/* The data set: passes x counters, row-major. */
static size_t nc;
static const struct counter_desc **descs;
static int64_t *data;
static int64_t *t_ns;
static double capture_interval_ms;
static struct sampler *smp;

/* Temporary files, removed at exit and on a signal. */
static char tmpdir[4096];
static char cur_db[4096 + 64];

struct result {
	double ingest_s, cpu_s;
	double bytes, bytes_vacuum;
	double read_run_ms, read_counter_ms;
};

static struct result results[MAX_BATCHES][L_COUNT][64];
static double run_overhead_bytes = -1;

/* ---- cleanup --------------------------------------------------------- */

static void
unlink_db(const char *path)
{
	char side[sizeof cur_db + 8];

	if (*path == '\0')
		return;
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-journal", path);
	unlink(side);
}

static void
cleanup(void)
{
	unlink_db(cur_db);
	cur_db[0] = '\0';
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
	tmpdir[0] = '\0';
}

static void
on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-ingest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- small helpers --------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Uniform in [-a, a]. */
static int64_t
rng_pm(int64_t a)
{
	if (a <= 0)
		return 0;
	return (int64_t)(rng() % (uint64_t)(2 * a + 1)) - a;
}

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	double *c = xcalloc(n, sizeof *c), m;

	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static void
xexec(struct db *db, const char *sql)
{
	char *cause = NULL;

	if (db_exec(db, sql, &cause) != 0)
		die("%s", cause);
}

static int64_t
query_int(struct db *db, const char *sql)
{
	struct stmt *st;
	char *cause = NULL;
	int64_t v = -1;

	if ((st = db_prepare(db, sql, &cause)) == NULL)
		die("%s", cause);
	if (stmt_step(st) == STORE_ROW)
		v = stmt_int64(st, 0);
	stmt_finalize(st);
	return v;
}

static int64_t
db_bytes(struct db *db)
{
	return query_int(db, "PRAGMA page_count") *
	    query_int(db, "PRAGMA page_size");
}

/* Bytes in use in the b-trees of runs and run_counters (dbstat; pages
 * without cells left out: SQLite 3.40 reports unused = -8 for an empty
 * 64 kB page). */
static int64_t
db_used_bytes(struct db *db)
{
	return query_int(db, "SELECT coalesce(sum(pgsize - unused), 0) FROM "
	    "dbstat WHERE ncell > 0 AND name IN (SELECT name FROM "
	    "sqlite_master WHERE tbl_name IN ('runs', 'run_counters'))");
}

static void
checkpoint(struct db *db)
{
	xexec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

/* ---- the data set ---------------------------------------------------- */

static volatile int churn_stop;

/* Memory traffic while capturing, so counters move as in a stress run. */
static void *
churn(void *arg)
{
	size_t len = 32 << 20, off;
	char *p;

	while (!churn_stop) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			usleep(1000);
			continue;
		}
		madvise(p, len / 2, MADV_HUGEPAGE);
		for (off = 0; off < len && !churn_stop; off += 4096)
			p[off] = 1;
		madvise(p, len / 4, MADV_DONTNEED);
		munmap(p, len);
	}
	return NULL;
}

static long
pingpong(long k, long n)
{
	long period = 2 * (n - 1), m;

	if (n < 2)
		return 0;
	m = k % period;
	return m < n ? m : period - m;
}

/*
 * Capture opt_captures real passes opt_capture_ms apart, then build
 * opt_passes passes from them: the captures are replayed forwards and
 * backwards; an event counter advances by the step it made in the
 * capture +-20 %, a gauge takes the captured level +- a quarter of its
 * largest step.
 */
static void
make_data(void)
{
	struct sampler *s;
	pthread_t th;
	char *cause = NULL;
	int64_t *cap, *maxstep, t0, t1, prev_t;
	long c, k;
	size_t j, nc0;

	if (sampler_init(&s, NULL, &cause) != 0)
		die("%s", cause);
	nc0 = sampler_count(s);
	nc = nc0 * (size_t)opt_widen;
	descs = xcalloc(nc, sizeof *descs);
	for (j = 0; j < nc; j++)
		descs[j] = sampler_counter(s, j % nc0);
	cap = xcalloc((size_t)opt_captures * nc, sizeof *cap);
	if (opt_churn && pthread_create(&th, NULL, churn, NULL) != 0)
		die("cannot start the churn thread");
	t0 = now_mono_ns();
	for (c = 0; c < opt_captures; c++) {
		int64_t *row = &cap[(size_t)c * nc];

		if (sampler_read(s, row) != 0)
			die("sampler_read failed");
		/* -x: more counters, as on a machine with more CPUs */
		for (j = nc0; j < nc; j++)
			row[j] = row[j % nc0];
		sleep_ns(opt_capture_ms * 1000000);
	}
	t1 = now_mono_ns();
	if (opt_churn) {
		churn_stop = 1;
		pthread_join(th, NULL);
	}
	capture_interval_ms = (double)(t1 - t0) / 1e6 / (double)opt_captures;

	maxstep = xcalloc(nc, sizeof *maxstep);
	for (c = 1; c < opt_captures; c++) {
		for (j = 0; j < nc; j++) {
			int64_t d = cap[(size_t)c * nc + j] -
			    cap[(size_t)(c - 1) * nc + j];

			if (d < 0)
				d = -d;
			if (d > maxstep[j])
				maxstep[j] = d;
		}
	}

	if ((double)opt_passes * (double)nc * 8 > 2e9)
		die("%ld passes x %zu counters is more than 2 GB of data: "
		    "lower -n or -x", opt_passes, nc);
	data = xcalloc((size_t)opt_passes * nc, sizeof *data);
	t_ns = xcalloc((size_t)opt_passes, sizeof *t_ns);
	prev_t = now_real_ns();
	memcpy(data, cap, nc * sizeof *data);
	t_ns[0] = prev_t;
	for (k = 1; k < opt_passes; k++) {
		long pa = pingpong(k - 1, opt_captures);
		long pb = pingpong(k, opt_captures);
		long lo = pa < pb ? pa : pb, hi = pa < pb ? pb : pa;
		int64_t *v = &data[(size_t)k * nc], *pv = v - nc;

		for (j = 0; j < nc; j++) {
			int64_t step = cap[(size_t)hi * nc + j] -
			    cap[(size_t)lo * nc + j];

			if (descs[j]->kind == COUNTER_EVENT) {
				int64_t d = step + rng_pm((step < 0 ? -step :
				    step) / 5);

				if (step >= 0 && d < 0)
					d = 0;
				v[j] = pv[j] + d;
			} else
				v[j] = cap[(size_t)pb * nc + j] +
				    rng_pm(maxstep[j] / 4);
		}
		prev_t += (int64_t)(capture_interval_ms * 1e6) +
		    rng_pm(20000);
		t_ns[k] = prev_t;
	}
	free(maxstep);
	free(cap);
	smp = s;        /* descs point into it */
}

/* ---- layouts --------------------------------------------------------- */

struct ctx {
	struct db *db;
	int64_t run_ids[64];
	struct stmt *ins, *ins_pass;
	struct buf b;
	int64_t *delta;
};

static const char narrow_sql[] =
    "CREATE TABLE samples_narrow (\n"
    "	run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
    "	seq        INTEGER NOT NULL,\n"
    "	counter_id INTEGER NOT NULL,\n"
    "	value      INTEGER NOT NULL,\n"
    "	PRIMARY KEY (run_id, seq, counter_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE narrow_passes (\n"
    "	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
    "	seq     INTEGER NOT NULL,\n"
    "	t_ns    INTEGER NOT NULL,\n"
    "	label   TEXT,\n"
    "	PRIMARY KEY (run_id, seq)\n"
    ") WITHOUT ROWID;\n";

/* The production samples table, but with a rowid (PRIMARY KEY becomes a
 * separate index): blobs up to ~4 kB stay on the leaf page. */
static const char rowid_sql[] =
    "DROP TABLE samples;\n"
    "CREATE TABLE samples (\n"
    "	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
    "	seq     INTEGER NOT NULL,\n"
    "	t_ns    INTEGER NOT NULL,\n"
    "	label   TEXT,\n"
    "	data    BLOB NOT NULL,\n"
    "	PRIMARY KEY (run_id, seq)\n"
    ");\n";

static void
setup(struct ctx *x, const char *path, enum layout l, int64_t *base)
{
	struct host_identity h = { 0 };
	struct kernel_identity ki = { 0 };
	struct run_new rn = { 0 };
	char uuid[37], *cause = NULL;
	int64_t host_id, kernel_id, used0;
	long r;

	memset(x, 0, sizeof *x);
	if (opt_page_size != 0) {
		/* The page size is fixed when the file gets its header. */
		sqlite3 *raw = NULL;
		char sql[80];

		snprintf(sql, sizeof sql, "PRAGMA page_size=%ld; "
		    "PRAGMA journal_mode=WAL", opt_page_size);
		if (sqlite3_open(path, &raw) != SQLITE_OK ||
		    sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
			die("%s: %s", path,
			    raw ? sqlite3_errmsg(raw) : "no memory");
		sqlite3_close(raw);
	}
	if (db_open(path, DB_CREATE, &x->db, &cause) != 0)
		die("%s", cause);
	if (opt_page_size != 0 &&
	    query_int(x->db, "PRAGMA page_size") != opt_page_size)
		die("page size %ld did not take", opt_page_size);
	if (l == L_NARROW)
		xexec(x->db, narrow_sql);
	if (l == L_BLOB_ROWID)
		xexec(x->db, rowid_sql);
	checkpoint(x->db);
	used0 = db_used_bytes(x->db);
	h.hostname = "bench";
	h.machine_id = "bench";
	h.cpus_possible = h.cpus_online = h.numa_nodes = 1;
	h.nodes_json = "[]";
	h.mem_total_kb = 1;
	ki.build_key = "bench";
	ki.release = ki.version = "bench";
	ki.cmdline = "";
	if (db_host_id(x->db, &h, &host_id, &cause) != 0 ||
	    db_kernel_id(x->db, &ki, &kernel_id, &cause) != 0)
		die("%s", cause);
	for (r = 0; r < opt_runs; r++) {
		uuid_v4(uuid);
		rn.uuid = uuid;
		rn.workload = "bench";
		rn.params_json = "{\"duration\":\"60s\",\"sample_ms\":\"1000\"}";
		rn.state = "running";
		rn.kernel_id = kernel_id;
		rn.host_id = host_id;
		rn.boot_id = boot_id();
		rn.created_ns = rn.started_ns = now_real_ns();
		if (db_run_insert(x->db, &rn, &x->run_ids[r], &cause) != 0 ||
		    db_run_counters(x->db, x->run_ids[r], descs, nc,
		    &cause) != 0)
			die("%s", cause);
	}
	checkpoint(x->db);
	if (run_overhead_bytes < 0)
		run_overhead_bytes = (double)(db_used_bytes(x->db) - used0) /
		    (double)opt_runs;
	*base = db_bytes(x->db);
	if (!opt_fk)
		xexec(x->db, "PRAGMA foreign_keys=OFF");

	switch (l) {
	case L_NARROW:
		x->ins = db_prepare(x->db, "INSERT INTO samples_narrow (run_id, "
		    "seq, counter_id, value) VALUES ($1, $2, $3, $4)", &cause);
		x->ins_pass = db_prepare(x->db, "INSERT INTO narrow_passes "
		    "(run_id, seq, t_ns, label) VALUES ($1, $2, $3, $4)",
		    &cause);
		if (x->ins == NULL || x->ins_pass == NULL)
			die("%s", cause);
		break;
	case L_BLOB_CACHED:
	case L_BLOB_DELTA:
	case L_BLOB_ROWID:
		x->ins = db_prepare(x->db, "INSERT INTO samples (run_id, seq, "
		    "t_ns, label, data) VALUES ($1, $2, $3, $4, $5)", &cause);
		if (x->ins == NULL)
			die("%s", cause);
		x->delta = xcalloc(nc, sizeof *x->delta);
		break;
	default:
		break;
	}
}

static void
step_reset(struct ctx *x, struct stmt *st)
{
	if (stmt_step(st) != STORE_DONE)
		die("insert: %s", db_errmsg(x->db));
	stmt_reset(st);
}

static const char *
label_of(long seq, long per_run)
{
	if (seq == 0)
		return "start";
	if (seq == per_run - 1)
		return "end";
	return NULL;
}

static void
bind_label(struct stmt *st, int i, const char *label)
{
	if (label != NULL)
		stmt_bind_text(st, i, label);
	else
		stmt_bind_null(st, i);
}

/* One pass k (seq within its run) into layout l. */
static void
insert_pass(struct ctx *x, enum layout l, int64_t run_id, long k, long seq,
    long per_run)
{
	const int64_t *v = &data[(size_t)k * nc];
	const char *label = label_of(seq, per_run);
	char *cause = NULL;
	size_t j;

	switch (l) {
	case L_NARROW:
		stmt_bind_int64(x->ins_pass, 1, run_id);
		stmt_bind_int64(x->ins_pass, 2, seq);
		stmt_bind_int64(x->ins_pass, 3, t_ns[k]);
		bind_label(x->ins_pass, 4, label);
		step_reset(x, x->ins_pass);
		stmt_bind_int64(x->ins, 1, run_id);
		stmt_bind_int64(x->ins, 2, seq);
		for (j = 0; j < nc; j++) {
			/* counter_id: the dictionary index, as run_counters */
			stmt_bind_int64(x->ins, 3, (int64_t)j);
			stmt_bind_int64(x->ins, 4, v[j]);
			step_reset(x, x->ins);
		}
		break;
	case L_BLOB:
		if (db_sample_insert(x->db, run_id, seq, t_ns[k], label, v, nc,
		    &cause) != 0)
			die("%s", cause);
		break;
	case L_BLOB_CACHED:
	case L_BLOB_DELTA:
	case L_BLOB_ROWID:
		buf_reset(&x->b);
		if (l == L_BLOB_DELTA && seq % opt_keyframe != 0) {
			for (j = 0; j < nc; j++)
				x->delta[j] = v[j] - v[(ssize_t)j - (ssize_t)nc];
			sample_encode(&x->b, x->delta, nc);
		} else
			sample_encode(&x->b, v, nc);
		stmt_bind_int64(x->ins, 1, run_id);
		stmt_bind_int64(x->ins, 2, seq);
		stmt_bind_int64(x->ins, 3, t_ns[k]);
		bind_label(x->ins, 4, label);
		stmt_bind_blob(x->ins, 5, x->b.s ? x->b.s : "",
		    (int)x->b.len);
		step_reset(x, x->ins);
		break;
	default:
		break;
	}
}

static void
ctx_close(struct ctx *x)
{
	stmt_finalize(x->ins);
	stmt_finalize(x->ins_pass);
	x->ins = x->ins_pass = NULL;
	buf_release(&x->b);
	free(x->delta);
	x->delta = NULL;
	db_close(x->db);
	x->db = NULL;
}

/* ---- reading back ---------------------------------------------------- */

static void
check_value(int64_t got, long k, size_t j, const char *what)
{
	if (got != data[(size_t)k * nc + j])
		die("%s: pass %ld counter %zu: read %lld, wrote %lld", what, k,
		    j, (long long)got, (long long)data[(size_t)k * nc + j]);
}

/* All passes of run r, as a [passes x nc] matrix; checked. */
static void
read_run(struct db *db, enum layout l, int64_t run_id, long first,
    long per_run)
{
	struct stmt *st;
	struct series s;
	char *cause = NULL;
	int64_t *m, *tt;
	long k, seq;
	size_t j;
	int rc;

	if (l == L_BLOB || l == L_BLOB_CACHED || l == L_BLOB_ROWID) {
		if (series_load(db, run_id, &s, &cause) != 0)
			die("%s", cause);
		if ((long)s.nsamples != per_run || s.ncounters != nc)
			die("series_load: %zu passes of %zu counters",
			    s.nsamples, s.ncounters);
		for (k = 0; k < per_run; k += per_run / 7 + 1)
			for (j = 0; j < nc; j++)
				check_value(s.values[(size_t)k * nc + j],
				    first + k, j, "series_load");
		series_release(&s);
		return;
	}
	m = xcalloc((size_t)per_run * nc, sizeof *m);
	tt = xcalloc((size_t)per_run, sizeof *tt);
	if (l == L_NARROW) {
		st = db_prepare(db, "SELECT seq, t_ns FROM narrow_passes WHERE "
		    "run_id = $1 ORDER BY seq", &cause);
		if (st == NULL)
			die("%s", cause);
		stmt_bind_int64(st, 1, run_id);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			seq = (long)stmt_int64(st, 0);
			if (seq >= 0 && seq < per_run)
				tt[seq] = stmt_int64(st, 1);
		}
		stmt_finalize(st);
		st = db_prepare(db, "SELECT seq, counter_id, value FROM "
		    "samples_narrow WHERE run_id = $1 ORDER BY seq, counter_id",
		    &cause);
		if (st == NULL)
			die("%s", cause);
		stmt_bind_int64(st, 1, run_id);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			int64_t cid;

			seq = (long)stmt_int64(st, 0);
			cid = stmt_int64(st, 1);
			if (seq < 0 || seq >= per_run || cid < 0 ||
			    (size_t)cid >= nc)
				die("narrow: bad row");
			m[(size_t)seq * nc + (size_t)cid] =
			    stmt_int64(st, 2);
		}
	} else {
		/* blob-delta: decode, then sum up from the last keyframe. */
		st = db_prepare(db, "SELECT seq, t_ns, data FROM samples WHERE "
		    "run_id = $1 ORDER BY seq", &cause);
		if (st == NULL)
			die("%s", cause);
		stmt_bind_int64(st, 1, run_id);
		while ((rc = stmt_step(st)) == STORE_ROW) {
			int64_t *row;

			seq = (long)stmt_int64(st, 0);
			if (seq < 0 || seq >= per_run)
				die("delta: bad seq");
			row = &m[(size_t)seq * nc];
			tt[seq] = stmt_int64(st, 1);
			if (sample_decode(stmt_blob(st, 2),
			    (size_t)stmt_bytes(st, 2), row, nc) < 0)
				die("delta: corrupt blob");
			if (seq % opt_keyframe != 0)
				for (j = 0; j < nc; j++)
					row[j] += row[(ssize_t)j - (ssize_t)nc];
		}
	}
	if (rc != STORE_DONE)
		die("read: %s", db_errmsg(db));
	stmt_finalize(st);
	for (k = 0; k < per_run; k += per_run / 7 + 1) {
		if (tt[k] != t_ns[first + k])
			die("%s: t_ns of pass %ld", layout_name[l], k);
		for (j = 0; j < nc; j++)
			check_value(m[(size_t)k * nc + j], first + k, j,
			    layout_name[l]);
	}
	free(m);
	free(tt);
}

/*
 * One counter's series of run r.  narrow: a range scan of the run with
 * counter_id filtered (the primary key leads with run_id, seq).  blob:
 * each blob decoded only up to the counter.  blob-delta: decoded up to
 * the counter and summed.  ('mmstorm samples RUN --counter X' today calls
 * series_load(), i.e. the read_run time.)
 */
static void
read_counter(struct db *db, enum layout l, int64_t run_id, long first,
    long per_run, size_t c)
{
	struct stmt *st;
	char *cause = NULL;
	int64_t *vals = xcalloc(c + 1, sizeof *vals), *out, acc = 0;
	long seq, n = 0;
	int rc;

	out = xcalloc((size_t)per_run, sizeof *out);
	if (l == L_NARROW) {
		st = db_prepare(db, "SELECT seq, value FROM samples_narrow "
		    "WHERE run_id = $1 AND counter_id = $2 ORDER BY seq",
		    &cause);
		if (st == NULL)
			die("%s", cause);
		stmt_bind_int64(st, 2, (int64_t)c);
	} else {
		st = db_prepare(db, "SELECT seq, data FROM samples WHERE "
		    "run_id = $1 ORDER BY seq", &cause);
		if (st == NULL)
			die("%s", cause);
	}
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		seq = (long)stmt_int64(st, 0);
		if (seq < 0 || seq >= per_run)
			die("counter: bad seq");
		if (l == L_NARROW)
			out[seq] = stmt_int64(st, 1);
		else {
			const unsigned char *p = stmt_blob(st, 1);
			size_t len = (size_t)stmt_bytes(st, 1), i;
			int64_t z;
			int shift;

			/* sample_decode() of the first c + 1 varints only */
			for (i = 0; i <= c; i++) {
				z = 0;
				shift = 0;
				do {
					if (len == 0 || shift > 63)
						die("counter: corrupt blob");
					z |= (int64_t)(*p & 0x7f) << shift;
					shift += 7;
					len--;
				} while (*p++ & 0x80);
				vals[i] = (int64_t)((uint64_t)z >> 1) ^
				    -(z & 1);
			}
			if (l == L_BLOB_DELTA && seq % opt_keyframe != 0)
				acc += vals[c];
			else
				acc = vals[c];
			out[seq] = acc;
		}
		n++;
	}
	if (rc != STORE_DONE)
		die("read counter: %s", db_errmsg(db));
	stmt_finalize(st);
	if (n != per_run)
		die("%s: %ld values of counter %zu, wanted %ld",
		    layout_name[l], n, c, per_run);
	for (seq = 0; seq < per_run; seq++)
		check_value(out[seq], first + seq, c, "read counter");
	free(out);
	free(vals);
}

/* ---- one measurement ------------------------------------------------- */

static double
median_ms_of(void (*fn)(void *), void *arg)
{
	double t[READ_TRIES];
	int64_t t0;
	int i;

	for (i = 0; i < READ_TRIES; i++) {
		t0 = now_mono_ns();
		fn(arg);
		t[i] = (double)(now_mono_ns() - t0) / 1e6;
	}
	return median(t, READ_TRIES);
}

struct read_arg {
	struct db *db;
	enum layout l;
	int64_t run_id;
	long first, per_run;
	size_t counter;
};

static void
do_read_run(void *p)
{
	struct read_arg *a = p;

	read_run(a->db, a->l, a->run_id, a->first, a->per_run);
}

static void
do_read_counter(void *p)
{
	struct read_arg *a = p;

	read_counter(a->db, a->l, a->run_id, a->first, a->per_run,
	    a->counter);
}

static void
measure(enum layout l, long batch, size_t counter, struct result *res)
{
	struct ctx x;
	struct read_arg ra;
	char *cause = NULL;
	long per_run = opt_passes / opt_runs, r, k, in_tx = 0;
	int64_t base, t0, t1;
	double c0;

	snprintf(cur_db, sizeof cur_db, "%s/%s.db", tmpdir, layout_name[l]);
	unlink_db(cur_db);
	setup(&x, cur_db, l, &base);

	c0 = cpu_now();
	t0 = now_mono_ns();
	for (r = 0; r < opt_runs; r++) {
		for (k = 0; k < per_run; k++) {
			if (in_tx == 0 && db_begin(x.db, &cause) != 0)
				die("%s", cause);
			insert_pass(&x, l, x.run_ids[r], r * per_run + k, k,
			    per_run);
			if (++in_tx == batch) {
				if (db_commit(x.db, &cause) != 0)
					die("%s", cause);
				in_tx = 0;
			}
		}
	}
	if (in_tx != 0 && db_commit(x.db, &cause) != 0)
		die("%s", cause);
	t1 = now_mono_ns();
	res->ingest_s = secs(t1 - t0);
	res->cpu_s = cpu_now() - c0;

	checkpoint(x.db);
	res->bytes = (double)(db_bytes(x.db) - base);
	ctx_close(&x);

	/* Read back on a fresh connection (cold SQLite cache, warm OS). */
	if (db_open(cur_db, 0, &x.db, &cause) != 0)
		die("%s", cause);
	ra.db = x.db;
	ra.l = l;
	r = opt_runs / 2;
	ra.run_id = query_int(x.db, "SELECT min(id) FROM runs") + r;
	ra.first = r * per_run;
	ra.per_run = per_run;
	ra.counter = counter;
	res->read_run_ms = median_ms_of(do_read_run, &ra);
	res->read_counter_ms = median_ms_of(do_read_counter, &ra);

	xexec(x.db, "VACUUM");
	checkpoint(x.db);
	res->bytes_vacuum = (double)(db_bytes(x.db) - base);
	db_close(x.db);
	unlink_db(cur_db);
	cur_db[0] = '\0';
}

/* ---- report ---------------------------------------------------------- */

static double
med_field(long bi, enum layout l, size_t off)
{
	double v[64];
	long i;

	for (i = 0; i < opt_reps; i++)
		v[i] = *(const double *)((const char *)&results[bi][l][i] + off);
	return median(v, (size_t)opt_reps);
}

#define MED(bi, l, f) med_field(bi, l, offsetof(struct result, f))

static const char *
fs_type(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return "?";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794c7630: return "overlayfs";
	default: return "other";
	}
}

static void
parse_batches(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;

	opt_nbatches = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (opt_nbatches == MAX_BATCHES)
			die("at most %d batch sizes", MAX_BATCHES);
		opt_batches[opt_nbatches] = atol(tok);
		if (opt_batches[opt_nbatches] < 1)
			die("bad batch size '%s'", tok);
		opt_nbatches++;
	}
	free(copy);
	if (opt_nbatches == 0)
		die("no batch size");
}

static void
parse_layouts(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int l;

	opt_layouts = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (l = 0; l < L_COUNT; l++)
			if (strcmp(tok, layout_name[l]) == 0)
				break;
		if (l == L_COUNT)
			die("unknown layout '%s'", tok);
		opt_layouts |= 1u << l;
	}
	free(copy);
	if (opt_layouts == 0)
		die("no layout");
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-ingest [-n passes] [-R runs] [-r reps] "
	    "[-b batch[,batch...]] [-c captures] [-i capture_ms] "
	    "[-k keyframe] [-C counter] [-q] [-F] [-x factor] "
	    "[-P page_size] [-L layout[,layout...]] [-d dir]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct utsname u;
	const char *dir;
	size_t counter, j;
	long bi, rep, per_run;
	int c, l;
	double plain_bytes = 0, delta_bytes = 0;

	while ((c = getopt(argc, argv, "n:R:r:b:c:i:k:C:qFx:P:L:d:h")) != -1) {
		switch (c) {
		case 'n': opt_passes = atol(optarg); break;
		case 'R': opt_runs = atol(optarg); break;
		case 'r': opt_reps = atol(optarg); break;
		case 'b': parse_batches(optarg); break;
		case 'c': opt_captures = atol(optarg); break;
		case 'i': opt_capture_ms = atol(optarg); break;
		case 'k': opt_keyframe = atol(optarg); break;
		case 'C': opt_counter = optarg; break;
		case 'q': opt_churn = 0; break;
		case 'F': opt_fk = 0; break;
		case 'x': opt_widen = atol(optarg); break;
		case 'P': opt_page_size = atol(optarg); break;
		case 'L': parse_layouts(optarg); break;
		case 'd': opt_dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || opt_runs < 1 || opt_runs > 64 || opt_reps < 1 ||
	    opt_reps > 64 || opt_passes < opt_runs * 2 || opt_captures < 2 ||
	    opt_capture_ms < 0 || opt_keyframe < 1 || opt_widen < 1)
		usage();
	per_run = opt_passes / opt_runs;
	opt_passes = per_run * opt_runs;

	dir = opt_dir ? opt_dir : getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/mmstorm-ingest-XXXXXX", dir);
	if (mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		die("cannot create a directory in '%s': %s", dir,
		    strerror(errno));
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	make_data();
	if ((long)(counter = (size_t)sampler_index(smp, opt_counter)) < 0)
		counter = nc / 2;
	for (rep = 0; rep < (long)opt_passes; rep++) {
		struct buf b = BUF_INIT;
		int64_t *d = xcalloc(nc, sizeof *d);
		const int64_t *v = &data[(size_t)rep * nc];
		long seq = rep % per_run;

		sample_encode(&b, v, nc);
		plain_bytes += (double)b.len;
		buf_reset(&b);
		if (seq % opt_keyframe != 0) {
			for (j = 0; j < nc; j++)
				d[j] = v[j] - v[(ssize_t)j - (ssize_t)nc];
			sample_encode(&b, d, nc);
		} else
			sample_encode(&b, v, nc);
		delta_bytes += (double)b.len;
		buf_release(&b);
		free(d);
	}
	plain_bytes /= (double)opt_passes;
	delta_bytes /= (double)opt_passes;

	uname(&u);
	printf("# bench-ingest: SQLite ingest of samples, narrow rows vs blobs\n");
	printf("kernel %s, %ld CPUs online, SQLite %s, temp dir %s (%s)\n",
	    u.release, sysconf(_SC_NPROCESSORS_ONLN), sqlite3_libversion(),
	    dir, fs_type(tmpdir));
	printf("data: %zu counters per pass%s; %ld real passes %.1f ms apart "
	    "(%s), replayed to %ld passes = %ld runs x %ld; %.0f values\n",
	    nc, opt_widen > 1 ? " (sampler's set repeated, -x)" : "",
	    opt_captures, capture_interval_ms,
	    opt_churn ? "with mmap/munmap churn" : "idle", opt_passes,
	    opt_runs, per_run, (double)opt_passes * (double)nc);
	printf("encoded blob: %.1f B/pass plain varints, %.1f B/pass delta "
	    "(keyframe every %ld)\n", plain_bytes, delta_bytes, opt_keyframe);
	printf("read-back: run %ld of %ld (%ld passes), counter %s "
	    "(index %zu of %zu), median of %d reads each\n", opt_runs / 2 + 1,
	    opt_runs, per_run, descs[counter]->name, counter, nc, READ_TRIES);
	printf("WAL, synchronous=FULL, foreign keys %s, page size %ld; "
	    "medians of %ld repetitions\n\n", opt_fk ? "on" : "off",
	    opt_page_size ? opt_page_size : 4096L, opt_reps);
	fflush(stdout);

	for (rep = 0; rep < opt_reps; rep++) {
		for (bi = 0; bi < opt_nbatches; bi++) {
			for (l = 0; l < L_COUNT; l++) {
				struct result *res = &results[bi][l][rep];

				if (!(opt_layouts & (1u << l)))
					continue;
				measure((enum layout)l, opt_batches[bi],
				    counter, res);
				fprintf(stderr, "rep %ld batch %ld %-11s "
				    "%.2f s, %.1f B/pass\n", rep + 1,
				    opt_batches[bi], layout_name[l],
				    res->ingest_s, res->bytes /
				    (double)opt_passes);
			}
		}
	}

	for (bi = 0; bi < opt_nbatches; bi++) {
		printf("## %ld passes per transaction\n\n", opt_batches[bi]);
		printf("| layout | ingest s | CPU us/pass | values/s | passes/s "
		    "| B/pass | B/value | B/pass vacuum | read run ms | "
		    "read 1 counter ms |\n");
		printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (l = 0; l < L_COUNT; l++) {
			double s = MED(bi, l, ingest_s);

			if (!(opt_layouts & (1u << l)))
				continue;
			double cpu = MED(bi, l, cpu_s);
			double by = MED(bi, l, bytes);

			printf("| %s | %.2f | %.0f | %.0f | %.0f | %.1f | "
			    "%.2f | %.1f | %.1f | %.1f |\n", layout_name[l], s,
			    1e6 * cpu / (double)opt_passes,
			    (double)opt_passes * (double)nc / s,
			    (double)opt_passes / s, by / (double)opt_passes,
			    by / (double)opt_passes / (double)nc,
			    MED(bi, l, bytes_vacuum) / (double)opt_passes,
			    MED(bi, l, read_run_ms),
			    MED(bi, l, read_counter_ms));
		}
		printf("\n");
	}

	printf("## extrapolation (%ld passes per transaction, bytes after "
	    "checkpoint)\n\n", opt_batches[0]);
	printf("per-run overhead (runs row + indexes + %zu run_counters rows): "
	    "%.0f B; x 10,000 runs = %.3f GB\n\n", nc, run_overhead_bytes,
	    run_overhead_bytes * 1e4 / 1e9);
	printf("| layout | 100 M passes: GB | ingest h | 100 M values "
	    "(%.0f passes): GB | ingest s |\n", 1e8 / (double)nc);
	printf("|---|---:|---:|---:|---:|\n");
	for (l = 0; l < L_COUNT; l++) {
		double bpp, pps;

		if (!(opt_layouts & (1u << l)))
			continue;
		bpp = MED(0, l, bytes) / (double)opt_passes;
		pps = (double)opt_passes / MED(0, l, ingest_s);

		printf("| %s | %.1f | %.2f | %.2f | %.0f |\n", layout_name[l],
		    (bpp * 1e8 + run_overhead_bytes * 1e4) / 1e9,
		    1e8 / pps / 3600, (bpp * 1e8 / (double)nc +
		    run_overhead_bytes * 1e4) / 1e9, 1e8 / (double)nc / pps);
	}
	free(data);
	free(t_ns);
	free(descs);
	sampler_free(smp);
	return 0;
}
