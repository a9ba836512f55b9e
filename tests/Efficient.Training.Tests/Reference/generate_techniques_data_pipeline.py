"""Reference values for the data-pipeline techniques (DataEchoing, BatchSizeRampUp).

Run with /usr/bin/python3 (Debian's torch 1.13); writes techniques_data_pipeline.json next to this script.
Everything here is integer bookkeeping, re-implemented from the papers' definitions as pipeline stages,
with the randomness injected (explicit echo counts and permutations), so the C# tests compare exactly.

Data echoing (Choi, Passos, Shallue, Dahl 2019, "Faster Neural Network Training with Data Echoing"),
written as the paper's tf.data pipeline stages on Python lists:
  batch echoing:   read batch -> repeat it e times          (dataset.flat_map(lambda b: repeat(b, e)))
  example echoing: unbatch -> repeat each example e times   (flat_map(lambda x: repeat(x, e)))
                   -> shuffle (here: one injected permutation per buffer of fresh batches)
                   -> batch (sizes of the fresh batches, each used e times)
A fractional echo factor repeats an item floor(e) times plus once more with probability e - floor(e);
the draws are injected as explicit per-batch counts.
"""
import json
import os

import torch


def stream_of_batches(sizes):
    """The fresh batches of an epoch as lists of positions in the epoch's example stream."""
    batches, offset = [], 0
    for s in sizes:
        batches.append(list(range(offset, offset + s)))
        offset += s
    return batches


def batch_echoing(sizes, counts):
    out = []
    for batch, c in zip(stream_of_batches(sizes), counts):
        for _ in range(c):          # the echo stage after batching: the same batch, c times in a row
            out.append(list(batch))
    return out


def example_echoing(sizes, counts, buffer_batches, permutations):
    fresh = stream_of_batches(sizes)
    out = []
    for w in range(0, len(fresh), buffer_batches):
        window = fresh[w:w + buffer_batches]
        window_counts = counts[w:w + buffer_batches]
        # unbatch, then the echo stage before batching: each example c times in a row
        echoed = [x for batch, c in zip(window, window_counts) for x in batch for _ in range(c)]
        perm = permutations[w // buffer_batches]
        assert sorted(perm) == list(range(len(echoed)))
        shuffled = [echoed[p] for p in perm]                 # torch convention: out[k] = stream[perm[k]]
        # re-batch: the batch sizes of the fresh batches, each used c times
        k = 0
        for batch, c in zip(window, window_counts):
            for _ in range(c):
                out.append(shuffled[k:k + len(batch)])
                k += len(batch)
        assert k == len(shuffled)
    return out


def echo_case(name, sizes, counts, buffer_batches, perm_seed):
    g = torch.Generator().manual_seed(perm_seed)   # only to make the injected permutations; they are stored
    fresh = stream_of_batches(sizes)
    perms = []
    for w in range(0, len(fresh), buffer_batches):
        n = sum(len(b) * c for b, c in zip(fresh[w:w + buffer_batches], counts[w:w + buffer_batches]))
        perms.append(torch.randperm(n, generator=g).tolist())
    return {
        "name": name,
        "sizes": sizes,
        "counts": counts,
        "buffer_batches": buffer_batches,
        "permutations": perms,
        "batch": batch_echoing(sizes, counts),
        "example": example_echoing(sizes, counts, buffer_batches, perms),
    }


out = {"torch": torch.__version__}
out["echoing"] = [
    echo_case("whole factor 2, full buffers", [4, 4, 4, 4], [2, 2, 2, 2], 2, 1),
    echo_case("whole factor 3, short last batch and buffer", [5, 5, 5, 2], [3, 3, 3, 3], 3, 2),
    echo_case("fractional factor 1.5 (injected counts)", [3, 3, 3, 3, 1], [1, 2, 2, 1, 2], 2, 3),
    echo_case("one buffer for the epoch", [2, 2, 2], [2, 2, 2], 8, 4),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_data_pipeline.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print("wrote", path)
