-- mmstorm schema v4: the daemon's durable job queue, and state it keeps
-- across restarts (the last /dev/kmsg record read in each boot).

CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY,
	uuid         TEXT NOT NULL UNIQUE,
	workload     TEXT NOT NULL,
	options      TEXT NOT NULL,          -- JSON: option -> text as given
	repeat       INTEGER NOT NULL,
	label        TEXT,
	retry        INTEGER NOT NULL DEFAULT 0,  -- re-queues after a crash
	retries_used INTEGER NOT NULL DEFAULT 0,
	timeout_ms   INTEGER,                -- per-run limit, NULL none
	state        TEXT NOT NULL CHECK (state IN ('queued', 'running',
	             'done', 'cancelled')),
	runs_done    INTEGER NOT NULL DEFAULT 0,
	error        TEXT,
	created_ns   INTEGER NOT NULL,
	started_ns   INTEGER,
	ended_ns     INTEGER
);
CREATE INDEX jobs_state ON jobs (state, id);

ALTER TABLE runs ADD COLUMN job_id INTEGER REFERENCES jobs (id);
CREATE INDEX runs_job ON runs (job_id);

CREATE TABLE daemon_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
