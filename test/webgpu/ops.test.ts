/** Differential tests: every elementwise op, the reductions, matmul and the indexing kernels on 'cuda' (WebGPU) against 'cpu'. */

import { describe, expect, it } from 'vitest';
import torch, { type Tensor } from '../../lib/index.js';
import { binaryNames, unaryNames } from '../../lib/ops/pointwise.js';
import { matmulPlanFor } from '../../lib/backends/webgpu/matmul.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

type AnyFn = (...args: unknown[]) => unknown;
const call = (t: Tensor, name: string, ...args: unknown[]): Tensor => ((t as unknown as Record<string, AnyFn>)[name]!).apply(t, args) as Tensor;

/** Runs `f` on cpu and on cuda operands; both must throw the same error or agree. */
function same(what: string, f: (dev: 'cpu' | 'cuda') => Tensor | readonly Tensor[], rtol = 1e-5, atol = 1e-5): void {
  let cpu: Tensor | readonly Tensor[];
  try {
    cpu = f('cpu');
  } catch (e) {
    // only the library's own errors count as "both refuse": a broken test must not pass
    expect(e, what).toBeInstanceOf(Error);
    expect((e as Error).message, what).not.toMatch(/is not a function|Cannot read properties/);
    expect(() => f('cuda'), what).toThrow((e as Error).message);
    return;
  }
  const gpu = f('cuda');
  const cs = Array.isArray(cpu) ? cpu : [cpu as Tensor];
  const gs = Array.isArray(gpu) ? gpu : [gpu as Tensor];
  cs.forEach((c, i) => expectSame(gs[i]!, c, rtol, atol, what));
}

/**
 * Runs every case of a test, then fails once listing each mismatch: one run on a new adapter shows
 * all of its differences, not only the first.
 */
function allOf(body: (check: typeof same) => void): void {
  const failures: string[] = [];
  body((what, f, rtol, atol) => {
    try {
      same(what, f, rtol, atol);
    } catch (e) {
      failures.push((e instanceof Error ? e.message : String(e)).split('\n')[0]!);
    }
  });
  expect(failures).toEqual([]);
}

const floats = [-3.5, -2, -1, -0.75, -0.5, -1e-3, 0, 1e-4, 0.25, 0.5, 0.9, 1, 1.5, 2, 3.7, 10];
const specials = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 100, -100, 1e-30];
// int64 lives in int32 on the device: keep powers of these inside int32
const ints = [-7, -3, -2, -1, 0, 1, 2, 3, 5, 8, 100, 1234];

const dtypes = ['float32', 'int32', 'int64', 'uint8', 'bool'] as const;
function sample(dtype: (typeof dtypes)[number], dev: 'cpu' | 'cuda', vals = floats): Tensor {
  const dt = torch[dtype];
  const v = dtype === 'float32' ? vals : dtype === 'uint8' ? ints.map((x) => Math.abs(x) % 256) : dtype === 'bool' ? ints.map((x) => x % 2 !== 0) : ints;
  return torch.tensor(v, { dtype: dt, device: dev });
}

