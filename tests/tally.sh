# tally.sh - add up the machine-made summaries of test scripts and runners
# (sourced by tests/run-tests.sh, tests/run-all.sh and tests/vm/check.sh).
#
# A test script (tests/t/lib.sh's test_done, the unit-test binary) ends
# with "# tally P F S"; a runner ends with "P passed, F failed, S skipped".
# Only that last line is read: nothing printed earlier can change the
# count.  Anything that does not add up is a failure of its own: no such
# last line (a crash, or output after test_done), an exit status that
# disagrees with the failures counted, or a script whose "ok"/"not ok"/
# skip lines do not match its tally.
passed=0
failed=0
skipped=0

# tally FILE RC: FILE is a script's output, RC its exit status.
tally() {
	tally_check "$1" "$2" '^# tally \([0-9][0-9]*\) \([0-9][0-9]*\) \([0-9][0-9]*\)$' 1 \
	    "$(tail -n 1 "$1")"
}

# tally_runner FILE RC: FILE is a runner's output (run through make: the
# "make: *** ... Error 1" make adds after a failed runner is not its
# last line), RC its exit status.
tally_runner() {
	tally_check "$1" "$2" '^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed, \([0-9][0-9]*\) skipped$' 0 \
	    "$(grep -v '^make\(\[[0-9]*\]\)\{0,1\}: \*\*\* ' "$1" | tail -n 1)"
}

# tally_check FILE RC PATTERN LINES LAST: LAST is FILE's summary line;
# adds to passed/failed/skipped, sets tally_p/tally_f/tally_s, and
# tally_err to why the output cannot be trusted (empty when it can).
# With LINES=1 the TAP lines must agree with it.
tally_check() {
	_last=$5
	tally_p=$(echo "$_last" | sed -n "s/$3/\\1/p")
	tally_f=$(echo "$_last" | sed -n "s/$3/\\2/p")
	tally_s=$(echo "$_last" | sed -n "s/$3/\\3/p")
	tally_err=
	_lines="$tally_p $tally_f $tally_s"
	[ "$4" != 1 ] || _lines=$(tally_lines "$1")
	if [ -z "$tally_p" ]; then
		tally_p=0 tally_f=0 tally_s=0
		tally_err="no summary as its last line (it crashed, or printed after it)"
	elif [ "$_lines" != "$tally_p $tally_f $tally_s" ]; then
		tally_err="its ok/not ok/skip lines say $_lines, its tally $tally_p $tally_f $tally_s"
	elif [ "$2" -ne 0 ] && [ "$tally_f" -eq 0 ]; then
		tally_err="exit status $2, but no failure counted"
	elif [ "$2" -eq 0 ] && [ "$tally_f" -ne 0 ]; then
		tally_err="exit status 0, but $tally_f failure(s) counted"
	fi
	# Output that cannot be trusted is one more failure, and its passes
	# and skips do not count.
	if [ -n "$tally_err" ]; then
		tally_p=0 tally_s=0 tally_f=$((tally_f + 1))
	fi
	passed=$((passed + tally_p))
	failed=$((failed + tally_f))
	skipped=$((skipped + tally_s))
}

# tally_lines FILE: "P F S" counted from the TAP lines.
tally_lines() {
	awk '/^ok [0-9]+ .*# skip/ { s++; next }
	     /^ok [0-9]+/ { p++; next }
	     /^not ok [0-9]+/ { f++ }
	     END { printf "%d %d %d\n", p, f, s }' "$1"
}
