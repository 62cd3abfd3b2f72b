"""Golden values for the ops added by the API coverage audit, from PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_api.py
Writes test/golden/api.json, read by test/ops_extra.test.ts.

A case is a call written once here and replayed by the test: `call` is 'torch.NAME',
'linalg.NAME', 'method.NAME' (the first argument is self) or 'prop.NAME' (a property of self); `args` are positional arguments and
`kw` the keyword arguments (the test passes them as one trailing options object). Tensors are
written as {t: values, dtype, shape}. Results keep their structure (tuples, named tuples).
With `grad`, every floating-point tensor argument requires grad and the test replays
backward of sum(out_i * gout_i) over the floating-point outputs (`sq` lists outputs squared first,
for sign-free losses on eigenvectors). `abs` lists outputs compared in absolute value (singular
vectors and eigenvectors are unique only up to sign). Error cases record Python's exception type
and message.
"""
import json, math, os, sys, warnings
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

warnings.filterwarnings('ignore')
torch.manual_seed(0)
f32, f64, i64, i32, u8, b8 = torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool
nan, inf = float('nan'), float('inf')


def T(data, dtype=f32):
    return torch.tensor(data, dtype=dtype)


def R(*shape, dtype=f32):
    return torch.randn(*shape, dtype=dtype)


def enc_arg(a):
    if isinstance(a, torch.Tensor):
        return {'t': enc(a), 'dtype': dname(a.dtype), 'shape': list(a.shape)}
    if isinstance(a, (list, tuple)):
        return [enc_arg(x) for x in a]
    if isinstance(a, torch.dtype):
        return {'dtype_value': dname(a)}
    if isinstance(a, float) and (math.isnan(a) or math.isinf(a)):
        return enc(a)
    return a


def enc_out(o):
    if isinstance(o, torch.Tensor):
        return {'t': enc(o), 'dtype': dname(o.dtype), 'shape': list(o.shape)}
    if isinstance(o, tuple):
        r = {'tuple': [enc_out(x) for x in o]}
        if hasattr(o, '_fields'):
            r['fields'] = list(o._fields)
        elif type(o).__module__ == 'torch.return_types':
            r['fields'] = [f for f in dir(o) if not f.startswith('_') and f not in ('count', 'index', 'n_fields', 'n_sequence_fields', 'n_unnamed_fields')]
        return r
    if isinstance(o, list):
        return {'tuple': [enc_out(x) for x in o]}
    if isinstance(o, float):
        return enc(o)
    return o


def resolve(call):
    space, name = call.split('.', 1)
    if space == 'torch':
        return getattr(torch, name)
    if space == 'linalg':
        return getattr(torch.linalg, name)
    if space == 'prop':
        return lambda self: getattr(self, name)
    return lambda self, *a, **k: getattr(self, name)(*a, **k)


def tensors_in(args):
    out = []
    for a in args:
        if isinstance(a, torch.Tensor):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            out += tensors_in(a)
    return out


def outputs(o):
    if isinstance(o, torch.Tensor):
        return [o]
    if isinstance(o, (tuple, list)):
        r = []
        for x in o:
            r += outputs(x)
        return r
    return []


def clone_args(args, grad):
    def c(a):
        if isinstance(a, torch.Tensor):
            t = a.detach().clone()
            return t.requires_grad_(grad and t.is_floating_point())
        if isinstance(a, (list, tuple)):
            return type(a)(c(x) for x in a)
        return a
    return [c(a) for a in args]


cases = []


def case(call, *args, kw=None, grad=False, tol=None, abs_=None, sq=None, note=None):
    kw = kw or {}
    f = resolve(call)
    xs = clone_args(args, grad)
    out = f(*xs, **kw)
    c = {'call': call, 'args': [enc_arg(a) for a in args], 'out': enc_out(out)}
    if kw:
        c['kw'] = {k: enc_arg(v) for k, v in kw.items()}
    if tol: c['tol'] = tol
    if abs_: c['abs'] = abs_
    if sq: c['sq'] = sq
    if note: c['note'] = note
    if grad:
        outs = outputs(out)
        loss = 0
        gouts = []
        for i, o in enumerate(outs):
            if o.is_floating_point() and o.requires_grad:
                g = torch.randn(o.shape, dtype=o.dtype)
                gouts.append(enc(g))
                loss = loss + ((o * o if sq and i in sq else o) * g).sum()
            else:
                gouts.append(None)
        c['gouts'] = gouts
        loss.backward()
        c['grads'] = [enc(t.grad) if t.grad is not None else None for t in tensors_in(xs)]
        c['grad_fn'] = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
    cases.append(c)


errors = []


def err(call, *args, kw=None):
    try:
        resolve(call)(*args, **(kw or {}))
    except Exception as e:  # noqa: BLE001
        name = type(e).__name__
        errors.append({'call': call, 'args': [enc_arg(a) for a in args], 'kw': {k: enc_arg(v) for k, v in (kw or {}).items()},
                       'type': 'LinAlgError' if 'LinAlgError' in name else name, 'message': str(e).split('\n')[0]})
        return
    raise AssertionError(f'{call} did not raise')


