/*
 * cmd-fleet.c - the fleet's job queue from the command line
 * (jobs/fleet.h, docs/fleet.md): submit, jobs, cancel, hosts; and the
 * host's side (heartbeat, claim, end, healthy, reap) that mmstormd runs
 * on its own and scripts and tests may run by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/format.h"
#include "jobs/fleet.h"
#include "jobs/jobfile.h"
#include "jobs/spec.h"
#include "probe/identity.h"
#include "run/options.h"
#include "store/db.h"
#include "workloads/workloads.h"

static int cmd_fleet_exec(int, char **);

const struct cli_cmd cmd_fleet = {
	.name = "fleet",
	.usage = "fleet submit (WORKLOAD [--OPTION=VALUE ...] | --job FILE)\n"
	    "                    [--kernel K] [--tags T] [--host H] "
	    "[--priority N] [--repeat N]\n"
	    "                    [--max-attempts N] [--label L]\n"
	    "       mmstorm fleet jobs [--state S] [--limit N]\n"
	    "       mmstorm fleet cancel JOB\n"
	    "       mmstorm fleet hosts\n"
	    "       mmstorm fleet heartbeat|claim|healthy [--as NAME] "
	    "[--tags T] [--build-key K]\n"
	    "                    [--release R] [--backlog N] [--lease DUR]\n"
	    "       mmstorm fleet end JOB --state done|failed [--as NAME] "
	    "[--result JSON] [--error TEXT]\n"
	    "       mmstorm fleet reap [--grace DUR]\n"
	    "       (every form takes --db URL of the fleet database and "
	    "--json)",
	.summary = "the fleet's job queue in its PostgreSQL database",
	.flags = CLI_OPT_JSON | CLI_OPT_DB,
	.args_min = 1,
	.args_max = -1,
	.exec = cmd_fleet_exec,
};

/* Every option of every form; a form refuses the ones it has no use for. */
struct fleet_args {
	const char *verb;
	const char *operand;             /* JOB of cancel and end */
	struct jobfile jf;               /* submit: the workload, or the file */
	const char *jobpath, *label, *kernel, *tags, *host, *state, *as;
	const char *build_key, *release, *result, *error;
	int64_t priority, repeat, max_attempts, backlog, limit;
	int64_t lease_ms, grace_ms;
	int json;
	/* The identity read when --as / --build-key / --release are not
	 * given. */
	struct kernel_identity kid;
	struct host_identity hid;
};

/* Integer or duration options: their table line, where the value goes. */
static const struct opt_spec num_opts[] = {
	{ "priority", OPT_INT, -1000000, 1000000, "0", NULL, NULL },
	{ "repeat", OPT_INT, 1, 100000, "1", NULL, NULL },
	{ "max-attempts", OPT_INT, 1, 1000, "3", NULL, NULL },
	{ "backlog", OPT_INT, 0, INT64_MAX, "0", NULL, NULL },
	{ "limit", OPT_INT, 1, 1000000, "50", NULL, NULL },
	{ "lease", OPT_DURATION, 1000, 86400000, "10m", NULL, NULL },
	{ "grace", OPT_DURATION, 0, 7 * 86400000LL, "30m", NULL, NULL },
};

static int64_t *
num_slot(struct fleet_args *a, size_t i)
{
	int64_t *slots[] = { &a->priority, &a->repeat, &a->max_attempts,
		&a->backlog, &a->limit, &a->lease_ms, &a->grace_ms };

	return slots[i];
}

/* The text options, and where their values go. */
static const char *const text_names[] = { "job", "label", "kernel", "tags",
	"host", "state", "as", "build-key", "release", "result", "error",
	NULL };

static const char **
text_slot(struct fleet_args *a, size_t i)
{
	const char **slots[] = { &a->jobpath, &a->label, &a->kernel,
		&a->tags, &a->host, &a->state, &a->as, &a->build_key,
		&a->release, &a->result, &a->error };

	return slots[i];
}

static int
set_defaults(struct fleet_args *a)
{
	char *cause = NULL;
	struct param p;
	size_t i;

	for (i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++) {
		memset(&p, 0, sizeof p);
		if (opt_parse_value(&num_opts[i], num_opts[i].def, &p,
		    &cause) != 0) {
			cli_error("%s", cause);
			free(cause);
			return -1;
		}
		*num_slot(a, i) = p.i;
		free(p.s);      /* the text as given: not kept */
	}
	return 0;
}

