/*
 * thp.h - what transparent huge pages can do on this kernel: the PMD
 * size, the enabled/defrag modes and the per-size (mTHP) switches.
 *
 * Every function takes a root prefix, NULL for the live system, so the
 * tests can point it at captured files.
 */
#ifndef MMSTORM_THP_H
#define MMSTORM_THP_H

#include <stddef.h>

#define THP_DIR        "/sys/kernel/mm/transparent_hugepage"
#define THP_ENABLED    THP_DIR "/enabled"
#define THP_ZERO_PAGE  THP_DIR "/use_zero_page"

/* The PMD size THP uses (hpage_pmd_size, Linux 4.6+): 2 MiB on x86,
 * 16 MiB on ppc64 hash; 2 MiB when the file is absent or unreadable. */
size_t thp_pmd_size(const char *root);

/*
 * The bracketed word of transparent_hugepage/KNOB ("enabled", "defrag"):
 * "always [madvise] never" -> "madvise", allocated.  0 with *mode set;
 * -ENOENT when the file is absent, -EINVAL when it holds no bracketed
 * word, another -errno when unreadable; *cause is set on every error.
 */
int thp_mode(const char *root, const char *knob, char **mode,
    char **cause);

/*
 * Since 6.8 each THP size has its own switch (mTHP): PMD-sized THP can
 * be off while the top-level knob says madvise.  0 when PMD THP may be
 * used (or the kernel has no per-size switch), -ENOTSUP with *cause
 * naming the switch if not.
 */
int thp_pmd_allowed(const char *root, size_t pmd_size, char **cause);

/* use_zero_page is 1: a read fault maps the huge zero page.  0 when it
 * is 0 or the file is absent (no huge zero page). */
int thp_zero_page_on(const char *root);

#endif
