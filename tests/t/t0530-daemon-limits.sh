#!/bin/sh
# mmstormd under abuse (issue 15): JSON errors from the HTTP layer, strict
# paths and --listen, the socket file, the token, the whole-request
# deadline, the connection cap, running out of descriptors, the memory
# budget, the listen backlog.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

# raw.py SOCKET: send stdin as is, print the status code, then the body.
cat > "$SCRATCH/raw.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
data = b""
try:
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < \
            int(([l.split(b":")[1] for l in data.split(b"\r\n") if l.lower().startswith(b"content-length:")] or [b"0"])[0]):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode() if head else "none")
sys.stdout.write(body.decode(errors="replace"))
EOF
raw() {
	python3 "$SCRATCH/raw.py" "$MMSTORM_SOCKET"
}
# is_json_error FILE CODE: status CODE and a one-line {"error": ...}
is_json_error() {
	test "$(head -n 1 "$1")" = "$2" &&
	test "$(wc -l < "$1")" = 2 &&
	tail -n 1 "$1" > "$1.json" &&
	json_get "$1.json" "j[\"error\"]" > /dev/null
}
# daemon_of PID: ends the extra daemon a test started
other_pid=
stop_other() {
	[ -n "$other_pid" ] || return 0
	kill -TERM $other_pid 2>/dev/null
	wait $other_pid 2>/dev/null
	other_pid=
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_daemon --kmsg-tail

test_expect 'the HTTP layer answers its own errors as one-line JSON' '
	printf "GARBAGE\r\n\r\n" | raw > e400.txt && is_json_error e400.txt 400 &&
	printf "BREW /v1/status HTTP/1.1\r\n\r\n" | raw > e501.txt &&
	is_json_error e501.txt 501 &&
	printf "POST /v1/jobs HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n" |
	    raw > e413.txt && is_json_error e413.txt 413 &&
	printf "POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" |
	    raw > ete.txt && is_json_error ete.txt 501 &&
	python3 -c "import sys; sys.stdout.write(\"GET /v1/status HTTP/1.1\r\nX: \" + \"a\" * 20000 + \"\r\n\r\n\")" |
	    raw > e431.txt && is_json_error e431.txt 431 &&
	head -c 2000000 /dev/zero | tr "\0" a > big &&
	curl -s --unix-socket "$MMSTORM_SOCKET" --data-binary @big \
	    -w "\n%{http_code}\n" http://d/v1/jobs > big.txt &&
	test "$(tail -n 1 big.txt)" = 413 && head -n 1 big.txt > big.json &&
	json_get big.json "j[\"error\"]"
'

test_expect '//v1/status is a 400, as documented' '
	printf "GET //v1/status HTTP/1.1\r\n\r\n" | raw > dbl.txt &&
	is_json_error dbl.txt 400 &&
	grep -q "bad request path" dbl.txt
'

test_expect 'keep-alive and pipelined requests are answered in order' '
	printf "GET /v1/status HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n" |
	    python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); d = b\"\"
while True:
    c = s.recv(65536)
    if not c: break
    d += c
