#!/bin/sh
# bisect/mmstorm-bisect-step against a fake lab: stub make, scp and ssh on
# PATH.  The stub ssh runs the step's commands here, with stub dpkg,
# systemctl, uname and mmstorm that act out a target (booting the bisect
# kernel or not, answering a verdict, hanging, crashing, dropping the
# connection) as the files in $FAKE say.  Nothing is built, booted or run.
. "$(dirname "$0")/lib.sh"
STEP="$TOP/bisect/mmstorm-bisect-step"
FAKE="$SCRATCH/fake"
mkdir -p "$FAKE/bin" "$FAKE/tbin" "$SCRATCH/src/linux"

# --- the build host's stubs ---------------------------------------------
cat > "$FAKE/bin/make" <<'EOF'
#!/bin/sh
# olddefconfig, then bindeb-pkg: ../linux-image-*LOCALVERSION*.deb
case "$*" in
*olddefconfig*) exit 0 ;;
*bindeb-pkg*)
	[ "$(cat "$FAKE/build")" = ok ] || { echo "fake: build error"; exit 2; }
	for a in "$@"; do case $a in LOCALVERSION=*) lv=${a#LOCALVERSION=} ;; esac; done
	touch "../linux-image-6.1.0${lv}_6.1.0-1_amd64.deb" ;;
esac
EOF
cat > "$FAKE/bin/scp" <<'EOF'
#!/bin/sh
echo "scp $*" >> "$FAKE/log"
EOF
# ssh [-o OPT]... TARGET COMMAND...: the command runs here, on the
# target's stubs; a target that is down refuses (255) as ssh does.
cat > "$FAKE/bin/ssh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-o) echo "ssh-option $2" >> "$FAKE/log"; shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
shift
[ "$(cat "$FAKE/state")" = up ] || exit 255
PATH="$FAKE/tbin:$PATH" exec sh -c "$*"
EOF
# --- the target's stubs ---------------------------------------------------
cat > "$FAKE/tbin/dpkg" <<'EOF'
#!/bin/sh
# dpkg -i /tmp/linux-image-REL_VER_amd64.deb
p=${2##*/linux-image-}
echo "${p%%_*}" > "$FAKE/installed"
EOF
cat > "$FAKE/tbin/grub-reboot" <<'EOF'
#!/bin/sh
exit 0
EOF
# reboot: into the package installed (boot=ok), never back (fail), or
# into the default kernel (other)
cat > "$FAKE/tbin/systemctl" <<'EOF'
#!/bin/sh
case $(cat "$FAKE/boot") in
ok) cp "$FAKE/installed" "$FAKE/running" ;;
fail) echo down > "$FAKE/state" ;;
other) echo 6.1.0-default > "$FAKE/running" ;;
esac
EOF
cat > "$FAKE/tbin/uname" <<'EOF'
#!/bin/sh
cat "$FAKE/running"
EOF
# mmstorm status answers; mmstorm verdict does what $FAKE/verdict says:
# an exit code, hang (never answers), drop (the connection goes and the
# target with it), crash (the target reboots into its default kernel),
# blip (the connection goes, the target stays)
cat > "$FAKE/tbin/mmstorm" <<'EOF'
#!/bin/sh
case $1 in
status) exit 0 ;;
verdict)
	echo "$*" > "$FAKE/verdict-args"
	case $(cat "$FAKE/verdict") in
	hang) exec sleep 600 ;;
	drop) echo down > "$FAKE/state"; exit 255 ;;
	crash) echo 6.1.0-default > "$FAKE/running"; exit 255 ;;
	blip) exit 255 ;;
	*) echo "verdict: fake: exit $(cat "$FAKE/verdict")"; exit "$(cat "$FAKE/verdict")" ;;
	esac ;;