# ---- special functions ----
u = T([-0.9, -0.3, 0.0, 0.2, 0.5, 0.95])
case('torch.logit', T([0.1, 0.25, 0.5, 0.9]), grad=True)
case('torch.logit', T([0.0, 0.05, 0.5, 0.97, 1.0]), 0.1, grad=True)
case('torch.logit', T([0, 1, 2], i64))
case('torch.erfc', T([-3.0, -1.0, 0.0, 0.5, 1.0, 2.5, 5.0, 10.0]), grad=True)
case('torch.erfc', T([-3.0, 0.0, 1.5, 5.0, 10.0, 26.0], f64), grad=True, tol=[1e-12, 1e-300])
case('torch.erfinv', u, grad=True)
case('torch.erfinv', T([-1.0, 1.0, 2.0, -0.999, 1e-6], f64), tol=[1e-9, 1e-12])
case('torch.lgamma', T([0.5, 1.0, 1.5, 3.7, 10.0, -0.5, -2.5]), grad=True)
case('torch.lgamma', T([0.0, -1.0, 100.0], f64), tol=[1e-12, 1e-12])
case('torch.digamma', T([0.3, 1.0, 2.0, 6.5, 25.0, -0.5], f64), grad=True, tol=[1e-8, 1e-9])
case('torch.digamma', T([0, 1, 4], i64))
case('torch.xlogy', T([0.0, 1.0, 2.0, 0.0, 3.0]), T([0.0, 2.0, 3.0, nan, 0.5]), grad=True)
case('torch.xlogy', T([0, 1, 2], i64), 3)
case('torch.xlogy', 2, T([1.0, 4.0]))
case('torch.sinc', T([0.0, 0.25, 0.5, 1.0, -1.5, 2.3]), grad=True)
case('torch.logaddexp', T([-100.0, 0.0, 1.0, inf, -inf, 3.0]), T([-100.0, 1.0, 1.0, inf, -inf, -2.0]))
case('torch.logaddexp', R(3, 1), R(1, 4), grad=True)
case('torch.logaddexp2', T([1.0, 0.0, -50.0]), T([1.0, 3.0, -50.0]), grad=True)
case('method.logit', T([0.2, 0.7]))
case('method.erfinv_', T([0.0, 0.5]))
err('torch.logaddexp', T([1, 2], i64), T([1, 2], i64))
err('method.erfc_', T([1, 2], i64))

# ---- other pointwise ----
case('torch.float_power', T([1, 2, 3], i64), 2)
case('torch.float_power', T([1.5, 2.0]), T([2.0, -1.0]), grad=True)
case('torch.float_power', 2, T([0, 1, 3], i64))
case('method.float_power_', T([1.5, 2.0], f64), 2)
err('method.float_power_', T([1.5, 2.0]), 2)
case('torch.copysign', T([1.0, -2.0, 3.0, 0.0]), T([-1.0, 2.0, -0.0, -5.0]), grad=True)
case('torch.copysign', T([1, 2], i64), -1)
case('torch.heaviside', T([-1.5, 0.0, 2.0]), T(0.5))
case('torch.heaviside', T([-1, 0, 2], i64), T([7, 8, 9], i64))
err('torch.heaviside', T([-1.5, 0.0]), T([0.5], f64))
case('torch.deg2rad', T([180, 90], i64))
case('torch.rad2deg', T([math.pi, 1.0]), grad=True)
case('torch.nan_to_num', T([nan, inf, -inf, 1.5]))
case('torch.nan_to_num', T([nan, inf, -inf, 1.5], f64), 0.5, kw={'posinf': 9.0})
case('torch.nan_to_num', T([nan, inf, 2.0]), kw={'nan': 1.0, 'neginf': -3.0}, grad=True)
case('torch.nan_to_num', T([1, 2], i64))
case('method.nan_to_num_', T([nan, 2.0]))
case('torch.rsub', T([1, 2], i64), 10)
case('torch.rsub', T([1.0, 2.0]), T([0.5, 0.5]), kw={'alpha': 2}, grad=True)
case('torch.isreal', T([1.0, 2.0]))
case('torch.bitwise_and', T([12, 10, -3], i64), T([6, 3, 5], i64))
case('torch.bitwise_or', T([12, 10], i32), 3)
case('torch.bitwise_xor', T([1, 0, 3], i64), T(True, b8))
case('torch.bitwise_not', T([5, -1, 0], i64))
case('torch.bitwise_not', T([5, 0, 255], u8))
case('torch.bitwise_not', T([True, False], b8))
case('torch.bitwise_and', T([True, False, True], b8), T([True, True, False], b8))
case('method.bitwise_or_', T([1, 4], i64), T([2, 4], i64))
err('torch.bitwise_and', T([1.0]), T([1.0]))
err('torch.bitwise_not', T([1.0]))
case('torch.absolute', T([-1.0, 2.0]), grad=True)
case('torch.arcsin', T([0.5, -0.2]), grad=True)
case('torch.arctan2', T([1.0, -1.0]), T([2.0, 2.0]), grad=True)
case('torch.clamp_min', T([1, 5, 3], i64), 2)
case('torch.clamp_max', T([1.0, 5.0]), 2.5, grad=True)
case('method.clip_', T([1.0, 5.0, -3.0]), -1, 2)
case('method.subtract', T([1.0, 5.0]), T([2.0, 2.0]), kw={'alpha': 3})
case('method.divide', T([7, -7], i64), 2, kw={'rounding_mode': 'floor'})
case('method.floor_divide', T([7.0, -7.0]), 2)
case('method.arccosh', T([1.5, 3.0]), grad=True)

