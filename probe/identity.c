/*
 * identity.c - which kernel build and which machine a run happened on.
 *
 * Everything is read through a root prefix so that tests can point it at
 * a directory of captured files; root NULL (or "/") is the live system,
 * where uname(2), gethostname(2) and libnuma are asked instead.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <numa.h>
#include <zlib.h>

#include "common/buf.h"
#include "probe/identity.h"
#include "probe/meminfo.h"
#include "probe/procfs.h"
#include "probe/thp.h"
#include "common/sha256.h"
#include "common/util.h"

/* include/uapi/linux/elf.h */
#define NT_GNU_BUILD_ID 3

static const char *
live_root(const char *root)
{
	if (root != NULL && (root[0] == '\0' || strcmp(root, "/") == 0))
		return NULL;
	return root;
}

static char *
root_path(const char *root, const char *path)
{
	return xasprintf("%s%s", root != NULL ? root : "", path);
}

/*
 * Read one line of an optional file: 0 with *out set, 0 with *out NULL
 * when the file does not exist, negative on any other error.
 */
static int
read_optional_line(const char *root, const char *path, char **out,
    char **cause)
{
	char *full = root_path(root, path), *why = NULL;
	int r;

	/* Absence is an answer: leave *cause alone unless it is an error. */
	r = read_file_line(full, out, &why);
	if (r == -ENOENT) {
		*out = NULL;
		r = 0;
	} else if (r != 0)
		set_cause(cause, -r, "%s", why);
	free(why);
	free(full);
	return r;
}

static int
read_required_line(const char *root, const char *path, char **out,
    char **cause)
{
	char *full = root_path(root, path);
	int r;

	r = read_file_line(full, out, cause);
	free(full);
	return r;
}

static uint32_t
load_u32(const unsigned char *p)
{
	uint32_t v;

	/* /sys/kernel/notes is in the running kernel's byte order. */
	memcpy(&v, p, sizeof v);
	return v;
}

int
elf_notes_build_id(const unsigned char *notes, size_t len, char *out,
    size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t off = 0, namesz, descsz, name_off, desc_off, next;
	uint32_t type;
	const unsigned char *desc;
	size_t i;

	/* Elf_Nhdr records: namesz, descsz, type, then name and desc each
	 * padded to 4 bytes (the kernel's notes are 4-byte aligned). */
	while (off + 12 <= len) {
		namesz = load_u32(notes + off);
		descsz = load_u32(notes + off + 4);
		type = load_u32(notes + off + 8);
		name_off = off + 12;
		desc_off = name_off + ((namesz + 3) & ~(uint64_t)3);
		next = desc_off + ((descsz + 3) & ~(uint64_t)3);
		if (desc_off + descsz > len)
			break;
		/* Xen's notes reuse type 3 (XEN_ELFNOTE_VIRT_BASE): the
		 * name decides, not the type alone. */
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    memcmp(notes + name_off, "GNU", 4) == 0 && descsz > 0) {
			if (outlen < 2 * descsz + 1)
				return -ENOSPC;
			desc = notes + desc_off;
			for (i = 0; i < descsz; i++) {
				out[2 * i] = hex[desc[i] >> 4];
				out[2 * i + 1] = hex[desc[i] & 0xf];
			}
			out[2 * descsz] = '\0';
			return 0;
		}
		off = next;
	}
	return -ENOENT;
}

/* The build-id of the kernel, NULL in *out when there is none. */
static int
read_build_id(const char *root, char **out, char **cause)
{
	char *path = root_path(root, "/sys/kernel/notes"), *notes = NULL;
	char id[2 * 64 + 1], *why = NULL;
	size_t len;
	int r;

	*out = NULL;
	r = read_file(path, &notes, &len, &why);
	if (r == -ENOENT) {
		/* No sysfs (a container): the version string stands in. */
		r = 0;
		goto out;
	}
	if (r != 0) {
		set_cause(cause, -r, "%s", why);
		goto out;
	}
	r = elf_notes_build_id((const unsigned char *)notes, len, id,
	    sizeof id);
	if (r == 0)
		*out = xstrdup(id);
	else if (r == -ENOENT)
		r = 0;
	else
		r = set_cause(cause, -r, "build-id in '%s' is too long", path);
out:
	free(why);
	free(notes);
	free(path);
	return r;
}

