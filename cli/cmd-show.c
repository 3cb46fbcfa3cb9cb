/* cmd-show.c - everything stored about one run. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "run/options.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/run-json.h"
#include "workloads/workloads.h"

static int cmd_show_exec(int, char **);

static const struct option show_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "repro", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_show = {
	.name = "show",
	.usage = "show RUN [--json] [--all | --repro] [--db PATH]",
	.summary = "show one run: kernel, params, metrics, deltas, events",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.longopts = show_options,
	.args_min = 1,
	.args_max = 1,
	.exec = cmd_show_exec,
};

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* The workload's path and what proved it (or did not), when recorded. */
static void
show_reached(json_t *reached)
{
	json_t *v;
	struct table *t;
	char *obs, *min;
	size_t i;

	if (reached == NULL)
		return;
	printf("\npath      %s: %s\n", str(reached, "path"),
	    json_is_true(json_object_get(reached, "reached")) ? "reached" :
	    "NOT reached");
	t = table_new(5, "PROOF", "VALUE", "OBSERVED", "NEEDS", "RESULT");
	json_array_foreach(json_object_get(reached, "proofs"), i, v) {
		obs = json_is_number(json_object_get(v, "observed")) ?
		    xasprintf("%.15g", json_number_value(json_object_get(v,
		    "observed"))) : xstrdup("not recorded");
		min = xasprintf(">= %.15g", json_number_value(
		    json_object_get(v, "min")));
		table_add(t, str(v, "what"), str(v, "value"), obs, min,
		    json_is_true(json_object_get(v, "ok")) ? "ok" : "MISSED");
		free(obs);
		free(min);
	}
	table_print(t, stdout);
	table_free(t);
}

static void
show_human(json_t *run)
{
	json_t *k = json_object_get(run, "kernel"), *h = json_object_get(run,
	    "host"), *o, *v;
	const char *key;
	struct table *t;
	char *a, *b, *p;
	size_t i;
	double secs = 0;

	if (json_integer_value(json_object_get(run, "ended_ns")) != 0 &&
	    json_integer_value(json_object_get(run, "started_ns")) != 0)
		secs = (double)(json_integer_value(json_object_get(run,
		    "ended_ns")) - json_integer_value(json_object_get(run,
		    "started_ns"))) / 1e9;
	printf("run       %s\n", str(run, "run"));
	printf("workload  %s\n", str(run, "workload"));
	printf("state     %s\n", str(run, "state"));
	if (json_string_value(json_object_get(run, "reason")))
		printf("reason    %s\n", str(run, "reason"));
	if (json_string_value(json_object_get(run, "label")))
		printf("label     %s\n", str(run, "label"));
	printf("kernel    %s  build-id %s\n", str(k, "release"),
	    str(k, "build_id"));
	printf("host      %s  %lld CPUs, %lld node(s), %lld MiB\n",
	    str(h, "hostname"),
	    (long long)json_integer_value(json_object_get(h, "cpus_possible")),
	    (long long)json_integer_value(json_object_get(h, "numa_nodes")),
	    (long long)json_integer_value(json_object_get(h, "mem_total_kb")) /
	    1024);
	a = fmt_time_ns(json_integer_value(json_object_get(run,
	    "started_ns")));
	printf("started   %s  (%.1f s, %s)\n", a, secs,
	    str(run, "exit_status"));
	free(a);
	/* The keys too: an imported run's params are anyone's. */
	p = json_dumps(json_object_get(run, "params"), JSON_COMPACT);
	b = cli_escape(p);
	printf("params    %s\n", b);
	free(b);
	free(p);
	printf("samples   %lld\n",
	    (long long)json_integer_value(json_object_get(run, "samples")));

	o = json_object_get(run, "metric_info");
	if (json_array_size(o) > 0)
		printf("\n");
	print_metric_table(o);
	o = json_object_get(run, "deltas");
	if (json_object_size(o) > 0) {
		printf("\n");
		t = table_new(2, "COUNTER", "DELTA");
		json_object_foreach(o, key, v) {
			a = xasprintf("%lld", (long long)json_integer_value(v));
			table_add(t, key, a);
			free(a);
		}
		table_print(t, stdout);
		table_free(t);
	}
	show_reached(json_object_get(run, "reached"));
	o = json_object_get(run, "events");
	if (json_array_size(o) > 0) {
		printf("\n");
		t = table_new(4, "TIME", "KIND", "SOURCE", "TITLE");
		json_array_foreach(o, i, v) {
			a = fmt_time_ns(json_integer_value(json_object_get(v,
			    "t_ns")));
			table_add(t, a, str(v, "kind"), str(v, "source"),
			    str(v, "title"));
			free(a);
		}
		table_print(t, stdout);
		table_free(t);
	}
	o = json_object_get(run, "knobs");
	json_array_foreach(o, i, v)
		printf("%sknob      %s: %s -> %s (%s)\n", i == 0 ? "\n" : "",
		    str(v, "path"), str(v, "original"), str(v, "value"),
		    str(v, "state"));
	o = json_object_get(run, "unavailable");
	json_array_foreach(o, i, v) {
		b = xstrdup(json_string_value(v));
		printf("%sunavailable  %s\n", i == 0 ? "\n" : "", b);
		free(b);
	}
}

