/*
 * catalog.h - what the store holds, listed: the kernel builds runs were
 * made on, and the runs themselves by workload, state and kernel.
 *
 * Rows come back as arrays the caller frees with the matching _free();
 * the CLI decides how to print them (`mmstorm kernels`, `mmstorm runs`).
 */
#ifndef MMSTORM_STORE_CATALOG_H
#define MMSTORM_STORE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct catalog_kernel {
	int64_t id;
	char *release;
	char *build_id;          /* NULL: the kernel has no GNU build-id */
	char *build_key;         /* what tells builds apart (kernels table) */
	char *config_hash;       /* NULL: no config was readable */
	char *cmdline;
	char *version;           /* /proc/version */
	int64_t first_seen_ns;
	int64_t runs;            /* runs made on it, in any state */
	char *labels;            /* its runs' labels, distinct, sorted,
	                          * comma-separated; NULL: none */
};

/* Every kernel build, first seen first. */
int catalog_kernels(struct db *, struct catalog_kernel **rows, size_t *n,
    char **cause);
void catalog_kernels_free(struct catalog_kernel *rows, size_t n);

struct catalog_runs_query {
	const char *workload;    /* NULL: any */
	const char *state;       /* NULL: any */
	const char *kernel;      /* a release or a build-id prefix; NULL: any */
	int64_t limit;           /* at most this many rows */
};

struct catalog_run {
	char *uuid;
	char *workload;
	char *state;
	char *release;           /* of its kernel build */
	char *label;             /* NULL: none */
	char *reason;            /* NULL: none */
	int64_t created_ns;
	int64_t started_ns;      /* 0: not started */
	int64_t ended_ns;        /* 0: not ended */
};

/* The runs q selects, newest first. */
int catalog_runs(struct db *, const struct catalog_runs_query *q,
    struct catalog_run **rows, size_t *n, char **cause);
void catalog_runs_free(struct catalog_run *rows, size_t n);

#endif
