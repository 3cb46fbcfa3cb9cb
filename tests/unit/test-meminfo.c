/*
 * test-meminfo.c - one meminfo field, on real captures: /proc/meminfo of
 * the 6.18 host and a Debian 6.1 guest, and a node's meminfo with its
 * "Node 0 " prefix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/util.h"
#include "probe/meminfo.h"
#include "unit.h"

#define HOST "host-6.18-2cpu/"

TEST(meminfo_value_proc)
{
	char *host = fixture_read(HOST "proc-meminfo");
	int64_t kb = -1;

	CHECK_INT_EQ(meminfo_value(host, "MemTotal", &kb), 0);
	CHECK_INT_EQ(kb, 24684084);
	CHECK_INT_EQ(meminfo_value(host, "MemAvailable", &kb), 0);
	CHECK_INT_EQ(kb, 24413000);
	CHECK_INT_EQ(meminfo_value(host, "Percpu", &kb), 0);
	CHECK_INT_EQ(kb, 688);
	CHECK_INT_EQ(meminfo_value(host, "AnonHugePages", &kb), 0);
	CHECK_INT_EQ(kb, 0);
	/* A key is a whole word: "Total" is not "MemTotal". */
	CHECK_INT_EQ(meminfo_value(host, "Total", &kb), -ENOENT);
	CHECK_INT_EQ(meminfo_value(host, "MemTota", &kb), -ENOENT);
	CHECK_INT_EQ(meminfo_value(host, "NoSuchKey", &kb), -ENOENT);
	CHECK_INT_EQ(meminfo_value("", "MemTotal", &kb), -ENOENT);
	free(host);
}

TEST(meminfo_value_node)
{
	char *node = fixture_read("identity/debian-6.1-node1-meminfo");
	char *host = fixture_read("identity/host-node0-meminfo");
	int64_t kb = -1;

	CHECK_INT_EQ(meminfo_value(node, "MemTotal", &kb), 0);
	CHECK_INT_EQ(kb, 1014218);
	CHECK_INT_EQ(meminfo_value(host, "MemTotal", &kb), 0);
	CHECK_INT_EQ(kb, 4417740);
	CHECK_INT_EQ(meminfo_value(host, "AnonHugePages", &kb), 0);
	CHECK_INT_EQ(kb, 0);
	free(node);
	free(host);
}

/* smaps lines have the same form; thp-munmap reads them one at a time. */
TEST(meminfo_value_smaps_line)
{
	int64_t kb = -1;

	CHECK_INT_EQ(meminfo_value("AnonHugePages:   1048576 kB",
	    "AnonHugePages", &kb), 0);
	CHECK_INT_EQ(kb, 1048576);
	CHECK_INT_EQ(meminfo_value("VmFlags: rd wr mr mw me ac sd",
	    "VmFlags", &kb), -ENOENT);
}

TEST(meminfo_read_file)
{
	char *cause = NULL;
	const char *path;
	int64_t kb = -1;

	path = fixture("debian-6.1.0-54-cloud-4cpu-2node-cpu2-offline/"
	    "proc-meminfo");
	CHECK_INT_EQ(meminfo_read(path, "MemTotal", &kb, &cause), 0);
	CHECK_INT_EQ(kb, 2028436);
	CHECK_INT_EQ(meminfo_read(path, "NoSuchKey", &kb, &cause), -ENOENT);
	CHECK_STR_CONTAINS(cause, "no 'NoSuchKey' in '");
	CHECK_INT_EQ(meminfo_read("/nonexistent/meminfo", "MemTotal", &kb,
	    &cause), -ENOENT);
	CHECK_STR_CONTAINS(cause, "cannot open '/nonexistent/meminfo'");
	free(cause);
}

TEST(meminfo_fd_and_live)
{
	int fd = open(fixture(HOST "proc-meminfo"), O_RDONLY | O_CLOEXEC);
	int64_t total;

	CHECK(fd >= 0);
	/* pread() from offset 0: the same fd answers twice. */
	CHECK_INT_EQ(meminfo_fd_kb(fd, "Percpu"), 688);
	CHECK_INT_EQ(meminfo_fd_kb(fd, "MemTotal"), 24684084);
	CHECK_INT_EQ(meminfo_fd_kb(fd, "NoSuchKey"), -1);
	close(fd);
	CHECK_INT_EQ(meminfo_fd_kb(-1, "MemTotal"), -1);

	total = meminfo_kb("MemTotal");
	CHECK(total > 0);
	CHECK(meminfo_kb("MemAvailable") <= total);
	CHECK_INT_EQ(meminfo_kb("NoSuchKey"), -1);
}
