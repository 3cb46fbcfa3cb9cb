#!/bin/sh
# compare, regressions, lockups and verdict on real runs from two kernel
# builds (tests/fixtures/runs: Debian 6.1 guests in the VM lab; one build
# boots with init_on_free=1, which makes freeing, so munmap, slower).
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"

test_expect 'import the VM lab runs of two builds' '
	mmstorm import "$F/two-builds.jsonl" > imp.txt &&
	grep -q "imported 26 runs" imp.txt &&
	mmstorm kernels --json > k.json &&
	test $(wc -l < k.json) -eq 2
'

test_expect 'an ambiguous kernel name is an error listing the candidates' '
	expect_exit 1 mmstorm compare 6.1.0-56-cloud-amd64 c56 &&
	grep -q "ambiguous" "$SCRATCH/err" &&
	test $(grep -o "6.1.0-56-cloud-amd64 (3b43fad50348" "$SCRATCH/err" | wc -l) -eq 2 &&
	# one release and build-id: the build keys tell them apart, and name them
	grep -q "6.1.0-56-cloud-amd64 (3b43fad50348, key 817e74749ed4) \[c56\], 6.1.0-56-cloud-amd64 (3b43fad50348, key bc0337112a6b) \[c56-init_on_free\];" "$SCRATCH/err" &&
	mmstorm compare 817e74749ed4 bc0337112a6b --workload thp-munmap > c.txt &&
	grep -q "^new   .*key bc0337112a6b) \[c56-init_on_free\]$" c.txt
'

test_expect 'lockups and kernels tell apart builds that differ by command line' '
	mmstorm lockups > l.txt &&
	grep -q "^6.1.0-56-cloud-amd64 (3b43fad50348, key bc0337112a6b) \[c56-init_on_free\]  *soft_lockup  " l.txt &&
	mmstorm kernels > k.txt &&
	grep -q "^6.1.0-56-cloud-amd64  *3b43fad50348  *817e74749ed4  .* c56  " k.txt &&
	grep -q "^6.1.0-56-cloud-amd64  *3b43fad50348  *bc0337112a6b  .* c56-init_on_free  " k.txt
'

test_expect 'compare: init_on_free=1 makes munmap a significant regression' '
	mmstorm compare c56 c56-init_on_free --workload thp-munmap > c.txt &&
	grep -q "^thp-munmap  *munmap_ms_per_gib .* yes  *REGRESSION$" c.txt &&
	grep -q "^thp-munmap  *fault_ms .* no  *too noisy: CV 34 %, need n ≈ 71$" c.txt &&
	mmstorm compare c56 c56-init_on_free --json > c.json &&
	python3 -c "
