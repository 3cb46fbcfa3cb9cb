/* table.c - aligned text tables. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/table.h"
#include "common/util.h"

struct text_table {
	int ncols;
	char **cells;          /* rows * ncols, row 0 the header */
	size_t rows;
};

void
text_table_addv(struct text_table *t, const char **cells)
{
	int i;

	t->cells = xreallocarray(t->cells, (t->rows + 1) * (size_t)t->ncols,
	    sizeof *t->cells);
	for (i = 0; i < t->ncols; i++) {
		const char *s = cells[i] != NULL && *cells[i] ? cells[i] : "-";
		char *c = xstrdup(s), *p;

		/* one cell, one line */
		for (p = c; *p; p++)
			if (*p == '\n' || *p == '\t' || *p == '\r')
				*p = ' ';
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] = c;
	}
	t->rows++;
}

struct text_table *
text_table_new(int ncols, ...)
{
	struct text_table *t = xcalloc(1, sizeof *t);
	const char **row = xcalloc((size_t)ncols, sizeof *row);
	va_list ap;
	int i;

	t->ncols = ncols;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		row[i] = va_arg(ap, const char *);
	va_end(ap);
	text_table_addv(t, row);
	free(row);
	return t;
}

void
text_table_add(struct text_table *t, ...)
{
	const char **row = xcalloc((size_t)t->ncols, sizeof *row);
	va_list ap;
	int i;

	va_start(ap, t);
	for (i = 0; i < t->ncols; i++)
		row[i] = va_arg(ap, const char *);
	va_end(ap);
	text_table_addv(t, row);
	free(row);
}

static int
numeric(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return 0;
	return strspn(s, "0123456789.e+-%") == strlen(s);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Padding without a printf per cell (lockups prints thousands). */
static void
add_spaces(struct buf *b, size_t n)
{
	static const char spaces[] = "                                ";

	for (; n >= sizeof spaces - 1; n -= sizeof spaces - 1)
		buf_add(b, spaces, sizeof spaces - 1);
	buf_add(b, spaces, n);
}

void
text_table_print(struct text_table *t, struct buf *b)
{
	size_t *w = xcalloc((size_t)t->ncols, sizeof *w), r, pad;
	int *right = xcalloc((size_t)t->ncols, sizeof *right), c;

	for (c = 0; c < t->ncols; c++) {
		right[c] = t->rows > 1;
		for (r = 0; r < t->rows; r++) {
			const char *s = t->cells[r * (size_t)t->ncols +
			    (size_t)c];

			if (width(s) > w[c])
				w[c] = width(s);
			if (r > 0 && strcmp(s, "-") != 0 && !numeric(s))
				right[c] = 0;
		}
	}
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * (size_t)t->ncols +
			    (size_t)c];
			int last = c == t->ncols - 1;

			pad = w[c] - width(s);
			if (right[c])
				add_spaces(b, pad);
			buf_adds(b, s);
			if (!right[c] && !last)
				add_spaces(b, pad);
			buf_adds(b, last ? "\n" : "  ");
		}
	}
	free(w);
	free(right);
}

void
text_table_free(struct text_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

size_t
text_table_rows(const struct text_table *t)
{
	return t->rows;
}

struct text_table *
text_table_newv(int ncols, const char **headers)
{
	struct text_table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	text_table_addv(t, headers);
	return t;
}

int
text_table_cols(const struct text_table *t)
{
	return t->ncols;
}
