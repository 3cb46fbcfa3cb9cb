/*
 * header.c - what a line of a report is (line classes), and which lines
 * start a report (headers).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

/* ------------------------------------------------------------------ */
/* Line classes: what a line inside or after a report is. */


/* "RAX: 0000000000000000", "CS:  0010", "CR2: ...", "PKRU: 55555554" */
static int
is_regs(const char *t)
{
	const char *p = skip_blanks(t), *q;
	size_t n = 0;

	if (has_prefix(p, "Code: ") || has_prefix(p, "RIP: ") ||
	    has_prefix(p, "pc : ") || has_prefix(p, "lr : ") ||
	    has_prefix(p, "sp : ") || has_prefix(p, "pstate: "))
		return 1;
	/* arm64 "x29: ffff.." */
	if (p[0] == 'x' && isdigit((unsigned char)p[1]))
		for (q = p + 1; isdigit((unsigned char)*q); q++)
			if (q[1] == ':')
				return 1;
	/* arm's unwinder between frames: " r7:80813f4c r6:.." (not "r8169:") */
	if (p[0] == 'r' && isdigit((unsigned char)p[1])) {
		for (q = p + 1; isdigit((unsigned char)*q) && q < p + 3; q++)
			;
		for (n = 0; *q == ':' && isxdigit((unsigned char)q[1 + n]); n++)
			;
		if (n == 8)
			return 1;
	}
	while (isupper((unsigned char)p[n]) || isdigit((unsigned char)p[n]) ||
	    p[n] == '_')
		n++;
	if (n < 2 || n > 8 || p[n] != ':')
		return 0;
	q = skip_blanks(p + n + 1);
	for (n = 0; isdigit((unsigned char)q[n]) ||
	    (q[n] >= 'a' && q[n] <= 'f'); n++)
		;
	/* "FS:  0000000000000000(0000) GS:..." */
	return n >= 4 && (q[n] == '\0' || q[n] == ' ' || q[n] == ':' ||
	    q[n] == '(');
}

enum lclass
kmsg_line_class(const char *t)
{
	static const char *const info[] = {
		"Hardware name:", "Modules linked in:", "Workqueue:",
		"Kernel Offset:", "irq event stamp:", "hardirqs last",
		"softirqs last", "note: ", "Disabling lock debugging",
		"Fixing recursive fault", "Rebooting in ", "Shutting down cpus",
		"#PF: ", "PGD ", "Oops: ", "invalid opcode: ", "Dumping ftrace",
		"(ftrace buffer empty)", "Stack:", "Call trace:", "---[ ",
		"Tainted: ", "Not tainted", "Kernel panic - not syncing",
		"CR2: ", "Unloaded tainted modules:", "Internal error:",
		"Showing all locks held", "Mem abort info:", "Data abort info:",
		"ESR = ", "EC = ", "FSC = ", "SET = ", "CM = ", "WnR = ",
		"user pgtable:", "[0000000000000000] pgd=",
		/* Printed from the NMI path between two CPUs' backtraces. */
		"INFO: NMI handler (",
		NULL,
	};
	const char *p = skip_blanks(t);
	char sym[FRAME_MAX];
	int q, cpu, pid;
	size_t i;

	if (*p == '\0')
		return LC_BLANK;
	if (has_prefix(p, "---[ end trace"))
		return LC_END_TRACE;
	if (has_prefix(p, "---[ end Kernel panic"))
		return LC_END_PANIC;
	if (has_prefix(p, "Call Trace:") || has_prefix(p, "Call trace:") ||
	    has_prefix(p, "Backtrace:"))
		return LC_CALL_TRACE;
	if (strcmp(p, "</TASK>") == 0)
		return LC_TASK_END;
	if (strcmp(p, "<TASK>") == 0 || strcmp(p, "<IRQ>") == 0 ||
	    strcmp(p, "<NMI>") == 0 || strcmp(p, "<SOFTIRQ>") == 0 ||
	    strcmp(p, "<#DF>") == 0)
		return LC_MARK_OPEN;
	if (strcmp(p, "</IRQ>") == 0 || strcmp(p, "</NMI>") == 0 ||
	    strcmp(p, "</SOFTIRQ>") == 0 || strcmp(p, "<EOI>") == 0 ||
	    strcmp(p, "</#DF>") == 0)
		return LC_MARK_CLOSE;
	if (kmsg_parse_cpu_line(p, &cpu, &pid))
		return LC_CPU;
	if (has_prefix(p, "task:") || has_prefix(p, "Task dump for CPU"))
		return LC_TASK;
	if (has_prefix(p, "NMI backtrace for cpu") ||
	    has_prefix(p, "Sending NMI from CPU"))
		return LC_NMI;
	if (kmsg_frame_symbol(t, sym, sizeof sym, &q))
		return LC_FRAME;
	if (is_regs(t))
		return LC_REGS;
	for (i = 0; info[i] != NULL; i++)
		if (has_prefix(p, info[i]))
			return LC_INFO;
	return LC_OTHER;
}


