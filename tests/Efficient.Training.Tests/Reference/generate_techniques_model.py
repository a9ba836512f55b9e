"""Reference values for the Model techniques of part B (GhostBatchNorm, Factorize,
WeightStandardization, LowPrecisionLayerNorm/GroupNorm), computed with PyTorch 1.13. Run with
/usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_model.py

Writes techniques_model.json next to this file. Inputs and initial weights are stored too, so the
C# tests do not depend on PyTorch's random number generator. Each tensor is stored flat
(row-major) with its shape under "<name>_shape"."""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize

torch.manual_seed(0)
torch.set_num_threads(1)
out = {}


def put(section, name, t):
    t = t.detach()
    section[name] = [float(v) for v in t.float().reshape(-1).tolist()]
    section[name + "_shape"] = list(t.shape)


# ---- GhostBatchNorm: Composer's _GhostBatchNorm.forward, verbatim in behaviour --------------
def ghost_forward(bn, x, ghost_batch_size):
    nchunks = int(math.ceil(x.shape[0] / ghost_batch_size))
    has_momentum = bn.momentum is not None
    original_momentum = bn.momentum
    if bn.training and has_momentum:
        bn.momentum = float(original_momentum) / nchunks
    normalized = [bn(chunk) for chunk in x.chunk(nchunks, 0)]
    if bn.training and has_momentum:
        bn.momentum = original_momentum
    return torch.cat(normalized, dim=0)


def ghost_case(bn, shape, ghost):
    s = {"ghost_batch_size": ghost}
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.num_features) + 0.5)
        bn.bias.copy_(torch.randn(bn.num_features))
    put(s, "weight", bn.weight)
    put(s, "bias", bn.bias)
    for step in (1, 2):
        x = torch.randn(shape) * 2 + 1
        g = torch.randn(shape)
        bn.zero_grad()
        y = ghost_forward(bn, x, ghost)
        (y * g).sum().backward()
        put(s, f"x{step}", x)
        put(s, f"g{step}", g)
        put(s, f"y{step}", y)
        put(s, f"grad_weight{step}", bn.weight.grad)
        put(s, f"grad_bias{step}", bn.bias.grad)
        put(s, f"running_mean{step}", bn.running_mean)
        put(s, f"running_var{step}", bn.running_var)
        s[f"num_batches_tracked{step}"] = int(bn.num_batches_tracked)
    bn.eval()
    x = torch.randn(shape)
    put(s, "x_eval", x)
    put(s, "y_eval", ghost_forward(bn, x, ghost))
    return s


# BatchNorm2d, momentum 0.1, batch 10 in ghost batches of 4: torch.chunk gives 4, 4, 2.
out["ghost_bn2d"] = ghost_case(nn.BatchNorm2d(3, momentum=0.1), (10, 3, 2, 2), 4)
# BatchNorm1d with a cumulative average (momentum None), batch 8 in ghost batches of 3: 3, 3, 2.
out["ghost_bn1d_cumulative"] = ghost_case(nn.BatchNorm1d(3, momentum=None), (8, 3), 3)

# ---- Factorize: truncated SVD (float64) of the flattened weight -----------------------------
def low_rank(w, rank):
    m = w.reshape(w.shape[0], -1).double()
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return ((u[:, :rank] * s[:rank]) @ vh[:rank]).float().reshape(w.shape)


conv = nn.Conv2d(6, 5, 3, stride=2, padding=1)
x = torch.randn(2, 6, 7, 7)
s = {}
put(s, "weight", conv.weight)
put(s, "bias", conv.bias)
put(s, "x", x)
put(s, "y_full", conv(x))
for rank in (2, 4):
    put(s, f"y_rank{rank}", F.conv2d(x, low_rank(conv.weight, rank), conv.bias, stride=2, padding=1))
put(s, "singular_values", torch.linalg.svdvals(conv.weight.reshape(5, -1)))
out["factorize_conv"] = s

linear = nn.Linear(7, 6)
x = torch.randn(4, 7)
s = {}
put(s, "weight", linear.weight)
put(s, "bias", linear.bias)
put(s, "x", x)
put(s, "y_full", linear(x))
for rank in (1, 3):
    put(s, f"y_rank{rank}", F.linear(x, low_rank(linear.weight, rank), linear.bias))
out["factorize_linear"] = s

# ---- WeightStandardization: Composer's parametrization ------------------------------------
class WeightStandardizer(nn.Module):
    def forward(self, W):
        reduce_dims = list(range(1, W.dim()))
        W_var, W_mean = torch.var_mean(W, dim=reduce_dims, keepdim=True, unbiased=False)
        return (W - W_mean) / (torch.sqrt(W_var + 1e-5))


def ws_case(conv, x):
    s = {}
    with torch.no_grad():
        conv.weight.mul_(3).add_(0.2)
    put(s, "weight", conv.weight)
    if conv.bias is not None:
        put(s, "bias", conv.bias)
    put(s, "x", x)
    parametrize.register_parametrization(conv, "weight", WeightStandardizer())
    g = torch.randn(conv(x).shape)
    y = conv(x)
    (y * g).sum().backward()
    put(s, "g", g)
    put(s, "y", y)
    put(s, "standardized", conv.weight)
    put(s, "grad_weight", conv.parametrizations.weight.original.grad)
    if conv.bias is not None:
        put(s, "grad_bias", conv.bias.grad)
    return s


out["ws_conv"] = ws_case(nn.Conv2d(3, 4, 3, padding=1), torch.randn(2, 3, 5, 5))
out["ws_conv_strided_reflect"] = ws_case(nn.Conv2d(2, 3, 3, stride=2, padding=1, padding_mode="reflect", bias=False), torch.randn(2, 2, 6, 6))

# ---- Low-precision LayerNorm / GroupNorm: the bf16 computation Composer's LP norms run --------
s = {}
ln = nn.LayerNorm(6)
with torch.no_grad():
    ln.weight.copy_(torch.rand(6) + 0.5)
    ln.bias.copy_(torch.randn(6))
x = torch.randn(3, 4, 6) * 3
put(s, "weight", ln.weight)
put(s, "bias", ln.bias)
put(s, "x", x)
put(s, "y_fp32", ln(x))
put(s, "y_bf16", F.layer_norm(x.bfloat16(), (6,), ln.weight.bfloat16(), ln.bias.bfloat16(), ln.eps))
out["lp_layer_norm"] = s

s = {}
gn = nn.GroupNorm(2, 4)
with torch.no_grad():
    gn.weight.copy_(torch.rand(4) + 0.5)
    gn.bias.copy_(torch.randn(4))
x = torch.randn(3, 4, 5) * 3
put(s, "weight", gn.weight)
put(s, "bias", gn.bias)
put(s, "x", x)
put(s, "y_fp32", gn(x))
put(s, "y_bf16", F.group_norm(x.bfloat16(), 2, gn.weight.bfloat16(), gn.bias.bfloat16(), gn.eps))
out["lp_group_norm"] = s

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_model.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(", ".join(out))
