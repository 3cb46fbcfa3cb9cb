/*
 * ingest.c - what the worker sends and the sampler reads, on its way to
 * the store.  Messages and samples wait in a queue (struct pending,
 * run/supervisor.h) and go in one short transaction at most COMMIT_NS
 * after the first; a queue slot keeps its sample buffer, so sampling
 * allocates nothing once the queue has grown.  This is the measured path
 * of bench/README.md ("Sampler overhead per workload", hotplug).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"
#include "probe/identity.h"
#include "probe/sampler.h"
#include "run/knobs.h"
#include "run/runner.h"
#include "run/supervisor.h"
#include "run/worker.h"
#include "store/db.h"

void
sup_error(struct supervisor *s, char *cause)
{
	if (s->error == NULL)
		s->error = cause;
	else
		free(cause);
}

void
sup_tx(struct supervisor *s)
{
	char *cause = NULL;

	if (s->in_tx)
		return;
	if (db_begin(s->db, &cause) != 0) {
		sup_error(s, cause);
		return;
	}
	s->in_tx = 1;
}

void
sup_commit(struct supervisor *s)
{
	char *cause = NULL;

	if (!s->in_tx)
		return;
	s->in_tx = 0;
	if (db_commit(s->db, &cause) != 0) {
		sup_error(s, cause);
		db_rollback(s->db);
	}
}

/* A new pending entry; its values buffer, once allocated, stays with
 * the slot, so sampling allocates nothing once the queue has grown. */
static struct pending *
sup_queue(struct supervisor *s, char *msg, const char *label)
{
	struct pending *p;
	size_t old = s->cap_pend;

	if (s->npend == s->cap_pend) {
		s->cap_pend = s->cap_pend ? s->cap_pend * 2 : 64;
		s->pend = xreallocarray(s->pend, s->cap_pend, sizeof *s->pend);
		memset(s->pend + old, 0, (s->cap_pend - old) * sizeof *s->pend);
	}
	if (s->npend == 0)
		s->pend_since = now_mono_ns();
	p = &s->pend[s->npend++];
	p->msg = msg;
	p->t_ns = now_real_ns();
	p->label = label && *label ? xstrdup(label) : NULL;
	return p;
}

/* The periodic samples (no label) read percpu_stats at most once a second:
 * it holds interrupts off for 0.3 ms and more as chunks pile up, which
 * at a 100 ms period cost percpu-churn 2 % of a CPU (bench/README.md). */
void
sup_sample(struct supervisor *s, const char *label)
{
	struct pending *p;
	int r;

	if (s->sampler == NULL)
		return;
	p = sup_queue(s, NULL, label);
	if (p->values == NULL)
		p->values = xreallocarray(NULL, sampler_count(s->sampler),
		    sizeof *p->values);
	r = label != NULL ? sampler_read_all(s->sampler, p->values) :
	    sampler_read(s->sampler, p->values);
	if (r != 0) {
		free(p->label);
		s->npend--;
		return;
	}
	p->seq = s->seq++;
}

static int64_t
series_next(struct supervisor *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nseries; i++) {
		if (strcmp(s->series[i].name, name) == 0)
			return s->series[i].seq++;
	}
	s->series = xreallocarray(s->series, s->nseries + 1,
	    sizeof *s->series);
	s->series[s->nseries].name = xstrdup(name);
	s->series[s->nseries].seq = 1;
	s->nseries++;
	return 0;
}

/* A batch of "series\tvalue\tt_ns" lines. */
static void
sup_values(struct supervisor *s, char *lines)
{
	char *line, *v, *t, *cause = NULL;
	double value;
	int64_t t_ns;

	while ((line = strsep(&lines, "\n")) != NULL) {
		if ((v = strchr(line, '\t')) == NULL)
			continue;
		*v++ = '\0';
		if ((t = strchr(v, '\t')) == NULL)
			continue;
		*t++ = '\0';
		if (parse_double(v, &value) != 0 || parse_int64(t, &t_ns) != 0)
			continue;
		if (db_value_add(s->db, s->run_id, line, series_next(s, line),
		    t_ns, value, &cause) != 0)
			sup_error(s, cause);
		cause = NULL;
	}
}

/* Split msg into at most want tab-separated fields; the last one keeps
 * any further tabs (event text). */
static int
split_fields(char *msg, char **f, int want)
{
	char *p = msg;
	int n = 0;

	while (n < want && p != NULL) {
		f[n++] = p;
		p = n < want ? strchr(p, '\t') : NULL;
		if (p != NULL)
			*p++ = '\0';
	}
	return n;
}

