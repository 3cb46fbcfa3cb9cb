#!/usr/bin/env python3
# Reference for tests/unit/test-stats.c and test-analysis.c: the exact
# Mann-Whitney distribution by enumerating every split, Hodges-Lehmann
# by every pairwise difference, in plain Python.
import itertools, math, statistics
from fractions import Fraction

def u_dist(na, nb):
    c = {}
    for pos in itertools.combinations(range(na + nb), na):
        u = sum(p - i for i, p in enumerate(pos))   # b's below each a
        c[u] = c.get(u, 0) + 1
    return c

def critical(na, nb, alpha):
    c = u_dist(na, nb); tot = sum(c.values()); cum = 0; k = -1
    for u in range(na * nb + 1):
        cum += c.get(u, 0)
        if Fraction(cum, tot) > Fraction(alpha).limit_denominator(1000): break
        k = u
    return k

def hl(a, b, alpha):
    d = sorted(y - x for x in a for y in b); n = len(d)
    est = statistics.median(d); k = critical(len(a), len(b), alpha)
    return est, d[k], d[n - 1 - k]

for na, nb, al in ((3, 3, 0.05), (5, 5, 0.05), (5, 5, 0.025), (4, 6, 0.05), (6, 6, 0.05)):
    print("critical", na, nb, al, critical(na, nb, al))
base = [43.9174, 45.17126, 45.57421, 53.93314, 58.82356]
new = [49.67334, 267.00307, 286.9398, 292.36655, 363.21704]
e, lo, hi = hl([math.log(x) for x in base], [math.log(x) for x in new], 0.05)
print("offline_ms_p50 log HL %.9f [%.9f, %.9f] -> %% %.6f [%.6f, %.6f]" % (e, lo, hi, 100*math.expm1(e), 100*math.expm1(lo), 100*math.expm1(hi)))
c = u_dist(5, 5); tot = sum(c.values())
# U of new vs base: pairs new > base
u = sum(1 for x in base for y in new if y > x)
print("U", u, "p_greater", sum(v for k, v in c.items() if k >= u) / tot)
ra = [43.0, 44.0, 45.0, 46.0, 49.0]; rb = [42.0, 51.0, 55.0, 56.0, 63.0]
e, lo, hi = hl([math.log(x) for x in ra], [math.log(x) for x in rb], 0.05)
print("res_irqs log HL %% %.6f [%.6f, %.6f]" % (100*math.expm1(e), 100*math.expm1(lo), 100*math.expm1(hi)))
u = sum(1 for x in ra for y in rb if y > x); print("U", u, "p_greater", sum(v for k, v in c.items() if k >= u) / tot)
la=[math.log(x) for x in ra]; lb=[math.log(x) for x in rb]
sp = math.sqrt((statistics.variance(la)*4 + statistics.variance(lb)*4)/8)
z = statistics.NormalDist().inv_cdf(0.95) + statistics.NormalDist().inv_cdf(0.8)
print("need", 2*z*z*(sp/e)**2*math.pi/3, math.ceil(2*z*z*(sp/e)**2*math.pi/3))
print("runs_needed(1,1,.05)", 2*z*z*math.pi/3, "isf .05", statistics.NormalDist().inv_cdf(0.95))
mu = 40*40/2; s = math.sqrt(40*40*81/12)
print("normal critical 40,40,.05", math.floor(mu - 0.5 - statistics.NormalDist().inv_cdf(0.95)*s))
