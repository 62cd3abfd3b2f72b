"""Golden values for creation ops, views and PyTorch's error messages.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_core.py  (writes test/golden/core.json)
Each case is (name, python expression); the test file holds the torchlab translation under the same name.
"""
import json, math, os
import torch

def enc(v):
    if isinstance(v, torch.Tensor):
        return {'tensor': v.tolist(), 'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape),
                'stride': list(v.stride()), 'offset': v.storage_offset(), 'is_contiguous': v.is_contiguous()}
    if isinstance(v, (list, tuple)):
        return [enc(e) for e in v]
    if isinstance(v, float) and math.isnan(v):
        return 'nan'
    return v

x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
cases = {
    # creation and dtype inference
    'tensor_int': lambda: torch.tensor([1, 1]),
    'tensor_float': lambda: torch.tensor([1, 2.5]),
    'tensor_bool': lambda: torch.tensor([True, False]),
    'tensor_scalar': lambda: torch.tensor(1),
    'tensor_nested': lambda: torch.tensor([[1, 2], [3, 4]], dtype=torch.float64),
    'tensor_empty': lambda: torch.tensor([]),
    'zeros_33': lambda: torch.zeros([3, 3]),
    'ones_int': lambda: torch.ones(2, 3, dtype=torch.int32),
    'full_int': lambda: torch.full([2, 2], 7),
    'full_float': lambda: torch.full([2], 1.5),
    'full_bool': lambda: torch.full([2], True),
    'arange_5': lambda: torch.arange(5),
    'arange_float': lambda: torch.arange(0, 1, 0.25),
    'arange_neg': lambda: torch.arange(5, 0, -2),
    'arange_int_float_step': lambda: torch.arange(1, 2.5, 0.5),
    'linspace': lambda: torch.linspace(-1, 1, 7),
    'linspace_1': lambda: torch.linspace(3, 5, 1),
    'linspace_f64': lambda: torch.linspace(0, 1, 11, dtype=torch.float64),
    'logspace': lambda: torch.logspace(0, 2, 3),
    'logspace_base2': lambda: torch.logspace(0, 3, 4, base=2),
    'logspace_int64': lambda: torch.logspace(0, 2, 3, dtype=torch.int64),
    'logspace_f64': lambda: torch.logspace(-1, 1, 5, dtype=torch.float64),
    'eye_3': lambda: torch.eye(3),
    'eye_23': lambda: torch.eye(2, 3),
    'zeros_like_int': lambda: torch.zeros_like(torch.tensor([1, 2])),
    'full_like': lambda: torch.full_like(torch.tensor([1.0, 2.0]), 3),
    # conversions
    'to_int': lambda: torch.tensor([1.7, -1.7, 2.5]).to(torch.int64),
    'to_int32': lambda: torch.tensor([1.7, -1.7, 300.2]).int(),
    'to_uint8': lambda: torch.tensor([1, 255, 3]).to(torch.uint8),
    'to_bool': lambda: torch.tensor([0.0, 0.5, -1.0]).bool(),
    'bool_to_float': lambda: torch.tensor([True, False]).float(),
    'long_to_double': lambda: torch.tensor([1, 2]).double(),
    # views
    'view_23_4': lambda: x.view(6, 4),
    'view_infer': lambda: x.view(-1, 2),
    'reshape_t': lambda: x.transpose(0, 1).reshape(3, 8),
    'flatten': lambda: x.flatten(),
    'flatten_1': lambda: x.flatten(1),
    'flatten_0_1': lambda: x.flatten(0, 1),
    'unflatten': lambda: x.unflatten(2, (2, 2)),
    'squeeze_all': lambda: torch.zeros(1, 3, 1, 2).squeeze(),
    'squeeze_dim': lambda: torch.zeros(1, 3, 1, 2).squeeze(2),
    'squeeze_noop': lambda: torch.zeros(1, 3, 1, 2).squeeze(1),
    'unsqueeze_0': lambda: x.unsqueeze(0),
    'unsqueeze_neg': lambda: x.unsqueeze(-1),
    'permute': lambda: x.permute(2, 0, 1),
    'transpose': lambda: x.transpose(0, 2),
    't': lambda: torch.arange(6).reshape(2, 3).t(),
    'T': lambda: x.T,
    'mT': lambda: x.mT,
    'expand': lambda: torch.tensor([[1], [2]]).expand(2, 3),
    'expand_new': lambda: torch.tensor([1, 2]).expand(3, -1),
    'narrow': lambda: x.narrow(2, 1, 2),
    'narrow_neg': lambda: x.narrow(-1, -3, 2),
    'select': lambda: x.select(1, 2),
    'select_neg': lambda: x.select(-1, -1),
    'unfold': lambda: torch.arange(7.).unfold(0, 3, 2),
    'unfold_2d': lambda: torch.arange(12.).reshape(3, 4).unfold(1, 2, 1),
    'diagonal': lambda: torch.arange(9.).reshape(3, 3).diagonal(),
    'diagonal_off': lambda: torch.arange(12.).reshape(3, 4).diagonal(1),
    'movedim': lambda: x.movedim(0, -1),
    'contiguous_t': lambda: x.transpose(0, 1).contiguous(),
    'as_strided': lambda: torch.arange(9.).as_strided((2, 2), (3, 1), 1),
}
errors = {
    'broadcast': lambda: torch.ones(2, 3) + torch.ones(2, 4),
    'view_bad': lambda: x.view(5, 5),
    'view_noncontig': lambda: x.transpose(0, 1).view(-1),
    'view_two_infer': lambda: x.view(-1, -1),
    'dim_range': lambda: x.sum(3),
    'dim_range_neg': lambda: torch.ones(2, 2).sum(-3),
    'squeeze_range': lambda: x.squeeze(5),
    'permute_len': lambda: x.permute(0, 1),
    'permute_dup': lambda: x.permute(0, 0, 1),
    'expand_bad': lambda: torch.ones(3).expand(2, 4),
    'expand_fewer': lambda: torch.ones(2, 3).expand(3),
    'select_oob': lambda: x.select(0, 5),
    'narrow_oob': lambda: x.narrow(0, 1, 5),
    't_3d': lambda: x.t(),
    'unfold_big': lambda: torch.arange(3.).unfold(0, 5, 1),
    'item_many': lambda: x.item(),
    'requires_grad_int': lambda: torch.tensor([1, 2]).requires_grad_(),
    'arange_sign': lambda: torch.arange(0, 5, -1),
    'mean_int': lambda: torch.tensor([1, 2]).mean(),
    'inplace_cast': lambda: torch.tensor([1, 2]).add_(1.5),
    'inplace_shape': lambda: torch.ones(3).add_(torch.ones(2, 3)),
    'leaf_inplace': lambda: torch.ones(2, requires_grad=True).add_(1),
    'backward_twice': lambda: (lambda a: ((lambda y: (y.backward(), y.backward()))((a * a).sum())))(torch.ones(2, requires_grad=True)),
    'backward_nonscalar': lambda: (torch.ones(2, requires_grad=True) * 2).backward(),
    'backward_nograd': lambda: torch.ones(2).sum().backward(),
    'where_cond': lambda: torch.where(torch.tensor([1., 0.]), torch.ones(2), torch.zeros(2)),
    'int_neg_pow': lambda: torch.tensor([2, 3]) ** -1,
    'div_mode': lambda: torch.ones(2).div(2, rounding_mode='round'),
    'clamp_none': lambda: torch.ones(2).clamp(),
    'tensor_ragged': lambda: torch.tensor([[1, 2], [3]]),
    'device_bad': lambda: torch.device('gpu'),
    'zeros_neg': lambda: torch.zeros(2, -1),
}
# how many graph edges each op's node has (PyTorch drops scalar exponents, masks and conditions)
xg = torch.ones(2, requires_grad=True)
edges = {
    'mul': xg * 2, 'div': xg / 2, 'add': xg + 2, 'sub': xg - 2, 'pow': xg ** 2, 'remainder': xg % 2,
    'fmod': torch.fmod(xg, 2), 'where': torch.where(xg > 0, xg, 0.), 'masked_fill': xg.masked_fill(xg > 0, 0),
    'clamp': xg.clamp(0, 1), 'lerp': torch.lerp(xg, xg, 0.5),
}
# isclose / allclose / equal
ca = torch.tensor([1.0, 1.00001, float('nan'), float('inf'), -float('inf'), 0.0, 1e-9])
cb = torch.tensor([1.0, 1.0, float('nan'), float('inf'), float('inf'), 1e-9, 0.0])
close = {
    'isclose': torch.isclose(ca, cb).tolist(),
    'isclose_nan': torch.isclose(ca, cb, equal_nan=True).tolist(),
    'isclose_tol': torch.isclose(ca, cb, rtol=0, atol=1e-6).tolist(),
    'allclose': torch.allclose(ca[:2], cb[:2]),
    'allclose_strict': torch.allclose(ca[:2], cb[:2], rtol=1e-7, atol=0),
    'equal': torch.equal(ca[:2], ca[:2]),
    'equal_shape': torch.equal(torch.ones(2), torch.ones(2, 1)),
    'equal_nan': torch.equal(ca, ca),
}
out = {'close': close, 'cases': {}, 'errors': {}, 'edges': {k: len(v.grad_fn.next_functions) for k, v in edges.items()}}
for name, fn in cases.items():
    out['cases'][name] = enc(fn())
for name, fn in errors.items():
    try:
        fn()
        out['errors'][name] = None
    except Exception as e:
        out['errors'][name] = {'type': type(e).__name__, 'message': str(e).split('\n')[0]}
path = os.path.join(os.path.dirname(__file__), 'core.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
print('wrote', path)
