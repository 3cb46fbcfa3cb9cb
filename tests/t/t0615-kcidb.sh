#!/bin/sh
# export --format kcidb: the VM lab's real runs (tests/fixtures/runs) as a
# KernelCI KCIDB v5.3 submission, checked by kcidb-check.py against the
# schema's required fields, patterns, enums and formats (kernelci/kcidb-io,
# kcidb_io/schema/v05_03.py); the mapping of docs/kcidb.md checked against
# what the database holds; bad input refused with one line.
. "$(dirname "$0")/lib.sh"

CHECK="$TOP/tests/t/kcidb-check.py"
RUNS="$TOP/tests/fixtures/runs"

# kq FILE EXPR: a Python expression on the submission in FILE, bound as d.
kq() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

sql() {
	sqlite3 "$MMSTORM_DB" "$1"
}

test_expect 'an empty database is an empty, valid submission' '
	head='\''{"type":"mmstorm-export","version":1}'\'' &&
	printf "%s\n" "$head" > none.jsonl &&
	printf "{\"type\":\"end\",\"runs\":0,\"lines\":1,\"sha256\":\"%s\"}\n" "$(printf "%s\n" "$head" | sha256sum | cut -c1-64)" >> none.jsonl &&
	mmstorm import none.jsonl > /dev/null &&
	mmstorm export --format kcidb > empty.json &&
	python3 "$CHECK" empty.json mmstorm > out &&
	grep -qx "checkouts=0 builds=0 tests=0 issues=0 incidents=0" out &&
	test "$(kq empty.json "d[\"version\"]")" = "{'\''major'\'': 5, '\''minor'\'': 3}"
'

test_expect 'the fixture runs pass the schema check' '
	mmstorm import "$RUNS/two-builds.jsonl" > /dev/null &&
	mmstorm import "$RUNS/two-releases.jsonl" > /dev/null &&
	mmstorm export --format kcidb > all.json &&
	python3 "$CHECK" all.json mmstorm
'

