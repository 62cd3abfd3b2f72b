"""PyTorch's own repr of a broad set of tensors, for the printing snapshot tests.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_repr.py
Writes test/golden/repr.json, read by test/repr.test.ts. Each case carries the flat values
(exact: float32 values are written as the doubles they are), the shape, the dtype, the autograd
recipe and the print options, so torchlab can build the same tensor and compare its String().
"""
import json, math, os
import torch

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)

OPS = {
    'mul2': lambda x: x * 2,
    'sum': lambda x: x.sum(),
    'add1': lambda x: x + 1,
    'sub1': lambda x: x - 1,
    'mean': lambda x: x.mean(),
    'exp': lambda x: x.exp(),
    'pow2': lambda x: x.pow(2),
    'neg': lambda x: x.neg(),
    'view': lambda x: x.view(-1),
}


def enc(v):
    if isinstance(v, float):
        if math.isnan(v): return 'nan'
        if math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v


cases = []


def case(name, t, op=None, requires_grad=False, opts=None, default_dtype=None):
    """Records repr(t) after the recipe: requires_grad_() on the leaf, then op, under opts."""
    flat = t.detach().reshape(-1).tolist()
    if default_dtype is not None:
        torch.set_default_dtype(getattr(torch, default_dtype))
    if opts:
        torch.set_printoptions(**opts)
    try:
        x = t.detach().clone()
        if requires_grad:
            x.requires_grad_()
        y = OPS[op](x) if op else x
        r = repr(y)
    finally:
        torch.set_printoptions(profile='default')
        torch.set_default_dtype(torch.float32)
    cases.append({
        'name': name,
        'values': [enc(v) for v in flat],
        'shape': list(t.shape),
        'dtype': str(t.dtype).replace('torch.', ''),
        'requires_grad': requires_grad,
        'op': op,
        'opts': opts,
        'default_dtype': default_dtype,
        'repr': r,
    })


f32, f64, i32, i64, u8, b = torch.float32, torch.float64, torch.int32, torch.int64, torch.uint8, torch.bool
nan, inf = float('nan'), float('inf')
T = torch.tensor

# 0-d
case('0d float integral', T(3.0))
case('0d float', T(3.5))
case('0d negative', T(-0.25))
case('0d small (sci)', T(1e-5))
case('0d nan', T(nan))
case('0d -inf', T(-inf))
case('0d zero', T(0.0))
case('0d float64', T(2.5, dtype=f64))
case('0d int64', T(7))
case('0d int32', T(-7, dtype=i32))
case('0d bool', T(True))

# 1-d floats: int mode, fixed, sci, specials, rounding ties
case('1d integral floats', T([1.0, 2.0, 3.0]))
case('1d mixed signs', T([1.5, -2.25, 3.0]))
case('1d zeros', T([0.0, 0.0]))
case('1d negative zero int mode', T([-0.0, 1.0]))
case('1d negative zero fixed', T([-0.0, 1.5]))
case('1d binary ties', T([1.03125, 2.5, 0.15625, -0.40625]))
case('1d ties float64', T([0.5, 1.5, 2.5, 1.00005, 2.00015], dtype=f64))
case('1d tiny (sci)', T([1e-5, 1.0]))
case('1d huge (sci)', T([1e10, 1.0]))
case('1d big integral (sci)', T([1e9, 2e9]))
case('1d wide ratio (sci)', T([100000.5, 1.5]))
case('1d ratio just under', T([999.5, 1.0]))
case('1d fixed wide', T([123.456, 0.5, -99.25]))
case('1d nan inf', T([nan, 1.5, inf, -inf]))
case('1d nan inf int mode', T([nan, 1.0, -inf]))
case('1d only specials', T([nan, inf, 0.0]))
case('1d int mode with large', T([12345678.0, 1.0, -20000.0]))
case('1d sci negatives', T([-1.2345e-7, 3.0e5, 0.0]))
case('1d float32 rounding', T([0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0]))
case('1d float64 thirds', T([0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-3], dtype=f64))
case('1d randn wraps', torch.randn(50))
case('1d randn float64 x1000 wraps', torch.randn(40, dtype=f64) * 1000)
case('1d sci wraps', torch.randn(30) * 1e-6)
case('1d summarized', torch.randn(1001))
case('1d summarized int mode', torch.arange(2000).float())
case('1d large values float64', T([1.5e300, -2.5e-300, 1.0], dtype=f64))
case('1d ints huge float64 sci', T([1e22, 3.0], dtype=f64))

