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
import { CHUNK, productThreshold, squareThreshold, wasmOptimConfig, wasmOptimStats } from '../lib/backends/cpu/wasm/optim.js';
import { residentFree } from '../lib/backends/cpu/wasm/resident.js';
import { cpuDonateConfig } from '../lib/backends/cpu/index.js';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ulp } from './helpers/ulp.js';

/** The buffer under a CPU tensor's typed array. */
const inStorageArray = (t: Tensor): ArrayBufferLike => (t._storage as unknown as { data: Float32Array }).data.buffer;

afterEach(() => {
  wasmOptimConfig.enabled = true;
});


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
type Opts = Record<string, number | boolean | number[]>;
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

  it("keeps optimizer state in the kernels' memory, with the same results as state staged like the parameter", () => {
    const n = 40000; // more than two chunks
    torch.manual_seed(5);
    const p0 = torch.randn(n);
    const g = torch.randn(n);
    const run = (inWasm: boolean, make: (p: Tensor) => optim.Optimizer) => {
      wasmOptimConfig.stateInWasm = inWasm;
      try {
        const p = p0.clone().requires_grad_();
        p.grad = g.clone();
        const opt = make(p);
        for (let i = 0; i < 3; i++) opt.step();
        return { p, state: opt.state.get(p)! };
      } finally {
        wasmOptimConfig.stateInWasm = true;
      }
    };
    const makers: [string, (p: Tensor) => optim.Optimizer][] = [
      ['exp_avg_sq', (p) => new optim.Adam([p], { lr: 0.01, amsgrad: true })],
      ['momentum_buffer', (p) => new optim.SGD([p], { lr: 0.01, momentum: 0.9, nesterov: true })],
    ];
    for (const [key, make] of makers) {
      const a = run(true, make);
      const b = run(false, make);
      const sa = a.state[key] as Tensor;
      const sb = b.state[key] as Tensor;
      // in the kernels' shared memory, not on the JavaScript heap
      expect(sa._storage.backend.type).toBe('cpu');
      expect(inStorageArray(sa) instanceof SharedArrayBuffer).toBe(true);
      expect(inStorageArray(sb) instanceof SharedArrayBuffer).toBe(false);
      expect(a.p.detach().equal(b.p.detach())).toBe(true);
      expect(sa.equal(sb)).toBe(true);
      expect(sa.shape).toEqual([n]);
      expect(sa.is_contiguous()).toBe(true);
    }
  });

  it('gives the block of a collected state tensor to the next state of its size, zeroed', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 12345;
    const allocate = () => {
      const p = torch.randn(n).requires_grad_();
      p.grad = torch.randn(n);
      const opt = new optim.Adam([p], { lr: 0.1 });
      opt.step();
      return (opt.state.get(p)!.exp_avg as Tensor).abs().sum().item();
    };
    expect(allocate()).toBeGreaterThan(0);
    // the optimizer and its state are garbage now; finalizers run after a collection, between tasks
    for (let i = 0; i < 5 && !(residentFree().get(Math.ceil((n * 4) / 64) * 64)?.length ?? 0); i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    // the parameter (moved there by the optimizer) and its two moments
    const freed = [...(residentFree().get(Math.ceil((n * 4) / 64) * 64) ?? [])];
    expect(freed.length).toBeGreaterThanOrEqual(3);
    const p = torch.zeros(n).requires_grad_();
    p.grad = torch.zeros(n);
    const opt = new optim.Adam([p]);
    opt.step();
    const m = opt.state.get(p)!.exp_avg as Tensor;
    expect(freed).toContain((m._storage as unknown as { data: Float32Array }).data.byteOffset);
    // a zero gradient leaves zeroed moments zero: the reused block was cleared
    expect(m.abs().sum().item()).toBe(0);
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

const FLT_MIN = 2 ** -126;
const isDenormal = (x: number) => x !== 0 && Math.abs(x) < FLT_MIN;
const fromBits = (b: number) => new Float32Array(Uint32Array.of(b).buffer)[0]!;

/**
 * Like expectUlps, with `allow` more for what the flush changes: a denormal operand or product
 * read as 0, each worth less than FLT_MIN, times what scales it on the way to the result.
 */
function expectFlushed(a: Tensor, b: Tensor, terms: Tensor[], allow: number, what: string): void {
  const x = a.detach().numpy();
  const y = b.detach().numpy();
  const ts = terms.map((t) => t.detach().numpy());
  for (let i = 0; i < x.length; i++) {
    const [xi, yi] = [x[i]!, y[i]!];
    if (Number.isNaN(xi) || Number.isNaN(yi)) expect.fail(`${what}: element ${i} is ${xi}, the op-table kernels give ${yi}`);
    let tol = ulp(yi);
    for (const t of ts) tol += ulp(t[i]!);
    tol = 4 * tol + allow;
    if (!(Math.abs(xi - yi) <= tol)) expect.fail(`${what}: element ${i} is ${xi}, the op-table kernels give ${yi} (tolerance ${tol})`);
  }
}

/** Magnitudes around every threshold of the guards: denormals, FLT_MIN, where d² or (1-β)·d² turns denormal. */
const TINY = [0, 1e-45, 1e-40, 1e-39, FLT_MIN, 1.3e-38, 2e-38, 1e-37, 1.2e-37, 2.4e-36, 1e-30, 1e-20, 1e-19, 1.09e-19, 2e-19, 3.3e-18, 3.5e-18, 1e-10];
/**
 * n values cycling through TINY (and a few normal ones when `normal`), seeded, with signs by index
 * times `sign`: gradients and moments of one element share a sign, so that the moments' sums do not
 * cancel (where the kernels' float32 roundings and the op-table kernels' float64 ones part by the
 * ulps of the terms, not of the result).
 */
function tinyTensor(n: number, normal: boolean, sign = 1): Tensor {
  const r = torch.rand(n).numpy();
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % (TINY.length + (normal ? 3 : 0));
    const mag = k < TINY.length ? TINY[k]! * (1 + r[i]!) : 0.5 * r[i]!;
    out[i] = ((i * 7) % 3 === 0 ? -sign : sign) * mag;
  }
  return torch.from_numpy(out);
}

/**
 * `steps` steps of `kind` with the wasm kernels and with the op-table kernels from the same state
 * (the copy's reset to the wasm side's after each), gradients and state near and below FLT_MIN:
 * they agree within the flush, and the wasm side stores no denormal state. Returns whether the
 * op-table side stored a denormal (the case exercised the flush).
 */
function compareFlushed(kind: Kind, o: Opts, n: number, steps: number): boolean {
  const pa = tinyTensor(n, true).requires_grad_();
  const pb = pa.detach().clone().requires_grad_();
  const oa = make(kind, [pa], o);
  const ob = make(kind, [pb], o);
  const lr = o.lr as number;
  let denormalSeen = false;
  for (let step = 1; step <= steps; step++) {
    const g = tinyTensor(n, step === 1);
    pa.grad = g;
    pb.grad = g.clone();
    const p0 = pa.detach().clone();
    wasmOptimConfig.enabled = true;
    const before = wasmOptimStats.adam + wasmOptimStats.sgd;
    oa.step();
    expect(wasmOptimStats.adam + wasmOptimStats.sgd).toBe(before + 1);
    wasmOptimConfig.enabled = false;
    ob.step();
    wasmOptimConfig.enabled = true;
    const sa = oa.state.get(pa) ?? {};
    const sb = ob.state.get(pb) ?? {};
    const d = g.abs().add(p0.abs().mul((o.weight_decay as number) ?? 0));
    // Adam: a flushed m or v moves θ by at most lr/(1-β₁ᵗ)·(a few FLT_MIN)/ε, and by a relative
    // sqrt(FLT_MIN)/ε through the denominator, within the ulps of the update
    const scale = kind === 'SGD' ? 4 * lr : (4 * lr) / (1 - 0.9 ** step) / 1e-8;
    expectFlushed(pa, pb, [p0, pb.detach().sub(p0)], 4 * FLT_MIN * (1 + scale), `${kind} θ after step ${step}`);
    for (const k of STATE_KEYS) {
      if (!(k in sb)) continue;
      const [ta, tb] = [sa[k] as Tensor, sb[k] as Tensor];
      expectFlushed(ta, tb, [d, d.mul(d)], 4 * FLT_MIN, `${kind} ${k} after step ${step}`);
      const stored = ta.numpy();
      for (let i = 0; i < stored.length; i++) if (isDenormal(stored[i]!)) expect.fail(`${kind} ${k} after step ${step}: element ${i} is stored as ${stored[i]}`);
      if (tb.numpy().some(isDenormal)) denormalSeen = true;
      // the next step starts from denormal state on both sides (the wasm side reads it as 0)
      if (step === 1) ta.copy_(k === 'exp_avg' || k === 'momentum_buffer' ? tinyTensor(n, false, o.maximize ? -1 : 1) : tinyTensor(n, false).abs());
      tb.copy_(ta);
    }
    pb.detach().copy_(pa.detach());
  }
  return denormalSeen;
}

describe('denormals in the fused WebAssembly optimizer updates (CPU)', () => {
  it('the guards: T(c) is the least float32 ≥ FLT_MIN whose product with c is normal', () => {
    const below = (b: number) => fromBits(b - 1);
    for (const c of [0.9, 0.1, 0.999, 0.001, -0.005, 1e-7, 0.5, 0.3]) {
      const t = productThreshold(c);
      expect(Math.abs(Math.fround(fromBits(t) * Math.fround(c)))).toBeGreaterThanOrEqual(FLT_MIN);
      if (t > 0x00800000) expect(Math.abs(Math.fround(below(t) * Math.fround(c)))).toBeLessThan(FLT_MIN);
    }
    // factors of 1 and more, 0, NaN and denormals (read as 0) need only the denormal guard
    for (const c of [1, -2, 0, NaN, 1e-40]) expect(productThreshold(c)).toBe(0x00800000);
    for (const c of [0.001, 1e-5, 0.1, 1]) {
      const t = squareThreshold(c);
      const sq = (x: number) => Math.fround(Math.fround(x * x) * Math.fround(c));
      expect(Math.fround(fromBits(t) ** 2)).toBeGreaterThanOrEqual(FLT_MIN);
      expect(sq(fromBits(t))).toBeGreaterThanOrEqual(FLT_MIN);
      expect(Math.fround(below(t) ** 2) < FLT_MIN || sq(below(t)) < FLT_MIN).toBe(true);
    }
    expect(squareThreshold(1)).toBe(0x20000000); // 2⁻⁶³: the least d whose square is normal
  });

  it('a product below FLT_MIN is 0, one at FLT_MIN is exact (SGD, θ = 0, lr 0.5)', () => {
    const t = productThreshold(-0.5);
    const gs = [fromBits(t), fromBits(t - 1), fromBits(t + 1), 2 * FLT_MIN, 3 * FLT_MIN, FLT_MIN, 1e-39, 1e-45, 1e-20, -fromBits(t), -fromBits(t - 1)];
    for (const n of [gs.length, 4]) {
      const g = Float32Array.from(gs.slice(0, n));
      const p = torch.zeros(n).requires_grad_();
      p.grad = torch.from_numpy(g);
      const before = wasmOptimStats.sgd;
      new optim.SGD([p], { lr: 0.5 }).step();
      expect(wasmOptimStats.sgd).toBe(before + 1);
      const got = p.detach().numpy();
      for (let i = 0; i < n; i++) {
        const ieee = Math.fround(-0.5 * g[i]!);
        expect(got[i], `gradient ${g[i]}`).toBe(Math.abs(ieee) < FLT_MIN ? 0 : ieee);
      }
    }
  });

  const dcases: [Kind, Opts][] = [
    ['Adam', { lr: 0.005 }],
    ['Adam', { lr: 0.01, weight_decay: 0.05, maximize: true, amsgrad: true }],
    ['AdamW', { lr: 0.01, weight_decay: 0.1 }],
    ['AdamW', { lr: 1e-5, betas: [0.5, 0.99], amsgrad: true }],
    ['SGD', { lr: 0.1 }],
    ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.2 }],
    ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.02, maximize: true }],
  ];
  it.each(dcases)('%s %o agrees with the op-table kernels within the flush', (kind, o) => {
    torch.manual_seed(7);
    let exercised = false;
    // 67 = 16 vectors and a tail of 3
    for (const n of [67, 3]) if (compareFlushed(kind, o, n, 4)) exercised = true;
    // the op-table kernels keep denormals: the comparison did cross the flush
    if (kind !== 'SGD' || o.momentum) expect(exercised).toBe(true);
  });

  it('decaying moments and momentum reach 0 without passing through denormals', () => {
    const n = 11;
    for (const kind of ['Adam', 'SGD'] as const) {
      const p = torch.randn(n).requires_grad_();
      const opt = kind === 'Adam' ? new optim.Adam([p], { lr: 0.01, amsgrad: true }) : new optim.SGD([p], { lr: 0.01, momentum: 0.9 });
      p.grad = torch.full([n], 1e-17);
      opt.step();
      const st = opt.state.get(p)!;
      const keys = kind === 'Adam' ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['momentum_buffer'];
      // near FLT_MIN, and the gradient zero from now on (as for MNIST's border pixels)
      for (const k of keys) (st[k] as Tensor).copy_(torch.linspace(1.2e-38, 3e-38, n));
      p.grad = torch.zeros(n);
      const before = wasmOptimStats.adam + wasmOptimStats.sgd;
      for (let step = 0; step < 1200; step++) {
        opt.step();
        for (const k of keys) {
          const x = (st[k] as Tensor).numpy();
          if (x.some((e) => isDenormal(e) || Number.isNaN(e))) expect.fail(`${kind} ${k} after ${step + 1} steps: ${Array.from(x)}`);
        }
        if (p.detach().numpy().some((e) => !Number.isFinite(e))) expect.fail(`${kind} θ after ${step + 1} steps`);
      }
      expect(wasmOptimStats.adam + wasmOptimStats.sgd).toBe(before + 1200);
      // m and the buffer decay by 0.9 a step, v by 0.999: all flushed to 0 by now (v̂ keeps its max)
      for (const k of keys) if (k !== 'max_exp_avg_sq') expect((st[k] as Tensor).abs().max().item(), `${kind} ${k}`).toBe(0);
    }
  });
});

