"""Expected values for Tensor/LinalgTests.cs: torch.linalg.svd (reduced and full) and svdvals,
computed by PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_linalg.py
"""
import json
import os

import numpy as np
import torch

torch.manual_seed(20261123)
torch.set_num_threads(1)


def enc(t):
    flat = t.detach().float().flatten().numpy()
    return {"dtype": "float32", "shape": list(t.shape), "data": [float(repr(np.float32(v))) for v in flat]}


def rnd(*shape):
    return torch.round(torch.randn(shape) * 1000) / 1000


cases = {}
for name, a in (("tall", rnd(5, 3)), ("wide", rnd(3, 6)), ("batch", rnd(2, 4, 4))):
    for full in (False, True):
        u, s, vh = torch.linalg.svd(a, full_matrices=full)
        cases[f"svd_{name}_full{int(full)}"] = {"a": enc(a), "u": enc(u), "s": enc(s), "vh": enc(vh)}
    cases[f"svdvals_{name}"] = {"a": enc(a), "s": enc(torch.linalg.svdvals(a))}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(len(cases), "cases")
