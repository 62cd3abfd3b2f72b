"""Golden values for the training stack (nn, F, init, optim, utils.data), from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_nn.py
Writes test/golden/nn.json, read by test/nn/*.test.ts, test/optim.test.ts, test/data.test.ts
and test/mnist.test.ts. Reads the MNIST files in ../shared/data (never writes there).
"""
import gzip, json, math, os, struct
from collections import OrderedDict
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset, random_split
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'data'))


def err(f):
    try:
        f()
    except Exception as e:  # the message and Python class, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e) if not isinstance(e, KeyError) else e.args[0]}
    raise AssertionError('expected an error')


out = {}

# ---- activations: values, gradients of sum(y * w), grad_fn ----
X = [-3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.2, 0.9, 1.0, 2.5, 7.0]
W = [0.3, -1.2, 0.7, 1.1, -0.4, 0.5, 2.0, -0.9, 1.3, 0.6, -0.2]
acts = [
    ('relu', {}, lambda x: F.relu(x)),
    ('leaky_relu', {}, lambda x: F.leaky_relu(x)),
    ('leaky_relu', {'negative_slope': 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ('elu', {}, lambda x: F.elu(x)),
    ('elu', {'alpha': 0.5}, lambda x: F.elu(x, 0.5)),
    ('gelu', {}, lambda x: F.gelu(x)),
    ('gelu', {'approximate': 'tanh'}, lambda x: F.gelu(x, approximate='tanh')),
    ('silu', {}, lambda x: F.silu(x)),
    ('sigmoid', {}, lambda x: torch.sigmoid(x)),
    ('tanh', {}, lambda x: torch.tanh(x)),
    ('softplus', {}, lambda x: F.softplus(x)),
    ('softplus', {'beta': 2, 'threshold': 1}, lambda x: F.softplus(x, 2, 1)),
    ('hardtanh', {}, lambda x: F.hardtanh(x)),
    ('hardtanh', {'min_val': -0.5, 'max_val': 2}, lambda x: F.hardtanh(x, -0.5, 2)),
    ('relu6', {}, lambda x: F.relu6(x)),
]
out['activations'] = []
for name, kw, f in acts:
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(X, dtype=dtype, requires_grad=True)
        y = f(x)
        (y * torch.tensor(W, dtype=dtype)).sum().backward()
        out['activations'].append({'name': name, 'kw': kw, 'dtype': dname(dtype), 'x': X, 'w': W, 'y': enc(y), 'grad': enc(x.grad),
                                   'grad_fn': y.grad_fn.name()})
M = [[0.5, -1.0, 2.0, 0.1], [3.0, 0.0, -2.0, 1.5], [-0.3, 0.8, 0.2, -1.1]]
MW = [[1.0, -0.5, 0.3, 2.0], [0.2, 0.7, -1.2, 0.4], [-0.8, 1.1, 0.6, -0.3]]
out['softmax'] = []
for name, dim in (('softmax', 1), ('softmax', 0), ('log_softmax', 1), ('log_softmax', 0)):
    x = torch.tensor(M, requires_grad=True)
    y = getattr(F, name)(x, dim=dim)
    (y * torch.tensor(MW)).sum().backward()
    out['softmax'].append({'name': name, 'dim': dim, 'x': M, 'w': MW, 'y': enc(y), 'grad': enc(x.grad), 'grad_fn': y.grad_fn.name()})
out['activation_errors'] = {
    'leaky_relu_int': err(lambda: F.leaky_relu(torch.tensor([1, 2]))),
    'elu_int': err(lambda: F.elu(torch.tensor([1, 2]))),
    'gelu_int': err(lambda: F.gelu(torch.tensor([1, 2]))),
    'silu_int': err(lambda: F.silu(torch.tensor([1, 2]))),
    'softplus_int': err(lambda: F.softplus(torch.tensor([1, 2]))),
    'hardtanh_int': enc(F.hardtanh(torch.tensor([-3, 0, 4]))),
    'relu_int': enc(F.relu(torch.tensor([-3, 0, 4]))),
}

# ---- losses ----
LOGITS = [[1.2, -0.3, 0.5, 2.0, -1.0], [0.1, 0.2, -0.7, 0.3, 1.4], [-2.0, 0.9, 1.1, 0.0, 0.4], [0.6, -1.5, 0.25, 1.8, -0.2]]
TARGET = [3, 4, 1, 0]
CW = [1.0, 2.0, 0.5, 1.5, 0.8]
PROBS = [[0.1, 0.2, 0.3, 0.4, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.125, 0.125], [0.5, 0.1, 0.1, 0.1, 0.2]]
LOGITS3 = [[[0.2, -1.0, 0.4], [1.5, 0.3, -0.2], [-0.7, 0.8, 1.1]], [[0.0, 0.5, -0.5], [2.0, -1.0, 0.1], [0.3, 0.3, 0.9]]]
TARGET3 = [[0, 2, 1], [1, 1, 0]]


def loss_case(fn, name, kw, x, t, tdtype='int64', t_grad=False, input_dtype=torch.float32):
    xi = torch.tensor(x, dtype=input_dtype, requires_grad=True)
    tt = torch.tensor(t, dtype=getattr(torch, tdtype), requires_grad=t_grad)
    kwt = {k: (torch.tensor(v, dtype=input_dtype) if k in ('weight', 'pos_weight') else v) for k, v in kw.items()}
    y = fn(xi, tt, **kwt)
    y.sum().backward() if y.dim() > 0 else y.backward()
    return {'fn': name, 'kw': kw, 'x': x, 't': t, 'tdtype': tdtype, 'dtype': dname(input_dtype), 'y': enc(y),
            'grad': enc(xi.grad), 'grad_t': enc(tt.grad) if t_grad else None, 'grad_fn': y.grad_fn.name()}


L = []
for red in ('mean', 'sum', 'none'):
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red}, LOGITS, TARGET))
    L.append(loss_case(F.nll_loss, 'nll_loss', {'reduction': red}, LOGITS, TARGET))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red, 'weight': CW}, LOGITS, TARGET))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red, 'ignore_index': 1}, LOGITS, [3, 1, 1, 0]))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red, 'label_smoothing': 0.1}, LOGITS, TARGET))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red, 'label_smoothing': 0.2, 'weight': CW, 'ignore_index': 4}, LOGITS, TARGET))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red}, LOGITS, PROBS, 'float32'))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red, 'weight': CW, 'label_smoothing': 0.3}, LOGITS, PROBS, 'float32'))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red}, LOGITS3, TARGET3))
    L.append(loss_case(F.nll_loss, 'nll_loss', {'reduction': red, 'weight': [1.0, 0.5, 2.0], 'ignore_index': 2}, LOGITS3, TARGET3))
    L.append(loss_case(F.cross_entropy, 'cross_entropy', {'reduction': red}, LOGITS[0], 2))
    PRED = [[0.5, -1.2, 3.0], [2.2, 0.0, -0.7]]
    TGT = [[1.0, -1.0, 1.5], [0.3, 0.4, -0.2]]
    for fn, nm, extra in ((F.mse_loss, 'mse_loss', {}), (F.l1_loss, 'l1_loss', {}), (F.smooth_l1_loss, 'smooth_l1_loss', {}),
                          (F.smooth_l1_loss, 'smooth_l1_loss', {'beta': 0.5}), (F.huber_loss, 'huber_loss', {}),
                          (F.huber_loss, 'huber_loss', {'delta': 0.7})):
        L.append(loss_case(fn, nm, {'reduction': red, **extra}, PRED, TGT, 'float32', t_grad=True))
    P = [[0.2, 0.9, 0.5], [0.01, 0.6, 0.999]]
    Y = [[0.0, 1.0, 0.3], [1.0, 0.0, 1.0]]
    L.append(loss_case(F.binary_cross_entropy, 'binary_cross_entropy', {'reduction': red}, P, Y, 'float32', t_grad=True))
    L.append(loss_case(F.binary_cross_entropy, 'binary_cross_entropy', {'reduction': red, 'weight': [[1.0, 2.0, 0.5], [0.3, 1.0, 1.0]]}, P, Y, 'float32'))
    Z = [[-2.0, 0.5, 3.0], [40.0, -30.0, 0.0]]
    L.append(loss_case(F.binary_cross_entropy_with_logits, 'binary_cross_entropy_with_logits', {'reduction': red}, Z, Y, 'float32', t_grad=True))
    L.append(loss_case(F.binary_cross_entropy_with_logits, 'binary_cross_entropy_with_logits',
                       {'reduction': red, 'weight': [1.0, 0.5, 2.0], 'pos_weight': [3.0, 1.0, 0.5]}, Z, Y, 'float32', t_grad=True))
