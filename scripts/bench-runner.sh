#!/usr/bin/env bash
# Whole-process timing of `profilebench run` against the vectorised numpy peer on the same
# dataset and spec (scripts/reference/reference-runner-bench.sh writes both), in one session,
# and a check that both give the same metrics (up to float32 near-tie flips).
# Usage: scripts/bench-runner.sh [USERS ITEMS DIM]   (default 15000 50000 384)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
D=${BENCH_DIR:-/tmp/pb-runner-bench}
export BENCH_DIR=$D
make -C "$here" build >/dev/null
bash "$here/scripts/reference/reference-runner-bench.sh" "$@" | tee "$D/peer.log"
s=$(date +%s.%N)
"$here/.build/release/profilebench" run "$D/spec.json" --out "$D/profilebench" --quiet >/dev/null
e=$(date +%s.%N)
python3 - "$D" "$s" "$e" <<'PY'
import json, re, sys
d, s, e = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
peer = float(re.search(r"whole process: ([0-9.]+) s", open(f"{d}/peer.log").read()).group(1))
ours = e - s
print(f"profilebench, whole process: {ours:.1f} s; numpy peer {peer:.1f} s; ratio {peer / ours:.2f}x")
a = json.load(open(f"{d}/peer/metrics.json")); b = json.load(open(f"{d}/profilebench/metrics.json"))
worst = 0.0
for va, vb in zip(a["variants"], b["variants"]):
    assert va["id"] == vb["id"], (va["id"], vb["id"])
    for m, x in va["metrics"].items():
        worst = max(worst, abs(x["mean"] - vb["metrics"][m]["mean"]))
print(f"largest metric difference from the peer: {worst:.2e}")
PY
