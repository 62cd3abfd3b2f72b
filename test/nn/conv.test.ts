/**
 * Convolution, padding, pooling and normalisation (F.* and modules) against PyTorch 1.13:
 * forward values and gradients of sum(out * r) from test/golden/conv.json
 * (made by test/golden/make_conv.py), reprs, default init, running statistics and errors.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn, type Tensor } from '../../lib/index.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './helpers.js';

type Kw = Record<string, unknown>;
interface ConvCase { name: string; x: Nested; w: Nested; b: Nested | null; kw: Kw; out: Nested; r: Nested; gx: Nested; gw: Nested; gb: Nested | null }
interface PadCase { name: string; x: Nested; pad: number[]; mode: F.PadMode; value: number | null; out: Nested; r: Nested; gx: Nested }
interface PoolCase { name: string; x: Nested; k: number | number[]; kw: Kw; out: Nested; indices?: Nested; r: Nested; gx: Nested }
interface AapCase { name: string; x: Nested; output_size: number | (number | null)[]; out: Nested; r: Nested; gx: Nested }
interface BnStep { x: Nested; out: Nested; r: Nested; grads: (Nested | null)[]; running_mean: Nested | null; running_var: Nested | null; num_batches_tracked: number | null }
interface BnCase { cls: 'BatchNorm1d' | 'BatchNorm2d'; num_features: number; kw: Kw; weight: Nested | null; bias: Nested | null; steps: BnStep[]; eval_x: Nested; eval_out: Nested }
interface NormCase { name: string; x: Nested; ns?: number[]; groups?: number; w: Nested | null; b: Nested | null; eps: number; out: Nested; r: Nested; grads: (Nested | null)[] }
interface G {
  conv2d: ConvCase[]; conv1d: ConvCase[]; grad_fns: Record<string, string>; conv_errors: Record<string, PyError>;
  reprs: { cls: string; args: unknown[]; kw: Kw; repr: string }[];
  init: { seed: number; conv2d_w: Nested; conv2d_b: Nested; conv1d_w: Nested; conv1d_b: Nested };
  pad: PadCase[]; pad_errors: Record<string, PyError>;
  max_pool2d: PoolCase[]; avg_pool2d: PoolCase[]; adaptive_avg_pool2d: AapCase[]; pool_errors: Record<string, PyError>;
  batchnorm: BnCase[]; batchnorm_errors: Record<string, PyError>;
  layer_norm: NormCase[]; group_norm: NormCase[]; norm_errors: Record<string, PyError>;
}
const g = loadGolden<G>('conv.json');
const f64 = (v: Nested, requires_grad = false): Tensor => torch.tensor(v, { dtype: torch.float64, requires_grad });
const tol = [1e-9, 1e-10] as const;

/** Runs out = f(), backpropagates sum(out * r), and checks the output and each input's grad. */
function checkCase(out: Tensor, c: { out: Nested; r: Nested }, inputs: [Tensor | null, Nested | null][], what: string): void {
  expectClose(out.tolist(), c.out, ...tol, `${what} out`);
  out.mul(f64(c.r)).sum().backward();
  inputs.forEach(([t, want], i) => {
    if (!t || want === null) return;
    expectClose(t.grad!.tolist(), want, ...tol, `${what} grad ${i}`);
  });
}

