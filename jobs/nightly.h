/*
 * nightly.h - the nightly driver's config, state and plan
 * (docs/nightly.md).
 *
 * A config names an ordered list of kernel builds, the job file, where
 * to run it and how to judge.  Every time the job runs on a build is a
 * round, stored with its verdict against a reference build; a regression
 * opens a bisect over the builds between the reference and the bad one,
 * which halves the range and then confirms the culprit (bad in N rounds,
 * its parent good in N rounds).  All of it lives in the database
 * (schema/0011-nightly.sql), and the next step is always computed from
 * what is stored (nightly_plan), so a driver killed at any point resumes
 * where it was and never repeats a finished round.
 *
 * The comparisons themselves are the caller's (cli/cmd-nightly.c through
 * reports/nightly.c): this layer is below analysis/.
 */
#ifndef MMSTORM_NIGHTLY_H
#define MMSTORM_NIGHTLY_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct workload;

#define NIGHTLY_NONE ((size_t)-1)

enum nightly_target {
	NIGHTLY_TARGET_COMMAND = 0,  /* command:CMD prints an export */
	NIGHTLY_TARGET_VM_LAB,       /* tests/vm/nightly-target.sh */
	NIGHTLY_TARGET_LOCAL,        /* this machine's running kernel */
};

struct nightly_config {
	char *path;            /* the file, as messages quote it */
	char *name;            /* the state's key: name=, else the file's
	                        * base name without .conf */
	char **builds;         /* in order, oldest first */
	size_t nbuilds;
	char *git_tree, *git_branch, *git_since, *recipe;  /* git= source */
	char *job;             /* the job file */
	enum nightly_target target;
	char *command;         /* the shell command a round runs */
	char *baseline;        /* a build, or NULL: the last good build */
	int test_all;          /* test=all: every new build, not the tip */
	int runs;              /* runs per section and round */
	int confirm;           /* rounds a culprit and its parent need */
	double threshold_pct;
	int timeout_s;         /* per round; 0: none */
	char **reports;        /* files: .json, .html, else text */
	size_t nreports;
	char *webhook;         /* URL the JSON summary is POSTed to */
	unsigned seen;         /* the keys read (one bit per key) */
};

/*
 * Parse and check a config: every key known, the job file valid (its
 * workloads looked up in registry), the builds listed (git= lists the
 * first-parent commits of the branch after since=).  Nothing is stored.
 */
int nightly_config_load(const char *path,
    const struct workload *const *registry, struct nightly_config *,
    char **cause);
void nightly_config_release(struct nightly_config *);

enum nightly_purpose {
	NIGHTLY_BASELINE = 0,  /* the reference's own runs */
	NIGHTLY_TEST,          /* a new build */
	NIGHTLY_BISECT,        /* a step of a bisect */
	NIGHTLY_CONFIRM,       /* a confirmation round */
};

enum nightly_verdict {
	NIGHTLY_V_BASELINE = 0,
	NIGHTLY_V_GOOD,
	NIGHTLY_V_BAD,
	NIGHTLY_V_ERROR,       /* the build or its target failed: a skip */
};

enum nightly_bisect_state {
	NIGHTLY_BISECTING = 0,
	NIGHTLY_CONFIRMING,
	NIGHTLY_CONFIRMED,
	NIGHTLY_INCONCLUSIVE,
};

const char *nightly_purpose_name(enum nightly_purpose);
const char *nightly_verdict_name(enum nightly_verdict);
const char *nightly_bisect_state_name(enum nightly_bisect_state);

struct nightly_build {
	int64_t id;
	char *build;
	int64_t kernel_id;     /* 0 until a round ran */
};

struct nightly_round {
	size_t build, against; /* indexes into builds; against may be NONE */
	enum nightly_purpose purpose;
	enum nightly_verdict verdict;
	char *detail;
	int64_t runs, started_ns, ended_ns;
};

struct nightly_bisect {
	int64_t id;
	size_t good, bad;      /* the reference and the bad build */
	enum nightly_bisect_state state;
	size_t culprit, parent;   /* NONE while bisecting */
	char *detail;
	int64_t created_ns, ended_ns, reported_ns;
};

/* What the database says of one config, builds in the config's order. */
struct nightly_state {
	struct nightly_build *builds;
	size_t nbuilds;
	struct nightly_round *rounds;   /* in the order they ran */
	size_t nrounds;
	struct nightly_bisect *bisects; /* in the order they opened */
	size_t nbisects;
};

/* Record the config's builds (new ones added, the order updated) and
 * read back its state. */
int nightly_state_load(struct db *, const struct nightly_config *,
    struct nightly_state *, char **cause);
void nightly_state_release(struct nightly_state *);

int nightly_round_add(struct db *, const struct nightly_state *,
    const struct nightly_round *, char **cause);
/* The kernel build the runs ran on: one for all of them, else -EINVAL. */
int nightly_runs_kernel(struct db *, char *const *uuids, size_t n,
    int64_t *kernel_id, char **cause);
int nightly_build_set_kernel(struct db *, int64_t build_id,
    int64_t kernel_id, char **cause);
int nightly_bisect_open(struct db *, const struct nightly_config *,
    const struct nightly_state *, size_t good, size_t bad, char **cause);
/* State, culprit, parent and detail of bisect b; ends it when the state
 * is final. */
int nightly_bisect_update(struct db *, const struct nightly_state *,
    const struct nightly_bisect *, char **cause);
int nightly_bisect_reported(struct db *, int64_t id, char **cause);

/* The next step, computed from the state alone. */
enum nightly_action_kind {
	NIGHTLY_DONE = 0,
	NIGHTLY_RUN,           /* a round: build, against, purpose */
	NIGHTLY_OPEN_BISECT,   /* good, bad */
	NIGHTLY_UPDATE_BISECT, /* bisect (its new state, culprit, ...) */
};

struct nightly_action {
	enum nightly_action_kind kind;
	size_t build, against;
	enum nightly_purpose purpose;
	size_t good, bad;
	struct nightly_bisect bisect;   /* UPDATE: detail allocated */
};

/* The build new builds are judged against (docs/nightly.md). */
size_t nightly_reference(const struct nightly_config *,
    const struct nightly_state *);
void nightly_plan(const struct nightly_config *, const struct nightly_state *,
    struct nightly_action *);
void nightly_action_release(struct nightly_action *);

/* One round on the target: MMSTORM_NIGHTLY_BUILD etc. in its
 * environment, the export it prints imported.  A target that fails is
 * not an error of the driver: *error says why and the round is an error
 * round. */
struct nightly_target_result {
	size_t runs;           /* brought back (stored before or not) */
	int64_t kernel_id;
	char *error;           /* NULL: runs imported */
};
int nightly_target_run(struct db *, const struct nightly_config *,
    const char *build, int64_t round, struct nightly_target_result *,
    char **cause);

#endif
