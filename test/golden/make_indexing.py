"""Golden values for indexing (getitem/setitem, index_put_, gather/scatter, index_select,
index_add_, masked_select, nonzero, take), from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_indexing.py
Writes test/golden/indexing.json, read by test/indexing.test.ts.

Each case applies one function to its inputs (floating inputs require grad). The output is
recorded with its dtype, grad_fn name and whether it is a view of the first input; then the
output is given the upstream gradient 1, 2, 3, ... (stored as `gout`) and the input gradients
are recorded. The test file has a function of the same name for every case and every error.

Where torchlab follows PyTorch 2.x or NumPy instead of the 1.13 installed here, the case says
so and computes the expected value the 1.13-compatible way (noted next to it).
"""
import json, math, os
import numpy as np
import torch
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)


def spec(t):
    return {'data': enc(t), 'dtype': dname(t.dtype), 'shape': list(t.shape)}


cases = []


def case(name, fn, *inputs, grad=True):
    xs = [t.clone().requires_grad_(grad and t.dtype.is_floating_point) for t in inputs]
    out = fn(*xs)
    entry = {
        'name': name,
        'inputs': [dict(spec(t), rg=x.requires_grad) for t, x in zip(inputs, xs)],
        'output': spec(out),
        'grad_fn': out.grad_fn.name() if out.grad_fn is not None else None,
        'is_view': out._base is xs[0],
    }
    if out.requires_grad:
        gout = torch.arange(1, out.numel() + 1, dtype=out.dtype).reshape(out.shape)
        out.backward(gout)
        entry['gout'] = enc(gout)
        entry['grads'] = [enc(x.grad) if x.grad is not None else None for x in xs]
    cases.append(entry)


def inplace(fn):
    """An in-place op on a fresh non-leaf copy of the first input, returning that copy."""
    def run(x, *rest):
        y = x * 1 if x.requires_grad else x.clone()
        fn(y, *rest)
        return y
    return run


# ---- inputs ----
X = (torch.arange(60, dtype=torch.float32) * 0.5 - 7).reshape(3, 4, 5)
M = torch.arange(12, dtype=torch.float32).reshape(3, 4) - 4
MASK = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
L = lambda *v: torch.tensor(v, dtype=torch.int64)

# ---- getitem: basic (views) ----
case('get_int', lambda x: x[1], X)
case('get_neg_int', lambda x: x[-1], X)
case('get_int_int', lambda x: x[1, -2], X)
case('get_slice', lambda x: x[1:3], X)
case('get_colon', lambda x: x[:], X)
case('get_step', lambda x: x[:, ::2], X)
case('get_neg_start', lambda x: x[-1:], X)
case('get_neg_stop', lambda x: x[:, :-1], X)
case('get_start_stop_step', lambda x: x[..., 1:10:3], X)
case('get_clamped', lambda x: x[-10:10, 5:], X)
case('get_none', lambda x: x[None, 0, None], X)
case('get_ellipsis_int', lambda x: x[..., 1], X)
case('get_ellipsis', lambda x: x[...], X)
case('get_int_slice_none', lambda x: x[1, 1:3, None], X)
case('get_ellipsis_none_int', lambda x: x[..., None, 0], X)
case('get_0d_int_tensor', lambda x: x[torch.tensor(1)], X)
case('get_scalar_of_1d', lambda x: x[2], torch.tensor([1.5, 2.5, 3.5]))
# ---- getitem: advanced (copies) ----
case('get_list', lambda x: x[[2, 0, 2]], X)
case('get_list_neg', lambda x: x[[-1, 0]], X)
case('get_tensor_2d', lambda x: x[torch.tensor([[0, 1], [2, 0]])], X)
case('get_int32_index', lambda x: x[torch.tensor([0, 2], dtype=torch.int32).long()], X)  # 2.x accepts int32
case('get_adv_adjacent', lambda x: x[:, [0, 3], [1, 4]], X)
case('get_adv_separated', lambda x: x[[0, 2], :, [1, 4]], X)
case('get_adv_broadcast', lambda x: x[[[0], [2]], :, [1, 4]], X)
case('get_int_then_adv', lambda x: x[1, :, [0, 2]], X)
case('get_adv_slice_adv_2d', lambda x: x[[[0, 1]], 1:, [[1], [2]]], X)
case('get_none_adv_ellipsis_adv', lambda x: x[None, [0, 1], ..., [1, 2]], X)
case('get_empty_list', lambda x: x[[]], X)
case('get_mask_2d', lambda x: x[MASK], X)
case('get_mask_1d_dim1', lambda x: x[:, torch.tensor([True, False, True, True])], X)
case('get_bool_list', lambda x: x[[True, False, True]], X)
case('get_mask_of_matrix', lambda x: x[x > 0], M)
case('get_mask_0d_true', lambda x: x[torch.tensor(True)], M)
case('get_mask_0d_false', lambda x: x[torch.tensor(False)], M)
case('get_int_mask', lambda x: x[1, torch.tensor([True, False, False, True])], X)
case('get_mask_adv', lambda x: x[:, torch.tensor([True, False, True, False]), [0, 4]], X)
case('get_uint8_mask', lambda x: x[MASK.to(torch.uint8)], M)
case('get_int_tensor_values', lambda x: x[[0, 2], 1:3], torch.arange(12).reshape(3, 4))
# NumPy's rule for a mask followed by more items (PyTorch 1.13 misplaces the int); value from NumPy
case('get_mask_then_int', lambda x: torch.from_numpy(x.detach().numpy()[MASK.numpy(), 1]), X, grad=False)

