/*
 * http.h - mmstormd's HTTP/1.1 server: connections, request parsing and
 * the load limits (docs/daemon.md, "Load limits").  evhttp (libevent 2.1)
 * has no connection cap, no whole-request deadline, no accept back-off
 * and answers its own errors in HTML; this layer has all four and hands
 * complete requests to a handler that never sees a socket.
 */
#ifndef MMSTORM_DAEMON_HTTP_H
#define MMSTORM_DAEMON_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

/* The limits, shared by every listener of a daemon. */
struct http_limits {
	size_t max_conns;       /* open connections, all listeners */
	size_t max_header;      /* request line and headers, bytes */
	size_t max_body;        /* one request body, bytes */
	size_t max_memory;      /* bodies and replies held, all connections */
	int64_t deadline_ms;    /* a whole request, from its first byte or
	                         * the end of the previous reply */
};

/* What the limits did, for /metrics. */
struct http_stats {
	int64_t conns;          /* open now */
	int64_t memory;         /* bytes of bodies and replies held now */
	int64_t accepted, evicted, timed_out, rejected, accept_pauses;
};

/*
 * One complete request.  body is NUL-terminated (body_len excludes it).
 * A body that came over a connection was parsed as JSON off the loop
 * (JSON_REJECT_DUPLICATES): json_error is then set, and json is the value
 * (the handler's to incref, not to keep) or NULL with json_error saying
 * why.  Without json_error (a request made by hand) nothing was parsed.
 */
struct http_request {
	const char *method;
	const char *path;       /* up to '?' */
	const char *query;      /* after '?', or NULL */
	struct evkeyvalq *headers;
	const char *body;
	size_t body_len;
	json_t *json;
	const json_error_t *json_error;
	int tcp;                /* came in on the TCP listener */
};

/* What the handler answers: body is allocated and taken over. */
struct http_reply {
	int code;
	const char *content_type;
	const char *www_authenticate;   /* a static string, or NULL */
	char *body;
	size_t len;
};

typedef void http_handler(void *arg, const struct http_request *,
    struct http_reply *);

struct http_pool;
struct http_server;

/* The pool starts a thread that parses request bodies (see http.c). */
int http_pool_new(struct event_base *, const struct http_limits *,
    struct http_pool **, char **cause);
void http_pool_free(struct http_pool *);
const struct http_stats *http_pool_stats(const struct http_pool *);

/* Serve a listening socket (taken over, closed by http_server_free). */
int http_server_new(struct http_pool *, int fd, int tcp, http_handler *,
    void *arg, struct http_server **out, char **cause);
void http_server_free(struct http_server *);

/* The error body every reply of the API uses: {"error": "msg"}\n */
void http_reply_error(struct http_reply *, int code, const char *msg);

#endif
