#!/usr/bin/env bash
# Training throughput of the `attention` updater on synthetic data of Amazon Beauty's size
# (22,363 users, 12,101 items, 384-d, 8 visible events a user, window 50, batch 256, 1,024
# sampled negatives), with the sgemm rate measured in the same process: `profilebench bench
# train` in a release build.
# Usage: scripts/bench-train.sh [BLAS_THREADS] [EPOCHS] [NEGATIVES]   (defaults: OpenBLAS's, 1, 1024)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
make -C "$here" build >/dev/null
"$here/.build/release/profilebench" bench train --threads "${1:-0}" --epochs "${2:-1}" --negatives "${3:-1024}"
