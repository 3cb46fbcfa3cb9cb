/* table.h - aligned text tables (numeric columns right-aligned), as the
 * CLI prints them and text reports embed them. */
#ifndef MMSTORM_TABLE_H
#define MMSTORM_TABLE_H

#include <stddef.h>

struct buf;
struct text_table;

struct text_table *text_table_new(int ncols, ...);   /* the header row */
struct text_table *text_table_newv(int ncols, const char **headers);
void text_table_addv(struct text_table *, const char **cells);
void text_table_add(struct text_table *, ...);       /* ncols strings */
void text_table_print(struct text_table *, struct buf *);
void text_table_free(struct text_table *);
/* Rows including the header. */
size_t text_table_rows(const struct text_table *);
int text_table_cols(const struct text_table *);

#endif
