/*
 * api.c - HTTP/JSON on a unix socket (evhttp), and optionally /metrics on
 * TCP.  Routes (the API is versioned under /v1):
 *
 *   GET    /v1/status             daemon, queue, current run
 *   GET    /v1/workloads          the option tables
 *   POST   /v1/jobs               submit: one job spec, or an array
 *   GET    /v1/jobs               recent jobs
 *   GET    /v1/jobs/UUID          one job with its runs
 *   POST   /v1/jobs/UUID/cancel   cancel (DELETE /v1/jobs/UUID too)
 *   GET    /v1/runs               recent runs (?limit=&workload=&state=)
 *   GET    /v1/runs/UUID          everything stored about a run
 *   GET    /v1/current            the run in progress, latest samples, events
 *   GET    /metrics               Prometheus text format
 *
 * Errors are {"error": "<one line>"} with a 4xx/5xx status.  A request
 * that fails validation changes nothing stored.  Connections, parsing
 * and the load limits are http.c's; api_handle() sees whole requests.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netdb.h>
#include <strings.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "common/buf.h"
#include "daemon/daemon.h"
#include "jobs/queue.h"
#include "jobs/spec.h"
#include "run/options.h"
#include "run/workload.h"
#include "store/db.h"
#include "store/events.h"
#include "store/run-json.h"
#include "store/series.h"
#include "store/status.h"
#include "workloads/workloads.h"

#define API_VERSION 1

static void
reply_json(struct http_reply *rp, int code, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	free(rp->body);
	rp->code = code;
	rp->content_type = "application/json";
	rp->body = xasprintf("%s\n", s ? s : "null");
	rp->len = strlen(rp->body);
	free(s);
	json_decref(body);
}

static void
reply_error(struct http_reply *rp, int code, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
reply_error(struct http_reply *rp, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	http_reply_error(rp, code, msg);
	free(msg);
}

static int
method_is(const struct http_request *rq, struct http_reply *rp,
    const char *want)
{
	if (strcmp(rq->method, want) == 0)
		return 1;
	reply_error(rp, 405, "method not allowed on this path");
	return 0;
}

/*
 * The status of a failure below the API.  The store failing is the
 * daemon's fault (500), or a busy database the client may retry (503);
 * a lookup that finds nothing, or an id that cannot be one, is 404.
 * What a client sent wrong is decided before the store is touched, so
 * it never reaches these (a refused dir= once came back as a 503).
 */
static int
store_status(int r)
{
	return r == -EBUSY ? 503 : 500;
}

static int
lookup_status(int r)
{
	return r == -ENOENT || r == -EINVAL ? 404 : r == -EEXIST ? 400 :
	    store_status(r);
}

/* The request body as text; NULL (and a reply set) when unusable. */
static const char *
body_text(const struct http_request *rq, struct http_reply *rp)
{
	if (strlen(rq->body) != rq->body_len) {
		reply_error(rp, 400, "request body contains a NUL byte");
		return NULL;
	}
	return rq->body;
}

static json_t *
status_json(struct daemon *d)
{
	int64_t run = db_running_run_id(d->db);
	json_t *o = json_object(), *cur = json_null();

	if (run != 0) {
		cur = run_summary_json(d->db, run);
		if (d->sup_pid > 0 && d->phase[0] != '\0')
			json_object_set_new(cur, "phase", json_string(d->phase));
	}
	json_object_set_new(o, "daemon", json_string("mmstormd"));
	json_object_set_new(o, "api", json_integer(API_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "uptime_s", json_real((double)(now_mono_ns() -
	    d->started_mono) / 1e9));
	json_object_set_new(o, "db", json_string(d->db_path));
	json_object_set_new(o, "boot_id", json_string(boot_id()));
	json_object_set_new(o, "queue", json_integer(queue_length(d->db)));
	json_object_set_new(o, "current", cur);
	json_object_set_new(o, "loop_lag_s", json_real(d->loop_lag_s));
	json_object_set_new(o, "stalls", json_integer(d->stalls));
	json_object_set_new(o, "kmsg_records", json_integer(kmsg_records));
	json_object_set_new(o, "kmsg_lost", json_integer(kmsg_lost));
	json_object_set_new(o, "stopping", json_boolean(d->stopping));
	if (d->fleet != NULL)
		json_object_set_new(o, "fleet", fleet_status_json(d));
	return o;
}

static void
get_workloads(struct http_reply *rp)
{
	json_t *a = json_array(), *opts;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; workloads[i] != NULL; i++) {
		buf_reset(&b);
		opt_spec_to_json(&b, workloads[i]->options);
		opts = json_loads(b.s, 0, NULL);
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "name",
		    workloads[i]->name, "summary", workloads[i]->summary,
		    "options", opts));
	}
	buf_release(&b);
	reply_json(rp, 200, a);
}

