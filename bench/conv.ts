/**
 * LeNet-5 layer by layer, torchlab against PyTorch (`node --import tsx --import ./bench/dist.mjs
 * bench/conv.ts [--no-torch] [name...]`, on the built package; `npx tsx bench/conv.ts` on the sources):
 * forward, and forward + backward, of each layer of LeNet-5 at batch 64 (conv 1->6 k5 pad 2, relu,
 * max_pool2d 2, conv 6->16 k5, relu, max_pool2d 2, fc 400-120-84-10, cross entropy), then one whole
 * training step (zero_grad, forward, loss, backward, SGD with momentum), and one training step of
 * notebook 03's CNN (conv 3x3, batch norm, relu, pooling, twice; dropout; fc; Adam). Each layer sees the input
 * it sees in the network; every input but the image batch requires grad, as it does there.
 * Backward is timed as torch.autograd.grad of the layer's inputs and parameters (in PyTorch too).
 * PyTorch runs the same in bench/torch_conv.py on one thread. Figures are medians of REPS samples,
 * each sample batching calls until it lasts MIN_TIME.
 * Names given on the command line select rows (e.g. `conv1 pool1 step`).
 */

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import torch, { F, nn, optim, type Tensor } from '../lib/index.js';
import { ensureMallocTunables } from './malloc.js';
import { LeNet } from './models.js';
import { median, timed } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 64;
const REPS = Number(process.env.REPS ?? 7);
const MIN_TIME = 0.1;

/** One row: a forward on prepared inputs, and the parameters whose grads backward fills. */
interface Layer {
  name: string;
  label: string;
  forward: () => Tensor;
  params: Tensor[];
}

const rand = (...shape: number[]): Tensor => torch.randn(shape);
const leaf = (...shape: number[]): Tensor => torch.randn(shape).requires_grad_(true);

function layers(): Layer[] {
  torch.manual_seed(0);
  const conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  const conv2 = new nn.Conv2d(6, 16, 5);
  const fc1 = new nn.Linear(400, 120);
  const fc2 = new nn.Linear(120, 84);
  const fc3 = new nn.Linear(84, 10);
  const img = rand(BATCH, 1, 28, 28);
  const a1 = leaf(BATCH, 6, 28, 28);
  const r1 = leaf(BATCH, 6, 28, 28);
  const p1 = leaf(BATCH, 6, 14, 14);
  const a2 = leaf(BATCH, 16, 10, 10);
  const r2 = leaf(BATCH, 16, 10, 10);
  const f0 = leaf(BATCH, 400);
  const f1 = leaf(BATCH, 120);
  const f2 = leaf(BATCH, 84);
  const logits = leaf(BATCH, 10);
  const target = torch.randint(0, 10, [BATCH]);
  return [
    { name: 'conv1', label: 'conv1 1->6 k5 pad 2, 28x28', forward: () => conv1.forward(img), params: [...conv1.parameters()] },
    { name: 'relu1', label: 'relu [64, 6, 28, 28]', forward: () => F.relu(a1), params: [a1] },
    { name: 'pool1', label: 'max_pool2d 2, [64, 6, 28, 28]', forward: () => F.max_pool2d(r1, 2), params: [r1] },
    { name: 'conv2', label: 'conv2 6->16 k5, 14x14', forward: () => conv2.forward(p1), params: [p1, ...conv2.parameters()] },
    { name: 'relu2', label: 'relu [64, 16, 10, 10]', forward: () => F.relu(a2), params: [a2] },
    { name: 'pool2', label: 'max_pool2d 2, [64, 16, 10, 10]', forward: () => F.max_pool2d(r2, 2), params: [r2] },
    { name: 'fc1', label: 'flatten + fc1 400->120 + relu', forward: () => F.relu(fc1.forward(torch.flatten(f0, 1))), params: [f0, ...fc1.parameters()] },
    { name: 'fc2', label: 'fc2 120->84 + relu', forward: () => F.relu(fc2.forward(f1)), params: [f1, ...fc2.parameters()] },
    { name: 'fc3', label: 'fc3 84->10', forward: () => fc3.forward(f2), params: [f2, ...fc3.parameters()] },
    { name: 'loss', label: 'cross_entropy', forward: () => F.cross_entropy(logits, target), params: [logits] },
  ];
}