L.append(loss_case(F.cross_entropy, 'cross_entropy', {}, LOGITS, TARGET, input_dtype=torch.float64))
L.append(loss_case(F.mse_loss, 'mse_loss', {}, [[1.0, 2.0, 3.0]], [0.5, 0.0, 1.0], 'float32', t_grad=True))
out['losses'] = L

x4 = torch.tensor(LOGITS)
out['loss_errors'] = {
    'nll_oob': err(lambda: F.nll_loss(x4, torch.tensor([1, 0, 5, 2]))),
    'nll_neg': err(lambda: F.nll_loss(x4, torch.tensor([1, 0, -3, 2]))),
    'nll_batch': err(lambda: F.nll_loss(x4, torch.tensor([1, 0, 2]))),
    'nll_float_target': err(lambda: F.nll_loss(x4, torch.tensor([1., 0, 2, 3]))),
    'nll_0d': err(lambda: F.nll_loss(torch.tensor(1.), torch.tensor(0))),
    'nll_weight': err(lambda: F.nll_loss(x4, torch.tensor(TARGET), weight=torch.ones(3))),
    'nll_reduction': err(lambda: F.nll_loss(x4, torch.tensor(TARGET), reduction='avg')),
    'ce_prob_int': err(lambda: F.cross_entropy(x4, torch.ones(4, 5, dtype=torch.long))),
    'ce_prob_ignore': err(lambda: F.cross_entropy(x4, torch.tensor(PROBS), ignore_index=1)),
    'ce_smoothing': err(lambda: F.cross_entropy(x4, torch.tensor(TARGET), label_smoothing=1.5)),
    'nd_target': err(lambda: F.cross_entropy(torch.tensor(LOGITS3), torch.tensor([[0, 1], [1, 0]]))),
    'bce_range': err(lambda: F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0., 1.]))),
    'bce_size': err(lambda: F.binary_cross_entropy(torch.tensor([[0.5], [0.2]]), torch.tensor([0., 1.]))),
    'bcel_size': err(lambda: F.binary_cross_entropy_with_logits(torch.tensor([[0.5], [0.2]]), torch.tensor([0., 1.]))),
    'mse_int': err(lambda: F.mse_loss(torch.tensor([1, 2]), torch.tensor([1, 3]))),
    'mse_reduction': err(lambda: F.mse_loss(x4, x4, reduction='avg')),
    'one_hot_float': err(lambda: F.one_hot(torch.tensor([1., 2.]))),
    'one_hot_neg': err(lambda: F.one_hot(torch.tensor([1, -2]))),
    'one_hot_big': err(lambda: F.one_hot(torch.tensor([1, 3]), 3)),
    'dropout_p': err(lambda: F.dropout(x4, 1.5)),
    'smooth_l1_beta': err(lambda: F.smooth_l1_loss(x4, x4, beta=-1.0)),
}
out['one_hot'] = {'x': [0, 2, 1, 2], 'y': enc(F.one_hot(torch.tensor([0, 2, 1, 2]))), 'y5': enc(F.one_hot(torch.tensor([[0, 2], [1, 4]]), 5))}

