/*
 * knobs.c - the knobs a run changes (run/knobs.h): recorded with their
 * original before the worker writes, restored when the run ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/util.h"
#include "probe/procfs.h"
#include "run/knobs.h"
#include "run/supervisor.h"
#include "store/db.h"
#include "store/recovery.h"

/* The text of a knob as it should be written back: for sysfs choice
 * files ("always [madvise] never") the bracketed word. */
static char *
knob_read(const char *path, char **cause)
{
	char *text = NULL, *word;

	if (read_file_line(path, &text, cause) != 0)
		return NULL;
	if ((word = sysfs_bracketed(text)) != NULL) {
		free(text);
		return word;
	}
	return text;
}

void
sup_knob(struct supervisor *s, int sock, const char *path, const char *value)
{
	char *orig = NULL, *cause = NULL, *reply;
	int r, known = 0;

	/* A knob already recorded by this run (a CPU cycled many times)
	 * keeps its first original. */
	if ((r = db_knob_is_changed(s->db, s->run_id, path, &known,
	    &cause)) != 0 || known)
		goto out;
	if ((orig = knob_read(path, &cause)) == NULL) {
		r = -EIO;
		goto out;
	}
	sup_flush(s);
	sup_tx(s);
	r = db_knob_record(s->db, s->run_id, path, orig, value, NULL, &cause);
	/* Durable before the worker may write. */
	sup_commit(s);
	if (s->error != NULL && r == 0)
		r = set_cause(&cause, EIO, "%s", s->error);
out:
	if (r == 0)
		reply = xstrdup("A\t0");
	else
		reply = xasprintf("A\t%d\t%s", r, cause ? cause : "error");
	send(sock, reply, strlen(reply), MSG_NOSIGNAL);
	free(reply);
	free(orig);
	free(cause);
}

/* Restore one recorded knob now; 0 or negative with *cause. */
static int
knob_restore(struct db *db, const struct knob_changed *k, char **cause)
{
	char *cur = NULL, *err = NULL;
	int r = 0;

	cur = knob_read(k->path, NULL);
	if (cur == NULL || strcmp(cur, k->original) != 0)
		r = write_file_str(k->path, k->original, &err);
	free(cur);
	if (db_knob_done(db, k->id, r == 0 ? "restored" : "failed", err,
	    cause) != 0 && r == 0)
		r = -EIO;
	if (r != 0 && err != NULL)
		set_cause(cause, -r, "%s", err);
	free(err);
	return r;
}

/* Restore each of knobs; the first failure is the one reported. */
static int
knobs_restore(struct db *db, struct knob_changed *knobs, size_t n,
    int *count, char **cause)
{
	size_t i;
	int r = 0, rr;

	for (i = 0; i < n; i++) {
		rr = knob_restore(db, &knobs[i], r == 0 ? cause : NULL);
		if (rr != 0 && r == 0)
			r = rr;
		if (count != NULL)
			(*count)++;
	}
	db_knobs_free(knobs, n);
	return r;
}

int
knobs_restore_run(struct db *db, int64_t run_id, char **cause)
{
	struct knob_changed *knobs;
	size_t n;

	if (db_knobs_changed(db, run_id, &knobs, &n, cause) != 0)
		return -EIO;
	return knobs_restore(db, knobs, n, NULL, cause);
}

int
knobs_restore_left(struct db *db, int *count, char **cause)
{
	struct knob_changed *knobs;
	size_t n;

	if (db_knobs_left(db, &knobs, &n, cause) != 0)
		return -EIO;
	return knobs_restore(db, knobs, n, count, cause);
}
