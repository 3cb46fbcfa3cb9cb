/* cli.h - what the subcommands share: the table, options, output. */
#ifndef MMSTORM_CLI_H
#define MMSTORM_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/util.h"

struct db;

/* Exit codes, DESIGN.md section 4. */
#define EXIT_OK     0
#define EXIT_FAIL   1
#define EXIT_USAGE  2

/*
 * A subcommand: one file cli/cmd-<verb>.c exports one of these, listed in
 * COMMAND_LIST (cli/command.c).  The command declares only its own
 * options; cli_parse_options() adds the common ones its flags name and
 * -h/--help, prints the help and the usage errors, and counts operands.
 */
struct cli_cmd {
	const char *name;
	const char *usage;    /* after "usage: mmstorm " */
	const char *help;     /* lines --help prints after the usage, or NULL */
	const char *summary;
	int flags;            /* CLI_OPT_*: the common options it takes */
	/* Its own options for getopt_long; 'h', 'j' and values from
	 * CLI_OPTVAL_COMMON up are the common ones' (a command that lists
	 * "j" in shortopts takes -j for --json). */
	const char *shortopts;
	const struct option *longopts;    /* NULL-terminated, or NULL */
	/* Operands after the options: at least args_min, at most args_max
	 * (-1: no limit). */
	int args_min, args_max;
	int (*exec)(int argc, char **argv);
	/* A usage error other than "usage: mmstorm USAGE" and exit 2, or
	 * NULL (verdict's exit codes follow git bisect run); getopt_long's
	 * own messages are then left out too. */
	int (*usage_error)(const struct cli_cmd *);
};

/* The common options a command takes (struct cli_cmd.flags). */
#define CLI_OPT_JSON    0x1     /* --json: struct cli_args.json */
#define CLI_OPT_DB      0x2     /* --db PATH: cli_db_path */
#define CLI_OPT_SOCKET  0x4     /* --socket PATH: cli_socket_path */
/* getopt_long values of the common options without a letter: past any
 * character, so a command's own options never meet them. */
#define CLI_OPTVAL_COMMON 0x100

/* What cli_parse_options() hands the command besides its own options. */
struct cli_args {
	int json;             /* --json given */
	int argc;             /* the operands */
	char **argv;
};

/* A command's own option: 0 to go on, else the exit code to stop with
 * (having said why). */
typedef int (*cli_option_fn)(int opt, const char *arg, void *ctx);

/* cli_parse_options(): the command runs; any other value is its exit code. */
#define CLI_CONTINUE    (-1)

/*
 * Parse a command's argv (argv[0] is the command as typed): its own
 * options go to own(opt, optarg, ctx) in order, the common ones are
 * handled here.  Returns CLI_CONTINUE with *args filled in, EXIT_OK after
 * printing the help, or the usage error's exit code after printing it.
 */
int cli_parse_options(const struct cli_cmd *, int argc, char **argv,
    cli_option_fn own, void *ctx, struct cli_args *args);
/* The command named name, exact or a unique prefix; else prints why
 * (an ambiguous prefix lists the candidates) and returns NULL. */
const struct cli_cmd *cli_find_command(const char *name);
/* Every command, in name order, NULL-terminated. */
extern const struct cli_cmd *const cli_commands[];
/* "--name VALUE" or "--name=VALUE" at argv[*i] (*i moves past VALUE):
 * 1 with *value set, else 0.  For parsers that cannot use getopt_long
 * (the global options, run's --OPTION=VALUE). */
int cli_arg_value(int argc, char **argv, int *i, const char *name,
    const char **value);

/* --db given before the command or to it, or NULL for the default rules. */
extern const char *cli_db_path;
/* --socket given before the command (or to it), else NULL. */
extern const char *cli_socket_path;

/* "mmstorm: <message>" on stderr. */
void cli_error(const char *fmt, ...) PRINTFLIKE(1, 2);
/* Print "usage: mmstorm <usage>" on stderr and return EXIT_USAGE. */
int cli_usage(const struct cli_cmd *);
/* Print the usage and the help lines on stdout and return EXIT_OK. */
int cli_help(const struct cli_cmd *);
/* Open the database (creating it only with DB_CREATE); prints the error. */
int cli_open_db(int flags, struct db **);
/* Print a JSON value on one line and free it. */
void cli_print_json(json_t *);
/* s as a JSON string, NULL as null. */
json_t *cli_json_string(const char *s);
/* s for a terminal: control characters (C0, DEL, C1) as \xNN or \uNNNN;
 * NULL for NULL.  Table cells always go through it.  Caller frees. */
char *cli_escape(const char *s);
/* Every string value in j (not the keys) through cli_escape(), in place:
 * a run read for the terminal, whose label, reason and host came from
 * whoever submitted or imported it. */
void cli_escape_strings(json_t *j);

/* Aligned tables, as `git` and `ps` print them. */
struct table;
struct table *table_new(int ncols, ...);   /* column headers */
struct table *table_new_cols(int ncols, char **headers);
void table_add(struct table *, ...);       /* ncols strings (copied) */
void table_addv(struct table *, char **cells);
void table_print(struct table *, FILE *);
void table_free(struct table *);

/* A workload option's RANGE column ("0..4095", "seq|random"): tmp or a
 * constant.  `mmstorm workloads` and the manual pages print it. */
struct opt_spec;
const char *cli_option_range(const struct opt_spec *, char *tmp, size_t size);

/* METRIC VALUE UNIT BETTER from the "metric_info" array of a run. */
void print_metric_table(json_t *info);

/* fmt_num(), fmt_time_ns(): the reports' formatting, allocated. */
#include "common/format.h"

/* cmd-compare.c: the human table of a comparison; --threshold parsing. */
struct comparison;
void print_comparison(struct db *, const struct comparison *, int all);
int parse_threshold(const char *text, double *out);
/* --host/--params/--section/--mix (KEY_OPTIONS, option letters 'H' 'P'
 * 'J' 'X'; `runs` takes KEY_FILTER_OPTIONS, no --mix) into o; 0, or -1
 * after an error message.  The parameter hash
 * of --section FILE:SECTION lives in a static buffer. */
#define KEY_FILTER_OPTIONS \
	{ "host", required_argument, NULL, 'H' }, \
	{ "params", required_argument, NULL, 'P' }, \
	{ "section", required_argument, NULL, 'J' }
#define KEY_OPTIONS KEY_FILTER_OPTIONS, \
	{ "mix", required_argument, NULL, 'X' }
#define KEY_USAGE "[--host H] [--params HASH|--section FILE:SECTION] " \
	"[--mix host,params]"
struct compare_opts;
int parse_key_option(int opt, const char *arg, struct compare_opts *o);

/* Resolve a run uuid/prefix to its id; prints the error. */
int cli_run_id(struct db *, const char *key, int64_t *id);

#endif
