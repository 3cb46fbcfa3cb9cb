/*
 * events.h - what mmstormd asks the store about kernel-log events: which
 * run an event belongs to, what a crashed run already has, where the
 * kernel log was left.  Storing an event is db_event_add() (db.h).
 */
#ifndef MMSTORM_STORE_EVENTS_H
#define MMSTORM_STORE_EVENTS_H

#include <stdint.h>

#include <jansson.h>

struct db;

/* daemon_state holds small integers by key (the last /dev/kmsg record
 * handled, per boot).  get: dflt when absent or unreadable. */
int64_t db_daemon_state_get(struct db *, const char *key, int64_t dflt);
int db_daemon_state_set(struct db *, const char *key, int64_t value,
    char **cause);

/* The run that was in progress at t_ns on that boot, or 0. */
int64_t db_run_at(struct db *, const char *boot_id, int64_t t_ns);
/*
 * The newest run a crash ended on a boot other than this_boot whose
 * pstore records are not stored yet: 1 and its id, kernel and boot id
 * (the caller frees *boot), else 0.
 */
int db_run_crashed_before(struct db *, const char *this_boot, int64_t *run,
    int64_t *kernel_id, char **boot);
/* How many events of this kind and title the run has from /dev/kmsg. */
int64_t db_run_kmsg_event_count(struct db *, int64_t run, const char *kind,
    const char *title);
/* [{"kind", "title", "source", "t_ns"}] of a run, in the order stored. */
json_t *db_run_events_brief(struct db *, int64_t run);

/*
 * Kernel-log events (source kmsg, pstore) titled again from their stored
 * text by the current classifier (kmsg_retitle()): kind, title and
 * signature updated in one transaction where they changed, so events
 * stored by an older mmstorm group with new ones.  *seen: events read;
 * *changed: events whose kind, title or signature changed (and, unless
 * dry_run, were updated).  0 or -errno with *cause.
 */
int db_events_retitle(struct db *, int dry_run, int64_t *seen,
    int64_t *changed, char **cause);

#endif
