#!/usr/bin/env python3
"""Independent float64 reference of the evaluation protocols, checked user by user against a run.

    reference-protocols.py RESULTS_DIR [--dataset DATA.h5]

Reads the spec from RESULTS_DIR/manifest.json and the dataset (h5py, numpy: nothing of
ProfileBench's code), recomputes every variant whose reduction is `none` and whose protocol is
holdout, leave-last, temporal or cases, for the strategies static, mean, decay (days or events),
concat (max or mean) and interests (numpy.linalg.svd of the weighted window, max or sum), the per-user (per-case) values of every recall@K, ndcg@K, hit@K,
precision@K and mrr@K metric, and compares them with RESULTS_DIR/per_user.csv.

Protocols, written from docs/spec.md without looking at the Swift code:
- holdout: n_test = max(1, floor(n t)), n_update = floor(n u), n_history = n - n_update - n_test.
- leave-last: last event the test target, the one before it the validation target (valid=true);
  ranking test, the validation event is absorbed as the update; users with < 3 (< 2) events skipped.
- temporal: a global cut (unix time, or numpy.quantile(all times, q, method="higher")); history
  before the (first) cut, validation period [valid_from, test_from), test period after.
- cases: /cases/<split>: each case's own history, its target ranked.

A user whose value differs is accepted only when its float64 scores have a near-tie (two
candidate scores within 2e-6 among the first K + 1), where float32 may order differently, or,
for interests, when singular values that decide the kept directions tie (sigma_k = sigma_k+1, or
two kept values equal under max): the directions are then not unique. The script prints how
many lists agree exactly and how many differ for either reason, and exits 1 if any other
differs.
"""
import argparse, csv, json, math, os, sys
import numpy as np, h5py

ap = argparse.ArgumentParser()
ap.add_argument("results")
ap.add_argument("--dataset")
args = ap.parse_args()
manifest = json.load(open(os.path.join(args.results, "manifest.json")))
spec = manifest["spec"]
path = args.dataset or spec["dataset"]
if not os.path.exists(path):
    path = os.path.join(os.path.dirname(manifest["spec_path"]), spec["dataset"])
weights_of = spec.get("event_weights", {})
exclude_seen = spec.get("exclude_seen", True)
protocols = spec["protocol"] if isinstance(spec["protocol"], list) else [spec["protocol"]]

f = h5py.File(path, "r")
U = len(f["users/id"]); uid = [x.decode() for x in f["users/id"][:]]
user = f["events/user"][:].astype(np.int64); item = f["events/item"][:].astype(np.int64); time = f["events/time"][:].astype(np.int64)
if "events/type" in f:
    names = [x.decode() if isinstance(x, bytes) else x for x in f["events/type"].attrs["names"]]
    w_all = np.array([float(weights_of.get(n, 1.0)) for n in names])[f["events/type"][:]]
else:
    w_all = np.ones(len(user))
order = np.lexsort((np.arange(len(user)), time, user))
bounds = np.searchsorted(user[order], np.arange(U + 1))


def fmt(x):
    return repr(float(x)) if not float(x).is_integer() else str(int(x)) if abs(x) < 1e15 else repr(float(x))


def protocol_id(p):
    k = p["kind"]
    if k == "holdout":
        pr = [("history", p.get("history", 0.6)), ("test", p.get("test", 0.2)), ("update", p.get("update", 0.2))]
    elif k == "leave-last":
        pr = [("targets", p.get("targets", "test")), ("valid", "true" if p.get("valid", True) else "false")]
    elif k == "temporal":
        pr = [("targets", p.get("targets", "test"))]
        for key in ("test_from", "valid_from"):
            if key in p: pr.append((key, p[key]))
            if key + "_quantile" in p: pr.append((key + "_quantile", p[key + "_quantile"]))
    elif k == "cases":
        pr = [("split", p.get("split", "test"))]
    else:
        return None
    return k + "(" + ",".join(f"{a}={b if isinstance(b, str) else fmt(b)}" for a, b in pr) + ")"


def strategy_id(s):
    n = s["name"]
    if n in ("static", "mean"): return n
    if n == "decay":
        k = "half_life_days" if "half_life_days" in s else "half_life_events"
        return f"decay({k}={fmt(s[k])})"
    if n == "concat":
        return f"concat(aggregate={s.get('aggregate', 'max')},window={fmt(s.get('window', 50))})"
    if n == "interests":
        return (f"interests(aggregate={s.get('aggregate', 'max')},center={'true' if s.get('center', False) else 'false'},"
                f"k={fmt(s.get('k', 3))},window={fmt(s.get('window', 50))})")
    return None


