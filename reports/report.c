/*
 * report.c - what a report shows, read from the database: the run
 * model (plots of the workload's key counters, per-operation values,
 * marks), the build summary, and the dispatch to text, JSON and HTML.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "store/db.h"
#include "reports/internal.h"
#include "reports/report.h"
#include "store/run-json.h"
#include "common/stats.h"
#include "common/util.h"

int
report_format_parse(const char *s, enum report_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = REPORT_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = REPORT_JSON;
	else if (strcmp(s, "html") == 0)
		*f = REPORT_HTML;
	else
		return -EINVAL;
	return 0;
}

/* ---- which counters to plot ------------------------------------------- */

/*
 * One plot: a title and up to four lines, each a counter or a sum of
 * counters joined by '+'.  Counters the run did not record are left
 * out, and a plot with no line left is not drawn.
 */
struct plot_spec {
	const char *title;
	const char *lines[4];
};

struct workload_plots {
	const char *workload;
	struct plot_spec plots[8];
};

static const struct workload_plots workload_plots[] = {
	{ "hotplug", {
		/* seed 003: on_each_cpu() drains from direct reclaim */
		{ "function-call IPIs", { "irq.CAL" } },
		{ "direct reclaim stalls", {
		    "vmstat.allocstall_normal+vmstat.allocstall_movable" } },
		{ "direct reclaim scan and steal", { "vmstat.pgscan_direct",
		    "vmstat.pgsteal_direct" } },
		{ "memory stall, PSI some", { "psi.memory.some.total" } },
		{ "online CPUs", { "cpu.online" } },
		{ "MemAvailable", { "meminfo.MemAvailable" } },
	} },
	{ "thp-munmap", {
		/* seed 004: one IPI broadcast per huge page */
		{ "TLB shootdowns and function-call IPIs", { "irq.TLB",
		    "irq.CAL" } },
		{ "THP faults", { "vmstat.thp_fault_alloc" } },
		{ "AnonHugePages", { "meminfo.AnonHugePages" } },
	} },
	{ "percpu-churn", {
		/* seeds 002 and 000: chunk creation and depopulation */
		{ "percpu memory", { "meminfo.Percpu" } },
		{ "percpu chunks", { "percpu.chunks.total",
		    "percpu.chunks.sidelined", "percpu.chunks.to_depopulate" } },
	} },
	{ "mmap-churn", {
		/* seed 001: LTP mmap1 */
		{ "page faults", { "vmstat.pgfault" } },
		{ "TLB shootdowns", { "irq.TLB" } },
	} },
	{ NULL, {
		{ "function-call IPIs and TLB shootdowns", { "irq.CAL",
		    "irq.TLB" } },
		{ "page faults", { "vmstat.pgfault" } },
	} },
};

/* Context every report gets unless the workload's plots have it. */
static const struct plot_spec common_plots[] = {
	{ "MemAvailable", { "meminfo.MemAvailable" } },
	{ "memory stall, PSI some", { "psi.memory.some.total" } },
};

#define MAX_PLOTS (ARRAY_SIZE(workload_plots[0].plots) + \
	ARRAY_SIZE(common_plots))

/* ---- helpers ----------------------------------------------------------- */

