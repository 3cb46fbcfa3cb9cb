/*
 * frame.c - stack frames: what a frame line names, the frames a title
 * skips, and which frame of a report its title names.
 *
 * syzkaller's rules (pkg/report/linux.go), see
 * ../shared/reference/lockups_bisect.md section 1: the guilty frame is
 * the first frame that is not a helper (skip lists below); for lockups
 * and RCU stalls the frame just above the first "anchor" (do_syscall_64,
 * kthread, process_one_work, vfs_write, ...) of the interrupted context,
 * so that a loop gets one name wherever the watchdog caught it; for hung
 * tasks the first frame that is not scheduling, locking or waiting.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

/* ------------------------------------------------------------------ */
/* Stack frames. */

/* Copy a symbol name at p (up to '+', '.', or a non-name byte). */
size_t
kmsg_copy_symbol(const char *p, char *out, size_t outsz)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (is_word_char(p[n]) || p[n] == '$')
		n++;
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

/* "func+0x12/0x34": the name, when an offset follows it. */
int
kmsg_symbol_with_offset(const char *p, char *out, size_t outsz)
{
	size_t n = kmsg_copy_symbol(p, out, outsz);
	const char *q = p + n;

	if (n == 0)
		return 0;
	/* .cold, .isra.0, .constprop.0, .part.0, .llvm.123 suffixes */
	while (*q == '.' && (is_word_char(q[1])))
		for (q++; is_word_char(*q); q++)
			;
	return has_prefix(q, "+0x");
}

/* Skip "[<ffffffff81234567>] " address columns of older kernels. */
static const char *
skip_addresses(const char *p)
{
	const char *q;
	int i;

	for (i = 0; i < 2; i++) {
		if (p[0] != '[' || p[1] != '<')
			break;
		q = strstr(p, ">]");
		if (q == NULL)
			break;
		p = skip_blanks(q + 2);
	}
	return p;
}

/*
 * The kernel-mode function of a "RIP: 0010:func+0x.." line (also older
 * "RIP: 0010:[<ffff>]  [<ffff>] func+0x..", "IP: ..", arm64 "pc : ").
 */
static int
rip_symbol(const char *t, char *out, size_t outsz)
{
	const char *p = skip_blanks(t);

	if (has_prefix(p, "RIP: "))
		p += 5;
	else if (has_prefix(p, "IP: "))
		p += 4;
	else if (has_prefix(p, "EIP: "))
		p += 5;
	else if (has_prefix(p, "pc : "))
		return kmsg_symbol_with_offset(p + 5, out, outsz);
	else
		return 0;
	/* "0010:" code segment; user mode is 0033/0023/002b and has no name. */
	while (isxdigit((unsigned char)*p))
		p++;
	if (*p == ':')
		p++;
	p = skip_addresses(skip_blanks(p));
	return kmsg_symbol_with_offset(p, out, outsz);
}

/* A stack frame line; see kmsg_frame_parse().  Name not yet mapped. */
int
kmsg_frame_symbol(const char *t, char *out, size_t outsz, int *questionable)
{
	const char *p;

	*questionable = 0;
	if (t[0] != ' ' && t[0] != '\t' && t[0] != '[')
		return 0;
	p = skip_addresses(skip_blanks(t));
	if (p[0] == '?' && p[1] == ' ') {
		*questionable = 1;
		p = skip_addresses(skip_blanks(p + 2));
	}
	return kmsg_symbol_with_offset(p, out, outsz);
}

/* Syscall wrappers differ by kernel and arch; syzkaller strips them. */
void
kmsg_map_syscall(char *name)
{
	static const char *const wrappers[] = {
		"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_",
		"__se_sys_", "__do_sys_", "___sys_", "__sys_", "ksys_",
		"SyS_", "SYSC_",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(wrappers); i++) {
		n = strlen(wrappers[i]);
		if (strncmp(name, wrappers[i], n) == 0 && name[n] != '\0') {
			memmove(name + 4, name + n, strlen(name + n) + 1);
			memcpy(name, "sys_", 4);
			return;
		}
	}
}

int
kmsg_frame_parse(const char *line, char *out, size_t outsz,
    int *questionable)
{
	int q = 0;

	if (rip_symbol(line, out, outsz) ||
	    kmsg_frame_symbol(line, out, outsz, &q)) {
		kmsg_map_syscall(out);
		if (questionable != NULL)
			*questionable = q;
		return 1;
	}
	return 0;
}

