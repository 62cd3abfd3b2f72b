"""Shared by the make_*.py scripts: how PyTorch values are written into the golden JSON files.

NaN and infinities become the strings 'nan', 'inf', '-inf' (JSON has no such numbers); the tests'
loader (test/helpers/golden.ts) turns them back into numbers.
"""
import math
import torch


def enc(v):
    """A tensor (detached), list, tuple or number as JSON-ready nested lists."""
    if isinstance(v, torch.Tensor):
        try:
            v = v.detach().tolist()
        except RuntimeError:  # an efficient zero tensor (no storage) from some backward formulas
            v = torch.zeros(v.shape, dtype=v.dtype).tolist()

    def fix(x):
        if isinstance(x, (list, tuple)):
            return [fix(e) for e in x]
        if isinstance(x, float):
            if math.isnan(x): return 'nan'
            if math.isinf(x): return 'inf' if x > 0 else '-inf'
        return x
    return fix(v)


def dname(d):
    """'float32' for torch.float32."""
    return str(d).replace('torch.', '')
