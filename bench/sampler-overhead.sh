#!/bin/sh
# sampler-overhead.sh - what the supervisor's counter sampler costs each
# workload.
#
# Two measures:
#  1. the workload's own rate (its primary metric) with sample_ms=60000
#     (no periodic sample in these short runs: only start, end and the
#     samples the workload asks for), 1000 and 100; ROUNDS rounds, the
#     three settings back to back within a round, their order rotating
#     by one every round; overhead % = median over rounds of the paired
#     change against 60000 of the same round (positive = worse);
#  2. the sampler's CPU cost directly: the supervisor process's own CPU
#     time (sum_exec_runtime from /proc/PID/schedstat, read by
#     bench/cpurun.py while the finished supervisor is a zombie) against
#     the number of samples stored for the run; the cost of one sample is
#     the slope (supervisor CPU at 100 ms - at 60000) / (samples at 100 ms
#     - at 60000), paired by round, so the supervisor's fixed work (the
#     database, the workload's messages) cancels out.
# Prints the tables at the end.  Record the output in bench/README.md,
# section "Sampler overhead per workload".
#
#   sh bench/sampler-overhead.sh                  # 4 workloads x 3 x 5 rounds
#   WORKLOADS="mmap-churn percpu-churn" ROUNDS=7 sh bench/sampler-overhead.sh
#   SAMPLE_MS="60000 100 50" KEEP=1 sh bench/sampler-overhead.sh
#   SUMMARY_ONLY=/tmp/mmstorm-bench-sampler.XXXXXX sh bench/sampler-overhead.sh
#                                    # the tables again from a KEEP=1 run
#
# Workloads and their arguments:
#   thp-munmap    --size=1G --iterations=5                 munmap_ms_per_gib
#   hotplug       --pressure=none --duration=10s --cycles=0 transitions_per_s
#   percpu-churn  --source=bpf --count=1000 --cycles=3     ops_per_s
#   mmap-churn    --backing=file --duration=10s            maps_per_s
# Needs root (hotplug, percpu-churn) and python3.  CPUs are put back
# online at the end, on error and on SIGINT/SIGTERM.
set -eu

MMSTORM=${MMSTORM:-build/mmstorm}
ROUNDS=${ROUNDS:-5}
SAMPLE_MS=${SAMPLE_MS:-"60000 1000 100"}
WORKLOADS=${WORKLOADS:-"thp-munmap hotplug percpu-churn mmap-churn"}
here=$(dirname "$0")

die() { echo "sampler-overhead.sh: $*" >&2; exit 2; }
[ -x "$MMSTORM" ] || die "no '$MMSTORM' (run make first)"
command -v python3 >/dev/null || die "python3 is needed"

args_of() {
	case $1 in
	thp-munmap)   echo "--size=1G --iterations=5" ;;
	hotplug)      echo "--pressure=none --duration=10s --cycles=0" ;;
	percpu-churn) echo "--source=bpf --count=1000 --cycles=3" ;;
	mmap-churn)   echo "--backing=file --duration=10s" ;;
	*)            die "unknown workload '$1'" ;;
	esac
}
for w in $WORKLOADS; do args_of "$w" > /dev/null; done

all_online() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ -w "$f" ] || continue
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f" || true
	done
}

child=
if [ -n "${SUMMARY_ONLY:-}" ]; then
	# Re-print the tables of a kept run (KEEP=1) with its parameters.
	tmp=$SUMMARY_ONLY
	# shellcheck disable=SC1091
	. "$tmp/params"
	KEEP=1
else
	tmp=$(mktemp -d /tmp/mmstorm-bench-sampler.XXXXXX)
	printf 'ROUNDS="%s"\nSAMPLE_MS="%s"\nWORKLOADS="%s"\n' \
	    "$ROUNDS" "$SAMPLE_MS" "$WORKLOADS" > "$tmp/params"
fi
cleanup() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	all_online
	if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"
	elif [ -z "${SUMMARY_ONLY:-}" ]; then echo "kept: $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# rotate K WORD...: the words, starting with the (K mod count + 1)-th
