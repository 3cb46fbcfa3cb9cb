// SPDX-License-Identifier: GPL-2.0
/*
 * mmstorm_inject - provoke kernel-log events on demand, for the VM lab.
 *
 * Only for throw-away guests: every trigger damages the running kernel.
 *
 *   echo SCENARIO > /sys/kernel/debug/mmstorm_inject/trigger
 *
 * Oops-type scenarios run in the writer's context, inside a distinctly named
 * noinline function. Stall-type scenarios run in kthreads pinned to CPUs,
 * whose thread function is the named function: syzkaller's stall frame
 * extractor names a stall after the frame above the first "anchor" (kthread,
 * vfs_write, ...), and through debugfs that would otherwise be
 * full_proxy_write. The writer waits (interruptibly) for the kthreads.
 *
 *   SCENARIO [SECS [CPULIST]]     e.g. "softlockup 25 1-2"
 *   (SECS default 25, or the default_secs parameter; CPULIST default "1",
 *    or the writer's CPU when CPU 1 is offline)
 *
 * in kthreads "mmstorm_inject/N" on each CPU of CPULIST:
 *   softlockup    preempt_disable() + udelay loop   -> mmstorm_inject_softlockup_fn
 *   rcustall      irqs off + udelay loop, touching the soft-lockup watchdog,
 *                 so that only RCU notices          -> mmstorm_inject_rcustall_fn
 *   hardlockup    irqs off + udelay loop, no touching (a hard lockup where an
 *                 NMI watchdog exists; not under TCG) -> mmstorm_inject_hardlockup_fn
 *   rcustall-task rcu_read_lock() across a cond_resched() loop
 *                                                   -> mmstorm_inject_rcustall_task_fn
 *   ipistall      first CPU of CPULIST (default "1,2") as rcustall; 1 s later
 *                 the second CPU calls on_each_cpu() and waits for it, as
 *                 the page allocator's drain did in seed 003
 *                                                   -> mmstorm_inject_ipi_fn
 * in the writer:
 *   hungtask      TASK_UNINTERRUPTIBLE sleep        -> mmstorm_inject_hungtask_fn
 *   warning       WARN_ON(1)                        -> mmstorm_inject_warning_fn
 *   bug           BUG(), kills the writer           -> mmstorm_inject_bug_fn
 *   nullderef     write through NULL, kills writer  -> mmstorm_inject_nullderef_fn
 *   gpf           read a non-canonical address      -> mmstorm_inject_gpf_fn
 *   listcorrupt   list_del() of a poisoned entry (DEBUG_LIST + BUG_ON_DATA_CORRUPTION)
 *                                                   -> mmstorm_inject_listcorrupt_fn
 *   badpage       free an order-4 block whose head page is still "mapped"
 *                                                   -> mmstorm_inject_badpage_fn
 *
 * and one without the trigger, armed by module parameters (the lab's /init
 * passes mmstorm_inject.* words of the kernel command line to insmod):
 *   munmap_stall_secs=N [munmap_stall_mb=M]
 *                 the first munmap(2) of at least M MiB (default 64) after
 *                 loading spins N s with preemption off inside the syscall
 *                 (kprobe on __x64_sys_munmap): a kernel whose munmap locks
 *                 up, seed 004's shape, for the VM lab's bisect
 *                                                   -> mmstorm_inject_munmap_stall_fn
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/nmi.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static unsigned int default_secs = 25;
module_param(default_secs, uint, 0644);
MODULE_PARM_DESC(default_secs, "duration of the lockup/stall/hang scenarios (s)");

static unsigned int munmap_stall_secs;
module_param(munmap_stall_secs, uint, 0444);
MODULE_PARM_DESC(munmap_stall_secs, "spin this long in the first large munmap (0: off)");
static unsigned int munmap_stall_mb = 64;
module_param(munmap_stall_mb, uint, 0444);
MODULE_PARM_DESC(munmap_stall_mb, "smallest munmap length (MiB) that munmap_stall_secs stalls");

static struct dentry *mmstorm_dir;

/*
 * Busy-wait @secs seconds of guest time in 1 ms steps. The deadline is on
 * the clocksource, not an iteration count: under TCG several spinning
 * vCPUs slow each udelay() down several times over. ktime_get_ns() works
 * with interrupts off.
 */
