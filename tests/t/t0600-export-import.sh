#!/bin/sh
# export/import: real runs go to another database and come back the same
# bytes; imports are idempotent by uuid; a truncated or corrupted file is
# refused with its line number and stores nothing.
. "$(dirname "$0")/lib.sh"

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case "$thp" in
""|*"[never]"*)
	test_skip "export/import of thp-munmap runs" "THP unavailable here: '$thp'"
	test_done
	exit $?
	;;
esac

B="$SCRATCH/b.db"
# Everything a database holds, to prove a command changed nothing.
dump() {
	sqlite3 "$1" .dump | md5sum
}

test_expect 'runs to export: thp-munmap, and hotplug when CPUs can go offline' '
	mmstorm run thp-munmap --size=32M --threads=1 --repeat 3 --json > runs.json &&
	test $(grep -c "\"state\":\"passed\"" runs.json) -eq 3 &&
	if [ "$(id -u)" -eq 0 ] && [ -w /sys/devices/system/cpu/cpu1/online ]; then
		mmstorm run hotplug --require_path=0 --pressure=none --cycles=2 --json >> runs.json &&
		test "$(cat /sys/devices/system/cpu/online)" = "$(cat /sys/devices/system/cpu/present)"
	fi &&
	python3 -c "import json,sys; [print(json.loads(l)[\"run\"]) for l in open(\"runs.json\")]" > uuids &&
	test $(wc -l < uuids) -ge 3
'

test_expect 'export writes a header, every run, and an end line' '
	mmstorm export > one.jsonl &&
	head -n 1 one.jsonl | grep -qx "{\"type\":\"mmstorm-export\",\"version\":1}" &&
	n=$(wc -l < uuids) &&
	tail -n 1 one.jsonl | grep -q "^{\"type\":\"end\",\"runs\":$n,\"lines\":$(($(wc -l < one.jsonl) - 1)),\"sha256\":\"[0-9a-f]\{64\}\"}$" &&
	test $(grep -c "^{\"type\":\"run\"," one.jsonl) -eq $n &&
	test $(grep -c "^{\"type\":\"kernel\"," one.jsonl) -eq 1 &&
	test $(grep -c "^{\"type\":\"host\"," one.jsonl) -eq 1 &&
	test $(grep -c "^{\"type\":\"counters\"," one.jsonl) -eq $n &&
	test $(grep -c "^{\"type\":\"sample\"," one.jsonl) -eq "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM samples")" &&
	test $(grep -c "^{\"type\":\"metric\"," one.jsonl) -eq "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM metrics")" &&
	python3 -c "import json,sys; [json.loads(l) for l in open(\"one.jsonl\")]"
'

test_expect 'export -o writes the same bytes; a failed export leaves no file' '
	mmstorm export -o two.jsonl &&
	cmp one.jsonl two.jsonl &&
	expect_exit 1 mmstorm export 0123abcd -o three.jsonl &&
	grep -q "^mmstorm: no run .0123abcd.$" "$SCRATCH/err" &&
	test ! -e three.jsonl &&
	test -z "$(ls | grep "three.jsonl")"
'

test_expect 'import into an empty database, then export: byte-identical' '
	mmstorm --db "$B" import one.jsonl > imp.txt &&
	grep -qx "imported $(wc -l < uuids) runs, skipped 0; new: 1 kernel build, 1 host, [0-9]* counters" imp.txt &&
	mmstorm --db "$B" export > back.jsonl &&
	cmp one.jsonl back.jsonl
'

test_expect 'show of every imported run equals the original, JSON and text' '
	for u in $(cat uuids); do
		mmstorm show $u --json > a.json &&
		mmstorm --db "$B" show $u --json > b.json &&
		cmp a.json b.json &&
		mmstorm show $u --all > a.txt &&
		mmstorm --db "$B" show $u --all > b.txt &&
		cmp a.txt b.txt || exit 1
	done
'

test_expect 'samples, kernels and runs read the same from the import' '
	u=$(head -n 1 uuids) &&
	mmstorm samples $u --counter vmstat.thp_fault_alloc --json > a.json &&
	mmstorm --db "$B" samples $u --counter vmstat.thp_fault_alloc --json > b.json &&
	cmp a.json b.json &&
	mmstorm --db "$B" kernels --json > k.json &&
	json_get k.json "j[\"runs\"]" | grep -qx $(wc -l < uuids) &&
	json_get k.json "j[\"release\"]" | grep -qx "$(uname -r)" &&
	test "$(sqlite3 "$B" "PRAGMA integrity_check")" = ok &&
	test "$(sqlite3 "$B" "PRAGMA foreign_key_check")" = ""
'

test_expect 'import again: every run skipped and reported, nothing changes' '
	before=$(dump "$B") &&
	mmstorm --db "$B" import one.jsonl > again.txt &&
	test $(grep -c "^skipped run .*: already in the database$" again.txt) -eq $(wc -l < uuids) &&
	grep -qx "imported 0 runs, skipped $(wc -l < uuids); new: 0 kernel builds, 0 hosts, 0 counters" again.txt &&
	mmstorm --db "$B" import --json one.jsonl > again.json &&
	json_get again.json "(j[\"imported\"], j[\"skipped\"], j[\"kernels_added\"])" | grep -qx "(0, $(wc -l < uuids), 0)" &&
	json_get again.json "sorted(j[\"skipped_runs\"])" > s1 &&
	python3 -c "print(sorted(open(\"uuids\").read().split()))" > s2 &&
	cmp s1 s2 &&
	test "$(dump "$B")" = "$before"
'

