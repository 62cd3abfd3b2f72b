/**
 * The CPU backend's fused WebAssembly optimizer updates (lib/backends/cpu/wasm/optim.wat) against
 * the optimizers' op-table kernels (the path they take on other backends and for what the wasm
 * kernels decline): the same step from the same state agrees within float32 ulps of the values
 * involved, over lengths that exercise the SIMD body, the scalar tail and the staging chunks, for
 * parameters that are views with an offset and operands that already lie in wasm memory. Declined
 * operands (float64, non-contiguous gradients) take the op-table path.
 * test/optim_fused.test.ts checks the default path (these kernels) against PyTorch's op-by-op update.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { optim, type Tensor } from '../lib/index.js';
import { ensureMemory, wasmGemm } from '../lib/backends/cpu/wasm/gemm.js';
import { CHUNK, wasmOptimConfig, wasmOptimStats } from '../lib/backends/cpu/wasm/optim.js';

afterEach(() => {
  wasmOptimConfig.enabled = true;
});

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function ulp(x: number): number {
  f32[0] = Math.abs(x);
  const e = (u32[0]! >>> 23) & 0xff;
  return 2 ** (Math.max(e, 1) - 127 - 23);
}

/** |a - b| <= 4·(ulp(b) + Σ ulp(term)) elementwise; NaN only where the other is NaN. */
function expectUlps(a: Tensor, b: Tensor, terms: Tensor[], what: string): void {
  const x = a.detach().numpy();
  const y = b.detach().numpy();
  const ts = terms.map((t) => t.detach().numpy());
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (Number.isNaN(xi) || Number.isNaN(yi)) {
      if (Number.isNaN(xi) !== Number.isNaN(yi)) expect.fail(`${what}: element ${i} is ${xi}, the op-table kernels give ${yi}`);
      continue;
    }
    if (xi === yi) continue;
    let tol = ulp(yi);
    for (const t of ts) tol += ulp(t[i]!);
    if (!(Math.abs(xi - yi) <= 4 * tol)) expect.fail(`${what}: element ${i} is ${xi}, the op-table kernels give ${yi} (tolerance ${4 * tol})`);
  }
}

type Kind = 'Adam' | 'AdamW' | 'SGD';
type Opts = Record<string, number | boolean>;
const make = (kind: Kind, ps: Tensor[], o: Opts) =>
  kind === 'Adam' ? new optim.Adam(ps, o as { lr: number }) : kind === 'AdamW' ? new optim.AdamW(ps, o as { lr: number }) : new optim.SGD(ps, o as { lr: number });
const STATE_KEYS = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'momentum_buffer'];

/**
 * Runs `steps` steps of `kind` on `pa` with the wasm kernels and on a copy with the op-table
 * kernels, both from the same state each step (the copy's state is reset to the wasm side's), and
 * compares parameters and state after every step.
 */
function compareSteps(kind: Kind, o: Opts, pa: Tensor, grads: () => Tensor, steps = 3): void {
  const pb = pa.detach().clone().requires_grad_();
  const oa = make(kind, [pa], o);
  const ob = make(kind, [pb], o);
  for (let step = 1; step <= steps; step++) {
    const g = grads();
    pa.grad = g;
    pb.grad = g.clone();
    const p0 = pa.detach().clone();
    const before = wasmOptimStats.adam + wasmOptimStats.sgd;
    wasmOptimConfig.enabled = true;
    oa.step();
    expect(wasmOptimStats.adam + wasmOptimStats.sgd).toBeGreaterThan(before);
    wasmOptimConfig.enabled = false;
    const off = wasmOptimStats.adam + wasmOptimStats.sgd;
    ob.step();
    expect(wasmOptimStats.adam + wasmOptimStats.sgd).toBe(off);
    wasmOptimConfig.enabled = true;
    const sa = oa.state.get(pa) ?? {};
    const sb = ob.state.get(pb) ?? {};
    const d = g.abs().add(p0.abs().mul((o.weight_decay as number) ?? 0));
    expectUlps(pa, pb, [p0, pb.detach().sub(p0), d.mul(o.lr as number)], `${kind} θ after step ${step}`);
    for (const k of STATE_KEYS) {
      if (!(k in sb)) continue;
      const [ta, tb] = [sa[k] as Tensor, sb[k] as Tensor];
      expectUlps(ta, tb, [d, d.mul(d)], `${kind} ${k} after step ${step}`);
      tb.copy_(ta);
    }
    pb.detach().copy_(pa.detach());
  }
}

const cases: [Kind, Opts][] = [
  ['Adam', { lr: 0.01 }],
  ['Adam', { lr: 0.01, weight_decay: 0.05, maximize: true, amsgrad: true }],
  ['AdamW', { lr: 0.01, weight_decay: 0.1 }],
  ['SGD', { lr: 0.1 }],
  ['SGD', { lr: 0.1, weight_decay: 0.01, maximize: true }],
  ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.2 }],
  ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.02 }],
];

