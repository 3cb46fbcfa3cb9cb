/*
 * unit.h - a small test harness in the spirit of OpenSSH's test_helper.
 *
 *   TEST(vmstat_parses_fixture) {
 *           CHECK_INT_EQ(n, 3);
 *   }
 *
 * Tests register themselves (constructor); tests/unit/main.c runs them
 * all (or those whose name contains argv[1]) and prints TAP-like lines,
 * "N passed, N failed, 0 skipped" and last the tally tests/tally.sh
 * reads, "# tally P F 0".  A failed CHECK ends that test.
 */
#ifndef MMSTORM_UNIT_H
#define MMSTORM_UNIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct unit_test {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* Path of a file under tests/fixtures (static buffer, next call reuses). */
const char *fixture(const char *name);
/* Read a fixture whole; aborts the test when it cannot. Caller frees. */
char *fixture_read(const char *name);
/*
 * Write ROOT/REL (parents made), for trees laid out like a live system.
 * An existing file is truncated and rewritten in place, never replaced,
 * so a reader that holds it open sees the new text.
 */
void unit_put_bytes(const char *root, const char *rel, const void *data,
    size_t len);
void unit_put(const char *root, const char *rel, const char *text);
void unit_put_fixture(const char *root, const char *rel, const char *name);
/* A fresh temporary directory for this test (removed at exit). */
const char *unit_tmpdir(void);
/* A new, empty database NAME in unit_tmpdir(), schema applied. */
struct db;
struct db *unit_fresh_db(const char *name);

#define TEST(n)                                                        \
	static void test_##n(void);                                    \
	static struct unit_test unit_##n = { #n, __FILE__, test_##n, 0 }; \
	__attribute__((constructor)) static void reg_##n(void)         \
	{                                                              \
		unit_register(&unit_##n);                              \
	}                                                              \
	static void test_##n(void)

#define CHECK(c)                                                       \
	do {                                                           \
		if (!(c))                                              \
			unit_fail(__FILE__, __LINE__, "%s", #c);       \
	} while (0)

#define CHECK_INT_EQ(a, b)                                             \
	do {                                                           \
		long long a_ = (long long)(a), b_ = (long long)(b);    \
		if (a_ != b_)                                          \
			unit_fail(__FILE__, __LINE__,                  \
			    "%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)

#define CHECK_DBL_NEAR(a, b, eps)                                      \
	do {                                                           \
		double a_ = (a), b_ = (b);                             \
		if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))           \
			unit_fail(__FILE__, __LINE__,                  \
			    "%s ~= %s: %.9g != %.9g", #a, #b, a_, b_); \
	} while (0)

#define CHECK_STR_EQ(a, b)                                             \
	do {                                                           \
		const char *a_ = (a), *b_ = (b);                       \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)   \
			unit_fail(__FILE__, __LINE__,                  \
			    "%s == %s: '%s' != '%s'", #a, #b,          \
			    a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                \
	do {                                                           \
		const char *h_ = (hay), *n_ = (needle);                \
		if (h_ == NULL || strstr(h_, n_) == NULL)              \
			unit_fail(__FILE__, __LINE__,                  \
			    "'%s' does not contain '%s'",              \
			    h_ ? h_ : "(null)", n_);                   \
	} while (0)

#endif
