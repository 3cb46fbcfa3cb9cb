/*
 * http.c - the HTTP/1.1 server under mmstormd's API.
 *
 * Every byte a client can make the daemon hold is bounded: headers by
 * max_header (the read watermark stops reading past it), a body by
 * max_body and by a reservation from max_memory taken before it is read,
 * a reply by the same reservation.  A request must arrive whole within
 * deadline_ms of its start (a timer armed at phase changes only, so a
 * byte a second does not extend it).  At max_conns a new connection
 * evicts the oldest one still sending its request: slow clients cannot
 * lock out fast ones.  Out of descriptors, accepting pauses instead of
 * spinning in libevent's accept loop.  Every error is the API's one-line
 * JSON.
 *
 * Bodies are parsed as JSON by a thread of the pool, not by the loop:
 * jansson takes 50 ms for a 900 KB body, and 1,000 hostile clients keep
 * dozens of them queued.  Parsed one per callback on the loop they made
 * GET /v1/status wait up to 3 s (a callback that activated itself again
 * ran in the same pass of libevent's queue, so the whole queue ran
 * back to back, heartbeat and all behind it).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/http.h"

#define MAX_HEADERS     64
#define LINGER_MS       2000    /* read and drop after an error reply */
#define PAUSE_MIN_MS    50
#define PAUSE_MAX_MS    1000

enum conn_state {
	CONN_HEAD,      /* reading the request line and headers */
	CONN_BODY,      /* reading a body of a known length */
	CONN_QUEUED,    /* a body is in, with the parser thread */
	CONN_REPLY,     /* writing the reply */
	CONN_LINGER,    /* error sent: drain what the client still sends */
};

/*
 * A body handed to the parser thread.  The thread reads body and len and
 * writes json and error; everything else is the loop's.  A connection
 * that ends while its body is being parsed leaves it behind (conn NULL),
 * with the memory it had reserved, freed when the thread is done.
 */
struct http_parse {
	TAILQ_ENTRY(http_parse) entry;
	struct http_conn *conn;
	char *body;
	size_t len, reserved;
	json_t *json;
	json_error_t error;
};
TAILQ_HEAD(parse_list, http_parse);

struct http_conn {
	struct http_server *srv;
	struct bufferevent *bev;
	struct event *deadline;
	TAILQ_ENTRY(http_conn) entry;
	struct http_parse *parse;       /* CONN_QUEUED */
	enum conn_state state;
	char *method, *target;
	struct evkeyvalq headers;
	size_t nheaders, head_bytes, body_len, reserved;
	int keep_alive, started;
};
TAILQ_HEAD(conn_list, http_conn);

struct http_pool {
	struct event_base *base;
	struct http_limits lim;
	struct http_stats stats;
	struct conn_list conns;         /* oldest first */
	/* The parser thread: todo and done under lock; efd wakes the loop. */
	pthread_t parser;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct parse_list todo, done;
	int stop, efd, running;
	struct event *parsed;
};

struct http_server {
	struct http_pool *pool;
	struct evconnlistener *listener;
	struct event *resume;
	int64_t pause_ms;
	http_handler *handler;
	void *arg;
	int tcp;
};

static struct log_limit limit_accept = LOG_LIMIT(10, 3);
static struct log_limit limit_evict = LOG_LIMIT(10, 3);
static struct log_limit limit_memory = LOG_LIMIT(10, 3);

static void conn_read(struct bufferevent *, void *);
static void dispatch(struct http_conn *, struct http_parse *);

