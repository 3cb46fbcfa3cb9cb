/*
 * sha256.h - SHA-256 (libnettle underneath), for config and build-key
 * hashes, kmsg signatures and export checksums.
 */
#ifndef MMSTORM_SHA256_H
#define MMSTORM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

/*
 * nettle spells its functions sha256_init/update/digest through macros
 * for nettle_sha256_*; this header's own functions take the first two
 * names back, so callers keep the API they had.  Use nettle_sha256_* to
 * reach nettle's.
 */
#undef sha256_init
#undef sha256_update

struct sha256 {
	struct sha256_ctx ctx;
};

void sha256_init(struct sha256 *);
void sha256_update(struct sha256 *, const void *, size_t);
/* The digest; the context starts over (as after sha256_init). */
void sha256_final(struct sha256 *, unsigned char out[32]);
/* Hex digest (65 bytes with NUL) of one buffer. */
void sha256_hex(const void *, size_t, char out[65]);

#endif
