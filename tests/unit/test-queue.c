/* test-queue.c - the job queue's state changes, and job specs against a
 * registry the caller hands in. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs/jobfile.h"
#include "jobs/queue.h"
#include "jobs/spec.h"
#include "probe/identity.h"
#include "run/options.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/status.h"
#include "unit.h"

static const struct opt_spec fake_opts[] = {
	{ "n", OPT_INT, 1, 10, "1", NULL, "how many" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};
static const struct workload wl_fake = { .name = "fake", .summary = "test",
	.options = fake_opts };
static const struct opt_spec fake_dir_opts[] = {
	{ "dir", OPT_STRING, 0, 0, NULL, NULL, "where files go" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};
static const struct workload wl_fake_dir = { .name = "fake-dir",
	.summary = "test", .options = fake_dir_opts };
static const struct workload *const registry[] = { &wl_fake, &wl_fake_dir,
	NULL };

/* A job of repeat runs (retry re-queues) stored and its id. */
static int64_t
add_job(struct db *db, int64_t repeat, int64_t retry)
{
	json_t *o = json_pack("{s:s, s:{s:i}, s:I, s:I}", "workload", "fake",
	    "options", "n", 3, "repeat", (json_int_t)repeat, "retry",
	    (json_int_t)retry);
	struct job_spec js;
	char uuid[37], *cause = NULL;
	int64_t id;

	CHECK_INT_EQ(job_spec_from_json(o, registry, &js, &cause), 0);
	CHECK_INT_EQ(queue_insert(db, &js, uuid, &id, &cause), 0);
	job_spec_release(&js);
	json_decref(o);
	return id;
}

/* A run of the job, ended in state. */
static void
add_run(struct db *db, int64_t job, const char *state)
{
	struct kernel_identity k;
	struct host_identity h;
	struct run_new rn;
	struct stmt *st;
	char uuid[37];
	int64_t id, kernel, host;

	memset(&k, 0, sizeof k);
	k.release = k.version = k.cmdline = k.build_key = (char *)"k";
	memset(&h, 0, sizeof h);
	h.hostname = h.machine_id = (char *)"h";
	h.cpus_possible = h.numa_nodes = 1;
	CHECK_INT_EQ(db_kernel_id(db, &k, &kernel, NULL), 0);
	CHECK_INT_EQ(db_host_id(db, &h, &host, NULL), 0);
	memset(&rn, 0, sizeof rn);
	uuid_v4(uuid);
	rn.uuid = uuid;
	rn.workload = "fake";
	rn.params_json = "{}";
	rn.state = "running";
	rn.kernel_id = kernel;
	rn.host_id = host;
	rn.boot_id = "b";
	CHECK_INT_EQ(db_run_insert(db, &rn, &id, NULL), 0);
	CHECK_INT_EQ(db_run_finish(db, id, state, NULL, "exit 0", 1, NULL), 0);
	st = db_prepare(db, "UPDATE runs SET job_id = $1 WHERE id = $2", NULL);
	stmt_bind_int64(st, 1, job);
	stmt_bind_int64(st, 2, id);
	CHECK_INT_EQ(stmt_step(st), STORE_DONE);
	stmt_finalize(st);
}

/* The job's state and runs_done, as the API shows them. */
static void
check_job(struct db *db, int64_t id, const char *state, int64_t runs_done)
{
	json_t *j = queue_job_json(db, id);

	CHECK(j != NULL);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "state")), state);
	CHECK_INT_EQ(json_integer_value(json_object_get(j, "runs_done")),
	    runs_done);
	json_decref(j);
}

/* The job's run ended as the daemon saw it, nothing to say why. */
static void
ended(struct db *db, int64_t id, enum queue_run_end how)
{
	CHECK_INT_EQ(queue_run_ended(db, id, how, NULL, NULL, NULL), 0);
}

