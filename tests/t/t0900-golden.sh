#!/bin/sh
# What must not change when code moves: export, show/runs/samples/kernels,
# compare, regressions, lockups, the text and JSON reports and parse-log,
# byte for byte, on the committed fixtures, against the outputs that
# tests/golden/make-outputs.sh made from the code before the layout move
# (tests/golden/README.md).  A deliberate change of output regenerates
# them in the same commit and says why.
. "$(dirname "$0")/lib.sh"

test_expect 'the outputs are made' '
	sh "$TOP/tests/golden/make-outputs.sh" "$BUILD/mmstorm" "$SCRATCH/now"
	test -s "$SCRATCH/now/export.jsonl"
	test -s "$SCRATCH/now/show.json"
'

for f in "$TOP"/tests/golden/expected/*; do
	name=$(basename "$f")
	test_expect "$name is byte-identical" "
		cmp '$f' '$SCRATCH/now/$name' || { diff -u '$f' '$SCRATCH/now/$name' | head -n 40; false; }
	"
done

test_expect 'no output is left unchecked' '
	(cd "$SCRATCH/now" && ls) > now.list
	(cd "$TOP/tests/golden/expected" && ls) > expected.list
	cmp expected.list now.list
'

test_done
