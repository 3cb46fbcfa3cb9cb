/*
 * classifier.c - the report state machine (kmsg.h, part 3).
 *
 * How a report is gathered.  Lines arrive in log order, each with an
 * optional caller context ("T123"/"C1" from CONFIG_PRINTK_CALLER).  A
 * line that starts a report (kmsg_match_header) opens a report for its
 * context; the lines after it go to the open report of their context,
 * or, without caller ids, to the "current" report.  A report is OPEN
 * until its stack ends ("</TASK>"), an "---[ end trace" line, a new
 * report, or a 10 s gap in timestamps; it then waits in TAIL, where only
 * lines that plainly continue a report (registers, "Kernel panic", more
 * NMI backtraces, "---[ end Kernel panic") are taken, and the first
 * other line finishes it.  Without caller ids two reports can still be
 * told apart when their headers come first and their "CPU: N PID: N"
 * lines later (as two watchdogs firing together print them): a header
 * whose report has no CPU line yet stays pending, and a "CPU: N PID:"
 * line switches to the pending report whose header named that CPU or
 * PID.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

/* Reports whose last line is this much older than a new line are done. */
#define REPORT_GAP_USEC (10ULL * 1000 * 1000)
/* A pending report nobody has written to for this many lines is done. */
#define REPORT_STALE_LINES 1000

static const char *const htype_kind[] = {
	[H_NONE] = NULL,
	[H_SOFT_LOCKUP] = KMSG_SOFT_LOCKUP,
	[H_HARD_LOCKUP] = KMSG_HARD_LOCKUP,
	[H_RCU_STALL] = KMSG_RCU_STALL,
	[H_HUNG_TASK] = KMSG_HUNG_TASK,
	[H_WQ_LOCKUP] = KMSG_WORKQUEUE_LOCKUP,
	[H_NULL_DEREF] = KMSG_OOPS,
	[H_PAGING] = KMSG_OOPS,
	[H_GPF] = KMSG_OOPS,
	[H_OOPS] = KMSG_OOPS,
	[H_KERNEL_BUG] = KMSG_BUG,
	[H_BUG] = KMSG_BUG,
	[H_BAD_PAGE] = KMSG_BAD_PAGE,
	[H_BAD_RSS] = KMSG_BAD_PAGE,
	[H_WARNING] = KMSG_WARNING,
	[H_OOM] = KMSG_OOM_KILL,
	[H_OOM_KILL] = KMSG_OOM_KILL,
	[H_PANIC] = KMSG_PANIC,
	[H_UBSAN] = KMSG_UBSAN,
	[H_LOCKDEP] = KMSG_LOCKDEP,
	[H_NETDEV] = KMSG_WARNING,
	[H_VFS] = KMSG_BUG,
};

/* ------------------------------------------------------------------ */
/* The classifier. */

enum rstate { R_OPEN, R_TAIL };

struct kmsg_report {
	struct kmsg_report *next;
	enum htype type;
	enum rstate state;
	char ctx[16];
	int cpu;                /* best known CPU of the report */
	int hdr_cpu, hdr_pid;   /* named by the header, or -1 */
	int have_cpu_line;
	int any_cpu_ctx;        /* takes other CPUs' lines: NMI backtraces */
	int in_stack, frames, marked;
	int panicked, truncated, done, killed;
	int hardlockup_panic;   /* a headless "Kernel panic ... Hard LOCKUP" */
	int lockdep;            /* text between stacks until "stack backtrace:" */
	int grace;              /* a stack was cut by one foreign line */
	uint64_t ts, last_ts;
	int64_t seq;
	unsigned long line, last_fed;
	size_t nlines, hdr_idx, panic_idx;
	struct buf text;
};

struct prev_line {
	char ctx[16];
	char *text;
};

struct queued {
	struct kmsg_event *ev;
	struct queued *next;
};

struct kmsg_classifier {
	int flags;
	struct kmsg_report *reports;         /* newest first */
	struct kmsg_report *current;         /* of lines without caller ids */
	struct queued *head, **tail;    /* finished events */
	struct prev_line prev[4];       /* last lines outside reports */
	unsigned long fed;
	int blank_run;
	int seen_prefixed;              /* a line with a recognised prefix */
	int prev_kmsg;                  /* last line was a kmsg record */
	int wall_echo;                  /* after "Message from syslogd@" */
	struct buf cont;                /* kmsg 'c' fragment being joined */
	struct kmsg_line cont_line;
	unsigned long cont_lineno;
	int have_cont;
	struct kmsg_stats stats;
};

