/*
 * thp-extra.h - what thp-munmap (seed 004) and mmap-churn (seed 001)
 * both need beyond plain anonymous THP: MADV_COLLAPSE, shmem THP
 * backing, and one /proc/vmstat counter.
 */
#ifndef MMSTORM_THP_EXTRA_H
#define MMSTORM_THP_EXTRA_H

#include <stddef.h>
#include <stdint.h>

struct wl_ctx;

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25        /* Linux 6.1 */
#endif

#define THP_SHMEM_ENABLED "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/*
 * 0 when this kernel takes MADV_COLLAPSE: tried on one aligned huge page
 * of a scratch mapping.  -EINVAL (Linux < 6.1, or THP compiled out) with
 * *reason set when not.
 */
int collapse_available(size_t hpage, char **reason);

/*
 * An anonymous private mapping of size bytes (a multiple of hpage) that
 * starts on an hpage boundary, as THP needs (thp_get_unmapped_area()
 * only helps files): size + hpage mapped, the ends trimmed.  flags are
 * added to mmap's (MAP_NORESERVE).  munmap(*out, size) undoes it.
 */
int thp_map_aligned(size_t size, size_t hpage, int flags, char **out,
    char **cause);

/* What MADV_COLLAPSE said, one call per huge page. */
struct collapse_counts {
	uint64_t calls;
	uint64_t ok;
	uint64_t again;         /* EAGAIN/EBUSY: a page was busy (pinned) */
	uint64_t failed;        /* ENOMEM and anything else */
	int first_error;        /* errno of the first failure, 0 if none */
};

/* MADV_COLLAPSE each huge page of [base, base + len); EINVAL (the kernel
 * refused) stops at once and returns -EINVAL, the rest is counted. */
int collapse_range(char *base, size_t len, size_t hpage,
    struct collapse_counts *);

/*
 * shmem THP for a mapping with MADV_HUGEPAGE: shmem_enabled must be
 * always, within_size, advise or force.  Under never or deny, 0 with
 * *must_set = 1 when the run may set it to advise (the file is
 * writable), else -ENOTSUP with *reason.
 */
int shmem_thp_check(int *must_set, char **reason);
/* In the worker: set shmem_enabled to advise when it says never or deny,
 * through wl_knob_set (recorded first, restored at the run's end). */
int shmem_thp_enable(struct wl_ctx *, char **cause);

/* A memfd of size bytes (shmem), close-on-exec. */
int shmem_file(const char *name, size_t size, int *fd, char **cause);

/* The dir= option, else $TMPDIR, else fallback. */
struct params;
const char *dir_option(const struct params *, const char *fallback);

/* One /proc/vmstat counter; -1 when unreadable or absent. */
int64_t vmstat_counter(const char *key);

#endif
