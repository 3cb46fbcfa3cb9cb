-- mmstorm schema v1: machines, kernel builds, runs and what they recorded.
-- Applied by lib/db.c inside one transaction; PRAGMA user_version = 1.

CREATE TABLE hosts (
	id            INTEGER PRIMARY KEY,
	machine_id    TEXT NOT NULL,
	hostname      TEXT NOT NULL,
	cpus_possible INTEGER NOT NULL,
	numa_nodes    INTEGER NOT NULL,
	nodes         TEXT NOT NULL,          -- JSON: [{node, mem_kb, cpus}]
	mem_total_kb  INTEGER NOT NULL,
	first_seen_ns INTEGER NOT NULL,
	UNIQUE (machine_id, hostname, cpus_possible, numa_nodes, mem_total_kb)
);

-- A kernel build: runs are grouped by build_key (GNU build-id or
-- /proc/version, config hash, command line), never by a label alone.
CREATE TABLE kernels (
	id            INTEGER PRIMARY KEY,
	build_key     TEXT NOT NULL UNIQUE,
	release       TEXT NOT NULL,
	version       TEXT NOT NULL,
	build_id      TEXT,
	cmdline       TEXT NOT NULL,
	config_hash   TEXT,
	config_source TEXT,
	first_seen_ns INTEGER NOT NULL
);
CREATE INDEX kernels_release ON kernels (release);
CREATE INDEX kernels_build_id ON kernels (build_id);

CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	uuid          TEXT NOT NULL UNIQUE,
	workload      TEXT NOT NULL,
	params        TEXT NOT NULL,          -- JSON, every option with a value
	state         TEXT NOT NULL CHECK (state IN ('queued', 'running',
	              'passed', 'failed', 'lockup', 'crashed', 'interrupted',
	              'skipped')),
	reason        TEXT,
	kernel_id     INTEGER NOT NULL REFERENCES kernels (id),
	host_id       INTEGER NOT NULL REFERENCES hosts (id),
	label         TEXT,
	boot_id       TEXT NOT NULL,
	host_state    TEXT NOT NULL DEFAULT '{}', -- JSON: cpus online, THP mode
	created_ns    INTEGER NOT NULL,
	started_ns    INTEGER,
	ended_ns      INTEGER,
	exit_status   TEXT                    -- "exit 0", "signal 9"
);
-- runs by kernel x workload: compare, regressions, verdict
CREATE INDEX runs_kernel_workload ON runs (kernel_id, workload, state);
CREATE INDEX runs_state ON runs (state);
CREATE INDEX runs_created ON runs (created_ns);

-- Counter dictionary shared by all runs.
CREATE TABLE counters (
	id    INTEGER PRIMARY KEY,
	name  TEXT NOT NULL UNIQUE,
	kind  TEXT NOT NULL CHECK (kind IN ('event', 'gauge')),
	unit  TEXT NOT NULL
);

-- Which counters a run's sample blobs hold, in blob order.
CREATE TABLE run_counters (
	run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	idx        INTEGER NOT NULL,
	counter_id INTEGER NOT NULL REFERENCES counters (id),
	PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;

-- One row per sampler pass: the values of every counter of the run as a
-- blob of zigzag varints (bench/README.md (b) has the measurement that
-- chose this over one row per value).
CREATE TABLE samples (
	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	t_ns    INTEGER NOT NULL,             -- CLOCK_REALTIME
	label   TEXT,                         -- "start", "end", "munmap-start"
	data    BLOB NOT NULL,
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE metrics (
	run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	name    TEXT NOT NULL,
	value   REAL NOT NULL,
	unit    TEXT NOT NULL,
	better  TEXT NOT NULL CHECK (better IN ('lower', 'higher')),
	PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
CREATE INDEX metrics_name ON metrics (name);

CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	run_id     INTEGER REFERENCES runs (id) ON DELETE SET NULL,
	kernel_id  INTEGER NOT NULL REFERENCES kernels (id),
	host_id    INTEGER NOT NULL REFERENCES hosts (id),
	boot_id    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	title      TEXT NOT NULL,
	signature  TEXT NOT NULL,
	t_ns       INTEGER NOT NULL,
	source     TEXT NOT NULL,             -- kmsg, pstore, workload, daemon
	text       TEXT NOT NULL
);
-- events by kernel x title: lockups
CREATE INDEX events_kernel_title ON events (kernel_id, title);
CREATE INDEX events_run ON events (run_id);