/* The body, out of the socket's buffer, to the parser thread. */
static void
parse_submit(struct http_conn *c)
{
	struct http_pool *p = c->srv->pool;
	struct http_parse *ps = xcalloc(1, sizeof *ps);

	ps->conn = c;
	ps->len = c->body_len;
	ps->body = xmalloc(ps->len + 1);
	evbuffer_remove(bufferevent_get_input(c->bev), ps->body, ps->len);
	ps->body[ps->len] = '\0';
	bufferevent_disable(c->bev, EV_READ);
	c->parse = ps;
	c->state = CONN_QUEUED;
	pthread_mutex_lock(&p->lock);
	TAILQ_INSERT_TAIL(&p->todo, ps, entry);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static void
parse_free(struct http_pool *p, struct http_parse *ps)
{
	p->stats.memory -= (int64_t)ps->reserved;
	json_decref(ps->json);
	free(ps->body);
	free(ps);
}

/* The thread: parse bodies in order until told to stop.  The flags are
 * the API's (a duplicate key is an error, not a silent overwrite). */
static void *
parser_main(void *arg)
{
	struct http_pool *p = arg;
	struct http_parse *ps;
	uint64_t one = 1;

	/* The loop first: on a busy machine a parse may wait, GET
	 * /v1/status should not (Linux takes a thread id here). */
	setpriority(PRIO_PROCESS, (id_t)gettid(),
	    getpriority(PRIO_PROCESS, (id_t)gettid()) + 10);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && TAILQ_EMPTY(&p->todo))
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		ps = TAILQ_FIRST(&p->todo);
		TAILQ_REMOVE(&p->todo, ps, entry);
		pthread_mutex_unlock(&p->lock);
		ps->json = json_loadb(ps->body, ps->len,
		    JSON_REJECT_DUPLICATES, &ps->error);
		pthread_mutex_lock(&p->lock);
		TAILQ_INSERT_TAIL(&p->done, ps, entry);
		(void)!write(p->efd, &one, sizeof one);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* On the loop: hand each parsed body to its request, if it still has
 * one. */
static void
parse_done(evutil_socket_t fd, short what, void *arg)
{
	struct http_pool *p = arg;
	struct parse_list done;
	struct http_parse *ps;
	uint64_t n;

	(void)what;
	(void)!read(fd, &n, sizeof n);
	TAILQ_INIT(&done);
	pthread_mutex_lock(&p->lock);
	TAILQ_CONCAT(&done, &p->done, entry);
	pthread_mutex_unlock(&p->lock);
	while ((ps = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, ps, entry);
		if (ps->conn != NULL) {
			ps->conn->parse = NULL;
			ps->conn->state = CONN_BODY;
			dispatch(ps->conn, ps);
		}
		parse_free(p, ps);
	}
}

static void
arm(struct http_conn *c, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(c->deadline, &tv);
}

static void
reserve_release(struct http_conn *c)
{
	c->srv->pool->stats.memory -= (int64_t)c->reserved;
	c->reserved = 0;
}

/* Take len bytes from the pool's memory budget; 0, or -1 when full. */
static int
reserve(struct http_conn *c, size_t len)
{
	struct http_pool *p = c->srv->pool;

	if ((size_t)p->stats.memory + len > p->lim.max_memory) {
		log_limited(&limit_memory, 4, "request memory limit (%zu "
		    "bytes) reached: busy reply", p->lim.max_memory);
		return -1;
	}
	p->stats.memory += (int64_t)len;
	c->reserved += len;
	return 0;
}

static void
request_reset(struct http_conn *c)
{
	free(c->method);
	free(c->target);
	c->method = c->target = NULL;
	evhttp_clear_headers(&c->headers);
	c->nheaders = c->head_bytes = c->body_len = 0;
	c->started = 0;
	reserve_release(c);
}

/* The connection lets go of a body still with the parser thread; the
 * body keeps its memory reservation until the thread is done with it. */
static void
parse_detach(struct http_conn *c)
{
	if (c->parse == NULL)
		return;
	c->parse->conn = NULL;
	c->parse->reserved = c->reserved;
	c->reserved = 0;
	c->parse = NULL;
}

static void
conn_free(struct http_conn *c)
{
	evutil_socket_t fd;

	parse_detach(c);
	request_reset(c);
	TAILQ_REMOVE(&c->srv->pool->conns, c, entry);
	c->srv->pool->stats.conns--;
	event_free(c->deadline);
	/* bufferevent_free() closes the socket only in a finalizer later in
	 * the loop; a burst of evictions would run out of descriptors
	 * before then.  Detach and close it now. */
	fd = bufferevent_getfd(c->bev);
	bufferevent_setfd(c->bev, -1);
	bufferevent_free(c->bev);
	if (fd != -1)
		close(fd);
	free(c);
}

static const char *
reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return code < 400 ? "OK" : "Error";
	}
}

void
http_reply_error(struct http_reply *rp, int code, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *s = json_dumps(o, JSON_COMPACT);

	free(rp->body);
	rp->code = code;
	rp->content_type = "application/json";
	rp->body = xasprintf("%s\n", s != NULL ? s : "{}");
	rp->len = strlen(rp->body);
	free(s);
	json_decref(o);
}

