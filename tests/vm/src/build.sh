#!/bin/sh
# build.sh [COMMIT] - build the source bisect's guest kernel at COMMIT
# (default $MMSTORM_NIGHTLY_BUILD: this is the nightly config's recipe=)
# in the tree made by tree.sh, and keep its bzImage in
# $SRC/builds/COMMIT/.  A commit already built is not built again, so a
# confirmation round boots the very same kernel (the driver refuses a
# round whose kernel differs from the build's earlier rounds).
#
# The build: out of tree in $SRC/obj, one .config for every commit
# ($SRC/guest.config: make tinyconfig + guest.config + olddefconfig, made
# once), ccache, nice -n 19, make -j${MMSTORM_SRC_JOBS:-2}, reproducible
# version strings (KBUILD_BUILD_*), so the only difference between two
# builds is the source.  Its wall time goes to $SRC/builds.log
# ("commit seconds result") and $SRC/builds/COMMIT/build.txt; the make
# output to standard error.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
SRC=$CACHE/src
TREE=$SRC/linux
OBJ=$SRC/obj
JOBS=${MMSTORM_SRC_JOBS:-2}
log() { echo "src/build: $*" >&2; }

commit=${1:-${MMSTORM_NIGHTLY_BUILD:?no commit: give one or set MMSTORM_NIGHTLY_BUILD}}
commit=$(git -C "$TREE" rev-parse --short=12 "$commit^{commit}") || exit 1
out=$SRC/builds/$commit
if [ -f "$out/bzImage" ]; then
	log "$commit: built already ($(cat "$out/build.txt" 2>/dev/null))"
	exit 0
fi
# One build at a time in the tree and $OBJ: a second build.sh (another
# night, a build started ahead by hand) waits here, then looks again.
if [ -z "${MMSTORM_SRC_LOCKED:-}" ]; then
	MMSTORM_SRC_LOCKED=1 exec flock "$SRC/build.lock" "$0" "$commit"
fi
command -v ccache >/dev/null || {
	log "installing ccache flex bison libelf-dev bc"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q ccache flex bison libelf-dev bc >&2 || exit 1
}
export CCACHE_DIR=${CCACHE_DIR:-$SRC/ccache}
export KBUILD_BUILD_TIMESTAMP="Tue Dec 1 00:00:00 UTC 2026"
export KBUILD_BUILD_VERSION=1 KBUILD_BUILD_USER=mmstorm KBUILD_BUILD_HOST=lab
mk() { nice -n 19 make -s -C "$TREE" O="$OBJ" ARCH=x86_64 CC="ccache gcc" -j"$JOBS" "$@" >&2; }

t0=$(date +%s.%N)
git -C "$TREE" checkout -q --detach "$commit" || exit 1
mkdir -p "$OBJ"
if [ ! -f "$SRC/guest.config" ] || [ "$HERE/guest.config" -nt "$SRC/guest.config" ]; then
	rm -f "$OBJ/.config"
	mk tinyconfig || exit 1
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$HERE/guest.config" >&2 || exit 1
	mk olddefconfig || exit 1
	# An option whose dependencies are off is dropped silently.
	missing=$(grep '^CONFIG_.*=y$' "$HERE/guest.config" | while read -r l; do
		grep -qx "$l" "$OBJ/.config" || echo "$l"; done)
	[ -z "$missing" ] || { log "not in the .config: $missing"; exit 1; }
	cp "$OBJ/.config" "$SRC/guest.config"
else
	cp "$SRC/guest.config" "$OBJ/.config"
fi
mk bzImage
rc=$?
t1=$(date +%s.%N)
secs=$(printf '%.0f' "$(echo "$t1 - $t0" | bc)")
result=ok
[ $rc = 0 ] || result="failed($rc)"
echo "$commit $secs $result" >> "$SRC/builds.log"
log "$commit: $secs s, $result; ccache: $(ccache -s 2>/dev/null | grep -i 'hits\|misses' | tr -s ' \n' ' ')"
[ $rc = 0 ] || exit 1
mkdir -p "$out"
cp "$OBJ/arch/x86/boot/bzImage" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
echo "$secs s, release $(cat "$OBJ/include/config/kernel.release")" > "$out/build.txt"
