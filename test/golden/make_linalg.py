"""Golden values for linear algebra (matmul, mm, bmm, mv, dot, outer, addmm, einsum), from PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_linalg.py
Writes test/golden/linalg.json, read by test/linalg.test.ts. Every input is written out with its
results, so the test never needs a random generator that matches PyTorch's.

An input spec is {data, shape, dtype, perm?}: the tensor is built from `data` (reshaped to `shape`,
which keeps the dims of empty tensors) and then permuted by
`perm` (so strided, transposed operands are covered), and requires grad when floating point.
"""
import json, math, os
import torch
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc  # noqa: E402

torch.manual_seed(0)
f32, f64, i64, i32, u8 = torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8
NAMES = {f32: 'float32', f64: 'float64', i64: 'int64', i32: 'int32', u8: 'uint8', torch.bool: 'bool'}


def rand(shape, dtype=f32):
    if dtype == torch.bool:
        return torch.ones(shape, dtype=dtype)
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype)
    return torch.randint(0 if dtype == u8 else -5, 6, shape, dtype=dtype)


def spec(shape, dtype=f32, perm=None, data=None):
    """A random input of base `shape`, optionally permuted: (spec for JSON, tensor for torch)."""
    base = rand(shape, dtype) if data is None else data.to(dtype)
    s = {'data': enc(base), 'shape': list(base.shape), 'dtype': NAMES[dtype]}
    t = base
    if perm is not None:
        s['perm'] = perm
        t = base.permute(*perm)
    return s, t


def call(op, ts, eq=None, kw=None):
    kw = kw or {}
    if op == 'einsum':
        return torch.einsum(eq, *ts)
    if op == 'addmm':
        return torch.addmm(*ts, **kw)
    return getattr(torch, op)(*ts)


def case(op, specs, eq=None, kw=None, grads=True):
    """Forward value, dtype, grad_fn names and the gradients for a random output gradient."""
    ins = [spec(*s) if isinstance(s, tuple) else s for s in specs]
    js = [s for s, _ in ins]
    ts = [t.clone().requires_grad_(t.is_floating_point()) for _, t in ins]
    out = call(op, ts, eq, kw)
    c = {'op': op, 'args': js, 'out': enc(out), 'dtype': NAMES[out.dtype], 'shape': list(out.shape)}
    if eq is not None: c['eq'] = eq
    if kw: c['kw'] = kw
    if out.requires_grad:
        c['grad_fn'] = out.grad_fn.name()
        # the node name when only one operand requires grad (matmul's path can depend on it)
        only = []
        for i in range(len(ts)):
            xs = [t.detach().requires_grad_(j == i and t.is_floating_point()) for j, t in enumerate(ts)]
            o = call(op, xs, eq, kw)
            only.append(o.grad_fn.name() if o.grad_fn is not None else None)
        c['grad_fn_only'] = only
        if grads:
            gout = torch.randn(out.shape, dtype=out.dtype)
            out.backward(gout)
            c['gout'] = enc(gout)
            c['grads'] = [enc(t.grad) if t.grad is not None else None for t in ts]
    return c


def err(op, specs, eq=None, kw=None):
    ts = [rand(*s) for s in specs]
    try:
        call(op, ts, eq, kw)
    except Exception as e:
        c = {'op': op, 'args': [{'shape': list(t.shape), 'dtype': NAMES[t.dtype]} for t in ts], 'type': type(e).__name__, 'message': str(e).split('\n')[0]}
        if eq is not None: c['eq'] = eq
        if kw: c['kw'] = kw
        return c
    raise AssertionError(f'expected an error from {op} {eq}')


out = {}

# ---- matmul: every dim combination, strided operands, broadcasting, empty and integer operands ----
M = []
for a, b in [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((7, 5, 2, 3), (3, 4)),
    ((1, 2, 3), (3, 4)), ((4, 3, 2, 5), (1, 5, 3)), ((3, 1, 4), (4, 2)), ((1,), (1,)), ((2, 1), (1, 3)),
]:
    M.append(case('matmul', [(a,), (b,)]))
    M.append(case('matmul', [(a, f64), (b, f64)]))
