/*
 * test-kmsg-forms.c - issue 13: the line shapes of logs people paste, the
 * report kinds of debug kernels, and titles at syzkaller's level.
 *
 * The report texts are short real-shaped excerpts (the shapes the kernel
 * prints, with made-up addresses); tests/fixtures/kmsg/pasted/ holds
 * whole real logs with their provenance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg/kmsg.h"
#include "unit.h"

/* A log that holds one report, and the kind and title it must get. */
struct kcase {
	const char *log, *kind, *title;
};

static void
check_cases(const struct kcase *v, size_t nv)
{
	struct kmsg_event *ev;
	size_t i;
	int n;

	for (i = 0; i < nv; i++) {
		ev = kmsg_first_event(v[i].log, &n);
		CHECK_INT_EQ(n, 1);
		if (ev == NULL)
			continue;
		if (v[i].kind != NULL)
			CHECK_STR_EQ(ev->kind, v[i].kind);
		CHECK_STR_EQ(ev->title, v[i].title);
		kmsg_event_free(ev);
	}
}

/* One report, every line given the same prefix. */
static char *
prefixed(const char *prefix, const char *const *lines)
{
	size_t cap = 1, i;
	char *s;

	for (i = 0; lines[i] != NULL; i++)
		cap += strlen(prefix) + strlen(lines[i]) + 1;
	s = calloc(1, cap);
	for (i = 0; lines[i] != NULL; i++) {
		strcat(s, prefix);
		strcat(s, lines[i]);
		strcat(s, "\n");
	}
	return s;
}

static const char *const gpf_lines[] = {
	"general protection fault, probably for non-canonical address "
	    "0xdffffc0000000003: 0000 [#1] PREEMPT SMP KASAN",
	"CPU: 1 PID: 4242 Comm: a.out Not tainted 6.1.0 #1",
	"RIP: 0010:ucma_close+0x5b/0x3a0 drivers/infiniband/core/ucma.c:1763",
	"Call Trace:",
	" <TASK>",
	" __fput+0x24a/0x8a0 fs/file_table.c:320",
	" task_work_run+0x16b/0x270 kernel/task_work.c:179",
	" </TASK>",
	NULL,
};

/* Every prefix form of item 1 gives the same one report. */
TEST(kmsg_forms_prefixes)
{
	static const char *const prefixes[] = {
		"[  904.190000] ",
		"[  904.190000][ T4242] ",
		"[  904.190000] [  T4242] ",       /* caller id after a space */
		"[  904.190000] [     C33] ",
		"[  904.] ",                       /* cut timestamp */
		"  [  904.190000] ",               /* indented paste */
		"[  904.190000] kernel: ",         /* --no-hostname */
		"[  904.190000] host kernel: ",
		"Dec 02 21:00:00 host kernel: ",
		"[Wed Dec  2 21:00:00 2026] ",     /* dmesg -T */
		"<4>[  904.190000] ",               /* pstore / dmesg -r */
		"kern  :warn  : [  904.190000] ",  /* dmesg -x */
	};
	struct kmsg_event *ev;
	size_t i;
	char *log;
	int n;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		log = prefixed(prefixes[i], gpf_lines);
		ev = kmsg_first_event(log, &n);
		if (n != 1)
			fprintf(stderr, "prefix '%s': %d events\n", prefixes[i],
			    n);
		CHECK_INT_EQ(n, 1);
		if (ev != NULL) {
			CHECK_STR_EQ(ev->kind, KMSG_OOPS);
			CHECK_STR_EQ(ev->title,
			    "general protection fault in ucma_close");
			kmsg_event_free(ev);
		}
		free(log);
	}
}

