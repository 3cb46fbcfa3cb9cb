/*
 * main.c - mmstormd: runs jobs one at a time, watches the kernel log,
 * serves the API.  See docs/daemon.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/daemon.h"
#include "store/catalog.h"
#include "store/db.h"
#include "workloads/workloads.h"
#include "store/pg-async.h"
#include "probe/identity.h"

#define DEFAULT_SOCKET "/run/mmstorm/mmstormd.sock"
#define STOP_WAIT_S    30
#define FD_RESERVE     32      /* descriptors kept for all but clients */

static void
usage(FILE *f)
{
	fprintf(f, "usage: mmstormd [--socket PATH] [--db PATH] [--foreground]\n"
	    "                [--listen HOST:PORT --token-file FILE] "
	    "[--max-body BYTES]\n"
	    "                [--max-connections N] [--max-request-memory BYTES] "
	    "[--request-timeout-ms N]\n"
	    "                [--heartbeat-ms N] [--stall-ms N] "
	    "[--allow-user-kmsg] [--kmsg-tail] [--kmsg-quiet-ms N]\n"
	    "                [--pstore DIR] [--fleet URL | --fleet-file FILE] "
	    "[-v]\n"
	    "                [--fleet-claim [--fleet-tags TAGS] "
	    "[--fleet-health-job FILE]\n"
	    "                 [--fleet-poll-ms N] [--fleet-lease-ms N] "
	    "[--fleet-grace-ms N]\n"
	    "                 [--fleet-heartbeat-ms N] [--fleet-as NAME]]\n");
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { STOP_WAIT_S, 0 };
	int status;
	pid_t pid;

	(void)what;
	if (sig == SIGCHLD) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			scheduler_child_exited(d, pid, status);
		if (d->stopping && d->sup_pid == 0)
			event_base_loopexit(d->base, NULL);
		return;
	}
	if (d->stopping)
		return;
	/* SIGTERM/SIGINT: stop taking work, end the run in progress (it is
	 * recorded 'interrupted' and its job re-queued), then exit. */
	log_info("stopping (signal %d)", (int)sig);
	d->stopping = 1;
	notify("STOPPING=1");
	if (d->sup_pid > 0) {
		scheduler_stop_current(d, SIGTERM);
		event_base_loopexit(d->base, &tv);
	} else
		event_base_loopexit(d->base, NULL);
}

static void
on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	int64_t now = now_mono_ns(), late;
	char *text;

	(void)fd;
	(void)what;
	late = now - d->hb_last_mono - d->heartbeat_ns;
	d->hb_last_mono = now;
	d->loop_lag_s = late > 0 ? (double)late / 1e9 : 0;
	if (d->loop_lag_s > d->loop_lag_max_s)
		d->loop_lag_max_s = d->loop_lag_s;
	/* The timer itself fired late: the whole machine stalled (or this
	 * process was stopped), which is what a lockup looks like from
	 * user space. */
	if (late > d->stall_ns) {
		d->stalls++;
		text = xasprintf("mmstormd's %" PRId64 " ms heartbeat fired "
		    "%.3f s late", d->heartbeat_ns / 1000000,
		    (double)late / 1e9);
		log_warn("%s", text);
		record_event(d, "stall", "mmstormd: heartbeat stalled",
		    NULL, "daemon", text, now_real_ns());
		free(text);
	}
	if (d->watchdog_usec > 0 &&
	    now - d->watchdog_last >= d->watchdog_usec * 1000 / 2) {
		notify("WATCHDOG=1");
		d->watchdog_last = now;
	}
}

/*
 * A secret's file (the TCP token, the fleet connection string) must be
 * the daemon's own: owned by root or by the user the daemon runs as, and
 * not readable by group or others.  Checked on the opened descriptor (no
 * symlink followed, no race between the check and the read).  Its first
 * line, trimmed, at least min_len characters.
 */
static char *
read_private_line(const char *path, const char *what, size_t min_len,
    char **cause)
{
	struct stat st;
	char *t = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		set_cause(cause, errno, "cannot open '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		set_cause(cause, EINVAL, "%s file '%s' is not a regular file",
		    what, path);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		set_cause(cause, EPERM, "%s file '%s' must be owned by root "
		    "or by the daemon's user", what, path);
	else if ((st.st_mode & 0077) != 0)
		set_cause(cause, EPERM, "%s file '%s' must not be readable "
		    "by group or others", what, path);
	else if ((f = fdopen(fd, "r")) == NULL)
		set_cause(cause, errno, "cannot read '%s'", path);
	else if ((n = getline(&t, &cap, f)) <= 0 ||
	    strlen(trim(t)) < min_len)
		set_cause(cause, EINVAL, "%s in '%s' is shorter than %zu "
		    "characters", what, path, min_len);
	else {
		fclose(f);
		/* trim() may have moved the start */
		memmove(t, trim(t), strlen(trim(t)) + 1);
		return t;
	}
	free(t);
	if (f != NULL)
		fclose(f);
	else
		close(fd);
	return NULL;
}