/*
 * Every job of a submission is validated before any is stored, and all
 * are stored in one transaction: a bad entry changes nothing.
 */
static void
post_jobs(struct daemon *d, const struct http_request *rq,
    struct http_reply *rp)
{
	json_error_t jerr;
	json_t *in, *list, *e, *out = json_array();
	struct job_spec *specs = NULL;
	const char *text;
	char *cause = NULL, uuid[37];
	size_t n, i;
	int64_t id;
	int r = 0;

	if ((text = body_text(rq, rp)) == NULL) {
		json_decref(out);
		return;
	}
	/* Parsed off the loop by http.c; here only for a request made by
	 * hand (the API fuzzer). */
	if (rq->json_error != NULL) {
		in = json_incref(rq->json);
		jerr = *rq->json_error;
	} else
		in = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL) {
		reply_error(rp, 400, "malformed JSON at line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		json_decref(out);
		return;
	}
	list = json_is_array(in) ? json_incref(in) : json_pack("[O]", in);
	n = json_array_size(list);
	if (n == 0 || n > 1000) {
		reply_error(rp, 400, "submit between 1 and 1000 jobs");
		goto out;
	}
	specs = xcalloc(n, sizeof *specs);
	json_array_foreach(list, i, e) {
		if ((r = job_spec_from_json(e, workloads, &specs[i], &cause)) != 0 ||
		    (r = queue_confine(d->db, &specs[i], &cause)) != 0) {
			reply_error(rp, 400, "job %zu: %s", i + 1, cause);
			goto out;
		}
	}
	if ((r = db_begin(d->db, &cause)) != 0) {
		reply_error(rp, store_status(r), "%s", cause);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = queue_insert(d->db, &specs[i], uuid, &id, &cause)) != 0)
			break;
		json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "job",
		    uuid, "workload", specs[i].wl->name, "repeat",
		    (json_int_t)specs[i].repeat));
	}
	if (r != 0 || (r = db_commit(d->db, &cause)) != 0) {
		db_rollback(d->db);
		reply_error(rp, store_status(r), "%s", cause ? cause :
		    "cannot store the jobs");
		goto out;
	}
	log_info("queued %zu job(s)", n);
	reply_json(rp, 201, json_incref(out));
	scheduler_start_next(d);
out:
	for (i = 0; specs != NULL && i < n; i++)
		job_spec_release(&specs[i]);
	free(specs);
	free(cause);
	json_decref(list);
	json_decref(in);
	json_decref(out);
}

/* The query string's parameters: none when it is absent or malformed
 * (evhttp leaves the list empty then). */
static void
query_params(const struct http_request *rq, struct evkeyvalq *kv)
{
	TAILQ_INIT(kv);
	evhttp_parse_query_str(rq->query != NULL ? rq->query : "", kv);
}

/* ?limit=N, 1..100000 (dflt without it); -1 when out of range. */
static int64_t
query_limit(struct evkeyvalq *kv, int64_t dflt)
{
	const char *v = evhttp_find_header(kv, "limit");
	int64_t n = dflt;

	if (v != NULL && (parse_int64(v, &n) != 0 || n < 1 || n > 100000))
		n = -1;
	return n;
}