/* Queue a reply; the write callback goes on once it has left. */
static void
send_reply(struct http_conn *c, struct http_reply *rp)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	reserve_release(c);
	if (reserve(c, rp->len) != 0)
		http_reply_error(rp, 503, "the daemon is short of request "
		    "memory; retry later");
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n", rp->code, reason(rp->code),
	    rp->content_type != NULL ? rp->content_type : "application/json",
	    rp->len);
	if (rp->www_authenticate != NULL)
		evbuffer_add_printf(out, "WWW-Authenticate: %s\r\n",
		    rp->www_authenticate);
	if (!c->keep_alive)
		evbuffer_add_printf(out, "Connection: close\r\n");
	evbuffer_add(out, "\r\n", 2);
	if (c->method == NULL || strcmp(c->method, "HEAD") != 0)
		evbuffer_add(out, rp->body, rp->len);
	free(rp->body);
	rp->body = NULL;
	bufferevent_disable(c->bev, EV_READ);
	c->state = CONN_REPLY;
	arm(c, c->srv->pool->lim.deadline_ms);
}

/* An error from this layer: the JSON reply, then the connection ends. */
static void
fail(struct http_conn *c, int code, const char *msg)
{
	struct http_reply rp = { 0, NULL, NULL, NULL, 0 };

	c->srv->pool->stats.rejected++;
	c->keep_alive = 0;
	http_reply_error(&rp, code, msg);
	send_reply(c, &rp);
}

/* Split the target, call the handler, send what it answers; ps is the
 * parsed body, NULL for none. */
static void
dispatch(struct http_conn *c, struct http_parse *ps)
{
	struct http_reply rp = { 500, "application/json", NULL, NULL, 0 };
	struct http_request rq;
	char *q;

	memset(&rq, 0, sizeof rq);
	rq.method = c->method;
	rq.path = c->target;
	if ((q = strchr(c->target, '?')) != NULL) {
		*q = '\0';
		rq.query = q + 1;
	}
	rq.headers = &c->headers;
	rq.body = ps != NULL ? ps->body : "";
	rq.body_len = ps != NULL ? ps->len : 0;
	rq.json = ps != NULL ? ps->json : NULL;
	rq.json_error = ps != NULL ? &ps->error : NULL;
	rq.tcp = c->srv->tcp;
	c->srv->handler(c->srv->arg, &rq, &rp);
	if (rp.body == NULL)
		http_reply_error(&rp, 500, "no reply");
	send_reply(c, &rp);
}

/* "METHOD SP request-target SP HTTP/1.x"; 0 or -1. */
static int
parse_request_line(struct http_conn *c, const char *line)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "PATCH", "OPTIONS" };
	const char *sp1 = strchr(line, ' '), *sp2;
	size_t i;

	if (sp1 == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    sp2 == sp1 + 1 || strchr(sp2 + 1, ' ') != NULL) {
		fail(c, 400, "malformed request line");
		return -1;
	}
	c->method = xstrndup(line, (size_t)(sp1 - line));
	c->target = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		c->keep_alive = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		c->keep_alive = 0;
	else {
		fail(c, 400, "only HTTP/1.0 and HTTP/1.1 are spoken");
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(methods); i++)
		if (strcmp(c->method, methods[i]) == 0)
			return 0;
	fail(c, 501, "method not implemented");
	return -1;
}

/* "name: value" (RFC 9112 section 5); 0 or -1. */
static int
parse_header(struct http_conn *c, char *line)
{
	char *colon = strchr(line, ':'), *v, *end;
	size_t n;

	if (++c->nheaders > MAX_HEADERS) {
		fail(c, 431, "too many header fields");
		return -1;
	}
	if (colon == NULL || colon == line ||
	    (n = strspn(line, "!#$%&'*+-.^_`|~0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")) !=
	    (size_t)(colon - line)) {
		fail(c, 400, "malformed header field");
		return -1;
	}
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (evhttp_add_header(&c->headers, line, v) != 0) {
		fail(c, 400, "malformed header field");
		return -1;
	}
	return 0;
}

/* The headers are in: decide on the body before reading any of it. */
static int
headers_done(struct http_conn *c)
{
	const char *cl = evhttp_find_header(&c->headers, "Content-Length");
	const char *conn = evhttp_find_header(&c->headers, "Connection");
	const char *expect = evhttp_find_header(&c->headers, "Expect");
	struct http_limits *lim = &c->srv->pool->lim;
	int64_t len = 0;

	if (conn != NULL && strcasecmp(conn, "close") == 0)
		c->keep_alive = 0;
	else if (conn != NULL && strcasecmp(conn, "keep-alive") == 0)
		c->keep_alive = 1;
	if (evhttp_find_header(&c->headers, "Transfer-Encoding") != NULL) {
		fail(c, 501, "transfer-encoding is not supported; send "
		    "Content-Length");
		return -1;
	}
	if (cl != NULL && (strspn(cl, "0123456789") != strlen(cl) ||
	    parse_int64(cl, &len) != 0)) {
		fail(c, 400, "malformed Content-Length");
		return -1;
	}
	if ((uint64_t)len > lim->max_body) {
		fail(c, 413, "request body too large");
		return -1;
	}
	if (len > 0 && reserve(c, (size_t)len) != 0) {
		fail(c, 503, "the daemon is short of request memory; retry "
		    "later");
		return -1;
	}
	c->body_len = (size_t)len;
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
	    len > 0)
		bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    len > 0 ? (size_t)len : lim->max_header);
	c->state = CONN_BODY;
	return 0;
}

