#!/usr/bin/env python3
"""bench/syzkaller-titles.py - parse-log against syzkaller's report test data.

syzkaller keeps real console logs with the report it expects in
pkg/report/testdata/linux/report/ (one file each: "KEY: value" header
lines, an empty line, the log, and optionally an empty line, "REPORT:"
and the expected report text).  A file with a TITLE: holds a report; one
without holds none.  CORRUPTED: Y marks a report whose stack is cut or
interleaved (its title is not meant for grouping).

This runs `mmstorm parse-log` on each log and prints, as issue 13 asks:
  reports found   / logs with a report      (goal >= 97 %)
  equal titles    / non-corrupted reports   (goal >= 90 %; first event's
                                             title against TITLE: or ALT:)
  events found    in report-free logs       (goal <= 1)
  corrupted flag  on syzkaller's CORRUPTED: Y reports, and on the others

Usage:
  python3 bench/syzkaller-titles.py SYZKALLER_CHECKOUT [BUILD_DIR] [-v]

The checkout is not vendored here: clone google/syzkaller anywhere (a
bare mirror works through `git archive HEAD pkg/report/testdata/linux/report
| tar -x -C DIR`).  -v lists every miss with the file name, the expected
and the found title.
"""
import json, os, subprocess, sys, tempfile


def read_case(path):
    """(headers dict with lists, log bytes) of one test file."""
    data = open(path, "rb").read().replace(b"\r", b"")
    lines = data.split(b"\n")
    headers, i = {}, 0
    while i < len(lines) and lines[i] != b"":
        ln = lines[i].decode("utf-8", "replace")
        if not ln.startswith("#") and ": " in ln:
            key, val = ln.split(": ", 1)
            headers.setdefault(key, []).append(val)
        i += 1
    log, prev_empty = [], False
    for ln in lines[i + 1:]:
        if prev_empty and ln == b"REPORT:":
            break
        log.append(ln)
        prev_empty = ln == b""
    return headers, b"\n".join(log)


def parse_log(mmstorm, log):
    with tempfile.NamedTemporaryFile(suffix=".log") as f:
        f.write(log)
        f.flush()
        out = subprocess.run([mmstorm, "parse-log", f.name],
                             capture_output=True).stdout
    events = []
    for ln in out.decode("utf-8", "replace").splitlines():
        try:
            events.append(json.loads(ln))
        except ValueError:
            pass
    return events


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    top = args[0]
    build = args[1] if len(args) > 1 else "build"
    mmstorm = os.path.join(build, "mmstorm")
    d = os.path.join(top, "pkg/report/testdata/linux/report")
    if not os.path.isdir(d):
        sys.exit("no %s: give a syzkaller checkout" % d)
    names = sorted(os.listdir(d), key=lambda n: (len(n), n))
    with_report = found = clean = equal = free = free_events = 0
    corrupt = corrupt_flagged = clean_flagged = 0
    misses = []
    for name in names:
        headers, log = read_case(os.path.join(d, name))
        events = parse_log(mmstorm, log)
        title = headers.get("TITLE", [""])[0]
        if not title:
            free += 1
            if events:
                free_events += 1
                misses.append((name, "no report", events[0].get("title")))
            continue
        with_report += 1
        if events:
            found += 1
        flagged = bool(events and events[0].get("corrupted"))
        if headers.get("CORRUPTED", ["N"])[0] == "Y":
            corrupt += 1
            corrupt_flagged += flagged
            continue
        clean += 1
        clean_flagged += flagged
        got = events[0].get("title") if events else None
        if got == title or got in headers.get("ALT", []):
            equal += 1
        else:
            misses.append((name, title, got))
    pct = lambda a, b: 100.0 * a / b if b else 0.0
    print("# syzkaller %s, %d files" % (top, len(names)))
    print("reports found:  %d / %d logs with a report (%.1f %%)"
          % (found, with_report, pct(found, with_report)))
    print("equal titles:   %d / %d non-corrupted reports (%.1f %%)"
          % (equal, clean, pct(equal, clean)))
    print("false events:   %d of %d report-free logs" % (free_events, free))
    print("corrupted flag: %d / %d corrupted reports, %d / %d others"
          % (corrupt_flagged, corrupt, clean_flagged, clean))
    if verbose:
        for name, want, got in misses:
            print("%-6s want %-60s got %s" % (name, want, got))


if __name__ == "__main__":
    main()
