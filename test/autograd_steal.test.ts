/**
 * Gradient stealing (lib/autograd/engine.ts): backward hands a gradient to a leaf's `.grad`
 * without a copy only when nothing else can refer to it. Each case checks the values against
 * the plain computation and that no two places share a gradient's memory (an in-place change
 * of one `.grad` shows nowhere else); `stealStats` shows whether the fast path ran.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn, optim, type Tensor } from '../lib/index.js';
import { stealStats } from '../lib/autograd/engine.js';
import type { FunctionCtx } from '../lib/autograd/index.js';
import { inWasmMemory, wasmGemmConfig } from '../lib/backends/cpu/wasm/gemm.js';
import { cpuDonateConfig, type CpuStorage } from '../lib/backends/cpu/index.js';

const stolenDuring = (fn: () => void): number => {
  const before = stealStats.stolen;
  fn();
  return stealStats.stolen - before;
};

/** `b` is unchanged by an in-place change of `a` (they share no memory). */
function expectIndependent(a: Tensor, b: Tensor): void {
  const saved = b.clone();
  a.add_(1000);
  expect(torch.equal(b, saved)).toBe(true);
  a.sub_(1000);
}

describe('gradient stealing', () => {
  it('takes the gradients of a Linear layer without copies, with the same values', () => {
    torch.manual_seed(0);
    const fc = new nn.Linear(20, 7);
    const x = torch.randn([5, 20]);
    const c = torch.randn([5, 7]);
    const n = stolenDuring(() => fc(x).mul(c).sum().backward());
    expect(n).toBe(2);
    // dL/dout = c: W.grad = cᵀ x, b.grad = Σ c over the batch
    expect(torch.equal(fc.weight.grad!, c.t().mm(x))).toBe(true);
    expect(torch.equal(fc.bias!.grad!, c.sum(0))).toBe(true);
    expect(fc.weight.grad!.is_contiguous()).toBe(true);
    expect(fc.weight.grad!.is_leaf).toBe(true);
    expect(fc.weight.grad!.requires_grad).toBe(false);
    expect(fc.weight.grad!.grad_fn).toBe(null);
    // a second backward adds into the taken gradients in place
    const w1 = fc.weight.grad!;
    expect(stolenDuring(() => fc(x).mul(c).sum().backward())).toBe(0);
    expect(fc.weight.grad).toBe(w1);
    expect(torch.allclose(w1, c.t().mm(x).mul(2))).toBe(true);
  });

  it('computes the gradient of a column-major operand transposed, with the same sums', () => {
    const saved = { ...wasmGemmConfig };
    try {
      // the packed kernel sums each element in k order whatever the layouts; the reference products
      // below with few rows and W.t() operands would otherwise run gemmNT, which sums in 4 lanes
      wasmGemmConfig.ntMaxRows = 0;
      for (const enabled of [true, false]) {
        wasmGemmConfig.enabled = enabled;
        for (const [m, k, n] of [[10, 784, 64], [3, 5, 4], [64, 64, 10]] as const) {
          const x = torch.randn([m, k]);
          const w = torch.randn([n, k], { requires_grad: true });
          const g = torch.randn([m, n]);
          x.mm(w.t()).backward(g);
          expect(torch.equal(w.grad!, x.t().mm(g).t())).toBe(true);
          const b = torch.randn([n], { requires_grad: true });
          const w2 = torch.randn([n, k], { requires_grad: true });
          b.addmm(x, w2.t(), { alpha: 0.5 }).backward(g);
          expect(torch.equal(w2.grad!, x.t().mm(g).t().mul(0.5))).toBe(true);
          // a column-major first operand gets its gradient in its own layout, so it is taken too
          const xl = torch.randn([k, m], { requires_grad: true });
          const m2 = torch.randn([k, n]);
          expect(stolenDuring(() => xl.t().mm(m2).backward(g))).toBe(1);
          expect(torch.equal(xl.grad!, g.mm(m2.t()).t())).toBe(true);
          expect(xl.grad!.is_contiguous()).toBe(true);
        }
      }
    } finally {
      Object.assign(wasmGemmConfig, saved);
    }
  });

  it('never lets one gradient reach two leaves', () => {
    const a = torch.randn([4], { requires_grad: true });
    const b = torch.randn([4], { requires_grad: true });
    // AddBackward0 hands the same tensor to both inputs
    const n = stolenDuring(() => a.add(b).mul(2).sum().backward());
    expect(n).toBe(1);
    expect(a.grad!._storage).not.toBe(b.grad!._storage);
    expect(a.grad!.tolist()).toEqual([2, 2, 2, 2]);
    expectIndependent(a.grad!, b.grad!);
    expectIndependent(b.grad!, a.grad!);
  });

  it('never takes a gradient a leaf receives twice (summed first) or that a view shares', () => {
    const a = torch.randn([2, 3], { requires_grad: true });
    const y = a.mul(3);
    const loss = y.add(a).sum().add(a.view(6).mul(2).sum());
    loss.backward();
    expect(a.grad!.tolist()).toEqual([[3, 3, 3], [3, 3, 3]].map((r) => r.map((v) => v + 1 + 2)));
  });

  it('keeps retain_grad and the leaf gradient apart', () => {
    const x = torch.randn([2, 2], { requires_grad: true });
    const y = x.view(4);
    y.retain_grad();
    y.mul(3).sum().backward();
    expect(x.grad!.tolist()).toEqual([[3, 3], [3, 3]]);
    expect(x.grad!._storage).not.toBe(y.grad!._storage);
    expectIndependent(x.grad!, y.grad!);
    expectIndependent(y.grad!, x.grad!);
  });

  it('keeps what a tensor hook saw or returned apart from the leaf gradient', () => {
    const x = torch.randn([3], { requires_grad: true });
    const y = x.view(3);
    let seen: Tensor | null = null;
    y.register_hook((g) => {
      seen = g;
    });
    y.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    expect(x.grad!._storage).not.toBe(seen!._storage);
    expectIndependent(x.grad!, seen!);

    const z = torch.randn([3], { requires_grad: true });
    let made: Tensor | null = null;
    z.register_hook((g) => {
      made = g.mul(10);
      return made;
    });
    z.mul(2).sum().backward();
    expect(z.grad!.tolist()).toEqual([20, 20, 20]);
    expect(z.grad!._storage).not.toBe(made!._storage);
    expectIndependent(z.grad!, made!);
  });

  it('copies the gradient of a custom Function, which may keep it', () => {
    let kept: Tensor | null = null;
    class Twice extends torch.autograd.Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        kept = g.mul(2);
        return kept;
      }
    }
    const x = torch.randn([3], { requires_grad: true });
    const n = stolenDuring(() => Twice.apply(x).sum().backward());
    expect(n).toBe(0);
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    expectIndependent(x.grad!, kept!);
  });

  it('copies a gradient given to backward', () => {
    const x = torch.randn([3], { requires_grad: true });
    const v = torch.tensor([1, 2, 3], { dtype: torch.float32 });
    x.backward(v);
    expect(x.grad!._storage).not.toBe(v._storage);
    expectIndependent(x.grad!, v);
    const y = torch.randn([3], { requires_grad: true });
    const w = torch.tensor([4, 5, 6], { dtype: torch.float32 });
    y.view(3).backward(w); // passes through ViewBackward0 unchanged
    expectIndependent(y.grad!, w);
    expect(y.grad!.tolist()).toEqual([4, 5, 6]);
  });

  it('copies with create_graph, so the gradient keeps its graph', () => {
    const x = torch.tensor([1, 2, 3], { dtype: torch.float32, requires_grad: true });
    const n = stolenDuring(() => x.pow(3).sum().backward(null, { create_graph: true }));
    expect(n).toBe(0);
    expect(x.grad!.requires_grad).toBe(true);
    expect(x.grad!.grad_fn?.name()).toBe('CopyBackwards'); // as PyTorch 1.13
    const g = x.grad!;
    x.grad = null;
    g.sum().backward();
    expect(x.grad!.tolist()).toEqual([6, 12, 18]);
  });

  it('takes only gradients laid out as their clone would be', () => {
    // TBackward0 gives the transpose of a contiguous gradient: not contiguous, so it is copied
    const x = torch.randn([2, 3], { requires_grad: true });
    const c = torch.randn([3, 2]);
    expect(stolenDuring(() => x.t().mul(c).sum().backward())).toBe(0);
    expect(x.grad!.is_contiguous()).toBe(true);
    expect(torch.equal(x.grad!, c.t())).toBe(true);
    // a narrow view's gradient is laid out in a fresh zero tensor of the base's shape
    const y = torch.randn([5], { requires_grad: true });
    y.narrow(0, 1, 2).mul(3).sum().backward();
    expect(y.grad!.tolist()).toEqual([0, 3, 3, 0, 0]);
  });

  it('leaves autograd.grad results to the caller and .grad untouched', () => {
    const x = torch.randn([3], { requires_grad: true });
    const [g] = torch.autograd.grad(x.mul(2).sum(), [x]);
    expect(x.grad).toBe(null);
    expect(g!.tolist()).toEqual([2, 2, 2]);
  });

  it('trains the lecture MLP to the same weights as with copies', () => {
    // the same steps twice: with stealing as it runs, and with every gradient cloned by a hook
    const run = (copy: boolean): Tensor[] => {
      torch.manual_seed(0);
      const net = new nn.Sequential(new nn.Linear(12, 8), new nn.ReLU(), new nn.Linear(8, 3));
      const params = [...net.parameters()];
      if (copy) for (const p of params) p.register_hook((g) => g.clone());
      const opt = new torch.optim.Adam(params, { lr: 0.01 });
      for (let i = 0; i < 5; i++) {
        opt.zero_grad();
        F.cross_entropy(net(torch.randn([4, 12])), torch.randint(0, 3, [4])).backward();
        opt.step();
      }
      return params;
    };
    const stolen = stolenDuring(() => run(false));
    expect(stolen).toBe(20);
    const a = run(false);
    const b = run(true);
    a.forEach((p, i) => expect(torch.equal(p, b[i]!)).toBe(true));
  });
});