const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t
jint(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

struct counter_info {
	char *name, *unit;
	int is_event;
	long idx;
};

static int
counter_cmp(const void *a, const void *b)
{
	return strcmp(((const struct counter_info *)a)->name,
	    ((const struct counter_info *)b)->name);
}

static const struct counter_info *
counter_find(const struct counter_info *c, size_t n, const char *name)
{
	struct counter_info key = { (char *)name, NULL, 0, 0 };

	return bsearch(&key, c, n, sizeof *c, counter_cmp);
}

/* A line being built: its counters' blob indices, raw sums per sample. */
struct line_build {
	char *label;
	long idx[8];
	size_t nidx;
	int64_t *raw;
};

struct plot_build {
	const char *title;
	const char *unit;       /* of the counters */
	int is_event;
	struct line_build lines[4];
	size_t nlines;
};

/* "a.x+a.y" -> "a.{x,y}" when the prefixes agree, else as given. */
static char *
line_label(const char *spec)
{
	const char *plus = strchr(spec, '+'), *dot;
	size_t prefix;

	if (plus == NULL || (dot = strchr(spec, '.')) == NULL)
		return xstrdup(spec);
	prefix = (size_t)(dot - spec) + 1;
	if (strncmp(plus + 1, spec, prefix) != 0 || strchr(plus + 1, '+'))
		return xstrdup(spec);
	return xasprintf("%.*s{%.*s,%s}", (int)prefix, spec,
	    (int)(plus - dot - 1), dot + 1, plus + 1 + prefix);
}

static void
plot_spec_add(struct plot_build *pb, size_t *npb, const struct plot_spec *ps,
    const struct counter_info *ci, size_t nci)
{
	struct plot_build *p = &pb[*npb];
	size_t l;

	memset(p, 0, sizeof *p);
	p->title = ps->title;
	for (l = 0; l < ARRAY_SIZE(ps->lines) && ps->lines[l] != NULL; l++) {
		struct line_build *lb = &p->lines[p->nlines];
		char *names = xstrdup(ps->lines[l]), *save = NULL, *name;
		struct buf present = BUF_INIT;

		memset(lb, 0, sizeof *lb);
		for (name = strtok_r(names, "+", &save); name != NULL &&
		    lb->nidx < ARRAY_SIZE(lb->idx);
		    name = strtok_r(NULL, "+", &save)) {
			const struct counter_info *c = counter_find(ci, nci,
			    name);

			if (c == NULL)
				continue;
			/* a plot holds lines of one kind and one unit */
			if (p->nlines == 0 && lb->nidx == 0) {
				p->unit = c->unit;
				p->is_event = c->is_event;
			} else if (c->is_event != p->is_event ||
			    strcmp(c->unit, p->unit) != 0)
				continue;
			lb->idx[lb->nidx++] = c->idx;
			buf_printf(&present, "%s%s", present.len ? "+" : "",
			    name);
		}
		free(names);
		/* named by the counters the run has, not those it lacks */
		if (lb->nidx > 0) {
			lb->label = line_label(present.s);
			p->nlines++;
		}
		buf_release(&present);
	}
	if (p->nlines > 0)
		(*npb)++;
}

/* Display unit and factor of a counter unit, as a rate or a level. */
static void
plot_unit(const char *unit, int rate, const char **shown, double *scale)
{
	*scale = 1;
	if (rate) {
		if (strcmp(unit, "us") == 0) {
			/* stall microseconds per second -> percent of time */
			*shown = "% of time";
			*scale = 1e-4;
		} else if (strcmp(unit, "count") == 0)
			*shown = "/s";
		else if (strcmp(unit, "kB") == 0)
			*shown = "kB/s";
		else if (strcmp(unit, "pages") == 0)
			*shown = "pages/s";
		else
			*shown = "per s";
		return;
	}
	if (strcmp(unit, "kB") == 0) {
		*shown = "MiB";
		*scale = 1.0 / 1024;
	} else if (strcmp(unit, "pct_x100") == 0) {
		*shown = "%";
		*scale = 0.01;
	} else
		*shown = unit;
}

static void
mark_add(struct run_report *r, double t, enum mark_kind kind, char *text)
{
	r->marks = xreallocarray(r->marks, r->nmarks + 1, sizeof *r->marks);
	r->marks[r->nmarks].t = t;
	r->marks[r->nmarks].kind = kind;
	r->marks[r->nmarks].text = text;
	r->nmarks++;
}

static int
mark_cmp(const void *a, const void *b)
{
	const struct report_mark *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *
value_unit(json_t *metric_info, const char *name)
{
	static const struct { const char *suffix, *unit; } suffixes[] = {
		{ "_ms", "ms" }, { "_us", "us" }, { "_ns", "ns" },
		{ "_pct", "%" }, { "_kb", "kB" }, { "_per_s", "/s" },
	};
	size_t i, len = strlen(name), sl;
	json_t *m;

	json_array_foreach(metric_info, i, m) {
		const char *n = jstr(m, "name"), *u = jstr(m, "unit");

		if (n != NULL && u != NULL && strcmp(n, name) == 0)
			return u;
	}
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		sl = strlen(suffixes[i].suffix);
		if (len > sl && strcmp(name + len - sl, suffixes[i].suffix) == 0)
			return suffixes[i].unit;
	}
	return "";
}

/* ---- loading the run ----------------------------------------------------- */

static int
load_counters(struct db *db, int64_t run_id, struct counter_info **out,
    size_t *nout, char **cause)
{
	struct stmt *st;
	struct counter_info *c = NULL;
	size_t n = 0;
	int rc;

	st = db_prepare(db, "SELECT rc.idx, c.name, c.kind, c.unit FROM "
	    "run_counters rc JOIN counters c ON c.id = rc.counter_id WHERE "
	    "rc.run_id = $1 ORDER BY rc.idx", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		c = xreallocarray(c, n + 1, sizeof *c);
		c[n].idx = (long)stmt_int64(st, 0);
		c[n].name = xstrdup((const char *)stmt_text(st, 1));
		c[n].is_event = strcmp((const char *)stmt_text(st,
		    2), "event") == 0;
		c[n].unit = xstrdup((const char *)stmt_text(st, 3));
		n++;
	}
	stmt_finalize(st);
	if (rc != STORE_DONE) {
		while (n-- > 0) {
			free(c[n].name);
			free(c[n].unit);
		}
		free(c);
		return db_error(db, cause, "cannot read counters");
	}
	qsort(c, n, sizeof *c, counter_cmp);
	*out = c;
	*nout = n;
	return 0;
}

/*
 * Reads the samples, keeping only the plotted counters: a 1-hour run at
 * 50 ms is 72,000 samples of ~400 counters, 230 MB as series_load()
 * would hold them.  Each blob is decoded whole into one scratch row
 * (sample_decode() refuses to stop early).
 */
static int
load_samples(struct db *db, int64_t run_id, struct run_report *r,
    struct plot_build *pb, size_t npb, size_t width, int64_t **t_ns,
    size_t *nout, char **cause)
{
	struct stmt *st;
	size_t n = 0, cap = 0, p, l, k;
	int64_t *vals = NULL, *t = NULL;
	int rc, err = 0;

	vals = xcalloc(width ? width : 1, sizeof *vals);
	st = db_prepare(db, "SELECT t_ns, label, data FROM samples WHERE "
	    "run_id = $1 ORDER BY seq", cause);
	if (st == NULL) {
		err = -EIO;
		goto out;
	}
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *label = (const char *)stmt_text(st, 1);
		const void *blob = stmt_blob(st, 2);
		int len = stmt_bytes(st, 2);

		memset(vals, 0, width * sizeof *vals);
		/* a corrupt sample is left out, not the whole report */
		if (width > 0 && sample_decode(blob, (size_t)len, vals,
		    width) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			t = xreallocarray(t, cap, sizeof *t);
			for (p = 0; p < npb; p++)
				for (l = 0; l < pb[p].nlines; l++)
					pb[p].lines[l].raw = xreallocarray(
					    pb[p].lines[l].raw, cap,
					    sizeof *pb[p].lines[l].raw);
		}
		t[n] = stmt_int64(st, 0);
		for (p = 0; p < npb; p++) {
			for (l = 0; l < pb[p].nlines; l++) {
				struct line_build *lb = &pb[p].lines[l];
				int64_t sum = 0;

				for (k = 0; k < lb->nidx; k++)
					sum += vals[lb->idx[k]];
				lb->raw[n] = sum;
			}
		}
		if (label != NULL && strcmp(label, "start") != 0 &&
		    strcmp(label, "end") != 0)
			mark_add(r, (double)t[n], MARK_LABEL, xstrdup(label));
		n++;
	}
	if (rc != STORE_DONE)
		err = db_error(db, cause, "cannot read samples");
out:
	stmt_finalize(st);
	free(vals);
	if (err != 0) {
		free(t);
		return err;
	}
	*t_ns = t;
	*nout = n;
	return 0;
}