function dtype64() {
  return { dtype: torch.float64 };
}

describe('parameters moved into the kernels\' memory (Backend.fusedOptim.adopt, lib/backends/cpu/wasm/resident.ts)', () => {
  afterEach(() => {
    wasmOptimConfig.adoptParams = true;
  });

  /** A Linear layer trained a few steps, with its parameters adopted or left as they are. */
  function train(kind: 'Adam' | 'SGD' | 'SGD momentum', adopt: boolean) {
    wasmOptimConfig.adoptParams = adopt;
    torch.manual_seed(11);
    const fc = new torch.nn.Linear(37, 13);
    const early = fc.weight.detach().select(0, 2); // a view taken before the optimizer moves the storage
    const x = torch.randn(5, 37);
    const opt = kind === 'Adam' ? new optim.Adam(fc.parameters(), { lr: 0.01 }) : new optim.SGD(fc.parameters(), { lr: 0.1, momentum: kind === 'SGD' ? 0 : 0.9 });
    const outs: Tensor[] = [];
    for (let s = 0; s < 4; s++) {
      opt.zero_grad();
      const y = fc.forward(x);
      outs.push(y.detach());
      y.square().sum().backward();
      opt.step();
    }
    return { fc, early, outs };
  }

  for (const kind of ['Adam', 'SGD', 'SGD momentum'] as const) {
    it(`${kind}: the same values, bit for bit, with the weights read in place by the products; earlier views see the updates`, () => {
      const a = train(kind, true);
      const b = train(kind, false);
      expect(inStorageArray(a.fc.weight)).not.toBe(inStorageArray(b.fc.weight));
      expect(inStorageArray(a.fc.weight) instanceof SharedArrayBuffer).toBe(true);
      expect(inStorageArray(b.fc.weight) instanceof SharedArrayBuffer).toBe(false);
      for (let s = 0; s < 4; s++) expect(a.outs[s]!.equal(b.outs[s]!)).toBe(true);
      expect(a.fc.weight.detach().equal(b.fc.weight.detach())).toBe(true);
      expect(a.fc.bias!.detach().equal(b.fc.bias!.detach())).toBe(true);
      expect(a.early.equal(a.fc.weight.detach().select(0, 2))).toBe(true);
      expect(a.early.equal(b.fc.weight.detach().select(0, 2))).toBe(true);
    });
  }

  it('products with both operands, or a transposed one, in the memory match the staged ones', () => {
    torch.manual_seed(12);
    const w = torch.randn(40, 33).requires_grad_();
    const v = torch.randn(33, 40).requires_grad_();
    const expected = [w.mm(v), w.t().mm(w), v.mm(w), torch.addmm(torch.randn(40), v.t(), w.t())].map((t) => t.detach());
    torch.manual_seed(12);
    const w2 = torch.randn(40, 33).requires_grad_();
    const v2 = torch.randn(33, 40).requires_grad_();
    for (const p of [w2, v2]) p.grad = torch.zeros_like(p);
    new optim.SGD([w2, v2], { lr: 0 }).step();
    expect(inStorageArray(w2) instanceof SharedArrayBuffer).toBe(true);
    const got = [w2.mm(v2), w2.t().mm(w2), v2.mm(w2), torch.addmm(torch.randn(40), v2.t(), w2.t())];
    got.forEach((t, i) => expect(t.detach().equal(expected[i]!), `product ${i}`).toBe(true));
  });

  it('a parameter sharing a caller\'s array (from_numpy) stays there: the caller sees the updates', () => {
    const arr = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const p = new torch.nn.Parameter(torch.from_numpy(arr));
    p.grad = torch.ones(8);
    new optim.Adam([p], { lr: 0.5 }).step();
    expect(inStorageArray(p)).toBe(arr.buffer);
    expect(arr[0]).toBeCloseTo(0.5, 5);
  });
});

