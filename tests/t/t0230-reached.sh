#!/bin/sh
# Reached gates (issue 14): a run made to miss the kernel path its
# workload exists for must not pass.  It ends 'skipped' with the proofs
# that failed as its reason; `show` prints the path and every proof with
# the value observed; require_path=0 keeps the run's own state and
# records the proof all the same.  Runs workloads and hotplug: run it
# under flock /tmp/mmstorm-machine.lock.
. "$(dirname "$0")/lib.sh"

trap restore_cpus EXIT

state() { json_get "$1" "j[\"state\"]"; }
reason() { json_get "$1" "j[\"reason\"]"; }

# The proof WHAT of a run as "observed ok" from show --json.
proof() {
	mmstorm show "$(json_get "$1" "j[\"run\"]")" --json > "$1.show" &&
	json_get "$1.show" "[(p[\"observed\"], p[\"ok\"]) for p in j[\"reached\"][\"proofs\"] if p[\"what\"] == \"$2\"][0]"
}

cpu1=/sys/devices/system/cpu/cpu1/online
if [ -w $cpu1 ]; then
	test_expect 'hotplug without pressure: no direct reclaim, skipped' '
		mmstorm run hotplug --pressure=none --cycles=2 --json > hp.json &&
		test "$(state hp.json)" = skipped &&
		reason hp.json | grep -q "^path not reached: cycles with direct reclaim (metric:cycles_in_direct_reclaim = 0, needs >= 1)$" &&
		proof hp.json "cycles with direct reclaim" | grep -qx "(0.0, False)" &&
		json_get hp.json.show "j[\"reached\"][\"reached\"]" | grep -qx False &&
		test "$(cat /sys/devices/system/cpu/online)" = "$(cat /sys/devices/system/cpu/present)"
	'
	test_expect 'show prints the path and each proof with its value' '
		mmstorm show "$(json_get hp.json "j[\"run\"]")" > hp.txt &&
		grep -q "^path .*drain_all_pages.*: NOT reached$" hp.txt &&
		grep -Eq "^cycles with direct reclaim +metric:cycles_in_direct_reclaim +0 +>= 1 +MISSED$" hp.txt &&
		grep -Eq "^CPUs taken down +[a-z.:_]+ +[1-9][0-9]* +>= 1 +ok$" hp.txt
	'
	test_expect 'verdict does not count a run that missed its path' '
		expect_exit 125 mmstorm verdict --baseline "$(uname -r)" --workload hotplug &&
		grep -q "path not reached" "$SCRATCH/stdout" "$SCRATCH/err"
	'
	test_expect 'require_path=0: the run passes, the miss is still recorded' '
		mmstorm run hotplug --pressure=none --cycles=1 --require_path=0 --json > hp0.json &&
		test "$(state hp0.json)" = passed &&
		proof hp0.json "cycles with direct reclaim" | grep -qx "(0.0, False)"
	'
else
	test_skip "hotplug gate" "$cpu1 is not writable"
fi

thp=$(sed -n "s/.*\[\(.*\)\].*/\1/p" /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ "$thp" = always ] || [ "$thp" = madvise ]; then
	# Both threads pinned on CPU 0: no other CPU in the mm's cpumask,
	# so munmap sends no TLB-flush IPI.
	test_expect 'thp-munmap with every thread on one CPU: no TLB IPIs, skipped' '
		taskset -c 0 mmstorm run thp-munmap --size=64M --threads=2 --json > tm.json &&
		test "$(state tm.json)" = skipped &&
		reason tm.json | grep -q "^path not reached: TLB-flush IPIs at munmap (metric:munmap_tlb_irqs = 0, needs >= 1)$" &&
		proof tm.json "huge pages mapped" | grep -q ", True)$"
	'
	# x86 flushes once per munmap (tlb_finish_mmu()): one IPI to the
	# other thread's CPU, none when a busy machine gave that CPU to
	# another task at that moment (then the run is skipped, not failed).
	test_expect 'thp-munmap with threads on two CPUs: passes, or misses only the IPI' '
		mmstorm run thp-munmap --size=64M --threads=2 --iterations=3 --json > tm2.json &&
		case "$(state tm2.json)" in
		passed) proof tm2.json "TLB-flush IPIs at munmap" | grep -q ", True)$" ;;
		skipped) reason tm2.json | grep -q "^path not reached: TLB-flush IPIs at munmap (metric:munmap_tlb_irqs = 0, needs >= 1)$" &&
			test_mark_skipped "no TLB IPI at munmap: $(uptime)" ;;
		*) false ;;
		esac
	'
else
	test_skip "thp-munmap gate" "THP unavailable here: '$thp'"
fi

# For a second, not 500 maps: a slow (ASAN) reader may not have started
# before 500 maps are done, and then no read raced them.
test_expect 'mmap-churn backing=file does not ask for huge pages' '
	mmstorm run mmap-churn --backing=file --duration=1s --iterations=0 --json > mf.json &&
	test "$(state mf.json)" = passed &&
	mmstorm show "$(json_get mf.json "j[\"run\"]")" --json > mf.show &&
	json_get mf.show "len(j[\"reached\"][\"proofs\"])" | grep -qx 2 &&
	json_get mf.show "j[\"reached\"][\"reached\"]" | grep -qx True
'

# One BPF map of one 8-byte entry fits in percpu memory already there.
test_expect 'percpu-churn too small to need a chunk: skipped, or no BPF' '
	mmstorm run percpu-churn --count=1 --entries=1 --value_size=8 --cycles=1 --settle_quiet=50ms --json > pc.json &&
	case "$(reason pc.json)" in
	"path not reached: chunks created (tp.percpu.percpu_create_chunk = 0, needs >= 1)"*) ;;
	"path not reached: chunks created (tp.percpu.percpu_create_chunk = not recorded"*) ;;
	*) test "$(state pc.json)" = skipped && test_mark_skipped "$(reason pc.json)" ;;
	esac &&
	test "$(state pc.json)" = skipped
'

test_done
