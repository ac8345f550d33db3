#!/usr/bin/env python3
"""Write Tests/StatisticsTests/Fixtures/stats-extra.json: scipy/numpy reference values for
the Statistics target, beyond Fixtures/stats-reference.json.

Run from the repository root:  python3 scripts/make-stats-fixtures.py
Needs scipy (written with 1.17.1) and numpy (2.4). Deterministic: fixed numpy seeds.
Non-finite statistics are written as the strings "inf" / "-inf"; an undefined result
(scipy's NaN) as null.
"""
import json
import math
import pathlib
import warnings

import numpy as np
import scipy
import scipy.stats as st

warnings.simplefilter("ignore")  # scipy warns on the degenerate cases we want
rng = np.random.default_rng(20240611)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/StatisticsTests/Fixtures/stats-extra.json"


def num(x):
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def result(r):
    s, p = float(r.statistic), float(r.pvalue)
    if math.isnan(s) or math.isnan(p):
        return None
    return {"statistic": num(s), "p": num(p)}


def paired_case(name, a, b):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    d = a - b
    if len(d) >= 2 and np.std(d, ddof=1) > 0:
        cohen = float(np.mean(d) / np.std(d, ddof=1))
    else:
        cohen = None
    return {
        "name": name, "a": a.tolist(), "b": b.tolist(),
        "paired_t": result(st.ttest_rel(a, b)),
        "wilcoxon": result(st.wilcoxon(a, b)),
        "cohens_d": cohen,
    }


paired = []
# Edge cases of size.
paired.append(paired_case("n1", [0.5], [0.25]))
paired.append(paired_case("n2-both-positive", [0.5, 0.7], [0.25, 0.2]))
paired.append(paired_case("n2-one-zero", [0.5, 0.7], [0.25, 0.7]))
paired.append(paired_case("n2-opposite", [0.5, 0.1], [0.25, 0.2]))
paired.append(paired_case("constant-nonzero-difference", [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0]))
paired.append(paired_case("all-zero-n5", [0.1, 0.2, 0.3, 0.4, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5]))
paired.append(paired_case("all-zero-n20", list(np.linspace(0, 1, 20)), list(np.linspace(0, 1, 20))))
# scipy's permutation path (n <= 13 with ties or zeros).
paired.append(paired_case("ties-n10", [3, 5, 2, 6, 4, 4, 7, 1, 5, 6], [1, 3, 4, 4, 2, 2, 3, 2, 2, 7]))
paired.append(paired_case("zeros-n8", [0.3, 0.5, 0.2, 0.6, 0.4, 0.4, 0.7, 0.1], [0.1, 0.5, 0.4, 0.6, 0.2, 0.3, 0.3, 0.2]))
paired.append(paired_case("ties-zeros-n13", [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0], [0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1]))
# Just past the permutation rule: ties with n = 14 go to the normal approximation.
paired.append(paired_case("ties-n14", [3, 5, 2, 6, 4, 4, 7, 1, 5, 6, 2, 8, 3, 3], [1, 3, 4, 4, 2, 2, 3, 2, 2, 7, 2, 5, 1, 3]))
# Exact distribution, extreme and middle.
paired.append(paired_case("exact-n50-all-positive", list(rng.uniform(1, 2, 50)), [0.0] * 50))
paired.append(paired_case("exact-n20-negative", list(rng.normal(0, 1, 20)), list(rng.normal(0.6, 1, 20))))
paired.append(paired_case("exact-n3", [0.3, 0.1, 0.9], [0.2, 0.4, 0.5]))
# Normal approximation with ties and zeros; metric-like values.
ndcg_a = np.round(rng.beta(2, 5, 3000), 2)
ndcg_b = np.round(np.clip(ndcg_a + rng.normal(0.01, 0.05, 3000), 0, 1), 2)
mask = rng.uniform(size=3000) < 0.3
ndcg_b[mask] = ndcg_a[mask]
paired.append(paired_case("large-ties-zeros-3000", ndcg_a, ndcg_b))
paired.append(paired_case("ties-n51", list(np.round(rng.normal(0.5, 0.1, 51), 1)), list(np.round(rng.normal(0.48, 0.1, 51), 1))))
paired.append(paired_case("binary-hits-200", list(rng.integers(0, 2, 200).astype(float)), list(rng.integers(0, 2, 200).astype(float))))
paired.append(paired_case("continuous-n300", list(rng.normal(0.3, 0.1, 300)), list(rng.normal(0.29, 0.1, 300))))

welch = []
def welch_case(name, x, y):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    welch.append({"name": name, "x": x.tolist(), "y": y.tolist(),
                  "result": result(st.ttest_ind(x, y, equal_var=False))})

