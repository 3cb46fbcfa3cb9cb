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
	const char *host;        /* a host class or hostname; NULL: any */
	const char *params;      /* a parameter hash prefix; NULL: any */
};

/*
 * Comparability keys (docs/analysis.md): runs compare only with runs of
 * the same host class and parameter hash.  A host's class is the name
 * `mmstorm hosts --class` gave it, else "HOSTNAME/MACHINE-ID8": the
 * machine, whatever its memory size under one kernel or another.  The
 * parameter hash is the first 12 hex digits of the SHA-256 of the run's
 * params JSON with its keys sorted, compact, and without "seed": runs
 * that differ only in their random draws are replicates of one setting.
 */
#define CATALOG_PARAMS_KEY_LEN 12

struct catalog_host {
	int64_t id;
	char *hostname, *machine_id;
	char *class;             /* as set; NULL: none */
	char *name;              /* the class compared by */
	int64_t cpus, nodes, mem_total_kb, runs;
};

/* Every host row, by id; runs counted only when count_runs. */
int catalog_hosts(struct db *, int count_runs, struct catalog_host **rows,
    size_t *n, char **cause);
void catalog_hosts_free(struct catalog_host *rows, size_t n);
/* The class of hosts named by hostname, class or machine-id prefix (6+
 * hex digits); class NULL: back to the machine's own.  *changed: rows. */
int catalog_host_set_class(struct db *, const char *host, const char *class,
    int64_t *changed, char **cause);
/* A host filter (class name or hostname) matches h. */
int catalog_host_matches(const struct catalog_host *h, const char *filter);
/*
 * The parameter hash of a run of workload with a params JSON text, into
 * out: the canonical JSON (keys sorted) without the seed (a draw, not a
 * setting) and without options at the default that the hook installed
 * by catalog_set_defaults() gives for the workload, so that an option a
 * later mmstorm adds, at the default that keeps the old behaviour, does
 * not split the runs of one configuration into two keys (nor make a job
 * section miss the runs older versions made of it).  workload NULL, or
 * no hook: nothing but the seed is left out.
 */
void catalog_params_key(const char *workload, const char *params,
    char out[CATALOG_PARAMS_KEY_LEN + 1]);
/*
 * fn(workload): that workload's defaults as a JSON object text that
 * lives as long as the program, or NULL.  Set once, before any key is
 * computed, by the programs that know the workloads (cli, daemon:
 * workload_defaults_json()); the store cannot see them.
 */
typedef const char *(*catalog_defaults_fn)(const char *workload);
void catalog_set_defaults(catalog_defaults_fn fn);

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
	char *host;              /* its host class (catalog_host) */
	char *hostname;
	char params[CATALOG_PARAMS_KEY_LEN + 1];   /* its parameter hash */
};

/* The runs q selects, newest first. */
int catalog_runs(struct db *, const struct catalog_runs_query *q,
    struct catalog_run **rows, size_t *n, char **cause);
void catalog_runs_free(struct catalog_run *rows, size_t n);

#endif
