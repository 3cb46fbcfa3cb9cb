/*
 * fleet-claim.c - jobs claimed from the fleet queue (mmstormd
 * --fleet-claim; docs/fleet.md, "The queue") on the daemon's loop.
 *
 * One connection of its own (the push keeps its own, so a large push
 * never delays a heartbeat), LISTENing on the queue's channel, and one
 * statement at a time on it: the statements are jobs/fleet.c's, sent
 * with pga_send_params(), so the CLI and the daemon run the same SQL.
 * What to send next is decided whenever the connection is idle, in
 * this order: LISTEN, the heartbeat (extends the leases), after each
 * connect the reconciliation (jobs leased here are in the local queue;
 * local copies of jobs the fleet gave elsewhere go), the end of a job
 * whose local copy ended and whose runs are pushed, the reaper, the
 * health check, and a claim when the local queue is idle.  A claimed
 * job is copied into the local queue under its fleet uuid, so that the
 * local crash recovery covers it; a crash pushed after a reboot is the
 * job's result.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/util.h"
#include "daemon/daemon.h"
#include "jobs/fleet-local.h"
#include "jobs/fleet.h"
#include "jobs/jobfile.h"
#include "jobs/queue.h"
#include "store/db.h"
#include "store/fleet-push.h"
#include "store/pg-async.h"
#include "workloads/workloads.h"

#define ANSWER_TIMEOUT_S  60          /* no answer: the link is dead */
#define READY_DEADLINE_S  60          /* local work waits for reconcile */
/* Without a health-check job file: one short run. */
#define HEALTH_SPEC "{\"workload\": \"mmap-churn\", \"options\": " \
	"{\"duration\": \"5s\", \"pairs\": 1}}"

enum cl_state { CL_DOWN, CL_CONNECTING, CL_IDLE, CL_BUSY };

enum cl_op {
	OP_NONE, OP_LISTEN, OP_HEARTBEAT, OP_EXTEND, OP_HELD, OP_GONE,
	OP_END, OP_HEALTHY, OP_CLAIM, OP_REAP_BEGIN, OP_REAP_LOCK,
	OP_REAP_LOST, OP_REAP_REQUEUE, OP_REAP_END,
};

/* A fleet job this host holds, by its local copy. */
struct held {
	char uuid[37];
	char *error;           /* set: could not be queued here, fails */
};

struct claimer {
	struct daemon *d;
	const struct fleet_claim_conf *conf;
	char *host, *tags;     /* tags normalized */
	char lease[32];        /* ms, as a parameter */
	struct pg_async *pg;
	struct pg_watch io;
	struct event *timer, *tick;
	enum cl_state state;
	enum cl_op op;
	int conn_failures;
	int listening, reconciled, ready;
	int want_claim, want_gone;
	int64_t next_hb, next_poll, next_reap, ready_deadline; /* mono ns */
	int64_t health_retry;  /* mono ns: a failed check is tried again */
	char health[16];       /* "" until the first heartbeat */
	struct held *held;
	size_t nheld;
	int64_t *checks;       /* local ids of the health-check jobs */
	size_t nchecks;
	char *sent[5];         /* the parameters of the statement in flight */
	/* for status and /metrics */
	int64_t claimed, ended, heartbeats, notifies, polls, reaps, conn_lost;
	int64_t last_hb_real;
	char *last_error;
};

static void cl_step(struct claimer *);
static void cl_next(struct claimer *);

static void
arm(struct event *ev, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_del(ev);
	evtimer_add(ev, &tv);
}

static void
set_error(struct claimer *c, const char *msg)
{
	free(c->last_error);
	c->last_error = xstrdup(msg);
	log_warn("fleet queue: %s", msg);
}

static void
clear_sent(struct claimer *c)
{
	size_t i;

	for (i = 0; i < sizeof c->sent / sizeof c->sent[0]; i++) {
		free(c->sent[i]);
		c->sent[i] = NULL;
	}
}

static void
conn_lost(struct claimer *c, const char *why)
{
	int64_t ms;

	ms = fleet_link_drop(&c->pg, &c->io, &c->conn_failures);
	if (c->state == CL_IDLE || c->state == CL_BUSY)
		c->conn_lost++;
	c->state = CL_DOWN;
	c->op = OP_NONE;
	c->listening = c->reconciled = 0;
	clear_sent(c);
	set_error(c, why);
	arm(c->timer, ms);
}

