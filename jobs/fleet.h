/*
 * fleet.h - the fleet's job queue: every statement on the fleet tables
 * (schema/postgresql/0012-fleet-queue.sql; docs/fleet.md).
 *
 * A fleet job's states and who moves it:
 *   queued -> leased      fleet_claim(): a host whose kernel, tags and
 *                         name fit takes it (FOR UPDATE SKIP LOCKED)
 *   leased -> leased      fleet_heartbeat(): the holder extends the lease
 *   leased -> done|failed fleet_end(): the holder reports how it ended
 *   leased -> lost        fleet_reap(): the lease expired; the host is
 *                         lost (its health becomes unknown), the job did
 *                         not fail
 *   lost -> done|failed   fleet_end(): the host came back and reported
 *                         (a crashed run is the job's result)
 *   lost -> queued|dead   fleet_reap(): no report within the grace;
 *                         re-queued while attempts < max_attempts
 *   queued|leased|lost -> cancelled    fleet_cancel()
 * A host whose health is unknown (new, or lost) gets a health check
 * instead of work until fleet_healthy() says it passed.
 *
 * Times are the database server's clock, so leases do not depend on the
 * hosts' clocks.  The queue needs PostgreSQL: on another engine every
 * call fails with -EOPNOTSUPP.
 */
#ifndef MMSTORM_JOBS_FLEET_H
#define MMSTORM_JOBS_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct db;

/* The channel fleet_submit() notifies (LISTEN mmstorm_fleet). */
#define FLEET_CHANNEL "mmstorm_fleet"

/*
 * The host's statements as text, for a caller that runs them itself
 * (mmstormd's claimer on its event loop): one statement each, text
 * parameters $1..; fleet.c lists them and what they return.
 */
extern const char fleet_sql_heartbeat[], fleet_sql_extend[],
    fleet_sql_health[], fleet_sql_healthy[], fleet_sql_claim[],
    fleet_sql_held[], fleet_sql_gone[], fleet_sql_end[], fleet_sql_reap_lock[],
    fleet_sql_reap_lost[], fleet_sql_reap_requeue[], fleet_sql_begin[],
    fleet_sql_commit[], fleet_sql_rollback[], fleet_sql_listen[];

/* A host as it heartbeats: tags is a list of words (commas or spaces). */
struct fleet_host {
	const char *name;
	const char *tags;
	const char *build_key;   /* the kernel it runs; NULL unknown */
	const char *release;
	int64_t backlog;         /* runs it has not pushed yet */
};

struct fleet_job_new {
	const char *workload;
	const char *spec_json;   /* the job as POST /v1/jobs takes it */
	const char *kernel;      /* build key or release; NULL any */
	const char *host;        /* NULL any */
	const char *tags;        /* words the host must have; NULL none */
	int64_t priority;        /* higher first */
	int64_t max_attempts;    /* >= 1 */
};

/* The tag list as stored: " a b " (lowercase, sorted, unique), or NULL
 * with *cause when a tag is not [a-z0-9._:-]+. */
char *fleet_tags_normalize(const char *tags, char **cause);

int fleet_submit(struct db *, const struct fleet_job_new *, char uuid[37],
    char **cause);
/* Jobs newest first, state NULL for all; NULL on an error. */
json_t *fleet_jobs_json(struct db *, const char *state, int64_t limit,
    char **cause);
/* A job by uuid or unique prefix: cancelled unless it has ended
 * (-EALREADY); -ENOENT. */
int fleet_cancel(struct db *, const char *uuid, char **cause);

/* The host's row (created with health unknown), its heartbeat now, and
 * its leases extended to now + lease_ms. */
int fleet_heartbeat(struct db *, const struct fleet_host *, int64_t lease_ms,
    char **cause);
/* Every host, by name, with its leased jobs counted; NULL on an error. */
json_t *fleet_hosts_json(struct db *, char **cause);
/* The host passed its health check: it may be given work. */
int fleet_healthy(struct db *, const char *host, char **cause);

struct fleet_claim {
	char uuid[37];           /* "" when nothing was claimed */
	char *spec_json;
	int health_check;        /* 1: run the health check first */
	int64_t lease_until_ns;
};
/*
 * The best job the host may run, leased to it for lease_ms: highest
 * priority, then oldest; its kernel (if named) is the host's build key
 * or release, its host (if named) this one, its tags all among the
 * host's.  The host must have heartbeat first.
 */
int fleet_claim(struct db *, const struct fleet_host *, int64_t lease_ms,
    struct fleet_claim *, char **cause);
void fleet_claim_release(struct fleet_claim *);
/* The holder reports the end: state "done" or "failed", result JSON or
 * NULL.  -ESTALE when the job is no longer the host's (re-queued,
 * cancelled, or reported already). */
int fleet_end(struct db *, const char *host, const char *uuid,
    const char *state, const char *result_json, const char *error,
    char **cause);

struct fleet_reaped {
	int ran;                 /* 0: another daemon holds the reaper lock */
	int64_t lost, requeued, dead;
};
/* Expired leases -> lost (hosts unknown); lost for longer than grace_ms
 * -> queued or dead.  One reaper across the fleet: an advisory lock. */
int fleet_reap(struct db *, int64_t grace_ms, struct fleet_reaped *,
    char **cause);

#endif
