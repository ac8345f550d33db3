#!/usr/bin/env python3
"""numpy peer of `profilebench run`: the fast, vectorized evaluation a strong researcher would
write in a notebook: the speed reference for `profilebench run`.

    numpy-peer-runner.py SPEC.json --out DIR [--float64] [--block N] [--rows N]

Implements the part of the project contract (docs/spec.md, docs/metrics.md) that the runner benchmark uses: one encoder (an existing
/embeddings/<name>), reduction none, protocols holdout and prequential (window_events),
strategies static / mean / decay (half_life_days or half_life_events) / concat (window,
aggregate max or mean), event_weights, exclude_seen, metrics recall, recall_capped, precision,
ndcg, hit, mrr, map (trec_eval map_cut: / |rel|), map_capped and coverage at any K. Writes
DIR/metrics.json in the contract's layout (variants with id, encoder, strategy, reduction,
metrics {name: {mean, n}}, skipped_users) and prints the wall time with its split by phase.

How it is fast: events are sorted once (np.lexsort by user, time; stable, so equal timestamps
keep file order); every profile of a variant is one sparse (query x item) weight matrix times
the item table; queries are scored in blocks with one BLAS matmul per block (float32 unless
--float64) into a reused buffer; seen items are masked with one fancy assignment; top-K is
np.argpartition then a lexsort by (-score, item id), with an exact fallback for rows whose K-th
and (K+1)-th scores tie; metrics are computed on the whole (queries x K) hit matrix at once.
concat/max stacks each query's window vectors (queries bucketed by window length, so blocks
need no padding beyond their own length), one matmul per block, then a max over the window
axis; concat/mean is the same as scoring the mean of the window vectors (one vector per query).

Precision and ties. Ties break by item id ascending among scores equal in the precision the
scores were computed in. A float64 per-user reference agrees with --float64 to 7e-18 (seeds 7 and 11, both protocols, exclude_seen on and off, 7 strategies, K 1..20).
The timed mode is float32 (what a researcher runs), and float32 orders some near-ties
differently: with exclude_seen on, the worst difference was 9e-5 (a flipped near-tie among 300
users, static under prequential); with exclude_seen off, concat/max gives every window item its
self-score ~1, which float32 rounds to a handful of values (800 items -> 7 distinct values on
seed 7), so those items tie and go by id instead of by their float64 self-scores: differences
up to 3.7e-2. Use --float64 to check numbers; float32 to time.
"""
import os
import sys
import time

T_START = time.perf_counter()
_NT = str(os.cpu_count() or 1)
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, _NT)

import argparse
import json
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
import h5py

FAMILIES = ("recall", "recall_capped", "precision", "ndcg", "hit", "mrr", "map", "map_capped", "coverage")


class Clock:
    """Accumulates wall time per phase."""
    def __init__(self):
        self.t = {}

    @contextmanager
    def __call__(self, phase):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.t[phase] = self.t.get(phase, 0.0) + time.perf_counter() - t


def ragged(first, length):
    """Concatenated ranges [first[j], first[j] + length[j]): (segment j of each element, value)."""
    length = np.asarray(length, dtype=np.int64)
    first = np.broadcast_to(np.asarray(first, dtype=np.int64), length.shape)
    seg = np.repeat(np.arange(len(length), dtype=np.int64), length)
    off = np.cumsum(length) - length
    val = np.arange(int(length.sum()), dtype=np.int64) - np.repeat(off - first, length)
    return seg, val


# ---------------------------------------------------------------- data

