#!/bin/sh
# Runs the unit tests and every tests/t/t*.sh against the binaries in
# $BUILD, and closes with one line: "N passed, N failed".
BUILD=${BUILD:-build}
export BUILD
top=$(pwd)
failures=""

. tests/tally.sh

log=$(mktemp -d /tmp/mmstorm-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

echo "== unit tests"
MMSTORM_FIXTURES="$top/tests/fixtures" "$BUILD/unit-tests" > "$log/unit" 2>&1
rc=$?
grep -E '^(not ok|#)' "$log/unit"
tail -n 1 "$log/unit"
tally "$log/unit"
[ $rc -eq 0 ] || failures="$failures unit"

for t in tests/t/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	echo "== $name"
	# A hung script must not eat CI's time: timeout signals the
	# script's whole process group (daemons included) after the limit.
	timeout -k 10 "${T_TIMEOUT:-900}" sh "$t" > "$log/$name" 2>&1
	rc=$?
	[ $rc -ne 124 ] || echo "$name: killed after ${T_TIMEOUT:-900} s" >> "$log/$name"
	grep -E '^(not ok|#)' "$log/$name"
	tail -n 1 "$log/$name"
	tally "$log/$name"
	if [ $rc -ne 0 ]; then
		failures="$failures $name"
		sed 's/^/    | /' "$log/$name" | tail -n 40
	fi
done
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
