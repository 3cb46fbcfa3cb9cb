/*
 * fuzz.h - what every libFuzzer target in fuzz/ shares (fuzz/README.md).
 *
 * A target is one fuzz-<name>.c defining LLVMFuzzerTestOneInput(); the
 * Makefile links it with -fsanitize=fuzzer,address,undefined.  A broken
 * invariant calls fuzz_fail(), which aborts so libFuzzer saves the input
 * as a crash, the same as a sanitizer report.
 */
#ifndef MMSTORM_FUZZ_H
#define MMSTORM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a C string: parsers take text and stop at a NUL. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An invariant the code promises did not hold: abort, keep the input. */
#define fuzz_fail(...) do {                                             \
	fprintf(stderr, "fuzz invariant: " __VA_ARGS__);                \
	fputc('\n', stderr);                                            \
	abort();                                                        \
} while (0)

/* Library code returns 0, or -errno with a message (STYLE.md).  Whether
 * the message is one line is not checked: option values quote the text
 * they refuse, newlines included (fuzz/README.md, findings). */
static inline void
fuzz_check_cause(int r, const char *cause)
{
	if (r != 0 && cause == NULL)
		fuzz_fail("error %d with no message", r);
	if (r == 0 && cause != NULL)
		fuzz_fail("success with a message: %s", cause);
}

#endif
