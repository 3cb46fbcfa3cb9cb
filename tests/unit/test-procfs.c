/*
 * test-procfs.c - the text parsers on real captures (tests/fixtures):
 * a Debian 6.1 guest with CPU2 offline, and this project's 6.18 host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe/meminfo.h"
#include "probe/procfs.h"
#include "unit.h"
#include "common/util.h"

#define DEB "debian-6.1.0-54-cloud-4cpu-2node-cpu2-offline/"
#define HOST "host-6.18-2cpu/"

/* Looks up one key while a parser walks the buffer. */
struct find {
	const char *key;
	int64_t value;
	int found;
	int calls;
};

static void
find_key(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct find *f = arg;

	f->calls++;
	if (strlen(f->key) == keylen && memcmp(f->key, key, keylen) == 0) {
		f->value = value;
		f->found++;
	}
}

static int64_t
vmstat_value(const char *buf, const char *key)
{
	struct find f = { key, 0, 0, 0 };

	procfs_parse_vmstat(buf, find_key, &f);
	return f.found == 1 ? f.value : -1;
}

/* Through probe/meminfo.c, the one reader of a meminfo field. */
static int64_t
meminfo_of(const char *buf, const char *key)
{
	int64_t kb;

	return meminfo_value(buf, key, &kb) == 0 ? kb : -1;
}

static void
count_calls(void *arg, const char *key, size_t keylen, int64_t value)
{
	(*(int *)arg)++;
}

TEST(procfs_vmstat_6_1)
{
	char *buf = fixture_read(DEB "proc-vmstat");
	int calls = 0;

	/* 6.1 prints fewer keys than 6.18: all 171 lines parse. */
	CHECK_INT_EQ(procfs_parse_vmstat(buf, count_calls, &calls), 171);
	CHECK_INT_EQ(calls, 171);
	CHECK_INT_EQ(vmstat_value(buf, "nr_free_pages"), 494166);
	CHECK_INT_EQ(vmstat_value(buf, "numa_hit"), 7330);
	CHECK_INT_EQ(vmstat_value(buf, "pgalloc_dma32"), 11501);
	CHECK_INT_EQ(vmstat_value(buf, "pgfault"), 315);
	CHECK_INT_EQ(vmstat_value(buf, "nr_unstable"), 0);
	/* A 6.18 key the old kernel does not have. */
	CHECK_INT_EQ(vmstat_value(buf, "nr_free_pages_blocks"), -1);
	free(buf);
}

TEST(procfs_vmstat_6_18)
{
	char *buf = fixture_read(HOST "proc-vmstat");

	CHECK_INT_EQ(procfs_parse_vmstat(buf, count_calls, &(int){ 0 }), 192);
	CHECK_INT_EQ(vmstat_value(buf, "nr_free_pages"), 1051756);
	CHECK_INT_EQ(vmstat_value(buf, "nr_free_pages_blocks"), 1004544);
	CHECK_INT_EQ(vmstat_value(buf, "pgfault"), 949181);
	CHECK_INT_EQ(vmstat_value(buf, "workingset_nodes"), 7802);
	free(buf);
}

TEST(procfs_vmstat_node)
{
	char *n0 = fixture_read(DEB "node0-vmstat");
	char *n1 = fixture_read(DEB "node1-vmstat");
	char *host = fixture_read(HOST "node0-vmstat");

	CHECK_INT_EQ(procfs_parse_vmstat(n0, count_calls, &(int){ 0 }), 60);
	CHECK_INT_EQ(vmstat_value(n0, "nr_free_pages"), 242593);
	CHECK_INT_EQ(vmstat_value(n1, "nr_free_pages"), 251573);
	CHECK_INT_EQ(vmstat_value(n1, "numa_hit"), 3631);
	CHECK_INT_EQ(procfs_parse_vmstat(host, count_calls, &(int){ 0 }),
	    68);
	CHECK_INT_EQ(vmstat_value(host, "numa_hit"), 901754);
	free(n0);
	free(n1);
	free(host);
}

TEST(procfs_vmstat_wraps_unsigned)
{
	/* %lu of a counter that drifted below zero reads back negative. */
	CHECK_INT_EQ(vmstat_value("nr_x 18446744073709551615\n", "nr_x"), -1);
	CHECK_INT_EQ(vmstat_value("a 1\nbroken\n\nb 2", "b"), 2);
}