TEST(kmsg_forms_line_fields)
{
	struct kmsg_line l;
	const char *s;

	s = "[  904.190000] [     C33] rcu: INFO: rcu_preempt self-detected "
	    "stall on CPU";
	kmsg_line_parse(s, strlen(s), &l);
	CHECK_STR_EQ(l.caller, "C33");
	CHECK_INT_EQ(l.cpu, 33);
	CHECK(strncmp(l.text, "rcu: ", 5) == 0);
	kmsg_line_clear(&l);
	s = "[  240.] BUG: soft lockup";
	kmsg_line_parse(s, strlen(s), &l);
	CHECK_INT_EQ(l.ts_usec, 240000000);
	CHECK_STR_EQ(l.text, "BUG: soft lockup");
	kmsg_line_clear(&l);
	s = "[  240.123456] kernel: BUG: soft lockup";
	kmsg_line_parse(s, strlen(s), &l);
	CHECK_INT_EQ(l.facility, 0);
	CHECK_STR_EQ(l.text, "BUG: soft lockup");
	kmsg_line_clear(&l);
}

/* syslogd's wall echo of an emergency line is not a second report. */
TEST(kmsg_forms_wall_echo)
{
	struct kmsg_event *ev;
	char *log = prefixed("[  904.190000] ", gpf_lines), *all;
	int n;
	const char *echo = "\nMessage from syslogd@host at Dec  2 21:00:00 "
	    "...\n kernel:[  904.190000] general protection fault, probably "
	    "for non-canonical address 0xdffffc0000000003: 0000 [#1] SMP\n\n"
	    "[  910.000000] next line\n";

	all = malloc(strlen(log) + strlen(echo) + 1);
	strcpy(all, log);
	strcat(all, echo);
	ev = kmsg_first_event(all, &n);
	CHECK_INT_EQ(n, 1);
	kmsg_event_free(ev);
	free(all);
	free(log);
}

/* Frame and exception-site lines of every architecture (item 3). */
TEST(kmsg_forms_arch_frames)
{
	static const struct { const char *line, *name; int q; } v[] = {
		{ "[<8011218c>] (unwind_backtrace) from [<8010e300>] "
		    "(show_stack+0x18/0x1c)", "unwind_backtrace", 0 },
		{ "PC is at ext4_fill_super+0x1c/0x2a0", "ext4_fill_super", 0 },
		{ "pc : do_undefinstr+0x2e4/0x310", "do_undefinstr", 0 },
		{ "NIP [c0000000003e8a4c] kmem_cache_free+0x6c/0x4a0",
		    "kmem_cache_free", 0 },
		{ "[c00000000b6f3a10] [c000000000654d4c] xfs_iget+0x5c/0x1a0 "
		    "(unreliable)", "xfs_iget", 1 },
		{ "Krnl PSW : 0704c00180000000 000000000042cb4a "
		    "(dentry_free+0x3a/0xb0)", "dentry_free", 0 },
		{ "([<000000000042cb4a>] dput+0x1c2/0x2a8)", "dput", 0 },
		{ "epc   : ffffffff8012abcd vfs_read+0x10/0x1a0", "vfs_read", 0 },
		{ "epc : f2fs_truncate+0x22/0x30", "f2fs_truncate", 0 },
		{ " <IRQ>  [<ffffffff813a0886>] _sched_show_task+0x2a6/0x4f0",
		    "_sched_show_task", 0 },
		{ " [<ffff>] __x64_sys_recvmmsg+0x22c/0x280", "sys_recvmmsg", 0 },
		{ " __do_sys_openat2+0x22c/0x280", "openat2", 0 },
		{ " SyS_rmdir+0x22c/0x280", "rmdir", 0 },
	};
	char out[256];
	size_t i;
	int q;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		out[0] = '\0';
		q = -1;
		CHECK(kmsg_frame_parse(v[i].line, out, sizeof out, &q));
		CHECK_STR_EQ(out, v[i].name);
		CHECK_INT_EQ(q, v[i].q);
	}
}

