#!/usr/bin/env python3
# sequential-verdict.py - what `verdict --runs N --max-runs M` costs and
# buys under the current comparison rule, by simulation.
#
#   python3 bench/sequential-verdict.py [TRIALS]
#
# The rule is analysis/compare.c:judge() and cli/cmd-verdict.c:judge()
# transcribed: mean +- 1.96 sd intervals disjoint AND one-sided
# Mann-Whitney p <= 0.05 (exact, no ties: the values are continuous) AND
# |change| beyond the threshold (5 %); CV above 20 % on a side refuses.
# "Not clear" is analysis/verdict.c:metric_cmp_unclear(): the new side's
# CV above 20 % (the base's below), or worse beyond the threshold and not
# significant.  The base has 5 runs; lower is better; values are normal.
# For each case it prints how often the step says bad / good / 125 and
# the runs it made on average: one look after N runs (no --max-runs)
# against looks after every run up to M.
import random
import statistics
import sys
from functools import lru_cache

THRESHOLD = 5.0
MAX_CV = 20.0
NBASE = 5


@lru_cache(maxsize=None)
def u_counts(m, n):
    """Number of arrangements giving each U, for sample sizes m and n."""
    if m == 0 or n == 0:
        return (1,)
    # U(m, n): the last of the m + n values belongs to the first sample
    # (adds n to U) or to the second.
    a = u_counts(m - 1, n)
    b = u_counts(m, n - 1)
    out = [0] * (m * n + 1)
    for u, c in enumerate(a):
        out[u + n] += c
    for u, c in enumerate(b):
        out[u] += c
    return tuple(out)


def p_greater(x, y):
    """One-sided exact p that x is stochastically greater than y."""
    u = sum(1 for a in x for b in y if a > b)
    counts = u_counts(len(x), len(y))
    return sum(counts[u:]) / sum(counts)


def judge(base, new):
    """(exit code, unclear) as verdict would answer."""
    mb, mn = statistics.mean(base), statistics.mean(new)
    sb, sn = statistics.stdev(base), statistics.stdev(new)
    cvb, cvn = 100 * sb / abs(mb), 100 * sn / abs(mn)
    change = 100 * (mn - mb) / abs(mb)
    disjoint = mn - 1.96 * sn > mb + 1.96 * sb or mn + 1.96 * sn < mb - 1.96 * sb
    p = p_greater(new, base) if mn >= mb else p_greater(base, new)
    significant = disjoint and p <= 0.05
    if cvb > MAX_CV:
        return 125, False
    unclear = cvn > MAX_CV or (not significant and change > THRESHOLD)
    if cvn > MAX_CV:
        return 125, unclear
    if significant and change > THRESHOLD:
        return 1, False
    return 0, unclear


def step(shift, cv, n, m, rng):
    """One bisect step: (exit code, runs made)."""
    draw = lambda mu: rng.gauss(mu, cv * mu / 100)
    base = [draw(100) for _ in range(NBASE)]
    new = [draw(100 * (1 + shift / 100)) for _ in range(n)]
    while True:
        code, unclear = judge(base, new)
        if not unclear or len(new) >= m:
            break
        new.append(draw(100 * (1 + shift / 100)))
    if unclear and m > n:
        code = 125
    return code, len(new)


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(20261202)
    cases = [("A/A", 0, 10), ("A/A", 0, 15), ("+20%", 20, 10),
             ("+10%", 10, 5), ("+100%", 100, 15)]
    plans = [(3, 3), (5, 5), (10, 10), (3, 10), (5, 12)]
    print("| case | CV | runs | bad | good | 125 | runs made |")
    print("|---|---|---|---|---|---|---|")
    for name, shift, cv in cases:
        for n, m in plans:
            tally = {0: 0, 1: 0, 125: 0}
            made = 0
            for _ in range(trials):
                code, k = step(shift, cv, n, m, rng)
                tally[code] += 1
                made += k
            plan = "%d" % n if n == m else "%d..%d" % (n, m)
            print("| %s | %d %% | %s | %.1f %% | %.1f %% | %.1f %% | %.1f |" % (
                name, cv, plan, 100 * tally[1] / trials,
                100 * tally[0] / trials, 100 * tally[125] / trials,
                made / trials))


main()
