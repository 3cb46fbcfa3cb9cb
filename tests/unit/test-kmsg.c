/*
 * test-kmsg.c - the /dev/kmsg record parser, the saved-log line adapter,
 * frame extraction, title normalisation and the report classifier.
 *
 * Inputs are real: records and an OOM report read from this project's
 * build host (6.18, firecracker), and the Debian 6.1 guest logs under
 * tests/fixtures/kmsg/ (see its EXPECTED.md).  Where a test needs a
 * variant (other PIDs, a caller prefix, a split record) it derives it from
 * a real line in code, so what changed is visible in the test.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "kmsg/kmsg.h"
#include "unit.h"
#include "common/util.h"

#define MAX_EVENTS 64

struct events {
	struct kmsg_event *v[MAX_EVENTS];
	int n;
};

static int
has_start(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
events_free(struct events *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		kmsg_event_free(e->v[i]);
	e->n = 0;
}

static void
collect(struct kmsg_classifier *c, struct events *e)
{
	struct kmsg_event *ev;

	while ((ev = kmsg_classifier_next(c)) != NULL) {
		if (e->n == MAX_EVENTS) {
			kmsg_event_free(ev);
			continue;
		}
		e->v[e->n++] = ev;
	}
}

/* Feed a whole saved log, line by line, as `mmstorm parse-log` does. */
static void
run_log(const char *text, int flags, struct events *e)
{
	struct kmsg_classifier *c = kmsg_classifier_new(flags);
	const char *p = text, *nl;
	unsigned long n = 0;

	e->n = 0;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		kmsg_classifier_feed_line(c, p, nl ? (size_t)(nl - p + 1) :
		    strlen(p), ++n);
		collect(c, e);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	kmsg_classifier_flush(c);
	collect(c, e);
	kmsg_classifier_free(c);
}

/* ------------------------------------------------------------------ */
/* Records: what the build host's /dev/kmsg returned. */

TEST(kmsg_record_dictionary)
{
	static const char rec[] =
	    "6,187,256265,-;acpi PNP0A08:00: _OSC: OS supports "
	    "[ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]\n"
	    " SUBSYSTEM=acpi\n"
	    " DEVICE=+acpi:PNP0A08:00\n";
	struct kmsg_record r;
	char *cause = NULL;

	CHECK_INT_EQ(kmsg_record_parse(rec, strlen(rec), &r, &cause), 0);
	CHECK_INT_EQ(r.facility, 0);
	CHECK_INT_EQ(r.level, 6);
	CHECK_INT_EQ(r.seq, 187);
	CHECK_INT_EQ(r.ts_usec, 256265);
	CHECK_INT_EQ(r.flag, '-');
	CHECK_STR_EQ(r.caller, "");
	CHECK_STR_EQ(r.text, "acpi PNP0A08:00: _OSC: OS supports "
	    "[ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]");
	CHECK_STR_EQ(r.subsystem, "acpi");
	CHECK_STR_EQ(r.device, "+acpi:PNP0A08:00");
	kmsg_record_clear(&r);
	CHECK(r.text == NULL);
}

TEST(kmsg_record_escapes)
{
	static const char rec[] = "6,89,201754,-;rcu: \\x09RCU restricting "
	    "CPUs from NR_CPUS=256 to nr_cpu_ids=2.\n";
	struct kmsg_record r;

	CHECK_INT_EQ(kmsg_record_parse(rec, strlen(rec), &r, NULL), 0);
	CHECK_STR_EQ(r.text,
	    "rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.");
	CHECK(r.subsystem == NULL && r.device == NULL);
	kmsg_record_clear(&r);
	/* A backslash is itself escaped (\x5c); the newline is optional. */
	CHECK_INT_EQ(kmsg_record_parse("4,1,2,-;a\\x5cb", 14, &r, NULL), 0);
	CHECK_STR_EQ(r.text, "a\\b");
	CHECK_INT_EQ(r.facility, 0);
	CHECK_INT_EQ(r.level, 4);
	kmsg_record_clear(&r);
}

/*
 * Fields after the flag: more may come and must be ignored (dev-kmsg);
 * CONFIG_PRINTK_CALLER adds caller=T<pid> or caller=C<cpu>
 * (printk.c info_print_ext_header()).
 */
TEST(kmsg_record_extra_fields)
{
	static const char rec[] = "4,343,445814682,-,caller=T5894,x=1;"
	    "python3 invoked oom-killer: gfp_mask=0x100cca"
	    "(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n";
	struct kmsg_record r;

	CHECK_INT_EQ(kmsg_record_parse(rec, strlen(rec), &r, NULL), 0);
	CHECK_STR_EQ(r.caller, "T5894");
	CHECK_INT_EQ(r.seq, 343);
	CHECK(strncmp(r.text, "python3 invoked", 15) == 0);
	kmsg_record_clear(&r);
}

