"""Golden values for RMSprop, Adagrad, Adadelta and torch.optim.lr_scheduler, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_optim2.py
Writes test/golden/optim2.json, read by test/optim_extra.test.ts.

Optimizers: five steps on a fixed problem per option set, with the parameters and loss after
each step and the state after the last. Schedulers: the learning rates (and momenta) that
get_last_lr() and the parameter groups hold after construction and after each step.
"""
import json, os, sys, warnings
import torch
import torch.optim as optim
from torch.optim import lr_scheduler as S
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def err(f):
    try:
        f()
    except Exception as e:  # the message and Python class, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e) if not isinstance(e, KeyError) else e.args[0]}
    raise AssertionError('expected an error')


out = {}

# ---- optimizers: trajectories on a fixed problem ----
W0 = [[0.5, -0.3, 0.8], [-1.2, 0.4, 0.1]]
B0 = [0.2, -0.7]
A = [[1.0, 0.5, -1.0], [0.3, -2.0, 0.7]]
C = [[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]]


def loss_fn(w, b):
    return ((w * torch.tensor(A) - torch.tensor(C)) ** 2).sum() + (w ** 3).sum() * 0.1 \
        + (b.sin() * torch.tensor([1.5, -0.5])).sum() + (b ** 2).sum()


configs = [
    ('RMSprop', {}),
    ('RMSprop', {'lr': 0.05, 'alpha': 0.9}),
    ('RMSprop', {'lr': 0.02, 'momentum': 0.9}),
    ('RMSprop', {'lr': 0.02, 'centered': True}),
    ('RMSprop', {'lr': 0.02, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.1}),
    ('RMSprop', {'lr': 0.05, 'weight_decay': 0.1, 'eps': 1e-3}),
    ('RMSprop', {'lr': 0.02, 'maximize': True, 'momentum': 0.3}),
    ('Adagrad', {}),
    ('Adagrad', {'lr': 0.1}),
    ('Adagrad', {'lr': 0.1, 'lr_decay': 0.1}),
    ('Adagrad', {'lr': 0.1, 'weight_decay': 0.2}),
    ('Adagrad', {'lr': 0.1, 'initial_accumulator_value': 0.5, 'eps': 1e-3}),
    ('Adagrad', {'lr': 0.1, 'maximize': True}),
    ('Adadelta', {}),
    ('Adadelta', {'lr': 0.5, 'rho': 0.8}),
    ('Adadelta', {'weight_decay': 0.1}),
    ('Adadelta', {'eps': 1e-3, 'rho': 0.95}),
    ('Adadelta', {'lr': 2.0, 'maximize': True}),
]
traj = []
for name, kw in configs:
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = getattr(optim, name)([w, b], **kw)
    steps = []
    for _ in range(5):
        opt.zero_grad()
        loss = loss_fn(w, b)
        loss.backward()
        opt.step()
        steps.append({'loss': loss.item(), 'w': enc(w), 'b': enc(b)})
    sd = opt.state_dict()
    state = {k: (float(v) if k == 'step' else enc(v)) for k, v in sd['state'][0].items()}
    traj.append({'name': name, 'kw': kw, 'steps': steps, 'state_w': state,
                 'group_keys': sorted(sd['param_groups'][0].keys())})
out['optimizers'] = {'W0': W0, 'B0': B0, 'A': A, 'C': C, 'trajectories': traj}

