# wide: thp-munmap threads 1..N and hotplug with N online CPUs (label $LAB_LABEL)
# Sourced by the guest's /init (guest/lab-init) of a many-vCPU guest
# (run-guest.sh -c N), made by bench/vm-wide.sh, which puts these
# assignments in front of this file:
#   LAB_LABEL      run label (default wide)
#   WIDE_SIZE      thp-munmap region (default 128M: 64 THPs)
#   WIDE_ITER      thp-munmap iterations per run (default 1); medians
#   WIDE_THREADS   thread counts, one thp-munmap run each (set and empty: none)
#   WIDE_ONLINE    online CPU counts, one hotplug run each (set and empty: none)
#   WIDE_CYCLES    hotplug cycles of CPU 1 per run
#   WIDE_RUN_S     bound of one thp-munmap run in seconds (--duration: the
#                  iterations done by then count; default 600)
#   WIDE_BUDGET    guest seconds after which no new run starts (the boot
#                  then exports what it has instead of being killed)
# One run per point, so that each run's tracepoint counters (the sampler's
# tp.tlb.tlb_flush.* at the munmap-start/-end samples) belong to one N.
# The points are interleaved (1, N, N/2, 2, ...) so that a budget cut
# leaves the ends of the curve.  Under TCG every busy vCPU is a host
# thread: an iteration with N spinning threads takes about N times as long
# (3-7 minutes at N = 12-16 on this busy 2-CPU host), hence 1 iteration.
# The sampler samples every 5 s: under TCG a sample of the per-CPU
# tracepoint groups costs one IPI per vCPU, each waiting for that vCPU's
# host thread to be scheduled.
L=${LAB_LABEL:-wide}
N=$(nproc)
budget_left() {
	[ "$(cut -d. -f1 /proc/uptime)" -lt "${WIDE_BUDGET:-1500}" ] && return 0
	say "wide: budget of ${WIDE_BUDGET:-1500} s spent, skipping $*"
	return 1
}
say "wide: $N CPUs, tracefs events: $(ls -d /sys/kernel/debug/tracing/events/tlb/tlb_flush /sys/kernel/debug/tracing/events/cpuhp/cpuhp_enter 2>/dev/null | tr '\n' ' ')"
done_t=" "
for t in ${WIDE_THREADS-1 $N $((N / 2)) 2 $((N / 4)) $((3 * N / 4)) 4}; do
	[ "$t" -le "$N" ] || continue
	case $done_t in *" $t "*) continue ;; esac
	done_t="$done_t$t "
	# THP coverage falls in later runs of a boot (tests/vm/README.md):
	# compact first.  A run that failed on coverage had its munmap timed
	# (bench/vm-wide.py uses it); one that failed otherwise is retried once.
	for try in 1 2; do
		budget_left "thp-munmap threads=$t" || break
		echo 1 > /proc/sys/vm/compact_memory
		say "wide: thp-munmap threads=$t try $try"
		mmstorm run thp-munmap --threads="$t" --size="${WIDE_SIZE:-128M}" \
			--iterations="${WIDE_ITER:-1}" --duration="${WIDE_RUN_S:-600}s" \
			--sample_ms=5000 --label="$L" \
			--wait --json > /tmp/wide.json
		grep -qE '"state": *"passed"|"reason": *"THP coverage' /tmp/wide.json && break
	done
done
# Hotplug with n online CPUs: CPU 1 goes down and up WIDE_CYCLES times
# while the others stay online.  CPUs n.. are taken offline first.
for n in ${WIDE_ONLINE-$N 2 $((N / 2)) $((N / 4)) $((3 * N / 4))}; do
	[ "$n" -le "$N" ] && [ "$n" -ge 2 ] || continue
	budget_left "hotplug with $n CPUs" || break
	c=1
	while [ "$c" -lt "$N" ]; do
		if [ "$c" -lt "$n" ]; then v=1; else v=0; fi
		echo $v > "/sys/devices/system/cpu/cpu$c/online" 2>/dev/null
		c=$((c + 1))
	done
	say "wide: hotplug with $(grep -c '^processor' /proc/cpuinfo) online CPUs"
	mmstorm run hotplug --require_path=0 --pressure=none --cpus=1 \
		--cycles="${WIDE_CYCLES:-5}" --sample_ms=5000 --label="$L" \
		--wait --json > /dev/null
done
for c in $(seq 1 $((N - 1))); do
	echo 1 > "/sys/devices/system/cpu/cpu$c/online" 2>/dev/null
done
mmstorm runs --limit 1000