TEST(kmsg_record_malformed)
{
	struct kmsg_record r;
	char *cause = NULL;

	CHECK_INT_EQ(kmsg_record_parse("not a record\n", 13, &r, &cause),
	    -EINVAL);
	CHECK_STR_CONTAINS(cause, "malformed kmsg record 'not a record'");
	CHECK(r.text == NULL);
	CHECK_INT_EQ(kmsg_record_parse("6,1;x", 5, &r, &cause), -EINVAL);
	CHECK_INT_EQ(kmsg_record_parse("6,1,2,-", 7, &r, &cause), -EINVAL);
	free(cause);
}

/* The host's memcg OOM kill (dmesg of the build host), shortened. */
static const char host_oom_dmesg[] =
    "[  445.814682] python3 invoked oom-killer: gfp_mask=0x100cca"
    "(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"
    "[  445.814725] CPU: 0 UID: 0 PID: 5894 Comm: python3 Not tainted "
    "6.18.44-fc-v669 #1 PREEMPT(none) \n"
    "[  445.814752] Call Trace:\n"
    "[  445.815217]  <TASK>\n"
    "[  445.815288]  dump_stack_lvl+0x57/0x80\n"
    "[  445.816056]  dump_header+0x43/0x1c0\n"
    "[  445.816115]  oom_kill_process.cold+0x8/0x8a\n"
    "[  445.816118]  out_of_memory+0x214/0x500\n"
    "[  445.816635]  mem_cgroup_out_of_memory+0xc0/0x110\n"
    "[  445.817035]  ? alloc_pages_mpol+0x86/0x180\n"
    "[  445.817148]  filemap_fault+0x10e/0x1650\n"
    "[  445.818099] RIP: 0033:0x7fe8ffafb5df\n"
    "[  445.818204]  </TASK>\n"
    "[  445.818261] memory: usage 49152kB, limit 49152kB, failcnt 818107\n"
    "[  445.818265] Memory cgroup stats for /mmstorm-psi-capture:\n"
    "[  445.818305] cache 42516480\n"
    "[  445.818389] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
    "cpuset=/,mems_allowed=0,oom_memcg=/mmstorm-psi-capture,"
    "task_memcg=/mmstorm-psi-capture,task=python3,pid=5894,uid=0\n"
    "[  445.818412] Memory cgroup out of memory: Killed process 5894 "
    "(python3) total-vm:64916kB, anon-rss:7168kB, file-rss:1628kB, "
    "shmem-rss:41216kB, UID:0 pgtables:156kB oom_score_adj:0\n"
    "[  643.962716] process 20691 (mmstorm) no longer affine to cpu1\n"
    "[  644.004564] smpboot: CPU 1 is now offline\n";

TEST(kmsg_oom_kill_host)
{
	struct events e;
	char *sig;

	run_log(host_oom_dmesg, 0, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_OOM_KILL);
	CHECK_STR_EQ(e.v[0]->title,
	    "memory cgroup out of memory: killed python3");
	CHECK_INT_EQ(e.v[0]->ts_usec, 445814682);
	CHECK_INT_EQ(e.v[0]->cpu, 0);
	CHECK_INT_EQ(e.v[0]->line, 1);
	CHECK_INT_EQ(e.v[0]->panicked, 0);
	/* From the header to the kill, and nothing after it. */
	CHECK(strncmp(e.v[0]->text, "python3 invoked oom-killer", 26) == 0);
	CHECK_STR_CONTAINS(e.v[0]->text, "\nMemory cgroup out of memory: "
	    "Killed process 5894");
	CHECK(strstr(e.v[0]->text, "affine") == NULL);
	CHECK(strstr(e.v[0]->text, "[  445") == NULL);
	sig = kmsg_signature(KMSG_OOM_KILL, e.v[0]->title);
	CHECK_STR_EQ(e.v[0]->signature, sig);
	free(sig);
	events_free(&e);
}

/* The same report as raw /dev/kmsg records gives the same event. */
TEST(kmsg_oom_kill_host_records)
{
	struct buf b = BUF_INIT;
	struct events e, d;
	const char *p = host_oom_dmesg, *nl;
	unsigned long seq = 343;
	char *sig;

	/* "[  445.814682] text" -> "4,SEQ,445814682,-;text" */
	while ((nl = strchr(p, '\n')) != NULL) {
		buf_printf(&b, "4,%lu,%.3s%.6s,-;%.*s\n", seq++, p + 3, p + 7,
		    (int)(nl - p - 15), p + 15);
		p = nl + 1;
	}
	run_log(b.s, 0, &e);
	run_log(host_oom_dmesg, 0, &d);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->title, d.v[0]->title);
	CHECK_STR_EQ(e.v[0]->signature, d.v[0]->signature);
	CHECK_STR_EQ(e.v[0]->text, d.v[0]->text);
	CHECK_INT_EQ(e.v[0]->seq, 343);
	CHECK_INT_EQ(d.v[0]->seq, -1);
	sig = kmsg_signature(KMSG_OOM_KILL,
	    "memory cgroup out of memory: killed python3");
	CHECK_STR_EQ(e.v[0]->signature, sig);
	CHECK_INT_EQ(strlen(sig), 64);
	free(sig);
	events_free(&e);
	events_free(&d);
	buf_release(&b);
}

