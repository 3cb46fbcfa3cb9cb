#!/usr/bin/env python3
"""cpurun.py - run a command and report the CPU time of the process
itself apart from that of its descendants.

    python3 bench/cpurun.py OUT -- CMD [ARG ...]

CMD's stdout goes to OUT; one JSON line goes to stdout:

    {"rc": exit status, "wall_ns": ..., "self_ns": ..., "self_tick_ns": ...,
     "self_run_delay_ns": ..., "self_slices": ..., "children_ns": ...,
     "total_ns": ...}

self_ns is CMD's own CPU time in ns (sum_exec_runtime, /proc/PID/schedstat
field 1, precise; the single-threaded mmstorm supervisor's whole CPU time),
self_tick_ns the same from /proc/PID/stat utime+stime (10 ms ticks, all
threads, as a cross-check).  self_run_delay_ns and self_slices are
schedstat fields 2 and 3: time CMD spent runnable but waiting for a CPU,
and how many times it got one.  All are read while CMD is a zombie: the
helper waits with waitid(WNOWAIT), reads /proc, then reaps it.
total_ns is ru_utime+ru_stime of wait4() (CMD plus every descendant it
reaped: for mmstorm the worker and the worker's helpers), and
children_ns = total_ns - self_ns.  SIGINT, SIGTERM and SIGHUP sent to the
helper are passed on to CMD.
"""
import json
import os
import signal
import sys
import time


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write(__doc__)
        return 2
    out, cmd = sys.argv[1], sys.argv[3:]
    tick = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic_ns()
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.close(fd)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    # A stop request for the helper is one for CMD (the bench scripts'
    # traps send SIGTERM here; CMD restores what it changed and exits).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: os.kill(pid, s))
    while True:
        try:
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
            break
        except InterruptedError:
            continue
    wall = time.monotonic_ns() - t0
    self_ns = self_tick = delay = slices = None
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            self_ns, delay, slices = (int(x) for x in f.read().split()[:3])
    except (OSError, ValueError):
        pass
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): utime is field 14, stime 15
        self_tick = (int(fields[11]) + int(fields[12])) * 10**9 // tick
    except (OSError, ValueError, IndexError):
        pass
    _, status, ru = os.wait4(pid, 0)
    total = int((ru.ru_utime + ru.ru_stime) * 1e9)
    if self_ns is None:
        self_ns = self_tick
    rc = os.waitstatus_to_exitcode(status)
    print(json.dumps({"rc": rc, "wall_ns": wall, "self_ns": self_ns,
                      "self_tick_ns": self_tick, "self_run_delay_ns": delay,
                      "self_slices": slices, "total_ns": total,
                      "children_ns": None if self_ns is None
                      else total - self_ns}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
