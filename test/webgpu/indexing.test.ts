/**
 * Indexing on 'cuda' without host reads: x[idx], x[idx] = v, index_put_ (accumulate), gather,
 * scatter / scatter_add / scatter with reduce, index_select, index_add_, take and F.embedding
 * check their indices on the device. Each op is compared with the CPU (negative indices, int32
 * indices, gradients), an out-of-range index raises at the next read with the CPU's message
 * inside PyTorch's "device-side assert triggered" (the CPU raises at once, as before), and
 * training steps built on these ops read nothing back.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, nn, optim, type Tensor } from '../../lib/index.js';
import { _deviceStats } from '../../lib/backends/webgpu/client.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

type Dev = 'cpu' | 'cuda';

function randn(shape: number[], seed: number): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape);
}
const long = (v: number[] | number[][], dev: Dev) => torch.tensor(v).to(dev);
const int = (v: number[] | number[][], dev: Dev) => torch.tensor(v, { dtype: torch.int32 }).to(dev);

/** Work sent to the device and read back while `f` runs. */
function traffic<T>(f: () => T): { out: T; reads: number; dispatches: number } {
  const s0 = _deviceStats();
  const out = f();
  const s1 = _deviceStats();
  return { out, reads: s1.reads - s0.reads, dispatches: s1.dispatches - s0.dispatches };
}

/**
 * Runs `f` on both devices: on cuda it must read nothing back (the backward included); the
 * tensors it returns must match the CPU's.
 */
function same(what: string, f: (dev: Dev) => Tensor[]): void {
  const gpu = traffic(() => f('cuda'));
  expect(gpu.reads, `${what}: reads back on cuda`).toBe(0);
  expect(gpu.dispatches, `${what}: dispatches`).toBeGreaterThan(0);
  const cpu = f('cpu');
  cpu.forEach((c, i) => expectSame(gpu.out[i]!, c, 1e-5, 1e-5, `${what} [${i}]`));
}

/** `x` (from the CPU's seeded generator) on `dev`, as a leaf that requires grad. */
const leaf = (shape: number[], seed: number, dev: Dev) => randn(shape, seed).to(dev).requires_grad_();
/** Backpropagates a weighted sum of `y` (weights not all ones) and returns y with the grads of `xs`. */
function withGrads(y: Tensor, ...xs: Tensor[]): Tensor[] {
  const w = randn([...y.shape], 99).to(y.device);
  y.mul(w).sum().backward();
  return [y, ...xs.map((x) => x.grad!)];
}

