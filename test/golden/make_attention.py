"""Golden values for embeddings, attention and the Transformer encoder, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_attention.py
Writes test/golden/attention.json, read by test/nn/embedding.test.ts and test/nn/attention.test.ts.

PyTorch 1.13 has no public F.scaled_dot_product_attention, so its reference values are computed
here with the formula PyTorch 2 documents (softmax(Q Kᵀ · scale + bias) V, a bool mask keeping
where True), written with 1.13's tensor ops; rows whose keys are all masked give zeros, as PyTorch
2.5+ does. The modules (nn.Embedding, nn.MultiheadAttention, nn.TransformerEncoderLayer,
nn.TransformerEncoder) are 1.13's own, with dropout 0 and inputs that require grad (so no fast
path is taken).
"""
import json, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def err(f):
    try:
        f()
    except Exception as e:  # the message and Python class, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


def rnd(*shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g)


def state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def grads(m):
    return {k: enc(p.grad) for k, p in m.named_parameters() if p.grad is not None}


out = {}

# ---- F.embedding ----
W = rnd(6, 3, seed=1)
IDX = [[0, 2, 4], [2, 5, 2]]
G = rnd(2, 3, 3, seed=2)
emb_cases = []
for kw in ({}, {'padding_idx': 2}, {'padding_idx': -1}, {'scale_grad_by_freq': True},
           {'padding_idx': 0, 'scale_grad_by_freq': True}, {'max_norm': 1.0}, {'max_norm': 0.5, 'norm_type': 1.0},
           {'max_norm': 1.2, 'padding_idx': 4}):
    w = W.clone().requires_grad_(True)
    y = F.embedding(torch.tensor(IDX), w, **kw)
    (y * G).sum().backward()
    emb_cases.append({'kw': kw, 'y': enc(y), 'grad': enc(w.grad), 'weight_after': enc(w), 'grad_fn': y.grad_fn.name()})
w = W.clone().requires_grad_(True)
y0 = F.embedding(torch.tensor(3), w)
y0.sum().backward()
emb_scalar = {'y': enc(y0), 'grad': enc(w.grad)}
out['embedding'] = {
    'weight': enc(W), 'input': IDX, 'g': enc(G), 'cases': emb_cases, 'scalar_index': emb_scalar,
    'int32': enc(F.embedding(torch.tensor(IDX, dtype=torch.int32), W)),
}
out['embedding_errors'] = {
    'out_of_range': err(lambda: F.embedding(torch.tensor([0, 6]), W)),
    'negative': err(lambda: F.embedding(torch.tensor([-1]), W)),
    'float_input': err(lambda: F.embedding(torch.tensor([0.0, 1.0]), W)),
    'padding_idx_high': err(lambda: F.embedding(torch.tensor([0]), W, padding_idx=6)),
    'padding_idx_low': err(lambda: F.embedding(torch.tensor([0]), W, padding_idx=-7)),
    'module_padding_idx': err(lambda: nn.Embedding(10, 3, padding_idx=10)),
    'module_weight_shape': err(lambda: nn.Embedding(10, 3, _weight=torch.zeros(3, 10))),
    'from_pretrained_1d': err(lambda: nn.Embedding.from_pretrained(torch.zeros(4))),
}

torch.manual_seed(0)
e1 = nn.Embedding(6, 4)
e2 = nn.Embedding(5, 3, padding_idx=-2)
after = torch.rand(3)
pre = nn.Embedding.from_pretrained(W)
pre2 = nn.Embedding.from_pretrained(W, freeze=False, padding_idx=1)
out['embedding_module'] = {
    'init_seed': 0, 'plain': enc(e1.weight), 'padded': enc(e2.weight), 'padded_idx': e2.padding_idx, 'rand_after': enc(after),
    'pretrained': {'requires_grad': pre.weight.requires_grad, 'repr': repr(pre),
                   'requires_grad2': pre2.weight.requires_grad, 'repr2': repr(pre2)},
    'reprs': [
        {'args': [10, 3], 'kw': {}, 'repr': repr(nn.Embedding(10, 3))},
        {'args': [10, 3], 'kw': {'padding_idx': 0}, 'repr': repr(nn.Embedding(10, 3, padding_idx=0))},
        {'args': [10, 3], 'kw': {'padding_idx': -1}, 'repr': repr(nn.Embedding(10, 3, padding_idx=-1))},
        {'args': [10, 3], 'kw': {'max_norm': 1.5, 'norm_type': 1.0}, 'repr': repr(nn.Embedding(10, 3, max_norm=1.5, norm_type=1.0))},
        {'args': [10, 3], 'kw': {'scale_grad_by_freq': True}, 'repr': repr(nn.Embedding(10, 3, scale_grad_by_freq=True))},
    ],
}

