"""Golden values for transposed convolutions, interpolate/Upsample, kl_div, the extra nn.init
initialisers and nn.utils (gradient clipping, parameter vectors), from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_nnmisc.py
Writes test/golden/nnmisc.json, read by test/nn/nnmisc.test.ts. Differentiable cases store their
inputs, the forward output, and the gradients of sum(out * r) for a fixed random r (float64).
"""
import json, os, sys, warnings
import torch
import torch.nn as nn
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc  # noqa: E402

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
D = torch.float64


def err(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            f()
    except Exception as e:  # the Python class and message, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


def rnd(*shape):
    return torch.randn(shape, dtype=D)


def grads(out, inputs):
    r = rnd(*out.shape)
    (out * r).sum().backward()
    return r, [enc(t.grad) if t is not None else None for t in inputs]


def tup(v):
    return tuple(v) if isinstance(v, list) else v


out = {}
torch.manual_seed(0)

# ---- conv_transpose2d / conv_transpose1d ----
ct2_cases = [
    ('basic', (2, 3, 5, 4), (3, 2, 3, 3), True, {}),
    ('stride2_pad1', (1, 2, 4, 5), (2, 3, 3, 3), True, {'stride': 2, 'padding': 1}),
    ('output_padding', (2, 2, 3, 4), (2, 3, 3, 3), True, {'stride': 2, 'padding': 1, 'output_padding': 1}),
    ('pair_args', (1, 2, 4, 3), (2, 2, 3, 2), False,
     {'stride': [2, 3], 'padding': [1, 0], 'output_padding': [1, 2], 'dilation': [1, 2]}),
    ('groups2', (2, 4, 4, 4), (4, 3, 2, 2), True, {'groups': 2, 'stride': 2}),
    ('depthwise', (1, 3, 4, 4), (3, 1, 3, 3), True, {'groups': 3, 'stride': 2, 'padding': 1, 'output_padding': 1}),
    ('dilation_op', (1, 2, 4, 4), (2, 2, 3, 3), True, {'dilation': 2, 'padding': 2, 'output_padding': 1}),
    ('big_padding', (1, 2, 5, 5), (2, 2, 3, 3), True, {'padding': 2}),
    ('unbatched', (3, 4, 4), (3, 2, 3, 3), True, {'stride': 2}),
]
ct1_cases = [
    ('basic', (2, 3, 6), (3, 4, 3), True, {}),
    ('stride_pad_op_dil', (2, 2, 5), (2, 3, 3), True, {'stride': 3, 'padding': 2, 'output_padding': 2, 'dilation': 2}),
    ('groups', (1, 4, 5), (4, 2, 3), False, {'groups': 2, 'stride': 2}),
    ('unbatched', (3, 7), (3, 2, 4), True, {'stride': 2, 'padding': 1}),
]
for key, fn, cases in (('conv_transpose2d', F.conv_transpose2d, ct2_cases),
                       ('conv_transpose1d', F.conv_transpose1d, ct1_cases)):
    out[key] = []
    for name, xs, ws, has_bias, kw in cases:
        x = rnd(*xs).requires_grad_()
        w = rnd(*ws).requires_grad_()
        b = rnd(ws[1] * kw.get('groups', 1)).requires_grad_() if has_bias else None
        y = fn(x, w, b, **{k: tup(v) for k, v in kw.items()})
        r, (gx, gw, gb) = grads(y, [x, w, b])
        out[key].append({'name': name, 'x': enc(x), 'w': enc(w), 'b': enc(b) if b is not None else None, 'kw': kw,
                         'out': enc(y), 'r': enc(r), 'gx': gx, 'gw': gw, 'gb': gb})

_x = torch.zeros(1, 2, 5, 5, requires_grad=True)
out['conv_transpose_grad_fns'] = {
    'conv_transpose2d': F.conv_transpose2d(_x, torch.zeros(2, 3, 3, 3)).grad_fn.name(),
    'conv_transpose1d': F.conv_transpose1d(_x[:, :, 0], torch.zeros(2, 3, 3)).grad_fn.name(),
}
z = torch.zeros
out['conv_transpose_errors'] = {
    'channels': err(lambda: F.conv_transpose2d(z(1, 5, 5, 5), z(4, 3, 3, 3))),
    'input_dim': err(lambda: F.conv_transpose2d(z(5, 5), z(4, 3, 3, 3))),
    'input_dim_1d': err(lambda: F.conv_transpose1d(z(1, 4, 5, 5), z(4, 3, 3))),
    'bias_size': err(lambda: F.conv_transpose2d(z(1, 4, 5, 5), z(4, 3, 3, 3), z(4))),
    'output_padding': err(lambda: F.conv_transpose2d(z(1, 4, 5, 5), z(4, 3, 3, 3), stride=2, output_padding=2)),
    'output_padding_1d': err(lambda: F.conv_transpose1d(z(1, 4, 5), z(4, 3, 3), output_padding=1)),
    'too_small': err(lambda: F.conv_transpose2d(z(1, 4, 2, 2), z(4, 3, 3, 3), padding=3)),
    'groups_weight': err(lambda: F.conv_transpose2d(z(1, 5, 4, 4), z(5, 3, 3, 3), groups=2)),
    'module_padding_mode': err(lambda: nn.ConvTranspose2d(3, 4, 3, padding_mode='reflect')),
    'module_groups': err(lambda: nn.ConvTranspose2d(3, 4, 3, groups=2)),
    'output_size_len': err(lambda: nn.ConvTranspose2d(2, 3, 3)(z(1, 2, 4, 4), output_size=[9])),
    'output_size_range': err(lambda: nn.ConvTranspose2d(2, 3, 3, stride=2)(z(1, 2, 4, 4), output_size=[12, 9])),
    'output_size_range_1d': err(lambda: nn.ConvTranspose1d(2, 3, 3, stride=2)(z(2, 4), output_size=[7])),
}

# nn.ConvTranspose*d: forward with output_size, reprs, default init
out['conv_transpose_modules'] = []
for cls, args, kw, xs, osz in [
    ('ConvTranspose2d', [2, 3, 3], {'stride': 2, 'padding': 1}, (1, 2, 4, 5), [8, 10]),
    ('ConvTranspose2d', [2, 3, 3], {'stride': 2, 'padding': 1}, (1, 2, 4, 5), [1, 3, 7, 9]),
    ('ConvTranspose2d', [2, 4, [3, 2]], {'stride': [3, 2], 'groups': 2, 'bias': False}, (2, 2, 3, 3), None),
    ('ConvTranspose1d', [3, 2, 4], {'stride': 3, 'dilation': 2}, (2, 3, 5), [20]),
    ('ConvTranspose1d', [3, 2, 4], {'stride': 3}, (3, 5), [2, 17]),
]:
    m = getattr(nn, cls)(*[tup(a) for a in args], dtype=D, **{k: tup(v) for k, v in kw.items()})
    x = rnd(*xs)
    y = m(x, output_size=osz) if osz is not None else m(x)
    out['conv_transpose_modules'].append({'cls': cls, 'args': args, 'kw': kw, 'weight': enc(m.weight),
                                          'bias': enc(m.bias) if m.bias is not None else None, 'x': enc(x),
                                          'output_size': osz, 'out': enc(y)})
out['conv_transpose_reprs'] = []
for cls, args, kw in [
    ('ConvTranspose2d', [16, 33, 3], {'stride': 2}),
    ('ConvTranspose2d', [16, 33, [3, 5]], {'stride': [2, 1], 'padding': [4, 2], 'output_padding': [1, 0]}),
    ('ConvTranspose2d', [4, 8, 3], {'dilation': 2, 'groups': 4, 'bias': False}),
    ('ConvTranspose1d', [3, 5, 3], {}),
    ('ConvTranspose1d', [3, 6, 2], {'stride': 2, 'output_padding': 1, 'groups': 3}),
]:
    out['conv_transpose_reprs'].append({'cls': cls, 'args': args, 'kw': kw,
                                        'repr': repr(getattr(nn, cls)(*[tup(a) for a in args], **{k: tup(v) for k, v in kw.items()}))})
torch.manual_seed(11)
c2 = nn.ConvTranspose2d(3, 4, 3, groups=1)
c1 = nn.ConvTranspose1d(4, 6, 2, groups=2)
out['conv_transpose_init'] = {'seed': 11, 'c2_w': enc(c2.weight), 'c2_b': enc(c2.bias), 'c1_w': enc(c1.weight),
                              'c1_b': enc(c1.bias)}
torch.manual_seed(1)

# ---- interpolate ----
interp_cases = [
    # name, shape, kw
    ('nearest1d_scale2', (2, 2, 4), {'scale_factor': 2}),
    ('nearest1d_size7', (1, 2, 4), {'size': 7}),
    ('nearest1d_down', (1, 1, 7), {'size': 3}),
    ('nearest1d_scale1.5', (1, 2, 5), {'scale_factor': 1.5}),
    ('nearest2d_scale2', (1, 2, 3, 4), {'scale_factor': 2}),
    ('nearest2d_size', (2, 1, 3, 4), {'size': [5, 7]}),
    ('nearest2d_scales', (1, 2, 4, 5), {'scale_factor': [1.5, 0.7]}),
    ('nearest2d_recompute', (1, 1, 4, 5), {'scale_factor': 2.3, 'recompute_scale_factor': True}),
    ('nearest2d_odd', (1, 1, 10, 3), {'size': [13, 3]}),
    ('nearest1d_float_index', (1, 1, 2), {'size': 82}),
    ('nearest_exact1d', (1, 2, 5), {'size': 8, 'mode': 'nearest-exact'}),
    ('nearest_exact2d', (1, 1, 5, 4), {'scale_factor': [1.7, 0.5], 'mode': 'nearest-exact'}),
    ('linear_scale2', (2, 2, 4), {'scale_factor': 2, 'mode': 'linear'}),
    ('linear_align', (1, 2, 4), {'size': 7, 'mode': 'linear', 'align_corners': True}),
    ('linear_scale1.7', (1, 1, 5), {'scale_factor': 1.7, 'mode': 'linear'}),
    ('linear_down', (1, 1, 9), {'size': 4, 'mode': 'linear'}),
    ('linear_align_one', (1, 1, 5), {'size': 1, 'mode': 'linear', 'align_corners': True}),
    ('bilinear_scale2', (1, 2, 3, 4), {'scale_factor': 2, 'mode': 'bilinear'}),
    ('bilinear_align', (2, 1, 3, 4), {'size': [5, 6], 'mode': 'bilinear', 'align_corners': True}),
    ('bilinear_down', (1, 2, 7, 6), {'size': [3, 4], 'mode': 'bilinear'}),
    ('bilinear_scales', (1, 1, 4, 5), {'scale_factor': [1.3, 2.5], 'mode': 'bilinear'}),
    ('bilinear_recompute', (1, 1, 4, 5), {'scale_factor': 1.3, 'mode': 'bilinear', 'recompute_scale_factor': True}),
    ('bicubic_scale2', (1, 2, 3, 4), {'scale_factor': 2, 'mode': 'bicubic'}),
    ('bicubic_align', (1, 1, 4, 4), {'size': [6, 7], 'mode': 'bicubic', 'align_corners': True}),
    ('bicubic_down', (1, 1, 7, 6), {'size': [4, 3], 'mode': 'bicubic'}),
    ('area2d', (1, 2, 6, 5), {'size': [3, 2], 'mode': 'area'}),
    ('area1d', (1, 2, 7), {'scale_factor': 0.5, 'mode': 'area'}),
]
out['interpolate'] = []
for name, xs, kw in interp_cases:
    x = rnd(*xs).requires_grad_()
    y = F.interpolate(x, **{k: tup(v) for k, v in kw.items()})
    r, (gx,) = grads(y, [x])
    out['interpolate'].append({'name': name, 'x': enc(x), 'kw': kw, 'out': enc(y), 'r': enc(r), 'gx': gx,
                               'grad_fn': y.grad_fn.name()})
# float32: the nearest index arithmetic is float32 in PyTorch
out['interpolate_f32'] = []
for name, xs, kw in [('nearest', (1, 1, 10, 7), {'size': [13, 9]}), ('nearest_scale', (1, 1, 7, 9), {'scale_factor': 1.9}),
                     ('bilinear', (1, 1, 5, 6), {'size': [7, 11], 'mode': 'bilinear'}),
                     ('nearest_big', (1, 1, 1000), {'size': 2999}),
                     # sizes where the float32 index arithmetic picks another pixel than float64 would
                     ('nearest_float_index', (1, 1, 2), {'size': 82}), ('nearest_float_scale', (1, 1, 31), {'scale_factor': 1.3}),
                     ('nearest_exact_scale', (1, 1, 31), {'scale_factor': 2.3, 'mode': 'nearest-exact'})]:
    x = torch.arange(torch.Size(xs).numel(), dtype=torch.float32).reshape(xs)
    out['interpolate_f32'].append({'name': name, 'shape': list(xs), 'kw': kw,
                                   'out': enc(F.interpolate(x, **{k: tup(v) for k, v in kw.items()}))})
zi = torch.zeros(1, 1, 4, 4)
out['interpolate_errors'] = {
    'align_nearest': err(lambda: F.interpolate(zi, scale_factor=2, align_corners=True)),
    'both': err(lambda: F.interpolate(zi, size=3, scale_factor=2)),
    'neither': err(lambda: F.interpolate(zi)),
    'size_len': err(lambda: F.interpolate(zi, size=[3, 4, 5])),
    'scale_len': err(lambda: F.interpolate(zi, scale_factor=[2.0])),
    'recompute_size': err(lambda: F.interpolate(zi, size=3, recompute_scale_factor=True)),
    'bilinear_3d': err(lambda: F.interpolate(torch.zeros(1, 1, 4), scale_factor=2, mode='bilinear')),
    'linear_4d': err(lambda: F.interpolate(zi, scale_factor=2, mode='linear')),
    'dim2': err(lambda: F.interpolate(torch.zeros(4, 4), scale_factor=2)),
    'mode': err(lambda: F.interpolate(zi, scale_factor=2, mode='foo')),
    'antialias': err(lambda: F.interpolate(zi, scale_factor=2, antialias=True)),
    'zero_out_1d': err(lambda: F.interpolate(torch.zeros(1, 1, 4), scale_factor=0.2)),
    'zero_out_2d': err(lambda: F.interpolate(zi, size=[0, 3], mode='bilinear')),
    'negative_scale': err(lambda: F.interpolate(torch.zeros(1, 1, 4), scale_factor=-1.3, mode='linear')),
    'bicubic_5d': err(lambda: F.interpolate(torch.zeros(1, 1, 2, 2, 2), scale_factor=2, mode='bicubic')),
    # integer inputs: PyTorch's kernels refuse them (2 channels, so nearest is not taken as channels-last)
    'int_nearest': err(lambda: F.interpolate(torch.ones(1, 2, 4, 4, dtype=torch.long), scale_factor=2)),
    'int_bilinear': err(lambda: F.interpolate(torch.ones(1, 2, 4, 4, dtype=torch.long), scale_factor=2, mode='bilinear')),
    'int_bicubic': err(lambda: F.interpolate(torch.ones(1, 2, 4, 4, dtype=torch.long), scale_factor=2, mode='bicubic')),
    'int_area': err(lambda: F.interpolate(torch.ones(1, 2, 4, 4, dtype=torch.long), scale_factor=2, mode='area')),
    'int_linear': err(lambda: F.interpolate(torch.ones(1, 2, 4, dtype=torch.long), scale_factor=2, mode='linear')),
    'int_adaptive_avg_pool2d': err(lambda: F.adaptive_avg_pool2d(torch.ones(1, 2, 4, 4, dtype=torch.long), 2)),
    # a 1 x 1 output goes to mean(), which refuses in its own words
    'int_adaptive_avg_pool2d_1x1': err(lambda: F.adaptive_avg_pool2d(torch.ones(1, 2, 4, 4, dtype=torch.long), 1)),
}
# the losses' kernels refuse integer inputs
li = torch.ones(3, dtype=torch.long)
out['loss_int_errors'] = {
    'mse': err(lambda: F.mse_loss(li, li)),
    'smooth_l1': err(lambda: F.smooth_l1_loss(li, li)),
    'huber': err(lambda: F.huber_loss(li, li)),
    'bce': err(lambda: F.binary_cross_entropy(li, li)),
}
out['upsample_reprs'] = []
for cls, args, kw in [('Upsample', [], {'scale_factor': 2}), ('Upsample', [], {'size': [4, 5], 'mode': 'bilinear'}),
                      ('Upsample', [7], {'mode': 'linear', 'align_corners': True}),
                      ('Upsample', [], {'scale_factor': [2, 1.5], 'mode': 'nearest'}),
                      ('UpsamplingNearest2d', [], {'scale_factor': 3}), ('UpsamplingBilinear2d', [[3, 4]], {})]:
    m = getattr(nn, cls)(*[tup(a) for a in args], **{k: tup(v) for k, v in kw.items()})
    x = rnd(1, 1, 3) if kw.get('mode') == 'linear' else rnd(1, 2, 3, 2)
    out['upsample_reprs'].append({'cls': cls, 'args': args, 'kw': kw, 'repr': repr(m), 'x': enc(x), 'out': enc(m(x))})

# ---- kl_div ----
torch.manual_seed(2)
out['kl_div'] = []
inp = torch.log_softmax(rnd(3, 5), 1)
tgt = torch.softmax(rnd(3, 5), 1)
tgt_log = torch.log_softmax(rnd(3, 5), 1)
for name, t, kw in [
    ('mean', tgt, {}), ('sum', tgt, {'reduction': 'sum'}), ('none', tgt, {'reduction': 'none'}),
    ('batchmean', tgt, {'reduction': 'batchmean'}),
    ('log_target_mean', tgt_log, {'log_target': True}),
    ('log_target_batchmean', tgt_log, {'reduction': 'batchmean', 'log_target': True}),
    ('log_target_none', tgt_log, {'reduction': 'none', 'log_target': True}),
    ('legacy_size_average', tgt, {'size_average': False}),
    ('legacy_reduce', tgt, {'reduce': False}),
]:
    x = inp.clone().requires_grad_()
    tt = t.clone().requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        y = F.kl_div(x, tt, **kw)
    r, (gx, gt) = grads(y, [x, tt])
    out['kl_div'].append({'name': name, 'x': enc(x), 't': enc(tt), 'kw': kw, 'out': enc(y), 'r': enc(r), 'gx': gx,
                          'gt': gt, 'grad_fn': y.grad_fn.name()})
# a target with zeros: 0 log 0 counts as 0 (the target's gradient there is nan, as in PyTorch)
x = torch.tensor([[-1.0, -2.0, -0.5]], dtype=D, requires_grad=True)
tt = torch.tensor([[0.0, 0.3, 0.7]], dtype=D, requires_grad=True)
y = F.kl_div(x, tt, reduction='sum')
y.backward()
out['kl_div_zero_target'] = {'x': enc(x), 't': enc(tt), 'out': enc(y), 'gx': enc(x.grad), 'gt': enc(tt.grad)}
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    F.kl_div(inp, tgt)
    out['kl_div_warning'] = str(w[0].message)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    F.kl_div(inp, tgt, size_average=False)
    out['kl_div_legacy_warning'] = str(w[0].message)
out['kl_div_errors'] = {'reduction': err(lambda: F.kl_div(inp, tgt, reduction='avg'))}
out['kl_div_repr'] = repr(nn.KLDivLoss(reduction='batchmean', log_target=True))

# ---- nn.init ----
init = {}
for name, shape, kw in [('wide', (3, 5), {}), ('tall', (6, 3), {}), ('conv', (4, 2, 3), {'gain': 2.0}),
                        ('square', (4, 4), {}), ('big_tall', (20, 7), {})]:
    torch.manual_seed(5)
    t = torch.empty(*shape)
    nn.init.orthogonal_(t, **kw)
    init['orthogonal_' + name] = {'shape': list(shape), 'kw': kw, 'seed': 5, 'values': enc(t)}
torch.manual_seed(5)
t = torch.empty(4, 3, dtype=D)
nn.init.orthogonal_(t)
init['orthogonal_f64'] = {'shape': [4, 3], 'kw': {}, 'seed': 5, 'values': enc(t)}
for name, shape, dtype, kw in [('default', (4, 6), torch.float32, {}), ('ab', (30,), torch.float32, {'mean': 1.0, 'std': 2.0, 'a': -1.0, 'b': 4.0}),
                               ('f64', (5, 4), D, {'std': 0.02})]:
    torch.manual_seed(9)
    t = torch.empty(*shape, dtype=dtype)
    nn.init.trunc_normal_(t, **kw)
    init['trunc_normal_' + name] = {'shape': list(shape), 'dtype': str(dtype).replace('torch.', ''), 'kw': kw, 'seed': 9,
                                    'values': enc(t)}
init['eye_'] = enc(nn.init.eye_(torch.empty(3, 5)))
init['dirac_3'] = enc(nn.init.dirac_(torch.empty(3, 2, 3)))
init['dirac_4_groups'] = enc(nn.init.dirac_(torch.empty(4, 3, 3, 2), 2))
init['errors'] = {
    'orthogonal_dim': err(lambda: nn.init.orthogonal_(torch.empty(3))),
    'eye_dim': err(lambda: nn.init.eye_(torch.empty(3, 3, 3))),
    'dirac_dim': err(lambda: nn.init.dirac_(torch.empty(3, 3))),
    'dirac_groups': err(lambda: nn.init.dirac_(torch.empty(3, 3, 3), 2)),
}
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    nn.init.trunc_normal_(torch.empty(3), mean=5.0)
    init['trunc_normal_warning'] = str(w[0].message)
out['init'] = init

# ---- nn.utils ----
torch.manual_seed(3)
clip = []
G = [rnd(3, 4), rnd(5), rnd(2, 2, 2)]
for norm_type, max_norm in [(2, 1.0), (1, 2.5), (float('inf'), 0.5), (2, 100.0), (3, 1.0)]:
    ps = [torch.zeros(g.shape, dtype=D, requires_grad=True) for g in G] + [torch.zeros(2, dtype=D, requires_grad=True)]
    for p, g in zip(ps, G):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    clip.append({'norm_type': 'inf' if norm_type == float('inf') else norm_type, 'max_norm': max_norm,
                 'total': enc(total), 'grads': [enc(p.grad) for p in ps[:3]]})
ps = [torch.zeros(g.shape, dtype=D, requires_grad=True) for g in G]
for p, g in zip(ps, G):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(ps, 0.7)
p = torch.zeros(2, requires_grad=True)
p.grad = torch.tensor([float('inf'), 1.0])
out['utils'] = {
    'grads': [enc(g) for g in G], 'clip_grad_norm_': clip, 'clip_grad_value_': [enc(p.grad) for p in ps],
    'nonfinite': err(lambda: torch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)),
    'vector_type': err(lambda: torch.nn.utils.vector_to_parameters([1.0], [p])),
}

with open(os.path.join(HERE, 'nnmisc.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