# ---- statistics ----
m = T([[3.0, 1.0, 4.0, 1.5], [2.0, 7.0, 5.0, 0.5], [9.0, 2.5, 6.0, 8.0]])
case('torch.median', m, grad=True)
case('torch.median', T([3.0, 1.0, 4.0, 2.0]), grad=True)
case('torch.median', T([3.0, 1.0, 3.0, 2.0, 3.0]), grad=True, note='ties share the gradient')
case('torch.median', m, 1, grad=True)
case('torch.median', m, 0, True, grad=True)
case('torch.median', T([3.0, nan, 1.0, nan]), 0)
case('torch.median', T([3.0, nan, 1.0]))
case('torch.median', T([], f32))
case('torch.median', T([[5, 3, 8]], i64), kw={'dim': 1, 'keepdim': True})
case('torch.nanmedian', T([3.0, nan, 1.0, nan, 2.0]), 0)
case('torch.nanmedian', T([[nan, nan], [1.0, nan]]), 1)
case('torch.nanmedian', T([3.0, nan, 1.0, 2.0]), grad=True)
case('method.median', m, -1)
case('torch.mode', T([3, 1, 3, 2, 1, 5], i64))
case('torch.mode', T([[1.0, 2.0, 2.0, 1.0], [4.0, 4.0, 3.0, 3.0], [0.5, 0.25, 0.5, 7.0]]), 1, grad=True)
case('torch.mode', T([[1, 2], [1, 3], [2, 3]], i64), 0, True)
case('torch.kthvalue', m, 2, grad=True)
case('torch.kthvalue', m, 3, 0, True, grad=True)
err('torch.kthvalue', T([3.0, 1.0, 2.0]), 4)
err('torch.median', torch.zeros(0, 3), 0)
err('torch.mode', torch.zeros(2, 0))
case('torch.msort', T([[3, 1], [1, 2], [0, 5]], i64))
q = T([[1.0, 7.0, 3.0, 4.0, 2.5], [0.0, -1.0, 9.0, 2.0, 2.0]])
case('torch.quantile', q, 0.3, grad=True)
case('torch.quantile', q, T([0.0, 0.25, 0.5, 1.0]), 1, grad=True)
case('torch.quantile', q, T([0.25, 0.5]), 1, True)
case('torch.quantile', q, 0.5, None, True)
case('torch.quantile', q, 0.4, 0)
for interp in ['lower', 'higher', 'midpoint', 'nearest']:
    case('torch.quantile', q, T([0.1, 0.375, 0.5, 0.9]), 1, kw={'interpolation': interp})
case('torch.quantile', T([1.0, nan, 3.0]), 0.5)
case('torch.quantile', T([1.0, 2.0, 3.0, 4.0], f64), 0.5, kw={'dim': 0, 'keepdim': True})
case('torch.nanquantile', T([[1.0, nan, 3.0, 4.0], [nan, nan, nan, nan]]), T([0.25, 0.5]), 1)
case('torch.nanquantile', T([1.0, nan, 3.0, 8.0]), 0.4, grad=True)
err('torch.quantile', T([1, 2], i64), 0.5)
err('torch.quantile', T([1.0, 2.0]), 1.5)
err('torch.quantile', T([1.0, 2.0]), T([0.5, 2.0]))
err('torch.quantile', T([1.0, 2.0]), T([[0.5]]))
err('torch.quantile', T([], f32), 0.5)
err('torch.quantile', T([1.0, 2.0]), 0.5, kw={'interpolation': 'foo'})
err('torch.quantile', T([1.0, 2.0]), T([0.5], f64))
nn_ = T([[1.0, nan, 2.0], [nan, nan, nan], [4.0, 5.0, 6.0]])
case('torch.nansum', nn_)
case('torch.nansum', nn_, 1, grad=True)
case('torch.nansum', T([[1, 2], [3, 4]], i64), 0)
case('torch.nansum', nn_, kw={'dim': 0, 'keepdim': True, 'dtype': f64})
case('torch.nanmean', nn_)
case('torch.nanmean', nn_, 1, grad=True)
case('torch.nanmean', nn_, [0, 1], True)
err('torch.nanmean', T([1, 2], i64))
case('torch.count_nonzero', T([[0, 1, 2], [3, 0, 0]], i64))
case('torch.count_nonzero', T([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]]), 0)
case('torch.count_nonzero', T([[0, 1, 2], [3, 0, 0]], i64), [0, 1])
case('method.count_nonzero', T([[True, False], [True, True]], b8), kw={'dim': 1})
err('torch.count_nonzero', torch.zeros(2, 2), [0, 0])
case('torch.aminmax', T([[1, 5], [3, 2]], i64), kw={'dim': 1})
case('torch.aminmax', m)
case('torch.aminmax', m, kw={'dim': 0, 'keepdim': True})
case('method.aminmax', T([[1.0, nan], [3.0, 2.0]]), kw={'dim': 1})
err('torch.aminmax', T([], f32))
cx = T([[0.0, 1.0, 2.0, 4.0], [2.0, 1.0, 0.5, 0.0], [1.0, 3.0, 2.0, 2.0]])
case('torch.cov', cx, grad=True)
case('torch.cov', cx, kw={'correction': 0})
case('torch.cov', cx, kw={'fweights': T([1, 2, 1, 3], i64)})
case('torch.cov', cx, kw={'aweights': T([0.5, 1.0, 2.0, 1.0])}, grad=True)
case('torch.cov', cx, kw={'fweights': T([1, 2, 1, 3], i64), 'aweights': T([0.5, 1.0, 2.0, 1.0]), 'correction': 2})
case('torch.cov', T([1, 2, 4], i64))
case('torch.corrcoef', cx, grad=True)
case('torch.corrcoef', T([1.0, 2.0, 5.0]))
err('torch.cov', torch.zeros(2, 2, 2))
case('torch.trace', T([[1, 2], [3, 4]], u8))
case('torch.trace', T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), grad=True)
err('torch.trace', T([1, 2], i64))

