#!/usr/bin/env bash
# Checks the evaluation protocols user by user against an independent float64 reference
# (scripts/reference-protocols.py, numpy and h5py only): runs experiments/protocol-reference.json
# on a synthetic dataset and experiments/protocol-reference-cases.json on the MiniOneRec
# Industrial test rows, and compares every list's metrics. Installs numpy and h5py
# into a virtual environment (${REFENV:-/tmp/pb-protocol-ref}) on first use.
# Usage: scripts/check-protocols.sh [PROFILEBENCH_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bin=${1:-.build/debug/profilebench}
ENV=${REFENV:-/tmp/pb-protocol-ref}
if ! "$ENV/bin/python" -c 'import numpy, h5py' 2>/dev/null; then
  python3 -m venv "$ENV"
  "$ENV/bin/pip" install -q numpy h5py
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh synthetic dataset of its own (the run stores its embeddings in it).
"$bin" synth --out data/protocol-reference.h5 --users 200 --items 300 --events-per-user 30 --seed 7 >/dev/null
"$bin" run experiments/protocol-reference.json --out "$work/protocols" --quiet >/dev/null
"$ENV/bin/python" scripts/reference-protocols.py "$work/protocols"
# The cases protocol on the real Industrial test rows (import sequences, then every case ranked).
"$bin" import sequences --split test=datasets/minionerec-industrial/test.csv.gz \
  --items datasets/minionerec-industrial/item.json.gz --out data/protocol-reference-industrial.h5 --quiet >/dev/null
"$bin" run experiments/protocol-reference-cases.json --out "$work/cases" --quiet >/dev/null
"$ENV/bin/python" scripts/reference-protocols.py "$work/cases"
