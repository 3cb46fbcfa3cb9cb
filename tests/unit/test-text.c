/* test-text.c - common/text.c: UTF-8 against jansson itself, base64. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/text.h"
#include "unit.h"

/* Does jansson's json_stringn() take these bytes as a string? */
static int
jansson_accepts(const unsigned char *s, size_t n)
{
	json_t *v = json_stringn((const char *)s, n);

	json_decref(v);
	return v != NULL;
}

static void
check_same(const unsigned char *s, size_t n)
{
	int ours = utf8_valid((const char *)s, n);
	int theirs = jansson_accepts(s, n);

	if (ours != theirs)
		unit_fail(__FILE__, __LINE__, "%02x %02x %02x %02x (%zu bytes): "
		    "utf8_valid %d, jansson %d", s[0], n > 1 ? s[1] : 0,
		    n > 2 ? s[2] : 0, n > 3 ? s[3] : 0, n, ours, theirs);
}

/* Every 1- and 2-byte string. */
TEST(utf8_valid_agrees_with_jansson_two_bytes)
{
	unsigned char s[2];
	unsigned a, b;

	for (a = 1; a < 256; a++) {
		s[0] = (unsigned char)a;
		check_same(s, 1);
		for (b = 1; b < 256; b++) {
			s[1] = (unsigned char)b;
			check_same(s, 2);
		}
	}
}

/*
 * Every lead byte with every second byte, the later bytes at the edges
 * of the continuation range and just outside it: overlongs (E0 80-9F,
 * F0 80-8F), surrogates (ED A0-BF), past U+10FFFF (F4 90-, F5-FF).
 */
TEST(utf8_valid_agrees_with_jansson_three_four_bytes)
{
	static const unsigned char tails[] = { 0x41, 0x7f, 0x80, 0x9f, 0xa0,
		0xbf, 0xc0, 0xff };
	unsigned char s[4];
	unsigned a, b;
	size_t i, j;

	for (a = 0x80; a < 256; a++)
		for (b = 1; b < 256; b++)
			for (i = 0; i < sizeof tails; i++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = tails[i];
				check_same(s, 3);
				for (j = 0; j < sizeof tails; j++) {
					s[3] = tails[j];
					check_same(s, 4);
				}
			}
}

TEST(utf8_seq_len_edges)
{
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"a", 1), 1);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xc2\x80", 2), 2);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xc2\x80", 1), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xc1\xbf", 2), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xe0\x9f\xbf", 3), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xe0\xa0\x80", 3), 3);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xed\x9f\xbf", 3), 3);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xef\xbf\xbf", 3), 3);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xf0\x8f\xbf\xbf",
	    4), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xf0\x90\x80\x80",
	    4), 4);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xf4\x8f\xbf\xbf",
	    4), 4);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xf4\x90\x80\x80",
	    4), 0);
	CHECK_INT_EQ(utf8_seq_len((const unsigned char *)"\xf5\x80\x80\x80",
	    4), 0);
}

TEST(utf8_repair_replaces_each_bad_byte)
{
	/* a surrogate, an overlong '/', an F5 lead, a truncated é, then ok */
	const char in[] = "a\xed\xa0\x80" "b\xc0\xaf" "c\xf5" "d\xc3" "\xc3\xa9";
	size_t replaced = 0;
	char *out = utf8_repair(in, &replaced);

	CHECK_INT_EQ(replaced, 7);
	CHECK_STR_EQ(out, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b"
	    "\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd"
	    "\xc3\xa9");
	CHECK(utf8_valid(out, strlen(out)));
	CHECK(jansson_accepts((const unsigned char *)out, strlen(out)));
	free(out);

	replaced = 5;
	out = utf8_repair("plain \xe2\x82\xac", &replaced);
	CHECK_INT_EQ(replaced, 5);
	CHECK_STR_EQ(out, "plain \xe2\x82\xac");
	free(out);
}

TEST(base64_round_trip_and_strictness)
{
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	unsigned char out[16];
	struct buf b = BUF_INIT;
	size_t i;

	/* RFC 4648 section 10 */
	for (i = 0; i < 7; i++) {
		buf_reset(&b);
		base64_encode(&b, "foobar", i);
		CHECK_STR_EQ(b.s != NULL ? b.s : "", want[i]);
		CHECK_INT_EQ(base64_decode(want[i], strlen(want[i]), out),
		    (long)i);
		CHECK(memcmp(out, "foobar", i) == 0);
	}
	buf_release(&b);
	CHECK_INT_EQ(base64_decode("Zh==", 4, out), -1);   /* bits set */
	CHECK_INT_EQ(base64_decode("Zg=", 3, out), -1);
	CHECK_INT_EQ(base64_decode("Z=g=", 4, out), -1);
	CHECK_INT_EQ(base64_decode("Zm9v\n", 5, out), -1);
}