/*
 * Only the kernel's records count by default: anything may write to
 * /dev/kmsg (facility 1 = user), e.g. a test script echoing log lines.
 */
TEST(kmsg_facility_filter)
{
	static const char user_kill[] =
	    "11,428,445818412,-;Memory cgroup out of memory: Killed process "
	    "5894 (python3) total-vm:64916kB, anon-rss:7168kB, "
	    "file-rss:1628kB, shmem-rss:41216kB, UID:0 pgtables:156kB "
	    "oom_score_adj:0\n";
	struct kmsg_classifier *c;
	struct kmsg_record r;
	struct kmsg_stats st;
	struct events e;

	CHECK_INT_EQ(kmsg_record_parse(user_kill, strlen(user_kill), &r,
	    NULL), 0);
	CHECK_INT_EQ(r.facility, 1);
	CHECK_INT_EQ(r.level, 3);

	c = kmsg_classifier_new(0);
	kmsg_classifier_feed_record(c, &r, 0);
	kmsg_classifier_flush(c);
	e.n = 0;
	collect(c, &e);
	CHECK_INT_EQ(e.n, 0);
	kmsg_classifier_stats(c, &st);
	CHECK_INT_EQ(st.ignored, 1);
	CHECK_INT_EQ(st.lines, 0);
	kmsg_classifier_free(c);

	c = kmsg_classifier_new(KMSG_ALLOW_USER);
	kmsg_classifier_feed_record(c, &r, 7);
	kmsg_classifier_flush(c);
	collect(c, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_OOM_KILL);
	CHECK_INT_EQ(e.v[0]->seq, 428);
	CHECK_INT_EQ(e.v[0]->line, 7);
	events_free(&e);
	kmsg_classifier_free(c);
	kmsg_record_clear(&r);

	/* The same through saved kmsg and dmesg -r lines. */
	run_log(user_kill, 0, &e);
	CHECK_INT_EQ(e.n, 0);
	run_log("<11>[  445.818412] Memory cgroup out of memory: Killed "
	    "process 5894 (python3)\n", 0, &e);
	CHECK_INT_EQ(e.n, 0);
	run_log("<3>[  445.818412] Memory cgroup out of memory: Killed "
	    "process 5894 (python3)\n", 0, &e);
	CHECK_INT_EQ(e.n, 1);
	events_free(&e);
}

/*
 * 3.x kernels store a line printed in pieces as a 'c' record and '+'
 * records (dev-kmsg "flags"): the pieces make one line again.  Here the
 * host's OOM header, split where printk's pr_cont() would split it.
 */
TEST(kmsg_continuation_records)
{
	static const char *const recs[] = {
	    "4,343,445814682,c;python3 invoked oom-killer: ",
	    "4,344,445814682,+;gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), ",
	    "4,345,445814682,+;order=0, oom_score_adj=0",
	    "3,346,445818412,-;Memory cgroup out of memory: Killed process "
	    "5894 (python3) total-vm:64916kB",
	};
	struct kmsg_classifier *c = kmsg_classifier_new(0);
	struct kmsg_record r;
	struct events e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(recs); i++) {
		CHECK_INT_EQ(kmsg_record_parse(recs[i], strlen(recs[i]), &r,
		    NULL), 0);
		kmsg_classifier_feed_record(c, &r, i + 1);
		kmsg_record_clear(&r);
	}
	kmsg_classifier_flush(c);
	e.n = 0;
	collect(c, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK(has_start(e.v[0]->text, "python3 invoked oom-killer: gfp_mask="
	    "0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"));
	CHECK_INT_EQ(e.v[0]->line, 1);
	events_free(&e);
	kmsg_classifier_free(c);
}

/* ------------------------------------------------------------------ */
/* Saved-log lines. */

static void
parse(const char *s, struct kmsg_line *l)
{
	kmsg_line_parse(s, strlen(s), l);
}