w = torch.zeros(2, requires_grad=True)
out['optimizer_errors'] = {
    'rmsprop_lr': err(lambda: optim.RMSprop([w], lr=-1)),
    'rmsprop_eps': err(lambda: optim.RMSprop([w], eps=-1e-3)),
    'rmsprop_momentum': err(lambda: optim.RMSprop([w], momentum=-0.5)),
    'rmsprop_weight_decay': err(lambda: optim.RMSprop([w], weight_decay=-1)),
    'rmsprop_alpha': err(lambda: optim.RMSprop([w], alpha=-0.5)),
    'adagrad_lr': err(lambda: optim.Adagrad([w], lr=-1)),
    'adagrad_lr_decay': err(lambda: optim.Adagrad([w], lr_decay=-0.5)),
    'adagrad_weight_decay': err(lambda: optim.Adagrad([w], weight_decay=-1)),
    'adagrad_initial_accumulator_value': err(lambda: optim.Adagrad([w], initial_accumulator_value=-1)),
    'adagrad_eps': err(lambda: optim.Adagrad([w], eps=-1)),
    'adadelta_lr': err(lambda: optim.Adadelta([w], lr=-1)),
    'adadelta_rho': err(lambda: optim.Adadelta([w], rho=1.5)),
    'adadelta_rho_neg': err(lambda: optim.Adadelta([w], rho=-0.5)),
    'adadelta_eps': err(lambda: optim.Adadelta([w], eps=-1)),
    'adadelta_weight_decay': err(lambda: optim.Adadelta([w], weight_decay=-1)),
}
# Adagrad makes its state in the constructor: the state dict before any step
ada = optim.Adagrad([w], initial_accumulator_value=0.25)
out['adagrad_initial_state'] = {k: (float(v) if k == 'step' else enc(v)) for k, v in ada.state_dict()['state'][0].items()}
out['reprs'] = {
    'RMSprop': repr(optim.RMSprop([w], lr=0.1)),
    'Adagrad': repr(optim.Adagrad([w])),
    'Adadelta': repr(optim.Adadelta([w])),
}

# ---- schedulers: learning-rate sequences ----
LAMBDAS = {
    'pow095': lambda e: 0.95 ** e,
    'inv': lambda e: 1 / (e + 1),
    'floor3': lambda e: e // 3,
}


def make_opt(kind, lrs):
    ps = [torch.zeros(2, requires_grad=True) for _ in lrs]
    groups = [{'params': [p], 'lr': lr} for p, lr in zip(ps, lrs)]
    if kind == 'SGD':
        return optim.SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == 'Adam':
        return optim.Adam(groups, lr=lrs[0])
    raise ValueError(kind)


def snapshot(opt, sched):
    groups = opt.param_groups
    snap = {'lr': list(sched.get_last_lr()), 'group_lr': [g['lr'] for g in groups]}
    if 'momentum' in groups[0]:
        snap['momentum'] = [g['momentum'] for g in groups]
    if 'betas' in groups[0]:
        snap['beta1'] = [g['betas'][0] for g in groups]
    return snap


sched_configs = [
    # (class, optimizer kind, group lrs, kwargs, number of steps)
    ('StepLR', 'SGD', [0.1], {'step_size': 3}, 12),
    ('StepLR', 'SGD', [0.1, 0.02], {'step_size': 5, 'gamma': 0.5}, 16),
    ('MultiStepLR', 'SGD', [0.1], {'milestones': [2, 5, 5, 9]}, 12),
    ('MultiStepLR', 'SGD', [0.1, 0.3], {'milestones': [3, 7], 'gamma': 0.5}, 10),
    ('ExponentialLR', 'SGD', [0.1], {'gamma': 0.9}, 20),
    ('ExponentialLR', 'SGD', [0.1, 0.05], {'gamma': 0.7}, 10),
    ('CosineAnnealingLR', 'SGD', [0.1], {'T_max': 10}, 30),
    ('CosineAnnealingLR', 'SGD', [0.1, 0.01], {'T_max': 7, 'eta_min': 0.001}, 25),
    ('LambdaLR', 'SGD', [0.1], {'lr_lambda': 'pow095'}, 20),
    ('LambdaLR', 'SGD', [0.1, 0.2], {'lr_lambda': ['inv', 'floor3']}, 12),
    ('LinearLR', 'SGD', [0.1], {}, 10),
    ('LinearLR', 'SGD', [0.1, 0.05], {'start_factor': 1.0, 'end_factor': 0.1, 'total_iters': 8}, 12),
    ('LinearLR', 'SGD', [0.1], {'start_factor': 0.25, 'total_iters': 4}, 8),
    ('OneCycleLR', 'SGD', [0.1], {'max_lr': 0.1, 'total_steps': 25}, 25),
    ('OneCycleLR', 'SGD', [0.1], {'max_lr': 0.5, 'total_steps': 20, 'anneal_strategy': 'linear'}, 20),
    ('OneCycleLR', 'SGD', [0.1], {'max_lr': 0.2, 'total_steps': 30, 'three_phase': True}, 30),
    ('OneCycleLR', 'Adam', [0.001], {'max_lr': 0.01, 'epochs': 4, 'steps_per_epoch': 6}, 24),
    ('OneCycleLR', 'SGD', [0.1, 0.1], {'max_lr': [0.1, 0.3], 'total_steps': 16, 'pct_start': 0.25,
                                       'div_factor': 10.0, 'final_div_factor': 100.0,
                                       'base_momentum': [0.8, 0.7], 'max_momentum': 0.9}, 16),
    ('OneCycleLR', 'SGD', [0.1], {'max_lr': 0.1, 'total_steps': 12, 'cycle_momentum': False}, 12),
    ('OneCycleLR', 'Adam', [0.001], {'max_lr': 0.05, 'total_steps': 15, 'three_phase': True,
                                     'anneal_strategy': 'linear', 'pct_start': 0.4}, 15),
]


