/*
 * metrics.c - /metrics in the Prometheus text exposition format 0.0.4,
 * names prefixed mmstorm_ (node_exporter owns node_).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "daemon/daemon.h"
#include "jobs/queue.h"
#include "store/db.h"
#include "store/series.h"
#include "store/status.h"

/* Label values escape backslash, double quote and newline. */
static void
label_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_addc(b, *s);
	}
}

static void
header(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Counts by one or two labels, as one metric family.  A count the store
 * cannot give leaves the family empty, as Prometheus expects. */
static void
family(struct buf *b, const char *name, const char *type, const char *help,
    int (*count)(struct db *, struct db_counts *, char **), struct db *db,
    const char *l1, const char *l2)
{
	struct db_counts c;
	size_t i;

	header(b, name, type, help);
	if (count(db, &c, NULL) != 0)
		return;
	for (i = 0; i < c.n; i++) {
		buf_printf(b, "%s{%s=\"", name, l1);
		label_value(b, c.v[i].label[0]);
		if (l2 != NULL) {
			buf_printf(b, "\",%s=\"", l2);
			label_value(b, c.v[i].label[1]);
		}
		buf_printf(b, "\"} %lld\n", (long long)c.v[i].n);
	}
	db_counts_release(&c);
}

static void
current_counters(struct buf *b, struct daemon *d, int64_t run)
{
	struct series s;
	size_t k, last;

	header(b, "mmstorm_current_counter", "gauge",
	    "Latest sampled value of each kernel counter of the run in "
	    "progress (event counters are cumulative).");
	if (run == 0 || series_load(d->db, run, &s, NULL) != 0)
		return;
	if (s.nsamples > 0) {
		last = s.nsamples - 1;
		for (k = 0; k < s.ncounters; k++) {
			buf_adds(b, "mmstorm_current_counter{counter=\"");
			label_value(b, s.names[k]);
			buf_printf(b, "\",kind=\"%s\"} %" PRId64 "\n",
			    s.is_event[k] ? "event" : "gauge",
			    s.values[last * s.ncounters + k]);
		}
		header(b, "mmstorm_last_sample_age_seconds", "gauge",
		    "Seconds since the run in progress was last sampled.");
		buf_printf(b, "mmstorm_last_sample_age_seconds %.3f\n",
		    (double)(now_real_ns() - s.t_ns[last]) / 1e9);
	}
	series_release(&s);
}

/* What the load limits did (docs/daemon.md, "Load limits"). */
static void
http_metrics(struct buf *b, const struct http_stats *st)
{
	static const struct {
		const char *name, *type, *help;
		size_t offset;
	} m[] = {
		{ "mmstorm_http_connections", "gauge", "Connections open.",
		    offsetof(struct http_stats, conns) },
		{ "mmstorm_http_request_memory_bytes", "gauge",
		    "Request bodies and replies held, bytes.",
		    offsetof(struct http_stats, memory) },
		{ "mmstorm_http_connections_accepted_total", "counter",
		    "Connections accepted.",
		    offsetof(struct http_stats, accepted) },
		{ "mmstorm_http_connections_evicted_total", "counter",
		    "Unfinished requests closed to stay under the connection "
		    "cap.", offsetof(struct http_stats, evicted) },
		{ "mmstorm_http_requests_timed_out_total", "counter",
		    "Requests not received whole within the deadline.",
		    offsetof(struct http_stats, timed_out) },
		{ "mmstorm_http_requests_rejected_total", "counter",
		    "Requests refused by the HTTP layer (malformed, too "
		    "large, over a limit).",
		    offsetof(struct http_stats, rejected) },
		{ "mmstorm_http_accept_pauses_total", "counter",
		    "Times accepting paused (out of descriptors or memory).",
		    offsetof(struct http_stats, accept_pauses) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		header(b, m[i].name, m[i].type, m[i].help);
		buf_printf(b, "%s %" PRId64 "\n", m[i].name,
		    *(const int64_t *)(const void *)((const char *)st +
		    m[i].offset));
	}
}

/* One sample of a family of its own; whole numbers print as such. */
static void
single(struct buf *b, const char *name, const char *type, const char *help,
    double v)
{
	header(b, name, type, help);
	if (v == (double)(int64_t)v)
		buf_printf(b, "%s %" PRId64 "\n", name, (int64_t)v);
	else
		buf_printf(b, "%s %.6f\n", name, v);
}

/* The fleet push's backlog (fleet.c, docs/fleet.md); nothing without
 * --fleet. */
static void
fleet_family(struct buf *b, struct daemon *d)
{
	struct fleet_stats st;

	if (fleet_stats(d, &st) != 0)
		return;
	single(b, "mmstorm_fleet_up", "gauge",
	    "1 while connected to the fleet database.", st.up);
	single(b, "mmstorm_fleet_backlog_runs", "gauge",
	    "Ended runs not yet in the fleet database.", (double)st.backlog);
	single(b, "mmstorm_fleet_backlog_oldest_seconds", "gauge",
	    "Age of the oldest run waiting to be pushed (0: none).",
	    st.oldest_s);
	single(b, "mmstorm_fleet_refused_runs", "gauge", "Runs waiting that "
	    "the fleet database refused (retried later).", (double)st.refused);
	single(b, "mmstorm_fleet_pushed_total", "counter",
	    "Runs pushed (stored, or found already there).", (double)st.pushed);
	single(b, "mmstorm_fleet_connection_losses_total", "counter",
	    "Connections to the fleet database lost.", (double)st.conn_lost);
	single(b, "mmstorm_fleet_last_push_seconds", "gauge",
	    "Latency of the last push.", st.last_push_s);
	header(b, "mmstorm_fleet_last_error_info", "gauge",
	    "The last push or connection error (no secrets), as a label.");
	if (st.last_error != NULL) {
		buf_adds(b, "mmstorm_fleet_last_error_info{error=\"");
		label_value(b, st.last_error);
		buf_adds(b, "\"} 1\n");
	}
}

/* The fleet queue's claimer (fleet-claim.c); nothing without
 * --fleet-claim. */
static void
fleet_claim_family(struct buf *b, struct daemon *d)
{
	struct fleet_claim_stats st;

	if (fleet_claim_stats(d, &st) != 0)
		return;
	single(b, "mmstorm_fleet_claim_up", "gauge",
	    "1 while the claimer is connected to the fleet database.", st.up);
	single(b, "mmstorm_fleet_claim_healthy", "gauge",
	    "1 when the fleet says this host's health is ok.",
	    strcmp(st.health, "ok") == 0);
	single(b, "mmstorm_fleet_heartbeat_age_seconds", "gauge",
	    "Seconds since the last heartbeat (-1: none yet).",
	    st.heartbeat_age_s);
	single(b, "mmstorm_fleet_jobs_claimed_total", "counter",
	    "Fleet jobs claimed.", (double)st.claimed);
	single(b, "mmstorm_fleet_jobs_ended_total", "counter",
	    "Fleet jobs whose end was reported.", (double)st.ended);
	single(b, "mmstorm_fleet_leases_held", "gauge",
	    "Fleet jobs this host holds.", (double)st.held);
	single(b, "mmstorm_fleet_notifications_total", "counter",
	    "Notifications received on the queue's channel.",
	    (double)st.notifies);
	single(b, "mmstorm_fleet_polls_total", "counter",
	    "Polls of the queue (the fallback of notifications).",
	    (double)st.polls);
}

char *
metrics_render(struct daemon *d)
{
	struct buf b = BUF_INIT;
	int64_t run = db_running_run_id(d->db);

	header(&b, "mmstorm_up", "gauge", "mmstormd is serving.");
	buf_adds(&b, "mmstorm_up 1\n");
	header(&b, "mmstorm_uptime_seconds", "gauge", "Seconds since start.");
	buf_printf(&b, "mmstorm_uptime_seconds %.3f\n",
	    (double)(now_mono_ns() - d->started_mono) / 1e9);
	family(&b, "mmstorm_runs", "gauge", "Stored runs by workload and state.",
	    db_count_runs, d->db, "workload", "state");
	family(&b, "mmstorm_events_total", "counter",
	    "Kernel-log and workload events recorded, by kind.",
	    db_count_events, d->db, "kind", NULL);
	family(&b, "mmstorm_jobs", "gauge", "Jobs by state.",
	    queue_count_by_state, d->db, "state", NULL);
	header(&b, "mmstorm_queue_length", "gauge", "Jobs waiting to run.");
	buf_printf(&b, "mmstorm_queue_length %" PRId64 "\n", queue_length(d->db));
	header(&b, "mmstorm_run_in_progress", "gauge",
	    "1 while a run is in progress.");
	buf_printf(&b, "mmstorm_run_in_progress %d\n", run != 0);
	current_counters(&b, d, run);
	header(&b, "mmstorm_loop_lag_seconds", "gauge",
	    "How late the daemon's last heartbeat timer fired.");
	buf_printf(&b, "mmstorm_loop_lag_seconds %.6f\n", d->loop_lag_s);
	header(&b, "mmstorm_loop_lag_max_seconds", "gauge",
	    "Largest heartbeat lateness since start.");
	buf_printf(&b, "mmstorm_loop_lag_max_seconds %.6f\n",
	    d->loop_lag_max_s);
	header(&b, "mmstorm_stalls_total", "counter",
	    "Heartbeats late by more than the stall threshold.");
	buf_printf(&b, "mmstorm_stalls_total %" PRId64 "\n", d->stalls);
	header(&b, "mmstorm_kmsg_records_total", "counter",
	    "Kernel log records read.");
	buf_printf(&b, "mmstorm_kmsg_records_total %" PRId64 "\n",
	    kmsg_records);
	header(&b, "mmstorm_kmsg_lost_total", "counter",
	    "Kernel log records overwritten before they were read (EPIPE).");
	buf_printf(&b, "mmstorm_kmsg_lost_total %" PRId64 "\n", kmsg_lost);
	header(&b, "mmstorm_events_held", "gauge",
	    "Events the database has not taken yet (retried every second).");
	buf_printf(&b, "mmstorm_events_held %" PRId64 "\n", events_held);
	header(&b, "mmstorm_http_requests_total", "counter",
	    "API requests served.");
	buf_printf(&b, "mmstorm_http_requests_total %" PRId64 "\n",
	    d->http_requests);
	if (d->http_pool != NULL)
		http_metrics(&b, http_pool_stats(d->http_pool));
	fleet_family(&b, d);
	fleet_claim_family(&b, d);
	return buf_detach(&b);
}