static noinline void mmstorm_inject_spin(unsigned int secs, bool touch)
{
	u64 end = ktime_get_ns() + (u64)secs * NSEC_PER_SEC;

	while (ktime_get_ns() < end) {
		udelay(1000);
		if (touch)
			touch_softlockup_watchdog();
	}
}

static atomic_t mmstorm_running = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(mmstorm_wq);

static void mmstorm_inject_thread_done(void)
{
	if (atomic_dec_and_test(&mmstorm_running))
		wake_up_all(&mmstorm_wq);
}

static noinline int mmstorm_inject_softlockup_fn(void *arg)
{
	unsigned int secs = (unsigned long)arg;

	pr_info("mmstorm_inject: softlockup for %us on CPU%d\n", secs, raw_smp_processor_id());
	preempt_disable();
	mmstorm_inject_spin(secs, false);
	preempt_enable();
	pr_info("mmstorm_inject: softlockup done on CPU%d\n", raw_smp_processor_id());
	mmstorm_inject_thread_done();
	return 0;
}

static noinline int mmstorm_inject_rcustall_fn(void *arg)
{
	unsigned int secs = (unsigned long)arg;
	unsigned long flags;

	pr_info("mmstorm_inject: irqs off for %us on CPU%d\n", secs, raw_smp_processor_id());
	local_irq_save(flags);
	mmstorm_inject_spin(secs, true);
	local_irq_restore(flags);
	pr_info("mmstorm_inject: rcustall done on CPU%d\n", raw_smp_processor_id());
	mmstorm_inject_thread_done();
	return 0;
}

static noinline int mmstorm_inject_hardlockup_fn(void *arg)
{
	unsigned int secs = (unsigned long)arg;
	unsigned long flags;

	pr_info("mmstorm_inject: irqs off (untouched) for %us on CPU%d\n", secs,
		raw_smp_processor_id());
	local_irq_save(flags);
	mmstorm_inject_spin(secs, false);
	local_irq_restore(flags);
	pr_info("mmstorm_inject: hardlockup done on CPU%d\n", raw_smp_processor_id());
	mmstorm_inject_thread_done();
	return 0;
}

static noinline int mmstorm_inject_rcustall_task_fn(void *arg)
{
	unsigned int secs = (unsigned long)arg;
	u64 end = ktime_get_ns() + (u64)secs * NSEC_PER_SEC;

	pr_info("mmstorm_inject: rcu_read_lock held for %us on CPU%d\n", secs,
		raw_smp_processor_id());
	rcu_read_lock();
	while (ktime_get_ns() < end) {
		udelay(1000);
		cond_resched();
	}
	rcu_read_unlock();
	pr_info("mmstorm_inject: rcustall-task done\n");
	mmstorm_inject_thread_done();
	return 0;
}

static void mmstorm_inject_ipi_noop(void *unused)
{
}

static noinline int mmstorm_inject_ipi_fn(void *arg)
{
	/* Let the other CPU turn its interrupts off first (sleeping in S). */
	msleep_interruptible(1000);
	pr_info("mmstorm_inject: on_each_cpu() from CPU%d\n", raw_smp_processor_id());
	on_each_cpu(mmstorm_inject_ipi_noop, NULL, 1);
	pr_info("mmstorm_inject: ipistall done on CPU%d\n", raw_smp_processor_id());
	mmstorm_inject_thread_done();
	return 0;
}

/*
 * Start @fn in one kthread per CPU of @cpus (@fn2, if set, on every CPU but
 * the first), then wait for all of them.
 */
