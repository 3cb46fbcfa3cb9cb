/*
 * test-sampler.c - the sampler over root directories laid out like a
 * machine (root/proc/vmstat, ...) from tests/fixtures, and over this one.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/sampler.h"
#include "unit.h"
#include "common/util.h"

#define DEB "debian-6.1.0-54-cloud-4cpu-2node-cpu2-offline/"
#define HOST "host-6.18-2cpu/"

static char *
make_root(const char *name)
{
	char *root = xasprintf("%s/%s", unit_tmpdir(), name);

	mkdir(root, 0755);
	return root;
}

/* The 6.1 guest as captured: no cpu/possible, no percpu_stats. */
static char *
debian_root(const char *name)
{
	char *root = make_root(name);

	unit_put_fixture(root, "proc/vmstat", DEB "proc-vmstat");
	unit_put_fixture(root, "proc/meminfo", DEB "proc-meminfo");
	unit_put_fixture(root, "proc/interrupts", DEB "proc-interrupts");
	unit_put_fixture(root, "proc/pressure/memory",
	    DEB "proc-pressure-memory");
	unit_put_fixture(root, "sys/devices/system/cpu/online",
	    DEB "cpu-online");
	unit_put_fixture(root, "sys/devices/system/node/node0/vmstat",
	    DEB "node0-vmstat");
	unit_put_fixture(root, "sys/devices/system/node/node1/vmstat",
	    DEB "node1-vmstat");
	return root;
}

static int64_t
value_of(const struct sampler *s, const int64_t *values, const char *name)
{
	long i = sampler_index(s, name);

	if (i < 0)
		unit_fail(__FILE__, __LINE__, "no counter '%s'", name);
	return values[i];
}

static const struct counter_desc *
desc_of(const struct sampler *s, const char *name)
{
	long i = sampler_index(s, name);

	if (i < 0)
		unit_fail(__FILE__, __LINE__, "no counter '%s'", name);
	return sampler_counter(s, (size_t)i);
}

static int
unavailable_has(const struct sampler *s, const char *needle)
{
	const char *const *list;
	size_t n, i;

	n = sampler_unavailable(s, &list);
	for (i = 0; i < n; i++)
		if (strstr(list[i], needle) != NULL)
			return 1;
	return 0;
}

TEST(sampler_fixture_6_1)
{
	struct sampler *s = NULL;
	char *root = debian_root("deb61"), *cause = NULL;
	int64_t *v;
	size_t i;

	CHECK_INT_EQ(sampler_init(&s, root, &cause), 0);
	v = xcalloc(sampler_count(s), sizeof *v);
	CHECK_INT_EQ(sampler_read(s, v), 0);

	CHECK_INT_EQ(value_of(s, v, "vmstat.pgfault"), 315);
	CHECK_INT_EQ(value_of(s, v, "vmstat.nr_free_pages"), 494166);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Percpu"), 1024);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Active(anon)"), 1756);
	/* CAL per CPU, and CPU2 (offline, no column) is still a column. */
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu0"), 121);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu1"), 157);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu2"), 0);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu3"), 252);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL"), 530);
	CHECK_INT_EQ(value_of(s, v, "irq.LOC"), 786);
	CHECK_INT_EQ(value_of(s, v, "irq.dev"), 991);
	CHECK_INT_EQ(value_of(s, v, "irq.dev.cpu1"), 907);
	CHECK_INT_EQ(value_of(s, v, "irq.ERR"), 0);
	CHECK_INT_EQ(sampler_index(s, "irq.ERR.cpu0"), -1);
	CHECK_INT_EQ(sampler_index(s, "irq.CAL.cpu4"), -1);
	CHECK_INT_EQ(value_of(s, v, "psi.memory.some.total"), 0);
	CHECK_INT_EQ(value_of(s, v, "psi.memory.full.avg10"), 0);
	CHECK_INT_EQ(value_of(s, v, "cpu.online"), 3);
	CHECK_INT_EQ(value_of(s, v, "cpu.online_mask"), 0xb);
	CHECK_INT_EQ(value_of(s, v, "node0.nr_free_pages"), 242593);
	CHECK_INT_EQ(value_of(s, v, "node1.numa_hit"), 3631);

	/* A Debian kernel: no CONFIG_PERCPU_STATS, noted, not fatal. */
	CHECK_INT_EQ(sampler_index(s, "percpu.nr_alloc"), -1);
	CHECK(unavailable_has(s, "/sys/kernel/debug/percpu_stats: "));
	CHECK_INT_EQ(sampler_index(s, "vmstat.no_such_key"), -1);

	/* Every name is unique and sampler_index() finds each. */
	for (i = 0; i < sampler_count(s); i++)
		CHECK_INT_EQ(sampler_index(s, sampler_counter(s, i)->name),
		    (long)i);
	CHECK(sampler_counter(s, sampler_count(s)) == NULL);
	free(v);
	sampler_free(s);
	free(root);
	free(cause);
}

