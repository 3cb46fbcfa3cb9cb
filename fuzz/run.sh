#!/bin/sh
# run.sh SECONDS TARGET... - build the fuzzers ($BUILD, default
# build-fuzz), write their seeds, run each for SECONDS, and count each
# target as one test: "ok N - ..." when it ran its time without a crash,
# "not ok N - ..." with the report and the saved input when it crashed
# (or did not build).  Ends with "P passed, F failed, S skipped", as
# tests/run-all.sh reads it.  Without clang's libFuzzer runtime every
# target is a skip, said why.
#
# Corpora: $BUILD/corpus/T (what the fuzzer finds, kept between runs),
# $BUILD/seeds/T (fuzz/seeds.sh, from tests/fixtures) and fuzz/corpus/T
# (inputs that once crashed: regressions, committed).  A crash's input is
# saved in $BUILD/crashes/T/.
set -u
cd "$(dirname "$0")/.."
secs=$1
shift
B=${BUILD:-build-fuzz}
CC_FUZZ=${FUZZ_CC:-clang-14}
passed=0 failed=0 skipped=0 n=0
log=$(mktemp -d /tmp/mmstorm-fuzz.XXXXXX)
trap 'rm -rf "$log"' EXIT

why=
if ! command -v "$CC_FUZZ" > /dev/null 2>&1; then
	why="no $CC_FUZZ (apt-get install clang-14)"
elif ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
    "$CC_FUZZ" -fsanitize=fuzzer -x c - -o "$log/probe" > /dev/null 2>&1; then
	why="$CC_FUZZ has no libFuzzer runtime (apt-get install libclang-rt-14-dev)"
fi
built=1
if [ -z "$why" ]; then
	make -s FUZZ_BUILD="$B" FUZZ_CC="$CC_FUZZ" fuzz-build > "$log/build" 2>&1 || built=0
	sh fuzz/seeds.sh "$B/seeds"
fi

for t in "$@"; do
	n=$((n + 1))
	if [ -n "$why" ]; then
		echo "ok $n - fuzz-$t # skip $why"
		skipped=$((skipped + 1))
		continue
	fi
	if [ $built = 0 ] || [ ! -x "$B/fuzz-$t" ]; then
		echo "not ok $n - fuzz-$t: did not build"
		sed 's/^/#   /' "$log/build" | tail -n 30
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$B/corpus/$t" "$B/crashes/$t" "fuzz/corpus/$t"
	# -timeout: one input that takes 10 s is a hang; -rss_limit_mb: one
	# that needs 2 GB is the "small request, huge allocation" bug.
	"$B/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$B/crashes/$t/" \
	    "$B/corpus/$t" "$B/seeds/$t" "fuzz/corpus/$t" > "$log/$t" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log/$t")
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz-$t: $secs s, ${runs:-?} runs, no crash"
		passed=$((passed + 1))
	else
		echo "not ok $n - fuzz-$t: exit $rc after ${runs:-?} runs"
		grep -E 'ERROR|SUMMARY|fuzz invariant|^    #[0-9] |Test unit written|runtime error' \
		    "$log/$t" | sed 's/ (BuildId: [0-9a-f]*)//' | head -n 16 |
		    sed 's/^/#   /'
		echo "#   reproduce: $B/fuzz-$t FILE; keep it as fuzz/corpus/$t/NAME"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
