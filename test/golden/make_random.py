"""Golden values for test/random.test.ts, from PyTorch's CPU generator.

Run with Debian's PyTorch: /usr/bin/python3 test/golden/make_random.py
Writes test/golden/random.json.

Each case is a seed and a list of ops, written in a small vocabulary that the TypeScript test
interprets the same way; every op's result is recorded in order. Large results are recorded
as a SHA-256 of their raw bytes (float32/float64 little-endian) instead of their values.
`exact: false` marks results that the TypeScript side reproduces to within a few ulps only
(float64 normals and exponentials, whose log/sin/cos come from different math libraries).
"""

import hashlib
import json
import os

import torch

torch.set_num_threads(1)

DTYPES = {
    'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int32,
    'int64': torch.int64, 'uint8': torch.uint8, 'bool': torch.bool,
}


def dtype_name(d):
    return str(d).replace('torch.', '')


def tensor_arg(spec):
    return torch.tensor(spec['values'], dtype=DTYPES[spec.get('dtype', 'float32')]).reshape(spec['shape'])


def target(op):
    """The tensor an in-place op fills: empty(base).permute(perm), or a narrowed view."""
    dtype = DTYPES[op.get('dtype', 'float32')]
    base = op['base']
    x = torch.empty(base, dtype=dtype)
    if 'perm' in op:
        x = x.permute(op['perm'])
    if 'narrow' in op:
        d, s, n = op['narrow']
        x = x.narrow(d, s, n)
    return x


def run(op, gens, saved):
    fn = op['fn']
    g = gens[op['gen']] if 'gen' in op else None
    kw = {'generator': g} if g is not None else {}
    if fn == 'seed':
        torch.manual_seed(int(op['seed']))
        return None
    if fn == 'new_gen':
        gens[op['name']] = torch.Generator().manual_seed(op['seed'])
        return None
    if fn == 'rand':
        return torch.rand(op['size'], dtype=DTYPES[op.get('dtype', 'float32')], **kw)
    if fn == 'randn':
        return torch.randn(op['size'], dtype=DTYPES[op.get('dtype', 'float32')], **kw)
    if fn == 'randint':
        return torch.randint(op['low'], op['high'], op['size'], dtype=DTYPES[op.get('dtype', 'int64')], **kw)
    if fn == 'randperm':
        return torch.randperm(op['n'], dtype=DTYPES[op.get('dtype', 'int64')], **kw)
    if fn == 'uniform_':
        return target(op).uniform_(op['from'], op['to'], **kw)
    if fn == 'normal_':
        return target(op).normal_(op['mean'], op['std'], **kw)
    if fn == 'exponential_':
        return target(op).exponential_(op['lambd'], **kw)
    if fn == 'random_':
        return target(op).random_(*op['args'], **kw)
    if fn == 'bernoulli_':
        p = op['p'] if isinstance(op['p'], (int, float)) else tensor_arg(op['p'])
        return target(op).bernoulli_(p, **kw)
    if fn == 'bernoulli':
        if 'scalar_p' in op:
            return torch.bernoulli(tensor_arg(op['input']), op['scalar_p'], **kw)
        return torch.bernoulli(tensor_arg(op['input']), **kw)
    if fn == 'multinomial':
        return torch.multinomial(tensor_arg(op['input']), op['n'], op['replacement'], **kw)
    if fn == 'normal':
        mean = op['mean'] if isinstance(op['mean'], (int, float)) else tensor_arg(op['mean'])
        std = op['std'] if isinstance(op['std'], (int, float)) else tensor_arg(op['std'])
        if 'size' in op:
            return torch.normal(mean, std, op['size'], **kw)
        return torch.normal(mean, std, **kw)
    if fn in ('rand_like', 'randn_like'):
        x = target(op)
        return (torch.rand_like if fn == 'rand_like' else torch.randn_like)(x)
    if fn == 'randint_like':
        return torch.randint_like(target(op), op['low'], op['high'])
    if fn == 'get_state':
        return (gens[op['gen']] if 'gen' in op else torch.default_generator).get_state()
    if fn == 'save':
        saved[op['label']] = torch.get_rng_state()
        return None
    if fn == 'restore':
        torch.set_rng_state(saved[op['label']])
        return None
    if fn == 'initial_seed':
        return (gens[op['gen']] if 'gen' in op else torch.default_generator).initial_seed()
    raise ValueError(fn)


