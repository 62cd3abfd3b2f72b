"""PyTorch side of bench/run.ts: the same workloads on `threads` threads, timings as JSON on stdout.

Run by bench/run.ts as `OPENBLAS_NUM_THREADS=N /usr/bin/python3 bench/torch_bench.py '<config json>'`,
once with N = 1 and once with all cores; the config carries the sizes, repetitions, thread count
and the linear-regression data, so both sides see the same inputs. torch.set_num_threads(1) alone
would leave OpenBLAS on two threads. With `"parts": ["train"]` only the training workloads run:
bench/run.ts times PyTorch's one-thread epochs that way, a process per repetition between its own.
"""
import gzip, json, os, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_stats import timed as timed_for
from torch_models import LeNet, Net

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg.get('threads', 1))
REPS, STEPS, LR = cfg['reps'], cfg['steps'], cfg['lr']


def timed(fn):
    return timed_for(fn, cfg['min_time'])


out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'matmul': {}}
PARTS = cfg.get('parts', ['matmul', 'linreg', 'ops', 'train'])

g = torch.Generator().manual_seed(0)
for n in (cfg['sizes'] if 'matmul' in PARTS else []):
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    out['matmul'][str(n)] = [timed(lambda: torch.matmul(a, b)) for _ in range(REPS)]

x = torch.tensor(cfg['x'], dtype=torch.float32)
y = torch.tensor(cfg['y'], dtype=torch.float32)


def linreg(phases=None):
    a = torch.tensor([cfg['a0']], dtype=torch.float32).requires_grad_()
    b = torch.tensor([cfg['b0']], dtype=torch.float32).requires_grad_()
    clock = time.perf_counter
    for _ in range(STEPS):
        t0 = clock() if phases else 0
        loss = ((a + b * x - y) ** 2).mean()
        t1 = clock() if phases else 0
        loss.backward()
        t2 = clock() if phases else 0
        with torch.no_grad():
            a -= LR * a.grad
            b -= LR * b.grad
        t3 = clock() if phases else 0
        a.grad.zero_()
        b.grad.zero_()
        if phases:
            t4 = clock()
            phases['forward'] += t1 - t0
            phases['backward'] += t2 - t1
            phases['update'] += t3 - t2
            phases['zero'] += t4 - t3
    return a.item(), b.item()


if 'linreg' in PARTS:
    linreg()
    samples = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        ab = linreg()
        samples.append(time.perf_counter() - t0)
    runs = []
    for _ in range(REPS):
        p = {'forward': 0.0, 'backward': 0.0, 'update': 0.0, 'zero': 0.0}
        linreg(p)
        runs.append(p)
    phases = {k: statistics.median(r[k] for r in runs) / STEPS for k in runs[0]}
    out['linreg'] = {'samples': samples, 'a': ab[0], 'b': ab[1], 'phases': phases}

w = torch.tensor([cfg['b0']], dtype=torch.float32).requires_grad_()
c = torch.tensor([cfg['a0']], dtype=torch.float32)
ops = {
    'x.mul(c), 100 elements, no graph': lambda: x.mul(c),
    'x.mul(w), records a node': lambda: x.mul(w),
    'x.sum()': lambda: x.sum(),
    'forward+backward of x.mul(w).sum()': lambda: x.mul(w).sum().backward(),
}
if 'ops' in PARTS:
    out['ops'] = {k: statistics.median(timed(f) for _ in range(REPS)) for k, f in ops.items()}


def idx(path, header):
    with gzip.open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(name):
    root = os.path.join(cfg['data'], name)
    images = idx(os.path.join(root, 'train-images-idx3-ubyte.gz'), 16).reshape(-1, 28, 28)
    labels = idx(os.path.join(root, 'train-labels-idx1-ubyte.gz'), 8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


train = cfg['train'] if 'train' in PARTS else []
sets = {name: load(name) for name in {w['data'] for w in train}}
out['train'] = {}
for w in train:
    images, targets = sets[w['data']]
    X = images.float() / 255
    X = X.view(-1, 784) if w['model'] == 'mlp' else X.unsqueeze(1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, targets), batch_size=w['batch'], shuffle=True)
    result = {}

    def epoch():
        torch.manual_seed(0)
        net = Net() if w['model'] == 'mlp' else LeNet()
        criterion = nn.CrossEntropyLoss()
        if w['model'] == 'mlp':
            optimizer = torch.optim.Adam(net.parameters(), lr=0.005)
        else:
            optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        t0 = time.perf_counter()
        for i, (x, y) in enumerate(loader):
            optimizer.zero_grad()
            loss = criterion(net(x), y)
            loss.backward()
            optimizer.step()
            if i + 1 == w['batches']:
                result['loss'] = loss.item()
                break
        return (time.perf_counter() - t0) * (cfg['train_size'] / w['batch'] / w['batches'])

    epoch()
    samples = [epoch() for _ in range(w['reps'])]
    out['train'][w['key']] = {'samples': samples, 'loss': result['loss']}
print(json.dumps(out))