TEST(sampler_counter_kinds)
{
	struct sampler *s = NULL;
	char *root = debian_root("kinds");
	const struct counter_desc *d;

	CHECK_INT_EQ(sampler_init(&s, root, NULL), 0);
	d = desc_of(s, "vmstat.pgfault");
	CHECK(d->kind == COUNTER_EVENT);
	CHECK_STR_EQ(d->unit, "count");
	d = desc_of(s, "vmstat.nr_free_pages");
	CHECK(d->kind == COUNTER_GAUGE);
	CHECK_STR_EQ(d->unit, "pages");
	CHECK_STR_EQ(desc_of(s, "vmstat.nr_kernel_stack")->unit, "kB");
	CHECK_STR_EQ(desc_of(s, "vmstat.pgpgin")->unit, "kB");
	/* nr_dirtied counts since boot; workingset_nodes is a level. */
	CHECK(desc_of(s, "vmstat.nr_dirtied")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "vmstat.nr_foll_pin_acquired")->kind ==
	    COUNTER_EVENT);
	CHECK(desc_of(s, "vmstat.workingset_nodes")->kind == COUNTER_GAUGE);
	CHECK(desc_of(s, "vmstat.numa_hit")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "vmstat.allocstall_normal")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "vmstat.oom_kill")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "vmstat.thp_fault_alloc")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "node1.numa_hit")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "node1.nr_mapped")->kind == COUNTER_GAUGE);
	d = desc_of(s, "meminfo.MemAvailable");
	CHECK(d->kind == COUNTER_GAUGE);
	CHECK_STR_EQ(d->unit, "kB");
	CHECK_STR_EQ(desc_of(s, "meminfo.HugePages_Free")->unit, "pages");
	CHECK(desc_of(s, "irq.CAL")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "irq.TLB.cpu3")->kind == COUNTER_EVENT);
	d = desc_of(s, "psi.memory.some.total");
	CHECK(d->kind == COUNTER_EVENT);
	CHECK_STR_EQ(d->unit, "us");
	d = desc_of(s, "psi.memory.some.avg10");
	CHECK(d->kind == COUNTER_GAUGE);
	CHECK_STR_EQ(d->unit, "pct_x100");
	CHECK(desc_of(s, "cpu.online")->kind == COUNTER_GAUGE);
	sampler_free(s);
	free(root);
}

