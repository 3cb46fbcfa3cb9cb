#!/bin/sh
# verdict and the kinds a debug kernel prints (docs/kmsg.md, "Kinds"):
# a KASAN report (memory already corrupted) makes a build bad by default;
# a lockdep report does not, unless it is the report chased.  The runs
# are the committed two-builds fixture with two thp-munmap runs of the
# new build given such a report (keys-lib.sh, derive).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/t/keys-lib.sh"
F="$TOP/tests/fixtures/runs/two-builds.jsonl"
V="verdict --baseline c56 --kernel c56-init_on_free --workload thp-munmap --metric thp_coverage_pct"

test_expect 'import: the same runs, with KASAN or with lockdep reports' '
	derive "$F" k.jsonl kasan && derive "$F" l.jsonl lockdep &&
	mmstorm --db "$SCRATCH/k.db" import k.jsonl | grep -q "imported 26 runs" &&
	mmstorm --db "$SCRATCH/l.db" import l.jsonl | grep -q "imported 26 runs" &&
	mmstorm --db "$SCRATCH/k.db" lockups --json > k.json &&
	test "$(grep -c "\"kind\":\"kasan\",\"title\":\"KASAN: use-after-free Read in zap_huge_pmd\"" k.json)" = 1
'

test_expect 'a KASAN report is bad by default, whatever the metric says' '
	expect_exit 0 mmstorm --db "$SCRATCH/l.db" $V &&
	expect_exit 1 mmstorm --db "$SCRATCH/k.db" $V &&
	grep -q "^verdict: bad: .*: 0 of 5 run(s) locked up or crashed, 2 with kernel errors (.KASAN: use-after-free Read in zap_huge_pmd.)$" "$SCRATCH/stdout"
'

test_expect 'a lockdep report is not, unless it is the one chased' '
	expect_exit 0 mmstorm --db "$SCRATCH/l.db" $V &&
	grep -q "^verdict: good: thp_coverage_pct" "$SCRATCH/stdout" &&
	expect_exit 1 mmstorm --db "$SCRATCH/l.db" $V --kind lockdep &&
	grep -q "2 of 5 run(s) logged the report chased (.possible deadlock in zap_huge_pmd.)$" "$SCRATCH/stdout" &&
	# chasing lockdep, the KASAN reports are named, and the metric decides
	expect_exit 0 mmstorm --db "$SCRATCH/k.db" $V --kind lockdep &&
	grep -q "^not chased: 0 run(s) locked up or crashed, 2 with other kernel errors (.KASAN: use-after-free Read in zap_huge_pmd.)$" "$SCRATCH/stdout"
'

test_done
