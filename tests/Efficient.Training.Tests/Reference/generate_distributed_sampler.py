"""Reference shards for the DistributedSampler tests (run with /usr/bin/python3, torch 1.13).

Writes distributed_sampler.json next to this script: for each case, the indices PyTorch's
torch.utils.data.distributed.DistributedSampler gives every rank (after set_epoch).
"""
import json
import os

import torch
from torch.utils.data.distributed import DistributedSampler

cases = []
for n, world in [(10, 3), (12, 4), (7, 2), (2, 3)]:
    for shuffle in [True, False]:
        for drop_last in [False, True]:
            if drop_last and n < world:
                continue
            for epoch in [0, 3]:
                shards = []
                for rank in range(world):
                    s = DistributedSampler(list(range(n)), num_replicas=world, rank=rank, shuffle=shuffle, seed=5, drop_last=drop_last)
                    s.set_epoch(epoch)
                    shards.append(list(iter(s)))
                cases.append({"n": n, "world": world, "shuffle": shuffle, "drop_last": drop_last, "epoch": epoch, "seed": 5, "shards": shards})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "distributed_sampler.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
