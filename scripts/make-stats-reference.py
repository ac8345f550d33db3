#!/usr/bin/env python3
"""Rewrite the scipy reference values of Tests/StatisticsTests/Fixtures/stats-reference.json.

The file is the project's reference fixture for the paired tests (it came with the project's
design document): six paired samples `a`, `b` (exact-distribution,
normal-approximation, tied, zero-heavy and large cases) with scipy.stats results for
`ttest_rel(a, b)` and `wilcoxon(a, b)` at default arguments. The samples are the data; this
script recomputes every reference value from them, so the fixture can be regenerated (or checked
with --check) with any scipy.

Run from the repository root:  python3 scripts/make-stats-reference.py [--check]
Needs scipy and numpy. `paired_t` is null where the t statistic is undefined (scipy's NaN).
"""
import json
import math
import pathlib
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st

warnings.simplefilter("ignore")
PATH = pathlib.Path(__file__).resolve().parent.parent / "Tests/StatisticsTests/Fixtures/stats-reference.json"


def result(r):
    s, p = float(r.statistic), float(r.pvalue)
    if math.isnan(s) or math.isnan(p):
        return None
    return {"statistic": s, "p": p}


def main():
    doc = json.loads(PATH.read_text())
    fresh = dict(doc)
    fresh["generator"] = f"scipy {scipy.__version__}, numpy {np.__version__}"
    cases = []
    for case in doc["cases"]:
        a, b = np.asarray(case["a"], dtype=float), np.asarray(case["b"], dtype=float)
        c = dict(case)
        c["paired_t"] = result(st.ttest_rel(a, b))
        c["wilcoxon"] = result(st.wilcoxon(a, b))
        cases.append(c)
    fresh["cases"] = cases
    if "--check" in sys.argv:
        worst = 0.0
        for old, new in zip(doc["cases"], cases):
            for test in ("paired_t", "wilcoxon"):
                if (old[test] is None) != (new[test] is None):
                    sys.exit(f"{old['name']}: {test} defined in one and not the other")
                if old[test] is None:
                    continue
                for key in ("statistic", "p"):
                    x, y = old[test][key], new[test][key]
                    worst = max(worst, abs(x - y) / max(abs(x), 1e-300))
        print(f"stats-reference.json: {len(cases)} cases, largest relative difference {worst:.2e}")
        sys.exit(0 if worst <= 1e-9 else 1)
    PATH.write_text(json.dumps(fresh, indent=1) + "\n")
    print(f"wrote {PATH} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
