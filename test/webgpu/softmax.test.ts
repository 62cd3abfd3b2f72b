/**
 * The fused softmax / log_softmax and nll kernels of 'cuda' against the composed ops of 'cpu':
 * forward and gradients over any dim, long rows (10,000 columns, one workgroup a row), -inf, NaN
 * and float32 extremes, strided and broadcast inputs; nll_loss and cross_entropy in all their
 * forms; and the device-side check of targets, raised at the next read as CUDA does.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, type Tensor } from '../../lib/index.js';
import { _deviceStats } from '../../lib/backends/webgpu/client.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

type Dev = 'cpu' | 'cuda';

function randn(shape: number[], seed: number, scale = 1): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape).mul(scale);
}

/** Work sent to the device and read back while `f` runs. */
function traffic(f: () => void): { dispatches: number; reads: number; uploads: number } {
  const s0 = _deviceStats();
  f();
  const s1 = _deviceStats();
  return { dispatches: s1.dispatches - s0.dispatches, reads: s1.reads - s0.reads, uploads: s1.uploads - s0.uploads };
}

/**
 * softmax and log_softmax of `make(dev)` over `dim` on both devices: values, then the gradient of
 * a weighted sum (the incoming gradient is not all ones, so the Σ term matters).
 */
function checkSoftmax(what: string, make: (dev: Dev) => Tensor, dim: number, tol = { rtol: 1e-5, atol: 1e-6 }): void {
  for (const log of [false, true]) {
    const run = (dev: Dev) => {
      const x = make(dev).detach().requires_grad_();
      const y = log ? x.log_softmax(dim) : x.softmax(dim);
      const w = randn([...y.shape], 7).to(dev);
      y.mul(w).sum().backward();
      return { y, g: x.grad! };
    };
    const cpu = run('cpu');
    const gpu = run('cuda');
    const name = `${what} ${log ? 'log_softmax' : 'softmax'}(${dim})`;
    expectSame(gpu.y, cpu.y, tol.rtol, tol.atol, `${name} value`);
    expectSame(gpu.g, cpu.g, tol.rtol, tol.atol, `${name} grad`);
  }
}

