#!/bin/sh
# Hardening (issue 15, items 5, 6 and 7's store and CLI parts): lost runs
# follow retry=, dir= stays in the daemon's state directory, read-only,
# empty, foreign and full databases get the right answer, labels cannot
# reach the terminal raw.  Starts mmstormd and runs workloads: run it as
#   flock /tmp/mmstorm-machine.lock sh tests/t/t0540-hardening.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

# A short, harmless run: one page, anonymous, a few hundred maps.
quick="mmap-churn --backing=anon --iterations=200"
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"

# sql QUERY: one value from the test's database.
sql() {
	sqlite3 "$MMSTORM_DB" "$1"
}

# job_field UUID FIELD: a field of GET /v1/jobs/UUID.
job_field() {
	api GET /v1/jobs/$1 | head -n 1 > jf.json &&
	json_get jf.json "j[\"$2\"]"
}

# wait_run_count JOB N: until the job has N runs and one is running.
wait_run_count() {
	i=0
	until [ "$(sql "SELECT count(*) FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.uuid = '$1'")" = "$2" ] &&
	    [ "$(sql "SELECT count(*) FROM runs WHERE state = 'running' AND pid IS NOT NULL")" = 1 ] &&
	    [ -n "$(worker_pid)" ]; do
		i=$((i + 1)); [ $i -lt 300 ] || return 1
		sleep 0.1
	done
}

# The supervisor of the run in progress, and its worker.
supervisor_pid() {
	sql "SELECT pid FROM runs WHERE state = 'running'"
}
worker_pid() {
	pgrep -P "$(supervisor_pid)" | head -n 1
}

# --- the store, without a daemon -------------------------------------

