-- PostgreSQL: the same as schema/0007-event-covering-index.sql.
-- mmstorm schema v7: lockups and regressions group events by build,
-- signature and workload; an index holding every column they read lets
-- them scan it instead of visiting 100,000 table rows (bench/README.md).
CREATE INDEX events_lockups ON events (kernel_id, signature, workload, kind,
    run_id, host_id, t_ns);