# ---- setitem ----
def setter(fn):
    def run(x, *rest):
        y = x * 1 if x.requires_grad else x.clone()
        fn(y, *rest)
        return y
    return run

V3 = torch.tensor([10., 20., 30.])
case('set_int_scalar', setter(lambda y: y.__setitem__(1, 5.0)), M)
case('set_col_tensor', setter(lambda y, v: y.__setitem__((slice(None), 1), v)), M, V3)
case('set_slice_broadcast_row', setter(lambda y, v: y.__setitem__(slice(0, 2), v)), M, torch.tensor([1., 2., 3., 4.]))
case('set_mask_scalar', setter(lambda y: y.__setitem__(y > 2, 0.0)), M)
case('set_mask_tensor', setter(lambda y, v: y.__setitem__(MASK, v)), M, torch.arange(6, dtype=torch.float32) + 100)
case('set_list_rows', setter(lambda y, v: y.__setitem__([0, 2], v)), M, torch.tensor([7., 8., 9., 10.]))
case('set_adv_pairs', setter(lambda y, v: y.__setitem__(([0, 1, 2], [3, 2, 1]), v)), M, V3)
case('set_leading_ones', setter(lambda y, v: y.__setitem__(slice(0, 1), v)), M, torch.ones(1, 1, 4) * 3)
case('set_adv_leading_ones', setter(lambda y, v: y.__setitem__([1], v)), M, torch.ones(1, 1, 4) * 3)
case('set_ellipsis', setter(lambda y: y.__setitem__(Ellipsis, 2.5)), M)
case('set_none_int', setter(lambda y, v: y.__setitem__((None, 1), v)), M, torch.tensor([1., 2., 3., 4.]))
case('set_step_slice', setter(lambda y: y.__setitem__((slice(None), slice(None, None, 2)), -1.0)), M)
case('set_int_dtype_float_scalar', setter(lambda y: y.__setitem__([0, 2], 2.7)), torch.arange(4))
case('set_int_dtype_basic', setter(lambda y: y.__setitem__(1, 3.9)), torch.arange(4))
# torchlab casts tensor values for array indices too (1.13 raises); cast here to compute the value
case('set_adv_cast_value', setter(lambda y, v: y.__setitem__([0], v.float())), M, torch.tensor([1., 2., 3., 4.], dtype=torch.float64), grad=False)
case('set_3d_adv_separated', setter(lambda y, v: y.__setitem__(([0, 2], slice(None), [1, 4]), v)), X, torch.tensor([[1.], [2.]]))

