/*
 * thp.c - what transparent huge pages can do on this kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "probe/procfs.h"
#include "probe/thp.h"

#define PMD_SIZE_DEFAULT ((size_t)2 << 20)

static char *
thp_path(const char *root, const char *file)
{
	return xasprintf("%s" THP_DIR "/%s", root != NULL ? root : "", file);
}

size_t
thp_pmd_size(const char *root)
{
	char *path = thp_path(root, "hpage_pmd_size"), *text = NULL;
	size_t size = PMD_SIZE_DEFAULT;
	int64_t v;

	if (read_file_line(path, &text, NULL) == 0 &&
	    parse_int64(text, &v) == 0 && v > 0)
		size = (size_t)v;
	free(text);
	free(path);
	return size;
}

int
thp_mode(const char *root, const char *knob, char **mode, char **cause)
{
	char *path = thp_path(root, knob), *text = NULL;
	int r;

	*mode = NULL;
	if ((r = read_file(path, &text, NULL, cause)) != 0)
		goto out;
	if ((*mode = sysfs_bracketed(text)) == NULL)
		r = set_cause(cause, EINVAL, "cannot parse '%s': '%s'", path,
		    trim(text));
out:
	free(text);
	free(path);
	return r;
}

int
thp_pmd_allowed(const char *root, size_t pmd_size, char **cause)
{
	char *file, *mode = NULL;
	int r = 0;

	file = xasprintf("hugepages-%zukB/enabled", pmd_size >> 10);
	if (thp_mode(root, file, &mode, NULL) == 0 &&
	    strcmp(mode, "never") == 0)
		r = set_cause(cause, ENOTSUP, "PMD-sized THP is disabled: "
		    "'" THP_DIR "/%s' is never", file);
	free(mode);
	free(file);
	return r;
}

int
thp_zero_page_on(const char *root)
{
	char *path = thp_path(root, "use_zero_page"), *text = NULL;
	int on = 0;

	if (read_file_line(path, &text, NULL) == 0)
		on = strcmp(text, "0") != 0;
	free(text);
	free(path);
	return on;
}
