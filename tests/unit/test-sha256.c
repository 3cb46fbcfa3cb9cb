/* test-sha256.c - SHA-256 against the FIPS 180-4 example vectors. */
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "unit.h"
#include "common/util.h"

static void
digest_hex(const unsigned char d[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}

TEST(sha256_empty)
{
	char hex[65];

	sha256_hex("", 0, hex);
	CHECK_STR_EQ(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(sha256_abc)
{
	char hex[65];

	sha256_hex("abc", 3, hex);
	CHECK_STR_EQ(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 448 bits: the padding no longer fits in the message's last block. */
TEST(sha256_448_bit_message)
{
	const char *m =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];

	CHECK_INT_EQ(strlen(m), 56);
	sha256_hex(m, strlen(m), hex);
	CHECK_STR_EQ(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_896_bit_message)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklm"
			"ghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
			"mnopqrstnopqrstu";
	char hex[65];

	CHECK_INT_EQ(strlen(m), 112);
	sha256_hex(m, strlen(m), hex);
	CHECK_STR_EQ(hex,
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in uneven pieces so partial blocks are joined. */
TEST(sha256_million_a)
{
	static const char *want =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	struct sha256 c;
	unsigned char d[32];
	char hex[65], *a;
	size_t done, step;

	a = xmalloc(1000000);
	memset(a, 'a', 1000000);
	sha256_hex(a, 1000000, hex);
	CHECK_STR_EQ(hex, want);

	sha256_init(&c);
	for (done = 0, step = 1; done < 1000000; done += step, step += 7) {
		if (step > 1000000 - done)
			step = 1000000 - done;
		sha256_update(&c, a + done, step);
	}
	sha256_final(&c, d);
	free(a);
	digest_hex(d, hex);
	CHECK_STR_EQ(hex, want);
}

/* Every length around the block and padding boundaries, byte by byte
 * against one-shot. */
TEST(sha256_incremental_matches_oneshot)
{
	unsigned char msg[200], d[32];
	char one[65], inc[65];
	struct sha256 c;
	size_t len, i;

	for (i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 31 + 7);
	for (len = 0; len <= sizeof msg; len++) {
		sha256_hex(msg, len, one);
		sha256_init(&c);
		for (i = 0; i < len; i++)
			sha256_update(&c, msg + i, 1);
		sha256_final(&c, d);
		digest_hex(d, inc);
		CHECK_STR_EQ(inc, one);
	}
}
