#!/bin/sh
# bench/fleet-push.sh - issue 11 item 7, the push half: 50 simulated
# hosts pushing 20,000 runs (the fixtures' runs, with samples, metrics,
# values and events) into a PostgreSQL 15 of its own (a temporary
# directory, unix socket, the steps of tests/t/lib-pg.sh), each host on
# one nonblocking connection as mmstormd pushes.  Prints runs/s ingested
# and push latency (p50, p99, max), then what the runs cost in the
# database.  Extra arguments go to build/bench-fleet-push (-H, -n).
# Needs root or the postgres user to run the server (initdb refuses root).
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
make WERROR=1 build/bench-fleet-push build/mmstorm >&2
SCRATCH=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
test_skip_rest() { echo "bench-fleet-push: $1" >&2; exit 1; }
cleanup_scratch() { rm -rf "$SCRATCH"; }
. tests/t/lib-pg.sh
trap 'pg_stop; cleanup_scratch' EXIT
pg_start || test_skip_rest "PostgreSQL cannot start here"
url=$(pg_db fleet)
./build/mmstorm --db "$url" runs > /dev/null          # migrates
for f in two-builds two-releases init-on-alloc; do
	./build/mmstorm --db "$SCRATCH/local.db" import \
	    "tests/fixtures/runs/$f.jsonl" > /dev/null
done
echo "uname -r: $(uname -r); nproc: $(nproc); $("$PGBIN/postgres" --version)"
echo "server: fsync=off (a temporary directory; see bench/README.md)"
# Server CPU: the postmaster's own and its reaped backends' (cutime,
# cstime), before and after: the backends exit with their connections.
pm_cpu() {
	pm=$(head -n 1 "$PGDIR/data/postmaster.pid")
	awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
}
cpu0=$(pm_cpu)
/usr/bin/time -f "client CPU %U s user, %S s sys" \
    ./build/bench-fleet-push -u "$url" -d "$SCRATCH/local.db" -H 50 -n 20000 \
    "$@" 2>&1 | tee "$SCRATCH/out"
sleep 1
cpu1=$(pm_cpu)
runs=$(sed -n 's/^hosts [0-9]*  runs \([0-9]*\).*/\1/p' "$SCRATCH/out")
echo "server CPU $(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) )) ms for $runs runs: $(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / runs )) us/run"
pg_psql fleet "SELECT 'fleet database: ' || count(*) || ' runs, ' ||
    (SELECT count(*) FROM hosts) || ' hosts, ' ||
    pg_size_pretty(pg_database_size('fleet')) || ' (' ||
    pg_database_size('fleet') / greatest(count(*), 1) || ' bytes/run)'
    FROM runs"
