#!/usr/bin/env python3
"""stats-rule.py FIXTURE.jsonl... - the real runs the decision rule is
simulated on (bench/stats-rule.c): one line per build x workload x metric
with 5 or more passed runs, all values positive and not all equal:
"LABEL/WORKLOAD/METRIC v1 v2 ...".  Builds are told by build key and
command line as the store tells them (the label names them here)."""
import json
import sys

groups = {}
for path in sys.argv[1:]:
    runs = {}
    for line in open(path):
        o = json.loads(line)
        if o["type"] == "run":
            runs[o["uuid"]] = o
        elif o["type"] == "metric":
            r = runs.get(o["run"])
            if r is None or r["state"] != "passed":
                continue
            key = "%s@%s/%s/%s" % (r["label"], r["kernel"][:8], r["workload"], o["name"])
            groups.setdefault(key, []).append(o["value"])
for key in sorted(groups):
    v = groups[key]
    if len(v) >= 5 and min(v) > 0 and max(v) > min(v):
        print(key, " ".join(repr(x) for x in v))
