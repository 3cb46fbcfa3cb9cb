/*
 * sha256.c - SHA-256 through libnettle, behind the small API the callers
 * already had (hash a file in chunks, or one buffer to hex).
 */
#include "common/sha256.h"

void
sha256_init(struct sha256 *c)
{
	nettle_sha256_init(&c->ctx);
}

void
sha256_update(struct sha256 *c, const void *data, size_t n)
{
	nettle_sha256_update(&c->ctx, n, data);
}

void
sha256_final(struct sha256 *c, unsigned char out[32])
{
	nettle_sha256_digest(&c->ctx, SHA256_DIGEST_SIZE, out);
}

void
sha256_hex(const void *data, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256 c;
	unsigned char digest[SHA256_DIGEST_SIZE];
	int i;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, digest);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}
