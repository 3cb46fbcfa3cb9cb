#!/bin/sh
# percpu-churn: real percpu allocations on this machine.  Percpu: rises
# with the fill, falls after the scattered free, nothing reads back
# wrong, and every cgroup the run made is gone afterwards.
. "$(dirname "$0")/lib.sh"

# The run's private cgroup parents are named after the worker's pid.
no_leftover_cgroups() {
	for d in /sys/fs/cgroup/memory /sys/fs/cgroup/unified /sys/fs/cgroup; do
		if ls -d "$d"/mmstorm-percpu-* 2>/dev/null | grep -q .; then
			echo "left behind: $(ls -d "$d"/mmstorm-percpu-*)"
			return 1
		fi
	done
}

# A source this machine cannot run must be skipped with its reason, and
# the test counts as a skip, not a pass.
passed_or_skipped() {
	state=$(json_get "$1" "j[\"state\"]")
	case "$state" in
	passed) ;;
	skipped)
		json_get "$1" "j[\"reason\"]" | grep -q . || {
			echo "skipped without a reason"
			return 1
		}
		test_mark_skipped "$(json_get "$1" "j[\"reason\"]")"
		;;
	*)
		echo "state $state: $(json_get "$1" "j[\"reason\"]")"
		return 1
		;;
	esac
}

test_expect 'a bad option is a usage error and stores nothing' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run percpu-churn --source=ebpf &&
	grep -q "source" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run percpu-churn --value_size=64K &&
	expect_exit 2 mmstorm run percpu-churn --procs=0 &&
	test "$(db_fingerprint)" = "$before"
'

mmstorm run percpu-churn --require_path=0 --count=1 --entries=1 --cycles=1 \
    --settle_quiet=50ms --json > "$SCRATCH/probe.json" 2>&1