/* Lines until the empty one; -1 when a reply was sent, 1 to wait. */
static int
read_head(struct http_conn *c, struct evbuffer *in)
{
	size_t max = c->srv->pool->lim.max_header, n;
	char *line;
	int r;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF)) != NULL) {
		c->head_bytes += n + 2;
		if (c->head_bytes > max) {
			free(line);
			fail(c, 431, "request header fields too large");
			return -1;
		}
		if (c->method == NULL && n == 0)
			r = 0;          /* RFC 9112 2.2: empty lines may lead */
		else if (c->method == NULL)
			r = parse_request_line(c, line);
		else if (n == 0)
			r = headers_done(c);
		else
			r = parse_header(c, line);
		free(line);
		if (r != 0 || c->state != CONN_HEAD)
			return r;
	}
	if (c->head_bytes + evbuffer_get_length(in) >= max) {
		fail(c, 431, "request header fields too large");
		return -1;
	}
	return 1;
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (c->state == CONN_LINGER) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	/* The deadline runs from the accept or the previous reply: the
	 * first byte does not restart it. */
	if (evbuffer_get_length(in) > 0)
		c->started = 1;
	if (c->state == CONN_HEAD && read_head(c, in) != 0)
		return;
	if (c->state != CONN_BODY || evbuffer_get_length(in) < c->body_len)
		return;
	if (c->body_len == 0)
		dispatch(c, NULL);
	else
		parse_submit(c);
}

/* The reply has left: the next request, or the end. */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0 ||
	    c->state != CONN_REPLY)
		return;
	if (!c->keep_alive) {
		/* Half-close and drain: closing with unread input would
		 * reset the connection and lose the error reply. */
		shutdown(bufferevent_getfd(bev), SHUT_WR);
		request_reset(c);
		c->state = CONN_LINGER;
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
		bufferevent_enable(bev, EV_READ);
		arm(c, LINGER_MS);
		return;
	}
	request_reset(c);
	c->state = CONN_HEAD;
	bufferevent_setwatermark(bev, EV_READ, 0, c->srv->pool->lim.max_header);
	bufferevent_enable(bev, EV_READ);
	arm(c, c->srv->pool->lim.deadline_ms);
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		conn_read(bev, c);      /* a pipelined request */
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	conn_free(arg);        /* EOF or error: nobody to answer */
}

static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;
	char msg[96];

	(void)fd;
	(void)what;
	if (c->state == CONN_QUEUED) {
		parse_detach(c);
		c->state = CONN_BODY;
		c->srv->pool->stats.timed_out++;
		fail(c, 503, "the daemon is too busy to parse this request; "
		    "retry later");
		return;
	}
	if ((c->state == CONN_HEAD && c->started) || c->state == CONN_BODY) {
		c->srv->pool->stats.timed_out++;
		snprintf(msg, sizeof msg, "request not complete within %lld "
		    "ms", (long long)c->srv->pool->lim.deadline_ms);
		fail(c, 408, msg);
		return;
	}
	conn_free(c);          /* idle, a reply nobody reads, lingering */
}

/*
 * At the cap: drop the oldest connection still sending its request (or
 * lingering after an error).  Refusing the new one instead would let
 * slow clients that got in first lock everyone else out.
 */
static int
evict_one(struct http_pool *p)
{
	struct http_conn *c;

	TAILQ_FOREACH(c, &p->conns, entry) {
		if (c->state == CONN_HEAD || c->state == CONN_BODY ||
		    c->state == CONN_LINGER) {
			log_limited(&limit_evict, 4, "connection limit (%zu) "
			    "reached: closed the oldest unfinished request",
			    p->lim.max_conns);
			p->stats.evicted++;
			conn_free(c);
			return 0;
		}
	}
	return -1;
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct http_server *srv = arg;
	struct http_pool *p = srv->pool;
	struct http_conn *c;

	(void)l;
	(void)sa;
	(void)salen;
	srv->pause_ms = 0;
	if ((size_t)p->stats.conns >= p->lim.max_conns && evict_one(p) != 0) {
		log_limited(&limit_evict, 4, "connection limit (%zu) "
		    "reached: refused a connection", p->lim.max_conns);
		p->stats.rejected++;
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->bev = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(p->base, conn_deadline, c);
	if (c->bev == NULL || c->deadline == NULL) {
		log_limited(&limit_accept, 3, "cannot set up a connection");
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		return;
	}
	TAILQ_INIT(&c->headers);
	TAILQ_INSERT_TAIL(&p->conns, c, entry);
	p->stats.conns++;
	p->stats.accepted++;
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, p->lim.max_header);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	/* An idle connection gets the same time as a request. */
	arm(c, p->lim.deadline_ms);
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(srv->listener);
}

