/*
 * tracepoint.c - kernel tracepoints counted with perf_event_open(2): what
 * tracefs says exists (tracepoints_probe), and the per-CPU counting
 * groups the sampler reads (tp_counters_*).  See tracepoint.h.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe/tracepoint.h"
#include "common/util.h"

/*
 * What is counted, and why (the workloads' "reached" gates name these):
 * - tlb:tlb_flush by reason: remote shootdowns are the TLB-flush IPIs a
 *   CPU received (thp-munmap, seed 004); "flush on task switch" is left
 *   out, it fires on every switch between mms and proves nothing.
 * - ipi:ipi_send_cpu/_cpumask (6.6+): IPIs sent, per sending CPU.
 * - kmem:mm_page_pcpu_drain: pages freed from a per-CPU list to the
 *   buddy allocator (free_pcppages_bulk(), drain_all_pages(): seed 003).
 * - percpu: chunks created and destroyed, allocations that failed (002).
 * - huge_memory: collapses and khugepaged's scans (001, 004).
 * - cpuhp:cpuhp_enter: hotplug state callbacks run (003).
 */
static const struct tp_spec {
	const char *sys, *name;
	const char *field;      /* one counter per value of this field */
	const char *skip;       /* ... but this value */
	int per_cpu;
} tp_specs[] = {
	{ "tlb", "tlb_flush", "reason", "flush_on_task_switch", 1 },
	{ "ipi", "ipi_send_cpu", NULL, NULL, 1 },
	{ "ipi", "ipi_send_cpumask", NULL, NULL, 1 },
	{ "kmem", "mm_page_pcpu_drain", NULL, NULL, 1 },
	{ "percpu", "percpu_create_chunk", NULL, NULL, 0 },
	{ "percpu", "percpu_destroy_chunk", NULL, NULL, 0 },
	{ "percpu", "percpu_alloc_percpu_fail", NULL, NULL, 0 },
	{ "huge_memory", "mm_collapse_huge_page", NULL, NULL, 0 },
	{ "huge_memory", "mm_khugepaged_scan_pmd", NULL, NULL, 0 },
	{ "huge_memory", "mm_khugepaged_scan_file", NULL, NULL, 0 },
	{ "huge_memory", "mm_khugepaged_collapse_file", NULL, NULL, 0 },
	{ "cpuhp", "cpuhp_enter", NULL, NULL, 1 },
};

/* tracefs since 4.1; debugfs's tracing/ before that and when only
 * debugfs is mounted (this project's host). */
static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

static void
note(struct tp_list *l, char *text)
{
	l->unavailable = xreallocarray(l->unavailable, l->nunavailable + 1,
	    sizeof *l->unavailable);
	l->unavailable[l->nunavailable++] = text;
}

static void
add_event(struct tp_list *l, char *name, uint64_t id, char *filter,
    int per_cpu)
{
	struct tp_event *e;

	l->events = xreallocarray(l->events, l->nevents + 1,
	    sizeof *l->events);
	e = &l->events[l->nevents++];
	e->name = name;
	e->id = id;
	e->filter = filter;
	e->per_cpu = per_cpu;
}

/* "remote IPI send" -> "remote_ipi_send": the same name on 6.1 (lower
 * case) and later kernels. */
static char *
value_name(const char *s, size_t len)
{
	char *out = xstrndup(s, len), *p;

	for (p = out; *p != '\0'; p++)
		*p = isalnum((unsigned char)*p) ? (char)tolower(
		    (unsigned char)*p) : '_';
	return out;
}

/*
 * The values of FIELD from the print fmt's __print_symbolic(REC->FIELD,
 * { 1, "remote shootdown" }, ...): the kernel writes the enum's numbers
 * there (TRACE_DEFINE_ENUM).  Adds one event per value; 0 when none.
 */
static size_t
add_symbolic(struct tp_list *l, const struct tp_spec *sp, uint64_t id,
    const char *format)
{
	char *key = xasprintf("__print_symbolic(REC->%s,", sp->field);
	const char *p = strstr(format, key), *q, *end;
	char *value, *endnum;
	size_t n = 0;
	long num;

	/* { N, "text" } entries, separated by commas, up to the ')'. */
	for (p = p != NULL ? p + strlen(key) : NULL; p != NULL; p = end + 1) {
		p += strspn(p, " ,");
		if (*p != '{')
			break;
		num = strtol(p + 1, &endnum, 0);
		if (endnum == p + 1 || (q = strchr(endnum, '"')) == NULL ||
		    (end = strchr(q + 1, '"')) == NULL)
			break;
		value = value_name(q + 1, (size_t)(end - q - 1));
		if ((end = strchr(end, '}')) == NULL) {
			free(value);
			break;
		}
		if (sp->skip == NULL || strcmp(value, sp->skip) != 0) {
			add_event(l, xasprintf("%s.%s.%s", sp->sys, sp->name,
			    value), id, xasprintf("%s == %ld", sp->field, num),
			    sp->per_cpu);
			n++;
		}
		free(value);
	}
	free(key);
	return n;
}