describe.skipIf(!hasGpu)(`elementwise ops on cuda match cpu${skipReason}`, () => {
  it('every unary op of the table, every dtype', () => allOf((same) => {
    for (const name of unaryNames) {
      for (const dtype of dtypes) {
        same(`${name} ${dtype}`, (dev) => call(sample(dtype, dev), name), 2e-5, 2e-5);
      }
      same(`${name} specials`, (dev) => call(torch.tensor(specials, { device: dev }), name), 2e-5, 2e-5);
    }
  }));

  it('every binary op of the table: tensors, broadcasting, scalars, dtypes', () => allOf((same) => {
    for (const name of binaryNames) {
      same(`${name} f32 broadcast`, (dev) => {
        const a = torch.tensor(floats.slice(0, 8), { device: dev }).reshape([8, 1]);
        const b = torch.tensor([-2, -0.5, 0, 0.5, 1.5, 3], { device: dev });
        return call(a, name, b);
      }, 2e-5, 2e-5);
      same(`${name} int32 broadcast`, (dev) => {
        // 12345 ** 7 is past 2^53: the cpu backend's float64 pow no longer wraps as int32 does
        const a = torch.tensor(ints.slice(0, 11), { dtype: torch.int32, device: dev }).reshape([11, 1]);
        const b = torch.tensor([-3, -1, 1, 2, 7], { dtype: torch.int32, device: dev });
        return call(a, name, b);
      });
      same(`${name} int64 x float scalar`, (dev) => call(sample('int64', dev), name, 2.5), 2e-5, 2e-5);
      same(`${name} int64 x int scalar`, (dev) => call(sample('int64', dev), name, 3));
      same(`${name} bool x bool`, (dev) => call(sample('bool', dev), name, sample('bool', dev).flip(0)));
      same(`${name} uint8 x int32`, (dev) => call(sample('uint8', dev), name, sample('int32', dev)));
      // the cpu backend gives (-1) ** ±inf = NaN (JavaScript's answer); PyTorch and cuda give 1
      const sp = name === 'pow' ? specials.filter((v) => v !== -1) : specials;
      same(`${name} specials`, (dev) => {
        const a = torch.tensor(sp, { device: dev }).reshape([sp.length, 1]);
        return call(a, name, torch.tensor(sp, { device: dev }));
      }, 2e-5, 2e-5);
    }
  }));

  it('ops with extra arguments: add/sub alpha, div modes, where, clamp, lerp, addcmul, addcdiv, masked_fill', () => allOf((same) => {
    const ab = (dev: 'cpu' | 'cuda') => [
      torch.tensor([[1.5, -2, 3], [4, -5.5, 6]], { device: dev }),
      torch.tensor([-1, 2.5, 0.5], { device: dev }),
    ] as const;
    same('add alpha', (dev) => torch.add(...ab(dev), { alpha: 2 }));
    same('sub alpha', (dev) => torch.sub(...ab(dev), { alpha: 3 }));
    same('div', (dev) => torch.div(...ab(dev)));
    same('div trunc', (dev) => torch.div(...ab(dev), { rounding_mode: 'trunc' }));
    same('div floor', (dev) => torch.div(...ab(dev), { rounding_mode: 'floor' }));
    const iab = (dev: 'cpu' | 'cuda') => [torch.tensor([7, -7, 9, -9, 0, 2147483], { device: dev }), torch.tensor([2, 2, -4, -4, 3, 7], { device: dev })] as const;
    same('int div floor', (dev) => torch.div(...iab(dev), { rounding_mode: 'floor' }));
    same('int div trunc', (dev) => torch.div(...iab(dev), { rounding_mode: 'trunc' }));
    same('int remainder', (dev) => torch.remainder(...iab(dev)));
    same('where', (dev) => torch.where(ab(dev)[0].gt(0), ab(dev)[0], ab(dev)[1]));
    same('clamp', (dev) => ab(dev)[0].clamp(-2, 3.5));
    same('clamp int', (dev) => iab(dev)[0].clamp(-3));
    same('clamp tensors', (dev) => ab(dev)[0].clamp(ab(dev)[1], torch.tensor(2, { device: dev })));
    same('lerp', (dev) => torch.lerp(ab(dev)[0], ab(dev)[1].expand([2, 3]), 0.3));
    same('lerp tensor weight', (dev) => torch.lerp(ab(dev)[0], ab(dev)[1].expand([2, 3]), ab(dev)[1].abs().div(3)));
    same('addcmul', (dev) => torch.addcmul(ab(dev)[0], ab(dev)[1], ab(dev)[0], { value: 0.5 }));
    same('addcdiv', (dev) => torch.addcdiv(ab(dev)[0], ab(dev)[1], ab(dev)[0], { value: 2 }));
    same('masked_fill', (dev) => ab(dev)[0].masked_fill(ab(dev)[0].lt(0), -Infinity));
  }));

  it('strided views, offsets, in-place ops and casts', () => allOf((same) => {
    same('transpose + slice', (dev) => {
      const x = torch.arange(60, { device: dev }).reshape([3, 4, 5]).float();
      return x.permute([2, 0, 1]).get('1:4').mul(x.get(0).T.unsqueeze(1).get('1:4'));
    });
    same('in-place on a view', (dev) => {
      const x = torch.zeros([4, 5], { device: dev });
      x.get('1:3').add_(torch.arange(5, { device: dev }));
      x.get(':', 2).mul_(-2).add_(1);
      return x;
    });
    same('in-place reading itself', (dev) => {
      const x = torch.arange(6, { device: dev }).float();
      x.mul_(x);
      return x;
    });
    for (const to of dtypes) {
      same(`cast float32 -> ${to}`, (dev) => torch.tensor([-300.7, -1.5, -0.2, 0, 0.7, 2.5, 255.9, 70000], { device: dev }).to(torch[to]));
      same(`cast int64 -> ${to}`, (dev) => torch.tensor([-300, -1, 0, 1, 255, 256, 70000], { device: dev }).to(torch[to]));
    }
    // NaN is true and -0 false, also where the compiler takes != as an ordered comparison (NVIDIA)
    same('cast NaN and -0 -> bool', (dev) => torch.tensor([NaN, -0, 0, 1e-30], { device: dev }).to(torch.bool));
  }));
});

