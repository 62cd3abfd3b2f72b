/**
 * The CPU's fused softmax / log_softmax / nll_loss kernels (lib/backends/cpu/softmax.ts) against
 * the composed ops they replace: each case runs once with the kernels installed on the CPU
 * backend and once without, forward and backward, over layouts (class dim first, last, in the
 * middle, transposed inputs), dtypes, weights, ignore_index, reductions and non-finite values.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, type Tensor } from '../lib/index.js';
import { cpuBackend } from '../lib/backends/cpu/index.js';
import { softmaxKernels } from '../lib/backends/cpu/softmax.js';
import { IndexError } from '../lib/errors.js';

type Mutable = Record<string, unknown>;
const names = Object.keys(softmaxKernels);
const before = Object.fromEntries(names.map((k) => [k, (cpuBackend as unknown as Mutable)[k]]));

/** Installs the kernels, or removes them so that the ops compose (whether or not the backend has them by default). */
function setFused(on: boolean): void {
  for (const k of names) {
    if (on) (cpuBackend as unknown as Mutable)[k] = (softmaxKernels as unknown as Mutable)[k];
    else delete (cpuBackend as unknown as Mutable)[k];
  }
}

afterEach(() => {
  for (const k of names) {
    if (before[k] === undefined) delete (cpuBackend as unknown as Mutable)[k];
    else (cpuBackend as unknown as Mutable)[k] = before[k];
  }
});

/** Runs `f` on fresh leaves cloned from `inputs` with and without the kernels: outputs and gradients. */
function both(inputs: Tensor[], f: (...xs: Tensor[]) => Tensor, seed?: Tensor): { fused: Tensor[]; plain: Tensor[] } {
  const run = (on: boolean): Tensor[] => {
    setFused(on);
    const xs = inputs.map((x) => x.detach().clone().requires_grad_(x.dtype.is_floating_point));
    const y = f(...xs);
    const g = seed ?? torch.ones_like(y);
    y.backward(g);
    setFused(false);
    return [y.detach(), ...xs.map((x) => x.grad ?? torch.zeros([]))];
  };
  return { fused: run(true), plain: run(false) };
}

function expectNear(a: Tensor[], b: Tensor[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(x.shape).toEqual(y.shape);
    expect(x.dtype).toBe(y.dtype);
    // NaN where the composed op has NaN, close elsewhere
    expect(x.isnan().equal(y.isnan())).toBe(true);
    const fin = y.isfinite();
    expect(x.isfinite().equal(fin)).toBe(true);
    if (fin.any().item()) expect(x.get(fin).allclose(y.get(fin), { rtol: tol, atol: tol })).toBe(true);
    expect(x.get(y.isinf()).equal(y.get(y.isinf()))).toBe(true);
  });
}

