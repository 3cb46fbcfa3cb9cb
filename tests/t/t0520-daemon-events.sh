#!/bin/sh
# mmstormd and the kernel log: a lockup-shaped report written to
# /dev/kmsg (user records allowed, as tests must) becomes an event of the
# run in progress; the analysis commands see it; pstore records of a
# crashed boot are harvested at start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

present=$(cat /sys/devices/system/cpu/present)

if [ ! -w /dev/kmsg ]; then
	test_skip "kernel-log events" "/dev/kmsg is not writable here"
	test_done
	exit $?
fi

# The real report of a soft lockup captured from a Debian 6.1 guest
# (tests/fixtures/kmsg), as the classifier cut it out.
mmstorm parse-log "$TOP/tests/fixtures/kmsg/softlockup.console.log" |
	python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["kind"] == "soft_lockup":
        sys.stdout.write(e["text"] + "\n")
        break
' > "$SCRATCH/report.txt"

start_daemon --allow-user-kmsg --kmsg-tail

test_expect 'a lockup written to /dev/kmsg during a run becomes its event' '
	test -s "$SCRATCH/report.txt" &&
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=0 --duration=12s --json > j.json &&
	job=$(json_get j.json "j[\"job\"]") &&
	wait_running &&
	run=$(sqlite3 "$MMSTORM_DB" "SELECT id FROM runs WHERE state = '"'"'running'"'"'") &&
	while IFS= read -r line; do printf "<4>%s\n" "$line" > /dev/kmsg; done < "$SCRATCH/report.txt" &&
	i=0 &&
	until test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE kind = '"'"'soft_lockup'"'"' AND run_id = $run")" = 1; do
		i=$((i + 1)); test $i -lt 150 || exit 1; sleep 0.2
	done &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT title FROM events WHERE run_id = $run AND kind = '"'"'soft_lockup'"'"'")" = "BUG: soft lockup in mmstorm_inject_softlockup_fn" &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT source FROM events WHERE run_id = $run AND kind = '"'"'soft_lockup'"'"'")" = kmsg &&
	wait_job $job
'

test_expect 'show, lockups and /metrics list it' '
	uuid=$(sqlite3 "$MMSTORM_DB" "SELECT r.uuid FROM runs r JOIN events e ON e.run_id = r.id WHERE e.kind = '"'"'soft_lockup'"'"'") &&
	mmstorm show $uuid --json > s.json &&
	json_get s.json "[e[\"title\"] for e in j[\"events\"] if e[\"kind\"] == \"soft_lockup\"]" | grep -q mmstorm_inject_softlockup_fn &&
	mmstorm lockups --json --kind soft_lockup > l.json &&
	test "$(json_get l.json "j[\"runs_hit\"]")" = 1 &&
	test "$(json_get l.json "j[\"example_run\"]")" = $uuid &&
	json_get l.json "j[\"workloads\"]" | grep -qx hotplug &&
	api GET /metrics | grep -q "^mmstorm_events_total{kind=\"soft_lockup\"} 1$"
'

test_expect 'verdict calls that build bad, saying why' '
	expect_exit 1 mmstorm verdict --baseline running --workload hotplug &&
	grep -q "^verdict: bad: hotplug on .*: 0 of 1 run(s) locked up or crashed, 1 with kernel errors (.BUG: soft lockup in mmstorm_inject_softlockup_fn.)" "$SCRATCH/stdout"
'

test_expect 'a daemon without --allow-user-kmsg ignores user records' '
	other=$(mktemp -d)
	mmstormd --socket "$other/s" --db "$other/d.db" > "$other/log" 2>&1 &
	pid=$!
	i=0
	until test -S "$other/s"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then kill $pid; exit 1; fi
		sleep 0.1
	done
	# The positive control: its count of kernel log records read.
	records() {
		run_ok --output curl -sf --unix-socket "$other/s" http://d/metrics > "$other/metrics" &&
		sed -n "s/^mmstorm_kmsg_records_total //p" "$other/metrics"
	}
	before=$(records) || { kill $pid; exit 1; }
	while IFS= read -r line; do printf "<4>%s\n" "$line" > /dev/kmsg; done < "$SCRATCH/report.txt"
	sleep 1.5
	after=$(records) || { kill $pid; exit 1; }
	kill $pid
	wait $pid || true
	n=$(sqlite3 "$other/d.db" "SELECT count(*) FROM events WHERE kind = '"'"'soft_lockup'"'"'") &&
	rm -rf "$other" &&
	test "$n" = 0 &&
	echo "records read: $before before, $after after" &&
	test $((after - before)) -ge $(wc -l < "$SCRATCH/report.txt")
'