class Dataset:
    """Events sorted by (user, time, file order); item table L2-normalised as the reference does."""

    def __init__(self, path, encoder, event_weights, dtype):
        def fail(msg):
            sys.exit(f"{path}: {msg}")
        if not os.path.exists(path):
            fail("no such file")
        with h5py.File(path, "r") as f:
            for key in ("events/user", "events/item", "events/time", f"embeddings/{encoder}"):
                if key not in f:
                    fail(f"/{key} is missing")
            user = f["events/user"][:].astype(np.int64)
            item = f["events/item"][:].astype(np.int64)
            tm = f["events/time"][:].astype(np.int64)
            typ, names = None, None
            if "events/type" in f:
                typ = f["events/type"][:].astype(np.int64)
                if "names" in f["events/type"].attrs:
                    names = [x.decode() if isinstance(x, bytes) else str(x) for x in f["events/type"].attrs["names"]]
            E = f[f"embeddings/{encoder}"][:].astype(np.float32, copy=False)
            n_users = f["users/id"].shape[0] if "users/id" in f else int(user.max()) + 1
        if not (len(user) == len(item) == len(tm)) or (typ is not None and len(typ) != len(user)):
            fail("/events/* have different lengths")
        if E.ndim != 2:
            fail(f"/embeddings/{encoder} must be 2-D")
        if len(user) and (user.min() < 0 or user.max() >= n_users):
            fail(f"/events/user has ids outside 0..{n_users - 1}")
        if len(item) and (item.min() < 0 or item.max() >= E.shape[0]):
            fail(f"/events/item has ids outside 0..{E.shape[0] - 1}")
        if not np.isfinite(E).all():
            fail(f"/embeddings/{encoder} row {int(np.flatnonzero(~np.isfinite(E).all(1))[0])} is not finite")
        w = np.ones(len(user))
        if event_weights and typ is not None and names is not None:
            if len(typ) and typ.max() >= len(names):
                fail("/events/type has codes beyond its `names` attribute")
            w = np.array([float(event_weights.get(nm, 1.0)) for nm in names])[typ]
        nrm = np.linalg.norm(E, axis=1, keepdims=True)
        E = E / np.where(nrm > 0, nrm, 1)          # zero rows stay zero
        order = np.lexsort((tm, user))             # stable: equal (user, time) keep file order
        self.item, self.time, self.w = item[order], tm[order], w[order]
        self.cnt = np.bincount(user, minlength=n_users)
        self.first = np.cumsum(self.cnt) - self.cnt
        self.n_items, self.dim = E.shape
        self.E = E.astype(dtype, copy=False)
        self.ET = np.ascontiguousarray(self.E.T)


