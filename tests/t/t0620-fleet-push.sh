#!/bin/sh
# mmstormd --fleet: ended runs pushed to a PostgreSQL fleet database of
# the test's own (lib-pg.sh).  A run appears there exactly as the local
# export has it; a run pushed twice is stored once; the database killed
# (pg_ctl stop -m immediate) during pushes and while down loses nothing;
# the backlog shows in /metrics and status; the connection string's
# password shows nowhere.  Starts a daemon and runs workloads: run it as
#   flock /tmp/mmstorm-machine.lock sh tests/t/t0620-fleet-push.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
. "$(dirname "$0")/lib-pg.sh"

FIXTURES="$TOP/tests/fixtures/runs"
pg_setup
trap 'daemon_cleanup; pg_stop' EXIT

lite() {
	sqlite3 "$MMSTORM_DB" "$1"
}

# wait_drained: until the outbox is empty (at most 60 s)
wait_drained() {
	i=0
	until [ "$(lite 'SELECT count(*) FROM outbox' 2>/dev/null)" = 0 ]; do
		i=$((i + 1))
		if [ $i -ge 600 ]; then
			lite 'SELECT run_uuid, attempts, last_error FROM outbox'
			tail -n 20 "$DAEMON_LOG"
			return 1
		fi
		sleep 0.1
	done
}

metric() {
	curl -s --unix-socket "$MMSTORM_SOCKET" http://d/metrics |
	    sed -n "s/^$1 //p"
}

URL=$(pg_db fleet)
test_expect 'the fleet database is migrated by any command on it' '
	mmstorm --db "$URL" runs > /dev/null &&
	test "$(pg_psql fleet "SELECT max(version) FROM schema_version")" -ge 8
'

test_expect 'a password on the command line is refused, and not printed' '
	expect_exit 1 mmstormd --socket "$SCRATCH/x.sock" --db "$SCRATCH/x.db" \
	    --fleet "postgresql://lab:s3cret@/fleet?host=$PGDIR" &&
	grep -q "password on the command line" "$SCRATCH/err" &&
	! grep -q s3cret "$SCRATCH/err"
'

test_expect 'a connection file readable by others is refused' '
	echo "$URL&password=s3cret" > "$SCRATCH/open.conn" &&
	chmod 644 "$SCRATCH/open.conn" &&
	expect_exit 1 mmstormd --socket "$SCRATCH/x.sock" --db "$SCRATCH/x.db" \
	    --fleet-file "$SCRATCH/open.conn" &&
	grep -q "must not be readable by group or others" "$SCRATCH/err" &&
	! grep -q s3cret "$SCRATCH/err"
'

# The server trusts local connections: the password is carried, unused.
echo "$URL&password=s3cret" > "$SCRATCH/fleet.conn"
chmod 600 "$SCRATCH/fleet.conn"
start_daemon --fleet-file "$SCRATCH/fleet.conn" -v

test_expect 'a run the daemon ran is in the fleet database as exported here' '
	mmstorm run thp-munmap --size=32M --threads=1 --wait --json > run.json &&
	u=$(json_get run.json "j[\"run\"]") && echo "$u" > uuid1 &&
	wait_drained &&
	test "$(pg_psql fleet "SELECT count(*) FROM runs WHERE uuid = '"'"'$u'"'"'")" = 1 &&
	mmstorm export "$u" > local.jsonl &&
	mmstorm --db "$URL" export "$u" > fleet.jsonl &&
	cmp local.jsonl fleet.jsonl &&
	test "$(pg_psql fleet "SELECT count(*) FROM samples")" -gt 0
'

test_expect 'a run pushed twice is stored once' '
	u=$(cat uuid1) &&
	before=$(pg_psql fleet "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM samples), (SELECT count(*) FROM events), (SELECT count(*) FROM knobs)") &&
	lite "INSERT INTO outbox (run_uuid, queued_ns) VALUES ('"'"'$u'"'"', 1)" &&
	wait_drained &&
	after=$(pg_psql fleet "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM samples), (SELECT count(*) FROM events), (SELECT count(*) FROM knobs)") &&
	test "$before" = "$after" &&
	mmstorm --db "$URL" export "$u" > fleet2.jsonl &&
	cmp local.jsonl fleet2.jsonl
'

test_expect 'with the fleet database down, runs wait in the backlog' '
	pg_ctl_do stop -m immediate &&
	mmstorm run thp-munmap --size=32M --threads=1 --repeat=2 --wait \
	    > /dev/null &&
	test "$(lite "SELECT count(*) FROM outbox")" = 2 &&
	i=0; until [ "$(metric mmstorm_fleet_up)" = 0 ] || [ $i -ge 100 ]; do
		sleep 0.1; i=$((i + 1)); done &&
	test "$(metric mmstorm_fleet_up)" = 0 &&
	test "$(metric mmstorm_fleet_backlog_runs)" = 2 &&
	test "$(metric mmstorm_fleet_backlog_oldest_seconds | cut -d. -f1)" -ge 0 &&
	curl -s --unix-socket "$MMSTORM_SOCKET" http://d/metrics > metrics.txt &&
	grep -q "^mmstorm_fleet_last_error_info{error=\"" metrics.txt &&
	mmstorm status > st.txt &&
	grep -q "^fleet  *down, 2 run(s) waiting" st.txt &&
	mmstorm status --json > st.json &&
	test "$(json_get st.json "j[\"fleet\"][\"backlog\"]")" = 2
