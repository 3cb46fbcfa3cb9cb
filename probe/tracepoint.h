/*
 * tracepoint.h - kernel tracepoints counted with perf_event_open(2).
 *
 * procfs says how often a counter moved; some of the paths a workload
 * exists for have no counter there (a per-CPU page-list drain, a percpu
 * chunk created, a khugepaged collapse, a remote TLB flush by reason).
 * Their tracepoints do: each is opened as a PERF_TYPE_TRACEPOINT event
 * in counting mode (no ring buffer, no samples), one group per CPU, so a
 * pass costs one read(2) per CPU.
 *
 * tracepoints_probe() only looks: it finds tracefs under a root, reads
 * each tracepoint's id (events/<sys>/<name>/id) and, for tlb:tlb_flush,
 * the values of its reason field from the format file, so the tests can
 * run it on a capture.  What the kernel lacks is listed as unavailable
 * ("<path>: <reason>"), once; nothing is made up.
 *
 * Counter names (the sampler adds "tp."): <sys>.<name>, or
 * <sys>.<name>.<value> for one value of a filtered field
 * (tlb.tlb_flush.remote_shootdown).
 */
#ifndef MMSTORM_TRACEPOINT_H
#define MMSTORM_TRACEPOINT_H

#include <stddef.h>
#include <stdint.h>

struct tp_event {
	char *name;             /* "tlb.tlb_flush.remote_shootdown" */
	uint64_t id;            /* events/<sys>/<name>/id */
	char *filter;           /* "reason == 1", or NULL */
	int per_cpu;            /* the sampler keeps a counter per CPU */
};

struct tp_list {
	char *tracefs;          /* where tracefs was found, or NULL */
	struct tp_event *events;
	size_t nevents;
	char **unavailable;     /* "<path>: <reason>" */
	size_t nunavailable;
};

/* root: NULL or "/" for the live system, else a captured tree.  Never
 * fails: what cannot be found is in list->unavailable. */
void tracepoints_probe(const char *root, struct tp_list *list);
void tp_list_release(struct tp_list *);

/*
 * The events of a list opened on each CPU in cpus[] (columns).  A CPU
 * that is offline, or goes offline, loses its events in the kernel
 * (perf_event_exit_cpu() detaches them); tp_counters_read() keeps what
 * they had counted and opens them again once the CPU is back, so counts
 * of a CPU that came back are missed until the next read.  Events that
 * perf_event_open() refuses are dropped from the list and noted there.
 * -errno with *cause when nothing at all could be opened.
 */
struct tp_counters;
int tp_counters_open(struct tp_counters **, struct tp_list *,
    const int *cpus, int ncpus, char **cause);
/* counts[event * ncpus + column], totals since open. */
void tp_counters_read(struct tp_counters *, int64_t *counts);
void tp_counters_free(struct tp_counters *);

#endif
