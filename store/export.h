/*
 * export.h - runs as JSON lines, to move them between machines
 * (`mmstorm export` / `mmstorm import`; docs/export-format.md).
 *
 * One object per line, each with a "type": a header, then per run its
 * kernel and host (once per file), the run, its counters, samples,
 * metrics, values, events, unavailable sources, artifacts and knobs,
 * and an "end" line with the line count and the SHA-256 of every line
 * before it.  The output is canonical: exporting what an import stored
 * gives the same bytes.  An import is all or nothing, and skips runs
 * whose uuid is already stored.
 */
#ifndef MMSTORM_EXPORT_H
#define MMSTORM_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct db;

#define EXPORT_FORMAT_VERSION 1

struct export_result {
	size_t runs;          /* runs written */
	size_t lines;         /* lines written, the end line included */
	size_t unfinished;    /* runs left out: not ended, or a knob not
	                       * yet restored (only when exporting all) */
};

/*
 * Write the runs named by keys (uuids or unique prefixes), or every
 * ended run when nkeys is 0, in (created_ns, uuid) order, from one
 * snapshot of the database.  A named run that has not ended is an
 * error (-EBUSY).  On error part of the file may have been written; it
 * has no end line, so no import accepts it.
 */
int export_runs(struct db *, char *const *keys, size_t nkeys, FILE *out,
    struct export_result *, char **cause);

/* A run an export covers. */
struct export_pick {
	int64_t id, created_ns;
	char *uuid;
};

/*
 * The runs an export covers, as export_runs() picks them (the kcidb
 * writer picks the same): those named by keys, or every ended run when
 * nkeys is 0, each once, in (created_ns, uuid) order.  Call inside the
 * export's read transaction.  Free with export_picks_free().
 */
int export_pick_runs(struct db *, char *const *keys, size_t nkeys,
    struct export_pick **, size_t *n, size_t *unfinished, char **cause);
void export_picks_free(struct export_pick *, size_t n);

struct import_result {
	size_t lines;           /* lines read, the end line included */
	size_t runs;            /* run lines in the file */
	size_t imported, skipped;
	char **imported_runs;   /* uuids, in file order */
	char **skipped_runs;    /* uuids already in the database */
	size_t kernels_added, hosts_added, counters_added;
	long bad_line;          /* the line an error names, else 0 */
};

/*
 * Read an export from in.  With db NULL the whole stream is only
 * checked; otherwise it is imported in one transaction that is rolled
 * back on any error, so a bad line, a truncated file or a checksum
 * mismatch stores nothing.  name is the file as messages quote it:
 * "'NAME' line N: what".
 */
int import_stream(struct db *, FILE *in, const char *name,
    struct import_result *, char **cause);
void import_result_release(struct import_result *);

#endif
