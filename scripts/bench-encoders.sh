#!/usr/bin/env bash
# Native encoders against sentence-transformers (torch CPU, 2 threads, batch 32) on the same
# 2,000 product titles (Amazon Beauty), in one session: in-process texts/s of both, and the
# whole-process wall time of both commands.
# Usage: scripts/bench-encoders.sh [N]    (default 2000 titles)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-2000}
W=${BENCH_DIR:-/tmp/pb-encoder-bench}; mkdir -p "$W"
python3 - "$here/datasets/amazon2014-beauty/items.csv.gz" "$W/titles.txt" "$N" <<'PY'
import csv, gzip, sys
rows = list(csv.DictReader(gzip.open(sys.argv[1], "rt", encoding="utf-8")))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for r in rows[: int(sys.argv[3])]:
        f.write(r["title"].replace("\n", " ") + "\n")
PY
make -C "$here" build models >/dev/null
models=${PROFILEBENCH_MODELS:-$here/models}
for m in minilm-l6:all-MiniLM-L6-v2 mpnet-base:all-mpnet-base-v2; do
  name=${m%%:*}; dir=${m#*:}
  s=$(date +%s.%N)
  ref=$(bash "$here/scripts/reference/reference-encoder-bench.sh" "$models/$dir" "$W/titles.txt" | tail -1)
  e=$(date +%s.%N)
  s2=$(date +%s.%N)
  ours=$(cd "$here" && PROFILEBENCH_MODELS="$models" .build/release/profilebench bench encode --encoder "$name" --texts "$W/titles.txt")
  e2=$(date +%s.%N)
  python3 - "$name" "$ref" "$ours" "$s" "$e" "$s2" "$e2" <<'PY'
import json, re, sys
name, ref, ours = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
s, e, s2, e2 = map(float, sys.argv[4:8])
rate = float(re.search(r" in [0-9.]+ s: ([0-9.]+) texts/s", ours).group(1))
print(ours)
print(f"{name}: sentence-transformers {ref['texts_per_s']} texts/s, profilebench {rate:.1f} texts/s: {rate / ref['texts_per_s']:.2f}x in process; "
      f"whole process {e - s:.1f} s vs {e2 - s2:.1f} s: {(e - s) / (e2 - s2):.2f}x")
PY
done