/*
 * Event counters as rates: over intervals of at least half the median
 * sampling interval, so that a labelled sample taken 1 ms after a
 * periodic one does not turn one IPI into a spike of 1000/s.
 */
static size_t
rate_intervals(const int64_t *t, size_t n, size_t *from, size_t *to)
{
	double *dt, min_dt;
	size_t i, a = 0, k = 0;

	if (n < 2)
		return 0;
	dt = xreallocarray(NULL, n - 1, sizeof *dt);
	for (i = 1; i < n; i++)
		dt[i - 1] = (double)(t[i] - t[i - 1]);
	qsort(dt, n - 1, sizeof *dt, double_cmp);
	min_dt = dt[(n - 1) / 2] / 2;
	free(dt);
	for (i = 1; i < n; i++) {
		if (t[i] - t[a] <= 0 || (double)(t[i] - t[a]) < min_dt)
			continue;
		from[k] = a;
		to[k++] = i;
		a = i;
	}
	return k;
}

static void
finish_plot(struct report_plot *out, struct plot_build *pb, const int64_t *t,
    size_t n, int64_t t0, const size_t *from, const size_t *to, size_t nint)
{
	const char *unit;
	double scale;
	size_t l, i, np;

	memset(out, 0, sizeof *out);
	out->title = xstrdup(pb->title);
	out->rate = pb->is_event;
	plot_unit(pb->unit, out->rate, &unit, &scale);
	out->integral = !out->rate && scale == 1;
	out->unit = xstrdup(unit);
	out->lines = xcalloc(pb->nlines, sizeof *out->lines);
	out->nlines = pb->nlines;
	for (l = 0; l < pb->nlines; l++) {
		struct report_line *line = &out->lines[l];
		const int64_t *raw = pb->lines[l].raw;
		double sum = 0;

		line->label = pb->lines[l].label;
		pb->lines[l].label = NULL;
		np = out->rate ? nint : n;
		line->t = xreallocarray(NULL, np ? np : 1, sizeof *line->t);
		line->v = xreallocarray(NULL, np ? np : 1, sizeof *line->v);
		for (i = 0; i < np; i++) {
			if (out->rate) {
				double dt = (double)(t[to[i]] - t[from[i]]);

				line->t[i] = ((double)(t[from[i]] - t0) +
				    dt / 2) / 1e9;
				line->v[i] = (double)(raw[to[i]] -
				    raw[from[i]]) / (dt / 1e9) * scale;
			} else {
				line->t[i] = (double)(t[i] - t0) / 1e9;
				line->v[i] = (double)raw[i] * scale;
			}
		}
		line->nfull = np;
		line->min = np ? INFINITY : NAN;
		line->max = np ? -INFINITY : NAN;
		for (i = 0; i < np; i++) {
			line->min = fmin(line->min, line->v[i]);
			line->max = fmax(line->max, line->v[i]);
			sum += line->v[i];
		}
		line->mean = np ? sum / (double)np : NAN;
		line->npoints = downsample_minmax(line->t, line->v, np,
		    PLOT_MAX_POINTS, line->t, line->v);
	}
}

