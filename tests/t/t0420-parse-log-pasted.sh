#!/bin/sh
# parse-log on real logs pasted into public bug reports (ppc64, s390x,
# armv7, x86; kernels 3.6 to 5.3): tests/fixtures/kmsg/pasted, with the
# events each must give in its expected.tsv and its origin in SOURCES.md.
. "$(dirname "$0")/lib.sh"

P=$TOP/tests/fixtures/kmsg/pasted

test_expect 'every pasted log gives its expected kinds, titles, corrupted flags' '
	python3 - "$P" <<-'\''EOF'\''
	import json, os, subprocess, sys
	d = sys.argv[1]
	want, bad = {}, []
	for line in open(os.path.join(d, "expected.tsv")):
	    if line.startswith("#") or line.startswith("file\t"):
	        continue
	    f, n, kind, title, corrupted = line.rstrip("\n").split("\t")
	    want.setdefault(f, []).append((kind, title, corrupted == "yes"))
	logs = sorted(x[:-4] for x in os.listdir(d) if x.endswith(".log"))
	if sorted(want) != logs:
	    bad.append("expected.tsv and the .log files differ")
	for f in logs:
	    out = subprocess.run(["mmstorm", "parse-log", os.path.join(d, f + ".log")],
	        stdout=subprocess.PIPE, check=True).stdout.decode()
	    got = [(j["kind"], j["title"], j["corrupted"])
	        for j in map(json.loads, out.splitlines())]
	    if got != want.get(f):
	        bad.append("%s: got %s, want %s" % (f, got, want.get(f)))
	for b in bad:
	    print(b)
	sys.exit(1 if bad else 0)
	EOF
'

test_done