def quantile_higher(q):
    t = np.sort(time)
    return int(t[min(len(t) - 1, math.ceil(q * (len(t) - 1)))])


def cuts_for(p):
    """Yields (key, items, times, weights, historyEnd, absorbed, end) per ranked list."""
    k = p["kind"]
    if k == "cases":
        g = f[f"cases/{p.get('split', 'test')}"]
        cu, off, hi, ht, tg = (g[x][:].astype(np.int64) for x in ("user", "history_offsets", "history_item", "history_time", "target"))
        for c in range(len(tg)):
            its = np.concatenate([hi[off[c]:off[c + 1]], [tg[c]]]); ts = np.concatenate([ht[off[c]:off[c + 1]], [0]])
            n = len(its)
            if n >= 2:   # a case with no history has nothing to build a profile from
                yield (uid[cu[c]], str(c)), its, ts, np.ones(n), n - 1, n - 1, n
        return
    if k == "temporal":
        cut = lambda key: p[key] if key in p else (quantile_higher(p[key + "_quantile"]) if key + "_quantile" in p else None)
        T, V = cut("test_from"), cut("valid_from")
    for u in range(U):
        idx = order[bounds[u]:bounds[u + 1]]
        n = len(idx)
        if n == 0: continue
        its, ts, ws = item[idx], time[idx], w_all[idx]
        c = None
        if k == "holdout":
            nt = max(1, math.floor(n * p.get("test", 0.2))); nu = math.floor(n * p.get("update", 0.2)); nh = n - nu - nt
            if nh >= 1: c = (nh, nh + nu, n)
        elif k == "leave-last":
            if not p.get("valid", True):
                if n >= 2: c = (n - 1, n - 1, n)
            elif n >= 3:
                c = (n - 2, n - 1, n) if p.get("targets", "test") == "test" else (n - 2, n - 2, n - 1)
        elif k == "temporal":
            iT = int(np.sum(ts < T))
            if V is None:
                if 1 <= iT < n: c = (iT, iT, n)
            else:
                iV = int(np.sum(ts < V))
                if iV >= 1:
                    if p.get("targets", "test") == "test":
                        if iT < n: c = (iV, iT, n)
                    elif iT > iV:
                        c = (iV, iV, iT)
        if c: yield (uid[u], ""), its, ts, ws, c[0], c[1], c[2]


def profile_scores(E, s, its, ts, ws, h, a):
    n = s["name"]
    if n in ("static", "mean", "decay"):
        ev = np.arange(h if n == "static" else a)
        ww = ws[ev].astype(np.float64)
        if "half_life_days" in s: ww = ww * 2.0 ** (-(ts[ev[-1]] - ts[ev]) / (float(s["half_life_days"]) * 86400))
        if "half_life_events" in s: ww = ww * 2.0 ** (-(len(ev) - 1 - np.arange(len(ev))) / float(s["half_life_events"]))
        prof = (ww[:, None] * E[its[ev]]).sum(0)
        nrm = np.linalg.norm(prof)
        return E @ (prof / nrm if nrm > 0 else prof)
    if n == "interests":
        W = int(s.get("window", 50))
        win, wts = its[:a][-W:], ws[:a][-W:]
        A = wts[:, None] * E[win]
        colsum = A.sum(0)
        M = A - A.mean(0) if s.get("center", False) else A
        _, sv, vt = np.linalg.svd(M, full_matrices=False)
        if len(sv) == 0 or sv[0] <= 0: return np.zeros(len(E))
        kk = min(int(s.get("k", 3)), len(sv))
        # sigma_k == sigma_(k+1) (or equal kept values, with max): the kept directions are not
        # unique, any rotation inside the eigenspace is as right as LAPACK's.
        global degenerate
        degenerate = (kk < len(sv) and sv[kk] > 1e-9 * sv[0] and abs(sv[kk - 1] - sv[kk]) <= 1e-9 * sv[0]) or \
            (s.get("aggregate", "max") == "max" and any(abs(sv[j] - sv[j + 1]) <= 1e-9 * sv[0] for j in range(kk - 1)))
        rows = []
        for j in range(min(int(s.get("k", 3)), len(sv))):
            if sv[j] <= 1e-9 * sv[0]: continue
            v = vt[j]; dot = colsum @ v
            balanced = abs(dot) <= 1e-6 * sv[j] * len(A)
            first = int(np.flatnonzero(np.abs(v) >= np.abs(v).max() * (1 - 1e-9))[0])  # ties of magnitude: the first
            sign = (1.0 if v[first] > 0 else -1.0) if balanced else (1.0 if dot > 0 else -1.0)
            rows.append(sign * sv[j] * v)
        R = np.array(rows) @ E.T
        return R.max(0) if s.get("aggregate", "max") == "max" else R.sum(0)
    win = its[:a][-int(s.get("window", 50)):]
    S = E[win] @ E.T
    return S.max(0) if s.get("aggregate", "max") == "max" else S.mean(0)


