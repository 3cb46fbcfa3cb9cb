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

test_expect 'an ambiguous command prefix lists the candidates (exit 2)' '
	expect_exit 2 mmstorm re &&
	grep -qx "mmstorm: ambiguous command: re, could be: regressions, report" "$SCRATCH/err" &&
	expect_exit 2 mmstorm ru &&
	grep -qx "mmstorm: ambiguous command: ru, could be: run, runs" "$SCRATCH/err"
'

test_expect 'a unique prefix runs the command; an exact name beats a prefix' '
	mmstorm workloads > full &&
	mmstorm work > short &&
	cmp full short &&
	mmstorm run --help > out &&
	grep -q "^usage: mmstorm run (WORKLOAD" out
'

test_expect 'every command: --help and -h print its usage on stdout (exit 0)' '
	mmstorm --help | sed -n "s/^  \([a-z-]*\) .*/\1/p" > commands &&
	test $(wc -l < commands) -ge 16 &&
	while read -r c; do
		mmstorm $c --help > out 2> err &&
		grep -q "^usage: mmstorm $c" out && test ! -s err &&
		mmstorm $c -h > out2 && cmp out out2 || { echo "$c"; false; }
	done < commands
'

test_expect 'every command: an unknown option is a usage error on stderr (exit 2)' '
	while read -r c; do
		case $c in verdict) continue ;; esac   # exits 128 for git bisect
		expect_exit 2 mmstorm $c --no-such-option &&
		grep -q "^usage: mmstorm $c" "$SCRATCH/err" &&
		test ! -s "$SCRATCH/stdout" || { echo "$c"; false; }
	done < commands &&
	expect_exit 128 mmstorm verdict --no-such-option &&
	grep -q "^verdict: infrastructure failure: usage: mmstorm verdict" "$SCRATCH/stdout"
'

test_expect 'operands are counted: too many or too few is a usage error' '
	expect_exit 2 mmstorm show &&
	grep -q "^usage: mmstorm show RUN" "$SCRATCH/err" &&
	expect_exit 2 mmstorm compare a &&
	expect_exit 2 mmstorm kernels extra &&
	expect_exit 2 mmstorm workloads a b &&
	expect_exit 2 mmstorm regressions &&
	grep -q "^usage: mmstorm regressions --baseline" "$SCRATCH/err"
'

test_expect 'a bad option value says what is wrong in one line (exit 2)' '
	expect_exit 2 mmstorm runs --limit 0 &&
	test "$(cat "$SCRATCH/err")" = "mmstorm: --limit expects a positive number, got '\''0'\''" &&
	expect_exit 2 mmstorm lockups --since soon &&
	grep -q "^mmstorm: --since expects 7d" "$SCRATCH/err" &&
	expect_exit 2 mmstorm compare --threshold 2000 a b &&
	grep -q "^mmstorm: --threshold expects a percentage" "$SCRATCH/err"
'

test_expect 'kernels lists the distinct labels of its runs, sorted' '
	db="$SCRATCH/labels.db" &&
	mmstorm --db "$db" import "$TOP/tests/fixtures/runs/two-builds.jsonl" > /dev/null &&
	sqlite3 "$db" "UPDATE runs SET label = CASE id % 3 WHEN 0 THEN '\''b'\'' WHEN 1 THEN '\''a'\'' ELSE NULL END" &&
	mmstorm --db "$db" kernels --json > out &&
	python3 -c "
import json
for line in open(\"out\"):
    k = json.loads(line)
    assert k[\"labels\"] == \"a,b\", k[\"labels\"]
" &&
	sqlite3 "$db" "UPDATE runs SET label = NULL" &&
	mmstorm --db "$db" kernels --json > out &&
	test "$(json_get out "j[\"labels\"]")" = None &&
	mmstorm --db "$db" runs --json --limit 2 > out &&
	test $(wc -l < out) -eq 2
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

test_expect 'an unknown command suggests the nearest one' '
	expect_exit 2 mmstorm rgressions &&
	grep -qx "mmstorm: unknown command .rgressions. (did you mean .regressions.?)" "$SCRATCH/err" &&
	expect_exit 2 mmstorm comapre &&
	grep -q "did you mean .compare.?" "$SCRATCH/err" &&
	expect_exit 2 mmstorm rus &&
	grep -q "did you mean .run. or .runs.?" "$SCRATCH/err" &&
	expect_exit 2 mmstorm frobnicate &&
	! grep -q "did you mean" "$SCRATCH/err"
'

test_expect 'an unknown workload option or workload suggests the nearest' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run thp-munmap --sizee=1G &&
	grep -qx "mmstorm: unknown option .sizee. for workload .thp-munmap. (did you mean .size.?)" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run hotplug --cylces=3 &&
	grep -q "did you mean .cycles.?" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run thp-munmap --frobnicate=1 &&
	! grep -q "did you mean" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run hotplgu &&
	grep -q "unknown workload .hotplgu. (did you mean .hotplug.?)" "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'a job file line with a mistyped option suggests too' '
	printf "[a]\nworkload = thp-munmap\nsizee = 1G\n" > typo.job &&
	expect_exit 2 mmstorm run --job typo.job --check &&
	grep -q "did you mean .size.?" "$SCRATCH/err"
'

test_expect 'a mistyped option of a command suggests the nearest' '
	expect_exit 2 mmstorm runs --workloda thp-munmap &&
	grep -qx "mmstorm: did you mean .--workload.?" "$SCRATCH/err" &&
	expect_exit 2 mmstorm show --jsn x &&
	grep -qx "mmstorm: did you mean .--json.?" "$SCRATCH/err" &&
	expect_exit 2 mmstorm runs --frobnicate &&
	! grep -q "did you mean" "$SCRATCH/err"
'

test_done