/* argv[*i] as one of the options: 1 taken, 0 not one, -1 bad (said). */
static int
fleet_option(int argc, char **argv, int *i, struct fleet_args *a)
{
	const char *v;
	char *cause = NULL, *name;
	struct param p;
	size_t k;

	if (strcmp(argv[*i], "--json") == 0)
		return a->json = 1;
	if (strncmp(argv[*i], "--", 2) != 0)
		return 0;
	for (k = 0; k < sizeof num_opts / sizeof num_opts[0]; k++) {
		name = xasprintf("--%s", num_opts[k].name);
		if (cli_arg_value(argc, argv, i, name, &v)) {
			free(name);
			memset(&p, 0, sizeof p);
			if (opt_parse_value(&num_opts[k], v, &p, &cause) != 0) {
				cli_error("%s", cause);
				free(cause);
				return -1;
			}
			*num_slot(a, k) = p.i;
			free(p.s);
			return 1;
		}
		free(name);
	}
	for (k = 0; text_names[k] != NULL; k++) {
		name = xasprintf("--%s", text_names[k]);
		if (cli_arg_value(argc, argv, i, name, text_slot(a, k))) {
			free(name);
			return 1;
		}
		free(name);
	}
	return 0;
}

/* submit's WORKLOAD and its --OPTION=VALUE; -1 when bad (said). */
static int
submit_arg(struct fleet_args *a, const char *arg)
{
	const struct workload *wl;
	char *cause = NULL;

	if (a->jf.njobs == 0 && arg[0] != '-') {
		if ((wl = workload_find(arg)) == NULL) {
			cli_error("unknown workload '%s' (see 'mmstorm "
			    "workloads')", arg);
			return -1;
		}
		a->jf.jobs = xcalloc(1, sizeof *a->jf.jobs);
		a->jf.njobs = 1;
		job_spec_init(&a->jf.jobs[0], wl);
		a->jf.jobs[0].section = xstrdup(wl->name);
		return 0;
	}
	if (a->jf.njobs == 1 && a->jobpath == NULL &&
	    strncmp(arg, "--", 2) == 0) {
		if (params_set_arg(a->jf.jobs[0].params, arg, &cause) == 0)
			return 0;
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	cli_error("unexpected argument '%s'", arg);
	return -1;
}

/* -1 to go on, else the exit code. */
static int
parse_fleet_args(int argc, char **argv, struct fleet_args *a)
{
	int i, r;

	if (argc < 2)
		return cli_usage(&cmd_fleet);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_help(&cmd_fleet);
	a->verb = argv[1];
	if (set_defaults(a) != 0)
		return EXIT_FAIL;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cli_help(&cmd_fleet);
		if (cli_arg_value(argc, argv, &i, "--db", &cli_db_path))
			continue;
		if ((r = fleet_option(argc, argv, &i, a)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(a->verb, "submit") == 0) {
			if (submit_arg(a, argv[i]) != 0)
				return EXIT_USAGE;
		} else if (a->operand == NULL && argv[i][0] != '-')
			a->operand = argv[i];
		else {
			cli_error("unexpected argument '%s'", argv[i]);
			return cli_usage(&cmd_fleet);
		}
	}
	return -1;
}

/* This host as it names itself to the fleet: --as, --tags, --build-key,
 * --release, else what the running system says. */
static int
this_host(struct fleet_args *a, struct fleet_host *h)
{
	char *cause = NULL;

	memset(h, 0, sizeof *h);
	if ((a->as == NULL && host_identity_read(&a->hid, NULL, &cause) != 0) ||
	    ((a->build_key == NULL || a->release == NULL) &&
	    kernel_identity_read(&a->kid, NULL, &cause) != 0)) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	h->name = a->as != NULL ? a->as : a->hid.hostname;
	h->tags = a->tags;
	h->build_key = a->build_key != NULL ? a->build_key : a->kid.build_key;
	h->release = a->release != NULL ? a->release : a->kid.release;
	h->backlog = a->backlog;
	return 0;
}

static int
fail(char *cause, int code)
{
	cli_error("%s", cause);
	free(cause);
	return code;
}

static int
do_submit(struct db *db, struct fleet_args *a)
{
	struct fleet_job_new nj;
	char *cause = NULL, *spec, uuid[37];
	size_t i;
	int r;

	if ((a->jf.njobs == 0) == (a->jobpath == NULL)) {
		cli_error("give a workload or --job FILE, not both");
		return EXIT_USAGE;
	}
	if (a->jobpath != NULL && jobfile_load(a->jobpath, workloads, &a->jf,
	    &cause) != 0)
		return fail(cause, EXIT_USAGE);
	if (a->jobpath == NULL)
		a->jf.jobs[0].repeat = a->repeat;
	if ((spec = fleet_tags_normalize(a->tags, &cause)) == NULL)
		return fail(cause, EXIT_USAGE);
	free(spec);
	for (i = 0; i < a->jf.njobs; i++) {
		json_t *js = job_spec_to_json(&a->jf.jobs[i]);

		if (a->label != NULL)
			json_object_set_new(js, "label", json_string(a->label));
		spec = json_dumps(js, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(js);
		memset(&nj, 0, sizeof nj);
		nj.workload = a->jf.jobs[i].wl->name;
		nj.spec_json = spec;
		nj.kernel = a->kernel;
		nj.host = a->host;
		nj.tags = a->tags;
		nj.priority = a->priority;
		nj.max_attempts = a->max_attempts;
		r = fleet_submit(db, &nj, uuid, &cause);
		free(spec);
		if (r != 0)
			return fail(cause, r == -EINVAL ? EXIT_USAGE : EXIT_FAIL);
		if (a->json) {
			json_t *o = json_pack("{s:s, s:s, s:s?}", "job", uuid,
			    "workload", nj.workload, "section",
			    a->jf.jobs[i].section);
			cli_print_json(o);
		} else
			printf("fleet job %s queued: %s\n", uuid, nj.workload);
	}
	return EXIT_OK;
}

/* The time since a ns timestamp of the database, as "12s ago". */
static char *
age(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);
	char *t, *s;

	if (!json_is_integer(v))
		return xstrdup("-");
	t = fmt_time_ns(json_integer_value(v));
	s = xasprintf("%s ago", t);
	free(t);
	return s;
}

static const char *
text(json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s != NULL && *s != '\0' ? s : "-";
}

static int
print_list(json_t *list, int json, int hosts)
{
	struct table *t;
	json_t *row;
	size_t i;

	if (json) {
		json_array_foreach(list, i, row)
			cli_print_json(json_incref(row));
		json_decref(list);
		return EXIT_OK;
	}
	t = hosts ? table_new(7, "HOST", "HEALTH", "RELEASE", "TAGS",
	    "LEASED", "BACKLOG", "HEARTBEAT") : table_new(7, "JOB",
	    "WORKLOAD", "STATE", "PRIO", "HOST", "TAGS", "ATTEMPTS");
	json_array_foreach(list, i, row) {
		char *c[7];
		size_t k;

		if (hosts) {
			c[0] = cli_escape(text(row, "host"));
			c[1] = xstrdup(text(row, "health"));
			c[2] = cli_escape(text(row, "release"));
			c[3] = cli_escape(text(row, "tags"));
			c[4] = xasprintf("%lld", (long long)json_integer_value(
			    json_object_get(row, "leased")));
			c[5] = xasprintf("%lld", (long long)json_integer_value(
			    json_object_get(row, "backlog")));
			c[6] = age(row, "heartbeat_age_ns");
		} else {
			c[0] = xstrndup(text(row, "job"), 8);
			c[1] = xstrdup(text(row, "workload"));
			c[2] = xstrdup(text(row, "state"));
			c[3] = xasprintf("%lld", (long long)json_integer_value(
			    json_object_get(row, "priority")));
			c[4] = cli_escape(strcmp(text(row, "lease_host"), "-") ?
			    text(row, "lease_host") : text(row, "host"));
			c[5] = cli_escape(text(row, "tags"));
			c[6] = xasprintf("%lld/%lld", (long long)
			    json_integer_value(json_object_get(row, "attempts")),
			    (long long)json_integer_value(json_object_get(row,
			    "max_attempts")));
		}
		table_addv(t, c);
		for (k = 0; k < 7; k++)
			free(c[k]);
	}
	table_print(t, stdout);
	table_free(t);
	json_decref(list);
	return EXIT_OK;
}

static int
do_claim(struct db *db, struct fleet_args *a, const struct fleet_host *h)
{
	struct fleet_claim c;
	char *cause = NULL;
	json_t *o;

	if (fleet_claim(db, h, a->lease_ms, &c, &cause) != 0)
		return fail(cause, EXIT_FAIL);
	if (a->json) {
		o = json_pack("{s:o, s:b}", "job", c.uuid[0] ?
		    json_string(c.uuid) : json_null(), "health_check",
		    c.health_check);
		if (c.spec_json != NULL)
			json_object_set_new(o, "spec", json_loads(c.spec_json,
			    0, NULL));
		if (c.uuid[0])
			json_object_set_new(o, "lease_until_ns",
			    json_integer(c.lease_until_ns));
		cli_print_json(o);
	} else if (c.health_check)
		printf("health check first: run it, then 'mmstorm fleet "
		    "healthy'\n");
	else if (c.uuid[0])
		printf("%s %s\n", c.uuid, c.spec_json);
	else
		printf("nothing to claim\n");
	fleet_claim_release(&c);
	return EXIT_OK;
}

static int
do_reap(struct db *db, struct fleet_args *a)
{
	struct fleet_reaped rp;
	char *cause = NULL;

	if (fleet_reap(db, a->grace_ms, &rp, &cause) != 0)
		return fail(cause, EXIT_FAIL);
	if (a->json)
		cli_print_json(json_pack("{s:b, s:I, s:I, s:I}", "ran", rp.ran,
		    "lost", (json_int_t)rp.lost, "requeued",
		    (json_int_t)rp.requeued, "dead", (json_int_t)rp.dead));
	else if (!rp.ran)
		printf("another reaper is running\n");
	else
		printf("lost %lld, re-queued %lld, dead %lld\n",
		    (long long)rp.lost, (long long)rp.requeued,
		    (long long)rp.dead);
	return EXIT_OK;
}

/* The host forms: heartbeat, claim, healthy, end. */
static int
do_host_verb(struct db *db, struct fleet_args *a)
{
	struct fleet_host h;
	char *cause = NULL;
	int r;

	if (this_host(a, &h) != 0)
		return EXIT_FAIL;
	if (strcmp(a->verb, "heartbeat") == 0)
		r = fleet_heartbeat(db, &h, a->lease_ms, &cause);
	else if (strcmp(a->verb, "healthy") == 0)
		r = fleet_healthy(db, h.name, &cause);
	else if (strcmp(a->verb, "claim") == 0)
		return do_claim(db, a, &h);
	else {
		if (a->operand == NULL || a->state == NULL) {
			cli_error("fleet end needs JOB and --state done|failed");
			return EXIT_USAGE;
		}
		r = fleet_end(db, h.name, a->operand, a->state, a->result,
		    a->error, &cause);
	}
	if (r != 0)
		return fail(cause, r == -EINVAL ? EXIT_USAGE : EXIT_FAIL);
	return EXIT_OK;
}

static int
run_verb(struct db *db, struct fleet_args *a)
{
	char *cause = NULL;
	json_t *list;
	int r;

	if (strcmp(a->verb, "submit") == 0)
		return do_submit(db, a);
	if (strcmp(a->verb, "jobs") == 0 || strcmp(a->verb, "hosts") == 0) {
		list = a->verb[0] == 'j' ? fleet_jobs_json(db, a->state,
		    a->limit, &cause) : fleet_hosts_json(db, &cause);
		if (list == NULL)
			return fail(cause, EXIT_FAIL);
		return print_list(list, a->json, a->verb[0] == 'h');
	}
	if (strcmp(a->verb, "cancel") == 0) {
		if (a->operand == NULL)
			return cli_usage(&cmd_fleet);
		if ((r = fleet_cancel(db, a->operand, &cause)) != 0)
			return fail(cause, r == -EINVAL ? EXIT_USAGE : EXIT_FAIL);
		printf("fleet job %s cancelled\n", a->operand);
		return EXIT_OK;
	}
	if (strcmp(a->verb, "reap") == 0)
		return do_reap(db, a);
	return do_host_verb(db, a);
}

static int
cmd_fleet_exec(int argc, char **argv)
{
	static const char *const verbs[] = { "submit", "jobs", "cancel",
		"hosts", "heartbeat", "claim", "healthy", "end", "reap", NULL };
	struct fleet_args a;
	struct db *db = NULL;
	size_t i;
	int r;

	memset(&a, 0, sizeof a);
	if ((r = parse_fleet_args(argc, argv, &a)) >= 0)
		goto out;
	for (i = 0; verbs[i] != NULL && strcmp(verbs[i], a.verb) != 0; i++)
		;
	if (verbs[i] == NULL) {
		cli_error("unknown fleet command '%s'", a.verb);
		r = cli_usage(&cmd_fleet);
		goto out;
	}
	/* The queue's tables are created by the fleet database's own
	 * migrations: open it as every command does. */
	r = cli_open_db(DB_CREATE, &db) != 0 ? EXIT_FAIL : run_verb(db, &a);
	db_close(db);
out:
	jobfile_release(&a.jf);
	kernel_identity_release(&a.kid);
	host_identity_release(&a.hid);
	return r;
}