describe.skipIf(!hasGpu)(`fused softmax and log_softmax on cuda${skipReason}`, () => {
  it('runs forward and backward as one kernel each, with no host traffic', () => {
    const x = randn([8, 10], 1).cuda().requires_grad_();
    let y: Tensor | null = null;
    expect(traffic(() => (y = x.log_softmax(1)))).toEqual({ dispatches: 1, reads: 0, uploads: 0 });
    const g = torch.ones([8, 10], { device: 'cuda' });
    const t = traffic(() => y!.backward(g));
    expect(t.reads).toBe(0);
    expect(t.uploads).toBe(0);
    // the fused gradient, and accumulating it into x.grad
    expect(t.dispatches).toBeLessThanOrEqual(2);
    expect(y!.grad_fn!.name()).toBe('LogSoftmaxBackward0');
    expect(x.softmax(0).grad_fn!.name()).toBe('SoftmaxBackward0');
  });

  it('matches the cpu over every dim, short and long rows, strided and broadcast inputs', () => {
    checkSoftmax('[4, 10]', (d) => randn([4, 10], 1, 3).to(d), 1);
    checkSoftmax('[4, 10]', (d) => randn([4, 10], 1, 3).to(d), 0);
    checkSoftmax('[3, 5, 7]', (d) => randn([3, 5, 7], 2).to(d), 1);
    checkSoftmax('[3, 5, 7]', (d) => randn([3, 5, 7], 2).to(d), -1);
    checkSoftmax('[2, 3, 4, 5]', (d) => randn([2, 3, 4, 5], 3).to(d), 0);
    // one workgroup a row (rows longer than 64), along the last dim and along a strided one
    checkSoftmax('[3, 300]', (d) => randn([3, 300], 4, 4).to(d), 1);
    checkSoftmax('[300, 3]', (d) => randn([300, 3], 4, 4).to(d), 0);
    checkSoftmax('[2, 10000]', (d) => randn([2, 10000], 5, 8).to(d), 1, { rtol: 2e-5, atol: 1e-6 });
    checkSoftmax('[10000, 2] along the 10,000', (d) => randn([10000, 2], 6, 8).to(d), 0, { rtol: 2e-5, atol: 1e-6 });
    checkSoftmax('65 columns (the first wide row)', (d) => randn([5, 65], 7).to(d), 1);
    checkSoftmax('64 columns (the last thread row)', (d) => randn([5, 64], 7).to(d), 1);
    // strided: a transpose, a stepped slice, an offset view, a broadcast (stride 0) input
    checkSoftmax('transposed', (d) => randn([6, 9], 8).to(d).T, 1);
    checkSoftmax('stepped slice', (d) => randn([6, 20], 9).to(d).get('1::2', '::3'), 1);
    checkSoftmax('wide stepped slice', (d) => randn([4, 400], 9).to(d).get(':', '::2'), 1);
    checkSoftmax('offset view', (d) => randn([5, 6], 10).to(d).get('2:', '1:'), 0);
    checkSoftmax('broadcast', (d) => randn([1, 7], 11).to(d).expand([4, 7]), 0);
    checkSoftmax('broadcast wide', (d) => randn([100, 1], 11).to(d).expand([100, 3]), 0);
    checkSoftmax('0-d', (d) => torch.tensor(2.5, { dtype: torch.float32 }).to(d), 0);
    checkSoftmax('one column', (d) => randn([4, 1], 12).to(d), 1);
  });

  it('keeps -inf, NaN, +inf and float32 extremes where the cpu has them', () => {
    const inf = Infinity;
    const rows = [
      [-inf, 0, 1, -inf],
      [-inf, -inf, -inf, -inf],
      [inf, 1, 2, 3],
      [NaN, 1, 2, 3],
      [3e38, -3e38, 0, 1],
      [-3e38, -3e38, -3e38, -3e38],
      [1e-45, -1e-45, 1.17549435e-38, 0],
      [88, 89, -104, -200],
    ];
    const x = torch.tensor(rows, { dtype: torch.float32 });
    // the gradient is not compared here: where the forward is NaN the two gradients are NaN alike,
    // but through different intermediate orders
    for (const log of [false, true]) {
      const f = (t: Tensor) => (log ? t.log_softmax(1) : t.softmax(1));
      expectSame(f(x.cuda()), f(x), 1e-5, 1e-6, `extremes log=${log}`);
      // the same rows, long (one workgroup a row): each value repeated, -inf padding
      const wide = torch.cat([x.repeat_interleave(40, 1), torch.full([rows.length, 30], -inf)], 1);
      expectSame(f(wide.cuda()), f(wide), 1e-5, 1e-6, `wide extremes log=${log}`);
    }
    checkSoftmax('-inf entries', (d) => torch.tensor([[-inf, 0, 1], [2, -inf, 0]], { dtype: torch.float32 }).to(d), 1);
  });

  it('casts with dtype, handles empty tensors, and composes its double backward', () => {
    const xi = torch.tensor([[1, 2, 3], [4, 5, 7]]);
    expectSame(xi.cuda().softmax(1, { dtype: torch.float32 }), xi.softmax(1, { dtype: torch.float32 }));
    expectSame(xi.cuda().log_softmax(0, { dtype: torch.float32 }), xi.log_softmax(0, { dtype: torch.float32 }));
    expectSame(torch.empty([0, 5], { device: 'cuda' }).softmax(1), torch.empty([0, 5]).softmax(1));
    expectSame(torch.empty([3, 0], { device: 'cuda' }).log_softmax(1), torch.empty([3, 0]).log_softmax(1));
    for (const log of [false, true]) {
      const run = (dev: Dev) => {
        const x = randn([3, 6], 13).to(dev).requires_grad_();
        const y = log ? x.log_softmax(1) : x.softmax(1);
        const [g] = torch.autograd.grad(y.mul(randn([3, 6], 14).to(dev)).sum(), x, { create_graph: true });
        g!.pow(2).sum().backward();
        return x.grad!;
      };
      expectSame(run('cuda'), run('cpu'), 1e-4, 1e-6, `double backward log=${log}`);
    }
  });
});

