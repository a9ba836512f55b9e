"""Helpers shared by the reference generators (generate_*.py): deterministic inputs and flat lists.

The generators re-implement the published methods with PyTorch (Debian's python3-torch) and write
the expected values the C# tests read; this module holds only what they all need.
"""
import math

import torch


def flat(t):
    """A tensor as a flat list of Python floats."""
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def formula(shape, scale=0.37, offset=0.0, amplitude=1.0):
    """amplitude · sin(i · scale + offset) for i = 0 .. numel − 1, as a float32 tensor of shape:
    the same values on every machine, and the C# tests build them the same way."""
    n = math.prod(shape)
    return (torch.sin(torch.arange(n, dtype=torch.float32) * scale + offset) * amplitude).reshape(shape)
