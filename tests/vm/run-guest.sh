#!/bin/bash
# run-guest.sh - boot one lab guest (mmstorm, mmstormd, stress-ng inside)
# under qemu TCG, run a job script in it, and bring its results back.
#
# Usage: tests/vm/run-guest.sh [-n N] [-a WORDS] [-d DISK] [-j JOB] [-o DIR]
#                              [-t SECS] [-R] [-b BOOTS] [-c CPUS] [-k IMAGE]
#   -n N      kernel 6.1.0-N-cloud-amd64 (default: newest, see fetch-kernel.sh)
#   -k IMAGE  boot this kernel image instead (a bzImage built from source,
#             tests/vm/src/): the initramfs stays -n's lab image, whose
#             modules do not load into it, so IMAGE must have built in
#             what the lab needs (virtio-blk, ext4, fw_cfg sysfs)
#   -a WORDS  extra kernel command line words, e.g. init_on_free=1. The
#             command line is part of a build's identity: another WORDS is
#             another build to mmstorm.
#   -d DISK   the persistent disk (raw ext4 image, /var/lib/mmstorm in the
#             guest); made with mkfs.ext4 -d when missing (default:
#             DIR/disk.img). Keep it between boots to keep the guest's
#             database, its job queue and its pstore-recovered runs.
#   -j JOB    shell script the guest's /init sources (see guest/lab-init for
#             what it may use); passed through fw_cfg, not the command line
#   -o DIR    output directory (default: a new temporary one, printed):
#               console.log    ttyS0, the kernel's console and /init's lines
#               export.jsonl   `mmstorm export` of every ended run in the guest,
#                              read out of DISK with debugfs
#   -t SECS   wall-clock bound for the whole qemu process (default 1200)
#   -R        let the guest reboot: no -no-reboot, so a panic (panic=1) is a
#             warm reset that keeps guest RAM (ramoops survives) and boots
#             the same kernel and initramfs again
#   -b BOOTS  with -R, kill the guest once it starts boot BOOTS+1 (default 3)
#   -c CPUS   vCPUs, an even number from 2 to 64 (default 4): 2 sockets of
#             CPUS/2 cores, one NUMA node of 1 GiB each (CPUs 0..CPUS/2-1 on
#             node 0, the rest on node 1). bench/vm-wide.sh boots 16
#   -I        deterministic guest time: one TCG thread with -icount
#             shift=0,sleep=off (1 ns of guest time per instruction), so that
#             times measured in the guest would not depend on the host's
#             load. EXPERIMENTAL: with 4 vCPUs the 6.1 kernels hang at
#             "Booting SMP configuration" this way (README.md, "The bisect")
#
# The guest: 4 vCPUs (-c) in 2 sockets, 2 NUMA nodes of 1 GiB (CPUs 0-1, 2-3),
# 2 GiB, the lab initramfs (mkinitramfs.sh -l), DISK as virtio-blk, ramoops
# in a memmap= reservation at 1008 MiB (below the initrd that qemu puts at
# the top of RAM, which a warm reboot reloads).
# Prints "run-guest: REL WORDS SECONDS RESULT" last; exit 0 when the guest
# powered off by itself and the export was read back.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MMSTORM_VM_CACHE:-/var/cache/mmstorm-vm}

N= WORDS= DISK= JOB= OUT= TMO=1200 REBOOT=0 MAXBOOTS=3 ICOUNT=0 CPUS=4 IMAGE=
while getopts n:a:d:j:o:t:Rb:Ic:k: opt; do
	case $opt in
	n) N=$OPTARG ;;
	a) WORDS=$OPTARG ;;
	d) DISK=$OPTARG ;;
	j) JOB=$OPTARG ;;
	o) OUT=$OPTARG ;;
	t) TMO=$OPTARG ;;
	R) REBOOT=1 ;;
	b) MAXBOOTS=$OPTARG ;;
	I) ICOUNT=1 ;;
	c) CPUS=$OPTARG ;;
	k) IMAGE=$OPTARG ;;
	*) sed -n '2,44s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || { echo "run-guest: unexpected argument '$1'" >&2; exit 2; }
log() { echo "run-guest: $*" >&2; }
case $CPUS in
''|*[!0-9]*) log "-c wants an even number of vCPUs from 2 to 64, not '$CPUS'"; exit 2 ;;
esac
if [ "$CPUS" -lt 2 ] || [ "$CPUS" -gt 64 ] || [ $((CPUS % 2)) != 0 ]; then
	log "-c wants an even number of vCPUs from 2 to 64, not '$CPUS'"; exit 2
fi
HALF=$((CPUS / 2))

if ! command -v qemu-system-x86_64 >/dev/null; then
	log "installing qemu-system-x86"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-system-x86 >&2 || exit 1
fi
command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null || {
	log "installing e2fsprogs"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q e2fsprogs >&2 || exit 1
}

REL=$("$HERE/fetch-kernel.sh" ${N:+-n "$N"} | tail -1) || exit 1
KERNEL=$CACHE/$REL/root/boot/vmlinuz-$REL
[ -n "$IMAGE" ] && KERNEL=$IMAGE
# One lab image per kernel, rebuilt when the programs or the guest files
# differ from those it was made of: by content, not time, since the
# cache is shared by every checkout on the machine (a clone built later
# than this tree made an image that was "newer" and ran its programs).
INITRD=$CACHE/$REL/initramfs-lab.cpio.gz
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${MMSTORM_BUILD:-$REPO/build}
INPUTS=$(find "$BUILD/mmstorm" "$BUILD/mmstormd" "$HERE/guest" \
	"$HERE/mkinitramfs.sh" "$HERE/inject" -type f 2>/dev/null | sort |
	xargs sha256sum 2>/dev/null | sed "s|  $REPO/|  |; s|  $BUILD/|  build/|" | sha256sum)