# ---- index_put_ ----
case('index_put', inplace(lambda y, v: y.index_put_((L(0, 2), L(1, 3)), v)), M, torch.tensor([5., 6.]))
case('index_put_accumulate_dup', inplace(lambda y, v: y.index_put_((L(0, 0, 2), L(1, 1, 3)), v, accumulate=True)), M, torch.tensor([5., 6., 7.]))
case('index_put_row_broadcast', inplace(lambda y, v: y.index_put_((L(1, 2),), v)), M, torch.tensor([1., 2., 3., 4.]))
case('index_put_mask', inplace(lambda y, v: y.index_put_((MASK,), v)), M, torch.tensor(-1.))
case('index_put_int_accumulate', inplace(lambda y, v: y.index_put_((L(0, 0), L(1, 1)), v, accumulate=True)), torch.arange(6).reshape(2, 3), torch.tensor([5, 7]))
case('index_put_neg', inplace(lambda y, v: y.index_put_((L(-1),), v)), M, torch.tensor(9.))

# ---- gather / scatter ----
G = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
case('gather_dim1', lambda x: x.gather(1, L([0, 0, 2], [1, 0, 0])), G)
case('gather_dim0', lambda x: x.gather(0, L([1, 0, 1], [0, 0, 1])), G)
case('gather_smaller_index', lambda x: x.gather(1, L([2], [1])), G)
case('gather_3d_neg_dim', lambda x: x.gather(-1, L([[4, 0], [1, 1], [0, 0], [2, 3]])), X)
case('gather_larger_index_along_dim', lambda x: x.gather(1, L([0, 1, 2, 2, 1])), G.reshape(1, 6)[:, :3])
case('gather_int', lambda x: torch.gather(x, 0, L(3, 0, 0)), torch.arange(4) * 10)
case('gather_empty', lambda x: x.gather(1, torch.zeros(2, 0, dtype=torch.int64)), G)
case('scatter_src', lambda x, s: x.scatter(1, L([2, 0], [1, 2]), s), G, torch.tensor([[10., 20.], [40., 50.]]))
case('scatter_dim0', lambda x, s: x.scatter(0, L([1, 0, 1]), s), G, torch.tensor([[10., 20., 30.]]))
case('scatter_value', lambda x: x.scatter(1, L([2], [0]), 9.5), G)
case('scatter_int_value_float_self', lambda x: x.scatter(1, L([0], [1]), 5), G)
case('scatter_reduce_add', lambda x, s: x.scatter(1, L([0, 0], [2, 2]), s, reduce='add'), G, torch.tensor([[1., 2.], [3., 4.]]), grad=False)
case('scatter_reduce_multiply', lambda x, s: x.scatter(1, L([0, 0], [2, 2]), s, reduce='multiply'), G, torch.tensor([[2., 3.], [4., 5.]]), grad=False)
case('scatter_value_multiply', lambda x: x.scatter(1, L([0, 0], [2, 1]), 3.0, reduce='multiply'), G, grad=False)
case('scatter_value_add', lambda x: x.scatter(1, L([0, 0], [2, 1]), 3.0, reduce='add'), G, grad=False)
case('scatter_inplace', inplace(lambda y, s: y.scatter_(0, L([1, 0, 0]), s)), G, torch.tensor([[7., 8., 9.]]))
case('scatter_add', lambda x, s: x.scatter_add(1, L([0, 0, 2], [1, 1, 1]), s), G, torch.tensor([[1., 2., 3.], [4., 5., 6.]]))
case('scatter_add_dim0_dup', lambda x, s: x.scatter_add(0, L([0, 0, 0], [0, 1, 0]), s), G, torch.tensor([[1., 1., 1.], [2., 2., 2.]]))
case('scatter_add_inplace', inplace(lambda y, s: y.scatter_add_(1, L([2, 2]), s)), G[:1], torch.tensor([[1., 4.]]))
case('scatter_add_int', lambda x, s: x.scatter_add(0, L(0, 0, 2), s), torch.zeros(3, dtype=torch.int64), torch.tensor([1, 2, 3]))