/**
 * Donation (Pending.donate in lib/autograd/engine.ts, Backend.donate): the memory of a gradient
 * backward made and used up goes back to the CPU allocator for the allocations that follow. The
 * values must be those without donation, and a gradient user code saw (a hook, a custom Function,
 * retain_grad, the seed) must keep its values however much is allocated afterwards.
 */
describe('gradient memory donated back to the allocator', () => {
  // 64 x 6 x 12 x 12 floats: 221 KB, above the allocator's 8 KiB slabs
  const shape = [64, 6, 12, 12];
  /** Allocates and overwrites enough same-sized tensors to take back any donated block. */
  const churn = () => {
    for (let i = 0; i < 8; i++) torch.full(shape, 7).relu();
  };

  it('gives back the gradients between layers, with the values of a run without it', () => {
    const run = (enabled: boolean) => {
      cpuDonateConfig.enabled = enabled;
      try {
        torch.manual_seed(0);
        const conv = new nn.Conv2d(6, 6, 3, { padding: 1 });
        const x = torch.randn(shape, { requires_grad: true });
        const before = cpuDonateConfig.taken;
        for (let i = 0; i < 2; i++) F.max_pool2d(F.relu(conv(F.relu(x))), 2).sum().backward();
        return { taken: cpuDonateConfig.taken - before, grads: [x.grad!, conv.weight.grad!, conv.bias!.grad!] };
      } finally {
        cpuDonateConfig.enabled = true;
      }
    };
    const off = run(false);
    const on = run(true);
    expect(off.taken).toBe(0);
    expect(on.taken).toBeGreaterThan(0);
    on.grads.forEach((g, i) => expect(torch.equal(g, off.grads[i]!)).toBe(true));
  });

  it('keeps what a hook, retain_grad or a custom Function saw', () => {
    let hooked: Tensor | null = null;
    let kept: Tensor | null = null;
    class Keep extends torch.autograd.Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(1);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        kept = g;
        return g.mul(3);
      }
    }
    const x = torch.randn(shape, { requires_grad: true });
    const a = x.mul(2).relu();
    a.retain_grad();
    const b = a.mul(5);
    b.register_hook((g) => {
      hooked = g;
    });
    const c = Keep.apply(b.relu()).mul(4);
    c.sum().backward();
    const saved = [hooked!.clone(), kept!.clone(), a.grad!.clone()];
    churn();
    expect(torch.equal(hooked!, saved[0]!)).toBe(true);
    expect(torch.equal(kept!, saved[1]!)).toBe(true);
    expect(torch.equal(a.grad!, saved[2]!)).toBe(true);
    expect(torch.equal(x.grad!, a.grad!.mul(2).mul(x.gt(0)))).toBe(true);
  });

  it("gives back max pooling's indices after backward unless they were returned, or the graph is kept", () => {
    const x = torch.randn(shape, { requires_grad: true });
    let before = cpuDonateConfig.taken;
    F.max_pool2d(x, 2).sum().backward();
    expect(cpuDonateConfig.taken - before).toBe(1);
    const [v, idx] = F.max_pool2d(x, 2, { return_indices: true });
    const idxCopy = idx.clone();
    // a gradient added into an existing .grad is given back too: start from none
    x.grad = null;
    before = cpuDonateConfig.taken;
    v.sum().backward();
    expect(cpuDonateConfig.taken - before).toBe(0);
    // retained: a second backward needs them
    const y = F.max_pool2d(x, 2).mul(2).sum();
    y.backward(null, { retain_graph: true });
    churn();
    x.grad = null;
    y.backward();
    const x2 = x.detach().clone().requires_grad_(true);
    F.max_pool2d(x2, 2).mul(2).sum().backward();
    expect(torch.equal(x.grad!, x2.grad!)).toBe(true);
    churn();
    expect(torch.equal(idx, idxCopy)).toBe(true);
  });

  it("keeps max pooling's private indices in the kernels' memory from the second step, with the same gradients", () => {
    const train = (resident: boolean) => {
      cpuDonateConfig.resident = resident;
      try {
        torch.manual_seed(5);
        const x = torch.randn([64, 6, 12, 12], { requires_grad: true });
        const where: boolean[] = [];
        for (let s = 0; s < 3; s++) {
          x.grad = null;
          const y = F.max_pool2d(x.mul(1), 2);
          const node = y.grad_fn as unknown as { owned: Tensor[] };
          where.push(inWasmMemory((node.owned[0]!._storage as CpuStorage).data));
          y.mul(torch.arange(y.numel()).view(y.shape)).sum().backward();
        }
        return { where, grad: x.grad!.clone() };
      } finally {
        cpuDonateConfig.resident = true;
      }
    };
    const js = train(false);
    const resident = train(true);
    expect(js.where).toEqual([false, false, false]);
    // (the first step's may come from an earlier test's block of this size)
    expect(resident.where.slice(1)).toEqual([true, true]);
    expect(torch.equal(resident.grad, js.grad)).toBe(true);
  });

  it('keeps the gradients autograd.grad returns and the seed given to backward', () => {
    const x = torch.randn(shape, { requires_grad: true });
    const seed = torch.randn(shape);
    const seedCopy = seed.clone();
    const [gx] = torch.autograd.grad([x.mul(3).relu().mul(2)], [x], { grad_outputs: [seed] });
    const gCopy = gx!.clone();
    const y = torch.randn(shape, { requires_grad: true });
    y.mul(3).relu().backward(seed);
    churn();
    expect(torch.equal(seed, seedCopy)).toBe(true);
    expect(torch.equal(gx!, gCopy)).toBe(true);
  });
});

