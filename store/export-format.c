/*
 * export-format.c - the table of line types (export-format.h): columns,
 * the values the schema CHECKs, and each table's SELECT and INSERT.
 */
#include "common/util.h"
#include "store/export-format.h"

static const char *const run_states[] = { "passed", "failed", "lockup",
	"crashed", "interrupted", "skipped", NULL };
static const char *const better_values[] = { "lower", "higher", NULL };
/* A knob still 'changed' is never exported nor imported: mmstormd
 * restores every such knob at start (runner_recover), and would write
 * another machine's original value into this machine's sysfs. */
static const char *const knob_states[] = { "restored", "failed", NULL };
static const char *const counter_kinds[] = { "event", "gauge", NULL };

static const struct column kernel_cols[] = {
	{ "build_key", COL_TEXT, 0, NULL },
	{ "release", COL_TEXT, 0, NULL },
	{ "version", COL_TEXT, 0, NULL },
	{ "build_id", COL_TEXT, 1, NULL },
	{ "cmdline", COL_TEXT, 0, NULL },
	{ "config_hash", COL_TEXT, 1, NULL },
	{ "config_source", COL_TEXT, 1, NULL },
	{ "first_seen_ns", COL_INT, 0, NULL },
};

static const struct column host_cols[] = {
	{ "ref", COL_HOST, 0, NULL },
	{ "machine_id", COL_TEXT, 0, NULL },
	{ "hostname", COL_TEXT, 0, NULL },
	{ "cpus_possible", COL_INT, 0, NULL },
	{ "numa_nodes", COL_INT, 0, NULL },
	{ "nodes", COL_TEXT, 0, NULL },
	{ "mem_total_kb", COL_INT, 0, NULL },
	{ "first_seen_ns", COL_INT, 0, NULL },
};

static const struct column run_cols[] = {
	{ "uuid", COL_TEXT, 0, NULL },
	{ "kernel", COL_KERNEL, 0, NULL },
	{ "host", COL_HOST, 0, NULL },
	{ "workload", COL_TEXT, 0, NULL },
	{ "params", COL_TEXT, 0, NULL },
	{ "state", COL_TEXT, 0, run_states },
	{ "reason", COL_TEXT, 1, NULL },
	{ "label", COL_TEXT, 1, NULL },
	{ "boot_id", COL_TEXT, 0, NULL },
	{ "host_state", COL_TEXT, 0, NULL },
	{ "created_ns", COL_INT, 0, NULL },
	{ "started_ns", COL_INT, 1, NULL },
	{ "ended_ns", COL_INT, 1, NULL },
	{ "exit_status", COL_TEXT, 1, NULL },
};

static const struct column counters_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "names", COL_TEXTS, 0, NULL },
	{ "kinds", COL_TEXTS, 0, counter_kinds },
	{ "units", COL_TEXTS, 0, NULL },
};

static const struct column sample_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "seq", COL_INT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "label", COL_TEXT, 1, NULL },
	{ "values", COL_INTS, 0, NULL },
};

static const struct column metric_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "name", COL_TEXT, 0, NULL },
	{ "value", COL_REAL, 0, NULL },
	{ "unit", COL_TEXT, 0, NULL },
	{ "better", COL_TEXT, 0, better_values },
};

static const struct column value_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "series", COL_TEXT, 0, NULL },
	{ "seq", COL_INT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "value", COL_REAL, 0, NULL },
};

static const struct column event_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "kernel", COL_KERNEL, 0, NULL },
	{ "host", COL_HOST, 0, NULL },
	{ "boot_id", COL_TEXT, 0, NULL },
	{ "kind", COL_TEXT, 0, NULL },
	{ "title", COL_TEXT, 0, NULL },
	{ "signature", COL_TEXT, 0, NULL },
	{ "t_ns", COL_INT, 0, NULL },
	{ "source", COL_TEXT, 0, NULL },
	{ "text", COL_TEXT, 0, NULL },
};

static const struct column unavailable_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "source", COL_TEXT, 0, NULL },
};

static const struct column artifact_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "name", COL_TEXT, 0, NULL },
	{ "content", COL_TEXT, 0, NULL },
};

static const struct column knob_cols[] = {
	{ "run", COL_RUN, 0, NULL },
	{ "path", COL_TEXT, 0, NULL },
	{ "original", COL_TEXT, 0, NULL },
	{ "value", COL_TEXT, 0, NULL },
	{ "state", COL_TEXT, 0, knob_states },
	{ "changed_ns", COL_INT, 0, NULL },
	{ "restored_ns", COL_INT, 1, NULL },
	{ "error", COL_TEXT, 1, NULL },
};

static const struct column header_cols[] = {
	{ "version", COL_INT, 0, NULL },
};

