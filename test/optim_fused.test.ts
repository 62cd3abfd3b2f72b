/**
 * The fused optimizer kernels (lib/optim/sgd.ts, adam.ts) against PyTorch's single-tensor update
 * written op by op in float32 (each op rounding, as PyTorch's float32 path does): from the same
 * state, one step agrees within a few float32 ulps of the values and of the update itself.
 */

import { describe, expect, it } from 'vitest';
import torch, { optim, type Tensor } from '../lib/index.js';
import { ulp } from './helpers/ulp.js';

const N = 3000;

/**
 * Elementwise |a - b| <= k·(ulp(b) + Σ ulp(term)): `terms` are the summands of the update, whose
 * roundings are what the two orders of evaluation differ by (they can be far larger than the
 * result when they cancel).
 */
function expectUlps(a: Tensor, b: Tensor, k: number, terms: Tensor[], what: string): void {
  const x = a.numpy();
  const y = b.numpy();
  const ts = terms.map((t) => t.numpy());
  for (let i = 0; i < x.length; i++) {
    let tol = ulp(y[i]!);
    for (const t of ts) tol += ulp(t[i]!);
    tol *= k;
    if (!(Math.abs(x[i]! - y[i]!) <= tol)) expect.fail(`${what}: element ${i} is ${x[i]}, the op-by-op update gives ${y[i]} (tolerance ${tol})`);
  }
}

type Opts = Record<string, number | boolean>;
const clone = (t: Tensor | undefined) => (t ? t.detach().clone() : undefined);

/** PyTorch 1.13's _single_tensor_sgd for one parameter, op by op. */
function sgdRef(p: Tensor, grad: Tensor, buf: Tensor | undefined, o: Opts): { p: Tensor; buf?: Tensor } {
  let d = o.maximize ? grad.neg() : grad;
  if (o.weight_decay) d = d.add(p, { alpha: o.weight_decay as number });
  let b = buf;
  if (o.momentum) {
    if (!b) b = d.clone();
    else b = b.mul(o.momentum as number).add(d, { alpha: 1 - ((o.dampening as number) ?? 0) });
    d = o.nesterov ? d.add(b, { alpha: o.momentum as number }) : b;
  }
  return { p: p.add(d, { alpha: -(o.lr as number) }), ...(b ? { buf: b } : {}) };
}

/** PyTorch 1.13's _single_tensor_adam (and AdamW's decoupled decay) for one parameter, op by op. */
function adamRef(p: Tensor, grad: Tensor, s: { m: Tensor; v: Tensor; vmax?: Tensor; step: number }, o: Opts, decoupled: boolean) {
  const lr = o.lr as number;
  const [b1, b2] = [0.9, 0.999];
  const eps = 1e-8;
  let g = o.maximize ? grad.neg() : grad;
  let q = p;
  const wd = (o.weight_decay as number) ?? (decoupled ? 1e-2 : 0);
  if (wd !== 0) {
    if (decoupled) q = p.mul(1 - lr * wd);
    else g = g.add(p, { alpha: wd });
  }
  const m = s.m.mul(b1).add(g, { alpha: 1 - b1 });
  const v = s.v.mul(b2).addcmul(g, g, { value: 1 - b2 });
  const bc1 = 1 - b1 ** s.step;
  const bc2 = 1 - b2 ** s.step;
  const vmax = o.amsgrad ? torch.maximum(s.vmax!, v) : undefined;
  const denom = (vmax ?? v).sqrt().div(Math.sqrt(bc2)).add(eps);
  return { p: q.addcdiv(m, denom, { value: -(lr / bc1) }), m, v, vmax, g };
}

describe('fused optimizer updates agree with the op-by-op float32 update within float32 ulps', () => {
  const sgdCases: Opts[] = [
    { lr: 0.1 },
    { lr: 0.1, weight_decay: 0.01, maximize: true },
    { lr: 0.05, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.3, weight_decay: 0.02 },
    { lr: 0.05, momentum: 0.8, nesterov: true, weight_decay: 0.01, maximize: true },
  ];
  it.each(sgdCases)('SGD %o', (o) => {
    torch.manual_seed(1);
    const p = torch.randn(N).requires_grad_();
    const opt = new optim.SGD([p], o as { lr: number });
    for (let step = 0; step < 3; step++) {
      p.grad = torch.randn(N);
      const p0 = clone(p)!;
      const buf0 = clone(opt.state.get(p)?.momentum_buffer as Tensor | undefined);
      opt.step();
      const ref = sgdRef(p0, p.grad, buf0, o);
      const d = p.grad.mul(o.maximize ? -1 : 1).add(p0.mul((o.weight_decay as number) ?? 0));
      // the buffer's rounding reaches θ through lr·b
      const bufTerms = d.abs().add(buf0 ? buf0.mul(o.momentum as number).abs() : 0).mul(o.lr as number);
      expectUlps(p.detach(), ref.p, 2, [p0, ref.p.sub(p0), bufTerms], `SGD θ after step ${step + 1}`);
      if (ref.buf) expectUlps(opt.state.get(p)!.momentum_buffer as Tensor, ref.buf, 2, [buf0 ? buf0.mul(o.momentum as number) : d, d], `SGD momentum buffer after step ${step + 1}`);
    }
  });

  const adamCases: [string, Opts][] = [
    ['Adam', { lr: 0.01 }],
    ['Adam', { lr: 0.01, weight_decay: 0.05, maximize: true }],
    ['Adam', { lr: 0.01, amsgrad: true }],
    ['AdamW', { lr: 0.01 }],
    ['AdamW', { lr: 0.01, weight_decay: 0.1, amsgrad: true, maximize: true }],
  ];
  it.each(adamCases)('%s %o', (name, o) => {
    torch.manual_seed(2);
    const p = torch.randn(N).requires_grad_();
    const opt = name === 'Adam' ? new optim.Adam([p], o as { lr: number }) : new optim.AdamW([p], o as { lr: number });
    for (let step = 1; step <= 3; step++) {
      p.grad = torch.randn(N).mul(step === 2 ? 1e-3 : 1);
      const p0 = clone(p)!;
      const st = opt.state.get(p);
      const s0 = {
        m: clone(st?.exp_avg as Tensor | undefined) ?? torch.zeros(N),
        v: clone(st?.exp_avg_sq as Tensor | undefined) ?? torch.zeros(N),
        vmax: clone(st?.max_exp_avg_sq as Tensor | undefined) ?? torch.zeros(N),
        step,
      };
      opt.step();
      const ref = adamRef(p0, p.grad, s0, o, name === 'AdamW');
      const s = opt.state.get(p)!;
      expectUlps(s.exp_avg as Tensor, ref.m, 2, [s0.m, ref.g], `${name} exp_avg after step ${step}`);
      expectUlps(s.exp_avg_sq as Tensor, ref.v, 2, [s0.v, ref.g.mul(ref.g)], `${name} exp_avg_sq after step ${step}`);
      expectUlps(p.detach(), ref.p, 2, [p0, ref.p.sub(p0)], `${name} θ after step ${step}`);
    }
  });
});
