/**
 * The 'cuda' (WebGPU) device against the CPU backend (`npm run bench:cuda`, or
 * `node --import tsx bench/webgpu.ts`):
 *   - square float32 matmul GFLOP/s, n = 256, 512, 1024 (and 2048, 4096 on a hardware adapter):
 *     a batch of products queued back to back, then torch.cuda.synchronize(); beside it the same
 *     measurement for two JavaScript WebGPU libraries in this process (bench/webgpu_peers.ts):
 *     TensorFlow.js's webgpu backend (tf.matMul, its own kernel choice, flags at their defaults)
 *     and jax-js's webgpu device (jax.numpy.matmul), each given navigator.gpu from the `webgpu`
 *     package on the adapter torchlab uses (Dawn's default one, else llvmpipe through OpenGL ES):
 *     random normal inputs uploaded once, one warm-up, a batch queued back to back and one wait
 *     for the last product (no read-back of the matrix), the batch doubled until a repetition
 *     lasts 0.2 s, median of 5, each peer's product checked against the CPU (n = 64 in full, 64
 *     sampled entries at every size); a peer that cannot run (package missing, no adapter, an
 *     exception, a wrong product, a time-out) prints '-' and a one-line reason;
 *   - log_softmax and cross_entropy, forward and backward, milliseconds per call: a long-row
 *     case ([256, 10000] on a software adapter, [4096, 10000] on hardware) and the MNIST case
 *     ([64, 10]); on cuda with the fused kernels (Backend.softmax, softmaxBackward, nllLoss) and
 *     without them (the composed ops and the host-side target check of before);
 *   - the lecture's MNIST MLP (784-64-64-64-10, Adam lr 0.005, batch 64): training steps per
 *     second with one loss.item() per step, as the lecture's loop does, and with none (the queue
 *     runs ahead; one read at the end), on the first 2,048 images of ../shared/data (random
 *     images if the files are missing); on cuda also without the fused kernels.
 * Software adapters (llvmpipe) count only with TORCHLAB_ALLOW_SOFTWARE_GPU=1, which this script
 * sets unless it is set already. Every figure is the median of several repetitions.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

process.env.TORCHLAB_ALLOW_SOFTWARE_GPU ??= '1';
const { default: torch, F, optim } = await import('../lib/index.js');
const { Net } = await import('./models.js');
const { datasets } = await import('../lib/vision/index.js');
const { connect, webgpuBackend } = await import('../lib/backends/webgpu/client.js');
type Tensor = import('../lib/index.js').Tensor;

const here = dirname(fileURLToPath(import.meta.url));
const REPS = 5;
const MIN_TIME = 0.2;


function sync(device: string): void {
  if (device === 'cuda') torch.cuda.synchronize();
}

/** Seconds per call of `f`, batching calls until a repetition lasts MIN_TIME; median of REPS. */
function timeit(device: string, f: () => unknown): number {
  f();
  sync(device);
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) f();
    sync(device);
    const s = (performance.now() - t0) / 1000;
    if (s >= MIN_TIME || calls >= 1 << 12) break;
    calls *= 2;
  }
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) f();
    sync(device);
    times.push((performance.now() - t0) / 1000 / calls);
  }
  return median(times);
}

function mnist(n: number): [Tensor, Tensor] {
  const root = join(here, '..', '..', 'shared', 'data');
  if (existsSync(join(root, 'mnist', 'train-images-idx3-ubyte.gz'))) {
    const ds = new datasets.MNIST(root, { train: true });
    return [ds.data.get(`0:${n}`).reshape([n, 784]).float().div(255), ds.targets.get(`0:${n}`)];
  }
  torch.manual_seed(0);
  return [torch.rand([n, 784]), torch.randint(0, 10, [n])];
}

/** Training steps per second of the lecture's MLP on `device`. */
function mlpSteps(device: 'cpu' | 'cuda', X: Tensor, y: Tensor, readEachStep: boolean): number {
  torch.manual_seed(0);
  const net = new Net().to(device);
  const opt = new optim.Adam(net.parameters(), { lr: 0.005 });
  const Xd = X.to(device);
  const yd = y.to(device);
  const batches = X.shape[0]! / 64;
  let b = 0;
  let last: Tensor | null = null;
  const step = () => {
    const i = (b++ % batches) * 64;
    opt.zero_grad();
    const loss = F.nll_loss(net(Xd.get(`${i}:${i + 64}`)), yd.get(`${i}:${i + 64}`));
    loss.backward();
    opt.step();
    if (readEachStep) loss.item();
    last = loss;
  };
  const s = timeit(device, step);
  (last as Tensor | null)?.item();
  return 1 / s;
}

