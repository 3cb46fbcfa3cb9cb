#!/bin/sh
# The fleet's job queue (jobs/fleet.c, docs/fleet.md) on a PostgreSQL of
# the test's own: submit, matching by kernel, tags and host, priority,
# health checks, leases that expire (the host is lost, the job is not
# failed), the grace, max attempts, cancel, and no job claimed twice by
# concurrent claimers.  Hosts here are names (--as): one machine plays
# many.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pg.sh"
pg_setup

F=""
count() {
	pg_psql q "SELECT count(*) FROM fleet_jobs $1"
}

test_expect 'the queue needs PostgreSQL, and says so in one line' '
	expect_exit 1 mmstorm --db "$SCRATCH/lite.db" fleet jobs
	test "$(wc -l < "$SCRATCH/err")" -eq 1
	grep -q "needs a PostgreSQL database" "$SCRATCH/err"
'

test_expect 'submit stores a job with its spec, kernel, tags and priority' '
	F=$(pg_db q)
	echo "$F" > "$SCRATCH/url"
	mmstorm --db "$F" fleet submit thp-munmap --size=64M --iterations=2 \
	    --tags "numa, Big" --kernel 6.1.0-99-amd64 --priority 5 \
	    --repeat 3 --json > sub.json
	test "$(json_get sub.json "j[\"workload\"]")" = thp-munmap
	mmstorm --db "$F" fleet jobs --json > jobs.json
	test "$(json_get jobs.json "j[\"state\"]")" = queued
	test "$(json_get jobs.json "j[\"tags\"]")" = "big numa"
	test "$(json_get jobs.json "j[\"priority\"]")" = 5
	test "$(json_get jobs.json "json.loads(j[\"spec\"])[\"repeat\"]")" = 3
	test "$(json_get jobs.json "json.loads(j[\"spec\"])[\"options\"][\"size\"]")" = 64M
'

test_expect 'bad input: one-line error, exit 2, nothing stored' '
	F=$(cat "$SCRATCH/url")
	before=$(count "")
	expect_exit 2 mmstorm --db "$F" fleet submit thp-munmap --tags "a;b"
	grep -q "bad tag" "$SCRATCH/err"
	expect_exit 2 mmstorm --db "$F" fleet submit thp-munmapp
	expect_exit 2 mmstorm --db "$F" fleet submit thp-munmap --sizee=1G
	expect_exit 2 mmstorm --db "$F" fleet submit thp-munmap --priority x
	expect_exit 2 mmstorm --db "$F" fleet submit
	expect_exit 2 mmstorm --db "$F" fleet frobnicate
	test "$(count "")" = "$before"
'

test_expect 'a new host runs a health check before it gets work' '
	F=$(cat "$SCRATCH/url")
	expect_exit 1 mmstorm --db "$F" fleet claim --as h1
	grep -q "has not reported yet" "$SCRATCH/err"
	mmstorm --db "$F" fleet heartbeat --as h1 --tags big,numa \
	    --build-key k1 --release 6.1.0-99-amd64
	mmstorm --db "$F" fleet claim --as h1 --tags big,numa --build-key k1 \
	    --release 6.1.0-99-amd64 --json > c.json
	test "$(json_get c.json "j[\"health_check\"]")" = True
	test "$(json_get c.json "j[\"job\"]")" = None
	mmstorm --db "$F" fleet healthy --as h1
	mmstorm --db "$F" fleet hosts --json > hosts.json
	test "$(json_get hosts.json "j[\"health\"]")" = ok
'

test_expect 'kernel, tags and host decide who may take a job' '
	F=$(cat "$SCRATCH/url")
	for h in other small h1; do
		mmstorm --db "$F" fleet heartbeat --as $h --tags big \
		    --build-key k2 --release 6.1.0-98-amd64
		mmstorm --db "$F" fleet healthy --as $h
	done
	# the queued job wants 6.1.0-99-amd64 and tags big+numa
	mmstorm --db "$F" fleet claim --as other --tags big,numa \
	    --build-key k2 --release 6.1.0-98-amd64 --json > c.json
	test "$(json_get c.json "j[\"job\"]")" = None
	mmstorm --db "$F" fleet claim --as small --tags big --build-key k1 \
	    --release 6.1.0-99-amd64 --json > c.json
	test "$(json_get c.json "j[\"job\"]")" = None
	mmstorm --db "$F" fleet submit mmap-churn --host h1 --json > pinned.json
	mmstorm --db "$F" fleet claim --as other --build-key k2 \
	    --release 6.1.0-98-amd64 --json > c.json
	test "$(json_get c.json "j[\"job\"]")" = None
	mmstorm --db "$F" fleet claim --as h1 --tags numa,big,extra \
	    --build-key k1 --release 6.1.0-99-amd64 --json > c.json
	# priority 5 first, then the pinned one
	test "$(json_get c.json "j[\"spec\"][\"workload\"]")" = thp-munmap
	mmstorm --db "$F" fleet claim --as h1 --build-key k1 \
	    --release 6.1.0-99-amd64 --json > c2.json
	test "$(json_get c2.json "j[\"job\"]")" = \
	    "$(json_get pinned.json "j[\"job\"]")"
	test "$(count "WHERE state = '\''leased'\'' AND lease_host = '\''h1'\''")" = 2
'

test_expect 'the kernel may be named by its build key' '
	F=$(cat "$SCRATCH/url")
	mmstorm --db "$F" fleet submit mmap-churn --kernel k2 --json > s.json
	mmstorm --db "$F" fleet claim --as other --build-key k2 \
	    --release 6.1.0-98-amd64 --json > c.json
	test "$(json_get c.json "j[\"job\"]")" = "$(json_get s.json "j[\"job\"]")"
'

test_expect 'the holder ends its job; anyone else is refused' '
	F=$(cat "$SCRATCH/url")
	job=$(json_get c.json "j[\"job\"]")
	expect_exit 1 mmstorm --db "$F" fleet end "$job" --as small --state done
	grep -q "no longer leased to" "$SCRATCH/err"
	expect_exit 2 mmstorm --db "$F" fleet end "$job" --as other --state bogus
	mmstorm --db "$F" fleet end "$job" --as other --state done \
	    --result "{\"runs\": 1}"
	test "$(pg_psql q "SELECT state || result FROM fleet_jobs WHERE uuid = '\''$job'\''")" = "done{\"runs\": 1}"
	expect_exit 1 mmstorm --db "$F" fleet end "$job" --as other --state done
'

test_expect 'an expired lease loses the host, not the job; its report still counts' '
	F=$(cat "$SCRATCH/url")
	mmstorm --db "$F" fleet submit mmap-churn --host small --json > s.json
	job=$(json_get s.json "j[\"job\"]")
	mmstorm --db "$F" fleet claim --as small --build-key k2 \
	    --release 6.1.0-98-amd64 --lease 1s --json > c.json
	test "$(json_get c.json "j[\"job\"]")" = "$job"
	sleep 1.2
	mmstorm --db "$F" fleet reap --grace 1h --json > r.json
	test "$(json_get r.json "j[\"lost\"]")" -ge 1
	test "$(pg_psql q "SELECT state FROM fleet_jobs WHERE uuid = '\''$job'\''")" = lost
	test "$(pg_psql q "SELECT health FROM fleet_hosts WHERE name = '\''small'\''")" = unknown
	# back after a reboot: the crashed run is the job result
	mmstorm --db "$F" fleet end "$job" --as small --state failed \
	    --error "run crashed (kernel panic)"
	test "$(pg_psql q "SELECT state FROM fleet_jobs WHERE uuid = '\''$job'\''")" = failed
	mmstorm --db "$F" fleet heartbeat --as small --build-key k2
	mmstorm --db "$F" fleet claim --as small --build-key k2 --json > c.json
	test "$(json_get c.json "j[\"health_check\"]")" = True
'

test_expect 'heartbeats extend the lease' '
	F=$(cat "$SCRATCH/url")
	mmstorm --db "$F" fleet submit mmap-churn --host other --json > s.json
	mmstorm --db "$F" fleet claim --as other --build-key k2 --lease 1s \
	    --json > c.json
	mmstorm --db "$F" fleet heartbeat --as other --build-key k2 --lease 1h
	sleep 1.2
	mmstorm --db "$F" fleet reap --grace 0 --json > r.json
	test "$(json_get r.json "j[\"lost\"]")" = 0
	test "$(count "WHERE state = '\''leased'\'' AND lease_host = '\''other'\''")" = 1
'

test_expect 'no report within the grace: re-queued, then dead after max attempts' '
	F=$(cat "$SCRATCH/url")
	mmstorm --db "$F" fleet submit mmap-churn --host h1 --max-attempts 2 \
	    --json > s.json
	job=$(json_get s.json "j[\"job\"]")
	for attempt in 1 2; do
		mmstorm --db "$F" fleet healthy --as h1
		mmstorm --db "$F" fleet claim --as h1 --build-key k1 \
		    --release 6.1.0-99-amd64 --lease 1s --json > c.json
		test "$(json_get c.json "j[\"job\"]")" = "$job"
		sleep 1.2
		mmstorm --db "$F" fleet reap --grace 0 --json > r.json
	done
	test "$(pg_psql q "SELECT state || attempts FROM fleet_jobs WHERE uuid = '\''$job'\''")" = dead2
	pg_psql q "SELECT error FROM fleet_jobs WHERE uuid = '\''$job'\''" | grep -q "lost by h1 on attempt 2 of 2"
	expect_exit 1 mmstorm --db "$F" fleet end "$job" --as h1 --state done
'

test_expect 'cancel: queued and leased jobs; an ended one says so' '
	F=$(cat "$SCRATCH/url")
	mmstorm --db "$F" fleet submit mmap-churn --host nobody --json > s.json
	job=$(json_get s.json "j[\"job\"]")
	mmstorm --db "$F" fleet cancel "$(echo $job | cut -c1-8)" > out
	grep -q "cancelled" out
	expect_exit 1 mmstorm --db "$F" fleet cancel "$job"
	grep -q "has ended already" "$SCRATCH/err"
	expect_exit 1 mmstorm --db "$F" fleet cancel 0000dead
	mmstorm --db "$F" fleet jobs > table
	head -n 1 table | grep -q "^JOB  *WORKLOAD  *STATE"
'

test_expect 'concurrent claimers never take the same job' '
	F=$(pg_db race)
	mmstorm --db "$F" fleet submit --job "$TOP/examples/quick.job" > /dev/null
	for i in $(seq 1 199); do
		echo "INSERT INTO fleet_jobs (uuid, workload, spec, state, created_ns) SELECT CAST(gen_random_uuid() AS TEXT), workload, spec, state, created_ns FROM fleet_jobs WHERE id = 1;"
	done | "$PGBIN/psql" -h "$PGDIR" -U mmstorm -d race -q
	total=$(pg_psql race "SELECT count(*) FROM fleet_jobs")
	for c in $(seq 1 10); do
		mmstorm --db "$F" fleet heartbeat --as c$c --build-key k
		mmstorm --db "$F" fleet healthy --as c$c
	done
	for c in $(seq 1 10); do
		(
			while mmstorm --db "$F" fleet claim --as c$c \
			    --build-key k --json > claim.$c.tmp &&
			    ! grep -q "\"job\":null" claim.$c.tmp; do
				cat claim.$c.tmp >> claims.$c
			done
		) &
	done
	wait
	cat claims.* | python3 -c "import json,sys; ids=[json.loads(l)[\"job\"] for l in sys.stdin]; print(len(ids), len(set(ids)))" > seen
	echo "$total $total" > want
	cmp want seen
	test "$(pg_psql race "SELECT count(*) FROM fleet_jobs WHERE state = '\''leased'\'' AND attempts = 1")" = "$total"
'

test_done
