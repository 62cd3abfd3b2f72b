"""Golden values for joining, rearranging, sorting, scans and softmax, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_shape_ops.py
Writes test/golden/shape_ops.json, read by test/shape_ops.test.ts.

Each case applies one op to its inputs; every floating output that requires grad is given an
upstream gradient (stored as `gouts`) and the input gradients are recorded. The test file has a
function of the same name for every case and every error.
"""
import json, math, os
import torch
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)


def rnd(*shape, dtype=torch.float32):
    # two decimals: exact ties are unlikely and values read well in failures
    return (torch.randn(*shape, dtype=torch.float64) * 2).round(decimals=2).to(dtype)


NAN = float('nan')
INF = float('inf')

cases = []


def case(name, fn, *inputs, grad=True):
    xs = [t.clone().requires_grad_(grad and t.dtype.is_floating_point) for t in inputs]
    r = fn(*xs)
    outs = list(r) if isinstance(r, (list, tuple)) else [r]
    entry = {
        'name': name,
        'inputs': [{'data': enc(t), 'dtype': dname(t.dtype), 'shape': list(t.shape), 'rg': t.requires_grad} for t in xs],
        'outputs': [{'data': enc(o), 'dtype': dname(o.dtype), 'shape': list(o.shape)} for o in outs],
    }
    diff = [o for o in outs if o.requires_grad]
    if diff:
        entry['grad_fn'] = type(outs[0].grad_fn).__name__
        gouts = []
        for k, o in enumerate(outs):
            if o.requires_grad:
                g = (torch.arange(o.numel(), dtype=torch.float64).add(k + 1).mul(0.7).sin()).reshape(o.shape).to(o.dtype)
                gouts.append(g)
            else:
                gouts.append(None)
        torch.autograd.backward([o for o in outs if o.requires_grad], [g for g in gouts if g is not None])
        entry['gouts'] = [None if g is None else enc(g) for g in gouts]
        entry['grads'] = [None if x.grad is None else enc(x.grad) for x in xs]
        entry['grad_dtypes'] = [None if x.grad is None else dname(x.grad.dtype) for x in xs]
    cases.append(entry)


a23 = rnd(2, 3)
b13 = rnd(1, 3)
b24 = rnd(2, 4)
c234 = rnd(2, 3, 4)

# ---- cat / stack ----
case('cat_dim0', lambda a, b: torch.cat([a, b], 0), a23, b13)
case('cat_dim_neg', lambda a, b: torch.cat([a, b], -1), a23, b24)
case('cat_three_mid', lambda a, b: torch.cat([a, b, a], 1), c234, rnd(2, 1, 4))
case('cat_noncontig', lambda a, b: torch.cat([a.t(), b], 0), a23, rnd(2, 2))
case('cat_promote_int', lambda a, b: torch.cat([a, b]), rnd(2), torch.tensor([3, -1, 4]))
case('cat_promote_f64', lambda a, b: torch.cat([a, b]), rnd(2), rnd(3, dtype=torch.float64))
case('cat_legacy_empty', lambda e, a: torch.cat([e, a], 1), torch.zeros(0, dtype=torch.float64), a23)
case('cat_int', lambda a, b: torch.cat([a, b]), torch.tensor([1, 2], dtype=torch.int32), torch.tensor([3], dtype=torch.uint8))
case('stack_dim0', lambda a, b: torch.stack([a, b]), a23, rnd(2, 3))
case('stack_dim1', lambda a, b: torch.stack([a, b, a], 1), a23, rnd(2, 3))
case('stack_dim_neg', lambda a, b: torch.stack([a, b], -1), a23, rnd(2, 3))
case('stack_scalars', lambda a, b: torch.stack([a, b]), torch.tensor(1.5), torch.tensor(-2.0))
case('stack_promote', lambda a, b: torch.stack([a, b]), rnd(2), torch.tensor([1, 2], dtype=torch.int32))

