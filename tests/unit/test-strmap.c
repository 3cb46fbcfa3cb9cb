/* test-strmap.c - common/strmap.c: finds what was put, across growth. */
#include <stdio.h>

#include "common/strmap.h"
#include "unit.h"

TEST(strmap_finds_every_key_after_growing)
{
	struct strmap m = STRMAP_INIT;
	char key[32];
	int64_t *v;
	int i;

	CHECK(strmap_find(&m, "absent") == NULL);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "build-%d", i);
		strmap_put(&m, key, i * 7);
	}
	CHECK_INT_EQ(m.n, 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "build-%d", i);
		CHECK((v = strmap_find(&m, key)) != NULL);
		CHECK_INT_EQ(*v, i * 7);
	}
	CHECK(strmap_find(&m, "build-1000") == NULL);
	strmap_free(&m);
	CHECK(strmap_find(&m, "build-1") == NULL);
}
