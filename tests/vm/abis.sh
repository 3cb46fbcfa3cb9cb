# abis.sh - the Debian 6.1 cloud kernel builds the lab can boot (sourced
# by fetch-kernel.sh, check.sh and lib.sh).

# vm_abis apt|cache: the ABI numbers N of linux-image-6.1.0-N-cloud-amd64
# that apt offers or that the cache holds, ascending, one a line.
vm_abis() {
	if [ "$1" = apt ]; then
		apt-cache search --names-only \
		    '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		    sed -n 's/^linux-image-6\.1\.0-\([0-9]*\)-cloud-amd64-unsigned .*/\1/p'
	else
		ls -d "${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}"/6.1.0-*-cloud-amd64 \
		    2>/dev/null | sed -n 's/.*6\.1\.0-\([0-9]*\)-cloud-amd64$/\1/p'
	fi | sort -un
}

# vm_pick_abis: sets and exports NEW and OLD, the two builds the tests
# boot: MMSTORM_VM_NEW and MMSTORM_VM_OLD when set, else the newest two
# that apt offers, else the newest two in the cache.  No number is
# written into the tests: Debian's archive drops old ABIs as new ones
# arrive.
vm_pick_abis() {
	_abis=$(vm_abis apt | tail -2 | tr '\n' ' ')
	[ "$(echo $_abis | wc -w)" = 2 ] ||
	    _abis=$(vm_abis cache | tail -2 | tr '\n' ' ')
	NEW=${MMSTORM_VM_NEW:-$(echo $_abis | cut -d' ' -f2)}
	OLD=${MMSTORM_VM_OLD:-$(echo $_abis | cut -d' ' -f1)}
	if [ -z "$NEW" ] || [ -z "$OLD" ] || [ "$NEW" = "$OLD" ]; then
		echo "tests/vm: need two linux-image-6.1.0-N-cloud-amd64-unsigned" \
		    "builds in apt or in the cache (apt-get update?), or" \
		    "MMSTORM_VM_NEW/OLD" >&2
		return 1
	fi
	export MMSTORM_VM_NEW=$NEW MMSTORM_VM_OLD=$OLD
}
