"""Expected values for ConvNetParityTests: a small conv net trained for 3 steps with a
hand-written SGD-momentum update. Run with /usr/bin/python3 (torch 1.13, the same libtorch).

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_convnet.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_num_threads(1)


def rnd(*shape, scale=0.5):
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).mul(scale).float()


params = {
    "conv1.weight": rnd(4, 1, 3, 3),
    "conv1.bias": rnd(4, scale=0.1),
    "bn.weight": 1 + rnd(4, scale=0.1),
    "bn.bias": rnd(4, scale=0.1),
    "conv2.weight": rnd(8, 4, 3, 3, scale=0.3),
    "conv2.bias": rnd(8, scale=0.1),
    "fc.weight": rnd(3, 8),
    "fc.bias": rnd(3, scale=0.1),
}
x = rnd(4, 1, 8, 8, scale=1.0)
y = torch.tensor([0, 2, 1, 2], dtype=torch.long)
running_mean = torch.zeros(4)
running_var = torch.ones(4)

for p in params.values():
    p.requires_grad_(True)
velocity = {k: torch.zeros_like(v) for k, v in params.items()}
lr, momentum = 0.1, 0.9
steps = []


def forward(p):
    h = F.conv2d(x, p["conv1.weight"], p["conv1.bias"], stride=1, padding=1)
    h = F.batch_norm(h, running_mean, running_var, p["bn.weight"], p["bn.bias"], training=True, momentum=0.1, eps=1e-5)
    h = F.relu(h)
    h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], stride=2, padding=1)
    h = F.relu(h)
    h = F.adaptive_avg_pool2d(h, (1, 1)).flatten(1)
    return F.linear(h, p["fc.weight"], p["fc.bias"])


initial = {k: v.detach().flatten().tolist() for k, v in params.items()}
for step in range(3):
    for p in params.values():
        p.grad = None
    logits = forward(params)
    loss = F.cross_entropy(logits, y, label_smoothing=0.1)
    loss.backward()
    grad_sums = {k: float(v.grad.sum()) for k, v in params.items()}
    grad_abs_sums = {k: float(v.grad.abs().sum()) for k, v in params.items()}
    with torch.no_grad():
        for k, p in params.items():
            velocity[k].mul_(momentum).add_(p.grad)
            p.sub_(velocity[k], alpha=lr)
    steps.append({"loss": float(loss), "grad_sums": grad_sums, "grad_abs_sums": grad_abs_sums})

out = {
    "params": initial,
    "shapes": {k: list(v.shape) for k, v in params.items()},
    "x": x.flatten().tolist(),
    "x_shape": list(x.shape),
    "y": y.tolist(),
    "lr": lr,
    "momentum": momentum,
    "steps": steps,
    "final_param_sums": {k: float(v.detach().sum()) for k, v in params.items()},
    "final_running_mean": running_mean.tolist(),
    "final_running_var": running_var.tolist(),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "convnet.json"), "w") as f:
    json.dump(out, f, indent=1)
