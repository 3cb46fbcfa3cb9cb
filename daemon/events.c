/*
 * events.c - what the daemon learns from the kernel: /dev/kmsg records
 * classified into events as they arrive, taint changes, and at start the
 * pstore records a crashed boot left behind.
 *
 * /dev/kmsg is read from the start of the boot's buffer; the last record
 * handled is kept in daemon_state per boot, so a restarted daemon neither
 * loses nor repeats events.  Only kernel-facility records count unless
 * --allow-user-kmsg (tests): a user writing to /dev/kmsg cannot forge a
 * lockup.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "kmsg/kmsg.h"
#include "store/db.h"
#include "store/events.h"

#define KMSG_BUF   8192
#define EXPIRE_MS  1000
/* How long storing an event may wait for the database's write lock
 * before the event is held for the next tick. */
#define EVENT_BUSY_MS 100

int64_t kmsg_lost, kmsg_records, kmsg_events;

struct kmsg_watch {
	struct daemon *d;
	int fd;
	struct event *read_ev, *tick_ev, *quiet_ev;
	struct kmsg_classifier *cls;
	int64_t last_seq;       /* last record handled, -1 none */
	int64_t saved_seq;      /* what daemon_state holds */
	char state_key[64];
};

/* 0 when stored.  Waits for the write lock no longer than an event may:
 * the tick tries again a second later. */
static int
save_kmsg_seq(struct daemon *d, const char *key, int64_t seq)
{
	int r;

	db_busy_ms(d->db, EVENT_BUSY_MS);
	r = db_daemon_state_set(d->db, key, seq, NULL);
	db_busy_ms(d->db, DB_BUSY_MS);
	return r;
}

/* An event the database would not take (locked past the busy timeout,
 * disk full): kept and retried every tick, never dropped. */
struct held {
	struct event_new ev;
	char *boot, *kind, *title, *sig, *source, *text;
	struct held *next;
};

static struct held *held_head, **held_tail = &held_head;
int64_t events_held;

static void
hold_event(const struct event_new *ev)
{
	struct held *h = xcalloc(1, sizeof *h);

	h->ev = *ev;
	h->ev.boot_id = h->boot = xstrdup(ev->boot_id);
	h->ev.kind = h->kind = xstrdup(ev->kind);
	h->ev.title = h->title = xstrdup(ev->title);
	h->ev.signature = h->sig = xstrdup(ev->signature);
	h->ev.source = h->source = xstrdup(ev->source);
	h->ev.text = h->text = xstrdup(ev->text);
	*held_tail = h;
	held_tail = &h->next;
	events_held++;
}

static void
held_free(struct held *h)
{
	free(h->boot);
	free(h->kind);
	free(h->title);
	free(h->sig);
	free(h->source);
	free(h->text);
	free(h);
}

/* Store one event without stopping the loop for long: a held event is
 * retried every tick, while the heartbeat, the kernel log and the API
 * must go on. */
static int
try_store(struct daemon *d, const struct event_new *ev, char **cause)
{
	int r;

	db_busy_ms(d->db, EVENT_BUSY_MS);
	r = db_event_add(d->db, ev, NULL, cause);
	db_busy_ms(d->db, DB_BUSY_MS);
	return r;
}

static void
stored(const struct event_new *ev)
{
	kmsg_events++;
	log_info("event %s: %s%s", ev->kind, ev->title,
	    ev->run_id ? " (during a run)" : "");
}

/* Try the held events again, oldest first; stop at the first failure. */
static void
retry_held(struct daemon *d)
{
	struct held *h;
	char *cause = NULL;

	while ((h = held_head) != NULL) {
		if (try_store(d, &h->ev, &cause) != 0) {
			free(cause);
			return;
		}
		stored(&h->ev);
		if ((held_head = h->next) == NULL)
			held_tail = &held_head;
		events_held--;
		held_free(h);
	}
}

