/*
 * client.h - the CLI's side of mmstormd's API: HTTP over the unix socket
 * with libcurl (CURLOPT_UNIX_SOCKET_PATH).  Blocking on purpose: the CLI
 * has no event loop.
 */
#ifndef MMSTORM_CLIENT_H
#define MMSTORM_CLIENT_H

#include <stdint.h>

#include <jansson.h>

/* --socket, else $MMSTORM_SOCKET, else /run/mmstorm/mmstormd.sock */
const char *client_socket_path(const char *given);

/* 1 when a daemon answers GET /v1/status on the socket. */
int client_daemon_listening(const char *socket);

/*
 * method "GET"/"POST"/...; body may be NULL.  On 0, *status is the HTTP
 * status and *reply the parsed JSON body (or NULL when not JSON).
 * Negative when the daemon could not be reached.
 */
int client_request(const char *socket, const char *method, const char *path,
    json_t *body, long *status, json_t **reply, char **cause);

/*
 * GET path and its JSON object.  A request that fails, times out or
 * answers anything but 200 is tried again every 0.3 s until patience_ns
 * has passed (0: one try); then NULL and *cause.
 */
json_t *client_get(const char *socket, const char *path, int64_t patience_ns,
    char **cause);

/*
 * Poll GET /v1/jobs/UUID every interval_ns until the job is done or
 * cancelled; returns that last job object (the caller decrefs it).  A
 * request that fails or times out is tried again; only patience_ns
 * without one good answer gives up (NULL, *cause).  tick, when not NULL,
 * sees every answer before the job ends.
 */
json_t *client_wait_job(const char *socket, const char *uuid,
    int64_t interval_ns, int64_t patience_ns,
    void (*tick)(const json_t *job, void *arg), void *arg, char **cause);
/* $MMSTORM_WAIT_PATIENCE_S seconds, else 600 s. */
int64_t client_patience_ns(void);

#endif
