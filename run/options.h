/*
 * options.h - declarative workload options.
 *
 * One table of struct opt_spec per workload drives command-line parsing
 * (--name=value), job files (name=value), range checks, `mmstorm
 * workloads [--json]` and the params stored with each run.
 */
#ifndef MMSTORM_OPTIONS_H
#define MMSTORM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_INT,      /* integer; min/max inclusive */
	OPT_SIZE,     /* bytes: 4096, 256K, 256M, 1G, 1T (binary units) */
	OPT_BOOL,     /* 0/1, yes/no, true/false, on/off */
	OPT_ENUM,     /* one of choices, "a|b|c" */
	OPT_DURATION, /* milliseconds: 500ms, 10, 10s, 5m, 1h (bare = s) */
	OPT_PERCENT,  /* 0..100, fractions allowed; min/max in whole % */
	OPT_INTLIST,  /* "1,2,4" or "0-3,8"; each element within min/max */
	OPT_STRING,   /* free text (labels, paths) */
};

struct opt_spec {
	const char *name;
	enum opt_type type;
	int64_t min, max;    /* INT, SIZE, DURATION(ms), INTLIST, PERCENT */
	const char *def;     /* NULL: no default, the workload decides */
	const char *choices; /* OPT_ENUM only */
	const char *help;
};

/* Options every workload accepts, after its own (duration=, sample_ms=). */
extern const struct opt_spec common_opts[];

struct param {
	const struct opt_spec *spec;
	int set;        /* given by the user (not a default) */
	int has_value;  /* given, or a default exists */
	int64_t i;      /* INT, SIZE, BOOL, DURATION(ms) */
	double f;       /* PERCENT */
	char *s;        /* ENUM, STRING: the text; others: as given */
	int64_t *list;  /* INTLIST */
	size_t nlist;
};

struct params {
	const char *owner;   /* workload name, for messages */
	struct param *v;
	size_t n;
};

const char *opt_type_name(enum opt_type);

/* A table plus common_opts. */
struct params *params_new(const char *owner, const struct opt_spec *specs);
void params_free(struct params *);

/*
 * Set one option from text.  Errors (unknown option, wrong type, out of
 * range) return -EINVAL with *cause like
 *   "option 'threads' of 'thp-munmap' must be between 1 and 4096, got '0'"
 */
int params_set(struct params *, const char *name, const char *value,
    char **cause);

/* Parse "name=value" (job files) or "--name=value" (command line). */
int params_set_arg(struct params *, const char *arg, char **cause);

const struct param *params_get(const struct params *, const char *name);
int params_isset(const struct params *, const char *name);
int64_t params_int(const struct params *, const char *name);
double params_double(const struct params *, const char *name);
const char *params_str(const struct params *, const char *name);
const int64_t *params_list(const struct params *, const char *name,
    size_t *n);

/* Free what a param holds and zero it. */
void param_clear(struct param *);

/* Parse one value of a type, for reuse (e.g. the CLI's --repeat). */
int opt_parse_value(const struct opt_spec *, const char *text,
    struct param *out, char **cause);

/* Canonical JSON object of every option that has a value, in table
 * order; numbers as numbers, lists as arrays, enums/strings as strings. */
char *params_to_json(const struct params *);

/* A copy with the same values, given and default alike. */
struct params *params_dup(const struct params *);

/*
 * Options named "seed" that have no value get one drawn from getrandom()
 * within their range, as if given: a run that makes random choices
 * records the seed it made them from, and repeats with it.  Returns the
 * number of options set.
 */
int params_pick_seeds(struct params *);

/*
 * The options a run stored (params_to_json's object) back into ps, each
 * value through its option's parser: -EINVAL with *cause for an option
 * the table no longer has or a value it no longer takes.
 */
int params_from_json(struct params *, const char *json, char **cause);

/* "--name=value" for every option that has a value, in table order: the
 * command-line words that give a run exactly these options.  NULL-
 * terminated, allocated (free each, then the array). */
char **params_to_args(const struct params *);

/* One JSON object describing a spec table (for `workloads --json`). */
struct buf;
void opt_spec_to_json(struct buf *, const struct opt_spec *);

/* Human text of a size/duration, e.g. "256M", "1.5s": for tables. */
char *format_size(int64_t bytes);

#endif
