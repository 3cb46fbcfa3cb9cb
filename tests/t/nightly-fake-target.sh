#!/bin/sh
# nightly-fake-target.sh - a `target=command:` for tests/t/t0830-nightly.sh.
#
# SYNTHETIC BENCH DATA, not measured: it prints an export
# (docs/export-format.md) of $MMSTORM_NIGHTLY_RUNS thp-munmap runs on a made-up
# kernel build named after $MMSTORM_NIGHTLY_BUILD ("6.1.0-NN"), with
# munmap_ms_per_gib around 100 +- 3 % and, from build $REGRESS_AT on
# (the NN, unset: never), REGRESS_PCT % higher.  The values depend only
# on the build, the round and the run, so a round repeated after a kill
# prints the same runs again (the import skips them).
# From build $LOCKUP_AT on, the first run of each round logs a soft
# lockup (a kernel event) and the metric stays put.  On build $STALL_AT
# only, the second run logs mmstormd's heartbeat stall (not a kernel bug).
# With $FAKE_TREE set (a git= source), the build is $FAKE_TREE/NN.
# Every call appends "BUILD ROUND" to $FAKE_LOG; $KILL_AT ("BUILD ROUND")
# kills the driver with SIGKILL during that call, once ($KILL_DONE marks
# it done).
set -eu
build=$MMSTORM_NIGHTLY_BUILD round=$MMSTORM_NIGHTLY_ROUND runs=$MMSTORM_NIGHTLY_RUNS
echo "$build $round" >> "$FAKE_LOG"
if [ "${KILL_AT:-}" = "$build $round" ] && [ ! -e "$KILL_DONE" ]; then
	: > "$KILL_DONE"
	kill -9 "$MMSTORM_NIGHTLY_PID"
	exit 1
fi
nn=${build##*-}
# A git source's build is a commit: the recipe checked it out in
# $FAKE_TREE, whose file NN says which build it is.
[ -z "${FAKE_TREE:-}" ] || nn=$(cat "$FAKE_TREE/NN")
case $nn in *[!0-9]*|'') echo "fake target: no number in '$build'" >&2; exit 1 ;; esac
release="6.1.0-$nn-synthetic-amd64"
key=$(printf '%s' "$release" | sha256sum | cut -c1-64)
# event KIND SOURCE TITLE: an event of run $uuid
event() {
	printf '{"type":"event","run":"%s","kernel":"%s","host":1,"boot_id":"synthetic","kind":"%s","title":"%s","signature":"%s","t_ns":%s,"source":"%s","text":"%s"}\n' \
		"$uuid" "$key" "$1" "$3" "$(printf '%s' "$3" | sha256sum | cut -c1-64)" "$((t + 100000000))" "$2" "$3"
}
out=$(mktemp)
{
printf '{"type":"mmstorm-export","version":1}\n'
printf '{"type":"kernel","build_key":"%s","release":"%s","version":"Linux version %s (synthetic)","build_id":"%s","cmdline":"console=ttyS0","config_hash":"%s","config_source":"synthetic","first_seen_ns":1795301178499939820}\n' \
	"$key" "$release" "$release" "$(echo "$key" | cut -c1-40)" "$key"
printf '{"type":"host","ref":1,"machine_id":"73796e74686574696373796e74686574","hostname":"synthetic","cpus_possible":4,"numa_nodes":1,"nodes":"[]","mem_total_kb":2022788,"first_seen_ns":1795301178521930460}\n'
i=0
while [ $i -lt "$runs" ]; do
	uuid=$(printf '%08x-%04x-4000-8000-%012x' "$nn" "$round" "$i")
	t=$((1795301179000000000 + nn * 1000000000000 + round * 10000000000 + i * 1000000000))
	printf '{"type":"run","uuid":"%s","kernel":"%s","host":1,"workload":"thp-munmap","params":"{}","state":"passed","reason":null,"label":null,"boot_id":"synthetic","host_state":"{}","created_ns":%s,"started_ns":%s,"ended_ns":%s,"exit_status":"exit 0"}\n' \
		"$uuid" "$key" "$t" "$t" "$((t + 500000000))"
	# +-3 % in a pattern that differs between builds and rounds.
	wiggle=$(( (nn * 7 + round * 3 + i * 5) % 7 - 3 ))
	value=$((1000 + wiggle * 10))
	if [ -n "${REGRESS_AT:-}" ] && [ "$nn" -ge "$REGRESS_AT" ]; then
		value=$((value * (100 + ${REGRESS_PCT:-40}) / 100))
	fi
	printf '{"type":"metric","run":"%s","name":"munmap_ms_per_gib","value":%s.%s,"unit":"ms/GiB","better":"lower"}\n' \
		"$uuid" "$((value / 10))" "$((value % 10))"
	if [ -n "${LOCKUP_AT:-}" ] && [ "$nn" -ge "$LOCKUP_AT" ] && [ $i = 0 ]; then
		event soft_lockup kmsg "watchdog: BUG: soft lockup - CPU#1 stuck in zap_pte_range"
	fi
	if [ -n "${STALL_AT:-}" ] && [ "$nn" = "$STALL_AT" ] && [ $i = 1 ]; then
		event stall daemon "mmstormd: heartbeat stalled"
	fi
	i=$((i + 1))
done
} > "$out"
lines=$(wc -l < "$out")
sum=$(sha256sum < "$out" | cut -c1-64)
cat "$out"
printf '{"type":"end","runs":%s,"lines":%s,"sha256":"%s"}\n' "$runs" "$lines" "$sum"
rm -f "$out"
