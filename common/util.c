/* util.c - allocation, errors, time and small file helpers. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

static void
out_of_memory(void)
{
	static const char msg[] = "mmstorm: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		out_of_memory();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		out_of_memory();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
set_cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		free(*cause);
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return err > 0 ? -err : (err == 0 ? -EINVAL : err);
}

/* CPU time of the calling thread (benchmarks). */
int64_t
now_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
read_file(const char *path, char **out, size_t *len, char **cause)
{
	char *data = NULL;
	size_t size = 0, cap = 4096;
	ssize_t n;
	int fd, r;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return set_cause(cause, errno, "cannot open '%s': %s", path,
		    strerror(errno));
	data = xmalloc(cap);
	for (;;) {
		if (size + 1 >= cap)
			data = xrealloc(data, cap *= 2);
		n = read(fd, data + size, cap - size - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = set_cause(cause, errno, "cannot read '%s': %s",
			    path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	data[size] = '\0';
	*out = data;
	data = NULL;
	if (len != NULL)
		*len = size;
	r = 0;
out:
	free(data);
	close(fd);
	return r;
}

int
read_file_line(const char *path, char **out, char **cause)
{
	int r;

	if ((r = read_file(path, out, NULL, cause)) != 0)
		return r;
	trim(*out);
	return 0;
}

int
write_file_str(const char *path, const char *value, char **cause)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, r = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return set_cause(cause, errno, "cannot open '%s': %s", path,
		    strerror(errno));
	do {
		n = write(fd, value, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		r = set_cause(cause, errno, "cannot write '%s' to '%s': %s",
		    value, path, strerror(errno));
	else if ((size_t)n != len)
		r = set_cause(cause, EIO, "short write to '%s'", path);
	close(fd);
	return r;
}

char *
trim(char *s)
{
	size_t len = strlen(s);
	char *p = s;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	return s;
}

int
parse_int64(const char *s, int64_t *v)
{
	char *end;
	long long n;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	*v = n;
	return 0;
}

int
parse_double(const char *s, double *v)
{
	char *end;
	double d;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0' || d != d)
		return -EINVAL;
	*v = d;
	return 0;
}

int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void
uuid_v4(char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	ssize_t n;
	int i, j;

	while (got < sizeof b) {
		n = getrandom(b + got, sizeof b - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort();
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0, j = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		sprintf(out + j, "%02x", b[i]);
		j += 2;
	}
	out[36] = '\0';
}

const char *
boot_id(void)
{
	static char id[64];
	char *s = NULL;

	if (id[0] == '\0' &&
	    read_file_line("/proc/sys/kernel/random/boot_id", &s, NULL) == 0) {
		snprintf(id, sizeof id, "%s", s);
		free(s);
	}
	return id;
}
