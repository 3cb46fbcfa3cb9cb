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
 * that fails validation changes nothing stored.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
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
reply_json(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evbuffer_add_printf(out, "%s\n", s ? s : "null");
	evhttp_send_reply(req, code, code < 300 ? "OK" : "Error", out);
	evbuffer_free(out);
	free(s);
	json_decref(body);
}

static void
reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	reply_json(req, code, json_pack("{s:s}", "error", msg));
	free(msg);
}

static int
method_is(struct evhttp_request *req, enum evhttp_cmd_type want)
{
	if (evhttp_request_get_command(req) == want)
		return 1;
	reply_error(req, 405, "method not allowed on this path");
	return 0;
}

/* The request body as text; NULL (and a reply sent) when unusable. */
static char *
body_text(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *s = xmalloc(len + 1);

	evbuffer_copyout(in, s, len);
	s[len] = '\0';
	if (strlen(s) != len) {
		free(s);
		reply_error(req, 400, "request body contains a NUL byte");
		return NULL;
	}
	return s;
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
	return o;
}

static void
get_workloads(struct evhttp_request *req)
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
	reply_json(req, 200, a);
}

/*
 * Every job of a submission is validated before any is stored, and all
 * are stored in one transaction: a bad entry changes nothing.
 */
static void
post_jobs(struct daemon *d, struct evhttp_request *req)
{
	json_error_t jerr;
	json_t *in, *list, *e, *out = json_array();
	struct job_spec *specs = NULL;
	char *text, *cause = NULL, uuid[37];
	size_t n, i;
	int64_t id;
	int r = 0;

	if ((text = body_text(req)) == NULL)
		return;
	in = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (in == NULL) {
		reply_error(req, 400, "malformed JSON at line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		json_decref(out);
		return;
	}
	list = json_is_array(in) ? json_incref(in) : json_pack("[O]", in);
	n = json_array_size(list);
	if (n == 0 || n > 1000) {
		reply_error(req, 400, "submit between 1 and 1000 jobs");
		goto out;
	}
	specs = xcalloc(n, sizeof *specs);
	json_array_foreach(list, i, e) {
		if ((r = job_spec_from_json(e, workloads, &specs[i], &cause)) != 0) {
			reply_error(req, 400, "job %zu: %s", i + 1, cause);
			goto out;
		}
	}
	if ((r = db_begin(d->db, &cause)) != 0) {
		reply_error(req, 503, "%s", cause);
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
		reply_error(req, 503, "%s", cause);
		goto out;
	}
	log_info("queued %zu job(s)", n);
	reply_json(req, 201, json_incref(out));
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
query_params(struct evhttp_request *req, struct evkeyvalq *kv)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));

	evhttp_parse_query_str(q != NULL ? q : "", kv);
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
get_jobs(struct daemon *d, struct evhttp_request *req)
{
	struct evkeyvalq kv;
	int64_t limit;
	char *cause = NULL;
	json_t *a;

	query_params(req, &kv);
	if ((limit = query_limit(&kv, 50)) < 0)
		reply_error(req, 400, "limit must be 1..100000");
	else if ((a = queue_recent_json(d->db, limit, &cause)) == NULL)
		reply_error(req, 500, "%s", cause);
	else
		reply_json(req, 200, a);
	evhttp_clear_headers(&kv);
	free(cause);
}

/* GET /v1/runs?limit=&workload=&state= */
static void
get_runs(struct daemon *d, struct evhttp_request *req)
{
	struct db_run_filter f;
	struct evkeyvalq kv;
	char *cause = NULL;
	json_t *a;

	query_params(req, &kv);
	memset(&f, 0, sizeof f);
	f.workload = evhttp_find_header(&kv, "workload");
	f.state = evhttp_find_header(&kv, "state");
	if ((f.limit = query_limit(&kv, 50)) < 0)
		reply_error(req, 400, "limit must be 1..100000");
	else if (f.workload != NULL && workload_find(f.workload) == NULL)
		reply_error(req, 400, "unknown workload '%s'", f.workload);
	else if (f.state != NULL && !db_run_state_valid(f.state))
		reply_error(req, 400, "unknown run state '%s'", f.state);
	else if ((a = db_runs_recent(d->db, &f, &cause)) == NULL)
		reply_error(req, 500, "%s", cause);
	else
		reply_json(req, 200, a);
	evhttp_clear_headers(&kv);
	free(cause);
}

