-- mmstorm schema v10: the fleet outbox.  A run's row is written in the
-- transaction that ends the run (store/db.c: db_run_finish, which crash
-- recovery calls too), so a run that ended is never lost to the fleet
-- database: mmstormd --fleet pushes the run and deletes its row in its
-- own local transaction after the fleet database committed it
-- (docs/fleet.md).  A run pushed twice is stored once there.
CREATE TABLE outbox (
	run_uuid   TEXT PRIMARY KEY,
	queued_ns  INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_ns    INTEGER NOT NULL DEFAULT 0,
	last_error TEXT
);
CREATE INDEX outbox_next ON outbox (next_ns, queued_ns);