def record(result, big):
    if result is None:
        return None
    if isinstance(result, int):
        return {'int': result}
    out = {'shape': list(result.shape), 'stride': list(result.stride()), 'dtype': dtype_name(result.dtype)}
    flat = result.contiguous().reshape(-1)
    if big:
        out['sha256'] = hashlib.sha256(flat.numpy().tobytes()).hexdigest()  # little-endian machines
    else:
        out['values'] = [v if not isinstance(v, bool) else int(v) for v in flat.tolist()]
    return out


def case(name, ops, exact=True, big=False):
    gens, saved = {}, {}
    torch.manual_seed(0)
    results = [record(run(op, gens, saved), big) for op in ops]
    return {'name': name, 'ops': ops, 'results': results, 'exact': exact}


def seed(s):
    # seeds past 2^53 travel as strings (JSON numbers would round); the test makes them bigints
    return {'fn': 'seed', 'seed': str(s) if abs(s) > 2**53 else s}


cases = []

# ---- uniform ----
for s in [0, 42, 2**40 + 3, -1, 2**63 + 5]:
    for dt in ['float32', 'float64']:
        cases.append(case(f'rand seed={s} {dt}', [seed(s), {'fn': 'rand', 'size': [3, 5], 'dtype': dt}]))
cases.append(case('rand unseeded generator', [{'fn': 'new_gen', 'name': 'g', 'seed': 67280421310721},
                                              {'fn': 'rand', 'size': [6], 'gen': 'g'}]))
for lo, hi in [(-3.7, 5.1), (2, 2.5), (-1e3, 1e3), (1e-3, 1e-3)]:
    for dt in ['float32', 'float64']:
        cases.append(case(f'uniform_({lo}, {hi}) {dt}',
                          [seed(3), {'fn': 'uniform_', 'base': [200], 'dtype': dt, 'from': lo, 'to': hi}]))
cases.append(case('rand 200000 float32', [seed(5), {'fn': 'rand', 'size': [200000]}], big=True))

# ---- normal ----
for n in [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000]:
    cases.append(case(f'randn({n}) float32', [seed(n), {'fn': 'randn', 'size': [n]}]))
    cases.append(case(f'randn({n}) float64', [seed(n), {'fn': 'randn', 'size': [n], 'dtype': 'float64'}], exact=False))
cases.append(case('randn 200000 float32', [seed(11), {'fn': 'randn', 'size': [200000]}], big=True))
cases.append(case('randn 12345 float32', [seed(12), {'fn': 'randn', 'size': [12345]}], big=True))
cases.append(case('randn [4, 25]', [seed(1), {'fn': 'randn', 'size': [4, 25]}]))
cases.append(case('randn cache across calls', [
    seed(0), {'fn': 'randn', 'size': [3]}, {'fn': 'randn', 'size': [1]}, {'fn': 'randn', 'size': [2]},
    {'fn': 'randn', 'size': [20]}, {'fn': 'randn', 'size': [1]}, {'fn': 'rand', 'size': [2]}, {'fn': 'randn', 'size': [1]},
    {'fn': 'randn', 'size': [1], 'dtype': 'float64'}, {'fn': 'randn', 'size': [1], 'dtype': 'float64'},
], exact=False))
cases.append(case('randn cache reset by manual_seed', [
    seed(0), {'fn': 'randn', 'size': [1]}, seed(0), {'fn': 'randn', 'size': [1]}, {'fn': 'randn', 'size': [1]},
]))
for mean, std in [(1.5, 2.5), (-3, 0.01), (0, 0)]:
    for n in [5, 20, 300]:
        cases.append(case(f'normal_({mean}, {std}) n={n} float32',
                          [seed(7), {'fn': 'normal_', 'base': [n], 'mean': mean, 'std': std}]))
        cases.append(case(f'normal_({mean}, {std}) n={n} float64',
                          [seed(7), {'fn': 'normal_', 'base': [n], 'dtype': 'float64', 'mean': mean, 'std': std}],
                          exact=False))
cases.append(case('normal forms', [
    seed(4),
    {'fn': 'normal', 'mean': {'values': [0, 1, 2, 3], 'shape': [2, 2]}, 'std': 2.0},
    {'fn': 'normal', 'mean': 5.0, 'std': {'values': [0.5, 1, 2], 'shape': [3]}},
    {'fn': 'normal', 'mean': {'values': [0, 10], 'shape': [2, 1]}, 'std': {'values': [1, 2, 3], 'shape': [3]}},
    {'fn': 'normal', 'mean': 1.0, 'std': 3.0, 'size': [2, 3]},
    {'fn': 'normal', 'mean': {'values': list(range(20)), 'shape': [20]}, 'std': 0.5},
]))

