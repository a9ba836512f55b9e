"""Reference values for RandAugment's Equalize (run with /usr/bin/python3, torch 1.13).

Writes techniques_equalize.json next to this script. Equalize follows PIL's ImageOps.equalize
(the algorithm torchvision's F.equalize reproduces) on 8-bit levels, written here with plain
Python integers, one channel at a time, independently of the batched C# implementation:

    h = 256-bin histogram of the channel's levels q = floor(255 x)
    nonzero = [v for v in h if v]
    if len(nonzero) <= 1: identity
    step = (sum(nonzero) - nonzero[-1]) // 255
    if step == 0: identity
    n = step // 2; for i in 0..255: lut[i] = min(255, n // step); n += h[i]    (PIL clips to 8 bits)

The input is rebuilt exactly by the C# test: x = (sin(0.37 * i) + 1) / 2 over a flat arange,
reshaped to [3, 3, 32, 32]; image 1 channel 0 is the constant 0.5; image 2 channel 1 is 0.9 where
x > 0.5 and 0.1 elsewhere (two levels); image 2 channel 2 is x * x (a skewed histogram).
The output is the equalized levels (integers 0..255), flattened.
"""
import json
import math
import os

import torch
from reference_common import formula


x = (formula((3, 3, 32, 32)) + 1) / 2
x[1, 0] = 0.5
x[2, 1] = torch.where(x[2, 1] > 0.5, torch.tensor(0.9), torch.tensor(0.1))
x[2, 2] = x[2, 2] * x[2, 2]

q = (x.clamp(0, 1) * 255).floor().to(torch.int64)


def equalize_channel(levels):
    h = [0] * 256
    for v in levels:
        h[v] += 1
    nonzero = [v for v in h if v]
    if len(nonzero) <= 1:
        return list(levels)
    step = (sum(nonzero) - nonzero[-1]) // 255
    if step == 0:
        return list(levels)
    lut = []
    n = step // 2
    for i in range(256):
        lut.append(min(255, n // step))
        n += h[i]
    return [lut[v] for v in levels]


out_levels = []
for img in range(q.shape[0]):
    for ch in range(q.shape[1]):
        levels = q[img, ch].flatten().tolist()
        out_levels.extend(equalize_channel(levels))

out = {"shape": list(x.shape), "equalize_levels": out_levels}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_equalize.json"), "w") as fh:
    json.dump(out, fh)
