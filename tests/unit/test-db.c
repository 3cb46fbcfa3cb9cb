/* test-db.c - schema, migrations and the sample encoding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "store/db.h"
#include "unit.h"

static char *
tmp_db(const char *name)
{
	char *path = xasprintf("%s/%s", unit_tmpdir(), name);

	remove(path);
	return path;
}

static int
table_exists(struct db *db, const char *name)
{
	struct stmt *st = db_prepare(db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = $1", NULL);
	int found;

	stmt_bind_text(st, 1, name);
	found = stmt_step(st) == STORE_ROW;
	stmt_finalize(st);
	return found;
}

static const char *
pragma_text(struct db *db, const char *sql)
{
	static char out[64];
	struct stmt *st = db_prepare(db, sql, NULL);

	out[0] = '\0';
	if (st != NULL && stmt_step(st) == STORE_ROW)
		snprintf(out, sizeof out, "%s", stmt_text(st, 0));
	stmt_finalize(st);
	return out;
}

TEST(db_schema_from_empty)
{
	char *path = tmp_db("empty.db"), *cause = NULL;
	struct db *db;

	CHECK_INT_EQ(db_open(path, DB_CREATE, &db, &cause), 0);
	CHECK_INT_EQ(db_schema_version(db), db_latest_version());
	CHECK(table_exists(db, "runs"));
	CHECK(table_exists(db, "knobs"));
	CHECK_STR_EQ(pragma_text(db, "PRAGMA journal_mode"), "wal");
	CHECK_STR_EQ(pragma_text(db, "PRAGMA synchronous"), "2"); /* FULL */
	CHECK_STR_EQ(pragma_text(db, "PRAGMA foreign_keys"), "1");
	CHECK_STR_EQ(pragma_text(db, "PRAGMA integrity_check"), "ok");
	CHECK_STR_EQ(pragma_text(db, "PRAGMA page_size"), "16384");
	db_close(db);
	/* Re-open: nothing to migrate, same version. */
	CHECK_INT_EQ(db_open(path, 0, &db, &cause), 0);
	CHECK_INT_EQ(db_schema_version(db), db_latest_version());
	db_close(db);
	free(path);
}

TEST(db_missing_file_without_create)
{
	char *path = tmp_db("absent.db"), *cause = NULL;
	struct db *db;

	CHECK_INT_EQ(db_open(path, 0, &db, &cause), -ENOENT);
	CHECK_STR_CONTAINS(cause, "no database at");
	free(cause);
	free(path);
}

TEST(db_migrates_v1_keeping_rows)
{
	char *path = tmp_db("v1.db"), *cause = NULL;
	struct db *db;

	CHECK_INT_EQ(db_open_version(path, DB_CREATE, 1, &db, &cause), 0);
	CHECK_INT_EQ(db_schema_version(db), 1);
	CHECK(!table_exists(db, "knobs"));
	CHECK_INT_EQ(db_exec(db, "INSERT INTO kernels (build_key, release, "
	    "version, cmdline, first_seen_ns) VALUES ('k', '6.1', 'v', '', 1);"
	    "INSERT INTO hosts (machine_id, hostname, cpus_possible, "
	    "numa_nodes, nodes, mem_total_kb, first_seen_ns) VALUES ('m', "
	    "'h', 2, 1, '[]', 1, 1); INSERT INTO runs (uuid, workload, "
	    "params, state, kernel_id, host_id, boot_id, created_ns) VALUES "
	    "('u1', 'thp-munmap', '{}', 'passed', 1, 1, 'b', 1)", &cause), 0);
	db_close(db);
	CHECK_INT_EQ(db_open(path, 0, &db, &cause), 0);
	CHECK_INT_EQ(db_schema_version(db), db_latest_version());
	CHECK(table_exists(db, "knobs"));
	CHECK_STR_EQ(pragma_text(db, "SELECT uuid || state FROM runs"),
	    "u1passed");
	CHECK_STR_EQ(pragma_text(db, "SELECT count(pid) FROM runs"), "0");
	db_close(db);
	free(path);
}

TEST(db_refuses_newer_schema)
{
	char *path = tmp_db("newer.db"), *cause = NULL, *sql;
	struct db *db;

	CHECK_INT_EQ(db_open(path, DB_CREATE, &db, &cause), 0);
	sql = xasprintf("PRAGMA user_version = %d", db_latest_version() + 1);
	CHECK_INT_EQ(db_exec(db, sql, &cause), 0);
	free(sql);
	db_close(db);
	CHECK_INT_EQ(db_open(path, 0, &db, &cause), -EPROTO);
	CHECK_STR_CONTAINS(cause, "newer than this mmstorm knows");
	free(cause);
	free(path);
}

TEST(db_rejects_a_file_that_is_not_a_database)
{
	char *path = tmp_db("junk.db"), *cause = NULL;
	struct db *db;
	FILE *f = fopen(path, "w");

	fputs("this is not sqlite, just text long enough to be a header......"
	    "................................................................",
	    f);
	fclose(f);
	CHECK(db_open(path, 0, &db, &cause) < 0);
	CHECK_STR_CONTAINS(cause, "not an mmstorm database");
	free(cause);
	free(path);
}

TEST(db_sample_blob_round_trip)
{
	int64_t in[] = { 0, 1, -1, 63, 64, -65, 300, INT64_MAX, INT64_MIN,
		123456789012LL };
	int64_t out[10];
	struct buf b = BUF_INIT;

	sample_encode(&b, in, 10);
	CHECK_INT_EQ(sample_decode(b.s, b.len, out, 10), 10);
	for (int i = 0; i < 10; i++)
		CHECK_INT_EQ(out[i], in[i]);
	/* small values take one byte each */
	buf_reset(&b);
	sample_encode(&b, in, 4);
	CHECK_INT_EQ(b.len, 4);
	/* a truncated varint is malformed */
	buf_reset(&b);
	sample_encode(&b, &in[7], 1);
	CHECK_INT_EQ(sample_decode(b.s, b.len - 1, out, 1), -EINVAL);
	buf_release(&b);
}
