-- mmstorm schema v6: the workload of an event's run, kept on the event.
-- `lockups` over 100,000 events spent most of its time joining every
-- event to its run for this one column (bench/README.md, analysis).
ALTER TABLE events ADD COLUMN workload TEXT;
UPDATE events SET workload = (SELECT workload FROM runs WHERE runs.id =
    events.run_id) WHERE run_id IS NOT NULL;
-- Every insert path (daemon, workloads, import) gets it filled in.
CREATE TRIGGER events_workload AFTER INSERT ON events
WHEN NEW.workload IS NULL AND NEW.run_id IS NOT NULL
BEGIN
	UPDATE events SET workload = (SELECT workload FROM runs WHERE
	    runs.id = NEW.run_id) WHERE id = NEW.id;
END;