describe.skipIf(!hasGpu)(`nll_loss and cross_entropy on cuda${skipReason}`, () => {
  interface Case {
    what: string;
    input: number[];
    target: (dev: Dev) => Tensor;
    opts?: Record<string, unknown>;
    weight?: boolean;
    f?: 'nll' | 'ce';
  }
  const check = (c: Case) => {
    const run = (dev: Dev) => {
      const x = randn(c.input, 21, 2).to(dev).requires_grad_();
      const C = c.input.length === 1 ? c.input[0]! : c.input[1]!;
      torch.manual_seed(22);
      const opts = { ...c.opts, ...(c.weight ? { weight: torch.rand([C]).to(dev) } : {}) };
      const fn = c.f === 'nll' ? F.nll_loss : F.cross_entropy;
      const input = c.f === 'nll' ? x.log_softmax(c.input.length === 1 ? 0 : 1) : x;
      const loss = fn(input, c.target(dev), opts);
      loss.mul(randn([...loss.shape], 23).to(dev)).sum().backward();
      return { loss, grad: x.grad!, fn: loss.grad_fn?.name() };
    };
    const cpu = run('cpu');
    const gpu = run('cuda');
    expectSame(gpu.loss, cpu.loss, 1e-5, 1e-6, `${c.what} loss`);
    expectSame(gpu.grad, cpu.grad, 1e-5, 1e-6, `${c.what} grad`);
    expect(gpu.fn, `${c.what} grad_fn`).toBe(cpu.fn);
  };
  const t = (values: Parameters<typeof torch.tensor>[0]) => (dev: Dev) => torch.tensor(values).to(dev);

  it('matches the cpu for every reduction, weight, ignore_index, shape and label smoothing', () => {
    const tgt = t([0, 4, 2, 1, 3, 2]);
    for (const f of ['nll', 'ce'] as const) {
      for (const reduction of ['mean', 'sum', 'none']) {
        check({ what: `${f} ${reduction}`, input: [6, 5], target: tgt, opts: { reduction }, f });
        check({ what: `${f} ${reduction} weight`, input: [6, 5], target: tgt, opts: { reduction }, weight: true, f });
        check({ what: `${f} ${reduction} ignore_index=2`, input: [6, 5], target: tgt, opts: { reduction, ignore_index: 2 }, weight: true, f });
        check({ what: `${f} ${reduction} ignore_index=-100`, input: [6, 5], target: t([0, -100, 2, -100, 3, 2]), opts: { reduction }, f });
        check({ what: `${f} ${reduction} 1-d`, input: [5], target: t(3), opts: { reduction }, f });
        check({ what: `${f} ${reduction} (N, C, d1, d2)`, input: [2, 4, 3, 2], target: t([[[0, 3], [1, 1], [2, 0]], [[3, 3], [0, 2], [1, 2]]]), opts: { reduction }, weight: true, f });
        check({ what: `${f} ${reduction} (N, C, d)`, input: [2, 4, 3], target: t([[0, 3, 1], [2, 2, 0]]), opts: { reduction, ignore_index: 3 }, f });
      }
    }
    check({ what: 'label smoothing', input: [6, 5], target: tgt, opts: { label_smoothing: 0.2 } });
    check({ what: 'label smoothing weight', input: [6, 5], target: tgt, opts: { label_smoothing: 0.2, ignore_index: 1 }, weight: true });
    check({ what: 'many classes', input: [3, 10000], target: t([9999, 0, 5000]) });
    const probs = (dev: Dev) => randn([6, 5], 24).softmax(1).to(dev);
    check({ what: 'class probabilities', input: [6, 5], target: probs, opts: { label_smoothing: 0.1 } });
  });

  it('matches the cpu on strided logits, -inf logits and extremes, and composes its double backward', () => {
    const inf = Infinity;
    const logits = torch.tensor([[-inf, 0, 1, -inf], [3e38, -3e38, 0, 1], [2, -inf, -inf, 5], [1e-45, 0, 88, -104]], { dtype: torch.float32 });
    const target = torch.tensor([1, 0, 3, 2]);
    const run = (dev: Dev, x: Tensor, t: Tensor, opts = {}) => {
      const v = x.to(dev).detach().requires_grad_();
      const loss = F.cross_entropy(v, t.to(dev), opts);
      loss.sum().backward();
      return { loss, grad: v.grad! };
    };
    const same = (what: string, x: Tensor, t: Tensor, opts = {}) => {
      const a = run('cuda', x, t, opts);
      const b = run('cpu', x, t, opts);
      expectSame(a.loss, b.loss, 1e-5, 1e-6, `${what} loss`);
      expectSame(a.grad, b.grad, 1e-5, 1e-6, `${what} grad`);
    };
    for (const reduction of ['mean', 'none']) same(`extremes ${reduction}`, logits, target, { reduction });
    // classes along a strided dim: a transposed view, and (N, C, d) with the classes in the middle
    const t6 = torch.tensor([0, 4, 2, 1, 3, 2]);
    same('transposed', randn([5, 6], 27).T, t6);
    same('transposed none', randn([5, 6], 27).T, t6, { reduction: 'none' });
    same('(N, C, d) from a permute', randn([2, 3, 5], 29).permute(0, 2, 1), torch.tensor([[0, 1, 2], [4, 3, 0]]), { reduction: 'none' });
    for (const [f, opts] of [['ce', {}], ['ce', { reduction: 'none', weight: torch.rand([5]) }]] as const) {
      const dd = (dev: Dev) => {
        const x = randn([6, 5], 28).to(dev).requires_grad_();
        const o = 'weight' in opts ? { ...opts, weight: opts.weight.to(dev) } : opts;
        const loss = F.cross_entropy(x, torch.tensor([0, 4, 2, 1, 3, 2]).to(dev), o);
        const [g] = torch.autograd.grad(loss.sum(), x, { create_graph: true });
        g!.pow(2).sum().backward();
        return x.grad!;
      };
      expectSame(dd('cuda'), dd('cpu'), 1e-4, 1e-6, `${f} double backward`);
    }
  });

  it('a cross entropy step reads nothing back and uploads nothing', () => {
    const x = randn([64, 10], 25).cuda().requires_grad_();
    const y = torch.randint(0, 10, [64]).cuda();
    const w = torch.rand([10]).cuda();
    const tr = traffic(() => {
      F.cross_entropy(x, y).backward();
      F.cross_entropy(x, y, { weight: w, ignore_index: 3, label_smoothing: 0.1 }).backward();
      F.nll_loss(x.log_softmax(1), y, { reduction: 'none' }).sum().backward();
    });
    expect([tr.reads, tr.uploads]).toEqual([0, 0]);
  });

  it('refuses targets on another device and integer inputs as before', () => {
    expect(() => F.cross_entropy(randn([3, 4], 26).cuda(), torch.tensor([0, 1, 2]))).toThrow(
      'Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!',
    );
    expect(() => F.nll_loss(randn([3, 4], 26).cuda(), torch.tensor([0, 1, 2], { dtype: torch.int32 }).cuda())).toThrow(
      'expected scalar type Long but found Int',
    );
  });
});