describe.skipIf(!hasGpu)(`reductions on cuda match cpu${skipReason}`, () => {
  const x = (dev: 'cpu' | 'cuda') => torch.arange(2 * 3 * 70, { device: dev }).reshape([2, 3, 70]).float().sin().mul(3);
  it('sum, prod, mean, max, min, amax, all, any, over dims and strided views', () => allOf((same) => {
    same('sum', (dev) => x(dev).sum());
    same('any/all with NaN and -0', (dev) => {
      const t = torch.tensor([[NaN, 0], [-0, 0], [NaN, 1]], { device: dev });
      return [t.any(1), t.all(1), t.any(), t.all()];
    });
    same('sum dim', (dev) => x(dev).sum(2));
    same('sum dims keepdim', (dev) => x(dev).sum([0, 2], { keepdim: true }));
    same('sum transposed', (dev) => x(dev).transpose(0, 2).sum(1));
    same('mean', (dev) => x(dev).mean(1));
    same('prod', (dev) => x(dev).get(':', ':', '0:5').prod(2));
    same('max', (dev) => x(dev).max());
    same('amax', (dev) => x(dev).amax([1, 2]));
    same('min', (dev) => x(dev).min());
    same('all/any', (dev) => [x(dev).gt(-2.9).all(2), x(dev).gt(2.99).any(1), x(dev).all()]);
    same('int sum', (dev) => torch.arange(1000, { device: dev }).sum());
    same('bool sum', (dev) => x(dev).gt(0).sum(2));
    same('long row', (dev) => torch.arange(100000, { device: dev }).float().mul(1e-3).sum());
    same('nan propagates', (dev) => torch.tensor([[1, NaN, 3], [4, 5, 6]], { device: dev }).max(1).values);
    same('std/var/norm', (dev) => [x(dev).std(2), x(dev).var(), x(dev).norm()]);
    same('logsumexp/softmax', (dev) => [x(dev).logsumexp(2), x(dev).softmax(2), x(dev).log_softmax(1)]);
  }));
  it('argmax/argmin, max with indices, cumulative ops, sort, topk', () => allOf((same) => {
    const t = (dev: 'cpu' | 'cuda') => torch.tensor([[3, 1, 3, -2, 0], [NaN, 1, NaN, 2, 2], [5, 5, 5, 5, 5]], { device: dev });
    same('argmax', (dev) => [t(dev).argmax(1), t(dev).argmin(1), x(dev).argmax(), x(dev).argmin(2)]);
    same('max dim', (dev) => [...t(dev).max(1)]);
    same('min dim 0', (dev) => [...t(dev).min(0)]);
    same('cumsum/cumprod', (dev) => [x(dev).cumsum(2), x(dev).get(':', ':', '0:6').cumprod(2), torch.arange(10, { device: dev }).cumsum(0)]);
    same('sort', (dev) => [...t(dev).sort(1)]);
    same('sort descending', (dev) => [...t(dev).sort(1, true)]);
    same('sort dim 0, long', (dev) => [...x(dev).round().sort(2, true), ...torch.tensor([4, 2, 2, 9, -1, 2], { device: dev }).sort()]);
    same('topk', (dev) => [...x(dev).topk(5, 2)]);
  }));
});

