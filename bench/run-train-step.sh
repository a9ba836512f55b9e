#!/usr/bin/env bash
# Train-step benchmark: Efficient.Training on TorchSharp 0.107 (LibTorch 2.10) vs PyTorch 1.13
# (Debian's python3-torch, /usr/bin/python3), same models, shapes, steps and thread count, in
# interleaved rounds (ours, ours without the malloc tuning, PyTorch, ours, ...) so background load
# hits all alike. Prints one line per run and a summary per model and thread count: median of the
# runs' median wall ms/step, median CPU ms/step and minor page faults per step, and the ratios
# ours / PyTorch.
#   bench/run-train-step.sh [rounds=3] [threads="1 2"] [steps=20]
# Environment: MODELS (default "resnet bert"), OPT_OUT=0 skips the runs with
# EFFICIENT_TRAINING_MALLOC_TUNING=0, WARMUP (default 3), BUILD_ARGS (extra dotnet build arguments),
# PYTORCH_BLAS_DIR (a folder holding another libblas.so.3 for the PyTorch runs only, e.g. OpenBLAS
# unpacked from `apt-get download libopenblas0-openmp`: Debian's python3-torch otherwise uses the
# reference BLAS, which makes its linear layers, and so the BERT step, many times slower).
# Anything else in the environment (e.g. OMP_WAIT_POLICY) reaches both sides alike.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; thread_counts="${2:-1 2}"; steps="${3:-20}"
models="${MODELS:-resnet bert}"; warmup="${WARMUP:-3}"; opt_out="${OPT_OUT:-1}"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "run-train-step: /usr/bin/python3 has no torch; install Debian's python3-torch (apt-get install -y python3-torch)" >&2
  exit 1
fi
# shellcheck disable=SC2086 # BUILD_ARGS: extra arguments for dotnet build, word-split on purpose
if ! log=$(dotnet build bench/Efficient.Training.Bench -c Release -nologo -v q ${BUILD_ARGS:-} 2>&1); then
  echo "$log" >&2; exit 1
fi
bench=bench/Efficient.Training.Bench/bin/Release/net10.0/Efficient.Training.Bench.dll
results=$(mktemp)
trap 'rm -f "$results"' EXIT

for threads in $thread_counts; do
  for model in $models; do
    for ((r = 0; r < rounds; r++)); do
      args=(--model "$model" --steps "$steps" --warmup "$warmup" --threads "$threads")
      o=$(dotnet "$bench" train-step "${args[@]}")
      echo "ours          $o" | cut -c1-240; echo "ours $o" >>"$results"
      if [[ "$opt_out" != "0" ]]; then
        n=$(EFFICIENT_TRAINING_MALLOC_TUNING=0 dotnet "$bench" train-step "${args[@]}")
        echo "ours-no-tune  $n" | cut -c1-240; echo "ours-no-tune $n" >>"$results"
      fi
      p=$(LD_LIBRARY_PATH="${PYTORCH_BLAS_DIR:-${LD_LIBRARY_PATH:-}}" /usr/bin/python3 bench/python/train_step.py "${args[@]}")
      echo "pytorch       $p" | cut -c1-240; echo "pytorch $p" >>"$results"
    done
  done
done

/usr/bin/python3 - "$results" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    side, text = line.split(" ", 1)
    j = json.loads(text)
    runs[(j["model"], j["threads"], side)].append(j)
def med(js, key): return statistics.median(float(j[key]) for j in js)
for (model, threads) in sorted({(m, t) for m, t, _ in runs}, key=lambda k: (k[1], k[0])):
    ref = runs[(model, threads, "pytorch")]
    pw, pc = med(ref, "median_ms"), med(ref, "median_cpu_ms")
    for side in ("ours", "ours-no-tune", "pytorch"):
        js = runs.get((model, threads, side))
        if not js: continue
        w, c, f = med(js, "median_ms"), med(js, "median_cpu_ms"), med(js, "median_minor_faults")
        print(f"SUMMARY {model:6s} threads={threads} {side:12s} wall {w:7.1f} ms/step (x{w/pw:.2f} PyTorch)  cpu {c:7.1f} ms/step (x{c/pc:.2f})  "
              f"faults/step {f:6.0f}  rounds wall {[round(float(j['median_ms']), 1) for j in js]}")
PY