/* Debug-kernel reports: their kind and syzkaller-form title (item 2, 3). */
TEST(kmsg_forms_debug_kinds)
{
	static const struct kcase v[] = {
		{ "BUG: KASAN: use-after-free in __lock_acquire+0x1/0x2\n"
		    "Read of size 8 at addr ffff88801 by task a/1\n"
		    "CPU: 0 PID: 1 Comm: a Not tainted 6.1.0 #1\n"
		    "Call Trace:\n dump_stack+0x1/0x2\n"
		    " kasan_report+0x1/0x2\n lock_acquire+0x1/0x2\n"
		    " _raw_spin_lock_irqsave+0x1/0x2\n"
		    " remove_wait_queue+0x1/0x2\n do_exit+0x1/0x2\n",
		    KMSG_KASAN, "KASAN: use-after-free Read in remove_wait_queue" },
		{ "WARNING: CPU: 1 PID: 2 at lib/refcount.c:25 "
		    "refcount_warn_saturate+0x1/0x2\n"
		    "RIP: 0010:refcount_warn_saturate+0x1/0x2\n"
		    "Call Trace:\n <TASK>\n nr_release+0x1/0x2\n"
		    " __sock_release+0x1/0x2\n </TASK>\n",
		    KMSG_WARNING, "WARNING: refcount bug in nr_release" },
		{ "WARNING: CPU: 1 PID: 2 at mm/page_alloc.c:5 "
		    "__alloc_pages+0x1/0x2\n"
		    "RIP: 0010:__alloc_pages+0x1/0x2\n"
		    "Call Trace:\n <TASK>\n kmalloc_large+0x1/0x2\n"
		    " squashfs_read_table+0x1/0x2\n </TASK>\n",
		    KMSG_WARNING, "WARNING in squashfs_read_table" },
		{ "UBSAN: shift-out-of-bounds in net/core/x.c:12:3\n"
		    "shift exponent 70 is too large\n"
		    "Call Trace:\n dump_stack+0x1/0x2\n"
		    " __ubsan_handle_shift_out_of_bounds+0x1/0x2\n"
		    " ip_idents_reserve+0x1/0x2\n",
		    KMSG_UBSAN, "UBSAN: shift-out-of-bounds in ip_idents_reserve" },
		{ "BUG: memory leak\nunreferenced object 0xffff8881 (size 32):\n"
		    "  backtrace:\n    [<ffffffff81>] kmemleak_alloc+0x1/0x2\n"
		    "    [<ffffffff82>] __kmalloc+0x1/0x2\n"
		    "    [<ffffffff83>] inet6_create+0x1/0x2\n",
		    KMSG_MEMORY_LEAK, "memory leak in inet6_create" },
		{ "WARNING: possible circular locking dependency detected\n"
		    "a/1 is trying to acquire lock:\n"
		    "ffff8880 (&bdev->bd_mutex){+.+.}, at: "
		    "blkdev_reread_part+0x1f/0x40\n\n"
		    "but task is already holding lock:\n"
		    "ffff8881 (&lo->lo_ctl_mutex){+.+.}, at: "
		    "lo_ioctl+0x8b/0x1b70\n",
		    KMSG_LOCKDEP, "possible deadlock in blkdev_reread_part" },
		{ "INFO: trying to register non-static key.\n"
		    "Call Trace:\n dump_stack+0x1/0x2\n"
		    " register_lock_class+0x1/0x2\n __lock_acquire+0x1/0x2\n"
		    " tun_flow_cleanup+0x1/0x2\n",
		    KMSG_LOCKDEP, "INFO: trying to register non-static key in "
		    "tun_flow_cleanup" },
		{ "unregister_netdevice: waiting for lo to become free. Usage "
		    "count = 2\n", KMSG_WARNING,
		    "unregister_netdevice: waiting for DEV to become free" },
		{ "BUG: Unable to handle kernel data access on read at "
		    "0x00000008\nFaulting instruction address: 0xc00000000052\n"
		    "Oops: Kernel access of bad area, sig: 11 [#1]\n"
		    "NIP [c000000000520a3c] zap_pte_range+0x1bc/0x7a0\n"
		    "LR [c000000000520a10] zap_pte_range+0x190/0x7a0\n"
		    "Call Trace:\n[c00000000f4bb8c0] [c000000000520a10] "
		    "zap_pte_range+0x190/0x7a0 (unreliable)\n",
		    KMSG_OOPS, "BUG: unable to handle kernel paging request in "
		    "zap_pte_range" },
		{ "Kernel panic - not syncing: Attempted to kill init! "
		    "exitcode=0x00000009\n", KMSG_PANIC,
		    "kernel panic: Attempted to kill init!" },
		{ "Oops: int3: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
		    "RIP: 0010:__pmd_alloc+0x1/0x2\n"
		    "Call Trace:\n <TASK>\n handle_mm_fault+0x1/0x2\n </TASK>\n",
		    KMSG_OOPS, "int3 in __pmd_alloc" },
		{ "divide error: 0000 [#1] SMP KASAN\n"
		    "RIP: 0010:tabledist+0x1/0x2\nCall Trace:\n netem_enqueue+0x1/0x2\n",
		    KMSG_OOPS, "divide error in tabledist" },
	};
	check_cases(v, sizeof v / sizeof v[0]);
}

