#!/bin/bash
# capture-logs.sh - boot a Debian 6.1 cloud kernel under qemu (TCG) once per
# scenario and keep what the guest printed, as kernel-log fixtures.
#
# Usage: tests/vm/capture-logs.sh [-n N] [-o DIR] [-t SECS] [-k] [SCENARIO...]
#   -n N     kernel 6.1.0-N-cloud-amd64 (default: newest, see fetch-kernel.sh)
#   -o DIR   where to write the logs (default: tests/fixtures/kmsg)
#   -t SECS  wall-clock bound per boot (default 150; the guest is killed)
#   -k       keep going: do not stop at the first scenario that fails to boot
#   SCENARIO default: all of $ALL below
#
# For each scenario S it writes DIR/S.console.log (the serial console, ttyS0,
# byte for byte, CRLF line ends included) and DIR/S.kmsg (every /dev/kmsg
# record at the end of the run, copied by the guest to a second UART). Panic
# scenarios have no .kmsg: nothing runs after a panic.
# Prints one line per scenario: name, seconds, result.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}

ALL="clean-boot boot-topology-warning softlockup softlockup-2cpu rcustall rcustall-2cpu rcustall-task
hardlockup ipistall hungtask warning bug nullderef gpf listcorrupt badpage oom oom-memcg
softlockup-panic sysrq-panic"

N=
OUT=$REPO/tests/fixtures/kmsg
TMO=150
KEEP=0
while getopts n:o:t:k opt; do
	case $opt in
	n) N=$OPTARG ;;
	o) OUT=$OPTARG ;;
	t) TMO=$OPTARG ;;
	k) KEEP=1 ;;
	*) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCENARIOS=${*:-$ALL}

log() { echo "capture-logs: $*" >&2; }

if ! command -v qemu-system-x86_64 >/dev/null; then
	log "installing qemu-system-x86"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-system-x86 >&2 || exit 1
fi

REL=$("$HERE/fetch-kernel.sh" ${N:+-n "$N"} | tail -1) || exit 1
KERNEL=$CACHE/$REL/root/boot/vmlinuz-$REL
INITRD=$("$HERE/mkinitramfs.sh" "$REL" | tail -1) || exit 1
mkdir -p "$OUT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mmstorm-capture.XXXXXX")
QPID=
cleanup() {
	# Only the qemu this script started, by its pid.
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -KILL "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Watchdog settings shared by every boot: soft lockup after 2*5 s, RCU CPU
# stall after 7 s; panic=1 reboots (so qemu -no-reboot exits) on an
# unexpected panic.
BASE_APPEND="console=ttyS0 watchdog_thresh=5 rcupdate.rcu_cpu_stall_timeout=7 log_buf_len=1M"

run_one() {
	local s=$1
	local panic=1 con=$WORK/$s.console kmsg=$WORK/$s.kmsg t0 t1 rc result
	# One socket per NUMA node. A bare "-smp 4" puts the 4 cores in one
	# socket (one LLC) split over 2 nodes, and the kernel WARNs at boot in
	# topology_sane(): that boot is kept as the boot-topology-warning case.
	local smp=4,sockets=2,cores=2,threads=1
	case $s in *panic*) panic=0 ;; esac	# keep the "---[ end Kernel panic" trailer
	case $s in boot-topology-warning) smp=4 ;; esac
	rm -f "$con" "$kmsg"
	t0=$(date +%s.%N)
	# qemu runs as this shell's own child, so that QPID is qemu itself (not
	# a timeout(1) wrapper, whose death would orphan a spinning guest); the
	# loop below enforces the time bound.
	# 4 vCPUs in 2 NUMA nodes of 1 GiB each. -enable-kvm hangs in the BIOS here.
	qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -smp "$smp" -m 2048 \
		-object memory-backend-ram,id=m0,size=1024M \
		-object memory-backend-ram,id=m1,size=1024M \
		-numa node,nodeid=0,cpus=0-1,memdev=m0 \
		-numa node,nodeid=1,cpus=2-3,memdev=m1 \
		-display none -monitor none -nodefaults -no-reboot \
		-serial "file:$con" -serial "file:$kmsg" \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "$BASE_APPEND panic=$panic mmstorm.scenario=$s" \
		</dev/null >"$WORK/$s.qemu.out" 2>&1 &
	QPID=$!
	result=
	local deadline=$(( $(date +%s) + TMO ))
	while kill -0 "$QPID" 2>/dev/null; do
		# With panic=0 the guest spins after the panic: stop it once the
		# trailer is out.
		if [ "$panic" = 0 ] && grep -q -- '---\[ end Kernel panic' "$con" 2>/dev/null; then
			sleep 1
			kill -KILL "$QPID" 2>/dev/null
			result=panic
			break
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			kill -KILL "$QPID" 2>/dev/null
			result=timeout
			break
		fi
		sleep 0.5
	done
	wait "$QPID" 2>/dev/null
	rc=$?
	QPID=
	t1=$(date +%s.%N)
	if [ -z "$result" ]; then
		if grep -q 'reboot: Power down' "$con" 2>/dev/null; then
			result=ok
		elif grep -q 'Kernel panic' "$con" 2>/dev/null; then
			result=panic
		else
			result="exit$rc"
		fi
	fi
	cp "$con" "$OUT/$s.console.log"
	if [ -s "$kmsg" ]; then
		cp "$kmsg" "$OUT/$s.kmsg"
	else
		rm -f "$OUT/$s.kmsg"
	fi
	printf '%-18s %6.1fs  %s\n' "$s" "$(echo "$t1 - $t0" | bc)" "$result"
	case $result in
	ok) return 0 ;;
	panic) case $s in *panic*) return 0 ;; esac ;;
	esac
	log "$s: $result; qemu said: $(tr '\n' ' ' <"$WORK/$s.qemu.out")"
	return 1
}

fail=0
for s in $SCENARIOS; do
	if ! run_one "$s"; then
		fail=1
		[ "$KEEP" = 1 ] || break
	fi
done
exit $fail