/*
 * accept() failed for a reason other than "try again".  Out of
 * descriptors or memory the pending connection stays in the backlog and
 * the listener stays readable: retrying at once is the 100 % CPU loop,
 * so pause accepting (50 ms, doubling to 1 s) and let connections end.
 */
static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	struct http_server *srv = arg;
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	srv->pause_ms = srv->pause_ms == 0 ? PAUSE_MIN_MS :
	    srv->pause_ms * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : srv->pause_ms * 2;
	log_limited(&limit_accept, 3, "accept: %s; not accepting for %lld ms",
	    strerror(e), (long long)srv->pause_ms);
	srv->pool->stats.accept_pauses++;
	evconnlistener_disable(l);
	tv.tv_sec = (time_t)(srv->pause_ms / 1000);
	tv.tv_usec = (suseconds_t)(srv->pause_ms % 1000) * 1000;
	evtimer_add(srv->resume, &tv);
}

int
http_pool_new(struct event_base *base, const struct http_limits *lim,
    struct http_pool **out, char **cause)
{
	struct http_pool *p = xcalloc(1, sizeof *p);
	sigset_t all, old;
	int e;

	p->base = base;
	p->lim = *lim;
	TAILQ_INIT(&p->conns);
	TAILQ_INIT(&p->todo);
	TAILQ_INIT(&p->done);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if ((p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		e = set_cause(cause, errno, "cannot make an eventfd: %s",
		    strerror(errno));
		goto out;
	}
	p->parsed = event_new(base, p->efd, EV_READ | EV_PERSIST, parse_done,
	    p);
	event_add(p->parsed, NULL);
	/* Signals stay the loop's (libevent's handlers, SIGCHLD). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&p->parser, NULL, parser_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		e = set_cause(cause, e, "cannot start the request parser: %s",
		    strerror(e));
		goto out;
	}
	p->running = 1;
out:
	if (e != 0)
		http_pool_free(p);
	else
		*out = p;
	return e;
}

void
http_pool_free(struct http_pool *p)
{
	struct http_parse *ps;

	if (p == NULL)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->lock);
		p->stop = 1;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->parser, NULL);
	}
	while (!TAILQ_EMPTY(&p->conns))
		conn_free(TAILQ_FIRST(&p->conns));
	while ((ps = TAILQ_FIRST(&p->todo)) != NULL) {
		TAILQ_REMOVE(&p->todo, ps, entry);
		parse_free(p, ps);
	}
	while ((ps = TAILQ_FIRST(&p->done)) != NULL) {
		TAILQ_REMOVE(&p->done, ps, entry);
		parse_free(p, ps);
	}
	if (p->parsed != NULL)
		event_free(p->parsed);
	if (p->efd != -1)
		close(p->efd);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const struct http_stats *
http_pool_stats(const struct http_pool *p)
{
	return &p->stats;
}

int
http_server_new(struct http_pool *p, int fd, int tcp, http_handler *handler,
    void *arg, struct http_server **out, char **cause)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);

	srv->pool = p;
	srv->tcp = tcp;
	srv->handler = handler;
	srv->arg = arg;
	srv->resume = evtimer_new(p->base, on_resume, srv);
	/* backlog 0: fd is listening already, with the backlog we chose */
	srv->listener = evconnlistener_new(p->base, on_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (srv->listener == NULL || srv->resume == NULL) {
		if (srv->listener == NULL)
			close(fd);
		http_server_free(srv);
		return set_cause(cause, ENOMEM, "cannot serve a socket");
	}
	evconnlistener_set_error_cb(srv->listener, on_accept_error);
	*out = srv;
	return 0;
}

void
http_server_free(struct http_server *srv)
{
	struct http_conn *c, *next;

	if (srv == NULL)
		return;
	for (c = TAILQ_FIRST(&srv->pool->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->srv == srv)
			conn_free(c);
	}
	if (srv->listener != NULL)
		evconnlistener_free(srv->listener);
	if (srv->resume != NULL)
		event_free(srv->resume);
	free(srv);
}
