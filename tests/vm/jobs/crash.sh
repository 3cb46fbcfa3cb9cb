# crash: a panic mid-run, ramoops, a warm reboot, recovery, the queue goes on
# Boot 1 queues two jobs, waits for the first run to start, then panics the
# kernel (LAB_CRASH: "sysrq" = echo c > /proc/sysrq-trigger; "softlockup" =
# kernel.softlockup_panic=1 and the inject module's soft lockup on CPU 1).
# panic=1 resets the machine; qemu (run without -no-reboot) keeps the guest's
# RAM, so ramoops finds the panic log. Boot 2's mmstormd marks the run
# crashed with the pstore record as its event and runs the second job.
if [ ! -e "$LAB_DIR/crash-armed" ]; then
	mmstorm run mmap-churn --duration=120s --label=crash-victim --json
	mmstorm run thp-munmap --size=128M --label=after-crash --json
	lab_wait_running 120
	sleep 3
	echo "$LAB_BOOT" > "$LAB_DIR/crash-armed"
	sync
	say "crashing: ${LAB_CRASH:-sysrq}"
	case ${LAB_CRASH:-sysrq} in
	sysrq) echo c > /proc/sysrq-trigger ;;
	softlockup) sysctl -q -w kernel.softlockup_panic=1; lab_inject softlockup 25 1 ;;
	esac
	sleep 120
	say "still alive after the crash trigger"
else
	say "after the crash (armed in boot $(cat "$LAB_DIR/crash-armed")): pstore has: $(ls /sys/fs/pstore | tr '\n' ' ')"
	lab_wait_idle 600
	mmstorm runs
fi