/*
 * Pattern lists: "^x" prefix, "=x" whole name, "~x" a '_'-separated word
 * of the name, else a substring (syzkaller matches substrings).
 */
static int
pattern_match(const char *name, const char *pat)
{
	const char *p;
	size_t n;

	switch (pat[0]) {
	case '^':
		return has_prefix(name, pat + 1);
	case '=':
		return strcmp(name, pat + 1) == 0;
	case '~':
		n = strlen(pat + 1);
		for (p = name; (p = strstr(p, pat + 1)) != NULL; p++)
			if ((p == name || p[-1] == '_') &&
			    (p[n] == '\0' || p[n] == '_'))
				return 1;
		return 0;
	default:
		return strstr(name, pat) != NULL;
	}
}

static int
match_any(const char *name, const char *const *pats)
{
	for (; pats != NULL && *pats != NULL; pats++)
		if (pattern_match(name, *pats))
			return 1;
	return 0;
}

/*
 * Helpers that are never the guilty frame: reporting, tracing, locking,
 * string and copy routines, interrupt and NMI entry, the watchdogs.  A
 * subset of syzkaller's linuxStackParams.skipPatterns plus x86 entry code.
 */
static const char *const skip_global[] = {
	"__sanitizer", "__asan", "kasan", "__msan", "kmsan", "kcsan", "ubsan",
	"check_memory_region", "print_address_description",
	"panic", "invalid_op", "report_bug", "fixup_bug", "handle_bug",
	"do_error", "_trap", "dump_stack", "^show_", "^print_",
	"warn_slowpath", "warn_alloc", "__warn", "debug_object",
	"lockdep", "lock_acquire", "lock_release", "lock_class",
	"spin_lock", "spin_trylock", "spin_unlock", "_raw_read_",
	"_raw_write_", "queued_spin", "queued_read", "queued_write",
	"pv_queued", "=down", "down_read", "down_write", "up_read", "up_write",
	"mutex_lock", "mutex_trylock", "mutex_unlock", "osq_lock", "osq_unlock",
	"__wake_up", "refcount_", "memcpy", "memcmp", "memset", "memchr",
	"memmove", "strcmp", "strncmp", "strcpy", "strlcpy", "strncpy",
	"strscpy", "strlen", "strnlen", "strchr", "copy_to_user",
	"copy_from_user", "copy_user_", "put_user", "get_user", "might_fault",
	"might_sleep", "list_add", "list_del", "list_replace", "list_move",
	"list_splice", "_indirect_thunk_", "return_thunk", "printk",
	"=kfree", "kfree_skb",
	"^asm_exc_", "^exc_", "^asm_sysvec_", "^sysvec_", "^__sysvec_",
	"^asm_common_interrupt", "^common_interrupt", "^irqentry_",
	"^irq_exit", "^__irq_exit", "watchdog_timer_fn", "__hrtimer_run_queues",
	"hrtimer_interrupt", "^nmi_", "default_do_nmi", "end_repeat_nmi",
	"watchdog_overflow_callback", "__perf_event_overflow",
	"perf_event_nmi_handler", "handle_pmi_common", "intel_pmu_handle_irq",
	"amd_pmu_handle_irq", "^arch_trigger_", "^trigger_",
	NULL,
};
/* RCU stalls: RCU's own machinery and the timer interrupt. */
const char *const kmsg_skip_rcu[] = {
	"~rcu", "~srcu", "apic_timer_interrupt", "^update_process_times",
	"^tick_", NULL,
};
/* Hung tasks: where a task waits is never why (syzkaller). */
static const char *const skip_hang[] = {
	"sched", "_lock", "_slowlock", "down", "rwsem", "completion",
	"kthread", "wait", "synchronize", "context_switch", "__switch_to",
	"cancel_delayed_work", NULL,
};
/* Bad page state: the freeing or allocating path that noticed. */
const char *const kmsg_skip_bad_page[] = {
	"bad_page", "free", "release_pages", "folio_put", "put_page", "tlb_",
	"check_new_page", "prep_new_page", "rmqueue", "get_page_from_freelist",
	"alloc_pages", "__folio_batch", "page_counter", NULL,
};
const char *const kmsg_skip_list[] = { "list_", NULL };
const char *const kmsg_skip_sleep[] = { "might_", NULL };
const char *const kmsg_skip_sched[] = { "sched", NULL };
const char *const kmsg_skip_spin[] = { "spin_", NULL };

