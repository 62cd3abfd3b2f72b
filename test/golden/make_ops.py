"""Golden values for the elementwise op table and the reductions, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_ops.py
Writes test/golden/ops.json, read by test/ops.test.ts.
"""
import json, math, os
import torch
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)

DEFAULT = [-2.5, -1.3, -0.4, 0.7, 1.9, 3.2]
POS = [0.3, 0.9, 1.7, 2.6, 4.1]
UNIT = [-0.9, -0.3, 0.2, 0.6, 0.85]
GT1 = [1.2, 1.9, 3.5]
HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, 0.6, -0.6]
SPECIAL = [float('nan'), float('inf'), float('-inf'), 0.0, -0.0]

unary_domains = {
    'log': POS, 'log1p': POS, 'log2': POS, 'log10': POS, 'sqrt': POS, 'rsqrt': POS, 'reciprocal': POS,
    'asin': UNIT, 'acos': UNIT, 'atanh': UNIT, 'acosh': GT1,
    'round': HALVES, 'floor': HALVES, 'ceil': HALVES, 'trunc': HALVES, 'fix': HALVES, 'frac': HALVES,
}
unary_ops = ['neg', 'negative', 'abs', 'sign', 'sgn', 'exp', 'exp2', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt',
             'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh',
             'asinh', 'acosh', 'atanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'trunc', 'fix', 'round', 'frac',
             'isnan', 'isfinite', 'isinf', 'isposinf', 'isneginf', 'signbit', 'logical_not', 'positive']

out = {'unary': {}, 'binary': {}, 'reduce': [], 'scalar': []}

for name in unary_ops:
    vals = unary_domains.get(name, DEFAULT)
    entry = {'cases': []}
    for dtype in [torch.float32, torch.float64]:
        x = torch.tensor(vals, dtype=dtype, requires_grad=True)
        y = getattr(torch, name)(x)
        case = {'dtype': dname(dtype), 'x': enc(x), 'y': enc(y), 'ydtype': dname(y.dtype)}
        if y.requires_grad:
            (g,) = torch.autograd.grad(y.sum() if y.dtype.is_floating_point else y.float().sum(), x)
            case['grad'] = enc(g)
            case['grad_fn'] = type(y.grad_fn).__name__
        entry['cases'].append(case)
    # special values, forward only
    xs = torch.tensor(SPECIAL, dtype=torch.float32)
    entry['special'] = {'x': enc(xs), 'y': enc(getattr(torch, name)(xs))}
    # integer input: result dtype and values
    xi = torch.tensor([-3, -1, 0, 2, 5])
    try:
        yi = getattr(torch, name)(xi)
        entry['int'] = {'x': enc(xi), 'y': enc(yi), 'ydtype': dname(yi.dtype)}
    except Exception as e:
        entry['int'] = {'x': enc(xi), 'error': str(e).split('\n')[0]}
    out['unary'][name] = entry

A = [[-2.5, -1.3, 0.4], [0.7, 1.9, 3.2]]
B = [1.1, -0.6, 2.3]
APOS = [[0.5, 1.3, 2.4], [0.7, 1.9, 3.2]]
binary_ops = ['mul', 'multiply', 'true_divide', 'pow', 'remainder', 'fmod', 'atan2', 'maximum', 'minimum', 'fmax', 'fmin',
              'hypot', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'not_equal', 'less', 'less_equal', 'greater',
              'greater_equal', 'logical_and', 'logical_or', 'logical_xor', 'add', 'sub', 'div']