# ---- scans ----
case('torch.cummax', T([1.0, 3.0, 3.0, 2.0, nan, 4.0, nan]), 0)
case('torch.cummax', R(3, 4), 1, grad=True)
case('torch.cummin', T([[3.0, 1.0, 1.0, 2.0], [0.0, 4.0, -1.0, -1.0]]), 1, grad=True)
case('torch.cummin', T([[3, 1], [1, 2], [0, 5]], i64), 0)
case('torch.logcumsumexp', T([-1000.0, 0.0, 1.0, -inf, 2.0]), 0)
case('torch.logcumsumexp', R(3, 4), 1, grad=True)
case('torch.logcumsumexp', R(4, 2, dtype=f64), 0, grad=True, tol=[1e-10, 1e-12])
err('torch.logcumsumexp', T([1, 2], i64), 0)
case('method.cumsum_', T([1.0, 2.0, 3.0]), 0)
case('torch.diff', T([1, 4, 9, 16], i64))
case('torch.diff', R(3, 4), 2, 0, grad=True)
case('torch.diff', R(2, 3), 1, 1, R(2, 1), R(2, 2), grad=True)
case('torch.diff', T([True, False, False], b8))
case('torch.diff', T([1, 2], i64), -1, note='PyTorch 1.13 returns the input for n < 0 (PyTorch 2 raises)')
case('torch.diff', T([1.0, 2.0, 4.0]), kw={'n': 5})
err('torch.diff', T(1, i64))
err('torch.diff', T([1, 2], i64), kw={'prepend': T([[1]], i64)})

# ---- counting ----
case('torch.unique', T([3, 1, 2, 1, 3], i64))
case('torch.unique', T([3, 1, 2, 1], i64), kw={'return_inverse': True, 'return_counts': True})
case('torch.unique', T([[1.5, 2.0], [1.5, 2.0], [0.0, 5.0]]), kw={'return_inverse': True, 'dim': 0})
case('torch.unique', T([[1, 2, 1], [0, 5, 0]], i64), kw={'return_counts': True, 'dim': 1})
case('torch.unique', T(5, i64))
case('torch.unique', T([True, False, True], b8), kw={'return_counts': True})
case('method.unique', T([[2, 2], [1, 0]], i64), True, True)
case('torch.unique_consecutive', T([1, 1, 2, 2, 3, 1, 1, 2], i64), kw={'return_inverse': True, 'return_counts': True})
case('torch.unique_consecutive', T([[1, 1], [1, 1], [2, 3]], i64), kw={'dim': 0})
err('torch.unique', T([[1, 2], [1, 2]], i64), kw={'dim': 2})
case('torch.bincount', T([0, 2, 2, 5], i64))
case('torch.bincount', T([0, 2, 2], i64), T([0.5, 1.0, 1.0]))
case('torch.bincount', T([0, 2, 2], i64), T([1, 1, 1], i64))
case('torch.bincount', T([0, 2, 2], i64), T([0.5, 1.0, 1.0], f64))
case('torch.bincount', T([0, 2, 2], i64), kw={'minlength': 5})
case('torch.bincount', T([], i64))
err('torch.bincount', T([-1, 2], i64))
err('torch.bincount', T([[1, 2]], i64))
err('torch.bincount', T([1.0, 2.0]))
err('torch.bincount', T([1, 2], i64), T([1.0]))
err('torch.bincount', T([1, 2], i64), kw={'minlength': -1})
case('torch.histc', T([1.0, 2.0, 1.0]), 4, 0, 3)
case('torch.histc', T([1.0, 2.0, 1.0]), kw={'bins': 4})
case('torch.histc', T([2.0, 2.0]), kw={'bins': 4})
case('torch.histc', R(50), 7, -1.0, 1.0)
case('torch.histc', R(30, dtype=f64))
err('torch.histc', T([1, 2, 3], i64))
err('torch.histc', T([1.0, 2.0]), kw={'bins': 0})
err('torch.histc', T([1.0, 2.0]), kw={'min': 3, 'max': 2})
ss = T([1, 3, 5, 7], i64)
case('torch.searchsorted', ss, T([[3, 6], [0, 9]], i64))
case('torch.searchsorted', ss, T([3, 6, 7], i64), kw={'right': True})
case('torch.searchsorted', ss, T([3, 6], i64), kw={'side': 'right', 'out_int32': True})
case('torch.searchsorted', ss, 3)
case('torch.searchsorted', T([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]), T([[3.0, 0.0], [4.5, 7.0]]))
case('torch.searchsorted', T([5, 1, 3], i64), T([1, 2, 3, 6], i64), kw={'sorter': T([1, 2, 0], i64)})
case('torch.searchsorted', T([1.0, 2.0, nan]), T([nan, 1.5]))
err('torch.searchsorted', T([[1, 3], [2, 4]], i64), T([1, 2, 3], i64))
err('torch.searchsorted', T([1, 3], i64), T([1, 2], i64), kw={'side': 'left', 'right': True})
err('torch.searchsorted', T([1, 3], i64), T([1, 2], i64), kw={'side': 'mid'})
case('torch.bucketize', T([[3, 6], [1, 0]], i64), ss)
case('torch.bucketize', T([3.0, 6.0, 7.0]), T([1.0, 3.0, 5.0, 7.0]), kw={'right': True})
case('torch.bucketize', 3, ss)
err('torch.bucketize', T([1, 2], i64), T([[1, 3]], i64))
case('torch.isin', T([[1, 2], [3, 4]], i64), T([2, 5, 4], i64))
case('torch.isin', T([1.0, nan, 2.5]), T([nan, 1.0, 2.5]))
case('torch.isin', T([1, 3], i64), 3)
case('torch.isin', 3, T([1, 3], i64))
case('torch.isin', T([1, 2, 3], i64), T([2], i64), kw={'invert': True})

