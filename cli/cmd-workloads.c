/* cmd-workloads.c - list the workloads and their options. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "cli/cli.h"
#include "run/workload.h"
#include "workloads/workloads.h"

static int cmd_workloads_exec(int, char **);

const struct cli_cmd cmd_workloads = {
	.name = "workloads",
	.usage = "workloads [--json] [NAME]",
	.summary = "list workloads and their options",
	.flags = CLI_OPT_JSON,
	.shortopts = "j",
	.args_max = 1,
	.exec = cmd_workloads_exec,
};

const char *
cli_option_range(const struct opt_spec *o, char *tmp, size_t size)
{
	char *lo, *hi;

	switch (o->type) {
	case OPT_BOOL:
		return "0|1";
	case OPT_ENUM:
		return o->choices;
	case OPT_STRING:
		return "text";
	case OPT_SIZE:
		lo = format_size(o->min);
		hi = format_size(o->max);
		snprintf(tmp, size, "%s..%s", lo, hi);
		free(lo);
		free(hi);
		return tmp;
	case OPT_DURATION:
		snprintf(tmp, size, "%lldms..%llds", (long long)o->min,
		    (long long)(o->max / 1000));
		return tmp;
	default:
		snprintf(tmp, size, "%lld..%lld", (long long)o->min,
		    (long long)o->max);
		return tmp;
	}
}

static void
print_options(const struct opt_spec *specs, struct table *t)
{
	char tmp[128];
	size_t i;

	for (i = 0; specs[i].name != NULL; i++) {
		const struct opt_spec *o = &specs[i];

		table_add(t, o->name, opt_type_name(o->type),
		    cli_option_range(o, tmp, sizeof tmp), o->def ? o->def : "auto",
		    o->help);
	}
}

static int
cmd_workloads_exec(int argc, char **argv)
{
	struct cli_args args;
	const char *only = NULL;
	struct table *t;
	size_t i;
	int r;

	if ((r = cli_parse_options(&cmd_workloads, argc, argv, NULL, NULL,
	    &args)) != CLI_CONTINUE)
		return r;
	if (args.argc == 1) {
		only = args.argv[0];
		if (workload_find(only) == NULL) {
			cli_error("unknown workload '%s'", only);
			return EXIT_FAIL;
		}
	}
	if (args.json) {
		struct buf b = BUF_INIT;

		for (i = 0; workloads[i] != NULL; i++) {
			const struct workload *w = workloads[i];
			json_t *o, *opts;

			if (only != NULL && strcmp(only, w->name) != 0)
				continue;
			buf_reset(&b);
			opt_spec_to_json(&b, w->options);
			opts = json_loads(b.s, 0, NULL);
			o = json_pack("{s:s, s:s, s:s, s:o}", "name", w->name,
			    "summary", w->summary, "seeds",
			    w->seeds ? w->seeds : "", "options", opts);
			cli_print_json(o);
		}
		buf_release(&b);
		return EXIT_OK;
	}
	if (only == NULL) {
		t = table_new(3, "WORKLOAD", "SEEDS", "SUMMARY");
		for (i = 0; workloads[i] != NULL; i++)
			table_add(t, workloads[i]->name,
			    workloads[i]->seeds ? workloads[i]->seeds : "-",
			    workloads[i]->summary);
		table_print(t, stdout);
		table_free(t);
		printf("\n");
	}
	for (i = 0; workloads[i] != NULL; i++) {
		if (only != NULL && strcmp(only, workloads[i]->name) != 0)
			continue;
		printf("%s options:\n", workloads[i]->name);
		t = table_new(5, "OPTION", "TYPE", "RANGE", "DEFAULT", "HELP");
		print_options(workloads[i]->options, t);
		print_options(common_opts, t);
		table_print(t, stdout);
		table_free(t);
		if (workloads[i + 1] != NULL && only == NULL)
			printf("\n");
	}
	return EXIT_OK;
}
