#!/usr/bin/python3
"""Per-op overhead in PyTorch: the loop that `Efficient.Torch.Bench op-overhead` times.

A loop of small ops (``a.add(b)`` on 8-element float32 tensors); each result is released as
soon as the next one replaces it (reference counting), which is what ``using var r = a.add(b)``
does in C#. Prints a human-readable line per setting and a ``RESULT pytorch <idiom> <ns/op>``
line that bench/run-op-overhead.sh reads.

Run with the interpreter that has torch: /usr/bin/python3 bench/python/op_overhead.py
"""
import argparse
import statistics
import sys
import time

import torch


def loop(a, b, ops):
    """Times one loop of `ops` ops; returns nanoseconds per op."""
    start = time.perf_counter_ns()
    for _ in range(ops):
        r = a.add(b)  # noqa: F841  (the previous result is freed here)
    del r
    return (time.perf_counter_ns() - start) / ops


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", type=int, default=100_000, help="ops per timed loop (default 100000)")
    p.add_argument("--repeats", type=int, default=5, help="timed loops after warm-up (default 5)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up loops (default 3)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    args = p.parse_args()
    for name in ("ops", "repeats", "warmup", "threads"):
        if getattr(args, name) < 1:
            p.error(f"--{name}: expected a positive integer, got {getattr(args, name)}")

    torch.set_num_threads(args.threads)
    a = torch.ones(8)
    b = torch.ones(8)
    print(f"op-overhead (PyTorch): {args.ops} x a.add(b), float32[8], {torch.get_num_threads()} thread(s), "
          f"torch {torch.__version__}, Python {sys.version.split()[0]}")

    for _ in range(args.warmup):
        loop(a, b, args.ops)
    samples = [loop(a, b, args.ops) for _ in range(args.repeats)]

    med = statistics.median(samples)
    print(f"  {'del/rebind':<10} median {med:8.1f} ns/op   (min {min(samples):8.1f}, max {max(samples):8.1f}, "
          f"{len(samples)} loops)")
    print(f"RESULT pytorch loop {med:.1f}")


if __name__ == "__main__":
    main()
