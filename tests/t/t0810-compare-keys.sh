#!/bin/sh
# Comparability keys: compare, regressions and verdict never pool runs of
# different host classes or parameter sets.  The fixtures come from one
# machine with one parameter set, so this script derives export files
# from them: half the runs of each build with another size (two parameter
# sets), or one build's runs on another machine (two hosts).
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"

. "$TOP/tests/t/keys-lib.sh"

P="--db $SCRATCH/p.db"
H="--db $SCRATCH/h.db"

test_expect 'import runs with two parameter sets and runs from two hosts' '
	derive "$F/init-on-alloc.jsonl" p.jsonl params &&
	derive "$F/init-on-alloc.jsonl" h.jsonl host &&
	mmstorm $P import p.jsonl | grep -q "imported 12 runs" &&
	mmstorm $H import h.jsonl | grep -q "imported 12 runs" &&
	mmstorm $H hosts --json > hosts.json &&
	test $(wc -l < hosts.json) -eq 2
'

test_expect 'compare: one comparison per parameter set, each naming its key' '
	mmstorm $P compare c56-init_on_alloc0 c56 --all --json > c.json &&
	python3 -c "
import json
c = json.load(open(\"c.json\"))
keys = set((m[\"key\"][\"host\"], m[\"key\"][\"params\"]) for m in c[\"metrics\"])
assert len(keys) == 2, keys
assert all(m[\"base\"][\"n\"] == 3 and m[\"new\"][\"n\"] == 3 for m in c[\"metrics\"])
assert all(m[\"key\"][\"workload\"] == \"thp-munmap\" for m in c[\"metrics\"])
" &&
	mmstorm $P compare c56-init_on_alloc0 c56 > c.txt &&
	test $(grep -c "^key   thp-munmap on host mmstorm-vm/6d6d7374, params [0-9a-f]\{12\}$" c.txt) -eq 2
'

test_expect '--params and --section choose one parameter set' '
	mmstorm $P runs --json > runs.json &&
	test $(python3 -c "
import json
print(len(set(json.loads(l)[\"params\"] for l in open(\"runs.json\"))))") -eq 2 &&
	key=$(python3 -c "
import json
for l in open(\"runs.json\"):
    r = json.loads(l)
    if \"536870912\" not in open(\"p.jsonl\").read().split(r[\"run\"])[1].split(chr(10))[0]:
        print(r[\"params\"]); break") &&
	mmstorm $P runs --params "$key" --json > r1.json &&
	test $(wc -l < r1.json) -eq 6 &&
	mmstorm $P compare c56-init_on_alloc0 c56 --params "$(echo $key | cut -c1-6)" --all --json > c1.json &&
	json_get c1.json "set(m[\"key\"][\"params\"] for m in j[\"metrics\"]) == {\"$key\"}" | grep -q True &&
	printf "[small]\nworkload=thp-munmap\nsize=256M\niterations=3\nsample_ms=1000\n" > k.job &&
	mmstorm $P runs --section k.job:small --json > r2.json &&
	cmp r1.json r2.json &&
	expect_exit 2 mmstorm $P runs --section k.job:nope
'

test_expect 'verdict: several keys are an error (128); one chosen decides' '
	expect_exit 128 mmstorm $P verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms &&
	grep -q "^verdict: infrastructure failure: runs of thp-munmap on both builds fall under 2 keys" "$SCRATCH/stdout" &&
	expect_exit 1 mmstorm $P verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms --section k.job:small &&
	grep -q "^key: thp-munmap on host mmstorm-vm/6d6d7374, params [0-9a-f]\{12\}$" "$SCRATCH/stdout" &&
	grep -q "^verdict: bad: fault_ms regressed .* n=3, new .* n=3," "$SCRATCH/stdout"
'

test_expect 'runs of two hosts share no key: compare and regressions exit 2, verdict 128' '
	expect_exit 2 mmstorm $H compare c56-init_on_alloc0 c56 &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	grep -q "compare: runs of .thp-munmap. share no host class and parameters (base: host mmstorm-vm/6d6d7374 params [0-9a-f]*; new: host lab-b/aaaaaaaa params [0-9a-f]*)" "$SCRATCH/err" &&
	expect_exit 2 mmstorm $H regressions --baseline c56-init_on_alloc0 &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	expect_exit 128 mmstorm $H verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms &&
	grep -q "share no host class" "$SCRATCH/stdout"
'

test_expect '--host filters runs; --mix host pools on request' '
	mmstorm $H runs --host lab-b --json > rb.json &&
	test $(wc -l < rb.json) -eq 6 &&
	mmstorm $H runs --host lab-b/aaaaaaaa --json | cmp - rb.json &&
	mmstorm $H compare c56-init_on_alloc0 c56 --mix host --all --json > m.json &&
	json_get m.json "set((m[\"key\"][\"host\"], m[\"base\"][\"n\"]) for m in j[\"metrics\"])" | grep -q "{(.any., 6)}" &&
	expect_exit 2 mmstorm $H compare c56-init_on_alloc0 c56 --mix cpus
'

test_expect 'hosts --class names identical machines one class' '
	mmstorm $H hosts --class lab mmstorm-vm lab-b &&
	mmstorm $H hosts > hosts.txt &&
	test $(grep -c "^lab " hosts.txt) -eq 2 &&
	mmstorm $H compare c56-init_on_alloc0 c56 --json > hc.json &&
	json_get hc.json "set(m[\"key\"][\"host\"] for m in j[\"metrics\"])" | grep -q "{.lab.}" &&
	expect_exit 1 mmstorm $H verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms &&
	mmstorm $H hosts --no-class lab &&
	expect_exit 2 mmstorm $H compare c56-init_on_alloc0 c56 &&
	expect_exit 1 mmstorm $H hosts --class x nosuchhost &&
	expect_exit 2 mmstorm $H hosts --class x
'

test_done
