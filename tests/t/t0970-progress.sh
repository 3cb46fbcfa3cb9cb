#!/bin/sh
# Progress: what a run says while it runs goes to stderr, never into the
# results on stdout.  Off a terminal (CI logs, journald) one line per
# phase, not a spinner; on a terminal one line redrawn in place; --quiet
# silences it.  Runs workloads: flock /tmp/mmstorm-machine.lock.
. "$(dirname "$0")/lib.sh"

# The hotplug run brings its CPUs back itself; should it die, so does
# this script's exit.
present=$(cat /sys/devices/system/cpu/present)
trap 'grep -l "^0" /sys/devices/system/cpu/cpu*/online 2>/dev/null |
    while read -r f; do echo 1 > "$f"; done; cleanup_scratch' EXIT

# three seconds of maps, a progress message each second
churn="mmstorm run mmap-churn --backing=anon --iterations=0 --duration=3s"

test_expect 'off a terminal: one line per phase on stderr, results on stdout' '
	$churn > out 2> err &&
	cat err &&
	grep -q "^run .* mmap-churn " out &&
	! grep -q "s  maps " out &&
	test -s err &&
	! grep -q "$(printf "\r")" err &&
	! grep -vqE "^ *[0-9]+\.[0-9]s  [^ ]" err &&
	grep -q "pair, backing=anon" err &&
	test "$(grep -c "^ *[0-9.]*s  maps " err)" -eq 1
'

test_expect 'a phase bounded by duration= says how long is left' '
	$churn > out 2> err &&
	grep -qE "maps [0-9]+ .*, about [0-9]+ s left$" err
'

test_expect 'a phase bounded by a count says done/total' '
	mmstorm run mmap-churn --backing=anon --iterations=2000000 \
	    --duration=3s > out 2> err &&
	grep -qE "maps [0-9]+/2000000 .*about [0-9]+ s left$" err
'

test_expect '--quiet (and -q) silences it' '
	$churn --quiet > out 2> err &&
	grep -q "^run " out && test ! -s err &&
	$churn -q > out 2> err && test ! -s err
'

test_expect '--json off a terminal: only the JSON, nothing on stderr' '
	$churn --json > out 2> err &&
	test ! -s err &&
	test "$(json_get out "j[\"workload\"]")" = mmap-churn
'

if command -v script > /dev/null; then
	test_expect 'on a terminal: one line redrawn in place, then the result' '
		script -qec "$churn" /dev/null > tty.out &&
		grep -q "$(printf "\r\033\\[K")" tty.out &&
		test "$(tr "\r" "\n" < tty.out | grep -c "s  maps ")" -ge 2 &&
		tr "\r" "\n" < tty.out | grep -q "run .* mmap-churn "
	'
else
	test_skip 'on a terminal: one line redrawn in place' 'no script(1)'
fi

# The pressure ramp (hotplug's longest phase) says MemAvailable against
# the floor.  A 256 MiB limit keeps it short.
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	test_expect 'the pressure ramp shows elapsed time and MemAvailable against the floor' '
		mmstorm run hotplug --cycles=1 --pressure=builtin \
		    --pressure_size=256M > out 2> err &&
		cat err &&
		grep -qE "^ *[0-9.]+s  pressure ramp [0-9]+ s of at most 120 s: MemAvailable [0-9.]+ GiB, ready at [0-9.]+ GiB \(floor [0-9.]+ GiB\)" err &&
		grep -qE "cycle 1/1: " err &&
		test "$(cat /sys/devices/system/cpu/online)" = "$present"
	'
else
	test_skip 'the pressure ramp shows MemAvailable against the floor' \
	    'CPU1 cannot be taken offline here'
fi

# Through the daemon: `run --wait` shows the phase the daemon reports
# for the job's run, on the same rules.  daemon-lib.sh's exit trap stops
# the daemon and brings CPUs back, as the one above did.
. "$(dirname "$0")/daemon-lib.sh"
start_daemon --kmsg-tail

test_expect 'run --wait through the daemon: one line per phase off a terminal' '
	$churn --wait > out 2> err &&
	cat err &&
	grep -q "^run .* mmap-churn  passed$" out &&
	test "$(api GET /v1/jobs | head -n 1 | python3 -c "import json, sys; print(len(json.load(sys.stdin)))")" = 1 &&
	test -s err &&
	! grep -q "$(printf "\r")" err &&
	! grep -vqE "^ *[0-9]+\.[0-9]s  [^ ]" err &&
	grep -qE "s  maps [0-9]+ .* - job [0-9a-f]{8} running, run 1/1$" err &&
	test "$(grep -c " maps " err)" -eq 1 &&
	test "$(wc -l < err)" -le 4
'

test_expect 'run --wait --quiet through the daemon: nothing on stderr' '
	$churn --wait --quiet > out 2> err &&
	grep -q "^run .* mmap-churn  passed$" out &&
	test ! -s err &&
	test "$(api GET /v1/jobs | head -n 1 | python3 -c "import json, sys; print(len(json.load(sys.stdin)))")" = 2
'

test_done
