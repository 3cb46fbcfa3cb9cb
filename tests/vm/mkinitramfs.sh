#!/bin/sh
# mkinitramfs.sh - build the VM lab's busybox-static initramfs.
#
# Usage: tests/vm/mkinitramfs.sh [REL]
#   REL: kernel release (default: what fetch-kernel.sh fetches/has)
#   MMSTORM_VM_MODULES="name ..."  extra modules to copy from the unpacked
#                                  modules tree (with their depends), loaded
#                                  by nothing: insmod them yourself
# Output (printed on stdout): $MMSTORM_VM_CACHE/<rel>/initramfs.cpio.gz with
#   /init                    tests/vm/guest/init
#   /bin/busybox             from busybox-static (installed with apt if missing)
#   /bin/kmsgdump            tests/vm/guest/kmsgdump.c, built static
#   /lib/modules/mmstorm_inject.ko   tests/vm/inject, built for REL
#   /dev/console             so that init has a console before devtmpfs
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
REL=${1:-$("$HERE/fetch-kernel.sh" | tail -1)}
ROOT=$CACHE/$REL/root
OUT=$CACHE/$REL/initramfs.cpio.gz
log() { echo "mkinitramfs: $*" >&2; }

[ -d "$ROOT/lib/modules/$REL" ] || { log "no modules tree for $REL (run fetch-kernel.sh)"; exit 1; }

BB=/bin/busybox
if ! dpkg -s busybox-static >/dev/null 2>&1; then
	log "installing busybox-static"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >&2 || exit 1
fi
# busybox-static provides /bin/busybox (it conflicts with the dynamic busybox).
if command -v file >/dev/null 2>&1 && ! file -L "$BB" | grep -q 'statically linked'; then
	log "$BB is not statically linked"
	exit 1
fi

KO=$("$HERE/inject/build.sh" "$REL" | tail -1)

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/mmstorm-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT INT TERM
mkdir -p "$STAGE/bin" "$STAGE/dev" "$STAGE/lib/modules" "$STAGE/proc" "$STAGE/sys" "$STAGE/tmp"
cp "$BB" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
cp "$HERE/guest/init" "$STAGE/init"
chmod 755 "$STAGE/init"
gcc -static -Os -Wall -o "$STAGE/bin/kmsgdump" "$HERE/guest/kmsgdump.c"
strip "$STAGE/bin/kmsgdump"
cp "$KO" "$STAGE/lib/modules/"
mknod -m 600 "$STAGE/dev/console" c 5 1

# Extra modules: copy each with its "depends:" closure (uncompressed .ko).
copy_mod() {
	f=$(find "$ROOT/lib/modules/$REL/kernel" -name "$1.ko" | head -1)
	[ -n "$f" ] || { log "module $1 not in $REL's tree (built in?)"; return 0; }
	[ -e "$STAGE/lib/modules/$1.ko" ] && return 0
	cp "$f" "$STAGE/lib/modules/"
	for d in $("$BB" modinfo -F depends "$f" | tr ',' ' '); do
		copy_mod "$d"
	done
}
for m in ${MMSTORM_VM_MODULES:-}; do
	copy_mod "$m"
done

(cd "$STAGE" && find . | LC_ALL=C sort | "$BB" cpio -o -H newc 2>/dev/null) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($(du -k "$OUT" | cut -f1) KiB)"
echo "$OUT"
