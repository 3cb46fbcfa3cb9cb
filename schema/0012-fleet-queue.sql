-- mmstorm schema v12: the fleet's job queue.  Its tables live only in
-- the fleet database (PostgreSQL: schema/postgresql/0012-fleet-queue.sql,
-- docs/fleet.md); a machine's own SQLite database keeps its version in
-- step and holds nothing for it.
SELECT 1;