static void
get_jobs(struct daemon *d, const struct http_request *rq,
    struct http_reply *rp)
{
	struct evkeyvalq kv;
	int64_t limit;
	char *cause = NULL;
	json_t *a;

	query_params(rq, &kv);
	if ((limit = query_limit(&kv, 50)) < 0)
		reply_error(rp, 400, "limit must be 1..100000");
	else if ((a = queue_recent_json(d->db, limit, &cause)) == NULL)
		reply_error(rp, 500, "%s", cause ? cause : "cannot list jobs");
	else
		reply_json(rp, 200, a);
	evhttp_clear_headers(&kv);
	free(cause);
}

/* GET /v1/runs?limit=&workload=&state= */
static void
get_runs(struct daemon *d, const struct http_request *rq,
    struct http_reply *rp)
{
	struct db_run_filter f;
	struct evkeyvalq kv;
	char *cause = NULL;
	json_t *a;

	query_params(rq, &kv);
	memset(&f, 0, sizeof f);
	f.workload = evhttp_find_header(&kv, "workload");
	f.state = evhttp_find_header(&kv, "state");
	if ((f.limit = query_limit(&kv, 50)) < 0)
		reply_error(rp, 400, "limit must be 1..100000");
	else if (f.workload != NULL && workload_find(f.workload) == NULL)
		reply_error(rp, 400, "unknown workload '%s'", f.workload);
	else if (f.state != NULL && !db_run_state_valid(f.state))
		reply_error(rp, 400, "unknown run state '%s'", f.state);
	else if ((a = db_runs_recent(d->db, &f, &cause)) == NULL)
		reply_error(rp, 500, "%s", cause ? cause : "cannot list runs");
	else
		reply_json(rp, 200, a);
	evhttp_clear_headers(&kv);
	free(cause);
}

static void
get_current(struct daemon *d, struct http_reply *rp)
{
	int64_t run = db_running_run_id(d->db);
	struct series s;
	json_t *o, *latest;
	char *cause = NULL;
	size_t k, last;

	if (run == 0) {
		reply_json(rp, 200, json_pack("{s:n}", "current"));
		return;
	}
	o = run_summary_json(d->db, run);
	if (d->phase[0] != '\0')
		json_object_set_new(o, "phase", json_string(d->phase));
	latest = json_object();
	if (series_load(d->db, run, &s, &cause) == 0) {
		if (s.nsamples > 0) {
			last = s.nsamples - 1;
			for (k = 0; k < s.ncounters; k++)
				json_object_set_new(latest, s.names[k],
				    json_integer(s.values[last * s.ncounters +
				    k]));
			json_object_set_new(o, "sample_t_ns",
			    json_integer(s.t_ns[last]));
		}
		json_object_set_new(o, "samples",
		    json_integer((json_int_t)s.nsamples));
		series_release(&s);
	}
	free(cause);
	json_object_set_new(o, "latest", latest);
	json_object_set_new(o, "events", db_run_events_brief(d->db, run));
	reply_json(rp, 200, o);
}

static void
send_metrics(struct daemon *d, struct http_reply *rp)
{
	free(rp->body);
	rp->code = 200;
	rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rp->body = metrics_render(d);
	rp->len = strlen(rp->body);
}

/* "/v1/jobs/UUID[/cancel]" -> uuid and tail; returns 0 if it matches. */
static int
split_id(const char *path, const char *prefix, char *id, size_t idlen,
    const char **tail)
{
	size_t plen = strlen(prefix), n;

	if (strncmp(path, prefix, plen) != 0)
		return -1;
	path += plen;
	n = strcspn(path, "/");
	if (n == 0 || n >= idlen)
		return -1;
	memcpy(id, path, n);
	id[n] = '\0';
	*tail = path + n;
	return 0;
}

