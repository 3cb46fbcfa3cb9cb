#!/bin/sh
# tree.sh - Debian's linux-source-6.1 as a local git repository: the
# tarball under /usr/src unpacked into $SRC/linux, committed once as the
# base ("base: linux-source-6.1 <version>", tag src-base).  Idempotent: a
# tree whose base tag exists is left alone.  Prints the tree's path.
#
#   MMSTORM_VM_CACHE  the lab's cache (default /var/cache/mmstorm-vm);
#                     the tree is $MMSTORM_VM_CACHE/src/linux (2.0 GiB with .git)
set -eu
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
SRC=$CACHE/src
TREE=$SRC/linux
log() { echo "src/tree: $*" >&2; }

if git -C "$TREE" rev-parse -q --verify refs/tags/src-base >/dev/null 2>&1; then
	echo "$TREE"; exit 0
fi
if [ ! -f /usr/src/linux-source-6.1.tar.xz ]; then
	log "installing linux-source-6.1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >&2
fi
VER=$(dpkg-query -W -f '${Version}' linux-source-6.1)
rm -rf "$TREE" "$SRC/unpack"
mkdir -p "$SRC/unpack"
log "unpacking linux-source-6.1 $VER"
tar -C "$SRC/unpack" -xJf /usr/src/linux-source-6.1.tar.xz
mv "$SRC/unpack/linux-source-6.1" "$TREE"
rmdir "$SRC/unpack"
cd "$TREE"
git init -q -b src
git config user.name "mmstorm lab"
git config user.email "lab@mmstorm.invalid"
git config gc.auto 0
# Fixed dates: the series' hashes are the same on every machine.
export GIT_AUTHOR_DATE="2026-12-01T00:00:00Z" GIT_COMMITTER_DATE="2026-12-01T00:00:00Z"
git add -A -f .
git commit -q -m "base: linux-source-6.1 $VER (Debian)"
git tag src-base
log "base $(git rev-parse --short=12 HEAD)"
echo "$TREE"
