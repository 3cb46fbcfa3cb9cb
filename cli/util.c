/* util.c - shared CLI helpers: errors, tables, formatting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "store/db.h"
#include "common/table.h"

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

json_t *
cli_json_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
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

/* The CLI's tables are the shared aligned tables (common/table.c) printed
 * to a stream; cells may be NULL ("-"). */
static const char **
cells_or_dash(int n, char **cells)
{
	const char **row = xcalloc((size_t)n, sizeof *row);
	int i;

	for (i = 0; i < n; i++)
		row[i] = cells[i] ? cells[i] : "-";
	return row;
}

struct table *
table_new_cols(int ncols, char **headers)
{
	const char **row = cells_or_dash(ncols, headers);
	struct table *t = (struct table *)text_table_newv(ncols, row);

	free(row);
	return t;
}

struct table *
table_new(int ncols, ...)
{
	char **row = xcalloc((size_t)ncols, sizeof *row);
	struct table *t;
	va_list ap;
	int i;

	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		row[i] = va_arg(ap, char *);
	va_end(ap);
	t = table_new_cols(ncols, row);
	free(row);
	return t;
}

char *
cli_escape(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;

	if (s == NULL)
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			buf_printf(&b, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls (U+0080..U+009F): U+009B is a CSI
			 * to a terminal in UTF-8 mode. */
			buf_printf(&b, "\\u%04x", p[1]);
			p++;
		} else
			buf_addc(&b, (char)*p);
	}
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

void
cli_escape_strings(json_t *j)
{
	const char *key;
	json_t *v;
	char *e;
	size_t i;

	if (json_is_string(j)) {
		e = cli_escape(json_string_value(j));
		json_string_set(j, e);
		free(e);
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			cli_escape_strings(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			cli_escape_strings(v);
	}
}

/* Cells come from the database, where anyone who could submit a job put
 * them (a label): a terminal escape in one must not reach the screen. */
void
table_addv(struct table *t, char **cells)
{
	int n = text_table_cols((struct text_table *)t), i;
	char **safe = xcalloc((size_t)n, sizeof *safe);
	const char **row;

	for (i = 0; i < n; i++)
		safe[i] = cli_escape(cells[i]);
	row = cells_or_dash(n, safe);
	text_table_addv((struct text_table *)t, row);
	for (i = 0; i < n; i++)
		free(safe[i]);
	free(safe);
	free(row);
}

void
table_add(struct table *t, ...)
{
	int n = text_table_cols((struct text_table *)t), i;
	char **row = xcalloc((size_t)n, sizeof *row);
	va_list ap;

	va_start(ap, t);
	for (i = 0; i < n; i++)
		row[i] = va_arg(ap, char *);
	va_end(ap);
	table_addv(t, row);
	free(row);
}

void
table_print(struct table *t, FILE *f)
{
	struct buf b = BUF_INIT;

	text_table_print((struct text_table *)t, &b);
	if (b.s != NULL)
		fputs(b.s, f);
	buf_release(&b);
}

void
table_free(struct table *t)
{
	text_table_free((struct text_table *)t);
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