TEST(procfs_meminfo)
{
	char *deb = fixture_read(DEB "proc-meminfo");
	char *host = fixture_read(HOST "proc-meminfo");

	CHECK_INT_EQ(procfs_parse_meminfo(deb, count_calls, &(int){ 0 }), 51);
	CHECK_INT_EQ(meminfo_of(deb, "MemTotal"), 2028436);
	CHECK_INT_EQ(meminfo_of(deb, "Percpu"), 1024);
	CHECK_INT_EQ(meminfo_of(deb, "Active(anon)"), 1756);
	CHECK_INT_EQ(meminfo_of(deb, "VmallocTotal"), 13743895347199LL);
	CHECK_INT_EQ(meminfo_of(deb, "HugePages_Total"), 0);
	CHECK_INT_EQ(meminfo_of(deb, "Hugepagesize"), 2048);
	CHECK_INT_EQ(procfs_parse_meminfo(host, count_calls, &(int){ 0 }),
	    54);
	CHECK_INT_EQ(meminfo_of(host, "MemTotal"), 24684084);
	CHECK_INT_EQ(meminfo_of(host, "Percpu"), 688);
	CHECK_INT_EQ(meminfo_of(host, "DirectMap1G"), 25165824);
	free(deb);
	free(host);
}

/* Every cell /proc/interrupts yields, for checks by row and CPU. */
#define CELLS_MAX 256
struct cells {
	int n;
	struct {
		char name[16];
		int cpu;
		int64_t value;
	} c[CELLS_MAX];
};

static void
collect_cell(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value)
{
	struct cells *cells = arg;

	if (cells->n == CELLS_MAX || namelen >= 16)
		return;
	memcpy(cells->c[cells->n].name, name, namelen);
	cells->c[cells->n].name[namelen] = '\0';
	cells->c[cells->n].cpu = cpu;
	cells->c[cells->n].value = value;
	cells->n++;
}

/* The sum of row name's cells on cpu, or -1 when it has none. */
static int64_t
cell(const struct cells *cells, const char *name, int cpu)
{
	int64_t sum = 0;
	int i, found = 0;

	for (i = 0; i < cells->n; i++) {
		if (strcmp(cells->c[i].name, name) != 0 ||
		    cells->c[i].cpu != cpu)
			continue;
		sum += cells->c[i].value;
		found = 1;
	}
	return found ? sum : -1;
}

TEST(procfs_interrupts_offline_cpu)
{
	char *buf = fixture_read(DEB "proc-interrupts");
	static struct cells cells;

	memset(&cells, 0, sizeof cells);
	/* Header "CPU0 CPU1 CPU3": CPU2 is offline and has no column. */
	CHECK_INT_EQ(procfs_parse_interrupts(buf, collect_cell, &cells), 3);
	CHECK_INT_EQ(cell(&cells, "CAL", 0), 121);
	CHECK_INT_EQ(cell(&cells, "CAL", 1), 157);
	CHECK_INT_EQ(cell(&cells, "CAL", 2), -1);
	CHECK_INT_EQ(cell(&cells, "CAL", 3), 252);
	CHECK_INT_EQ(cell(&cells, "LOC", 3), 203);
	CHECK_INT_EQ(cell(&cells, "RES", 1), 29);
	/* Six device lines, summed by CPU; "2-edge" is not a count. */
	CHECK_INT_EQ(cell(&cells, "dev", 0), 80 + 1 + 3);
	CHECK_INT_EQ(cell(&cells, "dev", 1), 9 + 898);
	CHECK_INT_EQ(cell(&cells, "dev", 3), 0);
	CHECK_INT_EQ(cell(&cells, "dev", -1), -1);
	CHECK_INT_EQ(cell(&cells, "ERR", -1), 0);
	CHECK_INT_EQ(cell(&cells, "MIS", -1), 0);
	CHECK_INT_EQ(cell(&cells, "ERR", 0), -1);
	/* 6 device rows and 13 named rows of 3 cells, ERR and MIS. */
	CHECK_INT_EQ(cells.n, 6 * 3 + 13 * 3 + 2);
	free(buf);
}

