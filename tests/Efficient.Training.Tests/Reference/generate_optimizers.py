"""Reference trajectories for the optimizers (DecoupledSGDW, DecoupledAdamW, LAMB, Lookahead) and
multipliers of the Composer-style schedulers, with PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_optimizers.py

Writes optimizers.json next to this file. Every optimizer case starts from fixed weights and takes
N steps with fixed gradients (stored) and a fixed learning-rate sequence (stored; the group's
initial LR is lrs[0]); the parameters after each step are stored. The updates are written here
from the papers and Composer's formulas (composer/optim/decoupled_weight_decay.py) and, where they
coincide, checked against torch.optim (SGD, AdamW) before anything is written. The scheduler
multipliers are computed by hand from Composer's definitions (composer/optim/scheduler.py)."""
import json
import math
import os

import torch
from reference_common import flat

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
STEPS = 7
SHAPES = [(3, 4), (3,)]
W0 = [torch.randn(3, 4), torch.zeros(3)]          # a zero bias: LAMB's ||w|| = 0 branch on step 1
GRADS = [[torch.randn(*s) for s in SHAPES] for _ in range(STEPS)]
LRS = [0.1, 0.1, 0.05, 0.05, 0.02, 0.02, 0.01]     # an LR schedule, to exercise lr / initial_lr


def fresh():
    return [w.clone() for w in W0]


def trajectory(update):
    """Runs update(params, grads, lr, step) for STEPS steps; returns the params after each step."""
    ps = fresh()
    out = []
    for t in range(STEPS):
        with torch.no_grad():
            update(ps, GRADS[t], LRS[t], t + 1)
        out.append([flat(p) for p in ps])
    return out


def torch_trajectory(make, before=None):
    """The same with a torch.optim optimizer (optionally calling before(params, lr) before each step)."""
    ps = [w.clone().requires_grad_(True) for w in W0]
    opt = make(ps)
    out = []
    for t in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = LRS[t]
        for p, g in zip(ps, GRADS[t]):
            p.grad = g.clone()
        if before is not None:
            with torch.no_grad():
                before(ps, LRS[t])
        opt.step()
        out.append([flat(p.detach()) for p in ps])
    return out


def same(a, b, tol=1e-6):
    for sa, sb in zip(a, b):
        for pa, pb in zip(sa, sb):
            assert max(abs(x - y) for x, y in zip(pa, pb)) <= tol, (pa, pb)


# ---------------------------------------------------------------- DecoupledSGDW (Composer's sgdw)
def sgdw(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    bufs = [None] * len(W0)
    lr0 = LRS[0]

    def update(ps, gs, lr, step):
        for i, (p, g) in enumerate(zip(ps, gs)):
            d = g
            if momentum != 0:
                if bufs[i] is None:
                    bufs[i] = g.clone()
                else:
                    bufs[i].mul_(momentum).add_(g, alpha=1 - dampening)
                d = g.add(bufs[i], alpha=momentum) if nesterov else bufs[i]
            if weight_decay != 0:
                factor = lr / lr0 if lr0 else 1.0
                p.mul_(1 - factor * weight_decay)
            p.add_(d, alpha=-lr)
    return update


def decoupled_before(weight_decay):
    # Decoupled decay applied before a torch optimizer's (decay-free) step gives the same update.
    return lambda ps, lr: [p.mul_(1 - lr / LRS[0] * weight_decay) for p in ps]


out = {"steps": STEPS, "shapes": [list(s) for s in SHAPES], "w0": [flat(w) for w in W0],
       "grads": [[flat(g) for g in gs] for gs in GRADS], "lrs": LRS}
cases = {}
for name, kw in {
    "sgdw_plain": dict(weight_decay=0.01),
    "sgdw_momentum": dict(momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgdw_nesterov": dict(momentum=0.9, weight_decay=0.02, nesterov=True),
}.items():
    traj = trajectory(sgdw(**kw))
    check = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=LRS[0], momentum=kw.get("momentum", 0.0),
                                                        dampening=kw.get("dampening", 0.0), nesterov=kw.get("nesterov", False)),
                             before=decoupled_before(kw["weight_decay"]))
    same(traj, check)
    cases[name] = {"options": kw, "params": traj}


