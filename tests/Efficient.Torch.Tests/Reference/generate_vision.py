"""Expected values for NN/VisionTests.cs: affine_grid and grid_sample (forward and the gradient
w.r.t. the input), computed by PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_vision.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(20261123)
torch.set_num_threads(1)


def enc(t):
    flat = t.detach().float().flatten().numpy()
    return {"dtype": "float32", "shape": list(t.shape), "data": [float(repr(np.float32(v))) for v in flat]}


def rnd(*shape):
    return torch.round(torch.randn(shape) * 1000) / 1000


cases = {}
theta = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]], [[1.0, 0.0, 0.35], [0.0, 1.0, 0.0]]])
x = rnd(2, 2, 4, 5)
gout = rnd(2, 2, 3, 4)
for ac in (False, True):
    grid = F.affine_grid(theta, [2, 2, 3, 4], align_corners=ac)
    cases[f"affine_grid_ac{int(ac)}"] = {"theta": enc(theta), "out": enc(grid)}
    for mode in ("bilinear", "nearest"):
        for pad in ("zeros", "border", "reflection"):
            xi = x.clone().requires_grad_()
            out = F.grid_sample(xi, grid, mode=mode, padding_mode=pad, align_corners=ac)
            (out * gout).sum().backward()
            cases[f"grid_sample_{mode}_{pad}_ac{int(ac)}"] = {
                "input": enc(x), "grid": enc(grid), "out": enc(out), "gout": enc(gout), "ginput": enc(xi.grad)}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vision.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(len(cases), "cases")
