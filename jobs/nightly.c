/*
 * nightly.c - the nightly driver's state in the database (nightly.h,
 * schema/0011-nightly.sql): the builds of a config, the rounds run on
 * them, the bisects.  Each write is one short statement, made when the
 * step it records has finished.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/nightly.h"
#include "store/db.h"

static const char *const purpose_names[] = { "baseline", "test", "bisect",
	"confirm", NULL };
static const char *const verdict_names[] = { "baseline", "good", "bad",
	"error", NULL };
static const char *const bisect_state_names[] = { "bisecting", "confirming",
	"confirmed", "inconclusive", NULL };

const char *
nightly_purpose_name(enum nightly_purpose p)
{
	return purpose_names[p];
}

const char *
nightly_verdict_name(enum nightly_verdict v)
{
	return verdict_names[v];
}

const char *
nightly_bisect_state_name(enum nightly_bisect_state s)
{
	return bisect_state_names[s];
}

/* Index of text in names; 0 (the first) for anything else, which the
 * schema's CHECKs rule out. */
static int
name_index(const char *const *names, const char *text)
{
	int i;

	for (i = 0; text != NULL && names[i] != NULL; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return 0;
}

/* The index of build id in st, or NIGHTLY_NONE. */
static size_t
build_index(const struct nightly_state *st, int64_t id)
{
	size_t i;

	for (i = 0; i < st->nbuilds; i++)
		if (st->builds[i].id == id)
			return i;
	return NIGHTLY_NONE;
}

static int64_t
build_id(const struct nightly_state *st, size_t i)
{
	return i == NIGHTLY_NONE ? 0 : st->builds[i].id;
}

static void
bind_build(struct stmt *st, int i, const struct nightly_state *s, size_t b)
{
	if (b == NIGHTLY_NONE)
		stmt_bind_null(st, i);
	else
		stmt_bind_int64(st, i, s->builds[b].id);
}

/* Every build of the list in the table at its position; builds the
 * config no longer lists move to position -1 and drop out of the state. */
static int
sync_builds(struct db *db, const struct nightly_config *c, char **cause)
{
	struct stmt *st = NULL;
	size_t i;
	int r;

	if ((r = db_begin(db, cause)) != 0)
		return r;
	st = db_prepare(db, "UPDATE nightly_builds SET position = -1 "
	    "WHERE config = $1", cause);
	if (st == NULL)
		goto fail;
	stmt_bind_text(st, 1, c->name);
	if ((r = db_step_done(db, st, "cannot record the builds", cause)) != 0)
		goto fail;
	for (i = 0; i < c->nbuilds; i++) {
		st = db_prepare(db, "INSERT INTO nightly_builds (config, build, "
		    "position) VALUES ($1, $2, $3) ON CONFLICT (config, build) "
		    "DO UPDATE SET position = excluded.position", cause);
		if (st == NULL)
			goto fail;
		stmt_bind_text(st, 1, c->name);
		stmt_bind_text(st, 2, c->builds[i]);
		stmt_bind_int64(st, 3, (int64_t)i);
		if ((r = db_step_done(db, st, "cannot record the builds",
		    cause)) != 0)
			goto fail;
	}
	return db_commit(db, cause);
fail:
	db_rollback(db);
	return r != 0 ? r : -EIO;
}

static int
load_builds(struct db *db, const struct nightly_config *c,
    struct nightly_state *s, char **cause)
{
	struct stmt *st;
	struct nightly_build *b;
	int r;

	st = db_prepare(db, "SELECT id, build, kernel_id FROM nightly_builds "
	    "WHERE config = $1 AND position >= 0 ORDER BY position", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, c->name);
	while ((r = stmt_step(st)) == STORE_ROW) {
		s->builds = xreallocarray(s->builds, s->nbuilds + 1,
		    sizeof *s->builds);
		b = &s->builds[s->nbuilds++];
		b->id = stmt_int64(st, 0);
		b->build = xstrdup(stmt_text(st, 1));
		b->kernel_id = stmt_type(st, 2) == STORE_NULL ? 0 :
		    stmt_int64(st, 2);
	}
	if (r != STORE_DONE)
		r = db_error(db, cause, "cannot read the builds");
	stmt_finalize(st);
	return r;
}

static int
load_rounds(struct db *db, const struct nightly_config *c,
    struct nightly_state *s, char **cause)
{
	struct stmt *st;
	struct nightly_round *rd;
	size_t b;
	int r;

	st = db_prepare(db, "SELECT r.build_id, r.against_id, r.purpose, "
	    "r.verdict, r.detail, r.runs, r.started_ns, r.ended_ns "
	    "FROM nightly_rounds r JOIN nightly_builds b ON b.id = r.build_id "
	    "WHERE b.config = $1 ORDER BY r.id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, c->name);
	while ((r = stmt_step(st)) == STORE_ROW) {
		/* Rounds of builds the config no longer lists are history. */
		if ((b = build_index(s, stmt_int64(st, 0))) == NIGHTLY_NONE)
			continue;
		s->rounds = xreallocarray(s->rounds, s->nrounds + 1,
		    sizeof *s->rounds);
		rd = &s->rounds[s->nrounds++];
		rd->build = b;
		rd->against = stmt_type(st, 1) == STORE_NULL ? NIGHTLY_NONE :
		    build_index(s, stmt_int64(st, 1));
		rd->purpose = name_index(purpose_names, stmt_text(st, 2));
		rd->verdict = name_index(verdict_names, stmt_text(st, 3));
		rd->detail = stmt_text(st, 4) ? xstrdup(stmt_text(st, 4)) :
		    NULL;
		rd->runs = stmt_int64(st, 5);
		rd->started_ns = stmt_int64(st, 6);
		rd->ended_ns = stmt_int64(st, 7);
	}
	if (r != STORE_DONE)
		r = db_error(db, cause, "cannot read the rounds");
	stmt_finalize(st);
	return r;
}

static int64_t
column_or_zero(struct stmt *st, int col)
{
	return stmt_type(st, col) == STORE_NULL ? 0 : stmt_int64(st, col);
}

static int
load_bisects(struct db *db, const struct nightly_config *c,
    struct nightly_state *s, char **cause)
{
	struct stmt *st;
	struct nightly_bisect *b;
	int r;

	st = db_prepare(db, "SELECT id, good_id, bad_id, state, culprit_id, "
	    "parent_id, detail, created_ns, ended_ns, reported_ns "
	    "FROM nightly_bisects WHERE config = $1 ORDER BY id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, c->name);
	while ((r = stmt_step(st)) == STORE_ROW) {
		size_t good = build_index(s, stmt_int64(st, 1));
		size_t bad = build_index(s, stmt_int64(st, 2));

		if (good == NIGHTLY_NONE || bad == NIGHTLY_NONE)
			continue;
		s->bisects = xreallocarray(s->bisects, s->nbisects + 1,
		    sizeof *s->bisects);
		b = &s->bisects[s->nbisects++];
		b->id = stmt_int64(st, 0);
		b->good = good;
		b->bad = bad;
		b->state = name_index(bisect_state_names, stmt_text(st, 3));
		b->culprit = build_index(s, column_or_zero(st, 4));
		b->parent = build_index(s, column_or_zero(st, 5));
		b->detail = stmt_text(st, 6) ? xstrdup(stmt_text(st, 6)) :
		    NULL;
		b->created_ns = stmt_int64(st, 7);
		b->ended_ns = column_or_zero(st, 8);
		b->reported_ns = column_or_zero(st, 9);
	}
	if (r != STORE_DONE)
		r = db_error(db, cause, "cannot read the bisects");
	stmt_finalize(st);
	return r;
}

int
nightly_state_load(struct db *db, const struct nightly_config *c,
    struct nightly_state *s, char **cause)
{
	int r;

	memset(s, 0, sizeof *s);
	if ((r = sync_builds(db, c, cause)) != 0 ||
	    (r = load_builds(db, c, s, cause)) != 0 ||
	    (r = load_rounds(db, c, s, cause)) != 0 ||
	    (r = load_bisects(db, c, s, cause)) != 0)
		nightly_state_release(s);
	return r;
}

void
nightly_state_release(struct nightly_state *s)
{
	size_t i;

	for (i = 0; i < s->nbuilds; i++)
		free(s->builds[i].build);
	for (i = 0; i < s->nrounds; i++)
		free(s->rounds[i].detail);
	for (i = 0; i < s->nbisects; i++)
		free(s->bisects[i].detail);
	free(s->builds);
	free(s->rounds);
	free(s->bisects);
	memset(s, 0, sizeof *s);
}

int
nightly_round_add(struct db *db, const struct nightly_state *s,
    const struct nightly_round *rd, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO nightly_rounds (build_id, against_id, "
	    "purpose, verdict, detail, runs, started_ns, ended_ns) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, build_id(s, rd->build));
	bind_build(st, 2, s, rd->against);
	stmt_bind_text(st, 3, purpose_names[rd->purpose]);
	stmt_bind_text(st, 4, verdict_names[rd->verdict]);
	stmt_bind_text(st, 5, rd->detail);
	stmt_bind_int64(st, 6, rd->runs);
	stmt_bind_int64(st, 7, rd->started_ns);
	stmt_bind_int64(st, 8, rd->ended_ns);
	return db_step_done(db, st, "cannot record the round", cause);
}

int
nightly_runs_kernel(struct db *db, char *const *uuids, size_t n,
    int64_t *kernel_id, char **cause)
{
	struct stmt *st;
	size_t i;
	int r = 0;

	*kernel_id = 0;
	if ((st = db_prepare(db, "SELECT kernel_id FROM runs WHERE uuid = $1",
	    cause)) == NULL)
		return -EIO;
	for (i = 0; i < n && r == 0; i++) {
		stmt_reset(st);
		stmt_bind_text(st, 1, uuids[i]);
		if (stmt_step(st) != STORE_ROW)
			r = set_cause(cause, ENOENT, "run '%s' is not stored",
			    uuids[i]);
		else if (*kernel_id != 0 && stmt_int64(st, 0) != *kernel_id)
			r = set_cause(cause, EINVAL, "the runs are of more "
			    "than one kernel build (run '%s')", uuids[i]);
		else
			*kernel_id = stmt_int64(st, 0);
	}
	stmt_finalize(st);
	return r;
}

int
nightly_build_set_kernel(struct db *db, int64_t id, int64_t kernel_id,
    char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "UPDATE nightly_builds SET kernel_id = $2 "
	    "WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, id);
	stmt_bind_int64(st, 2, kernel_id);
	return db_step_done(db, st, "cannot record the build's kernel", cause);
}

int
nightly_bisect_open(struct db *db, const struct nightly_config *c,
    const struct nightly_state *s, size_t good, size_t bad, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "INSERT INTO nightly_bisects (config, good_id, "
	    "bad_id, state, created_ns) VALUES ($1, $2, $3, 'bisecting', $4)",
	    cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, c->name);
	stmt_bind_int64(st, 2, build_id(s, good));
	stmt_bind_int64(st, 3, build_id(s, bad));
	stmt_bind_int64(st, 4, now_real_ns());
	return db_step_done(db, st, "cannot open the bisect", cause);
}

int
nightly_bisect_update(struct db *db, const struct nightly_state *s,
    const struct nightly_bisect *b, char **cause)
{
	struct stmt *st;
	int final = b->state == NIGHTLY_CONFIRMED ||
	    b->state == NIGHTLY_INCONCLUSIVE;

	st = db_prepare(db, "UPDATE nightly_bisects SET state = $2, "
	    "culprit_id = $3, parent_id = $4, detail = $5, ended_ns = $6 "
	    "WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, b->id);
	stmt_bind_text(st, 2, bisect_state_names[b->state]);
	bind_build(st, 3, s, b->culprit);
	bind_build(st, 4, s, b->parent);
	stmt_bind_text(st, 5, b->detail);
	if (final)
		stmt_bind_int64(st, 6, now_real_ns());
	else
		stmt_bind_null(st, 6);
	return db_step_done(db, st, "cannot record the bisect", cause);
}

int
nightly_bisect_reported(struct db *db, int64_t id, char **cause)
{
	struct stmt *st;

	st = db_prepare(db, "UPDATE nightly_bisects SET reported_ns = $2 "
	    "WHERE id = $1", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_int64(st, 1, id);
	stmt_bind_int64(st, 2, now_real_ns());
	return db_step_done(db, st, "cannot record the report", cause);
}