describe('the matmul kernel for a product (no adapter needed)', () => {
  const op = (binding: number, rows: number, cols: number) => ({ binding, dtype: torch.float32, offset: 0, strides: [rows * cols, cols, 1] });
  const plan = (software: boolean, n: number, batch = 1) => matmulPlanFor(software, batch, n, n, n, op(1, n, n), op(2, n, n), op(0, n, n));
  it('direct blocks on CPU-emulated adapters; on GPUs 128-wide vec4 tiles from 256 of them, else scalar 64-wide tiles', () => {
    const saved = process.env.TORCHLAB_WEBGPU_MATMUL;
    delete process.env.TORCHLAB_WEBGPU_MATMUL;
    try {
      expect(plan(true, 4096).key).toMatch(/^mmd\|/);
      expect(plan(false, 4096).key).toMatch(/^mmv\|/);
      expect(plan(false, 2048).key).toMatch(/^mmv\|/);
      expect(plan(false, 1024).key).toMatch(/^mm\|/);
      // 4 x 8 x 8 tiles of a batched product are enough
      expect(plan(false, 1024, 4).key).toMatch(/^mmv\|/);
      process.env.TORCHLAB_WEBGPU_MATMUL = 'vec64';
      expect(plan(true, 64).key).toMatch(/^mmv\|f\|\w+\|1\|16\|/);
    } finally {
      if (saved === undefined) delete process.env.TORCHLAB_WEBGPU_MATMUL;
      else process.env.TORCHLAB_WEBGPU_MATMUL = saved;
    }
  });
});

describe.skipIf(!hasGpu)(`matmul on cuda matches cpu${skipReason}`, () => {
  const r = (shape: number[], dev: 'cpu' | 'cuda', seed: number) => {
    torch.manual_seed(seed);
    return torch.randn(shape).to(dev);
  };
  // every kernel on every adapter: vec4 tiles of 64 and 128 and scalar tiles of 64 (hardware GPUs), direct blocks (CPU-emulated ones)
  for (const kernel of ['vec64', 'vec128', 'tiled', 'direct'] as const) it(`${kernel} kernel: 2-d, odd sizes, transposed operands, batched, broadcast batch (stride 0), vectors, ints`, () => {
    const saved = process.env.TORCHLAB_WEBGPU_MATMUL;
    process.env.TORCHLAB_WEBGPU_MATMUL = kernel;
    try {
      matmulCases();
    } finally {
      if (saved === undefined) delete process.env.TORCHLAB_WEBGPU_MATMUL;
      else process.env.TORCHLAB_WEBGPU_MATMUL = saved;
    }
  });
  function matmulCases(): void {
    same('mm', (dev) => r([3, 4], dev, 1).matmul(r([4, 5], dev, 2)), 1e-4, 1e-4);
    same('mm odd', (dev) => r([130, 70], dev, 1).matmul(r([70, 91], dev, 2)), 1e-4, 1e-4);
    same('mm transposed', (dev) => r([70, 130], dev, 1).T.matmul(r([91, 70], dev, 2).T), 1e-4, 1e-4);
    same('bmm', (dev) => r([5, 17, 33], dev, 1).matmul(r([5, 33, 9], dev, 2)), 1e-4, 1e-4);
    same('broadcast batch', (dev) => r([4, 1, 6, 7], dev, 1).matmul(r([3, 7, 2], dev, 2)), 1e-4, 1e-4);
    same('matvec / dot / outer', (dev) => [r([6, 7], dev, 1).mv(r([7], dev, 2)), r([7], dev, 1).dot(r([7], dev, 2)), r([3], dev, 1).outer(r([4], dev, 2))], 1e-4, 1e-4);
    same('int', (dev) => torch.arange(12, { device: dev }).reshape([3, 4]).matmul(torch.arange(8, { device: dev }).reshape([4, 2])));
    same('empty k', (dev) => torch.ones([3, 0], { device: dev }).matmul(torch.ones([0, 4], { device: dev })));
    same('linear', (dev) => torch.nn.functional.linear(r([8, 5], dev, 1), r([3, 5], dev, 2), r([3], dev, 3)), 1e-4, 1e-4);
    same('mm 97x200 @ 200x75', (dev) => r([97, 200], dev, 4).matmul(r([200, 75], dev, 5)), 1e-4, 1e-4);
    // several whole 128-wide tiles with ragged edges, both operands transposed or not
    same('mm 300x129 @ 129x260', (dev) => r([300, 129], dev, 6).matmul(r([129, 260], dev, 7)), 1e-4, 1e-4);
    same('mm 260x129 (T) @ 129x300 (T)', (dev) => r([129, 260], dev, 6).T.matmul(r([300, 129], dev, 7).T), 1e-4, 1e-4);
    same('bmm transposed b', (dev) => r([3, 70, 40], dev, 8).matmul(r([3, 130, 40], dev, 9).transpose(1, 2)), 1e-4, 1e-4);
  }
});

