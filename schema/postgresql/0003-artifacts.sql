-- mmstorm schema v3 for PostgreSQL (schema/0003-artifacts.sql).
CREATE TABLE run_artifacts (
	run_id  BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	name    TEXT COLLATE "C" NOT NULL,
	content TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (run_id, name)
);