TEST(kmsg_line_dmesg_and_console)
{
	struct kmsg_line l;

	parse("[  445.818412] smpboot: CPU 1 is now offline\n", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_DMESG);
	CHECK_INT_EQ(l.ts_usec, 445818412);
	CHECK_INT_EQ(l.facility, -1);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);

	/* Frame lines keep their indentation. */
	parse("[  445.815288]  dump_stack_lvl+0x57/0x80\r\n", &l);
	CHECK_STR_EQ(l.text, " dump_stack_lvl+0x57/0x80");
	kmsg_line_clear(&l);

	/* dmesg -r, console loglevel prefixes. */
	parse("<4>[    0.000000] Linux version 6.18.44-fc-v669", &l);
	CHECK_INT_EQ(l.level, 4);
	CHECK_INT_EQ(l.facility, 0);
	CHECK_INT_EQ(l.ts_usec, 0);
	kmsg_line_clear(&l);

	/* CONFIG_PRINTK_CALLER, and the CPU/PID context it gives. */
	parse("[  445.814725][ T5894] CPU: 0 UID: 0 PID: 5894 Comm: python3",
	    &l);
	CHECK_STR_EQ(l.caller, "T5894");
	CHECK_STR_EQ(l.text, "CPU: 0 UID: 0 PID: 5894 Comm: python3");
	CHECK_INT_EQ(l.cpu, 0);
	CHECK_INT_EQ(l.pid, 5894);
	kmsg_line_clear(&l);
	parse("[  445.818412][    C1] smpboot: CPU 1 is now offline", &l);
	CHECK_STR_EQ(l.caller, "C1");
	CHECK_INT_EQ(l.cpu, 1);
	CHECK_INT_EQ(l.pid, -1);
	kmsg_line_clear(&l);

	/* Serial console noise before the timestamp, colours, CRs. */
	parse("debian login: [  445.818412] smpboot: CPU 1 is now offline\r",
	    &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_DMESG);
	CHECK_INT_EQ(l.ts_usec, 445818412);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	parse("\033[0;32m  OK  \033[0m] Started foo", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_PLAIN);
	CHECK_STR_EQ(l.text, "  OK  ] Started foo");
	CHECK_INT_EQ(l.ts_usec, KMSG_NO_TS);
	kmsg_line_clear(&l);

	/* dmesg -x and dmesg -T. */
	parse("kern  :info  : [  445.818412] smpboot: CPU 1 is now offline",
	    &l);
	CHECK_INT_EQ(l.facility, 0);
	CHECK_INT_EQ(l.ts_usec, 445818412);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	parse("user  :notice: [  445.818412] hello", &l);
	CHECK_INT_EQ(l.facility, 1);
	kmsg_line_clear(&l);
	parse("[Fri Nov 21 21:46:12 2025] smpboot: CPU 1 is now offline", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_DMESG);
	CHECK_INT_EQ(l.ts_usec, KMSG_NO_TS);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
}

TEST(kmsg_line_journal)
{
	struct kmsg_line l;

	parse("Nov 21 21:46:12 vm kernel: smpboot: CPU 1 is now offline", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_JOURNAL);
	CHECK_INT_EQ(l.facility, 0);
	CHECK_INT_EQ(l.ts_usec, KMSG_NO_TS);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	parse("Nov  1 21:46:12 vm kernel:  dump_stack_lvl+0x57/0x80", &l);
	CHECK_STR_EQ(l.text, " dump_stack_lvl+0x57/0x80");
	kmsg_line_clear(&l);
	parse("Nov 21 21:46:12 vm systemd[1]: Started foo.service.", &l);
	CHECK_INT_EQ(l.facility, 1);
	kmsg_line_clear(&l);
	parse("2025-11-21T21:46:12.123456+00:00 vm kernel: smpboot: CPU 1 is "
	    "now offline", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_JOURNAL);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	/* journalctl -o short-monotonic */
	parse("[  445.818412] vm kernel: smpboot: CPU 1 is now offline", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_JOURNAL);
	CHECK_INT_EQ(l.ts_usec, 445818412);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	/* rsyslog keeps the kernel's timestamp inside the message. */
	parse("Nov 21 21:46:12 vm kernel: [  445.818412] smpboot: CPU 1 is "
	    "now offline", &l);
	CHECK_INT_EQ(l.ts_usec, 445818412);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
	parse("-- Boot 5d1f0a6c2b2a4b1a8e0e3c3f1d2e4f5a --", &l);
	CHECK_INT_EQ(l.boot, 1);
	kmsg_line_clear(&l);
}

TEST(kmsg_line_kmsg_and_plain)
{
	struct kmsg_line l;

	parse("6,89,201754,-;rcu: \\x09RCU restricting CPUs from NR_CPUS=256 "
	    "to nr_cpu_ids=2.\n", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_KMSG);
	CHECK_INT_EQ(l.seq, 89);
	CHECK_INT_EQ(l.ts_usec, 201754);
	CHECK_INT_EQ(l.level, 6);
	CHECK_STR_EQ(l.text,
	    "rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.");
	kmsg_line_clear(&l);
	parse("smpboot: CPU 1 is now offline", &l);
	CHECK_INT_EQ(l.format, KMSG_FORMAT_PLAIN);
	CHECK_INT_EQ(l.ts_usec, KMSG_NO_TS);
	CHECK_STR_EQ(l.text, "smpboot: CPU 1 is now offline");
	kmsg_line_clear(&l);
}

/* Dictionary lines of saved kmsg are not log lines. */
TEST(kmsg_saved_dictionary_skipped)
{
	static const char log[] =
	    "6,187,256265,-;acpi PNP0A08:00: _OSC: OS supports "
	    "[ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]\n"
	    " SUBSYSTEM=acpi\n"
	    " DEVICE=+acpi:PNP0A08:00\n";
	struct kmsg_classifier *c = kmsg_classifier_new(0);
	struct kmsg_stats st;
	const char *p = log, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		kmsg_classifier_feed_line(c, p, (size_t)(nl - p + 1), 0);
		p = nl + 1;
	}
	kmsg_classifier_stats(c, &st);
	CHECK_INT_EQ(st.lines, 1);
	kmsg_classifier_free(c);
}

