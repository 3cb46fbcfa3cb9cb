/*
 * kmsgdump - copy every record now in /dev/kmsg to stdout, then exit.
 *
 * One read() of /dev/kmsg returns one record in the documented format
 * ("prio,seq,ts_usec,flags[,...];text\n" plus " KEY=value\n" lines);
 * records are written as they are. Non-blocking, so it stops at the end
 * of the buffer instead of waiting for new messages. Built static for the
 * VM lab's initramfs (tests/vm/mkinitramfs.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char buf[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		perror("kmsgdump: /dev/kmsg");
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			if (errno == EAGAIN)
				break;
			perror("kmsgdump: read");
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, n - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return 1;
			}
			off += w;
		}
	}
	return 0;
}