describe.skipIf(!hasGpu)(`a target out of range is a device-side assert${skipReason}`, () => {
  afterEach(() => {
    delete process.env.CUDA_LAUNCH_BLOCKING;
  });
  const logits = () => randn([4, 10], 31).cuda();

  it('is raised at the next read, not by the op; once; the cpu raises at once', () => {
    const bad = torch.tensor([1, 12, 3, 0]).cuda();
    let loss: Tensor | null = null;
    // the op itself only queues work
    expect(traffic(() => (loss = F.cross_entropy(logits(), bad))).reads).toBe(0);
    const msg = /^CUDA error: device-side assert triggered: Target 12 is out of bounds\. \(nll_loss \/ cross_entropy\)\n.*next read.*CUDA_LAUNCH_BLOCKING=1/s;
    expect(() => loss!.item()).toThrow(msg);
    // reported once: the device goes on working
    expect(F.cross_entropy(logits(), torch.tensor([1, 2, 3, 0]).cuda()).isfinite().item()).toBe(1);
    expect(() => F.cross_entropy(randn([4, 10], 31), torch.tensor([1, 12, 3, 0]))).toThrow('Target 12 is out of bounds.');
    try {
      F.nll_loss(randn([4, 10], 31), torch.tensor([1, -1, 3, 0]));
    } catch (e) {
      expect((e as Error).name).toBe('IndexError');
    }
  });

  it('surfaces at any read or synchronize, for negative targets, and with several bad ones', () => {
    F.nll_loss(logits(), torch.tensor([-1, 0, 0, 0]).cuda());
    expect(() => torch.cuda.synchronize()).toThrow(/device-side assert triggered: Target -1 is out of bounds/);
    F.nll_loss(logits(), torch.tensor([0, 0, 0, 0]).cuda(), { ignore_index: 0 });
    torch.cuda.synchronize();
    const other = torch.arange(3, { device: 'cuda' });
    F.cross_entropy(logits(), torch.tensor([10, 11, 0, 99]).cuda(), { reduction: 'none' });
    // an unrelated read reports it, as CUDA's sticky error would
    expect(() => other.tolist()).toThrow(/Target (10|11|99) is out of bounds/);
    expect(other.tolist()).toEqual([0, 1, 2]);
    // ignored targets are not checked, wherever ignore_index points
    expect(F.nll_loss(logits(), torch.tensor([-5, 1, -5, 2]).cuda(), { ignore_index: -5 }).isfinite().item()).toBe(1);
  });

  it('with CUDA_LAUNCH_BLOCKING=1 the op that failed raises it', () => {
    process.env.CUDA_LAUNCH_BLOCKING = '1';
    expect(() => F.cross_entropy(logits(), torch.tensor([0, 1, 2, 10]).cuda())).toThrow(/Target 10 is out of bounds/);
    expect(F.cross_entropy(logits(), torch.tensor([0, 1, 2, 9]).cuda()).isfinite().item()).toBe(1);
  });
});
