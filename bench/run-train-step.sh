#!/usr/bin/env bash
# Train-step benchmark: our binding vs PyTorch 1.13 on the same libtorch, interleaved rounds,
# same models, batch sizes and thread count. Prints one JSON line per run and a summary with the
# median of each side's per-run medians and the ratio (ours / PyTorch).
#   bench/run-train-step.sh [rounds=3] [threads=2] [steps=20]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; threads="${2:-2}"; steps="${3:-20}"
WITH_PYTHON_TORCH=1 scripts/install-deps.sh >/dev/null
dotnet build bench/Efficient.Torch.Bench -c Release -nologo -v q >/dev/null
bench=bench/Efficient.Torch.Bench/bin/Release/net10.0/Efficient.Torch.Bench.dll
for model in resnet bert; do
  ours=(); theirs=()
  for ((r = 0; r < rounds; r++)); do
    o=$(dotnet "$bench" train-step --model "$model" --steps "$steps" --warmup 3 --threads "$threads")
    p=$(/usr/bin/python3 bench/python/train_step.py --model "$model" --steps "$steps" --warmup 3 --threads "$threads")
    echo "$o"; echo "$p" | cut -c1-200
    ours+=("$(echo "$o" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')")
    theirs+=("$(echo "$p" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')")
  done
  /usr/bin/python3 - "$model" "$threads" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
model, threads, ours, theirs = sys.argv[1], sys.argv[2], list(map(float, sys.argv[3].split())), list(map(float, sys.argv[4].split()))
o, t = statistics.median(ours), statistics.median(theirs)
print(f"SUMMARY {model} threads={threads}: ours {o:.1f} ms/step, PyTorch {t:.1f} ms/step, ratio {o/t:.3f} (rounds: ours {ours}, PyTorch {theirs})")
PY
done
