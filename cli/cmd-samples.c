/* cmd-samples.c - the counter time series of a run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/series.h"

static int cmd_samples_exec(int, char **);

const struct cli_cmd cmd_samples = {
	.name = "samples",
	.usage = "samples RUN [--counter NAME ...] [--json] [--db PATH]",
	.summary = "a run's counter samples (one counter's series, or all)",
	.exec = cmd_samples_exec,
};

/* Without --counter: one line per counter with first, last and delta. */
static void
summary(const struct series *s, int json)
{
	struct table *t = NULL;
	size_t k, last = s->nsamples ? s->nsamples - 1 : 0;

	if (!json)
		t = table_new(6, "COUNTER", "KIND", "UNIT", "FIRST", "LAST",
		    "DELTA");
	for (k = 0; k < s->ncounters; k++) {
		int64_t first = s->nsamples ? s->values[k] : 0;
		int64_t lastv = s->nsamples ? s->values[last * s->ncounters +
		    k] : 0;

		if (json) {
			cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:I, "
			    "s:I}", "counter", s->names[k], "kind",
			    s->is_event[k] ? "event" : "gauge", "unit",
			    s->units[k], "first", (json_int_t)first, "last",
			    (json_int_t)lastv, "delta",
			    (json_int_t)(lastv - first)));
		} else {
			char *a = xasprintf("%lld", (long long)first);
			char *b = xasprintf("%lld", (long long)lastv);
			char *c = s->is_event[k] ? xasprintf("%lld",
			    (long long)(lastv - first)) : xstrdup("-");

			table_add(t, s->names[k], s->is_event[k] ? "event" :
			    "gauge", s->units[k], a, b, c);
			free(a);
			free(b);
			free(c);
		}
	}
	if (t != NULL) {
		table_print(t, stdout);
		table_free(t);
	}
}

static int
cmd_samples_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "counter", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **names = NULL;
	long *idx = NULL;
	size_t nnames = 0, i, k;
	struct series s;
	struct db *db = NULL;
	struct table *t = NULL;
	char *cause = NULL;
	int64_t id;
	int json = 0, c, r = EXIT_OK, loaded = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			names = xreallocarray(names, nnames + 1, sizeof *names);
			names[nnames++] = optarg;
			break;
		case 'j': json = 1; break;
		case 'd': cli_db_path = optarg; break;
		case 'h':
			printf("usage: mmstorm %s\n", cmd_samples.usage);
			free(names);
			return EXIT_OK;
		default:
			free(names);
			return cli_usage(&cmd_samples);
		}
	}
	if (optind != argc - 1) {
		free(names);
		return cli_usage(&cmd_samples);
	}
	if (cli_open_db(0, &db) != 0) {
		free(names);
		return EXIT_FAIL;
	}
	if (cli_run_id(db, argv[optind], &id) != 0) {
		r = EXIT_FAIL;
		goto out;
	}
	if (series_load(db, id, &s, &cause) != 0) {
		cli_error("%s", cause);
		r = EXIT_FAIL;
		goto out;
	}
	loaded = 1;
	if (nnames == 0) {
		summary(&s, json);
		goto out;
	}
	idx = xcalloc(nnames, sizeof *idx);
	for (i = 0; i < nnames; i++) {
		if ((idx[i] = series_index(&s, names[i])) < 0) {
			cli_error("run has no counter '%s' (see 'mmstorm "
			    "samples %s')", names[i], argv[optind]);
			r = EXIT_FAIL;
			goto out;
		}
	}
	if (!json) {
		char **hdr = xcalloc(nnames + 2, sizeof *hdr);

		hdr[0] = "T_S";
		hdr[1] = "LABEL";
		for (i = 0; i < nnames; i++)
			hdr[i + 2] = (char *)names[i];
		t = table_new_cols((int)nnames + 2, hdr);
		free(hdr);
	}
	for (k = 0; k < s.nsamples; k++) {
		double ts = (double)(s.t_ns[k] - s.t_ns[0]) / 1e9;

		if (json) {
			json_t *o = json_pack("{s:I, s:I, s:f, s:o}", "seq",
			    (json_int_t)k, "t_ns", (json_int_t)s.t_ns[k], "t_s",
			    ts, "label", s.labels[k] ? json_string(s.labels[k])
			    : json_null());

			for (i = 0; i < nnames; i++)
				json_object_set_new(o, names[i], json_integer(
				    s.values[k * s.ncounters + (size_t)idx[i]]));
			cli_print_json(o);
		} else {
			char **row = xcalloc(nnames + 2, sizeof *row);

			row[0] = xasprintf("%.3f", ts);
			row[1] = xstrdup(s.labels[k] ? s.labels[k] : "-");
			for (i = 0; i < nnames; i++)
				row[i + 2] = xasprintf("%lld", (long long)
				    s.values[k * s.ncounters + (size_t)idx[i]]);
			table_addv(t, row);
			for (i = 0; i < nnames + 2; i++)
				free(row[i]);
			free(row);
		}
	}
	if (t != NULL)
		table_print(t, stdout);
out:
	table_free(t);
	if (loaded)
		series_release(&s);
	free(idx);
	free(names);
	free(cause);
	db_close(db);
	return r;
}
