/*
 * sha256.c - SHA-256 as specified in FIPS 180-4, section 6.2.
 *
 * Small and portable rather than fast: it hashes kernel configs (a few
 * hundred kB) and build keys, once per run.
 */
#include <string.h>

#include "common/sha256.h"

/* FIPS 180-4 4.2.2: first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 5.3.3: the initial hash value. */
static const uint32_t sha256_h0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t
rotr(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* FIPS 180-4 4.1.2, functions (4.2) to (4.7). */
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x)     (rotr((x), 2) ^ rotr((x), 13) ^ rotr((x), 22))
#define BSIG1(x)     (rotr((x), 6) ^ rotr((x), 11) ^ rotr((x), 25))
#define SSIG0(x)     (rotr((x), 7) ^ rotr((x), 18) ^ ((x) >> 3))
#define SSIG1(x)     (rotr((x), 17) ^ rotr((x), 19) ^ ((x) >> 10))

/* FIPS 180-4 6.2.2: process one 512-bit block. */
static void
sha256_block(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64], a, b, d, e, f, g, h, t1, t2, cc;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		    (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (t = 16; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) +
		    w[t - 16];

	a = c->h[0];
	b = c->h[1];
	cc = c->h[2];
	d = c->h[3];
	e = c->h[4];
	f = c->h[5];
	g = c->h[6];
	h = c->h[7];
	for (t = 0; t < 64; t++) {
		t1 = h + BSIG1(e) + CH(e, f, g) + sha256_k[t] + w[t];
		t2 = BSIG0(a) + MAJ(a, b, cc);
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = cc;
		cc = b;
		b = a;
		a = t1 + t2;
	}
	c->h[0] += a;
	c->h[1] += b;
	c->h[2] += cc;
	c->h[3] += d;
	c->h[4] += e;
	c->h[5] += f;
	c->h[6] += g;
	c->h[7] += h;
}

void
sha256_init(struct sha256 *c)
{
	memcpy(c->h, sha256_h0, sizeof c->h);
	c->len = 0;
	c->used = 0;
}

void
sha256_update(struct sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t take;

	c->len += n;
	if (c->used > 0) {
		take = sizeof c->block - c->used;
		if (take > n)
			take = n;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		n -= take;
		if (c->used < sizeof c->block)
			return;
		sha256_block(c, c->block);
		c->used = 0;
	}
	for (; n >= sizeof c->block; p += sizeof c->block, n -= sizeof c->block)
		sha256_block(c, p);
	memcpy(c->block, p, n);
	c->used = n;
}

/* FIPS 180-4 5.1.1: append 1, zeros to 448 mod 512, then the length in
 * bits as a 64-bit big-endian number. */
void
sha256_final(struct sha256 *c, unsigned char out[32])
{
	uint64_t bits = c->len * 8;
	int i;

	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, sizeof c->block - c->used);
		sha256_block(c, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_block(c, c->block);

	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	/* Nothing of the message stays behind in the context. */
	memset(c, 0, sizeof *c);
}

void
sha256_hex(const void *data, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256 c;
	unsigned char digest[32];
	int i;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, digest);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}