/*
 * The fleet database's connection string: --fleet gives it on the
 * command line, where every user sees it (ps), so it may not hold a
 * password; --fleet-file names a private file that may.  libpq's own
 * password file (~/.pgpass, PGPASSFILE) works with either.
 */
static int
fleet_conninfo(struct daemon *d, const char *url, const char *file,
    char **cause)
{
	int pw, r;

	if (file != NULL && url != NULL)
		return set_cause(cause, EINVAL, "--fleet and --fleet-file: "
		    "give one");
	if (file != NULL) {
		if ((d->fleet_conninfo = read_private_line(file, "fleet "
		    "connection", 1, cause)) == NULL)
			return -EPERM;
		/* "fleet=URL" as a config line, or the bare string */
		if (starts_with(d->fleet_conninfo, "fleet="))
			memmove(d->fleet_conninfo, d->fleet_conninfo + 6,
			    strlen(d->fleet_conninfo + 6) + 1);
		return pga_conninfo_check(d->fleet_conninfo, &pw, cause);
	}
	if (url == NULL)
		return 0;
	if ((r = pga_conninfo_check(url, &pw, cause)) != 0)
		return r;
	if (pw)
		return set_cause(cause, EPERM, "--fleet: a password on the "
		    "command line is visible to every user: put the "
		    "connection string in a file only the daemon can read "
		    "(--fleet-file) or use a password file (PGPASSFILE)");
	d->fleet_conninfo = xstrdup(url);
	return 0;
}

static int
make_socket_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	free(dir);
	return 0;
}

static int
identify(struct daemon *d, char **cause)
{
	struct kernel_identity k;
	struct host_identity h;
	int r;

	memset(&k, 0, sizeof k);
	memset(&h, 0, sizeof h);
	if ((r = kernel_identity_read(&k, NULL, cause)) == 0 &&
	    (r = host_identity_read(&h, NULL, cause)) == 0 &&
	    (r = db_kernel_id(d->db, &k, &d->kernel_id, cause)) == 0)
		r = db_host_id(d->db, &h, &d->host_id, cause);
	if (r == 0) {
		/* what the fleet queue matches a job's kernel against */
		d->build_key = xstrdup(k.build_key ? k.build_key : "");
		d->release = xstrdup(k.release ? k.release : "");
	}
	kernel_identity_release(&k);
	host_identity_release(&h);
	return r;
}

/* What the command line sets beyond struct daemon. */
struct daemon_args {
	const char *listen_addr, *token_file;
	const char *fleet, *fleet_file;
	int64_t heartbeat_ms, stall_ms;
	int claim;
	struct fleet_claim_conf claim_conf;
};

/* A bad --listen is a usage error, found before anything starts. */
static int
check_listen(const char *spec)
{
	char *host = NULL, *port = NULL, *cause = NULL;

	if (spec == NULL)
		return -1;
	if (api_parse_listen(spec, &host, &port, &cause) != 0) {
		fprintf(stderr, "mmstormd: %s\n", cause);
		free(cause);
		return 2;
	}
	free(host);
	free(port);
	return -1;
}

/*
 * Descriptors: the soft limit goes up to the hard one (systemd's
 * LimitNOFILE= sets both), and the connection cap stays below it with
 * room for the database, the kernel log and a supervisor's pipe, so the
 * cap, not accept() failing, is what turns clients away.
 */
static void
fit_descriptors(struct http_limits *lim)
{
	struct rlimit rl;
	size_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	room = rl.rlim_cur > FD_RESERVE + 8 ? (size_t)(rl.rlim_cur -
	    FD_RESERVE) : 8;
	if (lim->max_conns > room) {
		log_warn("%zu connections do not fit %llu descriptors: at most "
		    "%zu", lim->max_conns, (unsigned long long)rl.rlim_cur,
		    room);
		lim->max_conns = room;
	}
}

/* The value of numeric option c (its getopt code), checked already. */
static void
set_number(int c, int64_t v, struct daemon *d, struct daemon_args *a)
{
	switch (c) {
	case 'b': d->limits.max_body = (size_t)v; break;
	case 'C': d->limits.max_conns = (size_t)v; break;
	case 'M': d->limits.max_memory = (size_t)v; break;
	case 'R': d->limits.deadline_ms = v; break;
	case 'H': a->heartbeat_ms = v; break;
	case 'Q': d->kmsg_quiet_ms = v; break;
	case 'S': a->stall_ms = v; break;
	case '1': a->claim_conf.poll_ms = v; break;
	case '2': a->claim_conf.lease_ms = v; break;
	case '3': a->claim_conf.grace_ms = v; break;
	case '4': a->claim_conf.heartbeat_ms = v; break;
	}
}

