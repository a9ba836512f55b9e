"""Reference trajectories for the Optimization techniques (EMA, SWA, SAM, gradient clipping),
computed with PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_optimization.py

Writes optimization.json next to this file. Everything is deterministic (no random numbers): the
initial weights and the data are sin() formulas that the C# tests rebuild, and the targets are
i mod 3. Model: Linear(4, 6) -> BatchNorm1d(6) -> ReLU -> Linear(6, 3), trained with SGD
(lr 0.1, momentum 0.9) and cross-entropy on batches of 4 samples taken in order.

- EMA (Composer's compute_ema, written here from the method): shadow = s * shadow + (1 - s) * w for
  parameters and floating-point buffers after every step, s = 0.5 ** (1 / half_life_batches);
  integer buffers (num_batches_tracked) are copied. The shadow starts as the initial weights.
- SWA: torch.optim.swa_utils.AveragedModel / SWALR / update_bn, the canonical recipe: from the
  end of epoch `start_epoch` on, after each epoch update the average then step SWALR; at the end
  update_bn over the training data and take the average as the final model.
- SAM (Foret et al. 2021, Composer's SAMOptimizer, written here): on steps where
  (step + 1) % interval == 0 (Composer counts global_step from 0 and tests it after adding one, so
  with interval k SAM runs on the k-th, 2k-th, ... step), e = rho * g / (||g|| + eps), w += e, recompute the gradients at w + e (a second forward
  and backward; BatchNorm running statistics are updated again, as in Composer), w -= e, then the
  base optimizer steps; on the other steps a plain step.
- Clipping: torch.nn.utils.clip_grad_norm_ / clip_grad_value_ and adaptive gradient clipping
  (Brock et al. 2021, Composer's _apply_agc) written here, on fixed weights and gradients.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn
from reference_common import flat, formula

torch.set_default_dtype(torch.float32)
out = {}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.fc2 = nn.Linear(6, 3)
        with torch.no_grad():
            self.fc1.weight.copy_(formula([6, 4], 0.37, 0.0, 0.5))
            self.fc1.bias.copy_(formula([6], 0.53, 1.0, 0.1))
            self.bn.weight.copy_(1.0 + formula([6], 0.71, 2.0, 0.2))
            self.bn.bias.copy_(formula([6], 0.29, 3.0, 0.1))
            self.fc2.weight.copy_(formula([3, 6], 0.43, 4.0, 0.5))
            self.fc2.bias.copy_(formula([3], 0.61, 5.0, 0.1))

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


N_SAMPLES, BATCH = 12, 4
X = formula([N_SAMPLES, 4], 0.7, 0.3, 1.5)
Y = torch.arange(N_SAMPLES) % 3
BATCHES = [(X[i:i + BATCH], Y[i:i + BATCH]) for i in range(0, N_SAMPLES, BATCH)]


def state_of(model):
    """Parameters and buffers by name, flattened (num_batches_tracked as a float)."""
    result = {}
    for name, p in model.named_parameters():
        result[name] = flat(p)
    for name, b in model.named_buffers():
        result[name] = flat(b.float())
    return result


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def plain_step(model, opt, x, y):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return float(loss)


common = {"samples": N_SAMPLES, "batch": BATCH, "x": flat(X), "y": Y.tolist()}
out["data"] = common
out["initial"] = state_of(Net())

# ---------------------------------------------------------------- EMA
HALF_LIFE = 2  # batches; update interval 1 batch
s = 0.5 ** (1.0 / HALF_LIFE)
model = Net()
opt = sgd(model)
shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}
ema = {"half_life_batches": HALF_LIFE, "smoothing": s, "steps": []}
for step in range(6):
    x, y = BATCHES[step % len(BATCHES)]
    loss = plain_step(model, opt, x, y)
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if value.is_floating_point():
                shadow[name].copy_(shadow[name] * s + value * (1.0 - s))
            else:
                shadow[name].copy_(value)
    ema["steps"].append({"loss": loss, "model": state_of(model),
                         "shadow": {k: flat(v.float()) for k, v in shadow.items()}})
out["ema"] = ema

# ---------------------------------------------------------------- SWA
EPOCHS, START_EPOCH, SWA_LR, ANNEAL = 4, 2, 0.05, 2
for strategy in ["cos", "linear"]:
    model = Net()
    opt = sgd(model)
    swa_model = AveragedModel(model)
    swa_scheduler = None
    swa = {"epochs": EPOCHS, "start_epoch": START_EPOCH, "swa_lr": SWA_LR, "anneal_epochs": ANNEAL,
           "anneal_strategy": strategy, "epochs_out": []}
    for epoch in range(EPOCHS):
        for x, y in BATCHES:
            plain_step(model, opt, x, y)
        if epoch + 1 >= START_EPOCH:
            if swa_scheduler is None:  # SWA starts: the schedule's first LR is the current one
                swa_scheduler = SWALR(opt, swa_lr=SWA_LR, anneal_epochs=ANNEAL, anneal_strategy=strategy)
            swa_model.update_parameters(model)
            swa_scheduler.step()
        swa["epochs_out"].append({
            "model": state_of(model),
            "average": {k: flat(p) for k, p in swa_model.module.named_parameters()},
            "n_averaged": int(swa_model.n_averaged),
            "lr": opt.param_groups[0]["lr"],
        })
    update_bn([x for x, _ in BATCHES], swa_model)
    swa["final"] = state_of(swa_model.module)
    out["swa_" + strategy] = swa

# ---------------------------------------------------------------- SAM
RHO, EPS, INTERVAL = 0.05, 1e-12, 2
model = Net()
opt = sgd(model)
sam = {"rho": RHO, "epsilon": EPS, "interval": INTERVAL, "steps": []}
for step in range(6):
    x, y = BATCHES[step % len(BATCHES)]
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    if (step + 1) % INTERVAL == 0:
        with torch.no_grad():
            params = [p for p in model.parameters() if p.grad is not None]
            grad_norm = torch.norm(torch.stack([p.grad.norm(p=2) for p in params]), p=2)
            scale = RHO / (grad_norm + EPS)
            perturbations = []
            for p in params:
                e = p.grad * scale
                p.add_(e)
                perturbations.append(e)
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        with torch.no_grad():
            for p, e in zip(params, perturbations):
                p.sub_(e)
    opt.step()
    sam["steps"].append({"loss": float(loss), "model": state_of(model)})
out["sam"] = sam

# ---------------------------------------------------------------- clipping


def fixed_grads():
    model = Net()
    for i, p in enumerate(model.parameters()):
        p.grad = formula(list(p.shape), 0.9 + 0.1 * i, float(i), 0.3 * (i + 1))
    return model


def unitwise_norm(t):
    if t.ndim <= 1:
        return torch.linalg.vector_norm(t, ord=2)
    return torch.linalg.vector_norm(t, ord=2, dim=tuple(range(1, t.ndim)), keepdim=True)


def agc(parameters, threshold, eps=1e-3):
    for p in parameters:
        if p.grad is None:
            continue
        w_norm = unitwise_norm(p.detach()).clamp(min=eps)
        g_norm = unitwise_norm(p.grad.detach())
        coeff = (w_norm * threshold / g_norm).nan_to_num(nan=1.0).clamp(max=1.0)
        p.grad.detach().mul_(coeff)


clip = {"grads": {k: flat(p.grad) for k, p in fixed_grads().named_parameters()}}
for max_norm in [0.5, 100.0]:
    m = fixed_grads()
    total = torch.nn.utils.clip_grad_norm_(m.parameters(), max_norm=max_norm)
    clip[f"norm_{max_norm}"] = {"total": float(total), "grads": {k: flat(p.grad) for k, p in m.named_parameters()}}
m = fixed_grads()
torch.nn.utils.clip_grad_value_(m.parameters(), clip_value=0.2)
clip["value_0.2"] = {"grads": {k: flat(p.grad) for k, p in m.named_parameters()}}
for threshold in [0.01, 0.3, 0.6]:
    m = fixed_grads()
    agc([p for n, p in m.named_parameters() if not n.startswith("fc2.")], threshold)  # final linear layer excluded
    clip[f"adaptive_{threshold}"] = {"grads": {k: flat(p.grad) for k, p in m.named_parameters()}}
    m = fixed_grads()
    agc(list(m.parameters()), threshold)
    clip[f"adaptive_all_{threshold}"] = {"grads": {k: flat(p.grad) for k, p in m.named_parameters()}}
# A 4-D (convolution-shaped) weight: unit-wise norms over all but the first dimension.
conv = nn.Parameter(formula([3, 2, 2, 2], 0.33, 0.5, 0.4))
conv.grad = formula([3, 2, 2, 2], 0.77, 1.5, 2.0)
agc([conv], 0.1)
clip["adaptive_conv"] = {"weight": flat(conv), "grad_in": flat(formula([3, 2, 2, 2], 0.77, 1.5, 2.0)),
                         "threshold": 0.1, "grad": flat(conv.grad)}
out["clipping"] = clip

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimization.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