static int
load_values(struct db *db, int64_t run_id, struct run_report *r,
    char **cause)
{
	struct stmt *st;
	struct report_values *v = NULL;
	json_t *info = json_object_get(r->run, "metric_info");
	size_t i;
	int rc;

	st = db_prepare(db, "SELECT series, t_ns, value FROM run_values "
	    "WHERE run_id = $1 ORDER BY series, seq", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *name = (const char *)stmt_text(st, 0);
		int64_t t = stmt_int64(st, 1);
		double value = stmt_double(st, 2);

		if (v == NULL || strcmp(v->name, name) != 0) {
			r->values = xreallocarray(r->values, r->nvalues + 1,
			    sizeof *r->values);
			v = &r->values[r->nvalues++];
			memset(v, 0, sizeof *v);
			v->name = xstrdup(name);
			v->unit = value_unit(info, name);
		}
		v->t = xreallocarray(v->t, v->n + 1, sizeof *v->t);
		v->v = xreallocarray(v->v, v->n + 1, sizeof *v->v);
		v->t[v->n] = (double)t;     /* ns for now, made relative below */
		v->v[v->n] = value;
		v->n++;
		if (strcmp(name, "offline_ms") == 0)
			mark_add(r, (double)t, MARK_OFFLINE,
			    xasprintf("CPU offline: %.3g ms", value));
		else if (strcmp(name, "online_ms") == 0)
			mark_add(r, (double)t, MARK_ONLINE,
			    xasprintf("CPU online: %.3g ms", value));
		else if (strcmp(name, "munmap_ms") == 0)
			mark_add(r, (double)t, MARK_OP,
			    xasprintf("munmap: %.3g ms", value));
	}
	stmt_finalize(st);
	if (rc != STORE_DONE)
		return db_error(db, cause, "cannot read run values");
	for (i = 0; i < r->nvalues; i++) {
		v = &r->values[i];
		v->sorted = xreallocarray(NULL, v->n, sizeof *v->sorted);
		memcpy(v->sorted, v->v, v->n * sizeof *v->v);
		qsort(v->sorted, v->n, sizeof *v->sorted, double_cmp);
		v->min = v->sorted[0];
		v->max = v->sorted[v->n - 1];
		v->p50 = stats_percentile(v->sorted, v->n, 50);
		v->p90 = stats_percentile(v->sorted, v->n, 90);
		v->p99 = stats_percentile(v->sorted, v->n, 99);
		v->mean = stats_mean(v->v, v->n);
		v->sd = stats_stddev(v->v, v->n);
	}
	return 0;
}