TEST(sampler_fixture_6_18_percpu)
{
	struct sampler *s = NULL;
	char *root = make_root("host618"), *cause = NULL;
	const char *const *list;
	int64_t *v;

	unit_put_fixture(root, "proc/vmstat", HOST "proc-vmstat");
	unit_put_fixture(root, "proc/meminfo", HOST "proc-meminfo");
	unit_put_fixture(root, "proc/interrupts", HOST "proc-interrupts");
	unit_put_fixture(root, "proc/pressure/memory",
	    HOST "proc-pressure-memory-stalled");
	unit_put_fixture(root, "sys/kernel/debug/percpu_stats",
	    HOST "percpu_stats-sidelined");
	unit_put_fixture(root, "sys/devices/system/cpu/online",
	    HOST "cpu-online");
	unit_put_fixture(root, "sys/devices/system/cpu/possible",
	    HOST "cpu-possible");
	unit_put_fixture(root, "sys/devices/system/node/node0/vmstat",
	    HOST "node0-vmstat");

	CHECK_INT_EQ(sampler_init(&s, root, &cause), 0);
	CHECK_INT_EQ(sampler_unavailable(s, &list), 0);
	v = xcalloc(sampler_count(s), sizeof *v);
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "percpu.nr_alloc"), 23327);
	CHECK(desc_of(s, "percpu.nr_alloc")->kind == COUNTER_EVENT);
	CHECK(desc_of(s, "percpu.nr_cur_alloc")->kind == COUNTER_GAUGE);
	CHECK_INT_EQ(value_of(s, v, "percpu.nr_chunks"), 13);
	CHECK_INT_EQ(value_of(s, v, "percpu.chunks.sidelined"), 11);
	CHECK_INT_EQ(value_of(s, v, "percpu.chunks.first"), 1);
	CHECK_INT_EQ(value_of(s, v, "percpu.chunks.total"), 13);
	CHECK_INT_EQ(value_of(s, v, "psi.memory.some.avg10"), 3223);
	CHECK_INT_EQ(value_of(s, v, "psi.memory.full.total"), 4825707);
	CHECK_INT_EQ(value_of(s, v, "irq.HYP"), 91 + 27);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu1"), 19394);
	CHECK_INT_EQ(sampler_index(s, "irq.CAL.cpu2"), -1);
	CHECK_INT_EQ(value_of(s, v, "vmstat.nr_free_pages_blocks"), 1004544);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Percpu"), 688);
	CHECK_INT_EQ(value_of(s, v, "node0.numa_hit"), 901754);
	CHECK_INT_EQ(value_of(s, v, "cpu.online"), 2);
	CHECK_INT_EQ(sampler_index(s, "node1.numa_hit"), -1);
	free(v);
	sampler_free(s);
	free(root);
	free(cause);
}

/* Only some sources; a throttled source keeps its values between due
 * reads, and sampler_read_all() reads it anyway. */
TEST(sampler_only_and_throttle)
{
	struct sampler *s = NULL;
	char *root = make_root("throttle"), *cause = NULL;
	int64_t *v;

	unit_put_fixture(root, "proc/vmstat", HOST "proc-vmstat");
	unit_put_fixture(root, "proc/meminfo", HOST "proc-meminfo");
	unit_put_fixture(root, "proc/interrupts", HOST "proc-interrupts");
	unit_put_fixture(root, "sys/kernel/debug/percpu_stats",
	    HOST "percpu_stats-sidelined");

	CHECK_INT_EQ(sampler_init_only(&s, root, SAMPLE_VMSTAT |
	    SAMPLE_INTERRUPTS, &cause), 0);
	CHECK(sampler_index(s, "vmstat.pgfault") >= 0);
	CHECK(sampler_index(s, "irq.CAL") >= 0);
	CHECK_INT_EQ(sampler_index(s, "meminfo.Percpu"), -1);
	CHECK_INT_EQ(sampler_index(s, "percpu.nr_alloc"), -1);
	sampler_free(s);

	CHECK_INT_EQ(sampler_init(&s, root, &cause), 0);
	sampler_throttle(s, SAMPLE_PERCPU | SAMPLE_MEMINFO,
	    INT64_C(3600) * 1000000000);
	v = xcalloc(sampler_count(s), sizeof *v);
	CHECK_INT_EQ(sampler_read(s, v), 0);   /* the first read is due */
	CHECK_INT_EQ(value_of(s, v, "percpu.nr_alloc"), 23327);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Percpu"), 688);
	unit_put(root, "sys/kernel/debug/percpu_stats", "Percpu Memory "
	    "Statistics\nGlobal Stats:\n  nr_alloc : 23400\n");
	unit_put(root, "proc/meminfo", "Percpu:             700 kB\n");
	unit_put(root, "proc/vmstat", "pgfault 5\n");
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "percpu.nr_alloc"), 23327);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Percpu"), 688);
	CHECK_INT_EQ(value_of(s, v, "vmstat.pgfault"), 5);
	CHECK_INT_EQ(sampler_read_all(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "percpu.nr_alloc"), 23400);
	CHECK_INT_EQ(value_of(s, v, "meminfo.Percpu"), 700);
	free(v);
	sampler_free(s);
	free(root);
	free(cause);
}

