/*
 * worker.h - the worker process as the supervisor sees it: how it is
 * started and the messages it sends.  Workloads do not include this;
 * what they call (the wl_* API) is in run/workload.h, run/worker.c
 * implements it.
 *
 * Supervisor and worker talk over a SOCK_SEQPACKET socketpair, one
 * tab-separated message per packet:
 *   M name value unit better     metric
 *   B lines of "series value t_ns" per-operation values, batched
 *   P text                       progress
 *   E kind title text            workload event
 *   S label                      sample now (waits for "A")
 *   K path value                 about to change a knob (waits for "A rc
 *                                [message]"; the original is committed
 *                                before the ack, the worker then writes)
 *   F name text                  a text kept with the run (attachment)
 *   R result reason              the worker's verdict; the first one counts
 */
#ifndef MMSTORM_RUN_WORKER_H
#define MMSTORM_RUN_WORKER_H

/* The largest message, in bytes; a longer one is cut. */
#define MSG_MAX 65536

struct params;
struct workload;

/*
 * The forked child's whole life: its own process group, oom_score_adj
 * 1000, death with the supervisor, the workload's run(), the verdict on
 * sock.  Never returns.
 */
void worker_main(const struct workload *, const struct params *, int sock)
    __attribute__((noreturn));

#endif