/* ------------------------------------------------------------------ */
/* Frames and titles. */

TEST(kmsg_frame_parse)
{
	char f[128];
	int q;

	CHECK(kmsg_frame_parse(" dump_stack_lvl+0x57/0x80", f, sizeof f, &q));
	CHECK_STR_EQ(f, "dump_stack_lvl");
	CHECK_INT_EQ(q, 0);
	CHECK(kmsg_frame_parse(" ? alloc_pages_mpol+0x86/0x180", f, sizeof f,
	    &q));
	CHECK_STR_EQ(f, "alloc_pages_mpol");
	CHECK_INT_EQ(q, 1);
	CHECK(kmsg_frame_parse(" oom_kill_process.cold+0x8/0x8a", f, sizeof f,
	    &q));
	CHECK_STR_EQ(f, "oom_kill_process");
	/* A user-mode RIP names no kernel function. */
	CHECK(!kmsg_frame_parse("RIP: 0033:0x7fe8ffafb5df", f, sizeof f, &q));
	CHECK(!kmsg_frame_parse("Call Trace:", f, sizeof f, &q));
	CHECK(!kmsg_frame_parse(" <TASK>", f, sizeof f, &q));
	CHECK(!kmsg_frame_parse("memory: usage 49152kB, limit 49152kB", f,
	    sizeof f, &q));
}

TEST(kmsg_title_normalize)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "WARNING in foo+0x1f/0x2a", "WARNING in foo" },
		{ "kernel BUG at mm/memory.c:1234!",
		  "kernel BUG at mm/memory.c:LINE!" },
		{ "kernel panic: Attempted to kill init! exitcode=0x00000009",
		  "kernel panic: Attempted to kill init! exitcode=ADDR" },
		{ "BUG: soft lockup - CPU#3 stuck", "BUG: soft lockup - CPU stuck" },
		{ "a 12 b 0,1,2 c", "a NUM b NUM,NUM,NUM c" },
		{ "Killed process python3", "Killed process python3" },
		{ "at ffff8880352cddc0 x", "at ADDR x" },
		{ "  two   spaces\tand tab  ", "two spaces and tab" },
	};
	size_t i;
	char *t;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t = kmsg_title_normalize(cases[i].in);
		CHECK_STR_EQ(t, cases[i].out);
		free(t);
	}
	t = kmsg_title_normalize("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxx");
	CHECK_INT_EQ(strlen(t), 120);
	free(t);
}

/* A clean log has no events: the host's boot as it is. */
TEST(kmsg_clean_lines_no_events)
{
	struct events e;

	run_log("[    0.000000] Linux version 6.18.44-fc-v669 (builder@sandboxing)"
	    "\n[    0.201748] rcu: Preemptible hierarchical RCU implementation.\n"
	    "[    0.255251] PCI: Using host bridge windows from ACPI; if "
	    "necessary, use \"pci=nocrs\" and report a bug\n"
	    "[    0.362284] SGI XFS with ACLs, security attributes, no debug "
	    "enabled\n", 0, &e);
	CHECK_INT_EQ(e.n, 0);
}

/* ------------------------------------------------------------------ */
/* The Debian 6.1 guest logs (tests/fixtures/kmsg). */

/* Feed n bytes of a saved log (NULs and all) line by line. */
static void
run_bytes(const char *data, size_t len, int flags, struct events *e)
{
	struct kmsg_classifier *c = kmsg_classifier_new(flags);
	const char *p = data, *end = data + len, *nl;
	unsigned long n = 0;

	e->n = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		kmsg_classifier_feed_line(c, p, nl ? (size_t)(nl - p + 1) :
		    (size_t)(end - p), ++n);
		collect(c, e);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	kmsg_classifier_flush(c);
	collect(c, e);
	kmsg_classifier_free(c);
}

