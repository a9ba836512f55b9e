"""Reference values for the RandAugment and AugMix tests (run with /usr/bin/python3, torch 1.13).

Writes techniques_augment.json next to this script. The input is a deterministic formula so the C#
tests rebuild it exactly: images = (sin(0.37 * i) + 1) / 2 over a flat arange, reshaped to
[2, 3, 6, 8]. Every operation is written with PyTorch tensor ops following PIL's definitions
(ImageEnhance blends, ImageOps.posterize/solarize/autocontrast, Image.affine sampling for the
geometric ops with bilinear interpolation and black outside), with one magnitude per image.
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from reference_common import formula

torch.set_default_dtype(torch.float32)


x = (formula((2, 3, 6, 8)) + 1) / 2
N, C, H, W = x.shape


def per(v):
    return torch.tensor(v, dtype=torch.float32).view(-1, 1, 1, 1)


def gray(img):
    return img[:, 0:1] * 0.299 + img[:, 1:2] * 0.587 + img[:, 2:3] * 0.114


def blend(base, img, f):
    return (base + per(f) * (img - base)).clamp(0, 1)


def warp(img, theta):
    grid = F.affine_grid(theta, list(img.shape), align_corners=False)
    return F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def autocontrast(img):
    flat = img.flatten(2)
    lo = flat.min(2, keepdim=True).values.unsqueeze(-1)
    hi = flat.max(2, keepdim=True).values.unsqueeze(-1)
    rng = hi - lo
    return torch.where(rng > 0, (img - lo) / torch.where(rng > 0, rng, torch.ones_like(rng)), img).clamp(0, 1)


def posterize(img, bits):
    step = 2.0 ** (8 - per(bits))
    q = (img.clamp(0, 1) * 255).floor()
    return (q / step).floor() * step / 255


def solarize(img, thr):
    return torch.where(img >= per(thr), 1 - img, img)


def sharpness(img, f):
    k = (torch.tensor([1., 1, 1, 1, 5, 1, 1, 1, 1]) / 13).view(1, 1, 3, 3).expand(C, 1, 3, 3)
    smooth = img.clone()
    smooth[:, :, 1:-1, 1:-1] = F.conv2d(img, k, groups=C)
    return blend(smooth, img, f)


def theta_of(rows):
    return torch.tensor(rows, dtype=torch.float32).view(-1, 2, 3)


def rotate(img, deg):
    rows = []
    for d in deg:
        r = math.radians(d)
        c, s = math.cos(r), math.sin(r)
        rows.append([c, -s * H / W, 0, s * W / H, c, 0])  # counter-clockwise on screen, as PIL
    return warp(img, theta_of(rows))


out = {"torch": torch.__version__, "shape": [N, C, H, W]}
out["autocontrast"] = autocontrast(x * 0.5 + 0.2).flatten().tolist()
out["posterize_bits"] = [4, 1]
out["posterize"] = posterize(x, [4, 1]).flatten().tolist()
out["solarize_threshold"] = [0.5, 0.8]
out["solarize"] = solarize(x, [0.5, 0.8]).flatten().tolist()
f = [0.3, 1.7]
out["enhance_factor"] = f
out["color"] = blend(gray(x), x, f).flatten().tolist()
out["contrast"] = blend(gray(x).mean(dim=(1, 2, 3), keepdim=True), x, f).flatten().tolist()
out["brightness"] = blend(torch.zeros_like(x), x, f).flatten().tolist()
out["sharpness"] = sharpness(x, f).flatten().tolist()
out["rotate_degrees"] = [27.0, -12.0]
out["rotate"] = rotate(x, [27.0, -12.0]).flatten().tolist()
sh = [0.25, -0.1]
out["shear"] = sh
out["shear_x"] = warp(x, theta_of([[1, s * H / W, 0, 0, 1, 0] for s in sh])).flatten().tolist()
out["shear_y"] = warp(x, theta_of([[1, 0, 0, s * W / H, 1, 0] for s in sh])).flatten().tolist()
tr = [2.0, -1.0]
out["translate"] = tr
out["translate_x"] = warp(x, theta_of([[1, 0, 2 * t / W, 0, 1, 0] for t in tr])).flatten().tolist()
out["translate_y"] = warp(x, theta_of([[1, 0, 0, 0, 1, 2 * t / H] for t in tr])).flatten().tolist()
# Translation by whole pixels is an exact shift: output (x, y) = input (x + t, y), zeros outside.
shifted = torch.zeros_like(x)
shifted[0, :, :, :W - 2] = x[0, :, :, 2:]
shifted[1, :, :, 1:] = x[1, :, :, :W - 1]
assert torch.allclose(shifted, torch.tensor(out["translate_x"]).view(N, C, H, W), atol=1e-6)

# Rotation direction: +90 degrees on a square image is torch.rot90 (counter-clockwise on screen, as PIL).
sq = formula((1, 1, 5, 5))
H, W = 5, 5
assert torch.allclose(rotate(sq, [90.0]), torch.rot90(sq, 1, [2, 3]), atol=1e-5)
H, W = x.shape[2], x.shape[3]

# AugMix: three explicit chains mixed with per-image weights, then blended with the original.
chains = [blend(torch.zeros_like(x), x, f), rotate(x, [27.0, -12.0]), solarize(posterize(x, [4, 1]), [0.5, 0.8])]
wts = torch.tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
m = torch.tensor([0.4, 0.75])
mix = sum(wts[:, i].view(-1, 1, 1, 1) * chains[i] for i in range(3))
out["augmix_weights"] = wts.flatten().tolist()
out["augmix_m"] = m.tolist()
out["augmix"] = ((1 - m.view(-1, 1, 1, 1)) * x + m.view(-1, 1, 1, 1) * mix).flatten().tolist()

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_augment.json"), "w") as fh:
    json.dump(out, fh)