# ---------------------------------------------------------------- DecoupledAdamW (Composer's adamw)
def adamw(beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=1e-5, amsgrad=False):
    m = [torch.zeros_like(w) for w in W0]
    v = [torch.zeros_like(w) for w in W0]
    vmax = [torch.zeros_like(w) for w in W0]
    lr0 = LRS[0]

    def update(ps, gs, lr, step):
        for i, (p, g) in enumerate(zip(ps, gs)):
            if weight_decay != 0:
                p.mul_(1 - (lr / lr0 if lr0 else 1.0) * weight_decay)
            bc1 = 1 - beta1 ** step
            bc2 = 1 - beta2 ** step
            m[i].mul_(beta1).add_(g, alpha=1 - beta1)
            v[i].mul_(beta2).addcmul_(g, g, value=1 - beta2)
            if amsgrad:
                torch.maximum(vmax[i], v[i], out=vmax[i])
                denom = (vmax[i].sqrt() / math.sqrt(bc2)).add_(eps)
            else:
                denom = (v[i].sqrt() / math.sqrt(bc2)).add_(eps)
            p.addcdiv_(m[i], denom, value=-lr / bc1)
    return update


for name, kw in {
    "adamw": dict(weight_decay=0.01),
    "adamw_amsgrad": dict(beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.005, amsgrad=True),
}.items():
    traj = trajectory(adamw(**kw))
    # torch.optim.AdamW decays by lr * wd: with wd' = wd / lr0 it equals the decoupled decay under any schedule.
    check = torch_trajectory(lambda ps: torch.optim.AdamW(ps, lr=LRS[0], betas=(kw.get("beta1", 0.9), kw.get("beta2", 0.95)),
                                                          eps=kw.get("eps", 1e-8), weight_decay=kw["weight_decay"] / LRS[0],
                                                          amsgrad=kw.get("amsgrad", False)))
    same(traj, check)
    cases[name] = {"options": kw, "params": traj}


# ---------------------------------------------------------------- LAMB (You et al. 2020, Algorithm 2)
def lamb(beta1=0.9, beta2=0.999, eps=1e-6, weight_decay=0.01, bias_correction=True, min_coeff=0.01, max_coeff=10.0):
    m = [torch.zeros_like(w) for w in W0]
    v = [torch.zeros_like(w) for w in W0]
    ratios = []

    def update(ps, gs, lr, step):
        step_ratios = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            m[i].mul_(beta1).add_(g, alpha=1 - beta1)
            v[i].mul_(beta2).addcmul_(g, g, value=1 - beta2)
            bc1 = 1 - beta1 ** step if bias_correction else 1.0
            bc2 = 1 - beta2 ** step if bias_correction else 1.0
            u = (m[i] / bc1) / ((v[i] / bc2).sqrt() + eps)
            if weight_decay != 0:
                u = u + weight_decay * p
            wn, un = float(p.norm()), float(u.norm())
            r = min(max(wn / un, min_coeff), max_coeff) if wn > 0 and un > 0 else 1.0
            step_ratios.append(r)
            p.add_(u * r, alpha=-lr)
        ratios.append(step_ratios)
    return update, ratios


for name, kw in {
    "lamb": dict(),
    "lamb_no_bias_correction": dict(weight_decay=0.0, bias_correction=False),
    "lamb_clamped": dict(weight_decay=0.1, min_coeff=0.5, max_coeff=0.8),
}.items():
    update, ratios = lamb(**kw)
    traj = trajectory(update)
    cases[name] = {"options": kw, "params": traj, "trust_ratios": ratios}