struct kmsg_classifier *
kmsg_classifier_new(int flags)
{
	struct kmsg_classifier *c = xcalloc(1, sizeof *c);

	c->flags = flags;
	c->tail = &c->head;
	return c;
}

static void
kmsg_report_free(struct kmsg_report *r)
{
	if (r == NULL)
		return;
	buf_release(&r->text);
	free(r);
}

void
kmsg_event_free(struct kmsg_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->title);
	free(ev->signature);
	free(ev->text);
	free(ev);
}

void
kmsg_classifier_free(struct kmsg_classifier *c)
{
	struct kmsg_report *r, *rn;
	struct kmsg_event *ev;
	size_t i;

	if (c == NULL)
		return;
	for (r = c->reports; r != NULL; r = rn) {
		rn = r->next;
		kmsg_report_free(r);
	}
	while ((ev = kmsg_classifier_next(c)) != NULL)
		kmsg_event_free(ev);
	for (i = 0; i < ARRAY_SIZE(c->prev); i++)
		free(c->prev[i].text);
	buf_release(&c->cont);
	kmsg_line_clear(&c->cont_line);
	free(c);
}


struct kmsg_event *
kmsg_classifier_next(struct kmsg_classifier *c)
{
	struct queued *q = c->head;
	struct kmsg_event *ev;

	if (q == NULL)
		return NULL;
	c->head = q->next;
	if (c->head == NULL)
		c->tail = &c->head;
	ev = q->ev;
	free(q);
	return ev;
}

void
kmsg_classifier_stats(const struct kmsg_classifier *c, struct kmsg_stats *st)
{
	*st = c->stats;
}