'

test_expect 'back up, the backlog drains and nothing is lost' '
	pg_ctl_do start &&
	wait_drained &&
	test "$(metric mmstorm_fleet_backlog_runs)" = 0 &&
	mmstorm export > local-all.jsonl &&
	mmstorm --db "$URL" export > fleet-all.jsonl &&
	cmp local-all.jsonl fleet-all.jsonl &&
	test "$(grep -c "\"type\":\"run\"" fleet-all.jsonl)" = 3
'

test_expect 'killed during pushes, the fleet database ends up with every run' '
	for f in two-builds two-releases init-on-alloc; do
		mmstorm import "$FIXTURES/$f.jsonl" > /dev/null || return 1
	done &&
	n=$(lite "SELECT count(*) FROM runs") &&
	lite "INSERT INTO outbox (run_uuid, queued_ns) SELECT uuid, created_ns FROM runs" &&
	i=0; until [ "$(lite "SELECT count(*) FROM outbox")" -lt $n ] || [ $i -ge 500 ]; do
		i=$((i + 1)); done &&
	pg_ctl_do stop -m immediate &&
	sleep 0.5 &&
	lite "SELECT count(*) FROM outbox" > left &&
	echo "# $(cat left) of $n runs left when the database went down" &&
	test "$(cat left)" -gt 0 &&
	pg_ctl_do start &&
	wait_drained &&
	mmstorm export > local-all.jsonl &&
	mmstorm --db "$URL" export > fleet-all.jsonl &&
	{ cmp local-all.jsonl fleet-all.jsonl || { diff local-all.jsonl fleet-all.jsonl | cut -c1-300 | head; false; }; } &&
	test "$(grep -c "\"type\":\"run\"" fleet-all.jsonl)" = $n
'

test_expect 'runs with the same counter list share one counter set' '
	sets=$(pg_psql fleet "SELECT count(*) FROM counter_sets") &&
	runs=$(pg_psql fleet "SELECT count(*) FROM runs WHERE counter_set_id IS NOT NULL") &&
	echo "# $runs runs, $sets counter sets" &&
	test "$sets" -ge 1 && test "$runs" -gt "$sets" &&
	test "$(pg_psql fleet "SELECT count(*) FROM run_counter_rows")" = 0 &&
	test "$(pg_psql fleet "SELECT count(*) FROM counter_set_items")" -lt \
	    "$(lite "SELECT count(*) FROM run_counters")" &&
	lite "SELECT r.uuid, rc.idx, c.name FROM run_counters rc JOIN runs r ON r.id = rc.run_id JOIN counters c ON c.id = rc.counter_id ORDER BY 1, 2" > rc-local &&
	pg_psql fleet "SELECT r.uuid, rc.idx, c.name FROM run_counters rc JOIN runs r ON r.id = rc.run_id JOIN counters c ON c.id = rc.counter_id ORDER BY 1, 2" > rc-fleet &&
	cmp rc-local rc-fleet
'

# A crashed boot: a run left 'running' by another boot id and the panic
# the kernel wrote to pstore.  Crash recovery ends the run and queues it;
# it reaches the fleet database with its pstore event and record.
stop_daemon
mkdir -p "$SCRATCH/pstore"
cp "$TOP/tests/fixtures/kmsg/sysrq-panic.console.log" "$SCRATCH/pstore/dmesg-ramoops-0"
CRASH=00000000-0000-4000-8000-00000000c0de
# From here the daemon pushes as a role with only what docs/fleet.md
# grants a lab machine, its connection file a config line.
pg_psql fleet "CREATE ROLE mmstorm_push NOLOGIN;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO mmstorm_push;
    GRANT INSERT ON kernels, hosts, counters, counter_sets, counter_set_items,
        runs, samples, metrics, run_values, events, run_unavailable,
        run_artifacts, knobs
        TO mmstorm_push;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mmstorm_push;
    CREATE ROLE lab01 LOGIN IN ROLE mmstorm_push"
echo "fleet=postgresql:///fleet?host=$PGDIR&user=lab01&password=s3cret" > "$SCRATCH/fleet.conn"
lite "INSERT INTO runs (uuid, workload, params, state, kernel_id, host_id, boot_id, host_state, created_ns, started_ns) SELECT '$CRASH', workload, params, 'running', kernel_id, host_id, 'a-previous-boot', host_state, created_ns + 1, started_ns FROM runs WHERE uuid = '$(cat "$SCRATCH/uuid1")'"
start_daemon --fleet-file "$SCRATCH/fleet.conn" -v --pstore "$SCRATCH/pstore"

