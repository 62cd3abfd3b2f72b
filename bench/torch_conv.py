"""PyTorch side of bench/conv.ts: LeNet-5 layer by layer and one training step, on one thread.

Run by bench/conv.ts as `OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_conv.py '<config json>'`;
prints {name: {fwd, both}} in seconds (medians), `both` being forward + backward.
"""
import json, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_stats import timed as timed_for
from torch_models import LeNet

torch.set_num_threads(1)
cfg = json.loads(sys.argv[1])
B, REPS = cfg['batch'], cfg['reps']
only = set(cfg['only'])


def timed(fn):
    return timed_for(fn, cfg['min_time'])


def med(fn):
    return statistics.median(timed(fn) for _ in range(REPS))


torch.manual_seed(0)
conv1 = nn.Conv2d(1, 6, 5, padding=2)
conv2 = nn.Conv2d(6, 16, 5)
fc1, fc2, fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)
leaf = lambda *s: torch.randn(*s).requires_grad_()
img = torch.randn(B, 1, 28, 28)
a1, r1, p1 = leaf(B, 6, 28, 28), leaf(B, 6, 28, 28), leaf(B, 6, 14, 14)
a2, r2, f0, f1, f2, logits = leaf(B, 16, 10, 10), leaf(B, 16, 10, 10), leaf(B, 400), leaf(B, 120), leaf(B, 84), leaf(B, 10)
target = torch.randint(0, 10, (B,))
layers = [
    ('conv1', lambda: conv1(img), list(conv1.parameters())),
    ('relu1', lambda: F.relu(a1), [a1]),
    ('pool1', lambda: F.max_pool2d(r1, 2), [r1]),
    ('conv2', lambda: conv2(p1), [p1, *conv2.parameters()]),
    ('relu2', lambda: F.relu(a2), [a2]),
    ('pool2', lambda: F.max_pool2d(r2, 2), [r2]),
    ('fc1', lambda: F.relu(fc1(torch.flatten(f0, 1))), [f0, *fc1.parameters()]),
    ('fc2', lambda: F.relu(fc2(f1)), [f1, *fc2.parameters()]),
    ('fc3', lambda: fc3(f2), [f2, *fc3.parameters()]),
    ('loss', lambda: F.cross_entropy(logits, target), [logits]),
]

out = {}
for name, fwd, params in layers:
    if only and name not in only:
        continue
    with torch.no_grad():
        shape = fwd().shape
    g = torch.randn(shape) if len(shape) else torch.ones(())

    def both():
        torch.autograd.grad(fwd(), params, g)

    out[name] = {'fwd': med(fwd), 'both': med(both)}


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(self.dropout(torch.flatten(x, 1)))


for key, Model in (('step', LeNet), ('cnn03', CNN)):
    if only and key not in only:
        continue
    net = Model()
    if key == 'step':
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=0.003)
    x = torch.rand(B, 1, 28, 28)
    y = torch.randint(0, 10, (B,))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    out[key] = {'fwd': None, 'both': med(step)}
print(json.dumps(out))
