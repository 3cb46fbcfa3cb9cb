/*
 * test-tracepoint.c - which tracepoints probe/tracepoint.c finds, on
 * tracefs trees built from tests/fixtures (the 6.18 host's ids and
 * tlb_flush format; the Debian 6.1 kernel's list, read from its image),
 * and counting on this machine when perf_event_open() is allowed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "probe/tracepoint.h"
#include "unit.h"

#define DEB "debian-6.1.0-54-cloud-4cpu-2node-cpu2-offline/"
#define HOST "host-6.18-2cpu/"

/* ROOT/DIR/events/<sys>/<name>/id from the fixture's "sys/name id"
 * lines ("-": an id not known, numbered from 1000). */
static char *
tracefs_root(const char *name, const char *fixdir, const char *dir)
{
	char *root = xasprintf("%s/%s", unit_tmpdir(), name);
	char *fix = xasprintf("%stracepoints", fixdir), *list;
	char *line, *save = NULL, *rel, *id, *text, path[128];
	int n = 1000;

	list = fixture_read(fix);
	free(fix);

	for (line = strtok_r(list, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%127s", path) != 1 ||
		    (id = strchr(line, ' ')) == NULL)
			continue;
		rel = xasprintf("%s/events/%s/id", dir, path);
		if (strcmp(id + 1, "-") == 0)
			text = xasprintf("%d\n", n++);
		else
			text = xasprintf("%s\n", id + 1);
		unit_put(root, rel, text);
		free(text);
		free(rel);
	}
	rel = xasprintf("%s/events/tlb/tlb_flush/format", dir);
	fix = xasprintf("%stlb_flush-format", fixdir);
	unit_put_fixture(root, rel, fix);
	free(fix);
	free(rel);
	free(list);
	return root;
}

static const struct tp_event *
event_of(const struct tp_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nevents; i++)
		if (strcmp(l->events[i].name, name) == 0)
			return &l->events[i];
	return NULL;
}

static int
noted(const struct tp_list *l, const char *needle)
{
	size_t i;

	for (i = 0; i < l->nunavailable; i++)
		if (strstr(l->unavailable[i], needle) != NULL)
			return 1;
	return 0;
}

TEST(tracepoints_host_6_18)
{
	char *root = tracefs_root("tp618", HOST, "/sys/kernel/debug/tracing");
	const struct tp_event *e;
	struct tp_list l;

	tracepoints_probe(root, &l);
	CHECK(l.tracefs != NULL && strstr(l.tracefs, "/sys/kernel/debug/"
	    "tracing") != NULL);
	/* Everything is there: nothing noted. */
	CHECK_INT_EQ((long)l.nunavailable, 0);
	CHECK((e = event_of(&l, "ipi.ipi_send_cpumask")) != NULL);
	CHECK_INT_EQ((long)e->id, 353);
	CHECK(e->filter == NULL && e->per_cpu);
	CHECK((e = event_of(&l, "tlb.tlb_flush.remote_shootdown")) != NULL);
	CHECK_INT_EQ((long)e->id, 188);
	CHECK_STR_EQ(e->filter, "reason == 1");
	CHECK((e = event_of(&l, "tlb.tlb_flush.remote_wrong_cpu")) != NULL);
	CHECK_STR_EQ(e->filter, "reason == 5");
	/* Fires on every switch between mms: not counted. */
	CHECK(event_of(&l, "tlb.tlb_flush.flush_on_task_switch") == NULL);
	CHECK(event_of(&l, "tlb.tlb_flush") == NULL);
	CHECK((e = event_of(&l, "percpu.percpu_create_chunk")) != NULL);
	CHECK(!e->per_cpu);
	CHECK(event_of(&l, "cpuhp.cpuhp_enter") != NULL);
	/* 5 reasons + 11 others. */
	CHECK_INT_EQ((long)l.nevents, 16);
	tp_list_release(&l);
	free(root);
}

