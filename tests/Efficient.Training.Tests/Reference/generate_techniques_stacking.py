"""Reference values for ModelGrowth's progressive stacking (Gong, He, Li, Qin, Wang, Liu 2019,
"Efficient Training of BERT by Progressively Stacking", ICML; Algorithm 1 and the authors' code:
the 2L-layer model's layer i + L is initialised as a copy of the trained layer i, every other
parameter is copied). Re-implemented on a PyTorch state dict with PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_stacking.py

Writes techniques_stacking.json next to this file: a small BERT-style encoder's state dict (names as
Efficient.Training's BertEncoder documents them: vocabulary 11, hidden 8, 2 layers, 2 heads,
intermediate 16, max length 16, tied decoder) with deterministic values, and the state dict of the
model stacked once (4 layers) and twice (8 layers)."""
import copy
import json
import os
import re

import torch
from reference_common import flat

torch.manual_seed(20261202)
V, H, L, I, S = 11, 8, 2, 16, 16


def layer_params(prefix):
    return {
        f"{prefix}.attention.qkv.weight": (3 * H, H), f"{prefix}.attention.qkv.bias": (3 * H,),
        f"{prefix}.attention.output.weight": (H, H), f"{prefix}.attention.output.bias": (H,),
        f"{prefix}.attention_norm.weight": (H,), f"{prefix}.attention_norm.bias": (H,),
        f"{prefix}.feed_forward.intermediate.weight": (I, H), f"{prefix}.feed_forward.intermediate.bias": (I,),
        f"{prefix}.feed_forward.output.weight": (H, I), f"{prefix}.feed_forward.output.bias": (H,),
        f"{prefix}.feed_forward_norm.weight": (H,), f"{prefix}.feed_forward_norm.bias": (H,),
    }


shapes = {"embeddings.token.weight": (V, H), "embeddings.position.weight": (S, H),
          "embeddings.norm.weight": (H,), "embeddings.norm.bias": (H,)}
for i in range(L):
    shapes.update(layer_params(f"layers.{i}"))
shapes.update({"head.transform.weight": (H, H), "head.transform.bias": (H,),
               "head.transform_norm.weight": (H,), "head.transform_norm.bias": (H,), "head.bias": (V,)})
# Values with 7 significant digits, so the JSON is short and the C# test loads exactly these floats.
state = {name: torch.tensor([float("%.7g" % v) for v in torch.randn(*shape).reshape(-1).tolist()]).reshape(shape)
         for name, shape in shapes.items()}


def stack(sd):
    """Gong et al.: a model with twice the layers; layer i + L = copy of layer i; the rest copied."""
    layer = re.compile(r"^layers\.(\d+)\.(.*)$")
    depth = 1 + max(int(layer.match(k).group(1)) for k in sd if layer.match(k))
    new = {k: v.clone() for k, v in sd.items()}
    for k, v in sd.items():
        m = layer.match(k)
        if m:
            new[f"layers.{int(m.group(1)) + depth}.{m.group(2)}"] = copy.deepcopy(v)
    return new


once = stack(state)
twice = stack(once)
def short(t):
    return [float("%.7g" % v) for v in flat(t)]


out = {
    "config": {"vocab": V, "hidden": H, "layers": L, "heads": 2, "intermediate": I, "max_length": S},
    "original": {k: short(v) for k, v in state.items()},
    "stacked_once": {k: short(v) for k, v in once.items()},
    "stacked_twice": {k: short(v) for k, v in twice.items()},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_stacking.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, len(once), len(twice))