describe('F.conv2d / F.conv1d match PyTorch (values and gradients)', () => {
  for (const [key, fn] of [['conv2d', F.conv2d], ['conv1d', F.conv1d]] as const) {
    for (const c of g[key]) {
      it(`${key} ${c.name}`, () => {
        const x = f64(c.x, true);
        const w = f64(c.w, true);
        const b = c.b === null ? null : f64(c.b, true);
        checkCase(fn(x, w, b, c.kw), c, [[x, c.gx], [w, c.gw], [b, c.gb]], `${key} ${c.name}`);
      });
    }
  }

  it('positional arguments as in Python', () => {
    const c = g.conv2d.find((k) => k.name === 'stride2_pad1')!;
    expectClose(F.conv2d(f64(c.x), f64(c.w), f64(c.b!), 2, 1).tolist(), c.out, ...tol);
  });

  it('records ConvolutionBackward0 as PyTorch does', () => {
    const x = torch.zeros([1, 2, 5, 5], { requires_grad: true });
    expect(F.conv2d(x, torch.zeros([3, 2, 3, 3])).grad_fn!.name()).toBe(g.grad_fns.conv2d);
    expect(F.conv1d(x.select(2, 0), torch.zeros([3, 2, 3])).grad_fn!.name()).toBe(g.grad_fns.conv1d);
    expect(F.conv2d(x.select(0, 0), torch.zeros([3, 2, 3, 3])).grad_fn!.name()).toBe(g.grad_fns.conv2d_unbatched);
  });

  it('gradgradcheck: conv2d (stride, padding, dilation, groups) and conv1d', () => {
    const opt = { dtype: torch.float64, requires_grad: true };
    const x = torch.randn([2, 4, 6, 5], opt);
    const w = torch.randn([6, 2, 3, 2], opt);
    const b = torch.randn([6], opt);
    const f2 = (xx: Tensor, ww: Tensor, bb: Tensor) => F.conv2d(xx, ww, bb, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 });
    expect(torch.autograd.gradcheck(f2, [x, w, b])).toBe(true);
    expect(torch.autograd.gradgradcheck(f2, [x, w, b])).toBe(true);
    const f1 = (xx: Tensor, ww: Tensor) => F.conv1d(xx, ww, null, { padding: 'same', dilation: 2 });
    const x1 = torch.randn([2, 3, 7], opt);
    const w1 = torch.randn([2, 3, 4], opt);
    expect(torch.autograd.gradgradcheck(f1, [x1, w1])).toBe(true);
  });

  it('double backward through conv2d', () => {
    const x = torch.randn([1, 2, 5, 5], { dtype: torch.float64, requires_grad: true });
    const w = torch.randn([3, 2, 3, 3], { dtype: torch.float64, requires_grad: true });
    const [gx] = torch.autograd.grad(F.conv2d(x, w, null, { padding: 1 }).pow(2).sum(), [x], { create_graph: true });
    const [gw] = torch.autograd.grad(gx!.sum(), [w]);
    // d/dw sum(d/dx sum(y^2)) = d/dw sum(2 conv_transpose(y, w)), checked against a finite difference
    const eps = 1e-6;
    const w2 = w.detach().clone();
    const dir = torch.randn([3, 2, 3, 3], { dtype: torch.float64 });
    const fval = (ww: Tensor): number => {
      const xx = x.detach().clone().requires_grad_();
      const [gg] = torch.autograd.grad(F.conv2d(xx, ww, null, { padding: 1 }).pow(2).sum(), [xx]);
      return gg!.sum().item();
    };
    const fd = (fval(w2.add(dir.mul(eps))) - fval(w2.sub(dir.mul(eps)))) / (2 * eps);
    expect(gw!.mul(dir).sum().item()).toBeCloseTo(fd, 5);
  });

  it('PyTorch\'s errors', () => {
    const e = g.conv_errors;
    const z = (...s: number[]) => torch.zeros(s);
    expectPyError(() => F.conv2d(z(1, 4, 5, 5), z(8, 3, 3, 3)), e.channels!);
    expectPyError(() => F.conv2d(z(1, 3, 2, 2), z(8, 3, 3, 3)), e.kernel_too_big!);
    expectPyError(() => F.conv2d(z(1, 3, 4, 4), z(8, 3, 3, 3), null, { dilation: 2 }), e.dilated_too_big!);
    expectPyError(() => F.conv2d(z(1, 4, 5, 5), z(7, 2, 3, 3), null, { groups: 2 }), e.groups_weight!);
    expectPyError(() => F.conv2d(z(1, 3, 5, 5), z(8, 3, 3, 3), z(7)), e.bias_size!);
    expectPyError(() => F.conv2d(z(5, 5), z(8, 3, 3, 3)), e.input_dim!);
    expectPyError(() => F.conv1d(z(2, 3, 4, 5), z(8, 3, 3)), e.conv1d_input_dim!);
    expectPyError(() => F.conv2d(z(1, 3, 5, 5), z(8, 3, 3, 3), null, { stride: 2, padding: 'same' }), e.same_strided!);
    expectPyError(() => new nn.Conv2d(3, 6, 3, { groups: 2 }), e.module_groups!);
    expectPyError(() => new nn.Conv2d(4, 6, 3, { groups: 4 }), e.module_out_groups!);
    expectPyError(() => new nn.Conv2d(3, 6, 3, { stride: 2, padding: 'same' }), e.module_same_strided!);
  });
});

