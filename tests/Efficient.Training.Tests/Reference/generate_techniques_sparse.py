"""References for the sparse-training tests (RigL, GyroDropout). Run with /usr/bin/python3
(PyTorch 1.13 from Debian, NumPy), from any folder:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_sparse.py

Writes techniques_sparse.json next to this file. Inputs are stored, so the C# tests do not depend on
PyTorch's random number generator.

RigL (Evci et al. 2020), re-implemented from the paper and the authors' TensorFlow code
(google-research/rigl: sparse_utils.get_sparsities_erdos_renyi, get_mask_random,
sparse_optimizers.SparseSETOptimizer._get_update_op / SparseRigLOptimizer.generic_mask_update):
 * erk: per-layer sparsities of the Erdos-Renyi-Kernel distribution (dense layers found iteratively),
   and the number of zeros floor(s * n) each layer's random mask gets.
 * drop_fraction: tf.train.cosine_decay(alpha, t, T_end) = alpha/2 (1 + cos(pi min(t, T_end) / T_end)).
 * update: one drop/grow step: top_k of |mask * w| keeps n_ones - n_prune (n_prune = int(n_ones * f)),
   the grow scores |dense grad| of the kept connections are lifted to min - 1, top_k picks n_prune to
   grow; grown connections that were inactive get weight 0 (grow_init 'zeros'). Distinct magnitudes
   and gradients, so top_k's order is unambiguous; the authors' 1e-5 drop noise is left out.

GyroDropout (Composer's composer/algorithms/gyro_dropout, Lee et al. 2022): the training forward of
GyroDropoutLayer for given pre-selected masks and picked indices:
 x * repeat_interleave(preselect_masks[pick_idx], B // tau, dim=0) / (1 - p), and the number of
 iterations between re-selections, int(iters_per_epoch * max_epoch / sigma) * tau.
"""
import json
import math
import os

import numpy as np
import torch

from reference_common import flat

torch.manual_seed(0)
torch.set_num_threads(1)
out = {}


# ---------------------------------------------------------------- RigL: ERK
def erk_sparsities(shapes, default_sparsity):
    """get_sparsities_erdos_renyi (include_kernel=True, erk_power_scale=1, no custom map)."""
    dense_layers = set()
    while True:
        divisor = 0
        rhs = 0
        raw = {}
        for i, shape in enumerate(shapes):
            n_param = np.prod(shape)
            n_zeros = int(np.floor(default_sparsity * n_param))
            if i in dense_layers:
                rhs -= n_zeros
            else:
                n_ones = n_param - n_zeros
                rhs += n_ones
                raw[i] = np.sum(shape) / np.prod(shape)
                divisor += raw[i] * n_param
        eps = rhs / divisor
        max_prob = np.max(list(raw.values()))
        if max_prob * eps > 1:
            for i, p in raw.items():
                if p == max_prob:
                    dense_layers.add(i)
        else:
            break
    return [0.0 if i in dense_layers else float(1.0 - eps * raw[i]) for i in range(len(shapes))]


erk_cases = []
for shapes, s in (
        ([[16, 3, 3, 3], [32, 16, 3, 3], [32, 32, 3, 3], [64, 32, 3, 3], [10, 256]], 0.9),
        ([[16, 3, 3, 3], [32, 16, 3, 3], [32, 32, 3, 3], [64, 32, 3, 3], [10, 256]], 0.5),
        ([[300, 784], [100, 300], [10, 100]], 0.8),
        ([[8, 4], [4, 8], [3, 4]], 0.3)):
    sp = erk_sparsities(shapes, s)
    erk_cases.append({"shapes": shapes, "sparsity": s, "sparsities": sp,
                      "zeros": [int(np.floor(x * np.prod(sh))) for x, sh in zip(sp, shapes)]})
out["rigl_erk"] = erk_cases


# ---------------------------------------------------------------- RigL: drop fraction
def cosine_decay(alpha, step, decay_steps):
    step = min(step, decay_steps)
    return alpha * 0.5 * (1 + math.cos(math.pi * step / decay_steps))


