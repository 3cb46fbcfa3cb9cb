/*
 * meminfo.h - one field of /proc/meminfo (or of a node's meminfo), in kB.
 *
 * Every reader of meminfo goes through here; the lines are parsed by
 * procfs_parse_meminfo(), as the sampler parses them.
 */
#ifndef MMSTORM_MEMINFO_H
#define MMSTORM_MEMINFO_H

#include <stdint.h>

#define MEMINFO_PATH "/proc/meminfo"

/*
 * KEY's value in meminfo text: "Key:   123 kB", and the "Node 0 Key:"
 * lines of /sys/devices/system/node/node<N>/meminfo.  0 with *kb set,
 * or -ENOENT when there is no such line.
 */
int meminfo_value(const char *text, const char *key, int64_t *kb);

/* KEY from the meminfo file at path: 0, or negative with *cause
 * ("no 'MemTotal' in '/proc/meminfo'" when the line is missing). */
int meminfo_read(const char *path, const char *key, int64_t *kb,
    char **cause);

/*
 * KEY from an open meminfo file, read with pread() into a stack buffer:
 * no allocation, for the loops of forked pressure workers.  -1 when
 * absent or unreadable.
 */
int64_t meminfo_fd_kb(int fd, const char *key);

/* KEY from /proc/meminfo, as meminfo_fd_kb(); -1 when absent or
 * unreadable. */
int64_t meminfo_kb(const char *key);

#endif