static void
run_report_release(struct run_report *r)
{
	size_t i, l;

	json_decref(r->run);
	for (i = 0; i < r->nplots; i++) {
		for (l = 0; l < r->plots[i].nlines; l++) {
			free(r->plots[i].lines[l].label);
			free(r->plots[i].lines[l].t);
			free(r->plots[i].lines[l].v);
		}
		free(r->plots[i].lines);
		free(r->plots[i].title);
		free(r->plots[i].unit);
	}
	free(r->plots);
	for (i = 0; i < r->nvalues; i++) {
		free(r->values[i].name);
		free(r->values[i].t);
		free(r->values[i].v);
		free(r->values[i].sorted);
	}
	free(r->values);
	for (i = 0; i < r->nmarks; i++)
		free(r->marks[i].text);
	free(r->marks);
	memset(r, 0, sizeof *r);
}

static int
run_report_load(struct db *db, int64_t run_id, struct run_report *r,
    char **cause)
{
	const struct workload_plots *wp;
	struct plot_build pb[MAX_PLOTS];
	struct counter_info *ci = NULL;
	size_t nci = 0, npb = 0, nsamples = 0, nint = 0, width = 0, i, j, l;
	size_t *from = NULL, *to = NULL;
	int64_t *t = NULL, t0, t1;
	const char *workload;
	json_t *ev;
	int err;

	memset(r, 0, sizeof *r);
	memset(pb, 0, sizeof pb);
	if ((r->run = run_show_json(db, run_id, 0, cause)) == NULL) {
		if (cause != NULL && *cause == NULL)
			set_cause(cause, ENOENT, "unknown run %lld",
			    (long long)run_id);
		return -ENOENT;
	}
	workload = jstr(r->run, "workload");
	if ((err = load_counters(db, run_id, &ci, &nci, cause)) != 0)
		goto out;
	for (wp = workload_plots; wp->workload != NULL; wp++)
		if (workload != NULL && strcmp(wp->workload, workload) == 0)
			break;
	for (i = 0; i < ARRAY_SIZE(wp->plots) && wp->plots[i].title; i++)
		plot_spec_add(pb, &npb, &wp->plots[i], ci, nci);
	for (i = 0; i < ARRAY_SIZE(common_plots); i++) {
		for (j = 0; j < ARRAY_SIZE(wp->plots) && wp->plots[j].title; j++)
			if (strcmp(wp->plots[j].title, common_plots[i].title) == 0)
				break;
		if (j == ARRAY_SIZE(wp->plots) || wp->plots[j].title == NULL)
			plot_spec_add(pb, &npb, &common_plots[i], ci, nci);
	}
	for (i = 0; i < nci; i++)
		if ((size_t)ci[i].idx + 1 > width)
			width = (size_t)ci[i].idx + 1;
	if ((err = load_samples(db, run_id, r, pb, npb, width, &t, &nsamples,
	    cause)) != 0)
		goto out;
	r->nsamples = nsamples;
	if ((err = load_values(db, run_id, r, cause)) != 0)
		goto out;

	/* The time axis: the run's start to its end, or its samples'. */
	t0 = jint(r->run, "started_ns");
	t1 = jint(r->run, "ended_ns");
	if (nsamples > 0) {
		if (t0 <= 0 || t[0] < t0)
			t0 = t[0];
		if (t1 <= 0 || t[nsamples - 1] > t1)
			t1 = t[nsamples - 1];
	}
	if (t0 <= 0)
		t0 = jint(r->run, "created_ns");
	if (t1 < t0)
		t1 = t0;
	r->t0_ns = t0;
	r->t1_ns = t1;

	json_array_foreach(json_object_get(r->run, "events"), i, ev)
		mark_add(r, (double)jint(ev, "t_ns"), MARK_EVENT,
		    xasprintf("%s: %s", jstr(ev, "kind") ? jstr(ev, "kind") :
		    "?", jstr(ev, "title") ? jstr(ev, "title") : "?"));
	for (i = 0; i < r->nmarks; i++)
		r->marks[i].t = (r->marks[i].t - (double)t0) / 1e9;
	qsort(r->marks, r->nmarks, sizeof *r->marks, mark_cmp);
	for (i = 0; i < r->nvalues; i++)
		for (j = 0; j < r->values[i].n; j++)
			r->values[i].t[j] = (r->values[i].t[j] - (double)t0) /
			    1e9;

	if (nsamples >= 2) {
		from = xreallocarray(NULL, nsamples, sizeof *from);
		to = xreallocarray(NULL, nsamples, sizeof *to);
		nint = rate_intervals(t, nsamples, from, to);
	}
	r->plots = xcalloc(npb ? npb : 1, sizeof *r->plots);
	for (i = 0; i < npb; i++) {
		/* a rate needs two samples, a level one */
		if (nsamples == 0 || (pb[i].is_event && nint == 0))
			continue;
		finish_plot(&r->plots[r->nplots++], &pb[i], t, nsamples, t0,
		    from, to, nint);
	}
	err = 0;
out:
	for (i = 0; i < npb; i++) {
		for (l = 0; l < pb[i].nlines; l++) {
			free(pb[i].lines[l].label);
			free(pb[i].lines[l].raw);
		}
	}
	for (i = 0; i < nci; i++) {
		free(ci[i].name);
		free(ci[i].unit);
	}
	free(ci);
	free(t);
	free(from);
	free(to);
	if (err != 0)
		run_report_release(r);
	return err;
}

