"""Reference values for LARS, LARC and layer-wise learning-rate decay, with PyTorch 1.13. Run with
/usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_optim.py

Writes techniques_optim.json next to this file.

* lars: the LARS optimizer of You, Gitman & Ginsburg (2017), Algorithm 1, written from the paper:
  local LR λ = η‖w‖/(‖∇L(w)‖ + β‖w‖) (+ eps; 1 when a norm is 0), v ← m·v + γ·λ·(∇L(w) + β·w),
  w ← w − v; with exclude_1d, 1-D tensors take v ← m·v + γ·∇L(w) (SimCLR/BYOL's exclusion of
  biases and norms). Fixed weights, fixed gradients, a changing LR γ. Checked here against
  torch.optim.SGD on the pre-scaled gradient λ·(g + β·w) when γ is constant (then the paper's v is
  γ times torch's buffer).
* larc: NVIDIA apex's LARC wrapper (apex/parallel/LARC.py), re-implemented from its published
  update around torch.optim.SGD (momentum) and torch.optim.Adam: it takes the group's weight decay
  over, adds it to the gradient, multiplies by trust·‖p‖/(‖g‖ + ‖p‖·wd + eps) (Clip: min(that / lr, 1)),
  skipping tensors whose weight or gradient norm is 0; optionally skipping 1-D tensors.
* llrd: layer-wise LR decay (Clark et al. 2020, ELECTRA): a tiny encoder-like model
  (embeddings.token, layers.0..2, head) trained 5 steps with torch param groups at
  lr·decay^(L+1−depth), depth = 0 for embeddings, i+1 for layers.i, L+1 = 4 for the head; SGD with
  momentum and AdamW. The weights after each step are stored.
"""
import json
import math
import os

import torch
from reference_common import flat, formula

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)

STEPS = 5
SHAPES = [(3, 4), (3,), (2, 3)]
W0 = [torch.randn(3, 4), torch.randn(3), torch.zeros(2, 3)]    # a zero weight: the ‖w‖ = 0 branch
GRADS = [[torch.randn(*s) for s in SHAPES] for _ in range(STEPS)]
LRS = [0.5, 0.5, 0.3, 0.01, 0.01]


def norm(t):
    return torch.linalg.vector_norm(t)


# ---------------------------------------------------------------- LARS (the paper's Algorithm 1)
def lars_trajectory(lrs, momentum, wd, eta, eps, exclude_1d):
    ws = [w.clone() for w in W0]
    vs = [None] * len(ws)
    out = []
    for t in range(STEPS):
        gamma = lrs[t]
        for i, (w, g) in enumerate(zip(ws, GRADS[t])):
            if exclude_1d and w.dim() <= 1:
                local, d = gamma, g
            else:
                wn, gn = norm(w), norm(g)
                lam = eta * wn / (gn + wd * wn + eps) if (wn > 0 and gn > 0) else torch.tensor(1.0)
                local, d = gamma * lam, g + wd * w
            step = local * d
            vs[i] = step if vs[i] is None or momentum == 0 else momentum * vs[i] + step
            ws[i] = w - vs[i]
        out.append([flat(w) for w in ws])
    return out


def lars_via_torch_sgd(lr, momentum, wd, eta, eps, exclude_1d):
    """Cross-check at a constant LR: torch.optim.SGD on the pre-scaled gradient λ·(g + β·w)."""
    ps = [w.clone().requires_grad_(True) for w in W0]
    opt = torch.optim.SGD(ps, lr=lr, momentum=momentum)
    out = []
    for t in range(STEPS):
        with torch.no_grad():
            for p, g in zip(ps, GRADS[t]):
                if exclude_1d and p.dim() <= 1:
                    p.grad = g.clone()
                else:
                    wn, gn = norm(p), norm(g)
                    lam = eta * wn / (gn + wd * wn + eps) if (wn > 0 and gn > 0) else torch.tensor(1.0)
                    p.grad = lam * (g + wd * p)
        opt.step()
        out.append([flat(p.detach()) for p in ps])
    return out


LARS_CASES = {
    "default": dict(momentum=0.9, weight_decay=5e-4, trust_coefficient=0.001, eps=1e-8, exclude_1d=True),
    "all_layers_no_momentum": dict(momentum=0.0, weight_decay=0.01, trust_coefficient=0.02, eps=1e-8, exclude_1d=False),
    "strong_trust": dict(momentum=0.9, weight_decay=0.0, trust_coefficient=0.05, eps=1e-8, exclude_1d=True),
}


def run_lars(o, lrs):
    return lars_trajectory(lrs, o["momentum"], o["weight_decay"], o["trust_coefficient"], o["eps"], o["exclude_1d"])


for name, o in LARS_CASES.items():
    mine = run_lars(o, [0.3] * STEPS)
    ref = lars_via_torch_sgd(0.3, o["momentum"], o["weight_decay"], o["trust_coefficient"], o["eps"], o["exclude_1d"])
    for a, b in zip(mine, ref):
        for x, y in zip(a, b):
            assert max(abs(u - v) for u, v in zip(x, y)) < 1e-6, name


