#!/bin/sh
# bench/fleet-queries.sh - issue 11 item 7, the query half: `mmstorm
# compare`, `regressions` and `lockups` on a fleet database of 1,000,000
# runs (BENCH DATA ONLY: bench/fleet-gen.sql makes it on the server with
# generate_series; its shape is described there).  Starts a PostgreSQL
# 15 of its own in a temporary directory (tests/t/lib-pg.sh), builds the
# database (minutes: the time is printed), prints the median wall time
# of ROUNDS runs of each command, and deletes it all on exit.
#
#   sh bench/fleet-queries.sh            (make bench-fleet)
#   RUNS=100000 ROUNDS=5 sh bench/fleet-queries.sh
#   KEEP_SQL="CREATE INDEX ..." sh bench/fleet-queries.sh   (a query's
#       time before, then after running the SQL on the same database)
#   HOLD=/tmp/f sh bench/fleet-queries.sh   (after the build, the URL in
#       /tmp/f; the server stays up until /tmp/f is removed)
# Needs root or the postgres user to run the server (initdb refuses root).
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}
ROUNDS=${ROUNDS:-3}
BUILD=${BUILD:-build}
make -s WERROR=1 BUILD="$BUILD" "$BUILD/mmstorm" >&2
SCRATCH=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
test_skip_rest() { echo "bench-fleet-queries: $1" >&2; exit 1; }
cleanup_scratch() { rm -rf "$SCRATCH"; }
. tests/t/lib-pg.sh
trap 'pg_stop; cleanup_scratch' EXIT
trap 'exit 1' INT TERM HUP
pg_start || test_skip_rest "PostgreSQL cannot start here"
# A database server's settings (docs/fleet.md, "Setup"): memory rather
# than the 128 MB default, and the planner told that the data is on SSD
# or in memory; PGDEFAULTS=1 leaves PostgreSQL's defaults.
if [ -z "${PGDEFAULTS:-}" ]; then
	cat >> "$PGDIR/data/postgresql.conf" <<CONF
shared_buffers = 1GB
maintenance_work_mem = 256MB
random_page_cost = 1.1
jit = off
CONF
fi
pg_ctl_do restart
url=$(pg_db fleet)
"$BUILD/mmstorm" --db "$url" runs > /dev/null          # migrates
echo "# $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $("$PGBIN/postgres" --version)"
s=$(date +%s)
"$PGBIN/psql" -h "$PGDIR" -U mmstorm -d fleet -q -v runs="$RUNS" \
    -f bench/fleet-gen.sql > /dev/null
echo "# built in $(( $(date +%s) - s )) s (BENCH DATA): $(pg_psql fleet "SELECT
    (SELECT count(*) FROM runs) || ' runs, ' ||
    (SELECT count(*) FROM metrics) || ' metrics, ' ||
    (SELECT count(*) FROM events) || ' events, ' ||
    pg_size_pretty(pg_database_size('fleet'))")"
# The build leaves a gigabyte of dirty pages: written out before any
# timing, or the first commands wait on the writeback, not on the query
# (bench/README.md, "The window").
pg_psql fleet "CHECKPOINT" > /dev/null
sync
if [ -n "${HOLD:-}" ]; then
	echo "$url" > "$HOLD"
	while [ -f "$HOLD" ]; do sleep 1; done
	exit 0
fi
# CPU of the server's backends (reaped children of the postmaster:
# a backend exits with its connection), in ms
pm_cpu() {
	awk -v t="$(getconf CLK_TCK)" '{ print int(($14 + $15 + $16 + $17) \
	    * 1000 / t) }' "/proc/$(head -n 1 "$PGDIR/data/postmaster.pid")/stat"
}
# ROUNDS runs of "$@": median wall ms, median server CPU ms, median
# client CPU ms
median() {
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		c0=$(pm_cpu); s=$(date +%s%N)
		/usr/bin/time -f "%U %S" -o "$SCRATCH/time" "$@" > /dev/null
		e=$(date +%s%N)
		sleep 0.2        # the backend's exit reaped
		echo "$(( (e - s) / 1000000 )) $(( $(pm_cpu) - c0 ))" \
		    "$(awk '{ print int(($1 + $2) * 1000) }' "$SCRATCH/time")"
		i=$((i + 1))
	done > "$SCRATCH/rounds"
	mid=$(( (ROUNDS + 1) / 2 ))
	for f in 1 2 3; do
		sort -n -k $f,$f "$SCRATCH/rounds" | sed -n "${mid}p" |
		    cut -d' ' -f $f
	done | tr '\n' ' '
}
all() {
	"$BUILD/mmstorm" --db "$url" kernels > /dev/null    # warm the cache
	printf '%-48s %8s %10s %10s\n' "median of $ROUNDS (ms)" wall \
	    server-CPU client-CPU
	# regressions: the default window (50,000 passed runs), a week
	# of builds, and every build (docs/analysis.md, "The window")
	for c in "compare 6.1.0-1-bench 6.1.0-2-bench" \
	    "regressions --baseline 6.1.0-1-bench" \
	    "regressions --baseline 6.1.0-1-bench --last 7" \
	    "regressions --baseline 6.1.0-1-bench --last 0" "lockups" \
	    "lockups --kernel 6.1.0-7-bench"; do
		# shellcheck disable=SC2086
		set -- $(median "$BUILD/mmstorm" --db "$url" $c)
		printf '%-48s %8s %10s %10s\n' "$c" "$1" "$2" "$3"
	done
}
all
if [ -n "${KEEP_SQL:-}" ]; then
	echo "# after: $KEEP_SQL"
	pg_psql fleet "$KEEP_SQL" > /dev/null
	all
fi
