/* query.h - reading runs back: sample series and counter deltas. */
#ifndef MMSTORM_QUERY_H
#define MMSTORM_QUERY_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct series {
	size_t ncounters;
	char **names;
	int *is_event;       /* 1 event counter, 0 gauge */
	char **units;
	size_t nsamples;
	int64_t *t_ns;       /* [nsamples] */
	char **labels;       /* [nsamples], NULL entries for periodic */
	int64_t *values;     /* [nsamples * ncounters], row-major */
};

/* All samples of a run, decoded. */
int series_load(struct db *, int64_t run_id, struct series *, char **cause);
/* Only the first and the last sample (enough for deltas). */
int series_load_ends(struct db *, int64_t run_id, struct series *,
    char **cause);
void series_release(struct series *);
long series_index(const struct series *, const char *name);
/* last - first of a counter, over the run */
int64_t series_delta(const struct series *, size_t counter);

#endif
