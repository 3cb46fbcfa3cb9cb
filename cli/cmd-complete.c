/*
 * cmd-complete.c - `mmstorm __complete WORD...`: the shell completion's
 * candidates, one per line, for the last WORD (the one under the cursor,
 * possibly empty) after the ones before it.  completion/mmstorm (bash)
 * and completion/_mmstorm (zsh) call it on every Tab.
 *
 * Everything comes from the tables the commands parse with: the command
 * list, each command's long options and common flags, run's option
 * table, each workload's option table (types, enum choices), and the
 * database for run ids and kernel builds.  What an operand or an
 * option's value is comes from the placeholder the usage line gives it
 * ("show RUN", "--kernel K", "--format text|json|html").  A line ":files"
 * asks the shell for file names.  Hidden: not in COMMAND_LIST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/options.h"
#include "run/workload.h"
#include "store/catalog.h"
#include "store/db.h"
#include "workloads/workloads.h"

static int cmd_complete_exec(int, char **);

const struct cli_cmd cmd_complete = {
	.name = "__complete",
	.usage = "__complete WORD...",
	.summary = "shell completion candidates (for completion/mmstorm)",
	.exec = cmd_complete_exec,
};

enum value_kind {
	VALUE_NONE,
	VALUE_RUN,
	VALUE_KERNEL,
	VALUE_WORKLOAD,
	VALUE_FILE,
};

/* What a usage placeholder stands for.  operand_only: NAME is a
 * workload as `workloads NAME`, not as `--counter NAME`. */
static const struct {
	const char *placeholder;
	enum value_kind kind;
	int operand_only;
} placeholders[] = {
	{ "RUN", VALUE_RUN, 0 },
	{ "K", VALUE_KERNEL, 0 },
	{ "BASE", VALUE_KERNEL, 0 },
	{ "NEW", VALUE_KERNEL, 0 },
	{ "RELEASE", VALUE_KERNEL, 0 },
	{ "W", VALUE_WORKLOAD, 0 },
	{ "WORKLOAD", VALUE_WORKLOAD, 0 },
	{ "NAME", VALUE_WORKLOAD, 1 },
	{ "FILE", VALUE_FILE, 0 },
	{ "PATH", VALUE_FILE, 0 },
};

/* The candidates so far, printed when they start with the word. */
struct out {
	const char *prefix;     /* printed before each candidate */
	const char *word;       /* what is typed after prefix */
};

static void
offer(const struct out *o, const char *candidate)
{
	if (strncmp(candidate, o->word, strlen(o->word)) == 0)
		printf("%s%s\n", o->prefix, candidate);
}

/* "a|b|c" as candidates. */
static void
offer_choices(const struct out *o, const char *choices)
{
	char *copy = xstrdup(choices), *save = NULL, *c;

	for (c = strtok_r(copy, "|", &save); c != NULL;
	    c = strtok_r(NULL, "|", &save))
		offer(o, c);
	free(copy);
}

/* A usage token without its brackets: "[--kernel" -> "--kernel". */
static void
strip_brackets(char *t)
{
	size_t skip = strspn(t, "[("), len;

	memmove(t, t + skip, strlen(t + skip) + 1);
	len = strlen(t);
	while (len > 0 && strchr("])", t[len - 1]) != NULL)
		t[--len] = '\0';
}

/*
 * The usage line's placeholder for the value of the option opt as typed
 * ("--kernel K", "-o FILE"), or with opt NULL for the first operand
 * ("show RUN"); allocated, or NULL.  A token is an option's value when
 * it follows the option inside the same brackets: in "[--json] [NAME]"
 * NAME is an operand.
 */
