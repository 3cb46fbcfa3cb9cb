#!/bin/sh
# t-hotplug.sh - seed 003's conditions in a 4-vCPU guest (jobs/hotplug.sh):
# several CPUs offline at once from several writer threads, direct reclaim
# reached on purpose (pressure=direct) and proven by the reached gate, and
# a run made to miss the path ending skipped.  One boot, 6.1.0-$NEW.
. "$(dirname "$0")/lib.sh"
C=5

guest hp -n $NEW -t 900 -j "$(job hp hotplug LAB_LABEL=hp LAB_CYCLES=$C)"
check "guest on 6.1.0-$NEW ran and exported" 'guest_ok hp; [ -n "$(uuids hp-conc)" ]'

check 'concurrent=3: three writers, CPUs 1-3 down together, all restored' '
	r=$(uuids hp-conc hotplug)
	mmstorm show "$r" --json > conc.json
	jq "{state, reason, m: (.metrics | {writer_threads, max_cpus_offline, transitions, skipped_transitions, enospc_skips})}" conc.json
	jq -e ".state == \"passed\" and .metrics.writer_threads == 3" conc.json
	jq -e ".metrics.max_cpus_offline == 3" conc.json
	jq -e ".metrics.transitions == 2 * 3 * '$C' and .metrics.skipped_transitions == 0" conc.json
	[ "$(jq -r ".knobs[] | select(.state == \"restored\") | .path" conc.json | sort | tr "\n" " ")" = \
	  "/sys/devices/system/cpu/cpu1/online /sys/devices/system/cpu/cpu2/online /sys/devices/system/cpu/cpu3/online " ]
'

check 'pressure=direct: direct reclaim in the cycles, the gate passed it' '
	r=$(uuids hp-direct hotplug)
	mmstorm show "$r" --json > direct.json
	jq "{state, reason, reached, m: (.metrics | {cycles, cycles_in_direct_reclaim, burst_faults, allocstall_normal, allocstall_movable, allocstall_dma32, pgscan_direct, compact_stall, oom_kill, pressure_direct_reclaim_ms, pressure_ramp_ms, min_mem_available_kb, max_cpus_offline})}" direct.json
	jq -e ".state == \"passed\"" direct.json
	# burst= (64M by default with pressure=direct) faults during each
	# offline; reclaim_cycles=3 cycles on (to 120 at most) until three
	# cycles saw direct reclaim
	jq -e ".metrics.burst_faults >= 1" direct.json
	jq -e ".metrics.cycles_in_direct_reclaim >= 3" direct.json
	jq -e "(.metrics.allocstall_normal + .metrics.allocstall_movable + .metrics.allocstall_dma32) > 0 or .metrics.pgscan_direct > 0" direct.json
	jq -e ".metrics.pressure_direct_reclaim_ms >= 0" direct.json
	jq -e ".metrics.max_cpus_offline >= 2" direct.json
'

check 'a run made to miss direct reclaim ends skipped, not passed' '
	r=$(uuids hp-miss hotplug)
	mmstorm show "$r" --json > miss.json
	jq "{state, reason}" miss.json
	jq -e ".state == \"skipped\" and (.reason | startswith(\"path not reached\"))" miss.json
'

check 'the guest left every CPU online and no knob changed' '
	for f in conc direct miss; do
		jq -e "all(.knobs[]; .state == \"restored\")" $f.json
	done
'
vm_done
