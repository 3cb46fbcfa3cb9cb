#!/bin/sh
# compare, regressions and lockups on a fleet database (PostgreSQL) of
# bench/fleet-gen.sql's shape, small: the same output as SQLite on the
# same runs, and a number of statements that does not grow with the
# output (each is a round trip to the fleet database: thousands of them
# were seconds, bench/README.md "Fleet queries").  Starts no daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pg.sh"
pg_setup

URL=$(pg_db fleet)
LITE="$SCRATCH/lite.db"

# statements of "$@" on the fleet database that match PATTERN ($1):
# the server logs every one (log_statement = all, set below)
statements() {
	pat=$1
	shift
	n0=$(wc -l < "$PGDIR/server.log")
	mmstorm --db "$URL" "$@" > /dev/null || return 1
	sleep 0.5
	tail -n +$((n0 + 1)) "$PGDIR/server.log" | grep -c "$pat"
}

test_expect 'a small fleet database of the bench shape, and its SQLite twin' '
	mmstorm --db "$URL" runs > /dev/null &&
	"$PGBIN/psql" -h "$PGDIR" -U mmstorm -d fleet -q -v runs=6000 \
	    -f "$TOP/bench/fleet-gen.sql" > /dev/null &&
	mmstorm --db "$URL" export > fleet.jsonl &&
	mmstorm --db "$LITE" import fleet.jsonl > /dev/null &&
	sqlite3 "$LITE" "UPDATE hosts SET class = '"'"'bench-class-'"'"' ||
	    (CAST(substr(hostname, 7) AS INTEGER) % 4)" &&
	test "$(mmstorm --db "$URL" lockups | wc -l)" -gt 600
'

for c in "lockups" "lockups --kernel 6.1.0-7-bench" \
    "lockups --baseline 6.1.0-1-bench" \
    "compare 6.1.0-1-bench 6.1.0-2-bench" \
    "regressions --baseline 6.1.0-1-bench"; do
	test_expect "$c: the same on PostgreSQL as on SQLite" "
		mmstorm --db '$URL' $c > pg.out &&
		mmstorm --db '$LITE' $c > lite.out &&
		{ cmp lite.out pg.out || { diff lite.out pg.out | head -n 6; false; }; }
	"
done

pg_psql fleet "ALTER SYSTEM SET log_statement = 'all'" > /dev/null
pg_psql fleet "SELECT pg_reload_conf()" > /dev/null

test_expect 'lockups asks for its example events 256 at a time' '
	rows=$(mmstorm --db "$URL" lockups | wc -l) &&
	n=$(statements "FROM events e LEFT JOIN runs" lockups) &&
	echo "# $rows rows, $n example queries" &&
	test "$n" -le $((rows / 256 + 1))
'

test_expect 'lockups --baseline asks the baseline for 256 signatures at a time' '
	rows=$(mmstorm --db "$URL" lockups --baseline 6.1.0-1-bench | wc -l) &&
	n=$(statements "SELECT DISTINCT signature FROM events" lockups \
	    --baseline 6.1.0-1-bench) &&
	echo "# $rows rows, $n baseline queries" &&
	test "$n" -ge 1 && test "$n" -le $((rows / 256 + 1))
'

test_expect 'compare counts finished runs once per workload, not per signature' '
	sigs=$(mmstorm --db "$URL" compare 6.1.0-1-bench 6.1.0-2-bench | grep -c "bench title") &&
	n=$(statements "SELECT count(\*) FROM runs WHERE kernel_id = \$1 AND workload" \
	    compare 6.1.0-1-bench 6.1.0-2-bench) &&
	echo "# $sigs signature rows, $n count queries" &&
	test "$sigs" -gt 10 && test "$n" -le 20
'

test_done
