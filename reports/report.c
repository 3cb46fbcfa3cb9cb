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
#include "store/run-read.h"
#include "run/workload.h"
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

/* For a workload that names no plots of its own. */
static const struct workload_plot fallback_plots[] = {
	{ "function-call IPIs and TLB shootdowns", { "irq.CAL", "irq.TLB" },
	    0 },
	{ "page faults", { "vmstat.pgfault" }, 0 },
	{ NULL, { NULL }, 0 },
};

/* Context every report gets unless the workload's plots have it. */
static const struct workload_plot common_plots[] = {
	{ "MemAvailable", { "meminfo.MemAvailable" }, 0 },
	{ "memory stall, PSI some", { "psi.memory.some.total" }, 0 },
	{ NULL, { NULL }, 0 },
};

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

/* A line being built: its counters' sample indices, raw sums per sample. */
struct line_build {
	char *label;
	long idx[8];
	size_t nidx;
	int64_t *raw;
};

struct plot_build {
	const char *title;
	const char *unit;       /* of the counters */
	int is_event, headline;
	struct line_build lines[4];
	size_t nlines;
};

/* The plots being built and the samples read into them. */
struct samples_build {
	struct run_report *r;
	struct plot_build *pb;
	size_t npb;
	int64_t *t;
	size_t n, cap;
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

/* The counters of one line the run has; a plot holds one kind and unit. */
static void
line_add(struct plot_build *p, const char *spec,
    const struct run_counter *ci, size_t nci)
{
	struct line_build *lb = &p->lines[p->nlines];
	char *names = xstrdup(spec), *save = NULL, *name;
	struct buf present = BUF_INIT;

	memset(lb, 0, sizeof *lb);
	for (name = strtok_r(names, "+", &save); name != NULL &&
	    lb->nidx < ARRAY_SIZE(lb->idx); name = strtok_r(NULL, "+", &save)) {
		const struct run_counter *c = run_counter_find(ci, nci, name);

		if (c == NULL)
			continue;
		if (p->nlines == 0 && lb->nidx == 0) {
			p->unit = c->unit;
			p->is_event = c->is_event;
		} else if (c->is_event != p->is_event ||
		    strcmp(c->unit, p->unit) != 0)
			continue;
		lb->idx[lb->nidx++] = c->idx;
		buf_printf(&present, "%s%s", present.len ? "+" : "", name);
	}
	free(names);
	/* named by the counters the run has, not those it lacks */
	if (lb->nidx > 0) {
		lb->label = line_label(present.s);
		p->nlines++;
	}
	buf_release(&present);
}

static void
plot_spec_add(struct samples_build *sb, const struct workload_plot *ps,
    const struct run_counter *ci, size_t nci)
{
	struct plot_build *p;
	size_t l;

	sb->pb = xreallocarray(sb->pb, sb->npb + 1, sizeof *sb->pb);
	p = &sb->pb[sb->npb];
	memset(p, 0, sizeof *p);
	p->title = ps->title;
	p->headline = ps->headline;
	for (l = 0; l < ARRAY_SIZE(ps->lines) && ps->lines[l] != NULL; l++)
		line_add(p, ps->lines[l], ci, nci);
	if (p->nlines > 0)
		sb->npb++;
}

static int
plot_listed(const struct workload_plot *plots, const char *title)
{
	for (; plots->title != NULL; plots++)
		if (strcmp(plots->title, title) == 0)
			return 1;
	return 0;
}

/* The workload's plots (or the fallback), then the common context. */
static void
plot_specs(struct samples_build *sb, const struct workload *wl,
    const struct run_counter *ci, size_t nci)
{
	const struct workload_plot *plots = fallback_plots, *p;

	if (wl != NULL && wl->plots != NULL)
		plots = wl->plots;
	for (p = plots; p->title != NULL; p++)
		plot_spec_add(sb, p, ci, nci);
	for (p = common_plots; p->title != NULL; p++)
		if (!plot_listed(plots, p->title))
			plot_spec_add(sb, p, ci, nci);
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

/*
 * One sample: only the plotted counters are kept, summed per line (a
 * 1-hour run at 50 ms is 72,000 samples of ~400 counters, 230 MB as
 * series_load() would hold them).
 */
static void
sample_add(void *arg, int64_t t_ns, const char *label, const int64_t *vals)
{
	struct samples_build *sb = arg;
	size_t p, l, k, n = sb->n;

	if (n == sb->cap) {
		sb->cap = sb->cap ? sb->cap * 2 : 256;
		sb->t = xreallocarray(sb->t, sb->cap, sizeof *sb->t);
		for (p = 0; p < sb->npb; p++)
			for (l = 0; l < sb->pb[p].nlines; l++)
				sb->pb[p].lines[l].raw = xreallocarray(
				    sb->pb[p].lines[l].raw, sb->cap,
				    sizeof *sb->pb[p].lines[l].raw);
	}
	sb->t[n] = t_ns;
	for (p = 0; p < sb->npb; p++) {
		for (l = 0; l < sb->pb[p].nlines; l++) {
			struct line_build *lb = &sb->pb[p].lines[l];
			int64_t sum = 0;

			for (k = 0; k < lb->nidx; k++)
				sum += vals[lb->idx[k]];
			lb->raw[n] = sum;
		}
	}
	if (label != NULL && strcmp(label, "start") != 0 &&
	    strcmp(label, "end") != 0)
		mark_add(sb->r, (double)t_ns, MARK_LABEL, xstrdup(label));
	sb->n++;
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

/* The points of one line: rates between intervals, or levels. */
static void
finish_line(struct report_line *line, const int64_t *raw, double scale,
    int rate, const int64_t *t, size_t n, int64_t t0, const size_t *from,
    const size_t *to, size_t nint)
{
	size_t i, np = rate ? nint : n;
	double sum = 0;

	line->t = xreallocarray(NULL, np ? np : 1, sizeof *line->t);
	line->v = xreallocarray(NULL, np ? np : 1, sizeof *line->v);
	for (i = 0; i < np; i++) {
		if (rate) {
			double dt = (double)(t[to[i]] - t[from[i]]);

			line->t[i] = ((double)(t[from[i]] - t0) + dt / 2) /
			    1e9;
			line->v[i] = (double)(raw[to[i]] - raw[from[i]]) /
			    (dt / 1e9) * scale;
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

static void
finish_plot(struct report_plot *out, struct plot_build *pb, const int64_t *t,
    size_t n, int64_t t0, const size_t *from, const size_t *to, size_t nint)
{
	const char *unit;
	double scale;
	size_t l;

	memset(out, 0, sizeof *out);
	out->title = xstrdup(pb->title);
	out->rate = pb->is_event;
	out->headline = pb->headline;
	plot_unit(pb->unit, out->rate, &unit, &scale);
	out->integral = !out->rate && scale == 1;
	out->unit = xstrdup(unit);
	out->lines = xcalloc(pb->nlines, sizeof *out->lines);
	out->nlines = pb->nlines;
	for (l = 0; l < pb->nlines; l++) {
		out->lines[l].label = pb->lines[l].label;
		pb->lines[l].label = NULL;
		finish_line(&out->lines[l], pb->lines[l].raw, scale, out->rate,
		    t, n, t0, from, to, nint);
	}
}

/* One per-operation value; transitions and munmaps mark the time axis. */
static void
value_add(void *arg, const char *name, int64_t t, double value)
{
	struct run_report *r = arg;
	struct report_values *v = r->nvalues ? &r->values[r->nvalues - 1] :
	    NULL;

	if (v == NULL || strcmp(v->name, name) != 0) {
		r->values = xreallocarray(r->values, r->nvalues + 1,
		    sizeof *r->values);
		v = &r->values[r->nvalues++];
		memset(v, 0, sizeof *v);
		v->name = xstrdup(name);
		v->unit = value_unit(json_object_get(r->run, "metric_info"),
		    name);
	}
	v->t = xreallocarray(v->t, v->n + 1, sizeof *v->t);
	v->v = xreallocarray(v->v, v->n + 1, sizeof *v->v);
	v->t[v->n] = (double)t;     /* ns for now, made relative later */
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

static void
values_stats(struct run_report *r)
{
	struct report_values *v;
	size_t i;

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

/* The time axis: the run's start to its end, or its samples'. */
static void
time_axis(struct run_report *r, const int64_t *t, size_t n)
{
	int64_t t0 = jint(r->run, "started_ns"), t1 = jint(r->run, "ended_ns");

	if (n > 0) {
		if (t0 <= 0 || t[0] < t0)
			t0 = t[0];
		if (t1 <= 0 || t[n - 1] > t1)
			t1 = t[n - 1];
	}
	if (t0 <= 0)
		t0 = jint(r->run, "created_ns");
	if (t1 < t0)
		t1 = t0;
	r->t0_ns = t0;
	r->t1_ns = t1;
}

/* Events join the marks; marks and values move to seconds from t0. */
static void
marks_finish(struct run_report *r)
{
	double t0 = (double)r->t0_ns;
	json_t *ev;
	size_t i, j;

	json_array_foreach(json_object_get(r->run, "events"), i, ev)
		mark_add(r, (double)jint(ev, "t_ns"), MARK_EVENT,
		    xasprintf("%s: %s", jstr(ev, "kind") ? jstr(ev, "kind") :
		    "?", jstr(ev, "title") ? jstr(ev, "title") : "?"));
	for (i = 0; i < r->nmarks; i++)
		r->marks[i].t = (r->marks[i].t - t0) / 1e9;
	if (r->nmarks > 1)      /* marks is NULL for a run without any */
		qsort(r->marks, r->nmarks, sizeof *r->marks, mark_cmp);
	for (i = 0; i < r->nvalues; i++)
		for (j = 0; j < r->values[i].n; j++)
			r->values[i].t[j] = (r->values[i].t[j] - t0) / 1e9;
}

static void
plots_finish(struct run_report *r, struct samples_build *sb)
{
	size_t *from = NULL, *to = NULL, nint = 0, i;

	if (sb->n >= 2) {
		from = xreallocarray(NULL, sb->n, sizeof *from);
		to = xreallocarray(NULL, sb->n, sizeof *to);
		nint = rate_intervals(sb->t, sb->n, from, to);
	}
	r->plots = xcalloc(sb->npb ? sb->npb : 1, sizeof *r->plots);
	for (i = 0; i < sb->npb; i++) {
		/* a rate needs two samples, a level one */
		if (sb->n == 0 || (sb->pb[i].is_event && nint == 0))
			continue;
		finish_plot(&r->plots[r->nplots++], &sb->pb[i], sb->t, sb->n,
		    r->t0_ns, from, to, nint);
	}
	free(from);
	free(to);
}

static void
samples_build_release(struct samples_build *sb)
{
	size_t i, l;

	for (i = 0; i < sb->npb; i++) {
		for (l = 0; l < sb->pb[i].nlines; l++) {
			free(sb->pb[i].lines[l].label);
			free(sb->pb[i].lines[l].raw);
		}
	}
	free(sb->pb);
	free(sb->t);
}

/*
 * The run read one way: its record (run_show_json) for what the
 * reports print as tables, the store's readers for what they plot.
 */
static int
run_report_load(struct db *db, const struct workload *const *registry,
    int64_t run_id, struct run_report *r,
    char **cause)
{
	struct samples_build sb = { r, NULL, 0, NULL, 0, 0 };
	struct run_counter *ci = NULL;
	size_t nci = 0, width = 0, i;
	int err;

	memset(r, 0, sizeof *r);
	if ((r->run = run_show_json(db, run_id, 0, cause)) == NULL) {
		if (cause != NULL && *cause == NULL)
			set_cause(cause, ENOENT, "unknown run %lld",
			    (long long)run_id);
		return -ENOENT;
	}
	if (jstr(r->run, "workload") != NULL)
		r->wl = workload_lookup(registry, jstr(r->run, "workload"));
	if ((err = run_counters_read(db, run_id, &ci, &nci, cause)) != 0)
		goto out;
	plot_specs(&sb, r->wl, ci, nci);
	for (i = 0; i < nci; i++)
		if ((size_t)ci[i].idx + 1 > width)
			width = (size_t)ci[i].idx + 1;
	if ((err = run_samples_read(db, run_id, width, sample_add, &sb,
	    cause)) != 0)
		goto out;
	r->nsamples = sb.n;
	if ((err = run_values_read(db, run_id, value_add, r, cause)) != 0)
		goto out;
	values_stats(r);
	time_axis(r, sb.t, sb.n);
	marks_finish(r);
	plots_finish(r, &sb);
out:
	samples_build_release(&sb);
	run_counters_free(ci, nci);
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

/* The report being read and the values of its last metric. */
struct kernel_build {
	struct kernel_report *k;
	double *v;
	size_t nv;
};

/* One value of a metric; consecutive values of one metric are one row. */
static void
kernel_value_add(void *arg, const char *wl, const char *name,
    const char *unit, const char *better, double value)
{
	struct kernel_build *kb = arg;
	struct kernel_report *k = kb->k;
	struct kernel_metric *m = k->nmetrics ? &k->metrics[k->nmetrics - 1] :
	    NULL;

	if (m == NULL || strcmp(m->workload, wl) != 0 ||
	    strcmp(m->metric, name) != 0) {
		if (m != NULL)
			kernel_metric_finish(m, kb->v, kb->nv);
		k->metrics = xreallocarray(k->metrics, k->nmetrics + 1,
		    sizeof *k->metrics);
		m = &k->metrics[k->nmetrics++];
		memset(m, 0, sizeof *m);
		m->workload = xstrdup(wl);
		m->metric = xstrdup(name);
		m->unit = xstrdup(unit);
		m->better = xstrdup(better);
		kb->nv = 0;
	}
	kb->v = xreallocarray(kb->v, kb->nv + 1, sizeof *kb->v);
	kb->v[kb->nv++] = value;
}

static int
kernel_report_load(struct db *db, int64_t kernel, struct kernel_report *k,
    char **cause)
{
	struct kernel_build kb = { k, NULL, 0 };
	json_t *summary;
	int err;

	memset(k, 0, sizeof *k);
	if ((summary = kernel_summary_json(db, kernel, cause)) == NULL) {
		if (cause != NULL && *cause == NULL)
			set_cause(cause, ENOENT, "unknown kernel build %lld",
			    (long long)kernel);
		return -ENOENT;
	}
	k->kernel = json_incref(json_object_get(summary, "kernel"));
	k->runs = json_incref(json_object_get(summary, "runs"));
	k->states = json_incref(json_object_get(summary, "states"));
	k->events = json_incref(json_object_get(summary, "events"));
	json_decref(summary);
	err = kernel_metrics_read(db, kernel, kernel_value_add, &kb, cause);
	if (k->nmetrics > 0)
		kernel_metric_finish(&k->metrics[k->nmetrics - 1], kb.v, kb.nv);
	free(kb.v);
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
report_run(struct db *db, const struct workload *const *registry,
    int64_t run_id, enum report_format fmt,
    struct buf *out, char **cause)
{
	struct run_report r;
	int err;

	if ((err = run_report_load(db, registry, run_id, &r, cause)) != 0)
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
