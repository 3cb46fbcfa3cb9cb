/* events.c - the daemon's lookups around kernel-log events. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"
#include "store/db.h"
#include "store/events.h"
#include "store/run-json.h"

int64_t
db_daemon_state_get(struct db *db, const char *key, int64_t dflt)
{
	struct stmt *st = db_prepare(db, "SELECT value FROM daemon_state "
	    "WHERE key = $1", NULL);
	int64_t v = dflt;

	if (st == NULL)
		return dflt;
	stmt_bind_text(st, 1, key);
	if (stmt_step(st) == STORE_ROW &&
	    parse_int64(stmt_text(st, 0), &v) != 0)
		v = dflt;
	stmt_finalize(st);
	return v;
}

int
db_daemon_state_set(struct db *db, const char *key, int64_t value,
    char **cause)
{
	struct stmt *st = db_prepare(db, "INSERT INTO daemon_state (key, "
	    "value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value", cause);
	char text[32];
	int r = 0;

	if (st == NULL)
		return -EIO;
	snprintf(text, sizeof text, "%" PRId64, value);
	stmt_bind_text(st, 1, key);
	stmt_bind_text(st, 2, text);
	if (stmt_step(st) != STORE_DONE)
		r = db_error(db, cause, "cannot store daemon state");
	stmt_finalize(st);
	return r;
}

int64_t
db_run_at(struct db *db, const char *boot_id, int64_t t_ns)
{
	struct stmt *st = db_prepare(db, "SELECT id FROM runs WHERE "
	    "boot_id = $1 AND started_ns <= $2 AND (ended_ns IS NULL OR "
	    "ended_ns >= $2) ORDER BY id DESC LIMIT 1", NULL);
	int64_t id = 0;

	if (st == NULL)
		return 0;
	stmt_bind_text(st, 1, boot_id);
	stmt_bind_int64(st, 2, t_ns);
	if (stmt_step(st) == STORE_ROW)
		id = stmt_int64(st, 0);
	stmt_finalize(st);
	return id;
}

int
db_run_crashed_before(struct db *db, const char *this_boot, int64_t *run,
    int64_t *kernel_id, char **boot)
{
	struct stmt *st = db_prepare(db, "SELECT id, kernel_id, boot_id "
	    "FROM runs WHERE state = 'crashed' AND boot_id <> $1 AND id NOT IN "
	    "(SELECT run_id FROM events WHERE source = 'pstore' AND run_id IS "
	    "NOT NULL) ORDER BY id DESC LIMIT 1", NULL);
	int found = 0;

	if (st == NULL)
		return 0;
	stmt_bind_text(st, 1, this_boot);
	if (stmt_step(st) == STORE_ROW) {
		*run = stmt_int64(st, 0);
		*kernel_id = stmt_int64(st, 1);
		*boot = xstrdup(stmt_text(st, 2));
		found = 1;
	}
	stmt_finalize(st);
	return found;
}

int64_t
db_run_kmsg_event_count(struct db *db, int64_t run, const char *kind,
    const char *title)
{
	struct stmt *st = db_prepare(db, "SELECT count(*) FROM events "
	    "WHERE run_id = $1 AND source = 'kmsg' AND kind = $2 AND "
	    "title = $3", NULL);
	int64_t n = 0;

	if (st == NULL)
		return 0;
	stmt_bind_int64(st, 1, run);
	stmt_bind_text(st, 2, kind);
	stmt_bind_text(st, 3, title);
	if (stmt_step(st) == STORE_ROW)
		n = stmt_int64(st, 0);
	stmt_finalize(st);
	return n;
}

json_t *
db_run_events_brief(struct db *db, int64_t run)
{
	return db_query_all(db, "SELECT kind, title, source, t_ns FROM events "
	    "WHERE run_id = $1 ORDER BY id", run, NULL);
}
