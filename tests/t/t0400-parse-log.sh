#!/bin/sh
# parse-log: the real CLI over the real kernel logs in tests/fixtures/kmsg
# (Debian 6.1 guests under qemu, tests/vm/capture-logs.sh), checked against
# tests/fixtures/kmsg/expected.tsv ("log n kind title header", one row per
# event, for S.console.log and S.kmsg alike; see EXPECTED.md there).
. "$(dirname "$0")/lib.sh"

FIX=$TOP/tests/fixtures/kmsg

# kind<TAB>title of each event parse-log prints.
kinds_titles() {
	python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    print(j["kind"] + "\t" + j["title"])
'
}

# kind<TAB>title rows expected for one log (a fixture stem).
expected_for() {
	awk -F '\t' -v s="$1" '$1 == s && $3 != "none" { print $3 "\t" $4 }' \
	    "$FIX/expected.tsv"
}

# Every log of expected.tsv through `mmstorm parse-log`, both captures.
# A "Kernel panic" that a report set off belongs to that report's event
# (kmsg/kmsg.h), which must then be "panicked" and hold the panic's header.
check_fixtures() {
	python3 - "$FIX" <<-'EOF'
	import json, os, subprocess, sys
	fix = sys.argv[1]
	rows, order, bad, files = {}, [], [], 0
	for line in open(os.path.join(fix, "expected.tsv")):
	    if line.startswith("#") or line.startswith("log\t"):
	        continue
	    log, n, kind, title, header = line.rstrip("\n").split("\t")
	    if log not in rows:
	        rows[log] = []
	        order.append(log)
	    if kind != "none":
	        rows[log].append((kind, title, header))
	for log in order:
	    for ext in (".console.log", ".kmsg"):
	        path = os.path.join(fix, log + ext)
	        if not os.path.exists(path):
	            if ext == ".console.log":
	                bad.append("no " + path)
	            continue
	        files += 1
	        out = subprocess.run(["mmstorm", "parse-log", path],
	            stdout=subprocess.PIPE, check=True).stdout.decode()
	        ev = [json.loads(l) for l in out.splitlines()]
	        j = 0
	        for kind, title, header in rows[log]:
	            if (kind == "panic" and j > 0 and ev[j - 1]["panicked"]
	                    and header in ev[j - 1]["text"]):
	                continue
	            if j >= len(ev):
	                bad.append("%s: missing %s / %s" % (log + ext, kind, title))
	                continue
	            e = ev[j]
	            if (e["kind"], e["title"]) != (kind, title):
	                bad.append("%s: event %d is %s / %s, want %s / %s" %
	                    (log + ext, j + 1, e["kind"], e["title"], kind, title))
	            elif header not in e["text"]:
	                bad.append("%s: event %d lacks %r" % (log + ext, j + 1, header))
	            j += 1
	        for e in ev[j:]:
	            bad.append("%s: extra %s / %s" % (log + ext, e["kind"], e["title"]))
	print("\n".join(bad))
	assert not bad and files >= 30, (len(bad), files)
	EOF
}

test_expect 'every fixture gives the expected kinds and titles, in order' '
	check_fixtures
'