describe('modules', () => {
  type Ctor = new (...args: unknown[]) => nn.Module;
  const layers = nn as unknown as Record<string, Ctor>;
  for (const c of g.reprs) {
    it(c.repr, () => {
      const args: unknown[] = [...c.args];
      if (Object.keys(c.kw).length > 0) args.push(c.kw);
      expect(String(new layers[c.cls]!(...args))).toBe(c.repr);
    });
  }

  it('Conv2d / Conv1d draw PyTorch\'s default initial weights for a seed', () => {
    torch.manual_seed(g.init.seed);
    const c2 = new nn.Conv2d(3, 4, 3);
    const c1 = new nn.Conv1d(2, 3, 5, { bias: true });
    expectClose(c2.weight.tolist(), g.init.conv2d_w, 1e-6, 1e-7);
    expectClose(c2.bias!.tolist(), g.init.conv2d_b, 1e-6, 1e-7);
    expectClose(c1.weight.tolist(), g.init.conv1d_w, 1e-6, 1e-7);
    expectClose(c1.bias!.tolist(), g.init.conv1d_b, 1e-6, 1e-7);
    expect(c2.weight.shape).toEqual([4, 3, 3, 3]);
  });

  it('Conv2d forward equals F.conv2d; padding_mode pads first', () => {
    const conv = new nn.Conv2d(2, 4, 3, { padding: 1, padding_mode: 'reflect', dtype: torch.float64 });
    const x = torch.randn([1, 2, 5, 6], { dtype: torch.float64 });
    const want = F.conv2d(F.pad(x, [1, 1, 1, 1], 'reflect'), conv.weight, conv.bias);
    expectClose(conv(x).tolist(), want.tolist(), 1e-12, 1e-12);
    expect(new nn.Conv2d(1, 6, 5, { padding: 2 })(torch.zeros([3, 1, 28, 28])).shape).toEqual([3, 6, 28, 28]);
    expect(new nn.Conv1d(3, 5, 3, 1, 'same')(torch.zeros([2, 3, 10])).shape).toEqual([2, 5, 10]);
    expect(new nn.Conv2d(3, 8, 3, { bias: false }).bias).toBeNull();
    expect([...new nn.Conv2d(3, 8, 3).named_parameters()].map(([n]) => n)).toEqual(['weight', 'bias']);
  });
});

describe('F.pad matches PyTorch', () => {
  for (const c of g.pad) {
    it(c.name, () => {
      const x = f64(c.x, true);
      const y = c.mode === 'constant' ? F.pad(x, c.pad, c.mode, c.value) : F.pad(x, c.pad, c.mode);
      checkCase(y, c, [[x, c.gx]], c.name);
    });
  }
  it('errors', () => {
    expectPyError(() => F.pad(torch.zeros([1, 1, 3, 3]), [3, 3, 0, 0], 'reflect'), g.pad_errors.reflect_too_big!);
    expectPyError(() => F.pad(torch.zeros([3, 3]), [1, 1, 1]), g.pad_errors.odd!);
    expectPyError(() => F.pad(torch.zeros([1, 2, 3]), [1, 1], 'reflect', 1), g.pad_errors.value!);
    expectPyError(() => F.pad(torch.zeros([3]), [1, 1], 'reflect'), g.pad_errors.dims!);
    expectPyError(() => F.pad(torch.zeros([3, 3]), [1, 1], 'foo' as F.PadMode), g.pad_errors.mode!);
  });
});

