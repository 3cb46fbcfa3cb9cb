/*
 * fleet.c - the fleet's job queue (see fleet.h): every statement on the
 * fleet tables of the fleet database.
 *
 * Each change is one statement (or one transaction) that decides on the
 * rows as they are in the database, never on what a host read earlier:
 * a claim picks and leases its job in one UPDATE whose subquery skips the
 * rows another claimer holds (FOR UPDATE SKIP LOCKED), so concurrent
 * claimers never wait on each other and never take the same job.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "jobs/fleet.h"
#include "store/db.h"
#include "store/run-json.h"

/* The database server's clock, ns since the epoch. */
#define NOW_NS "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000 " \
	"AS BIGINT)"

/* Any key, the same in every daemon: pg_try_advisory_xact_lock() on it
 * makes one reaper at a time across the fleet. */
#define REAPER_LOCK "7163535301"

/*
 * The statements the host's side runs, here once for both callers: the
 * synchronous calls below (the CLI) and mmstormd's claimer on its event
 * loop (daemon/fleet-claim.c, through store/pg-async.h).  Each is one
 * statement with text parameters, right under autocommit as well as in
 * a read-committed transaction.
 */

/* The queue's transactions (see queue_begin()), and the wake-ups. */
const char fleet_sql_begin[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
const char fleet_sql_commit[] = "COMMIT";
const char fleet_sql_rollback[] = "ROLLBACK";
const char fleet_sql_listen[] = "LISTEN " FLEET_CHANNEL;

/* $1 name, $2 tags (fleet_tags_normalize()), $3 build key, $4 release,
 * $5 backlog -> health */
const char fleet_sql_heartbeat[] = "INSERT INTO fleet_hosts (name, tags, "
    "build_key, release, backlog, heartbeat_ns, first_seen_ns) VALUES ($1, "
    "$2, $3, $4, $5, " NOW_NS ", " NOW_NS ") ON CONFLICT (name) DO UPDATE "
    "SET tags = excluded.tags, build_key = excluded.build_key, "
    "release = excluded.release, backlog = excluded.backlog, "
    "heartbeat_ns = excluded.heartbeat_ns RETURNING health";

/* $1 host, $2 lease ms */
const char fleet_sql_extend[] = "UPDATE fleet_jobs SET lease_until_ns = "
    NOW_NS " + CAST($2 AS BIGINT) * 1000000 WHERE lease_host = $1 AND "
    "state = 'leased'";

/* $1 host -> health */
const char fleet_sql_health[] = "SELECT health FROM fleet_hosts "
    "WHERE name = $1";

/* $1 host -> id */
const char fleet_sql_healthy[] = "UPDATE fleet_hosts SET health = 'ok' "
    "WHERE name = $1 RETURNING id";

/* $1 host, $2 build key, $3 release, $4 tags (normalized), $5 lease ms
 * -> uuid, spec, lease_until_ns: at most one row */
const char fleet_sql_claim[] = "UPDATE fleet_jobs SET state = 'leased', "
    "lease_host = $1, lease_until_ns = " NOW_NS " + "
    "CAST($5 AS BIGINT) * 1000000, "
    "lost_ns = NULL, attempts = attempts + 1 WHERE id = ("
    "SELECT j.id FROM fleet_jobs j WHERE j.state = 'queued' "
    "AND (j.kernel IS NULL OR j.kernel = $2 OR j.kernel = $3) "
    "AND (j.host IS NULL OR j.host = $1) "
    "AND NOT EXISTS (SELECT 1 FROM fleet_job_tags t WHERE "
    "t.job_id = j.id AND position(' ' || t.tag || ' ' IN $4) = 0) "
    "ORDER BY j.priority DESC, j.id LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING uuid, spec, lease_until_ns";

/* $1 host -> uuid, spec, state: the jobs the host holds, leased or lost
 * (a restarted daemon's reconciliation) */
const char fleet_sql_held[] = "SELECT uuid, spec, state FROM fleet_jobs "
    "WHERE lease_host = $1 AND state IN ('leased', 'lost') ORDER BY id";

/* $1 host, $2 uuids (a text[] literal) -> uuid: those of them that are
 * fleet jobs no longer this host's to run (re-queued elsewhere,
 * cancelled, ended): their local copies go */
const char fleet_sql_gone[] = "SELECT uuid FROM fleet_jobs WHERE uuid = "
    "ANY(CAST($2 AS TEXT[])) AND NOT (lease_host IS NOT DISTINCT FROM $1 "
    "AND state IN ('leased', 'lost'))";

/* $1 host, $2 uuid, $3 state, $4 result, $5 error -> id */
const char fleet_sql_end[] = "UPDATE fleet_jobs SET state = $3, "
    "result = $4, error = $5, ended_ns = " NOW_NS ", lease_until_ns = "
    "NULL WHERE uuid = $2 AND lease_host = $1 AND state IN ('leased', "
    "'lost') RETURNING id";

/* -> 1 locked (to the end of the transaction), 0 another holds it */
const char fleet_sql_reap_lock[] = "SELECT CAST(pg_try_advisory_xact_lock("
    REAPER_LOCK ") AS INT), 0";

/* Expired leases: the host is lost, not the job failed.  -> lost, hosts */
const char fleet_sql_reap_lost[] = "WITH l AS (UPDATE fleet_jobs SET "
    "state = 'lost', lost_ns = " NOW_NS " WHERE state = 'leased' AND "
    "lease_until_ns < " NOW_NS " RETURNING lease_host), h AS ("
    "UPDATE fleet_hosts SET health = 'unknown' WHERE name IN (SELECT "
    "lease_host FROM l) RETURNING id) SELECT (SELECT count(*) FROM l), "
    "(SELECT count(*) FROM h)";

/* Lost past the grace ($1 ms) with no report: elsewhere, or dead; a
 * job re-queued notifies the listening daemons (at the commit), as a
 * submit does.  -> requeued, dead, notified */
const char fleet_sql_reap_requeue[] = "WITH r AS (UPDATE fleet_jobs SET "
    "state = CASE WHEN "
    "attempts < max_attempts THEN 'queued' ELSE 'dead' END, error = "
    "CASE WHEN attempts < max_attempts THEN error ELSE 'lost by ' || "
    "lease_host || ' on attempt ' || attempts || ' of ' || "
    "max_attempts END, ended_ns = CASE WHEN attempts < max_attempts "
    "THEN NULL ELSE " NOW_NS " END, lease_host = NULL, "
    "lease_until_ns = NULL WHERE state = 'lost' AND lost_ns < " NOW_NS
    " - CAST($1 AS BIGINT) * 1000000 RETURNING state), "
    "n AS (SELECT pg_notify('" FLEET_CHANNEL "', 'requeued') FROM r "
    "WHERE state = 'queued' LIMIT 1) "
    "SELECT count(*) FILTER (WHERE state = 'queued'), "
    "count(*) FILTER (WHERE state = 'dead'), (SELECT count(*) FROM n) "
    "FROM r";

static int
need_postgresql(struct db *db, char **cause)
{
	if (strcmp(db->drv->name, "postgresql") == 0)
		return 0;
	return set_cause(cause, EOPNOTSUPP, "the fleet queue needs a "
	    "PostgreSQL database (--db postgresql://...), not %s",
	    db->drv->name);
}

/* The queue's transactions read committed, the isolation SKIP LOCKED is
 * made for: a row another claimer changed after this statement's
 * snapshot is re-read, not a serialization failure (the store's own
 * default is repeatable read, one snapshot per export). */
static int
queue_begin(struct db *db, char **cause)
{
	return db_exec(db, fleet_sql_begin, cause);
}

/* Ends what queue_begin() began: commit on r == 0, else roll back. */
static int
queue_end(struct db *db, int r, char **cause)
{
	if (r == 0)
		return db_commit(db, cause);
	db_rollback(db);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
fleet_tags_normalize(const char *tags, char **cause)
{
	char *copy = xstrdup(tags != NULL ? tags : ""), *save = NULL, *w, *p;
	char **words = NULL;
	size_t n = 0, i;
	struct buf out = BUF_INIT;

	for (w = strtok_r(copy, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save)) {
		for (p = w; *p != '\0'; p++) {
			*p = (char)tolower((unsigned char)*p);
			if (!isalnum((unsigned char)*p) && strchr("._:-", *p) ==
			    NULL) {
				set_cause(cause, EINVAL, "bad tag '%s': tags are "
				    "letters, digits and . _ : -", w);
				free(words);
				free(copy);
				return NULL;
			}
		}
		words = xreallocarray(words, n + 1, sizeof *words);
		words[n++] = w;
	}
	if (n > 1)              /* words is NULL without a tag */
		qsort(words, n, sizeof *words, cmp_str);
	buf_addc(&out, ' ');
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(words[i], words[i - 1]) != 0)
			buf_printf(&out, "%s ", words[i]);
	free(words);
	free(copy);
	return buf_detach(&out);
}

/* Run sql, which changes rows and returns none; its parameters are the
 * texts in args (NULL binds NULL) then, if n_int, ints. */
static int
exec_bound(struct db *db, const char *sql, const char *const *texts,
    size_t ntexts, const int64_t *ints, size_t nints, const char *what,
    char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	size_t i;
	int rc, r = 0;

	if (st == NULL)
		return -EIO;
	for (i = 0; i < ntexts; i++)
		stmt_bind_text(st, (int)i + 1, texts[i]);
	for (i = 0; i < nints; i++)
		stmt_bind_int64(st, (int)(ntexts + i) + 1, ints[i]);
	while ((rc = stmt_step(st)) == STORE_ROW)
		;
	if (rc != STORE_DONE)
		r = db_error(db, cause, what);
	stmt_finalize(st);
	return r;
}

static int
insert_tags(struct db *db, int64_t job_id, const char *norm, char **cause)
{
	char *copy = xstrdup(norm), *save = NULL, *w;
	struct stmt *st;
	int r = 0;

	if ((st = db_prepare(db, "INSERT INTO fleet_job_tags (job_id, tag) "
	    "VALUES ($1, $2)", cause)) == NULL) {
		free(copy);
		return -EIO;
	}
	for (w = strtok_r(copy, " ", &save); w != NULL && r == 0;
	    w = strtok_r(NULL, " ", &save)) {
		stmt_reset(st);
		stmt_bind_int64(st, 1, job_id);
		stmt_bind_text(st, 2, w);
		if (stmt_step(st) != STORE_DONE)
			r = db_error(db, cause, "cannot store the job's tags");
	}
	stmt_finalize(st);
	free(copy);
	return r;
}

int
fleet_submit(struct db *db, const struct fleet_job_new *job, char uuid[37],
    char **cause)
{
	struct stmt *st = NULL;
	char *tags = NULL;
	int64_t id = 0;
	int r;

	if ((r = need_postgresql(db, cause)) != 0)
		return r;
	if (job->max_attempts < 1)
		return set_cause(cause, EINVAL, "max attempts must be 1 or more");
	if ((tags = fleet_tags_normalize(job->tags, cause)) == NULL)
		return -EINVAL;
	uuid_v4(uuid);
	if ((r = queue_begin(db, cause)) != 0)
		goto out;
	st = db_prepare(db, "INSERT INTO fleet_jobs (uuid, workload, spec, "
	    "kernel, host, priority, state, max_attempts, created_ns) "
	    "VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, " NOW_NS ") "
	    "RETURNING id", cause);
	if (st == NULL) {
		r = -EIO;
		goto fail;
	}
	stmt_bind_text(st, 1, uuid);
	stmt_bind_text(st, 2, job->workload);
	stmt_bind_text(st, 3, job->spec_json);
	stmt_bind_text(st, 4, job->kernel);
	stmt_bind_text(st, 5, job->host);
	stmt_bind_int64(st, 6, job->priority);
	stmt_bind_int64(st, 7, job->max_attempts);
	if (stmt_step(st) != STORE_ROW) {
		r = db_error(db, cause, "cannot queue the fleet job");
		goto fail;
	}
	id = stmt_int64(st, 0);
	stmt_finalize(st);
	st = NULL;
	if ((r = insert_tags(db, id, tags, cause)) != 0)
		goto fail;
	/* Delivered at COMMIT; a daemon that misses it finds the job at its
	 * next poll. */
	if ((r = exec_bound(db, "SELECT pg_notify($1, $2)",
	    (const char *[]){ FLEET_CHANNEL, uuid }, 2, NULL, 0,
	    "cannot notify the fleet", cause)) != 0)
		goto fail;
	r = db_commit(db, cause);
	goto out;
fail:
	stmt_finalize(st);
	db_rollback(db);
out:
	free(tags);
	return r;
}

json_t *
fleet_jobs_json(struct db *db, const char *state, int64_t limit,
    char **cause)
{
	struct stmt *st;
	json_t *a;
	int rc;

	if (need_postgresql(db, cause) != 0)
		return NULL;
	st = db_prepare(db, "SELECT j.uuid AS job, j.workload, j.state, "
	    "j.priority, j.kernel, j.host, coalesce((SELECT string_agg(t.tag, "
	    "' ' ORDER BY t.tag) FROM fleet_job_tags t WHERE t.job_id = j.id), "
	    "'') AS tags, j.attempts, j.max_attempts, j.lease_host, "
	    "j.lease_until_ns, j.lost_ns, j.result, j.error, j.created_ns, "
	    "j.ended_ns, j.spec FROM fleet_jobs j "
	    "WHERE $1::text IS NULL OR j.state = $1 "
	    "ORDER BY j.id DESC LIMIT $2", cause);
	if (st == NULL)
		return NULL;
	stmt_bind_text(st, 1, state);
	stmt_bind_int64(st, 2, limit);
	a = json_array();
	while ((rc = stmt_step(st)) == STORE_ROW)
		json_array_append_new(a, db_row_json(st));
	if (rc != STORE_DONE) {
		db_error(db, cause, "cannot list the fleet's jobs");
		json_decref(a);
		a = NULL;
	}
	stmt_finalize(st);
	return a;
}

int
fleet_cancel(struct db *db, const char *uuid, char **cause)
{
	struct stmt *st;
	int64_t id;
	int r;

	if ((r = need_postgresql(db, cause)) != 0 ||
	    (r = db_uuid_lookup(db, "fleet_jobs", "fleet job", uuid, &id,
	    cause)) != 0 || (r = queue_begin(db, cause)) != 0)
		return r;
	st = db_prepare(db, "UPDATE fleet_jobs SET state = 'cancelled', "
	    "ended_ns = " NOW_NS ", lease_until_ns = NULL WHERE id = $1 AND "
	    "state IN ('queued', 'leased', 'lost') RETURNING id", cause);
	if (st == NULL)
		return queue_end(db, -EIO, cause);
	stmt_bind_int64(st, 1, id);
	switch (stmt_step(st)) {
	case STORE_ROW:
		r = 0;
		break;
	case STORE_DONE:
		r = set_cause(cause, EALREADY, "fleet job '%s' has ended "
		    "already", uuid);
		break;
	default:
		r = db_error(db, cause, "cannot cancel the fleet job");
	}
	stmt_finalize(st);
	return queue_end(db, r, cause);
}

int
fleet_heartbeat(struct db *db, const struct fleet_host *h, int64_t lease_ms,
    char **cause)
{
	char *tags;
	int r;

	if ((r = need_postgresql(db, cause)) != 0)
		return r;
	if ((tags = fleet_tags_normalize(h->tags, cause)) == NULL)
		return -EINVAL;
	if ((r = queue_begin(db, cause)) != 0)
		goto out;
	r = exec_bound(db, fleet_sql_heartbeat,
	    (const char *[]){ h->name, tags, h->build_key, h->release }, 4,
	    &h->backlog, 1, "cannot record the heartbeat", cause);
	if (r == 0)
		r = exec_bound(db, fleet_sql_extend, &h->name, 1, &lease_ms, 1,
		    "cannot extend the leases", cause);
	if (r == 0)
		r = db_commit(db, cause);
	else
		db_rollback(db);
out:
	free(tags);
	return r;
}

json_t *
fleet_hosts_json(struct db *db, char **cause)
{
	struct stmt *st;
	json_t *a;
	int rc;

	if (need_postgresql(db, cause) != 0)
		return NULL;
	st = db_prepare(db, "SELECT h.name AS host, trim(h.tags) AS tags, "
	    "h.build_key, h.release, h.health, h.backlog, (SELECT count(*) "
	    "FROM fleet_jobs j WHERE j.lease_host = h.name AND j.state = "
	    "'leased') AS leased, h.heartbeat_ns, " NOW_NS " - h.heartbeat_ns "
	    "AS heartbeat_age_ns, h.first_seen_ns FROM fleet_hosts h "
	    "ORDER BY h.name", cause);
	if (st == NULL)
		return NULL;
	a = json_array();
	while ((rc = stmt_step(st)) == STORE_ROW)
		json_array_append_new(a, db_row_json(st));
	if (rc != STORE_DONE) {
		db_error(db, cause, "cannot list the fleet's hosts");
		json_decref(a);
		a = NULL;
	}
	stmt_finalize(st);
	return a;
}

/* "ok", "unknown", or NULL (no such host) as *health. */
static int
host_health(struct db *db, const char *host, char **health, char **cause)
{
	struct stmt *st = db_prepare(db, fleet_sql_health, cause);
	int rc;

	*health = NULL;
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, host);
	if ((rc = stmt_step(st)) == STORE_ROW)
		*health = xstrdup(stmt_text(st, 0));
	stmt_finalize(st);
	return rc == STORE_ERROR ? db_error(db, cause,
	    "cannot read the host's health") : 0;
}

