"""Reference values for the Loss/Regularization techniques (LabelSmoothing, MixUp, CutMix,
KnowledgeDistillation), computed with PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_loss.py

Writes techniques_loss.json next to this file. Inputs are stored too, so the C# tests do not
depend on PyTorch's random number generator."""
import json
import os

import torch
import torch.nn.functional as F
from reference_common import flat

torch.manual_seed(0)
out = {}


# Label smoothing (Composer's smooth_labels: one_hot * (1 - a) + a / K) and CE against it.
logits = torch.randn(5, 4)
index = torch.tensor([0, 3, 1, 2, 3])
alpha = 0.1
smoothed = F.one_hot(index, 4).float() * (1 - alpha) + alpha / 4
probs = torch.softmax(torch.randn(5, 4), dim=1)
smoothed_probs = probs * (1 - alpha) + alpha / 4
out["label_smoothing"] = {
    "logits": flat(logits), "index": index.tolist(), "classes": 4, "smoothing": alpha,
    "smoothed": flat(smoothed),
    "loss": float(F.cross_entropy(logits, smoothed)),
    "loss_builtin": float(F.cross_entropy(logits, index, label_smoothing=alpha)),
    "probs": flat(probs), "smoothed_probs": flat(smoothed_probs),
}

# MixUp with explicit lambda and permutation; interpolated CE with index targets.
x = torch.randn(4, 3)
y = torch.tensor([0, 1, 2, 1])
out_logits = torch.randn(4, 3)
lam = 0.3
perm = torch.tensor([2, 0, 3, 1])
mixed = lam * x + (1 - lam) * x[perm]
out["mixup"] = {
    "x": flat(x), "y": y.tolist(), "lambda": lam, "perm": perm.tolist(), "mixed": flat(mixed),
    "outputs": flat(out_logits),
    "loss": float(lam * F.cross_entropy(out_logits, y) + (1 - lam) * F.cross_entropy(out_logits, y[perm])),
}

# CutMix with an explicit box (top, left, height, width) and permutation.
images = torch.randn(3, 2, 4, 5)
perm = torch.tensor([1, 2, 0])
top, left, h, w = 1, 2, 2, 3
cut = images.clone()
cut[:, :, top:top + h, left:left + w] = images[perm][:, :, top:top + h, left:left + w]
out["cutmix"] = {
    "images": flat(images), "shape": list(images.shape), "perm": perm.tolist(),
    "box": [top, left, h, w], "mixed": flat(cut), "lambda": 1 - (h * w) / (4 * 5),
}

# Knowledge distillation: a*T^2*KL(batchmean) + (1-a)*CE.
student = torch.randn(6, 5)
teacher = torch.randn(6, 5) * 2
target = torch.tensor([0, 4, 2, 1, 3, 2])
kd = {"student": flat(student), "teacher": flat(teacher), "target": target.tolist(), "cases": []}
for T, a in [(4.0, 0.5), (2.0, 0.7), (1.0, 1.0), (8.0, 0.0)]:
    soft = F.kl_div(F.log_softmax(student / T, dim=1), F.softmax(teacher / T, dim=1), reduction="batchmean") * T * T
    hard = F.cross_entropy(student, target)
    s = student.clone().requires_grad_(True)
    loss = a * F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(teacher / T, dim=1), reduction="batchmean") * T * T + (1 - a) * F.cross_entropy(s, target)
    loss.backward()
    kd["cases"].append({"temperature": T, "alpha": a, "soft": float(soft), "loss": float(a * soft + (1 - a) * hard), "grad": flat(s.grad)})
out["distillation"] = kd

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_loss.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
