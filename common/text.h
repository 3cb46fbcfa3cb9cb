/*
 * text.h - UTF-8 checks and repair, base64: the byte-level text helpers
 * that parse-log, export/import and the SVG/HTML writers share.
 *
 * UTF-8 here is exactly what jansson's json_string() accepts (RFC 3629):
 * no lead bytes C0, C1 or F5-FF, no overlong forms, no surrogates
 * (U+D800-U+DFFF), nothing above U+10FFFF.  A text that passes can be
 * handed to jansson without it refusing the string.
 */
#ifndef MMSTORM_TEXT_H
#define MMSTORM_TEXT_H

#include <stddef.h>

struct buf;

/*
 * Length (1-4) of the valid UTF-8 sequence at s, of which n > 0 bytes
 * may be read, or 0 when s does not start one.  A NUL byte counts as a
 * sequence of 1.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* Is s[0..len) valid UTF-8 throughout? */
int utf8_valid(const char *s, size_t len);

/*
 * Append s[0..len) to b with each byte that starts no valid sequence
 * replaced by U+FFFD; returns how many bytes were replaced.
 */
size_t utf8_repair_add(struct buf *b, const char *s, size_t len);

/* A NUL-terminated copy of s, repaired as above; *replaced counts the
 * bytes replaced (added to what it held).  Caller frees. */
char *utf8_repair(const char *s, size_t *replaced);

/* Append the base64 (RFC 4648, padded) of p[0..len) to b. */
void base64_encode(struct buf *b, const void *p, size_t len);

/*
 * Decode s[0..len) into out (room for len / 4 * 3 bytes); strict: the
 * standard alphabet, canonical padding, zero bits under the padding,
 * nothing else.  Returns the decoded length, or -1 when malformed.
 */
long base64_decode(const char *s, size_t len, unsigned char *out);

#endif
