# keys-lib.sh - sourced by the tests of comparability keys (t0810, and
# t0610 on PostgreSQL): export files derived from the fixtures, which come
# from one machine with one parameter set.

# derive IN OUT MODE: MODE params (3 of each build's 6 thp-munmap runs get
# size 512M) or host (the runs of c56 move to a second machine).  The end
# line's counts and checksum are made again.
derive() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
src, dst, mode = sys.argv[1:4]
lines = [json.loads(l) for l in open(src)]
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
        elif r["label"] == "c56":
            r["host"] = 2
    out.append(r)
text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in out)
runs = sum(1 for r in out if r["type"] == "run")
end = {"type": "end", "runs": runs, "lines": len(out),
       "sha256": hashlib.sha256(text.encode()).hexdigest()}
open(dst, "w").write(text + json.dumps(end, separators=(",", ":")) + "\n")
PY
}
