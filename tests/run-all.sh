#!/bin/sh
# run-all.sh - the whole suite, as `make test` and CI run it:
#
#   1. every test against a -Werror build          (make WERROR=1 check)
#   2. the same under ASan/UBSan                   (build-asan)
#   3. the VM lab's quick subset: real Debian kernels under qemu, one
#      cross-build compare, one lockup, one crash recovery
#                                                  (make vm-check-quick)
#
# Each part prints its own "N passed, N failed"; this script ends with
# the sum over all three, and fails when any part failed.
# MMSTORM_VM=0 leaves out the VM lab (it needs root, about 150 MB of
# kernel packages in /var/cache/mmstorm-vm, and 4-8 minutes).
set -u
cd "$(dirname "$0")/.."
log=$(mktemp -d /tmp/mmstorm-run-all.XXXXXX)
trap 'rm -rf "$log"' EXIT
failures=
. tests/tally.sh

# part NAME CMD...: run it, show its output, add up its last line.
part() {
	name=$1
	shift
	echo "=== $name: $*"
	{ "$@"; echo $? > "$log/$name.rc"; } 2>&1 | tee "$log/$name"
	rc=$(cat "$log/$name.rc")
	tally "$log/$name"
	# A part that failed without counting a failure counts one.
	[ "$rc" -eq 0 ] || [ "$tally_f" -gt 0 ] || failed=$((failed + 1))
	[ "$rc" -eq 0 ] && [ "$tally_f" -eq 0 ] || failures="$failures $name"
}

part check make -s WERROR=1 check
part asan make -s WERROR=1 BUILD=build-asan SAN=1 check
if [ "${MMSTORM_VM:-1}" = 0 ]; then
	echo "=== vm-lab: left out (MMSTORM_VM=0)"
elif [ "$(id -u)" != 0 ]; then
	echo "=== vm-lab: left out (needs root: qemu images, apt, the kernel cache)"
else
	part vm-lab make -s WERROR=1 vm-check-quick
fi
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ -z "$failures" ]
