/*
 * thp-extra.c - MADV_COLLAPSE, shmem THP backing and /proc/vmstat
 * counters for thp-munmap and mmap-churn (workloads/thp-extra.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/util.h"
#include "probe/procfs.h"
#include "probe/thp.h"
#include "run/options.h"
#include "run/workload.h"
#include "workloads/thp-extra.h"

int
collapse_available(size_t hpage, char **reason)
{
	char *raw, *base;
	int r = 0;

	raw = mmap(NULL, 2 * hpage, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return set_cause(reason, errno, "cannot map a scratch area: "
		    "%s", strerror(errno));
	base = (char *)(((uintptr_t)raw + hpage - 1) &
	    ~(uintptr_t)(hpage - 1));
	base[0] = 1;
	/* madvise_behavior_valid() refuses an advice it does not know with
	 * EINVAL before it looks at the range; anything else (0, EAGAIN,
	 * ENOMEM) means the kernel knows MADV_COLLAPSE. */
	if (madvise(base, hpage, MADV_COLLAPSE) != 0 && errno == EINVAL)
		r = set_cause(reason, EINVAL, "MADV_COLLAPSE is not "
		    "available: madvise() says EINVAL (needs Linux 6.1 with "
		    "CONFIG_TRANSPARENT_HUGEPAGE)");
	munmap(raw, 2 * hpage);
	return r;
}

int
collapse_range(char *base, size_t len, size_t hpage,
    struct collapse_counts *c)
{
	size_t off;

	for (off = 0; off + hpage <= len; off += hpage) {
		c->calls++;
		if (madvise(base + off, hpage, MADV_COLLAPSE) == 0) {
			c->ok++;
			continue;
		}
		if (errno == EINVAL)
			return -EINVAL;
		if (c->first_error == 0)
			c->first_error = errno;
		if (errno == EAGAIN || errno == EBUSY)
			c->again++;
		else
			c->failed++;
	}
	return 0;
}

/* The modes under which a MADV_HUGEPAGE shmem mapping gets huge pages. */
static int
shmem_mode_gives_thp(const char *mode)
{
	return strcmp(mode, "never") != 0 && strcmp(mode, "deny") != 0;
}

int
shmem_thp_check(int *must_set, char **reason)
{
	char *mode = NULL, *why = NULL;
	int r = 0;

	*must_set = 0;
	if (thp_mode(NULL, "shmem_enabled", &mode, &why) != 0) {
		r = set_cause(reason, ENOTSUP, "shmem THP is not available: "
		    "%s", why);
		goto out;
	}
	if (shmem_mode_gives_thp(mode))
		goto out;
	if (access(THP_SHMEM_ENABLED, W_OK) != 0) {
		r = set_cause(reason, ENOTSUP, "backing=shmem needs "
		    "shmem_enabled advise (it is %s) and cannot write '%s': "
		    "%s", mode, THP_SHMEM_ENABLED, strerror(errno));
		goto out;
	}
	*must_set = 1;
out:
	free(why);
	free(mode);
	return r;
}

int
shmem_thp_enable(struct wl_ctx *ctx, char **cause)
{
	int must_set, r;

	if ((r = shmem_thp_check(&must_set, cause)) != 0 || !must_set)
		return r;
	return wl_knob_set(ctx, THP_SHMEM_ENABLED, "advise", cause);
}

int
shmem_file(const char *name, size_t size, int *fd, char **cause)
{
	if ((*fd = memfd_create(name, MFD_CLOEXEC)) == -1)
		return set_cause(cause, errno, "memfd_create: %s",
		    strerror(errno));
	if (ftruncate(*fd, (off_t)size) != 0) {
		int err = errno;

		close(*fd);
		*fd = -1;
		return set_cause(cause, err, "cannot size the shmem file to "
		    "%zu bytes: %s", size, strerror(err));
	}
	return 0;
}

const char *
dir_option(const struct params *ps, const char *fallback)
{
	const char *dir;

	if (params_isset(ps, "dir"))
		return params_str(ps, "dir");
	if ((dir = getenv("TMPDIR")) != NULL && *dir != '\0')
		return dir;
	return fallback;
}

struct vmstat_find {
	const char *key;
	int64_t value;
};

static void
vmstat_match(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct vmstat_find *f = arg;

	if (f->value < 0 && strlen(f->key) == keylen &&
	    memcmp(key, f->key, keylen) == 0)
		f->value = value;
}

int64_t
vmstat_counter(const char *key)
{
	struct vmstat_find f = { key, -1 };
	char *text = NULL;

	if (read_file("/proc/vmstat", &text, NULL, NULL) == 0)
		procfs_parse_vmstat(text, vmstat_match, &f);
	free(text);
	return f.value;
}

int
thp_map_aligned(size_t size, size_t hpage, int flags, char **out,
    char **cause)
{
	char *raw, *base;
	size_t head, tail;

	raw = mmap(NULL, size + hpage, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (raw == MAP_FAILED)
		return set_cause(cause, errno, "cannot map %.2f GiB: %s",
		    (double)size / (1 << 30), strerror(errno));
	base = (char *)(((uintptr_t)raw + hpage - 1) &
	    ~(uintptr_t)(hpage - 1));
	head = (size_t)(base - raw);
	tail = hpage - head;
	if (head > 0)
		munmap(raw, head);
	if (tail > 0)
		munmap(base + size, tail);
	*out = base;
	return 0;
}