out["rigl_drop_fraction"] = {"alpha": 0.3, "end": 750,
                             "points": [[t, cosine_decay(0.3, t, 750)] for t in (0, 1, 100, 375, 500, 749)]}


# ---------------------------------------------------------------- RigL: one update
def rigl_update(weights, mask, grad, drop_fraction):
    """SparseRigLOptimizer.generic_mask_update + _get_update_op (noise left out)."""
    score_drop = (mask * weights).abs().reshape(-1)
    n_total = score_drop.numel()
    n_ones = int(mask.sum())
    n_prune = int(np.float32(n_ones) * np.float32(drop_fraction))
    n_keep = n_ones - n_prune
    _, sorted_idx = torch.topk(score_drop, k=n_total)
    mask1 = torch.zeros(n_total)
    mask1[sorted_idx[:n_keep]] = 1
    score_grow = grad.abs().reshape(-1)
    lifted = torch.where(mask1 == 1, torch.ones_like(mask1) * (score_grow.min() - 1), score_grow)
    _, sorted_idx = torch.topk(lifted, k=n_total)
    mask2 = torch.zeros(n_total)
    mask2[sorted_idx[:n_prune]] = 1
    assert float((mask1 * mask2).sum()) == 0
    mask2 = mask2.reshape(mask.shape)
    new_connections = (mask2 == 1) & (mask == 0)
    new_weights = torch.where(new_connections, torch.zeros_like(weights), weights)
    new_mask = (mask1.reshape(mask.shape) + mask2)
    return new_mask, new_weights * new_mask, int(new_connections.sum()), n_prune


updates = []
for shape, density, f in (([6, 8], 0.5, 0.3), ([4, 3, 2, 2], 0.25, 0.15), ([5, 7], 0.6, 0.3)):
    n = int(np.prod(shape))
    w = torch.randn(n)
    g = torch.randn(n)
    perm = torch.randperm(n)
    m = torch.zeros(n)
    m[perm[:int(round(density * n))]] = 1
    w, g, m = w.reshape(shape), g.reshape(shape), m.reshape(shape)
    w = w * m   # the weight holds its zeros itself, as in our adapter
    new_mask, new_w, grown, n_prune = rigl_update(w, m, g, f)
    updates.append({"shape": shape, "weight": flat(w), "gradient": flat(g), "mask": flat(m),
                    "drop_fraction": f, "new_mask": flat(new_mask), "new_weight": flat(new_w),
                    "grown": grown, "dropped": n_prune})
out["rigl_update"] = updates


# ---------------------------------------------------------------- GyroDropout
def gyro_forward(x, preselect_masks, pick_idx, p, tau):
    """GyroDropoutLayer.forward (training) for given masks and picked indices."""
    selected = preselect_masks[pick_idx]
    dropout_mask = torch.repeat_interleave(selected, x.shape[0] // tau, dim=0)
    return x * dropout_mask * (1 / (1 - p))


gyro = []
for batch, features, sigma, tau, p in ((8, 6, 5, 4, 0.5), (12, 5, 7, 3, 0.3)):
    x = torch.randn(batch, features)
    preselect = (torch.rand(sigma, features) > p).float()
    pick = torch.tensor(np.random.RandomState(batch).choice(sigma, tau))
    y = gyro_forward(x, preselect, pick, p, tau)
    gyro.append({"batch": batch, "features": features, "sigma": sigma, "tau": tau, "p": p,
                 "x": flat(x), "masks": flat(preselect), "indices": [int(i) for i in pick], "y": flat(y)})
out["gyro_forward"] = gyro
out["gyro_iterations"] = [
    {"iters_per_epoch": ipe, "max_epoch": ep, "sigma": s, "tau": t, "iterations": int(ipe * ep / s) * t}
    for ipe, ep, s, t in ((196, 100, 256, 16), (50, 10, 256, 16), (1000, 3, 64, 4), (391, 200, 512, 4))]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_sparse.json")
with open(path, "w") as fh:
    json.dump(out, fh)
print("wrote", path)
