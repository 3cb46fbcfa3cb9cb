/*
 * report.h - reports of a run, of two builds compared, and of one
 * build: aligned text, stable JSON, or one self-contained HTML file.
 *
 * The HTML is one file that a reader can open offline, for example as
 * an attachment of a mailing-list bug report: inline CSS and inline SVG
 * plots drawn here (no JavaScript, no fonts, images or links from
 * anywhere), every text from the database escaped.
 *
 * Library code: each function fills a struct buf and returns 0, or a
 * negative errno-style code with *cause set; -ENOENT when the run or
 * build does not exist.
 */
#ifndef MMSTORM_REPORT_H
#define MMSTORM_REPORT_H

#include <stdint.h>

struct buf;
struct compare_opts;
struct db;
struct workload;

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSON,
	REPORT_HTML,
};

/* "text", "json", "html"; -EINVAL for anything else. */
int report_format_parse(const char *, enum report_format *);

/* JSON reports carry "report": "run" | "compare" | "kernel" and this. */
#define REPORT_JSON_VERSION 1

/*
 * One run: header, metrics, per-operation values (histogram and CDF with
 * p50/p99), time series of the workload's key counters (rates per second
 * of event counters, levels of gauges) with transitions, labelled
 * samples and kernel events marked on the time axis, and the events.
 * The HTML leads with the workload's Result (its struct workload says
 * which metrics, series and plots) and names zero series on one line
 * (docs/reports.md).
 */
int report_run(struct db *, const struct workload *const *registry,
    int64_t run_id, enum report_format, struct buf *out, char **cause);

/* Two builds: compare_kernels() as tables with change bars. */
int report_compare(struct db *, int64_t base, int64_t new,
    const struct compare_opts *, enum report_format, struct buf *out,
    char **cause);

/* One build: its runs, metrics per workload (mean +- sd), its events. */
int report_kernel(struct db *, int64_t kernel, enum report_format,
    struct buf *out, char **cause);

#endif
