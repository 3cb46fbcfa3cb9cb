/* test-identity.c - kernel build and host identity, on captures and live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zlib.h>

#include "probe/identity.h"
#include "probe/procfs.h"
#include "common/sha256.h"
#include "unit.h"
#include "common/util.h"

#define DEBIAN_BUILD_ID "bc6a64c9b9d16077718a6681f0eb539e2bc860be"
#define HOST_BUILD_ID   "4a5a9b0affb66c437abcd455d2738af879985fa9"
#define DEBIAN_RELEASE  "6.1.0-54-cloud-amd64"
#define DEBIAN_CMDLINE  "console=ttyS0 quiet panic=-1"

/* Offset of the GNU note in debian-6.1-notes.bin: 15 Xen notes first. */
#define DEBIAN_GNU_NOTE_OFFSET 384

/* Fixture of the Debian capture: DEB("proc-version"). */
#define DEB(name) "identity/debian-6.1-" name

static unsigned char *
fixture_bytes(const char *name, size_t *len)
{
	char *data = NULL, *cause = NULL;

	if (read_file(fixture(name), &data, len, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "fixture: %s", cause);
	return (unsigned char *)data;
}

/* A fresh directory under unit_tmpdir() (shared by all tests). */
static char *
fresh_root(const char *name)
{
	char *root = xasprintf("%s/%s", unit_tmpdir(), name);

	if (mkdir(root, 0755) != 0)
		unit_fail(__FILE__, __LINE__, "mkdir '%s': %s", root,
		    strerror(errno));
	return root;
}

/* The Debian guest's kernel files, laid out as on the machine. */
static char *
debian_kernel_root(const char *name)
{
	char *root = fresh_root(name);

	unit_put_fixture(root, "/proc/sys/kernel/osrelease", DEB("osrelease"));
	unit_put_fixture(root, "/proc/version", DEB("proc-version"));
	unit_put_fixture(root, "/proc/cmdline", DEB("proc-cmdline"));
	unit_put_fixture(root, "/sys/kernel/notes", DEB("notes.bin"));
	return root;
}

TEST(identity_build_id_debian_notes)
{
	unsigned char *notes;
	char id[41];
	size_t len;

	notes = fixture_bytes(DEB("notes.bin"), &len);
	CHECK_INT_EQ(len, 512);
	/* The Xen type-3 note (XEN_ELFNOTE_VIRT_BASE) comes first and must
	 * not be taken for NT_GNU_BUILD_ID. */
	CHECK_INT_EQ(elf_notes_build_id(notes, len, id, sizeof id), 0);
	CHECK_STR_EQ(id, DEBIAN_BUILD_ID);
	free(notes);
}

TEST(identity_build_id_host_notes)
{
	unsigned char *notes;
	char id[41];
	size_t len;

	notes = fixture_bytes("identity/host-notes.bin", &len);
	CHECK_INT_EQ(elf_notes_build_id(notes, len, id, sizeof id), 0);
	CHECK_STR_EQ(id, HOST_BUILD_ID);
	free(notes);
}

TEST(identity_build_id_missing)
{
	unsigned char *notes, bad[16];
	char id[41];
	size_t len;

	notes = fixture_bytes(DEB("notes.bin"), &len);
	/* Only the Xen notes. */
	CHECK_INT_EQ(elf_notes_build_id(notes, DEBIAN_GNU_NOTE_OFFSET, id,
	    sizeof id), -ENOENT);
	/* The GNU note cut in its descriptor. */
	CHECK_INT_EQ(elf_notes_build_id(notes, DEBIAN_GNU_NOTE_OFFSET + 20,
	    id, sizeof id), -ENOENT);
	CHECK_INT_EQ(elf_notes_build_id(notes, 0, id, sizeof id), -ENOENT);
	/* Too small a buffer for 20 bytes of hex. */
	CHECK_INT_EQ(elf_notes_build_id(notes, len, id, 40), -ENOSPC);
	free(notes);

	/* namesz near 4 GiB must not wrap the offsets. */
	memset(bad, 0, sizeof bad);
	memset(bad, 0xff, 8);
	bad[8] = 3;
	CHECK_INT_EQ(elf_notes_build_id(bad, sizeof bad, id, sizeof id),
	    -ENOENT);
}

TEST(identity_sysfs_bracketed)
{
	char *s, *text;

	s = sysfs_bracketed("always [madvise] never");
	CHECK_STR_EQ(s, "madvise");
	free(s);
	s = sysfs_bracketed("always defer defer+madvise [madvise] never\n");
	CHECK_STR_EQ(s, "madvise");
	free(s);
	text = fixture_read(DEB("thp-enabled"));
	s = sysfs_bracketed(text);
	free(text);
	CHECK_STR_EQ(s, "always");
	free(s);
	CHECK(sysfs_bracketed("always madvise never") == NULL);
	CHECK(sysfs_bracketed("always [madvise") == NULL);
	CHECK(sysfs_bracketed(NULL) == NULL);
}

TEST(identity_kernel_root_dir)
{
	struct kernel_identity k;
	char *root, *cause = NULL, *version, *config, *key, *path;
	char want[65], config_hash[65];
	gzFile gz;

	root = debian_kernel_root("kernel");
	version = fixture_read(DEB("proc-version"));
	trim(version);

	/* No config anywhere: the key is build-id, empty, cmdline. */
	CHECK_INT_EQ(kernel_identity_read(&k, root, &cause), 0);
	CHECK_STR_EQ(k.release, DEBIAN_RELEASE);
	CHECK_STR_EQ(k.version, version);
	CHECK_STR_EQ(k.build_id, DEBIAN_BUILD_ID);
	CHECK_STR_EQ(k.cmdline, DEBIAN_CMDLINE);
	CHECK(k.config_hash == NULL);
	CHECK(k.config_source == NULL);
	key = xasprintf("%s\n\n%s", DEBIAN_BUILD_ID, DEBIAN_CMDLINE);
	sha256_hex(key, strlen(key), want);
	free(key);
	CHECK_STR_EQ(k.build_key, want);
	kernel_identity_release(&k);

	/* /boot/config-<release>. */
	config = fixture_read(DEB("config"));
	sha256_hex(config, strlen(config), config_hash);
	unit_put(root, "/boot/config-" DEBIAN_RELEASE, config);
	CHECK_INT_EQ(kernel_identity_read(&k, root, &cause), 0);
	CHECK_STR_EQ(k.config_hash, config_hash);
	CHECK_STR_EQ(k.config_source, "/boot/config-" DEBIAN_RELEASE);
	key = xasprintf("%s\n%s\n%s", DEBIAN_BUILD_ID, config_hash,
	    DEBIAN_CMDLINE);
	sha256_hex(key, strlen(key), want);
	free(key);
	CHECK_STR_EQ(k.build_key, want);
	kernel_identity_release(&k);

	/* /proc/config.gz wins and hashes the uncompressed text. */
	path = xasprintf("%s/proc/config.gz", root);
	CHECK((gz = gzopen(path, "wb9")) != NULL);
	CHECK_INT_EQ(gzwrite(gz, config, (unsigned)strlen(config)),
	    strlen(config));
	CHECK_INT_EQ(gzclose(gz), Z_OK);
	free(path);
	CHECK_INT_EQ(kernel_identity_read(&k, root, &cause), 0);
	CHECK_STR_EQ(k.config_hash, config_hash);
	CHECK_STR_EQ(k.config_source, "/proc/config.gz");
	CHECK_STR_EQ(k.build_key, want);
	kernel_identity_release(&k);
	free(config);

	/* Without notes the version string stands in for the build-id. */
	path = xasprintf("%s/sys/kernel/notes", root);
	CHECK_INT_EQ(unlink(path), 0);
	free(path);
	CHECK_INT_EQ(kernel_identity_read(&k, root, &cause), 0);
	CHECK(k.build_id == NULL);
	key = xasprintf("%s\n%s\n%s", version, config_hash, DEBIAN_CMDLINE);
	sha256_hex(key, strlen(key), want);
	free(key);
	CHECK_STR_EQ(k.build_key, want);
	kernel_identity_release(&k);

	free(version);
	free(root);
	free(cause);
}

TEST(identity_kernel_root_dir_missing_release)
{
	struct kernel_identity k;
	char *root, *cause = NULL;

	root = fresh_root("kernel-empty");
	CHECK(kernel_identity_read(&k, root, &cause) == -ENOENT);
	CHECK_STR_CONTAINS(cause, "/proc/sys/kernel/osrelease");
	CHECK(k.release == NULL && k.build_key == NULL);
	free(cause);
	free(root);
}

TEST(identity_kernel_live)
{
	struct kernel_identity k;
	struct utsname uts;
	char *cause = NULL;

	CHECK_INT_EQ(uname(&uts), 0);
	if (kernel_identity_read(&k, NULL, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	CHECK_STR_EQ(k.release, uts.release);
	CHECK(starts_with(k.version, "Linux version "));
	CHECK_STR_CONTAINS(k.version, uts.release);
	CHECK(k.build_key != NULL && strlen(k.build_key) == 64);
	if (k.build_id != NULL)
		CHECK(strlen(k.build_id) >= 2);
	if (k.config_source != NULL)
		CHECK(k.config_hash != NULL && strlen(k.config_hash) == 64);
	kernel_identity_release(&k);
}

TEST(identity_host_root_dir)
{
	struct host_identity h;
	char *root, *cause = NULL;

	root = fresh_root("host");
	unit_put(root, "/proc/sys/kernel/hostname", "debian-guest\n");
	unit_put(root, "/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
	unit_put_fixture(root, "/sys/devices/system/cpu/online",
	    DEB("cpu-online"));
	unit_put_fixture(root, "/sys/devices/system/cpu/possible",
	    DEB("cpu-possible"));
	unit_put_fixture(root, "/proc/meminfo", DEB("proc-meminfo"));
	unit_put_fixture(root, "/sys/devices/system/node/node0/meminfo",
	    DEB("node0-meminfo"));
	unit_put_fixture(root, "/sys/devices/system/node/node0/cpulist",
	    DEB("node0-cpulist"));
	unit_put_fixture(root, "/sys/devices/system/node/node1/meminfo",
	    DEB("node1-meminfo"));
	unit_put_fixture(root, "/sys/devices/system/node/node1/cpulist",
	    DEB("node1-cpulist"));
	/* Files in the node directory that are not nodes. */
	unit_put(root, "/sys/devices/system/node/online", "0-1\n");
	unit_put(root, "/sys/devices/system/node/possible", "0-1\n");
	unit_put_fixture(root, "/sys/kernel/mm/transparent_hugepage/enabled",
	    DEB("thp-enabled"));

	if (host_identity_read(&h, root, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	CHECK_STR_EQ(h.hostname, "debian-guest");
	CHECK_STR_EQ(h.machine_id, "0123456789abcdef0123456789abcdef");
	CHECK_INT_EQ(h.cpus_online, 3);
	CHECK_INT_EQ(h.cpus_possible, 4);
	CHECK_INT_EQ(h.mem_total_kb, 2028436);
	CHECK_INT_EQ(h.numa_nodes, 2);
	CHECK_STR_EQ(h.nodes_json,
	    "[{\"node\":0,\"mem_kb\":1014218,\"cpus\":\"0-1\"},"
	    "{\"node\":1,\"mem_kb\":1014218,\"cpus\":\"3\"}]");
	CHECK_STR_EQ(h.thp_enabled, "always");
	CHECK(h.thp_defrag == NULL);
	host_identity_release(&h);

	/* A malformed CPU list is an error naming the file. */
	unit_put(root, "/sys/devices/system/cpu/online", "0-1,x\n");
	CHECK(host_identity_read(&h, root, &cause) == -EINVAL);
	CHECK_STR_CONTAINS(cause, "/sys/devices/system/cpu/online");
	CHECK(h.hostname == NULL);
	free(cause);
	free(root);
}

/* The same VM's node0 meminfo and a kernel without NUMA sysfs. */
TEST(identity_host_root_dir_single_node)
{
	struct host_identity h;
	char *root, *cause = NULL;

	root = fresh_root("host-one-node");
	unit_put(root, "/proc/sys/kernel/hostname", "vm\n");
	unit_put(root, "/sys/devices/system/cpu/online", "0-1\n");
	unit_put(root, "/sys/devices/system/cpu/possible", "0-1\n");
	unit_put(root, "/proc/meminfo", "MemTotal:       24684084 kB\n"
	    "MemFree:        24468280 kB\n");
	unit_put_fixture(root, "/sys/devices/system/node/node0/meminfo",
	    "identity/host-node0-meminfo");
	unit_put(root, "/sys/devices/system/node/node0/cpulist", "0-1\n");
	if (host_identity_read(&h, root, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	CHECK(h.machine_id == NULL);
	CHECK(h.thp_enabled == NULL);
	CHECK_INT_EQ(h.numa_nodes, 1);
	CHECK_STR_EQ(h.nodes_json,
	    "[{\"node\":0,\"mem_kb\":4417740,\"cpus\":\"0-1\"}]");
	host_identity_release(&h);
	free(root);

	root = fresh_root("host-no-numa");
	unit_put(root, "/proc/sys/kernel/hostname", "vm\n");
	unit_put(root, "/sys/devices/system/cpu/online", "0-1\n");
	unit_put(root, "/sys/devices/system/cpu/possible", "0-7\n");
	unit_put(root, "/proc/meminfo", "MemTotal:       1000 kB\n");
	if (host_identity_read(&h, root, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	CHECK_INT_EQ(h.cpus_possible, 8);
	CHECK_INT_EQ(h.numa_nodes, 1);
	CHECK_STR_EQ(h.nodes_json,
	    "[{\"node\":0,\"mem_kb\":1000,\"cpus\":\"0-1\"}]");
	host_identity_release(&h);
	free(root);
}

TEST(identity_host_live)
{
	struct host_identity h;
	char *cause = NULL, *text = NULL, *want;

	if (host_identity_read(&h, NULL, &cause) != 0)
		unit_fail(__FILE__, __LINE__, "%s", cause);
	CHECK(h.hostname != NULL && h.hostname[0] != '\0');
	CHECK(h.cpus_online >= 1);
	CHECK(h.cpus_possible >= h.cpus_online);
	CHECK(h.mem_total_kb > 0);
	CHECK(h.numa_nodes >= 1);
	CHECK(starts_with(h.nodes_json, "[{\"node\":"));
	if (read_file("/sys/kernel/mm/transparent_hugepage/enabled", &text,
	    NULL, NULL) == 0) {
		want = sysfs_bracketed(text);
		CHECK_STR_EQ(h.thp_enabled, want);
		free(want);
		free(text);
	}
	host_identity_release(&h);
}