/*
 * Entry points of looping code (syzkaller's linuxStallAnchorFrames): a
 * stall is named after the frame just above the first of these.
 */
static const char *const stall_anchors[] = {
	"process_one_work", "do_syscall_", "do_fast_syscall_",
	"sysenter_dispatch", "tracesys_phase2", "netif_receive_skb",
	"do_softirq", "call_timer_fn", "_run_timers", "run_timer_softirq",
	"run_ksoftirqd", "smpboot_thread_fn", "kthread", "start_secondary",
	"cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read",
	"vfs_iter_read", "vfs_iter_write", "do_iter_read", "do_iter_write",
	"vfs_ioctl", "ksys_ioctl", "compat_ioctl", "compat_sys_ioctl",
	"blkdev_driver_ioctl", "blkdev_ioctl", "^call_read_iter",
	"^call_write_iter", "do_iter_readv_writev", "^call_mmap",
	"mmap_region", "do_mmap", "do_dentry_open", "vfs_open",
	"^sock_sendmsg", "^sock_recvmsg", "^sock_release", "^__sock_release",
	"__sys_setsockopt", "kernel_setsockopt", "sock_common_setsockopt",
	"__sys_listen", "kernel_listen", "sk_common_release", "^sock_mmap",
	"__sys_accept", "kernel_accept", "^sock_do_ioctl", "^sock_ioctl",
	"^compat_sock_ioctl", "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg",
	"__do_fault", "handle_mm_fault", "do_page_fault", "=page_fault",
	"__fput", "task_work_run", "exit_to_usermode", "smp_call_function",
	NULL,
};

/* syzkaller's "^(compat_)?(SYSC|SyS|__sys|...)_(socketpair|connect|ioctl)" */
static int
syscall_anchor(const char *name)
{
	static const char *const pre[] = {
		"SYSC_", "SyS_", "__sys_", "___sys_", "__do_sys_", "__se_sys_",
		"__x64_sys_",
	};
	static const char *const calls[] = { "socketpair", "connect", "ioctl" };
	size_t i, j;

	if (has_prefix(name, "compat_"))
		name += 7;
	for (i = 0; i < ARRAY_SIZE(pre); i++) {
		if (!has_prefix(name, pre[i]))
			continue;
		for (j = 0; j < ARRAY_SIZE(calls); j++)
			if (strcmp(name + strlen(pre[i]), calls[j]) == 0)
				return 1;
	}
	return 0;
}


struct frames {
	char v[FRAMES_MAX][FRAME_MAX];
	size_t n;
};

static void
frames_add(struct frames *f, const char *name, const char *const *skip)
{
	if (f->n == FRAMES_MAX || match_any(name, skip_global) ||
	    match_any(name, skip))
		return;
	snprintf(f->v[f->n++], FRAME_MAX, "%s", name);
}

/* A line that ends the stack a frame walk is in. */
static int
stack_ends(enum lclass lc, const char *t)
{
	return lc == LC_TASK_END || lc == LC_END_TRACE || lc == LC_CPU ||
	    lc == LC_NMI || lc == LC_TASK || lc == LC_END_PANIC ||
	    has_prefix(t, "Kernel panic - not syncing");
}

/*
 * Frames of the stack that begins at line i (kernel RIP lines count as
 * frames: they name the function an interrupt or exception stopped).
 */
static void
collect_frames(struct rlines *rl, size_t i, size_t end,
    const char *const *skip, int questionable, struct frames *f)
{
	char sym[FRAME_MAX];
	enum lclass lc;
	int q, seen = 0;

	for (; i < end; i++) {
		lc = kmsg_line_class(rl->v[i]);
		if (seen && stack_ends(lc, rl->v[i]))
			break;
		if (rip_symbol(rl->v[i], sym, sizeof sym)) {
			frames_add(f, sym, skip);
			seen = 1;
		} else if (lc == LC_FRAME &&
		    kmsg_frame_symbol(rl->v[i], sym, sizeof sym, &q)) {
			if (!q || questionable)
				frames_add(f, sym, skip);
			seen = 1;
		}
	}
}

/*
 * "? " frames are left out, as syzkaller does: the unwinder found them on
 * the stack but cannot vouch for them.  Only a stack where every frame is
 * "? " -- a running task dumped from another CPU, as in an RCU stall on a
 * preempted reader (rcustall-task) -- is read with them, so that it still
 * gets the title a reliable dump of the same stall gets.
 */