/** Notebook 03's CNN: two blocks of conv 3x3, batch norm, relu, max pooling; dropout; fc. */
class CNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 8, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(8);
  conv2 = new nn.Conv2d(8, 16, 3, { padding: 1 });
  bn2 = new nn.BatchNorm2d(16);
  dropout = new nn.Dropout(0.25);
  fc = new nn.Linear(16 * 7 * 7, 10);
  override forward(x: Tensor): Tensor {
    x = F.max_pool2d(F.relu(this.bn1.forward(this.conv1.forward(x))), 2);
    x = F.max_pool2d(F.relu(this.bn2.forward(this.conv2.forward(x))), 2);
    return this.fc.forward(this.dropout.forward(torch.flatten(x, 1)));
  }
}

/** One training step on a fixed random batch, as a closure: LeNet with SGD, or notebook 03's CNN with Adam. */
function trainStep(model: 'lenet' | 'cnn'): () => void {
  torch.manual_seed(0);
  const net = model === 'lenet' ? new LeNet() : new CNN();
  const opt = model === 'lenet' ? new optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 }) : new optim.Adam(net.parameters(), { lr: 0.003 });
  const x = torch.rand([BATCH, 1, 28, 28]);
  const y = torch.randint(0, 10, [BATCH]);
  return () => {
    opt.zero_grad();
    F.cross_entropy(net.forward(x), y).backward();
    opt.step();
  };
}

/** Seconds; PyTorch's step has fwd null (no forward-only figure). */
type Row = { fwd: number; both: number };
type TorchRow = { fwd: number | null; both: number };

function runTorchlab(only: Set<string>): Record<string, Row> {
  const out: Record<string, Row> = {};
  for (const l of layers()) {
    if (only.size && !only.has(l.name)) continue;
    const grad = torch.no_grad(() => l.forward()).detach();
    const g = grad.dim() === 0 ? torch.ones([]) : torch.randn([...grad.shape]);
    const fwd = median(Array.from({ length: REPS }, () => timed(() => void l.forward(), MIN_TIME)));
    // autograd.grad, as accumulating into a leaf's .grad copies the gradient (PyTorch's steals it)
    const both = median(Array.from({ length: REPS }, () => timed(() => void torch.autograd.grad([l.forward()], l.params, { grad_outputs: [g] }), MIN_TIME)));
    out[l.name] = { fwd, both };
  }
  for (const [key, model] of [['step', 'lenet'], ['cnn03', 'cnn']] as const) {
    if (only.size && !only.has(key)) continue;
    const step = trainStep(model);
    out[key] = { fwd: NaN, both: median(Array.from({ length: REPS }, () => timed(step, MIN_TIME))) };
  }
  return out;
}

function runTorch(only: Set<string>): Record<string, TorchRow> {
  const cfg = { batch: BATCH, reps: REPS, min_time: MIN_TIME, only: [...only] };
  const r = spawnSync('/usr/bin/python3', [join(here, 'torch_conv.py'), JSON.stringify(cfg)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench/torch_conv.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, TorchRow>;
}

function main(): void {
  const args = process.argv.slice(2);
  const noTorch = args.includes('--no-torch');
  const only = new Set(args.filter((a) => !a.startsWith('--')));
  const tl = runTorchlab(only);
  const pt = noTorch ? null : runTorch(only);
  const labels: Record<string, string> = Object.fromEntries(layers().map((l) => [l.name, l.label]));
  labels.step = `LeNet training step (SGD momentum), batch ${BATCH}`;
  labels.cnn03 = `notebook 03 CNN training step (Adam), batch ${BATCH}`;
  const ms = (s: number | null): string => (s === null || Number.isNaN(s) ? '' : (s * 1e3).toFixed(3));
  const ratio = (a: number, b: number | null | undefined): string => (b === undefined || b === null || Number.isNaN(a) ? '' : (a / b).toFixed(2));
  const rows: string[][] = [['layer (batch 64)', 'fwd ms', 'fwd+bwd ms', 'PyTorch fwd', 'PyTorch fwd+bwd', 'ratio fwd', 'ratio fwd+bwd']];
  let sumT = 0;
  let sumP = 0;
  for (const [k, v] of Object.entries(tl)) {
    const p = pt?.[k];
    if (k !== 'step' && k !== 'cnn03') {
      sumT += v.both;
      sumP += p?.both ?? 0;
    }
    rows.push([`${k}: ${labels[k]}`, ms(v.fwd), ms(v.both), p ? ms(p.fwd) : '', p ? ms(p.both) : '', ratio(v.fwd, p?.fwd), ratio(v.both, p?.both)]);
  }
  if (!only.size) rows.splice(rows.length - 2, 0, ['sum of the layers', '', ms(sumT), '', pt ? ms(sumP) : '', '', pt ? ratio(sumT, sumP) : '']);
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(`medians of ${REPS}; node ${process.version}${pt ? '; PyTorch on one thread' : ''}`);
}

ensureMallocTunables();
main();