static void
probe_one(struct tp_list *l, const char *dir, const struct tp_spec *sp)
{
	char *path = xasprintf("%s/events/%s/%s/id", dir, sp->sys, sp->name);
	char *text = NULL, *format = NULL, *fpath = NULL;
	int64_t id;
	int r;

	if ((r = read_file_line(path, &text, NULL)) != 0) {
		note(l, xasprintf("%s: %s", path, strerror(-r)));
		goto out;
	}
	if (parse_int64(text, &id) != 0 || id < 0) {
		note(l, xasprintf("%s: not a tracepoint id", path));
		goto out;
	}
	if (sp->field != NULL) {
		fpath = xasprintf("%s/events/%s/%s/format", dir, sp->sys,
		    sp->name);
		if (read_file(fpath, &format, NULL, NULL) == 0 &&
		    add_symbolic(l, sp, (uint64_t)id, format) > 0)
			goto out;
		note(l, xasprintf("%s: no values of '%s' to filter on; "
		    "counted unfiltered", fpath, sp->field));
	}
	add_event(l, xasprintf("%s.%s", sp->sys, sp->name), (uint64_t)id,
	    NULL, sp->per_cpu);
out:
	free(format);
	free(fpath);
	free(text);
	free(path);
}

void
tracepoints_probe(const char *root, struct tp_list *l)
{
	const char *prefix = root == NULL || strcmp(root, "/") == 0 ? "" :
	    root;
	struct stat st;
	char *dir, *events;
	size_t i;

	memset(l, 0, sizeof *l);
	for (i = 0; i < ARRAY_SIZE(tracefs_dirs) && l->tracefs == NULL; i++) {
		dir = xasprintf("%s%s", prefix, tracefs_dirs[i]);
		events = xasprintf("%s/events", dir);
		if (stat(events, &st) == 0 && S_ISDIR(st.st_mode))
			l->tracefs = dir;
		else
			free(dir);
		free(events);
	}
	if (l->tracefs == NULL) {
		note(l, xasprintf("%s%s: tracefs is not mounted there nor at "
		    "%s", prefix, tracefs_dirs[0], tracefs_dirs[1]));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(tp_specs); i++)
		probe_one(l, l->tracefs, &tp_specs[i]);
}

static void
event_release(struct tp_event *e)
{
	free(e->name);
	free(e->filter);
}

void
tp_list_release(struct tp_list *l)
{
	size_t i;

	for (i = 0; i < l->nevents; i++)
		event_release(&l->events[i]);
	free(l->events);
	for (i = 0; i < l->nunavailable; i++)
		free(l->unavailable[i]);
	free(l->unavailable);
	free(l->tracefs);
	memset(l, 0, sizeof *l);
}

/* ---- counting ---- */

/* One CPU's group: the first event leads, so one read(2) gets all. */
struct tp_cpu {
	int cpu;
	int *fds;               /* per event, -1 while the CPU is offline */
	int open;
	uint64_t last_enabled;  /* time_enabled of the last read */
	int64_t *last;          /* the group's counts at the last read */
	int64_t *base;          /* counts of groups the CPU lost before */
};

struct tp_counters {
	struct tp_list *list;
	struct tp_cpu *cpus;
	int ncpus;
	uint64_t *buf;          /* nr, time_enabled, values[nr] */
};

static int
open_event(const struct tp_event *e, int cpu, int group_fd)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof a;
	a.config = e->id;
	a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED;
	fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, group_fd,
	    PERF_FLAG_FD_CLOEXEC);
	if (fd == -1)
		return -errno;
	if (e->filter != NULL &&
	    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, e->filter) == -1) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void
close_group(struct tp_counters *t, struct tp_cpu *c)
{
	size_t i;

	/* Members first: closing a leader would promote them. */
	for (i = t->list->nevents; i-- > 0;) {
		if (c->fds[i] != -1)
			close(c->fds[i]);
		c->fds[i] = -1;
	}
	c->open = 0;
}

/* 0, or -errno (-ENODEV: the CPU is offline). */
static int
open_group(struct tp_counters *t, struct tp_cpu *c)
{
	size_t i;
	int fd;

	for (i = 0; i < t->list->nevents; i++) {
		fd = open_event(&t->list->events[i], c->cpu,
		    i == 0 ? -1 : c->fds[0]);
		if (fd < 0) {
			close_group(t, c);
			return fd;
		}
		c->fds[i] = fd;
	}
	c->open = 1;
	c->last_enabled = 0;
	return 0;
}

static void
drop_event(struct tp_list *l, size_t i, int err)
{
	note(l, xasprintf("%s (tracepoint %s, id %llu): perf_event_open: "
	    "%s", l->tracefs ? l->tracefs : "tracefs", l->events[i].name,
	    (unsigned long long)l->events[i].id, strerror(-err)));
	event_release(&l->events[i]);
	memmove(&l->events[i], &l->events[i + 1],
	    (l->nevents - i - 1) * sizeof *l->events);
	l->nevents--;
}