/* Send sql with n parameters (copied: they live until the answer). */
static void
send_op(struct claimer *c, enum cl_op op, const char *sql, int n,
    const char *const *params)
{
	char *cause = NULL;
	int i, r;

	clear_sent(c);
	for (i = 0; i < n; i++)
		c->sent[i] = params[i] ? xstrdup(params[i]) : NULL;
	if ((r = pga_send_params(c->pg, sql, n, (const char *const *)c->sent,
	    &cause)) != 0) {
		conn_lost(c, cause);
		free(cause);
		return;
	}
	c->op = op;
	c->state = CL_BUSY;
	arm(c->timer, ANSWER_TIMEOUT_S * 1000);
	cl_step(c);
}

static struct held *
held_find(struct claimer *c, const char *uuid)
{
	size_t i;

	for (i = 0; i < c->nheld; i++)
		if (strcmp(c->held[i].uuid, uuid) == 0)
			return &c->held[i];
	return NULL;
}

static void
held_add(struct claimer *c, const char *uuid, const char *error)
{
	struct held *h = held_find(c, uuid);

	if (h == NULL) {
		c->held = xreallocarray(c->held, c->nheld + 1, sizeof *c->held);
		h = &c->held[c->nheld++];
		memset(h, 0, sizeof *h);
		snprintf(h->uuid, sizeof h->uuid, "%s", uuid);
	}
	if (error != NULL && h->error == NULL)
		h->error = xstrdup(error);
}

static void
held_drop(struct claimer *c, const char *uuid)
{
	struct held *h = held_find(c, uuid);

	if (h == NULL)
		return;
	free(h->error);
	*h = c->held[--c->nheld];
}

/* A job the fleet leased here goes in the local queue (or is there). */
static void
take_job(struct claimer *c, const char *uuid, const char *spec)
{
	char *cause = NULL;
	int64_t id;

	if (fleet_local_copy(c->d->db, uuid, spec, workloads, &id,
	    &cause) != 0) {
		/* Held all the same, to report that it cannot run here. */
		set_error(c, cause);
		held_add(c, uuid, cause);
	} else
		held_add(c, uuid, NULL);
	free(cause);
}

static int
local_idle(struct claimer *c)
{
	return c->d->sup_pid == 0 && !c->d->stopping &&
	    queue_length(c->d->db) == 0;
}

/* ---- answers ---- */

static void
heartbeat_done(struct claimer *c)
{
	const char *h = pga_value(c->pg, 0, 0);

	snprintf(c->health, sizeof c->health, "%s", h ? h : "unknown");
	c->heartbeats++;
	c->last_hb_real = now_real_ns();
	c->next_hb = now_mono_ns() + c->conf->heartbeat_ms * 1000000;
}

static void
held_done(struct claimer *c)
{
	int i, n = pga_nrows(c->pg);

	for (i = 0; i < n; i++)
		take_job(c, pga_value(c->pg, i, 0), pga_value(c->pg, i, 1));
	if (n > 0)
		log_info("fleet queue: %d job(s) leased to '%s' reconciled", n,
		    c->host);
	c->reconciled = 1;
	c->want_gone = 1;
}

/* Local copies of jobs no longer this host's: cancelled here. */
static void
gone_done(struct claimer *c)
{
	int i, n = pga_nrows(c->pg);
	char *cause = NULL;
	int64_t id;

	for (i = 0; i < n; i++) {
		const char *uuid = pga_value(c->pg, i, 0);

		held_drop(c, uuid);
		if (queue_lookup(c->d->db, uuid, &id, NULL) != 0)
			continue;
		log_info("fleet queue: job %s is no longer this host's: "
		    "cancelled here", uuid);
		if (scheduler_cancel(c->d, id, &cause) != 0) {
			log_warn("fleet queue: %s", cause);
			free(cause);
			cause = NULL;
		}
	}
	c->want_gone = 0;
	if (!c->ready) {
		c->ready = 1;
		scheduler_start_next(c->d);
	}
}

