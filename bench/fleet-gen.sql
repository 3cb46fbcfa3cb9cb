-- bench/fleet-gen.sql - BENCH DATA ONLY: a synthetic fleet database of
-- :runs runs (default 1,000,000 from bench/fleet-queries.sh), made on the
-- server with generate_series so that 1M runs take minutes, not hours.
-- The shape of a lab's: 50 kernel builds tested one after the other
-- (each build's runs contiguous in time), 200 hosts of 4 shapes, 10
-- workloads with 2 parameter sets each, 5 metrics per run (every 7th
-- build 10 % worse, every 11th 10 % better), states 96 % passed, 2 %
-- failed, 1 % lockup, 0.5 % crashed, 0.5 % skipped; events: a warning
-- in one run of 10, a lockup event (4 kinds) in every lockup run and an
-- oops in every crashed one, titles from 300 signatures.  No samples,
-- values or counters: compare, regressions and lockups do not read them.
-- Random numbers from setseed(0.42): the same rows every time.
\set ON_ERROR_STOP on
SELECT setseed(0.42);
-- bulk load: no foreign-key or trigger per row (every id is made here)
SET session_replication_role = replica;

INSERT INTO kernels (id, build_key, release, version, build_id, cmdline,
    first_seen_ns)
SELECT k, 'bench' || lpad(k::text, 59, '0'), '6.1.0-' || k || '-bench',
    '6.1.0-' || k || '-bench', 'bench' || lpad(k::text, 59, '0'), '',
    1700000000000000000 + k * 86400000000000
FROM generate_series(1, 50) k;

INSERT INTO hosts (id, machine_id, hostname, cpus_possible, numa_nodes,
    nodes, mem_total_kb, first_seen_ns, class)
SELECT h, md5('bench-host-' || h), 'bench-' || lpad(h::text, 3, '0'),
    (ARRAY[2, 4, 16, 64])[1 + h % 4], 1 + (h % 4 = 3)::int, '[]',
    (ARRAY[4, 16, 64, 256])[1 + h % 4] * 1048576, 1700000000000000000,
    'bench-class-' || (h % 4)
FROM generate_series(1, 200) h;

-- run g: build 1 + (g - 1) / (runs / 50), workload g % 10, host g*7 % 200
INSERT INTO runs (id, uuid, workload, params, state, reason, kernel_id,
    host_id, boot_id, host_state, created_ns, started_ns, ended_ns,
    exit_status)
SELECT g, md5('run' || g)::uuid::text, w.name,
    '{"size":268435456,"threads":' || (2 + 2 * (g / 10 % 2)) || '}',
    s.state, CASE WHEN s.state <> 'passed' THEN 'bench' END,
    1 + (g - 1) * 50 / :runs, 1 + g * 7 % 200, md5('boot' || (g / 20)),
    '{}', t, t, t + 30000000000,
    CASE WHEN s.state = 'passed' THEN 'exit 0' ELSE 'exit 1' END
FROM generate_series(1, :runs) g,
    LATERAL (SELECT 1700000000000000000 + g * 60000000000::bigint AS t) tt,
    LATERAL (SELECT (ARRAY['thp-munmap', 'hotplug', 'percpu-churn',
        'mmap-churn', 'numa-migrate', 'ksm-merge', 'compaction',
        'swap-storm', 'hugetlb-pool', 'memcg-limit'])[1 + g % 10] AS name) w,
    LATERAL (SELECT CASE WHEN g % 200 < 192 THEN 'passed'
        WHEN g % 200 < 196 THEN 'failed' WHEN g % 200 < 198 THEN 'lockup'
        WHEN g % 200 < 199 THEN 'crashed' ELSE 'skipped' END AS state) s;

-- 5 metrics per run that was not skipped; normal by Box-Muller
INSERT INTO metrics (run_id, name, value, unit, better)
SELECT r.id, m.name,
    (100 + 5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) *
    CASE WHEN r.kernel_id % 7 = 3 THEN 1.10 WHEN r.kernel_id % 11 = 5
        THEN 0.90 ELSE 1.0 END,
    m.unit, m.better
FROM runs r, (VALUES ('fault_ms', 'ms', 'lower'), ('op_ms', 'ms', 'lower'),
    ('ops_per_s', 'ops/s', 'higher'), ('irqs', 'count', 'lower'),
    ('rss_kb', 'kB', 'lower')) AS m(name, unit, better)
WHERE r.state <> 'skipped';

INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title,
    signature, t_ns, source, text, workload)
SELECT r.id, r.kernel_id, r.host_id, r.boot_id, e.kind,
    e.kind || ': bench title ' || e.sig || ' in bench_fn_' || e.sig,
    md5('sig' || e.kind || e.sig), r.started_ns + 1000000000, 'kmsg',
    'bench event text', r.workload
FROM runs r, LATERAL (SELECT
    CASE r.state WHEN 'lockup' THEN (ARRAY['soft_lockup', 'rcu_stall',
        'hung_task', 'hard_lockup'])[1 + r.id / 200 % 4]
        WHEN 'crashed' THEN 'oops' ELSE 'warning' END AS kind,
    (r.id / 200 * 7 + r.id) % 300 AS sig) e
WHERE r.state IN ('lockup', 'crashed') OR r.id % 10 = 0;

SET session_replication_role = DEFAULT;
-- the identities go on from here, as if the rows had been pushed
SELECT setval(pg_get_serial_sequence('kernels', 'id'), 50),
    setval(pg_get_serial_sequence('hosts', 'id'), 200),
    setval(pg_get_serial_sequence('runs', 'id'), :runs);
VACUUM ANALYZE;