/* -1 to go on, else the exit code (help, usage error). */
static int
parse_args(int argc, char **argv, struct daemon *d, struct daemon_args *a)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-request-memory", required_argument, NULL, 'M' },
		{ "request-timeout-ms", required_argument, NULL, 'R' },
		{ "heartbeat-ms", required_argument, NULL, 'H' },
		{ "stall-ms", required_argument, NULL, 'S' },
		{ "allow-user-kmsg", no_argument, NULL, 'u' },
		{ "kmsg-tail", no_argument, NULL, 'T' },
		{ "kmsg-quiet-ms", required_argument, NULL, 'Q' },
		{ "pstore", required_argument, NULL, 'p' },
		{ "fleet", required_argument, NULL, 'F' },
		{ "fleet-file", required_argument, NULL, 'P' },
		{ "fleet-claim", no_argument, NULL, 'c' },
		{ "fleet-as", required_argument, NULL, 'A' },
		{ "fleet-tags", required_argument, NULL, 'G' },
		{ "fleet-health-job", required_argument, NULL, 'J' },
		{ "fleet-poll-ms", required_argument, NULL, '1' },
		{ "fleet-lease-ms", required_argument, NULL, '2' },
		{ "fleet-grace-ms", required_argument, NULL, '3' },
		{ "fleet-heartbeat-ms", required_argument, NULL, '4' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			free(d->socket_path);
			d->socket_path = xstrdup(optarg);
			break;
		case 'd':
			free(d->db_path);
			d->db_path = xstrdup(optarg);
			break;
		case 'f': break; /* always: systemd Type=notify supervises */
		case 'l': a->listen_addr = optarg; break;
		case 't': a->token_file = optarg; break;
		case 'u': d->allow_user_kmsg = 1; break;
		case 'T': d->kmsg_tail = 1; break;
		case 'p': d->pstore_dir = optarg; break;
		case 'F': a->fleet = optarg; break;
		case 'P': a->fleet_file = optarg; break;
		case 'v': log_verbose = 1; break;
		case 'c': a->claim = 1; break;
		case 'A': a->claim_conf.as = optarg; break;
		case 'G': a->claim_conf.tags = optarg; break;
		case 'J': a->claim_conf.health_job = optarg; break;
		case 'b': case 'H': case 'S': case 'Q': case 'C': case 'M':
		case 'R': case '1': case '2': case '3': case '4':
			if (parse_int64(optarg, &v) != 0 || v < 1 ||
			    v > INT64_C(1) << 34) {
				fprintf(stderr, "mmstormd: bad number '%s'\n",
				    optarg);
				return 2;
			}
			set_number(c, v, d, a);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (a->listen_addr != NULL) !=
	    (a->token_file != NULL)) {
		if (optind == argc)
			fprintf(stderr, "mmstormd: --listen needs --token-file "
			    "(and the other way round)\n");
		usage(stderr);
		return 2;
	}
	return check_listen(a->listen_addr);
}

/*
 * Everything before the loop: the database, who we are, what an earlier
 * daemon or boot left, the socket, the kernel log.  Logs what failed.
 */
static int
daemon_setup(struct daemon *d, const struct daemon_args *a)
{
	char *cause = NULL;
	int r = -1;

	if (db_open(d->db_path, DB_CREATE, &d->db, &cause) != 0 ||
	    identify(d, &cause) != 0) {
		log_err("%s", cause);
		goto out;
	}
	d->base = event_base_new();
	/* Three priorities: the default (1) for sockets and timers, 2 for
	 * work that may wait (parsing request bodies, http.c). */
	event_base_priority_init(d->base, 3);
	d->started_mono = d->hb_last_mono = now_mono_ns();
	d->started_real = now_real_ns();
	if (scheduler_recover(d, &cause) != 0 ||
	    pstore_harvest(d, &cause) != 0) {
		log_err("recovery: %s", cause);
		goto out;
	}
	make_socket_dir(d->socket_path);
	/* After recovery and pstore: a crashed run goes with its events. */
	if (api_start(d, a->listen_addr, &cause) != 0 ||
	    events_start(d, &cause) != 0 || fleet_start(d, &cause) != 0 ||
	    fleet_claim_start(d, &cause) != 0) {
		log_err("%s", cause);
		goto out;
	}
	r = 0;
out:
	free(cause);
	return r;
}

