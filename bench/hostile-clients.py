#!/usr/bin/env python3
"""hostile-clients.py - does mmstormd still answer while it is abused?

Keeps N hostile clients connected to mmstormd's unix socket for a while
and, from a separate thread, asks GET /v1/status every few milliseconds
on a fresh connection, timing each answer.  The clients:

  slow       a POST whose headers arrive one byte a second (slowloris)
  huge       a ~900 KB POST sent as fast as the socket takes it (a
             comma list of 450,000 values), then silence
  malformed  garbage request lines, bad headers, chunked bodies, a
             request every 100 ms

A client the daemon closes connects again 100 ms later, so the pressure
stays.  Prints the probe latencies (p50/p99/max), how many probes failed,
and, given --pid, the daemon's peak RSS (VmHWM) and CPU time.

  python3 bench/hostile-clients.py --socket S --pid P --clients 1000 --seconds 20
"""
import argparse
import errno
import json
import os
import random
import selectors
import socket
import threading
import time

SLOW_HEAD = (b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\n"
             b"Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n")
MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET /v1/status HTTP/9.9\r\n\r\n",
    b"GET //v1/status HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /v1/status HTTP/1.1\r\nBad Header\r\n\r\n",
    b"POST /v1/jobs HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
    b"POST /v1/jobs HTTP/1.1\r\nContent-Length: 12\r\n\r\n{\"workload\":",
    b"BREW /v1/status HTTP/1.1\r\n\r\n",
    b"GET /v1/" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
]


def huge_request(size):
    body = b'{"workload":"thp-munmap","options":{"sweep":"' + \
        b"1," * ((size - 64) // 2) + b'1"}}'
    return (b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


class Client:
    def __init__(self, kind):
        self.kind = kind
        self.sock = None
        self.out = b""
        self.next_at = 0.0        # when to (re)connect or send the next byte


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
    except BlockingIOError:
        pass                       # unix connect queued in the backlog
    except OSError:
        s.close()
        return None
    return s


def probe(path, stop, lat, fails, interval):
    req = b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(path)
                s.sendall(req)
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                raise OSError("status %r" % data[:40])
            lat.append((time.monotonic() - t0) * 1000)
        except OSError:
            fails.append(time.monotonic())
        time.sleep(interval)


def proc_stats(pid):
    rss = cpu = None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    rss = int(line.split()[1]) / 1024
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return rss, cpu


def percentile(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def run(a):
    kinds = a.mix.split(",")
    clients = [Client(kinds[i % len(kinds)]) for i in range(a.clients)]
    huge = huge_request(a.huge_bytes)
    sel = selectors.DefaultSelector()
    stats = {"connects": 0, "connect_errors": 0, "closed_by_daemon": 0,
             "bytes_sent": 0}
    cpu0 = proc_stats(a.pid)[1] if a.pid else None
    # The probe is a process of its own: in a thread it would wait for
    # this loop's GIL, and its latencies would be Python's, not the
    # daemon's.
    rfd, wfd = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(rfd)
        lat, fails, stop = [], [], threading.Event()
        threading.Timer(a.seconds, stop.set).start()
        probe(a.socket, stop, lat, fails, a.probe_ms / 1000.0)
        os.write(wfd, json.dumps([lat, len(fails)]).encode())
        os._exit(0)
    os.close(wfd)
    end = time.monotonic() + a.seconds
    connected_max = 0

    def close(c, by_daemon):
        if c.sock is not None:
            sel.unregister(c.sock)
            c.sock.close()
            c.sock = None
            if by_daemon:
                stats["closed_by_daemon"] += 1
        c.next_at = time.monotonic() + 0.1

    while time.monotonic() < end:
        now = time.monotonic()
        for c in clients:
            if c.sock is None and now >= c.next_at:
                c.sock = connect(a.socket)
                if c.sock is None:
                    stats["connect_errors"] += 1
                    c.next_at = now + 0.1
                    continue
                stats["connects"] += 1
                c.out = {"slow": SLOW_HEAD, "huge": huge,
                         "malformed": random.choice(MALFORMED)}[c.kind]
                c.next_at = now
                sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
            elif c.sock is not None and c.kind == "slow" and c.out and now >= c.next_at:
                try:
                    stats["bytes_sent"] += c.sock.send(c.out[:1])
                    c.out = c.out[1:]
                except BlockingIOError:
                    pass
                except OSError:
                    close(c, True)
                    continue
                c.next_at = now + 1.0
        connected_max = max(connected_max, sum(1 for c in clients if c.sock))
        for key, ev in sel.select(timeout=0.05):
            c = key.data
            if c.sock is None:
                continue
            if ev & selectors.EVENT_READ:
                try:
                    data = c.sock.recv(65536)
                except BlockingIOError:
                    data = None
                except OSError:
                    data = b""
                if data == b"":
                    close(c, True)
                    continue
            if ev & selectors.EVENT_WRITE:
                if c.kind != "slow" and c.out:
                    try:
                        n = c.sock.send(c.out[:262144])
                        stats["bytes_sent"] += n
                        c.out = c.out[n:]
                    except BlockingIOError:
                        pass
                    except OSError as e:
                        close(c, e.errno in (errno.EPIPE, errno.ECONNRESET))
                        continue
                if not c.out or c.kind == "slow":
                    sel.modify(c.sock, selectors.EVENT_READ, c)
    for c in clients:
        if c.sock is not None:
            c.sock.close()
    with os.fdopen(rfd, "rb") as f:
        lat, fails = json.loads(f.read().decode() or "[[], 0]")
    os.waitpid(child, 0)
    rss, cpu1 = proc_stats(a.pid) if a.pid else (None, None)
    return {
        "clients": a.clients, "mix": a.mix, "seconds": a.seconds,
        "connected_max": connected_max,
        "probes": len(lat), "probe_failures": fails,
        "p50_ms": round(percentile(lat, 50), 2),
        "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(max(lat), 2) if lat else None,
        "daemon_peak_rss_mb": round(rss, 1) if rss else None,
        "daemon_cpu_s": round(cpu1 - cpu0, 2) if cpu1 is not None and cpu0 is not None else None,
        **stats,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--socket", required=True)
    p.add_argument("--pid", type=int, help="the daemon, for RSS and CPU")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--mix", default="slow,huge,malformed")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--huge-bytes", type=int, default=900000)
    p.add_argument("--probe-ms", type=float, default=10)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    r = run(a)
    if a.json:
        print(json.dumps(r))
        return
    print("clients %d (%s) for %g s, at most %d connected at once" %
          (r["clients"], r["mix"], r["seconds"], r["connected_max"]))
    print("GET /v1/status: %d answered, %d failed; p50 %.2f ms, p99 %.2f ms, max %s ms"
          % (r["probes"], r["probe_failures"], r["p50_ms"], r["p99_ms"], r["max_ms"]))
    print("hostile connects %d (%d refused), closed by the daemon %d, %d bytes sent"
          % (r["connects"], r["connect_errors"], r["closed_by_daemon"], r["bytes_sent"]))
    if a.pid:
        print("daemon peak RSS %s MB (VmHWM), CPU %s s" %
              (r["daemon_peak_rss_mb"], r["daemon_cpu_s"]))


if __name__ == "__main__":
    main()