# ---- exponential ----
for dt, exact in [('float32', True), ('float64', False)]:
    cases.append(case(f'exponential_ {dt}', [seed(9), {'fn': 'exponential_', 'base': [300], 'dtype': dt, 'lambd': 1.7}],
                      exact=exact))

# ---- integers ----
cases.append(case('randint forms', [
    seed(0),
    {'fn': 'randint', 'low': 0, 'high': 10, 'size': [20]},
    {'fn': 'randint', 'low': -5, 'high': 5, 'size': [3, 4]},
    {'fn': 'randint', 'low': 0, 'high': 2**40, 'size': [5]},
    {'fn': 'randint', 'low': -2**40, 'high': 2**41, 'size': [5], 'dtype': 'float64'},
    {'fn': 'randint', 'low': 3, 'high': 10, 'size': [6], 'dtype': 'float32'},
    {'fn': 'randint', 'low': 0, 'high': 256, 'size': [8], 'dtype': 'uint8'},
    {'fn': 'randint', 'low': -100, 'high': 100, 'size': [8], 'dtype': 'int32'},
    {'fn': 'randint', 'low': 0, 'high': 2, 'size': [8], 'dtype': 'bool'},
]))
for dt in DTYPES:
    cases.append(case(f'random_() {dt}', [seed(1), {'fn': 'random_', 'base': [12], 'dtype': dt, 'args': []}]))
    cases.append(case(f'random_(to) {dt}', [seed(1), {'fn': 'random_', 'base': [12], 'dtype': dt, 'args': [2]}]))
    if dt != 'bool':
        cases.append(case(f'random_(from, None) {dt}',
                          [seed(1), {'fn': 'random_', 'base': [12], 'dtype': dt, 'args': [1, None]}]))
cases.append(case('random_ int64 full range', [seed(2), {'fn': 'random_', 'base': [6], 'dtype': 'int64',
                                                          'args': [-2**63, None]}]))
cases.append(case('random_ int32 from min', [seed(2), {'fn': 'random_', 'base': [6], 'dtype': 'int32',
                                                        'args': [-2**31, None]}]))
for n, dt in [(0, 'int64'), (1, 'int64'), (2, 'int64'), (10, 'int64'), (1000, 'int64'), (50, 'float32'),
              (50, 'int32'), (200, 'uint8')]:
    cases.append(case(f'randperm({n}) {dt}', [seed(n), {'fn': 'randperm', 'n': n, 'dtype': dt}]))
cases.append(case('randperm 100000', [seed(3), {'fn': 'randperm', 'n': 100000}], big=True))

# ---- bernoulli and multinomial ----
for dt in ['float32', 'float64', 'int32', 'bool']:
    cases.append(case(f'bernoulli_(0.3) {dt}', [seed(5), {'fn': 'bernoulli_', 'base': [40], 'dtype': dt, 'p': 0.3}]))
cases.append(case('bernoulli_ tensor p', [
    seed(6),
    {'fn': 'bernoulli_', 'base': [3, 4], 'p': {'values': [0.1, 0.5, 0.9, 0.7], 'shape': [4]}},
    {'fn': 'bernoulli_', 'base': [3, 4], 'dtype': 'float64', 'p': {'values': [0.2, 0.8, 0.5], 'shape': [3, 1],
                                                                   'dtype': 'float64'}},
    {'fn': 'bernoulli_', 'base': [4, 3], 'perm': [1, 0], 'p': {'values': [0.1, 0.5, 0.9, 0.7], 'shape': [4]}},
]))
cases.append(case('bernoulli', [
    seed(8),
    {'fn': 'bernoulli', 'input': {'values': [0.0, 0.25, 0.5, 0.75, 1.0, 0.1], 'shape': [2, 3]}},
    {'fn': 'bernoulli', 'input': {'values': [0.0, 0.25, 0.5, 0.75], 'shape': [4], 'dtype': 'float64'}},
    {'fn': 'bernoulli', 'input': {'values': [0.9, 0.9, 0.9], 'shape': [3]}, 'scalar_p': 0.2},
]))
probs = [0.1, 0.2, 0.3, 0.4, 0.0, 1.5]
cases.append(case('multinomial', [
    seed(10),
    {'fn': 'multinomial', 'input': {'values': probs, 'shape': [6]}, 'n': 20, 'replacement': True},
    {'fn': 'multinomial', 'input': {'values': probs, 'shape': [6]}, 'n': 1, 'replacement': False},
    {'fn': 'multinomial', 'input': {'values': probs, 'shape': [6]}, 'n': 5, 'replacement': False},
    {'fn': 'multinomial', 'input': {'values': probs * 2, 'shape': [2, 6]}, 'n': 3, 'replacement': False},
    {'fn': 'multinomial', 'input': {'values': probs * 2, 'shape': [2, 6]}, 'n': 7, 'replacement': True},
    {'fn': 'multinomial', 'input': {'values': probs, 'shape': [6], 'dtype': 'float64'}, 'n': 10, 'replacement': True},
    {'fn': 'multinomial', 'input': {'values': [1, 2, 3, 4], 'shape': [2, 2]}, 'n': 1, 'replacement': True},
    {'fn': 'multinomial', 'input': {'values': [(i % 7) / 7 for i in range(60)], 'shape': [3, 20]}, 'n': 1,
     'replacement': True},
    {'fn': 'multinomial', 'input': {'values': [(i % 7) / 7 for i in range(60)], 'shape': [3, 20]}, 'n': 1,
     'replacement': False},
]))

