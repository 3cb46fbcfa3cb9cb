#!/bin/sh
# hotplug.sh - CPU hotplug transitions per second: mmstorm's hotplug
# workload against stress-ng's cpu-online stressor (seed 003).
#
# Contenders, each run for DURATION seconds, interleaved round by round
# (the order rotates by one every round, so no contender always follows
# the same one), ROUNDS rounds:
#   mmstorm        build/mmstorm run hotplug --pressure=none --cycles=0
#                  --duration=Ds --json (chase thread on, the default)
#   mmstorm-chase0 the same with --chase=0
#   stress-ng      stress-ng --pathological --cpu-online 1 -t Ds --metrics
#                  --yaml F (0.15.06 has no chase: no --cpu-online-affinity)
#   bare           bench/hotplug-bare.py: only the open/write/close of
#                  cpu1/online, the floor of this machine
# One stress-ng bogo op is one offline write plus one online write of one
# CPU (stress-cpu-online.c: stress_bogo_inc() after the pair; checked with
# strace, see bench/README.md), so its transitions/s = 2 x bogo ops/s.
# Prints one line per contender: medians over the rounds, the ratio to
# stress-ng (median of the per-round ratios), and where the time of a
# cycle goes.  Record the output in bench/README.md, section "hotplug
# transitions per second vs stress-ng".
#
#   sh bench/hotplug.sh                              # 5 rounds x 4 x 10 s
#   ROUNDS=7 DURATION=20 sh bench/hotplug.sh
#   CONTENDERS="mmstorm stress-ng" sh bench/hotplug.sh
#   MMSTORM=build-asan/mmstorm KEEP=1 sh bench/hotplug.sh
#   ALT="patched=/tmp/x/build/mmstorm" CONTENDERS="mmstorm patched stress-ng" \
#       sh bench/hotplug.sh    # A/B: another mmstorm binary, same arguments
#                              # (a name ending in -chase0 runs it --chase=0)
#
# Needs root, a hot-pluggable cpu1, stress-ng, python3.  Every CPU is put
# back online at the end, on error and on SIGINT/SIGTERM.
set -eu

MMSTORM=${MMSTORM:-build/mmstorm}
STRESS_NG=${STRESS_NG:-stress-ng}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONTENDERS=${CONTENDERS:-"mmstorm mmstorm-chase0 stress-ng bare"}
ALT=${ALT:-}
here=$(dirname "$0")

die() { echo "hotplug.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (CPU hotplug)"
[ -x "$MMSTORM" ] || die "no '$MMSTORM' (run make first)"
command -v python3 >/dev/null || die "python3 is needed"
command -v "$STRESS_NG" >/dev/null || die "no $STRESS_NG"
[ -w /sys/devices/system/cpu/cpu1/online ] || die "cpu1 is not hot-pluggable"

# alt_of NAME: the binary of an ALT contender, or nothing
alt_of() {
	for _a in $ALT; do
		[ "${_a%%=*}" = "$1" ] && { echo "${_a#*=}"; return; }
	done
}
for a in $ALT; do
	[ -x "${a#*=}" ] || die "ALT: no '${a#*=}'"
done

all_online() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f" || true
	done
}

tmp=$(mktemp -d /tmp/mmstorm-bench-hotplug.XXXXXX)
child=
cleanup() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	all_online
	if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept: $tmp" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
all_online

# run NAME CMD...: CMD's stdout to $tmp/NAME.out, its CPU times to
# $tmp/NAME.cpu, stderr to $tmp/NAME.log; waited for in the background so
# that a signal reaches the trap at once.
run() {
	name=$1
	shift
	cut -d' ' -f1-3 /proc/loadavg > "$tmp/$name.load"
	python3 "$here/cpurun.py" "$tmp/$name.out" -- "$@" \
	    > "$tmp/$name.cpu" 2> "$tmp/$name.log" &
	child=$!
	wait "$child" || true
	child=
	cut -d' ' -f1-3 /proc/loadavg >> "$tmp/$name.load"
	online=$(cat /sys/devices/system/cpu/online)
	if [ "$online" != "$(cat /sys/devices/system/cpu/present)" ]; then
		echo "hotplug.sh: $name left CPUs offline (online $online)" >&2
		all_online
	fi
}

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

