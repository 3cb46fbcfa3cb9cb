-- mmstorm schema v13: counter sets.  Only the fleet database stores a
-- run's counter list once per distinct list (PostgreSQL:
-- schema/postgresql/0013-counter-sets.sql, docs/fleet.md); a machine's
-- own SQLite database keeps run_counters as it is and its version in
-- step.
SELECT 1;