# ---------------------------------------------------------------- LARC (apex/parallel/LARC.py)
class LARC:
    def __init__(self, optimizer, trust_coefficient=0.02, clip=True, eps=1e-8, exclude_1d=False):
        self.optim, self.trust_coefficient, self.clip, self.eps, self.exclude_1d = optimizer, trust_coefficient, clip, eps, exclude_1d

    @property
    def param_groups(self):
        return self.optim.param_groups

    def step(self):
        with torch.no_grad():
            weight_decays = []
            for group in self.optim.param_groups:
                weight_decay = group.get("weight_decay", 0)
                weight_decays.append(weight_decay)
                group["weight_decay"] = 0
                for p in group["params"]:
                    if p.grad is None or (self.exclude_1d and p.dim() <= 1):
                        continue
                    param_norm = torch.norm(p.data)
                    grad_norm = torch.norm(p.grad.data)
                    if param_norm != 0 and grad_norm != 0:
                        adaptive_lr = self.trust_coefficient * param_norm / (grad_norm + param_norm * weight_decay + self.eps)
                        if self.clip:
                            adaptive_lr = min(adaptive_lr / group["lr"], 1)
                        p.grad.data += weight_decay * p.data
                        p.grad.data *= adaptive_lr
        self.optim.step()
        for i, group in enumerate(self.optim.param_groups):
            group["weight_decay"] = weight_decays[i]


LARC_CASES = {
    "sgd_clip": dict(optimizer="sgd", mode="Clip", trust_coefficient=0.02, weight_decay=1e-4, eps=1e-8, exclude_1d=False),
    "sgd_scale_exclude": dict(optimizer="sgd", mode="Scale", trust_coefficient=0.02, weight_decay=1e-4, eps=1e-8, exclude_1d=True),
    "adam_clip": dict(optimizer="adam", mode="Clip", trust_coefficient=0.02, weight_decay=0.0, eps=1e-8, exclude_1d=False),
}


def larc_trajectory(o):
    ps = [w.clone().requires_grad_(True) for w in W0]
    inner = (torch.optim.SGD(ps, lr=LRS[0], momentum=0.9, weight_decay=o["weight_decay"]) if o["optimizer"] == "sgd"
             else torch.optim.Adam(ps, lr=LRS[0], weight_decay=o["weight_decay"]))
    larc = LARC(inner, o["trust_coefficient"], o["mode"] == "Clip", o["eps"], o["exclude_1d"])
    out = []
    for t in range(STEPS):
        for g in larc.param_groups:
            g["lr"] = LRS[t]
        for p, g in zip(ps, GRADS[t]):
            p.grad = g.clone()
        larc.step()
        out.append([flat(p.detach()) for p in ps])
    return out


# ---------------------------------------------------------------- layer-wise LR decay
class Embeddings(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.token = torch.nn.Embedding(10, 4)


class TinyEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = Embeddings()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(3)])
        self.head = torch.nn.Linear(4, 3)
        with torch.no_grad():
            for k, (_, p) in enumerate(self.named_parameters()):
                p.copy_(formula(tuple(p.shape), scale=0.37 + 0.11 * k, offset=0.5 * k, amplitude=0.6))

    def forward(self, x):
        h = self.embeddings.token(x)
        for layer in self.layers:
            h = torch.tanh(layer(h))
        return self.head(h.mean(1))


TOKENS = torch.tensor([[(i * 7 + j * 3 + 1) % 10 for j in range(5)] for i in range(4)])
TARGETS = torch.tensor([0, 1, 2, 1])
NUM_LAYERS = 3


def depth(name):
    if name.startswith("embeddings."):
        return 0
    if name.startswith("layers."):
        return int(name.split(".")[1]) + 1
    return NUM_LAYERS + 1


def llrd_trajectory(make, lr, decay):
    model = TinyEncoder()
    groups = {}
    for name, p in model.named_parameters():
        groups.setdefault(depth(name), []).append(p)
    opt = make([{"params": ps, "lr": lr * decay ** (NUM_LAYERS + 1 - d)} for d, ps in sorted(groups.items())])
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(TOKENS), TARGETS).backward()
        opt.step()
        out.append({n: flat(p) for n, p in model.named_parameters()})
    return out


LLRD_CASES = {
    "sgd_momentum": dict(optimizer="sgd", lr=0.5, decay=0.6, momentum=0.9),
    "adamw": dict(optimizer="adamw", lr=0.05, decay=0.7, weight_decay=0.01),
}


def run_llrd(o):
    if o["optimizer"] == "sgd":
        return llrd_trajectory(lambda g: torch.optim.SGD(g, lr=o["lr"], momentum=o["momentum"]), o["lr"], o["decay"])
    return llrd_trajectory(lambda g: torch.optim.AdamW(g, lr=o["lr"], weight_decay=o["weight_decay"]), o["lr"], o["decay"])


initial = TinyEncoder()
out = {
    "steps": STEPS,
    "shapes": [list(s) for s in SHAPES],
    "w0": [flat(w) for w in W0],
    "grads": [[flat(g) for g in gs] for gs in GRADS],
    "lrs": LRS,
    "lars": {n: {"options": o, "trajectory": run_lars(o, LRS)} for n, o in LARS_CASES.items()},
    "larc": {n: {"options": o, "trajectory": larc_trajectory(o)} for n, o in LARC_CASES.items()},
    "llrd": {
        "initial": {n: flat(p) for n, p in initial.named_parameters()},
        "tokens": [int(v) for v in TOKENS.reshape(-1).tolist()],
        "targets": [int(v) for v in TARGETS.tolist()],
        "depths": {n: depth(n) for n, _ in initial.named_parameters()},
        "cases": {n: {"options": o, "trajectory": run_llrd(o)} for n, o in LLRD_CASES.items()},
    },
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_optim.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