# ---- scaled_dot_product_attention (PyTorch 2's documented formula) ----


def sdpa_ref(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    sf = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float('-inf'))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(attn_mask.logical_not(), float('-inf'))
        else:
            bias = attn_mask + bias
    a = q @ k.transpose(-2, -1) * sf + bias
    dead = a.isneginf().all(-1, keepdim=True)
    p = torch.softmax(a.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
    return p @ v


def sdpa_case(name, qs, ks, vs, seed, mask=None, mask_kind=None, **kw):
    q = rnd(*qs, seed=seed).requires_grad_(True)
    k = rnd(*ks, seed=seed + 1).requires_grad_(True)
    v = rnd(*vs, seed=seed + 2).requires_grad_(True)
    m = None
    if mask is not None:
        m = torch.tensor(mask, dtype=torch.bool) if mask_kind == 'bool' else torch.tensor(mask, dtype=torch.float32)
    y = sdpa_ref(q, k, v, m, **kw)
    g = rnd(*y.shape, seed=seed + 3)
    (y * g).sum().backward()
    return {'name': name, 'q': enc(q), 'k': enc(k), 'v': enc(v), 'mask': enc(mask), 'mask_kind': mask_kind, 'kw': kw,
            'y': enc(y), 'g': enc(g), 'grad_q': enc(q.grad), 'grad_k': enc(k.grad), 'grad_v': enc(v.grad)}


BOOL_MASK = [[True, False, True, True, False], [True, True, True, False, False], [False, False, True, True, True],
             [True, True, True, True, True]]
FLOAT_MASK = [[0.0, -1.0, 0.5, 0.0, -2.0], [0.3, 0.0, 0.0, float('-inf'), 0.0], [0.0, 0.0, 0.0, 0.0, 1.0],
              [-0.5, -0.5, 0.0, 0.0, 0.0]]
DEAD_MASK = [[True, False, True, True, False], [False, False, False, False, False], [False, False, True, True, True],
             [True, True, True, True, True]]
out['sdpa'] = [
    sdpa_case('plain 3-d', (2, 4, 6), (2, 5, 6), (2, 5, 3), 10),
    sdpa_case('bool mask broadcast', (2, 4, 6), (2, 5, 6), (2, 5, 3), 20, BOOL_MASK, 'bool'),
    sdpa_case('float mask', (2, 4, 6), (2, 5, 6), (2, 5, 3), 30, FLOAT_MASK, 'float'),
    sdpa_case('causal square 4-d', (2, 2, 4, 6), (2, 2, 4, 6), (2, 2, 4, 6), 40, is_causal=True),
    sdpa_case('causal L > S', (1, 5, 4), (1, 3, 4), (1, 3, 2), 50, is_causal=True),
    sdpa_case('scale', (2, 3, 4), (2, 3, 4), (2, 3, 4), 60, scale=0.3),
    sdpa_case('2-d inputs', (4, 6), (5, 6), (5, 2), 70, BOOL_MASK, 'bool'),
    sdpa_case('fully masked row gives zeros', (1, 4, 6), (1, 5, 6), (1, 5, 3), 80, DEAD_MASK, 'bool'),
]

# ---- nn.MultiheadAttention ----
MHA_SETUPS = [
    {'name': 'self-attention, sequence first', 'args': [8, 2], 'kw': {}, 'L': 4, 'S': 4, 'N': 3, 'self': True},
    {'name': 'batch_first, key_padding_mask and float attn_mask', 'args': [8, 2], 'kw': {'batch_first': True},
     'L': 4, 'S': 4, 'N': 2, 'self': True,
     'key_padding_mask': [[False, False, False, True], [False, True, False, False]],
     'attn_mask': [[0.0, -1.0, 0.0, 0.5], [0.0, 0.0, -0.3, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -2.0]], 'mask_kind': 'float'},
    {'name': 'kdim/vdim, 3-d bool mask, per-head weights', 'args': [6, 3], 'kw': {'kdim': 4, 'vdim': 5}, 'L': 3, 'S': 5, 'N': 2,
     'bool3d': True, 'average_attn_weights': False},
    {'name': 'key is value (packed split), bool 2-d mask and padding', 'args': [8, 4], 'kw': {}, 'L': 3, 'S': 5, 'N': 2, 'kv': True,
     'attn_mask': [[False, True, False, False, False], [False, False, False, True, True], [True, False, False, False, False]],
     'mask_kind': 'bool', 'key_padding_mask': [[False, False, False, False, True], [True, False, False, False, False]]},
    {'name': 'add_bias_kv, add_zero_attn, no bias', 'args': [6, 2], 'kw': {'add_bias_kv': True, 'add_zero_attn': True, 'bias': False},
     'L': 3, 'S': 4, 'N': 2, 'key_padding_mask': [[False, False, True, False], [False, False, False, False]],
     'attn_mask': [[0.0, 0.5, 0.0, -1.0], [0.0, 0.0, 0.0, 0.0], [-0.5, 0.0, 0.2, 0.0]], 'mask_kind': 'float'},
    {'name': 'unbatched, need_weights=False', 'args': [4, 2], 'kw': {}, 'L': 3, 'S': 3, 'N': None, 'self': True,
     'need_weights': False, 'key_padding_mask': [False, False, True]},
    {'name': 'unbatched cross-attention, per-head float mask, weights', 'args': [4, 2], 'kw': {}, 'L': 3, 'S': 2, 'N': None,
     'float3d': True},
    {'name': 'float key_padding_mask (added to the scores)', 'args': [4, 1], 'kw': {}, 'L': 2, 'S': 3, 'N': 2,
     'key_padding_mask': [[0.0, -1.5, 0.0], [0.5, 0.0, float('-inf')]], 'kpm_kind': 'float'},
]
mha_cases = []
for i, s in enumerate(MHA_SETUPS):
    torch.manual_seed(100 + i)
    m = nn.MultiheadAttention(*s['args'], **s['kw'])
    E = s['args'][0]
    kd = s['kw'].get('kdim', E)
    vd = s['kw'].get('vdim', E)
    bf = s['kw'].get('batch_first', False)

    def shape(T, d):
        if s['N'] is None:
            return (T, d)
        return (s['N'], T, d) if bf else (T, s['N'], d)
    q = rnd(*shape(s['L'], E), seed=200 + i).requires_grad_(True)
    if s.get('self'):
        k = v = q
    else:
        k = rnd(*shape(s['S'], kd), seed=300 + i).requires_grad_(True)
        v = k if s.get('kv') else rnd(*shape(s['S'], vd), seed=400 + i).requires_grad_(True)
    kw = {}
    if 'key_padding_mask' in s:
        kw['key_padding_mask'] = torch.tensor(s['key_padding_mask'])
    if s.get('float3d'):
        kw['attn_mask'] = rnd(s['args'][1], s['L'], s['S'], seed=8)
    if 'attn_mask' in s:
        kw['attn_mask'] = torch.tensor(s['attn_mask'], dtype=torch.bool if s['mask_kind'] == 'bool' else torch.float32)
    bool3d = None
    if s.get('bool3d'):
        g3 = torch.Generator().manual_seed(7)
        bool3d = torch.rand(s['N'] * s['args'][1], s['L'], s['S'], generator=g3) < 0.3
        kw['attn_mask'] = bool3d
    if 'average_attn_weights' in s:
        kw['average_attn_weights'] = s['average_attn_weights']
    if 'need_weights' in s:
        kw['need_weights'] = s['need_weights']
    y, wts = m(q, k, v, **kw)
    gy = rnd(*y.shape, seed=500 + i)
    loss = (y * gy).sum()
    gw = None
    if wts is not None:
        gw = rnd(*wts.shape, seed=600 + i)
        loss = loss + (wts * gw).sum()
    loss.backward()
    case = {'name': s['name'], 'args': s['args'], 'kw': s['kw'], 'state': state(m),
            'param_names': [n for n, _ in m.named_parameters()],
            'q': enc(q), 'k': None if s.get('self') else enc(k), 'v': None if (s.get('self') or s.get('kv')) else enc(v),
            'self': bool(s.get('self')), 'kv': bool(s.get('kv')),
            'key_padding_mask': enc(s.get('key_padding_mask')), 'kpm_kind': s.get('kpm_kind', 'bool'),
            'attn_mask': enc(kw['attn_mask']) if 'attn_mask' in kw else None,
            'mask_kind': None if 'attn_mask' not in kw else 'bool' if kw['attn_mask'].dtype == torch.bool else 'float',
            'average_attn_weights': s.get('average_attn_weights', True), 'need_weights': s.get('need_weights', True),
            'y': enc(y), 'weights': enc(wts) if wts is not None else None, 'gy': enc(gy), 'gw': enc(gw) if gw is not None else None,
            'grad_q': enc(q.grad), 'grad_k': None if s.get('self') else enc(k.grad),
            'grad_v': None if (s.get('self') or s.get('kv')) else enc(v.grad), 'grads': grads(m)}
    mha_cases.append(case)

torch.manual_seed(3)
init_default = nn.MultiheadAttention(8, 2)
init_kv = nn.MultiheadAttention(6, 3, kdim=4, vdim=5, add_bias_kv=True)
init_after = torch.rand(3)
out['mha'] = {
    'cases': mha_cases,
    'init': {'seed': 3, 'default': state(init_default), 'kv': state(init_kv), 'rand_after': enc(init_after)},
    'reprs': {'default': repr(nn.MultiheadAttention(8, 2)), 'kv': repr(nn.MultiheadAttention(6, 3, kdim=4, vdim=5, bias=False))},
}
M8 = nn.MultiheadAttention(8, 2)
x3 = torch.zeros(4, 2, 8)
out['mha_errors'] = {
    'divisible': err(lambda: nn.MultiheadAttention(8, 3)),
    'mask_2d_shape': err(lambda: M8(x3, x3, x3, attn_mask=torch.zeros(3, 4))),
    'mask_3d_shape': err(lambda: M8(x3, x3, x3, attn_mask=torch.zeros(2, 4, 4))),
    'mask_dim': err(lambda: M8(x3, x3, x3, attn_mask=torch.zeros(1, 1, 4, 4))),
    'query_4d': err(lambda: M8(torch.zeros(1, 4, 2, 8), x3, x3)),
    'key_2d': err(lambda: M8(x3, torch.zeros(4, 8), x3)),
    'kpm_dim': err(lambda: M8(x3, x3, x3, key_padding_mask=torch.zeros(2, 4, 1, dtype=torch.bool))),
    'kpm_shape': err(lambda: M8(x3, x3, x3, key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))),
    'kpm_int': err(lambda: M8(x3, x3, x3, key_padding_mask=torch.zeros(2, 4, dtype=torch.int64))),
    'embed_dim': err(lambda: M8(torch.zeros(4, 2, 6), torch.zeros(4, 2, 6), torch.zeros(4, 2, 6))),
    'kv_shape': err(lambda: M8(x3, torch.zeros(4, 2, 8), torch.zeros(5, 2, 8))),
}