/* Signals and the heartbeat on the loop, then the loop until a stop. */
static void
daemon_loop(struct daemon *d, int64_t heartbeat_ms)
{
	static const int signos[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	struct event *sigs[4];
	struct timeval tv;
	int i;

	for (i = 0; i < 4; i++) {
		sigs[i] = evsignal_new(d->base, signos[i], on_signal, d);
		evsignal_add(sigs[i], NULL);
	}
	d->heartbeat_ev = event_new(d->base, -1, EV_PERSIST, on_heartbeat, d);
	tv.tv_sec = (time_t)(heartbeat_ms / 1000);
	tv.tv_usec = (suseconds_t)(heartbeat_ms % 1000) * 1000;
	event_add(d->heartbeat_ev, &tv);
	notify_watchdog_usec(&d->watchdog_usec);
	d->watchdog_last = now_mono_ns();

	log_info("mmstormd listening on %s, database %s", d->socket_path,
	    d->db_path);
	notify("READY=1\nSTATUS=idle");
	scheduler_start_next(d);
	event_base_dispatch(d->base);

	/* Still running after the wait: the supervisor gets SIGKILL, and
	 * the next start settles its run. */
	if (d->sup_pid > 0)
		scheduler_stop_current(d, SIGKILL);
	for (i = 0; i < 4; i++)
		event_free(sigs[i]);
	event_free(d->heartbeat_ev);
}

int
main(int argc, char **argv)
{
	struct daemon_args a = { NULL, NULL, NULL, NULL, 500, 2000, 0,
	    { NULL, NULL, NULL, 30000, 300000, 600000, 0 } };
	struct daemon d;
	const char *env;
	char *cause = NULL;
	int rc = 1;

	memset(&d, 0, sizeof d);
	/* Comparison keys leave out options at their defaults. */
	catalog_set_defaults(workload_defaults_json);
	d.socket_fd = d.progress_fd = -1;
	d.pstore_dir = "/sys/fs/pstore";
	d.kmsg_quiet_ms = 20;
	d.limits.max_conns = 1024;
	d.limits.max_header = 16384;
	d.limits.max_body = 1 << 20;
	d.limits.max_memory = 64 << 20;
	d.limits.deadline_ms = 10000;
	env = getenv("MMSTORM_SOCKET");
	d.socket_path = xstrdup(env && *env ? env : DEFAULT_SOCKET);
	if ((rc = parse_args(argc, argv, &d, &a)) >= 0)
		goto out_args;
	rc = 1;
	if (d.db_path == NULL)
		d.db_path = xstrdup(db_default_path());
	log_libevent_init();
	fit_descriptors(&d.limits);
	d.heartbeat_ns = a.heartbeat_ms * 1000000;
	d.stall_ns = a.stall_ms * 1000000;
	if (a.token_file != NULL && (d.token = read_private_line(a.token_file,
	    "token", 16, &cause)) == NULL) {
		log_err("%s", cause);
		goto out_args;
	}
	if (fleet_conninfo(&d, a.fleet, a.fleet_file, &cause) != 0) {
		log_err("%s", cause);
		goto out_args;
	}
	if (a.claim) {
		/* three heartbeats to a lease, at most one every 30 s */
		if (a.claim_conf.heartbeat_ms == 0)
			a.claim_conf.heartbeat_ms = a.claim_conf.lease_ms / 3 <
			    30000 ? a.claim_conf.lease_ms / 3 : 30000;
		if (a.claim_conf.heartbeat_ms < 1)
			a.claim_conf.heartbeat_ms = 1;
		d.claim_conf = &a.claim_conf;
	}
	/* The daemon is the last thing the OOM killer may take, and it
	 * answers its API ahead of the CPU-bound workloads it runs (their
	 * supervisors go back to nice 0). */
	write_file_str("/proc/self/oom_score_adj", "-1000", NULL);
	setpriority(PRIO_PROCESS, 0, -5);
	signal(SIGPIPE, SIG_IGN);

	if (daemon_setup(&d, &a) == 0) {
		daemon_loop(&d, a.heartbeat_ms);
		rc = 0;
	}
	fleet_claim_stop(&d);
	fleet_stop(&d);
	events_stop(&d);
	api_stop(&d);
	if (d.base != NULL)
		event_base_free(d.base);
	db_close(d.db);
	log_info("mmstormd stopped");
out_args:
	free(cause);
	free(d.token);
	free(d.fleet_conninfo);
	free(d.build_key);
	free(d.release);
	free(d.db_path);
	free(d.socket_path);
	return rc;
}
