/*
 * nightly-plan.c - the nightly driver's next step, from the stored state
 * alone (nightly.h, docs/nightly.md "What a night does").
 *
 * Nothing here remembers where it was: a bisect's range is what its
 * rounds say (the newest good build against its reference, the oldest
 * bad one after it), so a driver killed anywhere plans the same step
 * again and a round that finished is never run twice.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "jobs/nightly.h"

static int
is_final(enum nightly_bisect_state s)
{
	return s == NIGHTLY_CONFIRMED || s == NIGHTLY_INCONCLUSIVE;
}

/* Rounds of build b with verdict v judged against build against. */
static size_t
count_rounds(const struct nightly_state *st, size_t b, size_t against,
    enum nightly_verdict v)
{
	size_t i, n = 0;

	for (i = 0; i < st->nrounds; i++)
		if (st->rounds[i].build == b &&
		    st->rounds[i].against == against &&
		    st->rounds[i].verdict == v)
			n++;
	return n;
}

/* Rounds of build b, any verdict but error. */
static size_t
rounds_run(const struct nightly_state *st, size_t b)
{
	size_t i, n = 0;

	for (i = 0; i < st->nrounds; i++)
		if (st->rounds[i].build == b &&
		    st->rounds[i].verdict != NIGHTLY_V_ERROR)
			n++;
	return n;
}

/* Rounds of build b at all (an error round counts: the build is not
 * retried every night). */
static int
ever_run(const struct nightly_state *st, size_t b)
{
	size_t i;

	for (i = 0; i < st->nrounds; i++)
		if (st->rounds[i].build == b)
			return 1;
	return 0;
}

/* The first verdict of b against ref that is good or bad, else -1. */
static int
first_verdict(const struct nightly_state *st, size_t b, size_t ref)
{
	size_t i;

	for (i = 0; i < st->nrounds; i++)
		if (st->rounds[i].build == b && st->rounds[i].against == ref &&
		    (st->rounds[i].verdict == NIGHTLY_V_GOOD ||
		    st->rounds[i].verdict == NIGHTLY_V_BAD))
			return (int)st->rounds[i].verdict;
	return -1;
}

/*
 * The reference: baseline= if given; else the last good build, that is
 * the newest build judged good (or the first build, the first night's
 * baseline), or the bad end of a finished bisect: a regression is
 * reported once, and the next nights judge new builds against the build
 * that has it.
 */
size_t
nightly_reference(const struct nightly_config *c,
    const struct nightly_state *st)
{
	size_t i, ref = 0;

	if (c->baseline != NULL) {
		for (i = 0; i < st->nbuilds; i++)
			if (strcmp(st->builds[i].build, c->baseline) == 0)
				return i;
		return 0;
	}
	for (i = 0; i < st->nrounds; i++)
		if ((st->rounds[i].verdict == NIGHTLY_V_GOOD ||
		    st->rounds[i].verdict == NIGHTLY_V_BASELINE) &&
		    st->rounds[i].build > ref)
			ref = st->rounds[i].build;
	for (i = 0; i < st->nbisects; i++)
		if (is_final(st->bisects[i].state) && st->bisects[i].bad > ref)
			ref = st->bisects[i].bad;
	return ref;
}

static void
run(struct nightly_action *a, size_t build, size_t against,
    enum nightly_purpose purpose)
{
	a->kind = NIGHTLY_RUN;
	a->build = build;
	a->against = against;
	a->purpose = purpose;
}

static void
update(struct nightly_action *a, const struct nightly_bisect *b,
    enum nightly_bisect_state state, size_t culprit, size_t parent,
    char *detail)
{
	a->kind = NIGHTLY_UPDATE_BISECT;
	a->bisect = *b;
	a->bisect.state = state;
	a->bisect.culprit = culprit;
	a->bisect.parent = parent;
	a->bisect.detail = detail;
}

/* Halve the range: the untested build nearest its middle, or, when none
 * is left, the culprit is the oldest bad build after the newest good. */
static void
plan_bisecting(const struct nightly_state *st, const struct nightly_bisect *b,
    struct nightly_action *a)
{
	size_t lo = b->good, hi = b->bad, i, mid = NIGHTLY_NONE, skipped = 0;
	size_t middle;

	for (i = b->good + 1; i < b->bad; i++)
		if (first_verdict(st, i, b->good) == NIGHTLY_V_GOOD)
			lo = i;
	for (i = b->bad; i > lo + 1; i--)
		if (first_verdict(st, i - 1, b->good) == NIGHTLY_V_BAD)
			hi = i - 1;
	middle = lo + (hi - lo) / 2;
	for (i = lo + 1; i < hi; i++) {
		if (first_verdict(st, i, b->good) >= 0)
			continue;
		if (count_rounds(st, i, b->good, NIGHTLY_V_ERROR) > 0) {
			skipped++;
			continue;
		}
		if (mid == NIGHTLY_NONE ||
		    (i > middle ? i - middle : middle - i) <
		    (mid > middle ? mid - middle : middle - mid))
			mid = i;
	}
	if (mid != NIGHTLY_NONE)
		run(a, mid, b->good, NIGHTLY_BISECT);
	else if (skipped > 0)
		update(a, b, NIGHTLY_INCONCLUSIVE, hi, lo, xasprintf("the "
		    "culprit is one of '%s'..'%s': %zu build(s) between "
		    "could not be tested", st->builds[lo + 1].build,
		    st->builds[hi].build, skipped));
	else
		update(a, b, NIGHTLY_CONFIRMING, hi, lo, NULL);
}

