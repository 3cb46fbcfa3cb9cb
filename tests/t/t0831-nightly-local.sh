#!/bin/sh
# mmstorm nightly with target=local: the job runs here, on the running
# kernel (real thp-munmap runs, small), its runs stored once; a build
# that is not the running kernel is a skipped round with the reason.
# Runs a workload: flock /tmp/mmstorm-machine.lock sh tests/t/t0831-nightly-local.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
q="'"

cat > small.job <<'JOB'
[munmap]
workload=thp-munmap
size=8M
repeat=7
JOB

if ! grep -qw madvise /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
	test_skip_rest "no THP here (thp-munmap needs /sys/kernel/mm/transparent_hugepage)"
fi

test_expect 'the running kernel: a baseline round of runs= real runs, stored once' '
	printf "[nightly]\nbuilds=%s\njob=small.job\ntarget=local\nruns=2\n" "$(uname -r)" > local.conf
	run_ok mmstorm nightly --config local.conf --json > out.json
	test "$(json_get out.json "(j[\"result\"], j[\"rounds\"][0][\"verdict\"], j[\"rounds\"][0][\"runs\"])")" = "(${q}no regression${q}, ${q}baseline${q}, 2)"
	# runs= replaced repeat=7 of the job file
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs")" -eq 2
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_builds WHERE kernel_id IS NOT NULL")" -eq 1
'

test_expect 'another build is a skipped round saying why' '
	printf "[nightly]\nbuilds=6.1.0-1-not-this\njob=small.job\ntarget=local\nruns=2\n" > other.conf
	run_ok mmstorm nightly --config other.conf --json > out.json 2> err
	test "$(json_get out.json "j[\"rounds\"][0][\"verdict\"]")" = error
	grep -q "this machine runs .$(uname -r)., not .6.1.0-1-not-this.: target=local tests the running kernel only" err
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs")" -eq 2
'

test_done