describe.skipIf(!hasGpu)(`indexing ops on cuda match the cpu and read nothing back${skipReason}`, () => {
  it('x[idx]: negative, 2-d, several and int32 index tensors, with slices; the gradient', () => {
    same('x[idx 2-d, negative]', (dev) => {
      const x = leaf([5, 3], 1, dev);
      return withGrads(x.get(long([[1, -1], [0, -5]], dev)), x);
    });
    same('x[:, i, j] adjacent', (dev) => {
      const x = leaf([2, 4, 3], 2, dev);
      return withGrads(x.get(':', long([3, -4, 1], dev), int([-1, 0, 2], dev)), x);
    });
    same('x[i, :, j] separated', (dev) => {
      const x = leaf([4, 2, 3], 3, dev);
      return withGrads(x.get(long([[0], [-1]], dev), ':', long([2, -3], dev)), x);
    });
    same('x[i, 1:3] on a transposed view, repeated indices', (dev) => {
      const x = leaf([4, 5], 4, dev);
      return withGrads(x.T.get(long([4, 4, -2], dev), '1:3'), x);
    });
    same('x[number[]] made on the cpu', (dev) => {
      const x = leaf([6], 5, dev);
      return withGrads(x.get([5, -6, 2]), x);
    });
  });

  it('x[idx] = v, index_put_ with and without accumulate, negative and repeated indices', () => {
    same('x[idx] = tensor', (dev) => {
      const x = randn([5, 2], 6).to(dev);
      x.set(long([-1, 0], dev), randn([2, 2], 7).to(dev));
      return [x];
    });
    same('x[i, j] = number', (dev) => {
      const x = randn([3, 4], 8).to(dev);
      x.set(long([0, 2], dev), int([-1, 1], dev), 7);
      return [x];
    });
    same('index_put_ accumulate', (dev) => {
      const x = randn([4, 3], 9).to(dev);
      x.index_put_([long([0, -4, 3, -1], dev), long([2, 2, -3, 0], dev)], randn([4], 10).to(dev), true);
      return [x];
    });
    same('index_put with autograd', (dev) => {
      const x = leaf([4, 3], 11, dev);
      const v = leaf([2, 3], 12, dev);
      const y = x.mul(1).index_put_([long([-1, 1], dev)], v, true);
      return withGrads(y, x, v);
    });
  });

  it('gather, scatter, scatter_add and scatter with reduce, over each dim; the gradients', () => {
    for (const d of [0, 1]) {
      same(`gather(${d})`, (dev) => {
        const x = leaf([3, 4], 13, dev);
        return withGrads(x.gather(d, long([[2, 0, 1], [0, 2, 2]], dev)), x);
      });
      same(`scatter(${d}) src`, (dev) => {
        const x = leaf([3, 4], 14, dev);
        const src = leaf([2, 3], 15, dev);
        return withGrads(x.scatter(d, long([[0, 1, 2], [2, 0, 1]], dev), src), x, src);
      });
      same(`scatter_add(${d}) repeated`, (dev) => {
        const x = leaf([3, 4], 16, dev);
        const src = leaf([2, 3], 17, dev);
        return withGrads(x.scatter_add(d, long([[1, 1, 2], [1, 0, 1]], dev), src), x, src);
      });
    }
    same('scatter number, scatter_ in place', (dev) => {
      const x = torch.zeros([3, 5], { device: dev });
      x.scatter_(1, long([[4], [0], [2]], dev), 1.5);
      return [x, torch.zeros([4], { device: dev }).scatter(0, long([3, 1], dev), -2)];
    });
    same('scatter reduce add / multiply, repeated', (dev) => {
      const idx = long([[1, 1, 0, 1]], dev);
      const src = torch.tensor([[2, 3, 5, 0.5]], { dtype: torch.float32 }).to(dev);
      const x = torch.full([1, 3], 2, { dtype: torch.float32 }).to(dev);
      return [x.scatter(1, idx, src, { reduce: 'add' }), x.scatter(1, idx, src, { reduce: 'multiply' })];
    });
    same('scatter reduce multiply, int64 and its gradient', (dev) => {
      const xi = torch.tensor([1, 2, 3]).to(dev).scatter(0, long([2, 2, 0], dev), long([4, -1, 5], dev), { reduce: 'multiply' });
      const x = leaf([3], 18, dev);
      const src = leaf([3], 19, dev);
      return [xi, ...withGrads(x.scatter(0, long([1, 1, 2], dev), src, { reduce: 'multiply' }), x, src)];
    });
  });

  it('index_select, index_add_ (int64 and int32 indices), take with negative indices', () => {
    for (const d of [0, 1]) {
      same(`index_select(${d})`, (dev) => {
        const x = leaf([3, 4], 20, dev);
        return withGrads(x.index_select(d, long([2, 0, 2], dev)), x);
      });
    }
    same('index_select int32', (dev) => {
      const x = leaf([5, 2], 21, dev);
      return withGrads(x.index_select(0, int([4, 1], dev)), x);
    });
    same('index_add_ alpha, repeated', (dev) => {
      const x = randn([4, 3], 22).to(dev);
      x.index_add_(0, long([3, 0, 3], dev), randn([3, 3], 23).to(dev), { alpha: 2 });
      const y = randn([2, 5], 24).to(dev);
      y.index_add_(1, int([4, 4], dev), randn([2, 2], 25).to(dev));
      return [x, y];
    });
    same('index_add_ with autograd', (dev) => {
      const x = leaf([4, 2], 26, dev);
      const s = leaf([2, 2], 27, dev);
      return withGrads(x.mul(1).index_add_(0, long([1, 1], dev), s), x, s);
    });
    same('take negative, on a transposed view', (dev) => {
      const x = leaf([3, 4], 28, dev);
      return withGrads(x.T.take(long([[0, -1], [-12, 5]], dev)), x);
    });
  });

  it('F.embedding: padding_idx, scale_grad_by_freq, max_norm (renormalises the rows it looks up)', () => {
    same('embedding', (dev) => {
      const w = leaf([6, 3], 29, dev);
      return withGrads(F.embedding(long([[1, 5, 1], [0, 2, 1]], dev), w, { padding_idx: 1, scale_grad_by_freq: true }), w);
    });
    same('embedding int32', (dev) => {
      const w = leaf([4, 2], 30, dev);
      return withGrads(F.embedding(int([3, 0, 3], dev), w), w);
    });
    same('embedding max_norm', (dev) => {
      const w = randn([5, 4], 31).mul(3).to(dev);
      const out = F.embedding(long([[4, 1], [4, 4]], dev), w, { max_norm: 1.5 });
      return [out, w];
    });
  });
});