/* An integer column of the job, as the API shows it. */
static int64_t
job_int_of(struct db *db, int64_t id, const char *key)
{
	json_t *j = queue_job_json(db, id);
	int64_t v = json_integer_value(json_object_get(j, key));

	json_decref(j);
	return v;
}

/* The job's error, or "" (a static copy). */
static const char *
job_error(struct db *db, int64_t id)
{
	static char text[256];
	json_t *j = queue_job_json(db, id);
	const char *e = json_string_value(json_object_get(j, "error"));

	snprintf(text, sizeof text, "%s", e ? e : "");
	json_decref(j);
	return text;
}

static int64_t
claim(struct db *db)
{
	int64_t id, timeout_ms;

	CHECK_INT_EQ(queue_claim_next(db, &id, &timeout_ms, NULL), 0);
	return id;
}

TEST(queue_runs_a_job_through_its_repeats)
{
	struct db *db = unit_fresh_db("queue-repeat.db");
	struct job_spec js;
	int64_t a, b;

	a = add_job(db, 2, 0);
	b = add_job(db, 1, 0);
	CHECK_INT_EQ(queue_length(db), 2);
	CHECK_INT_EQ(claim(db), a);
	check_job(db, a, "running", 0);
	CHECK_INT_EQ(queue_length(db), 1);
	/* The spec comes back, options re-checked against the registry. */
	CHECK_INT_EQ(queue_load_spec(db, a, registry, &js, NULL), 0);
	CHECK_STR_EQ(js.wl->name, "fake");
	CHECK_INT_EQ(params_int(js.params, "n"), 3);
	CHECK_INT_EQ(js.repeat, 2);
	job_spec_release(&js);
	/* The first run ends well: the same job goes on, before b. */
	add_run(db, a, "passed");
	ended(db, a, QUEUE_RUN_ENDED);
	check_job(db, a, "running", 1);
	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "failed");
	ended(db, a, QUEUE_RUN_ENDED);
	check_job(db, a, "done", 2);
	CHECK_INT_EQ(claim(db), b);
	/* A supervisor that failed ends its job whatever repeat= says. */
	ended(db, b, QUEUE_RUN_FAILED);
	check_job(db, b, "done", 0);
	CHECK_INT_EQ(claim(db), 0);
	db_close(db);
}

TEST(queue_interrupted_run_ends_the_job_and_does_not_count)
{
	struct db *db = unit_fresh_db("queue-interrupted.db");
	int64_t a = add_job(db, 3, 0);

	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "interrupted");
	ended(db, a, QUEUE_RUN_ENDED);
	check_job(db, a, "done", 0);
	db_close(db);
}

TEST(queue_stop_requeues_and_cancel_ends)
{
	struct db *db = unit_fresh_db("queue-stop.db");
	int64_t a = add_job(db, 1, 0), b = add_job(db, 1, 0);
	char *cause = NULL;

	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "interrupted");
	ended(db, a, QUEUE_RUN_STOPPING);
	check_job(db, a, "queued", 0);
	CHECK_INT_EQ(claim(db), a);
	ended(db, a, QUEUE_RUN_CANCELLED);
	check_job(db, a, "cancelled", 0);
	CHECK_INT_EQ(queue_cancel(db, a, &cause), -EALREADY);
	CHECK_STR_EQ(cause, "job is already cancelled");
	CHECK_INT_EQ(queue_cancel(db, b, &cause), 0);
	check_job(db, b, "cancelled", 0);
	CHECK_INT_EQ(queue_cancel(db, 999, &cause), -ENOENT);
	free(cause);
	CHECK_INT_EQ(claim(db), 0);
	db_close(db);
}

