#!/bin/sh
# bench/fleet-claim.sh - issue 11 item 7, the claim half: 50 concurrent
# claimers taking 20,000 queued jobs from a PostgreSQL 15 of its own (a
# temporary directory, unix socket, the steps of tests/t/lib-pg.sh),
# each on one nonblocking connection with the daemon's claim statement.
# Prints claims/s, claim latency (p50, p99, max) and double claims (0),
# then checks in the database that every job was leased once.
# Extra arguments go to build/bench-fleet-claim (-H).  -n N: jobs.
# Needs root or the postgres user to run the server (initdb refuses root).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make WERROR=1 BUILD="$BUILD" "$BUILD/bench-fleet-claim" "$BUILD/mmstorm" >&2
jobs=20000
if [ "${1:-}" = -n ]; then
	jobs=$2
	shift 2
fi
SCRATCH=$(mktemp -d /tmp/mmstorm-bench.XXXXXX)
test_skip_rest() { echo "bench-fleet-claim: $1" >&2; exit 1; }
cleanup_scratch() { rm -rf "$SCRATCH"; }
. tests/t/lib-pg.sh
trap 'pg_stop; cleanup_scratch' EXIT
pg_start || test_skip_rest "PostgreSQL cannot start here"
url=$(pg_db fleet)
"./$BUILD/mmstorm" --db "$url" fleet jobs > /dev/null       # migrates
echo "uname -r: $(uname -r); nproc: $(nproc); $("$PGBIN/postgres" --version)"
echo "server: fsync=off (a temporary directory; see bench/README.md)"
# The queue as fleet submit leaves it: one row per job, priorities
# spread so the claim's ORDER BY has work to do.
pg_psql fleet "INSERT INTO fleet_jobs (uuid, workload, spec, priority,
    state, max_attempts, created_ns)
    SELECT gen_random_uuid()::text, 'mmap-churn',
        '{\"workload\": \"mmap-churn\", \"options\": {}}', i % 10, 'queued',
        3, i FROM generate_series(1, $jobs) AS i;
    ANALYZE fleet_jobs" > /dev/null
"./$BUILD/bench-fleet-claim" -u "$url" -H 50 "$@"
pg_psql fleet "SELECT 'database: ' || count(*) FILTER (WHERE state =
    'leased' AND attempts = 1) || ' of ' || count(*) || ' jobs leased once, ' ||
    count(DISTINCT lease_host) || ' hosts' FROM fleet_jobs"