static void
kmsg_report_unlink(struct kmsg_classifier *c, struct kmsg_report *r)
{
	struct kmsg_report **pp;

	for (pp = &c->reports; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (c->current == r)
		c->current = NULL;
}

static void
kmsg_report_finish(struct kmsg_classifier *c, struct kmsg_report *r)
{
	struct kmsg_event *ev;
	struct queued *q;
	struct rlines rl;

	kmsg_report_unlink(c, r);
	if (r->text.len == 0) {
		kmsg_report_free(r);
		return;
	}
	kmsg_rlines_split(&rl, r->text.s);
	ev = xcalloc(1, sizeof *ev);
	ev->title = kmsg_title(r->type, &rl, r->hdr_idx,
	    r->panicked && r->panic_idx < rl.n ? r->panic_idx : rl.n,
	    &ev->corrupted);
	/* Sanitizers, lockdep, kmemleak are kinds of their own. */
	ev->kind = kmsg_debug_kind(ev->title);
	if (ev->kind == NULL || r->type == H_OOM || r->type == H_OOM_KILL)
		ev->kind = htype_kind[r->type];
	ev->signature = kmsg_signature(ev->kind, ev->title);
	ev->text = buf_detach(&r->text);
	ev->ts_usec = r->ts;
	ev->cpu = r->cpu >= 0 ? r->cpu : r->ctx[0] == 'C' ?
	    atoi(r->ctx + 1) : -1;
	ev->seq = r->seq;
	ev->line = r->line;
	ev->panicked = r->panicked;
	ev->truncated = r->truncated;
	kmsg_rlines_free(&rl);
	kmsg_report_free(r);
	q = xcalloc(1, sizeof *q);
	q->ev = ev;
	*c->tail = q;
	c->tail = &q->next;
	c->stats.events++;
}

/* "rcu: \t1-....: (21000 ticks this GP)" names the stalled CPU. */
static int
rcu_stall_cpu(const char *t)
{
	const char *p;
	int cpu;

	if (!has_prefix(t, "rcu: "))
		return -1;
	p = t + 5;
	for (;;) {
		if (*p == ' ' || *p == '\t')
			p++;
		else if (has_prefix(p, "\\x09"))
			p += 4;
		else
			break;
	}
	if (take_int(&p, &cpu) != 0 || *p != '-')
		return -1;
	return cpu;
}

static void
kmsg_report_add(struct kmsg_classifier *c, struct kmsg_report *r,
    const struct kmsg_line *l, enum lclass lc)
{
	const char *t = l->text;
	size_t n = strlen(t);
	int cpu, pid;

	if (r->nlines == 0 && n >= KMSG_TEXT_MAX) {
		/* Even a monster header line leaves the report its start. */
		buf_add(&r->text, t, KMSG_TEXT_MAX - 1);
		r->nlines++;
		r->truncated = 1;
	} else if (r->truncated || r->text.len + n + 1 > KMSG_TEXT_MAX)
		r->truncated = 1;
	else {
		if (r->nlines > 0)
			buf_addc(&r->text, '\n');
		buf_add(&r->text, t, n);
		r->nlines++;
	}
	if (l->ts_usec != KMSG_NO_TS) {
		if (r->ts == KMSG_NO_TS)
			r->ts = l->ts_usec;
		if (r->last_ts == KMSG_NO_TS || l->ts_usec > r->last_ts)
			r->last_ts = l->ts_usec;
	}
	if (r->seq < 0)
		r->seq = l->seq;
	r->last_fed = c->fed;
	switch (lc) {
	case LC_CPU:
		if (kmsg_parse_cpu_line(skip_blanks(t), &cpu, &pid)) {
			r->have_cpu_line = 1;
			if (r->cpu < 0)
				r->cpu = cpu;
		}
		break;
	case LC_CALL_TRACE:
		r->in_stack = 1;
		break;
	case LC_MARK_OPEN:
		r->in_stack = r->marked = 1;
		break;
	case LC_FRAME:
		r->frames = 1;
		break;
	case LC_TASK_END:
		r->marked = 1;
		r->in_stack = 0;
		/* An OOM report goes on after its stack until the kill. */
		if (r->type != H_OOM)
			r->state = R_TAIL;
		break;
	case LC_END_TRACE:
		r->state = R_TAIL;
		break;
	case LC_END_PANIC:
		r->done = 1;
		break;
	case LC_NMI:
		if (has_prefix(skip_blanks(t), "Sending NMI"))
			r->any_cpu_ctx = 1;
		break;
	default:
		break;
	}
	if (r->type == H_RCU_STALL && r->cpu < 0)
		r->cpu = rcu_stall_cpu(t);
	if (r->lockdep && strstr(t, "stack backtrace:") != NULL)
		r->lockdep = 0;
}

/* Take a line into r, with what it means for r's state. */
static void
kmsg_report_take(struct kmsg_classifier *c, struct kmsg_report *r,
    const struct kmsg_line *l, enum lclass lc, const struct header *h)
{
	if (h->type == H_PANIC) {
		if (!r->panicked) {
			r->panicked = 1;
			r->panic_idx = r->nlines;
		}
		r->state = R_OPEN;
	} else if (r->state == R_TAIL && (lc == LC_CPU ||
	    lc == LC_CALL_TRACE || lc == LC_MARK_OPEN || lc == LC_NMI ||
	    lc == LC_TASK || (lc == LC_FRAME && r->grace)))
		r->state = R_OPEN;
	r->grace = 0;
	if ((r->type == H_OOM || r->type == H_OOM_KILL) &&
	    h->type == H_OOM_KILL && strstr(l->text, "Killed process") != NULL)
		r->done = 1;
	kmsg_report_add(c, r, l, lc);
	if (r->done)
		kmsg_report_finish(c, r);
}

static struct kmsg_report *
kmsg_report_start(struct kmsg_classifier *c, const struct header *h,
    const struct kmsg_line *l, unsigned long lineno)
{
	struct kmsg_report *r = xcalloc(1, sizeof *r);
	struct kmsg_line pl;
	const char *reason;
	size_t i;

	r->type = h->type;
	r->state = R_OPEN;
	snprintf(r->ctx, sizeof r->ctx, "%s", l->caller);
	r->hdr_cpu = h->cpu;
	r->hdr_pid = h->pid;
	r->cpu = h->cpu;
	r->ts = r->last_ts = KMSG_NO_TS;
	r->seq = -1;
	r->line = lineno;
	r->panic_idx = SIZE_MAX;
	r->any_cpu_ctx = h->type == H_RCU_STALL;
	r->lockdep = kmsg_is_lockdep(l->text);
	/*
	 * "[ cut here ]" and what follows it (WARN()'s message), and
	 * "list_del corruption" before a BUG, lead into the report.
	 */
	for (i = 0; i < ARRAY_SIZE(c->prev); i++)
		if (c->prev[i].text != NULL &&
		    strcmp(c->prev[i].ctx, r->ctx) == 0 &&
		    (strstr(c->prev[i].text, "[ cut here ]") != NULL ||
		    strstr(c->prev[i].text, " corruption") != NULL))
			break;
	for (; i < ARRAY_SIZE(c->prev); i++) {
		if (c->prev[i].text == NULL ||
		    strcmp(c->prev[i].ctx, r->ctx) != 0)
			continue;
		memset(&pl, 0, sizeof pl);
		pl.text = c->prev[i].text;
		pl.ts_usec = KMSG_NO_TS;
		pl.seq = -1;
		kmsg_report_add(c, r, &pl, LC_OTHER);
	}
	for (i = 0; i < ARRAY_SIZE(c->prev); i++) {
		free(c->prev[i].text);
		c->prev[i].text = NULL;
	}
	r->hdr_idx = r->nlines;
	if (h->type == H_PANIC) {
		/*
		 * The panics of hardlockup_panic and softlockup_panic whose
		 * report was lost: the panic's own stack shows the
		 * interrupted context, so they still get a lockup title.
		 */
		reason = strstr(l->text, "not syncing: ") + 13;
		if (has_prefix(reason, "Hard LOCKUP"))
			r->type = H_HARD_LOCKUP;
		else if (has_prefix(reason, "softlockup: hung tasks"))
			r->type = H_SOFT_LOCKUP;
		r->panicked = r->type != H_PANIC;
	}
	r->next = c->reports;
	c->reports = r;
	if (r->ctx[0] == '\0')
		c->current = r;
	kmsg_report_add(c, r, l, LC_OTHER);
	/* Reports without a stack wait in TAIL for lines of their own. */
	if (r->type == H_WQ_LOCKUP || r->type == H_BAD_RSS)
		r->state = R_TAIL;
	if (r->type == H_OOM_KILL && strstr(l->text, "Killed process") != NULL)
		kmsg_report_finish(c, r);
	return r;
}

static struct kmsg_report *
kmsg_report_find(struct kmsg_classifier *c, const char *ctx)
{
	struct kmsg_report *r;

	if (ctx[0] == '\0')
		return c->current;
	for (r = c->reports; r != NULL; r = r->next)
		if (strcmp(r->ctx, ctx) == 0)
			return r;
	/* NMI backtraces of other CPUs (RCU stalls, all-CPU backtraces). */
	if (ctx[0] == 'C')
		for (r = c->reports; r != NULL; r = r->next)
			if (r->any_cpu_ctx && r->ctx[0] != '\0')
				return r;
	return NULL;
}

/* Without caller ids: keep r open for its "CPU: N" line to come? */
static int
pending_ok(const struct kmsg_report *r, const struct header *h)
{
	return r->ctx[0] == '\0' && r->state == R_OPEN && !r->have_cpu_line &&
	    !r->in_stack && !r->frames && r->hdr_cpu >= 0 && h->cpu >= 0 &&
	    h->cpu != r->hdr_cpu;
}

/* Did r's header name this CPU or PID? */
static int
header_names(const struct kmsg_report *r, int cpu, int pid)
{
	return (r->hdr_cpu >= 0 && r->hdr_cpu == cpu) ||
	    (r->hdr_pid >= 0 && r->hdr_pid == pid);
}

static struct kmsg_report *
find_pending(struct kmsg_classifier *c, int cpu, int pid,
    const struct kmsg_report *exclude)
{
	struct kmsg_report *r;

	for (r = c->reports; r != NULL; r = r->next)
		if (r != exclude && r->ctx[0] == '\0' && r->state == R_OPEN &&
		    !r->have_cpu_line && header_names(r, cpu, pid))
			return r;
	return NULL;
}

/* Does an OPEN report take this header line instead of ending? */
static int
open_absorbs(const struct kmsg_report *r, const struct header *h)
{
	if (h->type == H_PANIC || h->weak)
		return 1;
	return h->type == H_OOM_KILL && r->type == H_OOM;
}

static int
wq_line(const char *t)
{
	const char *p = skip_blanks(t);

	return has_prefix(t, "Showing ") || has_prefix(t, "workqueue ") ||
	    has_prefix(t, "pool ") || (p != t && (has_prefix(p, "pwq ") ||
	    has_prefix(p, "in-flight:") || has_prefix(p, "pending:") ||
	    has_prefix(p, "inactive:") || has_prefix(p, "delayed:")));
}

/* Does a report in TAIL take this line? */
static int
tail_takes(const struct kmsg_report *r, const struct header *h, enum lclass lc,
    const char *t)
{
	const char *p = skip_blanks(t);

	if (h->type == H_PANIC)
		return 1;
	if (r->type == H_BAD_RSS)
		return h->type == H_BAD_RSS;
	if (h->type != H_NONE)
		return r->type == H_WQ_LOCKUP && h->type == H_WQ_LOCKUP;
	if (r->type == H_OOM || r->type == H_OOM_KILL)
		return has_prefix(p, "oom_reaper:");
	if (r->type == H_WQ_LOCKUP && wq_line(t))
		return 1;
	if (r->type == H_RCU_STALL && (has_prefix(t, "rcu: ") ||
	    t[0] == '\t' || has_prefix(t, "\\x09") ||
	    has_prefix(p, "(detected by") || has_prefix(p, "(t=")))
		return 1;
	return lc != LC_OTHER && lc != LC_BLANK;
}

static void
remember_line(struct kmsg_classifier *c, const struct kmsg_line *l)
{
	size_t n = ARRAY_SIZE(c->prev);

	free(c->prev[0].text);
	memmove(&c->prev[0], &c->prev[1], (n - 1) * sizeof c->prev[0]);
	snprintf(c->prev[n - 1].ctx, sizeof c->prev[n - 1].ctx, "%s",
	    l->caller);
	c->prev[n - 1].text = xstrdup(l->text);
}

static void
finish_all(struct kmsg_classifier *c)
{
	struct kmsg_report *r;

	/* Oldest first, so events come out in the order they began. */
	while (c->reports != NULL) {
		for (r = c->reports; r->next != NULL; r = r->next)
			;
		kmsg_report_finish(c, r);
	}
}

static void
expire_reports(struct kmsg_classifier *c, uint64_t ts)
{
	struct kmsg_report *r, *next;

	for (r = c->reports; r != NULL; r = next) {
		next = r->next;
		/*
		 * Only forward gaps: lines printed from NMI or with irqs off
		 * carry an older local_clock() (a stalled CPU's backtrace
		 * comes out seconds "before" the stall report that asked for
		 * it).  Reboots are told by "Linux version".
		 */
		if (ts != KMSG_NO_TS && r->last_ts != KMSG_NO_TS &&
		    ts > r->last_ts + REPORT_GAP_USEC)
			kmsg_report_finish(c, r);
		else if (r != c->current &&
		    c->fed - r->last_fed > REPORT_STALE_LINES)
			kmsg_report_finish(c, r);
	}
}

/* One kernel line, prefix already stripped. */
static void
classify(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	const char *t = l->text;
	struct kmsg_report *r, *p;
	struct header h;
	enum lclass lc;
	int cpu, pid;

	c->fed++;
	c->stats.lines++;
	expire_reports(c, l->ts_usec);
	/* A new boot in a console log: nothing carries over. */
	if (has_prefix(t, "Linux version "))
		finish_all(c);
	kmsg_match_header(t, &h);
	lc = kmsg_line_class(t);
	r = kmsg_report_find(c, l->caller);
	if (lc == LC_BLANK) {
		/*
		 * An empty stretch ends a report (serial consoles), but not a
		 * lockdep report before its stack: its sections end in blanks.
		 */
		if (++c->blank_run >= 2 && r != NULL && !r->lockdep &&
		    strcmp(r->ctx, l->caller) == 0) {
			kmsg_report_finish(c, r);
			return;
		}
	} else
		c->blank_run = 0;

	/* Without caller ids a CPU line may belong to a pending report. */
	if (l->caller[0] == '\0' && lc == LC_CPU &&
	    kmsg_parse_cpu_line(t, &cpu, &pid) &&
	    (p = find_pending(c, cpu, pid, r)) != NULL &&
	    (r == NULL || r->have_cpu_line || r->state == R_TAIL ||
	    !header_names(r, cpu, pid))) {
		if (r != NULL && r->state == R_TAIL)
			kmsg_report_finish(c, r);
		c->current = p;
		kmsg_report_take(c, p, l, lc, &h);
		return;
	}
	/* A stack printed without <TASK> markers ends at its first non-frame. */
	if (r != NULL && r->state == R_OPEN && h.type == H_NONE && r->frames &&
	    !r->marked && r->type != H_OOM && !r->lockdep && lc == LC_OTHER) {
		/*
		 * Without caller ids another context's line can land inside
		 * the stack ("audit: ..."): if frames follow it, the stack
		 * goes on (kmsg_report_take()).
		 */
		r->state = R_TAIL;
		r->grace = 1;
		remember_line(c, l);
		return;
	}

	if (r != NULL && r->state == R_OPEN) {
		if (h.type == H_NONE || open_absorbs(r, &h)) {
			kmsg_report_take(c, r, l, lc, &h);
			return;
		}
		if (strcmp(r->ctx, l->caller) == 0 && !pending_ok(r, &h))
			kmsg_report_finish(c, r);
		kmsg_report_start(c, &h, l, lineno);
		return;
	}
	if (r != NULL) {
		if (tail_takes(r, &h, lc, t)) {
			kmsg_report_take(c, r, l, lc, &h);
			return;
		}
		if (strcmp(r->ctx, l->caller) == 0)
			kmsg_report_finish(c, r);
	}
	if (h.type == H_PANIC && l->caller[0] != '\0' && c->reports != NULL) {
		/* A panic right after another context's report is its end. */
		kmsg_report_take(c, c->reports, l, lc, &h);
		return;
	}
	if (h.type != H_NONE) {
		kmsg_report_start(c, &h, l, lineno);
		return;
	}
	remember_line(c, l);
}

/* Split multi-line messages; classify each line with the same prefix. */
static void
classify_text(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	struct kmsg_line one = *l;
	char *copy, *p, *nl;

	if (strchr(l->text, '\n') == NULL) {
		classify(c, l, lineno);
		return;
	}
	copy = xstrdup(l->text);
	for (p = copy; p != NULL; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		one.text = p;
		classify(c, &one, lineno);
	}
	free(copy);
}

static void
flush_fragment(struct kmsg_classifier *c)
{
	if (!c->have_cont)
		return;
	c->have_cont = 0;
	c->cont_line.text = c->cont.s != NULL ? c->cont.s : "";
	classify_text(c, &c->cont_line, c->cont_lineno);
	c->cont_line.text = NULL;
	buf_reset(&c->cont);
}

static void
feed_parsed(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	if (l->facility > 0 && !(c->flags & KMSG_ALLOW_USER)) {
		c->stats.ignored++;
		return;
	}
	if (l->format == KMSG_FORMAT_KMSG) {
		/*
		 * Older kernels (3.x) store a line printed in pieces as a
		 * 'c' record followed by '+' records: join them.  A 6.x 'c'
		 * record (a pr_cont() that could not be appended) has no '+'
		 * after it and is classified as the line it is.
		 */
		if (l->flag == '+' && c->have_cont) {
			buf_adds(&c->cont, l->text);
			return;
		}
		flush_fragment(c);
		if (l->flag == 'c') {
			c->cont_line = *l;
			c->cont_line.text = NULL;
			c->cont_lineno = lineno;
			buf_reset(&c->cont);
			buf_adds(&c->cont, l->text);
			c->have_cont = 1;
			return;
		}
	}
	classify_text(c, l, lineno);
}

void
kmsg_classifier_feed_record(struct kmsg_classifier *c,
    const struct kmsg_record *rec, unsigned long lineno)
{
	struct kmsg_line l;

	memset(&l, 0, sizeof l);
	l.format = KMSG_FORMAT_KMSG;
	l.ts_usec = rec->ts_usec;
	l.facility = rec->facility;
	l.level = rec->level;
	l.seq = (int64_t)rec->seq;
	l.flag = rec->flag;
	snprintf(l.caller, sizeof l.caller, "%s", rec->caller);
	l.cpu = l.pid = -1;
	l.text = rec->text != NULL ? rec->text : "";
	feed_parsed(c, &l, lineno);
}

/* " SUBSYSTEM=acpi": a dictionary line of the record before it. */
static int
is_dict_line(const char *s, size_t len)
{
	size_t i;

	if (len < 3 || s[0] != ' ' || !isupper((unsigned char)s[1]))
		return 0;
	for (i = 1; i < len && (isupper((unsigned char)s[i]) ||
	    isdigit((unsigned char)s[i]) || s[i] == '_'); i++)
		;
	return i < len && s[i] == '=';
}

/*
 * A plain line after prefixed ones is user space on the same console,
 * unless it is a report header only the kernel prints: then the console
 * lost its prefixes (printk.time turned off, another capture), and plain
 * lines are the kernel's again from here on.
 */
static int
prefix_lost(const char *t)
{
	struct header h;

	kmsg_match_header(t, &h);
	switch (h.type) {
	case H_GPF:
	case H_NULL_DEREF:
	case H_PAGING:
	case H_KERNEL_BUG:
	case H_SOFT_LOCKUP:
	case H_RCU_STALL:
	case H_HUNG_TASK:
		return 1;
	case H_WARNING:
		return has_prefix(t, "WARNING: CPU: ");
	default:
		return 0;
	}
}

/*
 * syslogd's wall message echoes emergency kernel lines onto terminals
 * and serial consoles that are logged too:
 *     Message from syslogd@host at Nov 21 12:00:00 ...
 *      kernel:[  123.456789] Kernel panic - not syncing: ...
 * The echoed lines repeat lines the log already has: skip them.
 */
static int
wall_echo(struct kmsg_classifier *c, const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if ((size_t)(end - p) >= 21 && memcmp(p, "Message from syslogd@", 21) == 0)
		return c->wall_echo = 1;
	if (!c->wall_echo)
		return 0;
	if (p == end || *p == '\n' || ((size_t)(end - p) >= 7 &&
	    memcmp(p, "kernel:", 7) == 0))
		return 1;
	return c->wall_echo = 0;
}

void
kmsg_classifier_feed_line(struct kmsg_classifier *c, const char *line,
    size_t len, unsigned long lineno)
{
	struct kmsg_line l;

	if (c->prev_kmsg && is_dict_line(line, len))
		return;
	if (wall_echo(c, line, len)) {
		c->stats.ignored++;
		return;
	}
	kmsg_line_parse(line, len, &l);
	c->prev_kmsg = l.format == KMSG_FORMAT_KMSG;
	if (l.boot) {
		flush_fragment(c);
		finish_all(c);
	} else if (l.format == KMSG_FORMAT_JOURNAL && l.text[0] == '\0' &&
	    l.facility < 0) {
		/* journalctl's "-- Logs begin at ... --" */
	} else if (l.format == KMSG_FORMAT_PLAIN && c->seen_prefixed &&
	    !prefix_lost(l.text)) {
		/*
		 * Once lines carry timestamps or other prefixes, the lines
		 * without one are not the kernel's: user space writing to the
		 * same serial console, boot loaders, shell prompts.
		 */
		c->stats.ignored++;
	} else {
		c->seen_prefixed = l.format != KMSG_FORMAT_PLAIN;
		feed_parsed(c, &l, lineno);
	}
	kmsg_line_clear(&l);
}

void
kmsg_classifier_expire(struct kmsg_classifier *c, uint64_t now_usec)
{
	struct kmsg_report *r, *next;

	for (r = c->reports; r != NULL; r = next) {
		next = r->next;
		if (r->last_ts != KMSG_NO_TS &&
		    now_usec > r->last_ts + REPORT_GAP_USEC)
			kmsg_report_finish(c, r);
	}
}

void
kmsg_classifier_flush(struct kmsg_classifier *c)
{
	flush_fragment(c);
	finish_all(c);
}

