#!/bin/sh
# check.sh - the VM lab's test suite (make vm-check, make vm-check-quick).
#
# Usage: tests/vm/check.sh [--quick] [t-NAME ...]
#   --quick   the CI subset (MMSTORM_VM_QUICK=1): one cross-build compare
#             (the newest two 6.1 cloud builds), one lockup, one crash recovery; no
#             bisect. About 3.5 minutes here (8 on a busy host); its bound
#             is 20 minutes.
#   default   every t-*.sh in full: also init_on_free=1, four lockup
#             scenarios, a soft-lockup panic, and the real git bisect
#
# Installs what it lacks through apt (qemu-system-x86, busybox-static,
# e2fsprogs, stress-ng, sqlite3, jq, bc, binutils, gcc-12, make, libc6-dev,
# git),
# fetches the kernels into $MMSTORM_VM_CACHE (never the repo), builds the
# programs when build/ has none. Prints each test's TAP lines, a timings
# table, and "N passed, N failed, N skipped" last (tests/tally.sh). The timings also go to
# $MMSTORM_VM_WORK/timings when MMSTORM_VM_WORK is set (the work directories
# are kept there).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
QUICK=0
TESTS=
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	t-*) TESTS="$TESTS $a" ;;
	*) echo "usage: $0 [--quick] [t-NAME ...]" >&2; exit 2 ;;
	esac
done
if [ -z "$TESTS" ]; then
	TESTS="t-cross-build t-lockup t-crash"
	[ "$QUICK" = 1 ] || TESTS="$TESTS t-bisect t-hotplug"
fi
export MMSTORM_VM_QUICK=$QUICK

need=
for c in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static mkfs.ext4:e2fsprogs \
	debugfs:e2fsprogs stress-ng:stress-ng sqlite3:sqlite3 jq:jq bc:bc strings:binutils gcc-12:gcc-12 \
	make:make git:git apt-get:apt; do
	command -v "${c%%:*}" >/dev/null 2>&1 || need="$need ${c#*:}"
done
dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need="$need libc6-dev"
if [ -n "$need" ]; then
	echo "# installing:$need"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null || exit 1
fi
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export BUILD
if [ ! -x "$BUILD/mmstorm" ] || [ ! -x "$BUILD/mmstormd" ]; then
	make -C "$TOP" BUILD="$BUILD" all >/dev/null || exit 1
fi
# Both kernels up front (each is about 40 MB of .debs, once): the newest
# two ABIs apt offers, or MMSTORM_VM_NEW/MMSTORM_VM_OLD (abis.sh).
. "$HERE/abis.sh"
vm_pick_abis || exit 1
echo "# kernels: 6.1.0-$NEW-cloud-amd64 (new), 6.1.0-$OLD-cloud-amd64 (old)"
for n in $NEW $OLD; do
	"$HERE/fetch-kernel.sh" -n $n >/dev/null || exit 1
done

if [ -n "${MMSTORM_VM_WORK:-}" ]; then
	mkdir -p "$MMSTORM_VM_WORK"
	TIMINGS=$MMSTORM_VM_WORK/timings
	: > "$TIMINGS"
	LOGS=$MMSTORM_VM_WORK
else
	LOGS=$(mktemp -d /tmp/mmstorm-vm-check.XXXXXX)
	TIMINGS=$LOGS/timings
	trap 'rm -rf "$LOGS"' EXIT
fi
export MMSTORM_VM_TIMINGS=$TIMINGS

. "$TOP/tests/tally.sh"
failures=
T0=$(date +%s)
for t in $TESTS; do
	echo "== $t"
	s=$(date +%s)
	sh "$HERE/$t.sh" > "$LOGS/$t.log" 2>&1
	rc=$?
	grep -E '^(ok|not ok|#)' "$LOGS/$t.log" | grep -v '^# tally ' | uniq
	echo "$t total $(( $(date +%s) - s )) -" >> "$TIMINGS"
	tally "$LOGS/$t.log" $rc
	echo "$t: $tally_p passed, $tally_f failed, $tally_s skipped"
	[ -z "$tally_err" ] || echo "$t: $tally_err"
	[ $rc = 0 ] && [ -z "$tally_err" ] || failures="$failures $t"
done
echo "== timings (seconds)"
awk '{ printf "%-14s %-22s %6s  %s\n", $1, $2, $3, $4 }' "$TIMINGS"
echo "all: $(( $(date +%s) - T0 )) s"
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
