#!/usr/bin/env python3
"""Independent float64 reference of the holdout protocol for checking `profilebench run`.

    reference-holdout.py DATASET.h5 ENCODER STRATEGY K [--round DIGITS]

STRATEGY: static | mean | decay-days:H | decay-events:H | concat-max:W | concat-mean:W.
Event weights: view 1, click 1, cart 2, purchase 3 (as the quickstart). Prints, per user id,
recall@K and ndcg@K, ranking with scores rounded to DIGITS decimals (ties by item id ascending),
so that scores equal in exact arithmetic tie as the contract says.
"""
import sys, math
import numpy as np, h5py

path, enc, strat, K = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
digits = int(sys.argv[sys.argv.index("--round") + 1]) if "--round" in sys.argv else 9
W = {"view": 1, "click": 1, "cart": 2, "purchase": 3}
with h5py.File(path, "r") as f:
    u = f["events/user"][:].astype(np.int64); it = f["events/item"][:].astype(np.int64); t = f["events/time"][:].astype(np.int64)
    ty = f["events/type"][:]; names = [x.decode() if isinstance(x, bytes) else x for x in f["events/type"].attrs["names"]]
    E = f[f"embeddings/{enc}"][:].astype(np.float64)
    uid = [x.decode() for x in f["users/id"][:]]
E /= np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-300)
w = np.array([W.get(n, 1.0) for n in names])[ty]
order = np.lexsort((np.arange(len(u)), t, u))
for user in np.unique(u):
    idx = order[u[order] == user]
    n = len(idx)
    n_test = max(1, math.floor(n * 0.2)); n_up = math.floor(n * 0.2); n_h = n - n_up - n_test
    if n_h < 1: continue
    hist = idx[:n_h]; absorbed = idx[:n_h + n_up]; test = idx[n_h + n_up:]
    seen = set(it[absorbed].tolist())
    rel = set(it[test].tolist()) - seen
    if not rel: continue
    kind, _, par = strat.partition(":")
    if kind in ("static", "mean", "decay-days", "decay-events"):
        ev = hist if kind == "static" else absorbed
        ww = w[ev].astype(np.float64)
        if kind == "decay-days": ww = ww * 2.0 ** (-(t[ev[-1]] - t[ev]) / (float(par) * 86400))
        if kind == "decay-events": ww = ww * 2.0 ** (-(len(ev) - 1 - np.arange(len(ev))) / float(par))
        p = (ww[:, None] * E[it[ev]]).sum(0)
        nrm = np.linalg.norm(p); p = p / nrm if nrm > 0 else p
        s = E @ p
    elif kind == "concat-max":
        win = absorbed[-int(par):]
        s = (E[it[win]] @ E.T).max(0)
    elif kind == "concat-mean":
        win = absorbed[-int(par):]
        s = (E[it[win]] @ E.T).mean(0)
    s = np.round(s, digits)
    cand = [i for i in np.lexsort((np.arange(len(s)), -s)) if i not in seen][:K]
    hits = [1 if i in rel else 0 for i in cand]
    rec = sum(hits) / len(rel)
    dcg = sum(h / math.log2(r + 2) for r, h in enumerate(hits)); idcg = sum(1 / math.log2(r + 2) for r in range(min(K, len(rel))))
    print(f"{uid[user]},{rec!r},{dcg / idcg!r}")