rotate() {
	_k=$1
	shift
	_i=0
	while [ "$_i" -lt $((_k % $#)) ]; do
		set -- "$@" "$1"
		shift
		_i=$((_i + 1))
	done
	echo "$@"
}

stats=no
[ -r /sys/kernel/debug/percpu_stats ] && stats=yes
echo "# $(uname -r), $(nproc) CPUs, percpu_stats readable: $stats"
echo "# $ROUNDS rounds; per round, per workload: sample_ms in rotating order over: $SAMPLE_MS"
[ -n "${SUMMARY_ONLY:-}" ] || echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
[ -z "${SUMMARY_ONLY:-}" ] || r=$((ROUNDS + 1))
while [ "$r" -le "$ROUNDS" ]; do
	for w in $WORKLOADS; do
		# shellcheck disable=SC2086 # word list
		for ms in $(rotate $((r - 1)) $SAMPLE_MS); do
			base="$tmp/r$r-$w-$ms"
			cut -d' ' -f1-3 /proc/loadavg > "$base.load"
			# shellcheck disable=SC2046
			python3 "$here/cpurun.py" "$base.out" -- "$MMSTORM" run "$w" \
			    $(args_of "$w") --sample_ms="$ms" --json \
			    --db "$tmp/bench.db" > "$base.cpu" 2> "$base.log" &
			child=$!
			wait "$child" || true
			child=
			cut -d' ' -f1-3 /proc/loadavg >> "$base.load"
		done
	done
	echo "# round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	r=$((r + 1))
done
[ -n "${SUMMARY_ONLY:-}" ] || echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086
PYTHONPATH="$(dirname "$0")" python3 - "$tmp" "$ROUNDS" "$SAMPLE_MS" $WORKLOADS <<'PY'
import os, sqlite3, statistics as st, sys
from benchjson import objects

tmp, rounds, periods, wls = (sys.argv[1], int(sys.argv[2]),
                             [int(x) for x in sys.argv[3].split()], sys.argv[4:])
med = st.median
METRIC = {"thp-munmap": ("munmap_ms_per_gib", "lower"),
          "hotplug": ("transitions_per_s", "higher"),
          "percpu-churn": ("ops_per_s", "higher"),
          "mmap-churn": ("maps_per_s", "higher")}
base_ms = max(periods)



db = sqlite3.connect(tmp + "/bench.db")
runs, bad = {}, []
for w in wls:
    for r in range(1, rounds + 1):
        for ms in periods:
            b = "%s/r%d-%s-%d" % (tmp, r, w, ms)
            o = (objects(b + ".out") or [None])[0]
            cpu = (objects(b + ".cpu") or [{}])[0]
            if not o or o.get("state") != "passed" or METRIC[w][0] not in o["metrics"]:
                bad.append((w, r, ms, (o or {}).get("state"), (o or {}).get("reason")))
                continue
            rid, t0, t1 = db.execute("SELECT id, started_ns, ended_ns FROM runs "
                                     "WHERE uuid = ?", (o["run"],)).fetchone()
            ns, nper = db.execute("SELECT count(*), sum(label IS NULL) FROM "
                                  "samples WHERE run_id = ?", (rid,)).fetchone()
            runs[(w, r, ms)] = dict(
                rate=o["metrics"][METRIC[w][0]], samples=ns, periodic=nper or 0,
                sup_ns=cpu.get("self_ns"), delay_ns=cpu.get("self_run_delay_ns"),
                worker_ns=cpu.get("children_ns"), wall_ns=cpu.get("wall_ns"),
                run_s=(t1 - t0) / 1e9 if t0 and t1 else cpu["wall_ns"] / 1e9,
                load=open(b + ".load").read().split()[0])


def fmt(v, f):
    return "-" if v is None else f % v


def mm(v):
    v = [x for x in v if x is not None]
    return med(v) if v else None


print("\n1. the workload's own rate: medians over rounds (CV %% over rounds); "
      "overhead = median of per-round changes vs sample_ms=%d, + = worse" % base_ms)
print("%-13s %-18s %7s %5s %12s %6s %10s %10s" % (
    "workload", "metric", "sample", "runs", "rate", "cv %", "samples",
    "overhead"))
for w in wls:
    name, better = METRIC[w]
    for ms in periods:
        xs = [runs[(w, r, ms)] for r in range(1, rounds + 1) if (w, r, ms) in runs]
        rates = [x["rate"] for x in xs]
        ch = []
        for r in range(1, rounds + 1):
            a, b = runs.get((w, r, ms)), runs.get((w, r, base_ms))
            if a and b and b["rate"]:
                d = (a["rate"] - b["rate"]) / b["rate"] * 100
                ch.append(d if better == "lower" else -d)
        cv = (100 * st.stdev(rates) / st.mean(rates)) if len(rates) > 1 else None
        print("%-13s %-18s %7s %2d/%-2d %12s %6s %10s %10s" % (
            w, name, ms, len(xs), rounds, fmt(mm(rates), "%.3f" if better == "lower" else "%.1f"),
            fmt(cv, "%.1f"), fmt(mm([x["samples"] for x in xs]), "%.0f"),
            "-" if ms == base_ms else fmt(mm(ch), "%+.2f%%")))
    for ms in periods:
        print("    %-6s per round: %s" % (ms, " ".join(
            "%.4g" % runs[(w, r, ms)]["rate"] if (w, r, ms) in runs else "-"
            for r in range(1, rounds + 1))))

print("\n2. the sampler's CPU cost: supervisor CPU time (schedstat) and "
      "samples per run, medians over rounds; cpu/sample = supervisor CPU / "
      "samples (an upper bound: includes all its other work); sup wait = "
      "time the supervisor was runnable but had no CPU; worker cpu = worker "
      "CPU time over the run, % of one CPU")
print("%-13s %7s %8s %10s %11s %11s %10s %11s" % (
    "workload", "sample", "samples", "sup cpu ms", "cpu/sample", "sup wait ms",
    "worker cpu", "run s"))
for w in wls:
    for ms in periods:
        xs = [runs[(w, r, ms)] for r in range(1, rounds + 1) if (w, r, ms) in runs]
        print("%-13s %7s %8s %10s %11s %11s %10s %11s" % (
            w, ms, fmt(mm([x["samples"] for x in xs]), "%.0f"),
            fmt(mm([x["sup_ns"] / 1e6 for x in xs if x["sup_ns"]]), "%.1f"),
            fmt(mm([x["sup_ns"] / 1e6 / x["samples"] for x in xs if x["sup_ns"]]), "%.3f"),
            fmt(mm([x["delay_ns"] / 1e6 for x in xs if x["delay_ns"] is not None]), "%.1f"),
            fmt(mm([x["worker_ns"] / 1e6 / x["run_s"] / 10 for x in xs
                    if x["worker_ns"]]), "%.0f%%"),
            fmt(mm([x["run_s"] for x in xs]), "%.1f")))

fast = min(periods)
print("\n3. one sample, from the supervisor's CPU time: paired = per round "
      "(CPU at sample_ms=%d - at %d) / (samples at %d - at %d), median "
      "[min..max]; pooled = least-squares slope of CPU over samples across "
      "every run of the workload.  The sample's cost then as %% of one CPU "
      "and of the worker's own CPU time, at 1 s and 100 ms periods" % (
          fast, base_ms, fast, base_ms))
print("%-13s %6s %22s %9s %9s %10s %10s %11s" % (
    "workload", "extra", "paired ms/sample", "pooled", "1CPU@1s",
    "1CPU@100ms", "worker@1s", "worker@100ms"))
for w in wls:
    sl, extra, wk = [], [], []
    for r in range(1, rounds + 1):
        a, b = runs.get((w, r, fast)), runs.get((w, r, base_ms))
        if not (a and b and a["sup_ns"] and b["sup_ns"]):
            continue
        dn = a["samples"] - b["samples"]
        if dn <= 0:
            continue
        extra.append(dn)
        sl.append((a["sup_ns"] - b["sup_ns"]) / 1e6 / dn)
    xs = [x for (ww, _, _), x in runs.items() if ww == w and x["sup_ns"]]
    wk = [x["worker_ns"] / 1e6 / x["run_s"] for x in xs if x["worker_ns"]]
    pooled = None
    if len(xs) > 2:
        mx = st.mean([x["samples"] for x in xs])
        my = st.mean([x["sup_ns"] / 1e6 for x in xs])
        sxx = sum((x["samples"] - mx) ** 2 for x in xs)
        if sxx > 0:
            pooled = sum((x["samples"] - mx) * (x["sup_ns"] / 1e6 - my)
                         for x in xs) / sxx
    if not sl:
        print("%-13s  -" % w)
        continue
    c = med(sl)
    wms = med(wk) if wk else None  # worker CPU ms per second of run
    print("%-13s %6.0f %22s %9s %8.3f%% %9.2f%% %10s %11s" % (
        w, med(extra), "%.3f [%.2f..%.2f]" % (c, min(sl), max(sl)),
        fmt(pooled, "%.3f"), c / 1000 * 100, c / 100 * 100,
        fmt(c / wms * 100 if wms else None, "%.3f%%"),
        fmt(c * 10 / wms * 100 if wms else None, "%.2f%%")))

print("\nload average before each run (round: sample_ms=load ...)")
for w in wls:
    print("%-13s %s" % (w, "  ".join(
        "r%d:%s" % (r, ",".join(runs[(w, r, ms)]["load"] if (w, r, ms) in runs else "-"
                               for ms in periods)) for r in range(1, rounds + 1))))
for b in bad:
    print("not counted: %s round %d sample_ms=%d: %s %s" % b)
PY
