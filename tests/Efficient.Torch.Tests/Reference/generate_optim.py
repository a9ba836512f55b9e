"""Expected values for the optimizer, LR-scheduler and nn.utils tests (tests/Optim/).
Run with /usr/bin/python3 (torch 1.13, the same libtorch as the binding):

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_optim.py

Writes optim.json next to this script:
  * "problem": explicit initial weights and fixed data for the loss
        loss = sum((V (W x + b) - y)^2)        (u is a parameter that never gets a gradient)
    with two parameter groups: group 0 = [W, b, u], group 1 = [V].
  * "optimizers": for each case, the loss and all parameters (flattened, in the order
    W, b, u, V) after each of 20 steps of torch.optim.SGD / Adam / AdamW.
  * "schedulers": for each case, get_last_lr() (both groups) after construction and after each
    of 30 scheduler steps, and for OneCycleLR the momentum / beta1 it cycles.
  * "closed_form": get_last_lr() after step(epoch) with explicit epochs.
  * "clip": clip_grad_norm_ / clip_grad_value_ results on the problem's gradients.
"""
import json
import math
import os
import re
import warnings

import torch

# PyTorch warns about step(epoch) (used by SequentialLR itself) and about the step order.
warnings.simplefilter("ignore", UserWarning)
torch.set_num_threads(1)
torch.manual_seed(20240611)


def rnd(*shape, scale=0.5):
    return ((torch.rand(*shape, dtype=torch.float64) * 2 - 1) * scale).float()


INIT = {
    "W": rnd(3, 4),
    "b": rnd(3, scale=0.1),
    "u": rnd(2),
    "V": rnd(2, 3),
}
X = rnd(4, 5, scale=1.0)
Y = rnd(2, 5, scale=1.0)
NAMES = ["W", "b", "u", "V"]
STEPS = 20


def make_params():
    return {k: v.clone().requires_grad_(True) for k, v in INIT.items()}


def loss_fn(p):
    h = p["W"] @ X + p["b"].unsqueeze(1)
    return ((p["V"] @ h - Y) ** 2).sum()


def f32(values):
    """float32 values printed with 9 significant digits (enough to round-trip a float32)."""
    return [float("%.9g" % v) for v in values]


def flat(p):
    return f32(torch.cat([p[k].detach().flatten() for k in NAMES]).tolist())


def groups(p, lr0, lr1, g1=None):
    g = [{"params": [p["W"], p["b"], p["u"]], "lr": lr0}, {"params": [p["V"]], "lr": lr1}]
    if g1:
        g[1].update(g1)
    return g


OPTIMIZER_CASES = [
    # name, optimizer class, lr of group 0, lr of group 1, keyword arguments, extra options of group 1
    ("sgd_plain", torch.optim.SGD, 0.02, 0.01, {}, None),
    ("sgd_momentum_dampening", torch.optim.SGD, 0.02, 0.01, {"momentum": 0.9, "dampening": 0.1}, None),
    ("sgd_nesterov", torch.optim.SGD, 0.02, 0.01, {"momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", torch.optim.SGD, 0.02, 0.01, {"momentum": 0.5, "weight_decay": 0.05}, None),
    ("sgd_maximize", torch.optim.SGD, 0.002, 0.001, {"momentum": 0.8, "weight_decay": 0.05, "maximize": True}, None),
    ("sgd_group_options", torch.optim.SGD, 0.02, 0.01, {"momentum": 0.9}, {"momentum": 0.0, "weight_decay": 0.1}),
    ("adam", torch.optim.Adam, 0.05, 0.01, {}, None),
    ("adam_amsgrad_weight_decay", torch.optim.Adam, 0.05, 0.01,
     {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True}, None),
    ("adam_maximize", torch.optim.Adam, 0.01, 0.005, {"maximize": True, "weight_decay": 0.02}, None),
    ("adamw", torch.optim.AdamW, 0.05, 0.01, {"weight_decay": 0.05}, None),
    ("adamw_amsgrad", torch.optim.AdamW, 0.05, 0.01, {"betas": (0.85, 0.98), "weight_decay": 0.1, "amsgrad": True}, None),
]


def run_optimizer(cls, lr0, lr1, kwargs, g1):
    p = make_params()
    opt = cls(groups(p, lr0, lr1, g1), **kwargs)
    losses, traj = [], []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(p)
        loss.backward()
        opt.step()
        losses.append(f32([float(loss)])[0])
        traj.append(flat(p))
    return losses, traj


optimizers = []
for name, cls, lr0, lr1, kwargs, g1 in OPTIMIZER_CASES:
    losses, traj = run_optimizer(cls, lr0, lr1, kwargs, g1)
    optimizers.append({"name": name, "losses": losses, "params": traj})


# ---- LR schedulers -----------------------------------------------------------------------
S = torch.optim.lr_scheduler
SCHED_STEPS = 30


def sched_opt(kind="sgd"):
    p = make_params()
    if kind == "adam":
        return torch.optim.Adam(groups(p, 0.1, 0.02), betas=(0.9, 0.999))
    return torch.optim.SGD(groups(p, 0.1, 0.02), momentum=0.9)


def momenta(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


SCHEDULER_CASES = {
    "step": ("sgd", lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    "multistep": ("sgd", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    "exponential": ("sgd", lambda o: S.ExponentialLR(o, gamma=0.9)),
    "cosine": ("sgd", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    "linear": ("sgd", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)),
    "linear_default": ("sgd", lambda o: S.LinearLR(o)),
    "linear_decay": ("sgd", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=12)),
    "lambda": ("sgd", lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)),
    "lambda_per_group": ("sgd", lambda o: S.LambdaLR(o, [lambda e: 1.0 / (e + 1), lambda e: 0.5 if e % 4 < 2 else 1.0])),
    "onecycle_sgd": ("sgd", lambda o: S.OneCycleLR(o, max_lr=[0.5, 0.1], total_steps=SCHED_STEPS + 1)),
    "onecycle_adam_linear_three_phase": ("adam", lambda o: S.OneCycleLR(
        o, max_lr=0.2, epochs=4, steps_per_epoch=8, pct_start=0.25, anneal_strategy="linear",
        base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0, three_phase=True)),
    "sequential": ("sgd", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=4), S.ExponentialLR(o, gamma=0.9)], milestones=[5])),
    "sequential_three": ("sgd", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.5, total_iters=3), S.StepLR(o, step_size=4, gamma=0.5),
            S.CosineAnnealingLR(o, T_max=8, eta_min=0.0)], milestones=[4, 12])),
}