TEST(procfs_interrupts_6_18)
{
	char *buf = fixture_read(HOST "proc-interrupts");
	static struct cells cells;

	memset(&cells, 0, sizeof cells);
	CHECK_INT_EQ(procfs_parse_interrupts(buf, collect_cell, &cells), 2);
	CHECK_INT_EQ(cell(&cells, "CAL", 0), 23118);
	CHECK_INT_EQ(cell(&cells, "CAL", 1), 19394);
	CHECK_INT_EQ(cell(&cells, "HYP", 1), 27);
	/* "PCI-MSIX-0000:00:01.0" follows the counts after one space. */
	CHECK_INT_EQ(cell(&cells, "dev", 0), 2100);
	CHECK_INT_EQ(cell(&cells, "dev", 1), 33191);
	CHECK_INT_EQ(cell(&cells, "ERR", -1), 0);
	free(buf);
}

TEST(procfs_irq_total)
{
	char *deb = fixture_read(DEB "proc-interrupts");
	char *host = fixture_read(HOST "proc-interrupts");

	CHECK_INT_EQ(procfs_irq_total(deb, "CAL"), 121 + 157 + 252);
	CHECK_INT_EQ(procfs_irq_total(deb, "LOC"), 335 + 248 + 203);
	CHECK_INT_EQ(procfs_irq_total(deb, "dev"), 84 + 907);
	CHECK_INT_EQ(procfs_irq_total(deb, "ERR"), 0);
	CHECK_INT_EQ(procfs_irq_total(deb, "HYP"), -1);
	CHECK_INT_EQ(procfs_irq_total(host, "CAL"), 23118 + 19394);
	CHECK_INT_EQ(procfs_irq_total(host, "TLB"), 1176 + 1127);
	CHECK_INT_EQ(procfs_irq_total("nonsense\n", "CAL"), -1);
	free(deb);
	free(host);
}

TEST(procfs_interrupts_malformed)
{
	CHECK(procfs_parse_interrupts("", collect_cell, NULL) < 0);
	CHECK(procfs_parse_interrupts("\n  0: 1 2\n", collect_cell, NULL) < 0);
	CHECK(procfs_parse_interrupts("CPU0 CPUx\n", collect_cell, NULL) < 0);
	CHECK(procfs_parse_interrupts("CPU0 eth0\n", collect_cell, NULL) < 0);
	CHECK(procfs_parse_interrupts("CPU0 CPU1x\n", collect_cell, NULL) < 0);
}

TEST(procfs_interrupts_one_cpu)
{
	/* Shaped as show_interrupts() prints on one CPU: with a single
	 * column, ERR is told from CAL by its missing description. */
	static const char text[] =
	    "           CPU0       \n"
	    "  0:         46   IO-APIC   2-edge      timer\n"
	    "CAL:          7   Function call interrupts\n"
	    "ERR:          3\n";
	static struct cells cells;

	memset(&cells, 0, sizeof cells);
	CHECK_INT_EQ(procfs_parse_interrupts(text, collect_cell, &cells), 1);
	CHECK_INT_EQ(cell(&cells, "dev", 0), 46);
	CHECK_INT_EQ(cell(&cells, "CAL", 0), 7);
	CHECK_INT_EQ(cell(&cells, "ERR", -1), 3);
	CHECK_INT_EQ(cells.n, 3);
}

TEST(procfs_interrupts_short_row)
{
	/* A row with fewer counts than CPUs: a number that runs into its
	 * description ("2-edge") is not a count for the next CPU. */
	static const char text[] =
	    "           CPU0       CPU1\n"
	    " 11:          5   2-edge      thing\n";
	static struct cells cells;

	memset(&cells, 0, sizeof cells);
	CHECK_INT_EQ(procfs_parse_interrupts(text, collect_cell, &cells), 2);
	CHECK_INT_EQ(cells.n, 1);
	CHECK_INT_EQ(cell(&cells, "dev", -1), 5);
}

