/*
 * resolve.c - kernel builds by the names people give them ("running", a
 * release, a build-id or build-key prefix, a run label) and the one-line
 * description every command prints for a build.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/buf.h"
#include "common/util.h"
#include "probe/identity.h"
#include "store/db.h"

/* The build this machine runs now, if it has runs in the store. */
static int
running_kernel(struct db *db, int64_t *id, char **cause)
{
	struct kernel_identity k;
	struct stmt *st;
	int r;

	memset(&k, 0, sizeof k);
	if ((r = kernel_identity_read(&k, NULL, cause)) != 0)
		return r;
	st = db_prepare(db, "SELECT id FROM kernels WHERE build_key = $1",
	    cause);
	if (st == NULL) {
		kernel_identity_release(&k);
		return -EIO;
	}
	stmt_bind_text(st, 1, k.build_key);
	if (stmt_step(st) == STORE_ROW) {
		*id = stmt_int64(st, 0);
		r = 0;
	} else
		r = set_cause(cause, ENOENT, "no runs on the running kernel "
		    "%s yet", k.release);
	stmt_finalize(st);
	kernel_identity_release(&k);
	return r;
}

char *
kernel_describe(struct db *db, int64_t id)
{
	/*
	 * Builds may share a release and build-id and differ only by
	 * command line (init_on_free=1) or config: the label their runs
	 * carry tells them apart for a reader, and then the build key,
	 * which also names the build on the command line, for certain.
	 */
	struct stmt *st = db_cached(db, DB_ST_KERNEL_NAME, "SELECT k.release, "
	    "coalesce(k.build_id, k.build_key), (SELECT label FROM runs WHERE "
	    "kernel_id = k.id AND label IS NOT NULL GROUP BY label ORDER BY "
	    "count(*) DESC, label LIMIT 1), k.build_key, CASE WHEN EXISTS "
	    "(SELECT 1 FROM kernels o WHERE o.id <> k.id AND o.release = "
	    "k.release AND substr(coalesce(o.build_id, o.build_key), 1, 12) = "
	    "substr(coalesce(k.build_id, k.build_key), 1, 12)) THEN 1 ELSE 0 "
	    "END FROM kernels k WHERE k.id = $1", NULL);
	struct buf b = BUF_INIT;

	if (st != NULL) {
		stmt_bind_int64(st, 1, id);
		if (stmt_step(st) == STORE_ROW) {
			const char *label = stmt_text(st, 2);
			int key_needed = stmt_int(st, 4);

			buf_printf(&b, "%s (%.12s", stmt_text(st, 0),
			    stmt_text(st, 1));
			if (key_needed)
				buf_printf(&b, ", key %.12s",
				    stmt_text(st, 3));
			buf_adds(&b, ")");
			if (label != NULL)
				buf_printf(&b, " [%s]", label);
		}
		stmt_reset(st);
	}
	return b.s ? buf_detach(&b) : xasprintf("kernel #%" PRId64, id);
}

int
kernel_resolve(struct db *db, const char *name, int64_t *id, char **cause)
{
	struct stmt *st;
	struct buf matches = BUF_INIT;
	int64_t found = 0, n = 0;
	int hex = strlen(name) >= 6 && strspn(name, "0123456789abcdef") ==
	    strlen(name);
	char *description;
	int r;

	if (strcmp(name, "running") == 0)
		return running_kernel(db, id, cause);
	/* Exact release or label first; prefixes of ids only as hex. */
	st = db_prepare(db, "SELECT DISTINCT k.id FROM kernels k WHERE "
	    "k.release = $1 OR ($2 = 1 AND (k.build_id LIKE $1 || '%' OR "
	    "k.build_key LIKE $1 || '%')) OR k.id IN (SELECT kernel_id FROM "
	    "runs WHERE label = $1) ORDER BY k.id", cause);
	if (st == NULL)
		return -EIO;
	stmt_bind_text(st, 1, name);
	stmt_bind_int64(st, 2, hex);
	while (stmt_step(st) == STORE_ROW) {
		found = stmt_int64(st, 0);
		description = kernel_describe(db, found);
		buf_printf(&matches, "%s%s", n ? ", " : "", description);
		free(description);
		n++;
	}
	stmt_finalize(st);
	if (n == 1) {
		*id = found;
		r = 0;
	} else if (n == 0)
		r = set_cause(cause, ENOENT, "no kernel build '%s' (see "
		    "'mmstorm kernels')", name);
	else
		r = set_cause(cause, EEXIST, "kernel name '%s' is ambiguous: "
		    "%s; give a label or a build-id or build-key prefix", name,
		    matches.s);
	buf_release(&matches);
	return r;
}