static char *
read_fixture(const char *name, size_t *len)
{
	char *path = xasprintf("kmsg/%s", name), *data = NULL, *cause = NULL;

	if (read_file(fixture(path), &data, len, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "fixture: %s", cause);
	free(path);
	return data;
}

static void
run_fixture(const char *name, struct events *e)
{
	size_t len;
	char *data = read_fixture(name, &len);

	run_bytes(data, len, 0, e);
	free(data);
}

/*
 * expected.tsv (see EXPECTED.md): "log n kind title header", one row per
 * event in order; kind "none" for a log without events.  Each log is
 * checked as S.console.log and, when the run has one, S.kmsg: the same
 * kinds and titles in the same order, and the report's header line in the
 * event's text.
 *
 * One documented difference: a "Kernel panic - not syncing" that a
 * report set off (softlockup_panic here) is part of that report's event,
 * which is marked panicked (kmsg.h), rather than an event of its own.  A
 * panic row is therefore also met by the event before it when that event
 * panicked and holds the panic's header.
 */
struct expected_row {
	char *log, *kind, *title, *header;
};

static void
check_log_file(const char *file, struct expected_row *rows, size_t n,
    struct buf *bad)
{
	struct events e;
	size_t i;
	int j = 0;

	run_fixture(file, &e);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].kind, "panic") == 0 && j > 0 &&
		    e.v[j - 1]->panicked &&
		    strstr(e.v[j - 1]->text, rows[i].header) != NULL)
			continue;
		if (j == e.n) {
			buf_printf(bad, "\n%s: missing %s\t%s", file,
			    rows[i].kind, rows[i].title);
			continue;
		}
		if (strcmp(e.v[j]->kind, rows[i].kind) != 0 ||
		    strcmp(e.v[j]->title, rows[i].title) != 0)
			buf_printf(bad, "\n%s: event %d is %s\t%s, want "
			    "%s\t%s", file, j + 1, e.v[j]->kind,
			    e.v[j]->title, rows[i].kind, rows[i].title);
		else if (strstr(e.v[j]->text, rows[i].header) == NULL)
			buf_printf(bad, "\n%s: event %d lacks its header '%s'",
			    file, j + 1, rows[i].header);
		j++;
	}
	for (; j < e.n; j++)
		buf_printf(bad, "\n%s: extra event %s\t%s", file,
		    e.v[j]->kind, e.v[j]->title);
	events_free(&e);
}

TEST(kmsg_fixtures_expected)
{
	struct buf bad = BUF_INIT;
	char *tsv = read_fixture("expected.tsv", NULL), *line, *save = NULL;
	struct expected_row rows[512];
	size_t nrows = 0, i, k, n;
	int logs = 0, files = 0;
	char *file;

	for (line = strtok_r(tsv, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL;

		if (line[0] == '#' || strncmp(line, "log\t", 4) == 0 ||
		    nrows == ARRAY_SIZE(rows))
			continue;
		rows[nrows].log = strtok_r(line, "\t", &s2);
		(void)strtok_r(NULL, "\t", &s2);        /* n */
		rows[nrows].kind = strtok_r(NULL, "\t", &s2);
		rows[nrows].title = strtok_r(NULL, "\t", &s2);
		rows[nrows].header = strtok_r(NULL, "\t", &s2);
		CHECK(rows[nrows].header != NULL);
		nrows++;
	}
	for (i = 0; i < nrows; i += n) {
		/* The rows of one log are together. */
		for (n = 1; i + n < nrows &&
		    strcmp(rows[i + n].log, rows[i].log) == 0; n++)
			;
		k = strcmp(rows[i].kind, "none") == 0 ? 0 : n;
		file = xasprintf("kmsg/%s.console.log", rows[i].log);
		CHECK(access(fixture(file), R_OK) == 0);
		check_log_file(file + 5, rows + i, k, &bad);
		files++;
		free(file);
		file = xasprintf("kmsg/%s.kmsg", rows[i].log);
		if (access(fixture(file), R_OK) == 0) {
			check_log_file(file + 5, rows + i, k, &bad);
			files++;
		}
		free(file);
		logs++;
	}
	free(tsv);
	if (bad.len > 0)
		unit_fail(__FILE__, __LINE__, "fixtures differ:%s", bad.s);
	CHECK(logs >= 15);
	CHECK(files >= 30);
}

/* A clean boot, from the console and from /dev/kmsg: nothing. */
TEST(kmsg_fixture_clean_boot)
{
	struct events e;

	run_fixture("clean-boot.console.log", &e);
	CHECK_INT_EQ(e.n, 0);
	run_fixture("clean-boot.kmsg", &e);
	CHECK_INT_EQ(e.n, 0);
}

/* Report boundaries and fields of one report of each family. */
TEST(kmsg_fixture_soft_lockup)
{
	struct events e;
	const char *t;

	run_fixture("softlockup.console.log", &e);
	CHECK(e.n >= 1);
	for (int i = 0; i < e.n; i++) {
		if (strcmp(e.v[i]->kind, KMSG_SOFT_LOCKUP) != 0)
			continue;
		t = e.v[i]->text;
		CHECK(has_start(t, "watchdog: BUG: soft lockup - CPU#1 stuck"));
		CHECK_STR_EQ(e.v[i]->title,
		    "BUG: soft lockup in mmstorm_inject_softlockup_fn");
		CHECK_INT_EQ(e.v[i]->cpu, 1);
		CHECK(e.v[i]->ts_usec != KMSG_NO_TS && e.v[i]->ts_usec > 0);
		CHECK(strlen(t) > 7 &&
		    strcmp(t + strlen(t) - 7, "</TASK>") == 0);
		CHECK(strstr(t, "mmstorm-init") == NULL);
		events_free(&e);
		return;
	}
	unit_fail(__FILE__, __LINE__, "no soft lockup in softlockup.console.log");
}

/*
 * A report that differs only in what varies between runs and machines --
 * PIDs, CPU numbers, addresses, offsets, durations, timestamps -- keeps
 * its title and signature.  The variant is made here from the real log.
 */
static char *
mutate(const char *s)
{
	static const char *const bump[] = {
		"CPU#", "CPU: ", "PID: ", "pid:", "for ", "cpu ", "CPU",
	};
	struct buf b = BUF_INIT;
	const char *p = s;
	size_t i, n;

	while (*p != '\0') {
		/* 64-bit addresses and registers: rotate their digits. */
		for (n = 0; isxdigit((unsigned char)p[n]); n++)
			;
		if (n >= 12 && (p == s || !isalnum((unsigned char)p[-1]))) {
			for (i = 0; i < n; i++)
				buf_addc(&b, p[i] == 'f' ? '0' : p[i] == '9' ?
				    'a' : isdigit((unsigned char)p[i]) ||
				    (p[i] >= 'a' && p[i] < 'f') ? p[i] + 1 :
				    p[i]);
			p += n;
			continue;
		}
		/* func+0x31/0x50: another build, other offsets. */
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x') {
			buf_adds(&b, "+0x7");
			p += 3;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(bump); i++) {
			n = strlen(bump[i]);
			if (strncmp(p, bump[i], n) == 0 &&
			    isdigit((unsigned char)p[n]))
				break;
		}
		if (i < ARRAY_SIZE(bump)) {
			buf_add(&b, p, n);
			p += n;
			buf_printf(&b, "%ld", strtol(p, (char **)&p, 10) + 2);
			continue;
		}
		buf_addc(&b, *p++);
	}
	return buf_detach(&b);
}