int
fleet_healthy(struct db *db, const char *host, char **cause)
{
	struct stmt *st;
	int r;

	if ((r = need_postgresql(db, cause)) != 0)
		return r;
	if ((st = db_prepare(db, fleet_sql_healthy, cause)) == NULL)
		return -EIO;
	stmt_bind_text(st, 1, host);
	switch (stmt_step(st)) {
	case STORE_ROW:
		r = 0;
		break;
	case STORE_DONE:
		r = set_cause(cause, ENOENT, "no fleet host '%s'", host);
		break;
	default:
		r = db_error(db, cause, "cannot record the health check");
	}
	stmt_finalize(st);
	return r;
}

int
fleet_claim(struct db *db, const struct fleet_host *h, int64_t lease_ms,
    struct fleet_claim *c, char **cause)
{
	struct stmt *st;
	char *health = NULL, *tags = NULL;
	int r, rc;

	memset(c, 0, sizeof *c);
	if ((r = need_postgresql(db, cause)) != 0 ||
	    (r = host_health(db, h->name, &health, cause)) != 0)
		return r;
	if (health == NULL)
		return set_cause(cause, ENOENT, "fleet host '%s' has not "
		    "reported yet: heartbeat first", h->name);
	if (strcmp(health, "ok") != 0) {
		c->health_check = 1;
		free(health);
		return 0;
	}
	free(health);
	if ((tags = fleet_tags_normalize(h->tags, cause)) == NULL)
		return -EINVAL;
	if ((r = queue_begin(db, cause)) != 0) {
		free(tags);
		return r;
	}
	st = db_prepare(db, fleet_sql_claim, cause);
	if (st == NULL) {
		free(tags);
		return queue_end(db, -EIO, cause);
	}
	stmt_bind_text(st, 1, h->name);
	stmt_bind_text(st, 2, h->build_key);
	stmt_bind_text(st, 3, h->release);
	stmt_bind_text(st, 4, tags);
	stmt_bind_int64(st, 5, lease_ms);
	if ((rc = stmt_step(st)) == STORE_ROW) {
		snprintf(c->uuid, sizeof c->uuid, "%s", stmt_text(st, 0));
		c->spec_json = xstrdup(stmt_text(st, 1));
		c->lease_until_ns = stmt_int64(st, 2);
	} else if (rc != STORE_DONE)
		r = db_error(db, cause, "cannot claim a fleet job");
	stmt_finalize(st);
	free(tags);
	if ((r = queue_end(db, r, cause)) != 0)
		fleet_claim_release(c);
	return r;
}

