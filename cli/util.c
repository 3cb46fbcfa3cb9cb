/* util.c - shared CLI helpers: errors, tables, formatting. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db.h"

const char *cli_db_path;
const char *cli_socket_path;

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmstorm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage(const struct cli_cmd *cmd)
{
	fprintf(stderr, "usage: mmstorm %s\n", cmd->usage);
	return EXIT_USAGE;
}

int
cli_open_db(int flags, struct db **db)
{
	const char *path = cli_db_path ? cli_db_path : db_default_path();
	char *cause = NULL;

	if (db_open(path, flags, db, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

void
cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(v);
}

int
cli_run_id(struct db *db, const char *key, int64_t *id)
{
	char *cause = NULL;

	if (db_run_lookup(db, key, id, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

struct table {
	int ncols;
	char **cells;       /* rows * ncols, row 0 the header */
	size_t rows;
};

struct table *
table_new_cols(int ncols, char **headers)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	table_addv(t, headers);
	return t;
}

struct table *
table_new(int ncols, ...)
{
	struct table *t = xcalloc(1, sizeof *t);
	char **row = xcalloc((size_t)ncols, sizeof *row);
	va_list ap;
	int i;

	t->ncols = ncols;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		row[i] = va_arg(ap, char *);
	va_end(ap);
	table_addv(t, row);
	free(row);
	return t;
}

void
table_addv(struct table *t, char **cells)
{
	int i;

	t->cells = xreallocarray(t->cells, (t->rows + 1) * (size_t)t->ncols,
	    sizeof *t->cells);
	for (i = 0; i < t->ncols; i++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] =
		    xstrdup(cells[i] ? cells[i] : "-");
	t->rows++;
}

void
table_add(struct table *t, ...)
{
	char **row = xcalloc((size_t)t->ncols, sizeof *row);
	va_list ap;
	int i;

	va_start(ap, t);
	for (i = 0; i < t->ncols; i++)
		row[i] = va_arg(ap, char *);
	va_end(ap);
	table_addv(t, row);
	free(row);
}

/* Columns whose cells all look numeric are right-aligned. */
static int
numeric(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	return strspn(s, "0123456789.e+-%") == strlen(s);
}

void
table_print(struct table *t, FILE *f)
{
	size_t *w = xcalloc((size_t)t->ncols, sizeof *w), r;
	int *right = xcalloc((size_t)t->ncols, sizeof *right), c;

	for (c = 0; c < t->ncols; c++) {
		right[c] = t->rows > 1;
		for (r = 0; r < t->rows; r++) {
			const char *s = t->cells[r * (size_t)t->ncols +
			    (size_t)c];

			if (strlen(s) > w[c])
				w[c] = strlen(s);
			if (r > 0 && strcmp(s, "-") != 0 && !numeric(s))
				right[c] = 0;
		}
	}
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols +
			    (size_t)c];
			int last = c == t->ncols - 1;

			if (right[c])
				fprintf(f, "%*s", (int)w[c], s);
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s", (int)w[c], s);
			fputs(last ? "\n" : "  ", f);
		}
	}
	free(w);
	free(right);
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

char *
fmt_time_ns(int64_t t_ns)
{
	time_t t = (time_t)(t_ns / 1000000000);
	struct tm tm;
	char s[64];

	if (t_ns <= 0)
		return xstrdup("-");
	localtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	return xstrdup(s);
}

char *
fmt_num(double v)
{
	double a = fabs(v);

	if (v == (double)(long long)v && a < 1e15)
		return xasprintf("%lld", (long long)v);
	if (a >= 1000)
		return xasprintf("%.0f", v);
	if (a >= 10)
		return xasprintf("%.1f", v);
	if (a >= 0.01)
		return xasprintf("%.3f", v);
	return xasprintf("%.3g", v);
}

void
print_metric_table(json_t *info)
{
	struct table *t;
	json_t *v;
	size_t i;
	char *val;

	if (json_array_size(info) == 0)
		return;
	t = table_new(4, "METRIC", "VALUE", "UNIT", "BETTER");
	json_array_foreach(info, i, v) {
		val = fmt_num(json_number_value(json_object_get(v, "value")));
		table_add(t, json_string_value(json_object_get(v, "name")), val,
		    json_string_value(json_object_get(v, "unit")),
		    json_string_value(json_object_get(v, "better")));
		free(val);
	}
	table_print(t, stdout);
	table_free(t);
}