esac
exit 2
EOF
cat > "$FAKE/power-cycle" <<'EOF'
#!/bin/sh
echo power-cycle >> "$FAKE/log"
echo up > "$FAKE/state"
echo 6.1.0-default > "$FAKE/running"
EOF
chmod +x "$FAKE/bin/"* "$FAKE/tbin/"* "$FAKE/power-cycle"

(cd "$SCRATCH/src/linux" && git init -q && git config user.email t@mmstorm &&
	git config user.name t && echo 1 > Makefile && git add Makefile &&
	git commit -q -m one) || exit 1

# step BUILD BOOT VERDICT [VAR=VALUE...]: one step in a fresh lab; its
# exit code in $SCRATCH/rc, stderr in $SCRATCH/step.err
step() {
	echo "$1" > "$FAKE/build"
	echo "$2" > "$FAKE/boot"
	echo "$3" > "$FAKE/verdict"
	shift 3
	echo up > "$FAKE/state"
	echo 6.1.0-default > "$FAKE/running"
	rm -f "$FAKE/log" "$FAKE/verdict-args" "$SCRATCH"/src/*.deb
	set +e
	(cd "$SCRATCH/src/linux" && env PATH="$FAKE/bin:$PATH" FAKE="$FAKE" \
	    TARGET=root@lab BASELINE=good WORKLOAD=thp-munmap SETTLE=0 POLL=1 \
	    BOOT_TIMEOUT=3 PROBE_TIMEOUT=3 ANSWER_TIMEOUT=5 "$@" \
	    timeout 60 bash "$STEP") > "$SCRATCH/step.out" 2> "$SCRATCH/step.err"
	echo $? > "$SCRATCH/rc"
	set -e
}
rc_is() {
	[ "$(cat "$SCRATCH/rc")" = "$1" ] || {
		echo "exit $(cat "$SCRATCH/rc"), want $1"; cat "$SCRATCH/step.err"; return 1; }
}

test_expect 'good, bad and cannot tell are the verdict'"'"'s own' '
	step ok ok 0 && rc_is 0 && grep -q "^verdict: fake: exit 0" step.out &&
	step ok ok 1 && rc_is 1 &&
	step ok ok 125 && rc_is 125 &&
	step ok ok 128 && rc_is 128
'

test_expect 'ssh keeps the connection alive, and gives up on a silent target' '
	step ok ok 0 &&
	grep -qx "ssh-option ServerAliveInterval=15" "$FAKE/log" &&
	grep -qx "ssh-option ServerAliveCountMax=4" "$FAKE/log" &&
	step ok ok 0 ALIVE_INTERVAL=5 ALIVE_COUNT=3 &&
	grep -qx "ssh-option ServerAliveInterval=5" "$FAKE/log" &&
	grep -qx "ssh-option ServerAliveCountMax=3" "$FAKE/log"
'

test_expect 'a build failure is a skip (125)' '
	step fail ok 0 && rc_is 125 && grep -q "skip: build failed" step.err
'

test_expect 'a kernel that does not boot is a skip (125), the target power-cycled back' '
	step ok fail 0 POWER_CYCLE="$FAKE/power-cycle" && rc_is 125 &&
	grep -q "skip: target did not come back" step.err &&
	grep -qx power-cycle "$FAKE/log" &&
	step ok fail 0 && rc_is 125 &&
	step ok other 0 && rc_is 125 && grep -q "skip: target booted 6.1.0-default" step.err
'

test_expect 'a target that stops answering during the runs is bad (hang), not skip' '
	step ok ok hang POWER_CYCLE="$FAKE/power-cycle" && rc_is 1 &&
	grep -q "bad: hang: the target gave no verdict in 5s" step.err &&
	grep -qx power-cycle "$FAKE/log" &&
	step ok ok drop POWER_CYCLE="$FAKE/power-cycle" && rc_is 1 &&
	grep -q "bad: hang: the target stopped answering during the runs" step.err &&
	grep -qx power-cycle "$FAKE/log" &&
	step ok ok drop && rc_is 1
'

test_expect 'a target that comes back on another kernel crashed: bad' '
	step ok ok crash && rc_is 1 &&
	grep -q "bad: the target came back on 6.1.0-default" step.err
'

test_expect 'a dropped connection to a target still on the bisect kernel cannot tell' '
	step ok ok blip && rc_is 125 &&
	grep -q "skip: the connection dropped" step.err
'

test_expect 'verdict gets the report chased and sequential testing' '
	step ok ok 0 RUNS=3 MAX_RUNS=9 CHASE="--kind soft_lockup" \
	    CHASE_TITLE="BUG: soft lockup in sys_munmap" METRIC=fault_ms SET="size=1G" && rc_is 0 &&
	grep -q -- "--runs 3 --max-runs 9 --kind soft_lockup --title BUG: soft lockup in sys_munmap --set size=1G" "$FAKE/verdict-args" &&
	grep -q -- "--baseline good --workload thp-munmap --metric fault_ms --threshold 5" "$FAKE/verdict-args"
'

# The VM lab's step (tests/vm/bisect-step) beside a fake run-guest.sh that
# writes the console a guest would have: what it says decides.
VM="$SCRATCH/vm"
mkdir -p "$VM" "$SCRATCH/lab"
cp "$TOP/tests/vm/bisect-step" "$VM/"
cat > "$VM/run-guest.sh" <<'EOF'
#!/bin/sh
# -o DIR: console.log as $FAKE/guest says
while getopts n:a:d:j:o:t: o; do [ $o = o ] && out=$OPTARG; done
c="$out/console.log"
case $(cat "$FAKE/guest") in
nostart) echo "qemu: cannot start"; exit 1 ;;
noboot) echo "[    0.000000] Linux version 6.1.0" > "$c"
	echo "run-guest: 6.1.0-56-cloud-amd64 1200.0s timeout"; exit 1 ;;
hang) printf "mmstorm-lab: boot=1\r\nmmstorm-lab: mmstormd up (pid 9)\r\nmmstorm-lab: runs started\r\n[  30.1] watchdog: BUG: soft lockup\r\n" > "$c"
	echo "run-guest: 6.1.0-56-cloud-amd64 1200.0s timeout"; exit 1 ;;
*) printf "mmstorm-lab: runs started\r\nverdict: fake\r\nmmstorm-lab: verdict-exit=%s\r\n" "$(cat "$FAKE/guest")" > "$c"
	echo "run-guest: 6.1.0-56-cloud-amd64 20.0s ok" ;;
esac
EOF
chmod +x "$VM/run-guest.sh"
(cd "$SCRATCH/lab" && git init -q && git config user.email t@mmstorm &&
	git config user.name t && echo KERNEL=56 > lab.conf && git add lab.conf &&
	git commit -q -m one) || exit 1
vm_step() {
	echo "$1" > "$FAKE/guest"
	set +e
	(cd "$SCRATCH/lab" && env FAKE="$FAKE" LAB_DISK="$SCRATCH/disk.img" \
	    timeout 60 bash "$VM/bisect-step") > "$SCRATCH/step.out" 2> "$SCRATCH/step.err"
	echo $? > "$SCRATCH/rc"
	set -e
}

test_expect 'VM lab step: the guest'"'"'s verdict, or bad when it hung during the runs' '
	vm_step 0 && rc_is 0 &&
	vm_step 1 && rc_is 1 &&
	vm_step 125 && rc_is 125 &&
	vm_step hang && rc_is 1 &&
	grep -q "bad: hang: the guest stopped answering during the runs (run-guest: .* timeout)" step.err
'

test_expect 'VM lab step: a guest that never reached the runs is a skip, none at all an abort' '
	vm_step noboot && rc_is 125 &&
	grep -q "guest ended before the runs began" step.err &&
	vm_step nostart && rc_is 128
'

test_done
