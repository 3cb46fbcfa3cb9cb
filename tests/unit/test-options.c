/* test-options.c - the declarative option table. */
#include <errno.h>
#include <stdlib.h>

#include "common/buf.h"
#include "run/options.h"
#include "unit.h"

static const struct opt_spec specs[] = {
	{ "threads", OPT_INT, 1, 64, NULL, NULL, "threads" },
	{ "size", OPT_SIZE, 2 << 20, INT64_C(64) << 30, "256M", NULL, "size" },
	{ "order", OPT_ENUM, 0, 0, "seq", "seq|random", "order" },
	{ "split", OPT_BOOL, 0, 1, "0", NULL, "split" },
	{ "floor", OPT_PERCENT, 0, 100, "3", NULL, "floor" },
	{ "sweep", OPT_INTLIST, 1, 64, NULL, NULL, "sweep" },
	{ "hang", OPT_DURATION, 1000, 3600000, "30s", NULL, "hang" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

TEST(options_defaults_apply)
{
	struct params *p = params_new("w", specs);

	CHECK_INT_EQ(params_int(p, "size"), 256 << 20);
	CHECK_STR_EQ(params_str(p, "order"), "seq");
	CHECK_INT_EQ(params_int(p, "hang"), 30000);
	CHECK_INT_EQ(params_int(p, "sample_ms"), 1000);
	CHECK(!params_isset(p, "size"));
	CHECK(!params_get(p, "threads")->has_value);
	params_free(p);
}

TEST(options_parse_each_type)
{
	struct params *p = params_new("w", specs);
	size_t n;
	const int64_t *l;
	char *cause = NULL;

	CHECK_INT_EQ(params_set_arg(p, "--threads=4", &cause), 0);
	CHECK_INT_EQ(params_int(p, "threads"), 4);
	CHECK_INT_EQ(params_set(p, "size", "1G", &cause), 0);
	CHECK_INT_EQ(params_int(p, "size"), INT64_C(1) << 30);
	CHECK_INT_EQ(params_set(p, "size", "1.5GiB", &cause), 0);
	CHECK_INT_EQ(params_int(p, "size"), INT64_C(3) << 29);
	CHECK_INT_EQ(params_set(p, "split", "yes", &cause), 0);
	CHECK_INT_EQ(params_int(p, "split"), 1);
	CHECK_INT_EQ(params_set(p, "floor", "2.5%", &cause), 0);
	CHECK_DBL_NEAR(params_double(p, "floor"), 2.5, 1e-9);
	CHECK_INT_EQ(params_set(p, "sweep", "1,2,4-6", &cause), 0);
	l = params_list(p, "sweep", &n);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(l[0], 1);
	CHECK_INT_EQ(l[4], 6);
	CHECK_INT_EQ(params_set(p, "hang", "500ms", &cause), -EINVAL);
	CHECK_INT_EQ(params_set(p, "hang", "5m", &cause), 0);
	CHECK_INT_EQ(params_int(p, "hang"), 300000);
	CHECK_INT_EQ(params_set(p, "duration", "10", &cause), 0);
	CHECK_INT_EQ(params_int(p, "duration"), 10000);
	free(cause);
	params_free(p);
}

TEST(options_errors_name_the_option)
{
	struct params *p = params_new("thp-munmap", specs);
	char *cause = NULL;

	CHECK_INT_EQ(params_set(p, "bogus", "1", &cause), -EINVAL);
	CHECK_STR_EQ(cause, "unknown option 'bogus' for workload 'thp-munmap'");
	CHECK_INT_EQ(params_set(p, "threads", "0", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "option 'threads' must be between 1 and 64, got '0'");
	CHECK_INT_EQ(params_set(p, "threads", "two", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "expects an integer, got 'two'");
	CHECK_INT_EQ(params_set(p, "size", "12Q", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "expects a size");
	CHECK_INT_EQ(params_set(p, "size", "1M", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "between 2M and 64G");
	CHECK_INT_EQ(params_set(p, "order", "backwards", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "one of seq|random");
	CHECK_INT_EQ(params_set(p, "order", "seq|random", &cause), -EINVAL);
	CHECK_INT_EQ(params_set(p, "sweep", "1,,2", &cause), -EINVAL);
	CHECK_INT_EQ(params_set(p, "sweep", "1,100", &cause), -EINVAL);
	CHECK_INT_EQ(params_set(p, "floor", "101", &cause), -EINVAL);
	CHECK_INT_EQ(params_set_arg(p, "--threads", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "expected name=value");
	/* A failed set keeps the earlier value. */
	CHECK_INT_EQ(params_set(p, "threads", "8", &cause), 0);
	CHECK_INT_EQ(params_set(p, "threads", "99", &cause), -EINVAL);
	CHECK_INT_EQ(params_int(p, "threads"), 8);
	free(cause);
	params_free(p);
}

/* Issue 15: a 75-byte request once made the daemon allocate without end
 * ("b - a" overflowed and skipped the range check), and 4,000 ranges of
 * 65,536 values took 2 GB.  Bounds come before expansion; the whole list
 * is capped. */
TEST(options_intlist_bounded)
{
	struct params *p = params_new("thp-munmap", specs);
	struct buf b = { 0 };
	size_t n = 0;
	char *cause = NULL;
	int i;

	CHECK_INT_EQ(params_set(p, "sweep", "-1-9223372036854775807", &cause),
	    -EINVAL);
	CHECK_STR_CONTAINS(cause, "between 1 and 64");
	CHECK_INT_EQ(params_set(p, "sweep", "-9223372036854775807-9223372036854775807",
	    &cause), -EINVAL);
	CHECK_INT_EQ(params_set(p, "sweep", "64-1", &cause), -EINVAL);
	for (i = 0; i < 64; i++)
		buf_printf(&b, "%s1-64", i ? "," : "");
	CHECK_INT_EQ(params_set(p, "sweep", b.s, &cause), 0);
	params_list(p, "sweep", &n);
	CHECK_INT_EQ((long)n, 4096);
	buf_adds(&b, ",1");
	CHECK_INT_EQ(params_set(p, "sweep", b.s, &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "more than 4096 values");
	buf_release(&b);
	free(cause);
	params_free(p);
}

TEST(options_json_round_trip_shapes)
{
	struct params *p = params_new("w", specs);
	struct buf b = BUF_INIT;
	char *j, *cause = NULL;

	CHECK_INT_EQ(params_set(p, "sweep", "1,2", &cause), 0);
	j = params_to_json(p);
	CHECK_STR_EQ(j, "{\"size\":268435456,\"order\":\"seq\",\"split\":false,"
	    "\"floor\":3.0,\"sweep\":[1,2],\"hang\":30000,\"sample_ms\":1000}");
	free(j);
	opt_spec_to_json(&b, specs);
	CHECK_STR_CONTAINS(b.s, "{\"name\":\"threads\",\"type\":\"int\","
	    "\"min\":1,\"max\":64,\"default\":null,\"help\":\"threads\"}");
	CHECK_STR_CONTAINS(b.s, "\"name\":\"duration\"");
	buf_release(&b);
	params_free(p);
}

/* `show --repro`: what a run stored, read back through the table, gives
 * the words that set exactly those values again (durations are stored in
 * milliseconds: 30000 must not come back as 30000 seconds). */
TEST(options_stored_json_back_to_args)
{
	struct params *p = params_new("w", specs), *q = params_new("w", specs);
	char *j, *j2, *cause = NULL, **args;
	size_t i;

	CHECK_INT_EQ(params_set(p, "sweep", "1-3,8", &cause), 0);
	CHECK_INT_EQ(params_set(p, "hang", "1500ms", &cause), 0);
	CHECK_INT_EQ(params_set(p, "floor", "2.5", &cause), 0);
	CHECK_INT_EQ(params_set(p, "split", "yes", &cause), 0);
	j = params_to_json(p);
	CHECK_INT_EQ(params_from_json(q, j, &cause), 0);
	args = params_to_args(q);
	CHECK_STR_EQ(args[0], "--size=256M");
	CHECK_STR_EQ(args[2], "--split=1");
	CHECK_STR_EQ(args[3], "--floor=2.5");
	CHECK_STR_EQ(args[4], "--sweep=1-3,8");
	CHECK_STR_EQ(args[5], "--hang=1500ms");
	CHECK_STR_EQ(args[6], "--sample_ms=1000");
	CHECK(args[7] == NULL);
	/* the words, parsed as a command line, store the same JSON */
	params_free(q);
	q = params_new("w", specs);
	for (i = 0; args[i] != NULL; i++) {
		CHECK_INT_EQ(params_set_arg(q, args[i], &cause), 0);
		free(args[i]);
	}
	free(args);
	j2 = params_to_json(q);
	CHECK_STR_EQ(j2, j);
	free(j2);
	free(j);
	params_free(q);
	/* an option the table no longer has, a value of the wrong type */
	q = params_new("w", specs);
	CHECK_INT_EQ(params_from_json(q, "{\"gone\":1}", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "option 'gone' stored with the run");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(params_from_json(q, "{\"hang\":\"x\"}", &cause), -EINVAL);
	CHECK_STR_CONTAINS(cause, "wrong JSON type");
	free(cause);
	params_free(q);
	params_free(p);
}

TEST(options_seed_drawn_when_missing_and_kept_when_given)
{
	static const struct opt_spec seeded[] = {
		{ "seed", OPT_INT, 0, 1000, NULL, NULL, "seed" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	struct params *p = params_new("w", seeded), *d;
	char *cause = NULL;

	CHECK(!params_get(p, "seed")->has_value);
	d = params_dup(p);
	CHECK_INT_EQ(params_pick_seeds(d), 1);
	CHECK(params_get(d, "seed")->has_value);
	CHECK(params_int(d, "seed") >= 0 && params_int(d, "seed") <= 1000);
	/* the original is untouched: the next run draws its own */
	CHECK(!params_get(p, "seed")->has_value);
	CHECK_INT_EQ(params_pick_seeds(d), 0);
	params_free(d);
	CHECK_INT_EQ(params_set(p, "seed", "7", &cause), 0);
	d = params_dup(p);
	CHECK_INT_EQ(params_pick_seeds(d), 0);
	CHECK_INT_EQ(params_int(d, "seed"), 7);
	CHECK(params_isset(d, "seed"));
	params_free(d);
	/* a table without a seed draws nothing */
	d = params_new("w", specs);
	CHECK_INT_EQ(params_pick_seeds(d), 0);
	params_free(d);
	params_free(p);
}