M.append(case('matmul', [((5, 3, 2), f32, [0, 2, 1]), ((3, 4),)]))           # permuted batch: bmm, not folded
M.append(case('matmul', [((3, 2), f32, [1, 0]), ((4, 3), f32, [1, 0])]))     # both transposed
M.append(case('matmul', [((2, 3),), ((5, 4, 3), f32, [0, 2, 1])]))           # matrix @ transposed batch
M.append(case('matmul', [((3, 5, 2), f32, [1, 0, 2]), ((5, 2, 4),)]))        # batch dim not outermost
M.append(case('matmul', [((4, 2, 3), f32, [2, 0, 1]), ((2, 4),)]))           # fully permuted
M.append(case('matmul', [((0, 3),), ((3, 2),)]))
M.append(case('matmul', [((2, 0),), ((0, 2),)]))
M.append(case('matmul', [((2, 3, 0),), ((0, 4),)]))
for dt in (i64, i32, u8):
    M.append(case('matmul', [((2, 3), dt), ((3, 4), dt)]))
    M.append(case('matmul', [((2, 2, 3), dt), ((3,), dt)]))
    M.append(case('matmul', [((3,), dt), ((3,), dt)]))
    M.append(case('matmul', [((2, 2, 3), dt), ((2, 3, 2), dt)]))
# wrap-around of fixed-width integers, as C++ arithmetic does
M.append(case('matmul', [((2, 2), i32, None, torch.tensor([[50000, 40000], [3, -70000]])), ((2, 2), i32, None, torch.tensor([[50000, 1], [60000, 2]]))]))
M.append(case('matmul', [((2, 2), u8, None, torch.tensor([[200, 100], [3, 7]])), ((2, 2), u8, None, torch.tensor([[2, 1], [90, 2]]))]))
# NaN and infinity propagate through zeros: no product is skipped
inf, nan = float('inf'), float('nan')
M.append(case('matmul', [((2, 2), f32, None, torch.tensor([[inf, 1.0], [nan, 2.0]])), ((2, 2), f32, None, torch.tensor([[0.0, 1.0], [0.0, 0.0]]))], grads=False))
M.append(case('matmul', [((3,), f64, None, torch.tensor([1.0, -inf, 0.0])), ((3, 2), f64, None, torch.tensor([[1.0, 2.0], [0.0, 1.0], [nan, 0.0]]))], grads=False))
out['matmul'] = M

# ---- the named products ----
P = []
P.append(case('mm', [((4, 3),), ((3, 5),)]))
P.append(case('mm', [((3, 4), f64, [1, 0]), ((5, 3), f64, [1, 0])]))
P.append(case('mm', [((4, 3), i64), ((3, 2), i64)]))
P.append(case('bmm', [((2, 4, 3),), ((2, 3, 5),)]))
P.append(case('bmm', [((3, 2, 4), f64, [1, 2, 0]), ((2, 3, 5), f64)]))
P.append(case('mv', [((4, 3),), ((3,),)]))
P.append(case('mv', [((3, 4), f64, [1, 0]), ((3,), f64)]))
P.append(case('dot', [((5,),), ((5,),)]))
P.append(case('dot', [((4,), i32), ((4,), i32)]))
P.append(case('outer', [((3,),), ((4,),)]))
P.append(case('outer', [((3,), f32), ((2,), f64)]))
P.append(case('outer', [((3,), i64), ((2,), f32)]))
P.append(case('addmm', [((2, 4),), ((2, 3),), ((3, 4),)]))
P.append(case('addmm', [((4,), f64), ((2, 3), f64), ((3, 4), f64)], kw={'beta': 0.5, 'alpha': 2.0}))
P.append(case('addmm', [((1, 4),), ((2, 3),), ((3, 4),)], kw={'beta': -1.5, 'alpha': 0.25}))
P.append(case('addmm', [((2, 4),), ((3, 2), f32, [1, 0]), ((3, 4),)], kw={'beta': 0.0}))
P.append(case('addmm', [((2, 2), f32, None, torch.tensor([[nan, inf], [1.0, 2.0]])), ((2, 3),), ((3, 2),)], kw={'beta': 0.0}, grads=False))
P.append(case('addmm', [((2, 3), i64), ((2, 3), i64), ((3, 3), i64)], kw={'beta': 1.5, 'alpha': 2.5}))
P.append(case('addmm', [((2, 3), i64), ((2, 3), i64), ((3, 3), i64)], kw={'beta': 0.5, 'alpha': 2}))
out['products'] = P