welch_case("small", [1, 2, 3], [4, 5, 7])
welch_case("unequal-sizes", list(rng.normal(0, 1, 7)), list(rng.normal(0.8, 3, 25)))
welch_case("large", list(rng.normal(10, 2, 4000)), list(rng.normal(10.1, 2.5, 3500)))
welch_case("conversion-rates", list(rng.binomial(1, 0.10, 2000).astype(float)), list(rng.binomial(1, 0.12, 2100).astype(float)))
welch_case("n1", [1.0], [2.0, 3.0])
welch_case("n2-n2", [1.0, 2.0], [2.0, 4.0])
welch_case("constant-equal", [1.0, 1.0, 1.0], [1.0, 1.0])
welch_case("constant-different", [1.0, 1.0, 1.0], [2.0, 2.0])
welch_case("one-constant", [1.0, 1.0, 1.0], [2.0, 3.0, 5.0])

chisquare = []
def chi_case(name, observed, expected):
    r = st.chisquare(observed, expected)
    chisquare.append({"name": name, "observed": [float(v) for v in observed],
                      "expected": [float(v) for v in expected], "result": result(r)})

chi_case("three-cells", [10, 20, 30], [20, 20, 20])
chi_case("srm-balanced", [5023, 4977], [5000, 5000])
chi_case("srm-mismatch", [5200, 4800], [5000, 5000])
chi_case("srm-unequal-split", [2950, 7050], [3000, 7000])
chi_case("perfect-fit", [25, 25, 50], [25, 25, 50])
obs = rng.multinomial(10000, np.full(20, 0.05))
chi_case("twenty-cells", obs.tolist(), [500.0] * 20)
chi_case("tiny-p", [900, 1100, 1000, 1400], [1100, 1100, 1100, 1100])

# Percentiles by numpy's default (linear) rule.
percentiles = []
for n in [1, 2, 5, 1000, 1001]:
    v = np.sort(rng.normal(0, 1, n))
    qs = [0.0, 0.025, 0.25, 0.5, 0.75, 0.975, 1.0]
    percentiles.append({"sorted": v.tolist(), "q": qs,
                        "expected": [float(np.percentile(v, q * 100)) for q in qs]})

# Benjamini-Hochberg against scipy.
bh = []
for p in [list(rng.uniform(0, 0.2, 20)), [0.01, 0.01, 0.03, 0.03, 0.2, 0.5, 0.5, 1.0], [0.04]]:
    bh.append({"p": [float(x) for x in p], "adjusted": st.false_discovery_control(p).tolist()})

# Distribution functions.
t_cases = []
for df in [1.0, 2.5, 7.0, 30.0, 999.0, 123456.0]:
    for t in [0.0, 0.1, 1.0, 2.0, 3.5, 8.0, 40.0, -2.5]:
        t_cases.append({"t": t, "df": df, "p": float(2 * st.t.sf(abs(t), df))})
chi_cases = []
for k in [1.0, 2.0, 3.0, 10.0, 99.0, 1000.0]:
    for x in [0.001, 0.5, 1.0, 5.0, 12.0, 100.0, 1100.0]:
        chi_cases.append({"x": x, "k": k, "p": float(st.chi2.sf(x, k))})
norm_cases = [{"z": z, "p": float(2 * st.norm.sf(abs(z)))} for z in [0.0, 0.5, 1.96, -2.5, 5.0, 10.0]]

# PRNG known answers from an independent Python implementation of SplitMix64-seeded
# xoshiro256** (Vigna's reference C code), uniformIndex (Lemire) and nextDouble.
M64 = (1 << 64) - 1

def splitmix64(state):
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64

class Xoshiro:
    def __init__(self, seed):
        sm = splitmix64(seed)
        self.s = [next(sm) for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform_index(self, n):
        m = self.next() * n
        low = m & M64
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.next() * n
                low = m & M64
        return m >> 64

    def next_double(self):
        return (self.next() >> 11) * 2.0 ** -53

prng = []
for seed in [0, 42, 0xFFFFFFFFFFFFFFFF]:
    g = Xoshiro(seed)
    nexts = [str(g.next()) for _ in range(6)]
    g = Xoshiro(seed)
    idx = [g.uniform_index(n) for n in [1, 2, 3, 10, 1000, 15000, 2**62 + 1, 2**63 - 1] * 2]
    g = Xoshiro(seed)
    doubles = [g.next_double() for _ in range(4)]
    sm = splitmix64(seed)
    prng.append({"seed": str(seed), "next": nexts,
                 "uniform_index_n": [str(n) for n in [1, 2, 3, 10, 1000, 15000, 2**62 + 1, 2**63 - 1] * 2],
                 "uniform_index": [str(i) for i in idx], "next_double": doubles,
                 "splitmix64": [str(next(sm)) for _ in range(4)]})

out = {
    "generator": f"scripts/make-stats-fixtures.py with scipy {scipy.__version__}, numpy {np.__version__}",
    "paired": paired, "welch": welch, "chisquare": chisquare, "percentile": percentiles,
    "benjamini_hochberg": bh, "student_t_two_sided": t_cases, "chi_square_sf": chi_cases,
    "normal_two_sided": norm_cases, "prng": prng,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {OUT}: {len(paired)} paired, {len(welch)} welch, {len(chisquare)} chisquare cases")