static int mmstorm_inject_run_threads(int (*fn)(void *), int (*fn2)(void *),
				      unsigned int secs, const struct cpumask *cpus)
{
	struct task_struct *t[16];
	unsigned int n = 0, i, cpu;

	if (atomic_read(&mmstorm_running))
		return -EBUSY;
	for_each_cpu_and(cpu, cpus, cpu_online_mask) {
		if (n == ARRAY_SIZE(t))
			break;
		t[n] = kthread_create(n && fn2 ? fn2 : fn, (void *)(unsigned long)secs,
				      "mmstorm_inject/%u", cpu);
		if (IS_ERR(t[n]))
			break;
		kthread_bind(t[n], cpu);
		n++;
	}
	if (!n || (fn2 && n < 2)) {
		for (i = 0; i < n; i++)
			kthread_stop(t[i]);
		return -EINVAL;
	}
	/* Wake them together, so that the CPUs lock up at the same time. */
	atomic_set(&mmstorm_running, n);
	for (i = 0; i < n; i++)
		wake_up_process(t[i]);
	/* Sleep in S, not D: the writer must not itself be a hung task. */
	return wait_event_interruptible(mmstorm_wq, atomic_read(&mmstorm_running) == 0);
}

static noinline void mmstorm_inject_hungtask_fn(unsigned int secs)
{
	pr_info("mmstorm_inject: uninterruptible sleep for %us\n", secs);
	schedule_timeout_uninterruptible(secs * HZ);
	pr_info("mmstorm_inject: hungtask done\n");
}

static noinline void mmstorm_inject_warning_fn(void)
{
	WARN_ON(1);
}

static noinline void mmstorm_inject_bug_fn(void)
{
	BUG();
}

static int *volatile mmstorm_null_ptr;

static noinline void mmstorm_inject_nullderef_fn(void)
{
	*mmstorm_null_ptr = 0x6d6d;
}

static unsigned long *volatile mmstorm_bad_ptr = (unsigned long *)0xdead000000000100UL;

static noinline unsigned long mmstorm_inject_gpf_fn(void)
{
	return READ_ONCE(*mmstorm_bad_ptr);
}

static noinline void mmstorm_inject_listcorrupt_fn(void)
{
	LIST_HEAD(head);
	struct list_head entry;

	list_add(&entry, &head);
	entry.next = LIST_POISON1;	/* as if it had been list_del()'d already */
	list_del(&entry);
}

static noinline void mmstorm_inject_badpage_fn(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 4);

	if (!page)
		return;
	/*
	 * Order 4 bypasses the per-cpu lists, so the page is checked right now
	 * in free_pages_prepare(): "nonzero mapcount". The block is leaked.
	 */
	atomic_set(&page->_mapcount, 0);
	__free_pages(page, 4);
	/* Not a tail call: keep this function in the reported stack. */
	pr_info("mmstorm_inject: badpage done\n");
}

static ssize_t mmstorm_inject_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[96], *p, *name, *tok;
	unsigned int secs = default_secs;
	cpumask_var_t cpus;
	int (*fn)(void *) = NULL, (*fn2)(void *) = NULL;
	int ret = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	p = strim(buf);
	name = strsep(&p, " \t");
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	if (cpu_online(1))
		cpumask_set_cpu(1, cpus);
	else
		cpumask_set_cpu(raw_smp_processor_id(), cpus);
	tok = p ? strsep(&p, " \t") : NULL;
	if (tok && *tok && (kstrtouint(tok, 0, &secs) || secs == 0 || secs > 600))
		ret = -EINVAL;
	tok = p ? strsep(&p, " \t") : NULL;
	if (!ret && tok && *tok && cpulist_parse(tok, cpus))
		ret = -EINVAL;
	if (ret)
		goto out;

	if (!strcmp(name, "softlockup"))
		fn = mmstorm_inject_softlockup_fn;
	else if (!strcmp(name, "rcustall"))
		fn = mmstorm_inject_rcustall_fn;
	else if (!strcmp(name, "hardlockup"))
		fn = mmstorm_inject_hardlockup_fn;
	else if (!strcmp(name, "rcustall-task"))
		fn = mmstorm_inject_rcustall_task_fn;
	else if (!strcmp(name, "ipistall")) {
		fn = mmstorm_inject_rcustall_fn;
		fn2 = mmstorm_inject_ipi_fn;
		if (cpumask_weight(cpus) < 2) {
			cpumask_clear(cpus);
			cpumask_set_cpu(1, cpus);
			cpumask_set_cpu(2, cpus);
		}
	}
	else if (!strcmp(name, "hungtask"))
		mmstorm_inject_hungtask_fn(secs);
	else if (!strcmp(name, "warning"))
		mmstorm_inject_warning_fn();
	else if (!strcmp(name, "bug"))
		mmstorm_inject_bug_fn();
	else if (!strcmp(name, "nullderef"))
		mmstorm_inject_nullderef_fn();
	else if (!strcmp(name, "gpf"))
		pr_info("mmstorm_inject: read %lx\n", mmstorm_inject_gpf_fn());
	else if (!strcmp(name, "listcorrupt"))
		mmstorm_inject_listcorrupt_fn();
	else if (!strcmp(name, "badpage"))
		mmstorm_inject_badpage_fn();
	else
		ret = -EINVAL;
	if (fn)
		ret = mmstorm_inject_run_threads(fn, fn2, secs, cpus);
