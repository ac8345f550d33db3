#!/usr/bin/env bash
# The reproduction studies: imports Amazon Beauty, MovieLens 100K and the MiniOneRec Industrial
# test rows from the repository's datasets/ folder (Beauty and ML-100K from the folders given),
# runs experiments/beauty.json, experiments/ml100k.json and experiments/minionerec-industrial.json
# (the runner encodes the items with each encoder and stores the embeddings in the datasets),
# and writes results/beauty/, results/ml100k/ and results/minionerec-industrial/ (committed; the
# datasets are not), then the learned updaters' studies results/*-learned/.
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
ind=$here/datasets/minionerec-industrial
[[ -f data/industrial.h5 ]] || "$bin" import sequences --split "test=$ind/test.csv.gz" --items "$ind/item.json.gz" --out data/industrial.h5
"$bin" run experiments/minionerec-industrial.json --out results/minionerec-industrial
# The learned updaters' companion studies (they train attention and mlp; a few minutes each).
for s in beauty-learned ml100k-learned minionerec-industrial-learned; do "$bin" run "experiments/$s.json" --out "results/$s" --fresh; done
echo "studies written: results/beauty/ results/ml100k/ results/minionerec-industrial/ and results/*-learned/"