echo "# $(uname -r), $(nproc) CPUs online, $(cat /sys/devices/system/cpu/present) present, $($STRESS_NG --version 2>&1 | head -1)"
echo "# $ROUNDS rounds of $DURATION s each, order rotating: $CONTENDERS"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# shellcheck disable=SC2086 # word lists
	for c in $(rotate $((r - 1)) $CONTENDERS); do
		case $c in
		mmstorm|mmstorm-chase0)
			chase=1
			[ "$c" = mmstorm-chase0 ] && chase=0
			run "r$r-$c" "$MMSTORM" run hotplug --require_path=0 --pressure=none \
			    --duration="${DURATION}s" --cycles=0 --chase=$chase \
			    --json --db "$tmp/bench.db" ;;
		stress-ng)
			run "r$r-$c" timeout -k 10 $((DURATION + 60)) \
			    "$STRESS_NG" --pathological --cpu-online 1 \
			    -t "${DURATION}s" --metrics --temp-path "$tmp" \
			    --yaml "$tmp/r$r-$c.yaml" ;;
		bare)
			run "r$r-$c" python3 "$here/hotplug-bare.py" "$DURATION" ;;
		*)
			bin=$(alt_of "$c")
			[ -n "$bin" ] || die "unknown contender '$c'"
			chase=1
			case $c in *-chase0) chase=0 ;; esac
			run "r$r-$c" "$bin" run hotplug --require_path=0 --pressure=none \
			    --duration="${DURATION}s" --cycles=0 --chase=$chase \
			    --json --db "$tmp/bench.db" ;;
		esac
	done
	echo "# round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	r=$((r + 1))
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086
PYTHONPATH="$(dirname "$0")" python3 - "$tmp" "$ROUNDS" $CONTENDERS <<'PY'
import os, sqlite3, statistics as st, sys
from benchjson import objects

tmp, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
med = st.median


def pct(v, p):
    """Linear interpolation between closest ranks, as common/stats.c."""
    v = sorted(v)
    if not v:
        return None
    x = (len(v) - 1) * p / 100.0
    i = int(x)
    return v[i] if i + 1 >= len(v) else v[i] + (v[i + 1] - v[i]) * (x - i)



def yaml_metrics(path, stressor="cpu-online"):
    """key: number lines of one '- stressor:' entry of stress-ng's yaml."""
    out, cur = {}, None
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return out
    for line in lines:
        s = line.strip()
        if s.startswith("- stressor:"):
            cur = s.split(":", 1)[1].strip()
            continue
        if cur == stressor and ":" in s:
            k, v = s.split(":", 1)
            try:
                out[k.strip()] = float(v)
            except ValueError:
                pass
    return out


db = None
if os.path.exists(tmp + "/bench.db"):
    db = sqlite3.connect(tmp + "/bench.db")


def mm_detail(uuid):
    """Per-write times and the number of samples the supervisor stored."""
    rid = db.execute("SELECT id FROM runs WHERE uuid = ?", (uuid,)).fetchone()[0]
    vals = db.execute("SELECT series, value FROM run_values WHERE "
                      "run_id = ? ORDER BY t_ns", (rid,)).fetchall()
    nsamp = db.execute("SELECT count(*) FROM samples WHERE run_id = ?",
                       (rid,)).fetchone()[0]
    off = [v for s, v in vals if s == "offline_ms"]
    on = [v for s, v in vals if s == "online_ms"]
    return off, on, nsamp


rows = {}
for c in names:
    for r in range(1, rounds + 1):
        base = "%s/r%d-%s" % (tmp, r, c)
        cpu = (objects(base + ".cpu") or [{}])[0]
        load = open(base + ".load").read().split() if os.path.exists(base + ".load") else []
        rec = {"round": r, "load": load, "cpu_ns": cpu.get("total_ns"),
               "sup_ns": cpu.get("self_ns"),
               "sup_delay_ns": cpu.get("self_run_delay_ns")}
        if c not in ("stress-ng", "bare"):  # mmstorm or an ALT binary
            o = (objects(base + ".out") or [None])[0]
            if not o or o.get("state") != "passed":
                rec["bad"] = (o or {}).get("state", "no output"), (o or {}).get("reason")
            else:
                m = o["metrics"]
                rec.update(tps=m["transitions_per_s"], n=m["transitions"],
                           skipped=m.get("skipped_transitions", 0))
                off, on, nsamp = mm_detail(o["run"])
                rec.update(off=off, on=on, elapsed=m["transitions"] / m["transitions_per_s"],
                           cycles=m["cycles"], nsamp=nsamp)
        elif c == "stress-ng":
            y = yaml_metrics(base + ".yaml")
            if "bogo-ops" not in y:
                rec["bad"] = ("no yaml", open(base + ".log").read()[-300:])
            else:
                rec.update(tps=2 * y["bogo-ops-per-second-real-time"],
                           n=2 * y["bogo-ops"], elapsed=y["wall-clock-time"],
                           off_mean=y.get("millisecs-per-offline-action"),
                           on_mean=y.get("millisecs-per-online-action"))
        elif c == "bare":
            o = (objects(base + ".out") or [None])[0]
            if not o:
                rec["bad"] = ("no output", open(base + ".log").read()[-300:])
            else:
                rec.update(tps=o["transitions_per_s"], n=o["transitions"],
                           elapsed=o["elapsed_s"], off=o["offline_ms"],
                           on=o["online_ms"], skipped=o["skipped"])
        rows.setdefault(c, []).append(rec)


