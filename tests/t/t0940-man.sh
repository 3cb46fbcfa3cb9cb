#!/bin/sh
# The manual pages: built from the tables the programs use, no warning
# from man, and the generator refuses a page whose prose and table differ.
. "$(dirname "$0")/lib.sh"

PAGES="mmstorm.1 mmstormd.8 mmstorm-job.5 mmstorm-workloads.7"

test_expect 'make man builds the four pages' '
	make -C "$TOP" BUILD="$BUILD" man > make.log 2>&1 || { cat make.log; false; }
	for p in $PAGES; do test -s "$BUILD/man/$p"; done
'

if command -v man > /dev/null; then
	test_expect 'man --warnings -l: no warning on any page' '
		for p in $PAGES; do
			LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$BUILD/man/$p" \
			    > "$p.txt" 2> "$p.err"
			test -s "$p.txt"
			if [ -s "$p.err" ]; then echo "$p:"; cat "$p.err"; false; fi
		done
	'
else
	test_skip 'man --warnings -l' "man is not installed"
fi

test_expect 'the pages say the version mmstorm --version prints' '
	v=$(mmstorm --version | cut -d " " -f 2)
	for p in $PAGES; do grep -q "^\.TH .* \"mmstorm $v\"" "$BUILD/man/$p"; done
'

test_expect 'mmstorm(1) has every command; mmstorm-workloads(7) every workload and option' '
	MANWIDTH=200 man -l "$BUILD/man/mmstorm.1" > one.txt 2> /dev/null
	MANWIDTH=200 man -l "$BUILD/man/mmstorm-workloads.7" > seven.txt 2> /dev/null
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
		grep -q -- "$(echo "$o" | sed "s/-/\\\\\\\\-/g")" "$BUILD/man/mmstormd.8" ||
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
