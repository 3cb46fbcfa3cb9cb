-- mmstorm schema v3: texts kept with a run (stress-ng's YAML report, a
-- pstore log), too large or too free-form for metrics and events.
CREATE TABLE run_artifacts (
	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	name    TEXT NOT NULL,
	content TEXT NOT NULL,
	PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