import json
c = json.load(open(\"c.json\"))
m = {(x[\"workload\"], x[\"metric\"]): x for x in c[\"metrics\"]}
x = m[(\"thp-munmap\", \"munmap_ms_per_gib\")]
assert x[\"mark\"] == \"regression\" and x[\"significant\"] and x[\"ci_disjoint\"], x
assert x[\"better\"] == \"lower\" and x[\"change_pct\"] > 100 and x[\"gain_pct\"] < 0, x
assert x[\"base\"][\"n\"] == 5 and x[\"new\"][\"n\"] == 5, x
assert 0 < x[\"p_value\"] <= 0.05, x
assert x[\"decision\"] == \"regression\" and x[\"estimate_ci_pct\"][0] > 0, x
# the hotplug slowdown with a CV of 47 % (docs/analysis.md): overlapping
# mean +- 1.96 sd intervals made it \"same\" before the rank-based rule
for k in (\"offline_ms_p50\", \"offline_ms_p99\", \"transitions_per_s\"):
    x = m[(\"hotplug\", k)]
    assert x[\"mark\"] == \"regression\" and not x[\"ci_disjoint\"], x
x = m[(\"hotplug\", \"res_irqs\")]
assert x[\"mark\"] == \"same\" and x[\"decision\"] == \"too_noisy\", x
assert x[\"need_runs\"] == 6 and x[\"doubt\"].startswith(\"too noisy: CV 14 %\"), x
x = m[(\"percpu-churn\", \"ops_per_s\")]
assert x[\"decision\"] == \"too_few_runs\" and x[\"estimate_ci_pct\"] == [None, None], x
l = [y for y in c[\"lockups\"] if y[\"kind\"] == \"soft_lockup\"]
assert l and l[0][\"new\"] and l[0][\"base_hits\"] == 0 and l[0][\"new_hits\"] == 1, l
"
'

test_expect 'regressions: new lockups first, then the munmap regressions' '
	mmstorm regressions --baseline c56 > r.txt &&
	head -n 2 r.txt | tail -n 1 | grep -q "NEW LOCKUP" &&
	grep -q "thp-munmap  *munmap_ms_per_gib .*REGRESSION" r.txt &&
	mmstorm regressions --baseline c56 --json > r.json &&
	json_get r.json "sorted(set(f[\"type\"] for f in j[\"findings\"]))" | grep -q "new_lockup.*regression" &&
	mmstorm regressions --baseline c56 --threshold 1000 --workload thp-munmap --json > r2.json &&
	json_get r2.json "all(f[\"type\"] == \"regression\" and f[\"change_pct\"] > 1000 for f in j[\"findings\"] if f.get(\"metric\"))" | grep -q True
'

test_expect 'lockups: the injected soft lockup, per build, with its run' '
	mmstorm lockups --kind soft_lockup --json > l.json &&
	test $(wc -l < l.json) -eq 1 &&
	test "$(json_get l.json "j[\"title\"]")" = "BUG: soft lockup in mmstorm_inject_softlockup_fn" &&
	test "$(json_get l.json "j[\"runs_hit\"]")" = 1 &&
	json_get l.json "j[\"workloads\"]" | grep -qx mmap-churn &&
	mmstorm lockups --kernel c56-init_on_free --baseline c56 > l.txt &&
	grep -q "NEW BUG: soft lockup in mmstorm_inject_softlockup_fn" l.txt &&
	run_ok --empty mmstorm lockups --kernel c56 --kind soft_lockup --json &&
	expect_exit 2 mmstorm lockups --since yesterday
'

test_expect 'verdict 1: a lockup on the build judged' '
	expect_exit 1 mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload mmap-churn &&
	grep -q "^verdict: bad: mmap-churn on .* with kernel errors" "$SCRATCH/stdout"
'

# init_on_free=1 made munmap 300x slower with a CV of 29-66 %: the old
# rule refused it (CV > 20 %), the rank-based one calls it bad.
test_expect 'verdict 1: a large regression through noise' '
	expect_exit 1 mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload thp-munmap &&
	grep -q "^verdict: bad: munmap_ms_per_gib regressed +33492.3% \[+23688.8%, +44390.5%\]" "$SCRATCH/stdout" &&
	expect_exit 1 mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload hotplug &&
	grep -q "^verdict: bad: transitions_per_s regressed -80.3% \[-86.4%, -29.9%\]" "$SCRATCH/stdout"
'

test_expect 'verdict 125: too noisy, and too few runs' '
	expect_exit 125 mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload hotplug --metric res_irqs &&
	grep -q "^verdict: cannot tell: res_irqs too noisy: CV 14 %, need n ≈ 6 (estimate +19.6%, p=0.075)$" "$SCRATCH/stdout" &&
	expect_exit 125 mmstorm verdict --baseline c56 --kernel c56-init_on_free --workload percpu-churn &&
	grep -q "too few passed runs of percpu-churn: base 1, new 1" "$SCRATCH/stdout"
'

# Between two releases transitions_per_s moved 6-7 % with a CV of 11 %:
# worse that way is "cannot tell", better the other way is good.
test_expect 'verdict 0 between two releases with no change, 125 the other way' '
	mmstorm --db "$SCRATCH/rel.db" import "$F/two-releases.jsonl" > /dev/null &&
	mmstorm --db "$SCRATCH/rel.db" verdict --baseline c54 --kernel c56 --workload hotplug > v.txt &&
	grep -q "^verdict: good: transitions_per_s did not change significantly: +6.6% \[-4.5%, +21.0%\]" v.txt &&
	expect_exit 125 mmstorm --db "$SCRATCH/rel.db" verdict --baseline c56 --kernel c54 --workload hotplug &&
	grep -q "^verdict: cannot tell: transitions_per_s too noisy: CV 11 %, need n ≈ 25 (estimate -6.2%, p=0.210)$" "$SCRATCH/stdout"
'

# init_on_alloc=1 (Debian's default) zeroes a THP when the allocator hands
# it out and again in the fault (6.1): the fault takes 1.7x as long, with
# a CV of 6-8 %.
test_expect 'verdict 1: a significant regression beyond the threshold' '
	mmstorm --db "$SCRATCH/ioa.db" import "$F/init-on-alloc.jsonl" > ioa.txt &&
	grep -q "imported 12 runs" ioa.txt &&
	expect_exit 1 mmstorm --db "$SCRATCH/ioa.db" verdict --baseline c56-init_on_alloc0 \
	    --kernel c56 --workload thp-munmap --metric fault_ms &&
	grep -q "^verdict: bad: fault_ms regressed +74.7% \[+60.7%, +87.1%\] (base 419.6 +- 23 n=6, new 729.3 +- 57 n=6, p=0.001; threshold 5.0%)$" "$SCRATCH/stdout"
'

test_expect 'verdict 0: the same change within the threshold, or the other way' '
	mmstorm --db "$SCRATCH/ioa.db" verdict --baseline c56-init_on_alloc0 --kernel c56 \
	    --workload thp-munmap --metric fault_ms --threshold 100 > v1.txt &&
	grep -q "^verdict: good: fault_ms changed within the threshold: +74.7%" v1.txt &&
	mmstorm --db "$SCRATCH/ioa.db" verdict --baseline c56 --kernel c56-init_on_alloc0 \
	    --workload thp-munmap --metric fault_ms > v2.txt &&
	grep -q "^verdict: good: fault_ms improved -42.8%" v2.txt
'

test_expect 'verdict 128: no database, unknown build, bad usage' '
	expect_exit 128 mmstorm verdict --db "$SCRATCH/none.db" --baseline c56 --workload thp-munmap &&
	grep -q "^verdict: infrastructure failure: no database" "$SCRATCH/stdout" &&
	expect_exit 128 mmstorm verdict --baseline nope --workload thp-munmap &&
	expect_exit 128 mmstorm verdict --workload thp-munmap &&
	expect_exit 128 mmstorm verdict --baseline c56 --workload thp-munmap --bogus
'

test_done
