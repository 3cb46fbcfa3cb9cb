/* cli.h - what the subcommands share: the table, options, output. */
#ifndef MMSTORM_CLI_H
#define MMSTORM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/util.h"

struct db;

/* Exit codes, DESIGN.md section 4. */
#define EXIT_OK     0
#define EXIT_FAIL   1
#define EXIT_USAGE  2

struct cli_cmd {
	const char *name;
	const char *usage;    /* after "usage: mmstorm " */
	const char *summary;
	int (*exec)(int argc, char **argv);
};

/* --db given before the command, or NULL for the default rules. */
extern const char *cli_db_path;
/* --socket given before the command (or to it), else NULL. */
extern const char *cli_socket_path;

/* "mmstorm: <message>" on stderr. */
void cli_error(const char *fmt, ...) PRINTFLIKE(1, 2);
/* Print "usage: mmstorm <usage>" and return EXIT_USAGE. */
int cli_usage(const struct cli_cmd *);
/* Open the database (creating it only with DB_CREATE); prints the error. */
int cli_open_db(int flags, struct db **);
/* Print a JSON value on one line and free it. */
void cli_print_json(json_t *);

/* Aligned tables, as `git` and `ps` print them. */
struct table;
struct table *table_new(int ncols, ...);   /* column headers */
struct table *table_new_cols(int ncols, char **headers);
void table_add(struct table *, ...);       /* ncols strings (copied) */
void table_addv(struct table *, char **cells);
void table_print(struct table *, FILE *);
void table_free(struct table *);

/* METRIC VALUE UNIT BETTER from the "metric_info" array of a run. */
void print_metric_table(json_t *info);

/* fmt_num(), fmt_time_ns(): the reports' formatting, allocated. */
#include "common/format.h"

/* cmd-compare.c: the human table of a comparison; --threshold parsing. */
struct comparison;
void print_comparison(struct db *, const struct comparison *, int all);
int parse_threshold(const char *text, double *out);

/* Resolve a run uuid/prefix to its id; prints the error. */
int cli_run_id(struct db *, const char *key, int64_t *id);

#endif
