/*
 * notify.c - the sd_notify(3) datagram protocol, written out: one
 * AF_UNIX datagram to $NOTIFY_SOCKET (an abstract name when it starts
 * with '@').  systemd documents the protocol as stable, so no libsystemd.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/daemon.h"

int
notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	size_t plen;
	int fd, r = 0;

	if (path == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sun.sun_path)
		return -EINVAL;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		r = -errno;
	close(fd);
	return r;
}

/* WATCHDOG_USEC when it is meant for this process (WATCHDOG_PID). */
int
notify_watchdog_usec(int64_t *usec)
{
	const char *s = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	int64_t v, p;

	*usec = 0;
	if (s == NULL || parse_int64(s, &v) != 0 || v <= 0)
		return 0;
	if (pid != NULL && (parse_int64(pid, &p) != 0 || p != getpid()))
		return 0;
	*usec = v;
	return 1;
}