void
fleet_claim_release(struct fleet_claim *c)
{
	free(c->spec_json);
	memset(c, 0, sizeof *c);
}

int
fleet_end(struct db *db, const char *host, const char *uuid,
    const char *state, const char *result_json, const char *error,
    char **cause)
{
	struct stmt *st;
	int r;

	if ((r = need_postgresql(db, cause)) != 0)
		return r;
	if (strcmp(state, "done") != 0 && strcmp(state, "failed") != 0)
		return set_cause(cause, EINVAL, "a fleet job ends 'done' or "
		    "'failed', not '%s'", state);
	if ((r = queue_begin(db, cause)) != 0)
		return r;
	if ((st = db_prepare(db, fleet_sql_end, cause)) == NULL)
		return queue_end(db, -EIO, cause);
	stmt_bind_text(st, 1, host);
	stmt_bind_text(st, 2, uuid);
	stmt_bind_text(st, 3, state);
	stmt_bind_text(st, 4, result_json);
	stmt_bind_text(st, 5, error);
	switch (stmt_step(st)) {
	case STORE_ROW:
		r = 0;
		break;
	case STORE_DONE:
		r = set_cause(cause, ESTALE, "fleet job '%s' is no longer "
		    "leased to '%s'", uuid, host);
		break;
	default:
		r = db_error(db, cause, "cannot end the fleet job");
	}
	stmt_finalize(st);
	return queue_end(db, r, cause);
}