/*
 * Confirm the KernelCI way: the culprit bad in c->confirm rounds, its
 * parent good in as many, every round judged against the bisect's
 * reference; one round the other way and the culprit is not trusted.
 * A parent that is the reference itself is good by definition: its
 * rounds only add runs to compare with.
 */
static void
plan_confirming(const struct nightly_config *c, const struct nightly_state *st,
    const struct nightly_bisect *b, struct nightly_action *a)
{
	size_t ref = b->good, cul = b->culprit, par = b->parent;
	size_t bad_c = count_rounds(st, cul, ref, NIGHTLY_V_BAD);
	size_t good_c = count_rounds(st, cul, ref, NIGHTLY_V_GOOD);
	size_t err_c = count_rounds(st, cul, ref, NIGHTLY_V_ERROR);
	size_t good_p, bad_p = 0, err_p = 0, need = (size_t)c->confirm;

	if (par == ref)
		good_p = rounds_run(st, par);
	else {
		good_p = count_rounds(st, par, ref, NIGHTLY_V_GOOD);
		bad_p = count_rounds(st, par, ref, NIGHTLY_V_BAD);
		err_p = count_rounds(st, par, ref, NIGHTLY_V_ERROR);
	}
	if (good_c > 0 || bad_p > 0)
		update(a, b, NIGHTLY_INCONCLUSIVE, cul, par, xasprintf("not "
		    "reproducible: '%s' bad in %zu of %zu rounds, its parent "
		    "'%s' bad in %zu of %zu", st->builds[cul].build, bad_c,
		    bad_c + good_c, st->builds[par].build, bad_p,
		    bad_p + good_p));
	else if (err_c + err_p >= need)
		update(a, b, NIGHTLY_INCONCLUSIVE, cul, par, xasprintf("the "
		    "target failed %zu time(s) while confirming '%s'",
		    err_c + err_p, st->builds[cul].build));
	else if (bad_c < need)
		run(a, cul, ref, NIGHTLY_CONFIRM);
	else if (good_p < need)
		run(a, par, par == ref ? NIGHTLY_NONE : ref, NIGHTLY_CONFIRM);
	else
		update(a, b, NIGHTLY_CONFIRMED, cul, par, xasprintf("'%s' bad "
		    "in %zu of %zu rounds, its parent '%s' good in %zu of %zu",
		    st->builds[cul].build, bad_c, bad_c, st->builds[par].build,
		    good_p, good_p));
}

/* A new build's bad test against ref with no bisect of it yet, and no
 * finished bisect from ref to an older build: a regression already
 * reported against a fixed baseline= is not bisected every night. */
static size_t
unbisected_bad(const struct nightly_state *st, size_t ref)
{
	size_t i, k;

	for (i = 0; i < st->nrounds; i++) {
		const struct nightly_round *rd = &st->rounds[i];
		int known = 0;

		if (rd->purpose != NIGHTLY_TEST || rd->against != ref ||
		    rd->verdict != NIGHTLY_V_BAD || rd->build <= ref)
			continue;
		for (k = 0; k < st->nbisects; k++)
			if (st->bisects[k].good == ref &&
			    st->bisects[k].bad <= rd->build)
				known = 1;
		if (!known)
			return rd->build;
	}
	return NIGHTLY_NONE;
}

void
nightly_plan(const struct nightly_config *c, const struct nightly_state *st,
    struct nightly_action *a)
{
	size_t ref, i, next = NIGHTLY_NONE;

	memset(a, 0, sizeof *a);
	a->kind = NIGHTLY_DONE;
	for (i = 0; i < st->nbisects; i++) {
		if (st->bisects[i].state == NIGHTLY_BISECTING) {
			plan_bisecting(st, &st->bisects[i], a);
			return;
		}
		if (st->bisects[i].state == NIGHTLY_CONFIRMING) {
			plan_confirming(c, st, &st->bisects[i], a);
			return;
		}
	}
	ref = nightly_reference(c, st);
	if (rounds_run(st, ref) == 0) {
		if (!ever_run(st, ref))
			run(a, ref, NIGHTLY_NONE, NIGHTLY_BASELINE);
		return;   /* a reference that cannot run: nothing to judge */
	}
	if ((i = unbisected_bad(st, ref)) != NIGHTLY_NONE) {
		a->kind = NIGHTLY_OPEN_BISECT;
		a->good = ref;
		a->bad = i;
		return;
	}
	for (i = ref + 1; i < st->nbuilds; i++) {
		if (ever_run(st, i))
			continue;
		next = i;
		if (c->test_all)
			break;
	}
	if (next != NIGHTLY_NONE)
		run(a, next, ref, NIGHTLY_TEST);
}

void
nightly_action_release(struct nightly_action *a)
{
	if (a->kind == NIGHTLY_UPDATE_BISECT)
		free(a->bisect.detail);
	a->kind = NIGHTLY_DONE;
}
