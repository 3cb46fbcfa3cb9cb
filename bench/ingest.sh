#!/bin/sh
# bench/ingest.sh - benchmark (b), SQLite ingest of samples: builds
# build/bench-ingest and runs it with the parameters bench/README.md
# quotes.  Extra arguments go to both runs (e.g. -d DIR for the temporary
# databases; default $TMPDIR or /tmp).  Progress goes to stderr.
set -eu
cd "$(dirname "$0")/.."
make build/bench-ingest >&2
echo "uname -r: $(uname -r); nproc: $(nproc)"
echo
# The machine's own counter set: 20,000 passes as 2 runs of 10,000
# (100 M passes / 10,000 runs), transactions of 1000 passes (bulk) and
# of 20 passes (the runner commits once a second; sample_ms=50 is the
# fastest it allows).
./build/bench-ingest -n 20000 -R 2 -r 5 -b 1000,20 -c 200 -i 10 -k 100 "$@"
echo
# The same with the counter set repeated 4 times, as on a machine with
# more CPUs (irq.*.cpuN): blobs pass the ~1 kB a WITHOUT ROWID row keeps
# in its leaf page.
./build/bench-ingest -x 4 -n 4000 -R 2 -r 3 -b 1000 -c 200 -i 10 -k 100 "$@"