/* ---- the build summary ----------------------------------------------------- */

static void
kernel_report_release(struct kernel_report *k)
{
	size_t i;

	json_decref(k->kernel);
	json_decref(k->runs);
	json_decref(k->states);
	json_decref(k->events);
	for (i = 0; i < k->nmetrics; i++) {
		free(k->metrics[i].workload);
		free(k->metrics[i].metric);
		free(k->metrics[i].unit);
		free(k->metrics[i].better);
	}
	free(k->metrics);
	memset(k, 0, sizeof *k);
}

static void
kernel_metric_finish(struct kernel_metric *m, double *v, size_t n)
{
	m->n = n;
	m->mean = stats_mean(v, n);
	m->sd = n > 1 ? stats_stddev(v, n) : 0;
	m->cv_pct = stats_cv_pct(v, n);
	m->min = stats_min(v, n);
	m->max = stats_max(v, n);
}

static int
kernel_report_load(struct db *db, int64_t kernel, struct kernel_report *k,
    char **cause)
{
	struct stmt *st = NULL;
	struct kernel_metric *m = NULL;
	double *v = NULL;
	size_t nv = 0;
	int rc, err = 0;

	memset(k, 0, sizeof *k);
	k->kernel = db_query_one(db, "SELECT id, release, version, build_id, "
	    "build_key, cmdline, config_hash, config_source, first_seen_ns "
	    "FROM kernels WHERE id = $1", kernel, cause);
	if (k->kernel == NULL) {
		if (cause != NULL && *cause == NULL)
			set_cause(cause, ENOENT, "unknown kernel build %lld",
			    (long long)kernel);
		return -ENOENT;
	}
	k->runs = db_query_all(db, "SELECT r.uuid AS run, r.workload, "
	    "r.state, r.reason, r.label, r.started_ns, r.ended_ns, "
	    "h.hostname FROM runs r JOIN hosts h ON h.id = r.host_id WHERE "
	    "r.kernel_id = $1 ORDER BY r.created_ns, r.id", kernel, cause);
	k->states = db_query_all(db, "SELECT workload, state, count(*) AS "
	    "runs FROM runs WHERE kernel_id = $1 GROUP BY workload, state "
	    "ORDER BY workload, state", kernel, cause);
	k->events = db_query_all(db, "SELECT kind, title, count(*) AS count, "
	    "count(DISTINCT run_id) AS runs, min(t_ns) AS first_ns, "
	    "max(t_ns) AS last_ns FROM events WHERE kernel_id = $1 GROUP BY "
	    "kind, title ORDER BY count(*) DESC, kind, title", kernel, cause);

	/* One value per passed run and metric, as compare counts them. */
	st = db_prepare(db, "SELECT r.workload, m.name, m.unit, m.better, "
	    "m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE "
	    "r.kernel_id = $1 AND r.state = 'passed' ORDER BY r.workload, "
	    "m.name, r.id", cause);
	if (st == NULL) {
		err = -EIO;
		goto out;
	}
	stmt_bind_int64(st, 1, kernel);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *wl = (const char *)stmt_text(st, 0);
		const char *name = (const char *)stmt_text(st, 1);

		if (m == NULL || strcmp(m->workload, wl) != 0 ||
		    strcmp(m->metric, name) != 0) {
			if (m != NULL)
				kernel_metric_finish(m, v, nv);
			k->metrics = xreallocarray(k->metrics, k->nmetrics + 1,
			    sizeof *k->metrics);
			m = &k->metrics[k->nmetrics++];
			memset(m, 0, sizeof *m);
			m->workload = xstrdup(wl);
			m->metric = xstrdup(name);
			m->unit = xstrdup((const char *)stmt_text(st,
			    2));
			m->better = xstrdup((const char *)stmt_text(st,
			    3));
			nv = 0;
		}
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = stmt_double(st, 4);
	}
	if (m != NULL)
		kernel_metric_finish(m, v, nv);
	if (rc != STORE_DONE)
		err = db_error(db, cause, "cannot read metrics");
