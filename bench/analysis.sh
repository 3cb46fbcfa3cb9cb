#!/bin/sh
# bench/analysis.sh - compare, regressions and lockups on a large
# synthetic database (BENCH DATA ONLY: bench/gen-analysis-db.c draws the
# numbers from a random generator): 50 builds, 10,000 runs x 20 metrics,
# 100,000 events.  Prints the median wall time of 7 runs of each.
set -eu
BUILD=${BUILD:-build}
db=$(mktemp -u /tmp/mmstorm-analysis-bench.XXXXXX.db)
trap 'rm -f "$db" "$db-wal" "$db-shm"' EXIT
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
printf '%-60s %6s ms\n' "compare 6.1.0-1-bench 6.1.0-2-bench" \
    "$(median "$BUILD/mmstorm" --db "$db" compare 6.1.0-1-bench 6.1.0-2-bench)"
printf '%-60s %6s ms\n' "regressions --baseline 6.1.0-1-bench" \
    "$(median "$BUILD/mmstorm" --db "$db" regressions --baseline 6.1.0-1-bench)"
printf '%-60s %6s ms\n' "lockups (100,000 events)" \
    "$(median "$BUILD/mmstorm" --db "$db" lockups)"
printf '%-60s %6s ms\n' "lockups --kernel 6.1.0-7-bench" \
    "$(median "$BUILD/mmstorm" --db "$db" lockups --kernel 6.1.0-7-bench)"
