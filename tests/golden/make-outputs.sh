#!/bin/sh
# make-outputs.sh MMSTORM OUTDIR - what the layout issue promised would not
# change: every output below, from the committed fixtures, into OUTDIR
# (one file per command).  tests/t/t0900-golden.sh compares the current
# build's outputs with the ones committed in tests/golden/expected/, which
# this script made from the code before the layout move.
#
# make-outputs.sh --db URL MMSTORM OUTDIR imports into the empty database
# at URL (a PostgreSQL one: tests/t/t0610-postgresql.sh) instead of a
# SQLite file in OUTDIR, and leaves it there.
set -eu
export TZ=UTC LC_ALL=C
url=""
if [ "$1" = "--db" ]; then
	url=$2
	shift 2
fi
bin=$1
out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
runs="$top/tests/fixtures/runs"
mkdir -p "$out"
db=${url:-"$out/.db"}
rm -f "$out/.db" "$out/.db-wal" "$out/.db-shm"
m() { "$bin" --db "$db" "$@"; }

for f in two-builds two-releases init-on-alloc; do
	m import "$runs/$f.jsonl" > /dev/null
done
m export > "$out/export.jsonl"
m runs --json > "$out/runs.json"
m kernels --json > "$out/kernels.json"
m runs --json | python3 -c 'import json,sys; [print(json.loads(l)["run"]) for l in sys.stdin]' | sort > "$out/.uuids"
[ -s "$out/.uuids" ]
while read -r u; do
	echo "== $u"
	m show "$u" --json
done < "$out/.uuids" > "$out/show.json"
head -n 3 "$out/.uuids" | while read -r u; do
	echo "== $u"
	m samples "$u" --json
done > "$out/samples.json"
m compare c56 c56-init_on_free --json > "$out/compare-iof.json"
m compare c54 c56 --json > "$out/compare-releases.json"
m compare c56 c56-init_on_alloc0 --workload thp-munmap --json > "$out/compare-ioa.json"
m regressions --baseline c56 --json > "$out/regressions.json"
m lockups --json > "$out/lockups.json"
# The human forms too: the tables, numbers and times as printed.
m runs > "$out/runs.txt"
m kernels > "$out/kernels.txt"
head -n 3 "$out/.uuids" | while read -r u; do m show "$u"; done > "$out/show.txt"
m compare c56 c56-init_on_free > "$out/compare-iof.txt"
m compare c54 c56 > "$out/compare-releases.txt"
m regressions --baseline c56 > "$out/regressions.txt"
m lockups > "$out/lockups.txt"
m report --compare c56 c56-init_on_free --format text > "$out/report-compare.txt"
m report --compare c56 c56-init_on_free --format json > "$out/report-compare.json"
m report --kernel c56 --format text > "$out/report-kernel.txt"
m report "$(head -n 1 "$out/.uuids")" --format text > "$out/report-run.txt"
m report "$(head -n 1 "$out/.uuids")" --format json > "$out/report-run.json"
for k in "$top"/tests/fixtures/kmsg/*.kmsg "$top"/tests/fixtures/kmsg/*.console.log; do
	echo "== $(basename "$k")"
	"$bin" parse-log "$k"
done > "$out/parse-log.jsonl"
rm -f "$out/.db" "$out/.db-wal" "$out/.db-shm" "$out/.uuids"