for name in binary_ops:
    entry = {'cases': []}
    a_vals = APOS if name == 'pow' else A
    for dtype in [torch.float32, torch.float64]:
        a = torch.tensor(a_vals, dtype=dtype, requires_grad=True)
        b = torch.tensor(B, dtype=dtype, requires_grad=True)
        y = getattr(torch, name)(a, b)
        case = {'dtype': dname(dtype), 'a': enc(a), 'b': enc(b), 'y': enc(y), 'ydtype': dname(y.dtype)}
        if y.requires_grad:
            ga, gb = torch.autograd.grad(y.sum(), (a, b))
            case['grad_a'] = enc(ga)
            case['grad_b'] = enc(gb)
            case['grad_fn'] = type(y.grad_fn).__name__
        entry['cases'].append(case)
    # scalar operands: float and int, against float and int tensors
    scal = []
    for tdtype in [torch.float32, torch.int64, torch.int32, torch.uint8, torch.bool]:
        t = torch.tensor([[3, 1, 2], [0, 4, 5]]).to(tdtype)
        for s in [2, 2.5, True]:
            try:
                y = getattr(torch, name)(t, s)
                scal.append({'tdtype': dname(tdtype), 't': enc(t), 's': s, 'y': enc(y), 'ydtype': dname(y.dtype)})
            except Exception as e:
                scal.append({'tdtype': dname(tdtype), 't': enc(t), 's': s, 'error': str(e).split('\n')[0]})
    entry['scalar'] = scal
    # mixed tensor dtypes
    mixed = []
    for d1, d2 in [(torch.int64, torch.float32), (torch.int32, torch.int64), (torch.uint8, torch.int32), (torch.float32, torch.float64), (torch.bool, torch.int32), (torch.bool, torch.bool)]:
        t1 = torch.tensor([1, 2, 3]).to(d1)
        t2 = torch.tensor([3, 1, 1]).to(d2)
        try:
            y = getattr(torch, name)(t1, t2)
            mixed.append({'d1': dname(d1), 'd2': dname(d2), 'a': enc(t1), 'b': enc(t2), 'y': enc(y), 'ydtype': dname(y.dtype)})
        except Exception as e:
            mixed.append({'d1': dname(d1), 'd2': dname(d2), 'a': enc(t1), 'b': enc(t2), 'error': str(e).split('\n')[0]})
    entry['mixed'] = mixed
    out['binary'][name] = entry

X = [[[1.5, -0.3, 2.2, 0.9], [-1.1, 0.4, 3.3, -2.7], [0.2, 1.8, -0.6, 1.4]],
     [[-0.8, 2.6, 0.1, -1.9], [1.2, -0.5, 0.7, 2.9], [-2.2, 0.3, 1.6, -0.4]]]
red_cases = [
    ('sum', (), {}), ('sum', (1,), {}), ('sum', ((0, 2),), {}), ('sum', (-1,), {'keepdim': True}),
    ('mean', (), {}), ('mean', (0,), {}), ('mean', ((1, 2),), {'keepdim': True}),
    ('prod', (), {}), ('prod', (1,), {}), ('prod', (2,), {'keepdim': True}),
    ('amax', (), {}), ('amax', (1,), {}), ('amin', ((0, 1),), {}),
    ('max', (), {}), ('min', (), {}), ('max', (1,), {}), ('min', (2,), {'keepdim': True}),
    ('argmax', (), {}), ('argmax', (1,), {}), ('argmin', (2,), {'keepdim': True}),
    ('var', (), {}), ('var', (1,), {}), ('var', (2,), {'correction': 0, 'keepdim': True}), ('std', (), {}), ('std', (0,), {}),
    ('logsumexp', (1,), {}), ('logsumexp', ((0, 2),), {'keepdim': True}),
    ('norm', (), {}), ('norm', (1,), {}), ('norm', (1, 2), {}), ('norm', (float('inf'), 2), {}),
]
for name, args, kw in red_cases:
    for dtype in [torch.float32, torch.float64]:
        x = torch.tensor(X, dtype=dtype, requires_grad=True)
        if name == 'norm':
            p = args[0] if args else 2
            dim = args[1] if len(args) > 1 else None
            r = torch.norm(x, p=p, dim=dim, **kw)
        else:
            r = getattr(torch, name)(x, *args, **kw)
        values = r[0] if isinstance(r, tuple) else r
        case = {'op': name, 'args': [list(a) if isinstance(a, tuple) else ('inf' if a == float('inf') else a) for a in args], 'kw': kw, 'dtype': dname(dtype), 'x': enc(x), 'y': enc(values), 'ydtype': dname(values.dtype)}
        if isinstance(r, tuple):
            case['indices'] = enc(r[1])
        if values.requires_grad:
            (g,) = torch.autograd.grad(values.sum(), x)
            case['grad'] = enc(g)
            case['grad_fn'] = type(values.grad_fn).__name__
        out['reduce'].append(case)

# integer / bool reductions: dtypes
for name in ['sum', 'prod', 'all', 'any', 'amax', 'argmax']:
    for dtype in [torch.int32, torch.int64, torch.uint8, torch.bool]:
        x = torch.tensor([[1, 0, 3], [4, 5, 0]]).to(dtype)
        try:
            r = getattr(torch, name)(x, 1)
            out['reduce'].append({'op': name, 'args': [1], 'kw': {}, 'dtype': dname(dtype), 'x': enc(x), 'y': enc(r), 'ydtype': dname(r.dtype)})
        except Exception as e:
            out['reduce'].append({'op': name, 'args': [1], 'kw': {}, 'dtype': dname(dtype), 'x': enc(x), 'error': str(e).split('\n')[0]})

path = os.path.join(os.path.dirname(__file__), 'ops.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=0)
print('wrote', path)