TEST(tracepoints_debian_6_1)
{
	char *root = tracefs_root("tp61", DEB, "/sys/kernel/tracing");
	struct tp_list l;

	tracepoints_probe(root, &l);
	CHECK(l.tracefs != NULL && strstr(l.tracefs, "/sys/kernel/tracing"));
	/* 6.1 has no ipi:ipi_send_* (6.6) nor mm_khugepaged_collapse_file
	 * (6.5): each noted once, with its path. */
	CHECK_INT_EQ((long)l.nunavailable, 3);
	CHECK(noted(&l, "/events/ipi/ipi_send_cpu/id: No such file"));
	CHECK(noted(&l, "/events/ipi/ipi_send_cpumask/id: "));
	CHECK(noted(&l, "/mm_khugepaged_collapse_file/id: "));
	CHECK(event_of(&l, "ipi.ipi_send_cpu") == NULL);
	CHECK(event_of(&l, "kmem.mm_page_pcpu_drain") != NULL);
	CHECK(event_of(&l, "huge_memory.mm_khugepaged_scan_file") != NULL);
	/* 6.1 names it in lower case; the counter is the same. */
	CHECK(event_of(&l, "tlb.tlb_flush.remote_ipi_send") != NULL);
	CHECK_STR_EQ(event_of(&l, "tlb.tlb_flush.remote_ipi_send")->filter,
	    "reason == 4");
	CHECK(event_of(&l, "tlb.tlb_flush.remote_wrong_cpu") == NULL);
	CHECK_INT_EQ((long)l.nevents, 4 + 8);
	tp_list_release(&l);
	free(root);
}

TEST(tracepoints_no_tracefs)
{
	char *root = xasprintf("%s/tpnone", unit_tmpdir());
	struct tp_list l;

	unit_put(root, "proc/version", "Linux\n");
	tracepoints_probe(root, &l);
	CHECK(l.tracefs == NULL);
	CHECK_INT_EQ((long)l.nevents, 0);
	CHECK_INT_EQ((long)l.nunavailable, 1);
	CHECK(noted(&l, "tracefs is not mounted"));
	tp_list_release(&l);
	free(root);
}

/* A format whose reason list cannot be read: counted unfiltered, said. */
TEST(tracepoints_format_without_values)
{
	char *root = tracefs_root("tpfmt", HOST, "/sys/kernel/tracing");
	struct tp_list l;

	unit_put(root, "sys/kernel/tracing/events/tlb/tlb_flush/format",
	    "print fmt: \"pages:%ld\", REC->pages\n");
	tracepoints_probe(root, &l);
	CHECK(event_of(&l, "tlb.tlb_flush") != NULL);
	CHECK(event_of(&l, "tlb.tlb_flush")->filter == NULL);
	CHECK(noted(&l, "no values of 'reason' to filter on"));
	tp_list_release(&l);
	free(root);
}

/* The live machine: counts move, and per CPU.  Skipped without root or
 * when perf_event_paranoid refuses (then it is noted, not faked). */
TEST(tracepoints_live_counting)
{
	struct tp_counters *t = NULL;
	struct tp_list l;
	int cpus[2] = { 0, 1 }, ncpus;
	int64_t *a, *b;
	size_t i, k;
	char *cause = NULL;

	tracepoints_probe(NULL, &l);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	if (l.nevents == 0 || geteuid() != 0 ||
	    tp_counters_open(&t, &l, cpus, ncpus, &cause) != 0) {
		CHECK(t == NULL);
		tp_list_release(&l);
		free(cause);
		return;
	}
	a = xcalloc(l.nevents * 2, sizeof *a);
	b = xcalloc(l.nevents * 2, sizeof *b);
	tp_counters_read(t, a);
	/* Faults and frees that end in free_pcppages_bulk(): pcp drains. */
	for (k = 0; k < 64; k++) {
		char *p = xcalloc(1, 4 << 20);

		memset(p, 1, 4 << 20);
		free(p);
	}
	tp_counters_read(t, b);
	for (i = 0; i < l.nevents * (size_t)ncpus; i++)
		CHECK(b[i] >= a[i]);
	tp_counters_free(t);
	free(a);
	free(b);
	tp_list_release(&l);
}
