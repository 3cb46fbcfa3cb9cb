#!/bin/sh
# percpu-churn's per-CPU check (seed 002: a stale translation on other
# CPUs): a BPF program run on every online CPU reads that CPU's copy of
# each surviving percpu value.  It passes on a good kernel, it fails on
# every CPU when told to expect a wrong value, a kernel that refuses it
# is recorded unavailable (the user-space check still runs), and the
# surviving memcgs and netns are checked too.  Runs workloads: only under
# flock /tmp/mmstorm-machine.lock.
. "$(dirname "$0")/lib.sh"

online=$(python3 -c '
import sys
n = 0
for part in open("/sys/devices/system/cpu/online").read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')
# Too small to need a new chunk: the reached gate is not what this tests.
small="--source=bpf --count=100 --cycles=1 --settle_quiet=200ms --require_path=0"

mmstorm run percpu-churn $small --procs=1 --cpu_verify=0 --json \
    > "$SCRATCH/probe.json" 2>&1 || true
if [ "$(json_get "$SCRATCH/probe.json" "j[\"state\"]" 2>/dev/null)" != passed ]; then
	why=$(json_get "$SCRATCH/probe.json" "j[\"reason\"]" 2>/dev/null ||
	    head -n 1 "$SCRATCH/probe.json")
	# As t0210: root on a kernel with BPF has no reason to skip.
	if [ "$(id -u)" = 0 ] && [ -e /proc/sys/kernel/unprivileged_bpf_disabled ]; then
		test_expect 'root on a kernel with BPF: the probe run passes' '
			echo "probe: $why"; false
		'
	fi
	test_skip_rest "no BPF percpu arrays here: $why"
fi

# The body of a test runs in $SCRATCH; this does not.
mmstorm run percpu-churn $small --procs=2 --json > "$SCRATCH/ok.json" 2>/dev/null || true
if json_get "$SCRATCH/ok.json" "j[\"run\"]" > /dev/null 2>&1 &&
    mmstorm show "$(json_get "$SCRATCH/ok.json" "j[\"run\"]")" --json > "$SCRATCH/okshow.json" &&
    json_get "$SCRATCH/okshow.json" "j.get(\"unavailable\") or []" | grep -q cpu_verify; then
	test_skip_rest "$(json_get "$SCRATCH/okshow.json" "j[\"unavailable\"]")"
fi

test_expect 'the per-CPU check runs on every online CPU and passes' '
	test "$(json_get ok.json "j[\"state\"]")" = passed &&
	m="j[\"metrics\"]" &&
	json_get ok.json "$m[\"bpf_verify_cpus\"] == $online" | grep -qx True &&
	json_get ok.json "$m[\"bpf_verify_mismatches\"] == 0" | grep -qx True &&
	json_get ok.json "$m[\"corrupt_values\"] == 0" | grep -qx True &&
	json_get ok.json "$m[\"procs\"] == 2" | grep -qx True &&
	# 2 processes x 10 survivors x 2 checks (after the free, after
	# Percpu settled) x 16 keys / 8 a run x each CPU.
	json_get ok.json "$m[\"bpf_verify_runs\"] == 2 * 10 * 2 * 2 * $online" | grep -qx True
'

test_expect 'a wrong expected value fails the BPF check on each CPU, not the user-space one' '
	export MMSTORM_TEST_BPF_EXPECT_XOR=0x1 &&
	expect_exit 1 mmstorm run percpu-churn \
	    $small --procs=1 --json &&
	cp "$SCRATCH/stdout" bad.json &&
	test "$(json_get bad.json "j[\"state\"]")" = failed &&
	json_get bad.json "j[\"reason\"]" | grep -q "BPF checks on a value.s own CPU failed" &&
	m="j[\"metrics\"]" &&
	json_get bad.json "$m[\"bpf_verify_mismatches\"] > 0" | grep -qx True &&
	json_get bad.json "$m[\"corrupt_values\"] == 0" | grep -qx True &&
	mmstorm show "$(json_get bad.json "j[\"run\"]")" --json > badshow.json &&
	json_get badshow.json "[e[\"text\"] for e in j[\"events\"] if e[\"title\"] == \"percpu-churn: BPF percpu value wrong on its own CPU\"][0]" > event.txt &&
	grep -q "map [0-9]*" event.txt &&
	grep -q "cpu [0-9]*.s own slot" event.txt &&
	for cpu in $(python3 -c "
import re
for part in open(\"/sys/devices/system/cpu/online\").read().strip().split(\",\"):
    a, _, b = part.partition(\"-\")
    print(*range(int(a), int(b or a) + 1))"); do
		grep -q "cpu $cpu: [1-9]" event.txt || { echo "cpu $cpu: no mismatch in: $(cat event.txt)"; exit 1; }
	done
'

test_expect 'a value really changed (selftest_corrupt) is found by the BPF check on its CPU too' '
	expect_exit 1 mmstorm run percpu-churn $small --procs=1 \
	    --selftest_corrupt=1 --json &&
	cp "$SCRATCH/stdout" sc.json &&
	json_get sc.json "j[\"metrics\"][\"corrupt_values\"]" | grep -qx 1.0 &&
	json_get sc.json "j[\"metrics\"][\"bpf_verify_mismatches\"] >= 1" | grep -qx True &&
	mmstorm show "$(json_get sc.json "j[\"run\"]")" --json > scshow.json &&
	first=$(cut -d, -f1 /sys/devices/system/cpu/possible | cut -d- -f1) &&
	json_get scshow.json "[e[\"text\"] for e in j[\"events\"] if \"own CPU\" in e[\"title\"]][0]" |
	    grep -q "key 0, cpu $first.s own slot"
'

# Without CAP_SYS_ADMIN and CAP_PERFMON the maps can still be made
# (CAP_BPF) but a raw tracepoint program cannot be loaded: the kernel's
# own EPERM, not a simulated one.
if setpriv --bounding-set=-sys_admin,-perfmon true 2>/dev/null; then
	test_expect 'a kernel that refuses the program: unavailable once, user-space check, passes' '
		setpriv --bounding-set=-sys_admin,-perfmon \
		    "$BUILD/mmstorm" run percpu-churn $small --procs=1 \
		    --json > noperm.json 2>/dev/null || true &&
		test "$(json_get noperm.json "j[\"state\"]")" = passed &&
		m="j[\"metrics\"]" &&
		json_get noperm.json "\"bpf_verify_runs\" not in $m" | grep -qx True &&
		json_get noperm.json "$m[\"verified_values\"] > 0" | grep -qx True &&
		mmstorm show "$(json_get noperm.json "j[\"run\"]")" --json > noshow.json &&
		json_get noshow.json "[u for u in j[\"unavailable\"] if \"cpu_verify\" in u]" > un.txt &&
		json_get noshow.json "len([u for u in j[\"unavailable\"] if \"cpu_verify\" in u])" | grep -qx 1 &&
		grep -q "Operation not permitted" un.txt
	'
else
	test_skip 'a kernel that refuses the program' 'setpriv cannot drop capabilities here'
fi

test_expect 'memcg and netns survivors are checked and read back as expected' '
	mmstorm run percpu-churn --source=mix --procs=2 --count=60 --cycles=1 --require_path=0 \
	    --settle_quiet=300ms --json > mix.json || true &&
	state=$(json_get mix.json "j[\"state\"]") &&
	if [ "$state" = skipped ]; then
		test_mark_skipped "$(json_get mix.json "j[\"reason\"]")"
	else
		test "$state" = passed &&
		m="j[\"metrics\"]" &&
		json_get mix.json "$m[\"survivors_checked\"] > 0" | grep -qx True &&
		json_get mix.json "$m[\"survivors_wrong\"] == 0" | grep -qx True &&
		json_get mix.json "$m[\"bpf_verify_runs\"] > 0" | grep -qx True
	fi
'

test_done
