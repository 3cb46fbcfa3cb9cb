# lib.sh - shared by tests/vm/t-*.sh (the VM lab's tests; built on
# tests/t/lib.sh: its run_ok, and its summary and "# tally" last line).
#
#   . "$(dirname "$0")/lib.sh"
#   guest boot1 -n $NEW -j "$(job boot1 workloads LAB_LABEL=c$NEW)"   # boots, imports
#   check 'two builds' '[ "$(mmstorm kernels --json | wc -l)" = 2 ]'
#   vm_done
#
# Environment:
#   MMSTORM_VM_QUICK=1   the CI subset (fewer runs, fewer scenarios)
#   MMSTORM_VM_NEW, MMSTORM_VM_OLD   the two kernel ABIs (default: the
#                        newest two in apt; abis.sh)
#   MMSTORM_VM_WORK=DIR  keep everything here (default: a new /tmp dir,
#                        removed at the end unless a check failed or
#                        MMSTORM_VM_KEEP=1)
#   MMSTORM_VM_TIMINGS=FILE   append "test step seconds result" lines
#   BUILD                where mmstorm/mmstormd are (default build)
# The host side uses its own scratch database ($VMWORK/host.db) and no
# daemon: nothing of the host's own mmstorm state is touched.
VMDIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VMDIR/../.." && pwd)
. "$TOP/tests/t/lib.sh"
# NEW, OLD: the two kernel ABIs the tests boot (abis.sh)
. "$VMDIR/abis.sh"
vm_pick_abis || exit 1
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export MMSTORM_BUILD=$BUILD PATH="$BUILD:$PATH"
QUICK=${MMSTORM_VM_QUICK:-0}
TNAME=$(basename "$0" .sh)
if [ -n "${MMSTORM_VM_WORK:-}" ]; then
	VMWORK=$MMSTORM_VM_WORK/$TNAME
	rm -rf "$VMWORK"
	mkdir -p "$VMWORK"
else
	VMWORK=$(mktemp -d "/tmp/mmstorm-$TNAME.XXXXXX")
fi
export MMSTORM_DB="$VMWORK/host.db" MMSTORM_SOCKET="$VMWORK/no-daemon.sock"
TIMINGS=${MMSTORM_VM_TIMINGS:-$VMWORK/timings}
t_passed=0 t_failed=0 t_n=0

vm_keep() {
	[ "$t_failed" != 0 ] || [ "${MMSTORM_VM_KEEP:-0}" = 1 ] || [ -n "${MMSTORM_VM_WORK:-}" ]
}
# Nothing printed here once vm_done has: the tally is the last line.
vm_cleanup() {
	vm_keep || rm -rf "$VMWORK"
	[ -n "$vm_done" ] || ! vm_keep || echo "# kept: $VMWORK"
	cleanup_scratch
}
vm_done=
trap vm_cleanup EXIT

# job NAME TEMPLATE [VAR=VALUE ...]: $VMWORK/NAME.job = the assignments,
# then tests/vm/jobs/TEMPLATE.sh. Prints its path.
job() {
	local name=$1 tpl=$2 f
	shift 2
	f=$VMWORK/$name.job
	{
		echo "# $name ($tpl.sh)"
		for a in "$@"; do printf '%s=%s\n' "${a%%=*}" "'${a#*=}'"; done
		cat "$VMDIR/jobs/$tpl.sh"
	} > "$f"
	echo "$f"
}

# guest STEP [run-guest.sh options]: boot one guest with output in
# $VMWORK/STEP, record its time, import its export into the host database.
# Returns run-guest.sh's status (the import's when that fails), and keeps
# it for guest_ok.
guest() {
	local step=$1 t0 t1 rc line
	shift
	t0=$(date +%s.%N)
	"$VMDIR/run-guest.sh" -o "$VMWORK/$step" "$@" > "$VMWORK/$step.out" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	line=$(grep '^run-guest:' "$VMWORK/$step.out" | tail -1)
	echo "# $step: ${line#run-guest: }"
	printf '%s %s %.0f %s\n' "$TNAME" "$step" "$(echo "$t1 - $t0" | bc)" "${line##* }" >> "$TIMINGS"
	if [ -s "$VMWORK/$step/export.jsonl" ]; then
		mmstorm import "$VMWORK/$step/export.jsonl" >> "$VMWORK/$step.out" 2>&1 || rc=1
	fi
	[ $rc = 0 ] || tail -5 "$VMWORK/$step.out" | sed 's/^/#   /'
	echo $rc > "$VMWORK/$step.rc"
	return $rc
}

# guest_ok STEP: inside a check, that guest STEP booted, ran its job,
# powered off and its fresh export was imported (run-guest.sh's status).
guest_ok() {
	if [ "$(cat "$VMWORK/$1.rc" 2>/dev/null)" != 0 ]; then
		echo "guest $1 failed: $(grep '^run-guest:' "$VMWORK/$1.out" | tail -1)"
		tail -5 "$VMWORK/$1.out"
		return 1
	fi
}

# check DESCRIPTION SCRIPT: one TAP line; SCRIPT runs in a subshell with set -e.
check() {
	t_n=$((t_n + 1))
	(cd "$VMWORK"; set -e; eval "$2") > "$VMWORK/.out" 2>&1
	if [ $? -eq 0 ]; then
		echo "ok $t_n - $1"
		t_passed=$((t_passed + 1))
	else
		echo "not ok $t_n - $1"
		sed 's/^/#   /' "$VMWORK/.out" | tail -20
		t_failed=$((t_failed + 1))
	fi
}

# vm_night [WORDS]: one `mmstorm nightly --config $VMWORK/nightly.conf`,
# its output in night.out (printed) and night.err, its time recorded;
# sets NIGHT_RC and NIGHT_SECS.  WORDS go into the "# nightly" line.
vm_night() {
	local t0
	t0=$(date +%s)
	mmstorm nightly --config "$VMWORK/nightly.conf" > "$VMWORK/night.out" 2> "$VMWORK/night.err"
	NIGHT_RC=$?
	NIGHT_SECS=$(( $(date +%s) - t0 ))
	echo "# nightly${1:-}: exit $NIGHT_RC, $NIGHT_SECS s"
	printf '%s %s %s %s\n' "$TNAME" nightly "$NIGHT_SECS" "exit=$NIGHT_RC" >> "$TIMINGS"
	sed 's/^/# /' "$VMWORK/night.out"
}
# console STEP: the guest's console, without the CRs of the 8250 driver.
console() { tr -d '\r' < "$VMWORK/$1/console.log"; }

# uuids LABEL [WORKLOAD]: run uuids of the host database with that label.
uuids() {
	run_ok mmstorm runs --limit 100000 --json > "$VMWORK/.runs.json" &&
		jq -r --arg l "$1" --arg w "${2:-}" 'select(.label == $l and ($w == "" or .workload == $w)) | .run' "$VMWORK/.runs.json"
}

vm_done() {
	! vm_keep || echo "# kept: $VMWORK"
	vm_done=1
	test_done
}