def build(name, opt, kw):
    kw = dict(kw)
    if name == 'LambdaLR':
        lam = kw['lr_lambda']
        kw['lr_lambda'] = [LAMBDAS[x] for x in lam] if isinstance(lam, list) else LAMBDAS[lam]
    return getattr(S, name)(opt, **kw)


scheds = []
for name, kind, lrs, kw, n in sched_configs:
    opt = make_opt(kind, lrs)
    sched = build(name, opt, kw)
    seq = [snapshot(opt, sched)]
    for _ in range(n):
        opt.step()
        sched.step()
        seq.append(snapshot(opt, sched))
    keys = sorted(k for k in sched.state_dict().keys())
    scheds.append({'name': name, 'opt': kind, 'lrs': lrs, 'kw': kw, 'seq': seq, 'state_keys': keys,
                   'group_keys': sorted(opt.param_groups[0].keys())})
out['schedulers'] = scheds

# ReduceLROnPlateau fed a fixed list of metrics
METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.88, 0.8799, 0.87, 0.9, 0.9,
           0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
plateau_configs = [
    ([0.1], {}),
    ([0.1], {'patience': 2}),
    ([0.1, 0.02], {'patience': 1, 'factor': 0.5, 'cooldown': 2}),
    ([0.1], {'patience': 1, 'threshold_mode': 'abs', 'threshold': 0.02}),
    ([0.1], {'mode': 'max', 'patience': 2}),
    ([0.1], {'mode': 'max', 'patience': 0, 'threshold_mode': 'abs', 'threshold': 0.0, 'factor': 0.5}),
    ([0.1, 0.05], {'patience': 0, 'min_lr': [0.01, 0.04], 'factor': 0.3}),
    ([0.1], {'patience': 0, 'min_lr': 0.002, 'factor': 0.5}),
    ([0.1], {'patience': 0, 'factor': 0.99, 'eps': 1e-3}),
]
plateaus = []
for lrs, kw in plateau_configs:
    opt = make_opt('SGD', lrs)
    sched = S.ReduceLROnPlateau(opt, **kw)
    seq = []
    for m in METRICS:
        opt.step()
        sched.step(m)
        seq.append({'lr': list(sched._last_lr), 'best': sched.best, 'num_bad_epochs': sched.num_bad_epochs,
                    'cooldown_counter': sched.cooldown_counter, 'last_epoch': sched.last_epoch})
    plateaus.append({'lrs': lrs, 'kw': kw, 'seq': seq, 'state_keys': sorted(sched.state_dict().keys())})
out['plateau'] = {'metrics': METRICS, 'runs': plateaus}

# the closed forms behind the deprecated step(epoch)
closed = []
for name, kw in [('StepLR', {'step_size': 3, 'gamma': 0.5}), ('MultiStepLR', {'milestones': [2, 4, 4]}),
                 ('ExponentialLR', {'gamma': 0.8}), ('CosineAnnealingLR', {'T_max': 6, 'eta_min': 0.01}),
                 ('LinearLR', {'start_factor': 0.2, 'total_iters': 4})]:
    opt = make_opt('SGD', [0.1])
    sched = build(name, opt, kw)
    vals = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for e in [3, 7, 1, 5, 4, 0]:
            opt.step()
            sched.step(e)
            vals.append(sched.get_last_lr()[0])
    closed.append({'name': name, 'kw': kw, 'epochs': [3, 7, 1, 5, 4, 0], 'lr': vals})