# ---- index_select / index_add_ ----
case('index_select_dim0', lambda x: x.index_select(0, L(2, 0, 2)), M)
case('index_select_dim1', lambda x: torch.index_select(x, 1, L(3, 1)), M)
case('index_select_int32', lambda x: x.index_select(-1, torch.tensor([4, 0], dtype=torch.int32)), X)
case('index_select_0d_index', lambda x: x.index_select(1, torch.tensor(2)), M)
case('index_select_transposed', lambda x: x.t().index_select(0, L(0, 3)), M)
case('index_add', inplace(lambda y, s: y.index_add_(0, L(0, 2, 0), s)), M, torch.arange(12, dtype=torch.float32).reshape(3, 4))
case('index_add_alpha_dim1', inplace(lambda y, s: y.index_add_(1, L(3, 1), s, alpha=2.5)), M, torch.ones(3, 2))
case('index_add_int_alpha', inplace(lambda y, s: y.index_add_(0, L(1), s, alpha=2)), torch.arange(6).reshape(2, 3), torch.tensor([[1, 2, 3]]))

# ---- masked_select / nonzero / take ----
case('masked_select', lambda x: x.masked_select(MASK), M)
case('masked_select_broadcast_mask', lambda x: torch.masked_select(x, torch.tensor([True, False, False, True])), M)
case('masked_select_broadcast_self', lambda x: x.masked_select(MASK), torch.tensor([1., 2., 3., 4.]))
case('masked_select_0d', lambda x: x.masked_select(torch.tensor(True)), torch.tensor(3.5))
case('nonzero_2d', lambda x: x.nonzero(), torch.tensor([[0., 1., 0.], [2., 0., 3.]]))
case('nonzero_nan', lambda x: torch.nonzero(x), torch.tensor([0., float('nan'), -0.0, 1.]))
case('nonzero_bool_3d', lambda x: x.nonzero(), MASK.reshape(3, 2, 2))
case('nonzero_0d', lambda x: x.nonzero(), torch.tensor(5.))
case('nonzero_0d_zero', lambda x: x.nonzero(), torch.tensor(0.))
case('nonzero_empty', lambda x: x.nonzero(), torch.zeros(0, 3))
case('take', lambda x: x.take(L([0, 11], [-1, 5])), M)
case('take_noncontiguous', lambda x: torch.take(x.t(), L(0, 1, 2, -12)), M)
case('take_dup', lambda x: x.take(L(1, 1, 1)), M)

# ---- errors: (name, fn) ----
errors = []


def err(name, fn, expected_type=None, expected_message=None):
    try:
        fn()
    except Exception as e:
        errors.append({'name': name, 'type': expected_type or type(e).__name__,
                       'message': expected_message or str(e).split('\n')[0]})
        return
    raise AssertionError(f'{name} did not raise')


