#!/bin/sh
# report.sh - `mmstorm report RUN --html FILE` on a 1-hour run sampled
# at 1 s (target: under 1 s), and the same run as --format text / json.
#
# The run is SYNTHETIC bench data, never a result: build/bench-report-data
# (bench/report-data.c) writes one hotplug run with this machine's real
# counter set through store/db.h into a scratch database (kernel
# "bench-synthetic"): DURATION s sampled every SAMPLE_MS ms, a hotplug
# cycle every 10 s (offline_ms/online_ms values, a "cycle" sample), a
# pressure phase, two events.  Each format is then timed RUNS times:
# wall clock, CPU (user+sys of the child, from wait4) and peak RSS.
# The report is written to a file in the scratch directory (--html
# renames it into place after an fsync); the directory is removed at exit.
#
#   sh bench/report.sh                     # 1 h at 1 s, 10 runs a format
#   SAMPLE_MS=50 RUNS=5 sh bench/report.sh # 1 h at 50 ms (72,000 samples)
#   DURATION=86400 sh bench/report.sh      # a day at 1 s
#   BUILD=build-asan ...                   # another build tree
#
# Record the output in bench/README.md, section "report --html".
set -eu

BUILD=${BUILD:-build}
RUNS=${RUNS:-10}
DURATION=${DURATION:-3600}
SAMPLE_MS=${SAMPLE_MS:-1000}

cd "$(dirname "$0")/.."
make -s BUILD="$BUILD" "$BUILD/mmstorm" "$BUILD/bench-report-data"
tmp=$(mktemp -d /tmp/mmstorm-bench-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

uuid=$("$BUILD/bench-report-data" -o "$tmp/bench.db" -d "$DURATION" \
    -s "$SAMPLE_MS")
echo "# $(uname -r), $(nproc) CPUs online, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# synthetic run $uuid: $(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM samples") samples of $(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM run_counters") counters, ${DURATION} s at ${SAMPLE_MS} ms, database $(du -k "$tmp/bench.db" | cut -f1) kB"

python3 - "$tmp" "$uuid" "$RUNS" "$BUILD/mmstorm" <<'EOF'
import os, statistics, subprocess, sys, time

tmp, uuid, runs, mmstorm = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4]
env = dict(os.environ, MMSTORM_DB=os.path.join(tmp, 'bench.db'),
           MMSTORM_SOCKET=os.path.join(tmp, 'none.sock'))
print('%-6s %5s %11s %11s %10s %10s %9s' % ('format', 'runs', 'wall_med_s',
      'wall_max_s', 'cpu_med_s', 'maxrss_MB', 'bytes'))
for fmt in ('html', 'text', 'json'):
    out = os.path.join(tmp, 'report.' + fmt)
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        if fmt == 'html':
            argv = [mmstorm, 'report', uuid, '--html', out]
        else:
            argv = [mmstorm, 'report', uuid, '--format', fmt,
                    '--output', out]
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - t0)
        if status != 0:
            sys.exit('%s failed: status %d' % (' '.join(argv), status))
        cpus.append(ru.ru_utime + ru.ru_stime)
        rss.append(ru.ru_maxrss / 1024)
    print('%-6s %5d %11.3f %11.3f %10.3f %10.1f %9d' % (fmt, runs,
          statistics.median(walls), max(walls), statistics.median(cpus),
          max(rss), os.path.getsize(out)))
EOF