# ---- joining, splitting, rearranging ----
a3, b3 = R(2, 3), R(2, 3)
case('torch.dstack', [a3, b3], grad=True)
case('torch.dstack', [T([1, 2], i64), T([3, 4], i64)])
case('torch.column_stack', [T(1, i64), T([[2, 3]], i64)])
case('torch.column_stack', [R(3), R(3, 2)], grad=True)
case('torch.row_stack', [R(3), R(2, 3)], grad=True)
case('torch.hstack', [T(1, i64), T(2, i64)])
case('torch.hstack', [R(2, 1), R(2, 3)])
case('torch.tensor_split', torch.arange(7), 3)
case('torch.tensor_split', torch.arange(7), [1, 5, 9])
case('torch.tensor_split', R(3, 5), 2, 1, grad=True)
case('torch.tensor_split', torch.arange(8), T([2, 5], i64))
case('torch.tensor_split', torch.arange(8), T(3, i64))
err('torch.tensor_split', torch.arange(7), 0)
case('torch.hsplit', torch.arange(8.).reshape(2, 4), 2)
case('torch.hsplit', torch.arange(5), [1, 3])
case('torch.vsplit', torch.arange(15).reshape(3, 5), 3)
case('torch.dsplit', torch.arange(8).reshape(1, 2, 4), [1])
err('torch.hsplit', torch.zeros(2, 5), 2)
err('torch.hsplit', T(1, i64), 2)
err('torch.vsplit', torch.zeros(5), 2)
err('torch.dsplit', torch.zeros(2, 2), 2)
case('torch.fliplr', torch.arange(6).reshape(2, 3))
case('torch.flipud', R(3, 2), grad=True)
err('torch.fliplr', torch.zeros(3))
err('torch.flipud', T(1, i64))
sq4 = torch.arange(12).reshape(3, 4)
case('torch.rot90', sq4)
case('torch.rot90', sq4, 2)
case('torch.rot90', sq4, -1)
case('torch.rot90', sq4, 3, [1, 0])
case('torch.rot90', R(2, 3, 2), 1, [0, 2], grad=True)
case('torch.rot90', sq4, 4)
err('torch.rot90', torch.zeros(3), 1)
err('torch.rot90', torch.zeros(3, 3), 1, [0, 0])
err('torch.rot90', torch.zeros(3, 3), 1, [0])
case('torch.broadcast_to', T([1, 2], i64), [3, 2])
case('torch.broadcast_tensors', R(2, 1), R(3), grad=True)
case('torch.atleast_1d', T(5, i64))
case('torch.atleast_2d', T([1, 2], i64))
case('torch.atleast_3d', T([1, 2], i64))
case('torch.atleast_3d', R(2, 3))
case('torch.atleast_2d', T(1.5), T([1, 2], i64))
case('torch.ravel', R(2, 3).t())
case('torch.swapdims', R(2, 3, 4), 0, 2)
case('torch.moveaxis', R(2, 3, 4), 0, -1)
case('torch.adjoint', R(2, 3, 4))
case('prop.H', torch.arange(6).reshape(2, 3))
case('prop.mH', torch.arange(12).reshape(2, 2, 3))

# ---- diagonals, grids, combinations ----
case('torch.diag', T([1, 2, 3], i64))
case('torch.diag', T([1.0, 2.0]), 1, grad=True)
case('torch.diag', T([1.0, 2.0]), -2)
case('torch.diag', torch.arange(12.).reshape(3, 4), 1, grad=True)
case('torch.diag', torch.arange(12).reshape(3, 4), -1)
err('torch.diag', torch.zeros(2, 2, 2))
case('torch.diag_embed', T([1, 2], i64), 1)
case('torch.diag_embed', R(2, 3), grad=True)
case('torch.diag_embed', T([[1, 2]], i64), -1, 0, 2)
case('torch.diag_embed', T([1.0, inf, nan]))
case('torch.diagflat', T([[1, 2], [3, 4]], i64))
case('torch.diagflat', T([1.0, 2.0]), 1, grad=True)
case('torch.tril_indices', 3, 4, 1)
case('torch.triu_indices', 3, 3, -1)
case('torch.tril_indices', 0, 3)
case('torch.triu_indices', 4, 3, kw={'dtype': torch.int32})
case('method.fill_diagonal_', torch.zeros(3, 3), 1)
case('method.fill_diagonal_', torch.zeros(5, 2), 1, kw={'wrap': True})
case('method.fill_diagonal_', torch.zeros(5, 2), 1)
case('method.fill_diagonal_', torch.zeros(2, 4, dtype=i64), 7)
case('method.fill_diagonal_', torch.zeros(7, 3), 2, True)
case('method.fill_diagonal_', torch.zeros(2, 2, 2), 5)
err('method.fill_diagonal_', torch.zeros(2, 2, 3), 1)
err('method.fill_diagonal_', torch.zeros(2), 1)
case('torch.meshgrid', T([1, 2], i64), T([3, 4, 5], i64), kw={'indexing': 'ij'})
case('torch.meshgrid', T([1, 2], i64), T([3, 4, 5], i64), kw={'indexing': 'xy'})
case('torch.meshgrid', T(1, i64), T([1, 2], i64), T([7, 8, 9], i64), kw={'indexing': 'xy'})
case('torch.meshgrid', R(2), R(3), kw={'indexing': 'ij'}, grad=True)
case('torch.cartesian_prod', T([1, 2], i64), T([3, 4], i64), T([5, 6, 7], i64))
case('torch.cartesian_prod', T([1, 2], i64))
case('torch.cartesian_prod', R(2), R(3), grad=True)
case('torch.combinations', T([1, 2, 3, 4], i64))
case('torch.combinations', T([1, 2, 3], i64), 3)
case('torch.combinations', T([1, 2, 3], i64), 0)
case('torch.combinations', T([1, 2, 3], i64), kw={'with_replacement': True})
case('torch.combinations', R(4), 2, grad=True)
err('torch.combinations', torch.zeros(2, 2))
blk = [R(2, 2), R(1, 3), T(5.0), T([1.0, 2.0])]
case('torch.block_diag', *blk, grad=True)
case('torch.block_diag', T([[1, 2]], i64), T([[3.5]]))
err('torch.block_diag', torch.zeros(2, 2, 2))