# ---- nn.TransformerEncoderLayer / nn.TransformerEncoder ----
TEL_SETUPS = [
    {'name': 'post-norm relu, sequence first', 'kw': {'dim_feedforward': 16, 'dropout': 0.0}, 'shape': (5, 2, 8)},
    {'name': 'norm_first gelu batch_first with padding', 'kw': {'dim_feedforward': 16, 'dropout': 0.0, 'activation': 'gelu',
                                                                 'batch_first': True, 'norm_first': True, 'layer_norm_eps': 1e-6},
     'shape': (2, 5, 8), 'src_key_padding_mask': [[False, False, False, True, True], [False, False, False, False, False]]},
    {'name': 'causal float src_mask', 'kw': {'dim_feedforward': 16, 'dropout': 0.0}, 'shape': (5, 2, 8), 'causal': True},
]


def causal(sz):
    return torch.triu(torch.full((sz, sz), float('-inf')), diagonal=1)


tel_cases = []
for i, s in enumerate(TEL_SETUPS):
    torch.manual_seed(700 + i)
    layer = nn.TransformerEncoderLayer(8, 2, **s['kw'])
    x = rnd(*s['shape'], seed=800 + i).requires_grad_(True)
    kw = {}
    if 'src_key_padding_mask' in s:
        kw['src_key_padding_mask'] = torch.tensor(s['src_key_padding_mask'])
    if s.get('causal'):
        kw['src_mask'] = causal(s['shape'][0])
    y = layer(x, **kw)
    g = rnd(*y.shape, seed=900 + i)
    (y * g).sum().backward()
    tel_cases.append({'name': s['name'], 'kw': s['kw'], 'state': state(layer), 'x': enc(x),
                      'src_key_padding_mask': s.get('src_key_padding_mask'), 'src_mask': enc(kw['src_mask']) if 'src_mask' in kw else None,
                      'y': enc(y), 'g': enc(g), 'grad_x': enc(x.grad), 'grads': grads(layer)})

