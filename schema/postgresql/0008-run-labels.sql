-- PostgreSQL: the same as schema/0008-run-labels.sql.
-- mmstorm schema v8: the runs' labels by build.  Kernel names show the
-- label of a build's runs (builds that differ only by command line share
-- a release and build-id) and a label names a build on the command line;
-- both read every run of a build, or of the database, without it
-- (bench/README.md, analysis).  Unlabelled runs are not indexed.
CREATE INDEX runs_label ON runs (kernel_id, label) WHERE label IS NOT NULL;