# The database locked by another writer for longer than an event may
# wait (100 ms): the event is held, shown in /metrics, retried every
# second without stopping the loop, and stored once the lock goes.
test_expect 'an event the locked database refused is held, then stored' '
	before=$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE kind = '"'"'soft_lockup'"'"'")
	python3 -c "
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute(\"BEGIN IMMEDIATE\")
open(sys.argv[2], \"w\").close()
time.sleep(4)
c.execute(\"ROLLBACK\")
" "$MMSTORM_DB" locked &
	locker=$!
	i=0
	until test -e locked; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done
	while IFS= read -r line; do printf "<4>%s\n" "$line" > /dev/kmsg; done < "$SCRATCH/report.txt"
	i=0
	until api GET /metrics | grep -qx "mmstorm_events_held 1"; do
		i=$((i + 1)); test $i -lt 30 || exit 1; sleep 0.1
	done
	wait $locker
	i=0
	until test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE kind = '"'"'soft_lockup'"'"'")" = $((before + 1)); do
		i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1
	done
	api GET /metrics | grep -qx "mmstorm_events_held 0" &&
	grep -q "holding it for retry" "$DAEMON_LOG" &&
	! grep -q "heartbeat fired" "$DAEMON_LOG"
'

stop_daemon

# A crashed boot: a run left 'running' by another boot id, and the panic
# the kernel wrote to pstore (the real sysrq crash captured in a guest).
mkdir -p "$SCRATCH/pstore"
cp "$TOP/tests/fixtures/kmsg/sysrq-panic.console.log" "$SCRATCH/pstore/dmesg-ramoops-0"
crashed=$(sqlite3 "$MMSTORM_DB" "SELECT id FROM runs WHERE state = 'passed' ORDER BY id LIMIT 1")
sqlite3 "$MMSTORM_DB" "UPDATE runs SET state = 'running', boot_id = 'a-previous-boot', ended_ns = NULL WHERE id = $crashed"
start_daemon --allow-user-kmsg --kmsg-tail --pstore "$SCRATCH/pstore"

test_expect 'at start: the run of the earlier boot is crashed, with its pstore log' '
	test "$(sqlite3 "$MMSTORM_DB" "SELECT state FROM runs WHERE id = $crashed")" = crashed &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT kind || '"'"'|'"'"' || source FROM events WHERE run_id = $crashed AND source = '"'"'pstore'"'"'")" = "panic|pstore" &&
	sqlite3 "$MMSTORM_DB" "SELECT title FROM events WHERE run_id = $crashed" | grep -q "sysrq triggered crash" &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM run_artifacts WHERE run_id = $crashed AND name = '"'"'pstore/dmesg-ramoops-0'"'"'")" = 1 &&
	test ! -e "$SCRATCH/pstore/dmesg-ramoops-0" &&
	grep -q "pstore: 1 record(s), 1 event(s) for the crashed run" "$DAEMON_LOG"
'

# softlockup_panic: the RCU stall reached /dev/kmsg and was stored live
# before the panic, and it is in the pstore record too.  One event, not
# two; the soft lockup, only in pstore, is stored from there.
stop_daemon
mmstorm run mmap-churn --iterations=200 --local --json > "$SCRATCH/r2.json"
crashed2=$(sqlite3 "$MMSTORM_DB" "SELECT id FROM runs WHERE uuid = '$(json_get "$SCRATCH/r2.json" "j[\"run\"]")'")
cp "$TOP/tests/fixtures/kmsg/softlockup-panic.console.log" "$SCRATCH/pstore/dmesg-ramoops-0"
sqlite3 "$MMSTORM_DB" "UPDATE runs SET state = 'running', boot_id = 'boot-two', ended_ns = NULL WHERE id = $crashed2;
	INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title, signature, t_ns, source, text)
	SELECT id, kernel_id, host_id, 'boot-two', 'rcu_stall', 'INFO: rcu detected stall in mmstorm_inject_softlockup_fn', 'live', started_ns, 'kmsg', 'rcu: INFO: rcu_preempt detected stalls' FROM runs WHERE id = $crashed2"
start_daemon --allow-user-kmsg --kmsg-tail --pstore "$SCRATCH/pstore"

test_expect 'a report seen live before the crash is not stored again from pstore' '
	test "$(sqlite3 "$MMSTORM_DB" "SELECT state FROM runs WHERE id = $crashed2")" = crashed &&
	sqlite3 "$MMSTORM_DB" "SELECT kind || '"'"'|'"'"' || source FROM events WHERE run_id = $crashed2 ORDER BY kind" > ev.txt &&
	cat ev.txt &&
	test "$(cat ev.txt | tr "\n" " ")" = "rcu_stall|kmsg soft_lockup|pstore " &&
	grep -q "pstore: 1 record(s), 1 event(s) for the crashed run, 1 already seen live" "$DAEMON_LOG"
'

test_done
