-- mmstorm schema v13: the fleet at scale.  Only the fleet database stores
-- a run's counter list once per distinct list, and wants an index with
-- the event id for lockups (PostgreSQL:
-- schema/postgresql/0013-fleet-scale.sql, docs/fleet.md); a machine's
-- own SQLite database keeps run_counters as it is and its version in
-- step.
SELECT 1;