describe('CPU fused softmax kernels', () => {
  it('are used when installed', () => {
    setFused(true);
    let calls = 0;
    const k = cpuBackend.softmax!;
    (cpuBackend as unknown as Mutable).softmax = (...a: Parameters<typeof k>) => {
      calls++;
      return k(...a);
    };
    F.log_softmax(torch.randn([3, 4]), 1);
    expect(calls).toBe(1);
  });

  for (const log of [true, false]) {
    const name = log ? 'log_softmax' : 'softmax';
    it(`${name} matches the composed op over dims and layouts`, () => {
      torch.manual_seed(0);
      const x3 = torch.randn([3, 4, 5]).mul(4);
      for (const dim of [0, 1, 2, -1]) {
        const g = torch.randn([3, 4, 5]);
        const { fused, plain } = both([x3], (x) => (log ? F.log_softmax(x, dim) : F.softmax(x, dim)), g);
        expectNear(fused, plain, 1e-6);
      }
      const xt = torch.randn([6, 7]).t();
      const r = both([xt], (x) => (log ? x.log_softmax(1) : x.softmax(1)), torch.randn([7, 6]));
      expectNear(r.fused, r.plain, 1e-6);
      const x64 = torch.randn([4, 9], { dtype: torch.float64 }).mul(30);
      const r64 = both([x64], (x) => (log ? x.log_softmax(1) : x.softmax(1)), torch.randn([4, 9], { dtype: torch.float64 }));
      expectNear(r64.fused, r64.plain, 1e-12);
      const x1 = torch.randn([5]);
      const r1 = both([x1], (x) => (log ? x.log_softmax(0) : x.softmax(0)), torch.randn([5]));
      expectNear(r1.fused, r1.plain, 1e-6);
    });

    it(`${name} handles NaN, infinities and large values as the composed op`, () => {
      const x = torch.tensor([
        [1, NaN, 2, 3],
        [Infinity, 1, 2, 3],
        [-Infinity, 1, 2, 3],
        [-Infinity, -Infinity, -Infinity, -Infinity],
        [1000, 1001, -1000, 0],
      ]);
      const r = both([x], (t) => (log ? t.log_softmax(1) : t.softmax(1)), torch.ones([5, 4]));
      expectNear(r.fused, r.plain, 1e-6);
    });
  }

  it('nll_loss and cross_entropy match the composed ops', () => {
    torch.manual_seed(1);
    type Opts = { reduction?: 'none' | 'mean' | 'sum'; weight?: Tensor; ignore_index?: number };
    const cases: { x: Tensor; t: Tensor; opts: Opts }[] = [
      { x: torch.randn([10, 10]), t: torch.randint(0, 10, [10]), opts: {} },
      { x: torch.randn([6, 4]), t: torch.tensor([0, 3, -100, 2, 1, -100]), opts: { reduction: 'sum' } },
      { x: torch.randn([6, 4]), t: torch.tensor([0, 3, 1, 2, 1, 1]), opts: { reduction: 'none', weight: torch.tensor([1, 2, 0.5, 3]) } },
      { x: torch.randn([6, 4]), t: torch.tensor([0, 3, 1, 2, 1, 1]), opts: { weight: torch.tensor([1, 2, 0.5, 3]), ignore_index: 1 } },
      { x: torch.randn([2, 3, 4, 5]), t: torch.randint(0, 3, [2, 4, 5]), opts: {} },
      { x: torch.randn([2, 3, 4]), t: torch.randint(0, 3, [2, 4]), opts: { reduction: 'none' } },
      { x: torch.randn([5]), t: torch.tensor(2), opts: {} },
      { x: torch.randn([4, 6], { dtype: torch.float64 }).t(), t: torch.tensor([0, 1, 2, 3, 0, 1]), opts: {} },
    ];
    for (const { x, t, opts } of cases) {
      const seedShape = opts.reduction === 'none' ? t.shape : [];
      const seed = torch.randn([...seedShape], { dtype: x.dtype });
      const nll = both([x], (v) => F.nll_loss(v.log_softmax(x.dim() === 1 ? 0 : 1), t, opts), seed);
      expectNear(nll.fused, nll.plain, 1e-6);
      const ce = both([x], (v) => F.cross_entropy(v, t, opts), seed);
      expectNear(ce.fused, ce.plain, 1e-6);
    }
  });

  it('nll_loss gives the same bits as the composed op on log-probabilities', () => {
    const x = torch.randn([10, 10]).log_softmax(1);
    const t = torch.randint(0, 10, [10]);
    const { fused, plain } = both([x], (v) => F.nll_loss(v, t));
    fused.forEach((a, i) => expect(torch.equal(a, plain[i]!)).toBe(true));
  });

  it("raises PyTorch's error for a target out of range, at once", () => {
    setFused(true);
    const x = torch.randn([3, 4]);
    expect(() => F.nll_loss(x, torch.tensor([0, 4, 1]))).toThrow(IndexError);
    expect(() => F.nll_loss(x, torch.tensor([0, 4, 1]))).toThrow('Target 4 is out of bounds.');
    expect(() => F.cross_entropy(x, torch.tensor([-1, 0, 1]))).toThrow('Target -1 is out of bounds.');
    setFused(false);
    expect(() => F.nll_loss(x, torch.tensor([0, 4, 1]))).toThrow('Target 4 is out of bounds.');
  });
});
