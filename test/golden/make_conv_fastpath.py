"""Golden values for the CPU fast paths of max pooling where PyTorch's CPU rules decide the
result: NaN in a window (the last NaN's index), all -inf windows in the padding (the first
position inside the input), ties (the first maximum). float32, as the WebAssembly kernel takes.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_conv_fastpath.py
Writes test/golden/conv_fastpath.json, read by test/nn/conv_fastpath.test.ts.
"""
import json, os, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
nan, inf = float('nan'), float('inf')

g = torch.Generator().manual_seed(0)
# a wide input, so that the 4-windows-at-a-time path sees NaN and ties too
wide = torch.randn(2, 3, 6, 19, generator=g).round()
wide[0, 1, 2, 5] = nan
wide[1, 2, 0, 8] = nan
wide[1, 2, 1, 9] = nan
wide[0, 0, 3, :] = -inf

inputs = {
    'with_nan': [[[[nan, 1., nan, 0.], [2., nan, 5., -inf]]]],
    'ties': [[[[1., 3., 0., 0.], [3., 2., 0., 0.]]]],
    'neg_inf': [[[[-inf, -inf], [-inf, -inf]]]],
    'wide': wide.tolist(),
}
cases = [
    ('with_nan', {'kernel_size': 2}),
    ('ties', {'kernel_size': 2}),
    ('neg_inf', {'kernel_size': 2, 'padding': 1}),
    ('wide', {'kernel_size': 2}),
    ('wide', {'kernel_size': 3, 'stride': 1, 'padding': 1}),
    ('wide', {'kernel_size': [2, 3], 'stride': [1, 3]}),
    ('wide', {'kernel_size': 3, 'stride': 2, 'dilation': 2, 'ceil_mode': True}),
]
out = []
for name, kw in cases:
    x = torch.tensor(inputs[name], dtype=torch.float32)
    v, i = F.max_pool2d(x, return_indices=True, **kw)
    out.append({'input': name, 'kwargs': kw, 'values': enc(v), 'indices': enc(i)})
with open(os.path.join(HERE, 'conv_fastpath.json'), 'w') as f:
    json.dump({'inputs': {k: enc(torch.tensor(v)) for k, v in inputs.items()}, 'max_pool2d': out}, f)