test_expect 'every captured log is listed in expected.tsv' '
	for f in "$FIX"/*.console.log "$FIX"/*.kmsg; do
		s=$(basename "$f"); s=${s%.console.log}; s=${s%.kmsg}
		grep -q "^$s	" "$FIX/expected.tsv" ||
		    { echo "not in expected.tsv: $f"; exit 1; }
	done
'

test_expect 'a clean boot prints nothing and exits 0' '
	mmstorm parse-log "$FIX/clean-boot.console.log" > out &&
	test ! -s out &&
	mmstorm parse-log "$FIX/clean-boot.kmsg" > out &&
	test ! -s out
'

test_expect 'each event is one JSON object with the documented keys' '
	mmstorm parse-log "$FIX/bug.console.log" > out.json &&
	test $(wc -l < out.json) -eq 1 &&
	python3 -c "
import json, re
j = json.loads(open(\"out.json\").read())
for k in (\"kind\", \"title\", \"signature\", \"ts_usec\", \"cpu\", \"seq\",
          \"line\", \"panicked\", \"truncated\", \"text\"):
    assert k in j, k
assert re.fullmatch(\"[0-9a-f]{64}\", j[\"signature\"]), j
assert isinstance(j[\"ts_usec\"], int) and j[\"ts_usec\"] > 0, j
assert j[\"seq\"] is None, j       # a console log has no kmsg seq
assert j[\"text\"].startswith(\"------------[ cut here ]\"), j[\"text\"][:80]
assert \"[    \" not in j[\"text\"], \"timestamps left in the text\"
lines = open(\"$FIX/bug.console.log\", errors=\"replace\").read().split(\"\\n\")
assert \"kernel BUG at\" in lines[j[\"line\"] - 1], lines[j[\"line\"] - 1]
"
'

test_expect 'the console log and the kmsg records of one run agree' '
	for s in softlockup hungtask warning rcustall-task; do
		mmstorm parse-log "$FIX/$s.console.log" > a.json &&
		mmstorm parse-log "$FIX/$s.kmsg" > b.json &&
		python3 -c "
import json
a = [json.loads(l) for l in open(\"a.json\")]
b = [json.loads(l) for l in open(\"b.json\")]
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
for x, y in zip(a, b):
    for k in (\"kind\", \"title\", \"signature\", \"ts_usec\", \"cpu\", \"text\"):
        assert x[k] == y[k], (k, x[k], y[k])
    assert x[\"seq\"] is None and isinstance(y[\"seq\"], int)
" || { echo "differ: $s"; exit 1; }
	done
'

test_expect 'stdin (-) gives the same as the file' '
	mmstorm parse-log "$FIX/hungtask.console.log" > a &&
	mmstorm parse-log - < "$FIX/hungtask.console.log" > b &&
	test -s a &&
	cmp a b
'

test_expect 'a missing file: exit 1, one line naming it' '
	expect_exit 1 mmstorm parse-log "$SCRATCH/no-such.log" &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	grep -q "cannot open .*no-such.log.: No such file or directory" \
	    "$SCRATCH/err" &&
	test ! -s "$SCRATCH/stdout"
'

test_expect 'a directory cannot be read: exit 1, one line' '
	expect_exit 1 mmstorm parse-log "$SCRATCH" &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	grep -q "cannot read" "$SCRATCH/err"
'

test_expect 'usage errors: exit 2' '
	expect_exit 2 mmstorm parse-log &&
	grep -q "usage: mmstorm parse-log" "$SCRATCH/err" &&
	expect_exit 2 mmstorm parse-log a b &&
	expect_exit 2 mmstorm parse-log --bogus x &&
	mmstorm parse-log --help | grep -q "usage: mmstorm parse-log"
'

test_expect 'records of user-space facilities count only with --allow-user' '
	# The records of the warning run, moved to facility 1 (prio + 8) as if
	# user space had written them to /dev/kmsg.
	python3 -c "
import re, sys
for l in open(\"$FIX/warning.kmsg\"):
    m = re.match(r\"([0-7]),\", l)
    sys.stdout.write(str(int(m.group(1)) + 8) + l[1:] if m else l)
" > user.kmsg &&
	grep -q "^12,.*WARNING: CPU" user.kmsg &&
	mmstorm parse-log user.kmsg > out &&
	test ! -s out &&
	mmstorm parse-log --allow-user user.kmsg | kinds_titles > got &&
	expected_for warning > want &&
	test -s want &&
	diff -u want got
'

# Two CPUs locked up together (softlockup-2cpu).  Debian's kernel has no
# CONFIG_PRINTK_CALLER, so its log keeps the two reports apart itself.  To
# see how interleaved output is handled, build it from the real reports:
# (a) as a kernel with PRINTK_CALLER prints it, each line tagged with its
# CPU ("[    C1]") and the two reports' lines alternating; (b) without caller
# ids, both headers first and the bodies after, which is what two
# watchdogs firing at once leave when the printk cpu lock is not held
# across the header.
interleave() {
	python3 - "$FIX/softlockup-2cpu.console.log" "$1" <<-'EOF'
	import re, sys
	src, mode = sys.argv[1], sys.argv[2]
	lines = open(src, errors="replace").read().replace("\r", "").split("\n")
	ts = re.compile(r"^\[ *[0-9]+\.[0-9]+\] ")
	reports, cur = [], None
	for l in lines:
	    m = re.search(r"BUG: soft lockup - CPU#([0-9]+)", l)
	    if m:
	        cur = {"cpu": m.group(1), "lines": []}
	        reports.append(cur)
	    if cur is not None:
	        cur["lines"].append(l)
	        if l.endswith("</TASK>"):
	            cur = None
	a, b = reports[0], reports[1]
	assert a["cpu"] != b["cpu"], "first two soft lockups on one CPU"
	out = []
	if mode == "caller":
	    tag = lambda r, l: ts.sub(lambda m: m.group(0)[:-1] +
	        "[%6s] " % ("C" + r["cpu"]), l)
	    for i in range(max(len(a["lines"]), len(b["lines"]))):
	        for r in (a, b):
	            if i < len(r["lines"]):
	                out.append(tag(r, r["lines"][i]))
	else:
	    out = [a["lines"][0], b["lines"][0]] + a["lines"][1:] + b["lines"][1:]
	print("\n".join(out))
	print("[  999.000000] mmstorm_inject: softlockup done on CPU" + a["cpu"])
	EOF
}

test_expect 'two CPUs, lines interleaved with caller ids: one event per CPU' '
	interleave caller > mixed.log &&
	grep -q "\]\[    C" mixed.log &&
	mmstorm parse-log mixed.log > out.json &&
	python3 -c "
import json
ev = [json.loads(l) for l in open(\"out.json\")]
assert len(ev) == 2, [e[\"title\"] for e in ev]
assert sorted(e[\"cpu\"] for e in ev) == [1, 2], [e[\"cpu\"] for e in ev]
for e in ev:
    assert e[\"kind\"] == \"soft_lockup\", e[\"kind\"]
    assert e[\"title\"] == \"BUG: soft lockup in mmstorm_inject_softlockup_fn\", e[\"title\"]
    want = \"CPU: %d PID:\" % e[\"cpu\"]
    cpu_lines = [l for l in e[\"text\"].split(\"\\n\") if l.startswith(\"CPU: \")]
    assert len(cpu_lines) == 1 and cpu_lines[0].startswith(want), cpu_lines
    assert e[\"text\"].count(\"BUG: soft lockup\") == 1
"
'

test_expect 'two CPUs, both headers first (no caller ids): one event per CPU' '
	interleave headers > mixed.log &&
	mmstorm parse-log mixed.log > out.json &&
	python3 -c "
import json
ev = [json.loads(l) for l in open(\"out.json\")]
assert len(ev) == 2, [e[\"title\"] for e in ev]
assert sorted(e[\"cpu\"] for e in ev) == [1, 2], [e[\"cpu\"] for e in ev]
for e in ev:
    assert e[\"title\"] == \"BUG: soft lockup in mmstorm_inject_softlockup_fn\", e[\"title\"]
    cpu_lines = [l for l in e[\"text\"].split(\"\\n\") if l.startswith(\"CPU: \")]
    assert cpu_lines == [l for l in cpu_lines if l.startswith(\"CPU: %d \" % e[\"cpu\"])], cpu_lines
    assert \"CPU#%d \" % e[\"cpu\"] in e[\"text\"].split(\"\\n\")[0]
"
'

test_expect 'bytes jansson refuses are replaced and counted, no field dropped' '
	# ED A0 80 is a surrogate, C0 AF an overlong "/", F5 a lead byte past
	# U+10FFFF: each byte becomes U+FFFD and counts in "invalid_bytes".
	printf "[  117.409498] a\355\240\200b invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n" > bad.log &&
	printf "[  117.409500] CPU: 0 PID: 125 Comm: awk Not tainted 6.1.0 #1\n" >> bad.log &&
	printf "[  117.409501] bytes \300\257 and \365 here\n" >> bad.log &&
	printf "[  117.428294] Out of memory: Killed process 125 (a\355\240\200b) total-vm:2984152kB, anon-rss:1898492kB, file-rss:0kB, shmem-rss:1104kB, UID:0 pgtables:3764kB oom_score_adj:0\n" >> bad.log &&
	printf "[  200.000000] Kernel panic - not syncing: x\355\240\200y\300\257z\365w\n" >> bad.log &&
	mmstorm parse-log bad.log > out.json &&
	python3 -c "
import json
ev = [json.loads(l) for l in open(\"out.json\", \"rb\")]
assert [e[\"kind\"] for e in ev] == [\"oom_kill\", \"panic\"], ev
for e in ev:
    for k in (\"title\", \"signature\", \"text\"):
        assert k in e and e[k], (k, e)
r = \"\\ufffd\"
assert \"a\" + 3 * r + \"b invoked oom-killer\" in ev[0][\"text\"], ev[0][\"text\"]
assert \"bytes \" + 2 * r + \" and \" + r + \" here\" in ev[0][\"text\"]
assert ev[0][\"invalid_bytes\"] == 9, ev[0]
assert ev[1][\"text\"].endswith(\"x\" + 3 * r + \"y\" + 2 * r + \"z\" + r + \"w\")
assert ev[1][\"invalid_bytes\"] == 6, ev[1]
" &&
	mmstorm parse-log "$FIX/bug.console.log" > clean.json &&
	! grep -q invalid_bytes clean.json
'

test_done
