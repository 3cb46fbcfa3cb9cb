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

struct pressure_config {
	enum pressure_engine engine;
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
	int stress_ng_status;    /* exit status of stress-ng, -1 if none */
	char *yaml;              /* stress-ng's --yaml output, or NULL */
};

struct pressure;

int pressure_start(struct pressure **, const struct pressure_config *,
    char **cause);
/* Wait until MemAvailable is within 2 % of MemTotal above the floor (or
 * the limit is allocated), at most timeout_ns.  0 reached, -ETIMEDOUT. */
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
