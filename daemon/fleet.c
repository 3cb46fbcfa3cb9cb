/*
 * fleet.c - pushing ended runs to the fleet database (mmstormd --fleet,
 * docs/fleet.md) on the daemon's loop.
 *
 * One connection, one run at a time: take the oldest outbox row due,
 * send the text store/fleet-push.c makes (one implicit transaction),
 * and delete the row once the fleet database answered.  Every wait is
 * an event on the connection's socket or a timer, never a blocking
 * call.  A lost connection leaves the row as it was (the run is pushed
 * again, and stored once); a push the database refuses is retried
 * later with its own backoff, and the next run goes meanwhile.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/util.h"
#include "daemon/daemon.h"
#include "store/db.h"
#include "store/fleet-push.h"
#include "store/pg-async.h"

#define IDLE_POLL_MS      2000          /* outbox checked when idle */
#define CONN_BACKOFF_MS   1000          /* first reconnect delay */
#define CONN_BACKOFF_MAX  (300 * 1000)  /* at most 5 min between tries */
#define ROW_BACKOFF_MS    (10 * 1000)   /* a refused run: 10 s, 20 s, */
#define ROW_BACKOFF_MAX   (3600 * 1000) /* ... at most an hour */
#define PUSH_TIMEOUT_S    180           /* no answer: the link is dead */
#define CONNECT_TIMEOUT_S 30            /* PQconnectPoll has none */

enum fleet_state { FLEET_DOWN, FLEET_CONNECTING, FLEET_IDLE, FLEET_PUSHING };

struct fleet {
	struct daemon *d;
	char *conninfo;               /* may hold a password: never shown */
	enum fleet_state state;
	struct pg_async *pg;
	struct pg_watch io;
	struct event *timer;
	int conn_failures;
	char *uuid;                   /* the run being pushed */
	int64_t sent_mono;
	struct buf sql;
	struct fleet_sets sets;       /* committed on this connection */
	char set_key[65];             /* the pushed run's */
	/* for /metrics and status */
	int64_t pushed, duplicates, refused, conn_lost;
	double last_push_s;           /* latency of the last push */
	int64_t last_ok_real;
	char *last_error;
};

static void fleet_step(struct fleet *);

/* Full jitter on an exponential delay: [base/2, base) */
static int64_t
backoff_ms(int64_t first, int64_t max, int64_t n)
{
	int64_t ms = first;

	while (n-- > 0 && ms < max)
		ms *= 2;
	if (ms > max)
		ms = max;
	return ms / 2 + (int64_t)(random() % (long)(ms / 2 + 1));
}

static void
arm_timer(struct fleet *f, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(f->timer, &tv);
}

static void
set_error(struct fleet *f, const char *msg)
{
	free(f->last_error);
	f->last_error = xstrdup(msg);
}

/* The connection is gone (or never came): drop it, try again later. */
static void
conn_lost(struct fleet *f, const char *why)
{
	int64_t ms;

	ms = fleet_link_drop(&f->pg, &f->io, &f->conn_failures);
	fleet_sets_clear(&f->sets);     /* the next server may lack them */
	if (f->state == FLEET_PUSHING || f->state == FLEET_IDLE)
		f->conn_lost++;
	f->state = FLEET_DOWN;
	free(f->uuid);
	f->uuid = NULL;
	set_error(f, why);
	log_warn("fleet: %s; again in %.1f s", why, (double)ms / 1000);
	arm_timer(f, ms);
}

static void
on_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fleet_step(arg);
}

/* Watch the socket for what libpq wants (it may change socket while
 * connecting); *w is the watch, cb(arg) its callback. */
void
fleet_watch(struct event_base *base, struct pg_async *pg, struct pg_watch *w,
    int want, event_callback_fn cb, void *arg)
{
	short what = (want & PGA_WANT_READ ? EV_READ : 0) |
	    (want & PGA_WANT_WRITE ? EV_WRITE : 0);
	int fd = pga_fd(pg);

	if (w->ev != NULL && (w->fd != fd || w->what != what)) {
		event_free(w->ev);
		w->ev = NULL;
	}
	if (w->ev == NULL && what != 0) {
		w->ev = event_new(base, fd, what | EV_PERSIST, cb, arg);
		w->fd = fd;
		w->what = what;
		event_add(w->ev, NULL);
	}
}

