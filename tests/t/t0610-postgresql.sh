#!/bin/sh
# The PostgreSQL driver against a real PostgreSQL: a server of our own in
# a temporary directory (unix socket only, stopped by a trap even when a
# test fails), the fixtures imported into it, and every read command's
# output byte-identical to the SQLite one (the golden outputs that
# t0900-golden.sh checks the SQLite build against).  Skips only when no
# PostgreSQL server is installed or none can be started here.
. "$(dirname "$0")/lib.sh"

FIXTURES="$TOP/tests/fixtures/runs"
. "$(dirname "$0")/lib-pg.sh"
pg_setup

test_expect 'the golden outputs from a PostgreSQL database' '
	url=$(pg_db golden)
	sh "$TOP/tests/golden/make-outputs.sh" --db "$url" "$BUILD/mmstorm" \
	    "$SCRATCH/pg"
	test -s "$SCRATCH/pg/export.jsonl"
'

for f in "$TOP"/tests/golden/expected/*; do
	name=$(basename "$f")
	test_expect "$name from PostgreSQL equals SQLite's" "
		cmp '$f' '$SCRATCH/pg/$name' || { diff -u '$f' '$SCRATCH/pg/$name' | head -n 40; false; }
	"
done

test_expect 'export from PostgreSQL equals export of the SQLite databases that fed it' '
	url=$(pg_db fleet)
	for f in two-builds two-releases init-on-alloc; do
		mmstorm --db "$SCRATCH/$f.db" import "$FIXTURES/$f.jsonl" > /dev/null
		mmstorm --db "$SCRATCH/$f.db" export > "$SCRATCH/$f.export"
		mmstorm --db "$url" import "$SCRATCH/$f.export" > /dev/null
		mmstorm --db "$SCRATCH/all.db" import "$SCRATCH/$f.export" > /dev/null
	done
	mmstorm --db "$url" export > fleet.jsonl
	mmstorm --db "$SCRATCH/all.db" export > all.jsonl
	cmp all.jsonl fleet.jsonl
	cmp "$TOP/tests/golden/expected/export.jsonl" fleet.jsonl
'

test_expect 'a run exported from PostgreSQL imports into SQLite unchanged' '
	url="postgresql:///fleet?host=$PGDIR&user=mmstorm"
	mmstorm --db "$url" export > fleet.jsonl
	mmstorm --db "$SCRATCH/back.db" import fleet.jsonl > /dev/null
	mmstorm --db "$SCRATCH/back.db" export > back.jsonl
	cmp fleet.jsonl back.jsonl
'

test_expect 'export --format kcidb from PostgreSQL equals SQLite'"'"'s' '
	url="postgresql:///fleet?host=$PGDIR&user=mmstorm"
	mmstorm --db "$url" export --format kcidb > fleet.kcidb
	mmstorm --db "$SCRATCH/all.db" export --format kcidb > all.kcidb
	cmp all.kcidb fleet.kcidb
	python3 "$TOP/tests/t/kcidb-check.py" fleet.kcidb mmstorm > /dev/null
'

test_expect 'importing the same file twice stores its runs once' '
	url="postgresql:///fleet?host=$PGDIR&user=mmstorm"
	mmstorm --db "$url" import "$FIXTURES/two-builds.jsonl" > again.out
	mmstorm --db "$url" export > fleet2.jsonl
	mmstorm --db "$url" export > fleet.jsonl
	cmp fleet.jsonl fleet2.jsonl
	cmp "$TOP/tests/golden/expected/export.jsonl" fleet2.jsonl
'

test_expect 'verdict and MMSTORM_DB read PostgreSQL as SQLite' '
	url="postgresql:///fleet?host=$PGDIR&user=mmstorm"
	for w in thp-munmap mmap-churn hotplug; do
		st=0
		mmstorm --db "$SCRATCH/all.db" verdict --baseline c56 \
		    --workload $w --kernel c56-init_on_free > lite.$w 2>&1 || st=$?
		echo "exit $st" >> lite.$w
		st=0
		MMSTORM_DB=$url mmstorm verdict --baseline c56 --workload $w \
		    --kernel c56-init_on_free > pg.$w 2>&1 || st=$?
		echo "exit $st" >> pg.$w
		cmp lite.$w pg.$w
	done
	grep -q "^exit 1$" pg.mmap-churn
	# SQLite LIKE ignores ASCII case, PostgreSQL LIKE does not.
	mmstorm --db "$SCRATCH/all.db" runs --kernel 3B43FAD --json > lite.k
	mmstorm --db "$url" runs --kernel 3B43FAD --json > pg.k
	test "$(wc -l < pg.k)" -gt 0
	cmp lite.k pg.k
	MMSTORM_DB=$url mmstorm runs --json > pg.runs
	cmp "$TOP/tests/golden/expected/runs.json" pg.runs
'

test_expect 'the writes a run makes work on PostgreSQL (unit test)' '
	url=$(pg_db writes)
	MMSTORM_TEST_DB=$url "$BUILD/unit-tests" store_writes > unit.out 2>&1 ||
	    { cat unit.out; false; }
	grep -q "^ok 1 - store_writes_a_run_on_any_engine" unit.out
'

test_expect 'the migrations are recorded once, in schema_version' '
	url="postgresql:///fleet?host=$PGDIR&user=mmstorm"
	mmstorm --db "$url" runs > /dev/null
	"$PGBIN/psql" -h "$PGDIR" -U mmstorm -d fleet -Atc \
	    "SELECT version FROM schema_version ORDER BY version" > versions
	seq 1 "$(ls "$TOP"/schema/*.sql | wc -l)" > want
	cmp want versions
'

test_expect 'a password in the URL is never printed' '
	expect_exit 1 mmstorm --db "postgresql://lab:s3cret@/nowhere?host=$SCRATCH/none" runs
	grep -q "cannot connect to database" "$SCRATCH/err"
	grep -q "lab:\*\*\*@" "$SCRATCH/err"
	! grep -q s3cret "$SCRATCH/err"
'

test_expect 'an error naming the database hides its password' '
	pg_db newer > /dev/null
	url="postgresql://mmstorm:s3cret@/newer?host=$PGDIR"
	mmstorm --db "$url" runs > /dev/null
	"$PGBIN/psql" -h "$PGDIR" -U mmstorm -d newer -Atqc \
	    "INSERT INTO schema_version (version) VALUES (999)"
	expect_exit 1 mmstorm --db "$url" runs
	grep -q "has schema version 999, newer than" "$SCRATCH/err"
	grep -q "mmstorm:\*\*\*@/newer" "$SCRATCH/err"
	! grep -q s3cret "$SCRATCH/err"
'

. "$TOP/tests/t/keys-lib.sh"

# both DB ARGS...: mmstorm ARGS on SQLite file DB.db and on PostgreSQL
# database DB; the output and the exit code must be the same.
both() {
	db=$1
	shift
	st=0
	mmstorm --db "$SCRATCH/$db.db" "$@" > lite.out 2>&1 || st=$?
	echo "exit $st" >> lite.out
	st=0
	mmstorm --db "postgresql:///$db?host=$PGDIR&user=mmstorm" "$@" \
	    > pg.out 2>&1 || st=$?
	echo "exit $st" >> pg.out
	cmp lite.out pg.out || { diff -u lite.out pg.out | head -n 20; false; }
}

test_expect 'comparability keys: filters, keys and errors as on SQLite' '
	derive "$FIXTURES/init-on-alloc.jsonl" p.jsonl params &&
	derive "$FIXTURES/init-on-alloc.jsonl" h.jsonl host &&
	pg_db keysp > /dev/null && pg_db keysh > /dev/null &&
	both keysp import p.jsonl && both keysh import h.jsonl &&
	key=$(mmstorm --db "$SCRATCH/keysp.db" runs --json | python3 -c "
import json, sys
print(sorted(json.loads(l)[\"params\"] for l in sys.stdin)[0])") &&
	printf "[small]\nworkload=thp-munmap\nsize=256M\niterations=3\nsample_ms=1000\n" > k.job &&
	both keysp runs --json &&
	both keysp runs --params "$key" --json &&
	both keysp runs --section k.job:small --json &&
	both keysp compare c56-init_on_alloc0 c56 --all &&
	both keysp compare c56-init_on_alloc0 c56 --all --json &&
	both keysp compare c56-init_on_alloc0 c56 --params "$key" --json &&
	both keysp regressions --baseline c56-init_on_alloc0 --json &&
	both keysp verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms &&
	grep -q "^exit 128$" pg.out &&
	both keysp verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms --section k.job:small &&
	grep -q "^exit 1$" pg.out
'

test_expect 'hosts and host classes as on SQLite' '
	both keysh hosts --json &&
	both keysh runs --host lab-b --json &&
	both keysh compare c56-init_on_alloc0 c56 &&
	grep -q "^exit 2$" pg.out &&
	both keysh regressions --baseline c56-init_on_alloc0 &&
	both keysh compare c56-init_on_alloc0 c56 --mix host --all --json &&
	both keysh hosts --class lab mmstorm-vm lab-b &&
	both keysh hosts &&
	grep -q "^lab " pg.out &&
	both keysh compare c56-init_on_alloc0 c56 --json &&
	both keysh verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms &&
	both keysh hosts --no-class lab &&
	both keysh hosts --class x nosuchhost &&
	grep -q "^exit 1$" pg.out &&
	both keysh compare c56-init_on_alloc0 c56 &&
	grep -q "^exit 2$" pg.out
'

test_done