def fmt(v, f="%.1f"):
    return "-" if v is None else f % v


ref = {x["round"]: x["tps"] for x in rows.get("stress-ng", []) if "tps" in x}
print("\ntransitions per second (one transition = one write to cpuN/online);"
      " medians over rounds, min-max in brackets")
hdr = ("contender", "runs", "trans/s", "[min-max]", "x stress-ng",
       "off mean", "off p50", "off p99", "off max", "on mean", "on p50",
       "on p99", "on max", "gap ms/cyc", "cpu ms/tr")
print("%-15s %4s %8s %13s %11s" % hdr[:5] + "".join(" %8s" % h for h in hdr[5:13])
      + " %10s %9s" % hdr[13:])
for c in names:
    ok = [x for x in rows.get(c, []) if "tps" in x]
    tps = [x["tps"] for x in ok]
    ratios = [x["tps"] / ref[x["round"]] for x in ok if x["round"] in ref]
    line = "%-15s %2d/%-2d %8s %13s %11s" % (
        c, len(ok), len(rows.get(c, [])), fmt(med(tps) if tps else None),
        "[%.1f-%.1f]" % (min(tps), max(tps)) if tps else "-",
        fmt(med(ratios) if ratios else None, "%.3f"))
    # per-write statistics: medians over runs of the per-run statistic
    def per_run(key, f):
        v = [f(x[key]) for x in ok if x.get(key)]
        return med(v) if v else None
    if c == "stress-ng":
        offm = med([x["off_mean"] for x in ok]) if ok else None
        onm = med([x["on_mean"] for x in ok]) if ok else None
        cols = [offm, None, None, None, onm, None, None, None]
    else:
        offm, onm = per_run("off", st.mean), per_run("on", st.mean)
        cols = [offm, per_run("off", lambda v: pct(v, 50)),
                per_run("off", lambda v: pct(v, 99)), per_run("off", max),
                onm, per_run("on", lambda v: pct(v, 50)),
                per_run("on", lambda v: pct(v, 99)), per_run("on", max)]
    # time per offline+online pair not spent inside the two timed writes
    gaps = []
    for x in ok:
        pairs = x["n"] / 2
        if c == "stress-ng":
            busy = pairs * (x["off_mean"] + x["on_mean"])
        else:
            busy = sum(x["off"]) + sum(x["on"])
        gaps.append((x["elapsed"] * 1e3 - busy) / pairs)
    cpu = [x["cpu_ns"] / 1e6 / x["n"] for x in ok if x.get("cpu_ns") and x["n"]]
    line += "".join(" %8s" % fmt(v) for v in cols)
    line += " %10s %9s" % (fmt(med(gaps) if gaps else None, "%.2f"),
                           fmt(med(cpu) if cpu else None, "%.2f"))
    print(line)
    for x in rows.get(c, []):
        if "bad" in x:
            print("    round %d: %s %s" % (x["round"], x["bad"][0], x["bad"][1]))
        elif x.get("skipped"):
            print("    round %d: %d transitions refused (EBUSY/EAGAIN)" %
                  (x["round"], x["skipped"]))

print("\nper round: transitions/s (load average before the run)")
print("round " + "".join(" %22s" % c for c in names))
for r in range(1, rounds + 1):
    line = "%-5d " % r
    for c in names:
        x = [y for y in rows.get(c, []) if y["round"] == r]
        x = x[0] if x else {}
        line += " %22s" % ("%.1f (%s)" % (x["tps"], x["load"][0] if x.get("load") else "?")
                           if "tps" in x else "-")
    print(line)

mm = [c for c in names if c not in ("stress-ng", "bare")]
if mm:
    print("\nmmstorm's supervisor per cycle (medians over runs, ms of CPU and"
          " of run-queue wait; samples stored per run)")
    print("%-15s %12s %12s %12s" % ("contender", "sup cpu/cyc",
                                     "sup wait/cyc", "samples"))
    for c in mm:
        ok = [x for x in rows[c] if x.get("cycles")]
        if not ok:
            continue
        cpu = [x["sup_ns"] / 1e6 / x["cycles"] for x in ok if x.get("sup_ns")]
        wait = [x["sup_delay_ns"] / 1e6 / x["cycles"] for x in ok
                if x.get("sup_delay_ns") is not None]
        print("%-15s %12s %12s %12s" % (
            c, fmt(med(cpu) if cpu else None, "%.2f"),
            fmt(med(wait) if wait else None, "%.2f"),
            "%.0f" % med([x["nsamp"] for x in ok])))
PY