/* ------------------------------------------------------------------ */
/* Report headers. */




/*
 * Text after one leading subsystem prefix of one or two words, as pr_fmt()
 * adds them: "watchdog: ", "NMI watchdog: ", "rcu: ", "Oops: ".
 */
static const char *
after_prefix(const char *t)
{
	const char *p = t;
	int words = 0;

	while (words < 2) {
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return NULL;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
		    *p == '.')
			p++;
		words++;
		if (p[0] == ':' && p[1] == ' ')
			return p + 2;
		if (*p != ' ')
			return NULL;
		p++;
	}
	return NULL;
}

/* s at the start of t, or right after its subsystem prefix. */
static const char *
header_at(const char *t, const char *after, const char *s)
{
	if (has_prefix(t, s))
		return t;
	if (after != NULL && has_prefix(after, s))
		return after;
	return NULL;
}

static int
number_after(const char *t, const char *key)
{
	const char *p = strstr(t, key);
	int v;

	if (p == NULL)
		return -1;
	p += strlen(key);
	return take_int(&p, &v) == 0 ? v : -1;
}

static int
rcu_stall_header(const char *p)
{
	if (p == NULL || !has_prefix(p, "INFO: rcu_"))
		return 0;
	p += 10;
	while (islower((unsigned char)*p) || *p == '_')
		p++;
	return has_prefix(p, " self-detected stall") ||
	    has_prefix(p, " detected stall") ||
	    has_prefix(p, " detected expedited stall");
}

/* The lockdep and other WARNINGs that carry no "at file:line func". */
const char *const kmsg_warning_lockdep[] = {
	"WARNING: possible circular locking dependency detected",
	"WARNING: possible recursive locking detected",
	"WARNING: possible irq lock inversion dependency detected",
	"WARNING: inconsistent lock state",
	"WARNING: suspicious RCU usage",
	"WARNING: bad unlock balance detected!",
	"WARNING: held lock freed!",
	"WARNING: lock held when returning to user space!",
	"WARNING: Nested lock was not taken",
	"WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected",
	"WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
	NULL,
};

static int
warning_header(const char *p)
{
	const char *q;
	size_t i;

	if (p == NULL || !has_prefix(p, "WARNING: "))
		return 0;
	q = p + 9;
	if (has_prefix(q, "CPU: ") || has_prefix(q, "at ") ||
	    has_prefix(q, "kernel stack regs at ") ||
	    has_prefix(q, "kernel stack frame pointer at "))
		return 1;
	/* 6.19: "WARNING: [cond] io_uring/io_uring.c:3026 at func+0x.." */
	if (*q == '[' && (q = strstr(q, "] ")) != NULL)
		q += 2;
	else
		q = p + 9;
	/* 6.12+: "WARNING: mm/foo.c:12 at func+0x1/0x2, CPU#0: comm/1" */
	while (*q != '\0' && *q != ' ' && *q != ':')
		q++;
	if (*q == ':' && isdigit((unsigned char)q[1])) {
		for (q++; isdigit((unsigned char)*q); q++)
			;
		if (has_prefix(q, " at "))
			return 1;
	}
	for (i = 0; kmsg_warning_lockdep[i] != NULL; i++)
		if (has_prefix(p, kmsg_warning_lockdep[i]))
			return 1;
	return has_prefix(p + 9, "CPU#") || strstr(p, " still has locks held!");
}

/*
 * Every header below begins, at t or after its subsystem prefix a, with
 * one of these letters, or holds one of two phrases: most lines are
 * turned away here, before the list of prefixes (the daemon's path runs
 * this for every line).
 */