test_expect 'a build per kernel build, a checkout per image, a test per run and metric' '
	test "$(kq all.json "len(d[\"builds\"])")" = "$(sql "SELECT count(*) FROM kernels")" &&
	test "$(kq all.json "len(d[\"checkouts\"])")" = "$(sql "SELECT count(DISTINCT coalesce(build_id, build_key)) FROM kernels")" &&
	test "$(kq all.json "len(d[\"tests\"])")" = "$(sql "SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM metrics)")" &&
	test "$(kq all.json "sorted(t[\"id\"][8:] for t in d[\"tests\"] if t[\"path\"].count(\".\") == 1) == sorted(\"$(sql "SELECT group_concat(uuid) FROM runs")\".split(\",\"))")" = True &&
	test "$(kq all.json "{t[\"path\"] for t in d[\"tests\"] if t[\"path\"].count(\".\") == 1} == {\"mmstorm.\" + w for w in \"$(sql "SELECT group_concat(DISTINCT workload) FROM runs")\".split(\",\")}")" = True
'

test_expect 'issues by signature, incidents by run and signature, taints left out' '
	test "$(kq all.json "len(d[\"issues\"])")" = "$(sql "SELECT count(DISTINCT signature) FROM events WHERE run_id IS NOT NULL AND kind <> '\''taint'\''")" &&
	test "$(kq all.json "len(d[\"incidents\"])")" = "$(sql "SELECT count(*) FROM (SELECT DISTINCT run_id, signature FROM events WHERE run_id IS NOT NULL AND kind <> '\''taint'\'')")" &&
	test "$(kq all.json "sorted(i[\"comment\"] for i in d[\"issues\"])")" = "['\''BUG: soft lockup in mmstorm_inject_softlockup_fn'\'', '\''INFO: rcu detected stall in mmstorm_inject_softlockup_fn'\'', '\''mmstormd: heartbeat stalled'\'']" &&
	sig=$(sql "SELECT DISTINCT signature FROM events WHERE kind = '\''soft_lockup'\''") &&
	run=$(sql "SELECT r.uuid FROM runs r JOIN events e ON e.run_id = r.id WHERE e.kind = '\''soft_lockup'\''") &&
	test "$(kq all.json "[(i[\"test_id\"], i[\"issue_version\"]) for i in d[\"incidents\"] if i[\"issue_id\"] == \"mmstorm:$sig\"]")" = "[('\''mmstorm:$run'\'', 1)]" &&
	test "$(kq all.json "[i.get(\"culprit\") for i in d[\"issues\"] if i[\"id\"] == \"mmstorm:$sig\"]")" = "[{'\''code'\'': True}]" &&
	test "$(kq all.json "[\"culprit\" in i for i in d[\"issues\"] if i[\"misc\"][\"kind\"] == \"stall\"]")" = "[False]" &&
	kq all.json "[t[\"log_excerpt\"] for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$run\"][0]" | grep -q "self-detected stall"
'

test_expect 'metrics are DONE tests with a number in base units and a prefix' '
	uuid=$(sql "SELECT r.uuid FROM runs r JOIN metrics m ON m.run_id = r.id WHERE m.name = '\''munmap_ms'\'' ORDER BY r.uuid LIMIT 1") &&
	ms=$(sql "SELECT m.value FROM runs r JOIN metrics m ON m.run_id = r.id WHERE r.uuid = '\''$uuid'\'' AND m.name = '\''munmap_ms'\''") &&
	kq all.json "[t for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$uuid.munmap_ms\"][0]" > t.txt &&
	grep -q "'\''path'\'': '\''mmstorm.thp-munmap.munmap_ms'\''" t.txt &&
	grep -q "'\''status'\'': '\''DONE'\''" t.txt &&
	grep -q "'\''unit'\'': '\''s'\'', '\''prefix'\'': '\''metric'\''" t.txt &&
	test "$(kq all.json "[abs(t[\"number\"][\"value\"] * 1000 / $ms - 1) < 1e-12 for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$uuid.munmap_ms\"]")" = "[True]" &&
	kb=$(sql "SELECT r.uuid || '\''.'\'' || m.name || '\'' '\'' || m.value FROM runs r JOIN metrics m ON m.run_id = r.id WHERE m.unit = '\''kB'\'' ORDER BY 1 LIMIT 1") &&
	test "$(kq all.json "[(t[\"number\"][\"unit\"], t[\"number\"][\"prefix\"], t[\"number\"][\"value\"] == ${kb#* } * 1024) for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:${kb% *}\"]")" = "[('\''B'\'', '\''binary'\'', True)]" &&
	test "$(kq all.json "sorted({str(t[\"number\"]) for t in d[\"tests\"] if t[\"misc\"].get(\"unit\") == \"count\" and t[\"number\"][\"value\"] == 3.0})")" = "[\"{'\''value'\'': 3.0, '\''prefix'\'': '\''metric'\''}\"]"
'

test_expect 'run states map to KCIDB statuses as docs/kcidb.md says' '
	cp "$MMSTORM_DB" states.db &&
	lock=$(sql "SELECT r.uuid FROM runs r JOIN events e ON e.run_id = r.id WHERE e.kind = '\''soft_lockup'\''") &&
	quiet=$(sql "SELECT uuid FROM runs WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.run_id = runs.id) AND state = '\''passed'\'' ORDER BY uuid LIMIT 4" | tr "\n" " ") &&
	set -- $quiet &&
	sqlite3 states.db "UPDATE runs SET state = '\''crashed'\'' WHERE uuid IN ('\''$lock'\'', '\''$1'\''); UPDATE runs SET state = '\''interrupted'\'' WHERE uuid = '\''$2'\''; UPDATE runs SET state = '\''skipped'\'' WHERE uuid = '\''$3'\''; UPDATE runs SET state = '\''lockup'\'' WHERE uuid = '\''$4'\''" &&
	mmstorm --db states.db export --format kcidb > states.json &&
	python3 "$CHECK" states.json mmstorm > /dev/null &&
	st() { kq states.json "[t[\"status\"] for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$1\"][0]"; } &&
	test "$(st "$lock")" = FAIL &&
	test "$(st "$1")" = ERROR &&
	test "$(st "$2")" = ERROR &&
	test "$(st "$3")" = SKIP &&
	test "$(st "$4")" = FAIL &&
	failed=$(sql "SELECT uuid FROM runs WHERE state = '\''failed'\''") &&
	test "$(st "$failed")" = FAIL &&
	test "$(kq states.json "sorted({t[\"status\"] for t in d[\"tests\"] if t[\"misc\"].get(\"state\") == \"passed\"})")" = "['\''PASS'\'']"
'

test_expect 'named runs only; -o writes the same bytes; two exports are equal' '
	uuid=$(sql "SELECT uuid FROM runs WHERE workload = '\''hotplug'\'' ORDER BY uuid LIMIT 1") &&
	mmstorm export --format kcidb "${uuid%%-*}" > one.json &&
	python3 "$CHECK" one.json mmstorm > counts &&
	test "$(kq one.json "len(d[\"tests\"])")" = "$(sql "SELECT 1 + count(*) FROM metrics m JOIN runs r ON r.id = m.run_id WHERE r.uuid = '\''$uuid'\''")" &&
	grep -q "^checkouts=1 builds=1 " counts &&
	mmstorm export --format kcidb "$uuid" -o one-file.json &&
	cmp one.json one-file.json &&
	mmstorm export --format kcidb > again.json &&
	cmp all.json again.json &&
	mmstorm export > lines.jsonl && mmstorm export --format mmstorm > lines2.jsonl &&
	cmp lines.jsonl lines2.jsonl
'

test_expect '--origin names every object and id' '
	mmstorm export --format kcidb --origin lab_7 -o lab.json &&
	python3 "$CHECK" lab.json lab_7 &&
	test "$(kq lab.json "len(d[\"tests\"])")" = "$(kq all.json "len(d[\"tests\"])")" &&
	! grep -q "mmstorm:" lab.json
'

test_expect 'a long, broken kernel log and a non-finite metric still make a valid file' '
	cp "$MMSTORM_DB" odd.db &&
	uuid=$(sql "SELECT uuid FROM runs ORDER BY uuid LIMIT 1") &&
	python3 -c "import sys; sys.stdout.write(\"BUG: \" + \"\\u00e9\" * 9000 + \"\\n\")" > long.txt &&
	sqlite3 odd.db "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title, signature, t_ns, source, text) SELECT id, kernel_id, host_id, boot_id, '\''oops'\'', '\''Oops in x'\'', '\''00ff'\'', 1, '\''pstore'\'', CAST(X'\''ff41'\'' || CAST(readfile('\''long.txt'\'') AS BLOB) AS TEXT) FROM runs WHERE uuid = '\''$uuid'\''; INSERT INTO metrics VALUES ((SELECT id FROM runs WHERE uuid = '\''$uuid'\''), '\''odd.metric'\'', 9e999, '\''ms'\'', '\''lower'\'')" &&
	mmstorm --db odd.db export --format kcidb "$uuid" > odd.json &&
	python3 "$CHECK" odd.json mmstorm &&
	test "$(kq odd.json "[len(t[\"log_excerpt\"]) <= 16384 and t[\"log_excerpt\"].startswith(\"\\ufffdABUG: \\u00e9\") for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$uuid\"]")" = "[True]" &&
	test "$(kq odd.json "[(\"number\" in t, t[\"path\"], t[\"misc\"][\"value\"]) for t in d[\"tests\"] if t[\"id\"] == \"mmstorm:$uuid.odd.metric\"]")" = "[(False, '\''mmstorm.$(sql "SELECT workload FROM runs WHERE uuid = '\''$uuid'\''").odd_metric'\'', '\''inf'\'')]"
'

test_expect 'the checker is not vacuous: broken copies fail it' '
	for bad in \
	    "d[\"tests\"][0][\"status\"] = \"OK\"" \
	    "d[\"tests\"][0][\"comment\"] = None" \
	    "d[\"tests\"][0][\"path\"] = \"mmstorm..x\"" \
	    "d[\"tests\"][0][\"kind\"] = 1" \
	    "del d[\"builds\"][0][\"checkout_id\"]" \
	    "d[\"builds\"][0][\"id\"] = \"Mmstorm:x\"" \
	    "d[\"tests\"][0][\"build_id\"] = \"mmstorm:nothing\"" \
	    "d[\"issues\"][0][\"version\"] = -1" \
	    "d[\"incidents\"][0][\"issue_version\"] = 2" \
	    "d[\"tests\"][0][\"start_time\"] = \"2026-11-21 23:01:56\"" \
	    "d[\"tests\"][1][\"number\"][\"prefix\"] = \"si\"" \
	    "d[\"version\"][\"minor\"] = 4" ; do
		python3 -c "import json,sys; d=json.load(open(\"all.json\")); $bad; json.dump(d, open(\"bad.json\", \"w\"))" &&
		if python3 "$CHECK" bad.json mmstorm > bad.out; then
			echo "accepted: $bad"; exit 1
		fi
	done
'

test_expect 'bad input: one line, exit 2, nothing written' '
	expect_exit 2 mmstorm export --format xml -o x.json &&
	test "$(cat "$SCRATCH/err")" = "mmstorm: unknown format '\''xml'\'' (mmstorm or kcidb)" &&
	expect_exit 2 mmstorm export --format kcidb --origin Lab-1 -o x.json &&
	test "$(cat "$SCRATCH/err")" = "mmstorm: invalid origin '\''Lab-1'\'': KCIDB takes lowercase letters, digits and '\''_'\''" &&
	expect_exit 2 mmstorm export --format kcidb --origin "" &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	expect_exit 2 mmstorm export --origin lab &&
	test "$(cat "$SCRATCH/err")" = "mmstorm: option '\''--origin'\'' needs '\''--format kcidb'\''" &&
	expect_exit 1 mmstorm export --format kcidb 0123abcd -o x.json &&
	test "$(cat "$SCRATCH/err")" = "mmstorm: no run '\''0123abcd'\''" &&
	test ! -e x.json && test -z "$(ls | grep "x.json")"
'

test_done
