/* sha256.h - FIPS 180-4 SHA-256, for config and build-key hashes. */
#ifndef MMSTORM_SHA256_H
#define MMSTORM_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *);
void sha256_update(struct sha256 *, const void *, size_t);
void sha256_final(struct sha256 *, unsigned char out[32]);
/* Hex digest (65 bytes with NUL) of one buffer. */
void sha256_hex(const void *, size_t, char out[65]);

#endif