describe('pooling matches PyTorch', () => {
  for (const c of g.max_pool2d) {
    it(`max_pool2d ${c.name}`, () => {
      const x = f64(c.x, true);
      const [y, idx] = F.max_pool2d(x, c.k, { ...c.kw, return_indices: true });
      expect(idx.dtype).toBe(torch.int64);
      expect(idx.tolist()).toEqual(c.indices);
      checkCase(y, c, [[x, c.gx]], c.name);
      expectClose(new nn.MaxPool2d(c.k, c.kw)(x).tolist(), c.out, ...tol);
      expectClose(torch.no_grad(() => F.max_pool2d(x, c.k, c.kw)).tolist(), c.out, ...tol);
    });
  }
  for (const c of g.avg_pool2d) {
    it(`avg_pool2d ${c.name}`, () => {
      const x = f64(c.x, true);
      checkCase(F.avg_pool2d(x, c.k, c.kw), c, [[x, c.gx]], c.name);
      expectClose(new nn.AvgPool2d(c.k, c.kw)(x).tolist(), c.out, ...tol);
    });
  }
  for (const c of g.adaptive_avg_pool2d) {
    it(`adaptive_avg_pool2d ${c.name}`, () => {
      const x = f64(c.x, true);
      checkCase(F.adaptive_avg_pool2d(x, c.output_size), c, [[x, c.gx]], c.name);
      expectClose(new nn.AdaptiveAvgPool2d(c.output_size)(x).tolist(), c.out, ...tol);
    });
  }
  it('max_pool2d records MaxPool2DWithIndicesBackward0 and differentiates twice', () => {
    const x = torch.randn([2, 3, 7, 6], { dtype: torch.float64, requires_grad: true });
    expect(F.max_pool2d(x, 2).grad_fn!.name()).toBe(g.grad_fns.max_pool2d);
    const f = (t: Tensor) => F.max_pool2d(t, 3, { stride: 2, padding: 1, ceil_mode: true });
    expect(torch.autograd.gradcheck(f, [x])).toBe(true);
    expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
  });

  it('avg_pool2d differentiates twice', () => {
    const x = torch.randn([1, 2, 7, 6], { dtype: torch.float64, requires_grad: true });
    const f = (t: Tensor) => F.avg_pool2d(t, 3, { stride: 2, padding: 1, ceil_mode: true, count_include_pad: false });
    expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
  });

  it('MaxPool2d with return_indices returns the pair', () => {
    const [v, i] = new nn.MaxPool2d(2, { return_indices: true })(torch.arange(16, { dtype: torch.float32 }).reshape(1, 1, 4, 4));
    expect(v.tolist()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(i.tolist()).toEqual([[[[5, 7], [13, 15]]]]);
  });
  it('errors', () => {
    const e = g.pool_errors;
    expectPyError(() => F.max_pool2d(torch.zeros([1, 1, 5, 5]), 3, { padding: 2 }), e.pad_half!);
    expectPyError(() => F.max_pool2d(torch.zeros([1, 1, 2, 2]), 3), e.too_small!);
    expectPyError(() => F.avg_pool2d(torch.zeros([1, 1, 5, 5]), 2, { padding: 2 }), e.avg_pad_half!);
  });
});

describe('normalisation matches PyTorch', () => {
  for (const c of g.batchnorm) {
    it(`${c.cls} ${JSON.stringify(c.kw)}: two training steps, running stats, eval`, () => {
      const m = new nn[c.cls](c.num_features, { ...c.kw, dtype: torch.float64 });
      if (c.weight) {
        torch.no_grad(() => {
          m.weight!.copy_(f64(c.weight!));
          m.bias!.copy_(f64(c.bias!));
        });
      }
      for (const [s, step] of c.steps.entries()) {
        const x = f64(step.x, true);
        if (m.weight) {
          m.weight.grad = null;
          m.bias!.grad = null;
        }
        checkCase(m(x), step, [[x, step.grads[0]!], [m.weight, step.grads[1] ?? null], [m.bias, step.grads[2] ?? null]], `step ${s}`);
        if (step.running_mean === null) {
          expect(m.running_mean).toBeNull();
        } else {
          expectClose(m.running_mean!.tolist(), step.running_mean, ...tol);
          expectClose(m.running_var!.tolist(), step.running_var, ...tol);
          expect(m.num_batches_tracked!.item()).toBe(step.num_batches_tracked);
        }
      }
      m.eval();
      expectClose(m(f64(c.eval_x)).tolist(), c.eval_out, ...tol);
    });
  }
  it('BatchNorm buffers are in the state_dict', () => {
    expect(Object.keys(new nn.BatchNorm2d(3).state_dict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(new nn.BatchNorm2d(3).num_batches_tracked!.dtype).toBe(torch.int64);
  });
  for (const c of g.layer_norm) {
    it(`layer_norm ${c.name}`, () => {
      const x = f64(c.x, true);
      const w = c.w === null ? null : f64(c.w, true);
      const b = c.b === null ? null : f64(c.b, true);
      checkCase(F.layer_norm(x, c.ns!, w, b, c.eps), c, [[x, c.grads[0]!], [w, c.grads[1] ?? null], [b, c.grads[2] ?? null]], c.name);
    });
  }
  for (const c of g.group_norm) {
    it(`group_norm ${c.name}`, () => {
      const x = f64(c.x, true);
      const w = c.w === null ? null : f64(c.w, true);
      const b = c.b === null ? null : f64(c.b, true);
      checkCase(F.group_norm(x, c.groups!, w, b, c.eps), c, [[x, c.grads[0]!], [w, c.grads[1] ?? null], [b, c.grads[2] ?? null]], c.name);
    });
  }
  it('LayerNorm and GroupNorm modules equal their functions', () => {
    const x = torch.randn([2, 6, 3, 4], { dtype: torch.float64 });
    const ln = new nn.LayerNorm([3, 4], { dtype: torch.float64 });
    expectClose(ln(x).tolist(), F.layer_norm(x, [3, 4]).tolist(), 1e-12, 1e-12);
    const gn = new nn.GroupNorm(3, 6, { dtype: torch.float64 });
    expectClose(gn(x).tolist(), F.group_norm(x, 3).tolist(), 1e-12, 1e-12);
    expect(ln.weight!.shape).toEqual([3, 4]);
  });
  it('errors', () => {
    const e = g.batchnorm_errors;
    expectPyError(() => new nn.BatchNorm1d(3)(torch.zeros([2, 3, 4, 5])), e.bn1d_dim!);
    expectPyError(() => new nn.BatchNorm2d(3)(torch.zeros([2, 3])), e.bn2d_dim!);
    expectPyError(() => new nn.BatchNorm1d(3)(torch.zeros([1, 3])), e.one_value!);
    expectPyError(() => F.layer_norm(torch.zeros([3, 5]), [4]), g.norm_errors.layer_norm_shape!);
    expectPyError(() => F.group_norm(torch.zeros([2, 6, 4]), 4), g.norm_errors.group_norm_channels!);
    expectPyError(() => new nn.GroupNorm(4, 6), g.norm_errors.group_norm_module!);
  });
});