# ---- indexing ----
xi = R(3, 4)
case('torch.take_along_dim', xi, torch.tensor([[0], [3], [1]]), 1, grad=True)
case('torch.take_along_dim', xi, torch.tensor([[0, 2, 1, 2]]), 0, grad=True)
case('torch.take_along_dim', xi, torch.tensor([5, 0, 11]))
case('torch.take_along_dim', R(3, 1), torch.tensor([[0, 0, 0]]), 1, grad=True)
err('torch.take_along_dim', torch.zeros(2, 2), torch.tensor([0]), 1)
case('torch.argwhere', T([[0, 1], [2, 0]], i64))
case('torch.index_fill', torch.zeros(2, 3), 1, torch.tensor([0, 2]), 5.0)
case('method.index_fill', R(3, 2), 0, torch.tensor([1]), -1.0, grad=True)
case('method.index_fill_', torch.zeros(2, 3, dtype=i64), 1, torch.tensor([1]), 4)
case('torch.index_copy', torch.zeros(2, 3), 1, torch.tensor([2, 0]), torch.ones(2, 2))
case('method.index_copy', R(4, 2), 0, torch.tensor([3, 0]), R(2, 2), grad=True)
case('method.index_copy_', torch.zeros(3, dtype=i64), 0, torch.tensor([2]), T([9], i64))
case('torch.index_add', torch.zeros(3, 2), 0, torch.tensor([0, 2, 0]), R(3, 2), kw={'alpha': 2}, grad=True)

# ---- products and distances ----
case('torch.vdot', T([1.0, 2.0, 3.0]), T([4.0, -1.0, 0.5]), grad=True)
err('torch.vdot', T([1.0, 2.0]), T([1, 2], i64))
case('torch.inner', R(2, 3), R(4, 3), grad=True)
case('torch.inner', R(3), R(2, 2, 3))
case('torch.inner', T(2.0), R(2, 3))
err('torch.inner', torch.ones(2, 3), torch.ones(2))
case('torch.ger', T([1, 2], i64), T([3, 4, 5], i64))
case('torch.addmv', R(2), R(2, 3), R(3), grad=True)
case('torch.addmv', R(2), R(2, 3), R(3), kw={'beta': 0.5, 'alpha': 2}, grad=True)
case('torch.addmv', T([nan, 1.0]), torch.ones(2, 2), torch.ones(2), kw={'beta': 0})
case('torch.baddbmm', R(2, 3, 2), R(2, 3, 4), R(2, 4, 2), kw={'beta': 2, 'alpha': 0.5}, grad=True)
case('torch.tensordot', R(3, 4, 5), R(4, 5, 2), grad=True)
case('torch.tensordot', R(3, 4), R(4, 3), 1)
case('torch.tensordot', R(3, 4, 5), R(5, 3), [[2, 0], [0, 1]], grad=True)
case('torch.tensordot', R(2), R(3), 0)
err('torch.tensordot', torch.ones(2, 3), torch.ones(2, 3), kw={'dims': ([1], [0])})
case('torch.kron', T([[1, 2], [3, 4]], i64), T([1, 10], i64))
case('torch.kron', R(2, 2), R(2, 3), grad=True)
case('torch.kron', R(2), R(2, 1, 2))
case('torch.cross', R(2, 3), R(2, 3), grad=True)
case('torch.cross', R(3, 2), R(3, 2))
case('torch.cross', R(3, 3), R(3, 3), 1)
case('linalg.cross', R(4, 3), R(1, 3), grad=True)
case('linalg.cross', T([1, 0, 0], i64), T([0, 1, 0], i64))
err('torch.cross', torch.ones(2, 2), torch.ones(2, 2))
err('linalg.cross', torch.ones(2), torch.ones(2))
case('torch.dist', T([1.0, 2.0]), T([0.0, 0.0]), 3, grad=True)
case('torch.dist', R(2, 3), R(3))
case('torch.dist', R(4), R(4), float('inf'))
case('torch.cdist', R(4, 3), R(5, 3), grad=True)
case('torch.cdist', R(2, 3, 2), R(2, 4, 2), 1.0, grad=True)
case('torch.cdist', R(3, 2, dtype=f64), R(2, 2, dtype=f64), kw={'p': 3.0}, grad=True)
case('torch.cdist', R(3, 2), R(2, 2), float('inf'))
err('torch.cdist', torch.ones(2, 3, dtype=i64), torch.ones(2, 3, dtype=i64))
err('torch.cdist', torch.ones(2, 3), torch.ones(2, 2))
err('torch.cdist', torch.ones(3), torch.ones(3))
case('torch.cosine_similarity', R(3, 4), R(3, 4), grad=True)
case('torch.cosine_similarity', R(3, 4), R(1, 4), 1)
case('torch.cosine_similarity', R(5, 2), R(5, 2), 0, 0.1)
case('torch.cosine_similarity', T([[1.0, 0.0], [1e-9, 0.0]]), T([[1.0, 1.0], [1.0, 0.0]]))

