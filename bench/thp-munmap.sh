#!/bin/sh
# thp-munmap.sh - baseline of munmap cost of THP regions (seed 004).
#
# Runs `mmstorm run thp-munmap` for each thread count and size, REPEAT
# runs each (the CLI's --repeat: separate runs, separate processes), into
# a throw-away database, and prints one line per (threads, size) with the
# medians over the runs.  Record the output in bench/README.md, section
# "(c) thp-munmap baseline".
#
#   sh bench/thp-munmap.sh                 # T in 1 2, S in 1G 4G 8G, 5 runs
#   THREADS="1 2 4" SIZES="2G" REPEAT=3 sh bench/thp-munmap.sh
#   MMSTORM=build-asan/mmstorm KEEP_DB=1 sh bench/thp-munmap.sh
#
# Needs python3 for the statistics; root for THP on most machines.
set -eu

MMSTORM=${MMSTORM:-build/mmstorm}
THREADS=${THREADS:-"1 2"}
SIZES=${SIZES:-"1G 4G 8G"}
REPEAT=${REPEAT:-5}

if [ ! -x "$MMSTORM" ]; then
	echo "thp-munmap.sh: no '$MMSTORM' (run make first)" >&2
	exit 2
fi
command -v python3 >/dev/null || {
	echo "thp-munmap.sh: python3 is needed" >&2
	exit 2
}

tmp=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
if [ -z "${KEEP_DB:-}" ]; then
	trap 'rm -rf "$tmp"' EXIT
else
	echo "database: $tmp/bench.db" >&2
fi

echo "# $(uname -r), $(nproc) CPUs, THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo "# $MMSTORM run thp-munmap --threads=T --size=S --repeat=$REPEAT --json"
for t in $THREADS; do
	for s in $SIZES; do
		# One JSON object per run; a failed or skipped run exits 1
		# but still prints its object, which the summary shows.
		"$MMSTORM" run thp-munmap --threads="$t" --size="$s" \
		    --repeat="$REPEAT" --json --db "$tmp/bench.db" \
		    > "$tmp/t$t-$s.json" || true
	done
done

PYTHONPATH="$(dirname "$0")" python3 - "$tmp" $THREADS -- $SIZES <<'PY'
import statistics, sys
from benchjson import objects

tmp = sys.argv[1]
sep = sys.argv.index("--")
threads, sizes = sys.argv[2:sep], sys.argv[sep + 1:]


cols = [("munmap_ms", "munmap ms", "%.2f"),
        ("munmap_ms_per_gib", "ms/GiB", "%.3f"),
        ("us_per_hugepage", "us/THP", "%.2f"),
        ("fault_ms", "fault ms", "%.0f"),
        ("munmap_tlb_irqs", "TLB irqs", "%.0f"),
        ("munmap_cal_irqs", "CAL irqs", "%.0f"),
        ("thp_coverage_pct", "THP %", "%.1f")]
head = "%-7s %-5s %-5s" % ("threads", "size", "runs")
head += "".join(" %10s" % c[1] for c in cols)
print(head)
for t in threads:
    for s in sizes:
        rs = objects("%s/t%s-%s.json" % (tmp, t, s))
        ok = [r for r in rs if r.get("state") == "passed"]
        line = "%-7s %-5s %2d/%-2d" % (t, s, len(ok), len(rs))
        for key, _, fmt in cols:
            vals = [r["metrics"][key] for r in ok if key in r["metrics"]]
            if not vals:
                line += " %10s" % "-"
            elif key == "thp_coverage_pct":
                line += " %10s" % (fmt % min(vals))
            else:
                line += " %10s" % (fmt % statistics.median(vals))
        print(line)
        for r in rs:
            if r.get("state") != "passed":
                print("    run %s %s: %s" % (r.get("run"), r.get("state"),
                                          r.get("reason")))
        if len(ok) >= 2:
            v = [r["metrics"]["munmap_ms"] for r in ok]
            print("    munmap_ms min %.2f max %.2f cv %.1f%%" % (
                min(v), max(v), 100 * statistics.stdev(v) / statistics.mean(v)))
PY
