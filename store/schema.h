/* schema.h - the SQL migrations compiled in from the schema directory. */
#ifndef MMSTORM_SCHEMA_H
#define MMSTORM_SCHEMA_H

struct schema_migration {
	int version;
	const char *file;
	const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_migrations_count;
/* schema/postgresql/: the same numbers, as many (embed-schema.sh checks) */
extern const struct schema_migration schema_migrations_postgresql[];

#endif