if [ ! -f "$INITRD" ] || [ "$(cat "$INITRD.inputs" 2>/dev/null)" != "$INPUTS" ]; then
	INITRD=$("$HERE/mkinitramfs.sh" -l "$REL" | tail -1) || exit 1
	echo "$INPUTS" > "$INITRD.inputs"
fi

if [ -z "$OUT" ]; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/mmstorm-guest.XXXXXX")
	log "output in $OUT"
fi
mkdir -p "$OUT"
DISK=${DISK:-$OUT/disk.img}
if [ ! -f "$DISK" ]; then
	# An empty ext4 with the lab's directory; sparse, 1 GiB.
	seed=$(mktemp -d "${TMPDIR:-/tmp}/mmstorm-disk.XXXXXX")
	mkdir -p "$seed/lab"
	echo 0 > "$seed/lab/boots"
	mkfs.ext4 -q -F -L mmstorm -E root_owner=0:0 -d "$seed" "$DISK" 1G || { rm -rf "$seed"; exit 1; }
	rm -rf "$seed"
fi

# The command line is one per build: memmap= reserves 1 MiB for ramoops,
# whose parameters lab-init passes to insmod.
APPEND="console=ttyS0 watchdog_thresh=5 rcupdate.rcu_cpu_stall_timeout=7 log_buf_len=1M panic=1"
APPEND="$APPEND memmap=1M\$0x3f000000 ramoops.mem_address=0x3f000000 ramoops.mem_size=0x100000"
APPEND="$APPEND ramoops.record_size=0x20000 ramoops.ecc=0${WORDS:+ $WORDS}"

CON=$OUT/console.log
rm -f "$CON" "$OUT/export.jsonl"
# The disk may be an earlier boot's: its export must never be read back
# as this boot's.  Removed before the guest starts; the one found after
# counts only when this boot's console says it was written.
debugfs -w -R "rm /export.jsonl" "$DISK" >/dev/null 2>&1
if debugfs -R "stat /export.jsonl" "$DISK" 2>/dev/null | grep -q '^Inode:'; then
	log "cannot remove the old export.jsonl from $DISK"
	exit 1
fi
QPID=
cleanup() {
	# Only the qemu this script started, by its pid.
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -KILL "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NOREBOOT=-no-reboot
[ "$REBOOT" = 1 ] && NOREBOOT=
ACCEL=(-accel tcg,thread=multi)
[ "$ICOUNT" = 1 ] && ACCEL=(-accel tcg,thread=single -icount shift=0,sleep=off)
JOBARG=()
[ -n "$JOB" ] && JOBARG=(-fw_cfg "name=opt/mmstorm/job,file=$JOB")

t0=$(date +%s.%N)
# qemu is this shell's own child (not a timeout(1) wrapper) so that QPID is
# qemu; the loop below enforces the bound.
qemu-system-x86_64 \
	"${ACCEL[@]}" -cpu max -smp "$CPUS,sockets=2,cores=$HALF,threads=1" -m 2048 \
	-object memory-backend-ram,id=m0,size=1024M \
	-object memory-backend-ram,id=m1,size=1024M \
	-numa "node,nodeid=0,cpus=0-$((HALF - 1)),memdev=m0" \
	-numa "node,nodeid=1,cpus=$HALF-$((CPUS - 1)),memdev=m1" \
	-display none -monitor none -nodefaults $NOREBOOT \
	-serial "file:$CON" \
	-drive "file=$DISK,if=virtio,format=raw,cache=unsafe" \
	"${JOBARG[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
	</dev/null >"$OUT/qemu.out" 2>&1 &
QPID=$!
result=
deadline=$(( $(date +%s) + TMO ))
while kill -0 "$QPID" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		kill -KILL "$QPID" 2>/dev/null; result=timeout; break
	fi
	if [ "$REBOOT" = 1 ] && [ "$(grep -c 'mmstorm-lab: boot=' "$CON" 2>/dev/null)" -gt "$MAXBOOTS" ]; then
		kill -KILL "$QPID" 2>/dev/null; result=reboot-loop; break
	fi
	sleep 1
done
wait "$QPID" 2>/dev/null
rc=$?
QPID=
t1=$(date +%s.%N)
if [ -z "$result" ]; then
	if grep -q 'mmstorm-lab: done' "$CON" 2>/dev/null; then
		result=ok
	elif grep -q 'Kernel panic' "$CON" 2>/dev/null; then
		result=panic
	else
		result="exit$rc"
	fi
fi
# Results come back on the disk: debugfs reads the image without mounting.
debugfs -R "dump /export.jsonl $OUT/export.jsonl" "$DISK" >/dev/null 2>&1
if [ ! -s "$OUT/export.jsonl" ] || ! grep -q 'mmstorm-lab: export: 0 (' "$CON" 2>/dev/null; then
	rm -f "$OUT/export.jsonl"
	[ "$result" = ok ] && result=no-export
fi
secs=$(echo "$t1 - $t0" | bc)
printf 'run-guest: %s%s %.1fs %s\n' "${IMAGE:-$REL}" "${WORDS:+ [$WORDS]}" "$secs" "$result"
[ "$result" = ok ] || { log "qemu said: $(tr '\n' ' ' <"$OUT/qemu.out")"; exit 1; }
exit 0
