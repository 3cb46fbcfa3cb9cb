#!/bin/sh
# sampler.sh - cost of one sample: sampler_read() against a shell
# monitor's `cat FILE` per file (LKP, mmtests), on this machine.
#
# Builds build/bench-sampler and runs it: ROUNDS rounds of SAMPLER
# sampler_read() calls then CAT monitor samples (one fork+exec of
# /bin/cat per file), interleaved so both see the same load.  Prints
# the kernel's own read cost per file, the medians and the ratio.
# Record the output in bench/README.md, section "(a) Cost of one sample".
#
#   sh bench/sampler.sh                    # 50 rounds of 100 + 4
#   ROUNDS=20 SAMPLER=200 CAT=2 sh bench/sampler.sh
#   AS_USER=nobody sh bench/sampler.sh     # no debugfs: percpu_stats
#                                          # unreadable, as on Debian
#
# Run as root to include /sys/kernel/debug/percpu_stats.
set -eu

ROUNDS=${ROUNDS:-50}
SAMPLER=${SAMPLER:-100}
CAT=${CAT:-4}
AS_USER=${AS_USER:-}

cd "$(dirname "$0")/.."
make -s build/bench-sampler
echo "# $(uname -r), $(nproc) CPUs online, load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$AS_USER" ]; then
	exec setpriv --reuid="$AS_USER" --regid="$(id -g "$AS_USER")" --clear-groups \
	    build/bench-sampler -r "$ROUNDS" -s "$SAMPLER" -c "$CAT"
fi
exec build/bench-sampler -r "$ROUNDS" -s "$SAMPLER" -c "$CAT"
