/**
 * Issue 9, "the WebAssembly Adam kernel slows down on denormal moments": one Adam step over the
 * MNIST MLP's 55,050 parameters (784-64-64-10: six float32 tensors) with normal values and with
 * values that make the float32 arithmetic meet denormals (|x| < FLT_MIN = 1.17549435e-38),
 * which x86 cores handle with microcode assists costing on the order of a hundred cycles each.
 *
 *   node --import tsx bench/denormal.ts [--no-torch]      (CASES=normal,normal,... picks and orders cases)
 *
 * Cases (lr 0.005 as in the lecture; the state is built by a few warm-up steps):
 *   normal      gradients ~ N(0, 1e-2²): nothing denormal;
 *   tiny grads  gradients ~ N(0, 1e-20²): d² ≈ 1e-40 is denormal, so v is too (IEEE) or 0 (flushed);
 *   denormal m/v  zero gradients with m ≈ ±1e-39 and v ≈ 1e-40 put back before every timed step,
 *               as after ~800 steps on weights whose inputs stay zero (MNIST's border pixels).
 * Each is timed as the median µs of 101 steps, for the fused WebAssembly kernel (the default
 * path), the op-table JavaScript kernels (`wasmOptimConfig.enabled = false`) and PyTorch 1.13
 * (`/usr/bin/python3`, one thread, `torch.optim.Adam` with its defaults), PyTorch both as it
 * runs by default and under `torch.set_flush_denormal(True)`.
 */

import { spawnSync } from 'node:child_process';
import torch, { optim, type Tensor } from '../lib/index.js';
import { wasmOptimConfig, wasmOptimStats } from '../lib/backends/cpu/wasm/optim.js';
import { median } from './stats.js';

const SHAPES = [[64, 784], [64], [64, 64], [64], [10, 64], [10]];
const REPS = 101;
const WARM = 10;
const LR = 0.005;

type Case = 'normal' | 'tiny grads' | 'denormal m/v';
const CASES: Case[] = (process.env.CASES?.split(',') as Case[] | undefined) ?? ['normal', 'tiny grads', 'denormal m/v'];

/** Median µs of one Adam step in `c`, with the fused kernel on or off. */
function timeCase(c: Case, fused: boolean): number {
  torch.manual_seed(0);
  const ps = SHAPES.map((s) => torch.randn(s).mul(0.05).requires_grad_());
  const scale = c === 'normal' ? 1e-2 : c === 'tiny grads' ? 1e-20 : 0;
  for (const p of ps) p.grad = torch.randn(p.shape).mul(scale);
  const opt = new optim.Adam(ps, { lr: LR });
  wasmOptimConfig.enabled = fused;
  for (let i = 0; i < WARM; i++) opt.step();
  // the denormal state is put back before each step: zero gradients decay it towards 0
  const dm = ps.map((p) => torch.randn(p.shape).mul(1e-39));
  const dv = ps.map((p) => torch.rand(p.shape).mul(1e-40));
  const reset = () => {
    if (c !== 'denormal m/v') return;
    ps.forEach((p, i) => {
      const st = opt.state.get(p)!;
      (st.exp_avg as Tensor).copy_(dm[i]!);
      (st.exp_avg_sq as Tensor).copy_(dv[i]!);
    });
  };
  const before = wasmOptimStats.adam;
  const ts: number[] = [];
  for (let r = 0; r < REPS; r++) {
    reset();
    const t0 = process.hrtime.bigint();
    opt.step();
    ts.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const ran = wasmOptimStats.adam - before;
  if (ran !== (fused ? REPS * ps.length : 0)) throw new Error(`the fused kernel ran ${ran} times`);
  wasmOptimConfig.enabled = true;
  return median(ts);
}

const PY = String.raw`
import sys, time, torch
torch.set_num_threads(1)
SHAPES = [[64, 784], [64], [64, 64], [64], [10, 64], [10]]
def run(case, flush):
    torch.set_flush_denormal(flush)
    torch.manual_seed(0)
    ps = [(torch.randn(s) * 0.05).requires_grad_() for s in SHAPES]
    scale = {'normal': 1e-2, 'tiny grads': 1e-20, 'denormal m/v': 0.0}[case]
    for p in ps:
        p.grad = torch.randn(p.shape) * scale
    opt = torch.optim.Adam(ps, lr=0.005)
    for _ in range(10):
        opt.step()
    dm = [torch.randn(p.shape) * 1e-39 for p in ps]
    dv = [torch.rand(p.shape) * 1e-40 for p in ps]
    ts = []
    for _ in range(101):
        if case == 'denormal m/v':
            for p, m, v in zip(ps, dm, dv):
                opt.state[p]['exp_avg'].copy_(m)
                opt.state[p]['exp_avg_sq'].copy_(v)
        t0 = time.perf_counter()
        opt.step()
        ts.append((time.perf_counter() - t0) * 1e6)
    torch.set_flush_denormal(False)
    return sorted(ts)[len(ts) // 2]
for case in ['normal', 'tiny grads', 'denormal m/v']:
    print('%s\t%.1f\t%.1f' % (case, run(case, False), run(case, True)))
`;

function torchTimes(): Map<string, [number, number]> | null {
  const r = spawnSync('/usr/bin/python3', ['-c', PY], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`PyTorch run failed: ${r.stderr ?? r.error}\n`);
    return null;
  }
  const out = new Map<string, [number, number]>();
  for (const line of r.stdout.trim().split('\n')) {
    const [name, a, b] = line.split('\t');
    out.set(name!, [Number(a), Number(b)]);
  }
  return out;
}

function main(): void {
  const py = process.argv.includes('--no-torch') ? null : torchTimes();
  // a discarded round first: the first case timed would otherwise include the JIT's warm-up
  for (const fused of [true, false]) timeCase('normal', fused);
  console.log('Adam step over 55,050 float32 parameters, median µs of 101 steps');
  console.log(['case', 'wasm fused', 'JS kernels', 'PyTorch', 'PyTorch flush'].map((s) => s.padStart(15)).join(''));
  for (const c of CASES) {
    const w = timeCase(c, true);
    const j = timeCase(c, false);
    const t = py?.get(c);
    const cells = [w, j, t?.[0], t?.[1]].map((x) => (x === undefined ? '-' : x.toFixed(0)).padStart(15));
    console.log(c.padStart(15) + cells.join(''));
  }
}

main();