/* One job as GET /v1/jobs/UUID shows it; NULL is the store failing. */
static void
reply_job(struct daemon *d, struct http_reply *rp, int code, int64_t id)
{
	json_t *j = queue_job_json(d->db, id);

	if (j == NULL)
		reply_error(rp, 500, "cannot read the job");
	else
		reply_json(rp, code, j);
}

static void
route_job(struct daemon *d, const struct http_request *rq,
    struct http_reply *rp, const char *id, const char *tail)
{
	const char *m = rq->method;
	char *cause = NULL;
	int64_t rid;
	int r;

	if ((r = queue_lookup(d->db, id, &rid, &cause)) != 0)
		reply_error(rp, lookup_status(r), "%s", cause ? cause :
		    "cannot look up the job");
	else if (*tail == '\0' && strcmp(m, "GET") == 0)
		reply_job(d, rp, 200, rid);
	else if ((*tail == '\0' && strcmp(m, "DELETE") == 0) ||
	    (strcmp(tail, "/cancel") == 0 && strcmp(m, "POST") == 0)) {
		if ((r = scheduler_cancel(d, rid, &cause)) != 0)
			reply_error(rp, r == -EALREADY ? 409 :
			    lookup_status(r), "%s", cause ? cause :
			    "cannot cancel the job");
		else
			reply_job(d, rp, 202, rid);
	} else if (*tail == '\0' || strcmp(tail, "/cancel") == 0)
		reply_error(rp, 405, "method not allowed on this path");
	else
		reply_error(rp, 404, "no such path");
	free(cause);
}

static void
route(struct daemon *d, const struct http_request *rq, struct http_reply *rp,
    const char *path)
{
	char id[64], *cause = NULL;
	const char *tail;
	int64_t rid;
	json_t *j;
	int r;

	if (strcmp(path, "/metrics") == 0) {
		if (method_is(rq, rp, "GET"))
			send_metrics(d, rp);
	} else if (strcmp(path, "/v1/status") == 0) {
		if (method_is(rq, rp, "GET"))
			reply_json(rp, 200, status_json(d));
	} else if (strcmp(path, "/v1/workloads") == 0) {
		if (method_is(rq, rp, "GET"))
			get_workloads(rp);
	} else if (strcmp(path, "/v1/current") == 0) {
		if (method_is(rq, rp, "GET"))
			get_current(d, rp);
	} else if (strcmp(path, "/v1/jobs") == 0) {
		if (strcmp(rq->method, "POST") == 0)
			post_jobs(d, rq, rp);
		else if (method_is(rq, rp, "GET"))
			get_jobs(d, rq, rp);
	} else if (split_id(path, "/v1/jobs/", id, sizeof id, &tail) == 0) {
		route_job(d, rq, rp, id, tail);
	} else if (strcmp(path, "/v1/runs") == 0) {
		if (method_is(rq, rp, "GET"))
			get_runs(d, rq, rp);
	} else if (split_id(path, "/v1/runs/", id, sizeof id, &tail) == 0 &&
	    *tail == '\0') {
		if (!method_is(rq, rp, "GET"))
			;
		else if ((r = db_run_lookup(d->db, id, &rid, &cause)) != 0)
			reply_error(rp, lookup_status(r), "%s", cause ? cause :
			    "cannot look up the run");
		else if ((j = run_show_json(d->db, rid, 0, &cause)) == NULL)
			reply_error(rp, 500, "%s", cause ? cause : "error");
		else
			reply_json(rp, 200, j);
	} else
		reply_error(rp, 404, "no such path");
	free(cause);
}

/* Equal in time that depends on the lengths only, not on where the first
 * difference is: a remote client cannot learn the token a byte at a
 * time. */
