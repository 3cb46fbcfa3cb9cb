#!/bin/sh
# fetch-kernel.sh - download and unpack a Debian 6.1 cloud kernel for the VM lab.
#
# Usage: tests/vm/fetch-kernel.sh [-n N] [-p]
#   -n N   use linux-image-6.1.0-N-cloud-amd64-unsigned (default: newest in apt)
#   -p     only print the kernel release that would be used, then exit
#
# Cache: $MMSTORM_VM_CACHE (default /var/cache/mmstorm-vm), never the repo:
#   debs/*.deb                         the downloaded packages
#   <rel>/root/                        everything dpkg -x'd, one tree per release:
#     boot/vmlinuz-<rel>               kernel image
#     lib/modules/<rel>/               modules tree
#     usr/src/linux-headers-<rel>/     kbuild dir (make -C here M=...)
#     usr/src/linux-headers-6.1.0-N-common/, usr/lib/linux-kbuild-6.1/
#   <rel>/.done                        stamp: extraction complete
# Prints the release (e.g. 6.1.0-56-cloud-amd64) as its last stdout line.
# Idempotent: packages already downloaded and trees already extracted are kept.
set -eu

CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
N=
PRINT=0
while getopts n:p opt; do
	case $opt in
	n) N=$OPTARG ;;
	p) PRINT=1 ;;
	*) echo "usage: $0 [-n N] [-p]" >&2; exit 2 ;;
	esac
done

case $N in
'') ;;
*[!0-9]*) echo "fetch-kernel: -n wants a number, got '$N'" >&2; exit 2 ;;
esac

log() { echo "fetch-kernel: $*" >&2; }

if [ -z "$N" ]; then
	# Newest ABI number that apt knows; fall back to what is cached.
	. "$(dirname "$0")/abis.sh"
	N=$(vm_abis apt | tail -1)
	[ -n "$N" ] || N=$(vm_abis cache | tail -1)
	if [ -z "$N" ]; then
		log "no linux-image-6.1.0-N-cloud-amd64-unsigned in apt (run apt-get update?)"
		exit 1
	fi
fi

REL=6.1.0-$N-cloud-amd64
if [ "$PRINT" = 1 ]; then
	echo "$REL"
	exit 0
fi

DIR=$CACHE/$REL
ROOT=$DIR/root
if [ -f "$DIR/.done" ] && [ -f "$ROOT/boot/vmlinuz-$REL" ]; then
	log "cached: $ROOT"
	echo "$REL"
	exit 0
fi

PKGS="linux-image-$REL-unsigned linux-headers-$REL linux-headers-6.1.0-$N-common linux-kbuild-6.1"
mkdir -p "$CACHE/debs" "$ROOT"

newest_deb() { ls "$CACHE/debs/${1}_"*.deb 2>/dev/null | sort -V | tail -1; }

IMGVER=
for p in $PKGS; do
	have=$(newest_deb "$p")
	# Per-ABI packages: any cached .deb will do. linux-kbuild-6.1 is shared
	# by every ABI and must be at least as new as the image (its Depends).
	if [ -n "$have" ] && { [ "$p" != linux-kbuild-6.1 ] ||
		dpkg --compare-versions "$(dpkg-deb -f "$have" Version)" ge "$IMGVER"; }; then
		log "have $(basename "$have")"
	else
		log "downloading $p"
		# apt-get download writes into the cwd; as root apt only warns
		# that its _apt sandbox user cannot write there.
		(cd "$CACHE/debs" && apt-get download -q "$p" 2>&1 |
			grep -v 'Download is performed unsandboxed' >&2) || true
		have=$(newest_deb "$p")
		if [ -z "$have" ]; then
			log "apt-get download $p failed (apt-get update? is N=$N in the archive?)"
			exit 1
		fi
	fi
	case $p in linux-image-*) IMGVER=$(dpkg-deb -f "$have" Version) ;; esac
done

for p in $PKGS; do
	deb=$(newest_deb "$p")
	log "extracting $(basename "$deb")"
	dpkg -x "$deb" "$ROOT"
done

# Make the unpacked kbuild dir usable where it lies: the flavour Makefile
# includes /usr/src/linux-headers-6.1.0-N-common/Makefile by absolute path,
# so point it at the copy beside it (the scripts/ and tools/ links are
# relative and already resolve inside $ROOT). lib/modules/<rel>/build and
# source are absolute links too: repoint them into the cache.
KB=$ROOT/usr/src/linux-headers-$REL
sed -i "s|^include /usr/src/linux-headers-6.1.0-$N-common/Makefile\$|include $ROOT/usr/src/linux-headers-6.1.0-$N-common/Makefile|" "$KB/Makefile"
grep -q "^include $ROOT/" "$KB/Makefile" || { log "unexpected $KB/Makefile"; exit 1; }
if [ -d "$ROOT/lib/modules/$REL" ]; then
	ln -sfn "../../../usr/src/linux-headers-$REL" "$ROOT/lib/modules/$REL/build"
	ln -sfn "../../../usr/src/linux-headers-6.1.0-$N-common" "$ROOT/lib/modules/$REL/source"
fi

[ -f "$ROOT/boot/vmlinuz-$REL" ] || { log "no vmlinuz after extraction"; exit 1; }
[ -f "$ROOT/usr/src/linux-headers-$REL/Makefile" ] || { log "no kbuild dir after extraction"; exit 1; }
touch "$DIR/.done"
log "ready: $ROOT"
echo "$REL"
