#!/usr/bin/env python3
"""bench/kmsg-biglog.py - two ~200 MB kernel logs for timing parse-log.

Usage: python3 bench/kmsg-biglog.py SYZKALLER_CHECKOUT OUTDIR [MB]

OUTDIR/quiet.log: tests/fixtures/kmsg/clean-boot.console.log repeated,
with the soft lockup of softlockup.console.log every 100 copies (what a
daemon or a long console capture mostly reads).
OUTDIR/dense.log: every log of syzkaller's pkg/report/testdata/linux/report
(headers dropped) and every fixture console log, repeated: a report every
few kilobytes, the worst case for titles.
"""
import os, sys

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    syz, out = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3] if len(sys.argv) > 3 else 200) << 20
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    fix = os.path.join(top, "tests/fixtures/kmsg")
    clean = open(os.path.join(fix, "clean-boot.console.log"), "rb").read()
    lockup = open(os.path.join(fix, "softlockup.console.log"), "rb").read()
    with open(os.path.join(out, "quiet.log"), "wb") as f:
        n = k = 0
        while n < size:
            f.write(clean)
            n += len(clean)
            k += 1
            if k % 100 == 0:
                f.write(lockup)
                n += len(lockup)
    parts = []
    d = os.path.join(syz, "pkg/report/testdata/linux/report")
    for name in sorted(os.listdir(d)):
        data = open(os.path.join(d, name), "rb").read()
        parts.append(data[data.find(b"\n\n") + 2:])
    for name in sorted(os.listdir(fix)):
        if name.endswith(".console.log"):
            parts.append(open(os.path.join(fix, name), "rb").read())
    blob = b"\n".join(parts)
    with open(os.path.join(out, "dense.log"), "wb") as f:
        n = 0
        while n < size:
            f.write(blob)
            n += len(blob)

if __name__ == "__main__":
    main()