schedulers = []
for name, (kind, make) in SCHEDULER_CASES.items():
    opt = sched_opt(kind)
    sched = make(opt)
    lrs = [list(sched.get_last_lr())]
    moms = [momenta(opt)]
    for _ in range(SCHED_STEPS):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
        moms.append(momenta(opt))
    case = {"name": name, "last_lr": lrs}
    if name.startswith("onecycle"):
        case["momentum"] = moms
    schedulers.append(case)

# Closed form (step with an explicit epoch).
closed = []
for name, make in {
    "step": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "linear": lambda o: S.LinearLR(o, start_factor=0.25, total_iters=8),
}.items():
    opt = sched_opt()
    sched = make(opt)
    epochs = [3, 7, 2, 10, 0, 15]
    out = []
    for e in epochs:
        sched.step(e)
        out.append(list(sched.get_last_lr()))
    closed.append({"name": name, "epochs": epochs, "last_lr": out})


# ---- nn.utils ----------------------------------------------------------------------------
def grads_of(p):
    return {k: (f32(p[k].grad.flatten().tolist()) if p[k].grad is not None else None) for k in NAMES}


clip = []
for norm_type in [2.0, 1.0, 3.0, math.inf]:
    for max_norm in [0.5, 1e4]:
        p = make_params()
        loss_fn(p).backward()
        total = torch.nn.utils.clip_grad_norm_([p[k] for k in NAMES], max_norm, norm_type=norm_type)
        clip.append({"norm_type": "inf" if norm_type == math.inf else norm_type, "max_norm": max_norm,
                     "total_norm": float(total), "grads": grads_of(p)})

p = make_params()
loss_fn(p).backward()
torch.nn.utils.clip_grad_value_([p[k] for k in NAMES], 0.75)
clip_value = {"clip_value": 0.75, "grads": grads_of(p)}

out = {
    "problem": {
        "names": NAMES,
        "init": {k: f32(v.flatten().tolist()) for k, v in INIT.items()},
        "shapes": {k: list(v.shape) for k, v in INIT.items()},
        "x": f32(X.flatten().tolist()),
        "x_shape": list(X.shape),
        "y": f32(Y.flatten().tolist()),
        "y_shape": list(Y.shape),
        "steps": STEPS,
    },
    "optimizers": optimizers,
    "schedulers": schedulers,
    "closed_form": closed,
    "clip": clip,
    "clip_value": clip_value,
}
# One line per innermost list of numbers: readable diffs without a line per number.
text = json.dumps(out, indent=1)
text = re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r"\s+", "", m.group(1)).replace(",", ", ") + "]", text)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json"), "w") as f:
    f.write(text + "\n")
