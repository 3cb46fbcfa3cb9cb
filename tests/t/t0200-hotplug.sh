#!/bin/sh
# hotplug: real CPU offline/online cycles on this machine; CPUs always
# come back, whoever dies.
. "$(dirname "$0")/lib.sh"

present=$(cat /sys/devices/system/cpu/present)
all_online() {
	test "$(cat /sys/devices/system/cpu/online)" = "$present"
}
# Whatever happens in here, leave the machine as it was found.
restore_cpus() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f"
	done 2>/dev/null
	cleanup_scratch
}
trap restore_cpus EXIT

# Only a machine that cannot hotplug may skip: with CPU1's online file
# writable, a skipped run fails the first test below.
cpu1=/sys/devices/system/cpu/cpu1/online
if [ ! -w $cpu1 ]; then
	test_expect 'without hotplug the run is skipped with a reason' '
		mmstorm run hotplug --require_path=0 --pressure=none --json > run.json &&
		test "$(json_get run.json "j[\"state\"]")" = skipped &&
		json_get run.json "j[\"reason\"]" | grep -q .
	'
	if [ -e $cpu1 ]; then
		test_skip_rest "$cpu1 is not writable (uid $(id -u))"
	else
		test_skip_rest "no $cpu1: CPU1 missing or not hot-pluggable"
	fi
fi

test_expect 'hotplug --pressure=none cycles CPUs and passes' '
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=4 --json > run.json &&
	test "$(json_get run.json "j[\"state\"]")" = passed &&
	json_get run.json "j[\"metrics\"][\"cycles\"]" | grep -qx 4.0 &&
	json_get run.json "j[\"metrics\"][\"offline_ms_p99\"] > 0" | grep -q True &&
	json_get run.json "j[\"run\"]" > uuid
'

test_expect 'every CPU is online afterwards' '
	all_online
'

test_expect 'IPIs really happened: CAL delta > 0, per-cycle deltas stored' '
	mmstorm show $(cat uuid) --json > show.json &&
	json_get show.json "j[\"deltas\"][\"irq.CAL\"] > 0" | grep -q True &&
	json_get show.json "len(j[\"values\"][\"cycle.cal_irqs\"])" | grep -qx 4 &&
	json_get show.json "sum(j[\"values\"][\"cycle.cal_irqs\"]) > 0" | grep -q True &&
	json_get show.json "len(j[\"values\"][\"cycle.allocstall_normal\"])" | grep -qx 4 &&
	json_get show.json "len(j[\"values\"][\"cycle.cal_irqs.cpu1\"])" | grep -qx 4
'

test_expect 'each transition is stored, and the knobs were restored' '
	json_get show.json "len(j[\"values\"][\"offline_ms\"])" > n &&
	test "$(cat n)" -ge 4 &&
	json_get show.json "all(k[\"state\"] == \"restored\" for k in j[\"knobs\"]) and len(j[\"knobs\"]) > 0" | grep -q True
'

test_expect 'kill -9 of the worker: run interrupted, CPUs back online' '
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=0 --duration=60s --json > killed.json &
	sup=$!
	i=0
	until test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM knobs k JOIN runs r ON r.id = k.run_id WHERE r.state = '"'"'running'"'"'" 2>/dev/null)" -gt 0; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done
	worker=$(pgrep -P $sup | head -n 1)
	test -n "$worker"
	kill -9 $worker
	wait $sup || true
	test "$(json_get killed.json "j[\"state\"]")" = interrupted &&
	all_online &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM knobs WHERE state <> '"'"'restored'"'"'")" = 0
'

test_expect 'kill -9 of the supervisor: the next start settles the run and the CPUs' '
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=0 --duration=60s > /dev/null 2>&1 &
	sup=$!
	i=0
	until test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM knobs k JOIN runs r ON r.id = k.run_id WHERE r.state = '"'"'running'"'"'" 2>/dev/null)" -gt 0; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done
	kill -9 $sup
	wait $sup || true
	sleep 0.5
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=1 > next.txt 2> next.err &&
	grep -q "settled" next.err &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0 &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'interrupted'"'"' AND reason LIKE '"'"'%supervisor%'"'"'")" = 1 &&
	all_online
'

test_expect 'builtin pressure: allocators and page cache, cleaned up after' '
	mmstorm run hotplug --require_path=0 --pressure=builtin --pressure_size=512M --cache_size=128M --cycles=2 --ramp=30s --json > p.json &&
	test "$(json_get p.json "j[\"state\"]")" = passed &&
	json_get p.json "j[\"metrics\"][\"floor_hits\"]" | grep -qx 0.0 &&
	! pgrep -f "mmstorm run hotplug" &&
	all_online
'