static const struct column end_cols[] = {
	{ "runs", COL_INT, 0, NULL },
	{ "lines", COL_INT, 0, NULL },
	{ "sha256", COL_TEXT, 0, NULL },
};

#define COLS(a) a, ARRAY_SIZE(a)

const struct line_type export_line_types[LT_COUNT] = {
	[LT_KERNEL] = { "kernel", "kernels", COLS(kernel_cols),
	    "SELECT build_key, release, version, build_id, cmdline, "
	    "config_hash, config_source, first_seen_ns FROM kernels "
	    "WHERE id = $1",
	    "INSERT INTO kernels (build_key, release, version, build_id, "
	    "cmdline, config_hash, config_source, first_seen_ns) VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8)" },
	/* $1, the ref, exists only in the file. */
	[LT_HOST] = { "host", "hosts", COLS(host_cols),
	    "SELECT id, machine_id, hostname, cpus_possible, numa_nodes, "
	    "nodes, mem_total_kb, first_seen_ns FROM hosts WHERE id = $1",
	    "INSERT INTO hosts (machine_id, hostname, cpus_possible, "
	    "numa_nodes, nodes, mem_total_kb, first_seen_ns) VALUES "
	    "($2, $3, $4, $5, $6, $7, $8)" },
	/* pid and job_id mean something only on the machine of the run. */
	[LT_RUN] = { "run", "runs", COLS(run_cols),
	    "SELECT uuid, kernel_id, host_id, workload, params, state, "
	    "reason, label, boot_id, host_state, created_ns, started_ns, "
	    "ended_ns, exit_status FROM runs WHERE id = $1",
	    "INSERT INTO runs (uuid, kernel_id, host_id, workload, params, "
	    "state, reason, label, boot_id, host_state, created_ns, "
	    "started_ns, ended_ns, exit_status) VALUES ($1, $2, $3, $4, $5, "
	    "$6, $7, $8, $9, $10, $11, $12, $13, $14)" },
	[LT_COUNTERS] = { "counters", "run_counters", COLS(counters_cols),
	    NULL, NULL },
	[LT_SAMPLE] = { "sample", "samples", COLS(sample_cols), NULL,
	    "INSERT INTO samples (run_id, seq, t_ns, label, data) VALUES "
	    "($1, $2, $3, $4, $5)" },
	[LT_METRIC] = { "metric", "metrics", COLS(metric_cols),
	    "SELECT run_id, name, value, unit, better FROM metrics WHERE "
	    "run_id = $1 ORDER BY name",
	    "INSERT INTO metrics (run_id, name, value, unit, better) VALUES "
	    "($1, $2, $3, $4, $5)" },
	[LT_VALUE] = { "value", "run_values", COLS(value_cols),
	    "SELECT run_id, series, seq, t_ns, value FROM run_values WHERE "
	    "run_id = $1 ORDER BY series, seq",
	    "INSERT INTO run_values (run_id, series, seq, t_ns, value) "
	    "VALUES ($1, $2, $3, $4, $5)" },
	/* Inserted in file order, so new ids keep the (t_ns, id) order. */
	[LT_EVENT] = { "event", "events", COLS(event_cols),
	    "SELECT run_id, kernel_id, host_id, boot_id, kind, title, "
	    "signature, t_ns, source, text FROM events WHERE run_id = $1 "
	    "ORDER BY t_ns, id",
	    "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, "
	    "title, signature, t_ns, source, text) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7, $8, $9, $10)" },
	[LT_UNAVAILABLE] = { "unavailable", "run_unavailable",
	    COLS(unavailable_cols),
	    "SELECT run_id, source FROM run_unavailable WHERE run_id = $1 "
	    "ORDER BY source",
	    "INSERT INTO run_unavailable (run_id, source) VALUES ($1, $2)" },
	[LT_ARTIFACT] = { "artifact", "run_artifacts", COLS(artifact_cols),
	    "SELECT run_id, name, content FROM run_artifacts WHERE "
	    "run_id = $1 ORDER BY name",
	    "INSERT INTO run_artifacts (run_id, name, content) VALUES ($1, "
	    "$2, $3)" },
	[LT_KNOB] = { "knob", "knobs", COLS(knob_cols),
	    "SELECT run_id, path, original, value, state, changed_ns, "
	    "restored_ns, error FROM knobs WHERE run_id = $1 ORDER BY id",
	    "INSERT INTO knobs (run_id, path, original, value, state, "
	    "changed_ns, restored_ns, error) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7, $8)" },
	[LT_HEADER] = { "mmstorm-export", NULL, COLS(header_cols), NULL,
	    NULL },
	[LT_END] = { "end", NULL, COLS(end_cols), NULL, NULL },
};