static int
may_be_header(const char *t, const char *a)
{
	static const char first[] = "ABIKMOPUVWdgikosu";

	return strchr(first, t[0]) != NULL ||
	    (a != NULL && a[0] != '\0' && strchr(first, a[0]) != NULL) ||
	    strstr(t, " invoked oom-killer: ") != NULL ||
	    strstr(t, " general protection fault") != NULL;
}

/* lockdep's reports that begin "INFO: " (older kernels, and one still). */
static int
lockdep_info(const char *p)
{
	static const char *const info[] = {
		"possible circular locking", "possible recursive locking",
		"possible irq lock inversion", "inconsistent lock state",
		"SOFTIRQ-safe -> SOFTIRQ-unsafe", "HARDIRQ-safe -> HARDIRQ-unsafe",
		"suspicious RCU usage", "trying to register non-static key",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(info); i++)
		if (has_prefix(p, info[i]))
			return 1;
	return 0;
}

/*
 * A lockdep report's header: its stacks come after lines of text ("other
 * info that might help us debug this:"), and "stack backtrace:" ends it.
 */
int
kmsg_is_lockdep(const char *t)
{
	static const char *const more[] = {
		"bad unlock balance", "held lock freed", "lock held when",
		"Nested lock was not taken", "Invalid wait context",
	};
	const char *p = strchr(t, ':');
	size_t i;

	if (p == NULL || p[1] != ' ' || !(has_prefix(t, "WARNING: ") ||
	    has_prefix(t, "INFO: ") || has_prefix(t, "BUG: ")))
		return 0;
	if (lockdep_info(p + 2) || strstr(t, "still has locks held") != NULL)
		return 1;
	for (i = 0; i < ARRAY_SIZE(more); i++)
		if (has_prefix(p + 2, more[i]))
			return 1;
	return 0;
}

/*
 * The oops forms that need no frame logic here, and the debug-kernel and
 * one-line reports (kmsg_match_header()'s second half): 1 when t is one.
 */
static int
match_oops_and_debug(const char *t, const char *a, struct header *h)
{
	if (has_prefix(t, "Oops: ") || has_prefix(t, "Internal error: ") ||
	    has_prefix(t, "invalid opcode: ") || has_prefix(t, "divide error: ") ||
	    has_prefix(t, "divide_error: ") || has_prefix(t, "stack segment: ") ||
	    has_prefix(t, "PANIC: double fault")) {
		/* These follow a header of their own, or may (double fault). */
		h->type = H_OOPS;
		h->weak = 1;
	} else if (has_prefix(t, "Unhandled fault: ") ||
	    has_prefix(t, "Alignment trap: ") || has_prefix(t, "int3: ")) {
		h->type = H_OOPS;
	} else if (has_prefix(t, "unreferenced object 0x")) {
		/* kmemleak; its "BUG: memory leak" line is not always there. */
		h->type = H_BUG;
		h->weak = 1;
	} else if (header_at(t, a, "UBSAN: ") != NULL) {
		h->type = H_UBSAN;
	} else if (has_prefix(t, "INFO: ") && lockdep_info(t + 6)) {
		h->type = H_LOCKDEP;
	} else if (header_at(t, a, "unregister_netdevice: waiting for ") &&
	    strstr(t, " to become free") != NULL) {
		/* Printed every 10 s, often in the middle of another report. */
		h->type = H_NETDEV;
		h->weak = 1;
	} else if (has_prefix(t, "VFS: Busy inodes after unmount") ||
	    has_prefix(t, "VFS: Close: file count is 0")) {
		h->type = H_VFS;
	} else
		return 0;
	return 1;
}