/* A WARNING whose stack was cut off is corrupted: not for grouping. */
TEST(kmsg_forms_corrupted)
{
	struct kmsg_event *ev;
	int n;

	ev = kmsg_first_event("WARNING: CPU: 1 PID: 2 at lib/refcount.c:25 "
	    "refcount_warn_saturate+0x1/0x2\n"
	    "RIP: 0010:refcount_warn_saturate+0x1/0x2\n", &n);
	CHECK_INT_EQ(n, 1);
	if (ev != NULL) {
		CHECK_STR_EQ(ev->title, "WARNING: refcount bug");
		CHECK_INT_EQ(ev->corrupted, 1);
		kmsg_event_free(ev);
	}
}

/*
 * panic_on_warn: the panic right after the header prints the only stack;
 * kmemleak without its "BUG: memory leak" line.
 */
TEST(kmsg_forms_panic_stack_and_bare_leak)
{
	static const struct kcase v[] = {
		{ "WARNING: CPU: 1 PID: 2 at lib/refcount.c:186 "
		    "refcount_sub_and_test+0x167/0x1b0\n"
		    "Kernel panic - not syncing: panic_on_warn set ...\n"
		    "CPU: 1 PID: 2 Comm: a Not tainted 4.14.0 #91\n"
		    "Call Trace:\n dump_stack+0x1/0x2\n panic+0x1/0x2\n"
		    " __warn+0x1/0x2\n report_bug+0x1/0x2\n"
		    " do_invalid_op+0x1b/0x20\n invalid_op+0x18/0x20\n"
		    "RIP: 0010:refcount_sub_and_test+0x167/0x1b0\n"
		    " sctp_wfree+0x1/0x2\n skb_release_head_state+0x1/0x2\n",
		    KMSG_WARNING, "WARNING: refcount bug in sctp_wfree" },
		{ "unreferenced object 0xffff880039a55260 (size 64):\n"
		    "  comm \"a\", pid 1, jiffies 4298984475 (age 16.078s)\n"
		    "  backtrace:\n"
		    "    [<ffffffff848a2f5f>] sock_kmalloc+0x7f/0xc0\n"
		    "    [<ffffffff84e5bea0>] do_ipv6_setsockopt.isra.7+0x1/0x2\n",
		    KMSG_MEMORY_LEAK, "memory leak in do_ipv6_setsockopt" },
	};
	check_cases(v, sizeof v / sizeof v[0]);
}

/*
 * Stacks that other lines cut: a one-line report (unregister_netdevice)
 * or another context's line inside a stack without <TASK> markers; the
 * arm caller after "from"; the page_owner stack of a bad page.
 */
