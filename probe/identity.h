/*
 * identity.h - which kernel build and which machine a run happened on.
 *
 * Runs are grouped by kernel build, never by label alone: the build key
 * is derived from the GNU build-id (or, without one, /proc/version), the
 * config hash and the command line.
 */
#ifndef MMSTORM_IDENTITY_H
#define MMSTORM_IDENTITY_H

#include <stdint.h>

struct kernel_identity {
	char *release;       /* uname -r */
	char *version;       /* /proc/version */
	char *build_id;      /* hex GNU build-id from /sys/kernel/notes, or NULL */
	char *cmdline;       /* /proc/cmdline */
	char *config_hash;   /* sha256 hex of the uncompressed config, or NULL */
	char *config_source; /* "/proc/config.gz", "/boot/config-...", or NULL */
	char *build_key;     /* sha256 hex of build-id|version, config, cmdline */
};

struct host_identity {
	char *hostname;
	char *machine_id;     /* /etc/machine-id, or NULL */
	int cpus_online;
	int cpus_possible;
	int numa_nodes;       /* from libnuma; 1 without NUMA */
	char *nodes_json;     /* [{"node":0,"mem_kb":N,"cpus":"0-1"}, ...] */
	int64_t mem_total_kb;
	char *thp_enabled;    /* the bracketed word: "madvise", or NULL */
	char *thp_defrag;
};

/* root: NULL for the live system, else a directory laid out like one. */
int kernel_identity_read(struct kernel_identity *, const char *root,
    char **cause);
void kernel_identity_release(struct kernel_identity *);

int host_identity_read(struct host_identity *, const char *root,
    char **cause);
void host_identity_release(struct host_identity *);

/* GNU build-id (NT_GNU_BUILD_ID, name "GNU") from an ELF notes blob, as
 * lowercase hex into out (>= 2*20+1); 0, or -ENOENT when absent. */
int elf_notes_build_id(const unsigned char *notes, size_t len, char *out,
    size_t outlen);


#endif