static void
get_current(struct daemon *d, struct evhttp_request *req)
{
	int64_t run = db_running_run_id(d->db);
	struct series s;
	json_t *o, *latest;
	char *cause = NULL;
	size_t k, last;

	if (run == 0) {
		reply_json(req, 200, json_pack("{s:n}", "current"));
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
	reply_json(req, 200, o);
}

static void
send_metrics(struct daemon *d, struct evhttp_request *req)
{
	struct evbuffer *out = evbuffer_new();
	char *text = metrics_render(d);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evbuffer_add(out, text, strlen(text));
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	free(text);
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

static void
route(struct daemon *d, struct evhttp_request *req, const char *path)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char id[64], *cause = NULL;
	const char *tail;
	int64_t rid;
	json_t *j;

	if (strcmp(path, "/metrics") == 0) {
		if (method_is(req, EVHTTP_REQ_GET))
			send_metrics(d, req);
	} else if (strcmp(path, "/v1/status") == 0) {
		if (method_is(req, EVHTTP_REQ_GET))
			reply_json(req, 200, status_json(d));
	} else if (strcmp(path, "/v1/workloads") == 0) {
		if (method_is(req, EVHTTP_REQ_GET))
			get_workloads(req);
	} else if (strcmp(path, "/v1/current") == 0) {
		if (method_is(req, EVHTTP_REQ_GET))
			get_current(d, req);
	} else if (strcmp(path, "/v1/jobs") == 0) {
		if (cmd == EVHTTP_REQ_POST)
			post_jobs(d, req);
		else if (method_is(req, EVHTTP_REQ_GET))
			get_jobs(d, req);
	} else if (split_id(path, "/v1/jobs/", id, sizeof id, &tail) == 0) {
		if (queue_lookup(d->db, id, &rid, &cause) != 0)
			reply_error(req, 404, "%s", cause);
		else if (*tail == '\0' && cmd == EVHTTP_REQ_GET)
			reply_json(req, 200, queue_job_json(d->db, rid));
		else if ((*tail == '\0' && cmd == EVHTTP_REQ_DELETE) ||
		    (strcmp(tail, "/cancel") == 0 && cmd == EVHTTP_REQ_POST)) {
			if (scheduler_cancel(d, rid, &cause) != 0)
				reply_error(req, 409, "%s", cause);
			else
				reply_json(req, 202, queue_job_json(d->db, rid));
		} else if (*tail == '\0' || strcmp(tail, "/cancel") == 0)
			reply_error(req, 405, "method not allowed on this path");
		else
			reply_error(req, 404, "no such path");
	} else if (strcmp(path, "/v1/runs") == 0) {
		if (method_is(req, EVHTTP_REQ_GET))
			get_runs(d, req);
	} else if (split_id(path, "/v1/runs/", id, sizeof id, &tail) == 0 &&
	    *tail == '\0') {
		if (!method_is(req, EVHTTP_REQ_GET))
			;
		else if (db_run_lookup(d->db, id, &rid, &cause) != 0)
			reply_error(req, 404, "%s", cause);
		else if ((j = run_show_json(d->db, rid, 0, &cause)) == NULL)
			reply_error(req, 500, "%s", cause ? cause : "error");
		else
			reply_json(req, 200, j);
	} else
		reply_error(req, 404, "no such path");
	free(cause);
}

static void
handle(struct evhttp_request *req, void *arg, int tcp)
{
	struct daemon *d = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *auth;
	char *want;

	d->http_requests++;
	if (path == NULL || path[0] != '/' || strstr(path, "..") != NULL ||
	    strstr(path, "//") != NULL || strchr(path, '%') != NULL) {
		reply_error(req, 400, "bad request path");
		return;
	}
	if (tcp && strcmp(path, "/metrics") != 0) {
		auth = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Authorization");
		want = d->token ? xasprintf("Bearer %s", d->token) : NULL;
		if (want == NULL || auth == NULL || strcmp(auth, want) != 0) {
			free(want);
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "WWW-Authenticate", "Bearer");
			reply_error(req, 401, "a bearer token is required");
			return;
		}
		free(want);
	}
	route(d, req, path);
}

