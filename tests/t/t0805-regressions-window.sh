#!/bin/sh
# regressions' window (docs/analysis.md, "The window"): by default every
# build of a small store; --last N the N builds first seen most recently,
# each judged exactly as in the whole comparison, and a line saying what
# was left out.
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"

test_expect 'import three fixtures: four builds' '
	for f in two-builds two-releases init-on-alloc; do
		mmstorm import "$F/$f.jsonl" > /dev/null || return 1
	done &&
	mmstorm kernels --json > k.json &&
	test $(wc -l < k.json) -eq 4
'

test_expect 'a small store is compared whole by default, and says so' '
	mmstorm regressions --baseline c56 > all.txt &&
	mmstorm regressions --baseline c56 --last 0 > all0.txt &&
	cmp all.txt all0.txt &&
	! grep -q "not compared" all.txt &&
	mmstorm regressions --baseline c56 --json > all.json &&
	grep -q "\"builds_compared\":3,\"builds_left_out\":0," all.json
'

# The fixtures' builds first seen last: c56-init_on_alloc0 (01:50), then
# c54 (23:19 the day before); c56-init_on_free is older, c56 the base.
same_as_whole() {
	python3 -c "
import json, sys
part = json.load(open(sys.argv[1]))[\"findings\"]
every = json.load(open(\"all.json\"))[\"findings\"]
want = sys.argv[2:]
kernels = {f[\"kernel\"] for f in part}
assert part, \"no findings\"
assert all(any(\"[\" + w + \"]\" in k for w in want) for k in kernels), kernels
mine = [f for f in every if any(\"[\" + w + \"]\" in f[\"kernel\"] for w in want)]
key = lambda f: json.dumps(f, sort_keys=True)
assert sorted(map(key, part)) == sorted(map(key, mine)), (len(part), len(mine))
" "$@"
}

test_expect '--last 1 compares the newest build only, as the whole run judged it' '
	mmstorm regressions --baseline c56 --last 1 --json > one.json &&
	grep -q "\"builds_compared\":1,\"builds_left_out\":2," one.json &&
	same_as_whole one.json c56-init_on_alloc0 &&
	mmstorm regressions --baseline c56 --last 1 > one.txt &&
	tail -n 1 one.txt | grep -qxF "(2 older build(s) not compared: --last 1; --last 0 compares every build)"
'

test_expect '--last 2 leaves one build out' '
	mmstorm regressions --baseline c56 --last 2 --json > two.json &&
	grep -q "\"builds_compared\":2,\"builds_left_out\":1," two.json &&
	same_as_whole two.json c56-init_on_alloc0 c54
'

test_expect 'a bad --last is a one-line usage error' '
	for bad in -1 x 1.5 ""; do
		expect_exit 2 mmstorm regressions --baseline c56 --last "$bad" &&
		test $(wc -l < "$SCRATCH/err") -eq 1 &&
		grep -q -- "--last expects a number of builds" "$SCRATCH/err" ||
		return 1
	done
'

test_done