static void
store_event(struct daemon *d, int64_t run_id, int64_t kernel_id,
    const char *boot, const char *kind, const char *title,
    const char *signature, const char *source, const char *text, int64_t t_ns)
{
	struct event_new ev;
	char *cause = NULL, *sig = NULL;

	if (signature == NULL)
		signature = sig = kmsg_signature(kind, title);
	memset(&ev, 0, sizeof ev);
	ev.run_id = run_id;
	ev.kernel_id = kernel_id;
	ev.host_id = d->host_id;
	ev.boot_id = boot;
	ev.kind = kind;
	ev.title = title;
	ev.signature = signature;
	ev.source = source;
	ev.text = text ? text : "";
	ev.t_ns = t_ns;
	/* Behind events already held, to keep their order. */
	if (held_head == NULL && try_store(d, &ev, &cause) == 0)
		stored(&ev);
	else {
		log_err("cannot store event '%s' now, holding it for retry: "
		    "%s", title, cause ? cause : "earlier events held");
		free(cause);
		hold_event(&ev);
	}
	free(sig);
}

void
record_event(struct daemon *d, const char *kind, const char *title,
    const char *signature, const char *source, const char *text, int64_t t_ns)
{
	store_event(d, db_run_at(d->db, boot_id(), t_ns), d->kernel_id,
	    boot_id(), kind, title, signature, source, text, t_ns);
}

/* A CLOCK_MONOTONIC printk time as wall-clock nanoseconds. */
static int64_t
mono_usec_to_real_ns(uint64_t usec)
{
	if (usec == KMSG_NO_TS)
		return now_real_ns();
	return now_real_ns() - (now_mono_ns() - (int64_t)usec * 1000);
}

static void
drain(struct kmsg_watch *w)
{
	struct kmsg_event *ev;

	while ((ev = kmsg_classifier_next(w->cls)) != NULL) {
		record_event(w->d, ev->kind, ev->title, ev->signature, "kmsg",
		    ev->text, mono_usec_to_real_ns(ev->ts_usec));
		kmsg_event_free(ev);
	}
}

static void
kmsg_read(evutil_socket_t fd, short what, void *arg)
{
	struct kmsg_watch *w = arg;
	struct kmsg_record rec;
	char buf[KMSG_BUF];
	ssize_t n;

	(void)what;
	for (;;) {
		n = read(fd, buf, sizeof buf - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE) {
			/* The ring overwrote records before we read them;
			 * the next read resumes at the oldest kept one. */
			kmsg_lost++;
			continue;
		}
		if (n <= 0)
			break;
		memset(&rec, 0, sizeof rec);
		if (kmsg_record_parse(buf, (size_t)n, &rec, NULL) != 0)
			continue;
		if (w->last_seq >= 0 && (int64_t)rec.seq <= w->last_seq) {
			kmsg_record_clear(&rec);
			continue; /* handled before a restart */
		}
		if (w->last_seq >= 0 && (int64_t)rec.seq > w->last_seq + 1)
			kmsg_lost += (int64_t)rec.seq - w->last_seq - 1;
		w->last_seq = (int64_t)rec.seq;
		kmsg_records++;
		kmsg_classifier_feed_record(w->cls, &rec, 0);
		kmsg_record_clear(&rec);
	}
	drain(w);
	/* A report is printed in one burst; once the log has been quiet
	 * for quiet_ms, finish it now rather than after syzkaller's 10 s,
	 * so the event is committed within milliseconds. */
	if (w->d->kmsg_quiet_ms > 0) {
		struct timeval tv = { (time_t)(w->d->kmsg_quiet_ms / 1000),
			(suseconds_t)(w->d->kmsg_quiet_ms % 1000) * 1000 };

		evtimer_add(w->quiet_ev, &tv);
	}
}

static void
kmsg_quiet(evutil_socket_t fd, short what, void *arg)
{
	struct kmsg_watch *w = arg;

	(void)fd;
	(void)what;
	kmsg_classifier_flush(w->cls);
	drain(w);
}

