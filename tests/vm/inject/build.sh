#!/bin/sh
# build.sh - build mmstorm_inject.ko against the cached Debian kbuild tree.
#
# Usage: tests/vm/inject/build.sh [REL]   (REL defaults to fetch-kernel.sh's)
# The build runs in a copy under $MMSTORM_VM_CACHE/<rel>/inject so the repo
# gets no build products; prints the path of the .ko on stdout.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
REL=${1:-$("$HERE/../fetch-kernel.sh" | tail -1)}
KDIR=$CACHE/$REL/root/usr/src/linux-headers-$REL
OUT=$CACHE/$REL/inject
[ -f "$KDIR/Makefile" ] || { echo "build.sh: no kbuild dir $KDIR (run fetch-kernel.sh)" >&2; exit 1; }
mkdir -p "$OUT"
cp "$HERE/mmstorm_inject.c" "$HERE/Kbuild" "$OUT/"
# Debian's kbuild calls gcc-12 (from .kernelvariables); the host has it.
make -s -C "$KDIR" M="$OUT" modules >&2
echo "$OUT/mmstorm_inject.ko"
