#!/bin/sh
# vm-wide.sh - seed 004's axis, the CPUs in the mm, in the VM lab: one
# many-vCPU guest (qemu TCG, tests/vm/run-guest.sh -c) runs thp-munmap with
# 1..N threads (ms/GiB, TLB-shootdown IPIs/GiB) and hotplug with N online
# CPUs (transitions/s, offline ms), then bench/vm-wide.py makes the CSVs and
# the table with the linear fits.  `make vm-check-wide` runs it; not in
# `make test` (25-40 minutes on this busy 2-CPU host: the job stops starting
# runs after WIDE_BUDGET guest seconds, default 1500, and exports).
#
# Usage: bench/vm-wide.sh [-n N] [-c CPUS] [-o DIR] [-q]
#   -n N     kernel 6.1.0-N-cloud-amd64 (default: run-guest.sh's, the newest)
#   -c CPUS  vCPUs of the guest (default 16)
#   -o DIR   output directory (default: a new temporary one, printed)
#   -q       a quick try of the lab (threads 1 and CPUS, online CPUS and 2,
#            1 iteration, 2 cycles): a few minutes, not a measurement
# The job's knobs may come from the environment (tests/vm/jobs/wide.sh):
# WIDE_SIZE, WIDE_ITER, WIDE_THREADS, WIDE_ONLINE, WIDE_CYCLES, WIDE_BUDGET,
# WIDE_RUN_S (WIDE_THREADS or WIDE_ONLINE set and empty: none of those runs).
# MMSTORM_VM_CACHE as for the lab (a private cache keeps other users of
# the shared one from rebuilding the lab image under this guest).
#
# DIR gets console.log, export.jsonl, thp-munmap.csv, hotplug.csv,
# table.md and provenance (kernel package, qemu, command, date, load).
# TCG timings on a small host are for the shape (how a cost scales with
# N), not for absolute speed.  The guest's vCPU threads are niced.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
N= CPUS=16 OUT= QUICK=0
while getopts n:c:o:q opt; do
	case $opt in
	n) N=$OPTARG ;;
	c) CPUS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	q) QUICK=1 ;;
	*) sed -n '2,25s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
log() { echo "vm-wide: $*" >&2; }
if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/mmstorm-wide.XXXXXX")
	log "output in $OUT"
fi
mkdir -p "$OUT"
# A fresh guest disk: an old one would export its runs again.
rm -f "$OUT/disk.img"
if [ "$QUICK" = 1 ]; then
	: "${WIDE_THREADS:=1 $CPUS}" "${WIDE_ONLINE:=$CPUS 2}" "${WIDE_ITER:=1}" "${WIDE_CYCLES:=2}"
fi
JOB=$OUT/wide.job
{
	echo "# wide ($CPUS vCPUs)"
	# Set and empty is passed on: WIDE_THREADS= runs no thp-munmap.
	for v in WIDE_SIZE WIDE_ITER WIDE_THREADS WIDE_ONLINE WIDE_CYCLES WIDE_BUDGET WIDE_RUN_S; do
		eval "set=\${$v+y} val=\${$v:-}"
		[ -n "$set" ] && printf "%s='%s'\n" "$v" "$val"
	done
	cat "$TOP/tests/vm/jobs/wide.sh"
} > "$JOB"

BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export MMSTORM_BUILD=$BUILD
t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
# The sweep runs niced: this host is shared.  A guest of 32 vCPUs needs
# more than the 20 minutes run-guest.sh allows by default on a busy host.
nice -n 5 "$TOP/tests/vm/run-guest.sh" ${N:+-n "$N"} -c "$CPUS" -j "$JOB" \
	-o "$OUT" -t "${WIDE_TIMEOUT:-3600}" > "$OUT/run-guest.out" 2>&1
rc=$?
line=$(grep '^run-guest:' "$OUT/run-guest.out" | tail -1)
log "${line#run-guest: }"
[ $rc = 0 ] || { tail -5 "$OUT/run-guest.out" >&2; exit 1; }
REL=$(echo "${line#run-guest: }" | cut -d' ' -f1)
{
	echo "kernel package: linux-image-$REL-unsigned ($(ls "${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}/debs/linux-image-$REL-unsigned_"*.deb 2>/dev/null | sed 's/.*_\(.*\)_amd64.deb/\1/' | tail -1))"
	echo "qemu: $(qemu-system-x86_64 --version | head -1)"
	echo "guest: -accel tcg,thread=multi -cpu max -smp $CPUS,sockets=2,cores=$((CPUS / 2)) -m 2048, 2 NUMA nodes"
	echo "host: $(nproc) CPUs, $(uname -r), load average before $load0, after $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "mmstorm: $(git -C "$TOP" describe --always --dirty 2>/dev/null)"
	echo "command: bench/vm-wide.sh -c $CPUS$( [ "$QUICK" = 1 ] && echo ' -q')${N:+ -n $N}"
	grep -v '^#\|^ *$' "$JOB" | grep "^WIDE_" | sed 's/^/job: /'
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - t0 )) s"
} > "$OUT/provenance"
python3 "$HERE/vm-wide.py" csv "$OUT/export.jsonl" "$OUT" &&
	python3 "$HERE/vm-wide.py" table "$OUT" > "$OUT/table.md" || exit 1
cat "$OUT/provenance" "$OUT/table.md"
