# workloads: thp-munmap x5, hotplug x5, percpu-churn, mmap-churn (label $LAB_LABEL)
# Sourced by the guest's /init (guest/lab-init). $LAB_LABEL and $LAB_RUNS
# come from the lines run-guest.sh's caller put in front of this file.
L=${LAB_LABEL:-lab}
R=${LAB_RUNS:-5}
mmstorm run thp-munmap --size=256M --iterations=3 --repeat="$R" --label="$L" --wait --json
mmstorm run hotplug --require_path=0 --pressure=none --cycles=3 --repeat="$R" --label="$L" --wait --json
mmstorm run percpu-churn --count=500 --cycles=2 --label="$L" --wait --json
mmstorm run mmap-churn --iterations=2000 --label="$L" --wait --json
if [ "${LAB_LOCKUP:-0}" = 1 ]; then
	# A real soft lockup inside a run: mmap-churn runs 50 s under mmstormd,
	# a kthread spins 25 s with preemption off on CPU 1 (the RCU stall
	# report at 7 s touches the soft-lockup watchdog: 15 s gives no soft lockup).
	mmstorm run mmap-churn --duration=50s --label="$L" --json
	lab_wait_running 60 && sleep 3 && lab_inject softlockup 25 1
	lab_wait_idle 300
	mmstorm runs
fi
mmstorm runs
