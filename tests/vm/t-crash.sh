#!/bin/sh
# t-crash.sh - crash recovery for real: ramoops in a memmap= reservation,
# a panic in the middle of a run, a warm reboot that keeps guest RAM, and the
# guest's mmstormd at the next boot marking the run crashed with the pstore
# log as its event, then running the rest of its queue.
#
#   quick: sysrq-c
#   full:  also a soft lockup with kernel.softlockup_panic=1
. "$(dirname "$0")/lib.sh"
MODES="sysrq"
[ "$QUICK" = 1 ] || MODES="sysrq softlockup"

for m in $MODES; do
	# A fresh disk (run-guest.sh's default, in the step's directory) and a
	# host database per mode, so that the labels name one mode's runs.
	export MMSTORM_DB="$VMWORK/host-$m.db"
	guest "crash-$m" -n $NEW -R -b 3 -t 900 -j "$(job "crash-$m" crash LAB_CRASH=$m)"
	check "$m: the guest panicked, reset warm and booted again" '
		guest_ok crash-'$m'
		console crash-'$m' | grep -E "Kernel panic - not syncing|mmstorm-lab: (boot=|crashing|after the crash)"
		[ "$(console crash-'$m' | grep -c "mmstorm-lab: boot=")" = 2 ]
		console crash-'$m' | grep -q "Kernel panic - not syncing"
		console crash-'$m' | grep -q "mmstorm-lab: done"'
	check "$m: ramoops kept the panic log across the reset (pstore at boot 2)" '
		# listed by /init before mmstormd starts (it removes them once stored)
		console crash-'$m' | grep "mmstorm-lab: boot=2 " | grep -q "pstore=dmesg-ramoops-"'
	check "$m: the run in progress is crashed, with the pstore record as its event" '
		r=$(uuids crash-victim); [ -n "$r" ]
		mmstorm show "$r"
		mmstorm show "$r" --json > v.json
		jq -e ".state == \"crashed\"" v.json
		jq -e "[.events[] | select(.source == \"pstore\")] | length >= 1" v.json
		case '$m' in
		sysrq) jq -e "[.events[] | select(.source == \"pstore\" and .kind == \"panic\" and (.title | test(\"sysrq triggered crash\")))] | length >= 1" v.json ;;
		softlockup) jq -e "[.events[] | select(.source == \"pstore\" and (.kind == \"soft_lockup\" or .kind == \"panic\") and (.title | test(\"soft ?lockup\")))] | length >= 1" v.json ;;
		esac
		# the dmesg text is kept with the run
		mmstorm export "$r" | jq -se "any(.[]; .type == \"artifact\" and (.name | startswith(\"pstore/\")))"'
	check "$m: the queue went on: the next job ran in the second boot" '
		a=$(uuids after-crash); [ -n "$a" ]
		mmstorm show "$a" --json > a.json
		mmstorm show "$(uuids crash-victim)" --json > v.json
		jq -e ".state == \"passed\"" a.json
		[ "$(jq -r .boot_id a.json)" != "$(jq -r .boot_id v.json)" ]
		[ "$(jq -r .started_ns a.json)" -gt "$(jq -r .started_ns v.json)" ]'
done
vm_done
