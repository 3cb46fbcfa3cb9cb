#!/bin/sh
# mmstormd: queue, API, CLI as client, cancel, hostile requests, kill -9.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

present=$(cat /sys/devices/system/cpu/present)

start_daemon --allow-user-kmsg --kmsg-tail
test_expect 'the daemon starts on a private socket and database' '
	test -n "$DAEMON_PID" &&
	test -S "$MMSTORM_SOCKET" &&
	test "$(stat -c %a "$MMSTORM_SOCKET")" = 660
'

test_expect 'a second daemon on the same socket refuses to start' '
	expect_exit 1 mmstormd --socket "$MMSTORM_SOCKET" --db "$SCRATCH/other.db" &&
	grep -q "another mmstormd is listening" "$SCRATCH/err"
'

test_expect 'mmstorm status talks to it' '
	mmstorm status > st.txt &&
	grep -q "^daemon  *mmstormd pid $DAEMON_PID" st.txt &&
	mmstorm status --json > st.json &&
	test "$(json_get st.json "j[\"pid\"]")" = $DAEMON_PID &&
	test "$(json_get st.json "j[\"queue\"]")" = 0
'

test_expect 'run --wait submits to the daemon and prints the result' '
	mmstorm run thp-munmap --size=64M --threads=1 --wait --json > run.json &&
	test "$(json_get run.json "j[\"state\"]")" = passed &&
	json_get run.json "j[\"metrics\"][\"munmap_ms\"] > 0" | grep -q True &&
	uuid=$(json_get run.json "j[\"run\"]") &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE r.uuid = '"'"'$uuid'"'"'")" = 1 &&
	grep -q "job 1: run started" "$DAEMON_LOG"
'

test_expect 'run without --wait queues a job; repeat= makes several runs' '
	mmstorm run thp-munmap --size=32M --threads=1 --repeat=2 --json > q.json &&
	job=$(json_get q.json "j[\"job\"]") &&
	wait_job $job &&
	api GET /v1/jobs/$job > job.txt &&
	test "$(tail -n 1 job.txt)" = 200 &&
	head -n 1 job.txt > job.json &&
	test "$(json_get job.json "j[\"state\"]")" = done &&
	test "$(json_get job.json "len(j[\"runs\"])")" = 2 &&
	test "$(json_get job.json "j[\"runs_done\"]")" = 2
'

test_expect 'the API lists runs, shows one, lists workloads' '
	api GET /v1/runs > runs.txt && test "$(tail -n 1 runs.txt)" = 200 &&
	head -n 1 runs.txt > runs.json &&
	test "$(json_get runs.json "len(j)")" = 3 &&
	uuid=$(json_get runs.json "j[0][\"run\"]") &&
	api GET /v1/runs/$uuid > one.txt && test "$(tail -n 1 one.txt)" = 200 &&
	head -n 1 one.txt > one.json &&
	json_get one.json "sorted(k for k in (\"kernel\",\"params\",\"deltas\",\"events\",\"metrics\") if k not in j)" | grep -qx "\[\]" &&
	api GET /v1/workloads > w.txt && grep -q "\"hotplug\"" w.txt
'

test_expect 'GET /v1/runs filters by workload and state' '
	api GET "/v1/runs?workload=thp-munmap&state=passed&limit=2" > f.txt &&
	test "$(tail -n 1 f.txt)" = 200 && head -n 1 f.txt > f.json &&
	test "$(json_get f.json "len(j)")" = 2 &&
	test "$(json_get f.json "\" \".join(sorted(set(r[\"workload\"] + \"/\" + r[\"state\"] for r in j)))")" = thp-munmap/passed &&
	api GET "/v1/runs?workload=hotplug" > h.txt &&
	test "$(tail -n 1 h.txt)" = 200 && test "$(head -n 1 h.txt)" = "[]" &&
	api GET "/v1/runs?state=failed" > s.txt &&
	test "$(tail -n 1 s.txt)" = 200 && test "$(head -n 1 s.txt)" = "[]"
'

test_expect 'a bad filter is a 400 with a one-line error' '
	api GET "/v1/runs?workload=nope" > bw.txt &&
	test "$(tail -n 1 bw.txt)" = 400 && head -n 1 bw.txt > bw.json &&
	test "$(json_get bw.json "j[\"error\"].replace(chr(39), \"\")")" = "unknown workload nope" &&
	api GET "/v1/runs?state=sleeping" > bs.txt &&
	test "$(tail -n 1 bs.txt)" = 400 && head -n 1 bs.txt > bs.json &&
	test "$(json_get bs.json "j[\"error\"].replace(chr(39), \"\")")" = "unknown run state sleeping"
'

test_expect '/metrics is Prometheus text with mmstorm_ names' '
	api GET /metrics > m.txt &&
	test "$(tail -n 1 m.txt)" = 200 &&
	grep -q "^mmstorm_runs{workload=\"thp-munmap\",state=\"passed\"} 3$" m.txt &&
	grep -q "^# TYPE mmstorm_events_total counter$" m.txt &&
	grep -q "^mmstorm_queue_length 0$" m.txt &&
	grep -q "^mmstorm_loop_lag_seconds " m.txt &&
	! grep -q "^node_" m.txt
'

