#!/bin/sh
# t-nightly.sh - the nightly driver over real kernels (make
# vm-check-nightly; not in make vm-check: about 2 minutes a boot): the
# newest four consecutive Debian 6.1 cloud ABIs apt offers (or
# MMSTORM_VM_NIGHTLY_ABIS="54 55 56 57"), every build tested
# (test=all), each boot a round of tests/vm/jobs/nightly.job with
# runs=3, regressions bisected and confirmed as on any night.  It checks
# that every build booted and its runs were stored, and prints the
# report and the comparison of each build with the one before: whatever
# they find is the finding (docs/nightly.md, "The VM lab").
. "$(dirname "$0")/lib.sh"

ABIS=${MMSTORM_VM_NIGHTLY_ABIS:-$(vm_abis apt | tail -4 | tr '\n' ' ')}
[ "$(echo $ABIS | wc -w)" -ge 4 ] ||
    ABIS=$(vm_abis cache | tail -4 | tr '\n' ' ')
builds=
for n in $ABIS; do builds="$builds 6.1.0-$n"; done
cat > "$VMWORK/nightly.conf" <<CONF
[nightly]
name=vm-lab
builds=$builds
job=$VMDIR/jobs/nightly.job
target=vm-lab:$VMDIR
test=all
runs=3
timeout=3600
report=$VMWORK/nightly.txt $VMWORK/nightly.json $VMWORK/nightly.html
CONF

vm_night " over$builds"

check 'the night ended with a report' '[ '$NIGHT_RC' = 0 ]; test -s nightly.json; test -s nightly.html'
check 'every build booted and its runs were stored' '
	for b in '"$builds"'; do
		n=$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_rounds r JOIN nightly_builds b ON b.id = r.build_id WHERE b.build = '"'"'$b'"'"' AND r.verdict != '"'"'error'"'"' AND r.runs > 0")
		[ "$n" -ge 1 ] || { echo "$b: no round with runs"; grep "$b" night.err | tail -3; false; }
	done
	mmstorm kernels
	[ "$(mmstorm kernels --json | wc -l)" -ge '"$(echo $ABIS | wc -w)"' ]
'
check 'the comparison of each build with the one before' '
	prev=
	for n in '"$ABIS"'; do
		if [ -n "$prev" ]; then
			echo "== 6.1.0-$prev -> 6.1.0-$n"
			mmstorm compare 6.1.0-$prev-cloud-amd64 6.1.0-$n-cloud-amd64
		fi
		prev=$n
	done > compare.txt
	cat compare.txt
'
sed 's/^/# /' "$VMWORK/compare.txt" 2>/dev/null
vm_done