# ---- split / chunk / unbind ----
x6 = rnd(6, 2)
case('split_int', lambda x: x.split(4), x6)
case('split_int_dim1', lambda x: torch.split(x, 2, 1), c234)
case('split_list', lambda x: x.split([1, 0, 5]), x6)
case('split_one_used', lambda x: x.split(2)[1], x6)
case('chunk_uneven', lambda x: x.chunk(3), rnd(7, 3))
case('chunk_fewer', lambda x: x.chunk(4), x6)
case('chunk_dim_neg', lambda x: x.chunk(2, -1), c234)
case('unbind_dim0', lambda x: x.unbind(), a23)
case('unbind_dim1', lambda x: torch.unbind(x, 1), c234)
case('unbind_partial', lambda x: x.unbind(1)[2], a23)

# ---- flip / roll ----
case('flip_dims', lambda x: x.flip(0, 2), c234)
case('flip_list', lambda x: torch.flip(x, [-1]), a23)
case('flip_t', lambda x: x.t().flip(0), a23)
case('flip_none', lambda x: torch.flip(x, []), a23)
case('roll_flat', lambda x: x.roll(1), a23)
case('roll_flat_neg', lambda x: torch.roll(x, -4), c234)
case('roll_dims', lambda x: x.roll([1, -1], [0, 1]), a23)
case('roll_big_shift', lambda x: x.roll(5, 1), c234)
case('roll_t', lambda x: x.t().roll(1, 0), a23)

# ---- repeat / tile / repeat_interleave ----
case('repeat_2d', lambda x: x.repeat(2, 3), a23)
case('repeat_lead', lambda x: x.repeat(2, 1, 2), a23)
case('repeat_zero', lambda x: x.repeat(0, 2), a23)
case('repeat_scalar', lambda x: x.repeat(3), torch.tensor(2.5))
case('tile_short', lambda x: x.tile([2]), a23)
case('tile_long', lambda x: torch.tile(x, (2, 1, 1)), a23)
case('ri_int_flat', lambda x: x.repeat_interleave(2), a23)
case('ri_int_dim', lambda x: x.repeat_interleave(3, 1), a23)
case('ri_tensor_dim', lambda x: x.repeat_interleave(torch.tensor([1, 0, 2]), 0), rnd(3, 2))
case('ri_tensor_scalar', lambda x: torch.repeat_interleave(x, torch.tensor(2), dim=-1), a23)
case('ri_tensor_flat', lambda x: x.repeat_interleave(torch.tensor([2, 1, 0, 1, 3, 1])), a23)

# ---- tril / triu ----
m34 = rnd(3, 4)
case('tril', lambda x: x.tril(), m34)
case('tril_pos', lambda x: torch.tril(x, 1), m34)
case('tril_neg', lambda x: x.tril(-1), rnd(4, 3))
case('triu', lambda x: x.triu(), rnd(4, 3))
case('triu_neg', lambda x: torch.triu(x, -1), m34)
case('triu_batch', lambda x: x.triu(1), rnd(2, 3, 3))
case('tril_int', lambda x: x.tril(), torch.tensor([[1, 2], [3, 4]]))

# ---- sort / topk ----
s35 = rnd(3, 5)
case('sort_last', lambda x: x.sort(), s35)
case('sort_dim0_desc', lambda x: torch.sort(x, 0, True), s35)
case('sort_kw', lambda x: x.sort(dim=1, descending=True), s35)
case('sort_nan', lambda x: x.sort(), torch.tensor([3.0, NAN, 1.0, -INF, 2.0, INF]))
case('sort_nan_desc', lambda x: x.sort(descending=True), torch.tensor([3.0, NAN, 1.0, -INF, 2.0, INF]))
case('sort_ties', lambda x: x.sort(stable=True), torch.tensor([2.0, 1.0, 2.0, 1.0, 0.0, 2.0]))
case('sort_ties_desc', lambda x: x.sort(descending=True, stable=True), torch.tensor([2.0, 1.0, 2.0, 1.0, 0.0, 2.0]))
case('sort_int', lambda x: x.sort(0), torch.tensor([[3, 1], [-2, 5], [0, 0]]))
case('sort_bool', lambda x: x.sort(), torch.tensor([True, False, True, False]))
case('sort_scalar', lambda x: x.sort(), torch.tensor(1.5))
case('sort_t', lambda x: x.t().sort(0), s35)
case('sort_3d_mid', lambda x: x.sort(1), c234)
case('topk_last', lambda x: x.topk(2), s35)
case('topk_small_dim0', lambda x: torch.topk(x, 2, dim=0, largest=False), s35)
case('topk_nan', lambda x: x.topk(2), torch.tensor([3.0, NAN, 1.0, 2.0]))
case('topk_nan_small', lambda x: x.topk(2, largest=False), torch.tensor([3.0, NAN, 1.0, 2.0]))
case('topk_all', lambda x: x.topk(5), s35)
case('topk_zero', lambda x: x.topk(0), s35)