# ---- linear ----
LW = [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]
LB = [0.05, -0.1]
LX = [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0], [0.2, -0.3, 0.9], [2.0, 1.0, -1.0]]
lin = []
for shape, bias in (([4, 3], True), ([4, 3], False), ([2, 2, 3], True), ([3], True), ([2, 2, 3], False)):
    x = torch.tensor(LX, requires_grad=True).reshape(shape if shape != [3] else [4, 3])
    if shape == [3]:
        x = torch.tensor(LX[0], requires_grad=True)
    x.retain_grad()
    w = torch.tensor(LW, requires_grad=True)
    b = torch.tensor(LB, requires_grad=True) if bias else None
    y = F.linear(x, w, b)
    (y * y).sum().backward()
    lin.append({'shape': shape, 'bias': bias, 'x': enc(x), 'y': enc(y), 'gx': enc(x.grad), 'gw': enc(w.grad),
                'gb': enc(b.grad) if bias else None, 'grad_fn': y.grad_fn.name()})
out['linear'] = {'w': LW, 'b': LB, 'cases': lin,
                 'error': err(lambda: nn.Linear(2, 3)(torch.ones(2, 4)))}

# ---- modules: repr, names, state dicts ----


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(28 * 28, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 64)
        self.fc4 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        x = self.fc4(x)
        return F.log_softmax(x, dim=1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 4))
        self.heads = nn.ModuleDict({'cls': nn.Linear(4, 3), 'reg': nn.Linear(4, 1, bias=False)})
        self.extra = nn.ModuleList([nn.Tanh(), nn.Linear(4, 4)])
        self.register_buffer('running', torch.zeros(4))
        self.register_buffer('scratch', torch.zeros(2), persistent=False)
        self.scale = nn.Parameter(torch.ones(1))


