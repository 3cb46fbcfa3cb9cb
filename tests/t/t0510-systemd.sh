#!/bin/sh
# The unit file verifies; the daemon speaks sd_notify without libsystemd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

if command -v systemd-analyze > /dev/null; then
	test_expect 'make install puts a unit that systemd-analyze verify accepts' '
		make -C "$TOP" BUILD="$BUILD" install PREFIX="$SCRATCH/usr" > /dev/null &&
		test -x "$SCRATCH/usr/bin/mmstormd" &&
		unit="$SCRATCH/usr/lib/systemd/system/mmstormd.service" &&
		grep -q "^Type=notify" "$unit" &&
		grep -q "^ExecStart=$SCRATCH/usr/bin/mmstormd " "$unit" &&
		systemd-analyze verify "$unit"
	'
	test_expect 'the nightly service and timer verify too' '
		make -C "$TOP" BUILD="$BUILD" install PREFIX="$SCRATCH/usr" > /dev/null &&
		dir="$SCRATCH/usr/lib/systemd/system" &&
		grep -q "^ExecStart=$SCRATCH/usr/bin/mmstorm .* nightly --config " "$dir/mmstorm-nightly.service" &&
		systemd-analyze verify "$dir/mmstorm-nightly.service" "$dir/mmstorm-nightly.timer"
	'
else
	test_skip "systemd-analyze verify" "systemd-analyze is not installed"
	test_skip "the nightly service and timer verify too" "systemd-analyze is not installed"
fi

# A notify socket of our own records what the daemon sends.
python3 - "$SCRATCH/notify.sock" "$SCRATCH/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "w") as log:
    end = time.time() + 20
    while time.time() < end:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        log.write(msg.replace("\n", "|") + "\n")
        log.flush()
        if "STOPPING=1" in msg:
            break
PY
listener=$!
i=0; while [ ! -S "$SCRATCH/notify.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done

NOTIFY_SOCKET="$SCRATCH/notify.sock" WATCHDOG_USEC=1000000 start_daemon
sleep 2
stop_daemon
wait $listener

test_expect 'READY=1 once listening, WATCHDOG=1 pings, STOPPING=1 on SIGTERM' '
	grep -q "^READY=1|STATUS=idle$" "$SCRATCH/notify.log" &&
	test $(grep -c "^WATCHDOG=1$" "$SCRATCH/notify.log") -ge 2 &&
	grep -q "^STOPPING=1$" "$SCRATCH/notify.log"
'

test_expect 'log lines carry <N> priorities for journald' '
	grep -q "^<6>mmstormd listening on" "$DAEMON_LOG" &&
	! grep -qv "^<[0-7]>" "$DAEMON_LOG"
'

test_done
