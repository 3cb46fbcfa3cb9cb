/* test-driver.c - the store's driver interface on SQLite: URLs, $N
 * parameters, types, NULL and blobs as the store's SQL uses them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/db.h"
#include "store/driver.h"
#include "unit.h"

TEST(driver_opens_by_url)
{
	char *path = xasprintf("%s/url.db", unit_tmpdir());
	char *url = xasprintf("sqlite:%s", path), *cause = NULL;
	struct db *db = NULL;

	remove(path);
	CHECK_INT_EQ(db_open(url, DB_CREATE, &db, &cause), 0);
	CHECK_STR_EQ(db->drv->name, "sqlite");
	CHECK_STR_EQ(db->path, path);          /* messages name the file */
	db_close(db);
	/* A plain path is the same file. */
	CHECK_INT_EQ(db_open(path, 0, &db, &cause), 0);
	db_close(db);
	CHECK_INT_EQ(db_open("mysql://localhost/lab", 0, &db, &cause),
	    -EINVAL);
	CHECK_STR_CONTAINS(cause, "no database driver");
	free(cause);
	free(url);
	free(path);
}

/* A URL's password never reaches a message, wherever the URL has it. */
TEST(driver_masks_postgresql_passwords)
{
	static const char *const urls[] = {
		"postgresql://lab:s3cret@/lab?host=/nonexistent-mmstorm",
		"postgres:///lab?host=/nonexistent-mmstorm&password=s3cret",
		"postgresql:///lab?password=s3cret&host=/nonexistent-mmstorm",
	};
	struct db *db = NULL;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		CHECK_INT_EQ(db_open(urls[i], 0, &db, &cause), -ECONNREFUSED);
		CHECK(db == NULL);
		CHECK_STR_CONTAINS(cause, "cannot connect to database");
		CHECK_STR_CONTAINS(cause, "***");
		CHECK(strstr(cause, "s3cret") == NULL);
		free(cause);
		cause = NULL;
	}
}

TEST(driver_numbers_parameters_as_postgresql_does)
{
	struct db *db = unit_fresh_db("params.db");
	struct stmt *st;

	/* $2 before $1, a '$1' inside a string literal and a "$1" quoted
	 * identifier: only the parameters are parameters. */
	st = store_prepare(db, "SELECT $2 || '-' || $1, '$1', 1 AS \"$1\"",
	    NULL);
	CHECK(st != NULL);
	CHECK_INT_EQ(stmt_param_count(st), 2);
	stmt_bind_text(st, 1, "one");
	stmt_bind_text(st, 2, "two");
	CHECK_INT_EQ(stmt_step(st), STORE_ROW);
	CHECK_STR_EQ(stmt_text(st, 0), "two-one");
	CHECK_STR_EQ(stmt_text(st, 1), "$1");
	CHECK_STR_EQ(stmt_column_name(st, 2), "$1");
	CHECK_INT_EQ(stmt_step(st), STORE_DONE);
	stmt_finalize(st);
	db_close(db);
}

TEST(driver_types_null_and_blobs)
{
	struct db *db = unit_fresh_db("types.db");
	struct stmt *st;
	char text[4] = "abc";

	st = store_prepare(db, "SELECT $1, $2, $3, $4, $5", NULL);
	stmt_bind_int64(st, 1, INT64_C(-9007199254740993));
	stmt_bind_double(st, 2, 0.25);
	/* Bound values are copied: the buffer may change before the step. */
	stmt_bind_text(st, 3, text);
	text[0] = 'X';
	stmt_bind_blob(st, 4, "", 0);          /* empty, not NULL */
	stmt_bind_text(st, 5, NULL);           /* NULL */
	CHECK_INT_EQ(stmt_step(st), STORE_ROW);
	CHECK_INT_EQ(stmt_type(st, 0), STORE_INTEGER);
	CHECK(stmt_int64(st, 0) == INT64_C(-9007199254740993));
	CHECK_INT_EQ(stmt_type(st, 1), STORE_FLOAT);
	CHECK(stmt_double(st, 1) == 0.25);
	CHECK_STR_EQ(stmt_text(st, 2), "abc");
	CHECK_INT_EQ(stmt_type(st, 3), STORE_BLOB);
	CHECK_INT_EQ((long)stmt_bytes(st, 3), 0);
	CHECK_INT_EQ(stmt_type(st, 4), STORE_NULL);
	CHECK(stmt_text(st, 4) == NULL);
	stmt_finalize(st);
	/* A failing statement says so through db_error(). */
	CHECK(store_prepare(db, "SELECT FROM nowhere", NULL) == NULL);
	stmt_finalize(NULL);                   /* accepts NULL */
	db_close(db);
}
