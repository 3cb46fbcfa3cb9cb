/* daemon.h - mmstormd's state and the functions its files share. */
#ifndef MMSTORM_DAEMON_H
#define MMSTORM_DAEMON_H

#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>

#include "common/util.h"
#include "daemon/http.h"

struct db;
struct fleet;
struct kmsg_watch;

struct daemon {
	struct event_base *base;
	struct db *db;
	char *db_path;
	char *socket_path;
	int socket_fd;
	dev_t socket_dev;             /* the socket file bound, to remove */
	ino_t socket_ino;             /* only that one at the end */
	struct http_limits limits;
	struct http_pool *http_pool;
	struct http_server *http;     /* the unix socket: everything */
	struct http_server *http_tcp; /* optional: /metrics, rest with token */
	char *token;                  /* bearer token for TCP, or NULL */

	int64_t started_mono, started_real;
	int64_t kernel_id, host_id;
	int stopping;

	/* the run in progress: a supervisor child process */
	pid_t sup_pid;
	int64_t job_id;
	int64_t sup_started_mono;
	int progress_fd;
	struct event *progress_ev;
	struct event *timeout_ev;
	char phase[256];
	int cancel_requested;
	int time_limit_hit;           /* its timeout= stopped it */

	/* heartbeat: the loop's own lateness is the machine stalling */
	struct event *heartbeat_ev;
	int64_t heartbeat_ns, stall_ns;
	int64_t hb_last_mono;
	double loop_lag_s, loop_lag_max_s;
	int64_t stalls;
	int64_t watchdog_usec, watchdog_last;

	/* kernel log */
	struct kmsg_watch *kmsg;
	int allow_user_kmsg;
	int kmsg_tail;                /* skip the backlog (tests) */
	int64_t kmsg_quiet_ms;        /* finish a report after this quiet */
	int64_t taint;
	char *pstore_dir;

	/* counters for /metrics */
	int64_t http_requests;

	/* fleet push (fleet.c): NULL when not configured */
	char *fleet_conninfo;         /* may hold a password: never shown */
	struct fleet *fleet;

	/* fleet queue (fleet-claim.c): with --fleet-claim */
	struct fleet_claim_conf *claim_conf;
	struct claimer *claimer;
	char *build_key, *release;    /* the kernel this daemon runs */
};

/* log.c: stderr with <N> priorities for journald */
void log_info(const char *fmt, ...) PRINTFLIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTFLIKE(1, 2);
void log_err(const char *fmt, ...) PRINTFLIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTFLIKE(1, 2);
extern int log_verbose;

/* A rate limit for messages a client can cause: burst per interval. */
struct log_limit {
	int64_t interval_ns;
	int burst, count;
	int64_t window_start, suppressed;
};
#define LOG_LIMIT(seconds, burst) \
	{ (int64_t)(seconds) * 1000000000, (burst), 0, 0, 0 }
void log_limited(struct log_limit *, int prio, const char *fmt, ...)
    PRINTFLIKE(3, 4);
void log_libevent_init(void);

/* notify.c: the sd_notify protocol without libsystemd */
int notify(const char *state);
int notify_watchdog_usec(int64_t *usec);

/* scheduler.c: one run at a time, each in a supervisor child */
/* Start the next job's run unless one is in progress or the daemon stops. */
void scheduler_start_next(struct daemon *);
void scheduler_child_exited(struct daemon *, pid_t, int status);
int scheduler_cancel(struct daemon *, int64_t job_id, char **cause);
void scheduler_stop_current(struct daemon *, int sig);
int scheduler_recover(struct daemon *, char **cause);

/* api.c */
int api_start(struct daemon *, const char *tcp_listen, char **cause);
void api_stop(struct daemon *);
/* One request, no socket (the server calls it; so can a fuzzer). */
void api_handle(struct daemon *, const struct http_request *,
    struct http_reply *);
/* "HOST:PORT" or "[IPV6]:PORT", port 1..65535: 0 or -EINVAL. */
int api_parse_listen(const char *, char **host, char **port, char **cause);

/* metrics.c: Prometheus text format 0.0.4 */
char *metrics_render(struct daemon *);

/* fleet.c: ended runs pushed to the fleet database (docs/fleet.md) */
int fleet_start(struct daemon *, char **cause);
void fleet_stop(struct daemon *);
void fleet_kick(struct daemon *);
/* NULL (JSON null) without --fleet */
struct json_t *fleet_status_json(struct daemon *);
struct fleet_stats {
	const char *state;            /* down, connecting, idle, pushing */
	int up;
	int64_t backlog, refused;     /* outbox rows; those refused */
	double oldest_s;              /* age of the oldest row */
	int64_t pushed, duplicates, conn_lost;
	double last_push_s;
	const char *last_error;       /* no secret: libpq never echoes one */
};
/* -ENOENT without --fleet */
int fleet_stats(struct daemon *, struct fleet_stats *);

/* The socket a pg_async connection is watched on (fleet.c). */
struct pg_async;
struct pg_watch {
	struct event *ev;
	int fd;
	short what;
};
void fleet_watch(struct event_base *, struct pg_async *, struct pg_watch *,
    int want, event_callback_fn, void *);
void fleet_unwatch(struct pg_watch *);
/* A lost connection dropped (unwatched, freed): the delay before the
 * next try, exponential with jitter in the failures counted so far. */
int64_t fleet_link_drop(struct pg_async **, struct pg_watch *,
    int *failures);

/* fleet-claim.c: jobs claimed from the fleet queue (docs/fleet.md) */
struct fleet_claim_conf {
	const char *as;               /* host name: --fleet-as (tests) */
	const char *tags;
	const char *health_job;       /* a job file; NULL: built in */
	int64_t poll_ms, lease_ms, grace_ms, heartbeat_ms;
};
int fleet_claim_start(struct daemon *, char **cause);
void fleet_claim_stop(struct daemon *);
/* The local queue may have gone idle, or a local job ended. */
void fleet_claim_kick(struct daemon *);
/* 0 while a restarted daemon has not yet learnt which of its local jobs
 * the fleet gave to another host (at most a minute). */
int fleet_claim_ready(struct daemon *);
struct fleet_claim_stats {
	const char *state;            /* down, connecting, idle, busy */
	const char *host, *health;
	int up;
	int64_t claimed, ended, held, heartbeats, notifies, polls, reaps;
	double heartbeat_age_s;       /* -1 never */
};
int fleet_claim_stats(struct daemon *, struct fleet_claim_stats *);
struct json_t *fleet_claim_status_json(struct daemon *);

/* events.c: kernel log, pstore, heartbeat, taint */
int events_start(struct daemon *, char **cause);
void events_stop(struct daemon *);
int pstore_harvest(struct daemon *, char **cause);
void record_event(struct daemon *, const char *kind, const char *title,
    const char *signature, const char *source, const char *text,
    int64_t t_ns);
extern int64_t kmsg_lost, kmsg_records, kmsg_events, events_held;

#endif