# The kernel has BPF when its sysctls are there (CONFIG_BPF_SYSCALL); as
# root the map can then be made, and a skip means a broken machine.
if [ "$(json_get "$SCRATCH/probe.json" "j[\"state\"]")" = skipped ]; then
	why=$(json_get "$SCRATCH/probe.json" "j[\"reason\"]")
	if [ "$(id -u)" = 0 ] && [ -e /proc/sys/kernel/unprivileged_bpf_disabled ]; then
		test_expect 'root on a kernel with BPF: the run is not skipped' '
			echo "skipped: $why"; false
		'
	else
		test_expect 'without BPF the run is skipped with a reason' '
			json_get "$SCRATCH/probe.json" "j[\"reason\"]" | grep -q .
		'
	fi
	test_skip_rest "$why"
fi

test_expect 'bpf scatter passes: Percpu rose and fell, values verified' '
	mmstorm run percpu-churn --source=bpf --pattern=scatter --count=1000 --procs=1 \
	    --cycles=2 --json > run.json &&
	test $(wc -l < run.json) -eq 1 &&
	test "$(json_get run.json "j[\"state\"]")" = passed &&
	test "$(json_get run.json "j[\"reason\"]")" = None &&
	m="j[\"metrics\"]" &&
	json_get run.json "$m[\"percpu_peak_kb\"] > $m[\"percpu_settled_kb\"]" | grep -qx True &&
	json_get run.json "$m[\"percpu_peak_kb\"] > $m[\"percpu_start_kb\"]" | grep -qx True &&
	json_get run.json "$m[\"corrupt_values\"] == 0" | grep -qx True &&
	json_get run.json "$m[\"verified_values\"] > 0" | grep -qx True &&
	json_get run.json "$m[\"objects\"] == 2000" | grep -qx True &&
	json_get run.json "$m[\"cycles\"] == 2" | grep -qx True &&
	json_get run.json "$m[\"objects_per_s\"] > 0" | grep -qx True &&
	json_get run.json "$m[\"create_us_p99\"] >= $m[\"create_us_p50\"] > 0" | grep -qx True &&
	json_get run.json "$m[\"create_us_max\"] >= $m[\"create_us_p99\"]" | grep -qx True &&
	json_get run.json "\"settle_ms\" in $m or $m[\"settle_timeouts\"] > 0" | grep -qx True &&
	json_get run.json "j[\"run\"]" > uuid
'

test_expect 'show: no corruption event, params stored' '
	mmstorm show $(cat uuid) --json > show.json &&
	json_get show.json "[e for e in j[\"events\"] if e[\"kind\"] == \"corruption\"]" | grep -qx "\[\]" &&
	json_get show.json "j[\"params\"][\"source\"]" | grep -qx bpf &&
	json_get show.json "j[\"params\"][\"pattern\"]" | grep -qx scatter &&
	json_get show.json "j[\"params\"][\"count\"]" | grep -qx 1000
'

test_expect 'the sampler saw it too: Percpu at fill-end above start, settled below fill-end' '
	mmstorm samples $(cat uuid) --counter meminfo.Percpu --json > s.json &&
	python3 - s.json <<-\EOF
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	by = {}
	for r in rows:
	    by.setdefault(r["label"], []).append(r["meminfo.Percpu"])
	for label in ("start", "fill-end", "free-end", "settled", "released", "end"):
	    assert label in by, (label, sorted(k for k in by if k))
	assert len(by["fill-end"]) == 2 and len(by["settled"]) == 2, by
	assert by["fill-end"][0] > by["start"][0], by
	assert all(s < f for s, f in zip(by["settled"], by["fill-end"])), by
	assert by["released"][0] < max(by["fill-end"]), by
	EOF
'

if [ -r /sys/kernel/debug/percpu_stats ]; then
	test_expect 'percpu_stats readable: chunks counted, scatter leaves sidelined chunks' '
		m="j[\"metrics\"]" &&
		json_get run.json "$m[\"chunks_peak\"] > 2" | grep -qx True &&
		json_get run.json "$m[\"chunks_sidelined\"] > 0" | grep -qx True &&
		json_get run.json "\"chunks_to_depopulate\" in $m" | grep -qx True &&
		json_get run.json "15.5 < $m[\"percpu_allocs_per_object\"] < 17" | grep -qx True
	'
else
	test_skip 'chunk counts' 'percpu_stats is not readable here'
fi

test_expect 'a value changed behind the check is a corruption event and fails the run' '
	expect_exit 1 mmstorm run percpu-churn --count=200 --procs=1 --cycles=1 \
	    --selftest_corrupt=1 --settle_quiet=200ms --json &&
	cp "$SCRATCH/stdout" bad.json &&
	test "$(json_get bad.json "j[\"state\"]")" = failed &&
	json_get bad.json "j[\"reason\"]" | grep -q "^corruption" &&
	json_get bad.json "j[\"metrics\"][\"corrupt_values\"]" | grep -qx 1.0 &&
	mmstorm show $(json_get bad.json "j[\"run\"]") --json > badshow.json &&
	json_get badshow.json "[e[\"title\"] for e in j[\"events\"] if e[\"kind\"] == \"corruption\"]" |
	    grep -q "BPF percpu value changed"
'

test_skip_rest ""
# 2000 memcgs: a few hundred fit in percpu pages that are populated
# already, and Percpu: would not move.
test_expect 'memcg: passes (Percpu rose and fell) or is skipped with a reason' '
	mmstorm run percpu-churn --source=memcg --count=2000 --procs=1 --cycles=1 \
	    --json > memcg.json || true &&
	passed_or_skipped memcg.json &&
	if [ "$(json_get memcg.json "j[\"state\"]")" = passed ]; then
		m="j[\"metrics\"]" &&
		json_get memcg.json "$m[\"percpu_peak_kb\"] > $m[\"percpu_settled_kb\"]" | grep -qx True &&
		json_get memcg.json "$m[\"percpu_peak_kb\"] > $m[\"percpu_start_kb\"]" | grep -qx True &&
		json_get memcg.json "$m[\"objects\"] == 2000" | grep -qx True
	fi &&
	no_leftover_cgroups
'

test_expect 'netns: passes or is skipped with a reason' '
	mmstorm run percpu-churn --source=netns --count=300 --procs=1 --cycles=1 \
	    --settle_quiet=1s --json > netns.json || true &&
	passed_or_skipped netns.json &&
	if [ "$(json_get netns.json "j[\"state\"]")" = passed ]; then
		json_get netns.json "j[\"metrics\"][\"objects\"] == 300" | grep -qx True &&
		json_get netns.json "j[\"metrics\"][\"corrupt_values\"] == 0" | grep -qx True
	fi
'

# 5s: each process first loads the per-CPU check's program (~0.2 s of
# verifier, more on a loaded machine), inside the duration.
test_expect 'procs=3 mix with duration=: stops by itself, passes, cleans up' '
	start=$(date +%s) &&
	mmstorm run percpu-churn --source=mix --procs=3 --count=150 \
	    --duration=5s --settle_quiet=300ms --json > mix.json || true &&
	passed_or_skipped mix.json &&
	test $(( $(date +%s) - start )) -lt 15 &&
	if [ "$(json_get mix.json "j[\"state\"]")" = passed ]; then
		json_get mix.json "j[\"metrics\"][\"cycles\"] >= 1" | grep -qx True &&
		json_get mix.json "j[\"metrics\"][\"procs\"] == 3" | grep -qx True
	fi &&
	no_leftover_cgroups &&
	! pgrep -f "mmstorm run percpu-churn --source=mix --procs=3" > /dev/null
'

test_expect 'the database is intact' '
	test "$(sqlite3 "$MMSTORM_DB" "PRAGMA integrity_check")" = ok
'

test_done