TEST(kmsg_forms_cut_stacks)
{
	static const struct kcase v[] = {
		{ "INFO: task a:1 blocked for more than 120 seconds.\n"
		    "Call Trace:\n [<ffffffff829f5a8c>] schedule+0x9c/0x1b0\n"
		    "unregister_netdevice: waiting for lo to become free. "
		    "Usage count = 6\n"
		    " [<ffffffff829fb0c0>] mutex_lock_nested+0x3b0/0x1130\n"
		    " [<ffffffff8223552c>] copy_net_ns+0xcc/0x220\n",
		    NULL, "INFO: task hung in copy_net_ns" },
		{ "INFO: task a:1 blocked for more than 120 seconds.\n"
		    "Call Trace:\n [<ffffffff8100216f>] schedule+0x8f/0x1b0\n"
		    "audit: type=1326 audit(1554431287.410:64): auid=1\n"
		    " [<ffffffff83320880>] mon_bin_read+0x60/0x640\n"
		    " [<ffffffff81a77a82>] vfs_read+0x192/0x3c0\n",
		    NULL, "INFO: task hung in mon_bin_read" },
		{ "Unhandled fault: page domain fault (0x01b) at 0x00000e30\n"
		    "PC is at __sanitizer_cov_trace_pc+0x4c/0x78\n"
		    "Backtrace: \n"
		    "[<802b3ffc>] (__sanitizer_cov_trace_pc) from [<802e1324>] "
		    "(trace_hardirqs_off+0x6c/0x120)\n"
		    "[<802e12b8>] (trace_hardirqs_off) from [<80100a74>] "
		    "(__dabt_svc+0x54/0xa0)\n",
		    NULL, "Unhandled fault in __dabt_svc" },
		/* arm's unwinder prints saved registers between frames */
		{ "WARNING: CPU: 1 PID: 46 at lib/refcount.c:28 "
		    "refcount_warn_saturate+0x13c/0x174\n"
		    "Call trace: \n"
		    "[<8195de5c>] (panic) from [<802421e4>] (get_taint+0x0/0x1c)\n"
		    " r3:8260c5c4 r2:00000001 r1:81ff52e4 r0:81ffd0bc\n"
		    " r7:80813f4c\n"
		    "[<80242170>] (check_panic_on_warn) from [<80242338>] "
		    "(__warn+0x7c/0x180)\n"
		    "[<80242440>] (warn_slowpath_fmt) from [<80813f4c>] "
		    "(refcount_warn_saturate+0x13c/0x174)\n"
		    " r8:00000009 r7:8205adc0\n"
		    "[<80813e10>] (refcount_warn_saturate) from [<81528c4c>] "
		    "(hdm_disconnect+0x88/0x8c)\n",
		    NULL, "WARNING: refcount bug in hdm_disconnect" },
		{ "BUG: Bad page state in process a  pfn:7deea\n"
		    "page last allocated via order 0, migratetype Unmovable\n"
		    " post_alloc_hook+0x1f3/0x230\n"
		    " __filemap_get_folio+0x44e/0xc10\n"
		    " __get_metapage+0x2b4/0x1050\n"
		    "page last free pid 1 tgid 1 stack trace:\n"
		    " free_unref_page+0x1/0x2\n",
		    NULL, "BUG: Bad page state in __get_metapage" },
	};
	check_cases(v, sizeof v / sizeof v[0]);
}