TEST(kmsg_title_stable_across_runs)
{
	static const char *const logs[] = {
		"softlockup.console.log", "rcustall.console.log",
		"hungtask.kmsg", "warning.console.log", "bug.console.log",
		"nullderef.console.log", "gpf.kmsg", "badpage.console.log",
	};
	struct events a, b;
	size_t i, len;
	char *data, *other;
	int j;

	for (i = 0; i < ARRAY_SIZE(logs); i++) {
		data = read_fixture(logs[i], &len);
		other = mutate(data);
		CHECK(strcmp(data, other) != 0);
		run_bytes(data, strlen(data), 0, &a);
		run_bytes(other, strlen(other), 0, &b);
		CHECK(a.n > 0);
		CHECK_INT_EQ(a.n, b.n);
		for (j = 0; j < a.n; j++) {
			CHECK_STR_EQ(a.v[j]->kind, b.v[j]->kind);
			CHECK_STR_EQ(a.v[j]->title, b.v[j]->title);
			CHECK_STR_EQ(a.v[j]->signature, b.v[j]->signature);
			/* ... while the text still tells the runs apart. */
			CHECK(strcmp(a.v[j]->text, b.v[j]->text) != 0);
		}
		events_free(&a);
		events_free(&b);
		free(data);
		free(other);
	}
}

/*
 * Hard lockups need an NMI watchdog, which a TCG guest lacks, so no
 * fixture has one.  What the kernel prints for one (watchdog_hld.c:
 * pr_emerg("Watchdog detected hard LOCKUP on cpu %d\n"), then the regs and
 * stack of the CPU that spins with irqs off, then with hardlockup_panic
 * nmi_panic(regs, "Hard LOCKUP")) is made here from the rcustall run: its
 * NMI backtrace is exactly such a CPU, spinning with irqs off.
 */
static char *
rcustall_backtrace(void)
{
	size_t len;
	char *data = read_fixture("rcustall.console.log", &len);
	char *from = strstr(data, "NMI backtrace for cpu 1");
	char *to = from != NULL ? strstr(from, "</TASK>") : NULL;
	char *nl, *out;

	CHECK(from != NULL && to != NULL);
	/* Back to the start of the line, forward past its end. */
	while (from > data && from[-1] != '\n')
		from--;
	nl = strchr(to, '\n');
	out = xstrndup(from, (size_t)((nl != NULL ? nl + 1 : to + 7) - from));
	free(data);
	return out;
}

TEST(kmsg_hard_lockup_derived)
{
	char *bt = rcustall_backtrace(), *log, *body, ts[32];
	struct events e;

	/* The backtrace's own "[   29.412404] " stamps the new lines. */
	snprintf(ts, sizeof ts, "%.*s", (int)(strchr(bt, ']') - bt + 2), bt);
	body = strchr(bt, '\n') + 1;

	/* Header instead of "NMI backtrace for cpu 1". */
	log = xasprintf("%sNMI watchdog: Watchdog detected hard LOCKUP on "
	    "cpu 1\n%s", ts, body);
	run_log(log, 0, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_HARD_LOCKUP);
	CHECK_STR_EQ(e.v[0]->title,
	    "BUG: hard lockup in mmstorm_inject_rcustall_fn");
	CHECK_INT_EQ(e.v[0]->cpu, 1);
	CHECK_INT_EQ(e.v[0]->panicked, 0);
	events_free(&e);
	free(log);

	/* hardlockup_panic=1: the panic is part of the lockup's event. */
	log = xasprintf("%sNMI watchdog: Watchdog detected hard LOCKUP on "
	    "cpu 1\n%s%sKernel panic - not syncing: Hard LOCKUP\n", ts, body,
	    ts);
	run_log(log, 0, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_HARD_LOCKUP);
	CHECK_INT_EQ(e.v[0]->panicked, 1);
	CHECK_STR_CONTAINS(e.v[0]->text, "\nKernel panic - not syncing: Hard");
	events_free(&e);
	free(log);

	/* Only the panic survived (its header lost): still a hard lockup. */
	log = xasprintf("%sKernel panic - not syncing: Hard LOCKUP\n%s", ts,
	    body);
	run_log(log, 0, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_HARD_LOCKUP);
	CHECK_STR_EQ(e.v[0]->title,
	    "BUG: hard lockup in mmstorm_inject_rcustall_fn");
	CHECK_INT_EQ(e.v[0]->panicked, 1);
	events_free(&e);
	free(log);
	free(bt);
}

