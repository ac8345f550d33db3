#!/usr/bin/env bash
# The million-user run on one machine (issue 11): makes data/scale.h5 with `profilebench synth`
# (USERS users, ITEMS items, EVENTS events a user on average), runs experiments/scale.json
# (hash-384; static, mean, decay, concat(20) under holdout) under /usr/bin/time, and prints one
# line per strategy with its users/s and the run's wall time and peak resident memory.
# Usage: scripts/bench-scale.sh [USERS [ITEMS [EVENTS]]]   (default 1000000 100000 50)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
users=${1:-1000000}; items=${2:-100000}; events=${3:-50}
bin=.build/release/profilebench
[[ -x $bin ]] || swift build -c release --product profilebench
mkdir -p data
spec=experiments/scale.json
if [[ $users != 1000000 || $items != 100000 || $events != 50 ]]; then
  spec=$(mktemp /tmp/scale-spec.XXXXXX.json)
  sed "s#data/scale.h5#data/scale-$users.h5#" experiments/scale.json > "$spec"
fi
data=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dataset"])' "$spec")
if [[ ! -f $data ]]; then
  start=$(date +%s.%N)
  "$bin" synth --out "$data" --users "$users" --items "$items" --events-per-user "$events" --seed 1 >/dev/null
  echo "bench scale: synth $users users, $items items in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
fi
out=$(mktemp -d /tmp/scale-results.XXXXXX)
/usr/bin/time -v "$bin" run "$spec" --out "$out/scale" --fresh 2> "$out/time.txt" >/dev/null || { tail -30 "$out/time.txt" >&2; exit 1; }
python3 - "$out" "$users" "$items" "$events" <<'PY'
import json, re, sys
out, users, items, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = json.load(open(f"{out}/scale/timings.json"))
m = json.load(open(f"{out}/scale/manifest.json"))["dataset_summary"]
time = open(f"{out}/time.txt").read()
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time).group(1)) * 1024
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", time).group(1)
print(f"bench scale: {m['users']:,} users, {m['items']:,} items, {m['events']:,} events, 384 d; wall {wall}, peak resident {peak / 2**30:.2f} GiB (run total {t['wall_seconds']:.0f} s)")
for v in t["variants"]:
    s = v["profile_seconds"] + v["scoring_seconds"]
    print(f"bench scale:   {v['id']}: {s:.0f} s, {v['lists'] / s:,.0f} users/s, peak {v['peak_memory_bytes'] / 2**30:.2f} GiB")
PY
rm -rf "$out"