# integer and bool dtypes
case('1d int64', T([1, -2, 300]))
case('1d int64 wraps', torch.arange(30) * 1001)
case('1d int64 big', T([-12345678901, 5, 2 ** 52]))
case('1d int64 summarized', torch.arange(2000))
case('1d int32', T([1, 2, -3], dtype=i32))
case('1d uint8', T([0, 255, 7], dtype=u8))
case('1d bool', T([True, False, True]))
case('1d bool all false', T([False, False]))
case('2d bool', T([[True, False], [False, True]]))
case('2d int32', T([[1, 22], [333, -4]], dtype=i32))
case('2d uint8 summarized', (torch.arange(1200) % 256).to(u8).reshape(40, 30))
case('3d int64', torch.arange(24).reshape(2, 3, 4))

# 2-d to 4-d floats
case('2d randn', torch.randn(3, 4))
case('2d integral', T([[1.0, 2.0], [3.0, 40.0]]))
case('2d float64', torch.randn(2, 3, dtype=f64))
case('2d rows wrap', torch.randn(3, 30))
case('2d summarized', torch.randn(40, 40))
case('2d summarized rows only', torch.randn(600, 2))
case('2d summarized cols only', torch.randn(2, 600))
case('2d sci', torch.randn(3, 3) * 1e5)
case('3d randn', torch.randn(2, 3, 4))
case('3d summarized', torch.randn(10, 10, 20))
case('4d randn', torch.randn(2, 2, 2, 3))
case('4d summarized', torch.randn(8, 8, 4, 5))
case('2d single column', torch.randn(4, 1))
case('3d size-1 dims', torch.randn(1, 1, 3))

# empty tensors
case('empty float', torch.zeros(0))
case('empty int64', torch.zeros(0, dtype=i64))
case('empty bool', torch.zeros(0, dtype=b))
case('empty 0x3', torch.zeros(0, 3))
case('empty 2x0 int32', torch.zeros(2, 0, dtype=i32))
case('empty 0x0x2 float64', torch.zeros(0, 0, 2, dtype=f64))

# autograd suffixes
case('leaf requires_grad', torch.randn(3), requires_grad=True)
case('leaf 2d requires_grad', torch.randn(2, 3), requires_grad=True)
case('leaf 0d requires_grad', T(2.0), requires_grad=True)
case('leaf float64 requires_grad', torch.randn(3, dtype=f64), requires_grad=True)
for n in (6, 7, 8, 9):
    case(f'leaf suffix wrap {n}', torch.randn(n), requires_grad=True)
case('leaf float64 suffixes wrap', torch.randn(6, dtype=f64), requires_grad=True)
case('leaf summarized requires_grad', torch.randn(30, 40), requires_grad=True)
for op in OPS:
    case(f'grad_fn {op}', torch.randn(2, 3), op=op, requires_grad=True)
case('grad_fn mul2 float64', torch.randn(4, dtype=f64), op='mul2', requires_grad=True)
case('grad_fn 1d wrap', torch.randn(9), op='exp', requires_grad=True)
case('grad_fn empty', torch.zeros(0, 2), op='mul2', requires_grad=True)
case('no grad_fn without requires_grad', torch.randn(3), op='mul2')

# print options
case('precision 2', torch.randn(5), opts={'precision': 2})
case('precision 0', T([1.5, 2.5, -0.4]), opts={'precision': 0})
case('precision 0 sci', T([1.5e-6, 2.5]), opts={'precision': 0})
case('precision 8 float64', torch.randn(4, dtype=f64), opts={'precision': 8})
case('precision 10 float32', T([0.1, 1.0 / 3.0]), opts={'precision': 10})
case('threshold 5', torch.arange(10), opts={'threshold': 5})
case('threshold 5 float', torch.arange(10).float() / 3, opts={'threshold': 5})
case('sci_mode True', T([1.5, 2.5]), opts={'sci_mode': True})
case('sci_mode True int mode', T([1.0, 2.0]), opts={'sci_mode': True})
case('sci_mode True zeros', T([0.0, 0.0]), opts={'sci_mode': True})
case('sci_mode False tiny', T([1e-5, 1.0]), opts={'sci_mode': False})
case('sci_mode False huge int', T([1e10, 1.0]), opts={'sci_mode': False})
case('sci_mode False huge', T([1e10, 1.5]), opts={'sci_mode': False})
case('edgeitems 2 threshold 10', torch.randn(5, 5, 5), opts={'edgeitems': 2, 'threshold': 10})
case('edgeitems 1', torch.randn(1200), opts={'edgeitems': 1})
case('linewidth 40', torch.randn(20), opts={'linewidth': 40})
case('linewidth 40 2d', torch.randn(3, 12), opts={'linewidth': 40})
case('linewidth 30 suffix', torch.randn(2), requires_grad=True, opts={'linewidth': 30})
case('profile short', torch.randn(10), opts={'profile': 'short'})
case('profile short summarized', torch.randn(40, 40), opts={'profile': 'short'})
case('profile full', torch.arange(1500), opts={'profile': 'full'})
case('profile full 2d', torch.randn(40, 30), opts={'profile': 'full'})
case('profile short precision 3', torch.randn(6), opts={'profile': 'short', 'precision': 3})

