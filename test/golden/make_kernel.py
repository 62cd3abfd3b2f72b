"""Golden values for the kernel tests (test/kernel/*): what IPython shows for the last expression
of a cell (repr) and what print() writes, for the cells those tests run; written to
test/golden/kernel.json.

Run: /usr/bin/python3 test/golden/make_kernel.py
"""
import json
import os

import torch

torch.set_printoptions(profile="default")

# (torchlab cell, the same cell in PyTorch)
CELLS = [
    ("torch.ones([2, 2])", lambda: torch.ones(2, 2)),
    ("torch.arange(6).reshape([2, 3]).sum(1)", lambda: torch.arange(6).reshape(2, 3).sum(1)),
    ("torch.tensor([1.5, -2.25], {requires_grad: true}).mul(2)", lambda: torch.tensor([1.5, -2.25], requires_grad=True).mul(2)),
    ("torch.zeros([3], {dtype: torch.int32})", lambda: torch.zeros(3, dtype=torch.int32)),
]

# (torchlab cell calling print, the printed value in PyTorch)
PRINTS = [
    ("print(torch.ones([2, 2]).sum())", lambda: torch.ones(2, 2).sum()),
]

out = {
    "execute_result": [{"code": code, "text/plain": repr(fn())} for code, fn in CELLS],
    "stdout": [{"code": code, "text": str(fn()) + "\n"} for code, fn in PRINTS],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