blk = Block()
reprs = {
    'net': repr(Net()),
    'block': repr(blk),
    'sequential_named': repr(nn.Sequential(OrderedDict([('conv', nn.Linear(2, 2)), ('act', nn.ReLU())]))),
    'empty_sequential': repr(nn.Sequential()),
    'module': repr(nn.Module()),
    'parameter': repr(nn.Parameter(torch.tensor([1.0, 2.0]))),
    'parameter_nograd': repr(nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)),
}
layer_reprs = [
    ('Linear', [784, 64], {}), ('Linear', [3, 2], {'bias': False}), ('Identity', [], {}), ('Flatten', [], {}),
    ('Flatten', [0, 2], {}), ('Unflatten', [1, [2, 5]], {}), ('Dropout', [], {}), ('Dropout', [0.2], {'inplace': True}),
    ('ReLU', [], {}), ('ReLU', [], {'inplace': True}), ('LeakyReLU', [], {}), ('LeakyReLU', [0.2], {}), ('ELU', [], {}),
    ('ELU', [0.5], {}), ('GELU', [], {}), ('GELU', [], {'approximate': 'tanh'}), ('SiLU', [], {}), ('Sigmoid', [], {}),
    ('Tanh', [], {}), ('Softplus', [], {}), ('Softplus', [2], {'threshold': 10}), ('Hardtanh', [], {}),
    ('Hardtanh', [-2.0, 2.0], {}), ('Softmax', [], {'dim': 1}), ('Softmax', [], {}), ('LogSoftmax', [], {'dim': 1}),
    ('CrossEntropyLoss', [], {}), ('CrossEntropyLoss', [], {'label_smoothing': 0.1}), ('NLLLoss', [], {}), ('MSELoss', [], {}),
    ('L1Loss', [], {}), ('BCELoss', [], {}), ('BCEWithLogitsLoss', [], {}), ('SmoothL1Loss', [], {}), ('HuberLoss', [], {}),
]
reprs['layers'] = []
for cls, args, kw in layer_reprs:
    a = [tuple(v) if isinstance(v, list) else v for v in args]
    reprs['layers'].append({'cls': cls, 'args': args, 'kw': kw, 'repr': repr(getattr(nn, cls)(*a, **kw))})
out['repr'] = reprs