static void
kmsg_tick(evutil_socket_t fd, short what, void *arg)
{
	struct kmsg_watch *w = arg;
	struct daemon *d = w->d;
	char *text = NULL, *msg;
	int64_t taint;

	(void)fd;
	(void)what;
	retry_held(d);
	kmsg_classifier_expire(w->cls, (uint64_t)(now_mono_ns() / 1000));
	drain(w);
	if (w->last_seq != w->saved_seq &&
	    save_kmsg_seq(d, w->state_key, w->last_seq) == 0)
		w->saved_seq = w->last_seq;
	/* Taint is a bit mask that only grows within a boot. */
	if (read_file_line("/proc/sys/kernel/tainted", &text, NULL) == 0 &&
	    parse_int64(text, &taint) == 0 && taint != d->taint) {
		msg = xasprintf("kernel taint changed from %" PRId64 " to %"
		    PRId64 " (new bits 0x%" PRIx64 ")", d->taint, taint,
		    (uint64_t)(taint & ~d->taint));
		record_event(d, "taint", "kernel tainted", NULL, "daemon", msg,
		    now_real_ns());
		free(msg);
		d->taint = taint;
	}
	free(text);
}

int
events_start(struct daemon *d, char **cause)
{
	struct kmsg_watch *w = xcalloc(1, sizeof *w);
	struct timeval tv = { EXPIRE_MS / 1000, (EXPIRE_MS % 1000) * 1000 };
	char *text = NULL;

	if (read_file_line("/proc/sys/kernel/tainted", &text, NULL) == 0)
		parse_int64(text, &d->taint);
	free(text);
	w->d = d;
	w->cls = kmsg_classifier_new(d->allow_user_kmsg ? KMSG_ALLOW_USER : 0);
	snprintf(w->state_key, sizeof w->state_key, "kmsg_seq:%s", boot_id());
	w->last_seq = w->saved_seq = db_daemon_state_get(d->db, w->state_key,
	    -1);
	w->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd == -1) {
		int e = errno;

		kmsg_classifier_free(w->cls);
		free(w);
		return set_cause(cause, e, "cannot open '/dev/kmsg': %s",
		    strerror(e));
	}
	/* Tests that write to /dev/kmsg start after what earlier tests
	 * wrote: only records from now on. */
	if (d->kmsg_tail)
		lseek(w->fd, 0, SEEK_END);
	w->read_ev = event_new(d->base, w->fd, EV_READ | EV_PERSIST, kmsg_read,
	    w);
	event_add(w->read_ev, NULL);
	w->quiet_ev = evtimer_new(d->base, kmsg_quiet, w);
	w->tick_ev = event_new(d->base, -1, EV_PERSIST, kmsg_tick, w);
	event_add(w->tick_ev, &tv);
	d->kmsg = w;
	/* The backlog since boot (or since the last record handled). */
	kmsg_read(w->fd, EV_READ, w);
	return 0;
}

void
events_stop(struct daemon *d)
{
	struct kmsg_watch *w = d->kmsg;

	if (w == NULL)
		return;
	kmsg_classifier_flush(w->cls);
	drain(w);
	retry_held(d);
	if (held_head != NULL)
		log_err("%" PRId64 " event(s) could not be stored and are "
		    "lost", events_held);
	save_kmsg_seq(d, w->state_key, w->last_seq);
	event_free(w->read_ev);
	event_free(w->tick_ev);
	event_free(w->quiet_ev);
	close(w->fd);
	kmsg_classifier_free(w->cls);
	free(w);
	d->kmsg = NULL;
}

/* One (kind, title) of the pstore record and how many live events of it
 * are still to be matched. */
struct seen {
	char *kind, *title;
	int64_t live_left;
};