/* sha256 of a file, read through zlib, which passes plain files through
 * unchanged: /proc/config.gz and /boot/config-* alike. */
static int
hash_config(const char *path, char hexout[65], char **cause)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char chunk[65536], digest[32];
	struct sha256 c;
	gzFile gz;
	const char *msg;
	int n, i, errnum, r = 0;

	errno = 0;
	if ((gz = gzopen(path, "rb")) == NULL) {
		if (errno == 0)
			errno = ENOMEM;
		return set_cause(cause, errno, "cannot open '%s': %s", path,
		    strerror(errno));
	}
	sha256_init(&c);
	while ((n = gzread(gz, chunk, sizeof chunk)) > 0)
		sha256_update(&c, chunk, (size_t)n);
	if (n < 0) {
		msg = gzerror(gz, &errnum);
		r = set_cause(cause, EIO, "cannot read '%s': %s", path,
		    errnum == Z_ERRNO ? strerror(errno) : msg);
		goto out;
	}
	sha256_final(&c, digest);
	for (i = 0; i < 32; i++) {
		hexout[2 * i] = hex[digest[i] >> 4];
		hexout[2 * i + 1] = hex[digest[i] & 0xf];
	}
	hexout[64] = '\0';
out:
	gzclose(gz);
	return r;
}

static int
read_config_hash(struct kernel_identity *k, const char *root, char **cause)
{
	char *sources[2], *path = NULL, hex[65];
	size_t i;
	int r = 0;

	/* CONFIG_IKCONFIG_PROC first: it is the running build's own. */
	sources[0] = xstrdup("/proc/config.gz");
	sources[1] = xasprintf("/boot/config-%s", k->release);
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		free(path);
		path = root_path(root, sources[i]);
		if (access(path, F_OK) != 0)
			continue;
		if ((r = hash_config(path, hex, cause)) != 0)
			goto out;
		k->config_hash = xstrdup(hex);
		k->config_source = xstrdup(sources[i]);
		break;
	}
out:
	free(path);
	for (i = 0; i < ARRAY_SIZE(sources); i++)
		free(sources[i]);
	return r;
}

int
kernel_identity_read(struct kernel_identity *k, const char *root,
    char **cause)
{
	struct utsname uts;
	struct buf key = BUF_INIT;
	char hex[65];
	int r;

	memset(k, 0, sizeof *k);
	root = live_root(root);
	if (root == NULL) {
		if (uname(&uts) != 0) {
			r = set_cause(cause, errno, "uname: %s",
			    strerror(errno));
			goto out;
		}
		k->release = xstrdup(uts.release);
	} else if ((r = read_required_line(root, "/proc/sys/kernel/osrelease",
	    &k->release, cause)) != 0)
		goto out;
	if ((r = read_required_line(root, "/proc/version", &k->version,
	    cause)) != 0)
		goto out;
	if ((r = read_required_line(root, "/proc/cmdline", &k->cmdline,
	    cause)) != 0)
		goto out;
	if ((r = read_build_id(root, &k->build_id, cause)) != 0)
		goto out;
	if ((r = read_config_hash(k, root, cause)) != 0)
		goto out;

	/* Two builds with the same build-id are the same vmlinux; the
	 * config and command line still change what is measured. */
	buf_printf(&key, "%s\n%s\n%s",
	    k->build_id != NULL ? k->build_id : k->version,
	    k->config_hash != NULL ? k->config_hash : "", k->cmdline);
	sha256_hex(key.s, key.len, hex);
	k->build_key = xstrdup(hex);
	r = 0;
out:
	buf_release(&key);
	if (r != 0)
		kernel_identity_release(k);
	return r;
}

void
kernel_identity_release(struct kernel_identity *k)
{
	if (k == NULL)
		return;
	free(k->release);
	free(k->version);
	free(k->build_id);
	free(k->cmdline);
	free(k->config_hash);
	free(k->config_source);
	free(k->build_key);
	memset(k, 0, sizeof *k);
}