sd = blk.state_dict()
out['names'] = {
    'named_parameters': [n for n, _ in blk.named_parameters()],
    'named_buffers': [n for n, _ in blk.named_buffers()],
    'named_modules': [n for n, _ in blk.named_modules()],
    'named_children': [n for n, _ in blk.named_children()],
    'state_dict': list(sd.keys()),
    'state_dict_shapes': [list(v.shape) for v in sd.values()],
    'net_state_dict': list(Net().state_dict().keys()),
}
lin2 = nn.Linear(2, 2)
out['load_errors'] = {
    'missing_unexpected': err(lambda: lin2.load_state_dict({'weight': torch.zeros(2, 2), 'foo': torch.zeros(1), 'bar': torch.zeros(1)})),
    'size_mismatch': err(lambda: lin2.load_state_dict({'weight': torch.zeros(3, 2), 'bias': torch.zeros(2)})),
    'nested_missing': err(lambda: Block().load_state_dict({k: v for k, v in sd.items() if not k.startswith('heads.')})),
    'non_strict': str(lin2.load_state_dict({'weight': torch.zeros(2, 2), 'foo': torch.zeros(1)}, strict=False)),
    'all_matched': str(lin2.load_state_dict({'weight': torch.zeros(2, 2), 'bias': torch.zeros(2)})),
}


def setattr_errors():
    res = {}

    class A(nn.Module):
        def __init__(s):
            super().__init__()
            s.w = nn.Parameter(torch.ones(1))
            s.l = nn.Linear(1, 1)
            s.x = torch.ones(1)
            res['param'] = err(lambda: setattr(s, 'w', torch.ones(1)))
            res['module'] = err(lambda: setattr(s, 'l', 3))
            res['buffer_exists'] = err(lambda: s.register_buffer('x', torch.ones(1)))
            res['buffer_dot'] = err(lambda: s.register_buffer('a.b', torch.ones(1)))
            res['buffer_type'] = err(lambda: s.register_buffer('y', 3))
            res['register_parameter_type'] = err(lambda: s.register_parameter('z', torch.ones(1)))
            res['add_module_type'] = err(lambda: s.add_module('q', 3))
    A()
    res['forward_missing'] = err(lambda: nn.Module()(1))
    res['train_mode'] = err(lambda: nn.Module().train(3))
    res['to_int'] = err(lambda: nn.Linear(2, 2).to(torch.int32))
    res['dropout_p'] = err(lambda: nn.Dropout(1.5))
    return res


out['module_errors'] = setattr_errors()

# ---- init: seeded values (torchlab's generator is PyTorch's, bit for bit) ----
init = {}
torch.manual_seed(0)
l = nn.Linear(5, 3)
init['linear'] = {'seed': 0, 'weight': enc(l.weight), 'bias': enc(l.bias)}
torch.manual_seed(1)
l = nn.Linear(784, 64)
init['linear_big'] = {'seed': 1, 'weight_row0': enc(l.weight[0]), 'bias': enc(l.bias)}
for name, f in (('kaiming_uniform_', lambda t: nn.init.kaiming_uniform_(t)),
                ('kaiming_uniform_relu_fan_out', lambda t: nn.init.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu')),
                ('kaiming_normal_', lambda t: nn.init.kaiming_normal_(t)),
                ('kaiming_normal_a', lambda t: nn.init.kaiming_normal_(t, a=0.2)),
                ('xavier_uniform_', lambda t: nn.init.xavier_uniform_(t)),
                ('xavier_uniform_gain', lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain('tanh'))),
                ('xavier_normal_', lambda t: nn.init.xavier_normal_(t)),
                ('uniform_', lambda t: nn.init.uniform_(t, -2, 3)),
                ('normal_', lambda t: nn.init.normal_(t, 1.0, 0.5))):
    torch.manual_seed(7)
    t = torch.empty(4, 6, 2)
    f(t)
    init[name] = enc(t)
init['gains'] = {k: nn.init.calculate_gain(*v) for k, v in {
    'linear': ['linear'], 'sigmoid': ['sigmoid'], 'tanh': ['tanh'], 'relu': ['relu'], 'leaky_relu': ['leaky_relu'],
    'leaky_relu_02': ['leaky_relu', 0.2], 'selu': ['selu'], 'conv2d': ['conv2d']}.items()}
