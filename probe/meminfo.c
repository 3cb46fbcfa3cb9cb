/*
 * meminfo.c - one field of /proc/meminfo (or of a node's meminfo), in kB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "probe/meminfo.h"
#include "probe/procfs.h"

/* /proc/meminfo is about 1.5 KiB; a node's meminfo less. */
#define MEMINFO_BUF 8192

struct meminfo_find {
	const char *key;
	size_t keylen;
	int64_t value;
	int found;
};

/*
 * procfs_parse_meminfo() hands over what precedes the colon: "MemTotal",
 * or "Node 0 MemTotal" in a node's file, where the key is the last word.
 * The first match wins.
 */
static void
meminfo_match(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct meminfo_find *f = arg;
	const char *word;

	if (f->found || keylen < f->keylen)
		return;
	word = key + keylen - f->keylen;
	if (word != key && word[-1] != ' ')
		return;
	if (memcmp(word, f->key, f->keylen) != 0)
		return;
	f->value = value;
	f->found = 1;
}

int
meminfo_value(const char *text, const char *key, int64_t *kb)
{
	struct meminfo_find f = { key, strlen(key), 0, 0 };

	procfs_parse_meminfo(text, meminfo_match, &f);
	if (!f.found)
		return -ENOENT;
	*kb = f.value;
	return 0;
}

int
meminfo_read(const char *path, const char *key, int64_t *kb, char **cause)
{
	char *text = NULL;
	int r;

	if ((r = read_file(path, &text, NULL, cause)) != 0)
		return r;
	if ((r = meminfo_value(text, key, kb)) != 0)
		r = set_cause(cause, -r, "no '%s' in '%s'", key, path);
	free(text);
	return r;
}

int64_t
meminfo_fd_kb(int fd, const char *key)
{
	char buf[MEMINFO_BUF];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	int64_t kb;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return meminfo_value(buf, key, &kb) == 0 ? kb : -1;
}

int64_t
meminfo_kb(const char *key)
{
	int fd = open(MEMINFO_PATH, O_RDONLY | O_CLOEXEC);
	int64_t v;

	if (fd == -1)
		return -1;
	v = meminfo_fd_kb(fd, key);
	close(fd);
	return v;
}
