"""PyTorch reference for the data-pruning tests: EL2N scores (Paul et al. 2021).

Run with: /usr/bin/python3 generate_techniques_pruning.py  (torch 1.13) -> techniques_pruning.json
Logits are the deterministic formula sin(0.37 * i) over a flat arange, reshaped [6, 4].
"""
import json
import os

import torch
from reference_common import formula


logits = formula([6, 4])
targets = torch.tensor([0, 1, 2, 3, 0, 1])
el2n = (torch.softmax(logits, -1) - torch.nn.functional.one_hot(targets, 4).float()).norm(dim=-1)
out = {"el2n": {"shape": [6, 4], "targets": targets.tolist(), "scores": el2n.tolist()}}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_pruning.json"), "w") as f:
    json.dump(out, f, indent=1)