Y = torch.zeros(2, 3)
err('get_int_oob', lambda: Y[5])
err('get_neg_oob', lambda: Y[-3])
err('get_int_oob_dim1', lambda: Y[:, 3])
err('get_int_oob_real_dim', lambda: Y[None, 5])
err('get_neg_step', lambda: Y[::-1])
err('get_zero_step', lambda: Y[::0])
err('get_too_many', lambda: Y[0, 0, 0])
err('get_too_many_mask', lambda: Y[0, torch.ones(3, 2, dtype=torch.bool)])
err('get_adv_oob', lambda: Y[[3]])
err('get_adv_neg_oob', lambda: Y[[-3]])
err('get_adv_oob_dim1', lambda: Y[:, [5]])
err('get_adv_oob_second', lambda: Y[[0], [3]])
err('get_mask_shape', lambda: torch.zeros(3)[torch.tensor([True, False])])
err('get_mask_shape_dim1', lambda: Y[:, torch.tensor([True, False])])
err('get_float_index', lambda: Y[torch.tensor([1.])], 'IndexError', 'tensors used as indices must be long, int, byte or bool tensors')  # 2.x wording
err('get_broadcast', lambda: Y[[0, 1], [0, 1, 2]])
err('get_0d_int', lambda: torch.tensor(3.)[0])
err('get_0d_slice', lambda: torch.tensor(3.)[:])
err('get_float_number', lambda: Y[1.5])
err('set_shape', lambda: Y.clone().__setitem__(0, torch.ones(2)))
err('set_adv_shape', lambda: Y.clone().__setitem__([0, 1], torch.ones(2)))
err('set_mask_shape', lambda: Y.clone().__setitem__(torch.tensor([True, False]), torch.ones(2)))
err('set_leaf', lambda: torch.zeros(3, requires_grad=True).__setitem__(0, 1.0))
err('index_put_too_many', lambda: Y.clone().index_put_((L(0), L(0), L(0)), torch.tensor(1.)))
err('index_put_dtype', lambda: Y.clone().index_put_((L(0),), torch.ones(3, dtype=torch.float64)))
err('index_put_shape', lambda: Y.clone().index_put_((L(0),), torch.ones(2)))
err('index_put_oob', lambda: Y.clone().index_put_((L(5),), torch.tensor(1.)))
err('gather_ndim', lambda: Y.gather(1, L(0)))
err('gather_oob', lambda: Y.gather(1, L([5])))
err('gather_neg', lambda: Y.gather(1, L([-1])))
err('gather_int32', lambda: Y.gather(1, torch.tensor([[0]], dtype=torch.int32)))
err('gather_size', lambda: Y.gather(1, L([0], [0], [0])))
err('gather_dim', lambda: Y.gather(2, L([0])))
err('scatter_oob', lambda: Y.scatter(1, L([5]), 1.0))
err('scatter_int32', lambda: Y.scatter(1, torch.tensor([[0]], dtype=torch.int32), 1.0))
err('scatter_ndim', lambda: Y.scatter(1, L(0), 1.0))
err('scatter_dtype', lambda: Y.scatter(1, L([0]), torch.ones(2, 3, dtype=torch.float64)))
err('scatter_src_size', lambda: Y.scatter(1, L([0, 0, 0, 0]), torch.ones(2, 3)))
err('scatter_self_size', lambda: Y.scatter(1, L([0], [0], [0]), torch.ones(3, 3)))
err('scatter_value_self_size', lambda: Y.scatter(1, L([0], [0], [0]), 1.0))
err('scatter_reduce_bad', lambda: Y.scatter(1, L([0]), 1.0, reduce='mean'))
err('scatter_add_oob', lambda: Y.scatter_add(1, L([3]), torch.ones(2, 3)))
err('scatter_add_dtype', lambda: Y.scatter_add(1, L([0]), torch.ones(2, 3, dtype=torch.float64)))
err('index_select_2d', lambda: Y.index_select(1, L([0])))
err('index_select_float', lambda: Y.index_select(1, torch.tensor([0.])))
err('index_select_oob', lambda: Y.index_select(0, L(5)))
err('index_select_neg', lambda: Y.index_select(0, L(-1)), 'IndexError', 'index out of range in self')  # 1.13 words this by layout
err('index_add_oob', lambda: Y.clone().index_add_(1, L(5), torch.ones(2, 1)))
err('index_add_count', lambda: Y.clone().index_add_(1, L(0), torch.ones(2, 2)))
err('index_add_dtype', lambda: Y.clone().index_add_(1, L(0), torch.ones(2, 1, dtype=torch.float64)))
err('index_add_float_index', lambda: Y.clone().index_add_(1, torch.tensor([0.]), torch.ones(2, 1)))
err('index_add_2d_index', lambda: Y.clone().index_add_(1, L([0]), torch.ones(2, 1)))
# 2.x's check (1.13 fails later with a broadcasting message)
err('index_add_slice_shape', lambda: Y.clone().index_add_(1, L(0), torch.ones(3, 1)), 'RuntimeError',
    'source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [2, 3] source.shape = [3, 1]')
err('masked_select_int_mask', lambda: Y.masked_select(L(1, 0, 1)))
err('masked_select_shape', lambda: Y.masked_select(torch.tensor([True, False])))
err('take_oob', lambda: Y.take(L(6)))
err('take_neg_oob', lambda: Y.take(L(-7)))
err('take_int32', lambda: Y.take(torch.tensor([0], dtype=torch.int32)))

out = {'cases': cases, 'errors': errors}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'indexing.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases and {len(errors)} errors to {path}')