out['closed_form'] = closed

# resuming with last_epoch: the groups keep initial_lr from the first scheduler
opt = make_opt('SGD', [0.1])
s1 = S.StepLR(opt, step_size=2, gamma=0.5)
for _ in range(5):
    opt.step()
    s1.step()
sd = s1.state_dict()
s2 = S.StepLR(opt, step_size=2, gamma=0.5, last_epoch=s1.last_epoch)
resume = {'lr_after_construct': s2.get_last_lr(), 'last_epoch': s2.last_epoch, 'seq': []}
for _ in range(4):
    opt.step()
    s2.step()
    resume['seq'].append(s2.get_last_lr()[0])
out['resume'] = resume

p = torch.zeros(2, requires_grad=True)
out['scheduler_errors'] = {
    'not_optimizer': err(lambda: S.StepLR({}, 3)),
    'missing_step_size': err(lambda: S.StepLR(optim.SGD([p], lr=0.1))),
    'missing_gamma': err(lambda: S.ExponentialLR(optim.SGD([p], lr=0.1))),
    'unexpected_kw': err(lambda: S.StepLR(optim.SGD([p], lr=0.1), step_size=3, gama=0.5)),
    'no_initial_lr': err(lambda: S.StepLR(optim.SGD([p], lr=0.1), 3, last_epoch=4)),
    'lambda_count': err(lambda: S.LambdaLR(optim.SGD([p], lr=0.1), [LAMBDAS['inv'], LAMBDAS['inv']])),
    'linear_start': err(lambda: S.LinearLR(optim.SGD([p], lr=0.1), start_factor=1.5)),
    'linear_end': err(lambda: S.LinearLR(optim.SGD([p], lr=0.1), end_factor=-0.5)),
    'onecycle_no_steps': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1)),
    'onecycle_total': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1, total_steps=0)),
    'onecycle_epochs': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1, epochs=-2, steps_per_epoch=3)),
    'onecycle_spe': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1, epochs=2, steps_per_epoch=0)),
    'onecycle_pct': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1, total_steps=10, pct_start=1.5)),
    'onecycle_anneal': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), 0.1, total_steps=10, anneal_strategy='exp')),
    'onecycle_momentum': err(lambda: S.OneCycleLR(optim.Adagrad([p], lr=0.1), 0.1, total_steps=10)),
    'onecycle_max_lr_len': err(lambda: S.OneCycleLR(optim.SGD([p], lr=0.1), [0.1, 0.2], total_steps=10)),
    'plateau_factor': err(lambda: S.ReduceLROnPlateau(optim.SGD([p], lr=0.1), factor=1.0)),
    'plateau_mode': err(lambda: S.ReduceLROnPlateau(optim.SGD([p], lr=0.1), mode='avg')),
    'plateau_threshold_mode': err(lambda: S.ReduceLROnPlateau(optim.SGD([p], lr=0.1), threshold_mode='pct')),
    'plateau_min_lrs': err(lambda: S.ReduceLROnPlateau(optim.SGD([p], lr=0.1), min_lr=[0.1, 0.2])),
    'plateau_not_optimizer': err(lambda: S.ReduceLROnPlateau([1, 2])),
}
one = S.OneCycleLR(optim.SGD([p], lr=0.1, momentum=0.9), 0.1, total_steps=3)
for _ in range(3):
    one.step()
out['scheduler_errors']['onecycle_overstep'] = err(lambda: one.step())

sgd = optim.SGD([p], lr=0.1, momentum=0.9)
S.StepLR(sgd, 3)
out['repr_with_scheduler'] = repr(sgd)

with open(os.path.join(HERE, 'optim2.json'), 'w') as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write('\n')
print('wrote optim2.json')