# ---- layouts: kernels walk permuted views in memory order ----
cases.append(case('non-contiguous targets', [
    seed(13),
    {'fn': 'uniform_', 'base': [4, 5], 'perm': [1, 0], 'from': 0, 'to': 1},
    {'fn': 'normal_', 'base': [4, 5], 'perm': [1, 0], 'mean': 0, 'std': 1},
    {'fn': 'normal_', 'base': [2, 3, 4], 'perm': [2, 0, 1], 'mean': 0, 'std': 1},
    {'fn': 'random_', 'base': [3, 4], 'perm': [1, 0], 'dtype': 'int64', 'args': [0, 100]},
    {'fn': 'uniform_', 'base': [4, 6], 'narrow': [1, 1, 3], 'from': 0, 'to': 1},
    {'fn': 'normal_', 'base': [4, 6], 'narrow': [1, 1, 4], 'mean': 0, 'std': 1},
    {'fn': 'exponential_', 'base': [3, 4], 'perm': [1, 0], 'lambd': 1.0},
    {'fn': 'rand_like', 'base': [4, 5], 'perm': [1, 0]},
    {'fn': 'randn_like', 'base': [4, 5], 'perm': [1, 0]},
    {'fn': 'randn_like', 'base': [20]},
    {'fn': 'rand_like', 'base': [5, 2, 1], 'perm': [2, 0, 1]},
    {'fn': 'randn_like', 'base': [1, 1, 4], 'perm': [2, 0, 1]},
    {'fn': 'randint_like', 'base': [4, 5], 'perm': [1, 0], 'low': 0, 'high': 7},
]))

# ---- generators and state ----
cases.append(case('generator objects are independent', [
    seed(0), {'fn': 'new_gen', 'name': 'g', 'seed': 123},
    {'fn': 'rand', 'size': [3], 'gen': 'g'}, {'fn': 'rand', 'size': [3]}, {'fn': 'randn', 'size': [3], 'gen': 'g'},
    {'fn': 'randn', 'size': [17], 'gen': 'g'}, {'fn': 'randint', 'low': 0, 'high': 5, 'size': [4], 'gen': 'g'},
    {'fn': 'randperm', 'n': 6, 'gen': 'g'}, {'fn': 'randn', 'size': [2]},
    {'fn': 'uniform_', 'base': [3], 'from': -1, 'to': 1, 'gen': 'g'},
    {'fn': 'initial_seed', 'gen': 'g'}, {'fn': 'initial_seed'},
]))
cases.append(case('get_state bytes', [
    seed(0), {'fn': 'get_state'}, {'fn': 'randn', 'size': [1]}, {'fn': 'get_state'},
    {'fn': 'rand', 'size': [700]}, {'fn': 'get_state'},
    {'fn': 'new_gen', 'name': 'g', 'seed': 5}, {'fn': 'get_state', 'gen': 'g'},
], big=True))
cases.append(case('save and restore', [
    seed(21), {'fn': 'randn', 'size': [1]}, {'fn': 'save', 'label': 'a'},
    {'fn': 'randn', 'size': [3]}, {'fn': 'rand', 'size': [5]},
    {'fn': 'restore', 'label': 'a'}, {'fn': 'randn', 'size': [3]}, {'fn': 'rand', 'size': [5]},
]))

# a state saved by PyTorch, restored on the TypeScript side
torch.manual_seed(77)
torch.rand(1000)
torch.randn(1)
saved_state = torch.get_rng_state()
after_restore = torch.randn(5).tolist() + torch.rand(5).tolist()

out = {
    'torch_version': torch.__version__,
    'cases': cases,
    'pytorch_state': {'bytes': saved_state.tolist(), 'after': after_restore},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'random.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print(f'wrote {path}: {len(cases)} cases')
