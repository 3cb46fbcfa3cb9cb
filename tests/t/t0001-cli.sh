#!/bin/sh
# The CLI contract: listings, usage errors, exit codes, nothing stored on
# bad input.
. "$(dirname "$0")/lib.sh"

test_expect 'workloads lists thp-munmap with its options' '
	mmstorm workloads > out &&
	grep -q "^thp-munmap " out &&
	grep -q "^threads " out &&
	grep -q "^sample_ms " out
'

test_expect 'workloads --json is one object per workload with typed options' '
	mmstorm workloads --json > out &&
	python3 -c "
import json
for line in open(\"out\"):
    w = json.loads(line)
    assert w[\"name\"] and w[\"summary\"]
    names = [o[\"name\"] for o in w[\"options\"]]
    assert \"duration\" in names, names
    for o in w[\"options\"]:
        assert o[\"type\"] in (\"int\",\"size\",\"bool\",\"enum\",\"duration\",\"percent\",\"intlist\",\"string\"), o
"
'

test_expect 'no command is a usage error (exit 2)' '
	expect_exit 2 mmstorm &&
	grep -q "usage: mmstorm" "$SCRATCH/err"
'

test_expect 'unknown command is a usage error naming it' '
	expect_exit 2 mmstorm frobnicate &&
	grep -q "unknown command .frobnicate." "$SCRATCH/err"
'

test_expect 'query without a database says where it looked (exit 1)' '
	expect_exit 1 mmstorm --db "$SCRATCH/none.db" runs &&
	grep -q "no database at" "$SCRATCH/err" &&
	test ! -e "$SCRATCH/none.db"
'

test_expect 'setup: a database with one stored run' '
	# exit 1 is a run that failed (THP coverage): stored all the same
	mmstorm run thp-munmap --size=4M --threads=1 --json > out || test $? = 1
	json_get out "j[\"state\"]" | grep -Eqx "passed|failed|skipped"
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs")" = 1
'

test_expect 'unknown workload: exit 2, one line, nothing stored' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run no-such-load &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	grep -q "unknown workload .no-such-load." "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'unknown option: exit 2, names option and workload, nothing stored' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run thp-munmap --bogus=1 &&
	test $(wc -l < "$SCRATCH/err") -eq 1 &&
	grep -q "unknown option .bogus. for workload .thp-munmap." "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'out of range and wrong type: exit 2, nothing stored' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run thp-munmap --threads=0 &&
	grep -q "option .threads. must be between" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run thp-munmap --size=lots &&
	grep -q "option .size. expects a size" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run thp-munmap --repeat=0 &&
	grep -q "option .repeat. must be between" "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'show of an unknown run: exit 1, one line' '
	expect_exit 1 mmstorm show deadbeef &&
	grep -q "no run .deadbeef." "$SCRATCH/err" &&
	expect_exit 1 mmstorm show "x;drop table runs" &&
	grep -q "is not a run uuid" "$SCRATCH/err"
'

test_expect 'a newer database is refused with a clear message' '
	cp "$MMSTORM_DB" "$SCRATCH/newer.db" &&
	sqlite3 "$SCRATCH/newer.db" "PRAGMA user_version = 99" &&
	expect_exit 1 mmstorm --db "$SCRATCH/newer.db" runs &&
	grep -q "schema version 99, newer than this mmstorm" "$SCRATCH/err"
'

test_done
