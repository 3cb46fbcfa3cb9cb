#!/bin/sh
# seeds.sh DIR - write the fuzzers' seed corpora into DIR/<target>/ from
# tests/fixtures and examples/ (nothing big is committed: fuzz/corpus/
# holds only inputs that once crashed, kept as regressions).
set -eu
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out/kmsg" "$out/jobfile" "$out/import" "$out/options" "$out/api" \
    "$out/http"

# kmsg: every captured log, in both formats, in pieces of 80 lines: a
# whole log (up to 35 KB) runs at a tenth of the speed.
for f in "$top"/tests/fixtures/kmsg/*.kmsg "$top"/tests/fixtures/kmsg/*.log; do
	split -l 80 "$f" "$out/kmsg/$(basename "$f")."
done

# jobfile: the examples, and the job file t0300 checks.
cp "$top"/examples/*.job "$out/jobfile/"
printf '[global]\nduration=2s\n\n[a]\nworkload=thp-munmap\nsize=64M\nrepeat=2\nlabel=x\nretry=1\n' \
    > "$out/jobfile/retry.job"

# import: one run of an export (its first run's header, declarations,
# counters and one line of each kind); the target writes the end line.
awk -F'"type":"' '{ split($2, a, "\""); t = a[1] }
	t == "run" && ++runs > 1 { exit }
	t != "end" && !seen[t]++ { print }' \
    "$top"/tests/fixtures/runs/init-on-alloc.jsonl > "$out/import/one-run.jsonl"
awk -F'"type":"' '{ split($2, a, "\""); t = a[1] }
	t == "run" && ++runs > 1 { exit }
	t != "end" && t != "counters" && t != "sample" { print }' \
    "$top"/tests/fixtures/runs/two-builds.jsonl > "$out/import/no-samples.jsonl"

# options: each value form under a selector of each type.
n=0
for sel in thp-munmap.size thp-munmap.sweep thp-munmap.threads \
    hotplug.cpus hotplug.ramp hotplug.pressure hotplug.floor \
    mmap-churn.dir mmap-churn.backing common.duration common.sample_ms \
    percpu-churn.count x; do
	for v in 1 0-3,8 256M 1.5G 10s 500ms 50 12.5 yes off always /tmp ""; do
		n=$((n + 1))
		printf '%s=%s' "$sel" "$v" > "$out/options/$n"
	done
done

# api: byte 0 is the method (0 GET, 1 POST, 2 DELETE) | 8 for TCP, then
# the URI line, the Authorization line (TCP only) and the body.
api() {
	printf "$2" > "$out/api/$1"
}
api status '\000/v1/status\n'
api workloads '\000/v1/workloads\n'
api current '\000/v1/current\n'
api metrics '\010/metrics\n\n'
api jobs '\000/v1/jobs?limit=5\n'
api runs '\000/v1/runs?limit=3&workload=hotplug&state=ended\n'
api run '\000/v1/runs/0123abcd\n'
api job '\000/v1/jobs/0123abcd-0000-0000-0000-000000000000\n'
api cancel '\001/v1/jobs/0123abcd/cancel\n'
api delete '\002/v1/jobs/0123abcd\n'
api tcp '\010/v1/status\nBearer fuzz-token\n'
api submit '\001/v1/jobs\n{"workload":"thp-munmap","options":{"size":"64M","sweep":"1-4"},"repeat":2,"label":"x","retry":1}'
api submit-list '\001/v1/jobs\n[{"workload":"hotplug","options":{"cycles":"2"}},{"workload":"mmap-churn"}]'

# http: raw bytes of one connection, as a client writes them: a request
# of each kind the layer treats apart (keep-alive, pipelined, a body,
# Expect, HEAD, HTTP/1.0, and each error it answers itself).
http() {
	printf "$2" > "$out/http/$1"
}
http get 'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n'
http pipelined 'GET /v1/status HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\nHEAD /v1/jobs?limit=5 HTTP/1.1\r\nConnection: close\r\n\r\n'
http post 'POST /v1/jobs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n{"workload":"mmap-churn"}'
http expect 'POST /v1/jobs HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n[]GET / HTTP/1.1\r\n\r\n'
http http10 '\r\nGET /v1/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
http chunked 'POST /v1/jobs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n'
http too-large 'POST /v1/jobs HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n'
http bad-header 'GET /v1/status HTTP/1.1\r\nno colon\r\n\r\n'
http bad-length 'POST /v1/jobs HTTP/1.1\r\nContent-Length: -1\r\n\r\n'
http bad-method 'BREW /pot HTTP/1.1\r\n\r\n'
http bad-version 'GET / HTTP/2.0\r\n\r\n'
http short-body 'POST /v1/jobs HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"work'
