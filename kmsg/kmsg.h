/*
 * kmsg.h - kernel log records, saved logs, and the report classifier.
 *
 * Three layers, each usable alone:
 *
 *  1. kmsg_record_parse(): one /dev/kmsg record as the kernel documents it
 *     (Documentation/ABI/testing/dev-kmsg):
 *         "prio,seq,ts_usec,flag[,more];text\n" [" KEY=value\n" ...]
 *     facility = prio >> 3, level = prio & 7, \xNN escapes decoded.
 *
 *  2. kmsg_line_parse(): one line of a saved log, its format detected per
 *     line: raw kmsg records, dmesg / serial console ("[   12.345678] text",
 *     with "<N>" levels, "[  T123]" / "[    C1]" caller ids, leading noise,
 *     carriage returns, ANSI colours), dmesg -x / -T, journalctl -k
 *     ("Nov 21 12:00:00 host kernel: text", short-iso, short-monotonic),
 *     and plain lines without any prefix.
 *
 *  3. struct kmsg_classifier: fed lines or records in order, it finds the
 *     start of each report (soft/hard lockup, RCU stall, hung task,
 *     workqueue lockup, oops, BUG, WARNING, bad page, OOM kill, panic,
 *     and what debug kernels print: KASAN/KFENCE/KMSAN, KCSAN, UBSAN,
 *     lockdep, kmemleak; see docs/kmsg.md),
 *     gathers the report's lines, and hands back one struct kmsg_event per
 *     report with a syzkaller-style title whose variable parts (PIDs, CPU
 *     numbers, addresses, durations, line numbers) are normalised away,
 *     and a signature = sha256(kind "\n" title) that groups the same bug
 *     across runs, machines and kernel builds.
 *
 * Choices (see also classifier.c, frame.c and title.c):
 *  - One event per report.  A "Kernel panic - not syncing" that follows a
 *    report (softlockup_panic, hardlockup_panic, panic_on_oops/warn,
 *    hung_task_panic, panic_on_rcu_stall, OOM) belongs to that report and
 *    sets its `panicked` flag; only a panic with no report before it is a
 *    `panic` event ("kernel panic: REASON"), except "Hard LOCKUP" and
 *    "softlockup: hung tasks" whose headers were lost: those are
 *    hard_lockup / soft_lockup events titled from the panic's stack.
 *  - "BUG: Bad page state|map|cache", "BUG: Bad rss-counter state" and
 *    "BUG: non-zero pgtables_bytes|nr_ptes|nr_pmds on freeing mm" are kind
 *    bad_page (DESIGN.md lists bad page state and rss-counter together).
 *  - Consecutive rss-counter lines of one mm, and workqueue lockups of
 *    several pools found by one watchdog pass, make one event each.
 *  - Titles follow syzkaller (google/syzkaller pkg/report/linux.go), see
 *    ../shared/reference/lockups_bisect.md.  syzkaller has none for hard
 *    lockups ("BUG: hard lockup in F", like soft lockups) nor OOM kills
 *    ("out of memory: killed COMM", "memory cgroup out of memory: killed
 *    COMM", as tests/fixtures/kmsg/EXPECTED.md proposes).
 *  - Deviations from syzkaller, all for stable titles: "? " frames are
 *    used when a stack has no other frame (a running task dumped from
 *    another CPU); RCU's own frames are skipped by the word "rcu", not the
 *    substring (syzkaller's "rcu" also drops e.g. *_rcustall_fn); with
 *    several stalled CPUs in one RCU report, the title comes from the
 *    first CPU's stack, the one the others wait for.
 *  - Record flags: '+' records (3.x) are joined to the 'c' record before
 *    them; a 'c' record that nothing joins (6.x stores an unmergeable
 *    pr_cont() so, e.g. RCU's "	(t=1751 jiffies ...)") is its own line,
 *    as the console prints it.
 *
 * Library rules: nothing here prints or exits; allocation failure aborts
 * (util.h).
 */
#ifndef MMSTORM_KMSG_H
#define MMSTORM_KMSG_H

#include <stddef.h>
#include <stdint.h>

