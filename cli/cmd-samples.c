/* cmd-samples.c - the counter time series of a run. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/series.h"

static int cmd_samples_exec(int, char **);

static const struct option samples_options[] = {
	{ "counter", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_cmd cmd_samples = {
	.name = "samples",
	.usage = "samples RUN [--counter NAME ...] [--json] [--db PATH]",
	.summary = "a run's counter samples (one counter's series, or all)",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.shortopts = "c:",
	.longopts = samples_options,
	.args_min = 1,
	.args_max = 1,
	.exec = cmd_samples_exec,
};

/* The counters asked for, in order, and where each is in the series. */
struct counters {
	const char **names;
	long *idx;
	size_t n;
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

/* --counter NAME, again for each counter */
static int
samples_option(int opt, const char *arg, void *ctx)
{
	struct counters *c = ctx;

	c->names = xreallocarray(c->names, c->n + 1, sizeof *c->names);
	c->names[c->n++] = arg;
	return 0;
}

/* Each counter asked for by its place in the series; -1 when the run has
 * no such counter (said). */
static int
resolve_counters(const struct series *s, struct counters *c,
    const char *run)
{
	size_t i;

	c->idx = xcalloc(c->n, sizeof *c->idx);
	for (i = 0; i < c->n; i++) {
		if ((c->idx[i] = series_index(s, c->names[i])) < 0) {
			cli_error("run has no counter '%s' (see 'mmstorm "
			    "samples %s')", c->names[i], run);
			return -1;
		}
	}
	return 0;
}

static void
print_series_json(const struct series *s, const struct counters *c)
{
	size_t i, k;

	for (k = 0; k < s->nsamples; k++) {
		double ts = (double)(s->t_ns[k] - s->t_ns[0]) / 1e9;
		json_t *o = json_pack("{s:I, s:I, s:f, s:o}", "seq",
		    (json_int_t)k, "t_ns", (json_int_t)s->t_ns[k], "t_s", ts,
		    "label", cli_json_string(s->labels[k]));

		for (i = 0; i < c->n; i++)
			json_object_set_new(o, c->names[i], json_integer(
			    s->values[k * s->ncounters + (size_t)c->idx[i]]));
		cli_print_json(o);
	}
}

static void
print_series_table(const struct series *s, const struct counters *c)
{
	char **hdr = xcalloc(c->n + 2, sizeof *hdr), **row;
	struct table *t;
	size_t i, k;

	hdr[0] = "T_S";
	hdr[1] = "LABEL";
	for (i = 0; i < c->n; i++)
		hdr[i + 2] = (char *)c->names[i];
	t = table_new_cols((int)c->n + 2, hdr);
	free(hdr);
	for (k = 0; k < s->nsamples; k++) {
		row = xcalloc(c->n + 2, sizeof *row);
		row[0] = xasprintf("%.3f", (double)(s->t_ns[k] - s->t_ns[0]) /
		    1e9);
		row[1] = xstrdup(s->labels[k] ? s->labels[k] : "-");
		for (i = 0; i < c->n; i++)
			row[i + 2] = xasprintf("%lld", (long long)
			    s->values[k * s->ncounters + (size_t)c->idx[i]]);
		table_addv(t, row);
		for (i = 0; i < c->n + 2; i++)
			free(row[i]);
		free(row);
	}
	table_print(t, stdout);
	table_free(t);
}

static int
cmd_samples_exec(int argc, char **argv)
{
	struct counters c = { NULL, NULL, 0 };
	struct cli_args args;
	struct series s;
	struct db *db = NULL;
	char *cause = NULL;
	int64_t id;
	int r, loaded = 0;

	if ((r = cli_parse_options(&cmd_samples, argc, argv, samples_option,
	    &c, &args)) != CLI_CONTINUE)
		goto out;
	r = EXIT_FAIL;
	if (cli_open_db(0, &db) != 0 || cli_run_id(db, args.argv[0],
	    &id) != 0)
		goto out;
	if (series_load(db, id, &s, &cause) != 0) {
		cli_error("%s", cause);
		goto out;
	}
	loaded = 1;
	if (c.n == 0)
		summary(&s, args.json);
	else if (resolve_counters(&s, &c, args.argv[0]) != 0)
		goto out;
	else if (args.json)
		print_series_json(&s, &c);
	else
		print_series_table(&s, &c);
	r = EXIT_OK;
out:
	if (loaded)
		series_release(&s);
	free(c.idx);
	free(c.names);
	free(cause);
	db_close(db);
	return r;
}
