/* series.c - reading runs back: sample series and counter deltas. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/run-read.h"
#include "store/series.h"
#include "common/util.h"

static int
series_load_sql(struct db *db, int64_t run_id, const char *samples_sql,
    struct series *s, char **cause)
{
	struct stmt *st = NULL;
	struct run_counter *c = NULL;
	size_t cap = 0, n = 0, k;
	int r, rc;

	memset(s, 0, sizeof *s);
	if ((r = run_counters_by_index(db, run_id, &c, &n, cause)) != 0)
		goto out;
	if (n > 0) {
		s->names = xreallocarray(NULL, n, sizeof *s->names);
		s->units = xreallocarray(NULL, n, sizeof *s->units);
		s->is_event = xreallocarray(NULL, n, sizeof *s->is_event);
	}
	for (k = 0; k < n; k++) {
		s->names[k] = c[k].name;
		s->units[k] = c[k].unit;
		s->is_event[k] = c[k].is_event;
	}
	s->ncounters = n;
	free(c);
	r = -EIO;
	st = db_prepare(db, samples_sql, cause);
	if (st == NULL)
		goto out;
	stmt_bind_int64(st, 1, run_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const void *blob = stmt_blob(st, 2);
		size_t len = (size_t)stmt_bytes(st, 2), i = s->nsamples;
		const char *label = (const char *)stmt_text(st, 1);

		if (i == cap) {
			cap = cap ? cap * 2 : 64;
			s->t_ns = xreallocarray(s->t_ns, cap, sizeof *s->t_ns);
			s->labels = xreallocarray(s->labels, cap,
			    sizeof *s->labels);
			s->values = xreallocarray(s->values,
			    cap * (s->ncounters ? s->ncounters : 1),
			    sizeof *s->values);
		}
		s->t_ns[i] = stmt_int64(st, 0);
		s->labels[i] = label ? xstrdup(label) : NULL;
		memset(&s->values[i * s->ncounters], 0,
		    s->ncounters * sizeof *s->values);
		if (sample_decode(blob, len, &s->values[i * s->ncounters],
		    s->ncounters) < 0) {
			free(s->labels[i]);
			r = set_cause(cause, EINVAL,
			    "sample %zu of run %lld is corrupt", i,
			    (long long)run_id);
			goto out;
		}
		s->nsamples++;
	}
	if (rc != STORE_DONE) {
		r = db_error(db, cause, "cannot read samples");
		goto out;
	}
	r = 0;
out:
	stmt_finalize(st);
	if (r != 0)
		series_release(s);
	return r;
}

int
series_load(struct db *db, int64_t run_id, struct series *s, char **cause)
{
	return series_load_sql(db, run_id, "SELECT t_ns, label, data FROM "
	    "samples WHERE run_id = $1 ORDER BY seq", s, cause);
}

int
series_load_ends(struct db *db, int64_t run_id, struct series *s,
    char **cause)
{
	/* Deltas need only the first and the last sample; a 1-hour run at
	 * 50 ms has 72,000 of them. */
	return series_load_sql(db, run_id, "SELECT t_ns, label, data FROM "
	    "samples WHERE run_id = $1 AND seq IN ((SELECT min(seq) FROM "
	    "samples WHERE run_id = $1), (SELECT max(seq) FROM samples WHERE "
	    "run_id = $1)) ORDER BY seq", s, cause);
}

void
series_release(struct series *s)
{
	size_t i;

	for (i = 0; i < s->ncounters; i++) {
		free(s->names[i]);
		free(s->units[i]);
	}
	for (i = 0; i < s->nsamples; i++)
		free(s->labels[i]);
	free(s->names);
	free(s->units);
	free(s->is_event);
	free(s->labels);
	free(s->t_ns);
	free(s->values);
	memset(s, 0, sizeof *s);
}

long
series_index(const struct series *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncounters; i++) {
		if (strcmp(s->names[i], name) == 0)
			return (long)i;
	}
	return -1;
}

int64_t
series_delta(const struct series *s, size_t c)
{
	if (s->nsamples < 2 || c >= s->ncounters)
		return 0;
	return s->values[(s->nsamples - 1) * s->ncounters + c] -
	    s->values[c];
}