/* ts_usec of a line or event whose log carried no monotonic timestamp. */
#define KMSG_NO_TS UINT64_MAX

/* Bound on an event's text; the rest of a longer report is dropped. */
#define KMSG_TEXT_MAX (64 * 1024)

/* The event kinds this file produces (DESIGN.md section 4). */
#define KMSG_SOFT_LOCKUP      "soft_lockup"
#define KMSG_HARD_LOCKUP      "hard_lockup"
#define KMSG_RCU_STALL        "rcu_stall"
#define KMSG_HUNG_TASK        "hung_task"
#define KMSG_WORKQUEUE_LOCKUP "workqueue_lockup"
#define KMSG_OOPS             "oops"
#define KMSG_BUG              "bug"
#define KMSG_WARNING          "warning"
#define KMSG_BAD_PAGE         "bad_page"
#define KMSG_OOM_KILL         "oom_kill"
#define KMSG_PANIC            "panic"
/* Debug-kernel reports (docs/kmsg.md): sanitizers, lockdep, kmemleak. */
#define KMSG_KASAN            "kasan"        /* KASAN, KFENCE, KMSAN */
#define KMSG_UBSAN            "ubsan"
#define KMSG_LOCKDEP          "lockdep"
#define KMSG_MEMORY_LEAK      "memory_leak"  /* kmemleak */
#define KMSG_DATA_RACE        "data_race"    /* KCSAN */

/* One /dev/kmsg record. */
struct kmsg_record {
	int facility;           /* prio >> 3; 0 is the kernel */
	int level;              /* prio & 7 */
	uint64_t seq;
	uint64_t ts_usec;       /* CLOCK_MONOTONIC at printk time */
	char flag;              /* '-', 'c' (fragment), '+' (continues) */
	char caller[16];        /* "T123" / "C1" (CONFIG_PRINTK_CALLER) or "" */
	char *text;             /* unescaped; '\n' separates the lines of a
				   multi-line message; no trailing newline */
	char *subsystem;        /* SUBSYSTEM= dictionary value, or NULL */
	char *device;           /* DEVICE= dictionary value, or NULL */
};

/*
 * Parse one record: buf holds what one read() of /dev/kmsg returned (the
 * header line and any dictionary lines).  Returns 0, or -EINVAL with
 * *cause set; rec is then empty.  kmsg_record_clear() frees and empties.
 */
int kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *rec,
    char **cause);
void kmsg_record_clear(struct kmsg_record *);

enum kmsg_format {
	KMSG_FORMAT_PLAIN,      /* no recognised prefix */
	KMSG_FORMAT_DMESG,      /* dmesg, serial console, pstore */
	KMSG_FORMAT_JOURNAL,    /* journalctl */
	KMSG_FORMAT_KMSG,       /* a raw /dev/kmsg record line */
};

/* One line of a saved log, prefix taken apart. */
struct kmsg_line {
	enum kmsg_format format;
	uint64_t ts_usec;       /* KMSG_NO_TS when the line has none */
	int facility;           /* -1 when the format does not say */
	int level;              /* -1 when the format does not say */
	int64_t seq;            /* kmsg records only, else -1 */
	char flag;              /* kmsg records only, else '-' */
	char caller[16];        /* "T123" / "C1" when printed, else "" */
	int cpu;                /* from "[ C1]" or a "CPU: N PID:" line, or -1 */
	int pid;                /* from "[ T1]" or a "CPU: N PID:" line, or -1 */
	int boot;               /* the line marks a new boot (journal "-- Boot") */
	char *text;             /* the message, no prefix, CR/LF/ANSI removed */
};

/* Never fails; kmsg_line_clear() frees the text. */
void kmsg_line_parse(const char *line, size_t len, struct kmsg_line *);
void kmsg_line_clear(struct kmsg_line *);