test_expect 'a run crash recovery ended is pushed with its pstore event (push role)' '
	wait_drained &&
	test "$(pg_psql fleet "SELECT usename FROM pg_stat_activity WHERE usename = '"'"'lab01'"'"'")" = lab01 &&
	test "$(pg_psql fleet "SELECT state FROM runs WHERE uuid = '"'"'$CRASH'"'"'")" = crashed &&
	test "$(pg_psql fleet "SELECT e.kind || '"'"'|'"'"' || e.source || '"'"'|'"'"' || e.workload FROM events e JOIN runs r ON r.id = e.run_id WHERE r.uuid = '"'"'$CRASH'"'"'")" = "panic|pstore|thp-munmap" &&
	test "$(pg_psql fleet "SELECT count(*) FROM run_artifacts a JOIN runs r ON r.id = a.run_id WHERE r.uuid = '"'"'$CRASH'"'"' AND a.name = '"'"'pstore/dmesg-ramoops-0'"'"'")" = 1 &&
	mmstorm export $CRASH > local-crash.jsonl &&
	mmstorm --db "$URL" export $CRASH > fleet-crash.jsonl &&
	cmp local-crash.jsonl fleet-crash.jsonl
'

test_expect 'a run the fleet database cannot take waits; the others go on' '
	bad=$(lite "SELECT uuid FROM runs WHERE uuid <> '"'"'$CRASH'"'"' ORDER BY created_ns LIMIT 1") &&
	good=$(lite "SELECT uuid FROM runs WHERE uuid <> '"'"'$bad'"'"' AND uuid <> '"'"'$CRASH'"'"' ORDER BY created_ns LIMIT 1") &&
	pg_psql fleet "DELETE FROM runs WHERE uuid IN ('"'"'$bad'"'"', '"'"'$good'"'"')" &&
	lite "UPDATE runs SET reason = CAST(x'"'"'66ff6f'"'"' AS TEXT) WHERE uuid = '"'"'$bad'"'"'" &&
	lite "INSERT INTO outbox (run_uuid, queued_ns) VALUES ('"'"'$bad'"'"', 1), ('"'"'$good'"'"', 2)" &&
	i=0; until [ "$(pg_psql fleet "SELECT count(*) FROM runs WHERE uuid = '"'"'$good'"'"'")" = 1 ] || [ $i -ge 300 ]; do
		sleep 0.1; i=$((i + 1)); done &&
	test "$(pg_psql fleet "SELECT count(*) FROM runs WHERE uuid = '"'"'$bad'"'"'")" = 0 &&
	test "$(lite "SELECT attempts > 0 FROM outbox WHERE run_uuid = '"'"'$bad'"'"'")" = 1 &&
	test "$(metric mmstorm_fleet_refused_runs)" = 1 &&
	mmstorm status > st2.txt &&
	grep -q "last error: run .$bad.: text that is not UTF-8" st2.txt &&
	lite "DELETE FROM outbox WHERE run_uuid = '"'"'$bad'"'"'"
'

test_expect 'quotes, backslashes and infinities arrive as they are' '
	u=$(lite "SELECT r.uuid FROM runs r WHERE EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id) AND r.uuid <> '"'"'$CRASH'"'"' ORDER BY r.created_ns DESC LIMIT 1") &&
	pg_psql fleet "DELETE FROM runs WHERE uuid = '"'"'$u'"'"'" &&
	lite "UPDATE runs SET label = '"'"'it'"'"''"'"'s \\ \"x\"); DROP TABLE runs; -- \$\$'"'"' WHERE uuid = '"'"'$u'"'"'" &&
	lite "UPDATE metrics SET value = 9e999 WHERE run_id = (SELECT id FROM runs WHERE uuid = '"'"'$u'"'"') AND name = (SELECT min(name) FROM metrics WHERE run_id = (SELECT id FROM runs WHERE uuid = '"'"'$u'"'"'))" &&
	lite "INSERT INTO outbox (run_uuid, queued_ns) VALUES ('"'"'$u'"'"', 3)" &&
	wait_drained &&
	mmstorm export "$u" > q-local.jsonl &&
	grep -q "DROP TABLE" q-local.jsonl && grep -q "\"inf\"" q-local.jsonl &&
	mmstorm --db "$URL" export "$u" > q-fleet.jsonl &&
	cmp q-local.jsonl q-fleet.jsonl
'

test_expect 'the password is in no log, metric or status' '
	curl -s --unix-socket "$MMSTORM_SOCKET" http://d/metrics > m.txt &&
	mmstorm status --json > s.json &&
	! grep -q s3cret "$DAEMON_LOG" m.txt s.json &&
	grep -q "fleet: connected" "$DAEMON_LOG"
'

test_done
