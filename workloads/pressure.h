/*
 * pressure.h - system-wide memory pressure that keeps the machine in
 * direct reclaim without crossing a MemAvailable floor.
 *
 * Engines:
 *   builtin    our own worker processes: anonymous faults (a share of them
 *              THP faults, so compaction runs), churned near the floor, and
 *              a page-cache reader so reclaim has something to take.
 *   stress-ng  Debian's stress-ng --vm workers sized from MemAvailable,
 *              --vm-keep, --oomable, with its own timeout and --yaml.
 * Both are global, not a memcg limit: drain_all_pages() is reached from
 * __alloc_pages_direct_reclaim() only under global pressure (seed 003).
 * A memcg limit reclaims through try_charge_memcg() ->
 * try_to_free_mem_cgroup_pages(), which neither passes through the page
 * allocator's slow path nor counts allocstall (docs/design-notes.md,
 * "Reaching direct reclaim").
 *
 * direct (builtin with cfg.direct): the allocators hold anonymous memory
 * down to the floor as builtin does, every chunk asks for THP, and the
 * page-cache file is larger than what the allocators leave, so free
 * memory sits at the zone watermarks and allocations (THP faults first)
 * enter __alloc_pages_direct_reclaim().  What is held above the floor is
 * clean page cache: the machine can always take it back.  The ramp waits
 * for the first direct reclaim too.
 * Every pressure process has oom_score_adj 1000 and lives in the caller's
 * process group, so killing the group ends it.
 */
#ifndef MMSTORM_PRESSURE_H
#define MMSTORM_PRESSURE_H

#include <stdint.h>

enum pressure_engine {
	PRESSURE_NONE = 0,
	PRESSURE_BUILTIN,
	PRESSURE_STRESS_NG,
};

/* pressure=direct's floor unless one is given: on a shared machine the
 * margin stays wide, and the cache file still fills free memory. */
#define DIRECT_FLOOR_PCT 20.0

struct pressure_config {
	enum pressure_engine engine;
	int direct;             /* builtin: aim at direct reclaim */
	double floor_pct;       /* of MemTotal, never crossed */
	int workers;            /* allocator processes */
	int thp;                /* builtin: a share of chunks MADV_HUGEPAGE */
	int64_t cache_bytes;    /* builtin: page-cache file; 0 none */
	int64_t limit_bytes;    /* 0: fill to the floor; else at most this */
	int64_t timeout_s;      /* stress-ng --timeout */
	const char *tmpdir;     /* for the cache file and stress-ng's YAML */
};

struct pressure_stats {
	int64_t floor_hits;      /* times MemAvailable went below the floor */
	int64_t min_avail_kb;    /* lowest MemAvailable seen by pressure_poll */
	int64_t ramp_ms;         /* time to get near the floor, or -1 */
	int64_t direct_ramp_ms;  /* direct: time to the first direct
				    reclaim, or -1 (not seen in the ramp) */
	int stress_ng_status;    /* exit status of stress-ng, -1 if none */
	char *yaml;              /* stress-ng's --yaml output, or NULL */
};

struct pressure;

/* 1 for the /proc/vmstat fields that move when an allocation enters
 * direct reclaim (allocstall_*, pgscan_direct).  The one definition the
 * hotplug gate (cycles_in_direct_reclaim) and pressure=direct's ramp use. */
int pressure_is_direct_reclaim(const char *vmstat_field);
/* The sum of those fields now, or -1. */
int64_t pressure_direct_reclaims(void);
/* pressure=direct's cache file: the floor, the allocators' margin
 * (2 x workers + 1 chunks of 64 MiB in this mode) and MemTotal/16, so it
 * can fill every free page the allocators leave. */
int64_t pressure_direct_cache_bytes(int64_t total_kb, double floor_pct,
    int workers);

int pressure_start(struct pressure **, const struct pressure_config *,
    char **cause);
/* Wait until MemAvailable is within 2 % of MemTotal above the floor (or
 * the limit is allocated), and with direct until direct reclaim has been
 * seen too, at most timeout_ns.  0 reached, -ETIMEDOUT. */
int pressure_wait_ready(struct pressure *, int64_t timeout_ns,
    int (*stop)(void *), void *arg);
/* Where the ramp stands, for its progress line: MemAvailable now (as
 * pressure_wait_ready() last read it), at the start, the level that
 * counts as ready and the floor, in kB; seconds since the start. */
struct pressure_ramp {
	int64_t avail_kb, start_kb, target_kb, floor_kb;
	double elapsed_s;
};
void pressure_ramp_status(const struct pressure *, struct pressure_ramp *);
/* Cheap check from the caller's loop: records the minimum MemAvailable
 * and, for stress-ng (which cannot shrink), ends it below the floor. */
void pressure_poll(struct pressure *);
/* Stop everything, reap, collect.  Safe to call once; frees p. */
void pressure_stop(struct pressure *, struct pressure_stats *);
void pressure_stats_release(struct pressure_stats *);

#endif