/*
 * Tries each event alone on one online CPU first, so one the kernel
 * refuses (a filter it does not take) is dropped rather than failing
 * every group.  Refused for want of privilege: all are, noted once.
 */
static int
prune_events(struct tp_list *l, int cpu, char **cause)
{
	char *paranoid = NULL;
	size_t i;
	int fd;

	for (i = 0; i < l->nevents;) {
		fd = open_event(&l->events[i], cpu, -1);
		if (fd == -EACCES || fd == -EPERM) {
			read_file_line("/proc/sys/kernel/perf_event_paranoid",
			    &paranoid, NULL);
			note(l, xasprintf("perf_event_open: %s "
			    "(kernel.perf_event_paranoid = %s): no tracepoint "
			    "counted", strerror(-fd), paranoid ? paranoid :
			    "?"));
			free(paranoid);
			while (l->nevents > 0)
				event_release(&l->events[--l->nevents]);
			return set_cause(cause, -fd, "perf_event_open: %s",
			    strerror(-fd));
		}
		if (fd < 0) {
			drop_event(l, i, fd);
			continue;
		}
		close(fd);
		i++;
	}
	return 0;
}

int
tp_counters_open(struct tp_counters **tp, struct tp_list *l,
    const int *cpus, int ncpus, char **cause)
{
	struct tp_counters *t;
	int i, first = -1, r = 0;

	*tp = NULL;
	if (l->nevents == 0 || ncpus <= 0)
		return set_cause(cause, ENOENT, "no tracepoint to count");
	/* An online CPU to try the events on: perf says ENODEV otherwise. */
	for (i = 0; i < ncpus && first < 0; i++) {
		int fd = open_event(&l->events[0], cpus[i], -1);

		if (fd >= 0) {
			close(fd);
			first = cpus[i];
		} else if (fd != -ENODEV)
			first = cpus[i];
	}
	if (first < 0)
		return set_cause(cause, ENODEV, "no online CPU to count on");
	if ((r = prune_events(l, first, cause)) != 0)
		return r;
	if (l->nevents == 0)
		return set_cause(cause, ENOENT,
		    "no tracepoint could be opened");
	t = xcalloc(1, sizeof *t);
	t->list = l;
	t->ncpus = ncpus;
	t->cpus = xcalloc((size_t)ncpus, sizeof *t->cpus);
	t->buf = xcalloc(l->nevents + 2, sizeof *t->buf);
	for (i = 0; i < ncpus; i++) {
		struct tp_cpu *c = &t->cpus[i];

		c->cpu = cpus[i];
		c->fds = xcalloc(l->nevents, sizeof *c->fds);
		memset(c->fds, 0xff, l->nevents * sizeof *c->fds);
		c->last = xcalloc(l->nevents, sizeof *c->last);
		c->base = xcalloc(l->nevents, sizeof *c->base);
		open_group(t, c);       /* an offline CPU is retried later */
	}
	*tp = t;
	return 0;
}

/* 1 when the group was read and is alive: its enabled time moved since
 * the last read (a fresh group's first read always counts). */
static int
read_group(struct tp_counters *t, struct tp_cpu *c)
{
	size_t n = t->list->nevents, i;
	ssize_t len = (ssize_t)((n + 2) * sizeof *t->buf);

	if (!c->open || read(c->fds[0], t->buf, (size_t)len) != len ||
	    t->buf[0] != n)
		return 0;
	if (c->last_enabled != 0 && t->buf[1] == c->last_enabled)
		return 0;
	c->last_enabled = t->buf[1];
	for (i = 0; i < n; i++)
		c->last[i] = (int64_t)t->buf[2 + i];
	return 1;
}

/*
 * A group whose enabled time stood still since the last read was
 * detached by its CPU going offline: keep its counts and open a new one
 * (which fails, cheaply, while the CPU stays offline).
 */
static void
read_cpu(struct tp_counters *t, struct tp_cpu *c)
{
	size_t i;

	if (read_group(t, c))
		return;
	for (i = 0; i < t->list->nevents; i++) {
		c->base[i] += c->last[i];
		c->last[i] = 0;
	}
	close_group(t, c);
	if (open_group(t, c) == 0)
		read_group(t, c);
}

void
tp_counters_read(struct tp_counters *t, int64_t *counts)
{
	size_t n = t->list->nevents, i;
	int col;

	for (col = 0; col < t->ncpus; col++) {
		struct tp_cpu *c = &t->cpus[col];

		read_cpu(t, c);
		for (i = 0; i < n; i++)
			counts[i * (size_t)t->ncpus + (size_t)col] =
			    c->base[i] + c->last[i];
	}
}

void
tp_counters_free(struct tp_counters *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ncpus; i++) {
		close_group(t, &t->cpus[i]);
		free(t->cpus[i].fds);
		free(t->cpus[i].last);
		free(t->cpus[i].base);
	}
	free(t->cpus);
	free(t->buf);
	free(t);
}