# ---- linear algebra ----
A = torch.tensor([[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]])
N = torch.tensor([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0], [4.0, 1.0, 0.0]])
Bt = R(2, 3, 3, dtype=f64)
ltol = [1e-4, 1e-5]
dtol = [1e-10, 1e-10]
case('linalg.det', N, grad=True, tol=ltol)
case('linalg.det', Bt, grad=True, tol=dtol)
case('linalg.det', T([[1.0, 2.0], [2.0, 4.0]]))
case('linalg.det', torch.zeros(0, 0))
case('torch.det', R(4, 4, dtype=f64), tol=dtol)
case('method.det', N, tol=ltol)
case('linalg.slogdet', N, grad=True, tol=ltol)
case('linalg.slogdet', torch.zeros(2, 2))
case('linalg.slogdet', Bt, grad=True, tol=dtol)
case('torch.slogdet', N, tol=ltol)
case('torch.logdet', A, grad=True, tol=ltol)
case('torch.logdet', T([[0.0, 1.0], [1.0, 0.0]]))
case('torch.logdet', T([[1.0, 2.0], [2.0, 4.0]], f64))
case('linalg.inv', N, grad=True, tol=ltol)
case('linalg.inv', Bt, grad=True, tol=dtol)
case('linalg.inv', torch.zeros(0, 0))
case('torch.inverse', A, tol=ltol)
case('method.inverse', Bt, tol=dtol)
err('linalg.inv', T([[1.0, 2.0], [2.0, 4.0]]))
err('linalg.inv', torch.stack([torch.eye(2), T([[1.0, 2.0], [2.0, 4.0]])]))
err('linalg.inv', torch.ones(2, 2, dtype=i64))
err('linalg.det', torch.ones(2, 3))
err('linalg.det', torch.ones(2, 2, dtype=i64))
case('linalg.solve', N, T([1.0, 2.0, 3.0]), grad=True, tol=ltol)
case('linalg.solve', Bt, R(2, 3, 2, dtype=f64), grad=True, tol=dtol)
case('linalg.solve', Bt, R(2, 3, dtype=f64), grad=True, tol=dtol)
case('linalg.solve', Bt, R(3, 2, dtype=f64), grad=True, tol=dtol)
case('linalg.solve', N, R(2, 3), kw={'left': False}, grad=True, tol=ltol)
err('linalg.solve', T([[1.0, 2.0], [2.0, 4.0]]), torch.ones(2))
err('linalg.solve', torch.eye(2), torch.ones(3))
err('linalg.solve', torch.ones(2, 3), torch.ones(2))
case('linalg.cholesky', A, grad=True, tol=ltol)
case('linalg.cholesky', A.double(), kw={'upper': True}, grad=True, tol=dtol)
spd = (lambda M: M @ M.mT + 3 * torch.eye(3, dtype=f64))(R(2, 3, 3, dtype=f64))
case('linalg.cholesky', spd, grad=True, tol=dtol)
err('linalg.cholesky', T([[1.0, 2.0], [2.0, 4.0]]))
err('linalg.cholesky', torch.stack([torch.eye(2), -torch.eye(2)]))
Mq = T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
case('linalg.qr', Mq, tol=ltol)
case('linalg.qr', Mq, kw={'mode': 'complete'}, tol=ltol)
case('linalg.qr', Mq, kw={'mode': 'r'}, tol=ltol)
case('linalg.qr', Mq.t(), tol=ltol)
case('linalg.qr', R(2, 4, 3, dtype=f64), tol=dtol)
case('linalg.qr', T([[0.0, 1.0], [0.0, 2.0]], f64), tol=dtol)
case('linalg.eigh', A, grad=True, abs_=[1], sq=[1], tol=ltol)
case('linalg.eigh', spd, grad=True, abs_=[1], sq=[1], tol=dtol)
case('linalg.eigh', T([[2.0, 100.0], [1.0, 2.0]], f64), kw={'UPLO': 'L'}, abs_=[1], tol=dtol)
case('linalg.eigh', T([[2.0, 100.0], [1.0, 2.0]], f64), kw={'UPLO': 'U'}, abs_=[1], tol=dtol)
case('linalg.eigvalsh', spd, grad=True, tol=dtol)
err('linalg.eigh', torch.ones(2, 3))
Ms = T([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], f64)
case('linalg.svd', Ms, abs_=[0, 2], tol=dtol)
case('linalg.svd', Ms, kw={'full_matrices': False}, abs_=[0, 2], tol=dtol)
case('linalg.svd', Ms.t(), kw={'full_matrices': False}, abs_=[0, 2], tol=dtol)
case('linalg.svd', R(2, 3, 4), kw={'full_matrices': False}, abs_=[0, 2], tol=ltol)
case('linalg.svdvals', R(4, 3, dtype=f64), grad=True, tol=dtol)
case('linalg.svdvals', R(2, 2, 5), grad=True, tol=ltol)
case('linalg.pinv', T([[1.0, 2.0], [2.0, 4.0]]), tol=ltol)
case('linalg.pinv', R(4, 3, dtype=f64), grad=True, tol=dtol)
case('linalg.pinv', R(2, 5, dtype=f64), grad=True, tol=dtol)
case('torch.pinverse', Ms, tol=dtol)
case('linalg.matrix_rank', T([[1.0, 2.0], [2.0, 4.0]]))
case('linalg.matrix_rank', R(3, 4, 5))
case('linalg.matrix_rank', T([[1.0, 0.0], [0.0, 1e-3]]), kw={'atol': 1e-2})
case('linalg.matrix_rank', T([[2.0, 1.0], [1.0, 2.0]]), kw={'hermitian': True})
La = T([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
Lb = T([[1.0], [2.0], [4.0]])
case('linalg.lstsq', La, Lb, tol=ltol)
case('linalg.lstsq', La, Lb, kw={'driver': 'gelsd'}, tol=ltol)
case('linalg.lstsq', La.double(), R(3, 2, dtype=f64), kw={'driver': 'gelss'}, grad=True, tol=dtol)
case('linalg.lstsq', La, Lb, kw={'driver': 'gels'}, tol=ltol)
case('linalg.matrix_power', T([[1, 1], [0, 1]], i64), 3)
case('linalg.matrix_power', R(2, 2), 0)
case('linalg.matrix_power', N, -2, grad=True, tol=ltol)
case('linalg.matrix_power', R(2, 3, 3), 5, grad=True, tol=[1e-4, 1e-4])
case('torch.matrix_power', R(3, 3), 2)
err('linalg.matrix_power', torch.ones(2, 3), 2)
case('linalg.multi_dot', [R(3), R(3, 4), R(4, 2)], grad=True)
case('linalg.multi_dot', [R(2, 3), R(3, 4), R(4)], grad=True)
err('linalg.multi_dot', [torch.ones(2, 2)])
V = R(2, 3)
case('linalg.vector_norm', V, grad=True)
case('linalg.vector_norm', V, 1, 1)
case('linalg.vector_norm', V, float('inf'), [0, 1], True)
case('linalg.vector_norm', V, 0)
case('linalg.vector_norm', V, 3.5, kw={'dim': 0}, grad=True)
case('linalg.vector_norm', T([3, 4], i64).float(), kw={'dtype': f64})
err('linalg.vector_norm', T([1, 2], i64))
for o in ['fro', 'nuc', 1, -1, 2, -2, float('inf'), -float('inf')]:
    case('linalg.matrix_norm', N, o, grad=True, tol=ltol)
case('linalg.matrix_norm', R(2, 3, 4), 'fro', (0, 2), True, grad=True)
case('linalg.matrix_norm', R(2, 3, 4), 1, (2, 1), tol=ltol)
case('linalg.matrix_norm', R(3, 4, 2, dtype=f64), 'nuc', (0, 1), True, grad=True, tol=dtol)
err('linalg.matrix_norm', torch.ones(2))
err('linalg.matrix_norm', torch.ones(2, 2), 3)
case('linalg.norm', N, tol=ltol)
case('linalg.norm', R(2, 2, 2))
case('linalg.norm', R(4), 1)
case('linalg.norm', N, 'nuc', tol=ltol)
case('linalg.norm', N, float('inf'))
case('linalg.norm', R(2, 3, 4), 2, (1, 2), grad=True, tol=ltol)
case('linalg.norm', R(2, 3), None, 1, True)
err('linalg.norm', torch.ones(2, 2, 2), 2)
err('linalg.norm', torch.ones(3), 'fro')
case('linalg.diagonal', R(2, 3, 3), kw={'offset': 1})

# ---- metadata and misc methods ----
case('method.ndimension', R(2, 3))
case('method.is_complex', R(2))
case('torch.is_complex', R(2))
case('method.is_nonzero', T([0.0]))
case('method.is_nonzero', T([[3]], i64))
err('method.is_nonzero', T([1, 2], i64))
err('method.is_nonzero', T([], f32))
case('method.type_as', T([1.7, -2.2]), T([1], i64))
case('method.ravel', torch.arange(6).reshape(2, 3).t())
case('method.swapdims', torch.arange(6).reshape(2, 3), 0, 1)
case('method.moveaxis', torch.arange(24).reshape(2, 3, 4), [0, 1], [2, 0])
case('method.broadcast_to', T([[1], [2]], i64), [2, 3])
case('method.squeeze_', torch.zeros(2, 1, 3, 1))
case('method.squeeze_', torch.zeros(2, 1, 3, 1), 1)
case('method.unsqueeze_', torch.zeros(2, 3), -1)
case('method.transpose_', torch.arange(6).reshape(2, 3), 0, 1)
case('method.t_', torch.arange(6).reshape(2, 3))
err('prop.H', torch.tensor([1, 2]))
err('prop.mH', torch.tensor([1, 2]))

json.dump({'cases': cases, 'errors': errors}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'api.json'), 'w'), indent=None)
print(f'{len(cases)} cases, {len(errors)} errors')
