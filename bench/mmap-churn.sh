#!/bin/sh
# mmap-churn.sh - maps per second of LTP mmap1's pattern (seed 001).
#
# Runs `mmstorm run mmap-churn` for each backing and pair count, REPEAT
# rounds of one run each, the configurations interleaved within a round so
# that a change in the machine's background load hits all of them alike;
# every run lasts DURATION (iterations=0).  Prints one line per (backing,
# pairs) with the median over the runs.  Record the output in
# bench/README.md, section "mmap-churn maps per second".
#
#   sh bench/mmap-churn.sh                  # file anon thp x 1 2 pairs, 3 x 3s
#   BACKINGS=thp PAIRS="1 2 4" REPEAT=5 DURATION=5s sh bench/mmap-churn.sh
#   MMSTORM=build-asan/mmstorm KEEP_DB=1 sh bench/mmap-churn.sh
#
# Needs python3 for the statistics; root for backing=thp's use_zero_page.
set -eu

MMSTORM=${MMSTORM:-build/mmstorm}
BACKINGS=${BACKINGS:-"file anon thp"}
PAIRS=${PAIRS:-"1 2"}
REPEAT=${REPEAT:-3}
DURATION=${DURATION:-3s}

if [ ! -x "$MMSTORM" ]; then
	echo "mmap-churn.sh: no '$MMSTORM' (run make first)" >&2
	exit 2
fi
command -v python3 >/dev/null || {
	echo "mmap-churn.sh: python3 is needed" >&2
	exit 2
}

tmp=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
if [ -z "${KEEP_DB:-}" ]; then
	trap 'rm -rf "$tmp"' EXIT
else
	echo "database: $tmp/bench.db" >&2
fi

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
echo "# $(uname -r), $(nproc) CPUs, THP $thp"
echo "# $MMSTORM run mmap-churn --backing=B --pairs=P" \
    "--duration=$DURATION --iterations=0 --json, $REPEAT rounds"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$REPEAT" ]; do
	for b in $BACKINGS; do
		for p in $PAIRS; do
			# A failed or skipped run exits 1 but still prints its
			# object, which the summary shows.
			"$MMSTORM" run mmap-churn --backing="$b" --pairs="$p" \
			    --duration="$DURATION" --iterations=0 --json \
			    --db "$tmp/bench.db" >> "$tmp/$b-$p.json" || true
		done
	done
	r=$((r + 1))
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" $BACKINGS -- $PAIRS <<'PY'
import statistics, sys
from benchjson import objects

tmp = sys.argv[1]
sep = sys.argv.index("--")
backings, pairs = sys.argv[2:sep], sys.argv[sep + 1:]


def per_s(m, key):
    return m[key] / m["elapsed_s"] if m.get("elapsed_s") else 0

cols = [("maps/s", lambda m: m["maps_per_s"], "%.0f"),
        ("min", None, "%.0f"),
        ("max", None, "%.0f"),
        ("cv %", None, "%.1f"),
        ("reads/s", lambda m: m["reads_per_s"], "%.0f"),
        ("sigsegv/s", lambda m: per_s(m, "sigsegv_tolerated"), "%.0f"),
        ("THP %", lambda m: m.get("thp_maps_pct"), "%.1f")]
print("%-8s %-5s %-5s" % ("backing", "pairs", "runs") +
      "".join(" %10s" % c[0] for c in cols))
for b in backings:
    for p in pairs:
        rs = objects("%s/%s-%s.json" % (tmp, b, p))
        ok = [r for r in rs if r.get("state") == "passed"]
        line = "%-8s %-5s %2d/%-2d" % (b, p, len(ok), len(rs))
        maps = [r["metrics"]["maps_per_s"] for r in ok]
        for name, get, fmt in cols:
            if name == "min":
                v = min(maps) if maps else None
            elif name == "max":
                v = max(maps) if maps else None
            elif name == "cv %":
                v = (100 * statistics.stdev(maps) / statistics.mean(maps)
                     if len(maps) >= 2 else None)
            else:
                vals = [get(r["metrics"]) for r in ok]
                vals = [x for x in vals if x is not None]
                v = statistics.median(vals) if vals else None
            line += " %10s" % ("-" if v is None else fmt % v)
        print(line)
        for r in rs:
            if r.get("state") != "passed":
                print("    run %s %s: %s" % (r.get("run"), r.get("state"),
                                          r.get("reason")))
PY