static void
claim_done(struct claimer *c)
{
	if (pga_nrows(c->pg) == 0) {
		c->want_claim = 0;
		return;
	}
	c->claimed++;
	log_info("fleet queue: claimed job %s", pga_value(c->pg, 0, 0));
	take_job(c, pga_value(c->pg, 0, 0), pga_value(c->pg, 0, 1));
	scheduler_start_next(c->d);
}

static void
end_done(struct claimer *c)
{
	if (pga_nrows(c->pg) == 0)
		log_warn("fleet queue: job %s was no longer this host's: its "
		    "end is not recorded", c->sent[1]);
	else
		log_info("fleet queue: job %s %s", c->sent[1], c->sent[2]);
	c->ended++;
	held_drop(c, c->sent[1]);
	c->want_claim = 1;
}

/* The reaper's transaction, one statement after the other. */
static void
reap_next(struct claimer *c, enum cl_op done)
{
	const struct pga_result *res = pga_result(c->pg);
	char grace[32];

	switch (done) {
	case OP_REAP_BEGIN:
		send_op(c, OP_REAP_LOCK, fleet_sql_reap_lock, 0, NULL);
		return;
	case OP_REAP_LOCK:
		if (pga_nrows(c->pg) == 1 && strcmp(pga_value(c->pg, 0, 0) ?
		    pga_value(c->pg, 0, 0) : "", "1") == 0) {
			c->reaps++;
			send_op(c, OP_REAP_LOST, fleet_sql_reap_lost, 0, NULL);
			return;
		}
		break;
	case OP_REAP_LOST:
		if (res->value > 0)
			log_info("fleet queue: %" PRId64 " lease(s) expired: "
			    "their hosts are lost", res->value);
		snprintf(grace, sizeof grace, "%" PRId64, c->conf->grace_ms);
		send_op(c, OP_REAP_REQUEUE, fleet_sql_reap_requeue, 1,
		    (const char *[]){ grace });
		return;
	default:
		break;
	}
	send_op(c, OP_REAP_END, fleet_sql_commit, 0, NULL);
}

/* The answer to the statement in flight. */
static void
answered(struct claimer *c)
{
	const struct pga_result *res = pga_result(c->pg);
	enum cl_op op = c->op;

	c->op = OP_NONE;
	c->state = CL_IDLE;
	if (res->failed) {
		set_error(c, res->error);
		if (op >= OP_REAP_BEGIN && op < OP_REAP_END) {
			send_op(c, OP_REAP_END, fleet_sql_rollback, 0, NULL);
			return;
		}
		/* not again at once: wait for the next tick */
		if (op == OP_HEARTBEAT)
			c->next_hb = now_mono_ns() + c->conf->heartbeat_ms *
			    1000000;
		if (op == OP_CLAIM)
			c->want_claim = 0;
		if (op == OP_GONE)
			c->want_gone = 0;
		clear_sent(c);
		return;
	}
	switch (op) {
	case OP_LISTEN: c->listening = 1; break;
	case OP_HEARTBEAT:
		heartbeat_done(c);
		send_op(c, OP_EXTEND, fleet_sql_extend, 2,
		    (const char *[]){ c->host, c->lease });
		return;
	case OP_HELD: held_done(c); break;
	case OP_GONE: gone_done(c); break;
	case OP_CLAIM: claim_done(c); break;
	case OP_END: end_done(c); break;
	case OP_HEALTHY:
		log_info("fleet queue: health check passed");
		snprintf(c->health, sizeof c->health, "ok");
		c->want_claim = 1;
		break;
	case OP_REAP_BEGIN: case OP_REAP_LOCK: case OP_REAP_LOST:
	case OP_REAP_REQUEUE:
		reap_next(c, op);
		return;
	default: break;
	}
	clear_sent(c);
	cl_next(c);
}

/* ---- what to send ---- */

static void
send_heartbeat(struct claimer *c)
{
	struct fleet_backlog bl;
	char backlog[32];

	if (fleet_outbox_backlog(c->d->db, &bl, NULL) != 0)
		bl.runs = -1;
	snprintf(backlog, sizeof backlog, "%" PRId64, bl.runs);
	send_op(c, OP_HEARTBEAT, fleet_sql_heartbeat, 5, (const char *[]){
	    c->host, c->tags, c->d->build_key, c->d->release, backlog });
}