init['fans'] = [list(nn.init._calculate_fan_in_and_fan_out(torch.empty(*s))) for s in ([64, 784], [16, 3, 5, 5], [7, 2])]
init['errors'] = {
    'gain': err(lambda: nn.init.calculate_gain('foo')),
    'gain_param': err(lambda: nn.init.calculate_gain('leaky_relu', 'x')),
    'fan_1d': err(lambda: nn.init.kaiming_uniform_(torch.empty(3))),
    'mode': err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 3), mode='fan_avg')),
}
out['init'] = init

# ---- optimizers: trajectories on a fixed problem ----
W0 = [[0.5, -0.3, 0.8], [-1.2, 0.4, 0.1]]
B0 = [0.2, -0.7]
A = [[1.0, 0.5, -1.0], [0.3, -2.0, 0.7]]
C = [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]]


def loss_fn(w, b):
    return ((w * torch.tensor(A) - torch.tensor(C)) ** 2).sum() + (w ** 3).sum() * 0.1 + (b.sin() * torch.tensor([1.5, -0.5])).sum() + (b ** 2).sum()


configs = [
    ('SGD', {'lr': 0.1}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3}),
    ('SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True}),
    ('SGD', {'lr': 0.1, 'weight_decay': 0.1, 'momentum': 0.5}),
    ('SGD', {'lr': 0.1, 'maximize': True}),
    ('Adam', {}),
    ('Adam', {'lr': 0.05}),
    ('Adam', {'lr': 0.05, 'betas': [0.8, 0.99], 'eps': 1e-6}),
    ('Adam', {'lr': 0.05, 'amsgrad': True}),
    ('Adam', {'lr': 0.05, 'weight_decay': 0.1}),
    ('Adam', {'lr': 0.05, 'maximize': True}),
    ('AdamW', {}),
    ('AdamW', {'lr': 0.05, 'weight_decay': 0.1}),
    ('AdamW', {'lr': 0.05, 'amsgrad': True}),
]
traj = []
for name, kw in configs:
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    kwp = {k: (tuple(v) if isinstance(v, list) else v) for k, v in kw.items()}
    opt = getattr(optim, name)([w, b], **kwp)
    steps = []
    for _ in range(6):
        opt.zero_grad()
        loss = loss_fn(w, b)
        loss.backward()
        opt.step()
        steps.append({'loss': loss.item(), 'w': enc(w), 'b': enc(b)})
    sdict = opt.state_dict()
    traj.append({'name': name, 'kw': kw, 'steps': steps, 'state_keys': sorted(sdict['state'][0].keys()),
                 'group_keys': sorted(k for k in sdict['param_groups'][0].keys())})
w = torch.tensor(W0, requires_grad=True)
b = torch.tensor(B0, requires_grad=True)
opt = optim.SGD([{'params': [w]}, {'params': [b], 'lr': 0.01, 'momentum': 0.5}], lr=0.1)
steps = []
for _ in range(4):
    opt.zero_grad()
    loss_fn(w, b).backward()
    opt.step()
    steps.append({'w': enc(w), 'b': enc(b)})
out['optim'] = {'W0': W0, 'B0': B0, 'A': A, 'C': C, 'trajectories': traj, 'groups': steps,
                'repr_adam': repr(optim.Adam([w], lr=0.1)), 'repr_sgd': repr(optim.SGD([w], lr=0.1, momentum=0.9)),
                'errors': {
                    'lr': err(lambda: optim.SGD([w], lr=-1)),
                    'nesterov': err(lambda: optim.SGD([w], lr=0.1, nesterov=True)),
                    'beta0': err(lambda: optim.Adam([w], betas=(1.0, 0.9))),
                    'beta1': err(lambda: optim.Adam([w], betas=(0.9, -0.1))),
                    'eps': err(lambda: optim.Adam([w], eps=-1)),
                    'empty': err(lambda: optim.Adam([])),
                    'overlap': err(lambda: optim.Adam([{'params': [w]}, {'params': [w]}])),
                    'non_leaf': err(lambda: optim.Adam([w * 2])),
                    'tensor': err(lambda: optim.Adam(w)),
                    'momentum': err(lambda: optim.SGD([w], lr=0.1, momentum=-1)),
                    'weight_decay': err(lambda: optim.SGD([w], lr=0.1, weight_decay=-1)),
                    'groups_len': err(lambda: optim.SGD([w], lr=0.1).load_state_dict(optim.SGD([{'params': [w]}, {'params': [b]}], lr=0.1).state_dict())),
                }}

