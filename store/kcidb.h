/*
 * kcidb.h - runs as a KernelCI KCIDB submission (I/O schema v5.3),
 * `mmstorm export --format kcidb` (docs/kcidb.md).
 *
 * One JSON object: the kernel builds as checkouts and builds, each run
 * as a test with one child test per metric (its "number"), the kernel
 * events of the runs as issues (by signature) and incidents (issue x
 * run).  Ids are "ORIGIN:" and mmstorm's own global keys, so a run
 * exported twice, or from two databases, is the same object to KCIDB.
 */
#ifndef MMSTORM_KCIDB_H
#define MMSTORM_KCIDB_H

#include <stddef.h>
#include <stdio.h>

struct db;
struct export_result;

#define KCIDB_SCHEMA_MAJOR 5
#define KCIDB_SCHEMA_MINOR 3
#define KCIDB_DEFAULT_ORIGIN "mmstorm"

/* 0 if origin is a valid KCIDB origin name ([a-z0-9_]+), else -EINVAL
 * with *cause. */
int kcidb_origin_check(const char *origin, char **cause);

/*
 * Write the runs named by keys (uuids or unique prefixes), or every
 * ended run when nkeys is 0 (the runs export_runs() would write), from
 * one snapshot of the database.  res->runs and res->unfinished as
 * export_runs() sets them; res->lines counts the objects written.  On
 * error part of the object may have been written: it does not parse.
 */
int kcidb_export(struct db *, char *const *keys, size_t nkeys,
    const char *origin, FILE *out, struct export_result *, char **cause);

#endif
