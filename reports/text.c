/*
 * text.c - the plain-text reports (`report --format text`): aligned
 * tables as the CLI prints them, for a terminal or a mail body.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "reports/internal.h"
#include "common/util.h"

/* ---- tables ------------------------------------------------------------ */


static void
table_out(struct text_table *t, struct buf *b)
{
	if (text_table_rows(t) > 1) {
		buf_addc(b, '\n');
		text_table_print(t, b);
	}
	text_table_free(t);
}

/* ---- helpers ----------------------------------------------------------- */

/* A string member for a table cell: "-" when absent. */
static const char *
jdash(json_t *o, const char *key)
{
	const char *s = jstr(o, key);

	return s ? s : "-";
}

/* ---- run ------------------------------------------------------------------ */

void
text_run(const struct run_report *r, struct buf *b)
{
	json_t *run = r->run, *k = json_object_get(run, "kernel");
	json_t *h = json_object_get(run, "host"), *o;
	struct text_table *t;
	char when[64], v[8][48];
	const char *key;
	size_t i, l;
	char *p;

	buf_printf(b, "run       %s\n", jdash(run, "run"));
	buf_printf(b, "workload  %s\n", jdash(run, "workload"));
	buf_printf(b, "state     %s\n", jdash(run, "state"));
	if (json_string_value(json_object_get(run, "reason")))
		buf_printf(b, "reason    %s\n", jdash(run, "reason"));
	if (json_string_value(json_object_get(run, "label")))
		buf_printf(b, "label     %s\n", jdash(run, "label"));
	buf_printf(b, "kernel    %s  build-id %s\n", jdash(k, "release"),
	    jdash(k, "build_id"));
	buf_printf(b, "host      %s  %lld CPUs, %lld node(s), %lld MiB\n",
	    jdash(h, "hostname"), (long long)jint(h, "cpus_possible"),
	    (long long)jint(h, "numa_nodes"),
	    (long long)jint(h, "mem_total_kb") / 1024);
	fmt_wall(when, sizeof when, jint(run, "started_ns"));
	fmt_offset(v[0], sizeof v[0], (double)(r->t1_ns - r->t0_ns) / 1e9);
	buf_printf(b, "started   %s  (%s, %s)\n", when, v[0],
	    jdash(run, "exit_status"));
	p = json_dumps(json_object_get(run, "params"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	buf_printf(b, "params    %s\n", p ? p : "{}");
	free(p);
	buf_printf(b, "samples   %zu\n", r->nsamples);

	t = text_table_new(4, "METRIC", "VALUE", "UNIT", "BETTER");
	json_array_foreach(json_object_get(run, "metric_info"), i, o) {
		fmt_value(v[0], sizeof v[0], json_number_value(
		    json_object_get(o, "value")));
		text_table_add(t, jdash(o, "name"), v[0], jdash(o, "unit"),
		    jdash(o, "better"));
	}
	table_out(t, b);

	t = text_table_new(10, "SERIES", "N", "MIN", "P50", "P90", "P99",
	    "MAX", "MEAN", "SD", "UNIT");
	for (i = 0; i < r->nvalues; i++) {
		const struct report_values *s = &r->values[i];
		char n[32];

		snprintf(n, sizeof n, "%zu", s->n);
		fmt_value(v[0], sizeof v[0], s->min);
		fmt_value(v[1], sizeof v[1], s->p50);
		fmt_value(v[2], sizeof v[2], s->p90);
		fmt_value(v[3], sizeof v[3], s->p99);
		fmt_value(v[4], sizeof v[4], s->max);
		fmt_value(v[5], sizeof v[5], s->mean);
		fmt_value(v[6], sizeof v[6], s->sd);
		text_table_add(t, s->name, n, v[0], v[1], v[2], v[3], v[4],
		    v[5], v[6], s->unit);
	}
	table_out(t, b);

	t = text_table_new(6, "COUNTER", "SHOWN", "MIN", "MEAN", "MAX", "UNIT");
	for (i = 0; i < r->nplots; i++) {
		for (l = 0; l < r->plots[i].nlines; l++) {
			const struct report_line *line = &r->plots[i].lines[l];

			fmt_value(v[0], sizeof v[0], line->min);
			fmt_value(v[1], sizeof v[1], line->mean);
			fmt_value(v[2], sizeof v[2], line->max);
			text_table_add(t, line->label, r->plots[i].rate ?
			    "rate" : "level", v[0], v[1], v[2],
			    r->plots[i].unit);
		}
	}
	table_out(t, b);

	t = text_table_new(4, "TIME", "KIND", "SOURCE", "TITLE");
	json_array_foreach(json_object_get(run, "events"), i, o) {
		fmt_offset(v[0], 40, (double)(jint(o, "t_ns") - r->t0_ns) /
		    1e9);
		snprintf(v[1], sizeof v[1], "+%.40s", v[0]);
		text_table_add(t, v[1], jdash(o, "kind"), jdash(o, "source"),
		    jdash(o, "title"));
	}
	table_out(t, b);

	o = json_object_get(run, "deltas");
	if (json_object_size(o) > 0) {
		json_t *d;

		t = text_table_new(2, "COUNTER", "DELTA");
		json_object_foreach(o, key, d) {
			snprintf(v[0], sizeof v[0], "%lld",
			    (long long)json_integer_value(d));
			text_table_add(t, key, v[0]);
		}
		table_out(t, b);
	}
}

/* ---- compare ------------------------------------------------------------ */

static void
mean_sd(char *out, size_t size, const struct cmp_side *s)
{
	char m[40], d[40];

	if (s->n == 0) {
		snprintf(out, size, "-");
		return;
	}
	fmt_value(m, sizeof m, s->mean);
	fmt_value(d, sizeof d, s->sd);
	snprintf(out, size, "%s+-%s", m, d);
}

void
text_compare(const struct compare_report *cr, struct buf *b)
{
	const struct comparison *c = cr->cmp;
	struct text_table *t = NULL;
	const char *wl = NULL;
	char n[32], base[96], new[96], cvb[32], cvn[32], ch[32], p[32], doubt[64];
	size_t i;

	buf_printf(b, "base      %s\n", cr->base_desc);
	buf_printf(b, "new       %s\n", cr->new_desc);
	buf_printf(b, "threshold %.1f %%\n", cr->threshold_pct);
	if (c->nmetrics == 0)
		buf_adds(b, "\nno metric has runs on both builds\n");
	for (i = 0; i < c->nmetrics; i++) {
		const struct metric_cmp *m = &c->metrics[i];

		if (wl == NULL || strcmp(wl, m->workload) != 0) {
			if (t != NULL)
				text_table_print(t, b), text_table_free(t);
			wl = m->workload;
			buf_printf(b, "\n%s\n", wl);
			t = text_table_new(9, "METRIC", "N", "BASE", "NEW",
			    "CV BASE", "CV NEW", "CHANGE", "P", "MARK");
		}
		snprintf(n, sizeof n, "%zu/%zu", m->base.n, m->new.n);
		mean_sd(base, sizeof base, &m->base);
		mean_sd(new, sizeof new, &m->new);
		snprintf(cvb, sizeof cvb, "%.1f%%", m->base.cv_pct);
		snprintf(cvn, sizeof cvn, "%.1f%%", m->new.cv_pct);
		snprintf(ch, sizeof ch, "%+.1f%%", m->change_pct);
		snprintf(p, sizeof p, "%.3f", m->p_value);
		text_table_add(t, m->metric, n, base, new, cvb, cvn,
		    isfinite(m->change_pct) ? ch : "-",
		    isfinite(m->p_value) ? p : "-", m->doubt != CMP_DECIDED ?
		    metric_cmp_doubt_text(m, doubt, sizeof doubt) :
		    cmp_mark_name(m->mark));
	}
	if (t != NULL) {
		text_table_print(t, b);
		text_table_free(t);
	}
	if (c->nlockups > 0) {
		t = text_table_new(6, "WORKLOAD", "KIND", "BASE", "NEW", "NEW?",
		    "TITLE");
		for (i = 0; i < c->nlockups; i++) {
			const struct lockup_cmp *l = &c->lockups[i];

			snprintf(base, sizeof base, "%lld/%lld",
			    (long long)l->hit_base, (long long)l->runs_base);
			snprintf(new, sizeof new, "%lld/%lld",
			    (long long)l->hit_new, (long long)l->runs_new);
			text_table_add(t, l->workload, l->kind, base, new,
			    l->is_new ? "new" : "", l->title);
		}
		buf_adds(b, "\nlockups and crashes (runs with the title / runs)\n");
		text_table_print(t, b);
		text_table_free(t);
	}
}

/* ---- kernel ------------------------------------------------------------- */

void
text_kernel(const struct kernel_report *k, struct buf *b)
{
	struct text_table *t;
	char v[6][64], when[64];
	json_t *o;
	size_t i;

	buf_printf(b, "kernel    %s\n", jdash(k->kernel, "release"));
	buf_printf(b, "build-id  %s\n", jdash(k->kernel, "build_id"));
	buf_printf(b, "version   %s\n", jdash(k->kernel, "version"));
	buf_printf(b, "cmdline   %s\n", jdash(k->kernel, "cmdline"));
	buf_printf(b, "config    %s\n", jdash(k->kernel, "config_hash"));
	buf_printf(b, "runs      %zu\n", json_array_size(k->runs));

	t = text_table_new(3, "WORKLOAD", "STATE", "RUNS");
	json_array_foreach(k->states, i, o) {
		snprintf(v[0], sizeof v[0], "%lld", (long long)jint(o, "runs"));
		text_table_add(t, jdash(o, "workload"), jdash(o, "state"), v[0]);
	}
	table_out(t, b);

	t = text_table_new(8, "WORKLOAD", "METRIC", "N", "MEAN+-SD", "CV",
	    "MIN", "MAX", "UNIT");
	for (i = 0; i < k->nmetrics; i++) {
		const struct kernel_metric *m = &k->metrics[i];
		char ms[160];

		snprintf(v[0], sizeof v[0], "%zu", m->n);
		fmt_value(v[1], sizeof v[1], m->mean);
		fmt_value(v[2], sizeof v[2], m->sd);
		snprintf(ms, sizeof ms, "%s+-%s", v[1], v[2]);
		snprintf(v[3], sizeof v[3], "%.1f%%", m->cv_pct);
		fmt_value(v[4], sizeof v[4], m->min);
		fmt_value(v[5], sizeof v[5], m->max);
		text_table_add(t, m->workload, m->metric, v[0], ms, v[3], v[4],
		    v[5], m->unit);
	}
	table_out(t, b);

	t = text_table_new(4, "KIND", "COUNT", "RUNS", "TITLE");
	json_array_foreach(k->events, i, o) {
		snprintf(v[0], sizeof v[0], "%lld", (long long)jint(o, "count"));
		snprintf(v[1], sizeof v[1], "%lld", (long long)jint(o, "runs"));
		text_table_add(t, jdash(o, "kind"), v[0], v[1], jdash(o, "title"));
	}
	table_out(t, b);

	t = text_table_new(6, "RUN", "WORKLOAD", "STATE", "STARTED", "LABEL",
	    "REASON");
	json_array_foreach(k->runs, i, o) {
		char id[16];

		snprintf(id, sizeof id, "%.8s", jdash(o, "run"));
		fmt_wall(when, sizeof when, jint(o, "started_ns"));
		text_table_add(t, id, jdash(o, "workload"), jdash(o, "state"),
		    when, jdash(o, "label"), jdash(o, "reason"));
	}
	table_out(t, b);
}