/* One request through the path checks and the router, as a connection
 * hands it over: fuzz/fuzz-api.c drives the API with it, no socket. */
void
api_handle_request(struct daemon *d, struct evhttp_request *req, int tcp)
{
	handle(req, d, tcp);
}

static void
handle_unix(struct evhttp_request *req, void *arg)
{
	handle(req, arg, 0);
}

static void
handle_tcp(struct evhttp_request *req, void *arg)
{
	handle(req, arg, 1);
}

static void
configure(struct daemon *d, struct evhttp *http)
{
	evhttp_set_max_body_size(http, (ev_ssize_t)d->max_body);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_timeout(http, 10);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
}

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

int
api_start(struct daemon *d, const char *tcp_listen, char **cause)
{
	struct sockaddr_un sun;
	struct group *g;
	char *host = NULL, *colon;
	int fd = -1;

	if (strlen(d->socket_path) >= sizeof sun.sun_path)
		return set_cause(cause, ENAMETOOLONG, "socket path '%s' is too "
		    "long", d->socket_path);
	if (socket_in_use(d->socket_path))
		return set_cause(cause, EADDRINUSE, "another mmstormd is "
		    "listening on '%s'", d->socket_path);
	unlink(d->socket_path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", d->socket_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 128) == -1) {
		int e = errno;

		if (fd != -1)
			close(fd);
		return set_cause(cause, e, "cannot listen on '%s': %s",
		    d->socket_path, strerror(e));
	}
	/* 0660, group mmstorm when it exists: members may use the API. */
	if ((g = getgrnam("mmstorm")) != NULL)
		(void)!chown(d->socket_path, (uid_t)-1, g->gr_gid);
	chmod(d->socket_path, 0660);
	d->socket_fd = fd;
	d->http = evhttp_new(d->base);
	configure(d, d->http);
	evhttp_set_gencb(d->http, handle_unix, d);
	if (evhttp_accept_socket(d->http, fd) != 0)
		return set_cause(cause, EIO, "cannot serve '%s'",
		    d->socket_path);
	if (tcp_listen == NULL)
		return 0;
	host = xstrdup(tcp_listen);
	if ((colon = strrchr(host, ':')) == NULL) {
		free(host);
		return set_cause(cause, EINVAL, "--listen expects HOST:PORT, "
		    "got '%s'", tcp_listen);
	}
	*colon = '\0';
	d->http_tcp = evhttp_new(d->base);
	configure(d, d->http_tcp);
	evhttp_set_gencb(d->http_tcp, handle_tcp, d);
	if (evhttp_bind_socket(d->http_tcp, host, (ev_uint16_t)atoi(colon + 1))
	    != 0) {
		free(host);
		return set_cause(cause, EADDRINUSE, "cannot listen on '%s'",
		    tcp_listen);
	}
	free(host);
	return 0;
}

void
api_stop(struct daemon *d)
{
	/* Only a socket this daemon bound is its to remove. */
	if (d->socket_fd != -1 && d->socket_path != NULL)
		unlink(d->socket_path);
	if (d->http != NULL)
		evhttp_free(d->http);
	if (d->http_tcp != NULL)
		evhttp_free(d->http_tcp);
	d->http = d->http_tcp = NULL;
	d->socket_fd = -1;
}
