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

/*
 * Copy a symbol name at p (up to '+', '.', or a non-name byte); returns
 * the bytes read.  ppc64 ELFv1 kernels print function entry points with
 * a dot (".eeh_dev_check_failure+0x27c/0x390"): the name is without it.
 */
size_t
kmsg_copy_symbol(const char *p, char *out, size_t outsz)
{
	size_t n = 0, dot = *p == '.';

	p += dot;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (is_word_char(p[n]) || p[n] == '$')
		n++;
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return n + dot;
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

/*
 * Skip address columns: x86/riscv/s390 "[<ffffffff81234567>] ", powerpc
 * "[c0000000fe5f3b30] [c000000000123456] ".
 */
static const char *
skip_addresses(const char *p)
{
	const char *q;
	int i;

	for (i = 0; i < 2 && p[0] == '['; i++) {
		q = p + 1;
		if (*q == '<')
			q++;
		if (has_prefix(q, "0x"))
			q += 2;
		if (!isxdigit((unsigned char)*q))
			break;
		while (isxdigit((unsigned char)*q))
			q++;
		if (*q == '>')
			q++;
		if (*q != ']')
			break;
		p = skip_blanks(q + 1);
	}
	return p;
}

/* "(func+0x1/0x2)" or "(func)" at p: the name (arm, s390 PSW). */
static int
paren_symbol(const char *p, char *out, size_t outsz)
{
	size_t n;

	if (*p != '(')
		return 0;
	if (kmsg_symbol_with_offset(p + 1, out, outsz))
		return 1;
	n = kmsg_copy_symbol(p + 1, out, outsz);
	return n > 0 && p[1 + n] == ')';
}

/*
 * The kernel function an exception stopped in, by architecture: x86
 * "RIP: 0010:func+0x.." (older "RIP: 0010:[<ffff>]  [<ffff>] func+0x..",
 * "IP: ..", "EIP: .."/"EIP is at"), arm/arm64 "pc : func+0x.." and "PC is
 * at func+0x..", powerpc "NIP [c000..] func+0x..", s390 "Krnl PSW : ..
 * (func+0x..)", mips "epc   : ffff.. func+0x..", riscv "epc : func+0x..".
 */
static int
rip_symbol(const char *t, char *out, size_t outsz)
{
	static const char *const at[] = { "PC is at ", "EIP is at ",
	    "NIP is at ", "NIP: ", "NIP ", "pc : ", "epc : ", "epc   : " };
	const char *p = skip_blanks(t), *q;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(at); i++)
		if (has_prefix(p, at[i])) {
			p = skip_addresses(p + strlen(at[i]));
			/* mips: "epc   : ffffffff8012abcd func+0x.." */
			for (q = p; isxdigit((unsigned char)*q); q++)
				;
			if (q - p >= 8 && *q == ' ')
				p = skip_blanks(q);
			return kmsg_symbol_with_offset(p, out, outsz);
		}
	if (has_prefix(p, "Krnl PSW : ")) {
		q = strchr(p, '(');
		return q != NULL && paren_symbol(q, out, outsz);
	}
	if (has_prefix(p, "RIP: "))
		p += 5;
	else if (has_prefix(p, "IP: "))
		p += 4;
	else if (has_prefix(p, "EIP: "))
		p += 5;
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

/* "<IRQ>  [<ffff>] func" (3.x/4.x print a marker and a frame on a line). */
static const char *
skip_marker(const char *p)
{
	const char *q;

	if (*p != '<')
		return p;
	q = p + 1;
	if (*q == '/')
		q++;
	while (isupper((unsigned char)*q) || *q == '#')
		q++;
	return *q == '>' && q > p + 1 ? skip_blanks(q + 1) : p;
}

/* A stack frame line; see kmsg_frame_parse().  Name not yet mapped. */
int
kmsg_frame_symbol(const char *t, char *out, size_t outsz, int *questionable)
{
	const char *p;

	*questionable = 0;
	if (t[0] != ' ' && t[0] != '\t' && t[0] != '[' && t[0] != '(') {
		/* A frame whose indentation was lost: "func+0x1/0x2". */
		return kmsg_symbol_with_offset(t, out, outsz) &&
		    strstr(t, "/0x") != NULL && strchr(t, ' ') == NULL;
	}
	p = skip_marker(skip_blanks(t));
	/* s390's first frame: "([<000000000011a4b2>] func+0x../0x..)" */
	if (p[0] == '(' && p[1] == '[')
		p++;
	p = skip_addresses(p);
	if (p[0] == '?' && p[1] == ' ') {
		*questionable = 1;
		p = skip_addresses(skip_blanks(p + 2));
	}
	/* arm: "[<c0107cd4>] (unwind_backtrace) from [<c01034b4>] (...)" */
	if (p[0] == '(')
		return paren_symbol(p, out, outsz) && strstr(p, ") from ");
	if (!kmsg_symbol_with_offset(p, out, outsz))
		return 0;
	/* powerpc marks guesses with " (unreliable)" */
	if (strstr(p, " (unreliable)") != NULL)
		*questionable = 1;
	return 1;
}

/*
 * Syscall wrappers differ by kernel and arch; syzkaller strips them: of
 * the names one prefix can be taken off, the shortest.
 */
void
kmsg_map_syscall(char *name)
{
	static const char *const wrappers[] = {
		"SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_",
		"__s390x_", "__riscv_", "____sys_", "___sys_", "__sys_",
		"__se_", "__se_sys_", "__do_sys_", "compat_SYSC_",
		"compat_SyS_", "ksys_",
	};
	size_t i, n, best = 0;

	for (i = 0; i < ARRAY_SIZE(wrappers); i++) {
		n = strlen(wrappers[i]);
		if (strncmp(name, wrappers[i], n) == 0 && name[n] != '\0' &&
		    n > best)
			best = n;
	}
	if (best > 0)
		memmove(name, name + best, strlen(name + best) + 1);
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
 * Pattern lists: "^x" prefix, "=x" whole name, "$x" suffix, "~x" a
 * '_'-separated word of the name, else a substring (syzkaller matches
 * substrings).
 */
static int
pattern_match(const char *name, const char *pat)
{
	const char *p;
	size_t n;

	switch (pat[0]) {
	case '$':
		n = strlen(pat + 1);
		p = name + strlen(name);
		return (size_t)(p - name) >= n && strcmp(p - n, pat + 1) == 0;
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
 * Helpers that are never the guilty frame (the facts of syzkaller's
 * linuxStackParams.skipPatterns, in this file's pattern syntax):
 * sanitizers and reporting, trap and fault entry, allocators, lockdep
 * and locking primitives, atomics and bit ops, string and copy routines,
 * list and rbtree helpers, printing, workqueue/timer/device/kobject/USB
 * plumbing that only carries a caller's bug, and the NMI/IRQ entry code
 * a watchdog report passes through.
 */
static const char *const skip_global[] = {
	/* sanitizers, reporting, traps */
	"__sanitizer", "__asan", "kasan", "hwasan", "__msan", "kmsan",
	"kcsan_setup_watchpoint", "check_memory_region", "check_heap_object",
	"check_object", "read_word_at_a_time", "nocheck",
	"print_address_description", "panic", "invalid_op", "report_bug",
	"fixup_bug", "handle_bug", "print_report", "print_usage_bug",
	"do_error", "$_trap", "do_trap", "show_stack", "dump_stack",
	"walk_stack", "dump_backtrace", "warn_slowpath", "warn_alloc",
	"warn_bogus", "__warn", "^show_regs", "print_tainted", "get_taint",
	"program_check_exception", "program_check_common",
	"stack_trace_consume_entry", "arch_stack_walk", "stack_trace_save",
	"assertfail", "__fortify_report", "__phys_addr",
	/* allocators */
	"alloc_page", "malloc", "zalloc", "calloc", "krealloc", "kmem_cache",
	"allocate_slab", "__alloc_frozen_pages", "folio_alloc",
	"folio_unlock", "filemap_alloc_folio", "__filemap_get_folio",
	"find_or_create_page", "do_read_cache_folio", "read_cache_page",
	"pagecache_get_page", "grab_cache_page_write_begin", "slab_",
	"=kfree", "=kvfree", "kfree_skb",
	/* debug objects, lockdep, locking */
	"debug_object", "timer_is_static_object", "work_is_static_object",
	"__might_fault", "might_fault", "might_sleep", "__might_resched",
	"print_unlock", "imbalance_bug", "lockdep", "bh_enable",
	"bh_disable", "perf_trace", "lock_acquire", "lock_release",
	"lock_class", "mark_lock", "reacquire_held_locks", "mark_held_locks",
	"raw_spin_rq", "spin_lock", "spin_trylock", "spin_unlock",
	"read_lock", "read_trylock", "write_lock", "write_trylock",
	"read_unlock", "write_unlock", "=down", "down_read", "down_write",
	"down_trylock", "up_read", "up_write", "^mutex_", "^__mutex_",
	"^rt_mutex_", "owner_on_cpu", "osq_lock", "osq_unlock",
	"queued_spin", "queued_read", "queued_write", "pv_queued",
	"trace_hardirq", "trace_softirq", "lockdep_hardirq",
	"lockdep_softirq", "^lock_page", "^unlock_page",
	/* atomics, bit ops, refcounts */
	"atomic_dec", "atomic_inc", "atomic_read", "atomic_set",
	"atomic_or", "atomic_xor", "atomic_and", "atomic_add", "atomic_sub",
	"atomic_fetch", "atomic_xchg", "atomic_cmpxchg", "atomic_try",
	"atomic64_", "set_bit", "clear_bit", "change_bit", "test_bit",
	"__wake_up", "^refcount_", "^kref_", "ref_tracker", "seqprop_assert",
	/* strings, copies, lists, trees, printing */
	"memcpy", "memcmp", "memset", "memchr", "memmove", "memdup",
	"strcmp", "strncmp", "strcpy", "strlcpy", "strncpy", "strscpy",
	"strlen", "strstr", "strnstr", "strnlen", "strchr", "strdup",
	"strndup", "copy_to_user", "copy_from_user", "copy_user_",
	"copy_to_iter", "copy_from_iter", "copy_page_to_iter",
	"copy_page_from_iter", "copy_folio_to_iter", "=copyin", "=copyout",
	"put_user", "get_user", "list_add", "list_del", "list_replace",
	"list_move", "list_splice", "^rb_", "^__rb_", "_indirect_thunk_",
	"return_thunk", "string", "pointer", "snprintf", "scnprintf",
	"kasprintf", "kvasprintf", "printk", "va_format", "dev_info",
	"dev_notice", "dev_warn", "dev_err", "dev_alert", "dev_crit",
	"dev_emerg", "hex_dump_to_buffer", "print_hex_dump", "^klist_",
	"^crc", "crc_itu_t", "$readb", "$readw", "$readl", "$readq",
	"$writeb", "$writew", "$writel", "$writeq", "logic_in", "logic_out",
	/* timers, workqueues, devices, USB: carriers of a caller's bug */
	"del_timer", "lock_timer_base", "__timer_delete_sync",
	"sk_stop_timer_sync", "__mod_timer", "flush_work",
	"__cancel_work_timer", "cancel_work_sync", "try_to_grab_pending",
	"flush_workqueue", "drain_workqueue", "destroy_workqueue",
	"queue_work", "insert_work", "__queue_delayed_work",
	"queue_delayed_work_on", "finish_wait", "kthread_stop", "kobject_",
	"add_uevent_var", "get_device_parent", "device_add", "device_del",
	"device_unregister", "device_destroy", "device_release",
	"devres_release_all", "hwrng_unregister", "i2c_del_adapter",
	"__unregister_client", "device_for_each_child", "rollback_registered",
	"unregister_netdev", "sysfs_remove", "device_remove_file",
	"tty_unregister_device", "dummy_urb_enqueue", "usb_kill_urb",
	"usb_kill_anchored_urbs", "usb_control_msg", "usb_hcd_submit_urb",
	"usb_submit_urb", "=complete", "wait_for_completion", "ida_free",
	"=put_device", "=iput", "=iput_final", "=ihold", "fast_dput", "dput",
	"mark_buffer_dirty", "cleanup_srcu_struct", "rhashtable_lookup",
	"extract_user_to_sg", "extract_iter_to_sg", "drop_nlink",
	"xas_start", "xas_load", "xas_find", "find_lock_entries",
	"truncate_inode_pages_range",
	/* arm64 fault entry */
	"do_kernel_fault", "do_translation_fault", "do_mem_abort",
	"el1_abort", "el1h_64_sync",
	/* x86 exception, interrupt and NMI entry; the watchdogs */
	"^asm_exc_", "^exc_", "^asm_sysvec_", "^sysvec_", "^__sysvec_",
	"^asm_common_interrupt", "^common_interrupt", "^irqentry_",
	"^irq_exit", "^__irq_exit", "watchdog_timer_fn",
	"__hrtimer_run_queues", "hrtimer_interrupt", "^nmi_",
	"default_do_nmi", "end_repeat_nmi", "watchdog_overflow_callback",
	"__perf_event_overflow", "perf_event_nmi_handler",
	"handle_pmi_common", "intel_pmu_handle_irq", "amd_pmu_handle_irq",
	"^arch_trigger_", "^trigger_",
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
	"cancel_delayed_work", "rcu_barrier", NULL,
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
	"sysenter_dispatch", "tracesys_phase2", "el0_svc_handler",
	"invoke_syscall", "ret_fast_syscall", "netif_receive_skb",
	"do_softirq", "call_timer_fn", "_run_timers", "run_timer_softirq",
	"hrtimer_run", "new_sync_read", "new_sync_write", "^netlink_dump",
	"tasklet_action", "tasklet_hi_action", "=setsockopt", "=listen",
	"=accept",
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
	"__do_fault", "do_page_fault", "=page_fault",
	"__fput", "task_work_run", "exit_to_usermode", "smp_call_function",
	NULL,
};

/* Discriminating syscalls: "(sys_)?(socketpair|connect|ioctl)..." */
static int
syscall_anchor(const char *name)
{
	static const char *const calls[] = { "socketpair", "connect", "ioctl" };
	size_t j;

	if (has_prefix(name, "sys_"))
		name += 4;
	for (j = 0; j < ARRAY_SIZE(calls); j++)
		if (has_prefix(name, calls[j]))
			return 1;
	return 0;
}


/*
 * The frames of a stack, skip lists applied.  A stall walk keeps no list:
 * recursion can run thousands of frames deep before the anchor, so it
 * keeps the first frame, the one before, and what the anchor decided.
 */
struct frames {
	char v[FRAMES_MAX][FRAME_MAX];
	size_t n;
	size_t want;    /* stop after this many (0: all) */
	int stall, stall_done;
	char prev[FRAME_MAX], stall_out[FRAME_MAX];
};

static int
frames_full(const struct frames *f)
{
	if (f->stall)
		return f->stall_done;
	return f->n == FRAMES_MAX || (f->want > 0 && f->n >= f->want);
}

static int stall_anchor(const char *name);

/* syzkaller's stall extractor, one frame at a time. */
static void
stall_add(struct frames *f, const char *name)
{
	if (stall_anchor(name)) {
		snprintf(f->stall_out, FRAME_MAX, "%s",
		    strstr(name, "smp_call_function") != NULL ?
		    "smp_call_function" : f->prev[0] != '\0' ? f->prev : name);
		f->stall_done = 1;
		return;
	}
	snprintf(f->prev, FRAME_MAX, "%s", name);
	if (f->n == 0)
		snprintf(f->v[f->n++], FRAME_MAX, "%s", name);
}

/* skip == KMSG_NO_SKIP: the name as it is (syzkaller's "report" forms). */
static void
frames_add(struct frames *f, const char *name, const char *const *skip)
{
	if (frames_full(f))
		return;
	if (skip != KMSG_NO_SKIP && (match_any(name, skip_global) ||
	    match_any(name, skip)))
		return;
	/* Skip lists see the raw name, titles and anchors the stripped one. */
	if (f->stall) {
		char stripped[FRAME_MAX];

		snprintf(stripped, sizeof stripped, "%s", name);
		kmsg_map_syscall(stripped);
		stall_add(f, stripped);
		return;
	}
	snprintf(f->v[f->n], FRAME_MAX, "%s", name);
	kmsg_map_syscall(f->v[f->n++]);
}

/* A line that ends the stack a frame walk is in. */
static int
stack_ends(enum lclass lc, const char *t)
{
	const char *p = skip_blanks(t);

	/* Sanitizer reports follow one stack with the next one's title. */
	return lc == LC_TASK_END || lc == LC_END_TRACE || lc == LC_CPU ||
	    lc == LC_NMI || lc == LC_TASK || lc == LC_END_PANIC ||
	    has_prefix(t, "Kernel panic - not syncing") ||
	    has_prefix(p, "Uninit was ") || has_prefix(p, "Local variable ") ||
	    has_prefix(p, "Allocated by task ") ||
	    has_prefix(p, "Freed by task ") ||
	    has_prefix(p, "The buggy address ") ||
	    has_prefix(p, "Memory state around");
}

/* "[<a>] (f) from [<b>] (g+0x54/0xa0)": g. */
static int
arm_caller(const char *t, char *out, size_t outsz)
{
	const char *p = strstr(t, ") from ");

	if (p == NULL)
		return 0;
	p = skip_addresses(p + 7);
	return paren_symbol(p, out, outsz);
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

	for (; i < end && !frames_full(f); i++) {
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
			/* arm: the caller after "from" (the last one is only there) */
			if (arm_caller(rl->v[i], sym, sizeof sym))
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
	/* Names in struct frames are already stripped (frames_add()). */
	snprintf(out, outsz, "%s", name);
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
	f->want = 1;
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

/* The frame above the first anchor; without an anchor, the first. */
static void
stall_pick(const struct frames *f, char *out, size_t outsz)
{
	out[0] = '\0';
	if (f->stall_done)
		finish_name(out, outsz, f->stall_out);
	else if (f->n > 0)
		finish_name(out, outsz, f->v[0]);
}

static int
stall_anchor(const char *name)
{
	return match_any(name, stall_anchors) || syscall_anchor(name);
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
			if (strstr(rl->v[i], "apic_timer_interrupt") != NULL ||
			    strstr(rl->v[i], "Exception stack") != NULL ||
			    strstr(rl->v[i], "el1h_64_irq") != NULL) {
				start = i + 1;
				break;
			}
	for (i = start; i < first_end; i++)
		if (rip_symbol(rl->v[i], sym, sizeof sym))
			break;
	/* 4.x: the interrupted frames follow "<EOI>" with no RIP line. */
	if (i == first_end)
		i = start > from ? start : find_line(rl, start, end,
		    LC_CALL_TRACE);
	f->stall = 1;
	collect_stack(rl, i, end, skip, f);
	stall_pick(f, out, outsz);
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


/* "..., at: [<ffffffff8123>] func+0x1f/0x40" and "at: func+0x..": func. */
static int
at_symbol(const char *t, char *out, size_t outsz)
{
	const char *p = strstr(t, "at: ");
	size_t n;

	if (p == NULL)
		return 0;
	p = skip_addresses(skip_blanks(p + 4));
	n = kmsg_copy_symbol(p, out, outsz);
	return n > 0 && (p[n] == '+' || p[n] == '.');
}

/* "[<ffffffff8123>] func+0x1f/0x40" on a line of its own. */
static int
pc_symbol(const char *t, char *out, size_t outsz)
{
	const char *p = skip_blanks(t);

	if (p[0] != '[' || skip_addresses(p) == p)
		return 0;
	return kmsg_symbol_with_offset(skip_addresses(p), out, outsz);
}

/* The first line at or after from that holds s, or end. */
static size_t
find_text(struct rlines *rl, size_t from, size_t end, const char *s)
{
	for (; from < end; from++)
		if (strstr(rl->v[from], s) != NULL)
			return from;
	return end;
}

/*
 * The frame a title names, as struct kmsg_pick says (internal.h).
 * Returns 0, or -1 when the report has no such frame (out is "").
 */
int
kmsg_pick_frame(struct rlines *rl, size_t from, size_t end,
    const struct kmsg_pick *pk, char *out, size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	char sym[FRAME_MAX];
	size_t i = from + 1, n;
	int ats = 0;

	out[0] = '\0';
	f->want = 1;
	f->stall = pk->stall;
	if (pk->first != NULL && pk->first[0] != '\0')
		frames_add(f, pk->first, pk->skip);
	if (pk->rip)
		for (n = from; n < end; n++)
			if (rip_symbol(rl->v[n], sym, sizeof sym)) {
				frames_add(f, sym, pk->skip);
				break;
			}
	if (pk->after != NULL)
		i = find_text(rl, from + 1, end, pk->after) + 1;
	for (; i < end && ats < pk->at_lines; i++)
		if (at_symbol(rl->v[i], sym, sizeof sym) ||
		    (pk->pc_line && pc_symbol(rl->v[i], sym, sizeof sym))) {
			frames_add(f, sym, pk->skip);
			ats++;
		}
	if (pk->stack == KMSG_STACK_CALL_TRACE) {
		i = find_line(rl, i > from + 1 ? i - 1 : from, end,
		    LC_CALL_TRACE);
		if (i < end)
			collect_stack(rl, i + 1, end, pk->skip, f);
	} else if (pk->stack == KMSG_STACK_HERE && i <= end)
		collect_stack(rl, i, end, pk->skip, f);
	if (pk->stall)
		stall_pick(f, out, outsz);
	else if (f->n > 0)
		finish_name(out, outsz, f->v[0]);
	free(f);
	return out[0] != '\0' ? 0 : -1;
}