# default dtype float64
case('default float64: float64', T([1.5, 2.0], dtype=f64), default_dtype='float64')
case('default float64: float32', T([1.5, 2.0]), default_dtype='float64')
case('default float64: empty float64', torch.zeros(0, dtype=f64), default_dtype='float64')
case('default float64: empty float32', torch.zeros(0), default_dtype='float64')
case('default float64: int64', T([1, 2]), default_dtype='float64')

# Python's float formatting on its own, over magnitudes, float32 values and exact binary ties
import random
rng = random.Random(1)
fvals = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.03125, 9.99995, 99999.5, 1e22, 1e21, 5e-324,
         1.7976931348623157e308, 2.0 ** 53 + 2, 0.1, 0.2, 0.3, 1e16, 1e15, 1e-4, 1e-5, 123456789.125]
fvals += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(150)]
fvals += torch.randn(100).mul(10.0 ** torch.randint(-8, 9, (100,)).float()).tolist()
fvals += [k / 2.0 ** rng.randint(1, 14) * rng.choice([1, -1]) for k in (rng.randint(1, 10 ** 6) for _ in range(100))]
FORMATS = ['{:.4f}', '{:.0f}', '{:.8f}', '{:.4e}', '{:.0e}', '{:.2e}', '{:.10e}']
formats = {
    'values': fvals,
    'formats': FORMATS,
    'out': [[f.format(v) for f in FORMATS] + [repr(v)] for v in fvals],
}

# Python's print over tagged arguments both sides can build (JavaScript has no 1.0 apart from 1)
import contextlib, io


def build_arg(a):
    t = a['t']
    if t == 'float':
        return float(a['v'])
    if t in ('str', 'int', 'bool'):
        return a['v']
    if t == 'none':
        return None
    if t == 'list':
        return [build_arg(e) for e in a['v']]
    if t == 'dict':
        return {build_arg(k): build_arg(v) for k, v in a['v']}
    if t == 'tensor':
        return torch.tensor(a['values'], dtype=getattr(torch, a['dtype'])).reshape(a['shape'])
    if t == 'device':
        return torch.device(a['v'])
    if t == 'dtype':
        return getattr(torch, a['v'])
    if t == 'size':
        return torch.Size(a['v'])
    raise ValueError(t)


S = lambda v: {'t': 'str', 'v': v}
I = lambda v: {'t': 'int', 'v': v}
F = lambda v: {'t': 'float', 'v': enc(v)}
B = lambda v: {'t': 'bool', 'v': v}
L = lambda *v: {'t': 'list', 'v': list(v)}
D = lambda *kv: {'t': 'dict', 'v': [list(p) for p in kv]}
N = {'t': 'none'}
TT = lambda values, shape, dtype: {'t': 'tensor', 'values': values, 'shape': shape, 'dtype': dtype}
print_cases = [
    [S('loss'), F(0.25), TT([1.5, 2.0], [2], 'float32')],
    [S('epoch'), I(3), S('acc'), F(0.1 + 0.2)],
    [B(True), B(False), N],
    [L(I(1), I(2), F(2.5)), L()],
    [L(S('a'), S("it's"), S('say "hi"'), S('tab\tnew\nline\\'), S('both \' and "'))],
    [D((S('lr'), F(0.001)), (S('momentum'), F(0.9)), (I(1), L(B(True), N)))],
    [F(1e-05), F(1e16), F(-0.0), F(float('inf')), F(float('nan')), F(123456.789), F(1.5e-7)],
    [TT([[1, 2], [3, 4]], [2, 2], 'int64')],
    [S('x ='), TT([True, False], [2], 'bool'), S('done')],
    [L(TT([0.5], [1], 'float64'), TT([7], [], 'int32'))],
    [{'t': 'device', 'v': 'cuda:0'}, {'t': 'device', 'v': 'cpu'}, L({'t': 'device', 'v': 'cuda:0'})],
    [{'t': 'dtype', 'v': 'float32'}, L({'t': 'dtype', 'v': 'int64'})],
    [{'t': 'size', 'v': [2, 3]}, L({'t': 'size', 'v': []})],
    [S('100%% %s %d')],
    [],
]
print_golden = []
for args in print_cases:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print(*[build_arg(a) for a in args])
    print_golden.append({'args': args, 'out': buf.getvalue()})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'repr.json')
with open(out, 'w') as fh:
    json.dump({'torch_version': torch.__version__, 'cases': cases, 'floats': formats, 'print': print_golden}, fh, indent=0, allow_nan=False)
    fh.write('\n')
print(f'wrote {len(cases)} cases to {out}')