TEST(queue_settle_lost_retries_then_gives_up)
{
	struct db *db = unit_fresh_db("queue-lost.db");
	int64_t a = add_job(db, 1, 1), b = add_job(db, 2, 0);
	struct queue_lost *lost;
	struct db_counts c;
	size_t n;
	json_t *j;

	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "crashed");
	CHECK_INT_EQ(queue_settle_lost(db, &lost, &n, NULL), 0);
	CHECK_INT_EQ(n, 1);
	CHECK_INT_EQ(lost[0].id, a);
	CHECK_STR_EQ(lost[0].last_state, "crashed");
	CHECK_INT_EQ(lost[0].requeued, 1);
	CHECK_INT_EQ(lost[0].retries_used, 1);
	free(lost);
	check_job(db, a, "queued", 0);
	/* Lost again with retry= used up: done, saying why. */
	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "interrupted");
	CHECK_INT_EQ(queue_settle_lost(db, &lost, &n, NULL), 0);
	CHECK_INT_EQ(n, 1);
	CHECK_INT_EQ(lost[0].requeued, 0);
	free(lost);
	j = queue_job_json(db, a);
	CHECK_STR_EQ(json_string_value(json_object_get(j, "state")), "done");
	CHECK_STR_CONTAINS(json_string_value(json_object_get(j, "error")),
	    "retry= is used up");
	json_decref(j);
	/* A running job whose last run finished is not lost. */
	CHECK_INT_EQ(claim(db), b);
	add_run(db, b, "passed");
	CHECK_INT_EQ(queue_settle_lost(db, &lost, &n, NULL), 0);
	CHECK_INT_EQ(n, 0);
	free(lost);
	check_job(db, b, "running", 0);
	CHECK_INT_EQ(queue_count_by_state(db, &c, NULL), 0);
	CHECK_INT_EQ(c.n, 2);
	CHECK_STR_EQ(c.v[0].label[0], "done");
	CHECK_STR_EQ(c.v[1].label[0], "running");
	CHECK_INT_EQ(c.v[1].n, 1);
	db_counts_release(&c);
	db_close(db);
}

TEST(job_specs_name_workloads_of_the_registry_given)
{
	const char *text = "[one]\nworkload=fake\nn=2\n";
	struct jobfile jf;
	struct job_spec js;
	char *cause = NULL;
	json_t *o = json_pack("{s:s}", "workload", "thp-munmap");

	CHECK_INT_EQ(jobfile_parse("f.job", text, registry, &jf, &cause), 0);
	CHECK_INT_EQ(jf.njobs, 1);
	CHECK_STR_EQ(jf.jobs[0].section, "one");
	CHECK_INT_EQ(params_int(jf.jobs[0].params, "n"), 2);
	jobfile_release(&jf);
	/* A real workload is unknown to a registry without it. */
	CHECK_INT_EQ(job_spec_from_json(o, registry, &js, &cause), -EINVAL);
	CHECK_STR_EQ(cause, "unknown workload 'thp-munmap'");
	free(cause);
	json_decref(o);
}

/* kill -9 of the worker leaves its run interrupted and the supervisor
 * exits 0; kill -9 of the supervisor is a signal: both follow retry=
 * (issue 15, item 5), a time limit's stop does not. */