out:
	stmt_finalize(st);
	free(v);
	if (err != 0)
		kernel_report_release(k);
	return err;
}

/* ---- dispatch ------------------------------------------------------------ */

static void
add_json(struct buf *out, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));

	if (s != NULL) {
		buf_adds(out, s);
		buf_addc(out, '\n');
		free(s);
	}
	json_decref(j);
}

int
report_run(struct db *db, int64_t run_id, enum report_format fmt,
    struct buf *out, char **cause)
{
	struct run_report r;
	int err;

	if ((err = run_report_load(db, run_id, &r, cause)) != 0)
		return err;
	switch (fmt) {
	case REPORT_HTML:
		html_run(&r, out);
		break;
	case REPORT_JSON:
		add_json(out, json_run(&r));
		break;
	default:
		text_run(&r, out);
		break;
	}
	run_report_release(&r);
	return 0;
}

int
report_kernel(struct db *db, int64_t kernel, enum report_format fmt,
    struct buf *out, char **cause)
{
	struct kernel_report k;
	int err;

	if ((err = kernel_report_load(db, kernel, &k, cause)) != 0)
		return err;
	switch (fmt) {
	case REPORT_HTML:
		html_kernel(&k, out);
		break;
	case REPORT_JSON:
		add_json(out, json_kernel(&k));
		break;
	default:
		text_kernel(&k, out);
		break;
	}
	kernel_report_release(&k);
	return 0;
}

int
report_compare(struct db *db, int64_t base, int64_t new,
    const struct compare_opts *opts, enum report_format fmt, struct buf *out,
    char **cause)
{
	struct comparison cmp;
	struct compare_report cr;
	json_t *j;
	int err;

	memset(&cmp, 0, sizeof cmp);
	if ((err = compare_kernels(db, base, new, opts, &cmp, cause)) != 0)
		return err;
	memset(&cr, 0, sizeof cr);
	cr.cmp = &cmp;
	cr.base_desc = kernel_describe(db, base);
	cr.new_desc = kernel_describe(db, new);
	if (cr.base_desc == NULL)
		cr.base_desc = xasprintf("kernel %lld", (long long)base);
	if (cr.new_desc == NULL)
		cr.new_desc = xasprintf("kernel %lld", (long long)new);
	cr.threshold_pct = opts->threshold_pct;
	cr.workload = opts->workload;
	cr.metric = opts->metric;
	switch (fmt) {
	case REPORT_HTML:
		html_compare(&cr, out);
		break;
	case REPORT_JSON:
		j = json_pack("{s:s, s:i, s:s, s:s, s:f, s:o?}",
		    "report", "compare", "version", REPORT_JSON_VERSION,
		    "base", cr.base_desc, "new", cr.new_desc,
		    "threshold_pct", cr.threshold_pct,
		    "comparison", comparison_json(db, &cmp));
		add_json(out, j);
		break;
	default:
		text_compare(&cr, out);
		break;
	}
	free(cr.base_desc);
	free(cr.new_desc);
	comparison_release(&cmp);
	return 0;
}