# ---- cumsum / cumprod ----
case('cumsum_dim0', lambda x: x.cumsum(0), c234)
case('cumsum_dim_neg', lambda x: torch.cumsum(x, -1), c234)
case('cumsum_int', lambda x: x.cumsum(0), torch.tensor([3, 1, -2, 5]))
case('cumsum_bool', lambda x: x.cumsum(0), torch.tensor([True, False, True]))
case('cumsum_int32_keep', lambda x: x.cumsum(0, dtype=torch.int32), torch.tensor([3, 1, 2]))
case('cumsum_dtype', lambda x: x.cumsum(1, dtype=torch.float64), a23)
case('cumsum_scalar', lambda x: x.cumsum(0), torch.tensor(2.5))
case('cumsum_t', lambda x: x.t().cumsum(1), a23)
case('cumprod_dim1', lambda x: x.cumprod(1), rnd(3, 4))
case('cumprod_dim0', lambda x: torch.cumprod(x, 0), rnd(4, 3))
case('cumprod_zero', lambda x: x.cumprod(0), torch.tensor([2.0, 0.5, 0.0, 3.0, -1.5]))
case('cumprod_zeros', lambda x: x.cumprod(0), torch.tensor([2.0, 0.0, 0.0, 3.0, -1.5]))
case('cumprod_zero_first', lambda x: x.cumprod(0), torch.tensor([0.0, 1.5, 2.0, -3.0]))
case('cumprod_zero_last', lambda x: x.cumprod(-1), torch.tensor([[1.5, 2.0, 0.0], [0.0, 1.0, 0.0], [2.0, -1.0, 0.5]]))
case('cumprod_zero_dim0', lambda x: x.cumprod(0), torch.tensor([[1.5, 2.0, 0.0], [0.0, 1.0, 0.0], [2.0, -1.0, 0.5]]))
case('cumprod_int', lambda x: x.cumprod(0), torch.tensor([3, 1, -2, 5], dtype=torch.int32))
case('cumprod_dtype', lambda x: x.cumprod(0, dtype=torch.float64), torch.tensor([3, 1, -2, 5]))

# ---- softmax / log_softmax ----
case('softmax_last', lambda x: x.softmax(-1), s35)
case('softmax_dim0', lambda x: torch.softmax(x, 0), c234)
case('softmax_mid', lambda x: x.softmax(1), c234)
case('softmax_big', lambda x: x.softmax(1), torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]]))
case('softmax_dtype', lambda x: x.softmax(1, dtype=torch.float64), s35)
case('softmax_int_dtype', lambda x: x.softmax(0, dtype=torch.float32), torch.tensor([1, 2, 3]))
case('softmax_inf', lambda x: x.softmax(0), torch.tensor([-INF, 0.0, 1.0]))
case('softmax_scalar', lambda x: x.softmax(0), torch.tensor(3.0))
case('softmax_t', lambda x: x.t().softmax(1), a23)
case('log_softmax_last', lambda x: x.log_softmax(-1), s35)
case('log_softmax_dim0', lambda x: torch.log_softmax(x, 0), c234)
case('log_softmax_big', lambda x: x.log_softmax(1), torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]]))
case('log_softmax_dtype', lambda x: x.log_softmax(0, dtype=torch.float64), s35)
case('log_softmax_scalar', lambda x: x.log_softmax(-1), torch.tensor(3.0))
case('log_softmax_t', lambda x: x.t().log_softmax(0), a23)

# ---- errors ----
errors = []


