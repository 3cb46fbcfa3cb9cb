#!/bin/sh
# series.sh - the source bisect's commit series: the patches in series/
# (10 commits: 9 harmless ones, comments and docs, and 0006, the one MM
# change that regresses thp-munmap's munmap_ms_per_gib) applied with
# `git am` on top of tree.sh's base, as branch "series" of the tree.
# Author and committer dates come from the patches, so the hashes are
# the same wherever the same linux-source-6.1 is unpacked.  Applied in a
# worktree of its own: the tree's checkout (a build may be using it) is
# not touched.  Prints the branch's commits, oldest first.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}
SRC=$CACHE/src
TREE=$("$HERE/tree.sh")
# Already there (the same diffs in the same order): nothing to do.
want=$(cat "$HERE"/series/*.patch | git patch-id --stable | cut -d' ' -f1)
have=$(git -C "$TREE" log --reverse -p src-base..series 2>/dev/null | git patch-id --stable | cut -d' ' -f1)
if [ -n "$have" ] && [ "$have" = "$want" ]; then
	git -C "$TREE" log --reverse --format='%h %s' --abbrev=12 src-base..series
	exit 0
fi
wt=$SRC/series-apply
git -C "$TREE" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
git -C "$TREE" worktree prune
git -C "$TREE" worktree add -q --detach "$wt" src-base
git -C "$wt" am -q --committer-date-is-author-date "$HERE"/series/*.patch
git -C "$TREE" branch -f series "$(git -C "$wt" rev-parse HEAD)"
git -C "$TREE" worktree remove --force "$wt"
git -C "$TREE" log --reverse --format='%h %s' --abbrev=12 src-base..series