static int
token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;
	size_t i;

	for (i = 0; i < alen && i < blen; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

/* "Authorization: Bearer <token>": the scheme is case-insensitive (RFC
 * 7235 section 2.1), the token is not. */
static int
authorized(struct daemon *d, const struct http_request *rq)
{
	const char *auth = evhttp_find_header(rq->headers, "Authorization");
	size_t n;

	if (d->token == NULL || auth == NULL ||
	    strncasecmp(auth, "Bearer", 6) != 0 ||
	    (auth[6] != ' ' && auth[6] != '\t'))
		return 0;
	for (auth += 6; *auth == ' ' || *auth == '\t'; auth++)
		;
	for (n = strlen(auth); n > 0 && (auth[n - 1] == ' ' ||
	    auth[n - 1] == '\t'); n--)
		;
	return token_equal(auth, n, d->token, strlen(d->token));
}

void
api_handle(struct daemon *d, const struct http_request *rq,
    struct http_reply *rp)
{
	const char *path = rq->path;

	d->http_requests++;
	if (path == NULL || path[0] != '/' || strstr(path, "..") != NULL ||
	    strstr(path, "//") != NULL || strchr(path, '%') != NULL) {
		reply_error(rp, 400, "bad request path");
		return;
	}
	if (rq->tcp && strcmp(path, "/metrics") != 0 && !authorized(d, rq)) {
		rp->www_authenticate = "Bearer";
		reply_error(rp, 401, "a bearer token is required");
		return;
	}
	route(d, rq, rp, path);
}

static void
serve(void *arg, const struct http_request *rq, struct http_reply *rp)
{
	api_handle(arg, rq, rp);
}

/*
 * The kernel caps a listen backlog at net.core.somaxconn (4096 since
 * Linux 5.4).  128 refused 71 of 1,000 concurrent connects (issue 15):
 * a burst arrives faster than one turn of the loop accepts it, and a
 * refused connect is an error for the client, a queued one only a wait.
 */
#define LISTEN_BACKLOG 4096

/* Refuse to steal the socket of a daemon that is alive. */
static int
socket_in_use(const char *path)
{
	struct sockaddr_un sun;
	int fd, used;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	used = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return used;
}

/*
 * Nothing at the path, or a socket nobody answers on (a daemon that was
 * killed), which is removed.  Anything else is refused: the daemon runs
 * as root and must not delete a file someone put there.
 */
static int
socket_path_clear(const char *path, char **cause)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : set_cause(cause, errno,
		    "cannot check '%s': %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return set_cause(cause, EEXIST, "'%s' exists and is not a "
		    "socket; not removing it", path);
	if (socket_in_use(path))
		return set_cause(cause, EADDRINUSE, "another mmstormd is "
		    "listening on '%s'", path);
	if (unlink(path) == -1 && errno != ENOENT)
		return set_cause(cause, errno, "cannot remove stale socket "
		    "'%s': %s", path, strerror(errno));
	return 0;
}

/*
 * bind() creates the file with the umask's mode and the effective group,
 * so both are set around it: mode 0660 and group mmstorm (when it
 * exists) without a chown()/chmod() by path, which would follow a
 * symlink swapped in after the bind.  A daemon that is not root and may
 * not take the group's id falls back to lchown(), which does not follow.
 */
static int
bind_unix(int fd, const char *path, char **cause)
{
	struct sockaddr_un sun;
	struct group *g = getgrnam("mmstorm");
	gid_t egid = getegid();
	int switched = 0, r, e;
	mode_t old;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (g != NULL && g->gr_gid != egid)
		switched = setegid(g->gr_gid) == 0;
	old = umask(0117);
	r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	e = errno;
	umask(old);
	if (switched && setegid(egid) == -1)
		return set_cause(cause, errno, "cannot restore group id: %s",
		    strerror(errno));
	if (r == -1)
		return set_cause(cause, e, "cannot listen on '%s': %s", path,
		    strerror(e));
	if (g != NULL && !switched && g->gr_gid != egid)
		(void)!lchown(path, (uid_t)-1, g->gr_gid);
	return 0;
}