/* A held job whose local copy ended (and whose runs are pushed):
 * reported.  1 when a statement went. */
static int
send_end(struct claimer *c)
{
	struct fleet_local_end e;
	char *cause = NULL;
	size_t i;
	int r;

	for (i = 0; i < c->nheld; i++) {
		struct held *h = &c->held[i];

		if (h->error != NULL) {
			send_op(c, OP_END, fleet_sql_end, 5, (const char *[]){
			    c->host, h->uuid, "failed", NULL, h->error });
			return 1;
		}
		r = fleet_local_end(c->d->db, h->uuid, &e, &cause);
		if (r == -ENOENT) {
			free(cause);
			cause = NULL;
			held_drop(c, h->uuid);
			return 0;
		}
		if (r == 0 && e.ended && e.pushed) {
			send_op(c, OP_END, fleet_sql_end, 5, (const char *[]){
			    c->host, h->uuid, e.state, e.result, e.error });
			fleet_local_end_release(&e);
			return 1;
		}
		fleet_local_end_release(&e);
		free(cause);
		cause = NULL;
	}
	return 0;
}

/* The health-check jobs, queued here. */
static void
queue_checks(struct claimer *c)
{
	struct jobfile jf = { NULL, 0 };
	char *cause = NULL, uuid[37];
	int64_t id;
	size_t i;

	if (c->conf->health_job != NULL) {
		if (jobfile_load(c->conf->health_job, workloads, &jf,
		    &cause) != 0)
			goto out;
		for (i = 0; i < jf.njobs; i++) {
			if (queue_insert(c->d->db, &jf.jobs[i], uuid, &id,
			    &cause) != 0)
				goto out;
			c->checks = xreallocarray(c->checks, c->nchecks + 1,
			    sizeof *c->checks);
			c->checks[c->nchecks++] = id;
		}
	} else {
		uuid_v4(uuid);
		if (fleet_local_copy(c->d->db, uuid, HEALTH_SPEC, workloads,
		    &id, &cause) != 0)
			goto out;
		c->checks = xcalloc(1, sizeof *c->checks);
		c->checks[c->nchecks++] = id;
	}
	log_info("fleet queue: health is %s: %zu health-check job(s) "
	    "queued", c->health, c->nchecks);
	scheduler_start_next(c->d);
out:
	if (cause != NULL) {
		set_error(c, cause);
		c->health_retry = now_mono_ns() + c->conf->poll_ms * 1000000;
	}
	free(cause);
	jobfile_release(&jf);
}

/* The health checks queued: 1 all passed, 0 not yet, -1 one failed. */
static int
checks_passed(struct claimer *c)
{
	size_t i;
	int r = 1;

	for (i = 0; i < c->nchecks && r >= 0; i++) {
		json_t *j = queue_job_json(c->d->db, c->checks[i]);
		const char *st = json_string_value(json_object_get(j, "state"));

		if (st == NULL || strcmp(st, "done") != 0 ||
		    json_is_string(json_object_get(j, "error")))
			r = st != NULL && (strcmp(st, "done") == 0 ||
			    strcmp(st, "cancelled") == 0) ? -1 : 0;
		json_decref(j);
	}
	return r;
}

/* Health unknown: check it, then say so.  1 when a statement went. */
static int
health_step(struct claimer *c)
{
	int r;

	if (c->nchecks == 0) {
		if (local_idle(c) && now_mono_ns() >= c->health_retry)
			queue_checks(c);
		return 0;
	}
	if ((r = checks_passed(c)) == 0)
		return 0;
	free(c->checks);
	c->checks = NULL;
	c->nchecks = 0;
	if (r < 0) {
		set_error(c, "the health check failed: tried again later");
		c->health_retry = now_mono_ns() + c->conf->poll_ms * 1000000;
		return 0;
	}
	send_op(c, OP_HEALTHY, fleet_sql_healthy, 1,
	    (const char *[]){ c->host });
	return 1;
}

static void
send_gone(struct claimer *c)
{
	char *cause = NULL, *uuids = fleet_local_unfinished(c->d->db, &cause);

	if (uuids == NULL) {
		set_error(c, cause);
		free(cause);
		c->want_gone = 0;
		return;
	}
	send_op(c, OP_GONE, fleet_sql_gone, 2,
	    (const char *[]){ c->host, uuids });
	free(uuids);
}

