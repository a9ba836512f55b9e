"""Reference values for the Data techniques' tests (run with /usr/bin/python3, torch 1.13).

Writes techniques_data.json next to this script. Inputs are deterministic formulas (no RNG) so the
C# tests rebuild them exactly:
  image[i] = sin(0.37 * i) over a flat arange, reshaped.
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from reference_common import formula

torch.set_default_dtype(torch.float32)


out = {"torch": torch.__version__}

# ProgressiveResizing: bilinear resize (align_corners=False) to an explicit size, and nearest for targets.
image = formula((2, 3, 7, 9))
out["resize_input_shape"] = list(image.shape)
out["resize_size"] = [4, 5]
out["resize_bilinear"] = F.interpolate(image, size=(4, 5), mode="bilinear", align_corners=False).flatten().tolist()
mask = torch.arange(2 * 7 * 9).reshape(2, 7, 9)
out["resize_nearest_target"] = F.interpolate(mask[:, None].float(), size=(4, 5), mode="nearest")[:, 0].long().flatten().tolist()

# ProgressiveResizing as Composer does it (composer/algorithms/progressive_resizing, written here):
# the width pinned to a multiple of size_increment (Python's round), scale_factor_pinned = w' / w,
# F.interpolate(scale_factor=..., mode='nearest', recompute_scale_factor=True); targets untouched
# unless resize_targets (then index targets are unsqueezed, resized as floats, and cast back).
def composer_resize(x, y, scale, size_increment=4, resize_targets=False):
    width = x.shape[3]
    pinned = round(width * scale / size_increment) * size_increment / width
    if pinned >= 1:
        return x, y
    resize = lambda t: F.interpolate(t, scale_factor=pinned, mode="nearest", recompute_scale_factor=True)
    x2 = resize(x)
    y2 = y
    if resize_targets:
        y2 = resize(y[:, None].float())[:, 0].long()
    return x2, y2


wide = formula((2, 1, 32, 28), 0.23)
wide_mask = torch.arange(2 * 32 * 28).reshape(2, 32, 28)
cx, cy = composer_resize(wide, wide_mask, 0.5, resize_targets=True)
out["composer_input_shape"] = list(wide.shape)
out["composer_scale"] = 0.5
out["composer_resized_shape"] = list(cx.shape)
out["composer_resized"] = cx.flatten().tolist()
out["composer_resized_target"] = cy.flatten().tolist()

# SelectiveBackprop: per-sample cross-entropy (reduction='none') and the 0.5 bilinear down-scale it uses.
logits = formula((5, 4), 0.91) * 3
target = torch.tensor([3, 0, 2, 1, 3])
out["ce_logits_shape"] = [5, 4]
out["ce_target"] = target.tolist()
out["ce_per_sample"] = F.cross_entropy(logits, target, reduction="none").tolist()
small = formula((1, 2, 6, 8))
out["sb_scaled_input_shape"] = [1, 2, 6, 8]
out["sb_scaled"] = F.interpolate(small, size=(3, 4), mode="bilinear", align_corners=False).flatten().tolist()

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_data.json"), "w") as f:
    json.dump(out, f, indent=1)