torch.manual_seed(11)
enc_layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
encoder = nn.TransformerEncoder(enc_layer, 2, norm=nn.LayerNorm(8))
rand_after_encoder = torch.rand(3)
# make the two layers differ, so that the test sees each one is used in turn
with torch.no_grad():
    for p in encoder.layers[1].parameters():
        p.add_(0.05 * rnd(*p.shape, seed=p.numel()))
xe = rnd(5, 2, 8, seed=1000).requires_grad_(True)
kpm = torch.tensor([[False, False, False, False, True], [False, False, False, False, False]])
ye = encoder(xe, src_key_padding_mask=kpm)
ge = rnd(*ye.shape, seed=1001)
(ye * ge).sum().backward()
torch.manual_seed(11)
fresh_layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
fresh = nn.TransformerEncoder(fresh_layer, 2, norm=nn.LayerNorm(8))
out['transformer'] = {
    'layer_cases': tel_cases,
    'encoder': {'seed': 11, 'init_state': state(fresh), 'rand_after': enc(rand_after_encoder), 'state': state(encoder),
                'x': enc(xe), 'src_key_padding_mask': enc(kpm), 'y': enc(ye), 'g': enc(ge), 'grad_x': enc(xe.grad),
                'grads': grads(encoder), 'param_names': [n for n, _ in encoder.named_parameters()]},
    'reprs': {'layer': repr(nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)),
              'encoder': repr(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.2), 2)),
              'encoder_norm': repr(nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 1, dim_feedforward=8), 1, nn.LayerNorm(4))),
              'layer_relu_module': repr(nn.TransformerEncoderLayer(4, 2, 8, activation=nn.ReLU()))},
    'errors': {'activation': err(lambda: nn.TransformerEncoderLayer(8, 2, activation='tanh')),
               'kpm_int': err(lambda: nn.TransformerEncoderLayer(8, 2)(torch.zeros(5, 2, 8), src_key_padding_mask=torch.zeros(2, 5, dtype=torch.int64)))},
}

with open(os.path.join(HERE, 'attention.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote attention.json')
