#!/usr/bin/env bash
# Training throughput of the `attention` updater on synthetic data of Amazon Beauty's size
# (22,363 users, 12,101 items, 384-d, 8 visible events a user, window 50, batch 256, 1,024
# sampled negatives): TrainingBenchmark.run in a release build of the Learning target, with
# the sgemm rate measured in the same process. Until `profilebench bench train` is wired,
# this compiles a 10-line driver against the release objects.
# Usage: scripts/bench-train.sh [BLAS_THREADS] [EPOCHS] [NEGATIVES]   (defaults: OpenBLAS's, 1, 1024)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-/tmp/pb-train-bench}; mkdir -p "$W"
cd "$here"
swift build -c release --target Learning >/dev/null
R=$here/.build/release
cat > "$W/main.swift" <<'SWIFT'
import Learning
import LinearAlgebra
var c = TrainingBenchmark.Configuration()
let a = CommandLine.arguments
if a.count > 1, let t = Int(a[1]), t > 0 { BLAS.threads = t }
if a.count > 2, let e = Int(a[2]) { c.epochs = e }
if a.count > 3, let n = Int(a[3]) { c.negatives = n }
let r = try TrainingBenchmark.run(c)
print(r.line)
SWIFT
objects=$(find "$R/Learning.build" "$R/LinearAlgebra.build" "$R/Statistics.build" "$R/SafeTensors.build" \
               "$R/RealModule.build" "$R/_NumericsShims.build" -name '*.o')
swiftc -O "$W/main.swift" -o "$W/bench-train" -I "$R/Modules" \
    -Xcc -fmodule-map-file="$here/Sources/CBLAS/module.modulemap" \
    -Xcc -fmodule-map-file="$here/.build/checkouts/swift-numerics/Sources/_NumericsShims/include/module.modulemap" \
    $objects -lopenblas -llapacke
"$W/bench-train" "${1:-0}" "${2:-1}" "${3:-1024}"
