#!/bin/sh
# mmstorm nightly (docs/nightly.md) driven with a fake target that prints
# SYNTHETIC runs (tests/t/nightly-fake-target.sh): a +40 % regression
# injected at a known build is found, bisected to that build, confirmed
# the KernelCI way, and reported once; a driver killed mid-bisect resumes
# without redoing a finished round; an A/A list raises no alarm; a bad
# config is one line and stores nothing.  Nothing here starts a workload.
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

q="'"
FAKE="sh $TOP/tests/t/nightly-fake-target.sh"
export FAKE_LOG="$SCRATCH/calls" KILL_DONE="$SCRATCH/killed"
BUILDS="6.1.0-54 6.1.0-55 6.1.0-56 6.1.0-57 6.1.0-58 6.1.0-59 6.1.0-60 6.1.0-61 6.1.0-62"

cat > quick.job <<'EOF'
[munmap]
workload=thp-munmap
size=64M
EOF

# config NAME [KEY=VALUE ...]: NAME.conf over the nine builds.
config() {
	name=$1
	shift
	{
		echo "[nightly]"
		echo "builds=${CONF_BUILDS:-$BUILDS}"
		echo "job=quick.job"
		echo "target=command:${CONF_TARGET:-$FAKE}"
		echo "report=$SCRATCH/$name.json $SCRATCH/$name.html"
		for kv in "$@"; do echo "$kv"; done
	} > "$name.conf"
}

rounds() {
	sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_rounds"
}

test_expect 'bad configs: one line each, no database created' '
	export MMSTORM_DB="$SCRATCH/bad.db"
	printf "[nightly]\nbuilds=a b\njob=quick.job\ntarget=command:true\ncolour=red\n" > b1.conf
	printf "[nightly]\nbuilds=a b\njob=quick.job\ntarget=fleet\n" > b2.conf
	printf "[nightly]\nbuilds=a b\njob=quick.job\ntarget=command:true\nbaseline=c\n" > b3.conf
	printf "[nightly]\nbuilds=a b\njob=nope.job\ntarget=command:true\n" > b4.conf
	printf "[nightly]\nbuilds=a a\njob=quick.job\ntarget=command:true\n" > b5.conf
	printf "[nightly]\nbuilds=a b\njob=quick.job\n" > b6.conf
	printf "[nightly]\nbuilds=a b\njob=quick.job\ntarget=command:true\nruns=0\n" > b7.conf
	printf "builds=a\n" > b8.conf
	printf "[nightly]\nbuilds=a b\nbuilds=c\njob=quick.job\ntarget=command:true\n" > b9.conf
	for f in b1 b2 b3 b4 b5 b6 b7 b8 b9; do
		expect_exit 1 mmstorm nightly --config $f.conf
		[ $f != b1 ] || grep -q "unknown key .colour." "$SCRATCH/err"
		test "$(wc -l < "$SCRATCH/err")" -eq 1 || { cat "$SCRATCH/err"; false; }
		grep -q "^mmstorm: .*$f.conf\|^mmstorm: .*nope.job" "$SCRATCH/err" || { cat "$SCRATCH/err"; false; }
	done
	expect_exit 1 mmstorm nightly --config b2.conf
	grep -q "target .fleet. is not available yet" "$SCRATCH/err"
	test ! -e "$SCRATCH/bad.db"
'

