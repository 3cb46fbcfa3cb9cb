#!/bin/sh
# Job files: the shipped examples are valid, the quick job runs every
# workload, errors name the file, line and option and store nothing.
. "$(dirname "$0")/lib.sh"
restore_cpus() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f"
	done 2>/dev/null
	cleanup_scratch
}
trap restore_cpus EXIT

test_expect 'examples/nightly.job and quick.job are valid' '
	mmstorm run --job "$TOP/examples/nightly.job" --check > plan &&
	grep -q "^\[hotplug-stress-ng\] hotplug x3 " plan &&
	grep -q "^\[thp-munmap-sweep\] thp-munmap x5 .*\"sweep\":\[1,2,4\]" plan &&
	mmstorm run --job "$TOP/examples/quick.job" --check > plan2 &&
	test $(wc -l < plan2) -eq 4 &&
	test ! -e "$MMSTORM_DB"
'

test_expect 'the quick job runs every workload' '
	mmstorm run --job "$TOP/examples/quick.job" --label quick --json > q.json &&
	test $(wc -l < q.json) -eq 4 &&
	python3 -c "
import json
runs = [json.loads(l) for l in open(\"q.json\")]
assert sorted(r[\"workload\"] for r in runs) == [\"hotplug\", \"mmap-churn\", \"percpu-churn\", \"thp-munmap\"], runs
for r in runs:
    assert r[\"state\"] in (\"passed\", \"skipped\"), r
    assert r[\"state\"] == \"passed\" or r[\"reason\"], r
" &&
	python3 -c "
import json
for r in map(json.loads, open(\"q.json\")):
    if r[\"state\"] == \"skipped\":
        print(\"%s: %s;\" % (r[\"workload\"], r[\"reason\"]))
" > skipped.txt &&
	{ test ! -s skipped.txt || test_mark_skipped "skipped by this machine: $(cat skipped.txt)"; } &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(DISTINCT label) FROM runs")" = 1
'

cat > "$SCRATCH/bad.job" <<'JOB'
[global]
sample_ms=500

[one]
workload=thp-munmap
size=64M

[two]
workload=thp-munmap
threads=0
JOB

test_expect 'a bad job file: file, line and option named, nothing stored' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run --job "$SCRATCH/bad.job" &&
	grep -q "bad.job. line 10: option .threads. must be between 1 and 4096, got .0." "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'a missing job file is a clear error' '
	expect_exit 2 mmstorm run --job "$SCRATCH/none.job" &&
	grep -q "cannot open" "$SCRATCH/err"
'

test_expect 'a workload and --job together are a usage error' '
	expect_exit 2 mmstorm run thp-munmap --job "$TOP/examples/quick.job"
'

test_done
