#!/bin/sh
# The manual pages: built from the tables the programs use, no warning
# from man, and the generator refuses a page whose prose and table differ.
. "$(dirname "$0")/lib.sh"

PAGES="mmstorm.1 mmstormd.8 mmstorm-job.5 mmstorm-workloads.7"

# mangen is built with the programs (make all), with the same flags:
# calling make here with other flags would rebuild the BUILD under test.
VERSION=$(mmstorm --version | cut -d " " -f 2)
MAN="$SCRATCH/man"

test_expect 'mangen writes the four pages' '
	mkdir -p "$MAN"
	for p in $PAGES; do
		run_ok "$BUILD/mangen" "$VERSION" 2026-01-01 \
		    < "$TOP/man/$p.in" > "$MAN/$p"
		test -s "$MAN/$p"
	done
'

if command -v man > /dev/null; then
	test_expect 'man --warnings -l: no warning on any page' '
		for p in $PAGES; do
			LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN/$p" \
			    > "$p.txt" 2> "$p.err"
			test -s "$p.txt"
			if [ -s "$p.err" ]; then echo "$p:"; cat "$p.err"; false; fi
		done
	'
else
	test_skip 'man --warnings -l' "man is not installed"
fi

test_expect 'the pages say the version mmstorm --version prints' '
	for p in $PAGES; do grep -q "^\.TH .* \"mmstorm $VERSION\"" "$MAN/$p"; done
'

test_expect 'mmstorm(1) has every command; mmstorm-workloads(7) every workload and option' '
	MANWIDTH=200 man -l "$MAN/mmstorm.1" > one.txt 2> /dev/null
	MANWIDTH=200 man -l "$MAN/mmstorm-workloads.7" > seven.txt 2> /dev/null
	mmstorm --help | awk "/^  [a-z]/ { print \$1 }" > commands
	test -s commands
	while read -r c; do grep -q "^   $c\$" one.txt || { echo "no $c"; false; }; done < commands
	mmstorm workloads --json > wl.json
	python3 - wl.json seven.txt <<-PY
	import json, sys
	text = open(sys.argv[2]).read()
	for line in open(sys.argv[1]):
	    w = json.loads(line)
	    assert "\n   " + w["name"] + "\n" in text, w["name"]
	    for o in w["options"]:
	        assert o["name"] + "=" + o["type"] in text, (w["name"], o["name"])
	PY
'

test_expect 'mmstormd(8) describes every option of mmstormd --help' '
	mmstormd --help 2>&1 | grep -o -- "--[a-z-]*" | sort -u > opts || true
	test -s opts
	while read -r o; do
		grep -q -- "$(echo "$o" | sed "s/-/\\\\\\\\-/g")" "$MAN/mmstormd.8" ||
		    { echo "mmstormd.8 lacks $o"; false; }
	done < opts
'

test_expect 'mangen refuses prose that names an option the command lacks' '
	sed "s/^\.B \\\\-\\\\-all\$/.B \\\\-\\\\-every/" "$TOP/man/mmstorm.1.in" > bad.in
	if cmp -s bad.in "$TOP/man/mmstorm.1.in"; then false; fi
	expect_exit 1 "$BUILD/mangen" 1 2 < bad.in
	grep -q "describes .--every., which .compare. does not take" err
	grep -q "takes .--all. but the page does not describe it" err
	test ! -s stdout
'

test_expect 'mangen refuses a workload page missing a headline metric' '
	grep -v "^\.B thp_coverage_pct\$" "$TOP/man/mmstorm-workloads.7.in" > bad.in
	expect_exit 1 "$BUILD/mangen" 1 2 < bad.in
	grep -q "metric .thp_coverage_pct. of .thp-munmap. is not described" err
'

test_done