void
fleet_unwatch(struct pg_watch *w)
{
	if (w->ev != NULL)
		event_free(w->ev);
	w->ev = NULL;
}

int64_t
fleet_link_drop(struct pg_async **pg, struct pg_watch *w, int *failures)
{
	fleet_unwatch(w);
	pga_free(*pg);
	*pg = NULL;
	return backoff_ms(CONN_BACKOFF_MS, CONN_BACKOFF_MAX, (*failures)++);
}

static void
watch(struct fleet *f, int want)
{
	fleet_watch(f->d->base, f->pg, &f->io, want, on_io, f);
}

/* The answer to a push. */
static void
push_done(struct fleet *f)
{
	const struct pga_result *res = pga_result(f->pg);
	struct db *db = f->d->db;
	char *cause = NULL;
	int64_t attempts;

	f->last_push_s = (double)(now_mono_ns() - f->sent_mono) / 1e9;
	/* A short wait for the local lock: a supervisor may be writing.
	 * Failing here only means the run is pushed (and stored) again. */
	db_busy_ms(db, 100);
	if (res->failed) {
		f->refused++;
		attempts = fleet_outbox_attempts(db, f->uuid);
		log_warn("fleet: run %s refused: %s", f->uuid, res->error);
		set_error(f, res->error);
		fleet_outbox_failed(db, f->uuid, now_real_ns() + backoff_ms(
		    ROW_BACKOFF_MS, ROW_BACKOFF_MAX, attempts) * 1000000,
		    res->error, &cause);
	} else {
		if (res->value == 0)
			f->duplicates++;
		f->pushed++;
		fleet_sets_add(&f->sets, f->set_key);
		f->last_ok_real = now_real_ns();
		log_debug("fleet: run %s pushed in %.3f s%s", f->uuid,
		    f->last_push_s, res->value == 0 ? " (already there)" : "");
		fleet_outbox_done(db, f->uuid, &cause);
	}
	db_busy_ms(db, DB_BUSY_MS);
	if (cause != NULL)
		log_warn("fleet: %s", cause);
	free(cause);
	free(f->uuid);
	f->uuid = NULL;
	f->state = FLEET_IDLE;
}

/* Idle and connected: the next run due, if any. */
static void
push_next(struct fleet *f)
{
	struct db *db = f->d->db;
	char *cause = NULL;
	int r;

	r = fleet_outbox_next(db, now_real_ns(), &f->uuid, &cause);
	if (r == -ENOENT) {
		arm_timer(f, IDLE_POLL_MS);
		goto out;
	}
	buf_reset(&f->sql);
	if (r != 0 || (r = fleet_push_sql(db, f->uuid, &f->sets,
	    f->set_key, &f->sql, &cause)) != 0) {
		/* Unreadable here: the same backoff as a refused push. */
		if (f->uuid != NULL)
			fleet_outbox_failed(db, f->uuid, now_real_ns() +
			    backoff_ms(ROW_BACKOFF_MS, ROW_BACKOFF_MAX,
			    fleet_outbox_attempts(db, f->uuid)) * 1000000,
			    cause, NULL);
		log_warn("fleet: %s", cause);
		set_error(f, cause);
		/* the next run at once; the outbox unreadable: a poll later */
		arm_timer(f, f->uuid != NULL ? 0 : IDLE_POLL_MS);
		free(f->uuid);
		f->uuid = NULL;
		goto out;
	}
	if (pga_send(f->pg, f->sql.s, &cause) != 0) {
		conn_lost(f, cause);
		goto out;
	}
	f->state = FLEET_PUSHING;
	f->sent_mono = now_mono_ns();
	arm_timer(f, PUSH_TIMEOUT_S * 1000);
	fleet_step(f);
out:
	free(cause);
}

