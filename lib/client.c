/* client.c - HTTP to mmstormd over its unix socket, with libcurl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "client.h"
#include "util.h"

#define DEFAULT_SOCKET "/run/mmstorm/mmstormd.sock"

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
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
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
