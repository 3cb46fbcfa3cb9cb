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
 * Every request must get a reply, and none a 500: the database is a
 * fresh in-memory one per input, so a 500 is the handler's bug.  The
 * daemon is "stopping", so a job the input queues never runs.
 *
 * The request is a struct http_request (daemon/http.h, mmstormd's own
 * HTTP layer) handed to api_handle(), and a JSON reply must parse.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sys/queue.h>

#include "daemon/daemon.h"
#include "daemon/http.h"
#include "fuzz/fuzz.h"
#include "store/db.h"

static const char *const method_names[8] = {
	"GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "PATCH", "GET",
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

static void
check_code(int code)
{
	if (code == 0)
		fuzz_fail("no reply to the request");
	if (code >= 500 && code != 503)
		fuzz_fail("reply %d", code);
}

/* The request as daemon/http.c hands it to the handler. */
static void
handle(struct daemon *d, const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	struct http_request rq;
	struct http_reply rp;
	struct evkeyvalq headers;
	char *uri, *auth = NULL, *body, *q;
	json_t *j;

	memset(&rq, 0, sizeof rq);
	memset(&rp, 0, sizeof rp);
	TAILQ_INIT(&headers);
	rq.tcp = (data[0] & 8) != 0;
	uri = next_line(&p, end);
	if (rq.tcp)
		auth = next_line(&p, end);
	if (auth != NULL && *auth != '\0')
		evhttp_add_header(&headers, "Authorization", auth);
	body = fuzz_strndup(p, (size_t)(end - p));
	if ((q = strchr(uri, '?')) != NULL)
		*q++ = '\0';
	rq.method = method_names[data[0] & 7];
	rq.path = uri;
	rq.query = q;
	rq.headers = &headers;
	rq.body = body;
	rq.body_len = (size_t)(end - p);
	api_handle(d, &rq, &rp);
	check_code(rp.code);
	if (rp.body != NULL && rp.content_type != NULL &&
	    strstr(rp.content_type, "json") != NULL) {
		if ((j = json_loadb(rp.body, rp.len, JSON_DECODE_ANY, NULL)) ==
		    NULL)
			fuzz_fail("a JSON reply that does not parse: %.*s",
			    (int)rp.len, rp.body);
		json_decref(j);
	}
	free(rp.body);
	evhttp_clear_headers(&headers);
	free(body);
	free(auth);
	free(uri);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon d;
	char *cause = NULL;

	if (size < 1)
		return 0;
	memset(&d, 0, sizeof d);
	if (db_open(":memory:", DB_CREATE, &d.db, &cause) != 0)
		fuzz_fail("cannot open a scratch database: %s", cause);
	d.db_path = (char *)":memory:";
	d.token = (char *)"fuzz-token";
	d.stopping = 1;
	d.socket_fd = -1;
	d.progress_fd = -1;
	d.started_mono = now_mono_ns();
	handle(&d, data, size);
	db_close(d.db);
	return 0;
}