static void
collect_stack(struct rlines *rl, size_t i, size_t end,
    const char *const *skip, struct frames *f)
{
	size_t n = f->n;

	collect_frames(rl, i, end, skip, 0, f);
	if (f->n == n)
		collect_frames(rl, i, end, skip, 1, f);
}

static size_t
find_line(struct rlines *rl, size_t from, size_t end, enum lclass want)
{
	for (; from < end; from++)
		if (kmsg_line_class(rl->v[from]) == want)
			return from;
	return end;
}

static void
finish_name(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s", name);
	kmsg_map_syscall(out);
}

/* First kernel RIP, then the first Call Trace's frames (oops, BUG). */
void
kmsg_crash_frame(struct rlines *rl, size_t from, size_t end,
    const char *const *skip, char *out, size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	char sym[FRAME_MAX];
	size_t i;

	out[0] = '\0';
	for (i = from; i < end; i++)
		if (rip_symbol(rl->v[i], sym, sizeof sym)) {
			frames_add(f, sym, skip);
			break;
		}
	i = find_line(rl, from, end, LC_CALL_TRACE);
	if (i < end)
		collect_stack(rl, i + 1, end, skip, f);
	if (f->n > 0)
		finish_name(out, outsz, f->v[0]);
	free(f);
}

/*
 * Lockups and stalls: the interrupted context's stack (from its RIP, after
 * the timer interrupt that reported it when after_apic is set), then the
 * frame above the first anchor (syzkaller's linuxStallFrameExtractor).
 * Without an anchor, the first frame.
 */
void
kmsg_stall_frame(struct rlines *rl, size_t from, size_t end, int after_apic,
    const char *const *skip, char *out, size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	char sym[FRAME_MAX];
	size_t i, start = from, first, first_end;

	out[0] = '\0';
	/*
	 * Only the first stack: with several stalled CPUs, the first one
	 * listed is the one the others wait for, and a later CPU's timer
	 * interrupt must not move the start past it.
	 */
	first = find_line(rl, from, end, LC_CALL_TRACE);
	for (i = first; i < end; i++)
		if (kmsg_line_class(rl->v[i]) == LC_TASK_END)
			break;
	first_end = i < end ? i + 1 : end;
	if (after_apic)
		for (i = from; i < first_end; i++)
			if (strstr(rl->v[i], "apic_timer_interrupt") != NULL) {
				start = i + 1;
				break;
			}
	for (i = start; i < first_end; i++)
		if (rip_symbol(rl->v[i], sym, sizeof sym))
			break;
	if (i == first_end)
		i = find_line(rl, start, end, LC_CALL_TRACE);
	collect_stack(rl, i, end, skip, f);
	for (i = 0; i < f->n; i++) {
		if (!match_any(f->v[i], stall_anchors) &&
		    !syscall_anchor(f->v[i]))
			continue;
		if (strstr(f->v[i], "smp_call_function") != NULL)
			finish_name(out, outsz, "smp_call_function");
		else
			finish_name(out, outsz, f->v[i > 0 ? i - 1 : 0]);
		break;
	}
	if (out[0] == '\0' && f->n > 0)
		finish_name(out, outsz, f->v[0]);
	free(f);
}

/* syzkaller's linuxHangTaskFrameExtractor. */
void
kmsg_hang_frame(struct rlines *rl, size_t from, size_t end, char *out,
    size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	size_t i;

	out[0] = '\0';
	i = find_line(rl, from, end, LC_CALL_TRACE);
	if (i < end)
		collect_stack(rl, i + 1, end, NULL, f);
	for (i = 0; i < f->n && out[0] == '\0'; i++) {
		if (strstr(f->v[i], "rtnl_lock") != NULL)
			finish_name(out, outsz, f->v[i]);
		else if (strstr(f->v[i], "synchronize_rcu") != NULL ||
		    strstr(f->v[i], "synchronize_srcu") != NULL ||
		    strstr(f->v[i], "synchronize_net") != NULL ||
		    strstr(f->v[i], "synchronize_sched") != NULL)
			finish_name(out, outsz, "synchronize_rcu");
	}
	for (i = 0; i < f->n && out[0] == '\0'; i++)
		if (!match_any(f->v[i], skip_hang))
			finish_name(out, outsz, f->v[i]);
	free(f);
}

