/* test-nightly-plan.c - the nightly driver's next step from a state made
 * by hand (jobs/nightly-plan.c): halving, confirming, the reference. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/nightly.h"
#include "unit.h"

#define NB 9

static void
state_init(struct nightly_state *st)
{
	size_t i;

	memset(st, 0, sizeof *st);
	st->builds = xcalloc(NB, sizeof *st->builds);
	st->nbuilds = NB;
	for (i = 0; i < NB; i++) {
		st->builds[i].id = (int64_t)i + 1;
		st->builds[i].build = xasprintf("b%zu", i);
	}
}

static void
add_round(struct nightly_state *st, size_t build, size_t against,
    enum nightly_purpose p, enum nightly_verdict v)
{
	struct nightly_round *rd;

	st->rounds = xreallocarray(st->rounds, st->nrounds + 1,
	    sizeof *st->rounds);
	rd = &st->rounds[st->nrounds++];
	memset(rd, 0, sizeof *rd);
	rd->build = build;
	rd->against = against;
	rd->purpose = p;
	rd->verdict = v;
}

static struct nightly_bisect *
add_bisect(struct nightly_state *st, size_t good, size_t bad,
    enum nightly_bisect_state s, size_t culprit, size_t parent)
{
	struct nightly_bisect *b;

	st->bisects = xreallocarray(st->bisects, st->nbisects + 1,
	    sizeof *st->bisects);
	b = &st->bisects[st->nbisects++];
	memset(b, 0, sizeof *b);
	b->id = 1;
	b->good = good;
	b->bad = bad;
	b->state = s;
	b->culprit = culprit;
	b->parent = parent;
	return b;
}

static const struct nightly_config tip = { .confirm = 3, .runs = 5 };

TEST(nightly_plan_first_night_baseline_then_tip)
{
	struct nightly_state st;
	struct nightly_action a;

	state_init(&st);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
	CHECK_INT_EQ(a.build, 0);
	CHECK_INT_EQ(a.purpose, NIGHTLY_BASELINE);
	CHECK(a.against == NIGHTLY_NONE);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
	CHECK_INT_EQ(a.build, NB - 1);
	CHECK_INT_EQ(a.against, 0);
	CHECK_INT_EQ(a.purpose, NIGHTLY_TEST);
	/* a good tip is the next reference: nothing left */
	add_round(&st, NB - 1, 0, NIGHTLY_TEST, NIGHTLY_V_GOOD);
	CHECK_INT_EQ(nightly_reference(&tip, &st), NB - 1);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_DONE);
	nightly_state_release(&st);
}

TEST(nightly_plan_halves_to_the_culprit)
{
	struct nightly_state st;
	struct nightly_action a;

	state_init(&st);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	add_round(&st, 8, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_OPEN_BISECT);
	CHECK_INT_EQ(a.good, 0);
	CHECK_INT_EQ(a.bad, 8);
	add_bisect(&st, 0, 8, NIGHTLY_BISECTING, NIGHTLY_NONE, NIGHTLY_NONE);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
	CHECK_INT_EQ(a.build, 4);
	CHECK_INT_EQ(a.purpose, NIGHTLY_BISECT);
	add_round(&st, 4, 0, NIGHTLY_BISECT, NIGHTLY_V_BAD);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.build, 2);
	add_round(&st, 2, 0, NIGHTLY_BISECT, NIGHTLY_V_GOOD);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.build, 3);
	add_round(&st, 3, 0, NIGHTLY_BISECT, NIGHTLY_V_GOOD);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_UPDATE_BISECT);
	CHECK_INT_EQ(a.bisect.state, NIGHTLY_CONFIRMING);
	CHECK_INT_EQ(a.bisect.culprit, 4);
	CHECK_INT_EQ(a.bisect.parent, 3);
	nightly_action_release(&a);
	nightly_state_release(&st);
}