/* Header shapes of older and newer kernels (item 1, 2). */
TEST(kmsg_forms_header_shapes)
{
	static const struct kcase v[] = {
		{ "[ BUG: bad unlock balance detected! ]\n"
		    "a/1 is trying to release lock (mrt_lock) at:\n"
		    "[<ffffffff8361a7a5>] ipmr_mfc_seq_stop+0xe5/0x130\n"
		    "but there are no more locks to release!\n",
		    KMSG_LOCKDEP, "BUG: bad unlock balance in ipmr_mfc_seq_stop" },
		/* lockdep's sections end in blank lines, before its stack */
		{ "WARNING: suspicious RCU usage\n"
		    "kernel/sched/core.c:7264 Illegal context switch!\n\n"
		    "other info that might help us debug this:\n\n\n"
		    "rcu_scheduler_active = 2, debug_locks = 1\n\n"
		    "stack backtrace:\nCPU: 1 PID: 178 Comm: kworker/u4:4\n"
		    "Call trace:\n dump_backtrace+0x0/0x4d0\n"
		    " lockdep_rcu_suspicious+0x134/0x14c\n"
		    " ___might_sleep+0x440/0x4d8\n gc_worker+0x4bc/0xaa0\n"
		    " process_one_work+0x898/0x1af8\n",
		    KMSG_LOCKDEP, "WARNING: suspicious RCU usage in gc_worker" },
		{ " BUG: KCSAN: data-race in e1000_clean_rx_irq+0x551/0xb10\n",
		    KMSG_DATA_RACE, "KCSAN: data-race in e1000_clean_rx_irq" },
		{ "segment-related general protection fault: beec [#2] SMP\n"
		    "RIP: 0010:deliberately_dereference_bad_address+0x1/0x2\n",
		    KMSG_OOPS, "general protection fault in "
		    "deliberately_dereference_bad_address" },
		{ "WARNING: [time_after(jiffies, timeout)] io_uring/io_uring.c:"
		    "3026 at io_ring_exit_work+0x44c/0xbc0, CPU#0: kworker/0:1\n"
		    "RIP: 0010:io_ring_exit_work+0x44c/0xbc0\n",
		    KMSG_WARNING, "WARNING in io_ring_exit_work" },
		{ "INFO: task udevd:5612 blocked in I/O wait for more than 143 "
		    "seconds.\nCall Trace:\n <TASK>\n schedule+0x1/0x2\n"
		    " read_cache_folio+0x1/0x2\n </TASK>\n",
		    KMSG_HUNG_TASK, "INFO: task hung in read_cache_folio" },
		{ "INFO: task a:1 can't die for more than 143 seconds.\n"
		    "Call Trace:\n <TASK>\n schedule+0x1/0x2\n"
		    " p9_client_rpc+0x1/0x2\n </TASK>\n",
		    KMSG_HUNG_TASK, "INFO: task can't die in p9_client_rpc" },
		/* The console lost its prefixes before the report. */
		{ "[  147.4] booting\nuser space says hello\n"
		    "WARNING: CPU: 1 PID: 6576 at fs/overlayfs/dir.c:212 "
		    "ovl_create_real+0x272/0x520\n"
		    "RIP: 0010:ovl_create_real+0x272/0x520\n"
		    "Call Trace:\n ovl_create_or_link+0x1/0x2\n",
		    KMSG_WARNING, "WARNING in ovl_create_real" },
	};
	check_cases(v, sizeof v / sizeof v[0]);
}

/*
 * A stack overflow recurses past any small frame bound: its title is the
 * frame above the syscall's anchor, however deep (5.14+ header form).
 */
TEST(kmsg_forms_deep_stack)
{
	char *log = malloc(64 * 1024), *p;
	struct kcase v[1];
	int i;

	p = log + sprintf(log, "BUG: TASK stack guard page was hit at "
	    "ffffc900190cfff8 (stack is ffffc900190d0000..ffffc900190d7fff)\n"
	    "RIP: 0010:netdev_next_lower_dev_rcu+0x1/0x2\nCall Trace:\n");
	for (i = 0; i < 300; i++)
		p += sprintf(p, " %s+0x1/0x2\n", i % 2 ? "bond_get_stats" :
		    "dev_get_stats");
	sprintf(p, " rtnl_newlink+0x1/0x2\n rtnetlink_rcv_msg+0x1/0x2\n"
	    " netlink_rcv_skb+0x1/0x2\n");
	v[0].log = log;
	v[0].kind = KMSG_BUG;
	v[0].title = "BUG: stack guard page was hit in rtnl_newlink";
	check_cases(v, 1);
	free(log);
}

/* journalctl -o export: the report's lines are the entries' MESSAGE=. */
TEST(kmsg_forms_journal_export)
{
	char *log = calloc(1, 8192);
	struct kmsg_event *ev;
	size_t i;
	int n;

	for (i = 0; gpf_lines[i] != NULL; i++)
		sprintf(log + strlen(log), "__CURSOR=s=0123;i=%zu\n"
		    "__REALTIME_TIMESTAMP=1733170000%06zu\n"
		    "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
		    "PRIORITY=4\nSYSLOG_FACILITY=0\nSYSLOG_IDENTIFIER=kernel\n"
		    "MESSAGE=%s\n_TRANSPORT=kernel\n\n", i, i, gpf_lines[i]);
	ev = kmsg_first_event(log, &n);
	CHECK_INT_EQ(n, 1);
	if (ev != NULL) {
		CHECK_STR_EQ(ev->title, "general protection fault in ucma_close");
		kmsg_event_free(ev);
	}
	free(log);
}