/* Connected and idle: the next thing due, if any. */
static void
cl_next(struct claimer *c)
{
	int64_t now = now_mono_ns();

	if (c->state != CL_IDLE)
		return;
	if (!c->listening) {
		send_op(c, OP_LISTEN, fleet_sql_listen, 0, NULL);
		return;
	}
	if (now >= c->next_hb) {
		send_heartbeat(c);
		return;
	}
	if (!c->reconciled) {
		send_op(c, OP_HELD, fleet_sql_held, 1,
		    (const char *[]){ c->host });
		return;
	}
	if (now >= c->next_poll) {
		c->polls++;
		c->want_claim = c->want_gone = 1;
		c->next_poll = now + c->conf->poll_ms * 1000000;
	}
	if (c->want_gone) {
		send_gone(c);
		if (c->state == CL_BUSY || c->state == CL_DOWN)
			return;
	}
	if (send_end(c))
		return;
	if (now >= c->next_reap) {
		c->next_reap = now + c->conf->poll_ms * 1000000;
		send_op(c, OP_REAP_BEGIN, fleet_sql_begin, 0, NULL);
		return;
	}
	if (strcmp(c->health, "ok") != 0) {
		health_step(c);
		return;
	}
	if (c->want_claim && local_idle(c)) {
		send_op(c, OP_CLAIM, fleet_sql_claim, 5, (const char *[]){
		    c->host, c->d->build_key, c->d->release, c->tags,
		    c->lease });
	}
}

static void
on_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	cl_step(arg);
}

/* Drive the connection as far as it goes without waiting. */
static void
cl_step(struct claimer *c)
{
	char *cause = NULL;
	int want, r;
	int64_t n;

	r = pga_step(c->pg, &want, &cause);
	if (r < 0) {
		conn_lost(c, cause);
		free(cause);
		return;
	}
	if ((n = pga_take_notifies(c->pg)) > 0) {
		c->notifies += n;
		c->want_claim = 1;
	}
	if (r == PGA_PENDING) {
		fleet_watch(c->d->base, c->pg, &c->io, want, on_io, c);
		return;
	}
	fleet_watch(c->d->base, c->pg, &c->io, PGA_WANT_READ, on_io, c);
	evtimer_del(c->timer);
	if (c->state == CL_CONNECTING) {
		log_info("fleet queue: connected as '%s'", c->host);
		c->conn_failures = 0;
		c->state = CL_IDLE;
		c->next_hb = 0;
		/* what was notified while away is found by a look now */
		c->want_claim = c->want_gone = 1;
		cl_next(c);
	} else if (c->state == CL_BUSY)
		answered(c);
	else
		cl_next(c);        /* a notification, or the server's word */
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct claimer *c = arg;
	char *cause = NULL;

	(void)fd;
	(void)what;
	switch (c->state) {
	case CL_DOWN:
		if (pga_connect(c->d->fleet_conninfo, &c->pg, &cause) != 0) {
			conn_lost(c, cause);
			break;
		}
		c->state = CL_CONNECTING;
		arm(c->timer, ANSWER_TIMEOUT_S * 1000);
		cl_step(c);
		break;
	case CL_CONNECTING:
	case CL_BUSY:
		conn_lost(c, "the fleet database did not answer in time");
		break;
	case CL_IDLE:
		cl_next(c);
		break;
	}
	free(cause);
}

/* The clock of everything due: heartbeats, polls, the reaper, ends. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct claimer *c = arg;

	(void)fd;
	(void)what;
	if (!c->ready && now_mono_ns() >= c->ready_deadline) {
		log_warn("fleet queue: not reconciled in %d s: local jobs "
		    "start anyway", READY_DEADLINE_S);
		c->ready = 1;
		scheduler_start_next(c->d);
	}
	if (c->state == CL_IDLE)
		cl_next(c);
}

/* The host's name: --fleet-as, MMSTORM_TEST_HOSTNAME (tests), or the
 * machine's. */
static char *
host_name(const struct fleet_claim_conf *conf)
{
	const char *env = getenv("MMSTORM_TEST_HOSTNAME");
	char name[256];

	if (conf->as != NULL)
		return xstrdup(conf->as);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (gethostname(name, sizeof name) != 0)
		return xstrdup("localhost");
	name[sizeof name - 1] = '\0';
	return xstrdup(name);
}