TEST(nightly_plan_confirms_three_and_three)
{
	struct nightly_state st;
	struct nightly_action a;
	int i;

	state_init(&st);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	add_round(&st, 5, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	add_round(&st, 4, 0, NIGHTLY_BISECT, NIGHTLY_V_GOOD);
	add_bisect(&st, 0, 5, NIGHTLY_CONFIRMING, 5, 4);
	for (i = 0; i < 2; i++) {
		nightly_plan(&tip, &st, &a);
		CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
		CHECK_INT_EQ(a.build, 5);
		CHECK_INT_EQ(a.purpose, NIGHTLY_CONFIRM);
		add_round(&st, 5, 0, NIGHTLY_CONFIRM, NIGHTLY_V_BAD);
	}
	for (i = 0; i < 2; i++) {
		nightly_plan(&tip, &st, &a);
		CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
		CHECK_INT_EQ(a.build, 4);
		CHECK_INT_EQ(a.against, 0);
		add_round(&st, 4, 0, NIGHTLY_CONFIRM, NIGHTLY_V_GOOD);
	}
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_UPDATE_BISECT);
	CHECK_INT_EQ(a.bisect.state, NIGHTLY_CONFIRMED);
	CHECK_STR_CONTAINS(a.bisect.detail, "'b5' bad in 3 of 3 rounds");
	nightly_action_release(&a);
	/* closed: the reference moves to the bad end, nothing to bisect */
	st.bisects[0].state = NIGHTLY_CONFIRMED;
	CHECK_INT_EQ(nightly_reference(&tip, &st), 5);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
	CHECK_INT_EQ(a.build, 8);
	CHECK_INT_EQ(a.against, 5);
	nightly_state_release(&st);
}

TEST(nightly_plan_inconclusive_when_not_reproduced_or_untestable)
{
	struct nightly_state st;
	struct nightly_action a;

	state_init(&st);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	add_round(&st, 2, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	add_round(&st, 2, 0, NIGHTLY_CONFIRM, NIGHTLY_V_GOOD);
	add_bisect(&st, 0, 2, NIGHTLY_CONFIRMING, 2, 1);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_UPDATE_BISECT);
	CHECK_INT_EQ(a.bisect.state, NIGHTLY_INCONCLUSIVE);
	CHECK_STR_CONTAINS(a.bisect.detail, "not reproducible");
	nightly_action_release(&a);
	nightly_state_release(&st);

	/* the only build between good and bad cannot be run */
	state_init(&st);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	add_round(&st, 2, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	add_round(&st, 1, 0, NIGHTLY_BISECT, NIGHTLY_V_ERROR);
	add_bisect(&st, 0, 2, NIGHTLY_BISECTING, NIGHTLY_NONE, NIGHTLY_NONE);
	nightly_plan(&tip, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_UPDATE_BISECT);
	CHECK_INT_EQ(a.bisect.state, NIGHTLY_INCONCLUSIVE);
	CHECK_STR_CONTAINS(a.bisect.detail, "one of 'b1'..'b2'");
	nightly_action_release(&a);
	nightly_state_release(&st);
}

TEST(nightly_plan_fixed_baseline_does_not_rebisect)
{
	struct nightly_config c = tip;
	struct nightly_state st;
	struct nightly_action a;

	c.baseline = (char *)"b0";
	c.test_all = 1;
	state_init(&st);
	add_round(&st, 0, NIGHTLY_NONE, NIGHTLY_BASELINE, NIGHTLY_V_BASELINE);
	add_round(&st, 1, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	add_bisect(&st, 0, 1, NIGHTLY_CONFIRMED, 1, 0);
	add_round(&st, 2, 0, NIGHTLY_TEST, NIGHTLY_V_BAD);
	nightly_plan(&c, &st, &a);
	CHECK_INT_EQ(a.kind, NIGHTLY_RUN);
	CHECK_INT_EQ(a.build, 3);
	CHECK_INT_EQ(a.against, 0);
	nightly_state_release(&st);
}
