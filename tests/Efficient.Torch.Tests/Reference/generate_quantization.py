"""Expected values for NN/QuantizationTests.cs: torch.fake_quantize_per_tensor_affine and
torch.fake_quantize_per_channel_affine (forward and the straight-through gradient w.r.t. the input),
computed by PyTorch 1.13. Run with /usr/bin/python3 (from any folder but the repository root):

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_quantization.py
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
x = rnd(3, 4, 5) * 3
gout = rnd(3, 4, 5)
# Values exactly half-way between two levels (round half to even) and outside the range.
x.view(-1)[:6] = torch.tensor([0.05, 0.15, -0.25, 12.0, -12.0, 0.35])
for name, scale, zp, qmin, qmax in (("quint8", 0.1, 10, 0, 255), ("qint8", 0.02, 0, -128, 127), ("qint4", 0.3, -2, -8, 7)):
    xi = x.clone().requires_grad_()
    out = torch.fake_quantize_per_tensor_affine(xi, scale, zp, qmin, qmax)
    (out * gout).sum().backward()
    cases[f"per_tensor_{name}"] = {"input": enc(x), "gout": enc(gout), "scale": scale, "zero_point": zp,
                                   "quant_min": qmin, "quant_max": qmax, "out": enc(out), "ginput": enc(xi.grad)}

scales = torch.tensor([0.05, 0.1, 0.02, 0.2])
for axis in (0, 1):
    n = x.shape[axis]
    s = scales[:n] if n <= 4 else torch.linspace(0.02, 0.1, n)
    zps = torch.tensor([0, 3, -5, 1][:n], dtype=torch.int32)
    xi = x.clone().requires_grad_()
    out = torch.fake_quantize_per_channel_affine(xi, s, zps, axis, -128, 127)
    (out * gout).sum().backward()
    cases[f"per_channel_axis{axis}"] = {"input": enc(x), "gout": enc(gout), "scale": enc(s), "zero_point": [int(v) for v in zps],
                                        "axis": axis, "quant_min": -128, "quant_max": 127, "out": enc(out), "ginput": enc(xi.grad)}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "quantization.json"), "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(len(cases), "cases")