static char *
usage_placeholder(const char *usage, const char *opt)
{
	char *copy = xstrdup(usage), *save = NULL, *t, *found = NULL;
	char prev[64] = "";
	int prev_open = 0, value;

	/* the first token is the command's name */
	for (t = strtok_r(copy, " ", &save), t = strtok_r(NULL, " ", &save);
	    t != NULL && found == NULL; t = strtok_r(NULL, " ", &save)) {
		if (strcmp(t, "|") == 0) {      /* (A | B): a new group */
			prev[0] = '\0';
			continue;
		}
		value = prev[0] == '-' && prev_open && strchr("[(", *t) == NULL;
		prev_open = strchr("])", t[strlen(t) - 1]) == NULL;
		strip_brackets(t);
		if (value && opt != NULL && strcmp(prev, opt) == 0)
			found = xstrdup(t);
		else if (!value && opt == NULL && *t >= 'A' && *t <= 'Z')
			found = xstrdup(t);
		snprintf(prev, sizeof prev, "%s", t);
	}
	free(copy);
	return found;
}

static enum value_kind
kind_of(const char *placeholder, int operand)
{
	size_t i, len = strcspn(placeholder, "|.");

	for (i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++) {
		if (strlen(placeholders[i].placeholder) == len &&
		    strncmp(placeholders[i].placeholder, placeholder,
		    len) == 0 && (operand || !placeholders[i].operand_only))
			return placeholders[i].kind;
	}
	return VALUE_NONE;
}

static struct db *
open_db(void)
{
	const char *path = cli_db_path ? cli_db_path : db_default_path();
	struct db *db = NULL;
	char *cause = NULL;

	if (db_open(path, DB_READONLY, &db, &cause) != 0) {
		free(cause);
		return NULL;
	}
	return db;
}

/* Kernel builds by the names kernel_resolve() takes: "running", each
 * release and each run label. */
static void
offer_kernels(const struct out *o)
{
	struct catalog_kernel *ks = NULL;
	struct db *db = open_db();
	char *cause = NULL, *labels, *save = NULL, *l;
	size_t n = 0, i;

	offer(o, "running");
	if (db == NULL || catalog_kernels(db, &ks, &n, &cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(ks[i].release, ks[i - 1].release) != 0)
			offer(o, ks[i].release);
		if (ks[i].labels == NULL)
			continue;
		labels = xstrdup(ks[i].labels);
		for (l = strtok_r(labels, ",", &save); l != NULL;
		    l = strtok_r(NULL, ",", &save))
			offer(o, l);
		free(labels);
	}
out:
	catalog_kernels_free(ks, n);
	free(cause);
	db_close(db);
}

/* The newest runs' uuids (a prefix names a run too). */
static void
offer_runs(const struct out *o)
{
	struct catalog_runs_query q = { .limit = 1000 };
	struct catalog_run *rs = NULL;
	struct db *db = open_db();
	char *cause = NULL;
	size_t n = 0, i;

	if (db != NULL && catalog_runs(db, &q, &rs, &n, &cause) == 0) {
		for (i = 0; i < n; i++)
			offer(o, rs[i].uuid);
	}
	catalog_runs_free(rs, n);
	free(cause);
	db_close(db);
}

static void
offer_value(const struct out *o, enum value_kind kind)
{
	size_t i;

	switch (kind) {
	case VALUE_RUN:
		offer_runs(o);
		break;
	case VALUE_KERNEL:
		offer_kernels(o);
		break;
	case VALUE_WORKLOAD:
		for (i = 0; workloads[i] != NULL; i++)
			offer(o, workloads[i]->name);
		break;
	case VALUE_FILE:
		printf(":files\n");
		break;
	case VALUE_NONE:
		break;
	}
}

/* The long option a short one stands for ("-o" -> "output"), else the
 * name after "--". */
static const char *
long_name(const struct cli_cmd *cmd, const char *word)
{
	const struct option *lo;

	if (word[1] == '-')
		return word + 2;
	for (lo = cmd->longopts; lo != NULL && lo->name != NULL; lo++) {
		if (lo->val == word[1])
			return lo->name;
	}
	return word + 1;
}

/* The value of an option as typed ("--format", "-o"): its choices in
 * the usage, or what its placeholder names (the long form's, else the
 * short one's). */
