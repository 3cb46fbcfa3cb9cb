/*
 * test-reached.c - the reached gates (run/reached.h): how proofs are
 * decided (sums, alternatives, options), and each workload's own gate
 * on values that reach its path and values that miss it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "run/options.h"
#include "run/reached.h"
#include "unit.h"
#include "workloads/workloads.h"

/* "name=value" pairs; a name not listed was not recorded. */
struct fake {
	const char *const *pairs;
};

static int
fake_lookup(void *arg, const char *name, double *value)
{
	const struct fake *f = arg;
	size_t len = strlen(name), i;

	for (i = 0; f->pairs[i] != NULL; i++) {
		if (strncmp(f->pairs[i], name, len) == 0 &&
		    f->pairs[i][len] == '=') {
			*value = atof(f->pairs[i] + len + 1);
			return 0;
		}
	}
	return -1;
}

/* Checks wl with options opts ("k=v", NULL-ended) against values. */
static int
gate(const char *wl_name, const char *const *opts,
    const char *const *values, char **reason)
{
	const struct workload *wl = workload_find(wl_name);
	struct params *p;
	struct reached r;
	struct fake f = { values };
	size_t i;
	int ok;

	if (wl == NULL)
		unit_fail(__FILE__, __LINE__, "no workload '%s'", wl_name);
	p = params_new(wl->name, wl->options);
	for (i = 0; opts != NULL && opts[i] != NULL; i++) {
		char *copy = xstrdup(opts[i]), *eq = strchr(copy, '=');

		*eq = '\0';
		if (params_set(p, copy, eq + 1, NULL) != 0)
			unit_fail(__FILE__, __LINE__, "bad option '%s'",
			    opts[i]);
		free(copy);
	}
	reached_check(wl, p, fake_lookup, &f, &r);
	ok = r.ok;
	if (reason != NULL)
		*reason = ok ? NULL : reached_reason(&r);
	reached_release(&r);
	params_free(p);
	return ok;
}

TEST(reached_hotplug)
{
	const char *const hit[] = { "metric:cycles_in_direct_reclaim=3",
		"tp.kmem.mm_page_pcpu_drain=10", "tp.cpuhp.cpuhp_enter=40",
		NULL };
	/* pressure=none: allocstall stays 0 (seed 003's condition absent). */
	const char *const none[] = { "metric:cycles_in_direct_reclaim=0",
		"tp.kmem.mm_page_pcpu_drain=10", "tp.cpuhp.cpuhp_enter=40",
		NULL };
	/* A 6.1-like kernel without cpuhp counting: the metric stands in. */
	const char *const old[] = { "metric:cycles_in_direct_reclaim=2",
		"tp.kmem.mm_page_pcpu_drain=1", "metric:transitions=4", NULL };
	/* No tracepoint at all: the drain cannot be proved. */
	const char *const notp[] = { "metric:cycles_in_direct_reclaim=2",
		"metric:transitions=4", NULL };
	char *why = NULL;

	CHECK(gate("hotplug", NULL, hit, NULL));
	CHECK(!gate("hotplug", NULL, none, &why));
	CHECK_STR_EQ(why, "path not reached: cycles with direct reclaim "
	    "(metric:cycles_in_direct_reclaim = 0, needs >= 1)");
	free(why);
	CHECK(gate("hotplug", NULL, old, NULL));
	CHECK(!gate("hotplug", NULL, notp, &why));
	CHECK_STR_CONTAINS(why, "per-CPU page lists drained "
	    "(tp.kmem.mm_page_pcpu_drain = not recorded, needs >= 1)");
	free(why);
}

