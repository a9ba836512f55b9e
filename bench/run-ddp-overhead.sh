#!/usr/bin/env bash
# Data-parallel communication overhead: the residual CNN trained by WORLD ranks started with mpirun
# on this machine (per-rank batch BATCH, THREADS intra-op threads each), with DistributedDataParallel
# ("sync": gradients all-reduced over Open MPI) and with no communication at all ("local": same
# per-rank work and CPU contention), interleaved rounds. Prints rank 0's JSON line per run and a
# summary of the medians.
#   bench/run-ddp-overhead.sh [rounds=3] [world=2] [batch=64] [threads=1] [steps=30]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; world="${2:-2}"; batch="${3:-64}"; threads="${4:-1}"; steps="${5:-30}"
dotnet build bench/Efficient.Training.Bench -c Release -nologo -v q >/dev/null
bench=bench/Efficient.Training.Bench/bin/Release/net10.0/Efficient.Training.Bench.dll
# Root in containers needs these; no core binding (the machine may have fewer cores than ranks × threads).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 TERM=dumb
run() {  # mode -> rank 0's JSON line
  mpirun -np "$world" --bind-to none --oversubscribe dotnet "$bench" ddp-step --mode "$1" --batch "$batch" --threads "$threads" --steps "$steps" | grep '"bench"'
}
sync=(); local_=()
for ((k = 0; k < rounds; k++)); do
  s=$(run sync); echo "$s"; sync+=("$(echo "$s" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')")
  l=$(run local); echo "$l"; local_+=("$(echo "$l" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')")
done
/usr/bin/python3 - "$world" "${sync[*]}" "${local_[*]}" <<'PY'
import statistics, sys
world, s, l = sys.argv[1], list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
ms, ml = statistics.median(s), statistics.median(l)
print(f"SUMMARY world={world}: with all-reduce {ms:.1f} ms/step, without {ml:.1f} ms/step, overhead {ms-ml:.1f} ms ({(ms/ml-1)*100:.1f}%) (rounds: sync {s}, local {l})")
PY