test_expect 'a run stores a label with a terminal escape' '
	mmstorm run $quick --label "$(printf "x\033[2Jy\302\233z")" --json > l.json &&
	test "$(json_get l.json "j[\"state\"]")" = passed
'

test_expect 'runs escapes control characters in a label' '
	run_ok --output mmstorm runs > runs.txt &&
	! grep -q "$(printf "\033")" runs.txt &&
	! grep -q "$(printf "\302\233")" runs.txt &&
	grep -q "x\\\\x1b\[2Jy\\\\u009bz" runs.txt &&
	mmstorm runs --json > runs.json &&
	test "$(json_get runs.json "j[\"label\"] == \"x\\x1b[2Jy\\x9bz\"")" = True
'

test_expect 'show escapes control characters in a label, as runs does' '
	run=$(json_get l.json "j[\"run\"]") &&
	run_ok --output mmstorm show $run > show.txt &&
	! grep -q "$(printf "\033")" show.txt &&
	! grep -q "$(printf "\302\233")" show.txt &&
	grep -q "^label     x\\\\x1b\[2Jy\\\\u009bz$" show.txt &&
	mmstorm show $run --json > show.json &&
	test "$(json_get show.json "j[\"label\"] == \"x\\x1b[2Jy\\x9bz\"")" = True
'

test_expect 'a job file with an empty label= is refused like --label ""' '
	printf "[a]\nworkload=mmap-churn\nlabel=\n" > empty-label.job &&
	expect_exit 2 mmstorm run --job empty-label.job --check &&
	grep -q "empty-label.job. line 3: a label must be one non-empty line" "$SCRATCH/err"
'

test_expect 'read commands leave an empty file empty' '
	: > empty.db &&
	expect_exit 1 mmstorm --db empty.db runs &&
	grep -q "is empty, not an mmstorm database" "$SCRATCH/err" &&
	test ! -s empty.db && test ! -e empty.db-wal
'

test_expect 'user_version -1 is not an mmstorm database, and says so' '
	cp "$MMSTORM_DB" neg.db &&
	sqlite3 neg.db "PRAGMA user_version = -1" &&
	expect_exit 1 mmstorm --db neg.db runs &&
	grep -q "not an mmstorm database: schema version -1" "$SCRATCH/err" &&
	! grep -q "not an error" "$SCRATCH/err"
'

test_expect 'a file that is not a database says so' '
	echo "hello" > text.db &&
	expect_exit 1 mmstorm --db text.db runs &&
	grep -q "not an mmstorm database: file is not a database" "$SCRATCH/err"
'

if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	test_expect 'a read-only database in a read-only directory can be read' '
		mkdir ro && cp "$MMSTORM_DB" ro/m.db &&
		chown -R 65534 ro && chmod 0444 ro/m.db && chmod 0555 ro &&
		chmod 0755 "$SCRATCH" &&
		$nobody mmstorm --db ro/m.db runs > ro.txt &&
		grep -q mmap-churn ro.txt &&
		$nobody mmstorm --db ro/m.db kernels > rok.txt &&
		test -s rok.txt &&
		test ! -e ro/m.db-wal
	'
	test_expect 'and a write to it says read-only, not "not a database"' '
		set +e
		$nobody mmstorm --db ro/m.db run $quick --local > /dev/null 2> row.err
		rc=$?
		set -e
		test $rc = 1 &&
		grep -q "readonly database" row.err &&
		! grep -q "not an mmstorm database" row.err &&
		test "$(sqlite3 -readonly "file:ro/m.db?immutable=1" "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0
	'
else
	test_skip 'a read-only database in a read-only directory can be read' "needs root and setpriv"
	test_skip 'and a write to it says read-only, not "not a database"' "needs root and setpriv"
fi

# A full disk: a small tmpfs holding the database.
full=$SCRATCH/full
if mkdir -p "$full" && mount -t tmpfs -o size=8M tmpfs "$full" 2> /dev/null; then
	# 1200 kB left: the run starts, and its samples soon do not fit;
	# it stops then (it used to go on for its whole duration, and with
	# less room left, end 'running').
	test_expect 'a full disk ends a run as failed at once, naming the cause' '
		db="$full/m.db" &&
		mmstorm --db "$db" run $quick --local > /dev/null &&
		avail=$(df --output=avail -k "$full" | tail -n 1) &&
		dd if=/dev/zero of="$full/fill" bs=1k count=$((avail - 1200)) 2> /dev/null &&
		set +e
		mmstorm --db "$db" run mmap-churn --backing=anon --duration=10s \
		    --sample_ms=50 --local --json > full.json 2> full.err
		set -e
		test "$(json_get full.json "j[\"state\"]")" = failed &&
		json_get full.json "j[\"reason\"]" | grep -q "database or disk is full" &&
		test "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0 &&
		test "$(sqlite3 "$db" "SELECT (ended_ns - started_ns) < 8000000000 FROM runs ORDER BY id DESC LIMIT 1")" = 1 &&
		! grep -q "not an mmstorm database" full.err
	'
	# A database closed cleanly (no -wal, no -shm) on a disk with no
	# byte left: SQLite cannot make its -shm.
	test_expect 'a disk with no byte left: reads name the cause' '
		rm -f "$full/fill" &&
		cp "$MMSTORM_DB" "$full/r.db" &&
		dd if=/dev/zero of="$full/fill2" bs=1k 2> /dev/null || :
		expect_exit 1 mmstorm --db "$full/r.db" runs &&
		! grep -q "not an mmstorm database" "$SCRATCH/err" &&
		grep -q "cannot read database .*No space left on device" "$SCRATCH/err" &&
		rm -f "$full/fill2" &&
		mmstorm --db "$full/r.db" runs > /dev/null
	'
	umount "$full"
else
	test_skip 'a full disk ends a run as failed at once, naming the cause' "cannot mount a tmpfs here"
	test_skip 'a disk with no byte left: reads name the cause' "cannot mount a tmpfs here"
fi

# --- through the daemon ----------------------------------------------

start_daemon --allow-user-kmsg --kmsg-tail

test_expect 'kill -9 of the worker: the job is re-queued within retry=' '
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"backing\":\"anon\",\"duration\":\"60s\"},\"retry\":1}" | head -n 1 > k.json &&
	job=$(json_get k.json "j[0][\"job\"]") &&
	echo $job > job.id &&
	wait_run_count $job 1 &&
	kill -9 "$(worker_pid)" &&
	wait_run_count $job 2 &&
	test "$(job_field $job retries_used)" = 1 &&
	test "$(sql "SELECT state FROM runs ORDER BY id LIMIT 1 OFFSET 1")" = interrupted
'

test_expect 'kill -9 of the supervisor past retry=: done, with an error saying why' '
	job=$(cat job.id) &&
	sup=$(supervisor_pid) && test -n "$sup" &&
	kill -9 $sup &&
	wait_job $job &&
	test "$(job_field $job state)" = done &&
	job_field $job error > err.txt &&
	grep -q "supervisor killed by signal 9 (KILL); retry= is used up (1 of 1)" err.txt &&
	test "$(sql "SELECT count(*) FROM runs WHERE state = '"'"'running'"'"'")" = 0
'

test_expect 'kill -9 of the worker with no retry=: done, with the run'"'"'s reason' '
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"backing\":\"anon\",\"duration\":\"60s\"}}" | head -n 1 > k2.json &&
	job=$(json_get k2.json "j[0][\"job\"]") &&
	i=0 && until test -n "$(supervisor_pid)" && test -n "$(worker_pid)"; do
		i=$((i + 1)); test $i -lt 300; sleep 0.1; done &&
	kill -9 "$(worker_pid)" &&
	wait_job $job &&
	test "$(job_field $job state)" = done &&
	test "$(job_field $job retries_used)" = 0 &&
	job_field $job error > err2.txt &&
	grep -q "run interrupted: worker ended without a result (signal 9)" err2.txt
'

# socket:[INODE] of every socket process $1 holds, sorted.
sockets_of() {
	for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null |
	    grep "^socket:" | sort
}

# The supervisor is a fork of the daemon: it held every client
# connection open for as long as the run, and the listening sockets.
test_expect 'a run holds none of the daemon'"'"'s sockets, nor a client'"'"'s connection' '
	python3 -c "import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(15)" "$MMSTORM_SOCKET" &
	idle=$! &&
	sleep 0.5 &&
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"backing\":\"anon\",\"duration\":\"3s\"}}" | head -n 1 > fd.json &&
	job=$(json_get fd.json "j[0][\"job\"]") &&
	i=0 && until test -n "$(supervisor_pid)" && test -n "$(worker_pid)"; do
		i=$((i + 1)); test $i -lt 300; sleep 0.1; done &&
	sockets_of $DAEMON_PID > daemon.sockets &&
	sockets_of "$(supervisor_pid)" > run.sockets &&
	sockets_of "$(worker_pid)" >> run.sockets &&
	kill $idle &&
	test "$(wc -l < daemon.sockets)" -ge 2 &&
	sort -u run.sockets | comm -12 daemon.sockets - > shared &&
	{ test ! -s shared || { echo "the run holds the daemon'"'"'s"; cat shared; false; }; } &&
	wait_job $job &&
	test "$(job_field $job state)" = done
'

test_expect 'dir= outside the state directory is refused, nothing stored' '
	before=$(sql "SELECT count(*) FROM jobs") &&
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"dir\":\"/root\"}}" > d.txt &&
	test "$(tail -n 1 d.txt)" = 400 &&
	grep -q "option .dir. of .mmap-churn. must name a directory under" d.txt &&
	ln -s /etc "$SCRATCH/etc-link" &&
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"dir\":\"$SCRATCH/etc-link\"}}" > d2.txt &&
	test "$(tail -n 1 d2.txt)" = 400 &&
	test "$(sql "SELECT count(*) FROM jobs")" = "$before"
'

# A bad job is the client's 400 wherever it is found, with the one-line
# JSON error: a refused or missing dir= came back as a 503, found only
# when queue_insert() confined it inside the transaction.
test_expect 'every bad job is a 400 with a one-line JSON error, nothing stored' '
	before=$(sql "SELECT count(*) FROM jobs") &&
	cat > bodies <<-EOF &&
	{"workload":"mmap-churn","options":{"dir":"$SCRATCH/no-such-dir"}}
	[{"workload":"mmap-churn"},{"workload":"mmap-churn","options":{"dir":"/"}}]
	{"workload":"no-such-workload"}
	{"workload":"mmap-churn","options":{"no-such-option":1}}
	{"workload":"mmap-churn","options":{"iterations":-5}}
	{"workload":"mmap-churn","repeat":"x"}
	{"workload":"mmap-churn"
	[]
	EOF
	n=0 &&
	while read -r body; do
		n=$((n + 1)) &&
		api POST /v1/jobs -d "$body" > bad$n.txt &&
		test "$(tail -n 1 bad$n.txt)" = 400 &&
		test "$(grep -c . bad$n.txt)" = 2 &&
		head -n 1 bad$n.txt > bad$n.json &&
		json_get bad$n.json "j[\"error\"]" > /dev/null ||
		{ echo "body $body:"; cat bad$n.txt; exit 1; }
	done < bodies &&
	test $n = 8 &&
	grep -q "job 1: option .dir. of .mmap-churn.: cannot resolve .*No such file" bad1.txt &&
	grep -q "job 2: option .dir. of .mmap-churn. must name a directory under" bad2.txt &&
	test "$(sql "SELECT count(*) FROM jobs")" = "$before"
'

test_expect 'dir= under the state directory runs, with the path resolved' '
	mkdir -p "$SCRATCH/churn" &&
	api POST /v1/jobs -d "{\"workload\":\"mmap-churn\",\"options\":{\"dir\":\"$SCRATCH/./churn\",\"iterations\":100}}" > d3.txt &&
	test "$(tail -n 1 d3.txt)" = 201 &&
	head -n 1 d3.txt > d3.json &&
	job=$(json_get d3.json "j[0][\"job\"]") &&
	wait_job $job &&
	job_field $job options > opts.txt &&
	grep -q "$SCRATCH/churn" opts.txt && ! grep -q "/\./" opts.txt
'

test_expect 'the foreground CLI as root may still name any dir=' '
	mkdir -p "$SCRATCH/elsewhere" &&
	MMSTORM_DB="$SCRATCH/other/m.db" mmstorm run mmap-churn --iterations=100 --dir="$SCRATCH/elsewhere" --local --json > fg.json &&
	test "$(json_get fg.json "j[\"state\"]")" = passed
'

test_expect 'no workload process is left behind' '
	sleep 0.5 &&
	test -z "$(pgrep -P $DAEMON_PID || :)"
'

test_done