# ---- einsum ----
E = []
for eq, shapes in [
    ('ij->ji', [(3, 2)]), ('ii', [(3, 3)]), ('ii->i', [(3, 3)]), ('ij->', [(3, 2)]), ('ij->j', [(3, 2)]),
    ('ij', [(3, 2)]), ('ji', [(3, 2)]), ('i,i->', [(4,), (4,)]), ('i,i', [(4,), (4,)]), ('i,j->ij', [(3,), (2,)]),
    ('ij,jk->ik', [(2, 3), (3, 4)]), ('ij,jk', [(2, 3), (3, 4)]), ('ij,kj->ik', [(2, 3), (4, 3)]),
    ('bij,bjk->bik', [(2, 2, 3), (2, 3, 4)]), ('bhqd,bhkd->bhqk', [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ('...ij,...jk->...ik', [(2, 1, 2, 3), (3, 3, 4)]), ('...ij,...jk', [(1, 2, 3), (3, 3, 4)]),
    ('ij,ij->ij', [(2, 1), (1, 3)]), ('Ab,bA', [(2, 3), (3, 2)]), ('bA,cb', [(2, 3), (3, 2)]), ('ba,cb', [(2, 3), (3, 2)]),
    ('i...->...', [(2, 3, 4)]), ('...ii->...i', [(2, 3, 3)]), ('...ij->ij', [(4, 2, 3)]), ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 5)]),
    ('i,i,i->', [(5,), (5,), (5,)]), ('i, j -> i j', [(2,), (3,)]), ('ijk,ikl->jl', [(2, 3, 4), (2, 4, 5)]),
    ('bij,jk->bik', [(2, 3, 4), (4, 5)]), ('iij->j', [(3, 3, 2)]), ('ij,j->i', [(3, 4), (4,)]), ('i,ij->j', [(3,), (3, 4)]),
    ('ab,cd->abcd', [(2, 3), (1, 2)]), ('ik,jk->', [(2, 3), (4, 3)]),
]:
    E.append(case('einsum', [(s,) for s in shapes], eq=eq))
E.append(case('einsum', [((3, 2), f64), ((3, 4), f64)], eq='ji,jk->ik'))
E.append(case('einsum', [((3, 3), i64)], eq='ii'))
E.append(case('einsum', [((2, 3), i64), ((3, 2), i64)], eq='ij,jk->ik'))
E.append(case('einsum', [((4, 3), f32, [1, 0]), ((4, 2),)], eq='ij,jk->ik'))
out['einsum'] = E

# ---- errors: messages and classes exactly as PyTorch's ----
R = []
f = lambda *s: (s, f32)
d = lambda *s: (s, f64)
l = lambda *s: (s, i64)
b = lambda *s: (s, torch.bool)
R.append(err('mm', [f(64, 784), f(100, 10)]))
R.append(err('mm', [f(3), f(3, 4)]))
R.append(err('mm', [f(3, 4), f(4)]))
R.append(err('mm', [f(3, 3), d(3, 3)]))
R.append(err('mm', [d(3, 3), f(3, 3)]))
R.append(err('mm', [l(3, 3), f(3, 3)]))
R.append(err('mm', [f(2, 3), d(4, 5)]))
R.append(err('mm', [b(2, 3), f(3, 2)]))
R.append(err('mm', [f(2, 3), b(3, 2)]))
R.append(err('mm', [b(2, 2), b(2, 2)]))
R.append(err('dot', [f(2, 2), f(2, 2)]))
R.append(err('dot', [f(3), f(4)]))
R.append(err('dot', [f(3), d(3)]))
R.append(err('dot', [f(3), d(4)]))
R.append(err('dot', [b(3), b(3)]))
R.append(err('mv', [f(3, 3), f(4)]))
R.append(err('mv', [f(3), f(3)]))
R.append(err('mv', [f(3, 3), f(3, 1)]))
R.append(err('mv', [f(3, 3), d(3)]))
R.append(err('mv', [b(3, 3), b(3)]))
R.append(err('bmm', [f(2, 3), f(2, 3, 4)]))
R.append(err('bmm', [f(2, 2, 3), f(2, 3)]))
R.append(err('bmm', [f(2, 2, 3), f(3, 3, 4)]))
R.append(err('bmm', [f(2, 2, 3), f(2, 4, 4)]))
R.append(err('bmm', [f(2, 2, 3), d(2, 3, 4)]))
R.append(err('bmm', [b(1, 2, 2), b(1, 2, 2)]))
for a, bb in [
    (f(), f(3)), (f(3), f()), (f(2, 3), f(4)), (f(3), f(4, 5)), (f(2, 3), f(4, 5)), (f(2, 2, 3), f(3, 4, 5)),
    (f(2, 2, 3), f(2, 4, 5)), (f(2, 2, 3), f(4)), (f(3), f(2, 4, 5)), (f(2, 3), f(2, 4, 5)),
    (f(3, 3), d(3, 3)), (f(2, 3, 3), d(2, 3, 3)), (f(3, 3), d(3)), (f(3), l(3)), (f(3), d(3, 2)),
    (f(2, 3, 3), l(3, 3)), (f(3, 3), l(2, 3, 3)), (f(2, 2, 3), d(2, 4, 5)), (b(2, 2), b(2, 2)), (b(1, 2, 2), b(1, 2, 2)),
]:
    R.append(err('matmul', [a, bb]))
