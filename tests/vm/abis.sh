# abis.sh - which two Debian 6.1 cloud kernel builds the lab boots
# (sourced by check.sh and lib.sh).
#
# NEW and OLD are ABI numbers N of linux-image-6.1.0-N-cloud-amd64:
# MMSTORM_VM_NEW and MMSTORM_VM_OLD when set, else the newest two that
# apt offers, else the newest two in the cache.  No number is written
# into the tests: Debian's archive drops old ABIs as new ones arrive.
vm_abis_in() {
	if [ "$1" = apt ]; then
		apt-cache search --names-only \
		    '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		    sed -n 's/^linux-image-6\.1\.0-\([0-9]*\)-cloud-amd64-unsigned .*/\1/p'
	else
		ls -d "${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}"/6.1.0-*-cloud-amd64 \
		    2>/dev/null | sed -n 's/.*6\.1\.0-\([0-9]*\)-cloud-amd64$/\1/p'
	fi | sort -un | tail -2 | tr '\n' ' '
}

abis=$(vm_abis_in apt)
[ "$(echo $abis | wc -w)" = 2 ] || abis=$(vm_abis_in cache)
NEW=${MMSTORM_VM_NEW:-$(echo $abis | cut -d' ' -f2)}
OLD=${MMSTORM_VM_OLD:-$(echo $abis | cut -d' ' -f1)}
unset abis
if [ -z "$NEW" ] || [ -z "$OLD" ] || [ "$NEW" = "$OLD" ]; then
	echo "tests/vm: need two linux-image-6.1.0-N-cloud-amd64-unsigned builds" \
	    "in apt or in the cache (apt-get update?), or MMSTORM_VM_NEW/OLD" >&2
	exit 1
fi
export MMSTORM_VM_NEW=$NEW MMSTORM_VM_OLD=$OLD
