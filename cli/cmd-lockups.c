/* cmd-lockups.c - kernel events grouped by signature and build. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "store/db.h"

static int cmd_lockups_exec(int, char **);

const struct cli_cmd cmd_lockups = {
	.name = "lockups",
	.usage = "lockups [--kernel K] [--workload W] [--kind KIND] "
	    "[--since T] [--baseline K] [--json] [--db PATH]",
	.summary = "lockups, stalls, oopses... by title and kernel build, "
	    "with reproduction rates",
	.exec = cmd_lockups_exec,
};

/* "7d", "24h", "30m", "90s" ago, or a date "2026-11-01[ 12:00[:00]]". */
static int
parse_since(const char *text, int64_t *t_ns)
{
	static const char *formats[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d" };
	struct tm tm;
	char *end;
	double v;
	size_t i;

	v = strtod(text, &end);
	if (end != text && v >= 0) {
		double mult = 0;

		if (strcmp(end, "s") == 0) mult = 1;
		else if (strcmp(end, "m") == 0) mult = 60;
		else if (strcmp(end, "h") == 0) mult = 3600;
		else if (strcmp(end, "d") == 0) mult = 86400;
		if (mult > 0) {
			*t_ns = now_real_ns() - (int64_t)(v * mult * 1e9);
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		memset(&tm, 0, sizeof tm);
		end = strptime(text, formats[i], &tm);
		if (end != NULL && *end == '\0') {
			tm.tm_isdst = -1;
			*t_ns = (int64_t)mktime(&tm) * 1000000000;
			return 0;
		}
	}
	return -1;
}

static int
cmd_lockups_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "workload", required_argument, NULL, 'w' },
		{ "kind", required_argument, NULL, 'K' },
		{ "since", required_argument, NULL, 's' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kname = NULL, *bname = NULL;
	struct lockups_query q = { 0, 0, 0, NULL, NULL };
	struct lockup_row *rows = NULL;
	struct db *db = NULL;
	struct table *t = NULL;
	char *cause = NULL, *kern = NULL;
	size_t n = 0, i;
	int json = 0, ch, r = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k': kname = optarg; break;
		case 'w': q.workload = optarg; break;
		case 'K': q.kind = optarg; break;
		case 'b': bname = optarg; break;
		case 's':
			if (parse_since(optarg, &q.since_ns) != 0) {
				cli_error("--since expects 7d, 24h, 30m or a "
				    "date like 2026-11-01, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j': json = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_lockups.usage);
			return EXIT_OK;
		default:
			return cli_usage(&cmd_lockups);
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_lockups);
	if (cli_open_db(0, &db) != 0)
		return EXIT_FAIL;
	if ((kname && kernel_resolve(db, kname, &q.kernel, &cause) != 0) ||
	    (bname && kernel_resolve(db, bname, &q.baseline, &cause) != 0) ||
	    lockups_list(db, &q, &rows, &n, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	if (!json)
		t = table_new(7, "KERNEL", "KIND", "COUNT", "RUNS", "LAST SEEN",
		    "EXAMPLE", "TITLE");
	for (i = 0; i < n; i++) {
		const struct lockup_row *l = &rows[i];

		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, "
			    "s:I, s:I, s:f, s:I, s:I, s:o, s:o, s:o, s:I}",
			    "kernel", l->release, "build_id", l->build_id,
			    "kind", l->kind, "title", l->title,
			    "signature", l->signature,
			    "count", (json_int_t)l->count,
			    "runs_hit", (json_int_t)l->runs_hit,
			    "runs", (json_int_t)l->runs,
			    "rate", l->runs ? (double)l->runs_hit /
			    (double)l->runs : 0.0,
			    "first_ns", (json_int_t)l->first_ns,
			    "last_ns", (json_int_t)l->last_ns,
			    "workloads", l->workloads ?
			    json_string(l->workloads) : json_null(),
			    "hosts", l->hosts ? json_string(l->hosts) :
			    json_null(),
			    "example_run", l->example_run ?
			    json_string(l->example_run) : json_null(),
			    "example_event", (json_int_t)l->example_event);
			if (q.baseline != 0)
				json_object_set_new(o, "new",
				    json_boolean(l->is_new));
			cli_print_json(o);
		} else {
			char *count = xasprintf("%lld", (long long)l->count);
			char *rate = xasprintf("%lld/%lld",
			    (long long)l->runs_hit, (long long)l->runs);
			char *last = fmt_time_ns(l->last_ns);
			char *ttl = xasprintf("%s%s", l->is_new ? "NEW " : "",
			    l->title);
			char *exs = l->example_run ? xstrndup(l->example_run,
			    8) : xstrdup("-");

			/* Builds that differ only by command line share a
			 * release: name them as compare does. */
			if (i == 0 || l->kernel != rows[i - 1].kernel) {
				free(kern);
				kern = kernel_describe(db, l->kernel);
			}
			table_add(t, kern, l->kind, count, rate, last, exs,
			    ttl);
			free(count); free(rate); free(last); free(ttl);
			free(exs);
		}
	}
	if (t != NULL)
		table_print(t, stdout);
out:
	table_free(t);
	lockup_rows_free(rows, n);
	free(kern);
	free(cause);
	db_close(db);
	return r;
}