describe('gradients given back by zero_grad', () => {
  // a Linear(300, 40) weight gradient: 48,000 bytes, above the 8 KiB slabs
  const setup = () => {
    torch.manual_seed(3);
    const fc = new nn.Linear(300, 40);
    const x = torch.randn([16, 300]);
    const opt = new optim.SGD(fc.parameters(), { lr: 0.01, momentum: 0.9 });
    const step = () => {
      opt.zero_grad();
      fc(x).square().sum().backward();
      opt.step();
    };
    return { fc, x, opt, step };
  };
  /** Allocates and overwrites tensors of the gradient's size, to take back any block given back. */
  const churn = () => {
    for (let i = 0; i < 8; i++) torch.full([40, 300], 7).relu().mul(torch.full([40, 300], 2));
  };
  const inWasm = (t: Tensor) => inWasmMemory((t._storage as CpuStorage).data);

  it('gives back a gradient nobody read through .grad, and trains as without it', () => {
    const train = (enabled: boolean, resident: boolean) => {
      cpuDonateConfig.enabled = enabled;
      cpuDonateConfig.resident = resident;
      try {
        const { fc, step } = setup();
        const before = cpuDonateConfig.taken;
        for (let s = 0; s < 4; s++) step();
        return { taken: cpuDonateConfig.taken - before, w: fc.weight.detach().clone(), grad: fc.weight.grad!.clone() };
      } finally {
        cpuDonateConfig.enabled = true;
        cpuDonateConfig.resident = true;
      }
    };
    const off = train(false, false);
    const js = train(true, false);
    const resident = train(true, true);
    expect(off.taken).toBe(0);
    // the weight's gradient at each zero_grad after the first (the bias's is a slab's share)
    expect(js.taken).toBe(3);
    expect(resident.taken).toBe(3);
    for (const r of [js, resident]) {
      expect(torch.equal(r.w, off.w)).toBe(true);
      expect(torch.equal(r.grad, off.grad)).toBe(true);
    }
  });

  it("keeps the weight gradient in the kernels' memory from the second step (values: the test above)", () => {
    const { fc, step } = setup();
    step();
    expect(inWasm(fc.weight._grad!)).toBe(false);
    for (let s = 0; s < 3; s++) {
      step();
      expect(inWasm(fc.weight._grad!)).toBe(true);
    }
    // a product of another shape still lands in a JavaScript array
    expect(inWasm(torch.randn([40, 16]).mm(torch.randn([16, 300])))).toBe(false);
  });

  it('keeps a gradient read or set through .grad, whatever zero_grad does next', () => {
    const { fc, step } = setup();
    step();
    const read = fc.weight.grad!;
    const readCopy = read.clone();
    step();
    const mine = torch.randn([40, 300]);
    const mineCopy = mine.clone();
    fc.weight.grad = mine;
    const before = cpuDonateConfig.taken;
    step();
    step();
    churn();
    // the gradient read, and the one set, were not given back; the ones made since were
    expect(cpuDonateConfig.taken - before).toBe(1);
    expect(torch.equal(read, readCopy)).toBe(true);
    expect(torch.equal(mine, mineCopy)).toBe(true);
  });

  it('still gives back the gradients clip_grad_norm_ scaled', () => {
    const { fc, x, opt } = setup();
    const taken = () => {
      const before = cpuDonateConfig.taken;
      opt.zero_grad();
      return cpuDonateConfig.taken - before;
    };
    fc(x).square().sum().backward();
    nn.utils.clip_grad_norm_(fc.parameters(), 1.0);
    expect(taken()).toBe(1);
    fc(x).square().sum().backward();
    void fc.weight.grad;
    expect(taken()).toBe(0);
  });

  it("keeps no more blocks in the kernels' memory than residentMax allows", () => {
    const max = cpuDonateConfig.residentMax;
    cpuDonateConfig.residentMax = 0;
    try {
      // a size no earlier test made a block of
      const fc = new nn.Linear(301, 40);
      const opt = new optim.SGD(fc.parameters(), { lr: 0.01 });
      const x = torch.randn([16, 301]);
      for (let s = 0; s < 3; s++) {
        opt.zero_grad();
        fc(x).square().sum().backward();
        opt.step();
        expect(inWasm(fc.weight._grad!)).toBe(false);
      }
    } finally {
      cpuDonateConfig.residentMax = max;
    }
  });

  it('gives back a gradient added into an existing .grad (zero_grad(set_to_none=False))', () => {
    const train = (enabled: boolean) => {
      cpuDonateConfig.enabled = enabled;
      try {
        const { fc, x, opt } = setup();
        const before = cpuDonateConfig.taken;
        for (let s = 0; s < 3; s++) {
          opt.zero_grad(false);
          fc(x).square().sum().backward();
          churn();
          opt.step();
        }
        return { taken: cpuDonateConfig.taken - before, w: fc.weight.detach().clone() };
      } finally {
        cpuDonateConfig.enabled = true;
      }
    };
    const off = train(false);
    const on = train(true);
    expect(on.taken).toBe(2);
    expect(torch.equal(on.w, off.w)).toBe(true);
  });
});