test_expect 'hostile requests get 4xx and change nothing' '
	before=$(db_fingerprint) &&
	test "$(api POST /v1/jobs -d "{not json" | tail -n 1)" = 400 &&
	api POST /v1/jobs -d "{not json" | head -n 1 | grep -q "malformed JSON" &&
	test "$(api POST /v1/jobs -d "{\"workload\":\"nope\"}" | tail -n 1)" = 400 &&
	test "$(api POST /v1/jobs -d "{\"workload\":\"thp-munmap\",\"options\":{\"threads\":0}}" | tail -n 1)" = 400 &&
	test "$(api POST /v1/jobs -d "{\"workload\":\"thp-munmap\",\"options\":{\"bogus\":1}}" | tail -n 1)" = 400 &&
	test "$(api POST /v1/jobs -d "[{\"workload\":\"thp-munmap\"},{\"workload\":\"nope\"}]" | tail -n 1)" = 400 &&
	test "$(api POST /v1/jobs -d "{\"workload\":\"thp-munmap\",\"extra\":1}" | tail -n 1)" = 400 &&
	test "$(api PUT /v1/status | tail -n 1)" = 405 &&
	test "$(api DELETE /v1/runs | tail -n 1)" = 405 &&
	test "$(api GET /v1/nothing | tail -n 1)" = 404 &&
	test "$(api GET "/v1/runs/../../etc/passwd" --path-as-is | tail -n 1)" = 400 &&
	test "$(api GET "/v1/runs/%2e%2e" | tail -n 1)" = 400 &&
	test "$(api GET /v1/runs/zzzz | tail -n 1)" = 404 &&
	test "$(api GET "/v1/runs?limit=-1" | tail -n 1)" = 400 &&
	head -c 104857600 /dev/zero | tr "\0" "a" > big.body &&
	code=$(curl -s -o /dev/null -w "%{http_code}" --unix-socket "$MMSTORM_SOCKET" -X POST --data-binary @big.body http://d/v1/jobs) &&
	test "$code" = 413 &&
	test "$before" = "$(db_fingerprint)" &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM jobs")" = 2 &&
	kill -0 $DAEMON_PID
'

# A guest kernel spinning with preemption off keeps mmstormd from
# answering for tens of seconds; run --wait (and verdict --runs) must
# wait that out, and give up only after MMSTORM_WAIT_PATIENCE_S.
test_expect 'run --wait rides out a daemon that stops answering for a while' '
	MMSTORM_HTTP_TIMEOUT_MS=300 mmstorm run mmap-churn --duration=4s \
	    --wait --json > stall.json 2> stall.err &
	w=$!
	wait_running
	kill -STOP $DAEMON_PID
	sleep 2
	kill -CONT $DAEMON_PID
	wait $w
	test "$(json_get stall.json "j[\"state\"]")" = passed
'

test_expect 'and gives up after its patience, naming the job' '
	MMSTORM_HTTP_TIMEOUT_MS=300 MMSTORM_WAIT_PATIENCE_S=1 \
	    mmstorm run mmap-churn --duration=3s --wait > gave-up.txt 2> gave-up.err &
	w=$!
	wait_running
	kill -STOP $DAEMON_PID
	sleep 3
	kill -CONT $DAEMON_PID
	rc=0; wait $w || rc=$?
	test $rc = 1 &&
	grep -q "lost the daemon while waiting for job .*: no answer for 1 s" gave-up.err &&
	i=0 &&
	until test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done
'

test_expect 'cancel interrupts the running job; CPUs come back' '
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=0 --duration=60s --json > c.json &&
	job=$(json_get c.json "j[\"job\"]") &&
	wait_running &&
	mmstorm cancel $job > cancel.txt &&
	grep -q "cancelled" cancel.txt &&
	wait_job $job &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT state FROM jobs WHERE uuid = '"'"'$job'"'"'")" = cancelled &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT r.state FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.uuid = '"'"'$job'"'"'")" = interrupted &&
	test "$(cat /sys/devices/system/cpu/online)" = "$present" &&
	expect_exit 1 mmstorm cancel $job &&
	grep -q "already cancelled" "$SCRATCH/err"
'

test_expect 'a stalled daemon notices its own late heartbeat' '
	kill -STOP $DAEMON_PID && sleep 3 && kill -CONT $DAEMON_PID &&
	sleep 1 &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE kind = '"'"'stall'"'"' AND source = '"'"'daemon'"'"'")" -ge 1
'

test_expect 'kill -9 of the daemon mid-run' '
	sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'passed'"'"'" > passed.before &&
	mmstorm run hotplug --require_path=0 --pressure=none --cycles=0 --duration=60s --json > k.json &&
	wait_running &&
	sleep 0.5 &&
	kill -9 $DAEMON_PID
'
wait $DAEMON_PID 2>/dev/null
DAEMON_PID=
sleep 0.5
start_daemon --allow-user-kmsg --kmsg-tail
test_expect 'restart marks that run interrupted, loses nothing, CPUs online' '
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0 &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT state FROM runs ORDER BY id DESC LIMIT 1")" = interrupted &&
	test "$(sqlite3 "$MMSTORM_DB" "PRAGMA integrity_check")" = ok &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = '"'"'passed'"'"'")" = "$(cat passed.before)" &&
	test "$(cat /sys/devices/system/cpu/online)" = "$present"
'

stop_daemon
test_expect 'SIGTERM stops the daemon cleanly and removes its socket' '
	test ! -e "$MMSTORM_SOCKET" &&
	grep -q "mmstormd stopped" "$DAEMON_LOG"
'

test_expect 'with no daemon, run falls back to the foreground' '
	mmstorm run thp-munmap --size=32M --threads=1 --json > fg.json &&
	test "$(json_get fg.json "j[\"state\"]")" = passed &&
	expect_exit 1 mmstorm status &&
	grep -q "no daemon socket" "$SCRATCH/err"
'

test_done