def error(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record whatever PyTorch raises
        errors.append({'name': name, 'type': type(e).__name__, 'message': str(e)})
        return
    raise AssertionError(f'{name} did not raise')


z = torch.zeros
error('cat_sizes', lambda: torch.cat([z(2, 2), z(3, 3)], 1))
error('cat_sizes_dim0', lambda: torch.cat([z(2, 2), z(3, 3)], 0))
error('cat_ndim', lambda: torch.cat([z(2, 2), z(3)], 0))
error('cat_empty_list', lambda: torch.cat([], 0))
error('cat_zero_dim', lambda: torch.cat([z(2), torch.tensor(1.0)]))
error('cat_dim_range', lambda: torch.cat([z(2, 3), z(2, 3)], 2))
error('stack_sizes', lambda: torch.stack([z(2), z(3)]))
error('stack_empty', lambda: torch.stack([]))
error('stack_dim_range', lambda: torch.stack([z(2)], 2))
error('split_negative', lambda: z(6).split(-1))
error('split_zero', lambda: z(6).split(0))
error('split_sum', lambda: z(6).split([2, 3]))
error('split_negative_entry', lambda: z(6).split([2, -1, 5]))
error('split_scalar', lambda: torch.tensor(1.0).split(1))
error('chunk_zero', lambda: z(6).chunk(0))
error('chunk_scalar', lambda: torch.tensor(1.0).chunk(2))
error('unbind_scalar', lambda: torch.tensor(1.0).unbind())
error('unbind_dim_range', lambda: z(3, 2).unbind(2))
error('flip_repeated', lambda: z(6).flip(0, 0))
error('flip_dim_range', lambda: z(6).flip(1))
error('roll_align', lambda: z(6).roll([1, 2], [0]))
error('roll_align_flat', lambda: z(6).roll([1, 2]))
error('roll_no_shifts', lambda: z(6).roll([]))
error('roll_scalar_dim', lambda: torch.tensor(3.0).roll(1, 0))
error('repeat_fewer', lambda: z(2, 3).repeat(2))
error('repeat_negative', lambda: z(2, 3).repeat(-1, 1))
error('ri_negative', lambda: z(6).repeat_interleave(-1))
error('ri_size', lambda: z(6).repeat_interleave(torch.tensor([1, 2])))
error('ri_rank', lambda: z(6).repeat_interleave(torch.tensor([[1, 2]])))
error('ri_negative_tensor', lambda: z(6).repeat_interleave(torch.tensor([1, 2, 0, 1, 1, -1])))
error('ri_float', lambda: z(6).repeat_interleave(torch.tensor([1.0, 2, 0, 1, 1, 1])))
error('ri_scalar_dim', lambda: torch.tensor(3.0).repeat_interleave(2, 0))
error('tril_1d', lambda: z(6).tril())
error('triu_1d', lambda: z(6).triu())
error('tril_scalar', lambda: torch.tensor(3.0).tril())
error('sort_dim_range', lambda: z(3, 2).sort(dim=2))
error('topk_too_big', lambda: torch.tensor([3, 1, 2]).topk(4))
error('topk_negative', lambda: torch.tensor([3, 1, 2]).topk(-1))
error('topk_scalar', lambda: torch.tensor(3.0).topk(2))
error('cumsum_dim_range', lambda: z(3, 2).cumsum(2))
error('cumsum_scalar_dim', lambda: torch.tensor(3.0).cumsum(1))
error('cumsum_bool_dtype', lambda: torch.tensor([True, False]).cumsum(0, dtype=torch.bool))
error('cumprod_bool_dtype', lambda: torch.tensor([True, False]).cumprod(0, dtype=torch.bool))
error('softmax_long', lambda: torch.tensor([3, 1, 2]).softmax(0))
error('softmax_long_inner', lambda: torch.tensor([[3, 1, 2]]).softmax(0))
error('softmax_long_inner1', lambda: torch.tensor([[3], [1]]).softmax(0))
error('log_softmax_long', lambda: torch.tensor([3, 1, 2]).log_softmax(0))
error('log_softmax_long_inner', lambda: torch.tensor([[3, 1, 2]]).log_softmax(0))
error('softmax_int', lambda: torch.tensor([3, 1, 2], dtype=torch.int32).softmax(-1))
error('softmax_bool', lambda: torch.tensor([True]).softmax(0))
error('softmax_long_scalar', lambda: torch.tensor(3).softmax(0))
error('softmax_dim_range', lambda: z(3).softmax(2))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'shape_ops.json'), 'w') as f:
    json.dump({'torch_version': torch.__version__, 'cases': cases, 'errors': errors}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases and {len(errors)} errors')
