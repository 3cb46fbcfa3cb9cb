#!/bin/sh
# The seeds' missing conditions (issue 14 item 3), each option shown to do
# what it says on this machine: thp-munmap's GUP-fast walkers, collapse
# and shmem backing (seed 004), mmap-churn's shmem collapse, fork churn
# and pinning (seed 001); bad values give a one-line error.
# Machine test: flock /tmp/mmstorm-machine.lock sh tests/t/t0240-...
. "$(dirname "$0")/lib.sh"

SHMEM_KNOB=/sys/kernel/mm/transparent_hugepage/shmem_enabled

# metric FILE NAME EXPR: the run's metric NAME satisfies "v EXPR".
metric() {
	json_get "$1" "j[\"metrics\"].get(\"$2\", -1) $3" | grep -qx True
}

# proof SHOW WHAT: "observed ok" of the reached proof named WHAT.
proof() {
	json_get "$1" "[(p[\"observed\"], p[\"ok\"]) for p in j[\"reached\"][\"proofs\"] if p[\"what\"] == \"$2\"]"
}

# one_line: the error is one line on stderr, nothing on stdout.
one_line() {
	cat "$SCRATCH/err" &&
	test "$(wc -l < "$SCRATCH/err")" -eq 1 &&
	test ! -s "$SCRATCH/stdout"
}

# skipped_with FILE TEXT: a run skipped before it started, for TEXT.
skipped_with() {
	cat "$1" &&
	test "$(json_get "$1" "j[\"state\"]")" = skipped &&
	json_get "$1" "j[\"reason\"]" | grep -q "$2" &&
	test "$(json_get "$1" "j[\"reason\"]" | wc -l)" -eq 1
}

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case "$thp" in
""|*"[never]"*) test_skip_rest "THP unavailable here: '$thp'" ;;
esac
collapse_ok=1
cat > "$SCRATCH/probe.py" <<'PY'
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
    ctypes.c_int, ctypes.c_int, ctypes.c_long]
h = 2 << 20
m = libc.mmap(None, 2 * h, 3, 0x22, -1, 0)
a = (m + h - 1) & ~(h - 1)
ctypes.memset(a, 1, 4096)
sys.exit(1 if libc.madvise(a, h, 25) != 0 and ctypes.get_errno() == 22 else 0)
PY
python3 "$SCRATCH/probe.py" || collapse_ok=0

# ---- thp-munmap (seed 004) ----

# require_path=0: the TLB-IPI proof is t0230's (a loaded machine may
# miss it); the proofs these options add are checked by name.
test_expect 'thp-munmap gup=vmsplice: walkers made GUP calls, racing the munmap' '
	mmstorm run thp-munmap --require_path=0 --size=128M --threads=2 \
	    --gup=vmsplice --json > vs.json &&
	cat vs.json &&
	test "$(json_get vs.json "j[\"state\"]")" = passed &&
	metric vs.json gup_calls "> 0" &&
	metric vs.json gup_errors "== 0" &&
	mmstorm show "$(json_get vs.json "j[\"run\"]")" --json > vs.show &&
	json_get vs.show "j[\"params\"][\"gup\"]" | grep -qx vmsplice &&
	proof vs.show "GUP-fast walks racing the split and munmap" | grep -q "True"
'

test_expect 'thp-munmap gup=odirect gup_threads=2: O_DIRECT reads into the region' '
	mmstorm run thp-munmap --require_path=0 --size=128M --threads=2 \
	    --gup=odirect --gup_threads=2 --dir="$SCRATCH" --json > od.json &&
	cat od.json &&
	test "$(json_get od.json "j[\"state\"]")" = passed &&
	metric od.json gup_calls "> 0" &&
	test -z "$(ls "$SCRATCH" | grep mmstorm-thp-munmap)"
'

if [ $collapse_ok = 1 ]; then
# A walker's pin can make one MADV_COLLAPSE answer EAGAIN (counted as
# collapse_again, as the kernel meant it); none may fail otherwise.
test_expect 'thp-munmap split=1 collapse=1: every huge page collapsed back or found pinned' '
	mmstorm run thp-munmap --require_path=0 --size=64M --threads=2 \
	    --split=1 --collapse=1 --gup=vmsplice --json > co.json &&
	cat co.json &&
	test "$(json_get co.json "j[\"state\"]")" = passed &&
	json_get co.json "j[\"metrics\"][\"collapse_ok\"] + j[\"metrics\"][\"collapse_again\"] == 32" | grep -qx True &&
	metric co.json collapse_failed "== 0" &&
	metric co.json collapse_ok ">= 16" &&
	json_get co.json "j[\"metrics\"][\"thp_collapse_alloc\"] >= j[\"metrics\"][\"collapse_ok\"]" | grep -qx True &&
	metric co.json thp_split_pmd ">= 32" &&
	mmstorm show "$(json_get co.json "j[\"run\"]")" --json > co.show &&
	proof co.show "huge pages collapsed (MADV_COLLAPSE)" | grep -q "True"