/** The CPU's error for `f`: its class and message. */
function cpuError(f: (dev: Dev) => unknown): { name: string; message: string } {
  try {
    f('cpu');
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('the cpu did not raise');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Bad indices: the CPU's error class and message for each op. */
const BAD: [string, string, string, (dev: Dev) => unknown][] = [
  ['x[idx]', 'IndexError', 'index 7 is out of bounds for dimension 0 with size 5', (dev) => torch.zeros([5], { device: dev }).get(long([1, 7], dev))],
  ['x[-6]', 'IndexError', 'index -6 is out of bounds for dimension 0 with size 5', (dev) => torch.zeros([5], { device: dev }).get(long([-6], dev))],
  ['x[i, j] second index', 'IndexError', 'index 4 is out of bounds for dimension 1 with size 4', (dev) => torch.zeros([3, 4], { device: dev }).get(long([0, 2], dev), long([1, 4], dev))],
  ['x[idx] = v', 'IndexError', 'index 5 is out of bounds for dimension 0 with size 5', (dev) => torch.zeros([5], { device: dev }).set(long([5], dev), 1)],
  ['index_put_ accumulate', 'IndexError', 'index -6 is out of bounds for dimension 0 with size 5', (dev) =>
    torch.zeros([5], { device: dev }).index_put_([long([0, -6], dev)], torch.ones([2], { device: dev }), true)],
  ['gather', 'RuntimeError', 'index 3 is out of bounds for dimension 1 with size 3', (dev) => torch.zeros([2, 3], { device: dev }).gather(1, long([[0, 3]], dev))],
  ['gather negative', 'RuntimeError', 'index -1 is out of bounds for dimension 1 with size 3', (dev) => torch.zeros([2, 3], { device: dev }).gather(1, long([[-1, 0]], dev))],
  ['scatter', 'RuntimeError', 'index 2 is out of bounds for dimension 0 with size 2', (dev) => torch.zeros([2, 3], { device: dev }).scatter(0, long([[2]], dev), 1)],
  ['scatter_add', 'RuntimeError', 'index 5 is out of bounds for dimension 0 with size 5', (dev) =>
    torch.zeros([5], { device: dev }).scatter_add(0, long([5], dev), torch.ones([1], { device: dev }))],
  ['scatter multiply', 'RuntimeError', 'index -1 is out of bounds for dimension 0 with size 5', (dev) =>
    torch.ones([5], { device: dev }).scatter(0, long([-1], dev), 2, { reduce: 'multiply' })],
  ['index_select', 'IndexError', 'index out of range in self', (dev) => torch.zeros([5, 2], { device: dev }).index_select(0, long([5], dev))],
  ['index_select negative', 'IndexError', 'index out of range in self', (dev) => torch.zeros([5, 2], { device: dev }).index_select(1, long([-1], dev))],
  ['index_add_', 'IndexError', 'index out of range in self', (dev) =>
    torch.zeros([5], { device: dev }).index_add_(0, long([0, 9], dev), torch.ones([2], { device: dev }))],
  ['take', 'IndexError', 'out of range: tried to access index -11 on a tensor of 10 elements.', (dev) => torch.zeros([2, 5], { device: dev }).take(long([-11], dev))],
  ['F.embedding', 'IndexError', 'index out of range in self', (dev) => F.embedding(long([[0, 5]], dev), torch.zeros([5, 2], { device: dev }))],
];

describe.skipIf(!hasGpu)(`an index out of range on cuda is a device-side assert${skipReason}`, () => {
  afterEach(() => {
    delete process.env.CUDA_LAUNCH_BLOCKING;
  });

  it('raised at the next read with the cpu\'s message; the cpu raises at once', () => {
    for (const [what, name, message, f] of BAD) {
      const cpu = cpuError(f);
      expect(cpu, `${what} on the cpu`).toEqual({ name, message });
      const op = traffic(() => f('cuda'));
      expect(op.reads, `${what}: the op reads nothing back`).toBe(0);
      const re = new RegExp(`^CUDA error: device-side assert triggered: ${escape(message)}.*\\n.*next read.*CUDA_LAUNCH_BLOCKING=1`, 's');
      expect(() => torch.cuda.synchronize(), what).toThrow(re);
      // reported once: the device goes on working
      torch.cuda.synchronize();
    }
  });

  it('surfaces at an unrelated read; index_select says where; the first failure wins', () => {
    const other = torch.arange(3, { device: 'cuda' });
    torch.zeros([4, 2], { device: 'cuda' }).index_select(0, long([1, 6], 'cuda'));
    torch.zeros([4], { device: 'cuda' }).gather(0, long([9], 'cuda'));
    expect(() => other.tolist()).toThrow(
      /^CUDA error: device-side assert triggered: index out of range in self \(index 6, dimension 0 with size 4\)\n/,
    );
    expect(other.tolist()).toEqual([0, 1, 2]);
  });

  it('with CUDA_LAUNCH_BLOCKING=1 the op that failed raises it', () => {
    process.env.CUDA_LAUNCH_BLOCKING = '1';
    const x = torch.arange(5, { device: 'cuda' });
    expect(() => x.get(long([2, 5], 'cuda'))).toThrow(/device-side assert triggered: index 5 is out of bounds for dimension 0 with size 5/);
    expect(x.get(long([2, -5], 'cuda')).tolist()).toEqual([2, 0]);
  });

  it('an index held on the cpu is checked there, at once, before it is sent', () => {
    const x = torch.arange(5, { device: 'cuda' });
    const t = traffic(() => x.get(torch.tensor([4, -1])));
    expect(t.reads).toBe(0);
    expect(t.out.tolist()).toEqual([4, 4]);
    expect(() => x.get(torch.tensor([5]))).toThrow('index 5 is out of bounds for dimension 0 with size 5');
    expect(() => x.get([0, -6])).toThrow('index -6 is out of bounds for dimension 0 with size 5');
    // a cpu mask is counted on the cpu
    const m = traffic(() => x.get(torch.tensor([true, false, true, false, true])));
    expect(m.reads).toBe(0);
    expect(m.out.tolist()).toEqual([0, 2, 4]);
    torch.cuda.synchronize();
  });

  it('a cuda bool mask and a 0-d index do read back (their result depends on the values, as in PyTorch)', () => {
    const x = torch.arange(5, { device: 'cuda' });
    const masked = traffic(() => x.get(x.gt(2)));
    expect(masked.reads).toBeGreaterThan(0);
    expect(masked.out.tolist()).toEqual([3, 4]);
    expect(traffic(() => x.masked_select(x.lt(2))).reads).toBeGreaterThan(0);
    const zeroD = traffic(() => x.get(long([3], 'cuda').reshape([])));
    expect(zeroD.reads).toBe(1);
    expect(zeroD.out.item()).toBe(3);
  });
});

describe.skipIf(!hasGpu)(`cuda training steps through indexing ops read nothing back${skipReason}`, () => {
  /**
   * Runs `steps` optimizer steps of `loss(params, batch)` on `dev` from the same initial values;
   * on cuda each step must read nothing back. Returns the losses and the final parameters.
   */
  function train(dev: Dev, make: () => nn.Module, loss: (m: nn.Module, dev: Dev, step: number) => Tensor, steps: number): { losses: Tensor[]; params: Tensor[] } {
    torch.manual_seed(0);
    const model = make().to(dev);
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const losses: Tensor[] = [];
    for (let s = 0; s < steps; s++) {
      const t = traffic(() => {
        opt.zero_grad();
        const l = loss(model, dev, s);
        l.backward();
        opt.step();
        return l;
      });
      if (dev === 'cuda') expect(t.reads, `reads back in step ${s}`).toBe(0);
      losses.push(t.out.detach());
    }
    return { losses, params: [...model.parameters()].map((p) => p.detach()) };
  }
  function compare(make: () => nn.Module, loss: (m: nn.Module, dev: Dev, step: number) => Tensor): void {
    const gpu = train('cuda', make, loss, 3);
    const cpu = train('cpu', make, loss, 3);
    expectSame(torch.stack(gpu.losses), torch.stack(cpu.losses), 1e-4, 1e-5, 'losses');
    gpu.params.forEach((p, i) => expectSame(p, cpu.params[i]!, 1e-4, 1e-5, `parameter ${i}`));
  }

  it('an Embedding + Linear classifier (cross_entropy, Adam)', () => {
    class Tagger extends nn.Module {
      emb = new nn.Embedding(12, 4, { padding_idx: 0 });
      fc = new nn.Linear(3 * 4, 5);
      override forward(tokens: Tensor): Tensor {
        return this.fc(this.emb(tokens).flatten(1));
      }
    }
    compare(() => new Tagger(), (m, dev, s) => {
      const tokens = long([[1, 4, 11], [0, 7, 7], [3 + s, 2, 9], [11, 0, 5]], dev);
      const labels = long([0, 4, 2, 1], dev);
      return F.cross_entropy((m as Tagger).forward(tokens), labels);
    });
  });

  it('x[idx], gather and scatter_add in the loss', () => {
    class Table extends nn.Module {
      w = new nn.Parameter(randn([10, 4], 40));
      fc = new nn.Linear(4, 6);
    }
    compare(() => new Table(), (m, dev, s) => {
      const t = m as Table;
      const rows = t.w.get(long([1, -1, 4, 4 + s, 0], dev));
      const scores = t.fc.forward(rows);
      const picked = scores.gather(1, long([[0], [5], [2], [2], [3]], dev));
      const groups = long([0, 2, 1, 0, 2], dev).unsqueeze(1).expand([5, 4]);
      const pooled = torch.zeros([3, 4], { device: dev }).scatter_add(0, groups, rows);
      return pooled.pow(2).mean().sub(picked.mean());
    });
  });
});