TEST(procfs_psi)
{
	char *idle = fixture_read(HOST "proc-pressure-memory");
	char *stalled = fixture_read(HOST "proc-pressure-memory-stalled");
	char *deb = fixture_read(DEB "proc-pressure-memory");
	struct psi_line some, full;

	CHECK_INT_EQ(procfs_parse_psi(idle, &some, &full), 2);
	CHECK(some.present && full.present);
	CHECK_INT_EQ(some.total_us, 0);
	CHECK_INT_EQ(procfs_parse_psi(deb, &some, &full), 2);

	/* "some avg10=32.23 avg60=8.15 avg300=1.80 total=5440222" */
	CHECK_INT_EQ(procfs_parse_psi(stalled, &some, &full), 2);
	CHECK_INT_EQ(some.avg10_x100, 3223);
	CHECK_INT_EQ(some.avg60_x100, 815);
	CHECK_INT_EQ(some.avg300_x100, 180);
	CHECK_INT_EQ(some.total_us, 5440222);
	CHECK_INT_EQ(full.avg10_x100, 2873);
	CHECK_INT_EQ(full.avg60_x100, 727);
	CHECK_INT_EQ(full.avg300_x100, 161);
	CHECK_INT_EQ(full.total_us, 4825707);

	/* Kernels before the "full" line: only "some". */
	CHECK_INT_EQ(procfs_parse_psi("some avg10=2.50 avg60=0.00 "
	    "avg300=0.00 total=17\n", &some, &full), 1);
	CHECK(some.present && !full.present);
	CHECK_INT_EQ(some.avg10_x100, 250);
	CHECK_INT_EQ(some.total_us, 17);

	CHECK_INT_EQ(procfs_parse_psi("", &some, &full), -EINVAL);
	CHECK_INT_EQ(procfs_parse_psi("some avg10=x total=1\n", &some, &full),
	    -EINVAL);
	CHECK_INT_EQ(procfs_parse_psi("some avg10=1.00\n", &some, &full),
	    -EINVAL);
	free(idle);
	free(stalled);
	free(deb);
}

static int64_t
percpu_value(const char *buf, const char *key)
{
	struct find f = { key, 0, 0, 0 };

	procfs_parse_percpu_stats(buf, find_key, &f, NULL);
	return f.found == 1 ? f.value : -1;
}

TEST(procfs_percpu_stats_idle)
{
	char *buf = fixture_read(HOST "percpu_stats");
	struct percpu_stats st;

	CHECK_INT_EQ(procfs_parse_percpu_stats(buf, NULL, NULL, &st), 9);
	CHECK_INT_EQ(st.chunks_first, 1);
	CHECK_INT_EQ(st.chunks_plain, 1);
	CHECK_INT_EQ(st.chunks_sidelined, 0);
	CHECK_INT_EQ(st.chunks_to_depopulate, 0);
	CHECK_INT_EQ(st.chunks_reserved, 0);
	CHECK_INT_EQ(st.chunks_total, 2);
	CHECK_INT_EQ(percpu_value(buf, "nr_alloc"), 14657);
	CHECK_INT_EQ(percpu_value(buf, "nr_dealloc"), 13306);
	CHECK_INT_EQ(percpu_value(buf, "nr_chunks"), 2);
	CHECK_INT_EQ(percpu_value(buf, "empty_pop_pages"), 3);
	/* Allocation Info and per-chunk fields are not Global Stats. */
	CHECK_INT_EQ(percpu_value(buf, "unit_size"), -1);
	CHECK_INT_EQ(percpu_value(buf, "free_bytes"), -1);
	free(buf);
}

TEST(procfs_percpu_stats_sidelined)
{
	char *buf = fixture_read(HOST "percpu_stats-sidelined");
	struct percpu_stats st;

	/* 3000 BPF percpu arrays, 9 of 10 closed: pcpu_reclaim_populated()
	 * depopulated 11 chunks and sidelined them. */
	CHECK_INT_EQ(procfs_parse_percpu_stats(buf, NULL, NULL, &st), 9);
	CHECK_INT_EQ(st.chunks_first, 1);
	CHECK_INT_EQ(st.chunks_plain, 1);
	CHECK_INT_EQ(st.chunks_sidelined, 11);
	CHECK_INT_EQ(st.chunks_to_depopulate, 0);
	CHECK_INT_EQ(st.chunks_total, 13);
	CHECK_INT_EQ(percpu_value(buf, "nr_chunks"), 13);
	CHECK_INT_EQ(percpu_value(buf, "nr_alloc"), 23327);
	free(buf);
}

TEST(procfs_percpu_stats_to_depopulate)
{
	char *buf = fixture_read(HOST "percpu_stats-to_depopulate");
	struct percpu_stats st;

	/* Caught while the maps were being closed. */
	CHECK_INT_EQ(procfs_parse_percpu_stats(buf, NULL, NULL, &st), 9);
	CHECK_INT_EQ(st.chunks_first, 1);
	CHECK_INT_EQ(st.chunks_plain, 10);
	CHECK_INT_EQ(st.chunks_sidelined, 1);
	CHECK_INT_EQ(st.chunks_to_depopulate, 1);
	CHECK_INT_EQ(st.chunks_total, 13);
	CHECK_INT_EQ(percpu_value(buf, "nr_cur_alloc"), 3818);
	free(buf);
}

