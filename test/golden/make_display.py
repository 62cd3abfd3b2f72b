"""Golden values for test/display: torchvision's make_grid + save_image pixels, tqdm's meter
text, torch.histc counts and PyTorch reprs (whose elements the HTML tables must show).

Run: /usr/bin/python3 test/golden/make_display.py  (needs python3-torch, python3-torchvision, python3-tqdm)
"""
import json
import math
import os

import torch
from torchvision.utils import make_grid
from tqdm import tqdm

torch.manual_seed(0)
out = {}


def pixels(grid):
    """save_image's conversion, as HWC uint8 lists."""
    return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).tolist()


grids = []


def add_grid(name, x, **kw):
    g = make_grid(x, **kw)
    if g.dim() == 2:
        g = g.unsqueeze(0)
    grids.append({"name": name, "input": x.tolist(), "kw": kw, "pixels": pixels(g)})


add_grid("single_hw", torch.rand(5, 7))
add_grid("single_chw_rgb", torch.rand(3, 4, 6))
add_grid("batch_gray", torch.rand(5, 1, 3, 4), nrow=2, padding=1, pad_value=0.5)
add_grid("batch_rgb", torch.rand(3, 3, 2, 3), nrow=8)
add_grid("normalize", torch.randn(4, 1, 3, 3), nrow=3, normalize=True)
add_grid("value_range", torch.randn(4, 1, 3, 3) * 2, nrow=2, normalize=True, value_range=(-1.0, 1.0))
add_grid("scale_each", torch.randn(3, 1, 2, 2) * 3, nrow=3, normalize=True, scale_each=True)
add_grid("out_of_range", torch.randn(2, 1, 3, 3), padding=0)
out["grids"] = grids

meters = []
cases = [
    dict(n=0, total=10, elapsed=0),
    dict(n=4, total=10, elapsed=2),
    dict(n=1, total=8, elapsed=0.5),
    dict(n=3, total=7, elapsed=13.7, prefix="epoch 1"),
    dict(n=10, total=10, elapsed=61, prefix="train: ", postfix="loss=0.25"),
    dict(n=5, total=100, elapsed=7, ncols=60),
    dict(n=99, total=100, elapsed=3725.2, ncols=80, prefix="big"),
    dict(n=17, total=None, elapsed=4.2),
    dict(n=17, total=None, elapsed=4.2, prefix="stream", postfix="acc=0.9"),
    dict(n=2, total=1000, elapsed=30),
    dict(n=12, total=10, elapsed=1),
    dict(n=3, total=9, elapsed=1, ncols=0),
    dict(n=333, total=1000, elapsed=0.25, unit="img"),
]
for c in cases:
    meters.append({"args": c, "text": tqdm.format_meter(**c)})
out["meters"] = meters
out["intervals"] = [[t, tqdm.format_interval(t)] for t in [0, 1.9, 59, 60, 61.5, 3599, 3600, 86399, 360000]]
out["nums"] = [[v, tqdm.format_num(v)] for v in [0, 1, 12, 12345, 1234567, 0.5, 0.25, 0.123456, 1e-05, 0.00012345, 3.14159, 1e10, -2.5, 100.0, 1234.5678]]

bar = tqdm(total=3, disable=True)
bar.set_postfix(loss=0.123456, acc=0.9, name="x")
out["postfix_sorted_kwargs"] = bar.postfix
bar.set_postfix({"b": 1, "a": 2.5})
out["postfix_dict"] = bar.postfix

hists = []
for bins, lo, hi in [(10, 0, 0), (7, -1, 1), (5, 0.25, 2), (3, 0, 0)]:
    x = torch.randn(200, dtype=torch.float64)
    if bins == 3:
        x = torch.full((4,), 2.0, dtype=torch.float64)
    hists.append({"x": x.tolist(), "bins": bins, "min": lo, "max": hi, "counts": torch.histc(x, bins, lo, hi).long().tolist()})
out["hists"] = hists

reprs = []
torch.manual_seed(1)
for name, t in [
    ("small", torch.randn(2, 3)),
    ("ints", torch.arange(12).reshape(3, 4)),
    ("sci", torch.tensor([[1e-5, 1.0], [100.0, 2e6]])),
    ("summarised", torch.randn(40, 30)),
    ("vector", torch.randn(2000)),
    ("bool", torch.tensor([[True, False], [False, True]])),
    ("whole_floats", torch.tensor([1.0, 2.0, -3.0])),
]:
    reprs.append({"name": name, "values": t.tolist(), "dtype": str(t.dtype), "repr": repr(t)})
out["reprs"] = reprs

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "display.json"), "w") as f:
    json.dump(out, f)
print("wrote", os.path.join(here, "display.json"))