TEST(reached_thp_munmap)
{
	const char *const hit[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=120", NULL };
	const char *const no_ipi[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=0", NULL };
	const char *const no_thp[] = { "metric:thp_coverage_pct=0",
		"metric:munmap_tlb_irqs=120", NULL };
	const char *const two[] = { "threads=2", NULL };
	const char *const one[] = { "threads=1", NULL };

	CHECK(gate("thp-munmap", two, hit, NULL));
	CHECK(!gate("thp-munmap", two, no_ipi, NULL));
	CHECK(!gate("thp-munmap", NULL, no_ipi, NULL));
	CHECK(!gate("thp-munmap", two, no_thp, NULL));
	/* One thread: no other CPU to flush, not asked. */
	CHECK(gate("thp-munmap", one, no_ipi, NULL));
	CHECK(!gate("thp-munmap", one, no_thp, NULL));
}

TEST(reached_percpu_churn)
{
	const char *const destroyed[] = { "tp.percpu.percpu_create_chunk=4",
		"tp.percpu.percpu_destroy_chunk=2", "metric:verified_values=9",
		NULL };
	/* Depopulated but none destroyed: still the path (either proves). */
	const char *const sidelined[] = { "tp.percpu.percpu_create_chunk=4",
		"tp.percpu.percpu_destroy_chunk=0", "metric:chunks_sidelined=3",
		"metric:verified_values=9", NULL };
	const char *const no_chunk[] = { "tp.percpu.percpu_create_chunk=0",
		"tp.percpu.percpu_destroy_chunk=0", "metric:verified_values=9",
		NULL };
	const char *const kept[] = { "tp.percpu.percpu_create_chunk=4",
		"tp.percpu.percpu_destroy_chunk=0", "metric:chunks_sidelined=0",
		"metric:verified_values=9", NULL };
	char *why = NULL;

	CHECK(gate("percpu-churn", NULL, destroyed, NULL));
	CHECK(gate("percpu-churn", NULL, sidelined, NULL));
	CHECK(!gate("percpu-churn", NULL, no_chunk, NULL));
	CHECK(!gate("percpu-churn", NULL, kept, &why));
	/* The first recorded alternative is the one shown. */
	CHECK_STR_EQ(why, "path not reached: chunks depopulated or destroyed "
	    "(tp.percpu.percpu_destroy_chunk = 0, needs >= 1)");
	free(why);
}

TEST(reached_mmap_churn)
{
	const char *const file[] = { "metric:maps=500",
		"metric:checked_reads=8000", NULL };
	const char *const thp[] = { "metric:maps=500",
		"metric:checked_reads=8000", "metric:thp_maps_pct=100", NULL };
	const char *const collapsed[] = { "metric:maps=500",
		"metric:checked_reads=8000", "metric:thp_maps_pct=0",
		"tp.huge_memory.mm_collapse_huge_page=1", NULL };
	const char *const fellback[] = { "metric:maps=500",
		"metric:checked_reads=8000", "metric:thp_maps_pct=0",
		"tp.huge_memory.mm_collapse_huge_page=0", NULL };
	const char *const backing_thp[] = { "backing=thp", NULL };
	const char *const no_reads[] = { "metric:maps=500",
		"metric:checked_reads=0", NULL };

	CHECK(gate("mmap-churn", NULL, file, NULL));
	CHECK(!gate("mmap-churn", NULL, no_reads, NULL));
	/* backing=thp asks for huge pages; file backing does not. */
	CHECK(!gate("mmap-churn", backing_thp, file, NULL));
	CHECK(gate("mmap-churn", backing_thp, thp, NULL));
	CHECK(gate("mmap-churn", backing_thp, collapsed, NULL));
	CHECK(!gate("mmap-churn", backing_thp, fellback, NULL));
	CHECK(gate("mmap-churn", NULL, fellback, NULL));
}

/* Seed 004's options add proofs only when asked: walkers that made GUP
 * calls, and collapses (the kernel's count or MADV_COLLAPSE's word). */
TEST(reached_thp_munmap_seed_options)
{
	const char *const walked[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=120", "metric:gup_calls=300", NULL };
	const char *const no_walk[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=120", "metric:gup_calls=0", NULL };
	/* shmem: the folio stays huge, so collapse only re-maps it. */
	const char *const remapped[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=120", "metric:thp_collapse_alloc=0",
		"metric:collapse_ok=128", NULL };
	const char *const refused[] = { "metric:thp_coverage_pct=99.5",
		"metric:munmap_tlb_irqs=120", "metric:thp_collapse_alloc=0",
		"metric:collapse_ok=0", NULL };
	const char *const gup[] = { "threads=2", "gup=vmsplice", NULL };
	const char *const collapse[] = { "threads=2", "split=1",
		"collapse=1", NULL };
	char *why = NULL;

	CHECK(gate("thp-munmap", gup, walked, NULL));
	CHECK(!gate("thp-munmap", gup, no_walk, &why));
	CHECK_STR_EQ(why, "path not reached: GUP-fast walks racing the split "
	    "and munmap (metric:gup_calls = 0, needs >= 1)");
	free(why);
	/* gup=none (the default) asks nothing of the walkers. */
	CHECK(gate("thp-munmap", NULL, no_walk, NULL));
	CHECK(gate("thp-munmap", collapse, remapped, NULL));
	CHECK(!gate("thp-munmap", collapse, refused, NULL));
	CHECK(gate("thp-munmap", NULL, refused, NULL));
}

/* Seed 001's: collapse=1 needs both MADV_COLLAPSE's word and the
 * kernel's count; fork_churn=1 needs forks. */
TEST(reached_mmap_churn_seed_options)
{
	const char *const collapsed[] = { "metric:maps=300",
		"metric:checked_reads=8000", "metric:collapse_ok=290",
		"metric:thp_collapse_alloc=291", "metric:forks=40", NULL };
	const char *const by_tracepoint[] = { "metric:maps=300",
		"metric:checked_reads=8000", "metric:collapse_ok=290",
		"tp.huge_memory.mm_khugepaged_collapse_file=290", NULL };
	const char *const busy[] = { "metric:maps=300",
		"metric:checked_reads=8000", "metric:collapse_ok=0",
		"metric:thp_collapse_alloc=0", NULL };
	const char *const no_forks[] = { "metric:maps=300",
		"metric:checked_reads=8000", "metric:forks=0", NULL };
	const char *const collapse[] = { "backing=shmem", "collapse=1", NULL };
	const char *const forks[] = { "fork_churn=1", NULL };

	CHECK(gate("mmap-churn", collapse, collapsed, NULL));
	CHECK(gate("mmap-churn", collapse, by_tracepoint, NULL));
	CHECK(!gate("mmap-churn", collapse, busy, NULL));
	CHECK(gate("mmap-churn", NULL, busy, NULL));
	CHECK(gate("mmap-churn", forks, collapsed, NULL));
	CHECK(!gate("mmap-churn", forks, no_forks, NULL));
}

/* Sums need every term; the JSON kept with the run says what was seen. */
TEST(reached_sums_and_json)
{
	static const struct workload_proof proofs[] = {
		{ "stalls", "vmstat.a+vmstat.b|irq.X", 5, NULL },
		{ "gone", "vmstat.c", 1, NULL },
		{ NULL, NULL, 0, NULL },
	};
	static const struct workload wl = { .name = "t", .path = "p",
		.proofs = proofs };
	const char *const v1[] = { "vmstat.a=2", "vmstat.b=3", NULL };
	const char *const v2[] = { "vmstat.a=2", "irq.X=7", NULL };
	struct fake f1 = { v1 }, f2 = { v2 };
	struct reached r;
	char *json;

	reached_check(&wl, NULL, fake_lookup, &f1, &r);
	CHECK(!r.ok);
	CHECK_INT_EQ((long)r.nproofs, 2);
	CHECK(r.proofs[0].ok && r.proofs[0].observed == 5);
	CHECK(!r.proofs[1].ok && !r.proofs[1].recorded);
	json = reached_json(&r);
	CHECK_STR_EQ(json, "{\"path\":\"p\",\"reached\":false,\"proofs\":["
	    "{\"what\":\"stalls\",\"value\":\"vmstat.a+vmstat.b\","
	    "\"observed\":5.0,\"min\":5.0,\"ok\":true},{\"what\":\"gone\","
	    "\"value\":\"vmstat.c\",\"observed\":null,\"min\":1.0,"
	    "\"ok\":false}]}");
	free(json);
	reached_release(&r);
	/* vmstat.b missing: the sum is not recorded, irq.X decides. */
	reached_check(&wl, NULL, fake_lookup, &f2, &r);
	CHECK(r.proofs[0].ok);
	CHECK_STR_EQ(r.proofs[0].value, "irq.X");
	reached_release(&r);
}
