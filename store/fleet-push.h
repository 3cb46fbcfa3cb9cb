/*
 * fleet-push.h - the local half of pushing runs to the fleet database
 * (docs/fleet.md): the outbox (schema/0010-outbox.sql) and the SQL text
 * that stores one run in the fleet database.
 *
 * A run's outbox row is written when the run ends (db_run_finish()).
 * mmstormd --fleet takes the oldest row due, sends fleet_push_sql()'s
 * text over its asynchronous connection (store/pg-async.h) and, once the
 * fleet database committed it, deletes the row.  The text is one
 * implicit transaction and idempotent: the run's row is inserted
 * ON CONFLICT (uuid) DO NOTHING and everything else of the run hangs off
 * that insert, so a run pushed twice is stored once.
 */
#ifndef MMSTORM_STORE_FLEET_PUSH_H
#define MMSTORM_STORE_FLEET_PUSH_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct db;

/* The oldest outbox row due at now_ns whose run has no knob still
 * changed: its uuid (caller frees).  -ENOENT when none is due. */
int fleet_outbox_next(struct db *, int64_t now_ns, char **uuid,
    char **cause);
/* The fleet database holds the run: its row goes. */
int fleet_outbox_done(struct db *, const char *uuid, char **cause);
/* The fleet database refused the run (not a lost connection): tried
 * again at next_ns, error kept for status. */
int fleet_outbox_failed(struct db *, const char *uuid, int64_t next_ns,
    const char *error, char **cause);
/* Attempts made so far for uuid's row (0 if none). */
int64_t fleet_outbox_attempts(struct db *, const char *uuid);

struct fleet_backlog {
	int64_t runs;          /* rows waiting */
	int64_t oldest_ns;     /* queued_ns of the oldest, 0 if none */
	int64_t failing;       /* rows the fleet database refused */
};
int fleet_outbox_backlog(struct db *, struct fleet_backlog *, char **cause);

/* The fleet schema version push needs (0013: counter sets). */
#define FLEET_PUSH_SCHEMA 13

/* The PREPARE statements fleet_push_sql()'s text EXECUTEs: sent once on
 * every fleet connection (store/pg-async.c) before its first push. */
const char *fleet_push_statements(void);

/*
 * The counter sets one fleet connection has committed, by key: a push
 * of a run whose set is among them sends neither the set nor its counter
 * names again (about 30 kB of the 47 kB a fixture run's text was).  A
 * connection's list starts empty and is emptied when it is lost: the
 * next server may not have them.
 */
struct fleet_sets {
	char (*key)[65];
	size_t n;
};
int fleet_sets_has(const struct fleet_sets *, const char *key);
void fleet_sets_add(struct fleet_sets *, const char *key);   /* once */
void fleet_sets_clear(struct fleet_sets *);

/*
 * Append to sql the statements that store run uuid (read from the local
 * database) in the fleet database: its kernel builds, hosts, counters and
 * counter set (ON CONFLICT DO NOTHING; the set and its counters left out
 * when known, the sets this connection has committed, has it: NULL for
 * none), then one statement inserting the run and its samples, metrics,
 * values, events, unavailable sources, artifacts and knobs, whose single
 * result row is 1 when the run was stored and 0 when the fleet database
 * already had it.  set_key gets the run's set key ("" without counters),
 * for known once the push has committed.  EXECUTEs of the prepared
 * statements with literal arguments (arrays, one per column), no
 * parameters: the whole text goes in one simple-query message, one round
 * trip, and nothing of it is planned again.
 */
int fleet_push_sql(struct db *, const char *uuid,
    const struct fleet_sets *known, char set_key[65], struct buf *sql,
    char **cause);

#endif