static void
offer_option_value(const struct out *o, const struct cli_cmd *cmd,
    const char *typed)
{
	const char *name = long_name(cmd, typed);
	char *full = xasprintf("--%s", name);
	char *ph = usage_placeholder(cmd->usage, full);
	const struct option *lo;
	char shortopt[3] = "-";

	for (lo = cmd->longopts; lo != NULL && lo->name != NULL; lo++) {
		if (strcmp(lo->name, name) == 0 && cmd->shortopts != NULL &&
		    lo->val < 0x80 && strchr(cmd->shortopts, lo->val) != NULL)
			shortopt[1] = (char)lo->val;
	}
	if (ph == NULL && shortopt[1] != '\0')
		ph = usage_placeholder(cmd->usage, shortopt);
	free(full);

	if (ph != NULL && strchr(ph, '|') != NULL && !(*ph >= 'A' &&
	    *ph <= 'Z'))
		offer_choices(o, ph);
	else if (ph != NULL)
		offer_value(o, kind_of(ph, 0));
	else if (strcmp(name, "db") == 0 || strcmp(name, "socket") == 0)
		offer_value(o, VALUE_FILE);
	free(ph);
}

/* Whether word is one of cmd's options that takes the next word as its
 * value ("--kernel", "-o", "--db"). */
static int
takes_value(const struct cli_cmd *cmd, const char *word)
{
	const struct option *lo;
	const char *so;

	if (strncmp(word, "--", 2) == 0) {
		if (strchr(word, '=') != NULL)
			return 0;
		for (lo = cmd->longopts; lo != NULL && lo->name != NULL; lo++) {
			if (strcmp(lo->name, word + 2) == 0)
				return lo->has_arg == required_argument;
		}
		return ((cmd->flags & CLI_OPT_DB) && strcmp(word, "--db") == 0) ||
		    ((cmd->flags & CLI_OPT_SOCKET) &&
		    strcmp(word, "--socket") == 0);
	}
	if (word[0] == '-' && word[1] != '\0' && word[2] == '\0' &&
	    cmd->shortopts != NULL &&
	    (so = strchr(cmd->shortopts, word[1])) != NULL)
		return so[1] == ':';
	return 0;
}

/* The operands among args (option values left out): how many, and the
 * first (run's workload), or NULL. */
static size_t
count_operands(const struct cli_cmd *cmd, int n, char **args,
    const char **first)
{
	size_t count = 0;
	int i;

	*first = NULL;
	for (i = 0; i < n; i++) {
		if (args[i][0] == '-' && args[i][1] != '\0') {
			if (takes_value(cmd, args[i]))
				i++;
			continue;
		}
		if (count++ == 0)
			*first = args[i];
	}
	return count;
}

/* "--name" for each of cmd's long options, then the common ones. */
static void
offer_options(const struct out *o, const struct cli_cmd *cmd)
{
	const struct option *lo;
	char *opt;

	for (lo = cmd->longopts; lo != NULL && lo->name != NULL; lo++) {
		opt = xasprintf("--%s", lo->name);
		offer(o, opt);
		free(opt);
	}
	if (cmd->flags & CLI_OPT_JSON)
		offer(o, "--json");
	if (cmd->flags & CLI_OPT_SOCKET)
		offer(o, "--socket");
	if (cmd->flags & CLI_OPT_DB)
		offer(o, "--db");
	offer(o, "--help");
}

/* A workload's options ("--size="), or with word "--name=..." the
 * values of that one: an enum's choices, a bool's 0 and 1. */
static void
offer_workload_options(const char *word, const struct workload *wl)
{
	const struct opt_spec *tables[] = { wl->options, common_opts }, *sp;
	const char *eq = strchr(word, '=');
	struct out o = { "", word };
	char *opt, *prefix;
	size_t t;

	for (t = 0; t < 2; t++) {
		for (sp = tables[t]; sp != NULL && sp->name != NULL; sp++) {
			opt = xasprintf("--%s=", sp->name);
			if (eq == NULL)
				offer(&o, opt);
			else if (strncmp(opt, word, (size_t)(eq - word) + 1) ==
			    0 && strlen(opt) == (size_t)(eq - word) + 1) {
				prefix = opt;
				o.prefix = prefix;
				o.word = eq + 1;
				if (sp->type == OPT_ENUM)
					offer_choices(&o, sp->choices);
				else if (sp->type == OPT_BOOL)
					offer_choices(&o, "0|1");
			}
			free(opt);
		}
	}
}

