#!/bin/sh
# t-lockup.sh - real lockups inside runs: the inject module fires while
# mmstormd (started by the guest's /init) runs an mmap-churn job; the
# guest's daemon records each event with its kind, a stable title and the
# run it fell into; `mmstorm lockups` on the host shows them per build.
#
#   quick: softlockup (a soft lockup and an RCU stall)
#   full:  also rcustall-task, hungtask and warning
. "$(dirname "$0")/lib.sh"
SCEN="softlockup"
[ "$QUICK" = 1 ] || SCEN="softlockup rcustall-task hungtask warning"
guest lockup -n $NEW -t 1500 -j "$(job lockup lockup "LAB_SCENARIOS=$SCEN")"
check 'guest ran the lockup job and exported' 'guest_ok lockup; [ -n "$(uuids lockup-softlockup)" ]'

# has_event SCENARIO KIND TITLE: an event of that kind and title in the run
# labelled lockup-SCENARIO, and in no other run.
has_event() {
	r=$(uuids "lockup-$1")
	[ -n "$r" ]
	[ "$(echo "$r" | wc -l)" = 1 ]
	mmstorm show "$r" --json > "$1.json"
	jq -r ".events[] | \"\(.kind)  \(.title)\"" "$1.json"
	jq -e --arg k "$2" --arg t "$3" "[.events[] | select(.kind == \$k and .title == \$t)] | length >= 1" "$1.json"
	# the same title in no other run
	run_ok --output mmstorm runs --limit 1000 --json > all.json
	for o in $(jq -r .run all.json); do
		[ "$o" = "$r" ] && continue
		mmstorm show "$o" --json | jq -e --arg t "$3" "[.events[] | select(.title == \$t)] | length == 0" > /dev/null
	done
}
check 'soft lockup: kind soft_lockup, title, in its run' '
	has_event softlockup soft_lockup "BUG: soft lockup in mmstorm_inject_softlockup_fn"'
check 'the same lockup as an RCU stall: kind rcu_stall, in its run' '
	has_event softlockup rcu_stall "INFO: rcu detected stall in mmstorm_inject_softlockup_fn"'
if [ "$QUICK" != 1 ]; then
	check 'RCU stall of a task in rcu_read_lock(): kind rcu_stall' '
		r=$(uuids lockup-rcustall-task); mmstorm show "$r" --json | jq -r ".events[] | \"\(.kind)  \(.title)\""
		mmstorm show "$r" --json | jq -e "[.events[] | select(.kind == \"rcu_stall\")] | length >= 1"'
	check 'hung task: kind hung_task, title, in its run' '
		has_event hungtask hung_task "INFO: task hung in mmstorm_inject_hungtask_fn"'
	check 'WARNING: kind warning, title, in its run' '
		has_event warning warning "WARNING in mmstorm_inject_warning_fn"'
fi
check 'mmstorm lockups on the host: per build, with the reproduction rate' '
	mmstorm lockups
	mmstorm lockups --json > l.json
	jq -se "any(.[]; .kind == \"soft_lockup\" and .title == \"BUG: soft lockup in mmstorm_inject_softlockup_fn\" and .kernel == \"6.1.0-$NEW-cloud-amd64\" and .runs_hit == 1)" l.json
	mmstorm lockups --kernel 6.1.0-$NEW-cloud-amd64 --json | jq -se "any(.[]; .kind == \"soft_lockup\")"
'
check 'a lockup run is not "passed" silently: verdict on this build says bad' '
	rc=0; mmstorm verdict --baseline 6.1.0-$NEW-cloud-amd64 --kernel 6.1.0-$NEW-cloud-amd64 --workload mmap-churn || rc=$?
	[ $rc = 1 ]'
vm_done
