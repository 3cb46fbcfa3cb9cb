/*
 * fuzz-api.c - the HTTP API's request handling (daemon/api.c) without a
 * socket.
 *
 * The input is one request:
 *   byte 0        bits 0-2 the method (GET POST DELETE PUT HEAD OPTIONS
 *                 PATCH GET), bit 3 "came over TCP" (the bearer check)
 *   a line        the request URI, e.g. "/v1/jobs?limit=5"
 *   a line        TCP only: the Authorization header's value
 *   the rest      the body
 * It is built into an evhttp_request as evhttp's parser would leave it
 * (event2/http_struct.h: method, URI, its parsed form, headers, body)
 * and handed to api_handle_request(), the daemon's own entry after the
 * connection.  With no connection behind it evhttp_send_reply() frees
 * the request; EVHTTP_REQ_DEFER_FREE keeps it so the status can be read.
 * Every request must get exactly a reply, and none a 500: the database
 * is a fresh in-memory one per input, so a 500 is the handler's bug.
 * The daemon is "stopping", so a job the input queues never runs.
 */
#include <stdarg.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>

#include "daemon/daemon.h"
#include "fuzz/fuzz.h"
#include "store/db.h"

/* The daemon's log, quiet: a line per request would drown libFuzzer's. */
int log_verbose;
void log_info(const char *fmt, ...) { (void)fmt; }
void log_warn(const char *fmt, ...) { (void)fmt; }
void log_err(const char *fmt, ...) { (void)fmt; }
void log_debug(const char *fmt, ...) { (void)fmt; }

static const enum evhttp_cmd_type methods[8] = {
	EVHTTP_REQ_GET, EVHTTP_REQ_POST, EVHTTP_REQ_DELETE, EVHTTP_REQ_PUT,
	EVHTTP_REQ_HEAD, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH, EVHTTP_REQ_GET,
};

/* The next line of [*p, end) as a string; *p moves past it. */
static char *
next_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = fuzz_strndup(*p, n);

	*p += nl ? n + 1 : n;
	return s;
}

/* As evhttp_parse_request_line() leaves it; NULL when evhttp would have
 * answered 400 itself. */
static struct evhttp_request *
make_request(const uint8_t *data, size_t size, int *tcp)
{
	const uint8_t *p = data + 1, *end = data + size;
	struct evhttp_request *req;
	char *uri, *auth = NULL;

	*tcp = (data[0] & 8) != 0;
	uri = next_line(&p, end);
	if (*tcp)
		auth = next_line(&p, end);
	req = evhttp_request_new(NULL, NULL);
	req->kind = EVHTTP_REQUEST;
	req->type = methods[data[0] & 7];
	req->uri = uri;
	req->uri_elems = evhttp_uri_parse_with_flags(uri,
	    EVHTTP_URI_NONCONFORMANT);
	if (auth != NULL && *auth != '\0')
		evhttp_add_header(req->input_headers, "Authorization", auth);
	free(auth);
	evbuffer_add(evhttp_request_get_input_buffer(req), p,
	    (size_t)(end - p));
	if (req->uri_elems == NULL) {
		evhttp_request_free(req);
		return NULL;
	}
	req->flags |= EVHTTP_REQ_DEFER_FREE;
	return req;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evhttp_request *req;
	struct daemon d;
	char *cause = NULL;
	int tcp, code;

	if (size < 1 || (req = make_request(data, size, &tcp)) == NULL)
		return 0;
	memset(&d, 0, sizeof d);
	if (db_open(":memory:", DB_CREATE, &d.db, &cause) != 0)
		fuzz_fail("cannot open a scratch database: %s", cause);
	d.db_path = (char *)":memory:";
	d.token = (char *)"fuzz-token";
	d.max_body = 1 << 20;
	d.stopping = 1;
	d.socket_fd = -1;
	d.progress_fd = -1;
	d.started_mono = now_mono_ns();
	api_handle_request(&d, req, tcp);
	code = req->response_code;
	if (code == 0)
		fuzz_fail("no reply to the request");
	if (code >= 500 && code != 503)
		fuzz_fail("reply %d", code);
	req->flags &= ~(EVHTTP_REQ_DEFER_FREE | EVHTTP_REQ_NEEDS_FREE);
	evhttp_request_free(req);
	db_close(d.db);
	return 0;
}
