# lockup: real lockups inside runs, recorded by the guest's mmstormd
# LAB_SCENARIOS: inject scenarios, one mmap-churn run (label lockup-SCENARIO)
# each, triggered 3 s after the run started. Stall scenarios spin 25 s on
# CPU 1: the RCU stall report at 7 s touches the soft-lockup watchdog, so
# the soft lockup (2 * watchdog_thresh = 10 s) is reported at about 19 s.
for s in ${LAB_SCENARIOS:-softlockup}; do
	case $s in
	softlockup|rcustall|rcustall-task) trig="$s 25 1"; d=50s ;;
	hungtask) trig="hungtask 15"; d=40s ;;
	*) trig=$s; d=20s ;;
	esac
	mmstorm run mmap-churn --duration=$d --label="lockup-$s" --json
	lab_wait_running 120 && sleep 3 && lab_inject $trig
	lab_wait_idle 600
done
mmstorm runs
mmstorm lockups
