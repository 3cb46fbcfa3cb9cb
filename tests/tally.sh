# tally.sh - add up the "N passed, N failed" lines runners print last
# (sourced by tests/run-tests.sh and tests/run-all.sh).
passed=0
failed=0

# tally FILE: add FILE's last "N passed, N failed" line to passed and
# failed, and leave its failures in tally_f; a file without one counts as
# one failure.
tally() {
	_last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	tally_p=$(echo "$_last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	tally_f=$(echo "$_last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	if [ -z "$tally_p" ]; then
		tally_p=0
		tally_f=1
	fi
	passed=$((passed + tally_p))
	failed=$((failed + tally_f))
}
