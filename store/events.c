/* events.c - the daemon's lookups around kernel-log events, and their
 * retitling by a newer classifier. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmsg/kmsg.h"
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

/* One event whose stored kind, title or signature the classifier changes. */
struct retitle {
	int64_t id;
	const char *kind;
	char *title, *signature;
};

static void
retitles_free(struct retitle *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].signature);
	}
	free(v);
}

/* The kernel-log events whose text gives another kind, title or signature. */
static int
retitle_collect(struct db *db, struct retitle **out, size_t *nout,
    int64_t *seen, char **cause)
{
	struct stmt *st = db_prepare(db, "SELECT id, kind, title, signature, "
	    "text FROM events WHERE source IN ('kmsg', 'pstore') ORDER BY id",
	    cause);
	struct retitle *v = NULL;
	struct kmsg_retitled rt;
	size_t n = 0, cap = 0;
	int r;

	if (st == NULL)
		return -EIO;
	while ((r = stmt_step(st)) == STORE_ROW) {
		(*seen)++;
		if (kmsg_retitle(stmt_text(st, 4), &rt) != 0)
			continue;
		if (strcmp(rt.kind, stmt_text(st, 1)) == 0 &&
		    strcmp(rt.title, stmt_text(st, 2)) == 0 &&
		    strcmp(rt.signature, stmt_text(st, 3)) == 0) {
			free(rt.title);
			free(rt.signature);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].id = stmt_int64(st, 0);
		v[n].kind = rt.kind;
		v[n].title = rt.title;
		v[n++].signature = rt.signature;
	}
	if (r != STORE_DONE) {
		r = db_error(db, cause, "reading events");
		stmt_finalize(st);
		retitles_free(v, n);
		return r;
	}
	stmt_finalize(st);
	*out = v;
	*nout = n;
	return 0;
}

int
db_events_retitle(struct db *db, int dry_run, int64_t *seen,
    int64_t *changed, char **cause)
{
	struct retitle *v = NULL;
	struct stmt *st = NULL;
	size_t n = 0, i;
	int r;

	*seen = *changed = 0;
	if ((r = retitle_collect(db, &v, &n, seen, cause)) != 0)
		return r;
	*changed = (int64_t)n;
	if (dry_run || n == 0)
		goto out;
	if ((r = db_begin(db, cause)) != 0)
		goto out;
	st = db_prepare(db, "UPDATE events SET kind = $1, title = $2, "
	    "signature = $3 WHERE id = $4", cause);
	if (st == NULL) {
		r = -EIO;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		stmt_reset(st);
		stmt_bind_text(st, 1, v[i].kind);
		stmt_bind_text(st, 2, v[i].title);
		stmt_bind_text(st, 3, v[i].signature);
		stmt_bind_int64(st, 4, v[i].id);
		if (stmt_step(st) != STORE_DONE) {
			r = db_error(db, cause, "retitling events");
			goto fail;
		}
	}
	stmt_finalize(st);
	st = NULL;
	r = db_commit(db, cause);
	goto out;
fail:
	stmt_finalize(st);
	db_rollback(db);
out:
	retitles_free(v, n);
	return r;
}