/* 1 when this pstore event repeats one already stored live. */
static int
seen_live(struct daemon *d, int64_t run, struct seen **v, size_t *n,
    const struct kmsg_event *ev)
{
	size_t i;

	if (run == 0)
		return 0;
	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i].kind, ev->kind) == 0 &&
		    strcmp((*v)[i].title, ev->title) == 0)
			break;
	}
	if (i == *n) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[i].kind = xstrdup(ev->kind);
		(*v)[i].title = xstrdup(ev->title);
		/* A report that reached /dev/kmsg before the panic is also
		 * in the pstore record; it is one event, not two. */
		(*v)[i].live_left = db_run_kmsg_event_count(d->db, run,
		    ev->kind, ev->title);
		(*n)++;
	}
	if ((*v)[i].live_left == 0)
		return 0;
	(*v)[i].live_left--;
	return 1;
}

/*
 * pstore: the kernel's last words from the previous boot.  Records are
 * classified and stored as events of the run that crashed (and the raw
 * text as an attachment), committed, and only then removed.
 */
int
pstore_harvest(struct daemon *d, char **cause)
{
	struct kmsg_classifier *cls;
	struct kmsg_event *ev;
	struct dirent *de;
	DIR *dir;
	char **files = NULL, *text, *line, *rest;
	size_t nfiles = 0, i;
	int64_t run = 0, kernel = d->kernel_id;
	char *boot = NULL, *name;
	struct seen *seen = NULL;
	size_t nseen = 0;
	unsigned long lineno;
	int r = 0, stored = 0, repeated = 0;

	if ((dir = opendir(d->pstore_dir)) == NULL)
		return 0; /* no pstore on this machine */
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "dmesg-", 6) != 0)
			continue;
		files = xreallocarray(files, nfiles + 1, sizeof *files);
		files[nfiles++] = xasprintf("%s/%s", d->pstore_dir, de->d_name);
	}
	closedir(dir);
	if (nfiles == 0) {
		free(files);
		return 0;
	}
	/* The run a crash ended: the newest run the recovery marked
	 * 'crashed' on an earlier boot. */
	if (!db_run_crashed_before(d->db, boot_id(), &run, &kernel, &boot))
		boot = xstrdup("");
	if ((r = db_begin(d->db, cause)) != 0)
		goto out;
	cls = kmsg_classifier_new(0);
	for (i = 0; i < nfiles; i++) {
		if (read_file(files[i], &text, NULL, NULL) != 0)
			continue;
		if (run != 0) {
			name = xasprintf("pstore/%s", strrchr(files[i], '/') + 1);
			db_artifact_set(d->db, run, name, text, NULL);
			free(name);
		}
		rest = text;
		lineno = 0;
		while ((line = strsep(&rest, "\n")) != NULL)
			kmsg_classifier_feed_line(cls, line, strlen(line),
			    ++lineno);
		free(text);
	}
	kmsg_classifier_flush(cls);
	while ((ev = kmsg_classifier_next(cls)) != NULL) {
		if (seen_live(d, run, &seen, &nseen, ev))
			repeated++;
		else {
			store_event(d, run, kernel, boot, ev->kind, ev->title,
			    ev->signature, "pstore", ev->text, now_real_ns());
			stored++;
		}
		kmsg_event_free(ev);
	}
	for (i = 0; i < nseen; i++) {
		free(seen[i].kind);
		free(seen[i].title);
	}
	free(seen);
	kmsg_classifier_free(cls);
	if ((r = db_commit(d->db, cause)) != 0) {
		db_rollback(d->db);
		goto out;
	}
	/* Committed: now the records may go (pstore space is small). */
	for (i = 0; i < nfiles; i++) {
		if (unlink(files[i]) == -1)
			log_warn("cannot remove '%s': %s", files[i],
			    strerror(errno));
	}
	log_info("pstore: %zu record(s), %d event(s)%s, %d already seen live",
	    nfiles, stored, run ? " for the crashed run" : "", repeated);
out:
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(boot);
	return r;
}
