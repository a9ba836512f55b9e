"""PyTorch 1.13 references for the compression tests (MagnitudePruning, QuantizationAwareTraining).
Run with /usr/bin/python3 (from any folder but the repository root):

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_compression.py

Writes techniques_compression.json next to this file. Inputs are stored, so the C# tests do not
depend on PyTorch's random number generator.
 * pruning_local / pruning_global: masks of torch.nn.utils.prune.l1_unstructured (per tensor) and
   global_unstructured(L1Unstructured) on distinct magnitudes (ties are tested by hand in C#).
 * observer: MovingAverageMinMaxObserver(averaging_constant=0.01, quint8, per_tensor_affine) over 5 batches:
   min, max, scale and zero point after each.
 * weight_qparams: MinMaxObserver / PerChannelMinMaxObserver (qint8, symmetric and affine) on one weight.
 * qat_linear: one forward/backward of a Linear under PyTorch eager QAT (per-channel symmetric qint8
   weight FakeQuantize, quint8 MovingAverageMinMaxObserver FakeQuantize on the output).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.utils.prune as prune
from torch.ao.quantization import (FakeQuantize, MinMaxObserver, MovingAverageMinMaxObserver,
                                   PerChannelMinMaxObserver)
from reference_common import flat

torch.manual_seed(0)
torch.set_num_threads(1)
out = {}


def modules():
    a = nn.Linear(5, 4)
    b = nn.Conv2d(2, 3, 2)
    c = nn.Linear(5, 2, bias=False)
    weights = [torch.randn(4, 5), torch.randn(3, 2, 2, 2), torch.randn(2, 5)]
    for m, w in zip((a, b, c), weights):
        with torch.no_grad():
            m.weight.copy_(w)
    return (a, b, c), weights


(a, b, c), weights = modules()
for m, amount in ((a, 0.3), (b, 0.3), (c, 0.25)):  # 0.25 * 10 = 2.5 rounds half to even: 2
    prune.l1_unstructured(m, "weight", amount=amount)
out["pruning_local"] = {
    "shapes": [list(w.shape) for w in weights], "weights": [flat(w) for w in weights],
    "amounts": [0.3, 0.3, 0.25], "masks": [flat(m.weight_mask) for m in (a, b, c)]}

(a, b, c), weights = modules()
prune.global_unstructured([(a, "weight"), (b, "weight"), (c, "weight")], pruning_method=prune.L1Unstructured, amount=0.45)
out["pruning_global"] = {
    "shapes": [list(w.shape) for w in weights], "weights": [flat(w) for w in weights],
    "amount": 0.45, "masks": [flat(m.weight_mask) for m in (a, b, c)]}

# Observer trajectory.
obs = MovingAverageMinMaxObserver(averaging_constant=0.01)
batches, traj = [], []
for k in range(5):
    x = torch.randn(4, 6) * (1 + 0.5 * k) + 0.3 * k
    obs(x)
    s, z = obs.calculate_qparams()
    batches.append(flat(x))
    traj.append({"min": float(obs.min_val), "max": float(obs.max_val), "scale": float(s), "zero_point": int(z)})
out["observer"] = {"shape": [4, 6], "batches": batches, "trajectory": traj}

# All-positive and all-negative ranges (the range is widened to include 0).
special = []
for lo, hi in ((0.5, 3.0), (-2.0, -0.25), (0.0, 0.0), (-1.0, 1e-3)):
    o = MinMaxObserver()
    o(torch.tensor([lo, hi]))
    s, z = o.calculate_qparams()
    o2 = MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    o2(torch.tensor([lo, hi]))
    s2, z2 = o2.calculate_qparams()
    special.append({"min": lo, "max": hi, "affine_scale": float(s), "affine_zero_point": int(z),
                    "symmetric_scale": float(s2), "symmetric_zero_point": int(z2)})
out["qparams"] = special

w = torch.randn(4, 3, 2, 2) * torch.tensor([0.1, 1.0, 3.0, 0.5]).view(4, 1, 1, 1)
wq = {"shape": list(w.shape), "weight": flat(w)}
for name, make, per_channel in (
        ("per_tensor_symmetric", lambda: MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric), False),
        ("per_tensor_affine", lambda: MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_affine), False),
        ("per_channel_symmetric", lambda: PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric), True),
        ("per_channel_affine", lambda: PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_affine), True)):
    o = make()
    o(w)
    s, z = o.calculate_qparams()
    wi = w.clone().requires_grad_()
    if per_channel:
        fq = torch.fake_quantize_per_channel_affine(wi, s.float(), z.int(), 0, -128, 127)
    else:
        fq = torch.fake_quantize_per_tensor_affine(wi, float(s), int(z), -128, 127)
    fq.sum().backward()
    wq[name] = {"scale": flat(s.float().reshape(-1)), "zero_point": [int(v) for v in z.reshape(-1).tolist()], "out": flat(fq), "grad": flat(wi.grad)}
out["weight_qparams"] = wq

# One step of a Linear under PyTorch eager QAT.
weight_fq = FakeQuantize(observer=PerChannelMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
                         qscheme=torch.per_channel_symmetric, ch_axis=0)
act_fq = FakeQuantize(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, dtype=torch.quint8,
                      qscheme=torch.per_tensor_affine, averaging_constant=0.01)
lin = nn.Linear(5, 4)
x = torch.randn(6, 5).requires_grad_()
gout = torch.randn(6, 4)
y = act_fq(torch.nn.functional.linear(x, weight_fq(lin.weight), lin.bias))
(y * gout).sum().backward()
out["qat_linear"] = {"weight": flat(lin.weight), "bias": flat(lin.bias), "input": flat(x), "gout": flat(gout),
                     "out": flat(y), "ginput": flat(x.grad), "gweight": flat(lin.weight.grad), "gbias": flat(lin.bias.grad),
                     "activation_min": float(act_fq.activation_post_process.min_val),
                     "activation_max": float(act_fq.activation_post_process.max_val)}

# The cubic schedule (Zhu & Gupta), by the formula: start 2, end 10, s_i 0.1, s_f 0.8.
sched = []
for t in [0, 1, 2, 3, 4.5, 6, 9, 10, 12]:
    s = 0.0 if t < 2 else 0.8 if t >= 10 else 0.8 + (0.1 - 0.8) * (1 - (t - 2) / 8) ** 3
    sched.append([t, s])
out["schedule"] = {"start": 2, "end": 10, "initial": 0.1, "final": 0.8, "points": sched}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_compression.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote", list(out))