/* The word after the command: an option, an option's value, or an
 * operand of the kind its usage names. */
static void
complete_command(const struct cli_cmd *cmd, int n, char **args,
    const char *word)
{
	const char *wl_name, *eq = strchr(word, '=');
	const struct workload *wl;
	struct out o = { "", word };
	size_t operands = count_operands(cmd, n, args, &wl_name);
	int run = strcmp(cmd->name, "run") == 0, i;
	char *ph, *prefix, *name;

	/* the command's own --db names the database too */
	for (i = 0; i + 1 < n; i++) {
		if (strcmp(args[i], "--db") == 0)
			cli_db_path = args[i + 1];
	}
	wl = run && wl_name != NULL ? workload_find(wl_name) : NULL;
	if (n > 0 && takes_value(cmd, args[n - 1])) {
		offer_option_value(&o, cmd, args[n - 1]);
		return;
	}
	if (word[0] == '-' && eq != NULL) {
		name = xstrndup(word, (size_t)(eq - word));
		prefix = xasprintf("%s=", name);
		o.prefix = prefix;
		o.word = eq + 1;
		if (takes_value(cmd, name))
			offer_option_value(&o, cmd, name);
		else if (wl != NULL)
			offer_workload_options(word, wl);
		free(name);
		free(prefix);
		return;
	}
	if (word[0] == '-') {
		offer_options(&o, cmd);
		if (wl != NULL)
			offer_workload_options(word, wl);
		return;
	}
	/* run takes one workload; others as many operands as they say */
	if ((run && operands > 0) || (!run && cmd->args_max >= 0 &&
	    operands >= (size_t)cmd->args_max))
		return;
	if ((ph = usage_placeholder(cmd->usage, NULL)) != NULL)
		offer_value(&o, kind_of(ph, 1));
	free(ph);
}

/* Where the command goes: a command's name, or a global option. */
static void
complete_first(const char *word)
{
	static const char *const globals[] = { "--db", "--socket", "--help",
		"--version", NULL };
	struct out o = { "", word };
	size_t i;

	if (word[0] == '-') {
		for (i = 0; globals[i] != NULL; i++)
			offer(&o, globals[i]);
		return;
	}
	for (i = 0; cli_commands[i] != NULL; i++)
		offer(&o, cli_commands[i]->name);
}

static int
cmd_complete_exec(int argc, char **argv)
{
	const struct cli_cmd *cmd = NULL;
	const char *word = argc > 1 ? argv[argc - 1] : "";
	int i = 1, before = argc > 1 ? argc - 1 : 1, k;

	/* The global options before the command; --db also picks the
	 * database the runs and kernels come from. */
	while (i < before && argv[i][0] == '-') {
		if ((strcmp(argv[i], "--db") == 0 ||
		    strcmp(argv[i], "--socket") == 0) && i + 1 == before) {
			printf(":files\n");
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--db") == 0)
			cli_db_path = argv[i + 1];
		else if (starts_with(argv[i], "--db="))
			cli_db_path = argv[i] + 5;
		i += strcmp(argv[i], "--db") == 0 ||
		    strcmp(argv[i], "--socket") == 0 ? 2 : 1;
	}
	if (i >= before) {
		complete_first(word);
		return EXIT_OK;
	}
	for (k = 0; cli_commands[k] != NULL; k++) {
		if (strcmp(cli_commands[k]->name, argv[i]) == 0)
			cmd = cli_commands[k];
	}
	if (cmd != NULL)
		complete_command(cmd, before - i - 1, argv + i + 1, word);
	return EXIT_OK;
}
