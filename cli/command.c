/*
 * command.c - the subcommand table and what every subcommand shares:
 * finding one by name or prefix, the common options (--db, --json,
 * --socket, --help), the help and the usage errors.
 *
 * One file per subcommand (cli/cmd-<verb>.c exporting cmd_<verb>), one
 * line per subcommand in COMMAND_LIST, kept sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/suggest.h"

#define COMMAND_LIST(X) \
	X(cancel)       \
	X(compare)      \
	X(export)       \
	X(fleet)        \
	X(hosts)        \
	X(import)       \
	X(kernels)      \
	X(lockups)      \
	X(nightly)      \
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
const struct cli_cmd *const cli_commands[] = { COMMAND_LIST(ENTRY) NULL };
/* Hidden: what the shell completion asks (cli/cmd-complete.c). */
extern const struct cli_cmd cmd_complete;

enum {
	OPT_DB = CLI_OPTVAL_COMMON,
	OPT_SOCKET,
};

/* "unknown command 'rgressions' (did you mean 'regressions'?)", or the
 * pointer to --help when no command is close. */
static void
unknown_command(const char *name)
{
	struct suggest s;
	char *hint;
	size_t i;

	suggest_init(&s, name);
	for (i = 0; cli_commands[i] != NULL; i++)
		suggest_add(&s, cli_commands[i]->name);
	hint = suggest_hint(&s, " (see 'mmstorm --help')");
	cli_error("unknown command '%s'%s", name, hint);
	free(hint);
}

/* Exact name, else a unique prefix; an ambiguous one lists the
 * candidates (as tmux's cmd_find does). */
const struct cli_cmd *
cli_find_command(const char *name)
{
	const struct cli_cmd *found = NULL;
	struct buf candidates = BUF_INIT;
	size_t i, n = 0, len = strlen(name);

	if (strcmp(name, cmd_complete.name) == 0)
		return &cmd_complete;
	for (i = 0; cli_commands[i] != NULL; i++) {
		if (strcmp(cli_commands[i]->name, name) == 0) {
			found = cli_commands[i];
			n = 1;
			break;
		}
		if (strncmp(cli_commands[i]->name, name, len) == 0) {
			found = cli_commands[i];
			buf_printf(&candidates, "%s%s", n > 0 ? ", " : "",
			    found->name);
			n++;
		}
	}
	if (n > 1)
		cli_error("ambiguous command: %s, could be: %s", name,
		    candidates.s);
	else if (n == 0)
		unknown_command(name);
	buf_release(&candidates);
	return n == 1 ? found : NULL;
}

int
cli_usage(const struct cli_cmd *cmd)
{
	fprintf(stderr, "usage: mmstorm %s\n", cmd->usage);
	return EXIT_USAGE;
}

int
cli_help(const struct cli_cmd *cmd)
{
	printf("usage: mmstorm %s\n", cmd->usage);
	if (cmd->help != NULL)
		fputs(cmd->help, stdout);
	return EXIT_OK;
}

static int
usage_error(const struct cli_cmd *cmd)
{
	return cmd->usage_error != NULL ? cmd->usage_error(cmd) :
	    cli_usage(cmd);
}

/*
 * The command's own long options, then the common ones in the order the
 * commands always listed them (getopt_long names an ambiguous prefix's
 * candidates in table order).
 */
static struct option *
merge_longopts(const struct cli_cmd *cmd)
{
	static const struct option json = { "json", no_argument, NULL, 'j' };
	static const struct option socket = { "socket", required_argument,
		NULL, OPT_SOCKET };
	static const struct option db = { "db", required_argument, NULL,
		OPT_DB };
	static const struct option help = { "help", no_argument, NULL, 'h' };
	struct option *all;
	size_t n = 0, k = 0;

	while (cmd->longopts != NULL && cmd->longopts[n].name != NULL)
		n++;
	all = xcalloc(n + 5, sizeof *all);
	for (k = 0; k < n; k++)
		all[k] = cmd->longopts[k];
	if (cmd->flags & CLI_OPT_JSON)
		all[k++] = json;
	if (cmd->flags & CLI_OPT_SOCKET)
		all[k++] = socket;
	if (cmd->flags & CLI_OPT_DB)
		all[k++] = db;
	all[k] = help;
	return all;
}

/*
 * After getopt_long's "unrecognized option '--workloda'", the line
 * "did you mean '--workload'?" when an option is close.  A prefix of
 * several options is getopt's "ambiguous" case, which names them itself.
 */
static void
hint_long_option(const struct option *longopts, const char *arg)
{
	struct suggest s;
	char *name, *hint = NULL, **dashed;
	size_t i, n = 0;

	if (strncmp(arg, "--", 2) != 0)
		return;
	while (longopts[n].name != NULL)
		n++;
	dashed = xcalloc(n + 1, sizeof *dashed);
	name = xstrndup(arg, 2 + strcspn(arg + 2, "="));
	suggest_init(&s, name);
	for (i = 0; i < n; i++) {
		dashed[i] = xasprintf("--%s", longopts[i].name);
		if (strncmp(dashed[i], name, strlen(name)) == 0)
			goto out;
		suggest_add(&s, dashed[i]);
	}
	/* " (did you mean '--workload'?)" without its brackets */
	hint = suggest_hint(&s, "");
	if (s.n > 0)
		cli_error("%.*s", (int)strlen(hint) - 3, hint + 2);
out:
	free(hint);
	for (i = 0; i < n; i++)
		free(dashed[i]);
	free(dashed);
	free(name);
}

int
cli_parse_options(const struct cli_cmd *cmd, int argc, char **argv,
    cli_option_fn own, void *ctx, struct cli_args *args)
{
	struct option *longopts = merge_longopts(cmd);
	char *shortopts = xasprintf("h%s", cmd->shortopts ? cmd->shortopts :
	    "");
	int saved_opterr = opterr, c, r = CLI_CONTINUE, nargs;

	memset(args, 0, sizeof *args);
	/* a command with its own usage error says it alone */
	if (cmd->usage_error != NULL)
		opterr = 0;
	optind = 1;
	while (r == CLI_CONTINUE &&
	    (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			r = cli_help(cmd);
			break;
		case 'j':
			args->json = 1;
			break;
		case OPT_DB:
			cli_db_path = optarg;
			break;
		case OPT_SOCKET:
			cli_socket_path = optarg;
			break;
		case '?':
		case ':':
			if (optopt == 0 && opterr)
				hint_long_option(longopts, argv[optind - 1]);
			r = usage_error(cmd);
			break;
		default:
			if (own == NULL || (r = own(c, optarg, ctx)) == 0)
				r = CLI_CONTINUE;
			break;
		}
	}
	opterr = saved_opterr;
	free(shortopts);
	free(longopts);
	if (r != CLI_CONTINUE)
		return r;
	nargs = argc - optind;
	if (nargs < cmd->args_min ||
	    (cmd->args_max >= 0 && nargs > cmd->args_max))
		return usage_error(cmd);
	args->argc = nargs;
	args->argv = argv + optind;
	return CLI_CONTINUE;
}

int
cli_arg_value(int argc, char **argv, int *i, const char *name,
    const char **value)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] == '\0' && *i + 1 < argc) {
		*value = argv[++*i];
		return 1;
	}
	return 0;
}
