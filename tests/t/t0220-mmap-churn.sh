#!/bin/sh
# mmap-churn (LTP mmap1's pattern) on this machine: maps happen, the
# reader races the unmaps, and no fault or byte goes unexplained.
. "$(dirname "$0")/lib.sh"

# check_run FILE: passed, maps > 0, nothing unexpected, no corruption event.
# The run's JSON goes to the output, which is shown when a test fails.
check_run() {
	cat "$1" &&
	test "$(json_get "$1" "j[\"state\"]")" = passed &&
	test "$(json_get "$1" "j[\"reason\"]")" = None &&
	json_get "$1" "j[\"metrics\"][\"maps\"] > 0" | grep -qx True &&
	json_get "$1" "j[\"metrics\"][\"maps_per_s\"] > 0" | grep -qx True &&
	json_get "$1" "j[\"metrics\"][\"unexpected_faults\"]" | grep -qx 0.0 &&
	json_get "$1" "j[\"metrics\"][\"wrong_data\"]" | grep -qx 0.0 &&
	mmstorm show "$(json_get "$1" "j[\"run\"]")" --json > "$1.show" &&
	json_get "$1.show" "[e for e in j[\"events\"] if e[\"kind\"] == \"corruption\"]" | grep -qx "\[\]"
}

test_expect 'backing=file: 2000 maps, no unexpected fault, files gone' '
	mkdir files &&
	mmstorm run mmap-churn --backing=file --iterations=2000 \
	    --dir="$SCRATCH/files" --json > file.json &&
	test $(wc -l < file.json) -eq 1 &&
	check_run file.json &&
	json_get file.json "j[\"metrics\"][\"maps\"]" | grep -qx 2000.0 &&
	ls -la files &&
	test -z "$(ls files)"
'

test_expect 'backing=anon with 2 pairs: 2 x 2000 maps' '
	mmstorm run mmap-churn --backing=anon --pairs=2 --iterations=2000 \
	    --json > anon.json &&
	check_run anon.json &&
	json_get anon.json "j[\"metrics\"][\"maps\"]" | grep -qx 4000.0
'

# 2000 maps take some 50 ms: on a busy machine the reader may not get a
# CPU in time, so the proof that reads were judged comes from a second.
test_expect 'duration= alone, or with iterations=0, runs until it ends' '
	mmstorm run mmap-churn --duration=1s --json > dur.json &&
	check_run dur.json &&
	json_get dur.json "0.9 < j[\"metrics\"][\"elapsed_s\"] < 3" | grep -qx True &&
	json_get dur.json "j[\"metrics\"][\"checked_reads\"] > 0" | grep -qx True &&
	mmstorm run mmap-churn --duration=1s --iterations=0 --backing=anon \
	    --json > dur0.json &&
	check_run dur0.json &&
	json_get dur0.json "0.9 < j[\"metrics\"][\"elapsed_s\"] < 3" | grep -qx True
'

test_expect 'show --json keeps the params' '
	json_get anon.json.show "j[\"params\"][\"backing\"]" | grep -qx anon &&
	json_get anon.json.show "j[\"params\"][\"pairs\"]" | grep -qx 2 &&
	json_get anon.json.show "j[\"params\"][\"iterations\"]" | grep -qx 2000 &&
	json_get anon.json.show "j[\"workload\"]" | grep -qx mmap-churn
'

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case "$thp" in
""|*"[never]"*)
	test_skip "backing=thp" "THP unavailable here: '$thp'"
	;;
*)
	# How many maps get a THP depends on fragmentation (see bench/README.md):
	# the test asks for some, and that the fallback share was measured.
	test_expect 'backing=thp: huge pages faulted, use_zero_page restored' '
		zero=$(cat /sys/kernel/mm/transparent_hugepage/use_zero_page) &&
		mmstorm run mmap-churn --backing=thp --iterations=1000 \
		    --json > thp.json &&
		check_run thp.json &&
		json_get thp.json "j[\"metrics\"][\"thp_maps_pct\"] > 0" | grep -qx True &&
		json_get thp.json "0 <= j[\"metrics\"][\"thp_fallback_pct\"] <= 100" | grep -qx True &&
		test "$(cat /sys/kernel/mm/transparent_hugepage/use_zero_page)" = "$zero"
	'
	;;
esac

test_expect 'bad options exit 2 and store nothing' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run mmap-churn --pairs=0 &&
	grep -q "pairs" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run mmap-churn --pairs=65 &&
	expect_exit 2 mmstorm run mmap-churn --backing=shm &&
	grep -q "backing" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run mmap-churn --iterations=-1 &&
	expect_exit 2 mmstorm run mmap-churn --size=1G &&
	expect_exit 2 mmstorm run mmap-churn --bogus=1 &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'workloads --json lists it with its options' '
	mmstorm workloads --json > wl.json &&
	grep -q "mmap-churn" wl.json &&
	grep -q "huge_zero_page" wl.json
'

test_done
