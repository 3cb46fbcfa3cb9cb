#!/bin/sh
# bench/analysis.sh - compare, regressions and lockups on a large
# synthetic database (BENCH DATA ONLY: bench/gen-analysis-db.c draws the
# numbers from a random generator): 50 builds, 10,000 runs x 20 metrics,
# 100,000 events.  Prints the median wall time of 7 runs of each.
#
#   sh bench/analysis.sh
#   BASE=/path/to/other/build/mmstorm ROUNDS=15 sh bench/analysis.sh
#
# With BASE, every command runs ROUNDS times (default 15) with BASE and
# with this tree's mmstorm in turn, on the same database; it prints both
# medians and the median of the per-round ratios (this tree / BASE).
# BASE reads a database of its own, made by the bench-gen-analysis-db
# beside it (same seed, same rows), since an older mmstorm refuses one
# this tree migrated further.
set -eu
BUILD=${BUILD:-build}
db=$(mktemp -u /tmp/mmstorm-analysis-bench.XXXXXX.db)
trap 'rm -f "$db" "$db-wal" "$db-shm" "$db.base" "$db.base-wal" "$db.base-shm"' EXIT
make -s BUILD="$BUILD" "$BUILD/bench-gen-analysis-db" "$BUILD/mmstorm"
"$BUILD/bench-gen-analysis-db" "$db"
echo "# $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
median() {
	# median wall ms of 7 runs of "$@"
	for i in 1 2 3 4 5 6 7; do
		s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
		echo $(( (e - s) / 1000000 ))
	done | sort -n | sed -n 4p
}
"$BUILD/mmstorm" --db "$db" kernels > /dev/null   # warm the page cache
base_db=$db
if [ -n "${BASE:-}" ] && [ -x "$(dirname "$BASE")/bench-gen-analysis-db" ]; then
	base_db=$db.base
	"$(dirname "$BASE")/bench-gen-analysis-db" "$base_db" > /dev/null
	"$BASE" --db "$base_db" kernels > /dev/null
fi
if [ -z "${BASE:-}" ]; then
	printf '%-60s %6s ms\n' "compare 6.1.0-1-bench 6.1.0-2-bench" \
	    "$(median "$BUILD/mmstorm" --db "$db" compare 6.1.0-1-bench 6.1.0-2-bench)"
	printf '%-60s %6s ms\n' "regressions --baseline 6.1.0-1-bench" \
	    "$(median "$BUILD/mmstorm" --db "$db" regressions --baseline 6.1.0-1-bench)"
	printf '%-60s %6s ms\n' "lockups (100,000 events)" \
	    "$(median "$BUILD/mmstorm" --db "$db" lockups)"
	printf '%-60s %6s ms\n' "lockups --kernel 6.1.0-7-bench" \
	    "$(median "$BUILD/mmstorm" --db "$db" lockups --kernel 6.1.0-7-bench)"
	exit 0
fi

# wall ms of one run of "$@"
once() {
	# verdict's exit is its answer, not a failure
	s=$(date +%s%N); "$@" > /dev/null || true; e=$(date +%s%N)
	echo $(( (e - s) / 1000000 ))
}
# pair NAME ARGS...: ROUNDS interleaved runs of BASE and this tree's
# binary (which goes first alternates), then their medians and ratio.
pair() {
	name=$1
	shift
	: > "$db.pairs"
	i=0
	while [ $i -lt "${ROUNDS:-15}" ]; do
		if [ $((i % 2)) -eq 0 ]; then
			b=$(once "$BASE" --db "$base_db" "$@"); n=$(once "$BUILD/mmstorm" --db "$db" "$@")
		else
			n=$(once "$BUILD/mmstorm" --db "$db" "$@"); b=$(once "$BASE" --db "$base_db" "$@")
		fi
		echo "$b $n" >> "$db.pairs"
		i=$((i + 1))
	done
	python3 - "$name" "$db.pairs" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
b = statistics.median(r[0] for r in rows)
n = statistics.median(r[1] for r in rows)
q = statistics.median(r[1] / r[0] for r in rows if r[0] > 0)
print("%-40s base %6.0f ms  this %6.0f ms  ratio %.3f" % (sys.argv[1], b, n, q))
PY
}
echo "# base: $BASE; this: $BUILD/mmstorm; ${ROUNDS:-15} rounds, medians"
trap 'rm -f "$db" "$db-wal" "$db-shm" "$db.pairs" "$db.base" "$db.base-wal" "$db.base-shm"' EXIT
pair "compare 6.1.0-1-bench 6.1.0-2-bench" compare 6.1.0-1-bench 6.1.0-2-bench
pair "regressions --baseline 6.1.0-1-bench" regressions --baseline 6.1.0-1-bench
# no finding beyond 20 % under either rule: the decision's own cost
pair "regressions ... --threshold 20" regressions --baseline 6.1.0-1-bench \
    --threshold 20
pair "verdict (one metric, 50 runs a side)" verdict --baseline 6.1.0-1-bench \
    --kernel 6.1.0-4-bench --workload thp-munmap --metric metric_00
pair "lockups (100,000 events)" lockups
pair "lockups --kernel 6.1.0-7-bench" lockups --kernel 6.1.0-7-bench
