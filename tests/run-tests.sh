#!/bin/sh
# Runs the unit tests and every tests/t/t*.sh against the binaries in
# $BUILD, shows each one's failures and skips (with their reasons) and
# its summary, and closes with one line: "N passed, N failed, N skipped".
# How skips and the tally work: tests/t/lib.sh's header, tests/tally.sh.
BUILD=${BUILD:-build}
export BUILD
top=$(pwd)
failures=""

. tests/tally.sh

log=$(mktemp -d /tmp/mmstorm-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

# report NAME RC: what NAME's output in $log/NAME says, added up.
report() {
	# not ok lines and their "#   " details, skips, "# kept" notes;
	# not the machine-read tally.
	grep -E '^(not ok|#)|^ok [0-9]+ .*# skip' "$log/$1" | grep -v '^# tally '
	tally "$log/$1" "$2"
	echo "$1: $tally_p passed, $tally_f failed, $tally_s skipped"
	[ -z "$tally_err" ] || echo "$1: $tally_err"
	[ "$2" -eq 0 ] && [ -z "$tally_err" ] || failures="$failures $1"
}

echo "== unit tests"
MMSTORM_FIXTURES="$top/tests/fixtures" "$BUILD/unit-tests" > "$log/unit" 2>&1
report unit $?

for t in tests/t/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	echo "== $name"
	# A hung script must not eat CI's time: timeout signals the
	# script's whole process group (daemons included) after the limit.
	timeout -k 10 "${T_TIMEOUT:-900}" sh "$t" > "$log/$name" 2>&1
	rc=$?
	[ $rc -ne 124 ] || echo "$name: killed after ${T_TIMEOUT:-900} s" >> "$log/$name"
	report "$name" $rc
	case " $failures " in
	*" $name "*) sed 's/^/    | /' "$log/$name" | tail -n 40 ;;
	esac
done
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$failures" ]
