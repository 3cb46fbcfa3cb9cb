#!/bin/sh
# nightly-target.sh - the VM lab as the nightly driver's target
# (target=vm-lab[:DIR] in a nightly config, docs/nightly.md).
#
# For one round it boots linux-image-$MMSTORM_NIGHTLY_BUILD-cloud-amd64
# (a Debian 6.1 ABI: "6.1.0-N" or "N") in a fresh lab guest on a fresh
# disk, runs the job file $MMSTORM_NIGHTLY_JOB there with
# $MMSTORM_NIGHTLY_RUNS runs per section (its repeat= lines replaced),
# and prints the guest's export on standard output, which the driver
# imports.  Everything else goes to standard error.  A guest that does
# not power off by itself with an export (a build that does not boot, a
# hang) fails the round: the driver counts it as a skip.
#
#   MMSTORM_VM_TIMEOUT  seconds for the whole guest (default 3600)
#   MMSTORM_VM_BUILD    the build folder whose mmstorm goes into the
#                       guest (default: the tree's build/)
#   MMSTORM_VM_IMAGES   builds from source (tests/vm/src/): the build is
#                       a commit whose kernel is IMAGES/BUILD/bzImage,
#                       booted with the lab initramfs of the Debian ABI
#                       MMSTORM_VM_ABI (default: the newest in the cache)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
image=
if [ -n "${MMSTORM_VM_IMAGES:-}" ]; then
	image=$MMSTORM_VM_IMAGES/$MMSTORM_NIGHTLY_BUILD/bzImage
	[ -f "$image" ] || { echo "nightly-target: no '$image'" >&2; exit 2; }
	. "$HERE/abis.sh"
	abi=${MMSTORM_VM_ABI:-$(vm_abis cache | tail -1)}
else
	abi=${MMSTORM_NIGHTLY_BUILD#6.1.0-}
	abi=${abi%%-*}
fi
case $abi in
''|*[!0-9]*)
	echo "nightly-target: '$MMSTORM_NIGHTLY_BUILD' is not a Debian 6.1 ABI (6.1.0-N)" >&2
	exit 2 ;;
esac
work=$(mktemp -d /tmp/mmstorm-nightly-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

# runs= of the config overrides every section's repeat=.
sed -e '/^[[:space:]]*repeat[[:space:]]*=/d' \
    -e "s/^[[:space:]]*\[.*\][[:space:]]*\$/&\nrepeat=$MMSTORM_NIGHTLY_RUNS/" \
    "$MMSTORM_NIGHTLY_JOB" > "$work/nightly.job"
{
	echo "cat > /tmp/nightly.job <<'MMSTORM_NIGHTLY_JOB_END'"
	cat "$work/nightly.job"
	echo "MMSTORM_NIGHTLY_JOB_END"
	echo "mmstorm run --job /tmp/nightly.job --wait --json"
	echo "lab_wait_idle 3600"
	echo "mmstorm runs"
} > "$work/job.sh"

# run-guest.sh reads MMSTORM_BUILD as the build folder.
MMSTORM_BUILD=${MMSTORM_VM_BUILD:-$(cd "$HERE/../.." && pwd)/build}
export MMSTORM_BUILD
echo "nightly-target: booting ${image:-6.1.0-$abi}, round $MMSTORM_NIGHTLY_ROUND" >&2
"$HERE/run-guest.sh" -n "$abi" ${image:+-k "$image"} -o "$work/out" -d "$work/disk.img" \
    -j "$work/job.sh" -t "${MMSTORM_VM_TIMEOUT:-3600}" >&2 || exit 1
cat "$work/out/export.jsonl"
