/*
 * main.c - mmstorm: the command-line front end.
 *
 * Global options come before the subcommand; the subcommands and the
 * options they share are in command.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/catalog.h"
#include "workloads/workloads.h"

#ifndef MMSTORM_VERSION
#error "MMSTORM_VERSION is set by the Makefile, from debian/changelog"
#endif

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mmstorm [--db PATH] [--socket PATH] COMMAND [ARGS]\n\n");
	for (i = 0; cli_commands[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", cli_commands[i]->name,
		    cli_commands[i]->summary);
	fprintf(f, "\n'mmstorm COMMAND --help' for a command's options.\n"
	    "The database is --db, else $MMSTORM_DB, else "
	    "/var/lib/mmstorm/mmstorm.db as root, else ./mmstorm.db.\n"
	    "The daemon is --socket, else $MMSTORM_SOCKET, else "
	    "/run/mmstorm/mmstormd.sock.\n");
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *value;
	int i = 1, r;

	/* Comparison keys leave out options at their defaults. */
	catalog_set_defaults(workload_defaults_json);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("mmstorm %s\n", MMSTORM_VERSION);
			return EXIT_OK;
		} else if (cli_arg_value(argc, argv, &i, "--db", &value)) {
			cli_db_path = value;
		} else if (cli_arg_value(argc, argv, &i, "--socket", &value)) {
			cli_socket_path = value;
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
	if ((cmd = cli_find_command(argv[i])) == NULL)
		return EXIT_USAGE;
	r = cmd->exec(argc - i, argv + i);
	/* Output that could not be written is a failure (git's rule). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return r;
}