def metric(name, hits, nrel):
    fam, K = name.split("@"); K = int(K); h = hits[:K]
    if fam == "recall": return sum(h) / nrel
    if fam == "precision": return sum(h) / K
    if fam == "hit": return 1.0 if any(h) else 0.0
    if fam == "mrr": return next((1 / (r + 1) for r, x in enumerate(h) if x), 0.0)
    if fam == "ndcg":
        return sum(x / math.log2(r + 2) for r, x in enumerate(h)) / sum(1 / math.log2(r + 2) for r in range(min(K, nrel)))
    return None


metrics = [m for m in spec["metrics"] if m.split("@")[0] in ("recall", "precision", "hit", "mrr", "ndcg")]
maxK = max(int(m.split("@")[1]) for m in metrics)
ours = {}
with open(os.path.join(args.results, "per_user.csv"), newline="") as fh:
    for row in csv.DictReader(fh):
        ours[(row.get("protocol", protocol_id(protocols[0])), row["variant"], row["user"], row.get("case", ""))] = row
reductions = spec.get("reductions", [{"method": "none"}])
encoders = [e for e in spec["encoders"]]
exact = near = bad = ambiguous = 0
degenerate = False
shown = 0


def report(line):
    global shown
    shown += 1
    if shown <= 20: print(line)
    elif shown == 21: print("(further differences not shown)")
for p in protocols:
    pid = protocol_id(p)
    if pid is None: continue
    lists = list(cuts_for(p))
    for e in encoders:
        eid = e["name"] + (f"-l{e['layers']}" if "layers" in e and e["name"] != "hash" else "")
        if {"method": "none"} not in reductions: continue
        E = f[f"embeddings/{eid}"][:].astype(np.float64)
        E /= np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-300)
        for s in spec["strategies"]:
            sid = strategy_id(s)
            if sid is None or (s["name"] == "concat" and s.get("aggregate", "max") == "softmax"): continue
            vid = f"{eid}/{sid}/none"
            seen_keys = set()
            for key, its, ts, ws, h, a, end in lists:
                seen = set(its[:a].tolist()) if exclude_seen else set()
                rel = set(its[a:end].tolist()) - seen
                if not rel: continue
                seen_keys.add(key)
                degenerate = False
                sc = profile_scores(E, s, its, ts, ws, h, a)
                cand = [i for i in np.lexsort((np.arange(len(sc)), -sc)) if i not in seen][:maxK + 1]
                hits = [1 if i in rel else 0 for i in cand[:maxK]]
                row = ours.get((pid, vid, key[0], key[1]))
                if row is None:
                    report(f"{pid} {vid} {key}: scored by the reference, missing from per_user.csv"); bad += 1; continue
                diff = [m for m in metrics if abs(metric(m, hits, len(rel)) - float(row[m])) > 1e-9]
                if not diff: exact += 1; continue
                top = sc[cand]
                if np.any(np.abs(np.diff(top)) < 2e-6): near += 1; continue
                if degenerate: ambiguous += 1; continue
                bad += 1
                report(f"{pid} {vid} {key}: {diff[0]} reference {metric(diff[0], hits, len(rel))!r}, run {row[diff[0]]}")
            extra = {k for k in ours if k[0] == pid and k[1] == vid} - {(pid, vid) + k for k in seen_keys}
            for k in sorted(extra):
                report(f"{pid} {vid} {k[2:]}: in per_user.csv, but the reference scores no such list"); bad += 1
print(f"reference-protocols: {exact} lists agree exactly, {near} differ at a float32 near-tie, "
      f"{ambiguous} differ where interests' singular values tie (its directions are not unique), {bad} differ")
sys.exit(1 if bad or exact == 0 else 0)
