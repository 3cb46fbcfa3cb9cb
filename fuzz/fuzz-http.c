/*
 * fuzz-http.c - mmstormd's HTTP layer (daemon/http.c) from raw bytes: the
 * request line, headers, Content-Length, pipelining, Expect and bodies as
 * a client sends them.
 *
 * The input is what one client writes on one connection before it shuts
 * down its side.  The connection is real (a unix socket in the abstract
 * namespace, accepted by the pool's listener), the loop is the daemon's
 * libevent loop, and the handler is a stand-in that answers 200 with
 * what it was given.  Checked besides the sanitizers:
 *   - every reply is "HTTP/1.1 CODE REASON", with a Content-Length that
 *     matches its body, and every error body is the one-line JSON error;
 *   - the handler never sees a body longer than max_body, nor one whose
 *     length is not body_len, nor one the parser thread did not parse,
 *     nor a method the layer does not speak;
 *   - the connection ends once the client has shut down its side (the
 *     loop does not hang), and then no connection and no byte of the
 *     memory budget is left accounted.
 * The pool's limits are small (4 KiB of headers, 8 KiB bodies), so the
 * fuzzer reaches 413 and 431 with inputs of its default size.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/http.h"
#include "fuzz/fuzz.h"

static const struct http_limits limits = {
	.max_conns = 8,
	.max_header = 4096,
	.max_body = 8192,
	.max_memory = 64 * 1024,
	.deadline_ms = 5000,
};

static struct event_base *base;
static struct http_pool *pool;
static struct http_server *server;
static struct sockaddr_un addr;

/* The client's side of one connection. */
struct client {
	int fd;
	const uint8_t *out;     /* what is left to send */
	size_t out_len;
	char *in;               /* what came back */
	size_t in_len, in_cap;
	int eof;
	struct event *ev;
};

static void
handler(void *arg, const struct http_request *rq, struct http_reply *rp)
{
	static const char *const spoken[] = { "GET", "HEAD", "POST", "PUT",
	    "DELETE", "PATCH", "OPTIONS" };
	json_t *o;
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof spoken / sizeof spoken[0]; i++)
		if (strcmp(rq->method, spoken[i]) == 0)
			break;
	if (i == sizeof spoken / sizeof spoken[0])
		fuzz_fail("the handler got method '%s'", rq->method);
	if (rq->body_len > limits.max_body)
		fuzz_fail("the handler got a %zu-byte body", rq->body_len);
	if (rq->body[rq->body_len] != '\0')
		fuzz_fail("the body is not NUL-terminated at body_len");
	if (rq->body_len > 0 && rq->json_error == NULL)
		fuzz_fail("a body was not parsed off the loop");
	if (rq->path == NULL || strchr(rq->path, '?') != NULL)
		fuzz_fail("the path keeps its query");
	o = json_pack("{s:s, s:s%, s:I}", "method", rq->method, "path",
	    rq->path, strlen(rq->path), "body", (json_int_t)rq->body_len);
	rp->code = 200;
	rp->content_type = "application/json";
	rp->body = json_dumps(o, JSON_COMPACT);
	if (rp->body == NULL)
		http_reply_error(rp, 400, "not UTF-8");
	else
		rp->len = strlen(rp->body);
	json_decref(o);
}

/* Send what is left, read what came back; EOF ends the loop. */
static void
client_io(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	ssize_t n;

	if ((what & EV_WRITE) && c->out_len > 0) {
		n = write(fd, c->out, c->out_len);
		if (n > 0) {
			c->out += n;
			c->out_len -= (size_t)n;
		} else if (n == -1 && errno != EAGAIN)
			c->out_len = 0;         /* the server closed: stop */
		if (c->out_len == 0) {
			shutdown(fd, SHUT_WR);
			event_del(c->ev);
			event_assign(c->ev, base, fd, EV_READ | EV_PERSIST,
			    client_io, c);
			event_add(c->ev, NULL);
		}
	}
	if (!(what & EV_READ))
		return;
	if (c->in_cap - c->in_len < 4096) {
		c->in_cap = c->in_cap * 2 + 4096;
		c->in = realloc(c->in, c->in_cap + 1);
		if (c->in == NULL)
			abort();
	}
	n = read(fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n > 0)
		c->in_len += (size_t)n;
	else if (n == 0 || errno != EAGAIN) {
		c->eof = 1;
		event_base_loopbreak(base);
	}
}

