/* cmd-lockups.c - kernel events grouped by signature and build. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "cli.h"
#include "db.h"

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
	const char *kname = NULL, *workload = NULL, *kind = NULL, *bname = NULL;
	int64_t kernel = 0, base = 0, since = 0;
	struct db *db = NULL;
	sqlite3_stmt *st = NULL;
	struct table *t = NULL;
	char *cause = NULL;
	int json = 0, ch, r = EXIT_OK, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k': kname = optarg; break;
		case 'w': workload = optarg; break;
		case 'K': kind = optarg; break;
		case 'b': bname = optarg; break;
		case 's':
			if (parse_since(optarg, &since) != 0) {
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
	if ((kname && kernel_resolve(db, kname, &kernel, &cause) != 0) ||
	    (bname && kernel_resolve(db, bname, &base, &cause) != 0)) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	/* One row per build x signature; the reproduction rate divides by
	 * the build's runs (of the workload, when one is asked for). */
	st = db_prepare(db,
	    /* one pass over the matching events */
	    "WITH g AS (SELECT e.kernel_id, e.signature, min(e.kind) AS kind, "
	    "  count(*) AS n, "
	    "  count(DISTINCT e.run_id) AS runs_hit, min(e.t_ns) AS first, "
	    "  max(e.t_ns) AS last, max(e.rowid) AS example, "
	    "  group_concat(DISTINCT e.workload) AS workloads, "
	    "  group_concat(DISTINCT e.host_id) AS host_ids "
	    "  FROM events e "
	    "  WHERE (?1 = 0 OR e.kernel_id = ?1) AND (?2 IS NULL OR "
	    "  e.kind = ?2) AND (?3 = 0 OR e.t_ns >= ?3) AND (?4 IS NULL OR "
	    "  e.workload = ?4) AND e.kind <> 'taint' "
	    "  GROUP BY e.kernel_id, e.signature), "
	    /* runs per build, the denominator of the reproduction rate */
	    "rc AS (SELECT kernel_id, count(*) AS runs FROM runs WHERE "
	    "  (?4 IS NULL OR workload = ?4) AND state NOT IN ('queued', "
	    "  'running', 'skipped') GROUP BY kernel_id) "
	    "SELECT k.release, coalesce(k.build_id, k.build_key), g.kind, "
	    "  x.title, g.n, g.runs_hit, coalesce(rc.runs, 0), g.first, "
	    "  g.last, g.workloads, (SELECT group_concat(hostname) FROM hosts "
	    "  WHERE instr(',' || g.host_ids || ',', ',' || id || ',') > 0), "
	    "  xr.uuid, g.example, g.signature, "
	    "  (?5 <> 0 AND NOT EXISTS (SELECT 1 FROM events b WHERE "
	    "   b.kernel_id = ?5 AND b.signature = g.signature)) "
	    "FROM g JOIN kernels k ON k.id = g.kernel_id "
	    "LEFT JOIN rc ON rc.kernel_id = g.kernel_id "
	    "LEFT JOIN events x ON x.id = g.example "
	    "LEFT JOIN runs xr ON xr.id = x.run_id "
	    "ORDER BY k.first_seen_ns, g.n DESC, x.title", &cause);
	if (st == NULL) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	sqlite3_bind_int64(st, 1, kernel);
	if (kind)
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	if (workload)
		sqlite3_bind_text(st, 4, workload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, base);
	if (!json)
		t = table_new(7, "KERNEL", "KIND", "COUNT", "RUNS", "LAST SEEN",
		    "EXAMPLE", "TITLE");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *title = (const char *)sqlite3_column_text(st, 3);
		int64_t hit = sqlite3_column_int64(st, 5);
		int64_t runs = sqlite3_column_int64(st, 6);
		const char *ex = (const char *)sqlite3_column_text(st, 11);
		int is_new = sqlite3_column_int(st, 14);

		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, "
			    "s:I, s:I, s:f, s:I, s:I, s:o, s:o, s:o, s:I}",
			    "kernel", sqlite3_column_text(st, 0),
			    "build_id", sqlite3_column_text(st, 1),
			    "kind", sqlite3_column_text(st, 2),
			    "title", title,
			    "signature", sqlite3_column_text(st, 13),
			    "count", (json_int_t)sqlite3_column_int64(st, 4),
			    "runs_hit", (json_int_t)hit,
			    "runs", (json_int_t)runs,
			    "rate", runs ? (double)hit / (double)runs : 0.0,
			    "first_ns", (json_int_t)sqlite3_column_int64(st, 7),
			    "last_ns", (json_int_t)sqlite3_column_int64(st, 8),
			    "workloads", sqlite3_column_type(st, 9) ==
			    SQLITE_NULL ? json_null() : json_string((const char *)
			    sqlite3_column_text(st, 9)),
			    "hosts", sqlite3_column_type(st, 10) == SQLITE_NULL ?
			    json_null() : json_string((const char *)
			    sqlite3_column_text(st, 10)),
			    "example_run", ex ? json_string(ex) : json_null(),
			    "example_event",
			    (json_int_t)sqlite3_column_int64(st, 12));
			if (base != 0)
				json_object_set_new(o, "new",
				    json_boolean(is_new));
			cli_print_json(o);
		} else {
			char *count = xasprintf("%lld",
			    (long long)sqlite3_column_int64(st, 4));
			char *rate = xasprintf("%lld/%lld", (long long)hit,
			    (long long)runs);
			char *last = fmt_time_ns(sqlite3_column_int64(st, 8));
			char *kern = xasprintf("%s", sqlite3_column_text(st, 0));
			char *ttl = xasprintf("%s%s", is_new ? "NEW " : "",
			    title);
			char *exs = ex ? xstrndup(ex, 8) : xstrdup("-");

			table_add(t, kern, sqlite3_column_text(st, 2), count,
			    rate, last, exs, ttl);
			free(count); free(rate); free(last); free(kern);
			free(ttl); free(exs);
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(db, &cause, "cannot list lockups");
		cli_error("%s", cause);
		r = EXIT_FAIL;
	} else if (t != NULL)
		table_print(t, stdout);
out:
	table_free(t);
	sqlite3_finalize(st);
	free(cause);
	db_close(db);
	return r;
}
