/*
 * json.c - the machine-readable reports (`report --format json`).
 *
 * Stable shapes (keys may be added, none renamed), one object on one
 * line:
 *   run:    {"report": "run", "version": 1, "run": <show --json object,
 *           with metric_info and host_state>, "t0_ns", "t1_ns",
 *           "duration_s", "samples", "value_stats": {SERIES: {"unit",
 *           "n", "min", "p50", "p90", "p99", "max", "mean", "sd"}},
 *           "plots": [{"title", "unit", "kind": "rate"|"level", "lines":
 *           [{"label", "n", "min", "mean", "max", "points": [[t_s, v],
 *           ...]}]}], "marks": [{"t_s", "kind", "text"}]}
 *           points are what the HTML plots: at most 2000 per line.
 *   kernel: {"report": "kernel", "version": 1, "kernel": {...}, "runs":
 *           [...], "states": [...], "metrics": [{"workload", "metric",
 *           "unit", "better", "n", "mean", "sd", "cv_pct", "min",
 *           "max"}], "events": [{"kind", "title", "count", "runs",
 *           "first_ns", "last_ns"}]}
 *   compare: {"report": "compare", "version": 1, "base", "new",
 *           "threshold_pct", "comparison": comparison_json()}
 */
#include <math.h>

#include "reports/internal.h"
#include "reports/report.h"

static const char *const mark_kind_name[MARK_KINDS] = {
	[MARK_OFFLINE] = "offline",
	[MARK_ONLINE] = "online",
	[MARK_OP] = "operation",
	[MARK_LABEL] = "label",
	[MARK_EVENT] = "event",
};

/* JSON has no NaN or infinity: those become null. */
static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *
json_run(const struct run_report *r)
{
	json_t *o, *stats, *plots, *marks, *lines, *points, *p;
	size_t i, l, k;

	stats = json_object();
	for (i = 0; i < r->nvalues; i++) {
		const struct report_values *v = &r->values[i];

		json_object_set_new(stats, v->name, json_pack("{s:s, s:I, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o}", "unit", v->unit,
		    "n", (json_int_t)v->n, "min", num(v->min), "p50",
		    num(v->p50), "p90", num(v->p90), "p99", num(v->p99),
		    "max", num(v->max), "mean", num(v->mean), "sd",
		    num(v->sd)));
	}
	plots = json_array();
	for (i = 0; i < r->nplots; i++) {
		const struct report_plot *pl = &r->plots[i];

		lines = json_array();
		for (l = 0; l < pl->nlines; l++) {
			const struct report_line *line = &pl->lines[l];

			points = json_array();
			for (k = 0; k < line->npoints; k++)
				json_array_append_new(points, json_pack("[o, o]",
				    num(line->t[k]), num(line->v[k])));
			json_array_append_new(lines, json_pack("{s:s, s:I, "
			    "s:o, s:o, s:o, s:o}", "label", line->label, "n",
			    (json_int_t)line->nfull, "min", num(line->min),
			    "mean", num(line->mean), "max", num(line->max),
			    "points", points));
		}
		p = json_pack("{s:s, s:s, s:s, s:o}", "title", pl->title,
		    "unit", pl->unit, "kind", pl->rate ? "rate" : "level",
		    "lines", lines);
		json_array_append_new(plots, p);
	}
	marks = json_array();
	for (i = 0; i < r->nmarks; i++)
		json_array_append_new(marks, json_pack("{s:o, s:s, s:s}",
		    "t_s", num(r->marks[i].t), "kind",
		    mark_kind_name[r->marks[i].kind], "text",
		    r->marks[i].text));
	o = json_pack("{s:s, s:i, s:O, s:I, s:I, s:o, s:I, s:o, s:o, s:o}",
	    "report", "run", "version", REPORT_JSON_VERSION, "run", r->run,
	    "t0_ns", (json_int_t)r->t0_ns, "t1_ns", (json_int_t)r->t1_ns,
	    "duration_s", num((double)(r->t1_ns - r->t0_ns) / 1e9),
	    "samples", (json_int_t)r->nsamples, "value_stats", stats,
	    "plots", plots, "marks", marks);
	return o;
}

json_t *
json_kernel(const struct kernel_report *k)
{
	json_t *metrics = json_array();
	size_t i;

	for (i = 0; i < k->nmetrics; i++) {
		const struct kernel_metric *m = &k->metrics[i];

		json_array_append_new(metrics, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:I, s:o, s:o, s:o, s:o, s:o}", "workload", m->workload,
		    "metric", m->metric, "unit", m->unit, "better", m->better,
		    "n", (json_int_t)m->n, "mean", num(m->mean), "sd",
		    num(m->sd), "cv_pct", num(m->cv_pct), "min", num(m->min),
		    "max", num(m->max)));
	}
	return json_pack("{s:s, s:i, s:O, s:O, s:O, s:o, s:O}",
	    "report", "kernel", "version", REPORT_JSON_VERSION,
	    "kernel", k->kernel, "runs", k->runs, "states", k->states,
	    "metrics", metrics, "events", k->events);
}