/*
 * No scenario stalls a workqueue pool.  The header is the kernel's
 * (workqueue.c wq_watchdog_timer_fn(): "BUG: workqueue lockup - pool",
 * pr_cont_pool_info(), " stuck for %us!"); lines after it are the clean
 * boot's.  Pools reported by one watchdog pass make one event.
 */
TEST(kmsg_workqueue_lockup)
{
	struct events e;

	run_log("[   40.000001] BUG: workqueue lockup - pool cpus=1 node=0 "
	    "flags=0x0 nice=0 stuck for 31s!\n"
	    "[   40.000002] BUG: workqueue lockup - pool cpus=2 node=1 "
	    "flags=0x0 nice=0 stuck for 31s!\n"
	    "[   40.000003] Showing busy workqueues and worker pools:\n"
	    "[   41.000000] x86/mm: Checked W+X mappings: passed, no W+X pages "
	    "found.\n", 0, &e);
	CHECK_INT_EQ(e.n, 1);
	CHECK_STR_EQ(e.v[0]->kind, KMSG_WORKQUEUE_LOCKUP);
	CHECK_STR_EQ(e.v[0]->title, "BUG: workqueue lockup");
	CHECK_STR_CONTAINS(e.v[0]->text, "cpus=2 node=1");
	CHECK_STR_CONTAINS(e.v[0]->text, "Showing busy workqueues");
	CHECK(strstr(e.v[0]->text, "W+X") == NULL);
	events_free(&e);
}

/*
 * With CONFIG_PRINTK_CALLER ("[  T123]"/"[    C1]") the lines of two
 * reports printed at once can alternate; the caller ids keep them apart.
 * Built from the two soft lockups of the softlockup-2cpu run.
 */
TEST(kmsg_interleaved_callers)
{
	size_t len;
	char *data = read_fixture("softlockup-2cpu.console.log", &len);
	char *a = strstr(data, "BUG: soft lockup - CPU#"), *b, *p, *q;
	struct buf out = BUF_INIT;
	const char *ra, *rb;
	struct events e;
	char ca[16], cb[16];
	int i;

	CHECK(a != NULL);
	b = strstr(a + 1, "BUG: soft lockup - CPU#");
	CHECK(b != NULL);
	CHECK(a[23] != b[23]);
	snprintf(ca, sizeof ca, "[    C%c] ", a[23]);
	snprintf(cb, sizeof cb, "[    C%c] ", b[23]);
	while (a > data && a[-1] != '\n')
		a--;
	while (b > data && b[-1] != '\n')
		b--;
	/* Alternate line by line until each report's </TASK>. */
	ra = a;
	rb = b;
	for (i = 0; ra != NULL || rb != NULL; i++) {
		const char **r = i % 2 ? &rb : &ra;
		const char *tag = i % 2 ? cb : ca;

		if (*r == NULL)
			continue;
		p = strchr(*r, ']');
		q = strchr(*r, '\n');
		CHECK(p != NULL && q != NULL);
		/* "[   12.3]" + "[    C1]" + " text" */
		buf_add(&out, *r, (size_t)(p + 1 - *r));
		buf_add(&out, tag, strlen(tag) - 1);
		buf_add(&out, p + 1, (size_t)(q + 1 - (p + 1)));
		*r = memmem(*r, (size_t)(q - *r), "</TASK>", 7) != NULL ?
		    NULL : q + 1;
	}
	run_log(out.s, 0, &e);
	CHECK_INT_EQ(e.n, 2);
	for (i = 0; i < 2; i++) {
		CHECK_STR_EQ(e.v[i]->kind, KMSG_SOFT_LOCKUP);
		CHECK_STR_EQ(e.v[i]->title,
		    "BUG: soft lockup in mmstorm_inject_softlockup_fn");
		CHECK(strstr(strstr(e.v[i]->text, "\n") + 1,
		    "BUG: soft lockup") == NULL);
	}
	CHECK(e.v[0]->cpu != e.v[1]->cpu);
	events_free(&e);
	buf_release(&out);
	free(data);
}
