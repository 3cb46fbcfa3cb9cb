#!/bin/sh
# percpu-churn.sh - percpu objects (and allocations) per second per
# source (seeds 002, 000).
#
# Runs `mmstorm run percpu-churn --source=S` for every source, one run
# per source per round, REPEAT rounds, interleaved (bpf memcg netns mix,
# bpf memcg netns mix, ...) so that drift of the machine hits every
# source alike, into a throw-away database, and prints one line per
# source with the medians over the rounds.  Record the output in
# bench/README.md, section "percpu-churn allocations per second per
# source".
#
#   sh bench/percpu-churn.sh                       # defaults, 3 rounds
#   SOURCES="bpf memcg" REPEAT=5 sh bench/percpu-churn.sh
#   ARGS="--procs=2 --pattern=fill-free" sh bench/percpu-churn.sh
#   MMSTORM=build-asan/mmstorm KEEP_DB=1 sh bench/percpu-churn.sh
#
# Needs root (bpf(2), cgroups, CLONE_NEWNET) and python3.
set -eu

MMSTORM=${MMSTORM:-build/mmstorm}
SOURCES=${SOURCES:-"bpf memcg netns mix"}
REPEAT=${REPEAT:-3}
ARGS=${ARGS:-}

if [ ! -x "$MMSTORM" ]; then
	echo "percpu-churn.sh: no '$MMSTORM' (run make first)" >&2
	exit 2
fi
command -v python3 >/dev/null || {
	echo "percpu-churn.sh: python3 is needed" >&2
	exit 2
}

tmp=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
if [ -z "${KEEP_DB:-}" ]; then
	trap 'rm -rf "$tmp"' EXIT
else
	echo "database: $tmp/bench.db" >&2
fi

stats=no
[ -r /sys/kernel/debug/percpu_stats ] && stats=yes
echo "# $(uname -r), $(nproc) CPUs ($(cat /sys/devices/system/cpu/possible) possible), percpu_stats readable: $stats"
echo "# $MMSTORM run percpu-churn --source=S $ARGS --json, $REPEAT rounds over: $SOURCES"
round=1
while [ "$round" -le "$REPEAT" ]; do
	for s in $SOURCES; do
		# A failed or skipped run exits 1 or 0 but still prints its
		# object, which the summary shows.
		# shellcheck disable=SC2086
		"$MMSTORM" run percpu-churn --source="$s" $ARGS --json \
		    --db "$tmp/bench.db" >> "$tmp/$s.json" || true
	done
	round=$((round + 1))
done

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" $SOURCES <<'PY'
import statistics, sys
from benchjson import objects

tmp, sources = sys.argv[1], sys.argv[2:]


def allocs_per_s(m):
    if "percpu_allocs_per_object" not in m:
        return None
    return m["objects_per_s"] * m["percpu_allocs_per_object"]

cols = [("objects_per_s", "objects/s", "%.0f"),
        ("allocs_per_s", "allocs/s", "%.0f"),
        ("percpu_allocs_per_object", "allocs/obj", "%.1f"),
        ("percpu_kb_per_object", "kB/obj", "%.2f"),
        ("ops_per_s", "ops/s", "%.0f"),
        ("create_us_p50", "create p50", "%.1f"),
        ("create_us_p99", "create p99", "%.0f"),
        ("destroy_us_p99", "destr p99", "%.1f"),
        ("percpu_peak_kb", "peak kB", "%.0f"),
        ("percpu_settled_kb", "settled kB", "%.0f"),
        ("settle_ms", "settle ms", "%.0f"),
        ("chunks_sidelined", "sidelined", "%.0f")]
print("%-6s %-5s" % ("source", "runs") +
      "".join(" %10s" % c[1] for c in cols))
for s in sources:
    rs = objects("%s/%s.json" % (tmp, s))
    ok = [r for r in rs if r.get("state") == "passed"]
    for r in ok:
        a = allocs_per_s(r["metrics"])
        if a is not None:
            r["metrics"]["allocs_per_s"] = a
    line = "%-6s %2d/%-2d" % (s, len(ok), len(rs))
    for key, _, fmt in cols:
        vals = [r["metrics"][key] for r in ok if key in r["metrics"]]
        line += " %10s" % (fmt % statistics.median(vals) if vals else "-")
    print(line)
    for r in rs:
        if r.get("state") != "passed":
            print("    run %s %s: %s" % (r.get("run"), r.get("state"),
                                      r.get("reason")))
    if len(ok) >= 2:
        v = [r["metrics"]["objects_per_s"] for r in ok]
        print("    objects/s min %.0f max %.0f cv %.1f%%" % (
            min(v), max(v), 100 * statistics.stdev(v) / statistics.mean(v)))
PY