out:
	free_cpumask_var(cpus);
	return ret ? ret : count;
}

static const struct file_operations mmstorm_inject_fops = {
	.owner = THIS_MODULE,
	.write = mmstorm_inject_write,
	.llseek = noop_llseek,
};

static atomic_t munmap_stall_fired = ATOMIC_INIT(0);

static noinline void mmstorm_inject_munmap_stall_fn(unsigned long len)
{
	pr_info("mmstorm_inject: munmap of %lu MiB stalls %us on CPU%d\n",
		len >> 20, munmap_stall_secs, raw_smp_processor_id());
	mmstorm_inject_spin(munmap_stall_secs, false);
	pr_info("mmstorm_inject: munmap stall done\n");
}

/*
 * Runs at the entry of __x64_sys_munmap (an ftrace-based kprobe: preemption
 * off, interrupts on). Its argument is the syscall's pt_regs: the length is
 * the second syscall argument, regs->si there.
 */
static int mmstorm_inject_munmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct pt_regs *uregs = (const struct pt_regs *)regs->di;
	unsigned long len = uregs->si;

	if (len >= ((unsigned long)munmap_stall_mb << 20) &&
	    atomic_cmpxchg(&munmap_stall_fired, 0, 1) == 0)
		mmstorm_inject_munmap_stall_fn(len);
	return 0;
}

static struct kprobe mmstorm_munmap_kp = {
	.symbol_name = "__x64_sys_munmap",
	.pre_handler = mmstorm_inject_munmap_pre,
};
static bool mmstorm_munmap_kp_on;

static int __init mmstorm_inject_init(void)
{
	int ret;

	mmstorm_dir = debugfs_create_dir("mmstorm_inject", NULL);
	debugfs_create_file("trigger", 0200, mmstorm_dir, NULL, &mmstorm_inject_fops);
	if (munmap_stall_secs) {
		ret = register_kprobe(&mmstorm_munmap_kp);
		if (ret)
			pr_err("mmstorm_inject: kprobe on __x64_sys_munmap: %d\n", ret);
		else
			mmstorm_munmap_kp_on = true;
		pr_info("mmstorm_inject: munmap stall armed: %us at munmap >= %u MiB\n",
			munmap_stall_secs, munmap_stall_mb);
	}
	pr_info("mmstorm_inject: loaded\n");
	return 0;
}

static void __exit mmstorm_inject_exit(void)
{
	if (mmstorm_munmap_kp_on)
		unregister_kprobe(&mmstorm_munmap_kp);
	debugfs_remove_recursive(mmstorm_dir);
}

module_init(mmstorm_inject_init);
module_exit(mmstorm_inject_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mmstorm VM lab: provoke lockups, stalls, hangs and oopses on demand");