test_expect 'a truncated file is refused with its line number; nothing stored' '
	before=$(dump "$B") &&
	size=$(wc -c < one.jsonl) &&
	head -c $((size / 2)) one.jsonl > cut.jsonl &&
	expect_exit 1 mmstorm --db "$SCRATCH/new.db" import cut.jsonl &&
	grep -q "^mmstorm: .cut.jsonl. line $(wc -l < cut.jsonl | awk "{print \$1 + 1}"): truncated" "$SCRATCH/err" &&
	test ! -e "$SCRATCH/new.db" &&
	head -n 10 one.jsonl > head.jsonl &&
	expect_exit 1 mmstorm --db "$B" import head.jsonl &&
	grep -qx "mmstorm: .head.jsonl. line 11: truncated: the file ends before its end line" "$SCRATCH/err" &&
	test "$(dump "$B")" = "$before"
'

test_expect 'a flipped digit in a sample is refused; nothing stored' '
	before=$(dump "$B") &&
	rm -f "$SCRATCH/new.db" &&
	python3 - one.jsonl bad.jsonl <<-\EOF &&
	import re, sys
	lines = open(sys.argv[1]).readlines()
	i = next(i for i, l in enumerate(lines) if l.startswith("{\"type\":\"sample\""))
	m = re.search(r"\"values\":\[(\d)", lines[i])
	d = m.group(1)
	lines[i] = lines[i][:m.start(1)] + ("1" if d != "1" else "2") + lines[i][m.end(1):]
	open(sys.argv[2], "w").writelines(lines)
	EOF
	! cmp -s one.jsonl bad.jsonl &&
	expect_exit 1 mmstorm --db "$SCRATCH/new.db" import bad.jsonl &&
	grep -qx "mmstorm: .bad.jsonl. line $(wc -l < one.jsonl): checksum mismatch: lines 1-$(($(wc -l < one.jsonl) - 1)) were changed after the export .*" "$SCRATCH/err" &&
	test ! -e "$SCRATCH/new.db" &&
	expect_exit 1 mmstorm --db "$B" import bad.jsonl &&
	test "$(dump "$B")" = "$before"
'

test_expect 'a broken line is refused with its own number' '
	before=$(dump "$B") &&
	sed "5s/^{/[/" one.jsonl > broken.jsonl &&
	expect_exit 1 mmstorm --db "$B" import broken.jsonl &&
	grep -q "^mmstorm: .broken.jsonl. line 5: not JSON" "$SCRATCH/err" &&
	sed "4s/\"type\":\"run\"/\"type\":\"rum\"/" one.jsonl > rum.jsonl &&
	expect_exit 1 mmstorm --db "$B" import rum.jsonl &&
	grep -qx "mmstorm: .rum.jsonl. line 4: unknown line type .rum." "$SCRATCH/err" &&
	echo "{\"type\":\"end\"}" | cat one.jsonl - > extra.jsonl &&
	expect_exit 1 mmstorm --db "$B" import extra.jsonl &&
	grep -q "line $(wc -l < extra.jsonl): a line after the end line" "$SCRATCH/err" &&
	test "$(dump "$B")" = "$before"
'

test_expect 'from a pipe: one pass in one transaction, rolled back when bad' '
	C="$SCRATCH/c.db" &&
	head -n 20 one.jsonl | expect_exit 1 mmstorm --db "$C" import - &&
	grep -qx "mmstorm: .<stdin>. line 21: truncated: the file ends before its end line" "$SCRATCH/err" &&
	test "$(sqlite3 "$C" "SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM kernels) + (SELECT count(*) FROM counters)")" = 0 &&
	cat one.jsonl | mmstorm --db "$C" import - > pipe.txt &&
	grep -q "^imported $(wc -l < uuids) runs" pipe.txt &&
	mmstorm --db "$C" export | cmp - one.jsonl
'

test_expect 'exports of some runs merge into one kernel build and host' '
	D="$SCRATCH/d.db" &&
	first=$(head -n 1 uuids) &&
	mmstorm export $(echo $first | cut -c1-8) > p1.jsonl &&
	test $(grep -c "^{\"type\":\"run\"," p1.jsonl) -eq 1 &&
	mmstorm export $(tail -n +2 uuids) $first > p2.jsonl &&
	mmstorm --db "$D" import p1.jsonl > /dev/null &&
	mmstorm --db "$D" import --json p2.jsonl > p2.json &&
	json_get p2.json "(j[\"imported\"], j[\"skipped\"], j[\"kernels_added\"], j[\"hosts_added\"])" | grep -qx "($(($(wc -l < uuids) - 1)), 1, 0, 0)" &&
	test "$(sqlite3 "$D" "SELECT count(*) FROM kernels; SELECT count(*) FROM hosts")" = "1
1" &&
	mmstorm --db "$D" export | cmp - one.jsonl
'

test_expect 'usage errors exit 2; a run that has not ended is not exported' '
	expect_exit 2 mmstorm import &&
	expect_exit 2 mmstorm import a b &&
	expect_exit 2 mmstorm export --bogus &&
	expect_exit 1 mmstorm import "$SCRATCH/none.jsonl" &&
	grep -q "^mmstorm: cannot open .*none.jsonl.: No such file or directory$" "$SCRATCH/err" &&
	cp "$MMSTORM_DB" "$SCRATCH/r.db" &&
	u=$(head -n 1 uuids) &&
	sqlite3 "$SCRATCH/r.db" "UPDATE runs SET state = '"'"'running'"'"' WHERE uuid = '"'"'$u'"'"'" &&
	expect_exit 1 mmstorm --db "$SCRATCH/r.db" export $u &&
	grep -q "^mmstorm: run .$u. has not ended (state running" "$SCRATCH/err" &&
	mmstorm --db "$SCRATCH/r.db" export > r.jsonl 2> r.err &&
	grep -qx "mmstorm: left out 1 run that has not ended yet" r.err &&
	! grep -q "$u" r.jsonl
'

test_done
