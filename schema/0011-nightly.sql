-- mmstorm schema v11: the nightly driver's state (docs/nightly.md), so a
-- driver killed mid-bisect resumes without redoing a finished step.
-- A config (its name=) has an ordered list of builds; every time the job
-- ran on a build is a round with the verdict against a reference build;
-- a regression between two tested builds opens a bisect.

CREATE TABLE nightly_builds (
	id         INTEGER PRIMARY KEY,
	config     TEXT NOT NULL,
	build      TEXT NOT NULL,          -- as the config lists it
	position   INTEGER NOT NULL,       -- its order in the list
	kernel_id  INTEGER REFERENCES kernels (id),  -- what it booted
	UNIQUE (config, build)
);

CREATE TABLE nightly_rounds (
	id         INTEGER PRIMARY KEY,
	build_id   INTEGER NOT NULL REFERENCES nightly_builds (id),
	against_id INTEGER REFERENCES nightly_builds (id),  -- NULL: none
	purpose    TEXT NOT NULL CHECK (purpose IN ('baseline', 'test',
	           'bisect', 'confirm')),
	verdict    TEXT NOT NULL CHECK (verdict IN ('baseline', 'good',
	           'bad', 'error')),
	detail     TEXT,                   -- the verdict's one line
	runs       INTEGER NOT NULL,       -- runs the target brought back
	started_ns INTEGER NOT NULL,
	ended_ns   INTEGER NOT NULL
);
CREATE INDEX nightly_rounds_build ON nightly_rounds (build_id, against_id);

CREATE TABLE nightly_bisects (
	id          INTEGER PRIMARY KEY,
	config      TEXT NOT NULL,
	good_id     INTEGER NOT NULL REFERENCES nightly_builds (id),
	bad_id      INTEGER NOT NULL REFERENCES nightly_builds (id),
	state       TEXT NOT NULL CHECK (state IN ('bisecting', 'confirming',
	            'confirmed', 'inconclusive')),
	culprit_id  INTEGER REFERENCES nightly_builds (id),
	parent_id   INTEGER REFERENCES nightly_builds (id),
	detail      TEXT,                  -- why it ended so
	created_ns  INTEGER NOT NULL,
	ended_ns    INTEGER,
	reported_ns INTEGER                -- in a report already
);
CREATE INDEX nightly_bisects_config ON nightly_bisects (config, state);
