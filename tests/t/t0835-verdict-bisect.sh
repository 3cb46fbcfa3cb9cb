#!/bin/sh
# verdict for a bisection: chasing one kernel report (--kind/--title/
# --signature), and sequential testing (--runs N --max-runs M) against a
# fake daemon whose "runs" are imported from the VM lab's fixtures (no
# workload runs: no machine lock).
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"
SOFT="BUG: soft lockup in mmstorm_inject_softlockup_fn"
RCU="INFO: rcu detected stall in mmstorm_inject_softlockup_fn"

test_expect 'chasing: only the report chased makes the build bad' '
	mmstorm import "$F/two-builds.jsonl" > /dev/null &&
	V="mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload mmap-churn" &&
	expect_exit 1 $V &&
	grep -q "^verdict: bad: .*2 with kernel errors (.$RCU.)" "$SCRATCH/stdout" &&
	expect_exit 1 $V --title "$SOFT" &&
	grep -q "^verdict: bad: mmap-churn on .*: 1 of 3 run(s) logged the report chased (.$SOFT.)$" "$SCRATCH/stdout" &&
	expect_exit 1 $V --kind rcu_stall &&
	grep -q "2 of 3 run(s) logged the report chased (.$RCU.)$" "$SCRATCH/stdout" &&
	sig=$(sqlite3 "$MMSTORM_DB" "SELECT substr(signature, 1, 10) FROM events WHERE title = '\''$SOFT'\'' LIMIT 1") &&
	expect_exit 1 $V --signature "$sig" &&
	grep -q "1 of 3 run(s) logged the report chased (.$SOFT.)$" "$SCRATCH/stdout" &&
	expect_exit 1 $V --kind soft_lockup --title "$SOFT" --signature "$sig"
'

test_expect 'chasing: other kernel errors are named, not judged; the rule goes on' '
	V="mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload mmap-churn" &&
	expect_exit 125 $V --kind hung_task &&
	grep -q "^not chased: 0 run(s) locked up or crashed, 2 with other kernel errors (.$RCU.)$" "$SCRATCH/stdout" &&
	# runs compare under one key: one run a side shares it
	grep -q "^key: mmap-churn on host " "$SCRATCH/stdout" &&
	grep -q "^verdict: cannot tell: too few passed runs of mmap-churn: base 1, new 1" "$SCRATCH/stdout" &&
	# a report with another title is not the one chased
	expect_exit 125 $V --kind soft_lockup --title "BUG: soft lockup in zap_pte_range"
'

# init_on_alloc: fault_ms is 42.5 % better without it (CV 6-8 %), so the
# metric rule says good; a hung task on one of those runs is not the
# report chased.
test_expect 'chasing: a build with another kernel error is judged good by its metric' '
	D="$SCRATCH/ioa.db" &&
	mmstorm --db "$D" import "$F/init-on-alloc.jsonl" > /dev/null &&
	sqlite3 "$D" "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title, signature, t_ns, source, text) SELECT id, kernel_id, host_id, boot_id, '\''hung_task'\'', '\''INFO: task hung in wb_wait_for_completion'\'', '\''0123456789ab'\'', created_ns, '\''kmsg'\'', '\''x'\'' FROM runs WHERE label = '\''c56-init_on_alloc0'\'' LIMIT 1" &&
	V="mmstorm --db $D verdict --baseline c56 --kernel c56-init_on_alloc0 --workload thp-munmap --metric fault_ms" &&
	expect_exit 1 $V &&
	grep -q "^verdict: bad: .*1 with kernel errors (.INFO: task hung in wb_wait_for_completion.)" "$SCRATCH/stdout" &&
	$V --title "$SOFT" > v.txt &&
	grep -q "^not chased: 0 run(s) locked up or crashed, 1 with other kernel errors (.INFO: task hung in wb_wait_for_completion.)$" v.txt &&
	grep -q "^verdict: good: fault_ms improved -42.8%" v.txt
'

test_expect 'chasing: a misspelt kind or a bad signature is an abort (128), not a good build' '
	expect_exit 128 mmstorm verdict --baseline c56 --workload mmap-churn --kind softlockup &&
	grep -q "^verdict: infrastructure failure: unknown event kind .softlockup.$" "$SCRATCH/stdout" &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload mmap-churn --signature 12ab &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload mmap-churn --signature XYZXYZ &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload mmap-churn --title ""
'

test_expect 'sequential: --max-runs needs --runs, and not fewer' '
	expect_exit 128 mmstorm verdict --baseline c56 --workload hotplug --max-runs 5 &&
	grep -q "needs --runs" "$SCRATCH/stdout" &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload hotplug --runs 5 --max-runs 4 &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload hotplug --runs 5 --max-runs 0
'