static int
listen_unix(struct daemon *d, int *out, char **cause)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, r;

	if (strlen(d->socket_path) >= sizeof sun.sun_path)
		return set_cause(cause, ENAMETOOLONG, "socket path '%s' is too "
		    "long", d->socket_path);
	if ((r = socket_path_clear(d->socket_path, cause)) != 0)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return set_cause(cause, errno, "cannot make a socket: %s",
		    strerror(errno));
	if ((r = bind_unix(fd, d->socket_path, cause)) != 0)
		goto out;
	/* What api_stop() may remove: this file, not one put there later. */
	if (lstat(d->socket_path, &st) == 0) {
		d->socket_dev = st.st_dev;
		d->socket_ino = st.st_ino;
	}
	if (listen(fd, LISTEN_BACKLOG) == -1)
		r = set_cause(cause, errno, "cannot listen on '%s': %s",
		    d->socket_path, strerror(errno));
out:
	if (r != 0)
		close(fd);
	else
		*out = fd;
	return r;
}

/*
 * "HOST:PORT" or "[IPV6]:PORT", the port 1..65535 in decimal and nothing
 * else: atoi() took "abc" as 0 (a random port) and 84314 as 18778.
 */
int
api_parse_listen(const char *spec, char **host, char **port, char **cause)
{
	const char *colon, *h = spec, *p;
	size_t hlen;
	int64_t n;

	if (spec[0] == '[') {
		h = spec + 1;
		if ((p = strchr(h, ']')) == NULL || p[1] != ':')
			goto bad;
		hlen = (size_t)(p - h);
		colon = p + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL ||
		    memchr(spec, ':', (size_t)(colon - spec)) != NULL)
			goto bad;       /* an IPv6 address needs brackets */
		hlen = (size_t)(colon - spec);
	}
	p = colon + 1;
	if (hlen == 0 || *p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) > 5 || parse_int64(p, &n) != 0 || n < 1 || n > 65535)
		goto bad;
	*host = xstrndup(h, hlen);
	*port = xstrdup(p);
	return 0;
bad:
	return set_cause(cause, EINVAL, "--listen expects HOST:PORT or "
	    "[IPV6]:PORT with a port 1..65535, got '%s'", spec);
}

static int
listen_tcp(const char *spec, int *out, char **cause)
{
	struct addrinfo hints, *ai = NULL;
	char *host = NULL, *port = NULL;
	int fd = -1, one = 1, r, e;

	if ((r = api_parse_listen(spec, &host, &port, cause)) != 0)
		return r;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0) {
		r = set_cause(cause, EINVAL, "cannot resolve '%s': %s", host,
		    gai_strerror(e));
		goto out;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		r = set_cause(cause, errno, "cannot listen on '%s': %s", spec,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	*out = fd;
out:
	if (ai != NULL)
		freeaddrinfo(ai);
	free(host);
	free(port);
	return r;
}

int
api_start(struct daemon *d, const char *tcp_listen, char **cause)
{
	int fd = -1, r;

	if ((r = http_pool_new(d->base, &d->limits, &d->http_pool, cause)) != 0)
		return r;
	if ((r = listen_unix(d, &fd, cause)) != 0)
		return r;
	d->socket_fd = fd;
	if ((r = http_server_new(d->http_pool, fd, 0, serve, d, &d->http,
	    cause)) != 0) {
		d->socket_fd = -1;
		return r;
	}
	if (tcp_listen == NULL)
		return 0;
	if ((r = listen_tcp(tcp_listen, &fd, cause)) != 0)
		return r;
	return http_server_new(d->http_pool, fd, 1, serve, d, &d->http_tcp,
	    cause);
}

void
api_stop(struct daemon *d)
{
	struct stat st;

	/* Only the socket this daemon bound is its to remove. */
	if (d->socket_fd != -1 && d->socket_path != NULL &&
	    lstat(d->socket_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == d->socket_dev && st.st_ino == d->socket_ino)
		unlink(d->socket_path);
	http_server_free(d->http);
	http_server_free(d->http_tcp);
	http_pool_free(d->http_pool);
	d->http = d->http_tcp = NULL;
	d->http_pool = NULL;
	d->socket_fd = -1;
}