/* One classified report. */
struct kmsg_event {
	const char *kind;       /* one of KMSG_* above (static) */
	char *title;            /* syzkaller-style, normalised */
	char *signature;        /* sha256 hex of kind "\n" title */
	char *text;             /* the report's lines, prefixes stripped */
	uint64_t ts_usec;       /* of the report's first line, or KMSG_NO_TS */
	int cpu;                /* the CPU the report is about, or -1 */
	int64_t seq;            /* kmsg seq of the first line, or -1 */
	unsigned long line;     /* input line of the report's header, or 0 */
	int panicked;           /* a kernel panic followed and belongs to it */
	int truncated;          /* text hit KMSG_TEXT_MAX */
	int corrupted;          /* the stack the title needs is cut,
				   interleaved or missing: not for grouping */
};

void kmsg_event_free(struct kmsg_event *);

/* kmsg_classifier_new() flags. */
#define KMSG_ALLOW_USER 0x1     /* classify records of facility != 0 too */

struct kmsg_classifier;

struct kmsg_classifier *kmsg_classifier_new(int flags);
void kmsg_classifier_free(struct kmsg_classifier *);

/*
 * Feed input in log order.  lineno is where the input came from (a line
 * of a file), reported back as kmsg_event.line; 0 when meaningless.
 * feed_line() takes any line of a saved log (format detected per line;
 * kmsg dictionary lines after a record are skipped).  Finished reports
 * queue up for kmsg_classifier_next().
 */
void kmsg_classifier_feed_record(struct kmsg_classifier *,
    const struct kmsg_record *, unsigned long lineno);
void kmsg_classifier_feed_line(struct kmsg_classifier *, const char *line,
    size_t len, unsigned long lineno);

/*
 * A report may go on for a while (syzkaller waits 10 s for the rest).
 * expire() finishes reports whose last line is older than 10 s at now_usec
 * (a CLOCK_MONOTONIC time in the log's clock); flush() finishes all of
 * them (end of input).
 */
void kmsg_classifier_expire(struct kmsg_classifier *, uint64_t now_usec);
void kmsg_classifier_flush(struct kmsg_classifier *);

/* The next finished event (caller frees), or NULL. */
struct kmsg_event *kmsg_classifier_next(struct kmsg_classifier *);

/* Counters, for callers that report what was read. */
struct kmsg_stats {
	unsigned long lines;    /* kernel lines classified */
	unsigned long ignored;  /* user-facility or noise lines skipped */
	unsigned long events;   /* events produced */
};
void kmsg_classifier_stats(const struct kmsg_classifier *,
    struct kmsg_stats *);

/*
 * A stored event's text (its report's lines, prefixes stripped, as
 * kmsg_event.text holds them) classified again: 0 and the first report's
 * kind (static), title and signature (caller frees both), or -ENOENT when
 * the text holds no report.  `mmstorm lockups --retitle` uses it so that
 * events stored by an older classifier group with new ones.
 */
struct kmsg_retitled {
	const char *kind;
	char *title;
	char *signature;
	int corrupted;
};
int kmsg_retitle(const char *text, struct kmsg_retitled *out);
/* The first event of a whole log (caller frees) and, in *n, how many. */
struct kmsg_event *kmsg_first_event(const char *text, int *n);

/*
 * Pieces exposed for tests and for the daemon.
 *
 * kmsg_frame_parse(): when line (prefix stripped) is a stack frame
 * ("  func+0x1/0x2 [mod]", " ? func+0x..", "[<ffff..>] func+0x..", arm's
 * "[<a>] (func) from [<b>] (..)", powerpc's "[c..] [c..] .func+0x..") or
 * an exception site ("RIP: 0010:func+0x..", "pc : ", "PC is at ", "NIP ",
 * "Krnl PSW : .. (func+0x..)", "epc : "), copies the cleaned function
 * name into out (offsets, .cold/.isra suffixes, ppc64's dot, module
 * dropped; one syscall-wrapper prefix taken off as syzkaller does:
 * __x64_sys_read is sys_read, __do_sys_openat2 is openat2) and returns
 * 1; *questionable is set for "? " and "(unreliable)" frames.  Else 0.
 */
int kmsg_frame_parse(const char *line, char *out, size_t outsz,
    int *questionable);
/* syzkaller's title normalisation (ADDR, NUM, LINE, CPU#); allocated. */
char *kmsg_title_normalize(const char *title);
/* sha256 hex of kind "\n" title; allocated. */
char *kmsg_signature(const char *kind, const char *title);

#endif