R.append(err('outer', [f(2, 2), f(3)]))
R.append(err('outer', [f(2), f(3, 1)]))
for s, m1, m2 in [
    (f(4), f(2, 3), f(3, 3)), (f(2, 3), f(2, 3), d(3, 3)), (d(2, 3), f(2, 3), f(3, 3)), (f(2, 3), d(2, 3), f(3, 3)),
    (f(2, 3), d(2, 3), d(3, 3)), (f(2, 3), f(2, 3), f(4, 3)), (f(2, 3), f(3), f(3, 3)), (f(2, 3), f(2, 3), f(3)),
    (f(4), f(3), f(3, 3)), (f(4), f(2, 3), f(4, 3)), (f(4), f(2, 3), d(3, 3)), (d(2, 3), f(2, 3), f(4, 3)),
    (f(2, 3, 1), f(2, 3), f(3, 3)), (b(2, 3), b(2, 3), b(3, 3)), (f(2, 3), l(2, 3), l(3, 3)),
]:
    R.append(err('addmm', [s, m1, m2]))
for eq, shapes in [
    ('ij,jk', [(2, 3), (4, 3)]), ('ij,jk->ik', [(2, 3)]), ('ij->ik', [(2, 3)]), ('ij->ii', [(2, 3)]),
    ('ij', [(2, 3, 4)]), ('ijk', [(2, 3)]), ('i,j', [(2,), (3,), (3,)]), ('i1', [(2, 3)]), ('i->i->i', [(2,)]),
    ('...ij,...jk', [(2, 2, 3), (3, 3, 4)]), ('i.j', [(2, 3)]), ('i..j', [(2, 3)]), ('i...j...', [(2, 3)]),
    ('ii->i', [(2, 3)]), ('ij->i..', [(2, 3)]), ('ij->...i...', [(2, 3)]), ('ij...', [(2,)]), ('ij,jk', [(2, 3), (3, 4)]),
]:
    dts = [f64 if (eq == 'ij,jk' and k == 1 and shapes[1] == (3, 4)) else f32 for k in range(len(shapes))]
    R.append(err('einsum', [(s, dt) for s, dt in zip(shapes, dts)], eq=eq))
out['errors'] = R

# ---- double backward: d/dB of sum(dL/dA * V), through the product's backward ----
D = []
for op, eq, sa, sb in [
    ('mm', None, (3, 4), (4, 2)), ('matmul', None, (2, 3, 4), (4, 2)), ('matmul', None, (2, 3, 4), (2, 4, 5)),
    ('matmul', None, (4,), (4, 3)), ('mv', None, (3, 4), (4,)), ('dot', None, (4,), (4,)),
    ('bmm', None, (2, 3, 4), (2, 4, 2)), ('einsum', 'bij,bjk->bik', (2, 3, 4), (2, 4, 2)),
]:
    a = torch.randn(*sa, dtype=f64, requires_grad=True)
    bt = torch.randn(*sb, dtype=f64, requires_grad=True)
    y = call(op, [a, bt], eq)
    w = torch.randn(y.shape, dtype=f64)
    loss = (y * y * w).sum()
    ga, = torch.autograd.grad(loss, a, create_graph=True)
    v = torch.randn(sa, dtype=f64)
    (ga * v).sum().backward()
    D.append({'op': op, 'eq': eq, 'a': enc(a), 'b': enc(bt), 'w': enc(w), 'v': enc(v),
              'grad_a': enc(ga), 'a_grad': enc(a.grad), 'b_grad': enc(bt.grad)})
out['double_backward'] = D

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'linalg.json')
with open(path, 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
print(f'wrote {path}: ' + ', '.join(f'{k} {len(v)}' for k, v in out.items()))