/* Four CPUs online, before CPU2 went offline: values below the 6.1
 * capture's so that every counter moves forward. */
static const char interrupts_4cpu[] =
    "           CPU0       CPU1       CPU2       CPU3       \n"
    "  0:         70          0          0          0"
    "   IO-APIC   2-edge      timer\n"
    "  4:          0        800         40          0"
    "   IO-APIC   4-edge      ttyS0\n"
    "LOC:        300        200        500        150"
    "   Local timer interrupts\n"
    "CAL:        100        150        400        200"
    "   Function call interrupts\n"
    "ERR:          0\n";

TEST(sampler_offline_cpu_keeps_sums)
{
	struct sampler *s = NULL;
	char *root = make_root("offline"), *cause = NULL;
	int64_t *v;
	int64_t cal1, dev1;

	unit_put(root, "proc/interrupts", interrupts_4cpu);
	unit_put(root, "sys/devices/system/cpu/possible", "0-3\n");
	unit_put(root, "sys/devices/system/cpu/online", "0-3\n");
	CHECK_INT_EQ(sampler_init(&s, root, &cause), 0);
	v = xcalloc(sampler_count(s), sizeof *v);

	CHECK_INT_EQ(sampler_read(s, v), 0);
	cal1 = value_of(s, v, "irq.CAL");
	dev1 = value_of(s, v, "irq.dev");
	CHECK_INT_EQ(cal1, 850);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu2"), 400);
	CHECK_INT_EQ(value_of(s, v, "irq.dev.cpu2"), 40);
	CHECK_INT_EQ(dev1, 910);
	CHECK_INT_EQ(value_of(s, v, "cpu.online"), 4);

	/* CPU2 goes offline: its columns leave /proc/interrupts. */
	unit_put_fixture(root, "proc/interrupts", DEB "proc-interrupts");
	unit_put_fixture(root, "sys/devices/system/cpu/online",
	    DEB "cpu-online");
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu2"), 400);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu3"), 252);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL"), 121 + 157 + 400 + 252);
	CHECK(value_of(s, v, "irq.CAL") >= cal1);
	CHECK_INT_EQ(value_of(s, v, "irq.dev.cpu2"), 40);
	CHECK_INT_EQ(value_of(s, v, "irq.dev"), 84 + 907 + 40 + 0);
	CHECK(value_of(s, v, "irq.dev") >= dev1);
	CHECK_INT_EQ(value_of(s, v, "irq.LOC"), 335 + 248 + 500 + 203);
	CHECK_INT_EQ(value_of(s, v, "cpu.online"), 3);
	CHECK_INT_EQ(value_of(s, v, "cpu.online_mask"), 0xb);

	/* Back online: its column returns with the kernel's count. */
	unit_put(root, "proc/interrupts",
	    "           CPU0       CPU1       CPU2       CPU3       \n"
	    "CAL:        130        160        410        260"
	    "   Function call interrupts\n");
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL.cpu2"), 410);
	CHECK_INT_EQ(value_of(s, v, "irq.CAL"), 960);
	free(v);
	sampler_free(s);
	free(root);
	free(cause);
}

TEST(sampler_keys_reordered_added_removed)
{
	struct sampler *s = NULL;
	char *root = make_root("reorder");
	int64_t *v;
	size_t n;

	unit_put(root, "proc/vmstat", "nr_free_pages 10\npgfault 20\n"
	    "pgmajfault 30\noom_kill 40\n");
	CHECK_INT_EQ(sampler_init(&s, root, NULL), 0);
	n = sampler_count(s);
	v = xcalloc(n, sizeof *v);
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "vmstat.pgmajfault"), 30);

	/* Another order, a key that was not there at init (ignored) and
	 * one that went away (keeps its last value). */
	unit_put(root, "proc/vmstat", "oom_kill 41\nnew_counter 7\n"
	    "pgfault 21\nnr_free_pages 11\n");
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(sampler_count(s), n);
	CHECK_INT_EQ(sampler_index(s, "vmstat.new_counter"), -1);
	CHECK_INT_EQ(value_of(s, v, "vmstat.oom_kill"), 41);
	CHECK_INT_EQ(value_of(s, v, "vmstat.pgfault"), 21);
	CHECK_INT_EQ(value_of(s, v, "vmstat.nr_free_pages"), 11);
	CHECK_INT_EQ(value_of(s, v, "vmstat.pgmajfault"), 30);
	free(v);
	sampler_free(s);
	free(root);
}