test_expect 'a regression at 6.1.0-58 is found, bisected and confirmed' '
	export MMSTORM_DB="$SCRATCH/reg.db" REGRESS_AT=58
	config reg
	: > "$FAKE_LOG"
	run_ok mmstorm nightly --config reg.conf --json > out.json
	test "$(json_get out.json "j[\"result\"]")" = regression
	test "$(json_get out.json "j[\"bisects\"][0][\"culprit\"]")" = 6.1.0-58
	test "$(json_get out.json "j[\"bisects\"][0][\"parent\"]")" = 6.1.0-57
	test "$(json_get out.json "j[\"bisects\"][0][\"state\"]")" = confirmed
	# the evidence: the regressed metric, reference against culprit
	test "$(json_get out.json "[m[\"mark\"] for m in j[\"bisects\"][0][\"evidence\"][\"metrics\"]]")" = "[${q}regression${q}]"
	# KernelCI: bad 3 times with it, good 3 times on its parent
	test "$(grep -c "^6.1.0-58 " "$FAKE_LOG")" -eq 3
	test "$(grep -c "^6.1.0-57 " "$FAKE_LOG")" -eq 3
	# halving: 9 builds, 3 bisect steps, not 8
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_rounds WHERE purpose = ${q}bisect${q}")" -eq 3
	cmp reg.json out.json
	grep -q "culprit <b>6.1.0-58</b>" reg.html
	grep -q "<svg" reg.html
'

test_expect 'the next night reports nothing new, and does not bisect again' '
	export MMSTORM_DB="$SCRATCH/reg.db" REGRESS_AT=58
	n=$(rounds)
	run_ok mmstorm nightly --config reg.conf > night2.txt
	grep -q "^mmstorm nightly .reg.: no regression" night2.txt
	grep -q "no round tonight" night2.txt
	test "$(rounds)" -eq "$n"
	# a new build is judged against the last one, which has the regression
	CONF_BUILDS="$BUILDS 6.1.0-63" config reg
	run_ok mmstorm nightly --config reg.conf --json > night3.json
	test "$(json_get night3.json "j[\"result\"]")" = "no regression"
	test "$(json_get night3.json "(j[\"rounds\"][0][\"build\"], j[\"rounds\"][0][\"against\"], j[\"rounds\"][0][\"verdict\"])")" = "(${q}6.1.0-63${q}, ${q}6.1.0-62${q}, ${q}good${q})"
'

test_expect 'killed with SIGKILL mid-bisect, it resumes where it was' '
	export MMSTORM_DB="$SCRATCH/kill.db" REGRESS_AT=58 KILL_AT="6.1.0-57 1"
	config kill
	: > "$FAKE_LOG"
	expect_exit 137 mmstorm nightly --config kill.conf
	test -e "$KILL_DONE"
	done_before=$(rounds)
	test "$done_before" -eq 4
	run_ok mmstorm nightly --config kill.conf --json > out.json
	test "$(json_get out.json "j[\"bisects\"][0][\"culprit\"]")" = 6.1.0-58
	test "$(json_get out.json "j[\"bisects\"][0][\"state\"]")" = confirmed
	# every call once, but the one the kill interrupted
	test "$(sort "$FAKE_LOG" | uniq -d)" = "6.1.0-57 1"
	test "$(rounds)" -eq 9
	# the second run did only what was left: the same rounds as one night
	sqlite3 "$MMSTORM_DB" "SELECT b.build || ${q} ${q} || r.purpose FROM nightly_rounds r JOIN nightly_builds b ON b.id = r.build_id ORDER BY r.id" > kill.rounds
	sqlite3 "$SCRATCH/reg.db" "SELECT b.build || ${q} ${q} || r.purpose FROM nightly_rounds r JOIN nightly_builds b ON b.id = r.build_id WHERE b.build != ${q}6.1.0-63${q} ORDER BY r.id" > reg.rounds
	cmp reg.rounds kill.rounds
	unset KILL_AT
'

test_expect 'a new lockup signature at 6.1.0-60 is bisected to it' '
	export MMSTORM_DB="$SCRATCH/lock.db" LOCKUP_AT=60
	unset REGRESS_AT
	config lock
	run_ok mmstorm nightly --config lock.conf --json > out.json
	test "$(json_get out.json "j[\"result\"]")" = regression
	test "$(json_get out.json "j[\"bisects\"][0][\"culprit\"]")" = 6.1.0-60
	json_get out.json "j[\"bisects\"][0][\"steps\"][0][\"detail\"]" |
	    grep -q "^new soft_lockup .watchdog: BUG: soft lockup - CPU#1 stuck in zap_pte_range. in 1 of 5 thp-munmap runs"
	unset LOCKUP_AT
'

test_expect 'an A/A list: every build tested, no alarm, no bisect' '
	export MMSTORM_DB="$SCRATCH/aa.db" STALL_AT=57
	unset REGRESS_AT
	config aa test=all
	run_ok mmstorm nightly --config aa.conf --json > out.json
	test "$(json_get out.json "j[\"result\"]")" = "no regression"
	test "$(json_get out.json "len(j[\"rounds\"])")" -eq 9
	test "$(json_get out.json "sorted(set(r[\"verdict\"] for r in j[\"rounds\"]))")" = "[${q}baseline${q}, ${q}good${q}]"
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_bisects")" -eq 0
	test "$(json_get out.json "j[\"reference\"]")" = 6.1.0-62
	# the daemon stall on 6.1.0-57 is listed, not judged
	mmstorm lockups --kernel 6.1.0-57-synthetic-amd64 | grep -q "heartbeat stalled"
	unset STALL_AT
'

test_expect 'test=all: a regression between neighbours is confirmed without halving' '
	export MMSTORM_DB="$SCRATCH/all.db" REGRESS_AT=60
	config all test=all
	run_ok mmstorm nightly --config all.conf --json > out.json
	test "$(json_get out.json "j[\"bisects\"][0][\"culprit\"]")" = 6.1.0-60
	test "$(json_get out.json "j[\"bisects\"][0][\"parent\"]")" = 6.1.0-59
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_rounds WHERE purpose = ${q}bisect${q}")" -eq 0
'

test_expect 'a build the target cannot run makes the culprit inconclusive' '
	export MMSTORM_DB="$SCRATCH/skip.db" REGRESS_AT=58
	CONF_TARGET="test \"\$MMSTORM_NIGHTLY_BUILD\" != 6.1.0-57 && $FAKE" config skip
	run_ok mmstorm nightly --config skip.conf --json > out.json
	test "$(json_get out.json "j[\"result\"]")" = inconclusive
	json_get out.json "j[\"bisects\"][0][\"detail\"]" | grep -q "one of .6.1.0-57.*6.1.0-58"
'

test_expect '--plan and --max-rounds: one step at a time' '
	export MMSTORM_DB="$SCRATCH/plan.db" REGRESS_AT=58
	config plan
	run_ok mmstorm nightly --config plan.conf --plan > plan.txt
	test "$(cat plan.txt)" = "baseline ${q}6.1.0-54${q}"
	run_ok mmstorm nightly --config plan.conf --max-rounds 2 --json > out.json
	test "$(json_get out.json "j[\"result\"]")" = bisecting
	test "$(rounds)" -eq 2
	run_ok mmstorm nightly --config plan.conf --plan > plan.txt
	test "$(cat plan.txt)" = "bisect ${q}6.1.0-58${q} against ${q}6.1.0-54${q}"
'

test_expect 'git= source: the branch commits, the recipe, the culprit commit' '
	export MMSTORM_DB="$SCRATCH/git.db" REGRESS_AT=58 FAKE_TREE="$SCRATCH/linux"
	git init -q "$FAKE_TREE"
	for nn in 54 55 56 57 58 59 60 61 62; do
		echo $nn > "$FAKE_TREE/NN"
		git -C "$FAKE_TREE" add NN
		git -C "$FAKE_TREE" -c user.name=t -c user.email=t@t commit -q -m "mm: change $nn"
	done
	first=$(git -C "$FAKE_TREE" rev-list --max-parents=0 HEAD)
	bad=$(git -C "$FAKE_TREE" log --format=%H --grep="change 58$")
	branch=$(git -C "$FAKE_TREE" symbolic-ref --short HEAD)
	{
		echo "[nightly]"
		echo "git=linux"
		echo "branch=$branch"
		echo "since=$first"
		echo "recipe=git checkout -q \$MMSTORM_NIGHTLY_BUILD && printf \"[%s]\\\\n\" \"\$MMSTORM_NIGHTLY_BUILD\" >> ../recipe.log"
		echo "job=quick.job"
		echo "target=command:$FAKE"
	} > git.conf
	run_ok mmstorm nightly --config git.conf --json > out.json
	# the recipe sees the bare 12-digit hash: no newline from git in it
	test -s recipe.log
	test "$(grep -cv "^\[[0-9a-f]\{12\}\]\$" recipe.log)" = 0
	test "$(json_get out.json "j[\"bisects\"][0][\"culprit\"]")" = "$(echo "$bad" | cut -c1-12)"
	test "$(json_get out.json "j[\"bisects\"][0][\"state\"]")" = confirmed
	unset FAKE_TREE
'

test_expect 'the webhook gets the JSON summary' '
	export MMSTORM_DB="$SCRATCH/hook-ok.db" REGRESS_AT=58
	python3 - "$SCRATCH/port" "$SCRATCH/posted" <<-\PY &
	import http.server, sys
	class H(http.server.BaseHTTPRequestHandler):
	    def do_POST(self):
	        body = self.rfile.read(int(self.headers["Content-Length"]))
	        open(sys.argv[2], "wb").write(body)
	        self.send_response(204)
	        self.end_headers()
	    def log_message(self, *a):
	        pass
	s = http.server.HTTPServer(("127.0.0.1", 0), H)
	open(sys.argv[1], "w").write(str(s.server_port))
	s.timeout = 30
	s.handle_request()
	PY
	i=0; while [ ! -s "$SCRATCH/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	config hookok "webhook=http://127.0.0.1:$(cat "$SCRATCH/port")/nightly"
	run_ok mmstorm nightly --config hookok.conf > /dev/null
	wait
	test "$(json_get "$SCRATCH/posted" "(j[\"report\"], j[\"result\"], j[\"bisects\"][0][\"culprit\"])")" = "(${q}nightly${q}, ${q}regression${q}, ${q}6.1.0-58${q})"
'

test_expect 'a webhook that cannot be reached fails the night, the report waits' '
	export MMSTORM_DB="$SCRATCH/hook.db" REGRESS_AT=58
	config hook webhook=http://127.0.0.1:9/nightly
	expect_exit 1 mmstorm nightly --config hook.conf
	grep -q "cannot post the report to .http://127.0.0.1:9/nightly." "$SCRATCH/err"
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM nightly_bisects WHERE reported_ns IS NULL")" -eq 1
'

test_done
