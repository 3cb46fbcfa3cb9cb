# lib.sh - shared by tests/t/t*.sh (git's test-lib, much smaller).
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect 'stores a run' '
#           mmstorm run ... && ...
#   '
#   test_done
#
# Each test file gets its own scratch directory and database; commands run
# with `set -e` semantics inside a subshell.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
SCRATCH=$(mktemp -d /tmp/mmstorm-t.XXXXXX)
export MMSTORM_DB="$SCRATCH/mmstorm.db"
export PATH="$BUILD:$PATH"
# No daemon unless a test starts one: runs happen in the foreground.
export MMSTORM_SOCKET="$SCRATCH/mmstormd.sock"
t_passed=0
t_failed=0
t_n=0

cleanup_scratch() {
	rm -rf "$SCRATCH"
}
trap cleanup_scratch EXIT

test_expect() {
	t_n=$((t_n + 1))
	# Not inside `if`: there the shell would ignore set -e.
	(cd "$SCRATCH"; set -e; eval "$2") > "$SCRATCH/.out" 2>&1
	t_rc=$?
	if [ $t_rc -eq 0 ]; then
		echo "ok $t_n - $1"
		t_passed=$((t_passed + 1))
	else
		echo "not ok $t_n - $1"
		sed 's/^/#   /' "$SCRATCH/.out"
		t_failed=$((t_failed + 1))
	fi
}

# A test that needs something this machine may lack says so.
test_skip() {
	t_n=$((t_n + 1))
	echo "ok $t_n - # skip $1 ($2)"
}

# json_get FILE EXPR: evaluate a Python expression on the JSON in FILE
# bound as j (one object per line: the last line).
json_get() {
	python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# The command must fail with exit code $1; stderr goes to $SCRATCH/err.
expect_exit() {
	want=$1
	shift
	set +e
	"$@" > "$SCRATCH/stdout" 2> "$SCRATCH/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*"
		cat "$SCRATCH/err"
		return 1
	fi
}

# Fingerprint of everything stored, to prove a bad command changed nothing.
db_fingerprint() {
	sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM runs; SELECT count(*) FROM samples; SELECT count(*) FROM metrics; SELECT group_concat(uuid || state) FROM runs;" 2>/dev/null | md5sum
}

test_done() {
	echo "$t_passed passed, $t_failed failed"
	[ "$t_failed" -eq 0 ]
}
