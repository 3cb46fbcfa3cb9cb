/* util.h - allocation, errors, time and small file helpers. */
#ifndef MMSTORM_UTIL_H
#define MMSTORM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

/* Allocation that cannot fail: out of memory aborts, as in tmux/git. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *, va_list);

/*
 * Library code hands errors back instead of printing them: a function
 * returns a negative errno-style code and, when cause is not NULL, sets
 * *cause to an allocated one-line message the caller frees.
 * set_cause() returns -err (err > 0) so it can end a statement:
 *     return set_cause(cause, ENOENT, "cannot open '%s'", path);
 * An earlier *cause is freed and replaced.
 */
int set_cause(char **cause, int err, const char *fmt, ...) PRINTFLIKE(3, 4);

/* Clocks in nanoseconds. */
int64_t now_mono_ns(void);
int64_t now_real_ns(void);
int64_t now_thread_cpu_ns(void);
void sleep_ns(int64_t);

/*
 * Whole small files (procfs, sysfs).  read_file() NUL-terminates; *len
 * excludes the NUL.  read_file_line() strips trailing whitespace.
 */
int read_file(const char *path, char **out, size_t *len, char **cause);
int read_file_line(const char *path, char **out, char **cause);
int write_file_str(const char *path, const char *value, char **cause);

/* Strings. */
char *trim(char *);
int parse_int64(const char *, int64_t *);       /* whole string, base 10 */
int parse_double(const char *, double *);        /* whole string */
int starts_with(const char *, const char *);

/* A random version-4 UUID in its 36-character text form (+ NUL). */
void uuid_v4(char out[37]);

/* Fixed text of the boot: /proc/sys/kernel/random/boot_id, or "" */
const char *boot_id(void);

#endif
