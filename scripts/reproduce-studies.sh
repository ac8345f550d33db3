#!/usr/bin/env bash
# The two reproduction studies: imports Amazon Beauty and MovieLens 100K from the repository's
# datasets/ folder (or from the folders given), runs experiments/beauty.json and experiments/ml100k.json (the
# runner encodes the items with each encoder and stores the embeddings in the datasets), and
# writes results/beauty/ and results/ml100k/ (committed; the datasets are not).
# Usage: scripts/reproduce-studies.sh [BEAUTY_DIR [ML100K_DIR]]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
beauty=${1:-$here/datasets/amazon2014-beauty}
ml=${2:-$here/datasets/ml-100k}
make build models
bin=.build/release/profilebench
export PROFILEBENCH_GIT_COMMIT=${PROFILEBENCH_GIT_COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
gz() { if [[ -f $1.gz ]]; then echo "$1.gz"; else echo "$1"; fi; }
[[ -f data/beauty.h5 ]] || "$bin" import csv "$(gz "$beauty/events.csv")" --items "$(gz "$beauty/items.csv")" --out data/beauty.h5
[[ -f data/ml100k.h5 ]] || "$bin" import recbole "$ml" --out data/ml100k.h5
"$bin" run experiments/beauty.json --out results/beauty
"$bin" run experiments/ml100k.json --out results/ml100k
echo "studies written: results/beauty/ results/ml100k/"