/* Store one queued worker message, inside sup_flush's transaction. */
static void
sup_store(struct supervisor *s, char *msg, int64_t t_ns)
{
	char *f[6] = { 0 }, *cause = NULL;
	int n, r = 0;
	double v = 0;

	switch (msg[0]) {
	case 'B':
		sup_values(s, msg + 1);
		return;
	case 'M':
		n = split_fields(msg, f, 5);
		if (n < 5 || parse_double(f[2], &v) != 0)
			break;
		r = db_metric_set(s->db, s->run_id, f[1], v, f[3], f[4],
		    &cause);
		break;
	case 'E': {
		struct event_new ev = {
			.run_id = s->run_id,
			.kernel_id = s->kernel_id,
			.host_id = s->host_id,
			.boot_id = boot_id(),
			.source = "workload",
			.t_ns = t_ns,
		};

		n = split_fields(msg, f, 4);
		ev.kind = f[1];
		ev.title = n > 2 ? f[2] : f[1];
		ev.text = n > 3 ? f[3] : "";
		if (ev.kind == NULL)
			break;
		r = db_event_add(s->db, &ev, NULL, &cause);
		break;
	}
	case 'F':
		n = split_fields(msg, f, 3);
		if (n < 3)
			break;
		r = db_artifact_set(s->db, s->run_id, f[1], f[2], &cause);
		break;
	case 'U':
		if (msg[1] == '\t')
			r = db_unavailable_add(s->db, s->run_id, msg + 2,
			    &cause);
		break;
	}
	if (r != 0)
		sup_error(s, cause);
}

void
sup_flush(struct supervisor *s)
{
	struct pending *p;
	char *cause = NULL;
	size_t i;

	if (s->npend == 0)
		return;
	sup_tx(s);
	for (i = 0; i < s->npend; i++) {
		p = &s->pend[i];
		/* Without a transaction (the error is recorded) they go. */
		if (s->in_tx && p->msg != NULL)
			sup_store(s, p->msg, p->t_ns);
		else if (s->in_tx && db_sample_insert(s->db, s->run_id,
		    p->seq, p->t_ns, p->label, p->values,
		    sampler_count(s->sampler), &cause) != 0) {
			sup_error(s, cause);
			cause = NULL;
		}
		free(p->msg);
		free(p->label);
	}
	s->npend = 0;
	sup_commit(s);
}

void
sup_message(struct supervisor *s, int sock, char *msg)
{
	char *f[6] = { 0 };
	int n;

	/* The last field of each type may hold tabs (event text). */
	switch (msg[0]) {
	case 'M':
	case 'E':
	case 'F':
	case 'U':
	case 'B':
		sup_queue(s, xstrdup(msg), NULL);
		return;
	case 'K':
	case 'R':
		n = split_fields(msg, f, 3);
		break;
	default:
		n = split_fields(msg, f, 2);
		break;
	}
	switch (msg[0]) {
	case 'P':
		if (n >= 2 && s->req->progress != NULL)
			s->req->progress(s->req->progress_arg, f[1],
			    (double)(now_mono_ns() - s->start_mono) / 1e9);
		break;
	case 'S':
		sup_sample(s, n > 1 ? f[1] : NULL);
		send(sock, "A", 1, MSG_NOSIGNAL);
		break;
	case 'K':
		if (n == 3)
			sup_knob(s, sock, f[1], f[2]);
		break;
	case 'R':
		/* The first verdict counts: a watchdog's lockup is not
		 * overwritten by what the stuck thread says later. */
		if (s->verdict_mono != 0)
			break;
		s->verdict_mono = now_mono_ns();
		if (s->result != NULL)  /* a stop request came first */
			break;
		free(s->reason);
		s->result = xstrdup(n > 1 ? f[1] : "failed");
		s->reason = n > 2 && *f[2] ? xstrdup(f[2]) : NULL;
		break;
	}
}

void
sup_drain(struct supervisor *s, int sock, char *msg)
{
	ssize_t n;

	for (;;) {
		n = recv(sock, msg, MSG_MAX, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		msg[n] = '\0';
		sup_message(s, sock, msg);
	}
}

void
sup_ingest_release(struct supervisor *s)
{
	while (s->nseries > 0)
		free(s->series[--s->nseries].name);
	free(s->series);
	while (s->cap_pend > 0)
		free(s->pend[--s->cap_pend].values);
	free(s->pend);
}