int
fleet_claim_start(struct daemon *d, char **cause)
{
	const struct fleet_claim_conf *conf = d->claim_conf;
	struct claimer *c;
	struct timeval tv;
	int64_t tick_ms;
	char *tags;

	if (conf == NULL)
		return 0;
	if (d->fleet_conninfo == NULL)
		return set_cause(cause, EINVAL, "--fleet-claim needs --fleet "
		    "or --fleet-file");
	if ((tags = fleet_tags_normalize(conf->tags, cause)) == NULL)
		return -EINVAL;
	c = xcalloc(1, sizeof *c);
	c->d = d;
	c->conf = conf;
	c->tags = tags;
	c->host = host_name(conf);
	snprintf(c->lease, sizeof c->lease, "%" PRId64, conf->lease_ms);
	c->timer = evtimer_new(d->base, on_timer, c);
	c->tick = event_new(d->base, -1, EV_PERSIST, on_tick, c);
	c->want_claim = 1;
	c->ready_deadline = now_mono_ns() + (int64_t)READY_DEADLINE_S *
	    1000000000;
	tick_ms = conf->heartbeat_ms / 2;
	if (tick_ms > 1000)
		tick_ms = 1000;
	if (tick_ms < 50)
		tick_ms = 50;
	tv.tv_sec = (time_t)(tick_ms / 1000);
	tv.tv_usec = (suseconds_t)(tick_ms % 1000) * 1000;
	event_add(c->tick, &tv);
	d->claimer = c;
	log_info("fleet queue: claiming as '%s', tags '%s'", c->host,
	    conf->tags ? conf->tags : "");
	arm(c->timer, 0);
	return 0;
}

void
fleet_claim_stop(struct daemon *d)
{
	struct claimer *c = d->claimer;
	size_t i;

	if (c == NULL)
		return;
	fleet_unwatch(&c->io);
	event_free(c->timer);
	event_free(c->tick);
	pga_free(c->pg);
	clear_sent(c);
	for (i = 0; i < c->nheld; i++)
		free(c->held[i].error);
	free(c->held);
	free(c->checks);
	free(c->host);
	free(c->tags);
	free(c->last_error);
	free(c);
	d->claimer = NULL;
}

void
fleet_claim_kick(struct daemon *d)
{
	struct claimer *c = d->claimer;

	if (c == NULL)
		return;
	c->want_claim = 1;
	if (c->state == CL_IDLE)
		arm(c->timer, 0);
}

int
fleet_claim_ready(struct daemon *d)
{
	return d->claimer == NULL || d->claimer->ready;
}

int
fleet_claim_stats(struct daemon *d, struct fleet_claim_stats *st)
{
	static const char *const names[] = { "down", "connecting", "idle",
	    "busy" };
	struct claimer *c = d->claimer;

	memset(st, 0, sizeof *st);
	if (c == NULL)
		return -ENOENT;
	st->state = names[c->state];
	st->up = c->state == CL_IDLE || c->state == CL_BUSY;
	st->host = c->host;
	st->health = c->health[0] ? c->health : "unknown";
	st->claimed = c->claimed;
	st->ended = c->ended;
	st->held = (int64_t)c->nheld;
	st->heartbeats = c->heartbeats;
	st->notifies = c->notifies;
	st->polls = c->polls;
	st->reaps = c->reaps;
	st->heartbeat_age_s = c->last_hb_real ? (double)(now_real_ns() -
	    c->last_hb_real) / 1e9 : -1;
	return 0;
}

json_t *
fleet_claim_status_json(struct daemon *d)
{
	struct fleet_claim_stats st;

	if (fleet_claim_stats(d, &st) != 0)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:o}",
	    "state", st.state, "host", st.host, "health", st.health,
	    "connected", st.up, "heartbeat_age_s", st.heartbeat_age_s,
	    "claimed", (json_int_t)st.claimed, "ended", (json_int_t)st.ended,
	    "leases", (json_int_t)st.held, "last_error",
	    d->claimer->last_error ? json_string(d->claimer->last_error) :
	    json_null());
}