if [ -x /usr/bin/stress-ng ]; then
	test_expect 'stress-ng pressure: its YAML is parsed and kept with the run' '
		mmstorm run hotplug --require_path=0 --pressure=stress-ng --pressure_size=256M --workers=1 --cycles=2 --ramp=20s --json > s.json &&
		test "$(json_get s.json "j[\"state\"]")" = passed &&
		json_get s.json "\"stressng_vm_wall_clock_time\" in j[\"metrics\"]" | grep -q True &&
		uuid=$(json_get s.json "j[\"run\"]") &&
		sqlite3 "$MMSTORM_DB" "SELECT content FROM run_artifacts a JOIN runs r ON r.id = a.run_id WHERE r.uuid = '"'"'$uuid'"'"' AND a.name = '"'"'stress-ng.yaml'"'"'" | grep -q "stressor: vm" &&
		! pgrep -x stress-ng &&
		all_online
	'
else
	test_skip "stress-ng pressure" "stress-ng is not installed"
fi

test_expect 'order=random: the seed is kept with the run' '
	mmstorm run hotplug --require_path=0 --pressure=none --order=random --seed=7 --cycles=2 --json > rnd.json &&
	test "$(json_get rnd.json "j[\"state\"]")" = passed &&
	mmstorm show "$(json_get rnd.json "j[\"run\"]")" --json > rnd.show &&
	json_get rnd.show "(j[\"params\"][\"order\"], j[\"params\"][\"seed\"])" | grep -qx "(.random., 7)" &&
	all_online
'

test_skip_rest ""
test_expect 'seed= out of range is a usage error' '
	expect_exit 2 mmstorm run hotplug --order=random --seed=-1 &&
	grep -q "seed" "$SCRATCH/err"
'

test_expect 'cpus= out of range is a usage error, nothing stored' '
	before=$(db_fingerprint) &&
	expect_exit 2 mmstorm run hotplug --cpus=99999 &&
	grep -q "option .cpus. must be between" "$SCRATCH/err" &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'ENOSPC from an online write is a counted skip, the CPU comes back' '
	MMSTORM_TEST_ONLINE_ENOSPC=2 mmstorm run hotplug --require_path=0 --pressure=none --cycles=4 --json > enospc.json &&
	test "$(json_get enospc.json "j[\"state\"]")" = passed &&
	json_get enospc.json "j[\"metrics\"][\"enospc_skips\"]" | grep -qx 3.0 &&
	json_get enospc.json "j[\"metrics\"][\"skipped_transitions\"]" | grep -qx 0.0 &&
	all_online
'

test_expect 'every online write refused with ENOSPC: still not a failure, CPUs back' '
	MMSTORM_TEST_ONLINE_ENOSPC=1 mmstorm run hotplug --require_path=0 --pressure=none --cycles=3 --json > enospc1.json &&
	test "$(json_get enospc1.json "j[\"state\"]")" = passed &&
	json_get enospc1.json "j[\"metrics\"][\"enospc_skips\"] >= 3" | grep -q True &&
	all_online
'

test_expect 'concurrent=: one writer per CPU at most, the run passes' '
	mmstorm run hotplug --require_path=0 --pressure=none --concurrent=4 --cycles=2 --json > conc.json &&
	test "$(json_get conc.json "j[\"state\"]")" = passed &&
	n=$(json_get conc.json "j[\"metrics\"][\"writer_threads\"]") &&
	cpus=$(ls -d /sys/devices/system/cpu/cpu[1-9]*/online 2>/dev/null | wc -l) &&
	json_get conc.json "j[\"metrics\"][\"writer_threads\"] == min(4, $cpus)" | grep -q True &&
	json_get conc.json "j[\"metrics\"][\"max_cpus_offline\"] >= 1" | grep -q True &&
	all_online
'

test_expect 'concurrent= out of range is a usage error' '
	expect_exit 2 mmstorm run hotplug --pressure=none --concurrent=0
'

test_expect 'burst=: huge faults while each CPU goes down, counted, all back' '
	mmstorm run hotplug --require_path=0 --pressure=none --burst=8M --cycles=3 --json > burst.json &&
	test "$(json_get burst.json "j[\"state\"]")" = passed &&
	json_get burst.json "j[\"metrics\"][\"burst_faults\"] >= 1" | grep -q True &&
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=1 --json > noburst.json &&
	json_get noburst.json "\"burst_faults\" not in j[\"metrics\"]" | grep -q True &&
	all_online
'

test_expect 'pressure=direct refuses a tmpfs cache_dir before touching a CPU' '
	test -d /dev/shm || exit 0
	mmstorm run hotplug --pressure=direct --cache_dir=/dev/shm --cycles=1 --json > tmpfs.json || :
	test "$(json_get tmpfs.json "j[\"state\"]")" = failed &&
	json_get tmpfs.json "j[\"reason\"]" | grep -q tmpfs &&
	all_online
'

test_done