describe.skipIf(!hasGpu)(`indexing kernels on cuda match cpu${skipReason}`, () => {
  const x = (dev: 'cpu' | 'cuda') => torch.arange(24, { device: dev }).reshape([4, 6]).float();
  const idx = (v: number[], dev: 'cpu' | 'cuda') => torch.tensor(v, { device: dev });
  it('take, gather, index_select, advanced get, masked_select, nonzero', () => allOf((same) => {
    same('take', (dev) => x(dev).take(idx([0, 5, -1, 7], dev)));
    same('gather', (dev) => x(dev).gather(1, idx([0, 5, 2, 2, 1, 0, 3, 3], dev).reshape([4, 2])));
    same('index_select', (dev) => x(dev).T.index_select(0, idx([5, 0, 0, 3], dev)));
    same('advanced get', (dev) => x(dev).get(idx([3, 1], dev), idx([0, -1], dev)));
    same('masked_select', (dev) => x(dev).masked_select(x(dev).remainder(5).eq(0)));
    same('nonzero', (dev) => x(dev).remainder(7).eq(0).nonzero());
  }));
  it('put, index_put with accumulate, scatter, scatter_add, index_add_', () => allOf((same) => {
    same('set', (dev) => {
      const y = x(dev);
      y.set(idx([0, 2], dev), -1);
      return y;
    });
    same('index_put accumulate', (dev) => {
      const y = torch.zeros([5], { device: dev });
      y.index_put_([idx([0, 1, 1, 4, 1], dev)], torch.tensor([1, 2, 3, 4, 5.5], { device: dev }), true);
      return y;
    });
    same('index_put accumulate int', (dev) => {
      const y = torch.zeros([5], { dtype: torch.int64, device: dev });
      y.index_put_([idx([0, 1, 1, 4, 1], dev)], torch.tensor([1, 2, 3, 4, 5], { device: dev }), true);
      return y;
    });
    same('scatter', (dev) => torch.zeros([3, 5], { device: dev }).scatter(1, idx([0, 4, 2, 1, 3, 0], dev).reshape([3, 2]), x(dev).get('0:3', '0:2')));
    same('scatter_add', (dev) => torch.zeros([3, 5], { device: dev }).scatter_add(1, idx([0, 0, 2, 2, 3, 3], dev).reshape([3, 2]), x(dev).get('0:3', '0:2')));
    same('index_add_', (dev) => torch.ones([4, 6], { device: dev }).index_add_(0, idx([1, 1, 3], dev), x(dev).get('0:3'), { alpha: 2 }));
  }));
  it('gradients through indexing and reductions', () => allOf((same) => {
    same('backward', (dev) => {
      const w = x(dev).div(10).requires_grad_();
      const y = w.get(idx([0, 2, 2], dev)).softmax(1).mul(w.get('0:3')).sum();
      y.backward();
      return w.grad!;
    });
  }));
});
