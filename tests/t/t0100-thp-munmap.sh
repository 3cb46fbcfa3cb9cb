#!/bin/sh
# thp-munmap end to end on this machine: a real measurement, stored.
. "$(dirname "$0")/lib.sh"

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case "$thp" in
""|*"[never]"*)
	test_skip "thp-munmap run" "THP unavailable here: '$thp'"
	test_done
	exit $?
	;;
esac

# require_path=0: on a loaded machine the other thread can lose its CPU
# at the munmap and no TLB IPI is sent; t0230 tests that gate.
test_expect 'run thp-munmap --size=256M --threads=2 passes' '
	mmstorm run thp-munmap --require_path=0 --size=256M --threads=2 --json > run.json &&
	test $(wc -l < run.json) -eq 1 &&
	test "$(json_get run.json "j[\"state\"]")" = passed &&
	test "$(json_get run.json "j[\"workload\"]")" = thp-munmap &&
	test "$(json_get run.json "j[\"reason\"]")" = None &&
	json_get run.json "j[\"run\"]" > uuid
'

test_expect 'run --json carries munmap_ms > 0 and coverage >= 90 %' '
	json_get run.json "j[\"metrics\"][\"munmap_ms\"] > 0" | grep -q True &&
	json_get run.json "j[\"metrics\"][\"thp_coverage_pct\"] >= 90" | grep -q True &&
	json_get run.json "j[\"metrics\"][\"us_per_hugepage\"] > 0" | grep -q True
'

test_expect 'show --json has kernel, params, deltas and events' '
	mmstorm show $(cat uuid) --json > show.json &&
	json_get show.json "sorted(k for k in (\"run\",\"workload\",\"state\",\"reason\",\"metrics\",\"kernel\",\"params\",\"deltas\",\"events\") if k not in j)" | grep -qx "\[\]" &&
	json_get show.json "j[\"params\"][\"threads\"]" | grep -qx 2 &&
	json_get show.json "j[\"params\"][\"size\"]" | grep -qx 268435456 &&
	json_get show.json "j[\"kernel\"][\"release\"]" | grep -qx "$(uname -r)" &&
	json_get show.json "type(j[\"events\"]).__name__" | grep -qx list
'

test_expect 'the kernel really faulted huge pages: thp_fault_alloc delta > 0' '
	json_get show.json "j[\"deltas\"][\"vmstat.thp_fault_alloc\"] >= 128" | grep -q True
'

test_expect 'samples were taken at start, around munmap, and at end' '
	mmstorm samples $(cat uuid) --counter vmstat.thp_fault_alloc --json > s.json &&
	grep -q "\"label\": *\"start\"" s.json &&
	grep -q "\"label\": *\"munmap-start\"" s.json &&
	grep -q "\"label\": *\"munmap-end\"" s.json &&
	grep -q "\"label\": *\"end\"" s.json
'

test_expect 'a prefix of the uuid works for show and samples' '
	prefix=$(cut -c1-8 uuid) &&
	mmstorm show $prefix > show.txt &&
	grep -q "^state  *passed" show.txt &&
	grep -q "^munmap_ms " show.txt &&
	mmstorm samples $prefix > sum.txt &&
	grep -q "^vmstat.thp_fault_alloc  *event" sum.txt
'

test_expect 'runs and kernels list it' '
	mmstorm runs > runs.txt &&
	grep -q "thp-munmap  *passed" runs.txt &&
	mmstorm kernels --json > k.json &&
	json_get k.json "j[\"runs\"]" | grep -qx 1 &&
	json_get k.json "j[\"release\"]" | grep -qx "$(uname -r)"
'

test_expect 'the database is intact' '
	test "$(sqlite3 "$MMSTORM_DB" "PRAGMA integrity_check")" = ok
'

test_done