TEST(procfs_percpu_stats_reserved)
{
	/* Header lines as percpu_stats_show() prints them for a reserved
	 * chunk (none of our captures has one). */
	static const char text[] =
	    "Global Stats:\n"
	    "  nr_alloc            :            5\n"
	    "\n"
	    "Per Chunk Stats:\n"
	    "Chunk: <- Reserved Chunk\n"
	    "  nr_alloc            :            1\n"
	    "Chunk: <- First Chunk\n"
	    "Chunk:\n"
	    "Chunk (future label)\n";
	struct percpu_stats st;

	CHECK_INT_EQ(procfs_parse_percpu_stats(text, NULL, NULL, &st), 1);
	CHECK_INT_EQ(st.chunks_reserved, 1);
	CHECK_INT_EQ(st.chunks_first, 1);
	CHECK_INT_EQ(st.chunks_plain, 1);
	CHECK_INT_EQ(st.chunks_total, 4);
	CHECK_INT_EQ(percpu_value(text, "nr_alloc"), 5);
	CHECK_INT_EQ(procfs_parse_percpu_stats("MemTotal: 1 kB\n", NULL, NULL,
	    &st), -EINVAL);
}

TEST(procfs_cpulist)
{
	char *deb = fixture_read(DEB "cpu-online");
	char *possible = fixture_read(HOST "cpu-possible");
	uint64_t bits[2];

	CHECK_INT_EQ(procfs_parse_cpulist(deb, bits, 64), 3);
	CHECK_INT_EQ(bits[0], 0xb);
	CHECK_INT_EQ(procfs_parse_cpulist(possible, bits, 64), 2);
	CHECK_INT_EQ(bits[0], 0x3);
	CHECK_INT_EQ(procfs_parse_cpulist("5\n", bits, 64), 1);
	CHECK_INT_EQ(bits[0], 0x20);
	CHECK_INT_EQ(procfs_parse_cpulist("0-3,2", bits, 64), 4);
	CHECK_INT_EQ(procfs_parse_cpulist("0-127\n", bits, 128), 128);
	CHECK(bits[0] == UINT64_MAX && bits[1] == UINT64_MAX);
	CHECK_INT_EQ(procfs_parse_cpulist("64,65", bits, 128), 2);
	CHECK_INT_EQ(bits[0], 0);
	CHECK_INT_EQ(bits[1], 3);
	/* cpu/offline is "\n" when every CPU is online. */
	CHECK_INT_EQ(procfs_parse_cpulist("\n", bits, 64), 0);
	CHECK_INT_EQ(procfs_parse_cpulist("", bits, 64), 0);

	CHECK_INT_EQ(procfs_parse_cpulist("0-64", bits, 64), -ERANGE);
	CHECK_INT_EQ(procfs_parse_cpulist("1-0", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("0-", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("0,,1", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("0-1;3", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("a", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("-1", bits, 64), -EINVAL);
	CHECK_INT_EQ(procfs_parse_cpulist("0 1", bits, 64), -EINVAL);
	free(deb);
	free(possible);
}

/* The count needs no bitmap: cpu/possible may name thousands of CPUs. */
TEST(procfs_cpulist_count)
{
	char *deb = fixture_read(DEB "cpu-online");
	char *possible = fixture_read(HOST "cpu-possible");
	char *identity = fixture_read("identity/debian-6.1-cpu-possible");

	CHECK_INT_EQ(procfs_cpulist_count(deb), 3);
	CHECK_INT_EQ(procfs_cpulist_count(possible), 2);
	CHECK_INT_EQ(procfs_cpulist_count(identity), 4);
	CHECK_INT_EQ(procfs_cpulist_count("0-8191\n"), 8192);
	CHECK_INT_EQ(procfs_cpulist_count("0,4096-4097,100000"), 4);
	CHECK_INT_EQ(procfs_cpulist_count("\n"), 0);
	CHECK_INT_EQ(procfs_cpulist_count(""), 0);
	CHECK_INT_EQ(procfs_cpulist_count("0-1,x"), -EINVAL);
	CHECK_INT_EQ(procfs_cpulist_count("3-1"), -EINVAL);
	CHECK_INT_EQ(procfs_cpulist_count("0-"), -EINVAL);
	CHECK_INT_EQ(procfs_cpulist_count("0-2147483647,1"), -EINVAL);
	free(deb);
	free(possible);
	free(identity);
}