# ---------------------------------------------------------------- Lookahead (Zhang et al. 2019)
def lookahead(inner, k, alpha):
    slow = [None] * len(W0)
    count = [0]

    def update(ps, gs, lr, step):
        if slow[0] is None:
            for i, p in enumerate(ps):
                slow[i] = p.clone()                      # phi_0 = theta_0
        inner(ps, gs, lr, step)
        count[0] += 1
        if count[0] % k == 0:
            for i, p in enumerate(ps):
                slow[i].add_(p - slow[i], alpha=alpha)   # phi <- phi + alpha (theta - phi)
                p.copy_(slow[i])                         # theta <- phi
    return update


cases["lookahead_sgd"] = {"options": {"k": 3, "alpha": 0.5, "momentum": 0.9},
                          "params": trajectory(lookahead(sgdw(momentum=0.9), 3, 0.5))}
cases["lookahead_adamw"] = {"options": {"k": 5, "alpha": 0.8, "weight_decay": 0.01},
                            "params": trajectory(lookahead(adamw(weight_decay=0.01), 5, 0.8))}
out["optimizers"] = cases


# ---------------------------------------------------------------- Composer schedulers
def parse(text):
    for unit in ("dur", "tok", "ep", "ba", "sp"):
        if text.endswith(unit):
            return float(text[: -len(unit)]), unit
    raise ValueError(text)


def convert(text, max_duration, bpe, ssr):
    """Composer's _convert_time: dur -> fraction of the (scaled) max; ep -> batches; then * ssr (not for dur)."""
    value, unit = parse(text)
    mv, mu = parse(max_duration)
    if unit == "dur":
        if mu == "ep":
            return (int(value * bpe * mv), "ba") if bpe else (value * mv, "ep")
        return int(value * mv), mu
    if unit == "ep" and bpe:
        value, unit = int(value * bpe), "ba"
    return int(value * ssr), unit


def elapsed(ts, unit):
    return {"ba": ts["batch"], "ep": ts["epoch"], "sp": ts["sample"], "tok": ts["token"]}[unit]


def cos_anneal(x, min_y):
    return min_y + (1 - min_y) * (1 + math.cos(x * math.pi)) / 2


def shifted_fraction(ts, t_max, w, ctx):
    tm, unit = convert(t_max, *ctx)
    now = elapsed(ts, unit)
    if w[0] > 0:
        assert w[1] == unit
        return min(1.0, (now - w[0]) / (tm - w[0])) if tm > w[0] else 0.0
    return min(1.0, max(0.0, now / tm)) if tm > 0 else 1.0


