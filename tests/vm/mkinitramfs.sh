#!/bin/sh
# mkinitramfs.sh - build the VM lab's busybox-static initramfs.
#
# Usage: tests/vm/mkinitramfs.sh [-l] [REL]
#   REL: kernel release (default: what fetch-kernel.sh fetches/has)
#   -l   the "lab" image (initramfs-lab.cpio.gz) for run-guest.sh: the log
#        capture image below plus the project's build/mmstorm and
#        build/mmstormd, stress-ng, sqlite3, every shared library they load (ldd), the
#        kernel's config as /boot/config-REL (the config hash of a run), and
#        the modules the lab loads (virtio_pci, virtio_blk, qemu_fw_cfg,
#        ramoops, with their depends), in load order in /lib/modules/load.order.
#        Its /init is tests/vm/guest/lab-init.
#   MMSTORM_VM_MODULES="name ..."  extra modules to copy from the unpacked
#                                  modules tree (with their depends), loaded
#                                  by nothing: insmod them yourself
#   MMSTORM_BUILD=DIR              where the programs are (default: build)
# Output (printed on stdout): $MMSTORM_VM_CACHE/<rel>/initramfs.cpio.gz with
#   /init                    tests/vm/guest/init
#   /bin/busybox             from busybox-static (installed with apt if missing)
#   /bin/kmsgdump            tests/vm/guest/kmsgdump.c, built static
#   /lib/modules/mmstorm_inject.ko   tests/vm/inject, built for REL
#   /dev/console             so that init has a console before devtmpfs
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
LAB=0
if [ "${1:-}" = -l ]; then LAB=1; shift; fi
REL=${1:-$("$HERE/fetch-kernel.sh" | tail -1)}
ROOT=$CACHE/$REL/root
OUT=$CACHE/$REL/initramfs.cpio.gz
[ "$LAB" = 1 ] && OUT=$CACHE/$REL/initramfs-lab.cpio.gz
BUILD=${MMSTORM_BUILD:-$REPO/build}
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
if [ "$LAB" = 1 ]; then
	cp "$HERE/guest/lab-init" "$STAGE/init"
else
	cp "$HERE/guest/init" "$STAGE/init"
fi
chmod 755 "$STAGE/init"
gcc -static -Os -Wall -o "$STAGE/bin/kmsgdump" "$HERE/guest/kmsgdump.c"
strip "$STAGE/bin/kmsgdump"
cp "$KO" "$STAGE/lib/modules/"
mknod -m 600 "$STAGE/dev/console" c 5 1

# Extra modules: copy each with its "depends:" closure (uncompressed .ko).
# dpkg -x runs no depmod, so the depends come from each .ko's .modinfo.
# load.order lists them dependencies first.
copy_mod() {
	local f d	# (dash and busybox sh have local; the recursion needs it)
	[ -e "$STAGE/lib/modules/$1.ko" ] && return 0
	f=$(find "$ROOT/lib/modules/$REL/kernel" -name "$1.ko" | head -1)
	[ -n "$f" ] || { log "module $1 not in $REL's tree (built in?)"; return 0; }
	for d in $(strings -a "$f" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do
		copy_mod "$d"
	done
	cp "$f" "$STAGE/lib/modules/"
	echo "$1" >> "$STAGE/lib/modules/load.order"
}
: > "$STAGE/lib/modules/load.order"
LABMODS=
[ "$LAB" = 1 ] && LABMODS="virtio_pci virtio_blk qemu_fw_cfg ramoops"
for m in $LABMODS ${MMSTORM_VM_MODULES:-}; do
	copy_mod "$m"
done

# The lab image: the programs, stress-ng and their shared libraries, at
# the paths ldd names (the loader finds them in its built-in directories).
copy_elf() {	# copy_elf FILE DEST: the file and everything ldd lists for it
	mkdir -p "$STAGE$(dirname "$2")"
	cp -L "$1" "$STAGE$2"
	ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
	while read -r lib; do
		[ -e "$STAGE$lib" ] && continue
		mkdir -p "$STAGE$(dirname "$lib")"
		cp -L "$lib" "$STAGE$lib"
	done
}
if [ "$LAB" = 1 ]; then
	for p in mmstorm mmstormd; do
		[ -x "$BUILD/$p" ] || { log "no $BUILD/$p (run make)"; exit 1; }
		copy_elf "$BUILD/$p" "/usr/bin/$p"
	done
	if ! command -v stress-ng >/dev/null 2>&1; then
		log "installing stress-ng"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends stress-ng >&2 || exit 1
	fi
	copy_elf "$(command -v stress-ng)" /usr/bin/stress-ng
	# lab_wait_idle reads the daemon's job table directly (the daemon may
	# not answer while the kernel stalls)
	if ! command -v sqlite3 >/dev/null 2>&1; then
		log "installing sqlite3"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sqlite3 >&2 || exit 1
	fi
	copy_elf "$(command -v sqlite3)" /usr/bin/sqlite3
	mkdir -p "$STAGE/boot" "$STAGE/etc" "$STAGE/run" "$STAGE/var/lib/mmstorm" "$STAGE/root"
	cp "$ROOT/boot/config-$REL" "$STAGE/boot/"
	# One lab machine: a fixed machine-id and hostname, so that every boot
	# of every kernel is the same host in mmstorm's identity.
	echo 6d6d73746f726d766d6c616230303031 > "$STAGE/etc/machine-id"
	echo mmstorm-vm > "$STAGE/etc/hostname"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$STAGE/etc/passwd"
	echo 'root:x:0:' > "$STAGE/etc/group"
fi

(cd "$STAGE" && find . | LC_ALL=C sort | "$BB" cpio -o -H newc 2>/dev/null) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($(du -k "$OUT" | cut -f1) KiB)"
echo "$OUT"