TEST(queue_lost_runs_follow_retry)
{
	struct db *db = unit_fresh_db("queue-lost-live.db");
	int64_t a = add_job(db, 2, 1), b = add_job(db, 1, 0),
	    c = add_job(db, 1, 2), d = add_job(db, 1, 0);
	int requeued = -1;

	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "interrupted");
	CHECK_INT_EQ(queue_run_ended(db, a, QUEUE_RUN_ENDED, NULL, &requeued,
	    NULL), 0);
	CHECK_INT_EQ(requeued, 1);
	check_job(db, a, "queued", 0);
	CHECK_INT_EQ(job_int_of(db, a, "retries_used"), 1);
	CHECK_INT_EQ(claim(db), a);
	add_run(db, a, "passed");
	ended(db, a, QUEUE_RUN_ENDED);
	check_job(db, a, "running", 1);
	add_run(db, a, "interrupted");
	CHECK_INT_EQ(queue_run_ended(db, a, QUEUE_RUN_ENDED, NULL, &requeued,
	    NULL), 0);
	CHECK_INT_EQ(requeued, 0);
	check_job(db, a, "done", 1);
	CHECK_STR_EQ(job_error(db, a), "run interrupted: no reason recorded; "
	    "retry= is used up (1 of 1)");
	/* The supervisor killed, retry=0: done, saying so. */
	CHECK_INT_EQ(claim(db), b);
	CHECK_INT_EQ(queue_run_ended(db, b, QUEUE_RUN_KILLED,
	    "supervisor killed by signal 9 (KILL)", &requeued, NULL), 0);
	check_job(db, b, "done", 0);
	CHECK_STR_EQ(job_error(db, b), "supervisor killed by signal 9 (KILL)");
	/* Killed with retries left: queued again, counted. */
	CHECK_INT_EQ(claim(db), c);
	CHECK_INT_EQ(queue_run_ended(db, c, QUEUE_RUN_KILLED, "x", &requeued,
	    NULL), 0);
	CHECK_INT_EQ(requeued, 1);
	check_job(db, c, "queued", 0);
	/* A time limit's stop ends the job, and is not retried. */
	CHECK_INT_EQ(claim(db), c);
	add_run(db, c, "interrupted");
	ended(db, c, QUEUE_RUN_TIME_LIMIT);
	check_job(db, c, "done", 0);
	CHECK_INT_EQ(job_int_of(db, c, "retries_used"), 1);
	/* A supervisor that exited non-zero: done with why. */
	CHECK_INT_EQ(claim(db), d);
	CHECK_INT_EQ(queue_run_ended(db, d, QUEUE_RUN_FAILED, "exit 1", NULL,
	    NULL), 0);
	CHECK_STR_EQ(job_error(db, d), "exit 1");
	db_close(db);
}

/* A job's dir= as the daemon takes it: any socket user, root's files. */
static int
queue_dir_job(struct db *db, const char *dir, char **cause)
{
	json_t *o = json_pack("{s:s, s:{s:s}}", "workload", "fake-dir",
	    "options", "dir", dir);
	struct job_spec js;
	char uuid[37];
	int64_t id;
	int r;

	CHECK_INT_EQ(job_spec_from_json(o, registry, &js, cause), 0);
	r = queue_insert(db, &js, uuid, &id, cause);
	job_spec_release(&js);
	json_decref(o);
	return r;
}

/* Issue 15, item 6: dir= stays in the database's directory. */
TEST(queue_confines_path_options_to_the_state_directory)
{
	struct db *db = unit_fresh_db("queue-dir.db");
	char *inside = xasprintf("%s/churn", unit_tmpdir());
	char *link = xasprintf("%s/to-etc", unit_tmpdir());
	char *cause = NULL;
	struct job_spec js;
	int64_t id;

	CHECK_INT_EQ(mkdir(inside, 0700), 0);
	CHECK_INT_EQ(symlink("/etc", link), 0);
	CHECK_INT_EQ(queue_dir_job(db, inside, &cause), 0);
	CHECK_INT_EQ(queue_dir_job(db, unit_tmpdir(), &cause), 0);
	CHECK_INT_EQ(queue_dir_job(db, "/root", &cause), -EPERM);
	CHECK_STR_CONTAINS(cause, "option 'dir' of 'fake-dir' must name a "
	    "directory under '");
	CHECK_STR_CONTAINS(cause, "got '/root'");
	free(cause);
	cause = NULL;
	/* A symlink inside that leads out is judged by where it leads. */
	CHECK_INT_EQ(queue_dir_job(db, link, &cause), -EPERM);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(queue_dir_job(db, "/nonexistent/x", &cause), -ENOENT);
	CHECK_STR_CONTAINS(cause, "cannot resolve '/nonexistent/x'");
	free(cause);
	/* What is stored and run is the resolved path. */
	id = claim(db);
	CHECK_INT_EQ(queue_load_spec(db, id, registry, &js, NULL), 0);
	CHECK_STR_EQ(params_str(js.params, "dir"), inside);
	job_spec_release(&js);
	free(inside);
	free(link);
	db_close(db);
}