static int
read_cpu_count(const char *root, const char *which, int *out, char **cause)
{
	char *path, *text = NULL;
	int r;

	path = xasprintf("%s/sys/devices/system/cpu/%s",
	    root != NULL ? root : "", which);
	/* Without sysfs (a container) the live system can still answer. */
	if (root == NULL && read_file_line(path, &text, NULL) != 0) {
		*out = (int)sysconf(strcmp(which, "online") == 0 ?
		    _SC_NPROCESSORS_ONLN : _SC_NPROCESSORS_CONF);
		r = *out > 0 ? 0 : set_cause(cause, errno,
		    "cannot count %s CPUs: %s", which, strerror(errno));
		goto out;
	}
	if (root != NULL && (r = read_file_line(path, &text, cause)) != 0)
		goto out;
	if ((r = procfs_cpulist_count(text)) <= 0) {
		r = set_cause(cause, EINVAL, "malformed CPU list in '%s': '%s'",
		    path, text);
		goto out;
	}
	*out = r;
	r = 0;
out:
	free(text);
	free(path);
	return r;
}

/* Keep only what a CPU list may contain, so it can go into JSON as is. */
static void
add_cpulist_json(struct buf *b, const char *list)
{
	buf_addc(b, '"');
	for (; *list != '\0'; list++) {
		if (isdigit((unsigned char)*list) || *list == '-' ||
		    *list == ',')
			buf_addc(b, *list);
	}
	buf_addc(b, '"');
}

static void
add_node_json(struct buf *b, int node, int64_t mem_kb, const char *cpus)
{
	buf_printf(b, "%s{\"node\":%d,\"mem_kb\":%lld,\"cpus\":",
	    b->len > 1 ? "," : "", node, (long long)mem_kb);
	add_cpulist_json(b, cpus);
	buf_addc(b, '}');
}

/* A bitmask as a CPU list "0-1,3". */
static char *
bitmask_to_list(struct bitmask *mask)
{
	struct buf b = BUF_INIT;
	unsigned int i, first, n = mask->size;

	for (i = 0; i < n; i++) {
		if (!numa_bitmask_isbitset(mask, i))
			continue;
		first = i;
		while (i + 1 < n && numa_bitmask_isbitset(mask, i + 1))
			i++;
		if (b.len > 0)
			buf_addc(&b, ',');
		if (first == i)
			buf_printf(&b, "%u", i);
		else
			buf_printf(&b, "%u-%u", first, i);
	}
	return buf_detach(&b);
}

static int
read_nodes_live(struct host_identity *h, struct buf *json, char **cause)
{
	struct bitmask *cpus = NULL;
	char *list, *online = NULL;
	long long size;
	int node, max;

	if (numa_available() < 0) {
		/* A kernel without CONFIG_NUMA is one node holding all. */
		if (read_file_line("/sys/devices/system/cpu/online", &online,
		    NULL) != 0)
			online = xstrdup("");
		h->numa_nodes = 1;
		add_node_json(json, 0, h->mem_total_kb, online);
		free(online);
		return 0;
	}
	cpus = numa_allocate_cpumask();
	max = numa_max_node();
	for (node = 0; node <= max; node++) {
		if (!numa_bitmask_isbitset(numa_nodes_ptr, (unsigned int)node))
			continue;
		if ((size = numa_node_size64(node, NULL)) < 0)
			size = 0;
		numa_bitmask_clearall(cpus);
		if (numa_node_to_cpus(node, cpus) != 0)
			numa_bitmask_clearall(cpus);
		list = bitmask_to_list(cpus);
		add_node_json(json, node, size / 1024, list);
		free(list);
		h->numa_nodes++;
	}
	numa_free_cpumask(cpus);
	if (h->numa_nodes == 0)
		return set_cause(cause, ENOENT, "libnuma reports no nodes");
	return 0;
}

