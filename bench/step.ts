/**
 * One training step of the lecture's MNIST MLP, phase by phase (issue 9):
 *
 *   node --import tsx --import ./bench/dist.mjs bench/step.ts [epochs=5] [--batch=10] [--torch]
 *   (on the built package, as `npm run bench`; without `--import ./bench/dist.mjs`, on the sources)
 *   node --cpu-prof --import tsx bench/step.ts      # a profile of the same loop
 *
 * As `bench/run.ts` trains it: the real MNIST training images (pixels / 255) in a TensorDataset,
 * a shuffling DataLoader with batch_size 10 (or `--batch`), Net (784-64-64-64-10, ReLU, log_softmax),
 * CrossEntropyLoss, Adam lr 0.005. Each step is split into data (the loader's next batch),
 * zero_grad, forward, loss, backward and step; the table gives the median µs of each phase over
 * the timed steps (after a warm-up), and per step the backend kernel calls, the new storages
 * (tensor buffers) and the graph nodes recorded. `--torch` runs the same split in PyTorch
 * (`/usr/bin/python3`, one thread) for comparison.
 */

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuBackend } from '../lib/backends/cpu/index.js';
import torch, { DataLoader, nn, optim, type Tensor } from '../lib/index.js';
import type { Node } from '../lib/autograd/node.js';
import { datasets } from '../lib/vision/index.js';
import { ensureMallocTunables } from './malloc.js';
import { Net } from './models.js';
import { median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.TORCHLAB_DATA ?? join(here, '..', '..', 'shared', 'data');
const args = process.argv.slice(2);
const EPOCHS = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const TRAIN_SIZE = 60000;
const BATCH = Number(args.find((a) => a.startsWith('--batch='))?.slice('--batch='.length) ?? 10);
// as bench/run.ts: about 6,000 images per timed epoch at batch 10, 19,200 at batch 64
const STEPS = BATCH >= 64 ? 300 : 600;
const PHASES = ['data', 'zero_grad', 'forward', 'loss', 'backward', 'step'] as const;
type Phase = (typeof PHASES)[number];

// ---- counters: every backend entry point, and the storages it allocates ----

let phase: Phase = 'data';
const calls: Record<Phase, Map<string, number>> = Object.fromEntries(PHASES.map((p) => [p, new Map()])) as Record<Phase, Map<string, number>>;
const storages: Record<Phase, { n: number; bytes: number }> = Object.fromEntries(PHASES.map((p) => [p, { n: 0, bytes: 0 }])) as Record<Phase, { n: number; bytes: number }>;
let counting = false;
const backend = cpuBackend as unknown as Record<string, unknown>;
const fused = backend['fusedOptim'] as Record<string, unknown> | undefined;
const originals: [Record<string, unknown>, string, unknown][] = [];

/** Wraps every backend entry point (and the fused optimizer kernels) with a counter, for one step. */
function startCounting(): void {
  counting = true;
  const wrap = (obj: Record<string, unknown>, prefix: string) => {
    for (const [name, fn] of Object.entries(obj)) {
      if (typeof fn !== 'function') continue;
      const f = fn as (...a: unknown[]) => unknown;
      originals.push([obj, name, fn]);
      obj[name] = function (this: unknown, ...a: unknown[]) {
        const m = calls[phase];
        m.set(prefix + name, (m.get(prefix + name) ?? 0) + 1);
        if (name === 'alloc' || name === 'fromArray') {
          storages[phase].n++;
          storages[phase].bytes += name === 'alloc' ? (a[1] as number) * (a[0] as { itemsize: number }).itemsize : (a[1] as ArrayBufferView).byteLength;
        }
        return f.apply(this, a);
      };
    }
  };
  wrap(backend, '');
  if (fused) wrap(fused, 'fused.');
}

function stopCounting(): void {
  counting = false;
  for (const [obj, name, fn] of originals) obj[name] = fn;
  originals.length = 0;
}

function countNodes(root: Tensor): number {
  const seen = new Set<Node>();
  const stack: Node[] = root.grad_fn ? [root.grad_fn] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const e of n.edges) if (e) stack.push(e.node);
  }
  return seen.size;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function main(): void {
  const ds = new datasets.MNIST(DATA, { train: true });
  const X = ds.data.float().div(255).view(-1, 784);
  const loader = new DataLoader(new torch.utils.data.TensorDataset(X, ds.targets), { batch_size: BATCH, shuffle: true });
  const times: Record<Phase, number[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>;
  const totals: number[] = [];
  const epochs: number[] = [];
  const cpu: number[] = [];
  let nodes = 0;
  let loss = NaN;
  for (let e = 0; e <= EPOCHS; e++) {
    // as bench/run.ts: each epoch from manual_seed(0) with a fresh model; epoch 0 warms up
    const timed = e > 0;
    torch.manual_seed(0);
    const net = new Net();
    const criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.Adam(net.parameters(), { lr: 0.005 });
    const it = loader[Symbol.iterator]();
    const c0 = process.cpuUsage();
    const e0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      if (e === 0 && s === STEPS >> 1) startCounting();
      const t0 = performance.now();
      phase = 'data';
      const [x, y] = it.next().value as [Tensor, Tensor];
      const t1 = performance.now();
      phase = 'zero_grad';
      optimizer.zero_grad();
      const t2 = performance.now();
      phase = 'forward';
      const out = net(x);
      const t3 = performance.now();
      phase = 'loss';
      const l = criterion(out, y);
      const t4 = performance.now();
      if (counting) nodes = countNodes(l);
      const t4b = performance.now();
      phase = 'backward';
      l.backward();
      const t5 = performance.now();
      phase = 'step';
      optimizer.step();
      const t6 = performance.now();
      if (counting) stopCounting();
      if (timed) {
        times.data.push(t1 - t0);
        times.zero_grad.push(t2 - t1);
        times.forward.push(t3 - t2);
        times.loss.push(t4 - t3);
        times.backward.push(t5 - t4b);
        times.step.push(t6 - t5);
        totals.push(t6 - t0 - (t4b - t4));
      }
      if (s === STEPS - 1) loss = l.item();
    }
    if (timed) {
      epochs.push(((performance.now() - e0) / 1000) * (TRAIN_SIZE / BATCH / STEPS));
      const c = process.cpuUsage(c0);
      cpu.push(((c.user + c.system) / 1e6) * (TRAIN_SIZE / BATCH / STEPS));
    }
  }

  const rows: string[][] = [['phase', 'median µs', 'mean µs', 'kernel calls', 'new storages (KiB)']];
  let sumMed = 0;
  let sumMean = 0;
  let sumCalls = 0;
  let sumStor = 0;
  let sumBytes = 0;
  for (const p of PHASES) {
    const med = median(times[p]) * 1000;
    sumMed += med;
    const avg = mean(times[p]) * 1000;
    sumMean += avg;
    let n = 0;
    for (const [k, v] of calls[p]) if (k !== 'alloc' && k !== 'fromArray') n += v;
    sumCalls += n;
    sumStor += storages[p].n;
    sumBytes += storages[p].bytes;
    rows.push([p, med.toFixed(1), avg.toFixed(1), String(n), `${storages[p].n} (${(storages[p].bytes / 1024).toFixed(1)})`]);
  }
  rows.push(['sum', sumMed.toFixed(1), sumMean.toFixed(1), String(sumCalls), `${sumStor} (${(sumBytes / 1024).toFixed(1)})`]);
  rows.push(['whole step', (median(totals) * 1000).toFixed(1), (mean(totals) * 1000).toFixed(1), '', '']);
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`;
  console.log(`torchlab, MNIST MLP step at batch ${BATCH}: ${EPOCHS} x ${STEPS} steps after a warm-up epoch; loss ${loss.toFixed(4)}`);
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(`graph nodes per step: ${nodes}`);
  console.log(`epoch (first ${STEPS} batches, scaled), median of ${EPOCHS}: ${median(epochs).toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU`);
  for (const p of PHASES) {
    const list = [...calls[p]].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`  ${p}: ${list || '-'}`);
  }
  if (args.includes('--torch')) torchSplit();
}

/** The same split in PyTorch, one thread. */
function torchSplit(): void {
  const py = `
import sys, gzip, time, statistics, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
root, steps, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def idx(name, skip):
    with gzip.open(f'{root}/mnist/{name}', 'rb') as f: return bytearray(f.read()[skip:])
X = torch.frombuffer(idx('train-images-idx3-ubyte.gz', 16), dtype=torch.uint8).view(-1, 784).float() / 255
Y = torch.frombuffer(idx('train-labels-idx1-ubyte.gz', 8), dtype=torch.uint8).long()
class Net(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(784, 64); s.fc2 = nn.Linear(64, 64); s.fc3 = nn.Linear(64, 64); s.fc4 = nn.Linear(64, 10)
    def forward(s, x):
        x = F.relu(s.fc1(x)); x = F.relu(s.fc2(x)); x = F.relu(s.fc3(x)); return F.log_softmax(s.fc4(x), dim=1)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=batch, shuffle=True)
ph = {k: [] for k in ['data', 'zero_grad', 'forward', 'loss', 'backward', 'step']}; tot = []; ep = []; cpu = []
for e in range(epochs + 1):
    torch.manual_seed(0)
    net = Net(); crit = nn.CrossEntropyLoss(); opt = torch.optim.Adam(net.parameters(), lr=0.005)
    it = iter(loader); c0 = time.process_time(); e0 = time.perf_counter()
    for s in range(steps):
        t0 = time.perf_counter(); x, y = next(it)
        t1 = time.perf_counter(); opt.zero_grad()
        t2 = time.perf_counter(); out = net(x)
        t3 = time.perf_counter(); l = crit(out, y)
        t4 = time.perf_counter(); l.backward()
        t5 = time.perf_counter(); opt.step()
        t6 = time.perf_counter()
        if e > 0:
            for k, a, b in [('data', t0, t1), ('zero_grad', t1, t2), ('forward', t2, t3), ('loss', t3, t4), ('backward', t4, t5), ('step', t5, t6)]: ph[k].append(b - a)
            tot.append(t6 - t0)
    if e > 0:
        scale = 60000 / batch / steps; ep.append((time.perf_counter() - e0) * scale); cpu.append((time.process_time() - c0) * scale)
print(f'PyTorch {torch.__version__}, 1 thread, loss {l.item():.4f}')
s = s2 = 0
print('| phase      | median µs | mean µs |')
print('|------------|-----------|---------|')
for k, v in ph.items():
    m = statistics.median(v) * 1e6; a = statistics.mean(v) * 1e6; s += m; s2 += a; print(f'| {k:<10} | {m:9.1f} | {a:7.1f} |')
print(f'| {"sum":<10} | {s:9.1f} | {s2:7.1f} |')
print(f'| {"whole step":<10} | {statistics.median(tot) * 1e6:9.1f} | {statistics.mean(tot) * 1e6:7.1f} |')
print(f'epoch (first {steps} batches, scaled), median of {epochs}: {statistics.median(ep):.2f} s wall, {statistics.median(cpu):.2f} s CPU')
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, DATA, String(STEPS), String(EPOCHS), String(BATCH)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) process.stderr.write(r.stderr);
}

ensureMallocTunables();
main();
