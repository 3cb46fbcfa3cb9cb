#!/bin/sh
# stats-rule.sh [TRIALS] - the comparison rule's false alarms and power
# on resampled real runs (bench/stats-rule.c; the table in bench/README.md,
# "The comparison rule on resampled real runs").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s build/bench-stats-rule >/dev/null
python3 bench/stats-rule.py tests/fixtures/runs/*.jsonl |
    build/bench-stats-rule "${1:-20000}"