describe("gradients read where the product that made them left them (gemm.ts's stagedResult)", () => {
  afterEach(() => {
    wasmOptimConfig.stagedResults = true;
    cpuDonateConfig.resident = true;
  });

  /**
   * Three steps of a Linear layer whose weight gradient is the backward pass's last product (the
   * first step makes the state, whose new blocks are placed where the product left it). The
   * gradient's memory stays a JavaScript array: in a block of the WebAssembly memory (what
   * zero_grad's donation sets up from the second step) it is read in place instead.
   */
  function run(staged: boolean, between?: (fc: InstanceType<typeof torch.nn.Linear>) => void, sgd = false) {
    wasmOptimConfig.stagedResults = staged;
    cpuDonateConfig.resident = false;
    torch.manual_seed(21);
    const fc = new torch.nn.Linear(300, 40);
    const x = torch.randn(16, 300);
    const opt = sgd ? new optim.SGD(fc.parameters(), { lr: 0.01, momentum: 0.9 }) : new optim.Adam(fc.parameters(), { lr: 0.01 });
    const before = wasmOptimStats.stagedResults;
    for (let s = 0; s < 3; s++) {
      opt.zero_grad();
      fc.forward(x).square().sum().backward();
      between?.(fc);
      opt.step();
    }
    return { w: fc.weight.detach().clone(), used: wasmOptimStats.stagedResults - before };
  }

  for (const sgd of [false, true]) {
    it(`takes the weight gradient from the memory and updates exactly as with the copy (${sgd ? 'SGD with momentum' : 'Adam'})`, () => {
      const a = run(true, undefined, sgd);
      const b = run(false, undefined, sgd);
      expect(a.used).toBe(2);
      expect(b.used).toBe(0);
      expect(a.w.equal(b.w)).toBe(true);
    });
  }

  it('copies the gradient again once it is changed in place or the memory is used by another call', () => {
    for (const change of [
      (fc: InstanceType<typeof torch.nn.Linear>) => void fc.weight.grad!.mul_(0.5),
      (fc: InstanceType<typeof torch.nn.Linear>) => void fc.weight.grad!.select(0, 3).fill_(1),
      () => void torch.randn(30, 30).mm(torch.randn(30, 30)),
    ]) {
      const a = run(true, change);
      const b = run(false, change);
      expect(a.used).toBe(0);
      expect(a.w.equal(b.w)).toBe(true);
    }
  });
});
