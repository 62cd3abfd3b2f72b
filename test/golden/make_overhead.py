"""Golden values for the per-op fast paths of issue 9 (bench/step10.ts), from real PyTorch:
relu's gradient as threshold_backward (NaN outputs pass the gradient, -0 kept, its double
backward), and default_collate over a TensorDataset's rows (values, shapes and dtypes).

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_overhead.py
Writes test/golden/overhead.json, read by test/autograd_steal.test.ts and test/data_collate.test.ts.
"""
import json, os, sys
import torch
from torch.utils.data import TensorDataset
from torch.utils.data._utils.collate import default_collate
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
out = {}

# relu backward: 0 where the output is <= 0, the gradient elsewhere (also where it is NaN)
x = torch.tensor([-1.5, 2.0, float('nan'), 0.0, 3.0, -0.0], requires_grad=True)
g = torch.tensor([1.0, float('nan'), 3.0, -4.0, -0.0, 5.0], requires_grad=True)
y = x.relu()
gx, = torch.autograd.grad(y, x, g, create_graph=True)
gg, = torch.autograd.grad(gx.sum(), g)
out['relu'] = {
    'x': enc(x), 'g': enc(g), 'gx': enc(gx), 'gx_signbit': enc(torch.signbit(gx)),
    'grad_fn': type(gx.grad_fn).__name__,
    'next': [type(n).__name__ for n, _ in gx.grad_fn.next_functions],
    'gg': enc(gg),
}

# default_collate over TensorDataset rows, as a DataLoader batches them
X = torch.arange(60, dtype=torch.float32).reshape(10, 2, 3) / 7
Y = torch.arange(10) * 3 - 5
B = torch.tensor([True, False] * 5)
U = torch.arange(10, dtype=torch.uint8) * 20
D = torch.arange(20, dtype=torch.float64).reshape(2, 10).t()  # rows of a transposed tensor: strided samples
ds = TensorDataset(X, Y, B, U, D)
idx = [7, 2, 9, 0]
batch = default_collate([ds[i] for i in idx])
out['collate'] = {
    'idx': idx,
    'values': [enc(t) for t in batch],
    'shapes': [list(t.shape) for t in batch],
    'dtypes': [dname(t.dtype) for t in batch],
    'contiguous': [t.is_contiguous() for t in batch],
}

with open(os.path.join(HERE, 'overhead.json'), 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
