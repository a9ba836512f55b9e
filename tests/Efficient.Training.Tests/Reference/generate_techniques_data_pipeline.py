"""Reference values for the data-pipeline techniques (DataEchoing, BatchSizeRampUp).

Batch-size ramp-up: see the section below (Megatron-LM's linear ramp; Smith et al.'s milestones).

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


# ---------------------------------------------------------------------------------------------------
# Batch-size ramp-up.
#   Linear ramp, as Megatron-LM's RampupBatchsizeNumMicroBatches.update(consumed_samples) computes it
#   (megatron/core/num_microbatches_calculator.py; GPT-3's "increase the batch size linearly"):
#     num_increments = (global - start) / increment            (Megatron asserts divisibility; ceil here)
#     per_increment  = rampup / num_increments
#     size = global if consumed > rampup else start + int(consumed / per_increment) * increment
#   generalised from consumed samples to the run's clock in the ramp's unit: samples, steps, epochs
#   (completed epochs + samples done this epoch / samples per epoch), or a fraction of the max duration.
#   Milestones (Smith et al. 2018, Section 4: "increase the batch size by a factor at each point where the
#   learning rate would be decayed"): size = round_half_up(start * factor ** k), k = milestones reached, capped.
#   Each step takes the next `size` samples of the epoch's order (the last batch of an epoch holds what is left).
# ---------------------------------------------------------------------------------------------------
import math


def clock(unit, value_max, epoch, steps, samples, in_epoch, epoch_len):
    if unit == "sp":
        return float(samples)
    if unit == "ba":
        return float(steps)
    if unit == "ep":
        return epoch + in_epoch / epoch_len
    if unit == "dur":
        max_value, max_unit = value_max
        return clock(max_unit, None, epoch, steps, samples, in_epoch, epoch_len) / max_value
    raise ValueError(unit)


def megatron_size(consumed, rampup, start, full, increment):
    if consumed > rampup or full == start:
        return full
    num_increments = -(-(full - start) // increment)
    per_increment = rampup / num_increments
    return min(full, start + int(consumed / per_increment) * increment)


def smith_size(reached, start, factor, cap):
    size = math.floor(start * factor ** reached + 0.5)
    return size if cap is None else min(size, cap)


def ramp_case(name, orders, schedule, max_duration):
    steps, sizes, scheduled_sizes = [], [], []
    n_steps, n_samples = 0, 0
    for epoch, order in enumerate(orders):
        done = 0
        while done < len(order):
            t = lambda unit: clock(unit, max_duration, epoch, n_steps, n_samples, done, len(order))
            if schedule["kind"] == "linear":
                value, unit = schedule["ramp"]
                size = megatron_size(t(unit), value, schedule["start"], schedule["full"], schedule["increment"])
            else:
                reached = sum(1 for value, unit in schedule["milestones"] if t(unit) >= value)
                size = smith_size(reached, schedule["start"], schedule["factor"], schedule.get("cap"))
            scheduled_sizes.append(size)
            size = min(size, len(order) - done)
            steps.append(order[done:done + size])
            sizes.append(size)
            done += size
            n_steps += 1
            n_samples += size
    return {"name": name, "orders": orders, "schedule": schedule, "max": list(max_duration) if max_duration else None,
            "sizes": sizes, "scheduled": scheduled_sizes, "steps": steps}


g = torch.Generator().manual_seed(11)   # only to make the injected orders; they are stored
orders = [torch.randperm(40, generator=g).tolist() for _ in range(3)]
out["ramp"] = [
    ramp_case("linear over 48 samples, 4 to 16 by 4 (Megatron)", orders,
              {"kind": "linear", "start": 4, "full": 16, "increment": 4, "ramp": [48, "sp"]}, None),
    ramp_case("linear over 2 epochs, 2 to 12 by 3 (last increment capped)", orders,
              {"kind": "linear", "start": 2, "full": 12, "increment": 3, "ramp": [2, "ep"]}, None),
    ramp_case("linear over 0.25 of 100 steps, 3 to 9 by 1", orders,
              {"kind": "linear", "start": 3, "full": 9, "increment": 1, "ramp": [0.25, "dur"]}, (100, "ba")),
    ramp_case("milestones at 1ep and 2ep, factor 2 from 5 (Smith)", orders,
              {"kind": "milestones", "start": 5, "factor": 2.0, "milestones": [[1, "ep"], [2, "ep"]]}, None),
    ramp_case("milestones at 10ba and 60sp, factor 1.5 from 3, cap 6", orders,
              {"kind": "milestones", "start": 3, "factor": 1.5, "cap": 6, "milestones": [[10, "ba"], [60, "sp"]]}, None),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_data_pipeline.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print("wrote", path)