/* --all, --repro */
static int
show_option(int opt, const char *arg, void *ctx)
{
	int *mode = ctx;

	*mode = opt;
	return 0;
}

/* A word as the shell reads it back: quoted unless it is plain. */
static void
add_shell_word(struct buf *b, const char *w)
{
	const char *p;

	if (*w != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == strlen(w)) {
		buf_adds(b, w);
		return;
	}
	buf_addc(b, '\'');
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

/*
 * --repro: the command line that repeats the run, every option it ran
 * with (defaults and a drawn seed included, so a later default cannot
 * change it) read back through the workload's table.
 */
static int
show_repro(json_t *run, int json)
{
	const struct workload *wl;
	struct params *ps = NULL, *unseeded;
	struct buf b = BUF_INIT;
	json_t *argv;
	char *cause = NULL, *stored, **args = NULL;
	const char *name = json_string_value(json_object_get(run,
	    "workload"));
	size_t i;
	int r = EXIT_FAIL;

	if (name == NULL || (wl = workload_find(name)) == NULL) {
		cli_error("run's workload '%s' is not one of this mmstorm's",
		    name ? name : "");
		return EXIT_FAIL;
	}
	ps = params_new(wl->name, wl->options);
	stored = json_dumps(json_object_get(run, "params"), JSON_COMPACT);
	if (params_from_json(ps, stored ? stored : "{}", &cause) != 0) {
		cli_error("cannot repeat run %s: %s", json_string_value(
		    json_object_get(run, "run")), cause);
		goto out;
	}
	/* A seed the table has and the run lacks: it ran before seeds
	 * were stored (a copy is drawn into, to count them). */
	if (params_pick_seeds(unseeded = params_dup(ps)) > 0)
		fprintf(stderr, "mmstorm: run %s recorded no seed (it ran "
		    "before mmstorm stored one): any random choice it made "
		    "will differ\n", json_string_value(json_object_get(run,
		    "run")));
	params_free(unseeded);
	args = params_to_args(ps);
	argv = json_pack("[sss]", "mmstorm", "run", wl->name);
	buf_printf(&b, "mmstorm run %s", wl->name);
	for (i = 0; args[i] != NULL; i++) {
		json_array_append_new(argv, json_string(args[i]));
		buf_addc(&b, ' ');
		add_shell_word(&b, args[i]);
	}
	if (json)
		cli_print_json(json_pack("{s:O,s:o,s:s}", "run",
		    json_object_get(run, "run"), "argv", argv, "command", b.s));
	else {
		printf("%s\n", b.s);
		json_decref(argv);
	}
	r = EXIT_OK;
out:
	for (i = 0; args != NULL && args[i] != NULL; i++)
		free(args[i]);
	free(args);
	free(stored);
	free(cause);
	buf_release(&b);
	params_free(ps);
	return r;
}

static int
cmd_show_exec(int argc, char **argv)
{
	struct cli_args args;
	struct db *db = NULL;
	json_t *run = NULL;
	char *cause = NULL;
	int64_t id;
	int mode = 0, r;

	if ((r = cli_parse_options(&cmd_show, argc, argv, show_option, &mode,
	    &args)) != CLI_CONTINUE)
		return r;
	r = EXIT_OK;
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if (cli_run_id(db, args.argv[0], &id) != 0) {
		r = EXIT_FAIL;
		goto out;
	}
	if ((run = run_show_json(db, id, mode == 'a', &cause)) == NULL) {
		cli_error("%s", cause ? cause : "cannot read run");
		r = EXIT_FAIL;
		goto out;
	}
	if (mode == 'r')
		r = show_repro(run, args.json);
	else if (args.json) {
		json_object_del(run, "metric_info");
		json_object_del(run, "host_state");
		cli_print_json(json_incref(run));
	} else {
		/* Anyone who could submit or import a run chose its label,
		 * reason and host strings: no terminal escape may reach the
		 * screen (the tables escape their cells already). */
		cli_escape_strings(run);
		show_human(run);
	}
out:
	json_decref(run);
	free(cause);
	db_close(db);
	return r;
}
