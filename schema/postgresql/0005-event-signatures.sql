-- PostgreSQL: the same as schema/0005-event-signatures.sql.
-- mmstorm schema v5: `lockups` groups events by kernel build and
-- signature; this index answers it without sorting the events table.
CREATE INDEX events_kernel_signature ON events (kernel_id, signature, kind);