TEST(sampler_without_percpu_stats)
{
	struct sampler *s = NULL;
	char *root = make_root("minimal"), *cause = NULL;
	const char *const *list;
	int64_t *v;

	/* An old kernel's tree: vmstat only, no PSI, no NUMA, no debugfs. */
	unit_put_fixture(root, "proc/vmstat", DEB "proc-vmstat");
	CHECK_INT_EQ(sampler_init(&s, root, &cause), 0);
	CHECK(cause == NULL);
	CHECK(sampler_unavailable(s, &list) >= 5);
	CHECK(unavailable_has(s, "/sys/kernel/debug/percpu_stats: No such "
	    "file or directory"));
	CHECK(unavailable_has(s, "/proc/pressure/memory: "));
	CHECK(unavailable_has(s, "/proc/interrupts: "));
	CHECK(unavailable_has(s, "/sys/devices/system/node: "));
	CHECK_STR_CONTAINS(list[0], root);
	v = xcalloc(sampler_count(s), sizeof *v);
	CHECK_INT_EQ(sampler_read(s, v), 0);
	CHECK_INT_EQ(value_of(s, v, "vmstat.pgfault"), 315);
	CHECK_INT_EQ(sampler_index(s, "irq.CAL"), -1);
	free(v);
	sampler_free(s);
	free(root);
}

TEST(sampler_bad_root)
{
	struct sampler *s = (struct sampler *)1;
	char *cause = NULL, *empty = make_root("empty");
	char *missing = xasprintf("%s/does-not-exist", unit_tmpdir());

	CHECK_INT_EQ(sampler_init(&s, missing, &cause), -ENOENT);
	CHECK(s == NULL);
	CHECK_STR_CONTAINS(cause, "does-not-exist");
	CHECK_INT_EQ(sampler_init(&s, empty, &cause), -ENOENT);
	CHECK_STR_CONTAINS(cause, "no kernel counters readable");
	sampler_free(NULL);
	free(cause);
	free(empty);
	free(missing);
}

TEST(sampler_live)
{
	struct sampler *s = NULL;
	char *cause = NULL, *p;
	int64_t *a, *b;
	size_t n, len = 64 << 20, off;
	long pgfault;
	struct mallinfo2 m1, m2;
	int i;

	CHECK_INT_EQ(sampler_init(&s, NULL, &cause), 0);
	n = sampler_count(s);
	CHECK(n > 100);
	CHECK((pgfault = sampler_index(s, "vmstat.pgfault")) >= 0);
	CHECK(sampler_index(s, "meminfo.MemTotal") >= 0);
	a = xcalloc(n, sizeof *a);
	b = xcalloc(n, sizeof *b);
	CHECK_INT_EQ(sampler_read(s, a), 0);
	CHECK(value_of(s, a, "meminfo.MemTotal") > 0);
	CHECK(value_of(s, a, "cpu.online") >= 1);

	/* 16384 small pages, one fault each: no THP, no fault-around. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE);
	for (off = 0; off < len; off += 4096)
		p[off] = 1;
	munmap(p, len);
	CHECK_INT_EQ(sampler_read(s, b), 0);
	CHECK(b[pgfault] - a[pgfault] >= (int64_t)(len / 4096));

	/* Reading does not leak (malloc counters, outside sanitizers). */
	m1 = mallinfo2();
	for (i = 0; i < 50; i++)
		CHECK_INT_EQ(sampler_read(s, b), 0);
	m2 = mallinfo2();
	CHECK_INT_EQ(m2.uordblks, m1.uordblks);
	free(a);
	free(b);
	sampler_free(s);
	free(cause);
}