describe('fused WebAssembly optimizer updates (CPU)', () => {
  it('the module is built and loads', () => {
    expect(wasmGemm()).not.toBeNull();
    const before = wasmOptimStats.adam;
    const p = torch.ones(5).requires_grad_();
    p.grad = torch.ones(5);
    new optim.Adam([p]).step();
    expect(wasmOptimStats.adam).toBe(before + 1);
  });

  // 1..3: only the scalar tail; 4k+r: SIMD body and tail; CHUNK ± r: one and two staging chunks
  const lengths = [1, 3, 4, 7, 64, 1001, CHUNK, CHUNK + 5, 2 * CHUNK + 3];
  it.each(cases)('%s %o agrees with the op-table kernels, all lengths', (kind, o) => {
    torch.manual_seed(3);
    for (const n of lengths) {
      const p = torch.randn(n).requires_grad_();
      let step = 0;
      compareSteps(kind, o, p, () => torch.randn(n).mul(++step === 2 ? 1e-3 : 1));
    }
  });

  it.each(cases)('%s %o on a parameter that is a view with a storage offset', (kind, o) => {
    torch.manual_seed(4);
    const base = torch.randn(40);
    const p = base.narrow(0, 5, 30).view(5, 6).requires_grad_();
    const outside = [base.narrow(0, 0, 5).clone(), base.narrow(0, 35, 5).clone()];
    compareSteps(kind, o, p, () => torch.randn(5, 6));
    // the elements around the view are not written
    expect(base.narrow(0, 0, 5).equal(outside[0]!)).toBe(true);
    expect(base.narrow(0, 35, 5).equal(outside[1]!)).toBe(true);
  });

  it('uses operands that lie in wasm memory in place, with the same results as staged copies', () => {
    const e = wasmGemm()!;
    const n = 1003;
    // far above the staging area the kernels use
    const at = e.dataStart + (8 << 20);
    expect(ensureMemory(e, at + 4 * n * 4)).toBe(true);
    const inMemory = (k: number) => new Float32Array(e.heap.buffer, at + k * n * 4, n);
    torch.manual_seed(5);
    const p0 = torch.randn(n);
    const g = torch.randn(n);
    const pa = torch.from_numpy(inMemory(0)).copy_(p0).requires_grad_();
    pa.grad = torch.from_numpy(inMemory(1)).copy_(g);
    const pb = p0.clone().requires_grad_();
    pb.grad = g.clone();
    const oa = new optim.Adam([pa], { lr: 0.01, amsgrad: true });
    const ob = new optim.Adam([pb], { lr: 0.01, amsgrad: true });
    oa.step();
    ob.step();
    // the state moved into wasm memory too: the next step runs every operand in place
    for (const [k, key] of [[2, 'exp_avg'], [3, 'exp_avg_sq']] as const) {
      const t = oa.state.get(pa)![key] as Tensor;
      oa.state.get(pa)![key] = torch.from_numpy(inMemory(k)).copy_(t);
    }
    const scratch = e.heap.subarray(e.dataStart / 4, e.dataStart / 4 + 5 * n);
    scratch.fill(-7);
    oa.step();
    // only max_exp_avg_sq was staged: the scratch area beyond its first n floats is untouched
    expect(scratch.subarray(0, n).every((x) => x === -7)).toBe(false);
    expect(scratch.subarray(n).every((x) => x === -7)).toBe(true);
    ob.step();
    expect(pa.detach().equal(pb.detach())).toBe(true);
    expect((oa.state.get(pa)!.exp_avg as Tensor).equal(ob.state.get(pb)!.exp_avg as Tensor)).toBe(true);
    expect((oa.state.get(pa)!.exp_avg_sq as Tensor).equal(ob.state.get(pb)!.exp_avg_sq as Tensor)).toBe(true);
  });

  it('declines float64 parameters and non-contiguous gradients (the op-table kernels run)', () => {
    torch.manual_seed(6);
    const p64 = torch.randn(8, dtype64()).requires_grad_();
    p64.grad = torch.randn(8, dtype64());
    const before = wasmOptimStats.adam;
    const ref = p64.detach().clone();
    new optim.Adam([p64], { lr: 0.1 }).step();
    expect(wasmOptimStats.adam).toBe(before);
    expect(p64.dtype).toBe(torch.float64);
    expect(p64.detach().sub(ref).abs().max().item()).toBeGreaterThan(0);

    const p = torch.randn(6, 4).requires_grad_();
    const q = p.detach().clone().requires_grad_();
    const g = torch.randn(4, 6);
    p.grad = g.t();
    q.grad = g.t().contiguous();
    expect(p.grad.is_contiguous()).toBe(false);
    const n0 = wasmOptimStats.sgd;
    const op = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    op.step();
    expect(wasmOptimStats.sgd).toBe(n0);
    const oq = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    oq.step();
    expect(wasmOptimStats.sgd).toBe(n0 + 1);
    expectUlps(p, q, [p.detach(), g.t().mul(0.1)], 'SGD θ with a transposed gradient');
  });

  it('NaN and infinity propagate as on the op-table path', () => {
    for (const kind of ['Adam', 'SGD'] as const) {
      const vals = [NaN, Infinity, -Infinity, 1, -2, 0, 3, 4, 5];
      const o: Opts = kind === 'Adam' ? { lr: 0.1 } : { lr: 0.1, momentum: 0.5 };
      const p = torch.tensor(vals).requires_grad_();
      const g = () => torch.tensor([1, 1, 1, NaN, Infinity, -Infinity, 0, 1e-30, 2]);
      compareSteps(kind, o, p, g, 2);
    }
  });

  it('bumps the version counters of what it writes (autograd sees the in-place update)', () => {
    const p = torch.randn(16).requires_grad_();
    const y = p.pow(2).sum();
    p.grad = torch.randn(16);
    const before = wasmOptimStats.adam;
    new optim.Adam([p], { lr: 0.1 }).step();
    expect(wasmOptimStats.adam).toBe(before + 1);
    expect(() => y.backward()).toThrow(/modified by an inplace operation/);
  });
});

function dtype64() {
  return { dtype: torch.float64 };
}
