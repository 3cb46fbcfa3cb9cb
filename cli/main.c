/*
 * main.c - mmstorm: the command-line front end.
 *
 * One file per subcommand (cli/cmd-<verb>.c exporting cmd_<verb>), one
 * line per subcommand in COMMAND_LIST.  Global options come before the
 * subcommand; each subcommand also accepts --db.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define COMMAND_LIST(X) \
	X(cancel)       \
	X(compare)      \
	X(export)       \
	X(import)       \
	X(kernels)      \
	X(lockups)      \
	X(parse_log)    \
	X(regressions)  \
	X(report)       \
	X(run)          \
	X(runs)         \
	X(samples)      \
	X(show)         \
	X(status)       \
	X(verdict)      \
	X(workloads)

#define DECLARE(n) extern const struct cli_cmd cmd_##n;
#define ENTRY(n) &cmd_##n,
COMMAND_LIST(DECLARE)
static const struct cli_cmd *const commands[] = { COMMAND_LIST(ENTRY) NULL };

#define VERSION "0.1"

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mmstorm [--db PATH] [--socket PATH] COMMAND [ARGS]\n\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(f, "\n'mmstorm COMMAND --help' for a command's options.\n"
	    "The database is --db, else $MMSTORM_DB, else "
	    "/var/lib/mmstorm/mmstorm.db as root, else ./mmstorm.db.\n"
	    "The daemon is --socket, else $MMSTORM_SOCKET, else "
	    "/run/mmstorm/mmstormd.sock.\n");
}

/* Exact name, else a unique prefix (as tmux does). */
static const struct cli_cmd *
find_command(const char *name)
{
	const struct cli_cmd *found = NULL;
	size_t i, n = 0, len = strlen(name);

	for (i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
		if (strncmp(commands[i]->name, name, len) == 0) {
			found = commands[i];
			n++;
		}
	}
	if (n == 1)
		return found;
	if (n > 1)
		cli_error("ambiguous command '%s'", name);
	else
		cli_error("unknown command '%s' (see 'mmstorm --help')", name);
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int i = 1, r;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("mmstorm %s\n", VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli_db_path = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			cli_db_path = argv[i] + 5;
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			cli_socket_path = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			cli_socket_path = argv[i] + 9;
		} else {
			cli_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = find_command(argv[i])) == NULL)
		return EXIT_USAGE;
	r = cmd->exec(argc - i, argv + i);
	/* Output that could not be written is a failure (git's rule). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return r;
}
