# daemon-lib.sh - start and stop a private mmstormd for a test file.
# Sourced after lib.sh; the daemon is always stopped on exit.

DAEMON_LOG="$SCRATCH/mmstormd.log"
DAEMON_PID=

start_daemon() {
	mmstormd --socket "$MMSTORM_SOCKET" --db "$MMSTORM_DB" "$@" \
	    >> "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	i=0
	until curl -sf --unix-socket "$MMSTORM_SOCKET" http://d/v1/status \
	    > /dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $DAEMON_PID 2>/dev/null; then
			echo "mmstormd did not start:"; cat "$DAEMON_LOG"
			return 1
		fi
		sleep 0.1
	done
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM $DAEMON_PID 2>/dev/null
	i=0
	while kill -0 $DAEMON_PID 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL $DAEMON_PID 2>/dev/null
	wait $DAEMON_PID 2>/dev/null
	DAEMON_PID=
}

# api METHOD PATH [CURL ARGS]: prints the body, then the status on the
# last line.
api() {
	m=$1; p=$2; shift 2
	curl -s -X "$m" --unix-socket "$MMSTORM_SOCKET" -w '\n%{http_code}\n' \
	    "http://d$p" "$@"
}

# wait_job UUID: until the job is done or cancelled (at most 120 s)
wait_job() {
	i=0
	while :; do
		s=$(api GET /v1/jobs/$1 | head -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
		case "$s" in done|cancelled) return 0 ;; esac
		i=$((i + 1)); [ $i -lt 600 ] || return 1
		sleep 0.2
	done
}

# wait_running: until a run is in state running (at most 30 s)
wait_running() {
	i=0
	until [ "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs WHERE state = 'running'" 2>/dev/null)" = 1 ]; do
		i=$((i + 1)); [ $i -lt 300 ] || return 1
		sleep 0.1
	done
}

# On exit: the daemon stopped, every CPU online again (a test that failed
# half way through a hotplug run may have left one down), scratch gone.
daemon_cleanup() {
	stop_daemon
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f"
	done 2>/dev/null
	cleanup_scratch
}
trap daemon_cleanup EXIT