/* The counts one reaper statement returns in its one row. */
static int
reap_step(struct db *db, const char *sql, int64_t grace_ms, int64_t *a,
    int64_t *b, char **cause)
{
	struct stmt *st = db_prepare(db, sql, cause);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (stmt_param_count(st) > 0)
		stmt_bind_int64(st, 1, grace_ms);
	if (stmt_step(st) != STORE_ROW)
		r = db_error(db, cause, "cannot reap the fleet's leases");
	else {
		*a = stmt_int64(st, 0);
		if (b != NULL)
			*b = stmt_int64(st, 1);
	}
	stmt_finalize(st);
	return r;
}

int
fleet_reap(struct db *db, int64_t grace_ms, struct fleet_reaped *out,
    char **cause)
{
	int64_t locked = 0;
	int r;

	memset(out, 0, sizeof *out);
	if ((r = need_postgresql(db, cause)) != 0 ||
	    (r = queue_begin(db, cause)) != 0)
		return r;
	/* Held to the end of this transaction; another daemon's reaper
	 * meanwhile skips its turn. */
	if ((r = reap_step(db, fleet_sql_reap_lock, 0, &locked, NULL,
	    cause)) != 0 ||
	    !locked)
		goto out;
	out->ran = 1;
	/* Expired leases: the host is lost, not the job failed. */
	if ((r = reap_step(db, fleet_sql_reap_lost, 0, &out->lost, NULL,
	    cause)) != 0)
		goto out;
	/* Lost past the grace with no report: elsewhere, or dead. */
	r = reap_step(db, fleet_sql_reap_requeue, grace_ms, &out->requeued,
	    &out->dead, cause);
out:
	return queue_end(db, r, cause);
}
