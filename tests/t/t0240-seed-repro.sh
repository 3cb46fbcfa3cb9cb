#!/bin/sh
# Random choices repeat: hotplug order=random draws a seed per run and
# stores it with the run's options; `show --repro RUN` prints the command
# line that repeats the run, every option and that seed included.
# Runs hotplug: flock /tmp/mmstorm-machine.lock sh tests/t/t0240-seed-repro.sh
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"

# The hotplug runs bring their CPUs back themselves; should one die, so
# does this script's exit.
present=$(cat /sys/devices/system/cpu/present)
trap 'grep -l "^0" /sys/devices/system/cpu/cpu*/online 2>/dev/null |
    while read -r f; do echo 1 > "$f"; done; cleanup_scratch' EXIT

test_expect 'show --repro: every option a stored run had, as command-line words' '
	mmstorm --db "$SCRATCH/lab.db" import "$F/two-builds.jsonl" > /dev/null &&
	mmstorm --db "$SCRATCH/lab.db" show f48586a9 --repro > r.txt &&
	test "$(cat r.txt)" = "mmstorm run percpu-churn --source=bpf --pattern=scatter --count=500 --cycles=2 --procs=1 --value_size=4K --entries=16 --settle=10s --seed=1 --cpu_verify=1 --selftest_corrupt=0 --sample_ms=1000" &&
	mmstorm --db "$SCRATCH/lab.db" show 87d6d365 --repro > r.txt &&
	test "$(cat r.txt)" = "mmstorm run thp-munmap --size=256M --backing=anon --gup=none --gup_threads=1 --collapse=0 --node=-1 --thp=madvise --split=0 --iterations=3 --min_coverage=90 --touch=1 --sample_ms=1000" &&
	mmstorm --db "$SCRATCH/lab.db" show 87d6d365 --repro --json > r.json &&
	test "$(json_get r.json "j[\"argv\"][3]")" = "--size=256M" &&
	json_get r.json "j[\"command\"]" | grep -q "^mmstorm run thp-munmap --size=256M "
'

test_expect 'show --repro: a run from before seeds were stored says its order will differ' '
	mmstorm --db "$SCRATCH/lab.db" show 9beed94b --repro > r.txt 2> err.txt &&
	! grep -q -- "--seed=" r.txt &&
	grep -q "recorded no seed" err.txt &&
	expect_exit 1 mmstorm --db "$SCRATCH/lab.db" show nope --repro
'

cpu1=/sys/devices/system/cpu/cpu1/online
[ -w $cpu1 ] || test_skip_rest "$cpu1 is not writable: no hotplug run here"

test_expect 'hotplug order=random: each run draws a seed and stores it' '
	mmstorm run hotplug --pressure=none --cycles=2 --order=random --require_path=0 --repeat=2 --json > runs.json &&
	test $(wc -l < runs.json) -eq 2 &&
	for u in $(python3 -c "import json,sys; [print(json.loads(l)[\"run\"]) for l in open(\"runs.json\")]"); do
		mmstorm show "$u" --json > s.json &&
		test "$(json_get s.json "j[\"state\"]")" = passed &&
		json_get s.json "j[\"params\"][\"seed\"]" >> seeds || return 1
	done &&
	test $(sort -u seeds | wc -l) -eq 2 &&
	test "$(cat /sys/devices/system/cpu/online)" = "$present"
'

test_expect 'show --repro repeats a hotplug run: the same options, the same seed' '
	u=$(python3 -c "import json; print(json.loads(open(\"runs.json\").readline())[\"run\"])") &&
	mmstorm show "$u" --json > a.json &&
	seed=$(json_get a.json "j[\"params\"][\"seed\"]") &&
	mmstorm show "$u" --repro > cmd &&
	grep -q -- " --order=random --seed=$seed " cmd &&
	eval "$(cat cmd) --json" > again.json &&
	mmstorm show "$(json_get again.json "j[\"run\"]")" --json > b.json &&
	test "$(json_get a.json "j[\"params\"]")" = "$(json_get b.json "j[\"params\"]")" &&
	test "$(cat /sys/devices/system/cpu/online)" = "$present"
'

test_expect 'a seed given is the seed stored' '
	mmstorm run hotplug --pressure=none --cycles=1 --order=random --seed=42 --require_path=0 --json > r.json &&
	mmstorm show "$(json_get r.json "j[\"run\"]")" --json > s.json &&
	test "$(json_get s.json "j[\"params\"][\"seed\"]")" = 42
'

test_done
