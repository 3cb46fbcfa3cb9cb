# keys-lib.sh - sourced by the tests of comparability keys (t0810, and
# t0610 on PostgreSQL): export files derived from the fixtures, which come
# from one machine with one parameter set.

# derive IN OUT MODE: MODE params (3 of each build's 6 thp-munmap runs get
# size 512M), host (the runs of c56 move to a second machine), or a
# debug-kernel kind, kasan or lockdep (two thp-munmap runs of
# c56-init_on_free log such a report, as a KASAN or lockdep kernel
# prints it).  The end line's counts and checksum are made again.
derive() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
src, dst, mode = sys.argv[1:4]
lines = [json.loads(l) for l in open(src)]
DEBUG = {
    "kasan": ("kasan", "KASAN: use-after-free Read in zap_huge_pmd",
              "BUG: KASAN: use-after-free in zap_huge_pmd+0x1c4/0x3a0\n"
              "Read of size 8 at addr ffff888103c2a000 by task thp-munmap/812"),
    "lockdep": ("lockdep", "possible deadlock in zap_huge_pmd",
                "WARNING: possible circular locking dependency detected\n"
                "thp-munmap/812 is trying to acquire lock:"),
}
out, seen = [], {}
for r in lines:
    t = r["type"]
    if t == "end":
        continue
    if t == "host" and mode == "host":
        out.append(r)
        h = dict(r, ref=2, machine_id="aa" * 16, hostname="lab-b")
        out.append(h)
        continue
    if t == "run":
        if mode == "params":
            n = seen.get(r["label"], 0)
            seen[r["label"]] = n + 1
            if n % 2:
                p = json.loads(r["params"])
                p["size"] = 536870912
                r["params"] = json.dumps(p)
        elif mode == "host" and r["label"] == "c56":
            r["host"] = 2
    out.append(r)
    if t == "run" and mode in DEBUG and r["workload"] == "thp-munmap" and \
            r["label"] == "c56-init_on_free" and seen.get("debug", 0) < 2:
        seen["debug"] = seen.get("debug", 0) + 1
        kind, title, text = DEBUG[mode]
        out.append({"type": "event", "run": r["uuid"], "kernel": r["kernel"],
                    "host": r["host"], "boot_id": r["boot_id"], "kind": kind,
                    "title": title, "t_ns": r["started_ns"] + 1000000,
                    "signature": hashlib.sha256(title.encode()).hexdigest(),
                    "source": "kmsg", "text": text})
text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in out)
runs = sum(1 for r in out if r["type"] == "run")
end = {"type": "end", "runs": runs, "lines": len(out),
       "sha256": hashlib.sha256(text.encode()).hexdigest()}
open(dst, "w").write(text + json.dumps(end, separators=(",", ":")) + "\n")
PY
}
