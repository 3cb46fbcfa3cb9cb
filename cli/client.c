/* client.c - HTTP to mmstormd over its unix socket, with libcurl. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "cli/client.h"
#include "common/util.h"

#define DEFAULT_SOCKET "/run/mmstorm/mmstormd.sock"
#define TIMEOUT_MS     30000L   /* one request; MMSTORM_HTTP_TIMEOUT_MS */
/* How long a wait for a job goes on without one answer from the daemon
 * (MMSTORM_WAIT_PATIENCE_S): a guest kernel spinning with preemption off
 * keeps mmstormd from answering for tens of seconds, and a bisect must
 * not take that for a lost daemon. */
#define PATIENCE_NS    (INT64_C(600) * 1000000000)
#define RETRY_NS       (INT64_C(300) * 1000000)

const char *
client_socket_path(const char *given)
{
	const char *env = getenv("MMSTORM_SOCKET");

	if (given != NULL)
		return given;
	if (env != NULL && *env != '\0')
		return env;
	return DEFAULT_SOCKET;
}

static long
request_timeout_ms(void)
{
	const char *env = getenv("MMSTORM_HTTP_TIMEOUT_MS");
	int64_t v;

	if (env != NULL && parse_int64(env, &v) == 0 && v > 0 && v < LONG_MAX)
		return (long)v;
	return TIMEOUT_MS;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	buf_add(arg, data, size * n);
	return size * n;
}

int
client_request(const char *socket, const char *method, const char *path,
    json_t *body, long *status, json_t **reply, char **cause)
{
	static int initialised;
	char errbuf[CURL_ERROR_SIZE] = "", *url, *text = NULL;
	struct curl_slist *headers = NULL;
	struct buf b = BUF_INIT;
	CURLcode rc;
	CURL *c;
	int r = 0;

	*reply = NULL;
	*status = 0;
	if (access(socket, F_OK) == -1)
		return set_cause(cause, ENOENT, "no daemon socket at '%s'",
		    socket);
	if (!initialised) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		initialised = 1;
	}
	if ((c = curl_easy_init()) == NULL)
		return set_cause(cause, ENOMEM, "cannot initialise libcurl");
	/* The host part is ignored on a unix socket. */
	url = xasprintf("http://mmstormd%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, request_timeout_ms());
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL) {
		text = json_dumps(body, JSON_COMPACT);
		headers = curl_slist_append(headers,
		    "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	}
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		r = set_cause(cause, ECONNREFUSED, "daemon at '%s' unreachable: "
		    "%s", socket, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (b.len > 0)
		*reply = json_loadb(b.s, b.len, 0, NULL);
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	buf_release(&b);
	free(text);
	free(url);
	return r;
}

int
client_daemon_listening(const char *socket)
{
	json_t *reply = NULL;
	long status;
	int up;

	up = client_request(socket, "GET", "/v1/status", NULL, &status, &reply,
	    NULL) == 0 && status == 200;
	json_decref(reply);
	return up;
}

json_t *
client_get(const char *socket, const char *path, int64_t patience_ns,
    char **cause)
{
	int64_t give_up = now_mono_ns() + patience_ns;
	json_t *reply;
	char *why;
	long code;

	for (;;) {
		why = NULL;
		if (client_request(socket, "GET", path, NULL, &code, &reply,
		    &why) == 0 && code == 200 && json_is_object(reply))
			return reply;
		json_decref(reply);
		if (now_mono_ns() >= give_up) {
			set_cause(cause, why ? ECONNREFUSED : EPROTO, "%s",
			    why ? why : code == 404 ? "not found" :
			    "bad reply");
			free(why);
			return NULL;
		}
		free(why);
		sleep_ns(RETRY_NS);
	}
}

json_t *
client_wait_job(const char *socket, const char *uuid, int64_t interval_ns,
    int64_t patience_ns, void (*tick)(const json_t *, void *), void *arg,
    char **cause)
{
	char *path = xasprintf("/v1/jobs/%s", uuid), *why = NULL;
	json_t *job;
	const char *state;

	while ((job = client_get(socket, path, patience_ns, &why)) != NULL) {
		state = json_string_value(json_object_get(job, "state"));
		if (state != NULL && (strcmp(state, "done") == 0 ||
		    strcmp(state, "cancelled") == 0))
			break;
		if (tick != NULL)
			tick(job, arg);
		json_decref(job);
		sleep_ns(interval_ns);
	}
	if (job == NULL)
		set_cause(cause, ETIMEDOUT, "lost the daemon while waiting for "
		    "job %s: no answer for %.0f s (%s)", uuid,
		    (double)patience_ns / 1e9, why);
	free(why);
	free(path);
	return job;
}

int64_t
client_patience_ns(void)
{
	const char *env = getenv("MMSTORM_WAIT_PATIENCE_S");
	int64_t v;

	if (env != NULL && parse_int64(env, &v) == 0 && v > 0 &&
	    v < INT64_MAX / 1000000000)
		return v * 1000000000;
	return PATIENCE_NS;
}