/* Drive the connection as far as it goes without waiting. */
static void
fleet_step(struct fleet *f)
{
	char *cause = NULL;
	int want, r;

	r = pga_step(f->pg, &want, &cause);
	if (r < 0) {
		conn_lost(f, cause);
		free(cause);
		return;
	}
	if (r == PGA_PENDING) {
		watch(f, want);
		return;
	}
	/* Ready: idle connections are watched for the server going away. */
	watch(f, PGA_WANT_READ);
	if (f->state == FLEET_CONNECTING) {
		log_info("fleet: connected");
		f->conn_failures = 0;
		f->state = FLEET_IDLE;
	} else if (f->state == FLEET_PUSHING)
		push_done(f);
	else
		return;                 /* idle and still alive */
	evtimer_del(f->timer);
	arm_timer(f, 0);                /* the next run, after other events */
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct fleet *f = arg;
	char *cause = NULL;

	(void)fd;
	(void)what;
	switch (f->state) {
	case FLEET_DOWN:
		if (pga_connect(f->conninfo, &f->pg, &cause) != 0) {
			conn_lost(f, cause);
			break;
		}
		f->state = FLEET_CONNECTING;
		arm_timer(f, CONNECT_TIMEOUT_S * 1000);
		fleet_step(f);
		break;
	case FLEET_IDLE:
		if (!f->d->stopping)
			push_next(f);
		break;
	case FLEET_CONNECTING:
	case FLEET_PUSHING:
		conn_lost(f, "the fleet database did not answer in time");
		break;
	}
	free(cause);
}

int
fleet_start(struct daemon *d, char **cause)
{
	struct fleet *f;
	int pw, r;

	if (d->fleet_conninfo == NULL)
		return 0;
	if ((r = pga_conninfo_check(d->fleet_conninfo, &pw, cause)) != 0)
		return r;
	f = xcalloc(1, sizeof *f);
	f->d = d;
	f->conninfo = xstrdup(d->fleet_conninfo);
	f->state = FLEET_DOWN;
	f->timer = evtimer_new(d->base, on_timer, f);
	buf_init(&f->sql);
	srandom((unsigned)(now_mono_ns() ^ getpid()));
	d->fleet = f;
	arm_timer(f, 0);
	return 0;
}

void
fleet_stop(struct daemon *d)
{
	struct fleet *f = d->fleet;

	if (f == NULL)
		return;
	fleet_unwatch(&f->io);
	event_free(f->timer);
	pga_free(f->pg);
	buf_release(&f->sql);
	fleet_sets_clear(&f->sets);
	free(f->conninfo);
	free(f->uuid);
	free(f->last_error);
	free(f);
	d->fleet = NULL;
}

/* A run ended: push it now rather than at the next poll. */
void
fleet_kick(struct daemon *d)
{
	struct fleet *f = d->fleet;

	if (f != NULL && f->state == FLEET_IDLE) {
		evtimer_del(f->timer);
		arm_timer(f, 0);
	}
}

static const char *
state_name(const struct fleet *f)
{
	static const char *const names[] = { "down", "connecting", "idle",
	    "pushing" };

	return names[f->state];
}

int
fleet_stats(struct daemon *d, struct fleet_stats *st)
{
	struct fleet *f = d->fleet;
	struct fleet_backlog bl;

	memset(st, 0, sizeof *st);
	if (f == NULL)
		return -ENOENT;
	if (fleet_outbox_backlog(d->db, &bl, NULL) == 0) {
		st->backlog = bl.runs;
		st->refused = bl.failing;
		st->oldest_s = bl.oldest_ns ? (double)(now_real_ns() -
		    bl.oldest_ns) / 1e9 : 0;
	}
	st->state = state_name(f);
	st->up = f->state == FLEET_IDLE || f->state == FLEET_PUSHING;
	st->pushed = f->pushed;
	st->duplicates = f->duplicates;
	st->conn_lost = f->conn_lost;
	st->last_push_s = f->last_push_s;
	st->last_error = f->last_error;
	return 0;
}

json_t *
fleet_status_json(struct daemon *d)
{
	struct fleet_stats st;

	if (fleet_stats(d, &st) != 0)
		return json_null();
	return json_pack("{s:s, s:I, s:f, s:I, s:I, s:o, s:o}", "state",
	    st.state, "backlog", (json_int_t)st.backlog, "oldest_s",
	    st.oldest_s, "refused", (json_int_t)st.refused, "pushed",
	    (json_int_t)st.pushed, "last_error", st.last_error ?
	    json_string(st.last_error) : json_null(), "claim",
	    fleet_claim_status_json(d));
}
