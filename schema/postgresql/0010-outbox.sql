-- PostgreSQL: the same as schema/0010-outbox.sql.  A fleet database
-- never pushes, but a store on PostgreSQL records run ends the same way.
CREATE TABLE outbox (
	run_uuid   TEXT COLLATE "C" PRIMARY KEY,
	queued_ns  BIGINT NOT NULL,
	attempts   BIGINT NOT NULL DEFAULT 0,
	next_ns    BIGINT NOT NULL DEFAULT 0,
	last_error TEXT COLLATE "C"
);
CREATE INDEX outbox_next ON outbox (next_ns, queued_ns);
