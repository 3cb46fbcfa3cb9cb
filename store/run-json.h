/*
 * runjson.h - runs as JSON: the shapes of `run --json` and `show --json`
 * (DESIGN.md section 4), shared by the CLI and the daemon's API.
 */
#ifndef MMSTORM_RUNJSON_H
#define MMSTORM_RUNJSON_H

#include <stdint.h>

#include <jansson.h>
#include "store/driver.h"

struct db;

/* {"run", "workload", "state", "reason", "metrics"} */
json_t *run_summary_json(struct db *, int64_t run_id);
/* Everything stored about a run; all=1 keeps zero counter deltas. */
json_t *run_show_json(struct db *, int64_t run_id, int all, char **cause);

/* A row as an object keyed by column names; the first row, or all rows,
 * of a statement with ?1 bound to id. */
json_t *db_row_json(struct stmt *);
json_t *db_query_one(struct db *, const char *sql, int64_t id, char **cause);
json_t *db_query_all(struct db *, const char *sql, int64_t id, char **cause);

#endif