'
else
	test_skip 'thp-munmap collapse=1' 'MADV_COLLAPSE refused here (EINVAL)'
fi

test_expect 'thp-munmap backing=shmem: shmem THP mapped, the knob left as it was' '
	before=$(cat $SHMEM_KNOB) &&
	mmstorm run thp-munmap --require_path=0 --size=128M --threads=2 \
	    --backing=shmem --json > sh.json &&
	cat sh.json &&
	test "$(json_get sh.json "j[\"state\"]")" = passed &&
	metric sh.json thp_coverage_pct ">= 90" &&
	test "$(cat $SHMEM_KNOB)" = "$before"
'

test_expect 'thp-munmap size beyond MemAvailable: skipped, saying so' '
	mmstorm run thp-munmap --size=1000T --json > big.json &&
	skipped_with big.json "more than this machine can hold: 90 % of MemAvailable is"
'

test_expect 'thp-munmap collapse=1 without split=1: skipped, saying why' '
	mmstorm run thp-munmap --collapse=1 --size=64M --json > ns.json &&
	skipped_with ns.json "collapse=1 needs split=1"
'

test_expect 'thp-munmap bad gup=, gup_threads=, size=: one-line errors' '
	expect_exit 2 mmstorm run thp-munmap --gup=fast && one_line &&
	grep -q "option .gup. must be one of none|odirect|vmsplice" "$SCRATCH/err" &&
	expect_exit 2 mmstorm run thp-munmap --gup_threads=65 && one_line &&
	expect_exit 2 mmstorm run thp-munmap --backing=hugetlb && one_line &&
	expect_exit 2 mmstorm run thp-munmap --size=2000P && one_line
'

# ---- mmap-churn (seed 001) ----

if [ $collapse_ok = 1 ]; then
test_expect 'mmap-churn backing=shmem collapse=1: collapses counted by the kernel' '
	mmstorm run mmap-churn --backing=shmem --collapse=1 --duration=2s \
	    --json > mc.json &&
	cat mc.json &&
	test "$(json_get mc.json "j[\"state\"]")" = passed &&
	metric mc.json collapse_ok "> 0" &&
	metric mc.json thp_collapse_alloc "> 0" &&
	metric mc.json checked_reads "> 0" &&
	metric mc.json wrong_data "== 0" &&
	mmstorm show "$(json_get mc.json "j[\"run\"]")" --json > mc.show &&
	proof mc.show "shmem maps collapsed (MADV_COLLAPSE)" | grep -q True &&
	proof mc.show "collapse allocations counted by the kernel" | grep -q True
'
else
	test_skip 'mmap-churn collapse=1' 'MADV_COLLAPSE refused here (EINVAL)'
fi

test_expect 'mmap-churn backing=shmem alone: judged reads, no collapse asked' '
	mmstorm run mmap-churn --backing=shmem --iterations=300 --json > ms.json &&
	cat ms.json &&
	test "$(json_get ms.json "j[\"state\"]")" = passed &&
	json_get ms.json "j[\"metrics\"][\"maps\"]" | grep -qx 300.0 &&
	json_get ms.json "\"collapse_ok\" in j[\"metrics\"]" | grep -qx False
'

test_expect 'mmap-churn fork_churn=1 cpus=1,0: forks made, the pair pinned' '
	mmstorm run mmap-churn --backing=shmem --fork_churn=1 --cpus=1,0 \
	    --duration=1s --json > fk.json &&
	cat fk.json &&
	test "$(json_get fk.json "j[\"state\"]")" = passed &&
	metric fk.json forks "> 0" &&
	metric fk.json fork_errors "== 0" &&
	metric fk.json fork_children_killed "== 0" &&
	metric fk.json pinned_pairs "== 1" &&
	mmstorm show "$(json_get fk.json "j[\"run\"]")" --json > fk.show &&
	json_get fk.show "j[\"params\"][\"cpus\"]" | grep -qx "\[1, 0\]" &&
	json_get fk.show "j[\"params\"][\"fork_churn\"]" | grep -qx True &&
	proof fk.show "fork/exit churn beside it" | grep -q True
'

test_expect 'mmap-churn collapse=1 on a file, cpus= off this machine: skipped, saying why' '
	mmstorm run mmap-churn --collapse=1 --iterations=10 --json > cf.json &&
	skipped_with cf.json "collapse=1 needs backing=shmem" &&
	mmstorm run mmap-churn --cpus=0,4095 --iterations=10 --json > cx.json &&
	skipped_with cx.json "cpus: cpu 4095 is offline or not allowed"
'

test_expect 'mmap-churn bad cpus=, backing=: one-line errors' '
	expect_exit 2 mmstorm run mmap-churn --cpus=zero && one_line &&
	expect_exit 2 mmstorm run mmap-churn --cpus=4096 && one_line &&
	expect_exit 2 mmstorm run mmap-churn --backing=hugetlb && one_line &&
	expect_exit 2 mmstorm run mmap-churn --fork_churn=maybe && one_line
'


test_done
