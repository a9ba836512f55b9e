"""Reference values for the Model-block techniques (BlurPool, SqueezeExcite), computed with
PyTorch 1.13 following Composer's implementations. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_model_cnn.py

Writes techniques_model_cnn.json next to this file. Inputs and weights are stored too, so the C# tests
do not depend on PyTorch's random number generator."""
import json
import os

import torch
import torch.nn.functional as F
from reference_common import flat

torch.manual_seed(0)
out = {}


# Composer's _default_2d_filter and blur_2d: depthwise conv2d (groups=C) with 'same' padding.
filt = torch.tensor([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]], dtype=torch.float32) / 16.0


def blur_2d(x, stride=1, f=filt):
    c = x.shape[1]
    return F.conv2d(x, f.repeat(c, 1, 1, 1), stride=stride, padding=(f.shape[2] // 2, f.shape[3] // 2), groups=c)


def blurmax_pool2d(x, kernel_size, stride, padding=0):
    maxs = F.max_pool2d(x, kernel_size=kernel_size, stride=1, padding=padding)
    return blur_2d(maxs, stride=stride)


x = torch.randn(2, 3, 7, 6)
out["blur_2d"] = {
    "input": flat(x), "shape": list(x.shape), "filter": flat(filt),
    "stride1": flat(blur_2d(x, 1)), "stride1_shape": list(blur_2d(x, 1).shape),
    "stride2": flat(blur_2d(x, 2)), "stride2_shape": list(blur_2d(x, 2).shape),
}

x = torch.randn(2, 3, 8, 8)
a = blurmax_pool2d(x, 2, 2)
b = blurmax_pool2d(x, 3, 2, padding=1)
out["blurmax_pool2d"] = {
    "input": flat(x), "shape": list(x.shape),
    "k2s2": flat(a), "k2s2_shape": list(a.shape),
    "k3s2p1": flat(b), "k3s2p1_shape": list(b.shape),
}

# Composer's BlurConv2d: blur_first -> blur(stride 1) then conv(stride); else conv(stride 1) then blur(stride).
x = torch.randn(2, 4, 9, 9)
w = torch.randn(5, 4, 3, 3) * 0.2
bias = torch.randn(5) * 0.1
first = F.conv2d(blur_2d(x, 1), w, bias, stride=2, padding=1)
after = blur_2d(F.conv2d(x, w, bias, stride=1, padding=1), 2)
plain = F.conv2d(x, w, bias, stride=2, padding=1)
out["blur_conv2d"] = {
    "input": flat(x), "weight": flat(w), "bias": flat(bias),
    "blur_first": flat(first), "blur_first_shape": list(first.shape),
    "blur_after": flat(after), "blur_after_shape": list(after.shape),
    "plain": flat(plain),
}

# Composer's SqueezeExcite2d: AdaptiveAvgPool2d(1) -> Linear(C, L, bias=False) -> ReLU -> Linear(L, C, bias=False) -> Sigmoid.
x = torch.randn(2, 6, 4, 5)
w1 = torch.randn(3, 6) * 0.5
w2 = torch.randn(6, 3) * 0.5
se = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                         torch.nn.Linear(6, 3, bias=False), torch.nn.ReLU(),
                         torch.nn.Linear(3, 6, bias=False), torch.nn.Sigmoid())
with torch.no_grad():
    se[2].weight.copy_(w1)
    se[4].weight.copy_(w2)
    y = x * se(x).reshape(2, 6, 1, 1)
# SqueezeExciteConv2d: conv then SE over its output channels.
cw = torch.randn(6, 2, 3, 3) * 0.3
xc = torch.randn(2, 2, 4, 5)
with torch.no_grad():
    h = F.conv2d(xc, cw, None, padding=1)
    yc = h * se(h).reshape(2, 6, 1, 1)
out["squeeze_excite"] = {
    "input": flat(x), "w1": flat(w1), "w2": flat(w2), "output": flat(y),
    "conv_input": flat(xc), "conv_weight": flat(cw), "conv_output": flat(yc),
}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_model_cnn.json"), "w") as fh:
    json.dump(out, fh)