print(d.count(b\"HTTP/1.1 200\"), d.count(b\"HTTP/1.1 404\"))" "$MMSTORM_SOCKET" > pipe.txt &&
	test "$(cat pipe.txt)" = "1 1"
'

test_expect 'a file or symlink at the socket path is refused, not deleted' '
	echo precious > file.sock &&
	expect_exit 1 timeout 5 mmstormd --socket "$SCRATCH/file.sock" --db "$SCRATCH/o.db" &&
	grep -q "exists and is not a socket" "$SCRATCH/err" &&
	test "$(cat file.sock)" = precious &&
	echo target > target && ln -s "$SCRATCH/target" link.sock &&
	expect_exit 1 timeout 5 mmstormd --socket "$SCRATCH/link.sock" --db "$SCRATCH/o.db" &&
	test -L link.sock && test "$(cat target)" = target
'

test_expect 'a stale socket is replaced; the socket is created 0660' '
	python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$SCRATCH/stale.sock" &&
	test -S stale.sock &&
	(mmstormd --socket "$SCRATCH/stale.sock" --db "$SCRATCH/o.db" --kmsg-tail > stale.log 2>&1 & echo $! > stale.pid) &&
	i=0; until curl -sf --unix-socket stale.sock http://d/v1/status > /dev/null; do
		i=$((i + 1)); test $i -lt 50; sleep 0.1; done &&
	test "$(stat -c %a stale.sock)" = 660 &&
	kill $(cat stale.pid) && sleep 0.5 && ! test -e stale.sock &&
	rm stale.pid
'

test_expect '--listen takes HOST:PORT or [IPV6]:PORT, port 1..65535, nothing else' '
	for bad in 127.0.0.1:abc 127.0.0.1:84314 127.0.0.1:0 127.0.0.1: :8080 ::1:8080 "[::1]8080" 127.0.0.1:80x; do
		expect_exit 2 timeout 5 mmstormd --socket "$SCRATCH/l.sock" --db "$SCRATCH/o.db" \
		    --listen "$bad" --token-file /dev/null || { echo "accepted $bad"; exit 1; }
		grep -q "expects HOST:PORT" "$SCRATCH/err"
	done
'

printf "%s\n" 0123456789abcdef0123 > "$SCRATCH/token"
chmod 600 "$SCRATCH/token"
test_expect 'TCP on [::1]: the token is checked, the scheme in any case' '
	port=$(free_port)
	mmstormd --socket "$SCRATCH/t.sock" --db "$SCRATCH/o.db" --kmsg-tail \
	    --listen "[::1]:$port" --token-file "$SCRATCH/token" > tcp.log 2>&1 &
	echo $! > tcp.pid &&
	i=0; until curl -sf -g "http://[::1]:$port/metrics" > /dev/null; do
		i=$((i + 1)); test $i -lt 50 || { cat tcp.log; exit 1; }; sleep 0.1; done &&
	c() { curl -s -g -o /dev/null -w "%{http_code}" "$@" "http://[::1]:$port/v1/status"; } &&
	test "$(c)" = 401 &&
	test "$(c -H "Authorization: Bearer 0123456789abcdef0123")" = 200 &&
	test "$(c -H "Authorization: bearer 0123456789abcdef0123")" = 200 &&
	test "$(c -H "Authorization: BEARER   0123456789abcdef0123")" = 200 &&
	test "$(c -H "Authorization: Bearer 0123456789abcdef0124")" = 401 &&
	test "$(c -H "Authorization: Bearer 0123456789abcdef012")" = 401 &&
	test "$(c -H "Authorization: Basic 0123456789abcdef0123")" = 401 &&
	curl -s -g "http://[::1]:$port/v1/status" > unauth.json &&
	json_get unauth.json "j[\"error\"]"
'
# the extra daemons end whether their tests passed or not
for f in tcp.pid stale.pid; do
	[ -s "$SCRATCH/$f" ] && kill $(cat "$SCRATCH/$f") 2>/dev/null
done

test_expect 'a token file of another user, or readable by others, is refused' '
	port=$(free_port) &&
	cp token tok2 && chmod 600 tok2 && chown nobody tok2 &&
	expect_exit 1 timeout 5 mmstormd --socket "$SCRATCH/t2.sock" --db "$SCRATCH/o.db" \
	    --listen "127.0.0.1:$port" --token-file "$SCRATCH/tok2" &&
	grep -q "must be owned by root" "$SCRATCH/err" &&
	cp token tok3 && chmod 640 tok3 &&
	expect_exit 1 timeout 5 mmstormd --socket "$SCRATCH/t2.sock" --db "$SCRATCH/o.db" \
	    --listen "127.0.0.1:$port" --token-file "$SCRATCH/tok3" &&
	grep -q "must not be readable" "$SCRATCH/err"
'

test_expect 'a byte a second does not extend the 10 s request deadline' '
	python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(0.5)
t0 = time.monotonic(); req = b\"POST /v1/jobs HTTP/1.1\r\nContent-Length: 5\r\n\r\n\" + b\"x\" * 100
reply = b\"\"
for b in req:
    try:
        s.send(bytes([b]))
    except OSError:
        break
    try:
        d = s.recv(4096)
        reply += d
        if not d: break
    except socket.timeout:
        pass
    if time.monotonic() - t0 > 14: break
print(round(time.monotonic() - t0), reply.split(b\" \")[1].decode() if reply else \"none\")
" "$MMSTORM_SOCKET" > slow.txt &&
	cat slow.txt &&
	test "$(cut -d" " -f1 slow.txt)" -le 12 &&
	test "$(cut -d" " -f2 slow.txt)" = 408
'
stop_daemon

start_daemon --kmsg-tail --max-connections 16
test_expect 'at the connection cap the oldest unfinished request makes room' '
	python3 -c "
import socket, sys, time, subprocess
idle = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b\"GE\"); idle.append(s)
    time.sleep(0.005)
t0 = time.monotonic()
out = subprocess.run([\"curl\", \"-sf\", \"-m\", \"2\", \"--unix-socket\", sys.argv[1], \"http://d/v1/status\"], capture_output=True)
assert out.returncode == 0, out
print(\"%.3f\" % (time.monotonic() - t0))
" "$MMSTORM_SOCKET" &&
	curl -s --unix-socket "$MMSTORM_SOCKET" http://d/metrics > m.txt &&
	grep -q "^mmstorm_http_connections_evicted_total [1-9]" m.txt &&
	test "$(grep -c "connection limit" "$DAEMON_LOG")" -le 6
'
stop_daemon

# A daemon with 64 descriptors: 300 clients cannot all have one.
mmstormd() {
	exec prlimit --nofile=64:64 "$BUILD/mmstormd" "$@"
}
: > "$DAEMON_LOG"
start_daemon --kmsg-tail
unset -f mmstormd

# 32 slots for 300 clients that reconnect at once: some probes lose the
# race for a slot, nine in ten must not.
test_expect 'out of descriptors: no spinning, no log flood, still answering' '
	grep -q "Max open files *64 *64" /proc/$DAEMON_PID/limits &&
	python3 "$TOP/bench/hostile-clients.py" --socket "$MMSTORM_SOCKET" \
	    --pid $DAEMON_PID --clients 300 --mix slow --seconds 4 --json > fd.json &&
	cat fd.json && cat "$DAEMON_LOG" | head -20 &&
	json_get fd.json "j[\"probe_failures\"] * 10 <= j[\"probes\"]" | grep -q True &&
	json_get fd.json "j[\"daemon_cpu_s\"] < 1.5" | grep -q True &&
	test "$(wc -l < "$DAEMON_LOG")" -le 20
'
stop_daemon

# ASan keeps freed memory in quarantine (256 MiB): under BUILD=build-asan
# the peak would be the sanitizer's, not the daemon's.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 \
    start_daemon --kmsg-tail

# 50 bodies of 900 KB queued at once take jansson 50 ms each: parsed on
# the loop, one callback re-activating itself, they ran back to back and
# the heartbeat fired seconds late.  A thread parses them now.
cat > "$SCRATCH/bodies.py" <<'EOF'
import socket, sys, threading
body = b'{"workload":"thp-munmap","options":{"sweep":"' + b"1," * 450000 + b'1"}}'
req = b"POST /v1/jobs HTTP/1.1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
codes = []
def one():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(sys.argv[1])
    s.sendall(req)
    d = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        d += c
    codes.append(d.split(b" ")[1].decode() if d else "none")
t = [threading.Thread(target=one) for i in range(int(sys.argv[2]))]
[x.start() for x in t]
[x.join() for x in t]
print(" ".join(sorted(set(codes))), len(codes))
EOF
test_expect 'queued 900 KB bodies do not stall the loop' '
	python3 "$SCRATCH/bodies.py" "$MMSTORM_SOCKET" 50 > q.txt &&
	cat q.txt &&
	grep -q " 50$" q.txt && ! grep -q none q.txt &&
	sleep 1 &&
	curl -s --unix-socket "$MMSTORM_SOCKET" http://d/metrics > q.metrics &&
	grep "^mmstorm_loop_lag_max_seconds" q.metrics &&
	awk "/^mmstorm_loop_lag_max_seconds/ { exit !(\$2 < 0.5) }" q.metrics
'

# The request budget is 64 MiB of bodies and 16 MiB of headers; the
# daemon's peak RSS under this load measured 105-176 MB (plain build)
# and up to 181 MB (ASan) from one run to the next, with the same
# program: what lies beyond the budget is not explained yet
# (bench/README.md), but it does not grow with the bytes sent (a 20 s
# run, 16.5 GB, peaked at 122 MB).  Without the limits the daemon
# reached 794 MB in the same test; 200 MB is the tripwire for that.
test_expect '1,000 concurrent 900 KB POSTs stay within the memory budget' '
	python3 "$TOP/bench/hostile-clients.py" --socket "$MMSTORM_SOCKET" \
	    --pid $DAEMON_PID --clients 1000 --mix huge --seconds 5 --json > mem.json &&
	cat mem.json &&
	json_get mem.json "j[\"daemon_peak_rss_mb\"] < 200" | grep -q True &&
	test "$(json_get mem.json "j[\"probe_failures\"]")" = 0
'

test_expect '1,000 concurrent connects fit the listen backlog' '
	kill -STOP $DAEMON_PID &&
	python3 -c "
import socket, sys
ok = refused = 0; socks = []
for i in range(1000):
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try:
        s.connect(sys.argv[1]); ok += 1
    except BlockingIOError:
        refused += 1
    socks.append(s)
print(ok, refused)
" "$MMSTORM_SOCKET" > bl.txt; kill -CONT $DAEMON_PID &&
	cat bl.txt && test "$(cat bl.txt)" = "1000 0" &&
	curl -sf --unix-socket "$MMSTORM_SOCKET" http://d/v1/status > /dev/null
'
stop_daemon

test_done
