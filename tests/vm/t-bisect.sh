#!/bin/sh
# t-bisect.sh - a real `git bisect run` through guests.
#
# A throwaway git repository whose commits each select a kernel build and a
# command line (lab.conf, read by tests/vm/bisect-step). One commit in the
# middle adds mmstorm_inject.munmap_stall_secs=25: with it, the kernel's
# first large munmap spins 25 s with preemption off (a kprobe of the inject
# module on __x64_sys_munmap), which the guest's mmstormd records as
# "INFO: rcu detected stall in sys_munmap" and, in most runs, also as
# "BUG: soft lockup in sys_munmap" (the RCU stall report touches the
# soft-lockup watchdog; when it comes late the 25 s are over first). The other commits
# change harmless things (the other kernel, mitigations=off, THP madvise,
# audit=0). The baseline: 5 runs labelled "good" on the first commit's
# build. Each step runs thp-munmap 4 times and asks verdict with
# --metric thp_coverage_pct. (A timing metric cannot judge here: under TCG
# on a loaded 2-core host munmap_ms has a CV of 23-66 % run to run, so
# verdict answers 125 for good and bad commits alike; see README.md.)
# The bisection must name exactly the munmap_stall commit.
. "$(dirname "$0")/lib.sh"
REPO=$VMWORK/kernel-lab
export LAB_DISK=$VMWORK/disk.img BASELINE=good WORKLOAD=thp-munmap RUNS=4
export METRIC=thp_coverage_pct SET="size=256M iterations=1"
export BISECT_LOG=$VMWORK/bisect.log BISECT_OUT=$VMWORK/steps
W="mitigations=off transparent_hugepage=madvise"

mkdir -p "$REPO"
(
	cd "$REPO" && git init -q && git config user.email lab@mmstorm && git config user.name "mmstorm lab"
	c() { printf 'KERNEL=%s\nAPPEND="%s"\n' "$1" "$2" > lab.conf; git add lab.conf; git commit -q -m "$3"; }
	c $OLD "" "lab: 6.1.0-$OLD, stock command line"
	c $NEW "" "lab: move to 6.1.0-$NEW"
	c $NEW "mitigations=off" "lab: mitigations=off"
	c $NEW "$W" "lab: THP only where asked"
	c $NEW "$W mmstorm_inject.munmap_stall_secs=25" "lab: instrument munmap (stalls it)"
	c $NEW "$W mmstorm_inject.munmap_stall_secs=25 audit=0" "lab: audit off"
	c $OLD "$W mmstorm_inject.munmap_stall_secs=25 audit=0" "lab: back to 6.1.0-$OLD"
	c $NEW "$W mmstorm_inject.munmap_stall_secs=25 audit=0" "lab: 6.1.0-$NEW again"
)
GOOD=$(git -C "$REPO" rev-list --max-parents=0 HEAD)
BAD=$(git -C "$REPO" rev-parse HEAD)
CULPRIT=$(git -C "$REPO" log --format=%H --grep='instrument munmap')

guest baseline -n $OLD -d "$LAB_DISK" -t 1200 \
	-j "$(job baseline baseline LAB_LABEL=good LAB_RUNS=5 "LAB_SET=$SET")"
check 'baseline: 5 runs labelled good on the first commit'"'"'s build' '
	[ "$(uuids good thp-munmap | wc -l)" = 5 ]'

t0=$(date +%s)
(
	cd "$REPO" && git bisect start "$BAD" "$GOOD" > /dev/null &&
	git bisect run "$VMDIR/bisect-step"
) > "$VMWORK/bisect.out" 2>&1
t1=$(date +%s)
echo "$TNAME bisect $((t1 - t0)) $(cat "$BISECT_LOG" 2>/dev/null | wc -l)-steps" >> "$TIMINGS"
sed 's/^/# /' "$BISECT_LOG" 2>/dev/null
check 'git bisect run names exactly the munmap_stall commit' '
	grep -E "is the first bad commit|bisect-step .*: exit|^verdict:" bisect.out
	grep -q "^$CULPRIT is the first bad commit" bisect.out'
check 'no step was skipped or aborted' '
	[ -s bisect.log ]
	! grep -Eq " (125|128)$" bisect.log'
# Each step's guest exported its whole database (the baseline's runs too).
for e in "$BISECT_OUT"/*/export.jsonl; do mmstorm import "$e" > /dev/null; done
check 'bad steps logged the munmap stall (soft lockup / RCU stall in sys_munmap) in their runs, good steps no kernel error' '
	while read -r line; do
		c=${line%% *} v=${line##* }
		mmstorm runs --limit 1000 --json | jq -r --arg l "bisect-$c" "select(.label == \$l) | .run" > r
		[ -s r ]
		titles=$(for r in $(cat r); do mmstorm show "$r" --json | jq -r ".events[] | select(.kind != \"stall\" and .kind != \"taint\") | .title"; done)
		echo "$c $v: $(echo "$titles" | sort -u | tr "\n" ";")"
		case $v in
		1) echo "$titles" | grep -Eqx "BUG: soft lockup in sys_munmap|INFO: rcu detected stall in sys_munmap" ;;
		0) [ -z "$titles" ] ;;
		*) false ;;
		esac
	done < bisect.log'
(cd "$REPO" && git bisect reset > /dev/null 2>&1)
vm_done
