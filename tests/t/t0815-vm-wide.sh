#!/bin/sh
# bench/vm-wide.py, the tables of `make vm-check-wide`, on the committed
# sweeps (tests/fixtures/wide/; hot32/: hotplug in a 32-vCPU guest): the
# exports give the committed CSVs byte for byte, the tables with their fits
# are the committed table.md, and a run that failed (other than on THP
# coverage) or gave no numbers is not a row.  No guest is booted here (a
# sweep takes 25-40 minutes: make vm-check-wide).
. "$(dirname "$0")/lib.sh"
W=$TOP/tests/fixtures/wide
PY="python3 $TOP/bench/vm-wide.py"

test_expect 'the CSVs come out of the export as committed' '
	for d in "$W" "$W/hot32"; do
		rm -rf out && mkdir out
		$PY csv "$d/export.jsonl" out
		cmp "$d/thp-munmap.csv" out/thp-munmap.csv
		cmp "$d/hotplug.csv" out/hotplug.csv
	done
'

test_expect 'the table and its fits come out as committed' '
	$PY table "$W/hot32" > table32.md
	cmp "$W/hot32/table.md" table32.md
	$PY table "$W" > table.md
	cmp "$W/table.md" table.md || { diff -u "$W/table.md" table.md; false; }
	# One flush round per munmap: about one TLB IPI per thread CPU.
	grep -q "^| tlb_irqs_min | 0.3827 + 0.9001·N | 0.989 | 115.6 |" table.md
	grep -q "^| offline_ms_p50 | " table.md
'

test_expect 'one row per thread count and per online CPU count' '
	[ "$(cut -d, -f1 "$W/thp-munmap.csv" | sed 1d | sort -n | uniq -d)" = "" ]
	[ "$(sed 1d "$W/thp-munmap.csv" | wc -l)" -ge 4 ]
	[ "$(sed 1d "$W/hotplug.csv" | wc -l)" -ge 4 ]
'

test_expect 'failed runs and runs without numbers are not rows' '
	# Every thp-munmap run interrupted, or failed for another reason
	# than THP coverage: no row; hotplug rows stay.
	sed "/\"workload\":\"thp-munmap\"/s/\"state\":\"[a-z]*\"/\"state\":\"interrupted\"/" \
		"$W/export.jsonl" > failed.jsonl
	sed "/\"workload\":\"thp-munmap\"/s/\"reason\":\"THP coverage/\"reason\":\"worker ended/" \
		"$W/export.jsonl" > other.jsonl
	mkdir o
	$PY csv other.jsonl o
	[ "$(sed 1d o/thp-munmap.csv | cut -d, -f3 | sort -u)" = 1 ]
	mkdir f
	$PY csv failed.jsonl f
	[ "$(wc -l < f/thp-munmap.csv)" = 1 ]
	cmp "$W/hotplug.csv" f/hotplug.csv
	grep -v "\"type\":\"run\"" "$W/export.jsonl" > none.jsonl
	mkdir n
	expect_exit 1 $PY csv none.jsonl n
'

test_expect 'the fit: a straight line is found exactly, noise lowers R²' '
	mkdir fit
	printf "threads,runs,munmap_ms_per_gib,tlb_irqs_per_gib\n" > fit/thp-munmap.csv
	for n in 1 2 4 8 16; do
		printf "%s,1,%s,%s\n" $n $((10 + 3 * n)) $((n * n)) >> fit/thp-munmap.csv
	done
	$PY table fit > fit.md
	cat fit.md
	grep -q "^| munmap_ms_per_gib | 10 + 3·N | 1.000 | 394 |" fit.md
	grep -q "^| tlb_irqs_per_gib | .* | 0\.9[0-9]* | " fit.md
'

test_done
