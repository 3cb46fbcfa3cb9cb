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
#
# Skips.  A test this machine cannot run is a skip, never a pass: it is
# counted, printed as "ok N - TITLE # skip REASON" (tests/run-tests.sh
# shows those lines), and summed in every total.  Three ways to skip:
#   test_skip TITLE REASON     instead of a test_expect
#   test_skip_rest REASON      every later test_expect is skipped with
#                              REASON (test_skip_rest "" ends that)
#   test_mark_skipped REASON   inside a test body: the body still runs to
#                              the end (a failure still fails), but a
#                              body that succeeds counts as a skip
# Skip only for what the machine lacks.  When the machine has it (CPU1's
# online file writable, BPF in the kernel, root), a run that skips anyway
# is a failure: t0200 and t0210 check that.
#
# The tally.  test_done prints "P passed, F failed, S skipped" and, as the
# script's very last line, "# tally P F S".  tests/tally.sh reads only
# that last line, so nothing a test prints can change the count; a
# script whose last line is not a tally (it crashed, or printed after
# test_done), whose "ok"/"not ok"/skip lines do not add up to it, or whose
# exit status disagrees with it (non-zero with no failure, zero with one)
# counts as a failure.  Print nothing after test_done, traps included.
#
# Checks on output.  A command substitution loses the command's status:
# `test -z "$(mmstorm lockups)"` passes when mmstorm crashes.  Use
#   run_ok [--output|--empty] CMD [ARG...]
# instead: it fails on a non-zero exit, naming the command; --output also
# fails when CMD printed nothing, --empty when it printed anything.
# Write its output to a file or assign it (x=$(run_ok ...)): in a
# pipeline or inside "$(...)" its status is lost again.

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
t_skipped=0
t_n=0
t_skip_rest=

cleanup_scratch() {
	rm -rf "$SCRATCH"
}
trap cleanup_scratch EXIT

test_expect() {
	if [ -n "$t_skip_rest" ]; then
		test_skip "$1" "$t_skip_rest"
		return 0
	fi
	t_n=$((t_n + 1))
	rm -f "$SCRATCH/.skip"
	# Not inside `if`: there the shell would ignore set -e.
	(cd "$SCRATCH"; set -e; eval "$2") > "$SCRATCH/.out" 2>&1
	t_rc=$?
	if [ $t_rc -eq 0 ] && [ -s "$SCRATCH/.skip" ]; then
		echo "ok $t_n - $1 # skip $(cat "$SCRATCH/.skip")"
		t_skipped=$((t_skipped + 1))
	elif [ $t_rc -eq 0 ]; then
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
	t_skipped=$((t_skipped + 1))
	echo "ok $t_n - $1 # skip $2"
}

test_skip_rest() {
	t_skip_rest=$1
}

# Inside a test body: this test proved nothing here (REASON), so it counts
# as a skip if the rest of the body succeeds.
test_mark_skipped() {
	echo "${1:-no reason given}" | tr '\n' ' ' | sed 's/ *$//' > "$SCRATCH/.skip"
}

# run_ok [--output|--empty] CMD [ARG...]: CMD's stdout on ours; fails on
# CMD's non-zero exit, and with --output on no output, with --empty on
# some output.  Messages go to stderr, which the test shows on failure.
run_ok() {
	local want=any out rc=0
	case "$1" in
	--output) want=output; shift ;;
	--empty) want=empty; shift ;;
	esac
	out=$(mktemp "$SCRATCH/.run_ok.XXXXXX")
	"$@" > "$out" || rc=$?
	if [ $rc -ne 0 ]; then
		echo "error: '$*' exited with $rc" >&2
	elif [ $want = output ] && [ ! -s "$out" ]; then
		echo "error: '$*' printed nothing" >&2
		rc=1
	elif [ $want = empty ] && [ -s "$out" ]; then
		echo "error: '$*' printed:" >&2
		head -n 20 "$out" >&2
		rc=1
	fi
	cat "$out"
	rm -f "$out"
	return $rc
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

# An EXIT trap for scripts that take CPUs down: every CPU back online,
# then the scratch directory removed.
restore_cpus() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f"
	done 2>/dev/null
	cleanup_scratch
}

# The summary, then the machine-read tally as the very last line.
test_done() {
	echo "$t_passed passed, $t_failed failed, $t_skipped skipped"
	echo "# tally $t_passed $t_failed $t_skipped"
	[ "$t_failed" -eq 0 ]
}
