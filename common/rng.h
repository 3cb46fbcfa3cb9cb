/*
 * rng.h - SplitMix64 (Steele, Lea, Flood 2014): a seedable generator
 * for shuffles and test patterns, not for secrets.  Inline: the
 * pattern checks call the mixer once per value they verify.
 */
#ifndef MMSTORM_RNG_H
#define MMSTORM_RNG_H

#include <stdint.h>

/* 2^64 / phi, odd: SplitMix64's increment (the golden ratio). */
#define RNG_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* The finalizer: a bijection that spreads every input bit. */
static inline uint64_t
rng_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static inline uint64_t
rng_next(uint64_t *state)
{
	*state += RNG_GOLDEN;
	return rng_mix64(*state);
}

#endif
