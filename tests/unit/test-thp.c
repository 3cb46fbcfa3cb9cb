/*
 * test-thp.c - the THP probe on real captures of the 6.18 host's
 * /sys/kernel/mm/transparent_hugepage (Debian defaults) and the Debian
 * 6.1 guest's enabled file, laid out under a root directory.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/util.h"
#include "probe/procfs.h"
#include "probe/thp.h"
#include "unit.h"

#define HOST "host-6.18-2cpu/"

/* ROOT/sys/kernel/mm/transparent_hugepage/FILE with TEXT. */
static void
thp_file(const char *root, const char *file, const char *text)
{
	char *rel = xasprintf(THP_DIR "/%s", file);

	unit_put(root, rel, text);
	free(rel);
}

static void
thp_fixture(const char *root, const char *file, const char *name)
{
	char *rel = xasprintf(THP_DIR "/%s", file);

	unit_put_fixture(root, rel, name);
	free(rel);
}

/* The host's directory, as captured. */
static char *
host_root(const char *name)
{
	char *root = xasprintf("%s/%s", unit_tmpdir(), name);

	thp_fixture(root, "enabled", HOST "thp-enabled");
	thp_fixture(root, "defrag", HOST "thp-defrag");
	thp_fixture(root, "hpage_pmd_size", HOST "thp-hpage_pmd_size");
	thp_fixture(root, "use_zero_page", HOST "thp-use_zero_page");
	thp_fixture(root, "hugepages-2048kB/enabled",
	    HOST "thp-hugepages-2048kB-enabled");
	return root;
}

TEST(thp_host_capture)
{
	char *root = host_root("thp-host"), *mode = NULL, *cause = NULL;

	CHECK_INT_EQ(thp_pmd_size(root), 2 << 20);
	CHECK_INT_EQ(thp_mode(root, "enabled", &mode, &cause), 0);
	CHECK_STR_EQ(mode, "madvise");
	free(mode);
	CHECK_INT_EQ(thp_mode(root, "defrag", &mode, &cause), 0);
	CHECK_STR_EQ(mode, "madvise");
	free(mode);
	/* The 2048kB switch says "inherit": PMD THP follows enabled. */
	CHECK_INT_EQ(thp_pmd_allowed(root, thp_pmd_size(root), &cause), 0);
	CHECK_INT_EQ(thp_zero_page_on(root), 1);

	thp_file(root, "hugepages-2048kB/enabled",
	    "always inherit madvise [never]\n");
	CHECK_INT_EQ(thp_pmd_allowed(root, 2 << 20, &cause), -ENOTSUP);
	CHECK_STR_EQ(cause, "PMD-sized THP is disabled: '" THP_DIR
	    "/hugepages-2048kB/enabled' is never");
	thp_file(root, "use_zero_page", "0\n");
	CHECK_INT_EQ(thp_zero_page_on(root), 0);
	/* ppc64 hash: 16 MiB PMDs. */
	thp_file(root, "hpage_pmd_size", "16777216\n");
	CHECK_INT_EQ(thp_pmd_size(root), 16 << 20);
	free(cause);
	free(root);
}

TEST(thp_debian_enabled)
{
	char *root = xasprintf("%s/thp-debian", unit_tmpdir());
	char *mode = NULL, *cause = NULL;

	thp_fixture(root, "enabled", "identity/debian-6.1-thp-enabled");
	CHECK_INT_EQ(thp_mode(root, "enabled", &mode, &cause), 0);
	CHECK_STR_EQ(mode, "always");
	free(mode);
	free(root);
	free(cause);
}

/* A kernel without THP, or with files of an unknown shape. */
TEST(thp_absent_or_malformed)
{
	char *root = xasprintf("%s/thp-none", unit_tmpdir());
	char *mode = NULL, *cause = NULL;

	CHECK_INT_EQ(thp_pmd_size(root), 2 << 20);
	CHECK_INT_EQ(thp_mode(root, "enabled", &mode, &cause), -ENOENT);
	CHECK(mode == NULL);
	CHECK_STR_CONTAINS(cause, "cannot open '");
	CHECK_INT_EQ(thp_pmd_allowed(root, 2 << 20, &cause), 0);
	CHECK_INT_EQ(thp_zero_page_on(root), 0);

	thp_file(root, "enabled", "always madvise never\n");
	thp_file(root, "hpage_pmd_size", "huge\n");
	CHECK_INT_EQ(thp_mode(root, "enabled", &mode, &cause), -EINVAL);
	CHECK(mode == NULL);
	CHECK_STR_CONTAINS(cause, "/enabled': 'always madvise never'");
	CHECK_INT_EQ(thp_pmd_size(root), 2 << 20);
	free(cause);
	free(root);
}

TEST(thp_live)
{
	char *mode = NULL, *cause = NULL, *text = NULL, *want;

	CHECK(thp_pmd_size(NULL) >= 4096);
	if (read_file(THP_ENABLED, &text, NULL, NULL) != 0)
		return;
	CHECK_INT_EQ(thp_mode(NULL, "enabled", &mode, &cause), 0);
	want = sysfs_bracketed(text);
	CHECK_STR_EQ(mode, want);
	free(want);
	free(mode);
	free(text);
}