/* One reply at *p: its status line and headers, and a body whose length
 * is its Content-Length; *p moves past it.  0 when there is none. */
static int
check_reply(const char **p, const char *end)
{
	const char *head_end, *cl;
	char *head, *body;
	long code, len;
	json_t *j;

	if (*p == end)
		return 0;
	/* A "100 Continue" interim reply has no body. */
	if ((size_t)(end - *p) >= 25 && memcmp(*p, "HTTP/1.1 100 Continue\r\n\r\n",
	    25) == 0) {
		*p += 25;
		return 1;
	}
	head_end = memmem(*p, (size_t)(end - *p), "\r\n\r\n", 4);
	if (head_end == NULL || strncmp(*p, "HTTP/1.1 ", 9) != 0)
		fuzz_fail("a reply that is not HTTP/1.1: %.40s", *p);
	head = fuzz_strndup((const uint8_t *)*p, (size_t)(head_end - *p));
	code = strtol(head + 9, NULL, 10);
	if (code < 200 || code > 599)
		fuzz_fail("reply code %ld", code);
	if ((cl = strstr(head, "\r\nContent-Length: ")) == NULL)
		fuzz_fail("a reply without Content-Length");
	len = strtol(cl + 18, NULL, 10);
	free(head);
	*p = head_end + 4;
	/* A HEAD request's reply has its length but no body: the bytes
	 * after it are the next reply, or nothing. */
	if (len > end - *p || (len > 0 && strncmp(*p, "HTTP/1.1 ", 9) == 0))
		return 1;
	body = fuzz_strndup((const uint8_t *)*p, (size_t)len);
	if (code >= 400) {
		j = json_loads(body, 0, NULL);
		if (!json_is_string(json_object_get(j, "error")) ||
		    json_object_size(j) != 1 || body[len - 1] != '\n' ||
		    memchr(body, '\n', (size_t)len - 1) != NULL)
			fuzz_fail("error %ld is not one line of JSON: %s",
			    code, body);
		json_decref(j);
	}
	free(body);
	*p += len;
	return 1;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;
	int fd;

	(void)argc;
	(void)argv;
	base = event_base_new();
	if (http_pool_new(base, &limits, &pool, &cause) != 0)
		fuzz_fail("cannot make the pool: %s", cause);
	/* Abstract: nothing in the file system to clean up after a crash. */
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1,
	    "mmstorm-fuzz-http.%d", (int)getpid());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1 ||
	    listen(fd, 16) == -1 || http_server_new(pool, fd, 0, handler,
	    NULL, &server, &cause) != 0)
		fuzz_fail("cannot set up the server: %s", cause ? cause :
		    strerror(errno));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_stats *st = http_pool_stats(pool);
	struct client c;
	const char *p, *end;

	memset(&c, 0, sizeof c);
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd == -1 || connect(c.fd, (struct sockaddr *)&addr,
	    sizeof addr) == -1 || fcntl(c.fd, F_SETFL, O_NONBLOCK) == -1)
		fuzz_fail("cannot connect: %s", strerror(errno));
	c.out = data;
	c.out_len = size;
	c.ev = event_new(base, c.fd, EV_READ | EV_PERSIST |
	    (size > 0 ? EV_WRITE : 0), client_io, &c);
	event_add(c.ev, NULL);
	if (size == 0)
		shutdown(c.fd, SHUT_WR);
	while (!c.eof || st->conns > 0)
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			fuzz_fail("the loop has nothing left to wait for");
	event_free(c.ev);
	close(c.fd);
	if (st->memory != 0)
		fuzz_fail("%lld bytes of request memory still accounted",
		    (long long)st->memory);
	p = c.in;
	end = c.in + c.in_len;
	if (c.in_len > 0)
		c.in[c.in_len] = '\0';
	while (p != NULL && check_reply(&p, end))
		;
	free(c.in);
	return 0;
}
