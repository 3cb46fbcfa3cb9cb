#!/usr/bin/env python3
"""hotplug-bare.py - the floor for bench/hotplug.sh: nothing but the
sysfs writes.

    python3 bench/hotplug-bare.py SECONDS [CPU]

Writes "0" then "1" to /sys/devices/system/cpu/cpuCPU/online (default
CPU 1) in a loop for SECONDS, each write timed on its own (open + write +
close, as mmstorm's transition() times it; stress-ng also times a
read-back), with no read-back, no sampling, no logging.
Prints one JSON object: transitions, elapsed_s, transitions_per_s and the
per-write times in ms.  The CPU is written back online whatever happens.
Needs root.
"""
import json
import os
import sys
import time


def write(path, value):
    """Timed as mmstorm's transition(): open + write + close."""
    t0 = time.monotonic_ns()
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value)
    finally:
        os.close(fd)
    return (time.monotonic_ns() - t0) / 1e6


def main():
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    cpu = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    path = "/sys/devices/system/cpu/cpu%d/online" % cpu
    off, on, skipped = [], [], 0
    t0 = time.monotonic_ns()
    end = t0 + int(secs * 1e9)
    try:
        while time.monotonic_ns() < end:
            try:
                off.append(write(path, b"0"))
            except OSError:  # EBUSY/EAGAIN: refused for now
                skipped += 1
                continue
            while True:
                try:
                    on.append(write(path, b"1"))
                    break
                except OSError:
                    skipped += 1
                    time.sleep(0.01)
        t1 = time.monotonic_ns()
    finally:
        with open(path) as f:
            if f.read().strip() != "1":
                write(path, b"1")
    el = (t1 - t0) / 1e9
    print(json.dumps({"transitions": len(off) + len(on), "elapsed_s": el,
                      "transitions_per_s": (len(off) + len(on)) / el,
                      "skipped": skipped, "offline_ms": off,
                      "online_ms": on}))


if __name__ == "__main__":
    main()