# ---- data: seeded shuffles and splits (DataLoader draws a base seed per epoch, as here) ----
data = {}
ds = TensorDataset(torch.arange(20), torch.arange(20) * 10)
torch.manual_seed(3)
data['shuffle_default'] = [[enc(x) for x in epoch] for epoch in ([b[0] for b in DataLoader(ds, batch_size=6, shuffle=True)],
                                                                  [b[0] for b in DataLoader(ds, batch_size=6, shuffle=True)])]
data['after_default'] = torch.rand(3).tolist()
g = torch.Generator().manual_seed(11)
loader = DataLoader(ds, batch_size=7, shuffle=True, generator=g, drop_last=True)
data['shuffle_generator'] = [[enc(b[0]) for b in loader] for _ in range(2)]
data['len_drop_last'] = len(loader)
torch.manual_seed(5)
data['sequential_after'] = [[enc(b[1]) for b in DataLoader(ds, batch_size=8)], torch.rand(2).tolist()]
split = random_split(range(10), [7, 3], generator=torch.Generator().manual_seed(42))
data['random_split'] = [list(s.indices) for s in split]
split = random_split(range(11), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(1))
data['random_split_frac'] = [list(s.indices) for s in split]
data['errors'] = {
    'split_sum': err(lambda: random_split(range(10), [3, 3])),
    'sampler_shuffle': err(lambda: DataLoader(ds, sampler=range(3), shuffle=True)),
    'batch_sampler': err(lambda: DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)),
    'collate_size': err(lambda: next(iter(DataLoader([[1, 2], [3]], batch_size=2)))),
}
data['collate'] = {
    'numbers': {'y': enc(torch.utils.data.default_collate([1, 2, 3])), 'dtype': dname(torch.utils.data.default_collate([1, 2, 3]).dtype)},
    'floats': {'y': enc(torch.utils.data.default_collate([1.5, 2.0])), 'dtype': dname(torch.utils.data.default_collate([1.5, 2.0]).dtype)},
    'bools': {'dtype': dname(torch.utils.data.default_collate([True, False]).dtype)},
}
out['data'] = data

# ---- the lecture's MNIST net: the first steps of the epoch, seeded (init and shuffle are exact) ----


def idx(path):
    b = gzip.open(path).read()
    magic, n = struct.unpack('>II', b[:8])
    if magic == 2051:
        r, c = struct.unpack('>II', b[8:16])
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, r, c)
    return np.frombuffer(b, np.uint8, offset=8)


R = os.path.join(DATA, 'mnist')
Xtr = torch.tensor(idx(os.path.join(R, 'train-images-idx3-ubyte.gz'))).float().div(255).unsqueeze(1)
ytr = torch.tensor(idx(os.path.join(R, 'train-labels-idx1-ubyte.gz'))).long()
mn = {'seed': 0, 'steps': []}
torch.manual_seed(0)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
net = Net()
crit = nn.CrossEntropyLoss()
opt = optim.Adam(net.parameters(), lr=0.005)
for i, (Xb, yb) in enumerate(loader):
    if i == 8:
        break
    net.zero_grad()
    loss = crit(net(Xb.view(-1, 784)), yb)
    loss.backward()
    opt.step()
    mn['steps'].append({'labels': enc(yb[:8]), 'loss': loss.item(), 'fc4_w00': net.fc4.weight[0, 0].item(),
                        'fc1_b0': net.fc1.bias[0].item()})
out['mnist'] = mn

with open(os.path.join(HERE, 'nn.json'), 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
print('wrote', os.path.join(HERE, 'nn.json'))
