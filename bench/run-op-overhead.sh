#!/usr/bin/env bash
# Per-op overhead: Efficient.Torch (C#) against PyTorch on the same libtorch.
#
# Builds the bench in Release, then runs the C# and the Python loop alternately (ROUNDS
# processes each, ours, python, ours, python, ...) so that background load hits both alike.
# Each process warms up, times REPEATS loops of OPS `a.add(b)` on 8-element float32 tensors
# (each result disposed) and reports its median ns/op; this script prints the median over the
# rounds for each idiom and the ratio ours / PyTorch (below 1 = faster than PyTorch).
#
# Usage: bench/run-op-overhead.sh            (environment: ROUNDS=5 OPS=100000 REPEATS=5
#                                              THREADS=1 SCOPE_SIZE=100 PYTHON=/usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
OPS=${OPS:-100000}
REPEATS=${REPEATS:-5}
THREADS=${THREADS:-1}
SCOPE_SIZE=${SCOPE_SIZE:-100}
PYTHON=${PYTHON:-/usr/bin/python3}

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "error: $PYTHON cannot import torch (apt-get install -y python3-torch, or set PYTHON=...)" >&2
    exit 1
fi

echo "Building bench/Efficient.Torch.Bench (Release) ..."
dotnet build bench/Efficient.Torch.Bench -c Release -nologo -v quiet >/dev/null
BENCH=bench/Efficient.Torch.Bench/bin/Release/net10.0/Efficient.Torch.Bench.dll

results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for round in $(seq 1 "$ROUNDS"); do
    echo "--- round $round/$ROUNDS"
    dotnet "$BENCH" op-overhead --ops "$OPS" --repeats "$REPEATS" --threads "$THREADS" --scope-size "$SCOPE_SIZE" \
        | tee -a "$results" | grep -v '^RESULT'
    "$PYTHON" bench/python/op_overhead.py --ops "$OPS" --repeats "$REPEATS" --threads "$THREADS" \
        | tee -a "$results" | grep -v '^RESULT'
done

echo "=== median over $ROUNDS rounds (each round: median of $REPEATS loops of $OPS ops), $THREADS thread(s)"
"$PYTHON" - "$results" "$SCOPE_SIZE" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("RESULT ")]
def values(impl, idiom):
    return [float(r[3]) for r in rows if r[1] == impl and r[2] == idiom]
py = values("pytorch", "loop")
print(f"  PyTorch  r = a.add(b)                   {statistics.median(py):8.1f} ns/op")
for idiom, label in (("using", "using var r = a.add(b)"), ("scope", f"dispose scope per {sys.argv[2]} ops")):
    ours = values("ours", idiom)
    # Ratio of the medians, and the median of the per-round ratios (each C# process is paired
    # with the Python process right after it, so both saw about the same background load).
    ratio = statistics.median(ours) / statistics.median(py)
    paired = statistics.median(o / p for o, p in zip(ours, py))
    print(f"  ours     {label:<30} {statistics.median(ours):8.1f} ns/op   ours/PyTorch {ratio:.2f} (per-round pairs: {paired:.2f})")
PY
