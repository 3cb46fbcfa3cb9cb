-- mmstorm schema v6 for PostgreSQL (schema/0006-event-workload.sql): the
-- workload of an event's run, kept on the event.
ALTER TABLE events ADD COLUMN workload TEXT COLLATE "C";
UPDATE events SET workload = (SELECT workload FROM runs WHERE runs.id =
    events.run_id) WHERE run_id IS NOT NULL;
-- SQLite's AFTER INSERT trigger updates the new row; here a BEFORE
-- trigger fills it in, and takes no sequence value (lastval() stays the
-- event's id).
CREATE FUNCTION events_workload() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
	IF NEW.workload IS NULL AND NEW.run_id IS NOT NULL THEN
		NEW.workload := (SELECT workload FROM runs WHERE
		    runs.id = NEW.run_id);
	END IF;
	RETURN NEW;
END';
CREATE TRIGGER events_workload BEFORE INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_workload();
