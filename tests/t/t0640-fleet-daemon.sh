#!/bin/sh
# mmstormd --fleet-claim (daemon/fleet-claim.c, docs/fleet.md "The
# queue"): several daemons on this one machine act as distinct hosts
# (--fleet-as, test-only) on a PostgreSQL of the test's own (lib-pg.sh).
# Health check before work, no job claimed twice, tags and kernel,
# priority, a lost NOTIFY found by the poll, the database restarted
# under a listening daemon, kill -9 of a lease holder (reaped,
# re-queued, reconciled), and a crash pushed after a "reboot" as its
# job's result.  Starts daemons and runs workloads: run it as
#   flock /tmp/mmstorm-machine.lock sh tests/t/t0640-fleet-daemon.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pg.sh"

pg_setup
# Short leases, grace and polls so that the test takes seconds; the
# poll of host a is long, so that only a NOTIFY wakes it quickly.
FAST="--fleet-lease-ms 3000 --fleet-heartbeat-ms 500"
cat > "$SCRATCH/health.job" <<'EOF'
[check]
workload=mmap-churn
duration=1s
EOF

# start_host NAME [ARGS]: a daemon of its own (socket, database, log)
# that claims as NAME.
start_host() {
	n=$1
	shift
	mkdir -p "$SCRATCH/$n-pstore"
	mmstormd --socket "$SCRATCH/$n.sock" --db "$SCRATCH/$n.db" \
	    --pstore "$SCRATCH/$n-pstore" --fleet "$URL" --fleet-claim \
	    --fleet-as "$n" --fleet-health-job "$SCRATCH/health.job" $FAST \
	    -v "$@" >> "$SCRATCH/$n.log" 2>&1 &
	echo $! > "$SCRATCH/$n.pid"
	i=0
	until curl -sf --unix-socket "$SCRATCH/$n.sock" http://d/v1/status \
	    > /dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$SCRATCH/$n.pid")" \
		    2>/dev/null; then
			echo "mmstormd $n did not start:"; cat "$SCRATCH/$n.log"
			return 1
		fi
		sleep 0.1
	done
}