static int
int_compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* root/sys/devices/system/node/node<N>/{meminfo,cpulist}, for tests. */
static int
read_nodes_root(struct host_identity *h, const char *root, struct buf *json,
    char **cause)
{
	char *dirpath, *path = NULL, *list = NULL, *end;
	struct dirent *de;
	DIR *dir;
	int *nodes = NULL, r = 0;
	size_t n = 0, i;
	long node;
	int64_t kb;

	dirpath = root_path(root, "/sys/devices/system/node");
	if ((dir = opendir(dirpath)) == NULL) {
		if (errno != ENOENT) {
			r = set_cause(cause, errno, "cannot open '%s': %s",
			    dirpath, strerror(errno));
			goto out;
		}
		h->numa_nodes = 1;
		path = root_path(root, "/sys/devices/system/cpu/online");
		if (read_file_line(path, &list, NULL) != 0)
			list = xstrdup("");
		add_node_json(json, 0, h->mem_total_kb, list);
		goto out;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "node", 4) != 0 ||
		    !isdigit((unsigned char)de->d_name[4]))
			continue;
		node = strtol(de->d_name + 4, &end, 10);
		if (*end != '\0' || node > INT_MAX)
			continue;
		nodes = xreallocarray(nodes, n + 1, sizeof *nodes);
		nodes[n++] = (int)node;
	}
	closedir(dir);
	qsort(nodes, n, sizeof *nodes, int_compare);
	for (i = 0; i < n; i++) {
		free(path);
		path = xasprintf("%s/node%d/meminfo", dirpath, nodes[i]);
		if ((r = meminfo_read(path, "MemTotal", &kb, cause)) != 0)
			goto out;
		free(path);
		path = xasprintf("%s/node%d/cpulist", dirpath, nodes[i]);
		free(list);
		if (read_file_line(path, &list, NULL) != 0)
			list = xstrdup("");
		add_node_json(json, nodes[i], kb, list);
	}
	h->numa_nodes = (int)n;
	if (n == 0)
		r = set_cause(cause, ENOENT, "no node directories in '%s'",
		    dirpath);
out:
	free(nodes);
	free(list);
	free(path);
	free(dirpath);
	return r;
}

/* The THP mode, NULL when the kernel has no THP or the file says
 * nothing readable; only a failing read is an error. */
static int
read_thp(const char *root, const char *knob, char **out, char **cause)
{
	char *why = NULL;
	int r;

	r = thp_mode(root, knob, out, &why);
	if (r == -ENOENT || r == -EINVAL)
		r = 0;
	else if (r != 0)
		set_cause(cause, -r, "%s", why);
	free(why);
	return r;
}

int
host_identity_read(struct host_identity *h, const char *root, char **cause)
{
	struct buf json = BUF_INIT;
	char name[HOST_NAME_MAX + 1], *path = NULL;
	int r;

	memset(h, 0, sizeof *h);
	root = live_root(root);
	if (root == NULL) {
		if (gethostname(name, sizeof name) != 0) {
			r = set_cause(cause, errno, "gethostname: %s",
			    strerror(errno));
			goto out;
		}
		name[sizeof name - 1] = '\0';
		h->hostname = xstrdup(name);
	} else if ((r = read_required_line(root, "/proc/sys/kernel/hostname",
	    &h->hostname, cause)) != 0)
		goto out;
	if ((r = read_optional_line(root, "/etc/machine-id", &h->machine_id,
	    cause)) != 0)
		goto out;
	if ((r = read_cpu_count(root, "online", &h->cpus_online, cause)) != 0)
		goto out;
	if ((r = read_cpu_count(root, "possible", &h->cpus_possible,
	    cause)) != 0)
		goto out;
	path = root_path(root, MEMINFO_PATH);
	if ((r = meminfo_read(path, "MemTotal", &h->mem_total_kb,
	    cause)) != 0)
		goto out;

	buf_addc(&json, '[');
	if (root == NULL)
		r = read_nodes_live(h, &json, cause);
	else
		r = read_nodes_root(h, root, &json, cause);
	if (r != 0)
		goto out;
	buf_addc(&json, ']');
	h->nodes_json = buf_detach(&json);

	if ((r = read_thp(root, "enabled", &h->thp_enabled, cause)) != 0)
		goto out;
	if ((r = read_thp(root, "defrag", &h->thp_defrag, cause)) != 0)
		goto out;
	r = 0;
out:
	free(path);
	buf_release(&json);
	if (r != 0)
		host_identity_release(h);
	return r;
}

void
host_identity_release(struct host_identity *h)
{
	if (h == NULL)
		return;
	free(h->hostname);
	free(h->machine_id);
	free(h->nodes_json);
	free(h->thp_enabled);
	free(h->thp_defrag);
	memset(h, 0, sizeof *h);
}

/*
 * libnuma reports errors by printing to stderr unless the program defines
 * these (numa(3)); library code here never prints, and every caller
 * checks the return values instead.
 */
void numa_error(char *where);
void numa_warn(int number, char *where, ...);

void
numa_error(char *where)
{
	(void)where;
}

void
numa_warn(int number, char *where, ...)
{
	(void)number;
	(void)where;
}
