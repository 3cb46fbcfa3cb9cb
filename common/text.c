/*
 * text.c - UTF-8 checks and repair, base64 (text.h).
 */
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/text.h"

/* The bytes of a U+FFFD REPLACEMENT CHARACTER. */
static const char replacement[] = "\xef\xbf\xbd";

static int
is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The second byte's range carries every rule beyond "lead + continuation
 * bytes" (Unicode Table 3-7): E0 A0-BF (no overlong), ED 80-9F (no
 * surrogates), F0 90-BF (no overlong), F4 80-8F (nothing past U+10FFFF).
 */
size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && is_continuation(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		if (n < 3 || s[1] < lo || s[1] > hi || !is_continuation(s[2]))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (n < 4 || s[1] < lo || s[1] > hi ||
		    !is_continuation(s[2]) || !is_continuation(s[3]))
			return 0;
		return 4;
	}
	return 0;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = utf8_seq_len(p, (size_t)(end - p))) == 0)
			return 0;
		p += n;
	}
	return 1;
}

size_t
utf8_repair_add(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	const unsigned char *run = p;
	size_t n, replaced = 0;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = utf8_seq_len(p, (size_t)(end - p))) != 0) {
			p += n;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_adds(b, replacement);
		replaced++;
		run = ++p;
	}
	buf_add(b, run, (size_t)(p - run));
	return replaced;
}

char *
utf8_repair(const char *s, size_t *replaced)
{
	struct buf b = BUF_INIT;

	*replaced += utf8_repair_add(&b, s, strlen(s));
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
base64_encode(struct buf *b, const void *data, size_t len)
{
	const unsigned char *p = data;
	char out[4];
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = b64_chars[v >> 18];
		out[1] = b64_chars[(v >> 12) & 63];
		out[2] = b64_chars[(v >> 6) & 63];
		out[3] = b64_chars[v & 63];
		buf_add(b, out, 4);
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		out[0] = b64_chars[v >> 18];
		out[1] = b64_chars[(v >> 12) & 63];
		out[2] = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
		out[3] = '=';
		buf_add(b, out, 4);
	}
}

long
base64_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t v = 0;
	size_t i, n = 0, pad = 0;
	const char *c;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i >= len - 2) {
			if (i == len - 2 && s[len - 1] != '=')
				return -1;
			pad++;
			v <<= 6;
		} else if (s[i] != '\0' && (c = strchr(b64_chars, s[i])) != NULL &&
		    pad == 0)
			v = (v << 6) | (uint32_t)(c - b64_chars);
		else
			return -1;
		if (i % 4 == 3) {
			out[n++] = (unsigned char)(v >> 16);
			if (pad < 2)
				out[n++] = (unsigned char)(v >> 8);
			if (pad < 1)
				out[n++] = (unsigned char)v;
			/* bits under the padding must be zero: one encoding */
			if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
				return -1;
			v = 0;
		}
	}
	return (long)n;
}
