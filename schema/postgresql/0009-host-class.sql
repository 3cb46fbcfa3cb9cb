-- PostgreSQL: the same as schema/0009-host-class.sql.
ALTER TABLE hosts ADD COLUMN class TEXT COLLATE "C";
