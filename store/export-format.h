/*
 * export-format.h - the line types of an export, shared by the writer
 * (export.c) and the reader (import.c); docs/export-format.md.
 *
 * Both sides are driven by one table: the columns of each line, in the
 * order they are written, with the query that reads them and the
 * statement that stores them.
 */
#ifndef MMSTORM_EXPORT_FORMAT_H
#define MMSTORM_EXPORT_FORMAT_H

#include <stddef.h>

enum col_type {
	COL_INT,
	COL_REAL,     /* non-finite values as the strings "inf", "-inf" */
	COL_TEXT,     /* a string, or {"base64": ...} when not UTF-8 */
	COL_RUN,      /* the uuid of the run whose lines these are */
	COL_KERNEL,   /* the build_key of a kernel line before it */
	COL_HOST,     /* the ref of a host line before it */
	COL_INTS,     /* array of integers (sample values) */
	COL_TEXTS,    /* array of strings (counter names, kinds, units) */
};

struct column {
	const char *name;
	enum col_type type;
	int nullable;
	const char *const *allowed;   /* text values the schema CHECKs */
};

enum line_kind {
	LT_KERNEL,
	LT_HOST,
	LT_RUN,
	LT_COUNTERS,
	LT_SAMPLE,
	LT_METRIC,
	LT_VALUE,
	LT_EVENT,
	LT_UNAVAILABLE,
	LT_ARTIFACT,
	LT_KNOB,
	LT_HEADER,
	LT_END,
	LT_COUNT
};

struct line_type {
	const char *name;
	const char *table;
	const struct column *cols;
	size_t ncols;
	/* Export: the rows, $1 the run id (kernel, host: their own id),
	 * one result column per column above. */
	const char *select;
	/* Import: ?N is column N. */
	const char *insert;
};

extern const struct line_type export_line_types[LT_COUNT];

#endif
