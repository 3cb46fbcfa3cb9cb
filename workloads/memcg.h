/*
 * memcg.h - a private parent directory in the memory cgroup hierarchy,
 * for workloads that make memory cgroups by the thousand.
 */
#ifndef MMSTORM_MEMCG_H
#define MMSTORM_MEMCG_H

struct memcg_tree {
	char *root;                 /* the memory controller's hierarchy */
	char *dir;                  /* private parent */
	int v2;
	int root_enabled;           /* we wrote +memory at the v2 root */
};

/*
 * The memory controller's hierarchy: cgroup2 when its root lists memory
 * in cgroup.controllers, else a cgroup v1 mount with the memory option.
 * 0 with *root allocated, or -ENOTSUP with *cause.
 */
int memcg_hierarchy(char **root, int *v2, char **cause);

/* ROOT/PREFIX<pid> with the memory controller enabled for its children;
 * parents of PREFIX left by dead processes are removed first. */
int memcg_tree_create(struct memcg_tree *, const char *prefix,
    char **cause);
/* Everything memcg_tree_create() made, on every path (t may be half
 * made); returns the first error. */
int memcg_tree_remove(struct memcg_tree *, char **cause);

#endif
