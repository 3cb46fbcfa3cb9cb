#!/bin/sh
# soak.sh - kill -9 at a random moment, SOAK_ROUNDS times (default 100):
# `make soak`, not in CI (a round takes 5-20 s).  Starts mmstormd and
# changes CPUs and knobs: run it only as
#   flock /tmp/mmstorm-machine.lock make soak SOAK_ROUNDS=10
#
# Each round submits one job through the daemon's API (hotplug, which
# takes CPUs offline, or thp-munmap, which sets THP to "always"; retry=
# 0-2), waits for its run to start, sleeps 0-2 s and kills -9 one of the
# daemon, its supervisor child or the worker; a killed daemon is started
# again.  When the job has ended the round checks:
#   - PRAGMA integrity_check is ok, and no run is left `running`;
#   - the online CPUs and every THP/watchdog knob are as before the round;
#   - the job is done, and either finished all its runs, or used all its
#     retry= and its error says why (a job that lost a run with retries
#     left, or ended short with no error, is a failure);
#   - the daemon is up (unless it was the one killed: then it restarted).
# One round is one test (tests/t/lib.sh); the seed (SOAK_SEED, default
# the time) is printed so a failing sequence can be replayed.
. "$(dirname "$0")/../t/lib.sh"
. "$(dirname "$0")/../t/daemon-lib.sh"

ROUNDS=${SOAK_ROUNDS:-100}
SEED=${SOAK_SEED:-$(date +%s)}
echo "# soak: $ROUNDS rounds, SOAK_SEED=$SEED"

# rnd ROUND SALT N: a number in 0..N-1, the same for the same seed.
rnd() {
	awk -v s="$SEED" -v r="$1" -v k="$2" -v n="$3" \
	    'BEGIN { srand((s % 1000003) * 97 + r * 13 + k); print int(rand() * n) }'
}

# What a run may change and must put back.
machine_state() {
	cat /sys/devices/system/cpu/online
	for f in /sys/kernel/mm/transparent_hugepage/enabled \
	    /sys/kernel/mm/transparent_hugepage/defrag \
	    /sys/kernel/mm/transparent_hugepage/use_zero_page \
	    /sys/kernel/mm/transparent_hugepage/khugepaged/defrag \
	    /proc/sys/kernel/watchdog /proc/sys/kernel/watchdog_thresh \
	    /proc/sys/kernel/softlockup_panic; do
		[ ! -r "$f" ] || echo "$f $(cat "$f")"
	done
}

sql() {
	sqlite3 "$MMSTORM_DB" "$1"
}

# submit WORKLOAD RETRY: queue one job, print its uuid.
submit() {
	case $1 in
	hotplug) opts='"pressure":"none","cycles":"0","duration":"3s"' ;;
	thp-munmap) opts='"size":"64M","threads":"1","iterations":"1000","duration":"3s"' ;;
	esac
	api POST /v1/jobs -d '{"workload":"'$1'","options":{'$opts'},"retry":'$2'}' |
	    head -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["job"])'
}

# kill_one ROUND: kill -9 the daemon, the supervisor or the worker;
# prints which, or VICTIM-gone when it was not there for a second (not
# forked yet, or the run had ended).
kill_one() {
	kind=$(rnd "$1" 3 3)
	i=0
	while [ $i -lt 20 ]; do
		sup=$(pgrep -P "$DAEMON_PID" | head -n 1)
		worker=
		[ -z "$sup" ] || worker=$(pgrep -P "$sup" | head -n 1)
		case $kind in
		0) victim=daemon pid=$DAEMON_PID ;;
		1) victim=supervisor pid=$sup ;;
		2) victim=worker pid=$worker ;;
		esac
		if [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; then
			echo "$victim"
			return 0
		fi
		i=$((i + 1))
		sleep 0.05
	done
	echo "$victim-gone"
}

# wait_started UUID: until the job's run is running (0), or the job has
# ended without one being seen (1); 30 s at most.
wait_started() {
	i=0
	until [ "$(sql "SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.uuid = '$1' AND r.state = 'running'")" = 1 ]; do
		[ "$(sql "SELECT state FROM jobs WHERE uuid = '$1'")" != done ] || return 1
		i=$((i + 1)); [ $i -lt 300 ] || return 1
		sleep 0.05
	done
}

# wait_idle: until the job has ended and no run is running (120 s).
wait_idle() {
	i=0
	while [ "$(sql "SELECT state FROM jobs WHERE uuid = '$1'")" != done ] &&
	    [ "$(sql "SELECT state FROM jobs WHERE uuid = '$1'")" != cancelled ] ||
	    [ "$(sql "SELECT count(*) FROM runs WHERE state = 'running'")" != 0 ]; do
		i=$((i + 1)); [ $i -lt 1200 ] || return 1
		sleep 0.1
	done
}

# check_job UUID: done, and all its runs or its retries used up and why.
check_job() {
	sql "SELECT state, runs_done, repeat, retries_used, retry, coalesce(error, '') FROM jobs WHERE uuid = '$1'" > job.txt
	IFS='|' read -r state done repeat used retry error < job.txt
	echo "job $1: state $state, runs $done/$repeat, retries $used/$retry, error '$error'"
	test "$state" = done
	test "$used" -le "$retry"
	if [ "$done" -lt "$repeat" ]; then
		test -n "$error" || { echo "ended short with no error"; return 1; }
		test "$used" -eq "$retry" || { echo "not re-queued: retries left"; return 1; }
	fi
}

# restart: a daemon that died (killed, or crashed) is started again.
restart() {
	[ -z "$DAEMON_PID" ] || wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	sleep 0.2
	start_daemon --allow-user-kmsg --kmsg-tail > /dev/null ||
	    echo "# mmstormd did not restart"
}

start_daemon --allow-user-kmsg --kmsg-tail || :
before=$(machine_state)
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	retry=$(rnd $r 1 3)
	wl=hotplug
	[ "$(rnd $r 2 2)" = 0 ] || wl=thp-munmap
	ms=$(rnd $r 4 2000)
	# The kill happens here, not in test_expect's subshell, so a
	# restarted daemon's pid is this shell's.
	victim=nothing
	job=$(submit $wl $retry 2>/dev/null) || job=
	if [ -n "$job" ] && wait_started "$job"; then
		sleep "$(echo "scale=3; $ms / 1000" | bc)"
		victim=$(kill_one $r)
		[ "$victim" != daemon ] || restart
	fi
	test_expect "round $r: $wl retry=$retry, $victim killed after $ms ms" '
		test -n "$job" || { echo "the job was not queued or did not start"; false; }
		wait_idle $job || { echo "the job did not end in 120 s"; false; }
		test "$(sql "PRAGMA integrity_check")" = ok
		test "$(sql "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0
		test "$(machine_state)" = "$before" || {
			echo "machine state before:"; echo "$before"
			echo "after:"; machine_state; false; }
		check_job $job
		kill -0 $DAEMON_PID || { echo "mmstormd is not running"; false; }
	'
	# A failed round may have left the daemon dead or a job running:
	# start the next one from a clean state.
	kill -0 "$DAEMON_PID" 2>/dev/null || restart
	[ -z "$job" ] || wait_idle "$job" || :
done
test_done
