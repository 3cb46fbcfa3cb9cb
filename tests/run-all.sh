#!/bin/sh
# run-all.sh - the whole suite, as `make test` and CI run it:
#
#   1. every test against a -Werror build          (make WERROR=1 check)
#   2. the same under ASan/UBSan                   (build-asan)
#   2b. each libFuzzer target for 30 s, fuzz/README.md (make fuzz-short)
#   3. the VM lab's quick subset: real Debian kernels under qemu, one
#      cross-build compare, one lockup, one crash recovery
#                                                  (make vm-check-quick)
#
# Each part ends with its own "N passed, N failed, N skipped"; this script
# reads only that last line of each (tests/tally.sh), ends with the sum
# over all three, and fails when any part failed.
#
# The VM lab runs whenever this machine can run it: it needs root (apt,
# the kernel cache in /var/cache/mmstorm-vm, about 150 MB) and qemu, which
# it installs through apt; no /dev/kvm is fine (the lab uses TCG).  Left
# out because the machine cannot (no root, no qemu and no apt candidate
# for it), it counts as one skip, said in the last lines.  Left out on
# request (MMSTORM_VM=0) it counts as a failure: the suite did not run.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp -d /tmp/mmstorm-run-all.XXXXXX)
trap 'rm -rf "$log"' EXIT
failures=
vm_note=
. tests/tally.sh

# part NAME CMD...: run it, show its output, add up its last line.
part() {
	name=$1
	shift
	echo "=== $name: $*"
	{ "$@"; echo $? > "$log/$name.rc"; } 2>&1 | tee "$log/$name"
	rc=$(cat "$log/$name.rc")
	tally_runner "$log/$name" "$rc"
	[ -z "$tally_err" ] || echo "=== $name: $tally_err"
	[ "$rc" -eq 0 ] && [ -z "$tally_err" ] || failures="$failures $name"
}

# vm_cannot_run: why this machine cannot run the VM lab (nothing when it can).
vm_cannot_run() {
	if [ "$(id -u)" != 0 ]; then
		echo "needs root (apt, qemu images, the kernel cache in /var/cache/mmstorm-vm)"
	elif ! command -v qemu-system-x86_64 > /dev/null 2>&1; then
		if ! command -v apt-get > /dev/null 2>&1; then
			echo "no qemu-system-x86_64 and no apt-get to install it"
		elif ! apt-cache policy qemu-system-x86 2>/dev/null |
		    grep -q '^ *Candidate: [0-9]'; then
			echo "no qemu-system-x86_64, and apt has no qemu-system-x86 to install"
		fi
	fi
}

part check make -s WERROR=1 check
part asan make -s WERROR=1 BUILD=build-asan SAN=1 check
part fuzz make -s fuzz-short
why=$(vm_cannot_run)
if [ "${MMSTORM_VM:-1}" = 0 ]; then
	vm_note="vm-lab: LEFT OUT on request (MMSTORM_VM=0): counted as a failure, this run is not the whole suite"
	failed=$((failed + 1))
	failures="$failures vm-lab"
elif [ -n "$why" ]; then
	vm_note="vm-lab: skipped, this machine cannot run it: $why"
	skipped=$((skipped + 1))
else
	part vm-lab make -s WERROR=1 vm-check-quick
fi
[ -z "$vm_note" ] || echo "=== $vm_note"
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ -z "$failures" ]
