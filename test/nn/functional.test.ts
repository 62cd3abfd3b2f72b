/**
 * `nn.functional` against PyTorch (test/golden/nn.json, made by test/golden/make_nn.py):
 * activations, softmax, every loss with its options, linear, one_hot and dropout — values,
 * gradients, grad_fn names and error messages — plus gradcheck/gradgradcheck of the hand-written
 * backward formulas.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, Tensor } from '../../lib/index.js';
import { expectClose } from '../helpers/golden.js';
import { dtypeOf, expectPyError, nnGolden, type Nested, type PyError } from './helpers.js';

interface ActCase { name: string; kw: Record<string, number | string>; dtype: string; x: number[]; w: number[]; y: Nested; grad: Nested; grad_fn: string }
interface SoftmaxCase { name: 'softmax' | 'log_softmax'; dim: number; x: Nested; w: Nested; y: Nested; grad: Nested; grad_fn: string }
interface LossCase {
  fn: string; kw: Record<string, unknown>; x: Nested; t: Nested; tdtype: string; dtype: string;
  y: Nested; grad: Nested; grad_t: Nested | null; grad_fn: string;
}
interface LinearCase { shape: number[]; bias: boolean; x: Nested; y: Nested; gx: Nested; gw: Nested; gb: Nested | null; grad_fn: string }
interface G {
  activations: ActCase[];
  softmax: SoftmaxCase[];
  activation_errors: Record<string, PyError | Nested>;
  losses: LossCase[];
  loss_errors: Record<string, PyError>;
  one_hot: { x: number[]; y: Nested; y5: Nested };
  linear: { w: Nested; b: Nested; cases: LinearCase[]; error: PyError };
}
const g = nnGolden<G>();
const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-10, 1e-12] : [1e-5, 1e-6]);

type Act = (x: Tensor, kw: Record<string, number | string>) => Tensor;
const acts: Record<string, Act> = {
  relu: (x) => F.relu(x),
  leaky_relu: (x, kw) => F.leaky_relu(x, kw),
  elu: (x, kw) => F.elu(x, kw),
  gelu: (x, kw) => F.gelu(x, kw as { approximate?: 'none' | 'tanh' }),
  silu: (x) => F.silu(x),
  sigmoid: (x) => F.sigmoid(x),
  tanh: (x) => F.tanh(x),
  softplus: (x, kw) => F.softplus(x, kw),
  hardtanh: (x, kw) => F.hardtanh(x, kw),
  relu6: (x) => F.relu6(x),
};

describe('activations', () => {
  for (const c of g.activations) {
    it(`${c.name}(${JSON.stringify(c.kw)}) ${c.dtype}: values, gradient and grad_fn match PyTorch`, () => {
      const [rtol, atol] = tol(c.dtype);
      const x = torch.tensor(c.x, { dtype: dtypeOf(c.dtype), requires_grad: true });
      const y = acts[c.name]!(x, c.kw);
      expect(y.dtype.name).toBe(c.dtype);
      expect(y.grad_fn?.name()).toBe(c.grad_fn);
      expectClose(y.tolist(), c.y, rtol, atol, c.name);
      y.mul(torch.tensor(c.w, { dtype: dtypeOf(c.dtype) })).sum().backward();
      expectClose(x.grad!.tolist(), c.grad, rtol, atol, `${c.name} grad`);
    });
  }

  it('the hand-written backward formulas pass gradcheck and gradgradcheck', () => {
    const x = torch.tensor([-2.1, -0.7, -0.2, 0.3, 0.8, 1.7, 3.3], { dtype: torch.float64, requires_grad: true });
    const fns: ((t: Tensor) => Tensor)[] = [
      (t) => F.leaky_relu(t, 0.2), (t) => F.elu(t, 0.7), (t) => F.gelu(t), (t) => F.gelu(t, 'tanh'), (t) => F.silu(t),
      (t) => F.softplus(t, 1.5, 3), (t) => F.hardtanh(t, -1, 2),
    ];
    for (const f of fns) {
      expect(torch.autograd.gradcheck(f, [x])).toBe(true);
      expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
    }
  });

  it('integer inputs: PyTorch\'s kernel errors, relu and hardtanh keep the dtype', () => {
    const ints = torch.tensor([1, 2]);
    const e = g.activation_errors;
    expectPyError(() => F.leaky_relu(ints), e.leaky_relu_int as PyError);
    expectPyError(() => F.elu(ints), e.elu_int as PyError);
    expectPyError(() => F.gelu(ints), e.gelu_int as PyError);
    expectPyError(() => F.silu(ints), e.silu_int as PyError);
    expectPyError(() => F.softplus(ints), e.softplus_int as PyError);
    const h = F.hardtanh(torch.tensor([-3, 0, 4]));
    expect(h.dtype).toBe(torch.int64);
    expect(h.tolist()).toEqual(e.hardtanh_int);
    expect(F.relu(torch.tensor([-3, 0, 4])).tolist()).toEqual(e.relu_int);
  });

  it('in-place variants write into the input, and keep autograd right on non-leaves', () => {
    const x = torch.tensor([-1, 0.5, 2], { dtype: torch.float32 });
    expect(F.leaky_relu(x, { negative_slope: 0.5, inplace: true })).toBe(x);
    expectClose(x.tolist(), [-0.5, 0.5, 2]);
    const leaf = torch.tensor([-1, 0.5, 2], { dtype: torch.float32, requires_grad: true });
    expect(() => F.elu(leaf, { inplace: true })).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    const h = leaf.mul(2);
    const r = F.hardtanh(h, { min_val: -1, max_val: 1, inplace: true });
    expect(r).toBe(h);
    r.sum().backward();
    expectClose(leaf.grad!.tolist(), [0, 0, 0]);
    const s = leaf.mul(1);
    F.relu(s, true).sum().backward();
    expectClose(leaf.grad!.tolist(), [0, 1, 1]);
  });

  it('gelu rejects an unknown approximation', () => {
    expect(() => F.gelu(torch.zeros(2), 'fast' as 'tanh')).toThrow('approximate argument must be either none or tanh.');
  });
});

describe('softmax and log_softmax', () => {
  for (const c of g.softmax) {
    it(`${c.name}(dim=${c.dim}) matches PyTorch`, () => {
      const x = torch.tensor(c.x, { dtype: torch.float32, requires_grad: true });
      const y = c.name === 'softmax' ? F.softmax(x, c.dim) : F.log_softmax(x, { dim: c.dim });
      expect(y.grad_fn?.name()).toBe(c.grad_fn);
      expectClose(y.tolist(), c.y, 1e-5, 1e-6);
      y.mul(torch.tensor(c.w, { dtype: torch.float32 })).sum().backward();
      expectClose(x.grad!.tolist(), c.grad, 1e-5, 1e-6);
    });
  }
  it('dim is required, and dtype casts first', () => {
    expect(() => F.softmax(torch.zeros(2), {})).toThrow("softmax() missing required argument 'dim'");
    expect(F.log_softmax(torch.zeros(2), 0, torch.float64).dtype).toBe(torch.float64);
  });
});

type LossFn = (x: Tensor, t: Tensor, kw: Record<string, unknown>) => Tensor;
const losses: Record<string, LossFn> = {
  cross_entropy: (x, t, kw) => F.cross_entropy(x, t, kw),
  nll_loss: (x, t, kw) => F.nll_loss(x, t, kw),
  mse_loss: (x, t, kw) => F.mse_loss(x, t, kw),
  l1_loss: (x, t, kw) => F.l1_loss(x, t, kw),
  smooth_l1_loss: (x, t, kw) => F.smooth_l1_loss(x, t, kw),
  huber_loss: (x, t, kw) => F.huber_loss(x, t, kw),
  binary_cross_entropy: (x, t, kw) => F.binary_cross_entropy(x, t, kw),
  binary_cross_entropy_with_logits: (x, t, kw) => F.binary_cross_entropy_with_logits(x, t, kw),
};

function lossInputs(c: LossCase): { x: Tensor; t: Tensor; kw: Record<string, unknown> } {
  const dtype = dtypeOf(c.dtype);
  const x = torch.tensor(c.x, { dtype, requires_grad: true });
  const t = torch.tensor(c.t, { dtype: dtypeOf(c.tdtype), requires_grad: c.grad_t !== null });
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.kw)) kw[k] = k === 'weight' || k === 'pos_weight' ? torch.tensor(v as Nested, { dtype }) : v;
  return { x, t, kw };
}

describe('losses', () => {
  for (const c of g.losses) {
    it(`${c.fn}(${JSON.stringify(c.kw)}) on ${JSON.stringify(c.x).slice(0, 24)}...: value, gradients, grad_fn`, () => {
      const { x, t, kw } = lossInputs(c);
      const warn = console.warn;
      console.warn = () => {};
      let y: Tensor;
      try {
        y = losses[c.fn]!(x, t, kw);
      } finally {
        console.warn = warn;
      }
      expect(y.grad_fn?.name()).toBe(c.grad_fn);
      const [rtol, atol] = tol(c.dtype);
      expectClose(y.tolist(), c.y, rtol, atol, 'value');
      (y.dim() > 0 ? y.sum() : y).backward();
      expectClose(x.grad!.tolist(), c.grad, rtol * 10, atol * 10, 'grad input');
      if (c.grad_t !== null) expectClose(t.grad!.tolist(), c.grad_t, rtol * 10, atol * 10, 'grad target');
    });
  }

  it('the single-node losses pass gradcheck and gradgradcheck (float64)', () => {
    const x = torch.tensor([[0.3, -1.1, 0.8], [1.6, 0.2, -0.4]], { dtype: torch.float64, requires_grad: true });
    const t = torch.tensor([[0.1, -0.9, 1.7], [0.2, 0.3, -0.6]], { dtype: torch.float64, requires_grad: true });
    const p = torch.tensor([[0.3, 0.6, 0.2], [0.9, 0.45, 0.7]], { dtype: torch.float64, requires_grad: true });
    const y = torch.tensor([[0.0, 1.0, 0.4], [1.0, 0.2, 0.0]], { dtype: torch.float64, requires_grad: true });
    const cls = torch.tensor([2, 0]);
    const checks: [(...a: Tensor[]) => Tensor, Tensor[]][] = [
      [(a, b) => F.mse_loss(a, b), [x, t]],
      [(a, b) => F.smooth_l1_loss(a, b, { beta: 0.7, reduction: 'sum' }), [x, t]],
      [(a, b) => F.huber_loss(a, b, { delta: 0.5, reduction: 'none' }), [x, t]],
      [(a, b) => F.binary_cross_entropy(a, b), [p, y]],
      [(a, b) => F.binary_cross_entropy_with_logits(a, b, { pos_weight: torch.tensor([2, 1, 0.5], { dtype: torch.float64 }) }), [x, y]],
      [(a) => F.nll_loss(a, cls, { weight: torch.tensor([1, 2, 3], { dtype: torch.float64 }) }), [x]],
      [(a) => F.cross_entropy(a, cls, { label_smoothing: 0.2 }), [x]],
    ];
    for (const [f, inputs] of checks) {
      expect(torch.autograd.gradcheck(f, inputs)).toBe(true);
      expect(torch.autograd.gradgradcheck(f, inputs)).toBe(true);
    }
  });

  it('raises PyTorch\'s errors', () => {
    const e = g.loss_errors;
    const x4 = torch.tensor([[1.2, -0.3, 0.5, 2.0, -1.0], [0.1, 0.2, -0.7, 0.3, 1.4], [-2.0, 0.9, 1.1, 0.0, 0.4], [0.6, -1.5, 0.25, 1.8, -0.2]]);
    const tgt = torch.tensor([3, 4, 1, 0]);
    expectPyError(() => F.nll_loss(x4, torch.tensor([1, 0, 5, 2])), e.nll_oob!);
    expectPyError(() => F.nll_loss(x4, torch.tensor([1, 0, -3, 2])), e.nll_neg!);
    expectPyError(() => F.nll_loss(x4, torch.tensor([1, 0, 2])), e.nll_batch!);
    expectPyError(() => F.nll_loss(x4, torch.tensor([1, 0, 2, 3], { dtype: torch.float32 })), e.nll_float_target!);
    expectPyError(() => F.nll_loss(torch.tensor(1.5), torch.tensor(0)), e.nll_0d!);
    expectPyError(() => F.nll_loss(x4, tgt, { weight: torch.ones(3) }), e.nll_weight!);
    expectPyError(() => F.nll_loss(x4, tgt, { reduction: 'avg' as 'mean' }), e.nll_reduction!);
    expectPyError(() => F.cross_entropy(x4, torch.ones([4, 5], { dtype: torch.int64 })), e.ce_prob_int!);
    expectPyError(() => F.cross_entropy(x4, torch.full([4, 5], 0.2), { ignore_index: 1 }), e.ce_prob_ignore!);
    expectPyError(() => F.cross_entropy(x4, tgt, { label_smoothing: 1.5 }), e.ce_smoothing!);
    expectPyError(() => F.cross_entropy(torch.zeros([2, 3, 3]), torch.tensor([[0, 1], [1, 0]])), e.nd_target!);
    expectPyError(() => F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0, 1], { dtype: torch.float32 })), e.bce_range!);
    expectPyError(() => F.binary_cross_entropy(torch.tensor([[0.5], [0.2]]), torch.tensor([0, 1], { dtype: torch.float32 })), e.bce_size!);
    expectPyError(() => F.binary_cross_entropy_with_logits(torch.tensor([[0.5], [0.2]]), torch.tensor([0, 1], { dtype: torch.float32 })), e.bcel_size!);
    expectPyError(() => F.mse_loss(torch.tensor([1, 2]), torch.tensor([1, 3])), e.mse_int!);
    expectPyError(() => F.mse_loss(x4, x4, { reduction: 'avg' as 'mean' }), e.mse_reduction!);
    expectPyError(() => F.smooth_l1_loss(x4, x4, { beta: -1 }), e.smooth_l1_beta!);
  });

  it('take PyTorch\'s positional weight, then keyword options', () => {
    const x = torch.tensor([[1.2, -0.3, 0.5], [0.1, 0.2, -0.7]]);
    const t = torch.tensor([2, 0]);
    const w = torch.tensor([1, 2, 0.5]);
    expect(F.cross_entropy(x, t, w, { reduction: 'sum' }).item()).toBe(F.cross_entropy(x, t, { weight: w, reduction: 'sum' }).item());
    expect(F.nll_loss(x, t, w).item()).toBe(F.nll_loss(x, t, { weight: w }).item());
    const p = x.sigmoid();
    const y = torch.tensor([[0, 1, 1], [1, 0, 0]], { dtype: torch.float32 });
    expect(F.binary_cross_entropy(p, y, y.add(1)).item()).toBe(F.binary_cross_entropy(p, y, { weight: y.add(1) }).item());
    expect(F.leaky_relu(x, 0.3, { inplace: false }).tolist()).toEqual(F.leaky_relu(x, { negative_slope: 0.3 }).tolist());
    expect(F.softplus(x, 2, { threshold: 1 }).tolist()).toEqual(F.softplus(x, { beta: 2, threshold: 1 }).tolist());
  });

  it('warns once when a regression target broadcasts, as PyTorch does', () => {
    const seen: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void seen.push(m);
    try {
      F.l1_loss(torch.zeros([2, 7]), torch.zeros([7]));
      F.l1_loss(torch.zeros([2, 7]), torch.zeros([7]));
    } finally {
      console.warn = warn;
    }
    expect(seen).toEqual([
      'UserWarning: Using a target size (torch.Size([7])) that is different to the input size (torch.Size([2, 7])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
    ]);
  });
});

describe('linear, one_hot, dropout', () => {
  for (const c of g.linear.cases) {
    it(`linear on input ${JSON.stringify(c.shape)}${c.bias ? '' : ' without bias'} (${c.grad_fn})`, () => {
      const x = torch.tensor(c.x, { dtype: torch.float32, requires_grad: true });
      const w = torch.tensor(g.linear.w, { dtype: torch.float32, requires_grad: true });
      const b = c.bias ? torch.tensor(g.linear.b, { dtype: torch.float32, requires_grad: true }) : null;
      const y = F.linear(x, w, b);
      expect(y.grad_fn?.name()).toBe(c.grad_fn);
      expectClose(y.tolist(), c.y);
      y.mul(y).sum().backward();
      expectClose(x.grad!.tolist(), c.gx);
      expectClose(w.grad!.tolist(), c.gw);
      if (b) expectClose(b.grad!.tolist(), c.gb);
    });
  }

  it('one_hot as PyTorch, with its errors', () => {
    expect(F.one_hot(torch.tensor(g.one_hot.x)).tolist()).toEqual(g.one_hot.y);
    const y5 = F.one_hot(torch.tensor([[0, 2], [1, 4]]), 5);
    expect(y5.dtype).toBe(torch.int64);
    expect(y5.tolist()).toEqual(g.one_hot.y5);
    const e = g.loss_errors;
    expectPyError(() => F.one_hot(torch.tensor([1, 2], { dtype: torch.float32 })), e.one_hot_float!);
    expectPyError(() => F.one_hot(torch.tensor([1, -2])), e.one_hot_neg!);
    expectPyError(() => F.one_hot(torch.tensor([1, 3]), 3), e.one_hot_big!);
  });

  it('dropout: identity when not training, p = 0 or p = 1 as PyTorch, scaled mask otherwise', () => {
    const x = torch.ones([2000], { requires_grad: true });
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.dropout(x, 1).sum().item()).toBe(0);
    torch.manual_seed(0);
    const y = F.dropout(x, { p: 0.25 });
    const vals = y.tolist() as number[];
    expect(vals.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const kept = vals.filter((v) => v !== 0).length / vals.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.04);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual(vals.map((v) => (v === 0 ? 0 : Math.fround(1 / 0.75))));
    expectPyError(() => F.dropout(x, 1.5), g.loss_errors.dropout_p!);
  });
});
