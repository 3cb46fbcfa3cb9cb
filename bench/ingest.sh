#!/bin/sh
# bench/ingest.sh - benchmark (b), SQLite ingest of samples: builds
# build/bench-ingest and runs it with the parameters bench/README.md
# quotes (about 8 minutes on 2 CPUs).  Extra arguments go to every run
# (e.g. -d DIR for the temporary databases; default $TMPDIR or /tmp).
# Tables go to stdout, progress to stderr.
set -eu
cd "$(dirname "$0")/.."
make build/bench-ingest >&2
echo "uname -r: $(uname -r); nproc: $(nproc)"
echo
# 1. This machine's counter set: 20,000 passes as 2 runs of 10,000
# (100 M passes / 10,000 runs), transactions of 1000 passes (bulk) and of
# 20 passes (the runner commits once a second; sample_ms=50 is the
# fastest it allows).
./build/bench-ingest -n 20000 -R 2 -r 5 -b 1000,20 -c 200 -i 10 -k 100 "$@"
echo
# 2. The counter set repeated 4 times (1544 counters), as on a machine
# with many CPUs (irq.*.cpuN) and nodes: the blob passes the ~1 kB that a
# WITHOUT ROWID row keeps on its 4 kB leaf page.
./build/bench-ingest -x 4 -n 4000 -R 2 -r 3 -b 1000 -c 200 -i 10 -k 100 "$@"
echo
# 3. and 4. The blob layouts again with 16 kB pages.
./build/bench-ingest -P 16384 -L blob-cached,blob-delta,blob-rowid \
    -n 20000 -R 2 -r 3 -b 1000 -c 200 -i 10 -k 100 "$@"
echo
./build/bench-ingest -P 16384 -L blob-cached,blob-delta,blob-rowid \
    -x 4 -n 4000 -R 2 -r 3 -b 1000 -c 200 -i 10 -k 100 "$@"