# The fake daemon: one run per file of $Q, imported into $SEQ when a job
# asks for it.  Its runs are the fixtures' (with other options than the
# defaults --runs would use), so the verdicts below pool parameter sets
# (--mix params).  Q holds `mmstorm export` of one run each, in run order.
SEQ="$SCRATCH/seq.db"
Q="$SCRATCH/queue"
JOBS="$SCRATCH/jobs.log"
# Its pid goes to a file: a test body is a subshell, stop_fake runs outside.
start_fake() {
	mkdir -p "$Q" && rm -f "$JOBS" "$MMSTORM_SOCKET"
	python3 "$TOP/tests/t/fake-daemon.py" "$MMSTORM_SOCKET" "$SEQ" "$Q" "$JOBS" &
	echo $! > "$SCRATCH/fake.pid"
	i=0
	while [ ! -S "$MMSTORM_SOCKET" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
stop_fake() {
	[ -s "$SCRATCH/fake.pid" ] && kill "$(cat "$SCRATCH/fake.pid")" 2>/dev/null
	rm -f "$SCRATCH/fake.pid"
}
# queue LABEL WORKLOAD: the runs of that build and workload in $Q
queue() {
	n=0
	for u in $(mmstorm --db "$SCRATCH/src.db" runs --limit 1000 --json |
	    python3 -c "import json,sys; [print(o[\"run\"]) for o in map(json.loads, sys.stdin) if o[\"label\"] == \"$1\" and o[\"workload\"] == \"$2\"]" | sort); do
		n=$((n + 1))
		mmstorm --db "$SCRATCH/src.db" export "$u" > "$Q/$(printf %03d $n).jsonl"
	done
}

test_expect 'sequential: runs are added one at a time until the answer is clear' '
	mmstorm --db "$SCRATCH/src.db" import "$F/init-on-alloc.jsonl" > /dev/null &&
	mkdir -p "$Q" && queue c56-init_on_alloc0 thp-munmap &&
	for f in "$Q"/*; do mmstorm --db "$SEQ" import "$f" > /dev/null; rm "$f"; done &&
	queue c56 thp-munmap &&
	test $(ls "$Q" | wc -l) -eq 6 &&
	start_fake &&
	expect_exit 1 mmstorm --db "$SEQ" verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms --runs 1 --max-runs 6 --mix params &&
	cat "$SCRATCH/stdout" >&2 &&
	grep -q "^sequential: 1 run(s): too few passed runs (cannot tell: too few passed runs of thp-munmap: base 6, new 1 (need 3 a side)): one more, at most 6$" "$SCRATCH/stdout" &&
	grep -q "^sequential: 2 run(s): too few passed runs" "$SCRATCH/stdout" &&
	test $(grep -c "^sequential:" "$SCRATCH/stdout") -eq 2 &&
	grep -q "^verdict: bad: fault_ms regressed .* n=3, .* (3 run(s) made)$" "$SCRATCH/stdout" &&
	test $(grep -c "^verdict:" "$SCRATCH/stdout") -eq 1 &&
	# one job per run: the first of --runs 1, then one each time
	test "$(cat "$JOBS" | tr "\n" " ")" = "1 1 1 " &&
	test $(ls "$Q" | wc -l) -eq 3
'
stop_fake

# Still too few runs of the build judged when --max-runs is reached: a
# skip, and the command makes no run beyond it.
test_expect 'sequential: still unclear at --max-runs is a skip (125), and no run more' '
	rm -rf "$Q" "$SEQ" && mkdir -p "$Q" &&
	queue c56-init_on_alloc0 thp-munmap &&
	for f in "$Q"/*; do mmstorm --db "$SEQ" import "$f" > /dev/null; rm "$f"; done &&
	queue c56 thp-munmap &&
	start_fake &&
	expect_exit 125 mmstorm --db "$SEQ" verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms --runs 1 --max-runs 2 --mix params &&
	cat "$SCRATCH/stdout" >&2 &&
	grep -q "^sequential: 1 run(s): too few passed runs" "$SCRATCH/stdout" &&
	test $(grep -c "^sequential:" "$SCRATCH/stdout") -eq 1 &&
	grep -q "^verdict: cannot tell: still too few passed runs after 2 run(s) (--max-runs): too few passed runs of thp-munmap: base 6, new 2" "$SCRATCH/stdout" &&
	test "$(cat "$JOBS" | tr "\n" " ")" = "1 1 " &&
	test $(ls "$Q" | wc -l) -eq 4
'
stop_fake

test_expect 'sequential: a clear first answer adds no run' '
	rm -rf "$Q" "$SEQ" && mkdir -p "$Q" &&
	mmstorm --db "$SCRATCH/src.db" import "$F/two-builds.jsonl" > /dev/null &&
	queue c56 hotplug &&
	for f in "$Q"/*; do mmstorm --db "$SEQ" import "$f" > /dev/null; rm "$f"; done &&
	queue c56-init_on_free mmap-churn &&
	start_fake &&
	expect_exit 1 mmstorm --db "$SEQ" verdict --baseline c56 --kernel c56-init_on_free \
	    --workload mmap-churn --runs 3 --max-runs 9 --mix params &&
	! grep -q "^sequential:" "$SCRATCH/stdout" &&
	grep -q "^verdict: bad: mmap-churn on .* (3 run(s) made)$" "$SCRATCH/stdout" &&
	test "$(cat "$JOBS" | tr "\n" " ")" = "3 "
'
stop_fake

test_done
