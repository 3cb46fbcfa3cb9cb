#!/bin/sh
# Runs the unit tests and every tests/t/t*.sh against the binaries in
# $BUILD, and closes with one line: "N passed, N failed".
BUILD=${BUILD:-build}
export BUILD
top=$(pwd)
passed=0
failed=0
failures=""

count() {
	# $1: output file of a runner that prints "N passed, N failed" last
	p=$(tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	f=$(tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
}

log=$(mktemp -d /tmp/mmstorm-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

echo "== unit tests"
MMSTORM_FIXTURES="$top/tests/fixtures" "$BUILD/unit-tests" > "$log/unit" 2>&1
rc=$?
grep -E '^(not ok|#)' "$log/unit"
tail -n 1 "$log/unit"
count "$log/unit"
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
	count "$log/$name"
	if [ $rc -ne 0 ]; then
		failures="$failures $name"
		sed 's/^/    | /' "$log/$name" | tail -n 40
	fi
done
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