void
kmsg_match_header(const char *t, struct header *h)
{
	const char *a, *p;

	memset(h, 0, sizeof *h);
	h->cpu = h->pid = -1;
	/* KCSAN indents its header by a space. */
	if (*t == ' ' && has_prefix(t + 1, "BUG: KCSAN: "))
		t++;
	/* lockdep before 4.15: "[ BUG: bad unlock balance detected! ]" */
	if (has_prefix(t, "[ ") && (has_prefix(t + 2, "BUG: ") ||
	    has_prefix(t + 2, "INFO: ") || has_prefix(t + 2, "WARNING: ")))
		t += 2;
	a = after_prefix(t);
	if (*t == ' ' || *t == '\t' || *t == '\0' || !may_be_header(t, a))
		return;
	if ((p = header_at(t, a, "BUG: soft lockup")) != NULL) {
		h->type = H_SOFT_LOCKUP;
		h->cpu = number_after(p, "CPU#");
		if ((p = strrchr(p, ':')) != NULL && isdigit((unsigned char)p[1]))
			h->pid = atoi(p + 1);
	} else if ((p = header_at(t, a,
	    "Watchdog detected hard LOCKUP on cpu ")) != NULL) {
		h->type = H_HARD_LOCKUP;
		h->cpu = number_after(p, "on cpu ");
	} else if (rcu_stall_header(t) || rcu_stall_header(a)) {
		h->type = H_RCU_STALL;
	} else if (has_prefix(t, "INFO: task ") &&
	    (strstr(t, " blocked for more than ") != NULL ||
	    strstr(t, " blocked in I/O wait for more than ") != NULL ||
	    strstr(t, " can't die for more than ") != NULL)) {
		h->type = H_HUNG_TASK;
	} else if (header_at(t, a, "BUG: workqueue lockup") != NULL) {
		h->type = H_WQ_LOCKUP;
	} else if (header_at(t, a, "BUG: kernel NULL pointer dereference") ||
	    header_at(t, a,
	    "BUG: unable to handle kernel NULL pointer dereference") ||
	    header_at(t, a, "Unable to handle kernel NULL pointer dereference")) {
		h->type = H_NULL_DEREF;
	} else if (header_at(t, a, "BUG: unable to handle") ||
	    header_at(t, a, "BUG: Unable to handle kernel") ||
	    header_at(t, a, "Unable to handle kernel paging request") ||
	    header_at(t, a, "Unable to handle kernel access to user memory")) {
		h->type = H_PAGING;
	} else if (header_at(t, a, "general protection fault") != NULL ||
	    (strstr(t, " general protection fault") != NULL &&
	    strstr(t, " error:") == NULL && strstr(t, " ip:") == NULL)) {
		/* not user space's "traps: a[1] general protection fault ip:" */
		h->type = H_GPF;
	} else if (match_oops_and_debug(t, a, h)) {
		/* h is set */
	} else if (has_prefix(t, "kernel BUG at ")) {
		h->type = H_KERNEL_BUG;
	} else if (header_at(t, a, "BUG: Bad page state") ||
	    header_at(t, a, "BUG: Bad page map") ||
	    header_at(t, a, "BUG: Bad page cache")) {
		h->type = H_BAD_PAGE;
	} else if (header_at(t, a, "BUG: Bad rss-counter state") ||
	    header_at(t, a, "BUG: non-zero pgtables_bytes on freeing mm") ||
	    header_at(t, a, "BUG: non-zero nr_ptes on freeing mm") ||
	    header_at(t, a, "BUG: non-zero nr_pmds on freeing mm")) {
		h->type = H_BAD_RSS;
	} else if (header_at(t, a, "BUG: ") != NULL ||
	    (has_prefix(t, "BUG ") && strstr(t, "): ") != NULL)) {
		/* "BUG kmalloc-64 (Not tainted): Poison overwritten" (SLUB) */
		h->type = H_BUG;
	} else if (warning_header(t) || warning_header(a)) {
		h->type = H_WARNING;
		h->cpu = number_after(t, "CPU: ");
		if (h->cpu < 0)
			h->cpu = number_after(t, "CPU#");
		h->pid = number_after(t, "PID: ");
	} else if (strstr(t, " invoked oom-killer: ") != NULL) {
		h->type = H_OOM;
	} else if (has_prefix(t, "oom-kill:")) {
		h->type = H_OOM;
		h->weak = 1;
	} else if (((has_prefix(t, "Out of memory") ||
	    has_prefix(t, "Memory cgroup out of memory")) &&
	    strstr(t, "Kill") != NULL) || has_prefix(t, "Killed process ") ||
	    has_prefix(t, "Out of memory and no killable processes")) {
		h->type = H_OOM_KILL;
	} else if (has_prefix(t, "Kernel panic - not syncing: ")) {
		h->type = H_PANIC;
	}
}