# stop_host NAME [SIGNAL]: TERM (and wait), or KILL at once.
stop_host() {
	[ -f "$SCRATCH/$1.pid" ] || return 0
	p=$(cat "$SCRATCH/$1.pid")
	rm -f "$SCRATCH/$1.pid"
	kill -"${2:-TERM}" "$p" 2>/dev/null || true
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# Every daemon a test started (each test body is a subshell: the pid
# files are what the trap sees).
stop_all() {
	for f in "$SCRATCH"/*.pid; do
		[ -f "$f" ] && stop_host "$(basename "$f" .pid)"
	done
}
trap 'stop_all; pg_stop; cleanup_scratch' EXIT

q() {
	pg_psql fleet "$1"
}

lite() {
	sqlite3 "$SCRATCH/$1.db" "$2"
}

# until_true SECONDS CMD...: CMD succeeds within SECONDS, else fails
# (and says what it waited for).
until_true() {
	t=$(($1 * 10))
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		if [ $i -ge $t ]; then
			echo "timed out waiting for: $*"
			return 1
		fi
		sleep 0.1
	done
}

is() {
	[ "$(q "$1")" = "$2" ]
}

# submit ARGS: a fleet job; its uuid on stdout
submit() {
	mmstorm --db "$URL" fleet submit "$@" --json > "$SCRATCH/sub.json" &&
	json_get "$SCRATCH/sub.json" 'j["job"]'
}

URL=$(pg_db fleet)
mmstorm --db "$URL" fleet jobs > /dev/null
RELEASE=$(uname -r)

test_expect 'a new host runs its health check, then is healthy' '
	start_host a --fleet-tags "big,x" --fleet-poll-ms 600000 &&
	until_true 60 is "SELECT health FROM fleet_hosts WHERE name = '\''a'\''" ok &&
	test "$(lite a "SELECT count(*) FROM jobs WHERE state = '\''done'\'' AND error IS NULL")" = 1 &&
	until_true 10 is "SELECT release || backlog FROM fleet_hosts WHERE name = '\''a'\''" "${RELEASE}0" &&
	is "SELECT tags FROM fleet_hosts WHERE name = '\''a'\''" " big x "
'

test_expect 'a NOTIFY wakes the daemon: claimed long before its poll' '
	j=$(submit mmap-churn --duration=1s --host a) &&
	until_true 30 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" done &&
	test "$(lite a "SELECT state FROM jobs WHERE uuid = '\''$j'\''")" = done
'

test_expect 'the end reports the runs, pushed before the report' '
	j=$(q "SELECT uuid FROM fleet_jobs WHERE state = '\''done'\'' LIMIT 1") &&
	q "SELECT result FROM fleet_jobs WHERE uuid = '\''$j'\''" > res.json &&
	r=$(json_get res.json "j[\"runs\"][0][\"run\"]") &&
	test "$(json_get res.json "j[\"runs\"][0][\"state\"]")" = passed &&
	is "SELECT count(*) FROM runs WHERE uuid = '\''$r'\''" 1 &&
	test "$(lite a "SELECT j.uuid FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.uuid = '\''$r'\''")" = "$j"
'

test_expect 'two daemons: every job runs once, on one host' '
	start_host b --fleet-tags "gpu" --fleet-poll-ms 1000 \
	    --fleet-grace-ms 2000 &&
	until_true 60 is "SELECT health FROM fleet_hosts WHERE name = '\''b'\''" ok &&
	for i in 1 2 3 4 5 6 7 8; do
		submit mmap-churn --duration=1s > /dev/null || return 1
	done &&
	until_true 120 is "SELECT count(*) FROM fleet_jobs WHERE state <> '\''done'\''" 0 &&
	is "SELECT max(attempts) FROM fleet_jobs" 1 &&
	for h in a b; do
		lite $h "SELECT uuid FROM jobs" || return 1
	done | sort > local-uuids &&
	q "SELECT uuid FROM fleet_jobs" | sort > fleet-uuids &&
	test "$(uniq -d local-uuids | wc -l)" = 0 &&
	test "$(comm -12 local-uuids fleet-uuids | wc -l)" = 9 &&
	test "$(q "SELECT count(DISTINCT lease_host) FROM fleet_jobs")" = 2 &&
	is "SELECT count(*) FROM fleet_jobs j WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE j.result LIKE '\''%'\'' || r.uuid || '\''%'\'')" 0
'

test_expect 'tags and kernel decide which host runs a job' '
	g=$(submit mmap-churn --duration=1s --tags gpu) &&
	k=$(submit mmap-churn --duration=1s --tags big --kernel "$RELEASE") &&
	n=$(submit mmap-churn --duration=1s --kernel 0.0.0-not-this-one) &&
	until_true 60 is "SELECT count(*) FROM fleet_jobs WHERE state = '\''done'\'' AND uuid IN ('\''$g'\'', '\''$k'\'')" 2 &&
	is "SELECT lease_host FROM fleet_jobs WHERE uuid = '\''$g'\''" b &&
	is "SELECT lease_host FROM fleet_jobs WHERE uuid = '\''$k'\''" a &&
	sleep 3 &&
	is "SELECT state FROM fleet_jobs WHERE uuid = '\''$n'\''" queued &&
	mmstorm --db "$URL" fleet cancel "$n"
'

test_expect 'a job inserted without NOTIFY is found by the poll' '
	q "INSERT INTO fleet_jobs (uuid, workload, spec, host, priority, state, max_attempts, created_ns) VALUES ('\''00000000-0000-4000-8000-000000000b0b'\'', '\''mmap-churn'\'', '\''{\"workload\": \"mmap-churn\", \"options\": {\"duration\": \"1s\"}}'\'', '\''b'\'', 0, '\''queued'\'', 1, 0)" &&
	until_true 30 is "SELECT state FROM fleet_jobs WHERE uuid = '\''00000000-0000-4000-8000-000000000b0b'\''" done &&
	curl -s --unix-socket "$SCRATCH/b.sock" http://d/metrics > m.txt &&
	test "$(sed -n "s/^mmstorm_fleet_polls_total //p" m.txt)" -gt 0
'

test_expect 'priority: the highest first, then the oldest' '
	for p in 1 5 3 5; do
		submit mmap-churn --duration=1s --host c --priority $p || return 1
	done > order &&
	start_host c --fleet-poll-ms 1000 &&
	until_true 90 is "SELECT count(*) FROM fleet_jobs WHERE host = '\''c'\'' AND state <> '\''done'\''" 0 &&
	lite c "SELECT uuid FROM jobs ORDER BY id" | tail -n 4 > ran &&
	for l in 2 4 3 1; do sed -n ${l}p order; done > want &&
	cmp want ran &&
	stop_host c
'

test_expect 'the database restarted under a listening daemon: it reconnects and claims' '
	pg_ctl_do stop -m immediate &&
	sleep 1 &&
	pg_ctl_do start &&
	j=$(submit mmap-churn --duration=1s --host a) &&
	until_true 60 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" done &&
	grep -q "fleet queue: .*lost the fleet database" "$SCRATCH/a.log" &&
	j=$(submit mmap-churn --duration=1s --host a) &&
	until_true 20 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" done
'

# A job with retry=1 (by SQL: job files have no retry=): a daemon that
# came back without reconciling would run its local copy again.
RETRY=00000000-0000-4000-8000-0000000000f1

# has_running HOST: a run of HOST's is running
has_running() {
	[ "$(lite "$1" "SELECT count(*) FROM runs WHERE state = 'running'")" = 1 ]
}

wait_running() {
	until_true 30 has_running "$1"
}

# local_state HOST UUID STATE: the local copy of job UUID is in STATE
local_state() {
	[ "$(lite "$1" "SELECT state FROM jobs WHERE uuid = '$2'")" = "$3" ]
}

# claim_connected HOST: status says the claimer is connected
claim_connected() {
	MMSTORM_SOCKET=$SCRATCH/$1.sock mmstorm status --json > "$SCRATCH/st.json" &&
	[ "$(json_get "$SCRATCH/st.json" 'j["fleet"]["claim"]["connected"]')" = True ]
}

test_expect 'kill -9 of a lease holder: reaped, run elsewhere, reconciled on its return' '
	stop_host b &&
	j=$RETRY &&
	q "INSERT INTO fleet_jobs (uuid, workload, spec, priority, state, max_attempts, created_ns) VALUES ('\''$j'\'', '\''mmap-churn'\'', '\''{\"workload\": \"mmap-churn\", \"options\": {\"duration\": \"4s\"}, \"retry\": 1}'\'', 0, '\''queued'\'', 3, 0); NOTIFY mmstorm_fleet" &&
	until_true 30 is "SELECT lease_host FROM fleet_jobs WHERE uuid = '\''$j'\''" a &&
	wait_running a &&
	stop_host a KILL &&
	start_host b --fleet-tags "gpu" --fleet-poll-ms 1000 \
	    --fleet-grace-ms 2000 &&
	until_true 30 is "SELECT health FROM fleet_hosts WHERE name = '\''a'\''" unknown &&
	until_true 60 is "SELECT state || lease_host || attempts FROM fleet_jobs WHERE uuid = '\''$j'\''" done''b2 &&
	start_host a --fleet-tags "big,x" --fleet-poll-ms 600000 &&
	until_true 30 local_state a "$j" cancelled &&
	sleep 2 &&
	test "$(lite a "SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.uuid = '\''$j'\''")" = 1 &&
	grep -q "job $j is no longer this host" "$SCRATCH/a.log" &&
	until_true 60 is "SELECT health FROM fleet_hosts WHERE name = '\''a'\''" ok
'

test_expect 'a crash pushed after a reboot is its lost job'"'"'s result' '
	stop_host b &&
	start_host b --fleet-tags "gpu" --fleet-poll-ms 1000 \
	    --fleet-grace-ms 600000 &&
	j=$(submit mmap-churn --duration=30s --host a) &&
	until_true 30 is "SELECT lease_host FROM fleet_jobs WHERE uuid = '\''$j'\''" a &&
	wait_running a &&
	stop_host a KILL &&
	lite a "UPDATE runs SET boot_id = '\''a-previous-boot'\'' WHERE state = '\''running'\''" &&
	r=$(lite a "SELECT uuid FROM runs WHERE state = '\''running'\''") &&
	until_true 30 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" lost &&
	start_host a --fleet-tags "big,x" --fleet-poll-ms 600000 &&
	until_true 60 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" failed &&
	is "SELECT state FROM runs WHERE uuid = '\''$r'\''" crashed &&
	q "SELECT result FROM fleet_jobs WHERE uuid = '\''$j'\''" > res.json &&
	test "$(json_get res.json "j[\"runs\"][0][\"run\"]")" = "$r" &&
	test "$(json_get res.json "j[\"runs\"][0][\"state\"]")" = crashed &&
	is "SELECT attempts FROM fleet_jobs WHERE uuid = '\''$j'\''" 1
'

test_expect 'status and /metrics show the claimer' '
	j=$(submit mmap-churn --duration=1s --host b) &&
	until_true 30 is "SELECT state FROM fleet_jobs WHERE uuid = '\''$j'\''" done &&
	until_true 30 claim_connected b &&
	MMSTORM_SOCKET=$SCRATCH/b.sock mmstorm status > st.txt &&
	grep -q "^queue  *connected as .b., health ok, [0-9]* claimed, 0 lease(s) held, heartbeat [0-9]* s ago" st.txt &&
	curl -s --unix-socket "$SCRATCH/b.sock" http://d/metrics > m.txt &&
	grep -q "^mmstorm_fleet_claim_up 1" m.txt &&
	grep -q "^mmstorm_fleet_claim_healthy 1" m.txt &&
	test "$(sed -n "s/^mmstorm_fleet_jobs_claimed_total //p" m.txt)" -gt 0 &&
	grep -q "^mmstorm_fleet_leases_held 0" m.txt
'

test_expect 'every daemon stops cleanly, nothing in its log from a sanitizer' '
	stop_all &&
	! grep -l "Sanitizer\|runtime error:" "$SCRATCH"/*.log
'

test_done