const c = connect();
if (!c.dev) {
  console.log(`No WebGPU device: ${c.reason}. Nothing to measure.`);
  process.exit(0);
}
const info = c.dev.info;
console.log(`adapter: ${info.name} (${info.software ? 'software' : 'hardware'}); Node ${process.version}`);

const sizes = [256, 512, 1024, ...(info.software ? [] : [2048, 4096])];
const rows: string[][] = [];

// PyTorch CUDA, where the machine has it: run first, alone on the GPU (bench/torch_cuda.py)
interface TorchCuda {
  device?: string;
  torch?: string;
  matmul?: Record<string, number>;
  matmul_tf32?: Record<string, number>;
  mlp?: { read: number; noread: number };
  error?: string;
}
function torchCuda(): TorchCuda {
  const py = process.env.TORCHLAB_CUDA_PYTHON ?? 'python3';
  const r = spawnSync(py, [join(here, 'torch_cuda.py'), ...sizes.map(String)], { encoding: 'utf8', timeout: 300_000 });
  if (r.error) return { error: `${py}: ${r.error.message}` };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as TorchCuda;
  } catch {
    return { error: `${py} bench/torch_cuda.py printed no result: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
  }
}
const pt = torchCuda();
console.log(pt.error ? `PyTorch CUDA: - (${pt.error})` : `PyTorch CUDA: ${pt.device}, torch ${pt.torch}`);
const ptCell = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));

// the JavaScript WebGPU peers: loaded here so that a missing package or a broken peer module only
// leaves their columns at '-'
type PeersModule = typeof import('./webgpu_peers.js');
let peers: PeersModule | null = null;
try {
  peers = await import('./webgpu_peers.js');
  console.log(`peers' adapter: ${await peers.peerAdapter()}`);
} catch (e) {
  console.log(`peers: - (bench/webgpu_peers.ts did not load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
}
const peerReasons = new Map<string, string>();
/** The figure for the table, printing a failure's reason the first time it differs from before. */
function peerCell(name: string, n: number, r: number | string): string {
  if (typeof r === 'number') return r.toFixed(2);
  if (peerReasons.get(name) !== r) console.log(`  ${name} at n = ${n}: - (${r})`);
  peerReasons.set(name, r);
  return '-';
}
for (const n of sizes) {
  torch.manual_seed(0);
  const a = torch.randn([n, n]);
  const b = torch.randn([n, n]);
  const ag = a.cuda();
  const bg = b.cuda();
  const flop = 2 * n ** 3;
  const tg = timeit('cuda', () => ag.matmul(bg));
  // the CPU side is slow at the largest sizes and measured by `npm run bench`: stop at 1024
  const tc = n <= 1024 ? timeit('cpu', () => a.matmul(b)) : NaN;
  let tfjs = '-';
  let jaxjs = '-';
  if (peers) {
    try {
      const p = await peers.peerMatmul(n);
      tfjs = peerCell('tfjs webgpu', n, p.tfjs);
      jaxjs = peerCell('jax-js webgpu', n, p.jaxjs);
    } catch (e) {
      peerCell('peers', n, e instanceof Error ? e.message.split('\n')[0]! : String(e));
    }
  }
  rows.push([
    `matmul ${n}x${n} float32 (GFLOP/s)`,
    (flop / tg / 1e9).toFixed(2),
    Number.isNaN(tc) ? '-' : (flop / tc / 1e9).toFixed(2),
    tfjs,
    jaxjs,
    ptCell(pt.matmul?.[n]),
    ptCell(pt.matmul_tf32?.[n]),
  ]);
  if (n === sizes[0]) console.log('benchmark | cuda | cpu | tfjs webgpu | jax-js webgpu | PyTorch CUDA | PyTorch CUDA TF32');
  console.log(rows[rows.length - 1]!.join(' | '));
}
// on hardware, each of torchlab's matmul kernels forced in turn (TORCHLAB_WEBGPU_MATMUL): the figures
// behind the default choice in lib/backends/webgpu/client.ts (TORCHLAB_BENCH_KERNELS: a comma-separated
// subset, empty for none)
if (!info.software) {
  const kernels = (process.env.TORCHLAB_BENCH_KERNELS ?? 'vec64,vec128,tiled,direct').split(',').filter((k) => k);
  for (const kernel of kernels) {
    process.env.TORCHLAB_WEBGPU_MATMUL = kernel;
    for (const n of sizes) {
      torch.manual_seed(0);
      const ag = torch.randn([n, n]).cuda();
      const bg = torch.randn([n, n]).cuda();
      rows.push([`  kernel ${kernel}, n = ${n}`, ((2 * n ** 3) / timeit('cuda', () => ag.matmul(bg)) / 1e9).toFixed(2), '-']);
      console.log(rows[rows.length - 1]!.join(' | '));
    }
  }
  delete process.env.TORCHLAB_WEBGPU_MATMUL;
}
try {
  await peers?.closePeers();
} catch {
  // only lets Node exit sooner
}

/** Runs `f` with the backend's fused softmax / nll kernels removed: the composed path of before. */
function composed<T>(f: () => T): T {
  const { softmax, softmaxBackward, nllLoss } = webgpuBackend;
  webgpuBackend.softmax = undefined;
  webgpuBackend.softmaxBackward = undefined;
  webgpuBackend.nllLoss = undefined;
  try {
    return f();
  } finally {
    Object.assign(webgpuBackend, { softmax, softmaxBackward, nllLoss });
  }
}

const push = (r: string[]) => {
  rows.push(r);
  console.log(r.join(' | '));
};
const ms = (s: number) => (s * 1000).toFixed(3);
for (const [n, c] of [info.software ? [256, 10000] : [4096, 10000], [64, 10]] as const) {
  torch.manual_seed(0);
  const x = torch.randn([n, c]);
  const t = torch.randint(0, c, [n]);
  const xg = x.cuda();
  const tg = t.cuda();
  const lsm = (d: string, a: Tensor) => () => {
    const v = a.detach().requires_grad_();
    v.log_softmax(1).backward(torch.ones([n, c], { device: d }));
  };
  const ce = (a: Tensor, b: Tensor) => () => {
    const v = a.detach().requires_grad_();
    F.cross_entropy(v, b).backward();
  };
  push([`log_softmax fwd+bwd [${n}, ${c}] (ms)`, ms(timeit('cuda', lsm('cuda', xg))), ms(timeit('cpu', lsm('cpu', x)))]);
  push([`  cuda composed (without the fused kernels)`, ms(composed(() => timeit('cuda', lsm('cuda', xg)))), '-']);
  push([`cross_entropy fwd+bwd [${n}, ${c}] (ms)`, ms(timeit('cuda', ce(xg, tg))), ms(timeit('cpu', ce(x, t)))]);
  push([`  cuda composed, host target check`, ms(composed(() => timeit('cuda', ce(xg, tg)))), '-']);
}

const [X, y] = mnist(2048);
for (const read of [true, false]) {
  const g = mlpSteps('cuda', X, y, read);
  const cpu = mlpSteps('cpu', X, y, read);
  const p = pt.mlp ? (read ? pt.mlp.read : pt.mlp.noread).toFixed(1) : '-';
  push([`MNIST MLP steps/s, batch 64${read ? ', loss.item() each step' : ', no read per step'}`, g.toFixed(1), cpu.toFixed(1), '-', '-', p]);
  push([`  cuda composed softmax/nll, host target check`, composed(() => mlpSteps('cuda', X, y, read)).toFixed(1), '-']);
}

console.log(
  `\n| benchmark | cuda (${info.name}) | cpu (torchlab default) | tfjs-webgpu | jax-js | PyTorch CUDA${pt.device ? ` (${pt.device})` : ''} | PyTorch CUDA, TF32 |\n|---|---|---|---|---|---|---|`,
);
for (const r of rows) console.log(`| ${[...r, '-', '-', '-', '-'].slice(0, 7).join(' | ')} |`);
