"""Reference values for ModelGrowth (Net2Net: Chen, Goodfellow, Shlens 2016, "Net2Net: Accelerating
Learning via Knowledge Transfer", Sections 2.2-2.3), re-implemented from the paper with PyTorch 1.13.
Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_growth.py

Writes techniques_growth.json next to this file. A small convolution pair
conv A (3->4, 3x3, bias) -> BatchNorm(4) -> ReLU -> conv B (4->5, 3x3, bias) is stored with its
weights, BatchNorm statistics and an input, so the C# tests do not depend on PyTorch's generator.

Net2WiderNet (paper, eq. 6-7): with a random mapping g (g(j) = j for j < n, uniform over the old
units otherwise), the wider layer's incoming weights are U_new[:, j] = U[:, g(j)] (here: the output
channels of A and the BatchNorm's per-channel parameters and statistics), and the next layer's
weights are V_new[k, j] = V[k, g(j)] / |{x : g(x) = g(j)}|.
Net2DeeperNet (paper, Section 2.3): a new layer initialised to the identity (a conv whose kernel is
the identity at its centre); with BatchNorm, its scale and shift undo the normalisation of the
statistics of the layer's input, estimated on data.

The gradients of the grown network at the grown weights are also stored: ModelGrowth carries an
optimizer's state as the image of the gradient under growth, which must equal these."""
import json
import os

import torch
import torch.nn.functional as F
from reference_common import flat

torch.manual_seed(20261202)
EPS = 1e-5

x = torch.randn(2, 3, 5, 5)
wa = torch.randn(4, 3, 3, 3) * 0.3
ba = torch.randn(4) * 0.1
gamma = 1 + torch.randn(4) * 0.2
beta = torch.randn(4) * 0.1
rmean = torch.randn(4) * 0.1
rvar = 1 + torch.rand(4) * 0.5
wb = torch.randn(5, 4, 3, 3) * 0.3
bb = torch.randn(5) * 0.1
r = torch.randn(2, 5, 5, 5)  # loss = sum(output * r)
g = [0, 1, 2, 3, 1, 3, 1]     # 4 -> 7 channels: channel 1 three times, channel 3 twice


def pair(x, wa, ba, gamma, beta, rmean, rvar, wb, bb, training):
    h = F.conv2d(x, wa, ba, padding=1)
    h = F.batch_norm(h, rmean.clone(), rvar.clone(), gamma, beta, training=training, eps=EPS)
    h = F.relu(h)
    return F.conv2d(h, wb, bb, padding=1)


def net2wider(wa, ba, gamma, beta, rmean, rvar, wb, g):
    idx = torch.tensor(g)
    counts = torch.bincount(idx, minlength=wa.shape[0]).to(torch.float32)
    return (wa[idx], ba[idx], gamma[idx], beta[idx], rmean[idx], rvar[idx],
            wb[:, idx] / counts[idx].view(1, -1, 1, 1))


out = {"input": flat(x), "input_shape": list(x.shape), "wa": flat(wa), "ba": flat(ba), "gamma": flat(gamma),
       "beta": flat(beta), "running_mean": flat(rmean), "running_var": flat(rvar), "wb": flat(wb), "bb": flat(bb),
       "loss_weights": flat(r), "mapping": g, "eps": EPS}

small = [wa, ba, gamma, beta, rmean, rvar, wb, bb]
wide = list(net2wider(wa, ba, gamma, beta, rmean, rvar, wb, g)) + [bb]
for mode, training in (("eval", False), ("train", True)):
    out[f"output_{mode}"] = flat(pair(x, *small, training=training))
    out[f"wider_output_{mode}"] = flat(pair(x, *wide, training=training))
for name, t in zip(["wa", "ba", "gamma", "beta", "running_mean", "running_var", "wb"], wide):
    out[f"wider_{name}"] = flat(t)

# Gradients (evaluation mode) of the small and the wider network at their weights.
def grads(params):
    ps = [p.clone().requires_grad_(i in (0, 1, 2, 3, 6, 7)) for i, p in enumerate(params)]
    loss = (pair(x, *ps, training=False) * r).sum()
    loss.backward()
    return {name: ps[i].grad for i, name in ((0, "wa"), (1, "ba"), (2, "gamma"), (3, "beta"), (6, "wb"), (7, "bb"))}

for name, grad in grads(small).items():
    out[f"grad_{name}"] = flat(grad)
for name, grad in grads(wide).items():
    out[f"wider_grad_{name}"] = flat(grad)

# Net2DeeperNet after the ReLU: identity 3x3 conv (bias 0), BatchNorm undoing the normalisation, ReLU.
def identity_conv(c, k=3):
    w = torch.zeros(c, c, k, k)
    for i in range(c):
        w[i, i, k // 2, k // 2] = 1.0
    return w


def deeper(x, mu, var, training):
    h = F.relu(F.batch_norm(F.conv2d(x, wa, ba, padding=1), rmean.clone(), rvar.clone(), gamma, beta, training=False, eps=EPS))
    h = F.conv2d(h, identity_conv(4), torch.zeros(4), padding=1)
    h = F.batch_norm(h, mu.clone(), var.clone(), torch.sqrt(var + EPS), mu, training=training, eps=EPS)
    h = F.relu(h)
    return F.conv2d(h, wb, bb, padding=1)


act = F.relu(F.batch_norm(F.conv2d(x, wa, ba, padding=1), rmean, rvar, gamma, beta, training=False, eps=EPS))
mu = act.mean(dim=(0, 2, 3))
var = act.var(dim=(0, 2, 3), unbiased=False)
out["deeper_output_eval"] = flat(deeper(x, torch.zeros(4), torch.ones(4), training=False))
out["deeper_calibrated_output_eval"] = flat(deeper(x, mu, var, training=False))
out["deeper_calibrated_output_train"] = flat(deeper(x, mu, var, training=True))
out["deeper_mean"] = flat(mu)
out["deeper_var"] = flat(var)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_growth.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