def schedule(kind, p, ts, ctx):
    max_duration, bpe, ssr = ctx
    w = convert(p.get("t_warmup", "0ba"), max_duration, bpe, ssr if p.get("scale_warmup") else 1.0)
    if w[0] > 0 and elapsed(ts, w[1]) < w[0]:
        return elapsed(ts, w[1]) / w[0]                      # LinearScheduler(0 -> 1, t_max = t_warmup)
    if kind == "constant":
        tm, unit = convert(p.get("t_max", "1dur"), *ctx)
        return p.get("alpha", 1.0) if elapsed(ts, unit) < tm else 1.0
    if kind == "linear":
        ai, af = p.get("alpha_i", 1.0), p.get("alpha_f", 0.0)
        return ai + (af - ai) * shifted_fraction(ts, p.get("t_max", "1dur"), w, ctx)
    if kind == "cosine":
        return cos_anneal(shifted_fraction(ts, p.get("t_max", "1dur"), w, ctx), p.get("alpha_f", 0.0))
    if kind == "polynomial":
        af = p.get("alpha_f", 0.0)
        return af + (1 - af) * (1 - shifted_fraction(ts, p.get("t_max", "1dur"), w, ctx)) ** p["power"]
    if kind == "warm_restarts":
        t0, unit = convert(p["t_0"], *ctx)
        now = elapsed(ts, unit)
        length, end = t0, t0
        while end <= now:
            length = int(p.get("t_mult", 1.0) * length)
            end += length
        start = end - length
        return cos_anneal((now - start) / (end - start), p.get("alpha_f", 0.0))
    if kind == "step":
        size, unit = convert(p["step_size"], *ctx)
        return p.get("gamma", 0.1) ** int(elapsed(ts, unit) // size)
    if kind == "multistep":
        factor = 1.0
        for m in p["milestones"]:
            mv, unit = convert(m, *ctx)
            if elapsed(ts, unit) >= mv:
                factor *= p.get("gamma", 0.1)
        return factor
    if kind == "exponential":
        period, unit = convert(p.get("decay_period", "1ep"), *ctx)
        return p["gamma"] ** (elapsed(ts, unit) / period)
    raise ValueError(kind)


def timestamps(batches, bpe, batch_size=4):
    return [{"batch": b, "epoch": b // bpe, "batch_in_epoch": b % bpe, "sample": b * batch_size, "token": 0} for b in batches]


B = [0, 1, 4, 5, 9, 10, 11, 19, 20, 25, 29, 30, 31, 45, 50, 59, 60, 69, 70, 75, 79, 80, 90, 99, 100]
scheduler_cases = []
for name, kind, params, max_duration, bpe, ssr in [
    ("constant_warmup", "constant", {"alpha": 0.5, "t_max": "0.3dur", "t_warmup": "10ba"}, "100ba", 10, 1.0),
    ("linear", "linear", {"alpha_i": 1.0, "alpha_f": 0.1}, "100ba", 10, 1.0),
    ("linear_warmup", "linear", {"alpha_i": 1.0, "alpha_f": 0.1, "t_warmup": "0.1dur"}, "100ba", 10, 1.0),
    ("cosine", "cosine", {"t_max": "50ba", "alpha_f": 0.1}, "100ba", 10, 1.0),
    ("cosine_warmup_epochs", "cosine", {"alpha_f": 0.0, "t_warmup": "1ep"}, "10ep", 10, 1.0),
    ("cosine_ssr", "cosine", {"t_max": "80ba", "alpha_f": 0.05, "t_warmup": "10ba"}, "50ba", 10, 0.5),
    ("cosine_ssr_scaled_warmup", "cosine", {"t_max": "80ba", "alpha_f": 0.05, "t_warmup": "10ba", "scale_warmup": True}, "50ba", 10, 0.5),
    ("warm_restarts", "warm_restarts", {"t_0": "10ba", "t_mult": 2.0, "alpha_f": 0.05}, "100ba", 10, 1.0),
    ("warm_restarts_warmup", "warm_restarts", {"t_0": "3ep", "t_warmup": "5ba"}, "100ba", 10, 1.0),
    ("step", "step", {"step_size": "2ep", "gamma": 0.5}, "100ba", 10, 1.0),
    ("step_warmup", "step", {"step_size": "25ba", "gamma": 0.3, "t_warmup": "0.05dur"}, "100ba", 10, 1.0),
    ("multistep_warmup", "multistep", {"milestones": ["30ba", "0.6dur", "8ep"], "gamma": 0.1, "t_warmup": "0.05dur"}, "100ba", 10, 1.0),
    ("polynomial_warmup", "polynomial", {"power": 2.0, "alpha_f": 0.05, "t_warmup": "10ba"}, "100ba", 10, 1.0),
    ("polynomial_samples", "polynomial", {"power": 0.5, "t_max": "0.8dur"}, "400sp", 10, 1.0),
    ("exponential", "exponential", {"gamma": 0.9}, "100ba", 10, 1.0),
    ("exponential_warmup", "exponential", {"gamma": 0.5, "decay_period": "20ba", "t_warmup": "4ba"}, "100ba", 10, 1.0),
]:
    ts = timestamps(B, bpe)
    scheduler_cases.append({
        "name": name, "kind": kind, "params": params, "max_duration": max_duration, "batches_per_epoch": bpe, "ssr": ssr,
        "timestamps": ts, "multipliers": [schedule(kind, params, t, (max_duration, bpe, ssr)) for t in ts],
    })
out["schedulers"] = scheduler_cases

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
