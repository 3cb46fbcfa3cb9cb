-- mmstorm schema v2: per-operation values, changed knobs, and sources a
-- run could not read.

-- One value per operation (offline_ms of each transition, munmap_ms of
-- each repeat), so percentiles are recomputable and reports can mark
-- each on the time axis.
CREATE TABLE run_values (
	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	series  TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	t_ns    INTEGER NOT NULL,
	value   REAL NOT NULL,
	PRIMARY KEY (run_id, series, seq)
) WITHOUT ROWID;

-- A sysfs/procfs knob (THP mode, watchdog, a CPU's online file) a run
-- changed: the original is committed before the change so that a crash
-- or a killed worker can always be undone.
CREATE TABLE knobs (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
	path        TEXT NOT NULL,
	original    TEXT NOT NULL,
	value       TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('changed', 'restored',
	            'failed')),
	changed_ns  INTEGER NOT NULL,
	restored_ns INTEGER,
	error       TEXT
);
CREATE INDEX knobs_state ON knobs (state);

CREATE TABLE run_unavailable (
	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	source  TEXT NOT NULL,
	PRIMARY KEY (run_id, source)
) WITHOUT ROWID;

-- The process that supervises a run, so a later start can tell a run
-- whose supervisor died (interrupted) from one still going.
ALTER TABLE runs ADD COLUMN pid INTEGER;
