#!/usr/bin/env bash
# A sharded run as a real Slurm array job (docs/cluster.md): starts a one-node cluster on
# localhost (scripts/slurm-local.sh: installs slurm-wlm and munge if missing; needs root), makes a
# small synthetic dataset, writes and submits a 4-shard array with `profilebench slurm --submit`,
# waits for the dependent merge job, compares the merged folder byte for byte with an unsharded
# run of the same spec, and stops the daemons it started.
# Usage: scripts/test-slurm.sh [PROFILEBENCH]   (default .build/debug/profilebench)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$here/.build/debug/profilebench}")
work=$(mktemp -d /tmp/pb-test-slurm.XXXXXX)
chmod 755 "$work"   # munged runs as the munge user and writes under the cluster's state folder
state=$work/cluster
cleanup() { bash "$here/scripts/slurm-local.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
t0=$(date +%s)
env_line=$(bash "$here/scripts/slurm-local.sh" start "$state")   # fails the script if the cluster does not come up
eval "$env_line"
cd "$work"
"$bin" synth --out data.h5 --users 200 --items 300 --seed 11 >/dev/null
cat > spec.json <<'JSON'
{"name": "slurm-test", "dataset": "data.h5",
 "protocol": [{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "history": 0.5, "window_events": 5}],
 "encoders": [{"name": "hash-64"}],
 "strategies": [{"name": "static"}, {"name": "mean"}, {"name": "decay", "half_life_days": 14}, {"name": "concat", "window": 20, "aggregate": "max"}],
 "event_weights": {"view": 1, "click": 1, "cart": 2, "purchase": 3},
 "metrics": ["recall@10", "ndcg@10", "hit@10", "coverage@10"],
 "compare": {"baseline": "static", "tests": ["paired-t", "wilcoxon"]}, "seed": 3}
JSON
"$bin" run spec.json --out whole --quiet >/dev/null
"$bin" slurm spec.json --shards 4 --out merged --cpus 1 --time 00:10:00 --submit | tee submit.txt
merge_job=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' submit.txt)
[[ -n $merge_job ]] || { echo "test-slurm: no merge job id in: $(cat submit.txt)" >&2; exit 1; }
deadline=$((SECONDS + 150))
while squeue -h -j "$merge_job" 2>/dev/null | grep -q .; do
  (( SECONDS < deadline )) || { echo "test-slurm: merge job $merge_job still queued or running after 150 s" >&2; squeue >&2; exit 1; }
  sleep 1
done
status=0
for i in 0 1 2 3; do
  [[ -f merged-shards/$i/shard.rec ]] || { echo "test-slurm: shard $i wrote no shard.rec; its log:" >&2; cat "merged-slurm/shard-$i.log" >&2 || true; status=1; }
done
[[ -f merged/metrics.json ]] || { echo "test-slurm: the merge job wrote no merged/metrics.json; its log:" >&2; cat merged-slurm/merge.log >&2 || true; exit 1; }
for f in metrics.json per_user.csv comparison.json report.md report.html segments.csv per_step.csv pre_period.csv; do
  if cmp -s "whole/$f" "merged/$f"; then echo "test-slurm: $f byte-identical"; else echo "test-slurm: $f DIFFERS" >&2; status=1; fi
done
echo "test-slurm: 4-shard array and merge through Slurm in $(( $(date +%s) - t0 )) s, status $status"
exit $status