class Queries:
    """One row per ranked list: holdout = one per user, prequential = one per step.
    absorbed = events before the ranked period (dynamic profile, seen set); hist = events of
    the static profile; [absorbed, end) = the ranked period's events."""

    def __init__(self, D, protocol):
        users = np.flatnonzero(D.cnt > 0)
        n = D.cnt[users]
        nf = n.astype(np.float64)
        self.active_users = len(users)
        self.pre_skipped = 0
        if protocol["kind"] == "holdout":
            n_test = np.maximum(1, np.floor(nf * protocol["test"]).astype(np.int64))
            n_upd = np.floor(nf * protocol["update"]).astype(np.int64)
            n_hist = n - n_upd - n_test
            ok = n_hist >= 1
            self.pre_skipped = int((~ok).sum())
            self.user, self.hist = users[ok], n_hist[ok]
            self.absorbed, self.end = (n_hist + n_upd)[ok], n[ok]
        else:
            w = int(protocol["window_events"])
            n_hist = np.maximum(1, np.floor(nf * protocol["history"]).astype(np.int64))
            steps = (n - n_hist + w - 1) // w
            qi, s = ragged(0, steps)
            self.user, self.hist = users[qi], n_hist[qi]
            self.absorbed = n_hist[qi] + s * w
            self.end = np.minimum(n[qi], self.absorbed + w)
        self.total = len(self.user)

    def relevance(self, D, exclude_seen):
        """rel = distinct items of the ranked period minus seen ones; drops queries left with none."""
        I, nq = D.n_items, len(self.user)
        base = D.first[self.user]
        tseg, tpos = ragged(self.absorbed, self.end - self.absorbed)
        tkeys = np.unique(tseg * I + D.item[base[tseg] + tpos])
        if exclude_seen:
            sseg, spos = ragged(0, self.absorbed)
            sitem = D.item[base[sseg] + spos]
            tkeys = tkeys[~np.isin(tkeys, sseg * I + sitem)]
        else:
            sseg = sitem = np.zeros(0, np.int64)
        rcount = np.bincount(tkeys // I, minlength=nq)
        keep = rcount > 0
        new = np.cumsum(keep) - 1
        for a in ("user", "hist", "absorbed", "end"):
            setattr(self, a, getattr(self, a)[keep])
        self.rcount = rcount[keep]
        self.relkeys = new[tkeys // I] * I + tkeys % I          # still sorted
        m = keep[sseg]
        self.sseg, self.sitem = new[sseg[m]], sitem[m]
        self.soff = np.concatenate([[0], np.cumsum(np.bincount(self.sseg, minlength=len(self.user)))])

    def mask_seen(self, S, q0, q1):
        """Set -inf at the seen items of queries q0..q1-1 (the rows of S, in that order)."""
        s0, s1 = self.soff[q0], self.soff[q1]
        S[self.sseg[s0:s1] - q0, self.sitem[s0:s1]] = -np.inf


# ---------------------------------------------------------------- strategies

def strategy_id(st):
    params = {k: v for k, v in st.items() if k != "name"}
    if not params:
        return st["name"]
    return st["name"] + "(" + ",".join(f"{k}={v}" for k, v in sorted(params.items())) + ")"


def check_strategy(st, where):
    name = st.get("name")
    allowed = {"static": set(), "mean": set(), "decay": {"half_life_days", "half_life_events"},
               "concat": {"window", "aggregate"}}
    if name not in allowed:
        sys.exit(f"{where}.name: the peer supports static, mean, decay, concat (got {name!r})")
    extra = set(st) - {"name"} - allowed[name]
    if extra:
        sys.exit(f"{where}: the peer does not support {sorted(extra)}")
    if name == "decay" and len({"half_life_days", "half_life_events"} & set(st)) != 1:
        sys.exit(f"{where}: decay needs exactly one of half_life_days, half_life_events")
    if name == "concat" and st.get("aggregate", "max") not in ("max", "mean"):
        sys.exit(f"{where}.aggregate: the peer supports max and mean")


def vector_profiles(D, Q, st, dtype):
    """One profile vector per query as (sparse query x item weights) @ E."""
    name = st["name"]
    nq = len(Q.user)
    n_ev = Q.hist if name == "static" else Q.absorbed
    if name == "concat":                                       # aggregate mean: the window's mean vector
        r = np.minimum(int(st.get("window", 50)), n_ev)
        seg, pos = ragged(n_ev - r, r)
        w = np.ones(len(seg))
    else:
        seg, pos = ragged(0, n_ev)
    idx = D.first[Q.user][seg] + pos
    if name != "concat":
        w = D.w[idx]
    if name == "decay":
        if "half_life_days" in st:
            last = D.time[D.first[Q.user] + n_ev - 1]
            w = w * np.power(2.0, -(last[seg] - D.time[idx]) / (float(st["half_life_days"]) * 86400.0))
        else:
            w = w * np.power(2.0, -(n_ev[seg] - 1 - pos) / float(st["half_life_events"]))
    W = sp.csr_matrix((w.astype(dtype), (seg, D.item[idx])), shape=(nq, D.n_items))
    P = np.asarray(W @ D.E, dtype=dtype)
    if name == "concat":
        P /= r[:, None].astype(dtype)                        # mean of cosines = cosine with the mean
    else:
        nrm = np.linalg.norm(P, axis=1, keepdims=True)
        P /= np.where(nrm > 0, nrm, 1)                       # an all-zero profile scores 0 everywhere
    return P


# ---------------------------------------------------------------- ranking

def topk(S, K, out, sub=64):
    """Top-K item ids of each row of S, score descending then item id ascending; -1 where a row
    has fewer than K finite scores. argpartition works on sub-blocks of rows (its index array
    then stays in the allocator's heap instead of fresh pages)."""
    B, I = S.shape
    if K >= I:
        for r in range(B):
            o = np.lexsort((np.arange(I), -S[r]))
            o = o[np.isfinite(S[r, o])][:K]
            out[r, :] = -1
            out[r, :len(o)] = o
        return
    for r0 in range(0, B, sub):
        blk = S[r0:r0 + sub]
        part = np.argpartition(blk, I - K - 1, axis=1)
        cand = part[:, I - K:]
        cv = np.take_along_axis(blk, cand, 1)
        kth = cv.min(1)
        nxt = np.take_along_axis(blk, part[:, I - K - 1:I - K], 1)[:, 0]
        o = np.lexsort((cand, -cv), axis=1)
        top = np.take_along_axis(cand, o, 1)
        tv = np.take_along_axis(cv, o, 1)
        for r in np.flatnonzero(nxt == kth):                   # K-th and (K+1)-th tie: exact order
            idx = np.flatnonzero(blk[r] >= kth[r])
            oo = np.lexsort((idx, -blk[r, idx]))[:K]
            top[r], tv[r] = idx[oo], blk[r, idx[oo]]
        top[~np.isfinite(tv)] = -1
        out[r0:r0 + sub] = top


def rank_all(D, Q, st, K, dtype, clock, block=512, rows=2048):
    """(queries x K) item ids for one strategy."""
    nq, I = len(Q.user), D.n_items
    top = np.empty((nq, K), dtype=np.int64)
    if st["name"] != "concat" or st.get("aggregate", "max") == "mean":
        with clock("profiles"):
            P = vector_profiles(D, Q, st, dtype)
        buf = np.empty((min(block, max(nq, 1)), I), dtype=dtype)
        for q0 in range(0, nq, block):
            q1 = min(nq, q0 + block)
            with clock("sgemm"):
                S = buf[:q1 - q0]
                np.matmul(P[q0:q1], D.ET, out=S)
            with clock("mask"):
                Q.mask_seen(S, q0, q1)
            with clock("topk"):
                topk(S, K, top[q0:q1])
        return top
    # concat / max: stack each query's last `window` vectors, one matmul per block, max over the window
    with clock("profiles"):
        win = int(st.get("window", 50))
        r = np.minimum(win, Q.absorbed)
        order = np.argsort(r, kind="stable")                   # bucket queries by window length
        base = D.first[Q.user]
        buf = np.empty((max(rows, win), I), dtype=dtype)
        mbuf = np.empty((max(rows // max(int(r.min(initial=1)), 1), 1), I), dtype=dtype)
    i = 0
    while i < nq:
        with clock("profiles"):
            width = int(r[order[min(nq - 1, i + max(rows // max(int(r[order[i]]), 1), 1) - 1)]])
            nb = max(1, rows // width)
            qs = order[i:i + nb]
            nb = len(qs)
            # rows of query q: its last r_q events, padded to `width` by repeating the last one
            j = np.minimum(np.arange(width)[None, :], r[qs][:, None] - 1)
            ev = base[qs][:, None] + Q.absorbed[qs][:, None] - r[qs][:, None] + j
            M = D.E[D.item[ev.ravel()]]
        with clock("sgemm"):
            S3 = buf[:nb * width]
            np.matmul(M, D.ET, out=S3)
        with clock("window-max"):
            S = np.max(S3.reshape(nb, width, I), axis=1, out=mbuf[:nb] if nb <= len(mbuf) else None)
        with clock("mask"):
            k, sidx = ragged(Q.soff[qs], Q.soff[qs + 1] - Q.soff[qs])
            S[k, Q.sitem[sidx]] = -np.inf                       # seen items of the block's queries
        with clock("topk"):
            t = np.empty((nb, K), dtype=np.int64)
            topk(S, K, t)
            top[qs] = t
        i += nb
    return top


# ---------------------------------------------------------------- metrics

def parse_metrics(names):
    out = []
    for m in names:
        fam, _, k = m.partition("@")
        if fam not in FAMILIES or not k.isdigit() or int(k) < 1:
            sys.exit(f"metrics: {m!r} is not one of {', '.join(FAMILIES)} at K >= 1")
        out.append((m, fam, int(k)))
    return out


def per_query_metrics(top, Q, metrics, n_items):
    """{metric: per-query values} for the per-user metrics; {metric: value} for coverage."""
    nq, Kmax = top.shape
    keys = np.arange(nq, dtype=np.int64)[:, None] * n_items + top
    if len(Q.relkeys):
        pos = np.minimum(np.searchsorted(Q.relkeys, keys), len(Q.relkeys) - 1)
        H = (Q.relkeys[pos] == keys) & (top >= 0)
    else:
        H = np.zeros(top.shape, bool)
    R = Q.rcount.astype(np.float64)
    disc = 1.0 / np.log2(np.arange(Kmax) + 2.0)
    idcg_at = np.cumsum(disc)
    vals, cov = {}, {}
    for m, fam, K in metrics:
        if fam == "coverage":
            t = top[:, :K]
            cov[m] = np.unique(t[t >= 0]).size / n_items
            continue
        h = H[:, :K]
        nh = h.sum(1).astype(np.float64)
        capped = np.minimum(K, Q.rcount)
        if fam == "recall":
            v = nh / R
        elif fam == "recall_capped":
            v = nh / capped
        elif fam == "precision":
            v = nh / K
        elif fam == "hit":
            v = (nh > 0).astype(np.float64)
        elif fam == "ndcg":
            v = (h * disc[:K]).sum(1) / idcg_at[capped - 1]
        elif fam == "mrr":
            v = np.where(nh > 0, 1.0 / (np.argmax(h, 1) + 1.0), 0.0)
        else:                                                    # map, map_capped
            ap = (np.cumsum(h, 1) / np.arange(1.0, K + 1) * h).sum(1)
            v = ap / (R if fam == "map" else capped)
        vals[m] = v
    return vals, cov


# ---------------------------------------------------------------- runner

def load_spec(path):
    try:
        spec = json.load(open(path))
    except (OSError, ValueError) as e:
        sys.exit(f"{path}: {e}")
    if len(spec.get("encoders", [])) != 1:
        sys.exit("encoders: the peer runs exactly one encoder (an existing /embeddings/<name>)")
    if "layers" in spec["encoders"][0]:
        sys.exit("encoders[0].layers: not supported by the peer")
    for i, red in enumerate(spec.get("reductions", [{"method": "none"}])):
        if red.get("method") != "none":
            sys.exit(f"reductions[{i}].method: the peer supports none only")
    p = spec.get("protocol", {})
    if p.get("kind") == "holdout":
        for k in ("history", "update", "test"):
            if k not in p:
                sys.exit(f"protocol.{k} is missing")
    elif p.get("kind") == "prequential":
        if "window_events" not in p:
            sys.exit("protocol: the peer supports prequential with window_events only")
        if int(p["window_events"]) < 1:
            sys.exit("protocol.window_events must be >= 1")
    else:
        sys.exit(f"protocol.kind: holdout or prequential (got {p.get('kind')!r})")
    for i, st in enumerate(spec.get("strategies", [])):
        check_strategy(st, f"strategies[{i}]")
    parse_metrics(spec.get("metrics", []))
    return spec


def run_spec(spec, dtype=np.float32, clock=None, block=512, rows=2048, base_dir="."):
    clock = clock or Clock()
    enc = spec["encoders"][0]["name"]
    path = spec["dataset"]
    if not os.path.isabs(path) and not os.path.exists(path):
        path = os.path.join(base_dir, path)
    with clock("load"):
        D = Dataset(path, enc, spec.get("event_weights"), dtype)
    metrics = parse_metrics(spec["metrics"])
    K = max(k for _, _, k in metrics)
    prequential = spec["protocol"]["kind"] == "prequential"
    with clock("split"):
        Q = Queries(D, spec["protocol"])
        Q.relevance(D, spec.get("exclude_seen", True))
    if prequential:
        users, inv = np.unique(Q.user, return_inverse=True)
        steps_per_user = np.bincount(inv)
    variants = []
    clock.per_strategy = {}
    for st in spec["strategies"]:
        t0 = time.perf_counter()
        top = rank_all(D, Q, st, K, dtype, clock, block, rows)
        with clock("metrics"):
            vals, cov = per_query_metrics(top, Q, metrics, D.n_items)
            out = {}
            for m, fam, _ in metrics:
                if fam == "coverage":
                    out[m] = {"mean": float(cov[m]), "n": int(len(Q.user))}
                    continue
                v = vals[m]
                if prequential:
                    v = np.bincount(inv, weights=v) / steps_per_user
                out[m] = {"mean": float(v.mean()) if len(v) else 0.0, "n": int(len(v))}
            n_scored = len(users) if prequential else len(Q.user)
            var = {"id": f"{enc}/{strategy_id(st)}/none", "encoder": enc, "strategy": dict(st),
                   "reduction": {"method": "none"}, "metrics": out,
                   "skipped_users": int(Q.active_users - n_scored) if prequential else int(Q.pre_skipped + Q.total - len(Q.user))}
            if prequential:
                var["skipped_steps"] = int(Q.total - len(Q.user))
            variants.append(var)
        clock.per_strategy[strategy_id(st)] = time.perf_counter() - t0
    info = {"users": int(Q.active_users), "items": int(D.n_items), "dim": int(D.dim), "queries": int(len(Q.user))}
    return {"metric_dialect": "trec", "variants": variants}, info


def main_run(args):
    spec = load_spec(args.spec)
    clock = Clock()
    dtype = np.float64 if args.float64 else np.float32
    res, info = run_spec(spec, dtype, clock, args.block, args.rows, os.path.dirname(os.path.abspath(args.spec)))
    with clock("write"):
        os.makedirs(args.out, exist_ok=True)
        tmp = os.path.join(args.out, ".metrics.json.tmp")
        with open(tmp, "w") as f:
            json.dump(res, f, indent=1)
        os.replace(tmp, os.path.join(args.out, "metrics.json"))
    wall = time.perf_counter() - T_START
    split = ", ".join(f"{k} {v:.2f}" for k, v in clock.t.items())
    print(f"numpy-peer: {len(res['variants'])} variants, {info['users']} users x {info['items']} items x "
          f"{info['dim']} dims, {info['queries']} ranked lists, {np.dtype(dtype).name}, "
          f"{os.environ.get('OPENBLAS_NUM_THREADS')} BLAS threads")
    print(f"numpy-peer: phases (s): {split}")
    print("numpy-peer: per strategy (s): " + ", ".join(f"{k} {v:.2f}" for k, v in clock.per_strategy.items()))
    print(f"numpy-peer: wall {wall:.2f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--float64", action="store_true", help="score in float64 (the reference's precision)")
    ap.add_argument("--block", type=int, default=512, help="queries per scoring block (vector strategies)")
    ap.add_argument("--rows", type=int, default=2048, help="window rows per scoring block (concat max)")
    args = ap.parse_args()
    if not args.spec or not args.out:
        ap.error("SPEC.json --out DIR")
    main_run(args)


if __name__ == "__main__":
    main()
